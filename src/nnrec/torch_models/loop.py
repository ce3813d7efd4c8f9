"""The one PyTorch training loop shared by every Q6 experiment (NIST36, CIFAR-10, scenes, flowers).

Typical use::

    from nnrec.torch_models.loop import (pick_device, seeded_loader, TensorBatches, make_optimizer,
                                         make_scheduler, make_loss, fit, evaluate)
    device = pick_device(cfg["device"])                        # threads: nnrec.common.set_threads
    seed_everything(seed); model = Net()                       # seed BEFORE building the model
    train = TensorBatches(x_train, y_train, batch_size=128, shuffle=True, seed=seed, augment=fn)
    valid = TensorBatches(x_valid, y_valid, batch_size=512)
    opt = make_optimizer(model, cfg["optimizer"])
    sched = make_scheduler(opt, cfg["scheduler"], epochs=E, steps_per_epoch=len(train))
    hist = fit(model, train, valid, epochs=E, optimizer=opt, scheduler=sched,
               loss_fn=make_loss(cfg), device=device, logger=log, checkpoint_path=".../model.pt",
               seed=seed)
    test_loss, test_acc, preds = evaluate(model, test, device)

:func:`train_and_test` wraps this for the image experiments (scenes, flowers): train with the best
validation epoch restored, then evaluate on the test set.

Loaders: anything iterable yielding ``(x, y)`` batches with ``len()`` works (a torch DataLoader from
:func:`seeded_loader`, or the much faster in-memory :class:`TensorBatches`). If the train loader has a
``set_epoch(epoch)`` method it is called before each epoch (reshuffle / new augmentation draw), so
that a run is bit-identical on CPU given the same seed and thread count.

Schedulers: :func:`make_scheduler` returns a :class:`Schedule` wrapper that knows whether it steps per
batch (one-cycle, linear, cosine with warm-up) or per epoch (step); :func:`fit` calls it correctly.
"""

from __future__ import annotations

import copy
import logging
import math
import os
import random
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import torch
from torch import nn

from nnrec.common import READ_ERRORS, CorruptFile, Progress, atomic_checksummed_path, verify_checksum

__all__ = [
    "pick_device",
    "seed_torch",
    "seeded_loader",
    "TensorBatches",
    "make_optimizer",
    "make_scheduler",
    "make_loss",
    "Schedule",
    "fuse_conv_bn",
    "evaluate",
    "fit",
    "save_checkpoint",
    "load_checkpoint",
    "train_and_test",
    "train_image_classifier",
]


# --------------------------------------------------------------------------- device / seeding
def pick_device(gpus_requested: int | str = 0) -> torch.device:
    """Choose the device: CUDA when ``gpus_requested`` allows it and CUDA is present, else CPU.

    ``gpus_requested``: ``"auto"`` (CUDA if present), an int (0 = force CPU, >=1 = CUDA if present,
    otherwise CPU with a fallback), or ``"cpu"`` / ``"cuda"``. The CPU thread count is set once per job
    by :func:`nnrec.common.set_threads` (the rule's ``threads:``). Choosing CUDA also asks for
    deterministic kernels (cuDNN without autotuning, cuBLAS's fixed workspace, PyTorch's
    deterministic algorithms; an op without one only warns), so that a seed gives the same metrics
    on a GPU as well.
    """
    want_cuda = {"auto": True, "cpu": False, "cuda": True}.get(gpus_requested) if isinstance(
        gpus_requested, str) else int(gpus_requested) > 0
    if want_cuda is None:
        raise ValueError(f"gpus_requested must be 'auto', 'cpu', 'cuda' or an int, got {gpus_requested!r}")
    if want_cuda and torch.cuda.is_available():
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # before the first cuBLAS call
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True
        torch.use_deterministic_algorithms(True, warn_only=True)
        return torch.device("cuda")
    return torch.device("cpu")


