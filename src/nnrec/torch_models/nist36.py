"""NIST36 in PyTorch (Q6.1.1 fully-connected, Q6.1.2 CNN) and the trained-classifier loader for OCR.

Both models take the raw NIST36 rows: float (N, 1024) in the .mat layout (each 32x32 image stored
transposed, values in [0, 1]); the CNN turns them into upright (N, 1, 32, 32) images itself, so a
saved model can be applied to anything in that layout (see :func:`load_classifier`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import torch
from torch import nn

N_CLASSES = 36


class NistFC(nn.Module):
    """The Q3 network in PyTorch: 1024 -> hidden (sigmoid) -> 36 (logits; softmax in the loss)."""

    def __init__(self, hidden: int = 64, activation: str = "sigmoid", n_in: int = 1024, n_classes: int = N_CLASSES):
        super().__init__()
        acts = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}
        if activation not in acts:
            raise ValueError(f"NistFC: activation must be one of {sorted(acts)}, got {activation!r}")
        self.layer1 = nn.Linear(n_in, hidden)
        self.act = acts[activation]()
        self.output = nn.Linear(hidden, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.act(self.layer1(x.flatten(1))))

    @torch.no_grad()
    def load_numpy_params(self, params: Mapping[str, np.ndarray]) -> "NistFC":
        """Copy numpy_nn weights (``Wlayer1`` (in, out), ``blayer1``, ``Woutput``, ``boutput``) in."""
        for name in ("layer1", "output"):
            lin = getattr(self, name)
            w, b = np.asarray(params["W" + name]), np.asarray(params["b" + name])
            if w.shape != tuple(lin.weight.shape[::-1]) or b.shape != tuple(lin.bias.shape):
                raise ValueError(f"numpy weights W{name} {w.shape} / b{name} {b.shape} do not fit "
                                 f"Linear({lin.in_features}, {lin.out_features})")
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
            lin.bias.copy_(torch.from_numpy(np.ascontiguousarray(b)))
        return self


class NistCNN(nn.Module):
    """Small CNN for 32x32 characters: ``[conv3x3 -> BN -> ReLU] x 2 -> maxpool`` per stage
    (channels from ``widths``), then dropout -> linear(hidden) -> ReLU -> dropout -> linear(36)."""

    def __init__(self, widths: Sequence[int] = (32, 64, 128), hidden: int = 256, dropout: float = 0.3,
                 n_classes: int = N_CLASSES):
        super().__init__()
        layers, c = [], 1
        for w in widths:
            layers += [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True),
                       nn.Conv2d(w, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True),
                       nn.MaxPool2d(2)]
            c = w
        self.features = nn.Sequential(*layers)
        side = 32 // 2 ** len(widths)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(c * side * side, hidden),
                                        nn.ReLU(inplace=True), nn.Dropout(dropout), nn.Linear(hidden, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim == 2:  # raw (N, 1024) rows in the .mat layout -> upright (N, 1, 32, 32)
            x = x.view(-1, 1, 32, 32).transpose(2, 3)
        return self.classifier(self.features((x - 0.5) / 0.5))


def build_model(arch: str, cfg: Mapping) -> nn.Module:
    """``arch``: ``fc`` or ``cnn``; ``cfg``: the experiment's ``model`` config dict."""
    if arch == "fc":
        return NistFC(hidden=int(cfg.get("hidden", 64)), activation=str(cfg.get("activation", "sigmoid")))
    if arch == "cnn":
        return NistCNN(widths=tuple(cfg.get("widths", (32, 64, 128))), hidden=int(cfg.get("hidden", 256)),
                       dropout=float(cfg.get("dropout", 0.3)))
    raise ValueError(f"unknown NIST36 architecture {arch!r} (fc or cnn)")


