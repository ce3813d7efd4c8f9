"""Q6.2.1: fine-tuning ImageNet backbones (SqueezeNet 1.1, MobileNet V2) on Oxford Flowers 17 with a
new single-layer classifier, and the 3-conv + 2-FC network trained from scratch.

Pretrained weights are never downloaded here: the torchvision architecture is built with
``weights=None`` and the state dict is loaded from the file prepared by the data layer, after its
SHA-256 has been checked again (:func:`load_verified_state_dict`).

The single-layer classifier is ``Conv2d(C, n_classes, 1)`` applied to the globally average-pooled
backbone features. Since a 1x1 convolution commutes with average pooling, training it on cached
pooled features (frozen backbone) is exactly the same model as training it end to end.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from nnrec.common import CorruptFile, is_missing, read_result, sha256_file
from nnrec.data.normalise import load_npz
from nnrec.data.prepare import read_provenance
from nnrec.torch_models.data import check_image_data, make_natural_augment, to_input
from nnrec.torch_models.loop import train_and_test

#: backbone name -> (torchvision constructor name, feature channels, human-readable weights name)
BACKBONES = {
    "squeezenet1_1": ("squeezenet1_1", 512, "torchvision SqueezeNet 1.1 IMAGENET1K_V1"),
    "mobilenet_v2": ("mobilenet_v2", 1280, "torchvision MobileNet V2 IMAGENET1K_V1"),
}


class WeightsError(ValueError):
    """A pretrained weights file is missing, corrupt or does not fit the architecture."""


def load_verified_state_dict(path: str | Path, sha256: str | None) -> dict:
    """Load a torchvision state dict from ``path`` after checking its SHA-256 against ``sha256``.

    Raises :class:`WeightsError` naming the file when it is absent, its checksum differs, or it is
    not a loadable state dict. ``sha256=None`` skips the check (logged by the caller).
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: weights file not found")
    if sha256:
        actual = sha256_file(path)
        if actual != sha256.lower():
            raise WeightsError(
                f"{path}: checksum mismatch (sha256 {actual}, expected {sha256}); the file is corrupt "
                "or not the expected weights - delete it and re-run the prepare rule"
            )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means a bad file
        raise WeightsError(f"{path}: not a loadable PyTorch state dict ({type(exc).__name__}: {exc})") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise WeightsError(f"{path}: does not contain a state dict of tensors")
    return state


def build_backbone(name: str, weights_path: str | Path | None = None, sha256: str | None = None) -> nn.Module:
    """The convolutional part (``.features``) of a torchvision ImageNet network, weights loaded and verified.

    ``weights_path=None`` builds it randomly initialised (tests only).
    """
    import torchvision

    if name not in BACKBONES:
        raise ValueError(f"unknown backbone {name!r}; known: {', '.join(BACKBONES)}")
    model = getattr(torchvision.models, BACKBONES[name][0])(weights=None)
    if weights_path is not None:
        state = load_verified_state_dict(weights_path, sha256)
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            raise WeightsError(f"{weights_path}: does not fit torchvision {name} ({exc})") from None
    return model.features


class FineTuneNet(nn.Module):
    """Backbone features -> global average pooling -> dropout -> ``Conv2d(C, n_classes, 1)``.

    ``classifier`` is the only new layer (17 outputs for Flowers 17). ``forward_pooled`` runs only
    the classifier on cached pooled features (N, C).
    """

    def __init__(self, backbone: nn.Module, channels: int, n_classes: int, dropout: float = 0.2):
        super().__init__()
        self.backbone = backbone
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Conv2d(channels, n_classes, kernel_size=1)

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(self.backbone(x)).flatten(1)

    def forward_pooled(self, f: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.dropout(f)[:, :, None, None]).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_pooled(self.pooled(x))

    def freeze_backbone(self, frozen: bool = True) -> None:
        for p in self.backbone.parameters():
            p.requires_grad_(not frozen)