def seed_torch(seed: int) -> torch.Generator:
    """Seed python, numpy and torch (CPU + CUDA); return a CPU ``torch.Generator`` seeded with ``seed``."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def _worker_init_fn(worker_id: int) -> None:
    # torch already gives each worker a distinct seed derived from the loader's generator;
    # propagate it to numpy / random so that augmentations written with them are reproducible too.
    s = torch.initial_seed() % (2**32)
    np.random.seed(s)
    random.seed(s)


def seeded_loader(dataset: torch.utils.data.Dataset, *, batch_size: int, shuffle: bool = False,
                  seed: int = 0, num_workers: int = 0, drop_last: bool = False,
                  collate_fn: Callable | None = None, pin_memory: bool = False) -> torch.utils.data.DataLoader:
    """A DataLoader whose shuffling and worker seeds derive only from ``seed`` (bit-identical reruns)."""
    g = torch.Generator()
    g.manual_seed(int(seed))
    return torch.utils.data.DataLoader(
        dataset, batch_size=int(batch_size), shuffle=shuffle, drop_last=drop_last,
        num_workers=int(num_workers), generator=g, worker_init_fn=_worker_init_fn,
        collate_fn=collate_fn, pin_memory=pin_memory, persistent_workers=False)


class TensorBatches:
    """Fast in-memory batch iterator over tensors ``x`` (N, ...) and ``y`` (N,).

    Shuffling and augmentation are drawn from a generator seeded with ``(seed, epoch)`` (call
    ``set_epoch``; :func:`fit` does), so runs are reproducible and independent of how many epochs
    ran before. ``augment(xb, generator) -> xb`` works on a whole batch at once (vectorised, much
    faster on CPU than per-sample transforms). ``transform(xb) -> xb`` is applied to every batch
    (e.g. uint8 -> normalised float), after ``augment``.
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, *, batch_size: int, shuffle: bool = False,
                 seed: int = 0, drop_last: bool = False,
                 augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
                 transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
                 order: Callable[[int, torch.Generator], torch.Tensor] | None = None):
        if len(x) != len(y):
            raise ValueError(f"TensorBatches: x has {len(x)} rows but y has {len(y)}")
        if batch_size < 1:
            raise ValueError(f"TensorBatches: batch_size must be >= 1, got {batch_size}")
        self.x, self.y = x, y
        self.batch_size, self.shuffle, self.seed, self.drop_last = int(batch_size), shuffle, int(seed), drop_last
        self.augment, self.transform, self.order = augment, transform, order
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        n = len(self.x)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.x)
        g = torch.Generator()
        g.manual_seed(self.seed * 1_000_003 + self.epoch)
        if self.order is not None:
            idx = self.order(self.epoch, g)
        elif self.shuffle:
            idx = torch.randperm(n, generator=g)
        else:
            idx = None
        for b in range(len(self)):
            sl = slice(b * self.batch_size, min(n, (b + 1) * self.batch_size))
            if idx is None:
                xb, yb = self.x[sl], self.y[sl]
            else:
                ib = idx[sl]
                xb, yb = self.x[ib], self.y[ib]
            if self.augment is not None:
                xb = self.augment(xb, g)
            if self.transform is not None:
                xb = self.transform(xb)
            yield xb, yb


# --------------------------------------------------------------------------- optimiser / schedule / loss
def _param_groups(model: nn.Module | Iterable, lr: float, weight_decay: float, no_decay_bn_bias: bool,
                  bias_lr_factor: float):
    if isinstance(model, nn.Module):
        params = [p for p in model.parameters() if p.requires_grad]
    else:
        params = [p for p in model if p.requires_grad]
    if not no_decay_bn_bias and bias_lr_factor == 1.0:
        return [{"params": params, "lr": lr, "weight_decay": weight_decay}]
    decay = [p for p in params if p.ndim > 1]
    other = [p for p in params if p.ndim <= 1]
    # biases / norm parameters: lr x factor and decay / factor (same per-step shrink), or no decay
    wd_other = 0.0 if no_decay_bn_bias else weight_decay / bias_lr_factor
    groups = [{"params": decay, "lr": lr, "weight_decay": weight_decay},
              {"params": other, "lr": lr * bias_lr_factor, "weight_decay": wd_other}]
    return [g for g in groups if g["params"]]


