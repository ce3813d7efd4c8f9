"""Q5: the numpy autoencoder (1024 -> 32 -> 32 -> 32 -> 1024), momentum SGD, PSNR, the PCA baseline."""

from __future__ import annotations

import time

import numpy as np

from .batches import batch_indices, run_rngs
from .model import Network

#: What the Q5 summary reads from each run's metrics.json.
AE_RUN_KEYS = ("epochs", "lr", "lr_decay", "lr_decay_every", "label", "train_seconds", "epoch_seconds_mean", "history")


def make_autoencoder(d_in: int, code: int, rng, dtype=np.float32, reduction: str = "sum") -> Network:
    """d_in -> code (ReLU) -> code (ReLU) -> code (ReLU) -> d_in (sigmoid); loss = total squared error."""
    return Network.create([d_in, code, code, code, d_in], ["relu", "relu", "relu", "sigmoid"], rng, dtype=dtype,
                          loss="sse", reduction=reduction)


def gradient_check(input_size: int, code_size: int, n_examples: int, eps: float, tol: float, seed: int,
                   reduction: str = "sum") -> dict:
    """Q5.1.1: central differences against backprop for the autoencoder architecture (a small
    ``input_size``, float64, random inputs in [0, 1) as their own targets). Returns the result of
    :func:`nnrec.numpy_nn.gradcheck.check_gradients` with ``passed`` and ``tol``; a failed check
    raises :class:`nnrec.numpy_nn.gradcheck.GradientCheckFailed` (the run stops, as Q2's does)."""
    from .gradcheck import check_gradients, require_passed

    rng = np.random.default_rng([seed, 7])
    ae = make_autoencoder(input_size, code_size, rng, dtype=np.float64, reduction=reduction)
    x = rng.uniform(size=(n_examples, input_size))
    res = check_gradients(ae, x, x, eps)
    res["passed"] = bool(res["max_rel_error"] < tol)
    res["tol"] = tol
    require_passed(f"autoencoder {input_size} -> {code_size} x3 -> {input_size}", res["max_rel_error"], tol)
    return res


def init_momentum(params: dict) -> None:
    """Zero-initialised momentum accumulators ``m_<param>``, one per parameter (Q5.1.2)."""
    for k in [k for k in params if k[:1] in ("W", "b")]:
        params["m_" + k] = np.zeros_like(params[k])


