"""Figures of the PyTorch experiments (one function each; they return a matplotlib Figure).

Each is drawn ``COLUMN_IN`` wide with no text under 7 pt, so it prints at its own size with
legible text (see :mod:`nnrec.plots`); every curve is drawn with :func:`nnrec.plots.series`, so a
one-epoch run shows as a marker instead of an empty legend entry."""

from __future__ import annotations

from typing import Mapping

import matplotlib

matplotlib.use("Agg")

from nnrec.plots import epoch_axis, new_figure, series  # noqa: E402

LEGEND_PT = 7.5


def _accuracy_and_loss(title: str, loss_label: str = "cross-entropy", loss_scale: str = "linear"):
    """A figure with an accuracy panel and a loss panel (per epoch) titled ``title``."""
    fig, (ax_a, ax_l) = new_figure(2, 1, aspect=0.58)
    ax_a.set(xlabel="epoch", ylabel="accuracy", title=f"{title}: accuracy")
    ax_l.set(xlabel="epoch", ylabel=loss_label, title=f"{title}: loss", yscale=loss_scale)
    epoch_axis(ax_a, ax_l)
    return fig, ax_a, ax_l


def _finish(fig, *axes):
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=LEGEND_PT)
    fig.tight_layout()
    return fig


def _has_values(values) -> bool:
    return bool(values) and any(v is not None for v in values)


def plot_history(hist: Mapping, title: str, train_key: str = "train"):
    """Accuracy and loss per epoch: training (running average over the epoch's batches, or the
    post-epoch evaluation when ``train_key='train_eval'``) and validation."""
    fig, ax_a, ax_l = _accuracy_and_loss(title)
    ep = hist["epoch"]
    lab = "train (after epoch)" if train_key == "train_eval" else "train (running, augmented)"
    series(ax_a, ep, hist[f"{train_key}_acc"], label=lab, point_marker="s")
    series(ax_l, ep, hist[f"{train_key}_loss"], label=lab, point_marker="s")
    if _has_values(hist.get("valid_acc")):
        series(ax_a, ep, hist["valid_acc"], label="validation")
        series(ax_l, ep, hist["valid_loss"], label="validation")
    return _finish(fig, ax_a, ax_l)


def plot_crosscheck(torch_hist: Mapping, numpy_hist: Mapping, title: str):
    """Torch vs numpy curves of the same run (same initial weights and batches), on one figure."""
    fig, ax_a, ax_l = _accuracy_and_loss(title, "cross-entropy (mean)")
    for split, style in (("train", "-"), ("valid", "--")):
        tk = "train_eval" if split == "train" else "valid"
        for ax, key in ((ax_a, "acc"), (ax_l, "loss")):
            mark = "o" if split == "train" else "s"
            series(ax, numpy_hist["epoch"], numpy_hist[f"{split}_{key}"], style, color="C0", lw=3, alpha=0.45,
                   label=f"numpy {split}", point_marker=mark)
            series(ax, torch_hist["epoch"], torch_hist[f"{tk}_{key}"], style, color="C3", lw=1, label=f"torch {split}",
                   point_marker=mark)
    return _finish(fig, ax_a, ax_l)


def _train_key(h: Mapping) -> str:
    return "train_eval" if "train_eval_acc" in h else "train"


def plot_compare(histories: Mapping[str, Mapping], title: str):
    """Validation accuracy and loss per epoch of several runs (e.g. FC vs CNN on NIST36)."""
    fig, ax_a, ax_l = _accuracy_and_loss(title, loss_scale="log")
    for i, (name, h) in enumerate(histories.items()):
        tk = _train_key(h)
        for ax, key in ((ax_a, "acc"), (ax_l, "loss")):
            series(ax, h["epoch"], h[f"valid_{key}"], color=f"C{i}", label=f"{name} valid")
            series(ax, h["epoch"], h[f"{tk}_{key}"], ":", color=f"C{i}", label=f"{name} train", point_marker="s")
    return _finish(fig, ax_a, ax_l)


def plot_stages(stages: Mapping[str, Mapping], title: str):
    """Accuracy and loss per epoch of training stages run one after the other (e.g. the frozen
    backbone's classifier, then the whole network): each stage's epochs follow the previous
    stage's on the x axis, a dotted line marks where a stage starts, and a stage of one epoch is
    drawn as a marker."""
    fig, ax_a, ax_l = _accuracy_and_loss(title, loss_scale="log")
    offset = 0
    for i, (name, h) in enumerate(stages.items()):
        ep = [offset + e for e in h["epoch"]]
        tk = _train_key(h)
        for ax, key in ((ax_a, "acc"), (ax_l, "loss")):
            if i:
                ax.axvline(offset + 0.5, color="0.6", ls=":", lw=0.8)
            series(ax, ep, h[f"valid_{key}"], color=f"C{i}", label=f"{name} valid")
            series(ax, ep, h[f"{tk}_{key}"], ":", color=f"C{i}", label=f"{name} train", point_marker="s")
        offset = max(ep, default=offset)
    ax_a.set_xlabel("epoch (stages one after the other)")
    ax_l.set_xlabel("epoch (stages one after the other)")
    return _finish(fig, ax_a, ax_l)
