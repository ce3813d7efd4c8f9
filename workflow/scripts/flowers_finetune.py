"""Q6.2.1: fine-tune an ImageNet backbone on Flowers 17 with a new single-layer classifier.

Stage 1 trains Conv2d(C, 17, 1) on cached features of the frozen backbone (several augmented views);
stage 2 (optional, flowers.finetune.full.epochs > 0) trains the whole network at a lower rate.
"""

import json
import time
from pathlib import Path

import numpy as np

from nnrec.common import config_hash, get_logger, read_json, save_figure, set_threads, write_json

sm = snakemake  # noqa: F821
log = get_logger("flowers_finetune", sm.log[0])
set_threads(sm.threads)

from nnrec.data.missing import skip_if_missing  # noqa: E402

if skip_if_missing(sm, [sm.input.prov, sm.input.weights_prov]):
    log.warning("Flowers 17 or the backbone weights unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)

import torch  # noqa: E402

from nnrec.data import describe_source, load_npz  # noqa: E402
from nnrec.torch_models.flowers import BACKBONES, check_split, make_finetune_net, run_finetune, subset_split  # noqa: E402
from nnrec.torch_models.loop import pick_device, seed_torch  # noqa: E402
from nnrec.torch_models.plots import plot_compare  # noqa: E402
from nnrec.torch_models.scenes import check_scene_data, to_input  # noqa: E402

t0 = time.perf_counter()
cfg, seed, backbone = dict(sm.params.cfg), int(sm.params.seed), sm.wildcards.backbone
data_dir = Path(sm.input.prov).parent
d = load_npz(data_dir / "images.npz")
check_scene_data(d, data_dir / "images.npz")
split = read_json(data_dir / "split.json")
check_split(split, d["y"])
split = subset_split(split, d["y"], int(sm.params.max_per_class))
source = describe_source(sm.input.prov)
wprov = read_json(sm.input.weights_prov)
sha = (wprov.get("files") or [{}])[0].get("sha256") or sm.params.sha256
weights_path = Path(sm.input.weights_prov).parent / "weights.pth"
device = pick_device(sm.params.device, threads=sm.threads)
classes = [str(c) for c in d["classes"]]
size = int(sm.params.input_size)
x, y = to_input(d["x"], size), torch.as_tensor(d["y"])
parts = {k: (x[np.asarray(split[k])], y[np.asarray(split[k])]) for k in ("train", "valid", "test")}
log.info(f"{backbone} ({BACKBONES[backbone][2]}, sha256 {sha[:12]}) device={device} threads={torch.get_num_threads()} "
         f"split={split['source']} " + " ".join(f"{k}={len(v[1])}" for k, v in parts.items()) + f"; data: {source}")
seed_torch(seed)
net = make_finetune_net(backbone, len(classes), weights_path, sha, float(cfg["head"]["dropout"]))
extra = {"arch": f"FineTuneNet[{backbone}]", "classes": classes}
res = run_finetune(net, parts["train"], parts["valid"], parts["test"], cfg, device=device, logger=log, seed=seed,
                   head_checkpoint=sm.output.model, full_checkpoint=sm.output.model, extra=extra)
rows, hists = [], {}
for stage, r in (("frozen", res["frozen"]), ("full", res["full"])):
    if r is None:
        continue
    hist = r.pop("history")
    r.pop("test_pred")
    stage_cfg = cfg["head"] if stage == "frozen" else cfg["full"]
    hists[f"{backbone} {stage}"] = hist
    rows.append({"stage": stage, "method": ("new classifier on the frozen backbone (cached features)" if stage == "frozen"
                                            else "whole network fine-tuned at a lower rate"),
                 **r, "epochs": int(stage_cfg["epochs"]), "train_time_s": r["time_s"], "history": hist})
    log.info(f"{stage}: test accuracy {r['test_acc']:.4f} (valid {r['valid_acc']:.4f}) in {r['time_s']:.0f}s")
best = max(rows, key=lambda r: r["valid_acc"])  # model selection on validation, never on test
save_figure(plot_compare(hists, f"Flowers 17: fine-tuning {backbone}"), sm.output.curves)
write_json(sm.output.metrics, {
    "part": "q6_2", "experiment": f"flowers_finetune_{backbone}", "backbone": backbone,
    "weights": BACKBONES[backbone][2], "weights_source": describe_source(sm.input.weights_prov), "weights_sha256": sha,
    "rows": rows, "selected_stage": best["stage"], "test_acc": best["test_acc"], "valid_acc": best["valid_acc"],
    "split_source": split["source"], "input_size": size, "classes": classes,
    "n_train": len(parts["train"][1]), "n_valid": len(parts["valid"][1]), "n_test": len(parts["test"][1]),
    "train_time_s": sum(r["train_time_s"] for r in rows), "device": str(device), "threads": torch.get_num_threads(),
    "seed": seed, "config": cfg, "config_hash": config_hash(cfg), "data_source": source,
    "wall_time_s": time.perf_counter() - t0,
})