class PooledHead(nn.Module):
    """Adapter so that the shared loop can train ``net``'s classifier on cached pooled features."""

    def __init__(self, net: FineTuneNet):
        super().__init__()
        self.net = net

    def forward(self, f: torch.Tensor) -> torch.Tensor:
        return self.net.forward_pooled(f)


def make_finetune_net(name: str, n_classes: int, weights_path=None, sha256=None, dropout: float = 0.2) -> FineTuneNet:
    return FineTuneNet(build_backbone(name, weights_path, sha256), BACKBONES[name][1], n_classes, dropout)


@torch.no_grad()
def extract_pooled(net: FineTuneNet, x: torch.Tensor, batch_size: int = 64,
                   augment: Callable | None = None, g: torch.Generator | None = None,
                   logger: logging.Logger | None = None, what: str = "features", *,
                   channels_last: bool = False, autocast_dtype: str | None = None) -> torch.Tensor:
    """Pooled backbone features (N, C) float32 of images ``x`` (N, 3, H, W) in eval mode, optionally
    augmented, computed by the backbone with BatchNorm folded into its convolutions
    (:func:`~nnrec.torch_models.loop.fuse_conv_bn`), in ``autocast_dtype`` and channels-last if asked."""
    from nnrec.torch_models.loop import _autocast, _to, fuse_conv_bn

    was = net.training
    net.eval()
    fused = fuse_conv_bn(net)
    if channels_last:
        fused = fused.to(memory_format=torch.channels_last)
    device = next(net.parameters()).device
    out, t0 = [], time.perf_counter()
    for s in range(0, len(x), batch_size):
        xb = x[s : s + batch_size]
        if augment is not None:
            xb = augment(xb, g)
        with _autocast(device, autocast_dtype):
            out.append(fused.pooled(_to(xb, device, channels_last)).float())
    net.train(was)
    if logger:
        logger.info(f"{what}: {len(x)} images in {time.perf_counter() - t0:.1f}s")
    return torch.cat(out)


class ScratchNet(nn.Module):
    """The network the assignment names: 3 conv layers (conv-BN-ReLU-maxpool) then 2 fully connected
    layers (FC-ReLU-dropout-FC)."""

    def __init__(self, n_classes: int = 17, widths: Sequence[int] = (32, 64, 128), hidden: int = 256,
                 dropout: float = 0.5, pool_to: int = 4):
        super().__init__()
        if len(widths) != 3:
            raise ValueError(f"ScratchNet has exactly 3 conv layers, got widths {list(widths)}")
        layers: list[nn.Module] = []
        cin = 3
        for w in widths:
            layers += [nn.Conv2d(cin, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
            cin = w
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(pool_to))
        self.fc1 = nn.Linear(cin * pool_to * pool_to, hidden)
        self.fc2 = nn.Linear(hidden, n_classes)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x).flatten(1)
        return self.fc2(self.drop(torch.relu(self.fc1(h))))


def check_split(split: dict, y: np.ndarray) -> None:
    """Raise ValueError when the train/valid/test index lists overlap, are out of range or miss a class."""
    parts = {k: np.asarray(split.get(k, []), dtype=np.int64) for k in ("train", "valid", "test")}
    for k, idx in parts.items():
        if len(idx) == 0:
            raise ValueError(f"split: '{k}' is empty")
        if idx.min() < 0 or idx.max() >= len(y):
            raise ValueError(f"split: '{k}' has indices outside 0..{len(y) - 1}")
        if len(np.unique(idx)) != len(idx):
            raise ValueError(f"split: '{k}' repeats indices")
    for a, b in (("train", "valid"), ("train", "test"), ("valid", "test")):
        if np.intersect1d(parts[a], parts[b]).size:
            raise ValueError(f"split: '{a}' and '{b}' overlap")
    classes = np.unique(y)
    for k, idx in parts.items():
        missing = np.setdiff1d(classes, y[idx])
        if missing.size:
            raise ValueError(f"split: '{k}' has no example of classes {missing.tolist()}")


