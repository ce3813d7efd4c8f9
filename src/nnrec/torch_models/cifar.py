"""CIFAR-10 (Q6.1.3): a small fast-training ResNet-ish CNN (airbench family, scaled down for a CPU).

Architecture (after Keller Jordan's airbench, "94% on CIFAR-10 in 3.29 seconds", 2024):
a 2x2 patch-whitening stem (its weights set from the eigenvectors of the training patches'
covariance, then frozen), three conv groups ``conv3x3 -> maxpool2 -> BN -> act -> conv3x3 -> BN ->
act`` (GELU as airbench, or the cheaper ReLU; optionally with a residual add), global max-pool and a
bias-free linear head with a fixed output scale. Widths come from config so a GPU user can widen it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)


ACTIVATIONS = {"gelu": nn.GELU, "relu": nn.ReLU}


def make_activation(name: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(f"CIFAR-10 model: act must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]()


class ConvGroup(nn.Module):
    def __init__(self, c_in: int, c_out: int, bn_momentum: float, residual: bool = False, act: str = "gelu"):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
        self.pool = nn.MaxPool2d(2)
        self.bn1 = nn.BatchNorm2d(c_out, momentum=bn_momentum)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out, momentum=bn_momentum)
        self.act = make_activation(act)
        self.residual = residual
        for bn in (self.bn1, self.bn2):  # airbench: BN scale fixed at 1, only the shift is learned
            bn.weight.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.bn1(self.pool(self.conv1(x))))
        y = self.act(self.bn2(self.conv2(x)))
        return x + y if self.residual else y


class CifarNet(nn.Module):
    """airbench-style CNN. ``widths``: channels of the three groups; ``whiten_width``: stem channels
    (2 x the number of whitening eigenvectors kept, <= 24 for a 2x2x3 patch); ``act``: gelu | relu."""

    def __init__(self, widths: Sequence[int] = (32, 128, 128), whiten_width: int = 24,
                 bn_momentum: float = 0.4, scale: float = 1 / 9, residual: bool = False, n_classes: int = 10,
                 act: str = "gelu"):
        super().__init__()
        if whiten_width % 2 or not 2 <= whiten_width <= 24:
            raise ValueError(f"whiten_width must be an even number in 2..24, got {whiten_width}")
        self.whiten = nn.Conv2d(3, whiten_width, 2, padding=0, bias=True)
        self.act = make_activation(act)
        chans = [whiten_width, *widths]
        self.groups = nn.Sequential(*[ConvGroup(a, b, bn_momentum, residual, act)
                                      for a, b in zip(chans[:-1], chans[1:])])
        self.head = nn.Linear(widths[-1], n_classes, bias=False)
        self.scale = scale

    @torch.no_grad()
    def init_whitening(self, x: torch.Tensor, eps: float = 5e-4) -> None:
        """Set the stem to the patch-whitening transform of ``x`` (N, 3, H, W normalised floats);
        the stem is then frozen (its weights are data statistics, not learned)."""
        k = self.whiten.kernel_size[0]
        patches = x.unfold(2, k, 1).unfold(3, k, 1).transpose(1, 3).reshape(-1, 3 * k * k).double()
        patches = patches - patches.mean(0)
        cov = patches.T @ patches / len(patches)
        evals, evecs = torch.linalg.eigh(cov)
        n = self.whiten.out_channels // 2
        evals, evecs = evals.flip(0)[:n], evecs.T.flip(0)[:n]  # largest first
        # unfold(2).unfold(3).transpose(1, 3) orders each patch vector as (c, kh, kw): the conv layout
        w = evecs.reshape(n, 3, k, k) / torch.sqrt(evals + eps)[:, None, None, None]
        self.whiten.weight.copy_(torch.cat([w, -w]).float())
        self.whiten.bias.zero_()
        self.whiten.weight.requires_grad_(False)
        self.whiten.bias.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.groups(self.act(self.whiten(x)))
        x = F.adaptive_max_pool2d(x, 1).flatten(1)
        return self.head(x) * self.scale


def check_cifar(d: dict, path) -> dict:
    """``d`` (a prepared CIFAR-10 split) unchanged when its ``x`` is uint8 (N, 32, 32, 3); else
    ValueError naming ``path``."""
    x = d["x"]
    if x.ndim != 4 or x.shape[1:] != (32, 32, 3) or x.dtype != np.uint8:
        raise ValueError(f"{path}: expected x uint8 (N, 32, 32, 3), got {x.dtype} {x.shape}")
    return d


def build_cifar_model(cfg: dict) -> CifarNet:
    """Model from the ``pytorch.cifar10.model`` config dict."""
    return CifarNet(widths=tuple(cfg["widths"]), whiten_width=int(cfg.get("whiten_width", 24)),
                    bn_momentum=float(cfg.get("bn_momentum", 0.4)), scale=float(cfg.get("scale", 1 / 9)),
                    residual=bool(cfg.get("residual", False)), act=str(cfg.get("act", "gelu")))


def run_cifar(cfg: dict, x_train, y_train, x_test, y_test, *, device: torch.device, logger,
              checkpoint_path=None, seed: int = 0) -> dict:
    """Train and evaluate the CIFAR-10 CNN from the ``pytorch.cifar10`` config section.

    ``x_*``: uint8 (N, 32, 32, 3); ``y_*``: int64. A stratified, seeded validation subset of
    ``cfg["n_valid"]`` training images is held out (``0``: none; the curves then show train only).
    Returns ``{"history", "test_loss", "test_acc", "test_acc_no_tta", "valid_acc", "n_train",
    "n_valid", "n_test", "n_params", "preds"}``; the final model is written to ``checkpoint_path``.
    """
    import numpy as np

    from .data import images_to_tensor, make_augment, stratified_split
    from .loop import TensorBatches, evaluate, fit, make_loss, make_optimizer, make_scheduler, save_checkpoint, seed_torch

    n_valid = int(cfg.get("n_valid", 0))
    tr_idx, va_idx = stratified_split(np.asarray(y_train), n_valid, seed)
    limit = cfg.get("n_train_limit")
    if limit:
        tr_idx = tr_idx[: int(limit)]
    xt = images_to_tensor(x_train, CIFAR_MEAN, CIFAR_STD)
    yt = torch.as_tensor(np.asarray(y_train), dtype=torch.long)
    x_te = images_to_tensor(x_test, CIFAR_MEAN, CIFAR_STD)
    y_te = torch.as_tensor(np.asarray(y_test), dtype=torch.long)
    bs, ebs = int(cfg["batch_size"]), int(cfg.get("eval_batch_size", 1000))
    train = TensorBatches(xt[tr_idx], yt[tr_idx], batch_size=bs, shuffle=True, seed=seed, drop_last=True,
                          augment=make_augment(cfg.get("augment")))
    valid = TensorBatches(xt[va_idx], yt[va_idx], batch_size=ebs) if len(va_idx) else None
    test = TensorBatches(x_te, y_te, batch_size=ebs)

    seed_torch(seed)
    model = build_cifar_model(cfg["model"])
    model.init_whitening(xt[tr_idx[: int(cfg.get("whiten_samples", 5000))]])
    epochs = int(cfg["epochs"])
    opt = make_optimizer(model, cfg["optimizer"])
    sched = make_scheduler(opt, cfg.get("scheduler"), epochs=epochs, steps_per_epoch=len(train))
    tta = bool(cfg.get("tta_flip", True))
    cl = bool(cfg.get("channels_last", True))
    amp = cfg.get("autocast", None)
    hist = fit(model, train, valid, epochs=epochs, optimizer=opt, scheduler=sched, loss_fn=make_loss(cfg),
               device=device, logger=logger, checkpoint_path=None, seed=seed, channels_last=cl,
               autocast_dtype=amp, tta_flip=tta)
    # one pass over the test set gives both figures (with and without the mirror)
    te_loss, te_acc, preds, te_acc_plain = evaluate(model, test, device, tta_flip=tta, channels_last=cl,
                                                    autocast_dtype=amp, with_plain=True)
    if checkpoint_path is not None:
        save_checkpoint(checkpoint_path, model, arch="CifarNet", model_cfg=dict(cfg["model"]),
                        classes=10, epoch=epochs, test_acc=te_acc)
    logger.info(f"CIFAR-10 test accuracy {te_acc:.4f} (flip TTA), {te_acc_plain:.4f} without")
    return {"history": hist, "test_loss": te_loss, "test_acc": te_acc, "test_acc_no_tta": te_acc_plain,
            "valid_acc": hist["valid_acc"][-1] if valid is not None else None,
            "n_train": int(len(tr_idx)), "n_valid": int(len(va_idx)), "n_test": int(len(y_te)),
            "n_params": hist["n_params"], "preds": preds}
