"""Q4.4: read a page. Detect, group into lines and words, normalise each crop the way the
training data looks (the shared :func:`nnrec.data.glyph.normalise_glyph`), classify, write text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from nnrec import NIST36_CLASSES
from nnrec.data.glyph import normalise_glyph, to_nist_layout
from nnrec.ocr.crop import char_ink
from nnrec.ocr.detect import Detection, DetectParams, detect
from nnrec.ocr.lines import LineParams, group_lines, line_text, word_breaks

Classifier = Callable[[np.ndarray], np.ndarray]


@dataclass
class PageReading:
    detection: Detection
    order: list[int]                       # box indices in reading order
    line_of: list[int]                     # line index of each box in reading order
    breaks: list[list[bool]]               # per line: space after box k?
    glyphs: np.ndarray                     # (N, 32, 32) upright normalised crops, reading order
    x: np.ndarray                          # (N, 1024) NIST layout
    predictions: dict = field(default_factory=dict)  # classifier name -> dict(text, lines, labels, probs)

    @property
    def boxes(self) -> np.ndarray:
        return self.detection.boxes[self.order] if self.order else np.zeros((0, 4), np.int64)

    def word_lengths(self) -> list[list[int]]:
        """Boxes per word, per line (for :func:`nnrec.ocr.score.match_detection`)."""
        out = []
        for li, br in enumerate(self.breaks):
            n = sum(1 for l in self.line_of if l == li)
            words = [1] if n else []
            for b in br:
                if b:
                    words.append(1)
                else:
                    words[-1] += 1
            out.append(words)
        return out


def glyph_crops(det: Detection, order: list[int], glyph_kwargs: dict | None = None) -> np.ndarray:
    """The normalised 32x32 glyph of each box: its character's own ink
    (:func:`nnrec.ocr.crop.char_ink`: un-closed, neighbours excluded, holes kept) through the
    shared :func:`nnrec.data.glyph.normalise_glyph`."""
    from scipy import ndimage as ndi

    kw = dict(glyph_kwargs or {})
    slices = ndi.find_objects(det.labels) if det.labels.size else []
    out = [normalise_glyph(char_ink(det, i, slices), **kw) for i in order]
    size = int(kw.get("size", 32))
    return np.stack(out) if out else np.zeros((0, size, size), np.float32)


def read_page(image: np.ndarray, classifiers: dict[str, Classifier],
              detect_params: DetectParams | dict | None = None,
              line_params: LineParams | dict | None = None,
              glyph_kwargs: dict | None = None, classes: list[str] | None = None,
              word_context: bool = False) -> PageReading:
    """Detect, order, normalise and classify every character; text per classifier.

    ``word_context``: within a word of two or more characters, if the word's total probability
    on letters exceeds that on digits every character is read as its most probable letter
    (otherwise as its most probable digit), which
    resolves O/0, I/1, S/5, Z/2, B/8 from the word's other characters. The raw argmax text is
    kept as ``lines_raw`` and the corrected one as ``lines_context`` either way."""
    classes = classes or NIST36_CLASSES
    det = detect(image, detect_params)
    lines = group_lines(det.boxes, line_params)
    order = [i for l in lines for i in l]
    line_of = [li for li, l in enumerate(lines) for _ in l]
    breaks = [word_breaks(det.boxes, l, line_params) for l in lines]
    glyphs = glyph_crops(det, order, glyph_kwargs)
    if len(glyphs):
        x = np.stack([to_nist_layout(g) for g in glyphs]).astype(np.float32)
    else:
        x = np.zeros((0, glyphs.shape[1] * glyphs.shape[2]), np.float32)
    reading = PageReading(det, order, line_of, breaks, glyphs, x)
    for name, clf in classifiers.items():
        if len(x):
            probs = np.asarray(clf(x), dtype=np.float64)
            if probs.shape != (len(x), len(classes)):
                raise ValueError(f"classifier {name!r}: expected probabilities of shape {(len(x), len(classes))}, got {probs.shape}")
        else:
            probs = np.zeros((0, len(classes)))
        raw = probs.argmax(axis=1) if len(probs) else np.zeros(0, int)
        ctx = apply_word_context(probs, raw, lines, breaks, classes)
        labels = ctx if word_context else raw

        def texts(lab):
            chars, out, pos = [classes[j] for j in lab], [], 0
            for li, l in enumerate(lines):
                out.append(line_text(chars[pos:pos + len(l)], breaks[li]))
                pos += len(l)
            return out

        text_lines = texts(labels)
        reading.predictions[name] = {"lines": text_lines, "text": "\n".join(text_lines),
                                     "labels": labels, "probs": probs,
                                     "lines_raw": texts(raw), "labels_raw": raw,
                                     "lines_context": texts(ctx), "word_context": bool(word_context)}
    return reading


def apply_word_context(probs: np.ndarray, raw: np.ndarray, lines: list[list[int]],
                       breaks: list[list[bool]], classes: list[str]) -> np.ndarray:
    """Letters-or-digits per word of 2+ characters, by the word's summed class probabilities."""
    is_digit = np.array([c.isdigit() for c in classes])
    out = raw.copy()
    pos = 0
    for l, br in zip(lines, breaks):
        words, start = [], 0
        for k, b in enumerate(br, start=1):
            if b:
                words.append((start, k))
                start = k
        words.append((start, len(l)))
        for a, b in words:
            idx = np.arange(pos + a, pos + b)
            if len(idx) < 2:
                continue
            digit_mass = float(probs[np.ix_(idx, is_digit)].sum())
            letter_mass = float(probs[np.ix_(idx, ~is_digit)].sum())
            if letter_mass == digit_mass:
                continue
            allowed = ~is_digit if letter_mass > digit_mass else is_digit
            masked = np.where(allowed[None, :], probs[idx], -np.inf)
            out[idx] = masked.argmax(axis=1)
        pos += len(l)
    return out


def reading_record(reading: PageReading, top_k: int = 3, classes: list[str] | None = None) -> dict:
    """JSON-ready description of a reading: boxes in reading order with lines, words, predictions."""
    classes = classes or NIST36_CLASSES
    boxes = reading.boxes
    rec = {"detection": reading.detection.summary(), "n_lines": len(reading.breaks),
           "word_lengths": reading.word_lengths(), "boxes": []}
    for n, (b, li) in enumerate(zip(boxes, reading.line_of)):
        item = {"box": [int(v) for v in b], "line": int(li)}
        for name, pred in reading.predictions.items():
            p = pred["probs"][n]
            top = np.argsort(-p)[:top_k]
            item[name] = [[classes[j], round(float(p[j]), 4)] for j in top]
        rec["boxes"].append(item)
    rec["text"] = {name: pred["lines"] for name, pred in reading.predictions.items()}
    rec["text_raw"] = {name: pred["lines_raw"] for name, pred in reading.predictions.items()}
    rec["text_context"] = {name: pred["lines_context"] for name, pred in reading.predictions.items()}
    return rec
