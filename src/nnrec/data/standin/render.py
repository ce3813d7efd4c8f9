"""Drawing one hand-printed character: skeleton -> jittered pen strokes -> ink raster.

``render_ink(char, rng, aug, height_px)`` returns a float ink-high crop (1 = ink, 0 = paper) of
one character, ``height_px`` pixels tall (before slant/rotation/elastic changes), drawn with a
pen whose width, pressure and stroke ends vary; it is what a page scan of the character looks
like after thresholding, before :func:`nnrec.data.glyph.normalise_glyph`. Every random draw
comes from ``rng`` (a ``numpy.random.Generator``); ``aug`` is ``config["standin"]["augment"]``.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from nnrec.data.standin.skeletons import ALLOGRAPHS

__all__ = ["AUGMENT_DEFAULTS", "render_ink", "stroke_points"]

#: Default augmentation ranges (``[lo, hi]`` are drawn uniformly per sample); mirrored by
#: ``standin.augment`` in config.yaml. Lengths are in units of the character height.
AUGMENT_DEFAULTS = {
    "jitter": 0.045,            # s.d. of each control point's displacement
    "end_extend": [-0.08, 0.15],  # each stroke end lengthened (+: overshoot) / shortened (-: gap)
    "aspect": [0.7, 1.9],       # width multiplier (log-uniform): narrow to squat writing
    "slant_deg": [-10.0, 35.0],  # shear, positive leans right
    "rotate_deg": [-6.0, 6.0],
    "elastic_amp": [0.0, 0.06],  # amplitude of a smooth random displacement field
    "elastic_freq": [0.4, 1.4],  # its spatial frequency, cycles per character height
    "pen_width": [0.06, 0.14],   # pen diameter at render time
    "pressure": [0.0, 0.25],     # relative pen-width variation along each stroke
    "end_taper": [0.6, 1.2],   # pen-width factor at each stroke end (taper < 1 < blob)
    "raster_blur": [0.0, 1.2],   # Gaussian sigma (render pixels) before thresholding
    "raster_noise": [0.0, 0.18],  # noise s.d. before thresholding: ragged stroke edges
    "bow": 0.03,                 # s.d. of the sag of each straight segment (x its length): curved lines
    "stroke_shift": 0.01,        # s.d. of each stroke's own displacement: gaps / overshoots at joins
    "retrace": 0.3,              # probability that a sample has a piece of one stroke drawn again ...
    "retrace_offset": [0.02, 0.06],  # ... this far beside it (character heights)
    "render_scale": [1.0, 1.0],  # x render_height for each stand-in sample (coarser rasters)
    "stroke_width_scale": [0.85, 1.15],  # x glyph.stroke_width for the normalised glyph
    "margin_jitter": 0.03,       # +- on glyph.margin: the character's scale in the box
    "shift_px": 1,               # +- whole-pixel shift of the normalised glyph in its box
    "blur": [0.0, 0.3],          # Gaussian sigma on the 32 x 32 glyph
    "noise": [0.0, 0.02],        # noise s.d. on the 32 x 32 glyph (then clipped to [0, 1])
}


def _u(rng, r):
    lo, hi = r
    return float(rng.uniform(lo, hi)) if hi > lo else float(lo)


def _catmull_rom(pts: np.ndarray, step: float) -> np.ndarray:
    """Uniform Catmull-Rom spline through ``pts`` (k, 2), sampled every ~``step``."""
    if len(pts) < 3:
        return _polyline(pts, step)
    p = np.vstack([2 * pts[0] - pts[1], pts, 2 * pts[-1] - pts[-2]])
    out = [pts[:1]]
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        n = max(2, int(np.ceil(np.linalg.norm(p2 - p1) / step)))
        t = np.linspace(0.0, 1.0, n + 1)[1:, None]
        t2, t3 = t * t, t * t * t
        seg = 0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                     + (-p0 + 3 * p1 - 3 * p2 + p3) * t3)
        out.append(seg)
    return np.vstack(out)


def _polyline(pts: np.ndarray, step: float, sag=None) -> np.ndarray:
    """Straight segments through ``pts`` sampled every ~``step``; ``sag`` (one value per segment,
    x its length) bows each segment into a quadratic curve (0: straight)."""
    out = [pts[:1]]
    for i, (a, b) in enumerate(zip(pts[:-1], pts[1:])):
        d = b - a
        n = max(1, int(np.ceil(np.linalg.norm(d) / step)))
        t = np.linspace(0.0, 1.0, n + 1)[1:, None]
        seg = a + d * t
        if sag is not None and sag[i] != 0.0:
            normal = np.array([-d[1], d[0]])  # length |d|: the sag is relative to the segment
            seg = seg + 4.0 * sag[i] * t * (1.0 - t) * normal  # peak sag at the middle
        out.append(seg)
    return np.vstack(out)


def _extend_ends(line: np.ndarray, e0: float, e1: float, step: float) -> np.ndarray:
    """Lengthen (e > 0) or shorten (e < 0) a dense polyline at its start (e0) and end (e1)."""
    def trim(line, e):
        if e >= 0:
            d = line[0] - line[min(2, len(line) - 1)]
            nrm = np.linalg.norm(d)
            if nrm == 0 or e == 0:
                return line
            n = max(1, int(np.ceil(e / step)))
            ext = line[0] + d / nrm * e * np.linspace(1.0, 0.0, n, endpoint=False)[:, None]
            return np.vstack([ext, line])
        seg = np.linalg.norm(np.diff(line, axis=0), axis=1)
        s = np.concatenate([[0.0], np.cumsum(seg)])
        keep = s >= min(-e, 0.45 * s[-1])
        return line[keep] if keep.sum() >= 2 else line
    line = trim(line, e0)
    return trim(line[::-1], e1)[::-1]


def _retrace(strokes: list, rng, offset) -> np.ndarray:
    """A piece (30-100 % of the length) of one random stroke, moved ``offset`` (a range, character
    heights) sideways: the pen going over a stroke again."""
    line = strokes[int(rng.integers(len(strokes)))]
    n = len(line)
    m = max(2, int(np.ceil(n * rng.uniform(0.3, 1.0))))
    i0 = int(rng.integers(0, n - m + 1))
    piece = line[i0:i0 + m]
    d = piece[-1] - piece[0]
    nrm = np.linalg.norm(d)
    normal = np.array([-d[1], d[0]]) / nrm if nrm > 0 else np.array([1.0, 0.0])
    side = 1.0 if rng.random() < 0.5 else -1.0
    return piece + side * _u(rng, offset) * normal


def stroke_points(char: str, rng: np.random.Generator, aug: dict, step: float = 0.02,
                  allograph: int | None = None):
    """The character's strokes after every geometric augmentation, as a list of dense (n, 2)
    arrays of (x, y) in character-height units, and the allograph index drawn (``allograph``
    forces one)."""
    if char not in ALLOGRAPHS:
        raise ValueError(f"standin: no skeleton for character {char!r} (classes: A-Z, 0-9)")
    options = ALLOGRAPHS[char]
    w = np.array([o[0] for o in options], dtype=float)
    k = int(rng.choice(len(options), p=w / w.sum()))
    if allograph is not None:
        if not 0 <= allograph < len(options):
            raise ValueError(f"standin: {char!r} has {len(options)} allographs, not {allograph + 1}")
        k = int(allograph)
    bow, shift = float(aug.get("bow", 0.0)), float(aug.get("stroke_shift", 0.0))
    strokes = []
    for kind, pts in options[k][1]:
        p = np.asarray(pts, dtype=float) + rng.normal(0.0, aug["jitter"], (len(pts), 2))
        if kind == "C":
            line = _catmull_rom(p, step)
        else:
            line = _polyline(p, step, rng.normal(0.0, bow, len(p) - 1) if bow > 0 else None)
        line = _extend_ends(line, _u(rng, aug["end_extend"]), _u(rng, aug["end_extend"]), step)
        if shift > 0:
            line = line + rng.normal(0.0, shift, 2)
        strokes.append(line)
    retrace = float(aug.get("retrace", 0.0))
    if retrace > 0 and rng.random() < retrace:
        strokes.append(_retrace(strokes, rng, aug.get("retrace_offset", [0.02, 0.06])))
    allp = np.vstack(strokes)
    centre = 0.5 * (allp.min(axis=0) + allp.max(axis=0))
    lo, hi = aug["aspect"]
    aspect = float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) if hi > lo else float(lo)
    sh = np.tan(np.deg2rad(_u(rng, aug["slant_deg"])))
    rot = np.deg2rad(_u(rng, aug["rotate_deg"]))
    c, s = np.cos(rot), np.sin(rot)
    # x' = aspect * x - shear * y (y down: top leans right), then rotation
    m = np.array([[c, -s], [s, c]]) @ np.array([[aspect, -sh], [0.0, 1.0]])
    amp = _u(rng, aug["elastic_amp"])
    waves = []
    for _ in range(2):  # x and y displacement: sums of two random plane waves each
        f = _u(rng, aug["elastic_freq"]) * 2 * np.pi
        th = rng.uniform(0, 2 * np.pi, 2)
        ph = rng.uniform(0, 2 * np.pi, 2)
        waves.append((f, th, ph))
    out = []
    for line in strokes:
        q = (line - centre) @ m.T
        if amp > 0:
            disp = []
            for f, th, ph in waves:
                v = sum(np.sin(f * (q[:, 0] * np.cos(t) + q[:, 1] * np.sin(t)) + p_)
                        for t, p_ in zip(th, ph)) / 2.0
                disp.append(v)
            q = q + amp * np.stack(disp, axis=1)
        out.append(q)
    return out, k


def _pen_profile(line: np.ndarray, rng, aug) -> np.ndarray:
    """Per-point pen-width factor: smooth pressure variation and tapered / blobbed ends."""
    seg = np.linalg.norm(np.diff(line, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    L = max(s[-1], 1e-6)
    p = _u(rng, aug["pressure"])
    lam = rng.uniform(0.5, 1.5)
    f = 1.0 + p * np.sin(2 * np.pi * s / lam + rng.uniform(0, 2 * np.pi))
    e0, e1 = _u(rng, aug["end_taper"]), _u(rng, aug["end_taper"])
    ramp = min(0.12, 0.3 * L)
    w0 = np.clip(1.0 - s / ramp, 0.0, 1.0)
    w1 = np.clip(1.0 - (L - s) / ramp, 0.0, 1.0)
    return f * (1.0 + (e0 - 1.0) * w0 + (e1 - 1.0) * w1)


def render_ink(char: str, rng: np.random.Generator, aug: dict | None = None,
               height_px: float = 40.0, allograph: int | None = None) -> np.ndarray:
    """One hand-printed ``char`` as a float ink crop (ink 1, paper 0), ~``height_px`` tall
    (``allograph`` forces one of its allographs, for previews and tests)."""
    aug = {**AUGMENT_DEFAULTS, **(aug or {})}
    step = 1.0 / height_px  # one render pixel
    strokes, _ = stroke_points(char, rng, aug, step=step, allograph=allograph)
    radius = 0.5 * _u(rng, aug["pen_width"]) * height_px
    profiles = [_pen_profile(line, rng, aug) for line in strokes]
    pts = np.vstack(strokes) * height_px
    rad = np.maximum(0.5, radius * np.concatenate(profiles))
    pad = int(np.ceil(rad.max())) + 3
    lo = np.floor(pts.min(axis=0)) - pad
    ij = np.round(pts - lo).astype(int)  # (x, y) pixel of each centre-line point
    W, H = ij.max(axis=0) + pad + 1
    rgrid = np.zeros((H, W))
    # where centre lines cross, keep the larger radius
    order = np.argsort(rad)
    rgrid[ij[order, 1], ij[order, 0]] = rad[order]
    dist, (iy, ix) = ndimage.distance_transform_edt(rgrid == 0, return_indices=True)
    ink = np.clip(rgrid[iy, ix] + 0.5 - dist, 0.0, 1.0)
    sigma = _u(rng, aug["raster_blur"])
    if sigma > 0.05:
        ink = ndimage.gaussian_filter(ink, sigma)
    noise = _u(rng, aug["raster_noise"])
    if noise > 0:  # only near the strokes (ragged edges), no specks on the paper
        near = ndimage.maximum_filter(ink, 3) > 0.05
        ink = ink + near * rng.normal(0.0, noise, ink.shape)
    return np.clip(ink, 0.0, 1.0)
