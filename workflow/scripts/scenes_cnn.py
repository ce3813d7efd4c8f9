"""Q6.1.4: a CNN trained from scratch on the SUN subset (shared training loop)."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

import numpy as np

from nnrec.common import save_figure, write_json
from nnrec.metrics import confusion_matrix
from nnrec.plots import plot_confusion
from nnrec.torch_models.loop import pick_device, seed_torch, train_image_classifier
from nnrec.torch_models.plots import plot_history
from nnrec.torch_models.geometry import layer_geometry
from nnrec.torch_models.scenes import SceneCNN, scene_inputs

sm = snakemake  # noqa: F821
cfg, seed = dict(sm.params.cfg), int(sm.params.seed)
parts, classes = scene_inputs(job.data_dir, sm.params.max_per_class, sm.params.n_valid, seed, cfg["input_size"])
device = pick_device(sm.params.device)  # auto: CUDA when present, else CPU
n = {k: len(v[1]) for k, v in parts.items()}
job.log.info(f"device={device} train={n['train']} valid={n['valid']} test={n['test']} "
             f"input={cfg['input_size']}px; data: {job.source}")
seed_torch(seed)
model = SceneCNN(len(classes), cfg["widths"], int(cfg["convs_per_stage"]), float(cfg["dropout"]))
res = train_image_classifier(model, parts, cfg, classes, device=device, logger=job.log,
                             checkpoint_path=sm.output.model, seed=seed)
hist = res.pop("history")
conf = confusion_matrix(parts["test"][1].numpy(), res.pop("test_pred"), len(classes))
save_figure(plot_history(hist, "SUN scenes: CNN from scratch"), sm.output.curves)
save_figure(plot_confusion(conf, classes, "SUN CNN from scratch"), sm.output.confusion)
write_json(sm.output.metrics, {
    "part": "q6_1_4", "experiment": "sun_cnn", "method": "CNN from scratch", **res, "confusion": conf,
    "classes": classes, "epochs": int(cfg["epochs"]), "input_size": int(cfg["input_size"]),
    "layers": layer_geometry(model),  # kernel and pool sizes for the architecture description
    **{f"n_{k}": v for k, v in n.items()}, "train_time_s": hist["train_time"],
    "epoch_time_s_mean": float(np.mean(hist["epoch_time"])), "device": hist["device"], "config": cfg,
    "history": hist, **job.meta(cfg, seed=seed),
})