def make_optimizer(model: nn.Module | Iterable, cfg: Mapping[str, Any]) -> torch.optim.Optimizer:
    """Optimiser from a config dict.

    Keys: ``name`` (sgd | adam | adamw), ``lr``, ``momentum`` (sgd, default 0.9), ``nesterov``
    (sgd, default false), ``weight_decay`` (default 0), ``no_decay_bn_bias`` (default false: when
    true, biases and norm parameters get no weight decay), ``bias_lr_factor`` (default 1: biases and
    norm parameters train with lr x factor and weight decay / factor, as in airbench), ``betas``
    (adam/adamw).
    Pass a model (or an iterable of parameters, e.g. only the new classifier head when fine-tuning).
    """
    name = str(cfg.get("name", "sgd")).lower()
    lr = float(cfg["lr"])
    wd = float(cfg.get("weight_decay", 0.0))
    groups = _param_groups(model, lr, wd, bool(cfg.get("no_decay_bn_bias", False)),
                           float(cfg.get("bias_lr_factor", 1.0)))
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=float(cfg.get("momentum", 0.9)),
                               nesterov=bool(cfg.get("nesterov", False)))
    if name in ("adam", "adamw"):
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        return cls(groups, lr=lr, betas=tuple(cfg.get("betas", (0.9, 0.999))))
    raise ValueError(f"optimizer.name must be sgd, adam or adamw, got {name!r}")


class Schedule:
    """Learning-rate schedule wrapper: ``per_step`` says whether :func:`fit` steps it per batch."""

    def __init__(self, scheduler: torch.optim.lr_scheduler.LRScheduler | None, per_step: bool, name: str):
        self.scheduler, self.per_step, self.name = scheduler, per_step, name

    def step_batch(self) -> None:
        if self.scheduler is not None and self.per_step:
            self.scheduler.step()

    def step_epoch(self) -> None:
        if self.scheduler is not None and not self.per_step:
            self.scheduler.step()


def make_scheduler(optimizer: torch.optim.Optimizer, cfg: Mapping[str, Any] | None, *, epochs: int,
                   steps_per_epoch: int) -> Schedule:
    """Learning-rate schedule from a config dict (``None`` or ``name: none`` = constant).

    - ``onecycle``: ``max_lr`` (default: the optimiser's lr), ``pct_start`` (0.25), ``div_factor`` (25),
      ``final_div_factor`` (1e4), ``anneal`` (cos | linear); per batch.
    - ``linear``: warm-up from ``start_factor`` (0.1 of lr) over ``warmup_epochs`` (fraction allowed)
      or ``warmup_frac`` (of all steps), then linear decay to ``end_factor`` (0) at the end; per
      batch. (airbench-style triangle.)
    - ``cosine``: optional ``warmup_epochs`` / ``warmup_frac`` then cosine decay to ``eta_min`` (0); per batch.
    - ``step``: multiply by ``gamma`` (0.1) every ``step_size`` epochs; per epoch.
    """
    name = "none" if not cfg else str(cfg.get("name", "none")).lower()
    total = max(1, int(epochs) * int(steps_per_epoch))
    if name == "none":
        return Schedule(None, False, name)
    if name == "onecycle":
        max_lr = [float(cfg.get("max_lr", g["lr"])) for g in optimizer.param_groups]
        s = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=max_lr, total_steps=total, pct_start=float(cfg.get("pct_start", 0.25)),
            div_factor=float(cfg.get("div_factor", 25.0)),
            final_div_factor=float(cfg.get("final_div_factor", 1e4)),
            anneal_strategy=str(cfg.get("anneal", "cos")), cycle_momentum=False)
        return Schedule(s, True, name)
    if name in ("linear", "cosine"):
        if "warmup_frac" in cfg:
            warm = int(round(float(cfg["warmup_frac"]) * total))
        else:
            warm = int(round(float(cfg.get("warmup_epochs", 0.0 if name == "cosine" else 1.0)) * steps_per_epoch))
        warm = min(warm, total - 1)
        start = float(cfg.get("start_factor", 0.1))
        end = float(cfg.get("end_factor", 0.0))
        eta_min = float(cfg.get("eta_min", 0.0))

        def factor(step: int) -> float:
            if step < warm:
                return start + (1.0 - start) * step / max(1, warm)
            frac = (step - warm) / max(1, total - warm)
            if name == "linear":
                return 1.0 + (end - 1.0) * frac
            return eta_min + (1.0 - eta_min) * 0.5 * (1.0 + math.cos(math.pi * frac))

        return Schedule(torch.optim.lr_scheduler.LambdaLR(optimizer, factor), True, name)
    if name == "step":
        s = torch.optim.lr_scheduler.StepLR(optimizer, step_size=int(cfg.get("step_size", 10)),
                                            gamma=float(cfg.get("gamma", 0.1)))
        return Schedule(s, False, name)
    raise ValueError(f"scheduler.name must be none, onecycle, linear, cosine or step, got {name!r}")


