"""Q6.2.1: the 3-conv + 2-FC network trained from scratch on Flowers 17 (same split, augmentation)."""

import time
from pathlib import Path

import numpy as np

from nnrec.common import config_hash, get_logger, read_json, save_figure, set_threads, write_json

sm = snakemake  # noqa: F821
log = get_logger("flowers_scratch", sm.log[0])
set_threads(sm.threads)

from nnrec.data.missing import skip_if_missing  # noqa: E402

if skip_if_missing(sm, [sm.input.prov]):
    log.warning("Flowers 17 unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)

import torch  # noqa: E402

from nnrec.data import describe_source, load_npz  # noqa: E402
from nnrec.torch_models.flowers import ScratchNet, check_split, subset_split  # noqa: E402
from nnrec.torch_models.loop import pick_device, seed_torch  # noqa: E402
from nnrec.torch_models.plots import plot_history  # noqa: E402
from nnrec.torch_models.scenes import check_scene_data, make_natural_augment, to_input, train_and_test  # noqa: E402

t0 = time.perf_counter()
cfg, seed = dict(sm.params.cfg), int(sm.params.seed)
data_dir = Path(sm.input.prov).parent
d = load_npz(data_dir / "images.npz")
check_scene_data(d, data_dir / "images.npz")
split = read_json(data_dir / "split.json")
check_split(split, d["y"])
split = subset_split(split, d["y"], int(sm.params.max_per_class))
source = describe_source(sm.input.prov)
device = pick_device(sm.params.device, threads=sm.threads)
classes = [str(c) for c in d["classes"]]
size = int(cfg["input_size"])
x, y = to_input(d["x"], size), torch.as_tensor(d["y"])
parts = {k: (x[np.asarray(split[k])], y[np.asarray(split[k])]) for k in ("train", "valid", "test")}
log.info(f"device={device} threads={torch.get_num_threads()} input={size}px split={split['source']}; data: {source}")
seed_torch(seed)
model = ScratchNet(len(classes), cfg["widths"], int(cfg["hidden"]), float(cfg["dropout"]))
res = train_and_test(model, parts["train"], parts["valid"], parts["test"], cfg, device=device, logger=log,
                     checkpoint_path=sm.output.model, seed=seed, augment=make_natural_augment(cfg.get("augment")),
                     checkpoint_extra={"arch": "ScratchNet", "classes": classes, "config": cfg})
hist = res.pop("history")
res.pop("test_pred")
log.info(f"test accuracy {res['test_acc']:.4f} (valid {res['valid_acc']:.4f}), {hist['train_time']:.0f}s")
save_figure(plot_history(hist, "Flowers 17: 3 conv + 2 FC from scratch"), sm.output.curves)
write_json(sm.output.metrics, {
    "part": "q6_2", "experiment": "flowers_scratch", "method": "3 conv + 2 FC from scratch", **res,
    "epochs": int(cfg["epochs"]), "input_size": size, "split_source": split["source"], "classes": classes,
    "n_train": len(parts["train"][1]), "n_valid": len(parts["valid"][1]), "n_test": len(parts["test"][1]),
    "train_time_s": hist["train_time"], "epoch_time_s_mean": float(np.mean(hist["epoch_time"])),
    "device": hist["device"], "threads": torch.get_num_threads(), "seed": seed, "config": cfg,
    "config_hash": config_hash(cfg), "data_source": source, "history": hist, "wall_time_s": time.perf_counter() - t0,
})
