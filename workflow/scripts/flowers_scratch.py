"""Q6.2.1: the 3-conv + 2-FC network trained from scratch on Flowers 17 (same split, augmentation)."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

import numpy as np

from nnrec.common import save_figure, write_json
from nnrec.torch_models.flowers import ScratchNet, load_flowers
from nnrec.torch_models.geometry import layer_geometry
from nnrec.torch_models.loop import pick_device, seed_torch, train_image_classifier
from nnrec.torch_models.plots import plot_history

sm = snakemake  # noqa: F821
cfg, seed = dict(sm.params.cfg), int(sm.params.seed)
size = int(cfg["input_size"])
parts, classes, split = load_flowers(job.data_dir, sm.params.max_per_class, size)
device = pick_device(sm.params.device)
job.log.info(f"device={device} input={size}px split={split['source']}; data: {job.source}")
seed_torch(seed)
model = ScratchNet(len(classes), cfg["widths"], int(cfg["hidden"]), float(cfg["dropout"]))
res = train_image_classifier(model, parts, cfg, classes, device=device, logger=job.log,
                             checkpoint_path=sm.output.model, seed=seed)
hist = res.pop("history")
res.pop("test_pred")
save_figure(plot_history(hist, "Flowers 17: 3 conv + 2 FC from scratch"), sm.output.curves)
write_json(sm.output.metrics, {
    "part": "q6_2", "experiment": "flowers_scratch", "method": "3 conv + 2 FC from scratch", **res,
    "epochs": int(cfg["epochs"]), "input_size": size, "split_source": split["source"], "classes": classes,
    "layers": layer_geometry(model),  # kernel and pool sizes for the architecture description
    **{f"n_{k}": len(v[1]) for k, v in parts.items()},
    "train_time_s": hist["train_time"], "epoch_time_s_mean": float(np.mean(hist["epoch_time"])),
    "device": hist["device"], "config": cfg, "history": hist, **job.meta(cfg, seed=seed),
})
