"""The one glyph normalisation shared by the NIST36 stand-in generator and the OCR step.

A character crop (ink high) becomes a 32 x 32 float32 image in [0, 1] with dark ink (0) on a
light background (1), upright, in four steps:

1. crop to the ink's bounding box (pixels above ``threshold``), upsampled until its longer side is
   at least ``work_size`` pixels: a grey crop is interpolated before the cut at ``threshold`` (a
   smooth outline, as the OCR crop path gives a page character), a binary one repeated;
2. match the stroke width: the crop is binarised, its stroke width estimated from the distance
   transform along the skeleton, and the ink boundary moved (a signed-distance dilation or
   erosion, sub-pixel) so that the stroke will be ``stroke_width`` pixels wide at 32 x 32;
3. pad to a square whose side leaves ``margin`` (a fraction of the side) of background on each
   side of the longer dimension, the ink centred. What fills that frame is the strokes' centre
   lines plus the new stroke width (``frame="centre_lines"``), so a character written with a fine
   pen and the same one written with a marker come out the same size; ``frame="ink"`` frames
   the ink as it was before its width changed;
4. resize to ``size`` x ``size`` with anti-aliasing (area averaging) and invert.

The knobs are keyword arguments; the ``standin:`` config section exposes the same names under
``standin.glyph`` so that the generator and the OCR step use identical values.

NIST36's ``.mat`` files store each image transposed: ``to_nist_layout`` / ``from_nist_layout``
convert between an upright 32 x 32 image and that (1024,) row.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

__all__ = ["GLYPH_DEFAULTS", "FRAMES", "normalise_glyph", "to_nist_layout", "from_nist_layout",
           "estimate_stroke_width", "interpolate_cut"]

#: Defaults of :func:`normalise_glyph`'s knobs (mirrored by ``standin.glyph`` in config.yaml).
GLYPH_DEFAULTS = {
    "size": 32,
    "margin": 0.12,
    "stroke_width": 3.0,
    "threshold": 0.5,
    "work_size": 64,
    "frame": "centre_lines",
}

#: What fills the frame (``margin``): ``"centre_lines"``, the strokes' centre lines plus the target
#: stroke width (a character comes out the same size whatever its strokes' width), or ``"ink"``,
#: the crop's ink before its width is changed (the normalisation before issue 15's fix: a
#: thin-stroked character came out larger than a thick-stroked one).
FRAMES = ("centre_lines", "ink")


def estimate_stroke_width(ink: np.ndarray, dist: np.ndarray | None = None) -> float:
    """Median stroke width (pixels) of a binary ink mask, from the distance transform on its
    skeleton: a stroke ``w`` pixels wide has distance about ``(w + 1) / 2`` at its centre line.
    ``dist`` may pass the mask's (inside) Euclidean distance transform if already computed."""
    from skimage.morphology import skeletonize

    ink = np.asarray(ink, dtype=bool)
    if not ink.any():
        raise ValueError("estimate_stroke_width: the mask has no ink")
    if dist is None:
        dist = ndimage.distance_transform_edt(np.pad(ink, 1))[1:-1, 1:-1]
    skel = skeletonize(ink)
    vals = dist[skel] if skel.any() else dist[ink]
    return float(max(1.0, 2.0 * np.median(vals) - 1.0))


