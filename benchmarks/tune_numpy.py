"""Validation figures of the numpy networks (Q3 MLP, Q5 autoencoder) under config overrides.

What the numpy knobs are tuned on (issue 14's protocol): each run trains exactly as the workflow
does (``nnrec.numpy_nn.q3.train_run``, ``nnrec.numpy_nn.train_autoencoder``, the part's seed) on
a prepared NIST36 folder's TRAIN split and is scored on its VALID split. The test split is never
loaded. One thread (set ``OMP_NUM_THREADS=1`` too, before numpy starts). Usage::

    python benchmarks/tune_numpy.py q3 --data /tmp/w/nist36 --lr 0.003 --set batch_size=16 \\
        --set epochs=100 --out benchmarks/out/q3_b16.json
    python benchmarks/tune_numpy.py ae --data /tmp/w/nist36 --set lr=1.5e-5 --out benchmarks/out/ae.json
    python benchmarks/tune_numpy.py pca --data /tmp/w/nist36

``q3``: ``--set`` overrides keys of ``numpy_nn.q3`` (``epochs``, ``batch_size``, ``hidden``...);
the output has the validation accuracy and loss after every epoch, so one long run also answers
every shorter epoch count (the learning rate is constant and the batches of epoch k do not depend
on the number of epochs). ``ae``: ``--set`` overrides keys of the autoencoder run (``lr``,
``lr_decay``, ``lr_decay_every``, ``epochs``; the first run of ``autoencoder.runs`` is the base)
or, with ``--set-part``, of ``autoencoder`` itself (``batch_size``...).
``pca``: the PCA baseline's validation PSNR (``autoencoder.pca_components``).

The data folder's provenance is copied into the output, so a figure always says which NIST36
source it was measured on (e.g. the EMNIST substitute).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import yaml
from benchlib import write_result

ROOT = Path(__file__).resolve().parents[1]


def overrides(pairs: list[str]) -> dict:
    """``["key=value", ...]`` -> ``{key: value}`` with each value read as YAML (as ``--config``)."""
    out = {}
    for p in pairs:
        k, sep, v = p.partition("=")
        if not sep or not k:
            raise SystemExit(f"--set {p!r}: expected key=value")
        out[k] = yaml.safe_load(v)
    return out


def load(data: Path, split: str):
    from nnrec.data import load_nist36

    x, y = load_nist36(data, split)
    return np.asarray(x, np.float32), np.asarray(y, np.int64)


def data_source(data: Path) -> dict:
    prov = json.loads((data / "provenance.json").read_text())
    return {"folder": str(data), "source": prov.get("source"), "description": prov.get("description")}


def run_q3(a, cfg: dict) -> dict:
    from nnrec.numpy_nn.q3 import train_run

    q3 = {**cfg["numpy_nn"]["q3"], "loss_reduction": cfg["numpy_nn"]["loss_reduction"],
          "dtype": cfg["numpy_nn"]["dtype"], **overrides(a.set)}
    splits = {s: load(a.data, s) for s in ("train", "valid")}
    seed = cfg["numpy_nn"]["seed"] if a.seed is None else a.seed
    t0, c0 = time.perf_counter(), time.process_time()
    res = train_run(splits, q3, a.lr, seed)
    h = res["history"]
    best = int(np.argmax(h["valid_acc"]))
    return {"part": "q3", "lr": a.lr, "seed": seed, "overrides": overrides(a.set),
            "epochs": q3["epochs"], "batch_size": q3["batch_size"],
            "final_valid_acc": h["valid_acc"][-1], "final_train_acc": h["train_acc"][-1],
            "best_valid_acc": h["valid_acc"][best], "best_epoch": best + 1,
            "valid_acc": h["valid_acc"], "valid_loss": h["valid_loss"], "train_acc": h["train_acc"],
            "train_loss": h["train_loss"], "wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0}


def valid_psnr(net, xva) -> float:
    from nnrec.numpy_nn.autoencoder import psnr_per_image, reconstruct

    return float(psnr_per_image(xva, reconstruct(net, xva)).mean())


def run_ae(a, cfg: dict) -> dict:
    from nnrec.numpy_nn import train_autoencoder

    ae = {**cfg["autoencoder"], **overrides(a.set_part)}
    run = {**next(iter(ae["runs"].values())), **overrides(a.set)}
    run.pop("label", None)
    xtr, _ = load(a.data, "train")
    xva, _ = load(a.data, "valid")
    t0, c0 = time.perf_counter(), time.process_time()
    res = train_autoencoder(xtr, run, ae["seed"], ae["batch_size"], ae["code_size"], ae["momentum"],
                            ae["loss_reduction"], np.dtype(ae["dtype"]))
    return {"part": "q5", "run": run, "batch_size": ae["batch_size"], "seed": ae["seed"],
            "overrides": {**overrides(a.set_part), **overrides(a.set)},
            "valid_psnr": valid_psnr(res["net"], xva),
            "final_train_loss_per_image": res["history"]["train_loss_per_image"][-1],
            "wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0}


def run_pca(a, cfg: dict) -> dict:
    from nnrec.numpy_nn.autoencoder import pca_fit, pca_reconstruct, psnr_per_image

    k = int(cfg["autoencoder"]["pca_components"])
    xtr, _ = load(a.data, "train")
    xva, _ = load(a.data, "valid")
    mean, comps = pca_fit(xtr, k)
    return {"part": "q5", "pca_components": k,
            "valid_psnr": float(psnr_per_image(xva, pca_reconstruct(xva, mean, comps)).mean())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("part", choices=["q3", "ae", "pca"])
    ap.add_argument("--data", type=Path, required=True, help="prepared NIST36 folder (train.npz, valid.npz)")
    ap.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    ap.add_argument("--lr", type=float, default=0.003, help="q3: the learning rate")
    ap.add_argument("--seed", type=int, default=None, help="q3: seed (default numpy_nn.seed)")
    ap.add_argument("--set", action="append", default=[], help="key=value (YAML): q3 config / autoencoder run")
    ap.add_argument("--set-part", action="append", default=[], help="ae: key=value of the autoencoder section")
    ap.add_argument("--out")
    a = ap.parse_args()
    from nnrec.common import limit_blas_threads

    limit_blas_threads(1)
    cfg = yaml.safe_load(a.config.read_text())
    res = {"q3": run_q3, "ae": run_ae, "pca": run_pca}[a.part](a, cfg)
    res["data"] = data_source(a.data)
    res["split_scored"] = "valid"
    write_result(a.out, res)


if __name__ == "__main__":
    main()
