"""The topology of a normalised glyph: its closed loops and its stroke ends.

Two counts that tell apart kinds of shapes within a class, on a 32 x 32 glyph as ``normalise_glyph``
writes it: a 2 with a closed loop at its foot, a 6 or 9 whose loop is left open (or filled), a 4 whose
bar stops at the stem, a 5 drawn in one stroke. ``benchmarks/bench_topology.py`` compares how often
each (holes, ends) pair occurs in the stand-in and in real hand-printing (the EMNIST substitute's
train split, the development sets), and how well a network reads each kind.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

#: signature bins: holes 0..MAX_HOLES x stroke ends 0..MAX_ENDS (larger counts fall in the last bin)
MAX_HOLES = 2
MAX_ENDS = 4
N_BINS = (MAX_HOLES + 1) * (MAX_ENDS + 1)

_EIGHT = np.ones((3, 3), dtype=np.int32)


def topology_signature(glyph: np.ndarray, threshold: float = 0.5) -> tuple[int, int]:
    """``(holes, ends)`` of a glyph (ink dark, paper light; any orientation): the closed loops of
    its ink (background components not touching the border, 4-connected) and the end points of its
    skeleton (skeleton pixels with exactly one 8-neighbour)."""
    from skimage.morphology import skeletonize

    ink = np.asarray(glyph) < threshold
    if ink.ndim != 2:
        raise ValueError(f"topology_signature: expected a 2-D glyph, got shape {ink.shape}")
    if not ink.any():
        return 0, 0
    bg, n = ndimage.label(~ink)  # 4-connected background
    border = np.unique(np.concatenate([bg[0], bg[-1], bg[:, 0], bg[:, -1]]))
    holes = int(n - np.count_nonzero(border))
    sk = skeletonize(ink)
    neighbours = ndimage.convolve(sk.astype(np.int32), _EIGHT, mode="constant") - 1
    ends = int(np.count_nonzero(sk & (neighbours == 1)))
    return holes, ends


def signature_bin(holes: int, ends: int) -> int:
    """The histogram bin of a signature (counts above the maxima share the last bin)."""
    return min(int(holes), MAX_HOLES) * (MAX_ENDS + 1) + min(int(ends), MAX_ENDS)

