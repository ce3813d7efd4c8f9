"""Q4.2 ``find_letters``: locate hand-printed characters on a photographed page.

Pipeline (every size is measured on the page itself, none is a fixed pixel count):

1. grey level in [0, 1] (RGB, RGBA composited on white, or greyscale; any dtype);
2. work at a resolution whose longer side is at most ``work_max_side`` (boxes are mapped back);
3. background (paper + lighting) estimated by a coarse median filter; ink contrast
   ``c = (background - grey) / background``, so shadows and uneven light cancel out;
4. threshold ``c`` at ``median + k * MAD`` of the page (noise-adaptive) but never below
   ``min_contrast``; small Gaussian blur before, to suppress sensor noise. When the strokes are
   faint (the median contrast along their centre lines under ``faint_ratio`` x the threshold:
   hairlines under blur and JPEG), ink down to ``hysteresis_frac`` x the threshold joins the ink
   it touches (hysteresis; seeded by pieces of ink larger than a speck, so noise is not grown),
   so a stroke that dips below the threshold stays whole; on pages of
   darker strokes this is not done, as it would join the soft edges of close neighbours;
5. stroke width ``w`` = 2 x median distance-to-background on the ink skeleton; a closing with a
   disk of radius ``close_frac * w`` joins broken strokes;
6. connected components; specks (area < ``speck_area_frac * w^2``) removed; character height
   ``h`` = median height of the remaining components;
7. rejected: punctuation (both sides < ``punct_frac * h``), page borders and rules (touching the
   image edge, or longer than ``max_size_frac * h``, or thinner than a stroke in one direction
   while long in the other);
8. pieces of one character merged: components whose column ranges overlap by more than
   ``merge_overlap`` of the narrower one and whose vertical gap is below ``merge_gap_frac * h``.

The blurred and closed mask only groups strokes into characters (it fills small holes); the pixels
handed to the classifier come from the un-closed contrast (:mod:`nnrec.ocr.crop`, the ``crop_*``
parameters). :class:`Detection` keeps the label image, the contrast and the parameters for it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, asdict
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi


@dataclass
class DetectParams:
    work_max_side: int = 1600
    background_frac: float = 0.04      # median-filter size for the background, x longer side
    blur_frac: float = 0.25            # Gaussian sigma, x provisional stroke width
    k_mad: float = 5.0                 # threshold = median + k * MAD of the contrast
    min_contrast: float = 0.12         # never call pixels darker than this by < 12 % ink
    faint_ratio: float = 2.0           # strokes whose centre lines are under this x the threshold are faint ...
    hysteresis_frac: float = 0.7       # ... and grown down to this x the threshold where joined to ink above it
    close_frac: float = 0.25           # closing radius, x stroke width
    speck_area_frac: float = 2.0       # specks: area < this x stroke_width^2
    punct_frac: float = 0.35           # punctuation: height and width < this x char height
    max_size_frac: float = 4.0         # borders / rules: longer side > this x char height
    merge_overlap: float = 0.5         # column overlap (fraction of narrower box) to merge pieces
    merge_gap_frac: float = 0.35       # vertical gap (x char height) still merged
    # the crop path (nnrec.ocr.crop.char_ink): which pixels of a box are its character's ink
    crop_reach_frac: float = 0.5       # owned ink reaches this x stroke width beyond the labelled pixels
    crop_level_pct: float = 90.0       # the stroke's darkness: this percentile of its contrast
    crop_ink_frac: float = 0.3         # ink boundary at this fraction of that darkness (config.yaml: how chosen)
    crop_sharpen: float = 1.5          # unsharp mask on the owned contrast before the cut: amount (0: off) ...
    crop_sharpen_sigma: float = 1.5    # ... and its Gaussian sigma (working pixels)
    crop_min_side: int = 64            # crops upsampled (bilinear) to at least this longer side

    @classmethod
    def from_config(cls, cfg: dict | None) -> "DetectParams":
        cfg = dict(cfg or {})
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(cfg) - known
        if unknown:
            raise ValueError(f"unknown find_letters parameter(s): {sorted(unknown)}")
        return cls(**cfg)


@dataclass
class Detection:
    """Everything ``find_letters`` measured, for figures, crops and diagnostics."""

    boxes: np.ndarray                  # (N, 4) int [y1, x1, y2, x2], original pixel coords, y2/x2 exclusive
    labels: np.ndarray                 # int label image at work scale (0 = background), label i+1 = box i
    scale: float                       # work-scale / original-scale
    stroke_width: float                # in original pixels
    char_height: float                 # in original pixels
    threshold: float
    rejected: dict = field(default_factory=dict)
    contrast: np.ndarray | None = None  # work-scale ink contrast in [0, 1]
    params: DetectParams | None = None  # the parameters it ran with (the crop path reads its own)
    shape: tuple[int, int] | None = None  # the page's (H, W) in original pixels
    nonfinite_pixels: int = 0          # NaN / infinite pixels of the input, read as paper
    ink_floor: float | None = None     # the faintest contrast called ink (threshold, or lower for faint strokes)

    def __post_init__(self):
        if self.ink_floor is None:     # no hysteresis: the threshold is the faintest ink
            self.ink_floor = self.threshold

    @property
    def bw(self) -> np.ndarray:
        """Float image in [0, 1] at the page's size, characters black (0), background white (1).
        Made on demand from the working-scale labels (nearest neighour by index), so a reading
        that does not ask for it never holds a full-size float image."""
        H, W = self.shape if self.shape is not None else self.labels.shape
        h, w = self.labels.shape
        ink = self.labels > 0
        if (H, W) != (h, w):
            ri = np.minimum((np.arange(H) * h / H).astype(int), h - 1)
            ci = np.minimum((np.arange(W) * w / W).astype(int), w - 1)
            ink = ink[ri[:, None], ci[None, :]]
        return np.where(ink, 0.0, 1.0).astype(np.float32)

    def summary(self) -> dict:
        return {
            "n_boxes": int(len(self.boxes)),
            "stroke_width_px": round(float(self.stroke_width), 2),
            "char_height_px": round(float(self.char_height), 2),
            "threshold": round(float(self.threshold), 4),
            "ink_floor": round(float(self.ink_floor), 4),
            "work_scale": round(float(self.scale), 4),
            "rejected": {k: int(v) for k, v in self.rejected.items()},
            "nonfinite_pixels": int(self.nonfinite_pixels),
        }


# --------------------------------------------------------------------------- image input
def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file; a missing or unreadable file raises an error that names it."""
    from skimage import io

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: image file not found")
    try:
        img = io.imread(path)
    except Exception as exc:  # noqa: BLE001 - any decoder error becomes a clear message
        raise ValueError(f"{path}: cannot read image ({type(exc).__name__}: {exc})") from None
    if img is None or img.size == 0 or img.ndim not in (2, 3):
        raise ValueError(f"{path}: not a 2-D image (shape {getattr(img, 'shape', None)})")
    return img


