"""Contact sheet of a NIST36-format split: ``per_class`` samples of each class, one row each."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from nnrec.data.glyph import from_nist_layout


def contact_sheet(x: np.ndarray, y: np.ndarray, per_class: int = 10, n_classes: int = 36,
                  gap: int = 2, gap_value: float = 0.6, classes: Sequence[int] | None = None) -> np.ndarray:
    """A (rows * (32 + gap) - gap, per_class * (32 + gap) - gap) float image: row ``r`` holds the
    first ``per_class`` samples of class ``classes[r]`` (default: every class 0..n_classes-1;
    upright; ``x`` is in the .mat layout, ``y`` integer labels). Missing samples are left as
    ``gap_value``."""
    x = np.asarray(x)
    y = np.asarray(y).reshape(-1)
    if x.ndim != 2 or x.shape[0] != y.shape[0]:
        raise ValueError(f"contact_sheet: x {x.shape} and y {y.shape} do not match")
    rows = list(range(n_classes)) if classes is None else [int(c) for c in classes]
    side = int(round(np.sqrt(x.shape[1])))
    step = side + gap
    out = np.full((len(rows) * step - gap, per_class * step - gap), gap_value, dtype=np.float32)
    for r, cls in enumerate(rows):
        idx = np.nonzero(y == cls)[0][:per_class]
        for j, i in enumerate(idx):
            out[r * step:r * step + side, j * step:j * step + side] = from_nist_layout(x[i])
    return out
