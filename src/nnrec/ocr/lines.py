"""Group character boxes into text lines, order them, and find the word gaps of each line.

Lines: boxes are visited left to right; each line keeps a straight-line fit of its members'
vertical centres against x, so a box joins the line whose *predicted* centre at the box's x is
closest, within ``line_tol`` x the page's median character height. This follows slanted lines and
tolerates uneven letter heights (the tolerance is relative, the fit is per line).

Word gaps: within a line, the horizontal gaps between consecutive boxes are split in two groups
(two-means on the sorted gaps); the wider group are spaces only when the split is clear: its
smallest gap is at least ``gap_ratio`` x the median of the narrow group (the line's own letter
spacing) and wider than it by ``min_space_frac`` x the line's character height. A line with
uniform spacing (a spaced-out alphabet, one word) gets no space; a gap wider than
``abs_space_frac`` x the character height is always a space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LineParams:
    line_tol: float = 0.6          # vertical tolerance, x median character height
    gap_ratio: float = 2.0         # word gaps: at least this x the line's median letter gap
    min_space_frac: float = 0.3    # ... and wider than it by this x character height
    abs_space_frac: float = 2.0    # a gap wider than this x character height is always a space

    @classmethod
    def from_config(cls, cfg: dict | None) -> "LineParams":
        cfg = dict(cfg or {})
        unknown = set(cfg) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown line-grouping parameter(s): {sorted(unknown)}")
        return cls(**cfg)


def group_lines(boxes: np.ndarray, params: LineParams | dict | None = None) -> list[list[int]]:
    """Indices of ``boxes`` grouped into lines; lines top to bottom, boxes left to right."""
    p = params if isinstance(params, LineParams) else LineParams.from_config(params)
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    n = len(boxes)
    if n == 0:
        return []
    cy = (boxes[:, 0] + boxes[:, 2]) / 2
    cx = (boxes[:, 1] + boxes[:, 3]) / 2
    hs = boxes[:, 2] - boxes[:, 0]
    char_h = float(np.median(hs))
    tol = p.line_tol * char_h
    lines: list[list[int]] = []

    def predict(line: list[int], x: float) -> float:
        ys, xs = cy[line], cx[line]
        if len(line) >= 3 and np.ptp(xs) > 2 * char_h:
            a, b = np.polyfit(xs, ys, 1)
            # a handwritten line is nearly horizontal: limit the slope so outliers cannot tilt it
            a = float(np.clip(a, -0.3, 0.3))
            return a * x + b
        # few members: the nearest (last) ones
        return float(np.mean(ys[-2:]))

    for i in np.argsort(cx, kind="stable"):
        best, best_d = None, None
        for li, line in enumerate(lines):
            d = abs(predict(line, cx[i]) - cy[i])
            # the box must also overlap the line vertically
            if d <= tol and (best_d is None or d < best_d):
                best, best_d = li, d
        if best is None:
            lines.append([int(i)])
        else:
            lines[best].append(int(i))
    lines = [sorted(l, key=lambda j: (cx[j], cy[j])) for l in lines]
    lines.sort(key=lambda l: float(np.median(cy[l])))
    return lines


def word_breaks(boxes: np.ndarray, line: list[int], params: LineParams | dict | None = None) -> list[bool]:
    """For a line (box indices, left to right): ``True`` at gap ``k`` (between k and k+1) = space."""
    p = params if isinstance(params, LineParams) else LineParams.from_config(params)
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    if len(line) < 2:
        return []
    b = boxes[line]
    h = float(np.median(b[:, 2] - b[:, 0]))
    gaps = np.maximum(b[1:, 1] - b[:-1, 3], 0.0)
    breaks = gaps > p.abs_space_frac * h
    order = np.sort(gaps)
    if len(order) >= 2:
        # two-means split of the sorted gaps (the split with the least within-class squared error)
        sse = [np.var(order[:k]) * k + np.var(order[k:]) * (len(order) - k) for k in range(1, len(order))]
        k = 1 + int(np.argmin(sse))
        letter = float(np.median(order[:k]))
        word_min = float(order[k])
        if word_min >= p.gap_ratio * letter and word_min - letter >= p.min_space_frac * h:
            breaks |= gaps >= word_min
    return [bool(x) for x in breaks]


def line_text(chars: list[str], breaks: list[bool]) -> str:
    out = []
    for k, ch in enumerate(chars):
        if k > 0 and breaks[k - 1]:
            out.append(" ")
        out.append(ch)
    return "".join(out)
