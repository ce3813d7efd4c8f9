"""Q5.1/Q5.2: train the numpy autoencoder (one named run of the config) on the NIST36 training set."""

import time
from pathlib import Path

import numpy as np

from nnrec.common import Progress, config_hash, get_logger, set_threads, write_json
from nnrec.data import describe_source, load_nist36
from nnrec.data.missing import skip_if_missing
from nnrec.numpy_nn import limit_blas_threads, train_autoencoder
from nnrec.numpy_nn.train import check_dataset

sm = snakemake  # noqa: F821
run_name = sm.wildcards.run
log = get_logger(f"autoencoder_{run_name}", sm.log[0])
set_threads(sm.threads)
limit_blas_threads(sm.threads)
if skip_if_missing(sm, [sm.input.prov]):
    log.warning("NIST36 unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)
t0, c0 = time.perf_counter(), time.process_time()
cfg, run = sm.params.cfg, sm.params.run
folder = Path(sm.input.prov).parent
x, y = load_nist36(folder, "train")
check_dataset(np.asarray(x), np.asarray(y), 1024, 36, str(folder / "train.npz"))
source = describe_source(sm.input.prov)
log.info(f"run {run_name}: {run} batch={cfg['batch_size']} momentum={cfg['momentum']} data: {source}")
res = train_autoencoder(x, run, cfg["seed"], cfg["batch_size"], cfg["code_size"], cfg["momentum"],
                        cfg["loss_reduction"], np.dtype(cfg["dtype"]), Progress(log, run["epochs"]))
res["net"].save(sm.output.weights)
write_json(sm.output.metrics, {
    "part": "q5", "run": run_name, **run, "batch_size": cfg["batch_size"], "momentum": cfg["momentum"],
    "code_size": cfg["code_size"], "loss": "total squared error", "loss_reduction": cfg["loss_reduction"],
    "dtype": cfg["dtype"], "history": res["history"], "epoch_seconds_mean": float(np.mean(res["epoch_seconds"])),
    "train_seconds": float(np.sum(res["epoch_seconds"])), "seed": cfg["seed"], "data_source": source,
    "config_hash": config_hash({"cfg": cfg, "run": run}), "wall_time_s": time.perf_counter() - t0,
    "cpu_time_s": time.process_time() - c0,
})