def nist36_augment(cfg: Mapping | None) -> Callable | None:
    """Training augmentation for (B, 1024) rows from ``augment`` = ``{translate: pixels, rotate_deg,
    scale: [lo, hi], shear_deg}`` (each optional; None when all are off): a random rotation / zoom /
    shear of the upright image (:func:`nnrec.torch_models.data.random_affine`), then a random shift of
    up to ``translate`` pixels with edge replication (the background is light); same row layout out."""
    from .data import random_affine, random_crop

    cfg = cfg or {}
    rot, shear = float(cfg.get("rotate_deg", 0.0)), float(cfg.get("shear_deg", 0.0))
    scale = tuple(float(v) for v in (cfg.get("scale") or (1.0, 1.0)))
    pad = int(cfg.get("translate", 0))
    affine = random_affine(rot, scale, shear) if (rot or shear or scale != (1.0, 1.0)) else None
    crop = random_crop(pad, "replicate") if pad else None
    if affine is None and crop is None:
        return None

    def aug(xb: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        img = xb.view(-1, 1, 32, 32)  # the .mat layout: each image transposed
        if affine is not None:
            img = affine(img.transpose(2, 3), g).transpose(2, 3)
        if crop is not None:  # the same +-pad in both directions, so the layout does not matter
            img = crop(img, g)
        return img.reshape(len(xb), -1)

    return aug


def load_classifier(model_dir_or_path: str | Path) -> Callable[[np.ndarray], np.ndarray]:
    """Load a trained NIST36 model (``results/pytorch/nist36_cnn/model.pt`` or its folder).

    Returns ``f(x) -> probs``: ``x`` float (N, 1024) (or (1024,)) in the NIST .mat layout (each
    image transposed, values in [0, 1], dark ink on light background); ``probs`` float64 (N, 36),
    classes A-Z then 0-9. Runs on CPU in eval mode. ``f.model`` and ``f.checkpoint`` are attached.
    """
    from .loop import load_checkpoint

    path = Path(model_dir_or_path)
    if path.is_dir():
        path = path / "model.pt"
    ck = load_checkpoint(path)
    arch = ck.get("arch")
    if arch not in ("fc", "cnn"):
        raise ValueError(f"{path}: not a NIST36 checkpoint (arch={arch!r}, expected 'fc' or 'cnn')")
    model = build_model(arch, ck.get("model_cfg", {}))
    try:
        model.load_state_dict(ck["state_dict"])
    except RuntimeError as exc:
        raise ValueError(f"{path}: weights do not fit the {arch} model in it ({exc})") from None
    classify = model_classifier(model, what=f"classifier from {path}")
    classify.checkpoint = {k: v for k, v in ck.items() if k != "state_dict"}
    return classify


def model_classifier(model: nn.Module, what: str = "classifier") -> Callable[[np.ndarray], np.ndarray]:
    """A trained NIST36 model (on the CPU) as ``f(x (N, 1024) NIST .mat layout) -> probs (N, 36)``
    float64, run in eval mode; ``f.model`` is attached. ``what`` names it in error messages."""
    model.eval()

    @torch.no_grad()
    def classify(x: np.ndarray, batch: int = 2048) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != 1024:
            raise ValueError(f"{what}: expected input (N, 1024), got {x.shape}")
        out = [torch.softmax(model(torch.from_numpy(x[i:i + batch])), 1).double().numpy()
               for i in range(0, len(x), batch)]
        return np.concatenate(out) if out else np.zeros((0, N_CLASSES))

    classify.model = model
    return classify


def numpy_batch_order(n: int, seed: int, epochs: int) -> Callable[[int, torch.Generator], torch.Tensor]:
    """The batch order of the numpy Q3 run with ``seed``: ``run_rngs(seed)[1]`` draws one permutation
    of ``range(n)`` per epoch (``nnrec.numpy_nn.batches.batch_indices``). For ``TensorBatches(order=...)``."""
    from nnrec.numpy_nn.batches import run_rngs

    rng = run_rngs(seed)[1]
    perms = [torch.from_numpy(rng.permutation(n)) for _ in range(epochs)]
    return lambda epoch, g: perms[epoch - 1]


def run_nist36(arch: str, cfg: Mapping, splits: Mapping[str, tuple[np.ndarray, np.ndarray]], *,
               device: torch.device, logger, checkpoint_path=None, seed: int = 0,
               init_params: Mapping[str, np.ndarray] | None = None, batch_order: Callable | None = None,
               loss_reduction: str = "mean") -> dict:
    """Train the ``arch`` (fc | cnn) model on ``splits`` {train, valid, test: (x (N,1024), y)}.

    ``cfg``: ``model``, ``epochs``, ``batch_size``, ``optimizer``, ``scheduler``, ``label_smoothing``,
    ``augment`` (:func:`nist36_augment`), ``autocast`` / ``channels_last`` (training and per-epoch
    validation precision, memory format), ``n_train_limit`` (optional), ``eval_train`` (evaluate the whole
    train set after each epoch, as the numpy run does). The validation figures of the kept weights
    come from the training history (not a second pass); the other splits are read once at the end in
    float32, as :func:`load_classifier` runs the saved model. ``init_params`` (numpy_nn weights) and ``batch_order`` reproduce a numpy
    run exactly (Q6.1.1 cross-check); ``loss_reduction='sum'`` matches its summed loss.
    Returns ``{"history", "final": {split_loss, split_acc}, "n_params", "test_preds", "model",
    "kept_epoch"}`` (the epoch whose weights are kept: the best validation epoch, or the last with
    ``restore_best`` false).
    """
    from .loop import TensorBatches, evaluate, fit, make_loss, make_optimizer, make_scheduler, seed_torch

    t = {s: (torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)), torch.from_numpy(np.asarray(y, dtype=np.int64)))
         for s, (x, y) in splits.items()}
    limit = cfg.get("n_train_limit")
    if limit:  # the first n training examples only (the tiny test configuration)
        t["train"] = (t["train"][0][: int(limit)], t["train"][1][: int(limit)])
    epochs, bs = int(cfg["epochs"]), int(cfg["batch_size"])
    aug = nist36_augment(cfg.get("augment"))
    train = TensorBatches(*t["train"], batch_size=bs, shuffle=True, seed=seed, augment=aug, order=batch_order)
    ev = {s: TensorBatches(*t[s], batch_size=2048) for s in t}
    seed_torch(seed)
    model = build_model(arch, cfg.get("model", {}))
    if init_params is not None:
        if arch != "fc":
            raise ValueError("init_params (numpy weights) only apply to the fc model")
        model.load_numpy_params(init_params)
    opt = make_optimizer(model, cfg["optimizer"])
    sched = make_scheduler(opt, cfg.get("scheduler"), epochs=epochs, steps_per_epoch=len(train))
    loss_fn = make_loss(cfg)
    if loss_reduction == "sum":
        loss_fn = nn.CrossEntropyLoss(reduction="sum", label_smoothing=float(cfg.get("label_smoothing", 0.0)))

    def eval_train(epoch: int, hist: dict) -> None:
        loss, acc, _ = evaluate(model, ev["train"], device)
        hist.setdefault("train_eval_loss", []).append(loss)
        hist.setdefault("train_eval_acc", []).append(acc)

    prec = {"channels_last": bool(cfg.get("channels_last", False)), "autocast_dtype": cfg.get("autocast")}
    restore = bool(cfg.get("restore_best", True))
    hist = fit(model, train, ev.get("valid"), epochs=epochs, optimizer=opt, scheduler=sched, loss_fn=loss_fn,
               device=device, logger=logger, checkpoint_path=checkpoint_path, seed=seed, restore_best=restore,
               checkpoint_extra={"arch": arch, "model_cfg": dict(cfg.get("model", {})),
                                 "input": "float (N, 1024) NIST .mat layout (transposed images), values in [0, 1]"},
               on_epoch_end=eval_train if cfg.get("eval_train", False) else None, **prec)
    final, preds = {}, None
    kept = hist["best_epoch"] - 1 if restore else -1  # the epoch whose weights the model holds
    known = {"valid": ("valid_loss", "valid_acc")}  # measured on these weights already: not evaluated again
    if cfg.get("eval_train", False) and not restore:
        known["train"] = ("train_eval_loss", "train_eval_acc")
    for s, loader in ev.items():
        if s in known:
            final[f"{s}_loss"], final[f"{s}_acc"] = (hist[k][kept] for k in known[s])
            continue
        # float32, BatchNorm unfolded: the network exactly as load_classifier runs it for the OCR
        # and fidelity steps (under bfloat16 autocast a few test images read otherwise)
        loss, acc, p = evaluate(model, loader, device, fuse=False)
        final[f"{s}_loss"], final[f"{s}_acc"] = loss, acc
        if s == "test":
            preds = p
    logger.info("final " + " ".join(f"{k}={v:.4f}" for k, v in final.items()))
    return {"history": hist, "final": final, "n_params": hist["n_params"], "test_preds": preds, "model": model,
            "kept_epoch": hist["best_epoch"] if restore else epochs}


