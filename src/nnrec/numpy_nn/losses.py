"""Losses and accuracy (Q2.2.3): cross-entropy for classification, squared error for the autoencoder."""

from __future__ import annotations

import numpy as np

REDUCTIONS = ("sum", "mean")


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"loss reduction must be one of {REDUCTIONS}, got {reduction!r}")


def one_hot(labels, n_classes: int, dtype=np.float64):
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D integer class indices, got shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes}), got range [{labels.min()}, {labels.max()}]")
    out = np.zeros((labels.size, n_classes), dtype=dtype)
    out[np.arange(labels.size), labels] = 1
    return out


def compute_loss_and_acc(y, probs, reduction: str = "sum", eps: float = 0.0):
    """Cross-entropy -sum y . log(probs) (or its mean over examples) and accuracy.

    ``y`` is one-hot (N, C) as in the assignment, or integer labels (N,). ``eps`` clips
    probabilities away from 0 (0 = no clipping; the softmax output is never exactly 0 in practice).
    """
    _check_reduction(reduction)
    probs = np.asarray(probs)
    y = np.asarray(y)
    labels = y if y.ndim == 1 else np.argmax(y, axis=1)
    if labels.shape[0] != probs.shape[0]:
        raise ValueError(f"cross-entropy: {labels.shape[0]} labels for {probs.shape[0]} predictions")
    p = probs[np.arange(labels.size), labels]
    if eps:
        p = np.maximum(p, eps)
    with np.errstate(divide="ignore"):
        loss = -np.sum(np.log(p))
    if reduction == "mean":
        loss = loss / max(labels.size, 1)
    acc = float(np.mean(np.argmax(probs, axis=1) == labels)) if labels.size else float("nan")
    return float(loss), acc


def softmax_xent_delta(y, probs, reduction: str = "sum"):
    """dJ/d(logits) of softmax + cross-entropy: probs - y (divided by N for 'mean')."""
    _check_reduction(reduction)
    y = np.asarray(y)
    delta = probs.copy()
    if y.ndim == 1:
        delta[np.arange(y.size), y] -= 1
    else:
        delta -= y
    if reduction == "mean":
        delta /= max(probs.shape[0], 1)
    return delta


def squared_error(x, out, reduction: str = "sum"):
    """Total squared error sum (out - x)^2 (or its mean over examples)."""
    _check_reduction(reduction)
    loss = float(np.sum((out - x) ** 2))
    return loss / max(len(x), 1) if reduction == "mean" else loss


def squared_error_delta(x, out, reduction: str = "sum"):
    """dJ/d(out) of the squared error: 2 (out - x) (divided by N for 'mean')."""
    _check_reduction(reduction)
    d = 2.0 * (out - x)
    return d / max(len(x), 1) if reduction == "mean" else d
