"""Q6.1.4: a small CNN for the 8-class SUN scenes, trained from scratch, plus batch augmentations
for natural images (random resized crop, colour jitter) shared with the flowers experiment.

The training itself uses the shared loop (:mod:`nnrec.torch_models.loop`).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from nnrec.torch_models.data import compose


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


def make_natural_augment(cfg: Mapping | None) -> Callable | None:
    """Augmentation from config ``{crop_scale: [lo, hi], flip: bool, jitter: float}`` (None: none)."""
    if not cfg:
        return None
    crop = cfg.get("crop_scale")
    rrc = random_resized_crop(tuple(crop), flip=bool(cfg.get("flip", True))) if crop else None
    jit = color_jitter(float(cfg["jitter"])) if cfg.get("jitter") else None
    return compose(rrc, jit)


def _conv_bn(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class SceneCNN(nn.Module):
    """Plain VGG-style CNN: stem conv, then one stage per width (conv-BN-ReLU x ``convs_per_stage``,
    2x2 max-pool), global average pooling, dropout, linear classifier."""

    def __init__(self, n_classes: int = 8, widths: Sequence[int] = (32, 64, 128, 256),
                 convs_per_stage: int = 1, dropout: float = 0.3):
        super().__init__()
        layers: list[nn.Module] = []
        cin = 3
        for w in widths:
            for i in range(convs_per_stage):
                layers.append(_conv_bn(cin, w))
                cin = w
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout), nn.Linear(cin, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def train_and_test(model: nn.Module, train: tuple, valid: tuple, test: tuple, cfg: Mapping, *, device,
                   logger=None, checkpoint_path=None, seed: int = 0, augment: Callable | None = None,
                   checkpoint_extra: Mapping | None = None) -> dict:
    """Train ``model`` with the shared loop on ``train`` = (x, y) tensors, keep the weights of the best
    validation epoch, and evaluate them on ``test``.

    ``cfg`` keys: ``epochs``, ``batch_size``, ``optimizer``, ``scheduler``, ``label_smoothing``,
    ``tta_flip`` (only for image inputs). Returns ``{"history", "valid_acc", "test_acc",
    "test_loss", "test_pred", "n_params", "n_trainable"}``.
    """
    from .loop import TensorBatches, evaluate, fit, make_loss, make_optimizer, make_scheduler

    bs = int(cfg["batch_size"])
    tr = TensorBatches(train[0], train[1], batch_size=bs, shuffle=True, seed=seed, augment=augment)
    va = TensorBatches(valid[0], valid[1], batch_size=256)
    te = TensorBatches(test[0], test[1], batch_size=256)
    opt = make_optimizer(model, cfg["optimizer"])
    sched = make_scheduler(opt, cfg.get("scheduler"), epochs=int(cfg["epochs"]), steps_per_epoch=len(tr))
    tta = bool(cfg.get("tta_flip", False))
    hist = fit(model, tr, va, epochs=int(cfg["epochs"]), optimizer=opt, scheduler=sched,
               loss_fn=make_loss(cfg), device=device, logger=logger, checkpoint_path=checkpoint_path,
               seed=seed, restore_best=True, tta_flip=tta, checkpoint_extra=checkpoint_extra)
    # the restored weights are those of the best validation epoch: its accuracy is already known
    va_acc = hist["best_valid_acc"]
    te_loss, te_acc, pred = evaluate(model, te, device, tta_flip=tta)
    return {
        "history": hist, "valid_acc": va_acc, "test_acc": te_acc, "test_loss": te_loss, "test_pred": pred,
        "n_params": int(sum(p.numel() for p in model.parameters())),
        "n_trainable": int(sum(p.numel() for p in model.parameters() if p.requires_grad)),
    }


def check_scene_data(d: Mapping, path) -> None:
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


def plot_confusion(conf, classes: Sequence[str], title: str):
    """Confusion matrix figure (rows: true class, columns: predicted), counts written in the cells."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    conf = np.asarray(conf)
    fig, ax = plt.subplots(figsize=(4.2, 3.8))
    ax.imshow(conf, cmap="Blues")
    ax.set_xticks(range(len(classes)), classes, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(classes)), classes, fontsize=7)
    for i in range(conf.shape[0]):
        for j in range(conf.shape[1]):
            if conf[i, j]:
                ax.text(j, i, int(conf[i, j]), ha="center", va="center", fontsize=6,
                        color="white" if conf[i, j] > conf.max() / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def to_input(x, size: int) -> torch.Tensor:
    """uint8 (N, H, W, 3) images -> ImageNet-normalised float (N, 3, size, size)."""
    from .data import images_to_tensor

    out = []
    for s in range(0, len(x), 256):  # chunks: resizing a whole float copy at once doubles the memory
        out.append(resize_batch(images_to_tensor(x[s : s + 256], IMAGENET_MEAN, IMAGENET_STD), int(size)))
    return torch.cat(out)


def first_per_class(y, n: int):
    """Indices (sorted) of the first ``n`` items of each class in ``y``; all indices when ``n`` is 0."""
    import numpy as np

    y = np.asarray(y)
    if n <= 0:
        return np.arange(len(y))
    return np.sort(np.concatenate([np.flatnonzero(y == c)[:n] for c in np.unique(y)]))


def subset(d: Mapping, n: int) -> dict:
    """``d`` (arrays x, y, files...) restricted to the first ``n`` images of each class (n = 0: all)."""
    idx = first_per_class(d["y"], n)
    return {k: (v[idx] if hasattr(v, "__len__") and len(v) == len(d["y"]) and k != "classes" else v)
            for k, v in d.items()}


def load_scene_splits(data_dir, max_per_class: int = 0) -> tuple[dict, dict]:
    """The prepared SUN train and test splits of ``data_dir``, checked, each limited to the first
    ``max_per_class`` images of every class (0: all)."""
    from pathlib import Path

    from nnrec.data import load_npz

    out = []
    for split in ("train", "test"):
        path = Path(data_dir) / f"{split}.npz"
        d = load_npz(path)
        check_scene_data(d, path)
        out.append(subset(d, int(max_per_class)))
    return out[0], out[1]
