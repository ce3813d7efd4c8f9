"""The OCR detector's and line grouper's knobs (``ocr.detect``, ``ocr.lines``) on validation pages.

What those knobs are checked on (issue 14's protocol): generated pages with exact truth, never
the four Q4 pages and never a test split. Each page is written by
:func:`nnrec.data.pages.compose_page` with random words of the 36 classes (2-4 words a line,
1-7 characters a word), at several character heights, with uneven light and paper grain drawn per
page, and a period after some words (a distractor the detector must not box). The characters come
from one of two sources:

* ``standin``: the stand-in's pen strokes (``standin:`` of the config), drawn from this script's
  own seeds (not the stand-in's training seeds, nor ``ocr.generated.seed``, whose pages the report
  scores);
* ``valid``: real handwriting, the images of a prepared NIST36 folder's VALID split (e.g. the EMNIST
  substitute), scaled to the character height.

Scored without any classifier (no text accuracy is computed, so no page text is read):

* detection: a true character is found by one box with IoU >= ``ocr.iou_min``; every other box is
  spurious (periods, pieces of a split character, merged neighbours);
* lines: a true line is right when all its found characters are in one detected line and that
  line holds no found character of another true line;
* word gaps: between two neighbouring true characters found as neighbouring boxes of one detected
  line, the space (or its absence) is right or wrong.

One knob is changed at a time (``--grid``: ``knob=v1,v2``; default: each knob at about half and
twice its value, or a step either side), everything else as in the config. Usage::

    OMP_NUM_THREADS=1 python benchmarks/tune_ocr_layout.py --valid /tmp/w/nist36 \\
        --out benchmarks/out/ocr_layout.json
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import yaml
from benchlib import write_result

ROOT = Path(__file__).resolve().parents[1]
CLASSES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

#: knob -> values tried besides the config's (``section.key``)
DEFAULT_GRID = {
    "detect.work_max_side": [1000, 2400],
    "detect.background_frac": [0.02, 0.08],
    "detect.blur_frac": [0.1, 0.5],
    "detect.k_mad": [4.0, 16.0],
    "detect.min_contrast": [0.06, 0.24],
    "detect.close_frac": [0.0, 0.5],
    "detect.speck_area_frac": [1.0, 4.0],
    "detect.punct_frac": [0.2, 0.5],
    "detect.max_size_frac": [2.5, 6.0],
    "detect.merge_overlap": [0.3, 0.7],
    "detect.merge_gap_frac": [0.15, 0.6],
    "lines.line_tol": [0.4, 0.8],
    "lines.gap_ratio": [1.5, 3.0],
    "lines.min_space_frac": [0.15, 0.5],
    "lines.abs_space_frac": [1.5, 3.0],
}


def random_lines(rng: np.random.Generator, n_lines: int) -> list[str]:
    """Lines of 2-4 random words of 1-7 characters of the 36 classes."""
    out = []
    for _ in range(n_lines):
        words = ["".join(rng.choice(list(CLASSES), size=int(rng.integers(1, 8)))) for _ in range(int(rng.integers(2, 5)))]
        out.append(" ".join(words))
    return out


def split_renderer(folder: Path):
    """``render(char, rng, height_px)`` drawing a random image of that class from ``folder``'s
    valid split: its ink (1 - grey) cropped to the ink and scaled to the height (bilinear)."""
    from scipy import ndimage as ndi

    from nnrec.data import load_nist36
    from nnrec.data.glyph import from_nist_layout

    x, y = load_nist36(folder, "valid")
    by_class = {c: np.flatnonzero(np.asarray(y) == k) for k, c in enumerate(CLASSES)}

    def render(ch: str, rng: np.random.Generator, h: float) -> np.ndarray:
        idx = by_class[ch.upper()]
        ink = 1.0 - from_nist_layout(x[int(rng.choice(idx))]).astype(float)
        ys, xs = np.nonzero(ink > 0.1)
        ink = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        return np.clip(ndi.zoom(ink, h / ink.shape[0], order=1), 0.0, 1.0)

    return render


def add_periods(page, rng: np.random.Generator, height: float, p: float = 0.25) -> int:
    """Darken a round dot (a period) after the last character of some words, in place."""
    img = page.image.astype(float)
    r = max(1.0, 0.06 * height)
    k, n = 0, 0
    ends = []
    for line in page.lines:
        for w in line.split():
            k += len(w)
            ends.append(k - 1)
    for e in ends:
        if rng.random() >= p:
            continue
        y1, x1, y2, x2 = page.boxes[e]
        cy, cx = y2 - r, x2 + 0.2 * height + r
        yy, xx = np.ogrid[:img.shape[0], :img.shape[1]]
        disc = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
        img[disc] = img[disc] * 0.15 + 0.85 * np.array([30, 30, 90])
        n += 1
    page.image[...] = np.clip(img, 0, 255).round().astype(np.uint8)
    return n


def make_pages(cfg: dict, valid: Path | None, heights: list[int], per: int, seed: int) -> list[dict]:
    from nnrec.data.pages import compose_page

    sources = {"standin": None}
    if valid is not None:
        sources["valid"] = split_renderer(valid)
    pages = []
    for si, (src, render) in enumerate(sources.items()):
        for h in heights:
            for i in range(per):
                rng = np.random.default_rng([seed, si, h, i])
                gcfg = {**cfg["ocr"]["generated"], "char_height": h, "lighting": float(rng.uniform(0.1, 0.4)),
                        "noise": float(rng.uniform(0.01, 0.04))}
                page = compose_page(random_lines(rng, 6), rng, gcfg, cfg["standin"], render=render)
                periods = add_periods(page, rng, h)
                pages.append({"source": src, "height": h, "index": i, "page": page, "periods": periods})
    return pages


def score(page, det, line_params, iou_min: float) -> dict:
    from nnrec.ocr.lines import group_lines, word_breaks
    from nnrec.ocr.score import match_boxes

    m = match_boxes(det.boxes, page.boxes, iou_min)
    t_of_p = {i: j for i, j in m["pairs"]}
    p_of_t = {j: i for i, j in m["pairs"]}
    lines = group_lines(det.boxes, line_params)
    where = {}  # pred box -> (line, position)
    breaks = []
    for li, line in enumerate(lines):
        breaks.append(word_breaks(det.boxes, line, line_params))
        for pos, i in enumerate(line):
            where[i] = (li, pos)
    true_line = np.asarray(page.line_of_box)
    # true spaces: after character j (reading order) when a space follows it in its line
    space_after = []
    for line in page.lines:
        for w_i, w in enumerate(line.split()):
            space_after += [False] * (len(w) - 1) + [w_i < len(line.split()) - 1]
    lines_ok = 0
    for t in range(len(page.lines)):
        js = np.flatnonzero(true_line == t)
        pl = {where[p_of_t[j]][0] for j in js if j in p_of_t}
        if len(pl) == 1:
            (L,) = pl
            others = [t_of_p[i] for i in lines[L] if i in t_of_p and true_line[t_of_p[i]] != t]
            lines_ok += not others
    gaps = gaps_ok = spaces = spaces_found = 0
    for j in range(len(page.boxes) - 1):
        if true_line[j] != true_line[j + 1] or j not in p_of_t or j + 1 not in p_of_t:
            continue
        (la, pa), (lb, pb) = where[p_of_t[j]], where[p_of_t[j + 1]]
        if la != lb or pb != pa + 1:
            continue
        gaps += 1
        pred = breaks[la][pa]
        gaps_ok += pred == space_after[j]
        spaces += space_after[j]
        spaces_found += pred and space_after[j]
    return {"chars": m["true_chars"], "found": m["found"], "spurious": m["spurious"], "lines": len(page.lines),
            "lines_ok": lines_ok, "gaps": gaps, "gaps_ok": gaps_ok, "spaces": spaces, "spaces_found": spaces_found}


def total(rows: list[dict]) -> dict:
    keys = ("chars", "found", "spurious", "lines", "lines_ok", "gaps", "gaps_ok", "spaces", "spaces_found")
    t = {k: int(sum(r[k] for r in rows)) for k in keys}
    t["recall"] = t["found"] / max(t["chars"], 1)
    t["spurious_per_100"] = 100 * t["spurious"] / max(t["chars"], 1)
    t["line_acc"] = t["lines_ok"] / max(t["lines"], 1)
    t["gap_acc"] = t["gaps_ok"] / max(t["gaps"], 1)
    return t


def parse_grid(items: list[str]) -> dict:
    out = {}
    for it in items:
        k, sep, v = it.partition("=")
        if not sep:
            raise SystemExit(f"--grid {it!r}: expected section.knob=v1,v2")
        out[k] = [yaml.safe_load(x) for x in v.split(",")]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    ap.add_argument("--valid", type=Path, default=None, help="prepared NIST36 folder: its valid split writes the 'valid' pages")
    ap.add_argument("--heights", default="24,40,64,96", help="character heights (pixels)")
    ap.add_argument("--per", type=int, default=2, help="pages per source and height")
    ap.add_argument("--seed", type=int, default=14014)
    ap.add_argument("--grid", action="append", default=[], help="section.knob=v1,v2 (replaces the default grid)")
    ap.add_argument("--out")
    a = ap.parse_args()
    from nnrec.common import limit_blas_threads
    from nnrec.ocr.detect import detect

    limit_blas_threads(1)
    cfg = yaml.safe_load(a.config.read_text())
    ocr = cfg["ocr"]
    grid = parse_grid(a.grid) if a.grid else DEFAULT_GRID
    heights = [int(h) for h in a.heights.split(",")]
    t0 = time.perf_counter()
    pages = make_pages(cfg, a.valid, heights, a.per, a.seed)
    print(f"{len(pages)} pages composed in {time.perf_counter() - t0:.0f} s", flush=True)

    variants = [("config", None, None)] + [(k, k, v) for k, vals in grid.items() for v in vals]
    base_dets = {}
    results = []
    for name, knob, value in variants:
        det_p, line_p = dict(ocr["detect"]), dict(ocr["lines"])
        if knob:
            section, key = knob.split(".")
            {"detect": det_p, "lines": line_p}[section][key] = value
        rows, t1 = [], time.perf_counter()
        for k, pg in enumerate(pages):
            if knob is None or knob.startswith("detect."):
                det = detect(pg["page"].image, det_p)
                if knob is None:
                    base_dets[k] = det
            else:
                det = base_dets[k]
            rows.append({"source": pg["source"], "height": pg["height"], **score(pg["page"], det, line_p, ocr["iou_min"])})
        res = {"knob": knob or "config", "value": value if knob else None, "all": total(rows),
               "by_source": {s: total([r for r in rows if r["source"] == s]) for s in sorted({r["source"] for r in rows})},
               "by_height": {str(h): total([r for r in rows if r["height"] == h]) for h in heights},
               "seconds": time.perf_counter() - t1}
        results.append(res)
        t = res["all"]
        print(f"{res['knob']:28s} {str(value):>6s}  recall {100 * t['recall']:5.1f}  spurious/100 "
              f"{t['spurious_per_100']:5.1f}  lines {100 * t['line_acc']:5.1f}  gaps {100 * t['gap_acc']:5.1f}  "
              f"({res['seconds']:.0f} s)", flush=True)
    out = {"what": "ocr.detect / ocr.lines knobs, one at a time, on generated validation pages",
           "config": {"detect": ocr["detect"], "lines": ocr["lines"], "iou_min": ocr["iou_min"]},
           "pages": [{"source": p["source"], "height": p["height"], "index": p["index"],
                      "chars": int(len(p["page"].boxes)), "periods": p["periods"], "shape": list(p["page"].image.shape)}
                     for p in pages],
           "valid_folder": str(a.valid) if a.valid else None, "seed": a.seed, "results": results}
    write_result(a.out, out)


if __name__ == "__main__":
    main()
