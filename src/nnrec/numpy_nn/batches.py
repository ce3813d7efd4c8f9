"""Random mini-batches (Q2.4), seeded through an explicit numpy Generator."""

from __future__ import annotations

import numpy as np


def batch_indices(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch's batches as index arrays: a permutation of range(n) cut into ``batch_size`` chunks
    (the last one may be smaller). Exactly one ``rng.permutation(n)`` draw per call."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    perm = rng.permutation(n)
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


def get_random_batches(x, y, batch_size: int, rng: np.random.Generator) -> list[tuple]:
    """Split (x, y) into random batches [(xb, yb), ...] covering every example once."""
    if len(x) != len(y):
        raise ValueError(f"get_random_batches: x has {len(x)} rows but y has {len(y)}")
    return [(x[idx], y[idx]) for idx in batch_indices(len(x), batch_size, rng)]


def run_rngs(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """The two Generators of a training run: (init_rng, batch_rng), independent streams of ``seed``.

    init_rng draws the initial weights (``init_mlp``); batch_rng draws one permutation per epoch
    (``batch_indices``). Rebuilding a run elsewhere with the same seed gives the same weights and batches.
    """
    return np.random.default_rng([int(seed), 0]), np.random.default_rng([int(seed), 1])