def make_loss(cfg: Mapping[str, Any] | None = None) -> nn.Module:
    """Cross-entropy with optional ``label_smoothing`` (config key, default 0)."""
    ls = float((cfg or {}).get("label_smoothing", 0.0))
    return nn.CrossEntropyLoss(label_smoothing=ls)


# --------------------------------------------------------------------------- checkpoints
def save_checkpoint(path: str | os.PathLike, model: nn.Module, **extra: Any) -> None:
    """Save ``{"state_dict": ..., **extra}`` atomically (extra: architecture name, classes, epoch...)
    with a ``.sha256`` sidecar that :func:`load_checkpoint` verifies.

    The same state gives the same bytes: torch names the zip's root folder after the file it writes
    to (here a random temporary name), so it writes through an open file handle, whose root folder
    is always ``archive/``.
    """
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    with atomic_checksummed_path(path) as tmp, open(tmp, "wb") as fh:
        torch.save({"state_dict": state, **extra}, fh)


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> dict:
    """Load a checkpoint written by :func:`save_checkpoint`: its checksum is verified first (torch
    itself ignores the zip's CRCs, so a flipped byte would load silently); an absent, damaged or
    foreign file raises naming it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: checkpoint not found")
    verify_checksum(path)
    try:
        ck = torch.load(path, map_location=map_location, weights_only=False)
    except READ_ERRORS as exc:
        raise CorruptFile(f"{path}: not a loadable checkpoint ({type(exc).__name__}: {exc})") from None
    if not isinstance(ck, dict) or "state_dict" not in ck:
        raise CorruptFile(f"{path}: not a nnrec checkpoint (no 'state_dict' key)")
    return ck


# --------------------------------------------------------------------------- evaluate / fit
def _to(xb: torch.Tensor, device: torch.device, channels_last: bool) -> torch.Tensor:
    xb = xb.to(device, non_blocking=True)
    if channels_last and xb.ndim == 4:
        xb = xb.contiguous(memory_format=torch.channels_last)
    return xb


def _autocast(device: torch.device, dtype: str | None):
    if not dtype or dtype == "float32":
        return torch.autocast(device.type, enabled=False)
    return torch.autocast(device.type, dtype={"bfloat16": torch.bfloat16, "float16": torch.float16}[dtype])


def fuse_conv_bn(model: nn.Module) -> nn.Module:
    """An inference copy of ``model`` (eval mode) in which every ``Conv2d`` directly followed by a
    ``BatchNorm2d`` inside an ``nn.Sequential`` is one ``Conv2d`` with the normalisation folded into
    its weights and bias (the BatchNorm becomes ``Identity``): the same function up to float rounding,
    one pass over each feature map less. ``model`` itself is returned (not copied) when it has no
    such pair; its memory format (channels-last) is kept."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    def pairs(m: nn.Module):
        for seq in m.modules():
            if isinstance(seq, nn.Sequential):
                kids = list(seq._modules.items())
                for (n1, a), (n2, b) in zip(kids, kids[1:]):
                    if isinstance(a, nn.Conv2d) and isinstance(b, nn.BatchNorm2d) and b.track_running_stats:
                        yield seq, n1, n2

    if next(pairs(model), None) is None:
        return model
    fused = copy.deepcopy(model).eval()
    for seq, n1, n2 in list(pairs(fused)):
        conv = seq._modules[n1]
        cl = conv.weight.is_contiguous(memory_format=torch.channels_last) and not conv.weight.is_contiguous()
        new = fuse_conv_bn_eval(conv, seq._modules[n2])
        seq._modules[n1] = new.to(memory_format=torch.channels_last) if cl else new
        seq._modules[n2] = nn.Identity()
    return fused


