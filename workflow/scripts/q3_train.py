"""Q3.1/Q3.2: train the 1024-64-36 numpy network on NIST36 for one learning rate and seed."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

import numpy as np

from nnrec.common import Progress, save_figure, save_model_npz, write_json
from nnrec.numpy_nn.plots import plot_run_curves
from nnrec.numpy_nn.q3 import evaluate_splits, load_splits, train_run

sm = snakemake  # noqa: F821
cfg = dict(sm.params.cfg)
lr, seed = float(sm.wildcards.lr), int(sm.params.seed)
splits, source = load_splits(job.data_dir, job.prov)
job.log.info(f"lr={lr:g} seed={seed} batch={cfg['batch_size']} epochs={cfg['epochs']} "
             f"loss={cfg['loss_reduction']} data: {source}")
res = train_run(splits, cfg, lr, seed, Progress(job.log, cfg["epochs"]))
final = evaluate_splits(res["net"], splits)
job.log.info("final " + " ".join(f"{k}={v:.4f}" for k, v in final.items()))
res["net"].save(sm.output.weights)
save_model_npz(sm.output.weights_init, **res["init_params"])
metrics = {
    "part": "q3", "run": f"q3_lr{sm.wildcards.lr}" + (f"_seed{seed}" if sm.params.repeat else ""),
    "lr": lr, "batch_size": cfg["batch_size"], "epochs": cfg["epochs"], "hidden": cfg["hidden"],
    "activation": cfg["activation"], "loss_reduction": cfg["loss_reduction"], "dtype": cfg["dtype"],
    "history": res["history"], "final": final, "epoch_seconds_mean": float(np.mean(res["epoch_seconds"])),
    "init": "Xavier uniform, nnrec.numpy_nn.run_rngs(seed)[0]; batches: run_rngs(seed)[1], one permutation per epoch",
    **job.meta(cfg, seed=seed, data_source=source),
}
write_json(sm.output.metrics, metrics)
save_figure(plot_run_curves(res["history"], f"lr {lr:g}, seed {seed}"), sm.output.figure)
