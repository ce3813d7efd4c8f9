"""Visual-word dictionary: random pixel sampling and k-means (k-means++ initialisation)."""

from __future__ import annotations

import numpy as np


def sample_pixels(responses: np.ndarray, alpha: int, rng: np.random.Generator) -> np.ndarray:
    """``alpha`` random pixels' response vectors (without replacement when possible): (alpha, D)."""
    h, w, d = responses.shape
    n = h * w
    idx = rng.choice(n, size=alpha, replace=alpha > n)
    return responses.reshape(n, d)[idx]


def _sq_dist(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.maximum((x * x).sum(1)[:, None] - 2.0 * x @ c.T + (c * c).sum(1)[None, :], 0.0)


def kmeans(
    x: np.ndarray, k: int, rng: np.random.Generator, iters: int = 50, tol: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, float]:
    """Lloyd's k-means with k-means++ seeding.

    Returns ``(centres (k, D), labels (N,), inertia)``. An emptied cluster is re-seeded with the
    point farthest from its centre. Stops when the relative change of inertia is below ``tol``.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    if k < 1 or k > n:
        raise ValueError(f"kmeans: need 1 <= k <= number of points, got k={k}, n={n}")
    centres = np.empty((k, x.shape[1]))
    centres[0] = x[rng.integers(n)]
    d2 = _sq_dist(x, centres[:1])[:, 0]
    for i in range(1, k):
        p = d2 / d2.sum() if d2.sum() > 0 else np.full(n, 1.0 / n)
        centres[i] = x[rng.choice(n, p=p)]
        d2 = np.minimum(d2, _sq_dist(x, centres[i : i + 1])[:, 0])
    prev = np.inf
    labels = np.zeros(n, dtype=np.int64)
    inertia = np.inf
    for _ in range(iters):
        dist = _sq_dist(x, centres)
        labels = dist.argmin(1)
        mind = dist[np.arange(n), labels]
        inertia = float(mind.sum())
        counts = np.bincount(labels, minlength=k)
        sums = np.zeros_like(centres)
        np.add.at(sums, labels, x)
        for j in np.flatnonzero(counts == 0):
            far = int(mind.argmax())
            sums[j], counts[j], mind[far] = x[far], 1, 0.0
        centres = sums / counts[:, None]
        if prev - inertia <= tol * max(inertia, 1e-12):
            break
        prev = inertia
    return centres, labels, inertia
