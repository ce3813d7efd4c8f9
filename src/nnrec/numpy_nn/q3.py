"""Q3 helpers: NIST36 loading with clear errors, one training run, the summary over runs."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from nnrec.common import read_json
from nnrec.metrics import confusion_matrix, top_confused_pairs

from .losses import compute_loss_and_acc
from .train import check_dataset, train_classifier

SPLITS = ("train", "valid", "test")


def load_splits(data_dir, prov_path) -> tuple[dict, str]:
    """``{split: (x float32 (N, 1024), y int64)}`` from resources/nist36/ and the data source line."""
    from nnrec.data import describe_source, load_nist36

    splits = {}
    for s in SPLITS:
        x, y = load_nist36(data_dir, s)
        check_dataset(np.asarray(x), np.asarray(y), 1024, 36, f"{Path(data_dir) / s}.npz")
        splits[s] = (np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.int64))
    return splits, describe_source(prov_path)


def train_run(splits: dict, cfg: dict, lr: float, seed: int, progress=None) -> dict:
    """Train per the q3 config (hidden, activation, epochs, batch_size, loss_reduction, dtype)."""
    return train_classifier({k: splits[k] for k in ("train", "valid")}, [cfg["hidden"]], [cfg["activation"]],
                            epochs=cfg["epochs"], batch_size=cfg["batch_size"], lr=lr, seed=seed,
                            reduction=cfg["loss_reduction"], dtype=np.dtype(cfg["dtype"]), progress=progress)


def evaluate_splits(net, splits: dict) -> dict:
    """Final loss (cross-entropy averaged over the data) and accuracy on every split."""
    out = {}
    for s, (x, y) in splits.items():
        loss, acc = compute_loss_and_acc(y, net.predict_proba(x), "mean")
        out[f"{s}_loss"], out[f"{s}_acc"] = loss, acc
    return out


def load_runs(layout: Mapping[str, Sequence[str | Path]]) -> tuple[dict[float, list[dict]], dict[float, Path]]:
    """Read the Q3 runs of ``layout = {lr tag: [main run folder, repeat folders...]}`` (the rule's
    ``params.runs``; the order of the rule's input files does not matter).

    Returns ``({lr: [metrics of the main run, then of each repeat]}, {lr: main run folder})``. A
    metrics file that is not a Q3 run at its folder's learning rate raises ValueError naming it.
    """
    runs: dict[float, list[dict]] = {}
    main_dir: dict[float, Path] = {}
    for tag, dirs in layout.items():
        lr = float(tag)
        if not dirs:
            raise ValueError(f"Q3 runs of lr {tag}: no run folder")
        runs[lr] = []
        for d in dirs:
            path = Path(d) / "metrics.json"
            m = read_json(path)
            missing = [k for k in ("lr", "seed", "final", "history") if k not in m]
            if missing:
                raise ValueError(f"{path}: not a Q3 run's metrics (no {', '.join(missing)}; status {m.get('status')!r})")
            if float(m["lr"]) != lr:
                raise ValueError(f"{path}: a run at lr {m['lr']:g} where lr {tag} was expected")
            runs[lr].append(m)
        main_dir[lr] = Path(dirs[0])
    return runs, main_dir


def select_best(runs: dict) -> tuple[float, list[dict]]:
    """``runs = {lr: [metrics of each seed]}`` -> (best lr by mean final valid accuracy, table rows)."""
    rows = []
    for lr, ms in runs.items():
        va = [m["final"]["valid_acc"] for m in ms]
        ta = [m["final"]["test_acc"] for m in ms]
        rows.append({"lr": float(lr), "seeds": [m["seed"] for m in ms], "valid_acc": va,
                     "valid_acc_mean": float(np.mean(va)), "valid_acc_std": float(np.std(va, ddof=1)) if len(va) > 1 else 0.0,
                     "test_acc": ta, "test_acc_mean": float(np.mean(ta)),
                     "train_acc_mean": float(np.mean([m["final"]["train_acc"] for m in ms])),
                     "valid_loss_mean": float(np.mean([m["final"]["valid_loss"] for m in ms]))})
    rows.sort(key=lambda r: r["lr"])
    finite = [r for r in rows if np.isfinite(r["valid_acc_mean"])]
    best = max(finite, key=lambda r: r["valid_acc_mean"])
    return best["lr"], rows


def confusion_summary(net, x, y, classes, k: int) -> dict:
    pred = np.argmax(net.predict_proba(x), axis=1)
    conf = confusion_matrix(y, pred, len(classes))
    return {"matrix": conf, "pred": pred, "top_pairs": top_confused_pairs(conf, classes, k),
            "accuracy": float(np.trace(conf) / conf.sum())}
