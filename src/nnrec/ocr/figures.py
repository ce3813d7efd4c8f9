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


TEXT_PT = 7.5  # the recognised text under the page
NAME_PT = 8.0  # each text block's name
NUMBER_PT = 7.0  # the box numbers on the page
CHAR_W = 0.6  # DejaVu Sans Mono: advance width per point of size


def _text_blocks(blocks: list[tuple[str, list[str]]], width_in: float) -> list[list[tuple[str, list[str], float]]]:
    """The text blocks packed left to right into rows no wider than ``width_in``: each block as
    (name, lines wrapped to fit, width in inches)."""
    import textwrap

    max_chars = max(8, int((width_in - 0.1) * 72 / (CHAR_W * TEXT_PT)))
    rows: list[list[tuple[str, list[str], float]]] = [[]]
    used = 0.0
    for name, lines in blocks:
        wrapped = [part for line in lines for part in (textwrap.wrap(line, max_chars) or [""])]
        chars = max([len(x) for x in wrapped] + [len(name) * NAME_PT / TEXT_PT], default=1)
        w = min(width_in, chars * CHAR_W * TEXT_PT / 72 + 0.25)
        if rows[-1] and used + w > width_in:
            rows.append([])
            used = 0.0
        rows[-1].append((name, wrapped, w))
        used += w
    return rows


def plot_page(image: np.ndarray, boxes: np.ndarray, line_of: list[int], text_lines: dict[str, list[str]],
              title: str = "", true_lines: list[str] | None = None):
    """The page with every box (numbered in reading order, coloured by line), and under it the
    text read by each classifier (and the ground truth, when known) in the line colours. Drawn
    ``COLUMN_IN`` wide and at most ``MAX_HEIGHT_IN`` tall (a tall page is drawn narrower), with
    the numbers at 7 pt and the text at 7.5 pt, so that it prints at its own size."""
    from nnrec.plots import COLUMN_IN, MAX_HEIGHT_IN

    plt = _plt()
    img, s = _thumb(np.asarray(image))
    h, w = img.shape[:2]
    blocks = list(text_lines.items()) + ([("ground truth", list(true_lines))] if true_lines else [])
    rows = _text_blocks(blocks, COLUMN_IN)
    line_h = TEXT_PT * 1.3 / 72
    row_h = [(max(len(b[1]) for b in row) + 1.6) * line_h for row in rows if row]
    title_h = 0.25 if title else 0.05
    text_h = sum(row_h) + 0.1
    img_w = min(COLUMN_IN, (MAX_HEIGHT_IN - title_h - text_h) * w / h)
    img_h = img_w * h / w
    W, H = COLUMN_IN, title_h + img_h + text_h
    fig = plt.figure(figsize=(W, H))
    ax = fig.add_axes([(W - img_w) / 2 / W, (text_h) / H, img_w / W, img_h / H])
    ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
    cmap = plt.get_cmap("tab10")
    for n, (b, li) in enumerate(zip(np.asarray(boxes).reshape(-1, 4), line_of)):
        y1, x1, y2, x2 = (np.asarray(b, float) * s)
        ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=0.9, color=cmap(li % 10)))
        ax.text(x1, y1, str(n), fontsize=NUMBER_PT, color=cmap(li % 10), va="bottom", ha="left")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9, pad=NUMBER_PT + 3)
    top = text_h - 0.05
    for row, rh in zip(rows, row_h):
        x = 0.0
        for name, lines, bw in row:
            fig.text(x / W, top / H, name, fontsize=NAME_PT, fontweight="bold", va="top")
            for li, line in enumerate(lines):
                colour = cmap(li % 10) if name != "ground truth" else "0.3"
                fig.text((x + 0.08) / W, (top - (li + 1.3) * line_h) / H, line, fontsize=TEXT_PT,
                         family="monospace", va="top", color=colour)
            x += bw
        top -= rh
    return fig


def plot_failures(cases: dict):
    """One panel per case: the image, true boxes (dashed green) and detected boxes (red)."""
    from nnrec.plots import COLUMN_IN, MAX_HEIGHT_IN

    plt = _plt()
    n = len(cases)
    fig, axes = plt.subplots(n, 1, figsize=(COLUMN_IN, min(2.2 * n, MAX_HEIGHT_IN)), squeeze=False)
    for ax, (name, c) in zip(axes[:, 0], cases.items()):
        ax.imshow(c["image"])
        for b in c["true_boxes"]:
            y1, x1, y2, x2 = b
            ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=0.8, ls="--", color="tab:green"))
        for b in c["boxes"]:
            y1, x1, y2, x2 = b
            ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=1.2, color="tab:red"))
        ax.set_title(f"{name}: {len(c['boxes'])} boxes for {len(c['true_boxes'])} characters "
                     f"(recall {c['recall']:.0%}, precision {c['precision']:.0%})", fontsize=8)
        ax.set_axis_off()
    fig.tight_layout(pad=0.3)
    return fig


def plot_crops(glyphs: np.ndarray, labels: dict[str, list[str]], title: str = "",
               reference: np.ndarray | None = None, per_row: int | None = None):
    """The normalised 32x32 crops as the classifier sees them (upright), each titled with every
    classifier's prediction (joined by '/'); optionally a row of training images underneath for
    comparison. As many crops per row as fit ``COLUMN_IN`` with their labels at 7 pt."""
    import textwrap

    from nnrec.plots import COLUMN_IN

    plt = _plt()
    label_pt = 7.0
    n = len(glyphs)
    names = ["/".join(v[i] for v in labels.values()) for i in range(n)]
    chars = max([len(x) for x in names] + [len("train")])
    cell = max(0.33, chars * 0.62 * label_pt / 72 + 0.06)
    per_row = per_row or max(1, int(COLUMN_IN // cell))
    cell = min(cell, COLUMN_IN / per_row) if per_row * cell > COLUMN_IN else cell
    with_ref = reference is not None and len(reference) > 0
    rows = max(1, int(np.ceil(n / per_row))) + (1 if with_ref else 0)
    row_h = cell + label_pt * 1.4 / 72
    wrapped = "\n".join(textwrap.wrap(title, int(per_row * cell * 72 / (0.55 * 8.5)))) if title else ""
    title_h = (wrapped.count("\n") + 1) * 8.5 * 1.3 / 72 + 0.05 if title else 0.0
    W, H = per_row * cell, rows * row_h + title_h
    fig = plt.figure(figsize=(W, H))

    def cell_axes(r: int, c: int):
        ax = fig.add_axes([(c * cell + 0.02) / W, (H - title_h - (r + 1) * row_h + 0.02) / H,
                           (cell - 0.04) / W, (cell - 0.04) / H])
        ax.set_axis_off()
        return ax

    for i, g in enumerate(glyphs):
        ax = cell_axes(i // per_row, i % per_row)
        ax.imshow(g, cmap="gray", vmin=0, vmax=1)
        ax.set_title(names[i], fontsize=label_pt, pad=1.5)
    if with_ref:
        for j, g in enumerate(reference[:per_row]):
            ax = cell_axes(rows - 1, j)
            ax.imshow(g, cmap="gray", vmin=0, vmax=1)
            ax.set_title("train", fontsize=label_pt, pad=1.5, color="0.4")
    if title:
        fig.text(0.5, 1.0, wrapped, ha="center", va="top", fontsize=8.5)
    return fig
