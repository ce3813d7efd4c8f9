"""Q6.1.1 (arch fc: the Q3 network in PyTorch, cross-checked against the numpy run) and
Q6.1.2 (arch cnn) on NIST36, with the shared training loop."""

import time
from pathlib import Path

import numpy as np

from nnrec.common import config_hash, get_logger, read_json, save_figure, set_threads, write_json

sm = snakemake  # noqa: F821
arch = sm.params.arch
log = get_logger(f"torch_nist36_{arch}", sm.log[0])
set_threads(sm.threads)

from nnrec.data.missing import skip_if_missing  # noqa: E402

if skip_if_missing(sm, [sm.input.prov]):
    log.warning("NIST36 unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)

import torch  # noqa: E402

from nnrec.data import describe_source, load_nist36  # noqa: E402
from nnrec.torch_models.loop import pick_device  # noqa: E402
from nnrec.torch_models.nist36 import numpy_batch_order, run_nist36  # noqa: E402
from nnrec.torch_models.plots import plot_crosscheck, plot_history  # noqa: E402

t0 = time.perf_counter()
cfg = dict(sm.params.cfg)
data_dir = Path(sm.input.prov).parent
splits = {s: load_nist36(data_dir, s) for s in ("train", "valid", "test")}
source = describe_source(sm.input.prov)
device = pick_device(sm.params.device, threads=sm.threads)  # auto: CUDA when present, else CPU
log.info(f"arch={arch} device={device} threads={torch.get_num_threads()} data: {source}")

extra = {}
if arch == "fc":
    # mirror the numpy Q3 run exactly: its seed, sizes, epochs, batch size, loss reduction, lr,
    # initial weights and batch order (a cross-check of the numpy gradients)
    npm = read_json(sm.input.numpy_metrics)
    if npm.get("status") == "missing":
        raise ValueError(f"{sm.input.numpy_metrics}: the numpy run is marked missing although NIST36 is available")
    for k in ("seed", "epochs", "batch_size", "hidden", "activation", "loss_reduction", "lr"):
        if k not in npm:
            raise ValueError(f"{sm.input.numpy_metrics}: key {k!r} missing (not a Q3 run metrics file)")
    seed = int(npm["seed"])
    with np.load(sm.input.numpy_init) as z:
        init = {k: z[k] for k in z.files}
    if npm.get("dtype", "float32") == "float64":
        torch.set_default_dtype(torch.float64)
    run_cfg = {"epochs": int(npm["epochs"]), "batch_size": int(npm["batch_size"]),
               "model": {"hidden": int(npm["hidden"]), "activation": npm["activation"]},
               "optimizer": {"name": "sgd", "lr": float(npm["lr"]), "momentum": 0.0},
               "scheduler": {"name": "none"}, "eval_train": True, "restore_best": False}
    res = run_nist36("fc", run_cfg, splits, device=device, logger=log, checkpoint_path=sm.output.model, seed=seed,
                     init_params=init, batch_order=numpy_batch_order(len(splits["train"][1]), seed, run_cfg["epochs"]),
                     loss_reduction=npm["loss_reduction"])
    h, nh = res["history"], npm["history"]
    n = min(len(h["epoch"]), len(nh["epoch"]))
    diffs = {f"max_abs_diff_{k}": float(np.max(np.abs(np.subtract(h[tk][:n], nh[k][:n]))))
             for k, tk in (("train_loss", "train_eval_loss"), ("train_acc", "train_eval_acc"),
                           ("valid_loss", "valid_loss"), ("valid_acc", "valid_acc"))}
    extra["crosscheck"] = {"numpy_run": str(Path(sm.input.numpy_metrics).parent), "epochs_compared": n,
                           "numpy_final_valid_acc": nh["valid_acc"][n - 1], **diffs}
    log.info("cross-check vs numpy: " + " ".join(f"{k}={v:.3g}" for k, v in diffs.items()))
    save_figure(plot_crosscheck(h, nh, f"NIST36 FC, lr {float(npm['lr']):g}"), sm.output.crosscheck)
    curve_key = "train_eval"
else:
    seed = int(sm.params.seed)
    run_cfg = cfg
    res = run_nist36("cnn", run_cfg, splits, device=device, logger=log, checkpoint_path=sm.output.model, seed=seed)
    curve_key = "train"

hist = res["history"]
save_figure(plot_history(hist, f"NIST36 {arch.upper()}", train_key=curve_key), sm.output.curves)
metrics = {
    "part": "q6_1", "experiment": f"nist36_{arch}", "arch": arch, **res["final"],
    "best_epoch": hist["best_epoch"], "best_valid_acc": hist["best_valid_acc"], "n_params": res["n_params"],
    "train_time_s": hist["train_time"], "epoch_time_s_mean": float(np.mean(hist["epoch_time"])),
    "device": hist["device"], "threads": torch.get_num_threads(), "seed": seed, "config": run_cfg,
    "config_hash": config_hash(run_cfg), "data_source": source, "history": {k: v for k, v in hist.items()},
    **extra, "wall_time_s": time.perf_counter() - t0,
}
write_json(sm.output.metrics, metrics)