@torch.no_grad()
def evaluate(model: nn.Module, loader: Iterable, device: torch.device,
             loss_fn: Callable | None = None, *, tta_flip: bool = False, channels_last: bool = False,
             autocast_dtype: str | None = None, fuse: bool = True, with_plain: bool = False):
    """Mean loss, accuracy and predicted labels of ``model`` over ``loader`` (eval mode).

    ``loss_fn`` defaults to plain cross-entropy (no label smoothing, so losses are comparable).
    ``tta_flip``: average the logits of the image and its horizontal mirror (test-time augmentation
    for natural images; do not use on characters). ``fuse``: evaluate :func:`fuse_conv_bn`'s copy
    (BatchNorm folded into the convolutions: same model, one pass less). ``with_plain``: also
    return the accuracy without the mirror, from the same pass: ``(loss, acc, preds, plain_acc)``.
    """
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    was_training = model.training
    model.eval()
    net = fuse_conv_bn(model) if fuse else model
    tot_loss, correct, correct_plain, n, preds = 0.0, 0, 0, 0, []
    for xb, yb in loader:
        xb, yb = _to(xb, device, channels_last), yb.to(device)
        with _autocast(device, autocast_dtype):
            plain = net(xb)
            logits = 0.5 * (plain + net(torch.flip(xb, dims=[-1]))) if tta_flip else plain
        logits = logits.float()
        tot_loss += float(loss_fn(logits, yb)) * len(yb)
        p = logits.argmax(1)
        correct += int((p == yb).sum())
        correct_plain += int((plain.argmax(1) == yb).sum())
        n += len(yb)
        preds.append(p.cpu())
    model.train(was_training)
    if n == 0:
        raise ValueError("evaluate: the loader yielded no samples")
    out = (tot_loss / n, correct / n, torch.cat(preds).numpy())
    return (*out, correct_plain / n) if with_plain else out


