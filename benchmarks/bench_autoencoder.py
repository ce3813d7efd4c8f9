"""Time the autoencoder's training (the config's default run: 100 epochs, batch 36) on NIST36 train.

Writes benchmarks/autoencoder/train_time.json. Usage:
    python benchmarks/bench_autoencoder.py --data resources/nist36 [--epochs 100] [--threads 1]
"""

import argparse
import time
from pathlib import Path

import numpy as np
import yaml
from benchlib import write_result

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "resources/nist36"))
    ap.add_argument("--run", default=None, help="run name in autoencoder.runs (default: the first)")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=str(ROOT / "benchmarks/autoencoder/train_time.json"))
    a = ap.parse_args()
    from nnrec.data import load_nist36
    from nnrec.common import limit_blas_threads
    from nnrec.numpy_nn import train_autoencoder

    limit_blas_threads(a.threads)
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())["autoencoder"]
    name = a.run or next(iter(cfg["runs"]))
    run = dict(cfg["runs"][name])
    if a.epochs:
        run["epochs"] = a.epochs
    x, _ = load_nist36(a.data, "train")
    t0 = time.perf_counter()
    res = train_autoencoder(x, run, cfg["seed"], cfg["batch_size"], cfg["code_size"], cfg["momentum"],
                            cfg["loss_reduction"], np.dtype(cfg["dtype"]))
    wall = time.perf_counter() - t0
    out = {"what": f"train_autoencoder, run {name}", "n_train": int(len(x)), "epochs": run["epochs"],
           "batch_size": cfg["batch_size"], "threads": a.threads, "wall_s": wall,
           "epoch_s_mean": float(np.mean(res["epoch_seconds"])),
           "final_loss_per_image": res["history"]["train_loss_per_image"][-1],
           "note": "shared machine: other jobs may inflate the time"}
    write_result(a.out, out)


if __name__ == "__main__":
    main()
