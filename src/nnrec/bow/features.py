"""HW1 bag-of-visual-words features: filter bank, visual words, spatial-pyramid histograms.

All functions work on one image at a time and are pure (no I/O); the pipeline in
:mod:`nnrec.bow.pipeline` strings them together.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

#: The four HW1 filter types, applied to each Lab channel at every scale.
FILTERS = ("gaussian", "log", "dx", "dy")


def to_lab(img: np.ndarray) -> np.ndarray:
    """RGB image (H, W, 3) uint8 or float in [0, 1] -> CIE Lab float32 (H, W, 3)."""
    from skimage.color import rgb2lab

    img = np.asarray(img)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    if img.ndim != 3 or img.shape[2] not in (3, 4):
        raise ValueError(f"expected an RGB image (H, W, 3), got shape {img.shape}")
    img = img[..., :3]
    if img.dtype == np.uint8:
        img = img.astype(np.float32) / 255.0
    return rgb2lab(np.clip(img, 0.0, 1.0)).astype(np.float32)


def filter_responses(img: np.ndarray, scales: list[float]) -> np.ndarray:
    """HW1 filter bank responses: (H, W, 3 * 4 * len(scales)) float32.

    For each scale s and each filter type (Gaussian, Laplacian of Gaussian, x and y derivatives of
    a Gaussian), the filter is applied to the L, a and b channels; channel order is scale-major,
    then filter, then Lab channel (as in the HW1 reference). For speed the Lab image is smoothed
    once per scale and the other three responses are taken from the smoothed image with discrete
    operators (central differences, 5-point Laplacian), which equals the derivative-of-Gaussian
    filters up to discretisation (4-5x faster than four separate Gaussian filterings).
    """
    if len(scales) == 0:
        raise ValueError("filter_responses: at least one scale is needed")
    lab = to_lab(img)
    out = []
    for s in scales:
        if s <= 0:
            raise ValueError(f"filter_responses: scales must be positive, got {s}")
        g = ndimage.gaussian_filter(lab, (s, s, 0), mode="reflect")
        lap = ndimage.correlate1d(g, [1.0, -2.0, 1.0], axis=0, mode="reflect") + ndimage.correlate1d(
            g, [1.0, -2.0, 1.0], axis=1, mode="reflect"
        )
        dx = ndimage.correlate1d(g, [-0.5, 0.0, 0.5], axis=1, mode="reflect")
        dy = ndimage.correlate1d(g, [-0.5, 0.0, 0.5], axis=0, mode="reflect")
        out.extend([g, lap, dx, dy])
    return np.concatenate(out, axis=-1).astype(np.float32)


def visual_words(responses: np.ndarray, dictionary: np.ndarray) -> np.ndarray:
    """Map every pixel's response vector to the index of its nearest dictionary word (H, W) int."""
    h, w, d = responses.shape
    if dictionary.ndim != 2 or dictionary.shape[1] != d:
        raise ValueError(f"dictionary shape {dictionary.shape} does not match {d} filter responses")
    x = responses.reshape(-1, d).astype(np.float32)
    c = dictionary.astype(np.float32)
    # squared distance up to the per-pixel constant |x|^2
    dist = (c * c).sum(1)[None, :] - 2.0 * x @ c.T
    return dist.argmin(1).reshape(h, w)


def word_histogram(wordmap: np.ndarray, k: int) -> np.ndarray:
    """L1-normalised histogram of the words in ``wordmap`` (k bins); all zeros for an empty map."""
    counts = np.bincount(np.asarray(wordmap).ravel(), minlength=k)[:k].astype(np.float64)
    total = counts.sum()
    return counts / total if total > 0 else counts


def pyramid_weights(n_layers: int) -> list[float]:
    """HW1 spatial-pyramid layer weights for layers l = 0..L (L = n_layers - 1).

    Layers 0 and 1 get 2^-L, layer l >= 2 gets 2^(l-L-1) (Lazebnik et al. 2006). With one layer
    the single weight is 1.
    """
    if n_layers < 1:
        raise ValueError("n_layers must be at least 1")
    big_l = n_layers - 1
    if big_l == 0:
        return [1.0]
    return [2.0 ** (-big_l) if l <= 1 else 2.0 ** (l - big_l - 1) for l in range(n_layers)]


def spatial_pyramid_histogram(wordmap: np.ndarray, k: int, n_layers: int) -> np.ndarray:
    """Concatenated, weighted spatial-pyramid histogram of a word map.

    Layer l splits the image into 2^l x 2^l cells (rows and columns as equal as the size allows);
    each cell's histogram is normalised by the total pixel count of the image, so that every layer
    sums to 1 before weighting; the weighted layers sum to 1 overall (weights sum to 1).
    Length k * (4^n_layers - 1) / 3.
    """
    wordmap = np.asarray(wordmap)
    if wordmap.ndim != 2:
        raise ValueError(f"word map must be 2-D, got shape {wordmap.shape}")
    h, w = wordmap.shape
    total = float(h * w)
    weights = pyramid_weights(n_layers)
    parts = []
    for l, wt in enumerate(weights):
        n = 2**l
        rows = np.linspace(0, h, n + 1).round().astype(int)
        cols = np.linspace(0, w, n + 1).round().astype(int)
        for i in range(n):
            for j in range(n):
                cell = wordmap[rows[i] : rows[i + 1], cols[j] : cols[j + 1]]
                counts = np.bincount(cell.ravel(), minlength=k)[:k].astype(np.float64)
                parts.append(wt * counts / total)
    return np.concatenate(parts)
