"""Figures shared by several parts, the theory figures, and the shared style.

The one convention of every plotting function in nnrec (here, ``numpy_nn.plots``,
``torch_models.plots``, ``ocr.figures``): it **returns** a matplotlib Figure and writes nothing; the
caller saves it with :func:`nnrec.common.save_figure` (atomic, PNG at 150 dpi, reproducible metadata).

Size for the PDF: the writeup prints a figure at the size it is drawn at, shrunk only when it is
wider than the A4 text column (6.85 in, :mod:`nnrec.layout`), taller than the figures' height limit,
or wider than its template asks. So a figure is drawn at most ``COLUMN_IN`` = 6.7 in wide, at most
``MAX_HEIGHT_IN`` tall, with no text under ``MIN_TEXT_PT`` points: every text then prints at least
that large (``tests/test_figures.py`` checks every plotting function; the renderer warns about any
figure whose text would print smaller). Use :func:`new_figure` to get a figure with the shared
style applied. :func:`drawn_text_sizes` and :func:`undrawn_legend_entries` are the checks.
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nnrec.layout import MIN_TEXT_PT  # noqa: E402

COLUMN_IN = 6.7  # drawn width of a full-width figure (the A4 text column is 174 mm = 6.85 in)
MAX_HEIGHT_IN = 7.8  # drawn height limit (the report's figure height limit is 205 mm = 8.07 in)
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


def drawn_text_sizes(fig) -> list[tuple[float, str]]:
    """(size in points, text) of every non-empty text ``fig`` draws (titles, labels, tick labels,
    legends, colour bars, annotations), found by drawing it once and recording the renderer's
    text calls, so hidden texts and ticks outside the axes are left out."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    seen: list[tuple[float, str]] = []
    draw_text = renderer.draw_text

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if str(s).strip():
            seen.append((float(prop.get_size_in_points()), str(s)))
        return draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = record
    try:
        fig.draw(renderer)
    finally:
        del renderer.draw_text
    return seen


def min_text_pt(fig) -> float | None:
    """The smallest text ``fig`` draws, in points at its own size (None when it draws no text)."""
    sizes = drawn_text_sizes(fig)
    return min(s for s, _ in sizes) if sizes else None


def undrawn_legend_entries(fig) -> list[str]:
    """Labels listed in a legend of ``fig`` whose line draws nothing: no two consecutive finite
    points for a line style to join and no marker on a finite point (a one-epoch curve without
    markers, a series of NaNs)."""
    from matplotlib.lines import Line2D

    out = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        handles = getattr(legend, "legend_handles", None) or getattr(legend, "legendHandles", [])
        labels = [t.get_text() for t in legend.get_texts()]
        originals = {h.get_label(): h for h in ax.get_lines()}
        for label, handle in zip(labels, handles):
            line = originals.get(label)
            if line is None or not isinstance(line, Line2D):
                continue
            xy = np.asarray(line.get_xydata(), dtype=float).reshape(-1, 2)  # units (class names) converted
            x, y = xy[:, 0], xy[:, 1]
            finite = np.isfinite(x) & np.isfinite(y)
            joined = line.get_linestyle() not in ("None", "", " ") and bool(np.any(finite[1:] & finite[:-1]))
            marked = line.get_marker() not in (None, "None", "", " ") and bool(finite.any())
            if not line.get_visible() or not (joined or marked):
                out.append(label)
    return out


def series(ax, x, y, *fmt, point_marker: str = "o", **kw):
    """``ax.plot`` that stays visible however short the series: a curve with no two consecutive
    finite points (a one-epoch run) gets a ``point_marker`` (hollow unless "o"), since a line
    needs two points. None values become NaN."""
    x = np.asarray([np.nan if v is None else v for v in x], dtype=float)
    y = np.asarray([np.nan if v is None else v for v in y], dtype=float)
    finite = np.isfinite(x) & np.isfinite(y)
    lines = ax.plot(x, y, *fmt, **kw)
    if not np.any(finite[1:] & finite[:-1]):
        for line in lines:
            if line.get_marker() in (None, "None", "", " "):
                line.set_marker(point_marker)
                line.set_markersize(4.5)
                if point_marker != "o":
                    line.set_markerfacecolor("none")
    return lines


