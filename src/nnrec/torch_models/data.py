"""Data helpers for the PyTorch experiments: array -> tensor conversion, seeded splits and
vectorised batch augmentations (flip, random crop / translate) that run on whole batches.

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
