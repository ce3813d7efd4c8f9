"""Training loops: classifier epochs with per-epoch history (Q3) and the Q2 toy sanity check."""

from __future__ import annotations

import time

import numpy as np

from .batches import batch_indices, run_rngs
from .model import Network


def train_epoch(net: Network, x, y, batch_size: int, lr: float, rng, momentum: float = 0.0) -> float:
    """One pass over (x, y) in random batches; returns the summed training loss seen during the epoch."""
    total = 0.0
    for idx in batch_indices(len(x), batch_size, rng):
        total += net.loss_and_grads(x[idx], y[idx], check=False) * (len(idx) if net.reduction == "mean" else 1)
        net.step(lr, momentum)
    return total


def check_dataset(x, y, n_features: int, n_classes: int, what: str) -> None:
    """Clear errors for malformed training data (``what`` names the file or split)."""
    if x.ndim != 2 or x.shape[1] != n_features:
        raise ValueError(f"{what}: expected x of shape (N, {n_features}), got {x.shape}")
    if y.shape != (x.shape[0],):
        raise ValueError(f"{what}: expected y of shape ({x.shape[0]},), got {y.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{what}: x contains NaN or inf")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"{what}: labels outside [0, {n_classes})")


def train_classifier(splits: dict, hidden: list, activations: list, epochs: int, batch_size: int,
                     lr: float, seed: int, reduction: str = "sum", momentum: float = 0.0,
                     dtype=np.float32, progress=None) -> dict:
    """Train an MLP classifier on ``splits = {"train": (x, y), "valid": (x, y), ...}``.

    Returns ``{"net", "init_params", "history", "epoch_seconds"}``; history has, per epoch,
    train/valid loss (cross-entropy averaged over the data) and accuracy, evaluated after the epoch.
    """
    x, y = splits["train"]
    n_classes = int(max(int(s[1].max()) for s in splits.values() if len(s[1])) + 1)
    init_rng, batch_rng = run_rngs(seed)
    sizes = [x.shape[1], *hidden, n_classes]
    net = Network.create(sizes, list(activations) + ["softmax"], init_rng, dtype=dtype, reduction=reduction)
    init_params = {k: v.copy() for k, v in net.weights().items()}
    xs = {k: (np.ascontiguousarray(v[0], dtype=dtype), v[1]) for k, v in splits.items()}
    history = {"epoch": [], **{f"{s}_{m}": [] for s in splits if s != "test" for m in ("loss", "acc")}}
    secs = []
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        train_epoch(net, xs["train"][0], xs["train"][1], batch_size, lr, batch_rng, momentum)
        secs.append(time.perf_counter() - t0)
        history["epoch"].append(epoch)
        for s in splits:
            if s == "test":
                continue
            loss, acc = net.evaluate(*xs[s])
            history[f"{s}_loss"].append(loss)
            history[f"{s}_acc"].append(acc)
        if not np.isfinite(history["train_loss"][-1]):
            if progress:
                progress.logger.warning(f"epoch {epoch}: training loss is not finite (lr {lr} too high?)")
        if progress:
            progress.step(epoch, **{k: v[-1] for k, v in history.items() if k != "epoch"})
    return {"net": net, "init_params": init_params, "history": history, "epoch_seconds": secs}


def toy_data(n_per_class: int, rng: np.random.Generator):
    """The assignment's Q2 toy problem: 4 Gaussian blobs in 2-D (means/covariances of run_q2.py)."""
    means = [(3.6, 40.0), (3.9, 10.0), (3.4, 30.0), (2.0, 10.0)]
    cov = [[0.05, 0.0], [0.0, 10.0]]
    x = np.vstack([rng.multivariate_normal(m, cov, n_per_class) for m in means])
    y = np.repeat(np.arange(len(means)), n_per_class)
    return x, y