def lr_at(epoch: int, lr: float, decay: float, every: int) -> float:
    """Learning rate of 1-based ``epoch``: multiplied by ``decay`` after every ``every`` epochs
    (the assignment's ``if itr % lr_rate == lr_rate - 1: learning_rate *= 0.9``)."""
    return float(lr * decay ** ((epoch - 1) // every)) if every else float(lr)


def train_autoencoder(x, run: dict, seed: int, batch_size: int, code: int, momentum: float = 0.9,
                      reduction: str = "sum", dtype=np.float32, progress=None) -> dict:
    """Train on ``x`` (N, D) in [0, 1]; ``run`` has epochs, lr, lr_decay, lr_decay_every.

    History: per epoch the summed squared error over the training set ("total loss", what the
    assignment plots) and the same per image; both measured during the epoch (as the assignment does).
    """
    init_rng, batch_rng = run_rngs(seed)
    x = np.ascontiguousarray(x, dtype=dtype)
    net = make_autoencoder(x.shape[1], code, init_rng, dtype=dtype, reduction=reduction)
    init_momentum(net.params)
    hist = {"epoch": [], "lr": [], "train_loss_total": [], "train_loss_per_image": []}
    secs = []
    for epoch in range(1, run["epochs"] + 1):
        t0 = time.perf_counter()
        lr = lr_at(epoch, run["lr"], run["lr_decay"], run["lr_decay_every"])
        total = 0.0
        for idx in batch_indices(len(x), batch_size, batch_rng):
            xb = x[idx]
            loss = net.loss_and_grads(xb, xb, check=False)
            total += loss * (len(idx) if reduction == "mean" else 1)
            net.step(lr, momentum)
        secs.append(time.perf_counter() - t0)
        hist["epoch"].append(epoch)
        hist["lr"].append(lr)
        hist["train_loss_total"].append(total)
        hist["train_loss_per_image"].append(total / len(x))
        if not np.isfinite(total) and progress:
            progress.logger.warning(f"epoch {epoch}: loss is not finite")
        if progress:
            progress.step(epoch, loss=total, loss_per_image=total / len(x), lr=lr)
    return {"net": net, "history": hist, "epoch_seconds": secs}


def reconstruct(net: Network, x, batch: int = 4096):
    return net.predict_proba(np.asarray(x, dtype=net.params["Woutput"].dtype), batch)


def psnr_per_image(x, recon, data_range: float = 1.0) -> np.ndarray:
    """PSNR of each image with skimage.metrics.peak_signal_noise_ratio (then average it yourself)."""
    from skimage.metrics import peak_signal_noise_ratio

    x, recon = np.asarray(x, dtype=np.float64), np.asarray(recon, dtype=np.float64)
    if x.shape != recon.shape:
        raise ValueError(f"PSNR: images {x.shape} and reconstructions {recon.shape} differ in shape")
    return np.array([peak_signal_noise_ratio(a, b, data_range=data_range) for a, b in zip(x, recon)])


SHARPNESS_DEFINITION = ("mean gradient magnitude: the mean over the 32 x 32 pixels of |grad I| (numpy.gradient, "
                        "central differences), intensities in [0, 1]; higher = sharper edges")


def sharpness(images, side: int = 32) -> np.ndarray:
    """Per image (rows of ``images``, side x side values): the mean gradient magnitude
    (:data:`SHARPNESS_DEFINITION`). A blurred reconstruction scores below its original."""
    x = np.asarray(images, dtype=np.float64).reshape(-1, side, side)
    gy, gx = np.gradient(x, axis=(1, 2))
    return np.sqrt(gx * gx + gy * gy).mean(axis=(1, 2))


def shown_measures(x, recons: dict, idx, labels, classes) -> dict:
    """Q5.3.1: what the figure of shown images says, per shown image: its class, and per method
    (``recons = {label: reconstructions of every image}``) the PSNR and the sharpness, with the
    originals' sharpness; plus the means over the shown images."""
    idx = [int(i) for i in idx]
    out = {"indices": idx, "labels": [str(classes[int(labels[i])]) for i in idx], "psnr": {}, "sharpness": {},
           "sharpness_definition": SHARPNESS_DEFINITION}
    out["sharpness"]["original"] = [float(v) for v in sharpness(np.asarray(x)[idx])]
    for label, rec in recons.items():
        out["psnr"][label] = [float(v) for v in psnr_per_image(np.asarray(x)[idx], np.asarray(rec)[idx])]
        out["sharpness"][label] = [float(v) for v in sharpness(np.asarray(rec)[idx])]
    out["psnr_mean"] = {k: float(np.mean(v)) for k, v in out["psnr"].items()}
    out["sharpness_mean"] = {k: float(np.mean(v)) for k, v in out["sharpness"].items()}
    return out


def per_class_mean(values, labels, classes) -> dict:
    return {str(classes[c]): float(np.mean(values[labels == c])) for c in np.unique(labels)}


def loss_shape(history: dict) -> dict:
    """The numbers behind the Q5.2 comment on a training-loss curve (``history["train_loss_total"]``
    per epoch): the loss at a few epochs, the fraction of the total drop reached by epoch 10, the
    relative drop over the last fifth of the epochs, whether it only ever decreased."""
    L = np.asarray(history["train_loss_total"], dtype=float)
    n = len(L)
    if n == 0:
        raise ValueError("loss_shape: empty training-loss history")
    at = {e: float(L[e - 1]) for e in sorted({1, min(5, n), min(10, n), min(20, n), min(50, n), n})}
    drop = L[0] - L[-1]
    frac10 = float((L[0] - L[min(10, n) - 1]) / drop) if drop > 0 else float("nan")
    k = max(1, n // 5)
    last = float((L[-k - 1] - L[-1]) / L[-k - 1]) if n > k else float("nan")
    return {"loss_at_epoch": at, "fraction_of_total_drop_by_epoch_10": frac10,
            "relative_drop_over_last_epochs": last, "last_epochs": k,
            "monotone": bool(np.all(np.diff(L) <= 0)), "increases": int(np.sum(np.diff(L) > 0))}


def pca_fit(x, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean (D,), components (k, D)): the top ``k`` principal directions of ``x`` (rows = examples)."""
    x = np.asarray(x, dtype=np.float64)
    if k > min(x.shape):
        raise ValueError(f"PCA: {k} components requested from data of shape {x.shape}")
    mean = x.mean(axis=0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    return mean, vt[:k]


def pca_reconstruct(x, mean, components) -> np.ndarray:
    """Project onto the components and back: mean + ((x - mean) V^T) V."""
    xc = np.asarray(x, dtype=np.float64) - mean
    return mean + (xc @ components.T) @ components


def pick_examples(y, classes, show_classes, per_class: int) -> list[int]:
    """Indices of the first ``per_class`` examples (file order) of each class in ``show_classes``."""
    idx = []
    for name in show_classes:
        if name not in classes:
            raise ValueError(f"autoencoder.show_classes: unknown class {name!r} (classes are A-Z, 0-9)")
        found = np.flatnonzero(np.asarray(y) == classes.index(name))[:per_class]
        if len(found) < per_class:
            raise ValueError(f"class {name!r} has only {len(found)} validation images, {per_class} asked for")
        idx.extend(int(i) for i in found)
    return idx
