"""Data helpers for the PyTorch experiments: array -> tensor conversion (and the ImageNet input of
the natural-image experiments), checks, seeded splits, and vectorised batch augmentations that run on
whole batches: flip, random crop / translate (NIST36, CIFAR-10), random rotation / zoom / shear
(NIST36), random resized crop and colour jitter (scenes, flowers).

Augmentations have the signature ``aug(xb: (B, C, H, W) float tensor, g: torch.Generator) -> xb``
so they plug into :class:`nnrec.torch_models.loop.TensorBatches` and draw only from its seeded
generator (reproducible runs).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F


def images_to_tensor(x: np.ndarray, mean: Sequence[float] | None = None, std: Sequence[float] | None = None,
                     dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """uint8 (N, H, W, C) images -> float (N, C, H, W) in [0, 1], then ``(x - mean) / std`` per channel."""
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise ValueError(f"images_to_tensor: expected (N, H, W, C) with C in (1, 3), got {x.shape}")
    t = torch.from_numpy(np.ascontiguousarray(x)).permute(0, 3, 1, 2).to(dtype)
    if x.dtype == np.uint8:
        t = t / 255.0
    if mean is not None:
        m = torch.tensor(mean, dtype=dtype).view(1, -1, 1, 1)
        s = torch.tensor(std, dtype=dtype).view(1, -1, 1, 1)
        t = (t - m) / s
    return t.contiguous()


def nist_to_images(x: np.ndarray | torch.Tensor) -> torch.Tensor:
    """NIST36 rows (N, 1024) in the .mat layout (each image stored transposed) -> (N, 1, 32, 32)
    upright images as float32 tensors."""
    t = torch.as_tensor(np.asarray(x, dtype=np.float32))
    if t.ndim != 2 or t.shape[1] != 1024:
        raise ValueError(f"NIST36 input must be (N, 1024), got {tuple(t.shape)}")
    return t.view(-1, 1, 32, 32).transpose(2, 3).contiguous()


def stratified_split(y: np.ndarray, n_valid: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of indices into (train_idx, valid_idx) with ``n_valid`` examples spread evenly
    over the classes (as evenly as integer counts allow). Both index arrays are sorted."""
    y = np.asarray(y)
    if not 0 <= n_valid < len(y):
        raise ValueError(f"stratified_split: n_valid must be in [0, {len(y)}), got {n_valid}")
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    per = np.full(len(classes), n_valid // len(classes))
    per[: n_valid - per.sum()] += 1
    valid = [rng.permutation(np.flatnonzero(y == c))[:k] for c, k in zip(classes, per)]
    valid_idx = np.sort(np.concatenate(valid)) if valid else np.array([], dtype=int)
    train_idx = np.setdiff1d(np.arange(len(y)), valid_idx)
    return train_idx, valid_idx


def random_flip(xb: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Mirror each image left-right with probability 1/2."""
    mask = torch.rand(len(xb), generator=g) < 0.5
    if mask.any():
        xb = xb.clone()
        xb[mask] = xb[mask].flip(-1)
    return xb


def random_crop(pad: int, mode: str = "reflect") -> Callable[[torch.Tensor, torch.Generator], torch.Tensor]:
    """Pad by ``pad`` pixels (``reflect`` / ``zeros``) and crop back at a random offset per image
    (i.e. translate by up to ``pad`` pixels in x and y)."""
    if pad < 0:
        raise ValueError(f"random_crop: pad must be >= 0, got {pad}")

    def aug(xb: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        if pad == 0:
            return xb
        h, w = xb.shape[-2:]
        padded = F.pad(xb, (pad,) * 4, mode="constant" if mode == "zeros" else mode)
        dx = torch.randint(0, 2 * pad + 1, (len(xb),), generator=g)
        dy = torch.randint(0, 2 * pad + 1, (len(xb),), generator=g)
        out = torch.empty_like(xb)
        for i in range(2 * pad + 1):  # one slice per distinct offset: (2p+1)^2 vectorised copies
            for j in range(2 * pad + 1):
                sel = ((dy == i) & (dx == j)).nonzero().flatten()
                if len(sel):
                    out[sel] = padded[sel, :, i:i + h, j:j + w]
        return out

    return aug


def random_affine(rotate_deg: float = 0.0, scale: Sequence[float] = (1.0, 1.0), shear_deg: float = 0.0,
                  ) -> Callable[[torch.Tensor, torch.Generator], torch.Tensor]:
    """A random rotation (uniform in +-``rotate_deg``), zoom (log-uniform in ``scale`` = [lo, hi]; above
    1 enlarges) and horizontal shear (uniform in +-``shear_deg``; a positive angle leans upright strokes
    to the right, as ``standin.augment.slant_deg`` does) per upright image, about its centre, bilinear,
    the border pixels repeated outwards (the light background of a glyph)."""
    lo, hi = (float(v) for v in scale)
    if rotate_deg < 0 or shear_deg < 0 or not 0 < lo <= hi:
        raise ValueError(f"random_affine: need rotate_deg, shear_deg >= 0 and 0 < scale lo <= hi, got "
                         f"{rotate_deg}, {shear_deg}, {list(scale)}")

    def aug(xb: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        n = len(xb)
        u = torch.rand(n, 3, generator=g, dtype=torch.float64)
        rot = torch.deg2rad((2 * u[:, 0] - 1) * rotate_deg)
        zoom = torch.exp(np.log(lo) + u[:, 1] * (np.log(hi) - np.log(lo)))
        shear = torch.tan(torch.deg2rad((2 * u[:, 2] - 1) * shear_deg))
        c, s = torch.cos(rot), torch.sin(rot)
        # the content's map zoom . rotation . shear in (x right, y down) coordinates, the shear
        # x -> x - tan(angle) y (the top moves right); affine_grid wants its inverse (output -> input)
        fwd = torch.zeros(n, 2, 2, dtype=torch.float64)
        fwd[:, 0, 0], fwd[:, 0, 1] = c, -c * shear - s
        fwd[:, 1, 0], fwd[:, 1, 1] = s, -s * shear + c
        fwd = fwd * zoom[:, None, None]
        theta = torch.zeros(n, 2, 3, dtype=xb.dtype)
        theta[:, :, :2] = torch.linalg.inv(fwd).to(xb.dtype)
        grid = F.affine_grid(theta, list(xb.shape), align_corners=False)
        return F.grid_sample(xb, grid, mode="bilinear", padding_mode="border", align_corners=False)

    return aug


def compose(*augs: Callable | None) -> Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None:
    augs = [a for a in augs if a is not None]
    if not augs:
        return None

    def aug(xb: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        for a in augs:
            xb = a(xb, g)
        return xb

    return aug


def make_augment(cfg: Mapping | None) -> Callable | None:
    """Augmentation from config: ``{flip: bool, crop_pad: int, crop_mode: reflect|zeros}``."""
    cfg = cfg or {}
    return compose(random_flip if cfg.get("flip", False) else None,
                   random_crop(int(cfg["crop_pad"]), cfg.get("crop_mode", "reflect")) if cfg.get("crop_pad", 0) else None)


def make_natural_augment(cfg: Mapping | None) -> Callable | None:
    """Augmentation from config ``{crop_scale: [lo, hi], flip: bool, jitter: float}`` (None: none)."""
    if not cfg:
        return None
    crop = cfg.get("crop_scale")
    rrc = random_resized_crop(tuple(crop), flip=bool(cfg.get("flip", True))) if crop else None
    jit = color_jitter(float(cfg["jitter"])) if cfg.get("jitter") else None
    return compose(rrc, jit)


def resize_batch(x: torch.Tensor, size: int) -> torch.Tensor:
    """Resize a (N, C, H, W) float batch to (N, C, size, size) (bilinear, antialiased when shrinking)."""
    if x.shape[-2:] == (size, size):
        return x
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)


def random_resized_crop(scale: Sequence[float] = (0.35, 1.0), ratio: Sequence[float] = (0.75, 1.333),
                        flip: bool = True) -> Callable[[torch.Tensor, torch.Generator], torch.Tensor]:
    """Batch version of torchvision's RandomResizedCrop (+ optional horizontal flip).

    Each image gets a crop covering a random fraction ``scale`` of its area with aspect ratio in
    ``ratio`` (log-uniform), at a random position, resampled back to the input size with one
    ``grid_sample`` call for the whole batch. Draws only from the given generator.
    """
    lo, hi = float(scale[0]), float(scale[1])
    if not 0 < lo <= hi <= 1:
        raise ValueError(f"random_resized_crop: need 0 < scale[0] <= scale[1] <= 1, got {scale}")
    lr0, lr1 = torch.log(torch.tensor(float(ratio[0]))), torch.log(torch.tensor(float(ratio[1])))

    def aug(xb: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        n = len(xb)
        area = lo + (hi - lo) * torch.rand(n, generator=g)
        r = torch.exp(lr0 + (lr1 - lr0) * torch.rand(n, generator=g))
        sw = torch.sqrt(area * r).clamp(max=1.0)  # crop width / image width
        sh = torch.sqrt(area / r).clamp(max=1.0)
        cx = (1 - sw) * (2 * torch.rand(n, generator=g) - 1)  # centre in [-1+sw, 1-sw]
        cy = (1 - sh) * (2 * torch.rand(n, generator=g) - 1)
        sx = sw.clone()
        if flip:
            sx = torch.where(torch.rand(n, generator=g) < 0.5, -sx, sx)
        theta = torch.zeros(n, 2, 3, dtype=xb.dtype)
        theta[:, 0, 0], theta[:, 0, 2] = sx, cx
        theta[:, 1, 1], theta[:, 1, 2] = sh, cy
        grid = F.affine_grid(theta, list(xb.shape), align_corners=False)
        return F.grid_sample(xb, grid, mode="bilinear", padding_mode="reflection", align_corners=False)

    return aug


def color_jitter(strength: float) -> Callable[[torch.Tensor, torch.Generator], torch.Tensor]:
    """Random per-image brightness / contrast / saturation change of up to ``strength`` (e.g. 0.3),
    on normalised or [0, 1] images (applied multiplicatively around the per-image mean)."""

    def aug(xb: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        if strength <= 0:
            return xb
        n = len(xb)
        b = 1 + strength * (2 * torch.rand(n, 1, 1, 1, generator=g) - 1)
        c = 1 + strength * (2 * torch.rand(n, 1, 1, 1, generator=g) - 1)
        s = 1 + strength * (2 * torch.rand(n, 1, 1, 1, generator=g) - 1)
        grey = xb.mean(1, keepdim=True)
        xb = grey + s * (xb - grey)
        mean = xb.mean((1, 2, 3), keepdim=True)
        return (mean + c * (xb - mean)) * b

    return aug


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def to_input(x, size: int) -> torch.Tensor:
    """uint8 (N, H, W, 3) images -> ImageNet-normalised float (N, 3, size, size)."""
    out = []
    for s in range(0, len(x), 256):  # chunks: resizing a whole float copy at once doubles the memory
        out.append(resize_batch(images_to_tensor(x[s : s + 256], IMAGENET_MEAN, IMAGENET_STD), int(size)))
    return torch.cat(out)


def check_image_data(d: Mapping, path) -> None:
    """Raise ValueError naming ``path`` unless it holds x uint8 (N, S, S, 3) and matching int labels."""
    x, y = d.get("x"), d.get("y")
    if x is None or y is None:
        raise ValueError(f"{path}: needs arrays 'x' and 'y'")
    if x.dtype.name != "uint8" or x.ndim != 4 or x.shape[3] != 3 or x.shape[1] != x.shape[2]:
        raise ValueError(f"{path}: expected x uint8 (N, S, S, 3), got {x.dtype} {x.shape}")
    if len(y) != len(x):
        raise ValueError(f"{path}: {len(x)} images but {len(y)} labels")
    if len(y) and (y.min() < 0 or ("classes" in d and y.max() >= len(d["classes"]))):
        raise ValueError(f"{path}: labels outside 0..{len(d.get('classes', [])) - 1}")