def normalise_glyph(
    ink: np.ndarray,
    *,
    size: int = GLYPH_DEFAULTS["size"],
    margin: float = GLYPH_DEFAULTS["margin"],
    stroke_width: float | None = GLYPH_DEFAULTS["stroke_width"],
    threshold: float = GLYPH_DEFAULTS["threshold"],
    work_size: int = GLYPH_DEFAULTS["work_size"],
    frame: str = GLYPH_DEFAULTS["frame"],
) -> np.ndarray:
    """Normalise one character crop to a ``size`` x ``size`` float32 image, ink 0, background 1.

    Parameters
    ----------
    ink : 2-D array, bool or float, ink HIGH (e.g. ``1 - grey`` of a page crop). Any size; it
        may include background around the character (it is cropped to the ink).
    size : output side in pixels (NIST36: 32).
    margin : background on each side of the longer ink side, as a fraction of the output side.
    stroke_width : target stroke width in output pixels; ``None`` keeps the crop's own width
        (only scaled).
    threshold : ink level (in the input's units, [0, 1] for floats) that counts as ink.
    work_size : the crop is upsampled so that its longer side is at least this many pixels before
        the stroke width is changed (sub-pixel accuracy for tiny crops); a grey crop is
        interpolated (bilinear) and then cut at ``threshold``, a binary one repeated.
    frame : ``"centre_lines"`` (default) or ``"ink"``; see :data:`FRAMES`. With
        ``stroke_width=None`` the ink is framed either way.
    """
    a = np.asarray(ink)
    if a.ndim != 2:
        raise ValueError(f"normalise_glyph: expected a 2-D crop, got shape {a.shape}")
    if not 0.0 <= margin < 0.5:
        raise ValueError(f"normalise_glyph: margin must be in [0, 0.5), got {margin}")
    if frame not in FRAMES:
        raise ValueError(f"normalise_glyph: frame must be one of {FRAMES}, got {frame!r}")
    grey = None if a.dtype == bool else np.asarray(a, dtype=np.float64)
    mask = a.astype(bool) if grey is None else grey > threshold
    if not mask.any():
        raise ValueError(f"normalise_glyph: the crop {a.shape} has no ink above threshold {threshold}")
    mask = _upsample(mask, grey, threshold, work_size)
    h, w = mask.shape

    if stroke_width is None:
        side = max(h, w) / (1.0 - 2.0 * margin)      # padded square side, in work pixels
        scale = size / side                          # work pixel -> output pixel
        pad = 1
    else:
        # frame the centre lines, not the ink: the stroke is redrawn stroke_width wide, so the
        # ink's extent after the change is (centre-line extent) * scale + stroke_width, and that
        # must fill the frame whatever width the crop's strokes had (a thin and a thick copy of a
        # character come out the same size)
        d0 = ndimage.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
        w_est = estimate_stroke_width(mask, d0)
        usable = size * (1.0 - 2.0 * margin)
        if frame == "centre_lines":
            core = max(max(h, w) - w_est, 1.0)       # centre-line extent, work pixels
            # (a stroke_width over half the frame would leave no room: keep half for the lines)
            scale = max(usable - stroke_width, 0.5 * usable) / core
        else:
            scale = usable / max(h, w)
        side = size / scale
        delta = 0.5 * (stroke_width / scale - w_est)   # move the boundary out (+) / in (-)
        delta = max(delta, 0.5 - 0.5 * w_est)           # never erode the centre line away
        pad = int(np.ceil(max(delta, 0.0))) + 1

    # the square window of side `side` with the ink centred, padded for a dilation
    S = int(np.ceil(max(side, h, w))) + 2 * pad
    top, left = (S - h) // 2, (S - w) // 2
    big = np.zeros((S, S), dtype=bool)
    big[top:top + h, left:left + w] = mask
    if stroke_width is None:
        soft = big.astype(np.float64)
    else:
        d_in = np.zeros((S, S))
        d_in[top:top + h, left:left + w] = d0
        if delta > 0:
            # the outside distance matters only within delta + 1 of the ink (farther, soft is 0):
            # measured on the ink's box grown by pad (>= delta + 1), the same values there
            d_out = np.full((S, S), float(S))
            r0, c0 = top - pad, left - pad
            d_out[r0:top + h + pad, c0:left + w + pad] = ndimage.distance_transform_edt(
                ~big[r0:top + h + pad, c0:left + w + pad])
            sd = np.where(big, 0.5 - d_in, d_out - 0.5)  # signed distance to the ink boundary
        else:
            sd = np.where(big, 0.5 - d_in, 0.5)          # erosion needs only the inside
        soft = np.clip(0.5 + delta - sd, 0.0, 1.0)
    # area-average the square window of side `side` centred on the ink down to size x size
    out = _resize_window(soft, (S - side) / 2.0, side, size)
    img = 1.0 - np.clip(out, 0.0, 1.0)
    return img.astype(np.float32)


def _upsample(mask: np.ndarray, grey: np.ndarray | None, threshold: float, work_size: int) -> np.ndarray:
    """The ink mask cropped to its bounding box, upsampled by a whole factor until its longer side
    is at least ``work_size`` (room for a sub-pixel width change).

    A grey crop (``grey`` given) is interpolated (bilinear, as the OCR crop path upsamples page ink
    before its cut) and cut at ``threshold`` afterwards, so a small grey image such as EMNIST's
    28 x 28 gets the smooth outline a large page crop has; a binary crop is repeated (nearest)."""
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    box = mask[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    up = max(1, int(np.ceil(work_size / max(box.shape))))
    if up == 1:
        return box
    if grey is not None:
        # one pixel of context around the box for the interpolation
        r0, r1 = max(0, rows[0] - 1), min(grey.shape[0], rows[-1] + 2)
        c0, c1 = max(0, cols[0] - 1), min(grey.shape[1], cols[-1] + 2)
        big = interpolate_cut(grey[r0:r1, c0:c1], up, threshold)
        if big is not None:
            rows, cols = np.nonzero(big.any(axis=1))[0], np.nonzero(big.any(axis=0))[0]
            return big[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return np.repeat(np.repeat(box, up, axis=0), up, axis=1)


def interpolate_cut(grey: np.ndarray, factor: float, threshold: float) -> np.ndarray | None:
    """``grey`` upsampled ``factor`` times (bilinear) and then cut at ``threshold``: the smooth ink
    outline that both the OCR crop path and :func:`normalise_glyph` draw from a small grey crop.
    ``None`` when nothing is left above the threshold (interpolation can miss a lone pixel's peak)."""
    big = ndimage.zoom(grey, factor, order=1, grid_mode=True, mode="nearest") > threshold
    return big if big.any() else None


def _resize_window(img: np.ndarray, start: float, side: float, size: int) -> np.ndarray:
    """Area-average the square window ``[start, start + side)^2`` of ``img`` to ``size^2``
    (an exact box filter for any ratio: the anti-aliased resize, fast and deterministic)."""
    n = img.shape[0]
    edges = start + np.linspace(0.0, side, size + 1)
    lo = np.arange(n)[None, :]
    w = np.clip(np.minimum(edges[1:, None], lo + 1) - np.maximum(edges[:-1, None], lo), 0.0, None)
    w /= side / size
    return w @ img @ w.T


def to_nist_layout(img32: np.ndarray) -> np.ndarray:
    """Upright (32, 32) image -> the (1024,) row stored in NIST36's .mat files (transposed)."""
    img = np.asarray(img32)
    if img.ndim != 2 or img.shape[0] != img.shape[1]:
        raise ValueError(f"to_nist_layout: expected a square 2-D image, got shape {img.shape}")
    return np.ascontiguousarray(img.T).reshape(-1)


def from_nist_layout(vec: np.ndarray) -> np.ndarray:
    """A (1024,) NIST36 row -> the upright (32, 32) image."""
    v = np.asarray(vec).reshape(-1)
    n = int(round(np.sqrt(v.size)))
    if n * n != v.size:
        raise ValueError(f"from_nist_layout: {v.size} values are not a square image")
    return np.ascontiguousarray(v.reshape(n, n).T)
