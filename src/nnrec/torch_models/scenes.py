"""Q6.1.4: the SUN scenes: a small CNN trained from scratch, the prepared splits, and the table
comparing it with the bag-of-words system and frozen ImageNet features.

Training uses the shared loop (:func:`nnrec.torch_models.loop.train_and_test`); the image
augmentations and input conversion are those of :mod:`nnrec.torch_models.data`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import torch
from torch import nn

from nnrec.common import is_missing, read_result
from nnrec.torch_models.data import check_image_data


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
    from nnrec.data import load_npz

    out = []
    for split in ("train", "test"):
        path = Path(data_dir) / f"{split}.npz"
        d = load_npz(path)
        check_image_data(d, path)
        out.append(subset(d, int(max_per_class)))
    return out[0], out[1]


def scene_inputs(data_dir, max_per_class: int, n_valid: int, seed: int, size: int) -> tuple[dict, list[str]]:
    """The SUN splits as network input: training images split (seeded, stratified) into train and
    ``n_valid`` validation images, test images as given; all ImageNet-normalised at ``size`` px.

    Returns ``({"train"|"valid"|"test": (x, y)}, class names)``.
    """
    from nnrec.torch_models.data import stratified_split, to_input

    train, test = load_scene_splits(data_dir, max_per_class)
    tr_idx, va_idx = stratified_split(train["y"], int(n_valid), seed)
    x_all, x_test = to_input(train["x"], int(size)), to_input(test["x"], int(size))
    y_all, y_test = torch.as_tensor(train["y"]), torch.as_tensor(test["y"])
    parts = {"train": (x_all[tr_idx], y_all[tr_idx]), "valid": (x_all[va_idx], y_all[va_idx]),
             "test": (x_test, y_test)}
    return parts, [str(c) for c in train["classes"]]


# --------------------------------------------------------------------------- Q6.1.4 comparison
def compare_scenes(bow_file: str | Path, cnn_file: str | Path,
                   frozen_files: Mapping[str, str | Path]) -> tuple[dict, dict]:
    """The Q6.1.4 table (bag of words with its two classifiers, the CNN from scratch, frozen ImageNet
    features per backbone) and the headline numbers, from the runs' metrics files. A run marked
    ``missing`` gives no row and is listed under ``missing``."""

    def ok(path, keys):
        m = read_result(path, ("data_source", "train_time_s", *keys))
        return None if is_missing(m) else m

    bow = ok(bow_file, ("test_acc_nn", "test_acc_linear"))
    cnn = ok(cnn_file, ("test_acc", "valid_acc", "n_params", "epochs"))
    frozen = {str(p): ok(p, ("method", "experiment", "backbone", "weights", "test_acc", "valid_acc", "n_trainable",
                             "epochs"))
              for p in frozen_files.values()}
    rows = []
    if bow:
        rows.append({"method": "bag of words (HW1): NN, histogram intersection", "key": "bow_nn", "backbone": None,
                     "weights": None, "test_acc": bow["test_acc_nn"], "valid_acc": None,
                     "train_time_s": bow["train_time_s"], "n_params": None})
        rows.append({"method": "bag of words: linear classifier on the same histograms", "key": "bow_linear",
                     "backbone": None, "weights": None, "test_acc": bow["test_acc_linear"], "valid_acc": None,
                     "train_time_s": bow["train_time_s"], "n_params": None})
    if cnn:
        rows.append({"method": "CNN from scratch", "key": "cnn", "backbone": None, "weights": "random init",
                     "test_acc": cnn["test_acc"], "valid_acc": cnn["valid_acc"], "train_time_s": cnn["train_time_s"],
                     "n_params": cnn["n_params"], "epochs": cnn["epochs"]})
    for m in frozen.values():
        if m:
            rows.append({"method": m["method"], "key": m["experiment"], "backbone": m["backbone"],
                         "weights": m["weights"], "test_acc": m["test_acc"], "valid_acc": m["valid_acc"],
                         "train_time_s": m["train_time_s"], "n_params": m["n_trainable"], "epochs": m["epochs"]})
    sources = sorted({m["data_source"] for m in [bow, cnn, *frozen.values()] if m})
    compare = {"part": "q6_1_4", "rows": rows, "data_source": sources,
               "missing": [k for k, m in (("bow", bow), ("cnn", cnn)) if not m] + [p for p, m in frozen.items() if not m]}
    headline = {"q6_sun_cnn_test_acc": cnn["test_acc"] if cnn else None,
                "q6_sun_bow_test_acc": bow["test_acc_nn"] if bow else None}
    return compare, headline
