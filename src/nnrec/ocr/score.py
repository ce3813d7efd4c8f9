"""Scoring of recognised text and of detection against a line-by-line ground truth.

* character accuracy = ``1 - edit_distance(pred, true) / len(true)`` with spaces and line breaks
  removed from both (clamped at 0);
* word accuracy = ``1 - word_edit_distance / n_true_words`` over the page's words (lines joined);
* detection: each true character is matched to at most one box by an order-preserving alignment
  per line (see :func:`match_detection`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def edit_distance(a: Sequence, b: Sequence) -> int:
    """Levenshtein distance (insertions, deletions, substitutions cost 1) between sequences."""
    a, b = list(a), list(b)
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        prev = cur
    return prev[-1]


def _chars(lines: Sequence[str] | str) -> str:
    text = lines if isinstance(lines, str) else "\n".join(lines)
    return "".join(ch for ch in text.upper() if not ch.isspace())


def _words(lines: Sequence[str] | str) -> list[str]:
    text = lines if isinstance(lines, str) else "\n".join(lines)
    return text.upper().split()


def char_accuracy(pred: Sequence[str] | str, true: Sequence[str] | str) -> float:
    """1 - edit distance / number of true characters (spaces and line breaks not counted)."""
    t, p = _chars(true), _chars(pred)
    if not t:
        return 1.0 if not p else 0.0
    return max(0.0, 1.0 - edit_distance(p, t) / len(t))


def word_accuracy(pred: Sequence[str] | str, true: Sequence[str] | str) -> float:
    """1 - word-level edit distance / number of true words."""
    t, p = _words(true), _words(pred)
    if not t:
        return 1.0 if not p else 0.0
    return max(0.0, 1.0 - edit_distance(p, t) / len(t))


def match_detection(det_words: Sequence[Sequence[int]], true_lines: Sequence[str]) -> dict:
    """Match detected boxes to true characters, per line and per word, in reading order.

    ``det_words``: for each detected line (top to bottom), the number of boxes in each of its
    words (left to right), e.g. ``[[2, 2, 4], [1, 4]]``. ``true_lines``: the ground-truth lines.

    1. Detected and true lines are paired by an order-preserving alignment (dynamic programming)
       whose cost is the difference in character counts; an unpaired detected line counts all its
       boxes as spurious, an unpaired true line all its characters as missed.
    2. Within a pair, when the line has as many detected words as true words, words are paired in
       order and each word's boxes are matched to its characters in order: ``min(boxes, chars)``
       matches, the rest spurious (extra boxes) or missed (extra characters). Otherwise the whole
       line is matched that way.

    This is an honest count only up to errors that cancel inside one word (a merge and a split in
    the same word); the per-page figures, with numbered boxes, are the visual check for that.
    Returns counts and ``recall = found / true characters``, ``precision = matched / boxes``.
    """
    det_words = [list(map(int, w)) for w in det_words]
    det_lens = [sum(w) for w in det_words]
    true_words = [[len(w) for w in _words(t)] for t in true_lines]
    true_lens = [sum(w) for w in true_words]

    nd, nt = len(det_lens), len(true_lens)
    INF = 10**9
    cost = np.full((nd + 1, nt + 1), INF, dtype=np.int64)
    back = np.zeros((nd + 1, nt + 1), dtype=np.int8)
    cost[0, 0] = 0
    for i in range(nd + 1):
        for j in range(nt + 1):
            if i == 0 and j == 0:
                continue
            best, arg = INF, 0
            if i > 0 and j > 0 and cost[i - 1, j - 1] + abs(det_lens[i - 1] - true_lens[j - 1]) < best:
                best, arg = cost[i - 1, j - 1] + abs(det_lens[i - 1] - true_lens[j - 1]), 1
            if i > 0 and cost[i - 1, j] + det_lens[i - 1] < best:
                best, arg = cost[i - 1, j] + det_lens[i - 1], 2
            if j > 0 and cost[i, j - 1] + true_lens[j - 1] < best:
                best, arg = cost[i, j - 1] + true_lens[j - 1], 3
            cost[i, j], back[i, j] = best, arg
    pairs = []
    i, j = nd, nt
    while i > 0 or j > 0:
        a = back[i, j]
        if a == 1:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif a == 2:
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    pairs.reverse()

    found = spurious = missed = 0
    per_line = []
    for di, tj in pairs:
        if di is None:
            missed += true_lens[tj]
            per_line.append({"det_line": None, "true_line": tj, "boxes": 0, "chars": true_lens[tj], "found": 0})
            continue
        if tj is None:
            spurious += det_lens[di]
            per_line.append({"det_line": di, "true_line": None, "boxes": det_lens[di], "chars": 0, "found": 0})
            continue
        dw, tw = det_words[di], true_words[tj]
        units = list(zip(dw, tw)) if len(dw) == len(tw) else [(sum(dw), sum(tw))]
        f = sum(min(b, c) for b, c in units)
        found += f
        spurious += det_lens[di] - f
        missed += true_lens[tj] - f
        per_line.append({"det_line": di, "true_line": tj, "boxes": det_lens[di], "chars": true_lens[tj],
                         "found": f, "by_word": len(dw) == len(tw)})
    n_true, n_boxes = sum(true_lens), sum(det_lens)
    return {
        "true_chars": n_true,
        "boxes": n_boxes,
        "found": found,
        "missed": missed,
        "spurious": spurious,
        "recall": found / n_true if n_true else 1.0,
        "precision": found / n_boxes if n_boxes else 1.0,
        "spurious_rate": spurious / n_boxes if n_boxes else 0.0,
        "lines": per_line,
    }


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix between boxes ``a`` (n, 4) and ``b`` (m, 4) given as [y1, x1, y2, x2]."""
    a = np.asarray(a, float).reshape(-1, 4)
    b = np.asarray(b, float).reshape(-1, 4)
    y1 = np.maximum(a[:, None, 0], b[None, :, 0])
    x1 = np.maximum(a[:, None, 1], b[None, :, 1])
    y2 = np.minimum(a[:, None, 2], b[None, :, 2])
    x2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(y2 - y1, 0, None) * np.clip(x2 - x1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def match_boxes(pred: np.ndarray, true: np.ndarray, iou_min: float = 0.5) -> dict:
    """One-to-one greedy matching by IoU (highest first) when the true boxes are known exactly
    (generated pages). A true box is found when some box overlaps it with IoU >= ``iou_min``."""
    pred = np.asarray(pred, float).reshape(-1, 4)
    true = np.asarray(true, float).reshape(-1, 4)
    iou = box_iou(pred, true)
    pairs = []
    if iou.size:
        cand = np.argwhere(iou >= iou_min)
        cand = cand[np.argsort(-iou[cand[:, 0], cand[:, 1]])]
        used_p, used_t = set(), set()
        for i, j in cand:
            if i not in used_p and j not in used_t:
                used_p.add(int(i)); used_t.add(int(j)); pairs.append((int(i), int(j)))
    n_p, n_t, m = len(pred), len(true), len(pairs)
    return {"true_chars": n_t, "boxes": n_p, "found": m, "missed": n_t - m, "spurious": n_p - m,
            "recall": m / n_t if n_t else 1.0, "precision": m / n_p if n_p else 1.0,
            "mean_iou": float(np.mean([iou[i, j] for i, j in pairs])) if pairs else 0.0,
            "pairs": pairs}