# --------------------------------------------------------------------------- Q6.1.1 cross-check
NUMPY_RUN_KEYS = ("seed", "epochs", "batch_size", "hidden", "activation", "loss_reduction", "lr")
#: What the Q6.1 summary reads from the FC and CNN runs' metrics (CIFAR-10: test_acc, history).
Q6_1_RUN_KEYS = ("n_params", "history", "train_acc", "valid_acc", "test_acc", "valid_loss", "train_time_s",
                 "epoch_time_s_mean", "device")


def fc_config_from_numpy_run(npm: Mapping, path: str | Path) -> tuple[dict, int]:
    """The Q6.1.1 run that mirrors the numpy Q3 run whose metrics ``npm`` were read from ``path``:
    its seed, sizes, epochs, batch size and lr, plain SGD, no schedule, the whole training set
    evaluated after each epoch, the last epoch kept. Returns ``(run config, seed)``; a metrics file
    marked missing or lacking a key raises ValueError naming ``path``."""
    if npm.get("status") == "missing":
        raise ValueError(f"{path}: the numpy run is marked missing although NIST36 is available")
    for k in NUMPY_RUN_KEYS:
        if k not in npm:
            raise ValueError(f"{path}: key {k!r} missing (not a Q3 run metrics file)")
    run_cfg = {"epochs": int(npm["epochs"]), "batch_size": int(npm["batch_size"]),
               "model": {"hidden": int(npm["hidden"]), "activation": npm["activation"]},
               "optimizer": {"name": "sgd", "lr": float(npm["lr"]), "momentum": 0.0},
               "scheduler": {"name": "none"}, "eval_train": True, "restore_best": False}
    return run_cfg, int(npm["seed"])


