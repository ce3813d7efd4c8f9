"""Q3 helpers: NIST36 loading with clear errors, one training run, the summary over runs."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from nnrec.common import read_json
from nnrec.config import lr_tag
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


def read_run(folder: str | Path, tag: str) -> dict:
    """The metrics of the Q3 run in ``folder``, checked to be a Q3 run at learning rate ``tag`` (the
    folder's ``q3_lr{tag}``); anything else raises ValueError naming the file."""
    path = Path(folder) / "metrics.json"
    m = read_json(path)
    missing = [k for k in ("lr", "seed", "final", "history") if k not in m]
    if missing:
        raise ValueError(f"{path}: not a Q3 run's metrics (no {', '.join(missing)}; status {m.get('status')!r})")
    if float(m["lr"]) != float(tag):
        raise ValueError(f"{path}: a run at lr {m['lr']:g} where lr {tag} was expected")
    return m


def choose_lr(layout: Mapping[str, str | Path], factor: float) -> dict:
    """Q3.2's sweep: pick the learning rate, then the study the assignment asks for around it.

    ``layout = {lr tag: run folder}``: one run per rate of the grid (the part's seed). The chosen
    rate has the highest final *validation* accuracy (a tie goes to the smaller rate); nothing
    else (training or test accuracy) takes part. Returns the JSON-ready record the checkpoint
    writes: ``grid`` (the rates, ascending), ``runs`` (per rate: ``lr``, ``tag``, ``dir``,
    ``seed``, ``valid_acc``, ``train_acc``, ``valid_loss``), ``chosen_lr``/``chosen_tag``/``chosen_dir``,
    ``at_edge`` ("lowest", "highest" or None: where the chosen rate lies on the grid), ``factor``
    and ``study``: the three rates to run with every seed, ``[{"role": "best"|"lower"|"higher",
    "ratio", "lr", "tag", "on_grid"}]`` (best, best / factor, best x factor; the workflow runs each
    in ``q3_lr{tag}``, so a rate whose tag is on the grid reuses that grid run).
    """
    if not layout:
        raise ValueError("Q3 learning-rate sweep: the grid is empty")
    if not factor > 1:
        raise ValueError(f"Q3 learning-rate sweep: the factor must be > 1, got {factor!r}")
    runs = []
    for tag, folder in layout.items():
        m = read_run(folder, tag)
        f = m["final"]
        runs.append({"lr": float(tag), "tag": str(tag), "dir": str(folder), "seed": m["seed"],
                     "valid_acc": float(f["valid_acc"]), "train_acc": float(f["train_acc"]),
                     "valid_loss": float(f["valid_loss"])})
    runs.sort(key=lambda r: r["lr"])
    scored = [r for r in runs if np.isfinite(r["valid_acc"])]
    if not scored:
        raise ValueError("Q3 learning-rate sweep: no run of the grid has a finite validation accuracy: "
                         + ", ".join(f"{r['dir']}: {r['valid_acc']}" for r in runs))
    best = max(scored, key=lambda r: r["valid_acc"])  # max keeps the first (smallest rate) of a tie
    by_tag = {r["tag"]: r for r in runs}
    study = []
    for role, ratio in (("best", 1.0), ("lower", 1.0 / factor), ("higher", float(factor))):
        tag = best["tag"] if role == "best" else lr_tag(best["lr"] * ratio)
        study.append({"role": role, "ratio": ratio, "lr": float(tag), "tag": tag, "on_grid": tag in by_tag})
    i = runs.index(best)
    return {"grid": [r["lr"] for r in runs], "runs": runs, "seed": best["seed"],
            "selection": "highest final validation accuracy over the grid (one run per rate, the part's seed); "
                         "a tie goes to the smaller rate",
            "chosen_lr": best["lr"], "chosen_tag": best["tag"], "chosen_dir": best["dir"],
            "chosen_valid_acc": best["valid_acc"],
            "at_edge": "lowest" if i == 0 and len(runs) > 1 else "highest" if i == len(runs) - 1 and len(runs) > 1 else None,
            "factor": float(factor), "study": study}


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
        runs[lr] = [read_run(d, tag) for d in dirs]
        main_dir[lr] = Path(dirs[0])
    return runs, main_dir


def study_rows(runs: dict, layout: Mapping[str, Sequence[str | Path]], choice: dict) -> tuple[list[dict], float]:
    """The Q3.2 study table: one row per rate of ``choice["study"]`` (the sweep's record, see
    :func:`choose_lr`), from ``runs = {lr: [metrics of each seed]}`` read by :func:`load_runs`
    from ``layout = {lr tag: [main run folder, repeat folders]}``.

    Each row is a :func:`select_best` row plus ``role`` (best, lower, higher), ``ratio`` (to the
    chosen rate), ``on_grid``, ``dir`` (the main run's folder: its curves and history) and
    ``dirs`` (every seed's folder). Returns ``(rows, lr with the highest mean validation accuracy
    over seeds)``: the sweep chose on one seed, so the latter may differ from the chosen rate.
    """
    by_tag = {str(s["tag"]): s for s in choice["study"]}
    if set(by_tag) != set(map(str, layout)):
        raise ValueError(f"Q3 study: the runs given ({sorted(layout)}) are not the sweep's study ({sorted(by_tag)})")
    best_mean, rows = select_best(runs)
    for r in rows:
        tag = next(t for t in layout if float(t) == r["lr"])
        s = by_tag[str(tag)]
        r.update(role=s["role"], ratio=s["ratio"], on_grid=s["on_grid"], dir=str(layout[tag][0]),
                 dirs=[str(d) for d in layout[tag]])
    return rows, best_mean


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
