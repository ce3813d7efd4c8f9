"""Assemble the NIST36 stand-in: seeded samples -> normalised glyphs -> the real .mat format.

Every sample has its own seed, ``SeedSequence([seed, split, class, index])``, so a sample does not
depend on the number of workers, on the other splits or on the counts of other classes: the same
config gives identical bytes, and raising a count only appends samples. With ``standin.resample``
a digit's index is that of the candidate kept (:mod:`nnrec.data.standin.resample`), which keeps all
of this true.
"""

from __future__ import annotations

import copy
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy import ndimage

from nnrec.common import atomic_path, limit_blas_threads
from nnrec.data.glyph import GLYPH_DEFAULTS, normalise_glyph, to_nist_layout
from nnrec.data.standin.render import AUGMENT_DEFAULTS, render_ink
from nnrec.data.standin.resample import class_model, coarse_features, keep_probability, log_odds
from nnrec.data.standin.skeletons import CLASSES

__all__ = ["DEFAULTS", "SPLITS", "resolve", "make_glyph", "generate_split", "generate_nist36",
           "render_characters", "glyph_kwargs"]

SPLITS = ("train", "valid", "test")

#: Defaults of ``config["standin"]`` (config.yaml sets every one of them explicitly).
DEFAULTS = {
    "seed": 3672,
    "counts": {"train": 300, "valid": 100, "test": 50},  # per class
    "render_height": 40,     # character height (px) when the strokes are rasterised
    "workers": 1,            # processes (the data rule passes its threads)
    "compress": True,        # savemat(do_compression=...)
    "resample": True,        # digits kept with a probability that favours real NIST's layout (.resample)
    "glyph": dict(GLYPH_DEFAULTS),
    "augment": dict(AUGMENT_DEFAULTS),
}


def resolve(cfg: dict | None) -> dict:
    """``cfg`` (``config["standin"]``, possibly partial) completed with :data:`DEFAULTS`."""
    cfg = copy.deepcopy(cfg or {})
    out = copy.deepcopy(DEFAULTS)
    for key, val in cfg.items():
        if key not in out:
            raise ValueError(f"standin config: unknown key {key!r} (known: {sorted(out)})")
        if isinstance(out[key], dict):
            unknown = set(val) - set(out[key])
            if unknown:
                raise ValueError(f"standin config: unknown key(s) {sorted(unknown)} in {key!r}")
            out[key].update(val)
        else:
            out[key] = val
    return out


def glyph_kwargs(cfg: dict | None = None) -> dict:
    """The keyword arguments of :func:`normalise_glyph` for this config (what OCR should use)."""
    return dict(resolve(cfg)["glyph"])


def _u(rng, r):
    lo, hi = r
    return float(rng.uniform(lo, hi)) if hi > lo else float(lo)


def make_glyph(char: str, rng: np.random.Generator, cfg: dict) -> np.ndarray:
    """One augmented stand-in sample of ``char``: upright (32, 32) float32, ink 0, paper 1.
    ``cfg`` must be resolved (:func:`resolve`)."""
    aug, g = cfg["augment"], dict(cfg["glyph"])
    # a coarser raster for some samples (what a small scan looks like before the normalisation);
    # the raster blur is in render pixels, so it shrinks with the raster (same blur per height)
    scale = _u(rng, aug["render_scale"])
    ink = render_ink(char, rng, aug if scale == 1.0 else
                     dict(aug, raster_blur=[v * scale for v in aug["raster_blur"]]),
                     height_px=cfg["render_height"] * scale)
    g["stroke_width"] = g["stroke_width"] * _u(rng, aug["stroke_width_scale"])
    mj = aug["margin_jitter"]
    g["margin"] = float(np.clip(g["margin"] + rng.uniform(-mj, mj), 0.0, 0.45))
    img = normalise_glyph(ink, **g)
    s = int(aug["shift_px"])
    if s > 0:
        dy, dx = rng.integers(-s, s + 1, 2)
        img = ndimage.shift(img, (dy, dx), order=0, mode="constant", cval=1.0)
    sigma = _u(rng, aug["blur"])
    if sigma > 0.05:
        img = ndimage.gaussian_filter(img, sigma, mode="nearest")
    noise = _u(rng, aug["noise"])
    if noise > 0:
        img = img + rng.normal(0.0, noise, img.shape)
    return np.clip(img, 0.0, 1.0).astype(np.float32)


def _sample_rng(seed: int, split: str, cls: int, i: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), SPLITS.index(split), cls, i]))


def _class_block(args) -> np.ndarray:
    """The ``n`` samples of class ``cls``. With ``resample`` on, a digit drawn from candidate seed j
    is kept with :func:`~nnrec.data.standin.resample.keep_probability` (a uniform from the same
    candidate's generator decides), and the next candidate is tried until ``n`` are kept; off (and
    for the letters) candidate i is sample i."""
    cfg, split, cls, n = args
    model = class_model(CLASSES[cls]) if cfg["resample"] else None
    out = np.empty((n, 1024), dtype=np.float64)
    j, limit = 0, 50 * n + 100
    for i in range(n):
        while True:
            if j >= limit:
                raise RuntimeError(f"standin: resampling class {CLASSES[cls]!r} kept {i} of {n} samples in "
                                   f"{limit} draws; refit nnrec.data.standin.resample_table for this generator")
            rng = _sample_rng(cfg["seed"], split, cls, j)
            j += 1
            v = to_nist_layout(make_glyph(CLASSES[cls], rng, cfg))
            if model is None:
                break
            z = log_odds(model, coarse_features(v[None, :], model["grid"]))[0]
            if rng.random() < keep_probability(z, model["z0"]):
                break
        out[i] = v
    return out


