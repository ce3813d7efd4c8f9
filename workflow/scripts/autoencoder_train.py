"""Q5.1/Q5.2: train the numpy autoencoder (one named run of the config) on the NIST36 training set."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

import numpy as np

from nnrec.common import Progress, write_json
from nnrec.data import load_nist36
from nnrec.numpy_nn import check_dataset, train_autoencoder

sm = snakemake  # noqa: F821
run_name = sm.wildcards.run
cfg, run = sm.params.cfg, sm.params.run
x, y = load_nist36(job.data_dir, "train")
check_dataset(np.asarray(x), np.asarray(y), 1024, 36, str(job.data_dir / "train.npz"))
job.log.info(f"run {run_name}: {run} batch={cfg['batch_size']} momentum={cfg['momentum']} data: {job.source}")
res = train_autoencoder(x, run, cfg["seed"], cfg["batch_size"], cfg["code_size"], cfg["momentum"],
                        cfg["loss_reduction"], np.dtype(cfg["dtype"]), Progress(job.log, run["epochs"]))
res["net"].save(sm.output.weights)
write_json(sm.output.metrics, {
    "part": "q5", "run": run_name, **run, "batch_size": cfg["batch_size"], "momentum": cfg["momentum"],
    "code_size": cfg["code_size"], "loss": "total squared error", "loss_reduction": cfg["loss_reduction"],
    "dtype": cfg["dtype"], "history": res["history"], "epoch_seconds_mean": float(np.mean(res["epoch_seconds"])),
    "train_seconds": float(np.sum(res["epoch_seconds"])),
    **job.meta({"cfg": cfg, "run": run}, seed=cfg["seed"]),
})