def crosscheck(torch_hist: Mapping, numpy_hist: Mapping) -> dict:
    """Largest per-epoch differences between the torch run and the numpy run it mirrors (training
    set evaluated after each epoch, validation set), over the epochs both have."""
    n = min(len(torch_hist["epoch"]), len(numpy_hist["epoch"]))
    if n == 0:
        raise ValueError("crosscheck: a history without epochs")
    diffs = {f"max_abs_diff_{k}": float(np.max(np.abs(np.subtract(torch_hist[tk][:n], numpy_hist[k][:n]))))
             for k, tk in (("train_loss", "train_eval_loss"), ("train_acc", "train_eval_acc"),
                           ("valid_loss", "valid_loss"), ("valid_acc", "valid_acc"))}
    return {"epochs_compared": n, "numpy_final_valid_acc": numpy_hist["valid_acc"][n - 1], **diffs}


# --------------------------------------------------------------------------- Q6.1 summary
def summarise_q6_1(fc: Mapping, cnn: Mapping, cifar10: Mapping) -> tuple[dict, dict]:
    """The FC vs CNN table on NIST36 and the Q6.1.1-Q6.1.3 headline numbers from the three runs'
    metrics (a run marked ``missing`` gives no row and null headline values)."""
    m = {"fc": fc, "cnn": cnn, "cifar10": cifar10}
    ok = {k: v.get("status") != "missing" for k, v in m.items()}
    rows = []
    for k in ("fc", "cnn"):
        if ok[k]:
            v = m[k]
            rows.append({"model": k, "n_params": v["n_params"], "epochs": len(v["history"]["epoch"]),
                         "train_acc": v["train_acc"], "valid_acc": v["valid_acc"], "test_acc": v["test_acc"],
                         "valid_loss": v["valid_loss"], "train_time_s": v["train_time_s"],
                         "epoch_time_s_mean": v["epoch_time_s_mean"], "device": v["device"]})
    compare = {"rows": rows, "data_source": cnn.get("data_source") or fc.get("data_source"),
               "status": "ok" if rows else "missing"}
    headline = {
        "q6_fc_valid_acc": fc["valid_acc"] if ok["fc"] else None,
        "q6_cnn_valid_acc": cnn["valid_acc"] if ok["cnn"] else None,
        "q6_cifar10_test_acc": cifar10["test_acc"] if ok["cifar10"] else None,
    }
    return compare, headline