def generate_split(cfg: dict | None, split: str, workers: int | None = None):
    """``(data, labels)`` of one split in NIST36's layout: data (N, 1024) float64 in [0, 1]
    (each image transposed), labels (N, 36) one-hot float64, classes A-Z then 0-9, grouped by
    class in class order."""
    cfg = resolve(cfg)
    jobs = _split_jobs(cfg, split)
    workers = int(workers or cfg.get("workers") or 1)
    if workers > 1:
        with _pool(workers) as ex:
            blocks = list(ex.map(_class_block, jobs))
    else:
        with _one_blas_thread():
            blocks = [_class_block(j) for j in jobs]
    return _assemble(blocks, jobs[0][3])


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes with one BLAS thread each: a glyph's matrix products are tiny, and a
    BLAS pool per worker (as many threads as cores) oversubscribes the cores (on 2 cores all
    16,200 images with standin.resample on took 61 s this way and 36 s with one thread each,
    benchmarks/bench_standin.py --workers 2)."""
    return ProcessPoolExecutor(max_workers=workers, initializer=limit_blas_threads, initargs=(1,))


def _one_blas_thread():
    """One BLAS thread in this process for a ``with`` block (the caller's limits come back)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _split_jobs(cfg: dict, split: str) -> list[tuple]:
    """One job per class (in class order) for :func:`_class_block`; ``cfg`` resolved."""
    if split not in SPLITS:
        raise ValueError(f"standin: unknown split {split!r} (expected one of {SPLITS})")
    n = int(cfg["counts"][split])
    if n < 1:
        raise ValueError(f"standin: counts.{split} must be >= 1, got {n}")
    return [(cfg, split, c, n) for c in range(len(CLASSES))]


def _assemble(blocks: list[np.ndarray], n: int):
    """The class blocks (class order, ``n`` samples each) as ``(data, labels)``."""
    data = np.concatenate(blocks)
    labels = np.zeros((len(data), len(CLASSES)), dtype=np.float64)
    labels[np.arange(len(data)), np.repeat(np.arange(len(CLASSES)), n)] = 1.0
    return data, labels


def generate_nist36(cfg: dict | None, out_dir, workers: int | None = None) -> dict[str, Path]:
    """Write ``nist36_{train,valid,test}.mat`` (keys ``<split>_data``, ``<split>_labels``, as in
    the course's data.zip) into ``out_dir``, atomically; return ``{split: path}``."""
    from scipy.io import savemat

    cfg = resolve(cfg)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = {split: _split_jobs(cfg, split) for split in SPLITS}
    workers = int(workers or cfg.get("workers") or 1)
    paths = {}

    def write(split, data, labels):
        path = out_dir / f"nist36_{split}.mat"
        with atomic_path(path) as tmp:
            savemat(tmp, {f"{split}_data": data, f"{split}_labels": labels},
                    do_compression=bool(cfg["compress"]), oned_as="row")
            _fix_header(tmp, cfg["seed"])
        paths[split] = path

    if workers > 1:
        # one pool for the three splits: the workers go on with the next split's classes while
        # this process writes (compresses) a finished one, and no split waits on its last class
        with _pool(workers) as ex:
            futures = {split: [ex.submit(_class_block, j) for j in jobs[split]] for split in SPLITS}
            try:
                for split in SPLITS:
                    write(split, *_assemble([f.result() for f in futures[split]], jobs[split][0][3]))
            except BaseException:
                ex.shutdown(wait=True, cancel_futures=True)  # fail now, not after every class
                raise
    else:
        for split in SPLITS:
            write(split, *generate_split(cfg, split, 1))
    return paths


def _fix_header(path: Path, seed: int) -> None:
    """Replace the 116-byte text of a MAT-5 header (scipy writes the current time there) with a
    fixed one, so that the same config gives identical bytes."""
    text = f"MATLAB 5.0 MAT-file, Platform: posix, Created by: nnrec.data.standin (seed {int(seed)})"
    blob = text.encode("ascii")[:116].ljust(116, b" ")
    with open(path, "r+b") as fh:
        head = fh.read(116)
        if not head.startswith(b"MATLAB 5.0 MAT-file"):
            raise ValueError(f"{path}: not a MAT-5 file header")
        fh.seek(0)
        fh.write(blob)


def render_characters(text_chars, rng: np.random.Generator, cfg: dict | None = None,
                      height_px: float = 80.0) -> list[np.ndarray]:
    """Ink crops (float, ink 1 on paper 0, ~``height_px`` tall, pen width scaled with it) of
    each character of ``text_chars`` (A-Z, 0-9; lower case is upper-cased), for composing
    generated pages. Draws from ``rng`` (pass a generator seeded apart from the training splits
    so that page characters are held out). No normalisation: the OCR step does that."""
    aug = resolve(cfg)["augment"]
    out = []
    for ch in text_chars:
        c = str(ch).upper()
        if c not in CLASSES:
            raise ValueError(f"render_characters: {ch!r} is not one of the 36 NIST36 classes")
        out.append(render_ink(c, rng, aug, height_px=height_px))
    return out
