"""Figures: one shared style and one function per figure (others may add theirs here).

Style rules for the PDF: figures are sized for an A4 text column (``COLUMN_IN`` = 6.7 in wide),
saved with :func:`nnrec.common.save_figure` (PNG at ``DPI`` or SVG, reproducible metadata).
Use :func:`new_figure` to get a figure with the shared style applied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nnrec.common import save_figure  # noqa: E402

COLUMN_IN = 6.7  # text width of the A4 page (174 mm) in inches
DPI = 150
COLORS = {"sigmoid": "#1f5fa8", "tanh": "#c0392b", "relu": "#2e8b57", "train": "#1f5fa8", "valid": "#c0392b",
          "test": "#7d3c98", "zero": "#c0392b", "xavier": "#1f5fa8"}
STYLE = {
    "font.size": 9, "axes.titlesize": 9.5, "axes.labelsize": 9, "legend.fontsize": 8,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "axes.grid": True, "grid.alpha": 0.3,
    "axes.spines.top": False, "axes.spines.right": False, "lines.linewidth": 1.6,
    "figure.dpi": DPI, "savefig.dpi": DPI, "svg.hashsalt": "nnrec", "svg.fonttype": "path",
}


def apply_style() -> None:
    plt.rcParams.update(STYLE)


def new_figure(ncols: int = 1, nrows: int = 1, width: float = COLUMN_IN, aspect: float = 0.62,
               **kw: Any):
    """(fig, axes) with the shared style; height = width * aspect * nrows / ncols (clipped)."""
    apply_style()
    height = min(width * aspect * nrows / max(ncols, 1) * (1.0 if ncols == 1 else 1.25), 9.0)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), **kw)
    return fig, axes


def save(fig, path: str | Path) -> None:
    """Save with tight layout and the shared dpi (atomic, reproducible metadata)."""
    fig.tight_layout()
    save_figure(fig, path, dpi=DPI)


# --------------------------------------------------------------------------- theory (Q1, Q2.1)
def plot_activations(curves: dict[str, np.ndarray], path: str | Path) -> None:
    """sigma and tanh (left) and their derivatives (right)."""
    fig, (a, b) = new_figure(2, 1, aspect=0.55)
    x = curves["x"]
    a.plot(x, curves["sigmoid"], color=COLORS["sigmoid"], label=r"$\sigma(x)$")
    a.plot(x, curves["tanh"], color=COLORS["tanh"], label=r"$\tanh(x)$")
    a.set_title("activations")
    a.set_xlabel("x")
    a.legend(loc="upper left")
    b.plot(x, curves["sigmoid_deriv"], color=COLORS["sigmoid"], label=r"$\sigma'(x)=\sigma(1-\sigma)$")
    b.plot(x, curves["tanh_deriv"], color=COLORS["tanh"], label=r"$\tanh'(x)=1-\tanh^2$")
    b.axhline(0.25, color=COLORS["sigmoid"], ls=":", lw=1)
    b.set_title("derivatives")
    b.set_xlabel("x")
    b.legend(loc="upper left")
    save(fig, path)


def plot_gradient_stack(res: dict[str, Any], path: str | Path) -> None:
    """Mean |dJ/dh| per layer, from the top of the stack down, for sigmoid and tanh."""
    fig, ax = new_figure(1, 1, width=COLUMN_IN * 0.75, aspect=0.55)
    for act in ("sigmoid", "tanh"):
        g = res[f"{act}_mean_abs_grad"]
        ax.semilogy(np.arange(1, len(g) + 1), g, "o-", ms=3, color=COLORS[act], label=act)
    ax.set_xlabel("layers back-propagated through (from the output)")
    ax.set_ylabel("mean |gradient| (log scale)")
    ax.legend()
    save(fig, path)


def plot_zero_init(res: dict[str, Any], path: str | Path) -> None:
    """Training accuracy and the spread between hidden units, zero vs Xavier initialisation."""
    fig, (a, b) = new_figure(2, 1, aspect=0.55)
    for init in ("zero", "xavier"):
        acc = res[init]["train_acc"]
        ep = np.arange(1, len(acc) + 1)
        a.plot(ep, acc, color=COLORS[init], label=f"{init} init")
        b.plot(ep, np.maximum(res[init]["unit_spread"], 1e-18), color=COLORS[init], label=f"{init} init")
    a.axhline(res["chance_acc"], color="0.5", ls=":", lw=1, label="chance")
    a.set_xlabel("epoch")
    a.set_ylabel("training accuracy")
    a.legend()
    b.set_yscale("log")
    if max(res["zero"]["unit_spread"]) == 0:
        b.text(0.03, 0.1, "zero init: exactly 0 (drawn at 1e-18)", transform=b.transAxes, fontsize=8,
               color=COLORS["zero"])
    b.set_xlabel("epoch")
    b.set_ylabel("max difference between hidden units")
    b.legend()
    save(fig, path)


def plot_init_scaling(res: dict[str, Any], path: str | Path) -> None:
    """Activation spread (left) and gradient size (right) per layer for each initialisation."""
    fig, (a, b) = new_figure(2, 1, aspect=0.55)
    palette = ["#1f5fa8", "#c0392b", "#2e8b57", "#7d3c98"]
    for color, label in zip(palette, res["schemes"]):
        s = res[label]["activation_std"]
        g = res[label]["mean_abs_grad"]
        a.semilogy(np.arange(1, len(s) + 1), np.maximum(s, 1e-30), "o-", ms=3, color=color, label=label)
        b.semilogy(np.arange(1, len(g) + 1), np.maximum(g, 1e-30), "o-", ms=3, color=color, label=label)
    a.set_xlabel("layer")
    a.set_ylabel("std of tanh activations")
    b.set_xlabel("layer")
    b.set_ylabel("mean |gradient| at layer input")
    a.legend()
    save(fig, path)


def plot_softmax_stability(rows: Sequence[dict[str, Any]], path: str | Path) -> None:
    """Fraction of non-finite outputs of the naive and the stable softmax vs the input scale."""
    fig, ax = new_figure(1, 1, width=COLUMN_IN * 0.6, aspect=0.6)
    scales = [r["scale"] for r in rows]
    ax.semilogx(scales, [r["naive_nonfinite_fraction"] for r in rows], "o-", color=COLORS["zero"], label="naive")
    ax.semilogx(scales, [r["stable_nonfinite_fraction"] for r in rows], "s--", color=COLORS["xavier"],
                label="stable (c = -max x)")
    ax.set_xlabel("input standard deviation")
    ax.set_ylabel("fraction of NaN/inf outputs")
    ax.legend()
    save(fig, path)
