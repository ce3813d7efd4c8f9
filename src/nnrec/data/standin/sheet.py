"""Contact sheet of a NIST36-format split: ``per_class`` samples of each class, one row each."""

from __future__ import annotations

import numpy as np

from nnrec.data.glyph import from_nist_layout


def contact_sheet(x: np.ndarray, y: np.ndarray, per_class: int = 10, n_classes: int = 36,
                  gap: int = 2, gap_value: float = 0.6) -> np.ndarray:
    """A (n_classes * (32 + gap) - gap, per_class * (32 + gap) - gap) float image: row ``c``
    holds the first ``per_class`` samples of class ``c`` (upright; ``x`` is in the .mat layout,
    ``y`` integer labels). Missing samples are left as ``gap_value``."""
    x = np.asarray(x)
    y = np.asarray(y).reshape(-1)
    if x.ndim != 2 or x.shape[0] != y.shape[0]:
        raise ValueError(f"contact_sheet: x {x.shape} and y {y.shape} do not match")
    side = int(round(np.sqrt(x.shape[1])))
    step = side + gap
    out = np.full((n_classes * step - gap, per_class * step - gap), gap_value, dtype=np.float32)
    for c in range(n_classes):
        idx = np.nonzero(y == c)[0][:per_class]
        for j, i in enumerate(idx):
            out[c * step:c * step + side, j * step:j * step + side] = from_nist_layout(x[i])
    return out
