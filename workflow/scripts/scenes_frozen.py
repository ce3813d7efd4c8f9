"""Q6.1.4 third row: frozen ImageNet features (pretrained backbone) + a linear classifier on SUN."""

import time
from pathlib import Path

import numpy as np

from nnrec.common import config_hash, get_logger, read_json, save_figure, set_threads, write_json

sm = snakemake  # noqa: F821
log = get_logger("scenes_frozen", sm.log[0])
set_threads(sm.threads)

from nnrec.data.missing import skip_if_missing  # noqa: E402

if skip_if_missing(sm, [sm.input.prov, sm.input.weights_prov]):
    log.warning("SUN data or backbone weights unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)

import torch  # noqa: E402

from nnrec.data import describe_source  # noqa: E402
from nnrec.torch_models.data import stratified_split  # noqa: E402
from nnrec.torch_models.flowers import BACKBONES, make_finetune_net  # noqa: E402
from nnrec.torch_models.flowers import run_finetune  # noqa: E402
from nnrec.torch_models.loop import pick_device, seed_torch  # noqa: E402
from nnrec.torch_models.plots import plot_history  # noqa: E402
from nnrec.torch_models.scenes import load_scene_splits, to_input  # noqa: E402

t0 = time.perf_counter()
cfg, seed, backbone = dict(sm.params.cfg), int(sm.params.seed), sm.wildcards.backbone
data_dir = Path(sm.input.prov).parent
train, test = load_scene_splits(data_dir, sm.params.max_per_class)
source = describe_source(sm.input.prov)
weights_prov = read_json(sm.input.weights_prov)
sha = (weights_prov.get("files") or [{}])[0].get("sha256") or sm.params.sha256
weights_path = Path(sm.input.weights_prov).parent / "weights.pth"
device = pick_device(sm.params.device, threads=sm.threads)
classes = [str(c) for c in train["classes"]]
tr_idx, va_idx = stratified_split(train["y"], int(sm.params.n_valid), seed)
size = int(cfg["input_size"])
x_all, x_test = to_input(train["x"], size), to_input(test["x"], size)
y_all, y_test = torch.as_tensor(train["y"]), torch.as_tensor(test["y"])
seed_torch(seed)
net = make_finetune_net(backbone, len(classes), weights_path, sha, float(cfg["head"]["dropout"]))
log.info(f"{backbone} ({BACKBONES[backbone][2]}, sha256 {sha[:12]}) device={device} input={size}px; data: {source}")
res = run_finetune(net, (x_all[tr_idx], y_all[tr_idx]), (x_all[va_idx], y_all[va_idx]), (x_test, y_test),
                   {"views": cfg["views"], "augment": cfg["augment"], "head": cfg["head"], "full": {"epochs": 0}},
                   device=device, logger=log, seed=seed)
row = res["frozen"]
hist = row.pop("history")
row.pop("test_pred")
log.info(f"test accuracy {row['test_acc']:.4f} (valid {row['valid_acc']:.4f})")
save_figure(plot_history(hist, f"SUN: frozen {backbone} + linear"), sm.output.curves)
write_json(sm.output.metrics, {
    "part": "q6_1_4", "experiment": f"sun_frozen_{backbone}",
    "method": f"frozen {backbone} features + linear classifier", "backbone": backbone,
    "weights": BACKBONES[backbone][2], "weights_source": describe_source(sm.input.weights_prov),
    "weights_sha256": sha, **row, "classes": classes, "epochs": int(cfg["head"]["epochs"]), "input_size": size,
    "n_train": len(tr_idx), "n_valid": len(va_idx), "n_test": int(len(y_test)),
    "train_time_s": row["time_s"], "device": hist["device"], "threads": torch.get_num_threads(), "seed": seed,
    "config": cfg, "config_hash": config_hash(cfg), "data_source": source, "history": hist,
    "wall_time_s": time.perf_counter() - t0,
})
