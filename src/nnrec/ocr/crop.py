"""The crop path: each detected character's own ink, for the shared glyph normalisation.

The detector (:mod:`.detect`) groups strokes into characters on a blurred and closed ink mask;
that mask fills the holes of thick-stroked loops (B, 8, 9, P, 6, A, Q, D) and so must not be
the character's pixels. :func:`char_ink` takes the grouping from the detector's label image and
the pixels from the un-blurred, un-closed ink contrast:

1. **ownership**: in a window around the box, every pixel belongs to its nearest labelled
   character (an exact Euclidean distance transform of the label image); the box's character owns
   its own labelled pixels and the pixels it is nearest to, up to ``crop_reach_frac`` x stroke
   width away from them. Ink of a neighbour that reaches into the box is the neighbour's, and a
   speck or punctuation mark the detector rejected is left out unless it touches the character;
2. **ink level**: the ``crop_level_pct`` percentile of the ink contrast over the character's
   labelled pixels whose contrast is above the page's detection threshold (the stroke's own
   darkness, whatever the light, the ink or the blur);
3. **sharpening**: the owned contrast gets an unsharp mask (``crop_sharpen`` x its difference from
   a Gaussian blur of sigma ``crop_sharpen_sigma`` working pixels, negative values clipped). A
   blurred or photographed page spreads thick strokes into small holes and rounds their corners
   (at 24-32 px, a B's holes fill and it reads as 8); the mask restores the steep edges a cut needs.
   A piece it splits off a faint stroke end is dropped: only ink connected to pixels at least half
   as dark as the stroke (before the mask) is kept;
4. **boundary**: the owned (sharpened) contrast, in units of that level, is upsampled (bilinear) until the
   crop's longer side is at least ``crop_min_side`` pixels and cut at ``crop_ink_frac`` (a
   fraction of the stroke's darkness: half is the edge of a blurred stroke), never below the
   faintest contrast the detector called ink (its threshold, or the lower hysteresis floor on a
   page of faint strokes). A hole is ink-free paper, so it stays a hole.

The result (a boolean mask, ink high) goes to :func:`nnrec.data.glyph.normalise_glyph`, the one
normalisation the NIST36 stand-in is also made with. The knobs are fields of
:class:`nnrec.ocr.detect.DetectParams` (``ocr.detect`` in config.yaml), so a page's detection
carries them.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from nnrec.data.glyph import interpolate_cut
from nnrec.ocr.detect import Detection, DetectParams


def char_ink(det: Detection, i: int, slices: list | None = None) -> np.ndarray:
    """Boolean ink mask (ink True) of box ``i``'s character at working resolution, upsampled so
    that its longer side is at least ``crop_min_side``; see the module docstring."""
    p = det.params if det.params is not None else DetectParams()
    if det.contrast is None:
        raise ValueError("char_ink: the detection kept no ink contrast")
    k = i + 1
    slices = slices if slices is not None else ndi.find_objects(det.labels)
    if k > len(slices) or slices[k - 1] is None:
        raise ValueError(f"box {i}: no ink in the label image")
    sw = max(1.0, det.stroke_width * det.scale)              # stroke width, working pixels
    reach = p.crop_reach_frac * sw
    ys, xs = slices[k - 1]
    m = int(np.ceil(2 * reach)) + 2                           # a nearer neighbour lies within 2 x reach
    H, W = det.labels.shape
    y1, y2 = max(0, ys.start - m), min(H, ys.stop + m)
    x1, x2 = max(0, xs.start - m), min(W, xs.stop + m)
    lab = det.labels[y1:y2, x1:x2]
    c = det.contrast[y1:y2, x1:x2]
    own = lab == k
    if reach > 0 and (lab != k).any():
        dist, (iy, ix) = ndi.distance_transform_edt(lab == 0, return_indices=True)
        own = (lab[iy, ix] == k) & (dist <= reach)
    core = c[(lab == k) & (c > det.threshold)]
    level = float(np.percentile(core, p.crop_level_pct)) if core.size else float(c[lab == k].max())
    cut = max(p.crop_ink_frac * level, det.ink_floor)
    ink = np.where(own, c, 0.0)
    grey = unsharp(ink, p.crop_sharpen, p.crop_sharpen_sigma) if p.crop_sharpen > 0 else ink
    rows, cols = np.nonzero((grey > cut).any(1))[0], np.nonzero((grey > cut).any(0))[0]
    if not rows.size:                                         # nothing above the cut: the labelled pixels
        return lab == k
    # keep a pixel of context around the ink for the interpolation
    r0, r1 = max(0, rows[0] - 1), min(ink.shape[0], rows[-1] + 2)
    c0, c1 = max(0, cols[0] - 1), min(ink.shape[1], cols[-1] + 2)
    up = p.crop_min_side / max(r1 - r0, c1 - c0)
    mask = _cut(grey[r0:r1, c0:c1], up, cut)
    if grey is not ink:
        # the mask can split a speck off a faint, noisy stroke end: keep only the ink connected to
        # pixels that were at least half as dark as the stroke before it
        dark = _cut(ink[r0:r1, c0:c1], up, 0.5 * level)
        if dark.shape == mask.shape and (dark & mask).any():
            mask = ndi.binary_propagation(dark & mask, structure=np.ones((3, 3), bool), mask=mask)
    return mask


def _cut(grey: np.ndarray, up: float, cut: float) -> np.ndarray:
    """``grey`` upsampled ``up`` times (when > 1) and cut at ``cut``; the crop's own pixels when
    the interpolation leaves nothing above the cut."""
    if up > 1:
        big = interpolate_cut(grey, up, cut)
        if big is not None:
            return big
    return grey > cut


def unsharp(c: np.ndarray, amount: float, sigma: float) -> np.ndarray:
    """``c`` + ``amount`` x (``c`` - its Gaussian blur of ``sigma`` pixels), clipped at 0: steeper
    edges for the cut, the stroke's level unchanged where it is flat."""
    return np.clip(c + amount * (c - ndi.gaussian_filter(c, sigma)), 0.0, None)
