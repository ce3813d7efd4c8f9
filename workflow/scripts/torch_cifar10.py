"""Q6.1.3: the airbench-style CNN on CIFAR-10 with the shared training loop."""

import time
from pathlib import Path

import numpy as np

from nnrec.common import config_hash, get_logger, save_figure, set_threads, write_json

sm = snakemake  # noqa: F821
log = get_logger("torch_cifar10", sm.log[0])
set_threads(sm.threads)

from nnrec.data.missing import skip_if_missing  # noqa: E402

if skip_if_missing(sm, [sm.input.prov]):
    log.warning("CIFAR-10 unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)

import torch  # noqa: E402

from nnrec.data import describe_source, load_npz  # noqa: E402
from nnrec.torch_models.cifar import run_cifar  # noqa: E402
from nnrec.torch_models.loop import pick_device  # noqa: E402
from nnrec.torch_models.plots import plot_history  # noqa: E402

t0 = time.perf_counter()
cfg, seed = dict(sm.params.cfg), int(sm.params.seed)
data_dir = Path(sm.input.prov).parent
train, test = load_npz(data_dir / "train.npz"), load_npz(data_dir / "test.npz")
for name, d in (("train", train), ("test", test)):
    if d["x"].ndim != 4 or d["x"].shape[1:] != (32, 32, 3) or d["x"].dtype != np.uint8:
        raise ValueError(f"{data_dir / name}.npz: expected x uint8 (N, 32, 32, 3), got {d['x'].dtype} {d['x'].shape}")
source = describe_source(sm.input.prov)
device = pick_device(sm.params.device, threads=sm.threads)  # auto: CUDA when present, else CPU
log.info(f"device={device} threads={torch.get_num_threads()} train={len(train['y'])} test={len(test['y'])} data: {source}")
res = run_cifar(cfg, train["x"], train["y"], test["x"], test["y"], device=device, logger=log,
                checkpoint_path=sm.output.model, seed=seed)
hist = res.pop("history")
res.pop("preds")
save_figure(plot_history(hist, "CIFAR-10 CNN"), sm.output.curves)
metrics = {
    "part": "q6_1", "experiment": "cifar10", **res, "epochs": int(cfg["epochs"]),
    "train_time_s": hist["train_time"], "epoch_time_s_mean": float(np.mean(hist["epoch_time"])),
    "device": hist["device"], "threads": torch.get_num_threads(), "seed": seed,
    "classes": [str(c) for c in train.get("classes", [])], "config": cfg, "config_hash": config_hash(cfg),
    "data_source": source, "history": hist, "wall_time_s": time.perf_counter() - t0,
}
write_json(sm.output.metrics, metrics)