def load_flowers(data_dir: str | Path, max_per_class: int, size: int) -> tuple[dict, list[str], dict]:
    """The prepared Flowers 17 (``images.npz`` + ``split.json``), checked, each part limited to its
    first ``max_per_class`` images per class (0: all), as ImageNet-normalised ``size`` px tensors.

    Returns ``({"train"|"valid"|"test": (x, y)}, class names, split)``.
    """
    data_dir = Path(data_dir)
    d = load_npz(data_dir / "images.npz")
    check_image_data(d, data_dir / "images.npz")
    split_file = data_dir / "split.json"
    split = read_result(split_file, ("source", "train", "valid", "test"))
    try:
        check_split(split, d["y"])
    except ValueError as exc:
        raise CorruptFile(f"{split_file}: {exc}") from None
    split = subset_split(split, d["y"], int(max_per_class))
    x, y = to_input(d["x"], int(size)), torch.as_tensor(d["y"])
    parts = {k: (x[np.asarray(split[k])], y[np.asarray(split[k])]) for k in ("train", "valid", "test")}
    return parts, [str(c) for c in d["classes"]], split


def pretrained_weights(weights_prov: str | Path, configured_sha256: str | None) -> tuple[Path, str | None]:
    """The prepared weights file of a backbone (beside its provenance file) and the SHA-256 to check
    it against: the one recorded when it was prepared, else the configured one."""
    prov = read_provenance(weights_prov)
    sha = (prov.get("files") or [{}])[0].get("sha256") or configured_sha256
    return Path(weights_prov).parent / "weights.pth", sha


def cache_features(net: FineTuneNet, x_train: torch.Tensor, x_eval: Sequence[torch.Tensor], views: int,
                   augment: Callable | None, seed: int, batch_size: int = 64, logger=None, **precision):
    """Pooled features of ``views`` versions of the training images (view 0 unaugmented, the others
    drawn with ``augment`` from a generator seeded with ``seed``) and of each evaluation set, each
    image through the backbone once per view. ``precision``: ``channels_last``, ``autocast_dtype``
    (:func:`extract_pooled`).

    Returns ``(train_features (views*N, C), [eval_features...])``; row ``v*N + i`` is view v of image i.
    """
    g = torch.Generator()
    g.manual_seed(int(seed))
    feats = [extract_pooled(net, x_train, batch_size, logger=logger, what="train features, view 1", **precision)]
    for v in range(1, views):
        feats.append(extract_pooled(net, x_train, batch_size, augment, g, logger, f"train features, view {v + 1}",
                                    **precision))
    evals = [extract_pooled(net, x, batch_size, logger=logger, what="eval features", **precision) for x in x_eval]
    return torch.cat(feats), evals


def run_finetune(net: FineTuneNet, train: tuple, valid: tuple, test: tuple, cfg: dict, *, device, logger=None,
                 seed: int = 0, head_checkpoint=None, full_checkpoint=None, extra=None) -> dict:
    """Stage 1: train the new classifier on cached features of the frozen backbone.
    Stage 2 (when ``cfg["full"]["epochs"] > 0``): train the whole network at a lower rate, from stage 1.

    ``cfg``: ``views``, ``augment``, ``autocast`` / ``channels_last`` (the backbone's feature
    pass), ``head`` (train config), ``full`` (train config + ``augment``, its own precision keys).
    Returns ``{"frozen": {...}, "full": {...} or None}`` with histories, accuracies, times.
    """
    net.to(device)
    net.freeze_backbone(True)
    t0 = time.perf_counter()
    views = int(cfg.get("views", 1))
    ftr, (fva, fte) = cache_features(net, train[0].to(device), [valid[0].to(device), test[0].to(device)], views,
                                     make_natural_augment(cfg.get("augment")), seed, logger=logger,
                                     channels_last=bool(cfg.get("channels_last", False)),
                                     autocast_dtype=cfg.get("autocast"))
    t_feat = time.perf_counter() - t0
    ytr = train[1].repeat(views)
    head = PooledHead(net)
    frozen = train_and_test(head, (ftr.cpu(), ytr), (fva.cpu(), valid[1]), (fte.cpu(), test[1]), cfg["head"],
                            device=device, logger=logger, checkpoint_path=head_checkpoint, seed=seed,
                            checkpoint_extra=extra)
    frozen.update(feature_time_s=t_feat, time_s=time.perf_counter() - t0, views=views,
                  n_trainable=int(sum(p.numel() for p in net.classifier.parameters())))
    full = None
    fcfg = cfg.get("full") or {}
    if int(fcfg.get("epochs", 0)) > 0:
        t1 = time.perf_counter()
        net.freeze_backbone(False)
        full = train_and_test(net, train, valid, test, fcfg, device=device, logger=logger,
                              checkpoint_path=full_checkpoint, seed=seed + 1,
                              augment=make_natural_augment(fcfg.get("augment")), checkpoint_extra=extra)
        full.update(time_s=time.perf_counter() - t1)
    return {"frozen": frozen, "full": full}


