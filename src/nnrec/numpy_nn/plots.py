"""Figures of the numpy-network parts (one function each; they return a matplotlib Figure)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_q2_training(history: dict, n_examples: int):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 3))
    it = history["iter"]
    a1.plot(it, history["loss"], label="loss (summed over the data)")
    a1.axhline(n_examples * np.log(4), color="grey", ls="--", lw=0.8, label="N log 4 (chance)")
    a1.set_xlabel("iteration (epoch over the toy set)")
    a1.set_ylabel("cross-entropy")
    a1.legend(fontsize=7)
    a2.plot(it, history["acc"])
    a2.set_xlabel("iteration")
    a2.set_ylabel("accuracy")
    a2.set_ylim(0, 1.02)
    fig.tight_layout()
    return fig


def plot_curves(histories: dict, key: str, ylabel: str, splits=("train", "valid")):
    """One line per (run, split): ``histories = {label: history}`` with ``{split}_{key}`` lists."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, h) in enumerate(histories.items()):
        for split, ls in zip(splits, ("-", "--")):
            ax.plot(h["epoch"], h[f"{split}_{key}"], ls=ls, color=colors[i % len(colors)], label=f"{label} {split}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def weight_grid(ax_grid, W, vmax: float):
    """Draw the columns of W (1024, 64) as 32 x 32 images (NIST layout: transposed) into an ImageGrid."""
    im = None
    for i, ax in enumerate(ax_grid):
        ax.axis("off")
        if i < W.shape[1]:
            im = ax.imshow(W[:, i].reshape(32, 32).T, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    return im


def plot_first_layer_weights(w_init, w_trained):
    """Q3.3: 8 x 8 grids of the first-layer weights at initialisation and after training, side by side,
    each with its own symmetric colour scale (the trained weights are much larger)."""
    from mpl_toolkits.axes_grid1 import ImageGrid

    n = w_init.shape[1]
    side = int(np.ceil(np.sqrt(n)))
    fig = plt.figure(figsize=(12, 6.2))
    for pos, (W, title) in enumerate(((w_init, "at initialisation"), (w_trained, "after training"))):
        vmax = float(np.abs(W).max()) or 1.0
        grid = ImageGrid(fig, 121 + pos, nrows_ncols=(side, side), axes_pad=0.03, cbar_mode="single",
                         cbar_location="right", cbar_size="4%", cbar_pad=0.08)
        im = weight_grid(grid, W, vmax)
        grid.cbar_axes[0].colorbar(im)
        grid.axes_all[0].set_title(f"{title} (|w| <= {vmax:.2g})", loc="left", fontsize=10)
    return fig


def plot_seed_spread(rows: list[dict]):
    """Final validation accuracy per lr: every seed as a dot, mean as a bar."""
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    labels = [f"{r['lr']:g}" for r in rows]
    means = [r["valid_acc_mean"] for r in rows]
    ax.bar(range(len(rows)), means, color="lightsteelblue")
    for i, r in enumerate(rows):
        ax.plot([i] * len(r["valid_acc"]), r["valid_acc"], "k.", ms=6)
    ax.set_xticks(range(len(rows)), labels)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("final valid accuracy")
    ax.set_ylim(0, 1)
    fig.tight_layout()
    return fig


def plot_lr_sweep(choice: dict):
    """Q3.2's sweep (the checkpoint's record, :func:`nnrec.numpy_nn.q3.choose_lr`): final validation
    (and training) accuracy against the learning rate on a log axis, the chosen rate marked, and the
    study's other two rates as vertical lines."""
    runs = choice["runs"]
    lr = [r["lr"] for r in runs]
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.plot(lr, [r["valid_acc"] for r in runs], "o-", label="validation")
    ax.plot(lr, [r["train_acc"] for r in runs], "s--", ms=4, alpha=0.6, label="training")
    ax.plot([choice["chosen_lr"]], [choice["chosen_valid_acc"]], "*", ms=15, color="crimson",
            label=f"chosen: {choice['chosen_lr']:g}")
    for s in choice["study"]:
        if s["role"] != "best":
            ax.axvline(s["lr"], color="grey", ls=":", lw=1)
    ax.set_xscale("log")
    f = choice["factor"]
    ax.set_xlabel(f"learning rate (log scale); dotted: chosen / {f:g} and chosen x {f:g}")
    ax.set_ylabel("final accuracy")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_run_curves(history: dict, title: str):
    """One run: accuracy (train, valid) and average cross-entropy (train, valid) per epoch."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.3))
    for split, ls in (("train", "-"), ("valid", "--")):
        a1.plot(history["epoch"], history[f"{split}_acc"], ls=ls, label=split)
        a2.plot(history["epoch"], history[f"{split}_loss"], ls=ls, label=split)
    a1.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))
    a2.set(xlabel="epoch", ylabel="cross-entropy (mean over data)")
    for a in (a1, a2):
        a.legend(fontsize=8)
        a.grid(alpha=0.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_ae_loss(histories: dict):
    """Training loss (total squared error over the training set) per epoch, one line per run, log y."""
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for label, h in histories.items():
        ax.plot(h["epoch"], h["train_loss_total"], label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (total squared error)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_reconstructions(originals, rows: dict, titles):
    """Column per example; first row the originals, then one row per method (NIST layout images)."""
    n = len(originals)
    fig, axes = plt.subplots(1 + len(rows), n, figsize=(1.1 * n, 1.25 * (1 + len(rows))), squeeze=False)
    for r, (label, imgs) in enumerate([("original", originals), *rows.items()]):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(np.asarray(imgs[c]).reshape(32, 32).T, cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(titles[c], fontsize=8)
            if c == 0:
                ax.set_ylabel(label, fontsize=7)
    fig.tight_layout(pad=0.3)
    return fig


def plot_psnr_per_class(per_method: dict):
    """Mean PSNR per class, one marker series per method."""
    fig, ax = plt.subplots(figsize=(9, 3.2))
    for label, d in per_method.items():
        ax.plot(list(d), list(d.values()), "o-", ms=3, lw=0.8, label=label)
    ax.set_xlabel("class")
    ax.set_ylabel("mean PSNR (dB)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