def _grey_rows(img: np.ndarray, scale_max: float | None) -> np.ndarray:
    """Grey level in [0, 1] (float32) of rows of an HxW / HxWx3 / HxWx4 array of any dtype;
    non-finite values are NaN here (the caller reads them as paper)."""
    weights = (0.2125, 0.7154, 0.0721)
    if img.dtype == bool:
        scale = 1.0
    elif np.issubdtype(img.dtype, np.integer):
        scale = float(np.iinfo(img.dtype).max)      # in range by construction: no clip needed
    else:
        scale = scale_max if scale_max is not None else 1.0
    if img.ndim == 3:
        g = img[..., 0].astype(np.float32) * np.float32(weights[0])
        g += img[..., 1].astype(np.float32) * np.float32(weights[1])
        g += img[..., 2].astype(np.float32) * np.float32(weights[2])
        g /= np.float32(scale)
        if img.shape[2] == 4:  # composite on white
            a = img[..., 3].astype(np.float32) / np.float32(scale)
            g = g * a + (1.0 - a)
    else:
        g = img.astype(np.float32) / np.float32(scale)
    if not np.issubdtype(img.dtype, np.integer) and img.dtype != bool:
        g[~np.isfinite(g)] = np.nan
        np.clip(g, 0.0, 1.0, out=g)  # NaN stays NaN
    return g


