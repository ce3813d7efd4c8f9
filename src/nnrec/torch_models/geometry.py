"""What a network's convolution and pooling layers are, read from the model itself, so that the
writeup's architecture descriptions ("two 3x3 convolutions then 2x2 max-pooling") come from the
metrics the training rule writes rather than being typed into a template."""

from __future__ import annotations

from torch import nn


def _size(v) -> list[int]:
    return list(v) if isinstance(v, tuple) else [int(v), int(v)]


def _same(sizes: list[list[int]]) -> int | None:
    """The common side when every size is the same square, else None."""
    sides = {tuple(s) for s in sizes}
    if len(sides) == 1:
        (h, w), = sides
        if h == w:
            return int(h)
    return None


def layer_geometry(model: nn.Module) -> dict:
    """Kernel sizes of every ``Conv2d`` (``conv_kernels``, in module order, ``[h, w]``) and every
    max / average pooling layer (``pool_kernels``, with ``pool_kinds``: "max" or "avg"), and
    ``conv_kernel`` / ``pool_kernel``: the side shared by all of them (None when they differ or
    there are none). Adaptive (global) pooling has no kernel and is counted in ``global_pools``."""
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    pools = [m for m in model.modules() if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d))]
    conv_k = [_size(c.kernel_size) for c in convs]
    pool_k = [_size(p.kernel_size) for p in pools]
    return {"conv_kernels": conv_k, "pool_kernels": pool_k,
            "pool_kinds": ["max" if isinstance(p, nn.MaxPool2d) else "avg" for p in pools],
            "conv_kernel": _same(conv_k), "pool_kernel": _same(pool_k),
            "global_pools": sum(isinstance(m, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)) for m in model.modules())}
