"""Q3.1/Q3.2: train the 1024-64-36 numpy network on NIST36 for one learning rate and seed."""

import time
from pathlib import Path

import numpy as np

from nnrec.common import Progress, config_hash, get_logger, save_figure, save_npz, set_threads, write_json
from nnrec.data.missing import skip_if_missing
from nnrec.numpy_nn import limit_blas_threads
from nnrec.numpy_nn.plots import plot_run_curves
from nnrec.numpy_nn.q3 import evaluate_splits, load_splits, train_run

sm = snakemake  # noqa: F821
log = get_logger(f"q3_lr{sm.wildcards.lr}", sm.log[0])
set_threads(sm.threads)
limit_blas_threads(sm.threads)
if skip_if_missing(sm, [sm.input.prov]):
    log.warning("NIST36 unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)

t0, c0 = time.perf_counter(), time.process_time()
cfg = dict(sm.params.cfg)
lr, seed = float(sm.wildcards.lr), int(sm.params.seed)
splits, source = load_splits(Path(sm.input.prov).parent, sm.input.prov)
log.info(f"lr={lr:g} seed={seed} batch={cfg['batch_size']} epochs={cfg['epochs']} "
         f"loss={cfg['loss_reduction']} data: {source}")
res = train_run(splits, cfg, lr, seed, Progress(log, cfg["epochs"]))
final = evaluate_splits(res["net"], splits)
log.info("final " + " ".join(f"{k}={v:.4f}" for k, v in final.items()))
res["net"].save(sm.output.weights)
save_npz(sm.output.weights_init, **res["init_params"])
metrics = {
    "part": "q3", "run": f"q3_lr{sm.wildcards.lr}" + (f"_seed{seed}" if sm.params.repeat else ""),
    "lr": lr, "seed": seed, "batch_size": cfg["batch_size"], "epochs": cfg["epochs"], "hidden": cfg["hidden"],
    "activation": cfg["activation"], "loss_reduction": cfg["loss_reduction"], "dtype": cfg["dtype"],
    "history": res["history"], "final": final, "epoch_seconds_mean": float(np.mean(res["epoch_seconds"])),
    "data_source": source, "config_hash": config_hash(cfg), "wall_time_s": time.perf_counter() - t0,
    "cpu_time_s": time.process_time() - c0,
    "init": "Xavier uniform, nnrec.numpy_nn.run_rngs(seed)[0]; batches: run_rngs(seed)[1], one permutation per epoch",
}
write_json(sm.output.metrics, metrics)
save_figure(plot_run_curves(res["history"], f"lr {lr:g}, seed {seed}"), sm.output.figure)
