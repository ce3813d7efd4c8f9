"""Q6.1.3: the airbench-style CNN on CIFAR-10 with the shared training loop."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

import numpy as np

from nnrec.common import save_figure, write_json
from nnrec.data import load_npz
from nnrec.torch_models.cifar import build_cifar_model, check_cifar, run_cifar
from nnrec.torch_models.geometry import layer_geometry
from nnrec.torch_models.loop import pick_device
from nnrec.torch_models.plots import plot_history

sm = snakemake  # noqa: F821
cfg, seed = dict(sm.params.cfg), int(sm.params.seed)
train, test = (check_cifar(load_npz(job.data_dir / f"{s}.npz"), job.data_dir / f"{s}.npz") for s in ("train", "test"))
device = pick_device(sm.params.device)  # auto: CUDA when present, else CPU
job.log.info(f"device={device} train={len(train['y'])} test={len(test['y'])} data: {job.source}")
res = run_cifar(cfg, train["x"], train["y"], test["x"], test["y"], device=device, logger=job.log,
                checkpoint_path=sm.output.model, seed=seed)
hist = res.pop("history")
res.pop("preds")
save_figure(plot_history(hist, "CIFAR-10 CNN"), sm.output.curves)
write_json(sm.output.metrics, {
    "part": "q6_1", "experiment": "cifar10", **res, "epochs": int(cfg["epochs"]),
    "train_time_s": hist["train_time"], "epoch_time_s_mean": float(np.mean(hist["epoch_time"])),
    "device": hist["device"], "classes": [str(c) for c in train.get("classes", [])], "config": cfg,
    "layers": layer_geometry(build_cifar_model(cfg["model"])),  # kernel and pool sizes (the model run_cifar trains)
    "history": hist, **job.meta(cfg, seed=seed),
})
