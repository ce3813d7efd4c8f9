"""Q6.1.4: a CNN trained from scratch on the SUN subset (shared training loop)."""

import time
from pathlib import Path

import numpy as np

from nnrec.common import config_hash, get_logger, save_figure, set_threads, write_json

sm = snakemake  # noqa: F821
log = get_logger("scenes_cnn", sm.log[0])
set_threads(sm.threads)

from nnrec.data.missing import skip_if_missing  # noqa: E402

if skip_if_missing(sm, [sm.input.prov]):
    log.warning("SUN data unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)

import torch  # noqa: E402

from nnrec.bow import confusion  # noqa: E402
from nnrec.data import describe_source  # noqa: E402
from nnrec.torch_models.data import stratified_split  # noqa: E402
from nnrec.torch_models.loop import pick_device, seed_torch  # noqa: E402
from nnrec.torch_models.plots import plot_history  # noqa: E402
from nnrec.torch_models.scenes import (SceneCNN, load_scene_splits, make_natural_augment, plot_confusion,  # noqa: E402
                                       to_input, train_and_test)

t0 = time.perf_counter()
cfg, seed = dict(sm.params.cfg), int(sm.params.seed)
data_dir = Path(sm.input.prov).parent
train, test = load_scene_splits(data_dir, sm.params.max_per_class)
source = describe_source(sm.input.prov)
device = pick_device(sm.params.device, threads=sm.threads)
classes = [str(c) for c in train["classes"]]
tr_idx, va_idx = stratified_split(train["y"], int(sm.params.n_valid), seed)
size = int(cfg["input_size"])
x_all, x_test = to_input(train["x"], size), to_input(test["x"], size)
y_all, y_test = torch.as_tensor(train["y"]), torch.as_tensor(test["y"])
log.info(f"device={device} threads={torch.get_num_threads()} train={len(tr_idx)} valid={len(va_idx)} "
         f"test={len(y_test)} input={size}px; data: {source}")
seed_torch(seed)
model = SceneCNN(len(classes), cfg["widths"], int(cfg["convs_per_stage"]), float(cfg["dropout"]))
res = train_and_test(model, (x_all[tr_idx], y_all[tr_idx]), (x_all[va_idx], y_all[va_idx]), (x_test, y_test), cfg,
                     device=device, logger=log, checkpoint_path=sm.output.model, seed=seed,
                     augment=make_natural_augment(cfg.get("augment")),
                     checkpoint_extra={"arch": "SceneCNN", "classes": classes, "config": cfg})
hist = res.pop("history")
pred = res.pop("test_pred")
conf = confusion(pred, test["y"], len(classes))
log.info(f"test accuracy {res['test_acc']:.4f} (valid {res['valid_acc']:.4f}), {hist['train_time']:.0f}s")
save_figure(plot_history(hist, "SUN scenes: CNN from scratch"), sm.output.curves)
save_figure(plot_confusion(conf, classes, "SUN CNN from scratch"), sm.output.confusion)
write_json(sm.output.metrics, {
    "part": "q6_1_4", "experiment": "sun_cnn", "method": "CNN from scratch", **res, "confusion": conf,
    "classes": classes, "epochs": int(cfg["epochs"]), "input_size": size, "n_train": len(tr_idx),
    "n_valid": len(va_idx), "n_test": int(len(y_test)), "train_time_s": hist["train_time"],
    "epoch_time_s_mean": float(np.mean(hist["epoch_time"])), "device": hist["device"],
    "threads": torch.get_num_threads(), "seed": seed, "config": cfg, "config_hash": config_hash(cfg),
    "data_source": source, "history": hist, "wall_time_s": time.perf_counter() - t0,
})