def _check_shape(img: np.ndarray) -> np.ndarray:
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (3, 4)):
        raise ValueError(f"find_letters: expected an HxW, HxWx3 or HxWx4 image, got shape {img.shape}")
    return img


def _float_scale(img: np.ndarray) -> float | None:
    """255 for a float image whose finite values exceed 1 (0..255 floats), else 1; None for ints."""
    if np.issubdtype(img.dtype, np.integer) or img.dtype == bool or not img.size:
        return None
    finite = img[np.isfinite(img)]
    return 255.0 if finite.size and float(finite.max()) > 1.0 else 1.0


STRIP_PIXELS = 4_000_000  # pixels converted to float at a time (working_grey)


def working_grey(image: np.ndarray, max_side: int) -> tuple[np.ndarray, int]:
    """The page's grey level at the working resolution (longer side at most ``max_side``), and the
    count of non-finite pixels, read as paper. The page is converted to grey in strips of rows
    (``STRIP_PIXELS`` at a time) into one float32 image, then resized once: no float copy of the
    three colour channels, and the same arithmetic at every page size."""
    img = _check_shape(np.asarray(image))
    H, W = img.shape[:2]
    if H < 2 or W < 2:
        raise ValueError(f"find_letters: image too small ({H}x{W})")
    fscale = _float_scale(img)
    rows = max(1, STRIP_PIXELS // max(1, W))
    out = np.empty((H, W), np.float32)
    nonfinite = 0
    for r0 in range(0, H, rows):
        g = _grey_rows(img[r0:r0 + rows], fscale)
        bad = np.isnan(g)
        if bad.any():
            nonfinite += int(bad.sum())
            g[bad] = 1.0
        out[r0:r0 + rows] = g
    scale = min(1.0, max_side / max(H, W))
    if scale < 1.0:
        out = _resize(out, (max(2, round(H * scale)), max(2, round(W * scale))), order=1).astype(np.float32)
    return out, nonfinite


# --------------------------------------------------------------------------- helpers
def _resize(img: np.ndarray, shape: tuple[int, int], order: int = 1) -> np.ndarray:
    from skimage.transform import resize

    return resize(img, shape, order=order, anti_aliasing=order > 0 and shape[0] < img.shape[0],
                  preserve_range=True)


def _background(grey: np.ndarray, frac: float) -> np.ndarray:
    """Paper brightness under the local lighting: coarse grey closing + median filter.

    The window is ``frac`` x the longer side, but at least 4 x a rough stroke width (from an Otsu
    split of the grey levels) so that strokes are always thinner than the window (small images),
    and at most a quarter of the page."""
    from skimage.filters import threshold_otsu

    h, w = grey.shape
    step = max(1, int(round(max(h, w) / 200)))
    small = grey[::step, ::step]
    size = frac * max(small.shape)
    if np.ptp(small) > 0.05:
        rough = small < threshold_otsu(small)
        if 0 < rough.mean() < 0.5:
            size = max(size, 4.0 * _stroke_width(rough))
    size = min(size, 0.25 * max(small.shape))
    size = max(3, int(round(size)) | 1)
    # grey closing removes dark strokes thinner than `size`, the median smooths what remains
    bg_small = ndi.median_filter(ndi.grey_closing(small, size=(size, size)), size=size)
    bg = _resize(bg_small, (h, w), order=1)
    return np.maximum(bg, 1e-3)


def _grow_faint(c: np.ndarray, mask: np.ndarray, low: float, min_area: float) -> np.ndarray:
    """Hysteresis: ``mask`` grown by every 8-connected region of ``c > low`` that reaches one of
    its pieces of at least ``min_area`` pixels (a faint stretch of a stroke joins the rest of it;
    faint noise touching no ink, or only a speck of noise, stays out)."""
    eight = np.ones((3, 3), bool)
    pieces, n = ndi.label(mask, structure=eight)
    big = np.bincount(pieces.ravel(), minlength=n + 1) >= min_area
    big[0] = False
    weak, n_weak = ndi.label(c > low, structure=eight)
    grow = np.zeros(n_weak + 1, bool)
    grow[np.unique(weak[big[pieces]])] = True
    grow[0] = False
    return mask | grow[weak]


def _centre_lines(mask: np.ndarray) -> np.ndarray:
    """The ink's skeleton, or the ink itself where it has none."""
    from skimage.morphology import skeletonize

    skel = skeletonize(mask)
    return skel if skel.any() else mask


def _stroke_width(mask: np.ndarray, centre: np.ndarray | None = None) -> float:
    """2 x the median distance to the background along the centre lines (``centre``: the mask's
    :func:`_centre_lines`, computed when not given)."""
    if not mask.any():
        return 1.0
    dist = ndi.distance_transform_edt(mask)
    centre = _centre_lines(mask) if centre is None else centre
    return float(max(1.0, 2.0 * np.median(dist[centre])))


def _disk(r: float) -> np.ndarray:
    r = max(0, int(round(r)))
    y, x = np.ogrid[-r:r + 1, -r:r + 1]
    return (x * x + y * y) <= r * r + 0.5


def _merge_pieces(boxes: list[list[int]], char_h: float, overlap: float, gap_frac: float) -> list[list[int]]:
    """Union-find over boxes: same column range (overlap) and vertically close -> one character."""
    n = len(boxes)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    b = np.asarray(boxes, dtype=float).reshape(-1, 4)
    for i in range(n):
        for j in range(i + 1, n):
            y1, x1, y2, x2 = b[i]
            v1, u1, v2, u2 = b[j]
            ov = min(x2, u2) - max(x1, u1)
            narrow = min(x2 - x1, u2 - u1)
            if narrow <= 0 or ov / narrow < overlap:
                continue
            vgap = max(v1 - y2, y1 - v2, 0.0)
            # the merged box must still look like one character (not two stacked lines)
            merged_h = max(y2, v2) - min(y1, v1)
            if vgap <= gap_frac * char_h and merged_h <= 1.6 * char_h:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return [sorted(g) for g in groups.values()]


# --------------------------------------------------------------------------- main entry
def detect(image: np.ndarray, params: DetectParams | dict | None = None) -> Detection:
    """Run the full detector and keep its intermediate measurements (see module docstring)."""
    from skimage.measure import label, regionprops

    p = params if isinstance(params, DetectParams) else DetectParams.from_config(params)
    H, W = np.asarray(image).shape[:2]
    work, nonfinite = working_grey(image, p.work_max_side)
    scale = min(1.0, p.work_max_side / max(H, W))
    h, w = work.shape
    sy, sx = H / h, W / w

    bg = _background(work, p.background_frac)
    contrast = np.clip((bg - work) / bg, 0.0, 1.0)
    # provisional stroke width from a first, unblurred threshold
    med = float(np.median(contrast))
    mad = float(np.median(np.abs(contrast - med))) * 1.4826 + 1e-6
    thr = max(p.min_contrast, med + p.k_mad * mad)
    rough = contrast > thr
    sw = _stroke_width(rough) if rough.sum() > 20 else 2.0
    c_blur = ndi.gaussian_filter(contrast, sigma=max(0.5, p.blur_frac * sw))
    med = float(np.median(c_blur))
    mad = float(np.median(np.abs(c_blur - med))) * 1.4826 + 1e-6
    thr = max(p.min_contrast, med + p.k_mad * mad)
    mask = c_blur > thr
    floor = thr                     # the faintest contrast called ink (the crop path's floor too)
    rejected = {"speck": 0, "punctuation": 0, "border_or_rule": 0}
    if mask.any():
        centre = _centre_lines(mask)
        sw = _stroke_width(mask, centre)
        # faint strokes (their centre lines under faint_ratio x the threshold, e.g. hairlines
        # under blur and JPEG) break where they dip below it: grow them down to hysteresis_frac x
        # the threshold. Only then: on pages with dark strokes the same growth would join the soft
        # edges of close neighbours.
        if p.hysteresis_frac < 1.0 and np.median(c_blur[centre]) < p.faint_ratio * thr:
            floor = p.hysteresis_frac * thr
            mask = _grow_faint(c_blur, mask, floor, p.speck_area_frac * sw * sw)
        mask = ndi.binary_closing(mask, structure=_disk(p.close_frac * sw), border_value=0)

    lab = label(mask, connectivity=2)
    props = regionprops(lab)
    keep = []
    speck_area = p.speck_area_frac * sw * sw
    for r in props:
        if r.area < speck_area:
            rejected["speck"] += 1
        else:
            keep.append(r)
    char_h = float(np.median([r.bbox[2] - r.bbox[0] for r in keep])) if keep else 0.0
    # second pass for the character height: ignore tall outliers (borders) and small pieces
    if keep:
        hs = np.array([r.bbox[2] - r.bbox[0] for r in keep], float)
        core = hs[(hs > 0.5 * char_h) & (hs < 2.5 * char_h)]
        if core.size:
            char_h = float(np.median(core))

    cand = []
    for r in keep:
        y1, x1, y2, x2 = r.bbox
        bh, bw_ = y2 - y1, x2 - x1
        touches = y1 == 0 or x1 == 0 or y2 == h or x2 == w
        long_side, short_side = max(bh, bw_), min(bh, bw_)
        if (touches and long_side > 1.5 * char_h) or long_side > p.max_size_frac * char_h or (
            long_side > 2.5 * char_h and short_side < 2.0 * sw
        ):
            rejected["border_or_rule"] += 1
            continue
        cand.append(r)

    groups = _merge_pieces([list(r.bbox) for r in cand], char_h, p.merge_overlap, p.merge_gap_frac)
    out_lab = np.zeros_like(lab, dtype=np.int32)
    boxes_work = []
    for g in groups:
        bb = np.array([cand[i].bbox for i in g])
        y1, x1 = bb[:, 0].min(), bb[:, 1].min()
        y2, x2 = bb[:, 2].max(), bb[:, 3].max()
        if (y2 - y1) < p.punct_frac * char_h and (x2 - x1) < p.punct_frac * char_h:
            rejected["punctuation"] += 1
            continue
        boxes_work.append((y1, x1, y2, x2, g))
    # reading order is decided later (lines); here sort top-to-bottom, left-to-right for stability
    boxes_work.sort(key=lambda t: (t[0], t[1]))
    boxes = []
    for k, (y1, x1, y2, x2, g) in enumerate(boxes_work, start=1):
        for i in g:
            out_lab[lab == cand[i].label] = k
        boxes.append([int(np.floor(y1 * sy)), int(np.floor(x1 * sx)),
                      int(min(H, np.ceil(y2 * sy))), int(min(W, np.ceil(x2 * sx)))])
    boxes_arr = np.array(boxes, dtype=np.int64).reshape(-1, 4)
    return Detection(boxes=boxes_arr, labels=out_lab, scale=scale,
                     stroke_width=sw * (sy + sx) / 2, char_height=char_h * sy, threshold=thr,
                     rejected=rejected, contrast=contrast, params=p, shape=(H, W),
                     nonfinite_pixels=nonfinite, ink_floor=floor)


def find_letters(image: np.ndarray, params: DetectParams | dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Q4.2: boxes ``[y1, x1, y2, x2]`` (N, 4) of every character and a float bw image in [0, 1].

    Characters are black (0) and background white (1) in ``bw``. An empty page gives ``(0, 4)``
    boxes and an all-white image.
    """
    det = detect(image, params)
    return det.boxes, det.bw
