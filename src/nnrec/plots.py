"""Figures shared by several parts, the theory figures, and the shared style.

The one convention of every plotting function in nnrec (here, ``numpy_nn.plots``,
``torch_models.plots``, ``ocr.figures``): it **returns** a matplotlib Figure and writes nothing; the
caller saves it with :func:`nnrec.common.save_figure` (atomic, PNG at 150 dpi, reproducible metadata).

Style for the PDF: figures are sized for an A4 text column (``COLUMN_IN`` = 6.7 in wide); use
:func:`new_figure` to get a figure with the shared style applied.
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

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


def _done(fig, *legend_axes, **legend_kw):
    """Legends on ``legend_axes``, tight layout; the figure."""
    for ax in legend_axes:
        ax.legend(**legend_kw)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- theory (Q1, Q2.1)
def plot_activations(curves: dict[str, np.ndarray]):
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
    return _done(fig, b, loc="upper left")


def plot_gradient_stack(res: dict[str, Any]):
    """Mean |dJ/dh| per layer, from the top of the stack down, for sigmoid and tanh."""
    fig, ax = new_figure(1, 1, width=COLUMN_IN * 0.75, aspect=0.55)
    for act in ("sigmoid", "tanh"):
        g = res[f"{act}_mean_abs_grad"]
        ax.semilogy(np.arange(1, len(g) + 1), g, "o-", ms=3, color=COLORS[act], label=act)
    ax.set(xlabel="layers back-propagated through (from the output)", ylabel="mean |gradient| (log scale)")
    return _done(fig, ax)


def plot_zero_init(res: dict[str, Any]):
    """Training accuracy and the spread between hidden units, zero vs Xavier initialisation."""
    fig, (a, b) = new_figure(2, 1, aspect=0.55)
    for init in ("zero", "xavier"):
        acc = res[init]["train_acc"]
        ep = np.arange(1, len(acc) + 1)
        a.plot(ep, acc, color=COLORS[init], label=f"{init} init")
        b.plot(ep, np.maximum(res[init]["unit_spread"], 1e-18), color=COLORS[init], label=f"{init} init")
    a.axhline(res["chance_acc"], color="0.5", ls=":", lw=1, label="chance")
    a.set(xlabel="epoch", ylabel="training accuracy")
    a.legend()
    b.set_yscale("log")
    if max(res["zero"]["unit_spread"]) == 0:
        b.text(0.03, 0.1, "zero init: exactly 0 (drawn at 1e-18)", transform=b.transAxes, fontsize=8,
               color=COLORS["zero"])
    b.set(xlabel="epoch", ylabel="max difference between hidden units")
    return _done(fig, b)


def plot_init_scaling(res: dict[str, Any]):
    """Activation spread (left) and gradient size (right) per layer for each initialisation."""
    fig, (a, b) = new_figure(2, 1, aspect=0.55)
    palette = ["#1f5fa8", "#c0392b", "#2e8b57", "#7d3c98"]
    for color, label in zip(palette, res["schemes"]):
        s = res[label]["activation_std"]
        g = res[label]["mean_abs_grad"]
        a.semilogy(np.arange(1, len(s) + 1), np.maximum(s, 1e-30), "o-", ms=3, color=color, label=label)
        b.semilogy(np.arange(1, len(g) + 1), np.maximum(g, 1e-30), "o-", ms=3, color=color, label=label)
    a.set(xlabel="layer", ylabel="std of tanh activations")
    b.set(xlabel="layer", ylabel="mean |gradient| at layer input")
    return _done(fig, a)


def plot_softmax_stability(rows: Sequence[dict[str, Any]]):
    """Fraction of non-finite outputs of the naive and the stable softmax vs the input scale."""
    fig, ax = new_figure(1, 1, width=COLUMN_IN * 0.6, aspect=0.6)
    scales = [r["scale"] for r in rows]
    ax.semilogx(scales, [r["naive_nonfinite_fraction"] for r in rows], "o-", color=COLORS["zero"], label="naive")
    ax.semilogx(scales, [r["stable_nonfinite_fraction"] for r in rows], "s--", color=COLORS["xavier"],
                label="stable (c = -max x)")
    ax.set(xlabel="input standard deviation", ylabel="fraction of NaN/inf outputs")
    return _done(fig, ax)


# --------------------------------------------------------------------------- shared by several parts
def plot_confusion(conf, classes: Sequence[str], title: str = "", counts: bool | None = None):
    """Confusion matrix (rows: true class, columns: predicted) with a colour bar; the counts are
    written in the cells when there are few classes (12 or fewer) or ``counts`` is true."""
    conf = np.asarray(conf)
    n = len(classes)
    small = n <= 12
    counts = small if counts is None else counts
    fig, ax = plt.subplots(figsize=(4.6, 3.8) if small else (8, 7))
    im = ax.imshow(conf, cmap="Blues")
    long_names = max((len(str(c)) for c in classes), default=0) > 2
    fs = 7 if small else 6
    ax.set_xticks(range(n), classes, fontsize=fs, rotation=60 if long_names else 0, ha="right" if long_names else "center")
    ax.set_yticks(range(n), classes, fontsize=fs)
    if counts:
        for i in range(conf.shape[0]):
            for j in range(conf.shape[1]):
                if conf[i, j]:
                    ax.text(j, i, int(conf[i, j]), ha="center", va="center", fontsize=6,
                            color="white" if conf[i, j] > conf.max() / 2 else "black")
    ax.set(xlabel="predicted", ylabel="true")
    if title:
        ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="test examples")
    fig.tight_layout()
    return fig


def plot_message(text: str):
    """A small figure that only says ``text`` (a placeholder where a figure's data is missing)."""
    fig, ax = plt.subplots(figsize=(4, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=9)
    return fig


def plot_contact_sheet(sheet: np.ndarray, classes: Sequence[str], per_class: int, title: str):
    """A contact sheet (one row of ``per_class`` samples per class, as made by
    :func:`nnrec.data.standin.contact_sheet`) with the class names down the side."""
    fig, ax = plt.subplots(figsize=(0.32 * per_class + 0.6, 0.3 * len(classes)))
    ax.imshow(sheet, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    step = sheet.shape[0] / len(classes)
    ax.set_yticks([step * (i + 0.5) for i in range(len(classes))], classes, fontsize=6)
    ax.set_xticks([])
    ax.set_title(title, fontsize=6)
    return fig


def plot_sheet_panels(panels: Sequence[tuple[str, np.ndarray]], classes: Sequence[str], per_class: int,
                      fontsize: float = 8.0):
    """Contact sheets of the same classes from several sources side by side (``panels``: (title,
    sheet) pairs, each sheet one row of ``per_class`` samples per class of ``classes``, as made by
    :func:`nnrec.data.standin.contact_sheet` with ``classes=``), class names down the left. 0.3 in
    per sample; the text is scaled with the figure's width so that, printed at the text column's
    width (:data:`COLUMN_IN`), it is ``fontsize`` points or larger."""
    import textwrap

    n = max(1, len(panels))
    width = n * (0.3 * per_class + 0.15) + 0.4
    fontsize = fontsize * max(1.0, width / COLUMN_IN)
    fig, axes = plt.subplots(1, n, figsize=(width, 0.3 * len(classes) + 0.9), squeeze=False)
    for k, (ax, (title, sheet)) in enumerate(zip(axes[0], panels)):
        ax.imshow(sheet, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        step = sheet.shape[0] / len(classes)
        ax.set_yticks([step * (i + 0.5) for i in range(len(classes))], classes if k == 0 else [], fontsize=fontsize)
        ax.set_xticks([])
        ax.tick_params(length=0)
        # wrapped to the panel's width (about 0.6 em per character), so neighbouring titles never overlap
        chars = max(10, int(0.3 * per_class * 72 / (0.6 * fontsize)))
        ax.set_title("\n".join(textwrap.wrap(title, chars)), fontsize=fontsize)
    fig.tight_layout()
    return fig