def fit(model: nn.Module, train_loader: Iterable, valid_loader: Iterable | None, *, epochs: int,
        optimizer: torch.optim.Optimizer, scheduler: Schedule | None = None,
        loss_fn: Callable | None = None, device: torch.device | str = "cpu",
        logger: logging.Logger | None = None, checkpoint_path: str | os.PathLike | None = None,
        seed: int = 0, restore_best: bool = False, channels_last: bool = False,
        autocast_dtype: str | None = None, tta_flip: bool = False, grad_clip: float | None = None,
        checkpoint_extra: Mapping[str, Any] | None = None,
        on_epoch_end: Callable[[int, dict], None] | None = None) -> dict:
    """Train ``model`` for ``epochs`` epochs; return the per-epoch history.

    History keys (lists, one entry per epoch): ``epoch``, ``train_loss``, ``train_acc`` (running
    averages over the epoch's batches, in train mode, i.e. on augmented data), ``valid_loss``,
    ``valid_acc`` (``None`` when there is no valid loader), ``lr`` (at the end of the epoch),
    ``epoch_time`` (seconds, training + validation); scalars ``best_epoch``, ``best_valid_acc``,
    ``train_time`` (s, total), ``device``, ``seed``, ``n_params``.

    ``checkpoint_path`` receives the weights the returned model holds, with ``checkpoint_extra``
    merged into the file: with ``restore_best``, those of the best validation epoch (saved at every
    improvement, the last epoch when there is no valid loader) which are loaded back at the end;
    without, those of the last epoch, whose figures the caller reports. Seeds torch with ``seed`` at the start
    (seed again yourself *before* building the model for identical initial weights). Progress lines
    with ETA go to ``logger``. ``autocast_dtype`` (``bfloat16``) trains in mixed precision.
    """
    device = torch.device(device)
    logger = logger or logging.getLogger("nnrec.torch")
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    scheduler = scheduler or Schedule(None, False, "none")
    seed_torch(seed)
    model.to(device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    hist: dict[str, Any] = {k: [] for k in ("epoch", "train_loss", "train_acc", "valid_loss",
                                             "valid_acc", "lr", "epoch_time")}
    summed = getattr(loss_fn, "reduction", "mean") == "sum"  # summed batch losses: no x batch size
    best_acc, best_epoch, best_state = -1.0, 0, None
    prog = Progress(logger, epochs)
    t0 = time.perf_counter()
    for epoch in range(1, epochs + 1):
        te = time.perf_counter()
        if hasattr(train_loader, "set_epoch"):
            train_loader.set_epoch(epoch)
        model.train()
        tot_loss = torch.zeros((), dtype=torch.float64)
        correct = torch.zeros((), dtype=torch.int64)
        n = 0
        for xb, yb in train_loader:
            xb, yb = _to(xb, device, channels_last), yb.to(device, non_blocking=True)
            with _autocast(device, autocast_dtype):
                logits = model(xb)
                loss = loss_fn(logits.float(), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if grad_clip:
                nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            optimizer.step()
            scheduler.step_batch()
            if not torch.isfinite(loss):
                raise FloatingPointError(f"fit: loss became {float(loss)} at epoch {epoch}; lower the lr")
            tot_loss += loss.detach().double().cpu() * (1 if summed else len(yb))
            correct += (logits.detach().argmax(1) == yb).sum().cpu()
            n += len(yb)
        scheduler.step_epoch()
        if n == 0:
            raise ValueError("fit: the train loader yielded no samples")
        tr_loss, tr_acc = float(tot_loss) / n, int(correct) / n
        va_loss = va_acc = None
        if valid_loader is not None:
            va_loss, va_acc, _ = evaluate(model, valid_loader, device, tta_flip=tta_flip,
                                          channels_last=channels_last, autocast_dtype=autocast_dtype)
        lr = optimizer.param_groups[0]["lr"]
        dt = time.perf_counter() - te
        for k, v in zip(hist, (epoch, tr_loss, tr_acc, va_loss, va_acc, lr, dt)):
            hist[k].append(v)
        score = va_acc if va_acc is not None else float(epoch)  # no valid set: keep the last epoch
        if score > best_acc:
            best_acc, best_epoch = score, epoch
            if restore_best:
                best_state = copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()})
            if checkpoint_path is not None and restore_best:
                save_checkpoint(checkpoint_path, model, epoch=epoch, valid_acc=va_acc,
                                **dict(checkpoint_extra or {}))
        metrics = {"train_loss": tr_loss, "train_acc": tr_acc, "lr": float(lr)}
        if va_acc is not None:
            metrics.update(valid_loss=va_loss, valid_acc=va_acc)
        prog.step(epoch, **metrics)
        if on_epoch_end is not None:
            on_epoch_end(epoch, hist)
    if restore_best and best_state is not None:
        model.load_state_dict(best_state)
    if checkpoint_path is not None and not restore_best:  # the model kept is the last epoch's
        save_checkpoint(checkpoint_path, model, epoch=epochs, valid_acc=hist["valid_acc"][-1] if epochs else None,
                        **dict(checkpoint_extra or {}))
    hist.update(best_epoch=best_epoch, best_valid_acc=(best_acc if valid_loader is not None else None),
                train_time=time.perf_counter() - t0, device=str(device), seed=int(seed),
                n_params=int(sum(p.numel() for p in model.parameters())))
    return hist


