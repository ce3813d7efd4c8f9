"""Figures of the PyTorch experiments (one function each; they return a matplotlib Figure)."""

from __future__ import annotations

from typing import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _accuracy_and_loss(title: str, loss_label: str = "cross-entropy", loss_scale: str = "linear"):
    """A figure with an accuracy panel and a loss panel (per epoch) titled ``title``."""
    fig, (ax_a, ax_l) = plt.subplots(1, 2, figsize=(9, 3.4))
    ax_a.set(xlabel="epoch", ylabel="accuracy", title=f"{title}: accuracy")
    ax_l.set(xlabel="epoch", ylabel=loss_label, title=f"{title}: loss", yscale=loss_scale)
    return fig, ax_a, ax_l


def _finish(fig, *axes):
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_history(hist: Mapping, title: str, train_key: str = "train"):
    """Accuracy and loss per epoch: training (running average over the epoch's batches, or the
    post-epoch evaluation when ``train_key='train_eval'``) and validation."""
    fig, ax_a, ax_l = _accuracy_and_loss(title)
    ep = hist["epoch"]
    lab = "train (after epoch)" if train_key == "train_eval" else "train (running, augmented)"
    ax_a.plot(ep, hist[f"{train_key}_acc"], label=lab)
    ax_l.plot(ep, hist[f"{train_key}_loss"], label=lab)
    if hist.get("valid_acc") and hist["valid_acc"][0] is not None:
        ax_a.plot(ep, hist["valid_acc"], label="validation")
        ax_l.plot(ep, hist["valid_loss"], label="validation")
    return _finish(fig, ax_a, ax_l)


def plot_crosscheck(torch_hist: Mapping, numpy_hist: Mapping, title: str):
    """Torch vs numpy curves of the same run (same initial weights and batches), on one figure."""
    fig, ax_a, ax_l = _accuracy_and_loss(title, "cross-entropy (mean)")
    for split, style in (("train", "-"), ("valid", "--")):
        tk = "train_eval" if split == "train" else "valid"
        ax_a.plot(numpy_hist["epoch"], numpy_hist[f"{split}_acc"], style, color="C0", lw=3, alpha=0.45,
                  label=f"numpy {split}")
        ax_a.plot(torch_hist["epoch"], torch_hist[f"{tk}_acc"], style, color="C3", lw=1, label=f"torch {split}")
        ax_l.plot(numpy_hist["epoch"], numpy_hist[f"{split}_loss"], style, color="C0", lw=3, alpha=0.45,
                  label=f"numpy {split}")
        ax_l.plot(torch_hist["epoch"], torch_hist[f"{tk}_loss"], style, color="C3", lw=1, label=f"torch {split}")
    return _finish(fig, ax_a, ax_l)


def plot_compare(histories: Mapping[str, Mapping], title: str):
    """Validation accuracy and loss per epoch of several runs (e.g. FC vs CNN on NIST36)."""
    fig, ax_a, ax_l = _accuracy_and_loss(title, loss_scale="log")
    for i, (name, h) in enumerate(histories.items()):
        ax_a.plot(h["epoch"], h["valid_acc"], color=f"C{i}", label=f"{name} valid")
        ax_l.plot(h["epoch"], h["valid_loss"], color=f"C{i}", label=f"{name} valid")
        tk = "train_eval" if "train_eval_acc" in h else "train"
        ax_a.plot(h["epoch"], h[f"{tk}_acc"], ":", color=f"C{i}", label=f"{name} train")
        ax_l.plot(h["epoch"], h[f"{tk}_loss"], ":", color=f"C{i}", label=f"{name} train")
    return _finish(fig, ax_a, ax_l)
