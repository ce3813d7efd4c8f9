"""Figures of the numpy-network parts (one function each; they return a matplotlib Figure).

Each is drawn at most ``COLUMN_IN`` wide with no text under 7 pt, so it prints at its own size
with legible text (see :mod:`nnrec.plots`)."""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nnrec.plots import COLUMN_IN, apply_style, epoch_axis, new_figure, series  # noqa: E402

LEGEND_PT = 7.5


def plot_q2_training(history: dict, n_examples: int):
    fig, (a1, a2) = new_figure(2, 1, aspect=0.5)
    it = history["iter"]
    series(a1, it, history["loss"], label="loss (summed over the data)")
    a1.axhline(n_examples * np.log(4), color="grey", ls="--", lw=0.8, label="N log 4 (chance)")
    a1.set_xlabel("iteration (epoch over the toy set)")
    a1.set_ylabel("cross-entropy")
    a1.legend(fontsize=LEGEND_PT)
    series(a2, it, history["acc"])
    a2.set_xlabel("iteration")
    a2.set_ylabel("accuracy")
    a2.set_ylim(0, 1.02)
    epoch_axis(a1, a2)
    fig.tight_layout()
    return fig


def plot_curves(histories: dict, key: str, ylabel: str, splits=("train", "valid")):
    """One line per (run, split): ``histories = {label: history}`` with ``{split}_{key}`` lists."""
    fig, ax = new_figure(1, 1, width=COLUMN_IN * 0.85, aspect=0.6)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, h) in enumerate(histories.items()):
        for split, ls in zip(splits, ("-", "--")):
            series(ax, h["epoch"], h[f"{split}_{key}"], ls=ls, color=colors[i % len(colors)], label=f"{label} {split}",
                   point_marker="o" if ls == "-" else "s")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    epoch_axis(ax)
    ax.legend(fontsize=LEGEND_PT)
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

    apply_style()
    n = w_init.shape[1]
    side = int(np.ceil(np.sqrt(n)))
    fig = plt.figure(figsize=(COLUMN_IN, 3.8))
    for pos, (W, title) in enumerate(((w_init, "at initialisation"), (w_trained, "after training"))):
        vmax = float(np.abs(W).max()) or 1.0
        grid = ImageGrid(fig, 121 + pos, nrows_ncols=(side, side), axes_pad=0.02, cbar_mode="single",
                         cbar_location="right", cbar_size="5%", cbar_pad=0.06)
        im = weight_grid(grid, W, vmax)
        cbar = grid.cbar_axes[0].colorbar(im)
        cbar.ax.tick_params(labelsize=7)
        grid.axes_all[0].set_title(f"{title} (|w| <= {vmax:.2g})", loc="left", fontsize=8.5)
    return fig


def plot_seed_spread(rows: list[dict]):
    """Final validation accuracy per lr: every seed as a dot, mean as a bar."""
    fig, ax = new_figure(1, 1, width=3.6, aspect=0.72)
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
    fig, (a1, a2) = new_figure(2, 1, aspect=0.55)
    for split, ls in (("train", "-"), ("valid", "--")):
        series(a1, history["epoch"], history[f"{split}_acc"], ls=ls, label=split)
        series(a2, history["epoch"], history[f"{split}_loss"], ls=ls, label=split)
    a1.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))
    a2.set(xlabel="epoch", ylabel="cross-entropy (mean over data)")
    epoch_axis(a1, a2)
    for a in (a1, a2):
        a.legend(fontsize=LEGEND_PT)
    fig.suptitle(title, fontsize=9.5)
    fig.tight_layout()
    return fig


def plot_ae_loss(histories: dict):
    """Training loss (total squared error over the training set) per epoch, one line per run, log y."""
    fig, ax = new_figure(1, 1, width=COLUMN_IN * 0.85, aspect=0.6)
    for label, h in histories.items():
        series(ax, h["epoch"], h["train_loss_total"], label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (total squared error)")
    epoch_axis(ax)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=LEGEND_PT)
    fig.tight_layout()
    return fig


def plot_reconstructions(originals, rows: dict, titles):
    """Column per example; first row the originals, then one row per method (NIST layout images).
    The row names are written level, left of each row, at 8 pt."""
    apply_style()
    n = len(originals)
    labels = ["original", *rows]
    names = ["\n".join(textwrap.wrap(str(label), 12)) for label in labels]
    label_w = 0.12 + max(len(line) for name in names for line in name.split("\n")) * 8 * 0.6 / 72
    cell = min(0.62, (COLUMN_IN - label_w) / max(n, 1))
    top = 0.2  # the titles above the first row
    fig = plt.figure(figsize=(label_w + cell * n, top + cell * len(labels)))
    W, H = fig.get_size_inches()
    for r, imgs in enumerate([originals, *rows.values()]):
        for c in range(n):
            ax = fig.add_axes([(label_w + c * cell + 0.02) / W, (H - top - (r + 1) * cell + 0.02) / H,
                               (cell - 0.04) / W, (cell - 0.04) / H])
            ax.imshow(np.asarray(imgs[c]).reshape(32, 32).T, cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if r == 0:
                ax.set_title(titles[c], fontsize=8, pad=2)
        fig.text((label_w - 0.08) / W, (H - top - (r + 0.5) * cell) / H, names[r], ha="right", va="center",
                 fontsize=8)
    return fig


def plot_psnr_per_class(per_method: dict):
    """Mean PSNR per class, one marker series per method."""
    fig, ax = new_figure(1, 1, aspect=0.4)
    for label, d in per_method.items():
        ax.plot(list(d), list(d.values()), "o-", ms=3, lw=0.8, label=label)
    ax.set_xlabel("class")
    ax.set_ylabel("mean PSNR (dB)")
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(fontsize=LEGEND_PT)
    fig.tight_layout()
    return fig
