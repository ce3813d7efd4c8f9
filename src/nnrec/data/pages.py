"""Generated pages: known text written with held-out stand-in characters.

The data layer's fallback for the OCR pages (``prepare_dataset("ocr_pages")`` when no source works)
and the OCR part's extra benchmark with exact truth both use these; the Q4.1 failure cases built on
them live in :mod:`nnrec.ocr.failures`.

A page is composed on a synthetic sheet of paper (uneven lighting, grain noise): each line of
text is written left to right with jittered letter gaps and wider word gaps (both relative to
the character height), a small baseline slant, and per-character size jitter. The true box of
every character (its ink's bounding box) is returned, so detection can be scored exactly.

Characters come from :func:`nnrec.data.standin.render_characters` with a generator seeded from
``ocr.generated.seed`` (never the stand-in's training seeds), so they are held out from training.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from scipy import ndimage as ndi

from nnrec.data.standin import render_characters

#: Defaults of ``config["ocr"]["generated"]``.
GENERATED_DEFAULTS = {
    "seed": 4720,
    "n_pages": 3,
    "char_height": 60,
    "texts": [
        ["HELLO WORLD", "NEURAL NETWORKS 2026", "READ THIS PAGE"],
        ["THE QUICK BROWN FOX", "JUMPS OVER 13 LAZY DOGS", "PACK MY BOX"],
        ["ABCDEFGHIJ KLMNOPQR", "STUVWXYZ 0123456789"],
    ],
    "letter_gap": [0.25, 0.45],   # x character height
    "word_gap": [1.1, 1.5],
    "line_spacing": 2.0,
    "slant": 0.02,                # max |baseline slope|
    "size_jitter": 0.12,
    "lighting": 0.25,             # paper brightness drop across the page
    "noise": 0.02,
}


@dataclass
class GeneratedPage:
    image: np.ndarray            # uint8 RGB
    lines: list[str]
    boxes: np.ndarray            # (n_chars, 4) true [y1, x1, y2, x2] in reading order
    line_of_box: list[int]


def resolve(cfg: dict | None) -> dict:
    out = dict(GENERATED_DEFAULTS)
    unknown = set(cfg or {}) - set(out)
    if unknown:
        raise ValueError(f"ocr.generated config: unknown key(s) {sorted(unknown)}")
    out.update(cfg or {})
    return out


def _paper(shape: tuple[int, int], rng: np.random.Generator, lighting: float, noise: float) -> np.ndarray:
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    ang = rng.uniform(0, 2 * np.pi)
    grad = (np.cos(ang) * xx + np.sin(ang) * yy)
    grad = (grad - grad.min()) / max(np.ptp(grad), 1e-9)
    paper = 0.9 - lighting * grad
    grain = ndi.gaussian_filter(rng.normal(0, 1, shape), 1.0)
    return paper + noise * grain / max(grain.std(), 1e-9)


def compose_page(lines: list[str], rng: np.random.Generator, cfg: dict | None = None,
                 standin_cfg: dict | None = None, ink_colour=(0.12, 0.12, 0.35),
                 render: Callable[[str, np.random.Generator, float], np.ndarray] | None = None) -> GeneratedPage:
    """Write ``lines`` on a synthetic page; return the image and the true character boxes.

    ``render(char, rng, height_px)`` gives each character's ink (float, ink 1 on paper 0, about
    ``height_px`` tall); by default the stand-in draws it (:func:`render_characters` with
    ``standin_cfg``). Another source, e.g. the images of a NIST36 valid split, writes real
    handwriting on the page."""
    if render is None:
        def render(ch, r, h):
            return render_characters([ch], r, standin_cfg, height_px=h)[0]
    c = resolve(cfg)
    H = float(c["char_height"])
    placed = []  # (line index, y, x, ink crop)
    y0 = 1.5 * H
    width = 0.0
    for li, text in enumerate(lines):
        slope = rng.uniform(-c["slant"], c["slant"])
        x = 1.0 * H + rng.uniform(0, 0.5) * H
        x_start = x
        chars = [ch for ch in text.upper()]
        for k, ch in enumerate(chars):
            if ch == " ":
                x += rng.uniform(*c["word_gap"]) * H - rng.uniform(*c["letter_gap"]) * H
                continue
            h_px = H * (1 + rng.uniform(-c["size_jitter"], c["size_jitter"]))
            ink = render(ch, rng, h_px)
            ys, xs = np.nonzero(ink > 0.5)
            ink = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
            y = y0 + slope * (x - x_start) - ink.shape[0] + rng.uniform(-0.05, 0.05) * H
            placed.append((li, int(round(y)), int(round(x)), ink))
            x += ink.shape[1] + rng.uniform(*c["letter_gap"]) * H
        width = max(width, x)
        y0 += c["line_spacing"] * H
    Himg = int(y0 - c["line_spacing"] * H + 1.5 * H)
    Wimg = int(width + 1.0 * H)
    paper = _paper((Himg, Wimg), rng, c["lighting"], c["noise"])
    ink_total = np.zeros((Himg, Wimg))
    boxes, line_of = [], []
    for li, y, x, ink in placed:
        y = max(0, y)
        h, w = ink.shape
        region = ink_total[y:y + h, x:x + w]
        region[...] = np.maximum(region, ink[:region.shape[0], :region.shape[1]])
        boxes.append([y, x, y + region.shape[0], x + region.shape[1]])
        line_of.append(li)
    rgb = np.stack([paper * (1 - ink_total) + col * ink_total for col in ink_colour], axis=-1)
    img = (np.clip(rgb, 0, 1) * 255).round().astype(np.uint8)
    return GeneratedPage(img, [" ".join(l.upper().split()) for l in lines],
                         np.array(boxes, dtype=np.int64).reshape(-1, 4), line_of)


def generated_pages(cfg: dict | None, standin_cfg: dict | None = None, names: list[str] | None = None):
    """Yield ``(name, GeneratedPage)`` for the configured pages (``gen_01``... unless ``names``)."""
    c = resolve(cfg)
    n = len(names) if names is not None else int(c["n_pages"])
    for i in range(n):
        name = names[i] if names is not None else f"gen_{i + 1:02d}"
        rng = np.random.default_rng([int(c["seed"]), i])
        yield name, compose_page(list(c["texts"][i % len(c["texts"])]), rng, c, standin_cfg)


def write_generated_pages(config: dict, out_dir: str | Path) -> dict[str, list[str]]:
    """Fallback of ``prepare_ocr_pages``: one generated page per stem of ``ocr.pages`` (so every
    per-page target still exists), written as quality-95 JPEGs; returns ``{stem: lines}``."""
    from skimage import io

    ocr = config.get("ocr", {})
    names = list(ocr.get("pages") or ["gen_01", "gen_02", "gen_03"])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    gt = {}
    for name, page in generated_pages(ocr.get("generated"), config.get("standin"), names=names):
        io.imsave(out_dir / f"{name}.jpg", page.image, quality=95, check_contrast=False)
        gt[name] = page.lines
    return gt