def epoch_axis(*axes) -> None:
    """Whole numbers only on the x axis of ``axes`` (epochs, iterations): a one-epoch run gets the
    tick 1, not 0.96 ... 1.04."""
    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


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
    epoch_axis(a, b)
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
    fig, ax = new_figure(1, 1, width=COLUMN_IN * 0.55, aspect=0.65)
    scales = [r["scale"] for r in rows]
    ax.semilogx(scales, [r["naive_nonfinite_fraction"] for r in rows], "o-", color=COLORS["zero"], label="naive")
    ax.semilogx(scales, [r["stable_nonfinite_fraction"] for r in rows], "s--", color=COLORS["xavier"],
                label="stable (c = -max x)")
    ax.set(xlabel="input standard deviation", ylabel="fraction of NaN/inf outputs")
    return _done(fig, ax)


# --------------------------------------------------------------------------- shared by several parts
def plot_confusion(conf, classes: Sequence[str], title: str = "", counts: bool | None = None):
    """Confusion matrix (rows: true class, columns: predicted) with a colour bar; the counts are
    written in the cells when there are few classes (12 or fewer) or ``counts`` is true. Drawn
    3.2 in wide for up to 12 classes, 5 in for more (the writeup shows them at 48% and 75% of the
    column), with every label at 7 pt or more."""
    apply_style()
    conf = np.asarray(conf)
    n = len(classes)
    small = n <= 12
    counts = small if counts is None else counts
    fig, ax = plt.subplots(figsize=(3.2, 2.9) if small else (4.85, 4.35))
    ax.grid(False)
    im = ax.imshow(conf, cmap="Blues")
    long_names = max((len(str(c)) for c in classes), default=0) > 2
    ax.set_xticks(range(n), classes, fontsize=7, rotation=60 if long_names else 0,
                  ha="right" if long_names else "center", rotation_mode="anchor" if long_names else "default")
    ax.set_yticks(range(n), classes, fontsize=7)
    ax.tick_params(length=2, pad=1.5)
    if counts:
        for i in range(conf.shape[0]):
            for j in range(conf.shape[1]):
                if conf[i, j]:
                    ax.text(j, i, int(conf[i, j]), ha="center", va="center", fontsize=7,
                            color="white" if conf[i, j] > conf.max() / 2 else "black")
    ax.set_xlabel("predicted", fontsize=8)
    ax.set_ylabel("true", fontsize=8)
    if title:
        ax.set_title(title, fontsize=8.5)
    cbar = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    cbar.set_label("test examples", fontsize=7.5)
    cbar.ax.tick_params(labelsize=7)
    fig.tight_layout(pad=0.3)
    return fig


def plot_message(text: str):
    """A small figure that only says ``text`` (a placeholder where a figure's data is missing)."""
    fig, ax = plt.subplots(figsize=(4, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=9)
    return fig


def plot_contact_sheet(sheet: np.ndarray, classes: Sequence[str], per_class: int, title: str):
    """A contact sheet (one row of ``per_class`` samples per class, as made by
    :func:`nnrec.data.standin.contact_sheet`) with the class names down the side; 7 in tall (the
    figures' height limit is about 8 in), labels at 7 pt."""
    import textwrap

    apply_style()
    rows = len(classes)
    height = min(MAX_HEIGHT_IN - 0.6, 0.2 * rows)
    img_w = height * sheet.shape[1] / sheet.shape[0]
    fig, ax = plt.subplots(figsize=(max(img_w + 0.35, 2.0), height + 0.45))
    ax.grid(False)
    ax.imshow(sheet, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    step = sheet.shape[0] / rows
    ax.set_yticks([step * (i + 0.5) for i in range(rows)], classes, fontsize=7)
    ax.tick_params(length=0, pad=2)
    ax.set_xticks([])
    ax.set_title("\n".join(textwrap.wrap(title, 34)), fontsize=7.5)
    fig.tight_layout(pad=0.2)
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
