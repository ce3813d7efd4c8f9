"""Figures of the OCR part: a page with its boxes coloured by line and the recognised text beside
(Q4.3), the normalised crops, and detection-failure panels (Q4.1). Each returns a Figure (saved by
the caller with :func:`nnrec.common.save_figure`)."""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _thumb(image: np.ndarray, max_side: int = 1400) -> tuple[np.ndarray, float]:
    from skimage.transform import resize

    h, w = image.shape[:2]
    s = min(1.0, max_side / max(h, w))
    if s < 1.0:
        out = resize(image, (round(h * s), round(w * s)), anti_aliasing=True, preserve_range=True)
        return out.astype(image.dtype) if image.dtype == np.uint8 else out, s
    return image, 1.0


def plot_page(image: np.ndarray, boxes: np.ndarray, line_of: list[int], text_lines: dict[str, list[str]],
              title: str = "", true_lines: list[str] | None = None):
    """The page with every box (numbered in reading order, coloured by line) and the text read
    by each classifier (and the ground truth, when known) beside it."""
    plt = _plt()
    img, s = _thumb(np.asarray(image))
    h, w = img.shape[:2]
    n_text = sum(len(v) + 1 for v in text_lines.values()) + (len(true_lines) + 1 if true_lines else 0)
    fig = plt.figure(figsize=(14, max(4.0, 9.5 * h / w)))
    ax = fig.add_axes([0.0, 0.0, 0.62, 1.0])
    ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
    cmap = plt.get_cmap("tab10")
    for n, (b, li) in enumerate(zip(np.asarray(boxes).reshape(-1, 4), line_of)):
        y1, x1, y2, x2 = (np.asarray(b, float) * s)
        ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=1.2, color=cmap(li % 10)))
        ax.text(x1, y1 - 2, str(n), fontsize=5, color=cmap(li % 10), va="bottom")
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    tx = fig.add_axes([0.63, 0.0, 0.37, 1.0])
    tx.set_axis_off()
    y = 0.97
    step = min(0.06, 0.9 / max(n_text, 1))
    blocks = list(text_lines.items()) + ([("ground truth", true_lines)] if true_lines else [])
    for name, lines in blocks:
        tx.text(0.0, y, name, fontsize=9, fontweight="bold", va="top", transform=tx.transAxes)
        y -= step
        for li, line in enumerate(lines):
            colour = cmap(li % 10) if name != "ground truth" else "0.3"
            tx.text(0.02, y, line, fontsize=9, family="monospace", va="top", color=colour,
                    transform=tx.transAxes)
            y -= step
        y -= step * 0.3
    return fig


def plot_failures(cases: dict):
    """One panel per case: the image, true boxes (dashed green) and detected boxes (red)."""
    plt = _plt()
    n = len(cases)
    fig, axes = plt.subplots(n, 1, figsize=(9, 2.6 * n), squeeze=False)
    for ax, (name, c) in zip(axes[:, 0], cases.items()):
        ax.imshow(c["image"])
        for b in c["true_boxes"]:
            y1, x1, y2, x2 = b
            ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=0.8, ls="--", color="tab:green"))
        for b in c["boxes"]:
            y1, x1, y2, x2 = b
            ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=1.5, color="tab:red"))
        ax.set_title(f"{name}: {len(c['boxes'])} boxes for {len(c['true_boxes'])} characters "
                     f"(recall {c['recall']:.0%}, precision {c['precision']:.0%})", fontsize=9)
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def plot_crops(glyphs: np.ndarray, labels: dict[str, list[str]], title: str = "",
               reference: np.ndarray | None = None, per_row: int = 20):
    """The normalised 32x32 crops as the classifier sees them (upright), with each classifier's
    prediction; optionally a row of training images underneath for comparison."""
    plt = _plt()
    n = len(glyphs)
    rows = max(1, int(np.ceil(n / per_row))) + (1 if reference is not None and len(reference) else 0)
    fig, axes = plt.subplots(rows, per_row, figsize=(per_row * 0.6, rows * 0.8), squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for i, g in enumerate(glyphs):
        ax = axes[i // per_row, i % per_row]
        ax.imshow(g, cmap="gray", vmin=0, vmax=1)
        ax.set_title("/".join(v[i] for v in labels.values()), fontsize=6, pad=1)
    if reference is not None and len(reference):
        for j, g in enumerate(reference[:per_row]):
            ax = axes[-1, j]
            ax.imshow(g, cmap="gray", vmin=0, vmax=1)
            ax.set_title("train", fontsize=5, pad=1, color="0.4")
    fig.suptitle(title, fontsize=9)
    return fig
