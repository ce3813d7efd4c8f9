"""Real handwritten character images -> NIST36 rows, through the one glyph normalisation.

The EMNIST substitute (:mod:`nnrec.data.emnist`) and the development sets
(:mod:`nnrec.data.devsets`) turn each native image into what a Q4 page character becomes:
:func:`nnrec.data.glyph.normalise_glyph` (ink found on the native image, stroke width and frame
as ``standin.glyph`` says) then :func:`nnrec.data.glyph.to_nist_layout`.
"""

from __future__ import annotations

import logging
from concurrent.futures import ProcessPoolExecutor
from typing import Sequence

import numpy as np

from nnrec.common import Progress
from nnrec.data.fetch import DataError
from nnrec.data.glyph import normalise_glyph, to_nist_layout

log = logging.getLogger("nnrec.data")

#: images per work unit (a progress line each; the pool's unit of work)
CHUNK = 1000


def ink_level(img: np.ndarray) -> np.ndarray:
    """An ink-high image as float64 in [0, 1]: uint8 is divided by 255, floats are kept."""
    a = np.asarray(img)
    return a / 255.0 if a.dtype == np.uint8 else a.astype(np.float64)


def _rows(args) -> np.ndarray:
    inks, names, glyph = args
    out = np.empty((len(inks), 1024), dtype=np.float32)
    for i, (ink, name) in enumerate(zip(inks, names)):
        try:
            out[i] = to_nist_layout(normalise_glyph(ink_level(ink), **glyph))
        except ValueError as exc:
            raise DataError(f"{name}: {exc}") from None
    return out


def to_nist_rows(inks: Sequence[np.ndarray], names: Sequence[str], glyph: dict, workers: int = 1,
                 logger: logging.Logger = log, what: str = "images") -> np.ndarray:
    """Normalise each ink-high image (uint8 0-255 or float in [0, 1], any size) to a NIST36 row.

    Returns float32 (N, 1024) in the .mat layout (each 32 x 32 image transposed), dark ink (0)
    on light (1). ``names`` label each image in error messages (file and position). ``glyph``
    holds :func:`normalise_glyph`'s knobs. ``workers`` > 1 uses that many processes; the result
    is the same for any number. An image without ink raises :class:`DataError` naming it.
    """
    if len(inks) != len(names):
        raise ValueError(f"to_nist_rows: {len(inks)} images but {len(names)} names")
    if len(inks) == 0:
        return np.empty((0, 1024), dtype=np.float32)
    jobs = [(inks[i:i + CHUNK], names[i:i + CHUNK], dict(glyph)) for i in range(0, len(inks), CHUNK)]
    progress = Progress(logger, len(jobs), what=f"{what}: chunk")
    blocks = []
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as ex:
            for i, block in enumerate(ex.map(_rows, jobs), 1):
                blocks.append(block)
                progress.step(i, images=sum(len(b) for b in blocks))
    else:
        for i, job in enumerate(jobs, 1):
            blocks.append(_rows(job))
            progress.step(i, images=sum(len(b) for b in blocks))
    return np.concatenate(blocks)


def per_class_counts(y: np.ndarray, classes: Sequence[str]) -> dict[str, int]:
    """``{class name: count}`` for the classes present in ``y`` (integer labels into ``classes``)."""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=len(classes))
    return {classes[c]: int(n) for c, n in enumerate(counts) if n}