def subset_split(split: dict, y: np.ndarray, n: int) -> dict:
    """Each part of ``split`` restricted to its first ``n`` images of each class (n = 0: unchanged)."""
    if n <= 0:
        return split
    y = np.asarray(y)
    out = dict(split)
    for k in ("train", "valid", "test"):
        idx = np.asarray(split[k])
        out[k] = [int(i) for c in np.unique(y[idx]) for i in idx[y[idx] == c][:n]]
    return out


# --------------------------------------------------------------------------- Q6.2.1 comparison
def compare_flowers(finetune_files: Mapping[str, str | Path], scratch_file: str | Path) -> tuple[dict, dict]:
    """The Q6.2.1 table (every fine-tuning stage of every backbone, then the network from scratch)
    and the headline numbers, from the runs' metrics files: ``finetune_files = {backbone: path}``.
    A run marked ``missing`` gives no row and is listed with its reason; in the headline its value
    is ``{"missing": "<file>: <reason>"}``, never a bare null."""
    rows, missing, finetune = [], [], {}
    metrics = {}
    for backbone, path in finetune_files.items():
        m = metrics[str(path)] = read_result(path, ("test_acc", "rows", "weights"))
        if is_missing(m):
            missing.append({"file": str(path), "reason": m.get("reason")})
            finetune[backbone] = None
            continue
        finetune[backbone] = m["test_acc"]
        for r in m["rows"]:
            rows.append({"model": f"{backbone} ({r['stage']})", "backbone": backbone, "weights": m["weights"],
                         "stage": r["stage"], "method": r["method"], "valid_acc": r["valid_acc"],
                         "test_acc": r["test_acc"], "epochs": r["epochs"], "train_time_s": r["train_time_s"],
                         "n_params": r["n_params"], "n_trainable": r["n_trainable"]})
    s = metrics[str(scratch_file)] = read_result(scratch_file, ("method", "valid_acc", "test_acc", "epochs",
                                                                "train_time_s", "n_params", "n_trainable"))
    if is_missing(s):
        missing.append({"file": str(scratch_file), "reason": s.get("reason")})
    else:
        rows.append({"model": "3 conv + 2 FC (scratch)", "backbone": None, "weights": "random init",
                     "stage": "scratch", "method": s["method"], "valid_acc": s["valid_acc"],
                     "test_acc": s["test_acc"], "epochs": s["epochs"], "train_time_s": s["train_time_s"],
                     "n_params": s["n_params"], "n_trainable": s["n_trainable"]})
    split_source = next((m["split_source"] for m in metrics.values() if m.get("split_source")), None)
    compare = {"part": "q6_2", "rows": rows, "missing": missing, "split_source": split_source,
               "missing_backbones": [b for b, acc in finetune.items() if acc is None],
               "total_train_time_s": sum(r["train_time_s"] for r in rows)}
    why = {m["file"]: f"{m['file']}: {m.get('reason') or 'marked missing'}" for m in missing}
    headline = {"q6_flowers_finetune_test_acc": {b: acc if acc is not None else {"missing": why[str(finetune_files[b])]}
                                                 for b, acc in finetune.items()},
                "q6_flowers_scratch_test_acc": {"missing": why[str(scratch_file)]} if is_missing(s) else s["test_acc"]}
    return compare, headline
