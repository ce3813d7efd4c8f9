"""Q6.1.1 (arch fc: the Q3 network in PyTorch, cross-checked against the numpy run) and
Q6.1.2 (arch cnn) on NIST36, with the shared training loop."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from pathlib import Path

import numpy as np
import torch

from nnrec import NIST36_CLASSES
from nnrec.common import load_model_npz, read_result, save_figure, write_json
from nnrec.data import load_nist36
from nnrec.metrics import confusion_record
from nnrec.torch_models.geometry import layer_geometry
from nnrec.torch_models.loop import pick_device
from nnrec.torch_models.nist36 import crosscheck, fc_config_from_numpy_run, numpy_batch_order, run_nist36
from nnrec.torch_models.plots import plot_crosscheck, plot_history

sm = snakemake  # noqa: F821
arch = sm.params.arch
splits = {s: load_nist36(job.data_dir, s) for s in ("train", "valid", "test")}
device = pick_device(sm.params.device)  # auto: CUDA when present, else CPU
job.log.info(f"arch={arch} device={device} data: {job.source}")

extra = {}
if arch == "fc":
    # mirror the numpy Q3 run exactly: its seed, sizes, epochs, batch size, loss reduction, lr,
    # initial weights and batch order (a cross-check of the numpy gradients)
    npm = read_result(sm.input.numpy_metrics, ("history",))  # + the run's settings, checked below
    run_cfg, seed = fc_config_from_numpy_run(npm, sm.input.numpy_metrics)
    init = load_model_npz(sm.input.numpy_init)
    if npm.get("dtype", "float32") == "float64":
        torch.set_default_dtype(torch.float64)
    res = run_nist36("fc", run_cfg, splits, device=device, logger=job.log, checkpoint_path=sm.output.model, seed=seed,
                     init_params=init, batch_order=numpy_batch_order(len(splits["train"][1]), seed, run_cfg["epochs"]),
                     loss_reduction=npm["loss_reduction"])
    check = crosscheck(res["history"], npm["history"])
    extra["crosscheck"] = {"numpy_run": str(Path(sm.input.numpy_metrics).parent), **check}
    job.log.info("cross-check vs numpy: " + " ".join(f"{k}={v:.3g}" for k, v in check.items() if k.startswith("max_")))
    save_figure(plot_crosscheck(res["history"], npm["history"], f"NIST36 FC, lr {float(npm['lr']):g}"),
                sm.output.crosscheck)
    curve_key = "train_eval"
else:
    seed = int(sm.params.seed)
    run_cfg = dict(sm.params.cfg)
    res = run_nist36("cnn", run_cfg, splits, device=device, logger=job.log, checkpoint_path=sm.output.model, seed=seed)
    curve_key = "train"

hist = res["history"]
# the test confusion's most confused pairs, as Q3.4 lists them for the numpy network (same test images)
extra["confusion"] = confusion_record(splits["test"][1], res["test_preds"], NIST36_CLASSES, sm.params.top_pairs)
save_figure(plot_history(hist, f"NIST36 {arch.upper()}", train_key=curve_key), sm.output.curves)
write_json(sm.output.metrics, {
    "part": "q6_1", "experiment": f"nist36_{arch}", "arch": arch, **res["final"],
    "best_epoch": hist["best_epoch"], "best_valid_acc": hist["best_valid_acc"], "kept_epoch": res["kept_epoch"],
    "n_params": res["n_params"],
    "train_time_s": hist["train_time"], "epoch_time_s_mean": float(np.mean(hist["epoch_time"])),
    "device": hist["device"], "config": run_cfg, "history": hist, "layers": layer_geometry(res["model"]), **extra,
    **job.meta(run_cfg, seed=seed),
})