def train_and_test(model: nn.Module, train: tuple, valid: tuple, test: tuple, cfg: Mapping, *, device,
                   logger=None, checkpoint_path=None, seed: int = 0, augment: Callable | None = None,
                   checkpoint_extra: Mapping | None = None) -> dict:
    """Train ``model`` with the shared loop on ``train`` = (x, y) tensors, keep the weights of the best
    validation epoch, and evaluate them on ``test``.

    ``cfg`` keys: ``epochs``, ``batch_size``, ``optimizer``, ``scheduler``, ``label_smoothing``,
    ``tta_flip`` (only for image inputs), ``autocast`` (bfloat16 | float16 | float32; default float32)
    and ``channels_last`` (image inputs; default false), used for training and evaluation. Returns
    ``{"history", "valid_acc", "test_acc", "test_loss", "test_pred", "n_params", "n_trainable"}``.
    """
    bs = int(cfg["batch_size"])
    tr = TensorBatches(train[0], train[1], batch_size=bs, shuffle=True, seed=seed, augment=augment)
    va = TensorBatches(valid[0], valid[1], batch_size=256)
    te = TensorBatches(test[0], test[1], batch_size=256)
    opt = make_optimizer(model, cfg["optimizer"])
    sched = make_scheduler(opt, cfg.get("scheduler"), epochs=int(cfg["epochs"]), steps_per_epoch=len(tr))
    prec = {"tta_flip": bool(cfg.get("tta_flip", False)), "channels_last": bool(cfg.get("channels_last", False)),
            "autocast_dtype": cfg.get("autocast")}
    hist = fit(model, tr, va, epochs=int(cfg["epochs"]), optimizer=opt, scheduler=sched,
               loss_fn=make_loss(cfg), device=device, logger=logger, checkpoint_path=checkpoint_path,
               seed=seed, restore_best=True, checkpoint_extra=checkpoint_extra, **prec)
    # the restored weights are those of the best validation epoch: its accuracy is already known
    va_acc = hist["best_valid_acc"]
    te_loss, te_acc, pred = evaluate(model, te, device, **prec)
    return {
        "history": hist, "valid_acc": va_acc, "test_acc": te_acc, "test_loss": te_loss, "test_pred": pred,
        "n_params": int(sum(p.numel() for p in model.parameters())),
        "n_trainable": int(sum(p.numel() for p in model.parameters() if p.requires_grad)),
    }


def train_image_classifier(model: nn.Module, parts: Mapping[str, tuple], cfg: Mapping, classes: list[str], *,
                           device, logger, checkpoint_path, seed: int) -> dict:
    """:func:`train_and_test` for a network trained from scratch on natural images (the scene CNN, the
    flowers network): ``parts = {"train"|"valid"|"test": (x, y)}``, the augmentation of
    ``cfg["augment"]`` (:func:`nnrec.torch_models.data.make_natural_augment`), a checkpoint that
    records the architecture, the classes and ``cfg``; logs the accuracies."""
    from nnrec.torch_models.data import make_natural_augment

    res = train_and_test(model, parts["train"], parts["valid"], parts["test"], cfg, device=device, logger=logger,
                         checkpoint_path=checkpoint_path, seed=seed, augment=make_natural_augment(cfg.get("augment")),
                         checkpoint_extra={"arch": type(model).__name__, "classes": classes, "config": cfg})
    logger.info(f"test accuracy {res['test_acc']:.4f} (valid {res['valid_acc']:.4f}), "
                f"{res['history']['train_time']:.0f}s")
    return res
