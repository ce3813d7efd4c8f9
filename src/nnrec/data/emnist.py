"""The NIST36 substitute built from EMNIST ByClass (issue 20).

NIST36 was cut from NIST Special Database 19; EMNIST (Cohen et al., 2017) is the public 28 x 28
conversion of that database. When the course's ``data.zip`` cannot be had, NIST36 is rebuilt from
EMNIST's **ByClass test split** in NIST36's exact format. Two routes read the same images:

- ``emnist-gzip``: EMNIST's official ``gzip.zip``, members
  ``gzip/emnist-byclass-test-{images-idx3,labels-idx1}-ubyte.gz`` (idx files; each image is
  stored transposed);
- ``emnist-npz``: the data mirror's ``emnist-byclass-test-az09.npz`` (``x`` upright uint8,
  ``y`` ByClass label, ``index`` = position in the official split, ``classes``).

Both select every capital letter A-Z and the first :data:`DIGITS_PER_CLASS` of each digit, in the
split's own order (:func:`select_az09`); the npz's ``index`` is that selection. Then, identically
for both: a seeded, stratified split per class (:func:`split_per_class`: valid and test keep their
size for every class, train takes the rest up to its size), and each kept image goes through the
glyph normalisation a Q4 page character goes through (:mod:`nnrec.data.handwriting`).
"""

from __future__ import annotations

import gzip
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from nnrec import NIST36_CLASSES
from nnrec.common import save_npz
from nnrec.data.fetch import CorruptArchive, DataError, safe_extract
from nnrec.data.handwriting import per_class_counts, to_nist_rows

log = logging.getLogger("nnrec.data")

SPLITS = ("train", "valid", "test")

#: EMNIST ByClass labels: 0-9 digits, 10-35 capitals A-Z, 36-61 small letters a-z.
BYCLASS_CLASSES = ([str(d) for d in range(10)] + [chr(ord("A") + i) for i in range(26)]
                   + [chr(ord("a") + i) for i in range(26)])
#: The first N images of each digit in the ByClass test split are kept (as in the mirror's npz).
DIGITS_PER_CLASS = 1000
IDX_IMAGES = "emnist-byclass-test-images-idx3-ubyte.gz"
IDX_LABELS = "emnist-byclass-test-labels-idx1-ubyte.gz"

#: How the cover and the captions name this data.
DESCRIPTION = "NIST36 substitute from EMNIST ByClass (NIST SD19)"
SELECTION = (f"EMNIST ByClass test split: every capital letter A-Z and the first {DIGITS_PER_CLASS:,} "
             "of each digit, in the split's own order")
SPLIT_RULE = ("seeded random order within each class; valid and test take their full size in every "
              "class, train takes what is left, up to its size (a class short of images has a "
              "smaller train split, never a smaller valid or test split)")


@dataclass
class EmnistSelection:
    """The A-Z/0-9 images of the ByClass test split, in split order."""

    x: np.ndarray       # uint8 (N, 28, 28), upright, white ink (255) on black (0), as EMNIST
    y: np.ndarray       # int64 (N,) NIST36 labels (0-25 A-Z, 26-35 digits)
    index: np.ndarray   # int64 (N,) position of each image in the official ByClass test split
    file: str           # the source file (for messages)


# --------------------------------------------------------------------------- labels and selection
def to_nist36_labels(y_byclass: np.ndarray) -> np.ndarray:
    """EMNIST ByClass labels -> NIST36 indices (A-Z -> 0-25, digit d -> 26 + d; others -> -1)."""
    y = np.asarray(y_byclass).astype(np.int64)
    out = np.full(y.shape, -1, dtype=np.int64)
    digit = (y >= 0) & (y <= 9)
    capital = (y >= 10) & (y <= 35)
    out[digit] = 26 + y[digit]
    out[capital] = y[capital] - 10
    return out


def select_az09(y_byclass: np.ndarray, digits_per_class: int | None = None) -> np.ndarray:
    """Positions (ascending) of every capital letter and the first ``digits_per_class`` (default
    :data:`DIGITS_PER_CLASS`) of each digit in a ByClass label sequence: the images the substitute
    draws from."""
    y = np.asarray(y_byclass)
    digits_per_class = DIGITS_PER_CLASS if digits_per_class is None else digits_per_class
    keep = (y >= 10) & (y <= 35)
    for d in range(10):
        keep[np.flatnonzero(y == d)[:digits_per_class]] = True
    return np.flatnonzero(keep)


# --------------------------------------------------------------------------- the official route
def read_idx(path: Path, ndim: int) -> np.ndarray:
    """Read a (gzipped) idx file of unsigned bytes with ``ndim`` dimensions (LeCun's format:
    two zero bytes, type code 0x08, the number of dimensions, big-endian int32 sizes, data)."""
    path = Path(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as exc:
        raise CorruptArchive(f"{path}: unreadable idx file ({exc})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(f"{path}: not an idx file (bad magic number)")
    if data[2] != 0x08:
        raise DataError(f"{path}: idx type code 0x{data[2]:02x}, expected 0x08 (unsigned bytes)")
    if data[3] != ndim:
        raise DataError(f"{path}: idx file has {data[3]} dimensions, expected {ndim}")
    head = 4 + 4 * ndim
    shape = tuple(int(v) for v in np.frombuffer(data[4:head], dtype=">i4"))
    if len(data) - head != int(np.prod(shape)):
        raise DataError(f"{path}: idx header says {shape} ({int(np.prod(shape))} bytes) but {len(data) - head} bytes follow")
    return np.frombuffer(data, dtype=np.uint8, offset=head).reshape(shape)


def read_emnist_gzip(archive: Path, work: Path, digits_per_class: int | None = None) -> EmnistSelection:
    """The A-Z/0-9 selection from EMNIST's official ``gzip.zip`` (its ByClass test members)."""
    archive = Path(archive)
    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise CorruptArchive(f"{archive}: corrupt archive ({exc})") from None
    members = {}
    for base in (IDX_IMAGES, IDX_LABELS):
        found = [n for n in names if PurePosixPath(n).name == base]
        if len(found) != 1:
            raise DataError(f"{archive}: expected one member gzip/{base}, found {found or 'none'}")
        members[base] = found[0]
    ex = safe_extract(archive, work / "emnist", members=list(members.values()))
    images = read_idx(ex / members[IDX_IMAGES], 3)
    labels = read_idx(ex / members[IDX_LABELS], 1)
    if images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise DataError(f"{archive}: {IDX_IMAGES} has shape {images.shape} and {IDX_LABELS} {labels.shape}; "
                        "expected (N, 28, 28) and (N,)")
    if labels.max(initial=0) >= len(BYCLASS_CLASSES):
        raise DataError(f"{archive}: {IDX_LABELS} has label {int(labels.max())}, ByClass has {len(BYCLASS_CLASSES)} classes")
    pos = select_az09(labels, digits_per_class)
    x = np.ascontiguousarray(images[pos].transpose(0, 2, 1))   # the idx files store each image transposed
    return EmnistSelection(x=x, y=to_nist36_labels(labels[pos]), index=pos.astype(np.int64), file=archive.name)


# --------------------------------------------------------------------------- the mirror's route
def read_emnist_npz(path: Path) -> EmnistSelection:
    """The A-Z/0-9 selection from the mirror's ``emnist-byclass-test-az09.npz``, checked."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise CorruptArchive(f"{path}: not a readable npz file ({exc})") from None
    missing = [k for k in ("x", "y", "index", "classes") if k not in arrays]
    if missing:
        raise DataError(f"{path}: missing array(s) {missing} (found {sorted(arrays)})")
    x, y, index, classes = arrays["x"], arrays["y"], arrays["index"], arrays["classes"]
    n = len(y)
    if x.dtype != np.uint8 or x.shape != (n, 28, 28):
        raise DataError(f"{path}: x is {x.dtype} {x.shape}, expected uint8 ({n}, 28, 28)")
    if index.shape != (n,) or y.ndim != 1:
        raise DataError(f"{path}: y {y.shape} and index {index.shape} must both be ({n},)")
    if [str(c) for c in classes] != BYCLASS_CLASSES[:36]:
        raise DataError(f"{path}: classes {[str(c) for c in classes]} are not EMNIST ByClass's 0-9, A-Z")
    if n and (y.min() < 0 or y.max() > 35):
        raise DataError(f"{path}: y has labels outside 0-35 (digits and capital letters)")
    if n and (index.min() < 0 or np.any(np.diff(index) <= 0)):
        raise DataError(f"{path}: index must be increasing positions in the ByClass test split")
    over = [BYCLASS_CLASSES[d] for d in range(10) if np.count_nonzero(y == d) > DIGITS_PER_CLASS]
    if over:
        raise DataError(f"{path}: more than {DIGITS_PER_CLASS} images of digit(s) {over}; "
                        f"the selection keeps the first {DIGITS_PER_CLASS} of each")
    return EmnistSelection(x=x, y=to_nist36_labels(y), index=index.astype(np.int64), file=path.name)


# --------------------------------------------------------------------------- split and write
def split_per_class(y: np.ndarray, counts: dict, seed: int) -> dict[str, np.ndarray]:
    """Positions into ``y`` of each split, stratified by class and seeded.

    Each class's images are put in a random order drawn from ``SeedSequence([seed, class])``
    (independent of the other classes); valid takes the first ``counts['valid']``, test the next
    ``counts['test']``, train the next ``counts['train']`` or as many as remain. Within a split
    the positions are grouped by class (NIST36's order) and ascending within a class.
    """
    v, t, tr = int(counts["valid"]), int(counts["test"]), int(counts["train"])
    y = np.asarray(y)
    parts: dict[str, list[np.ndarray]] = {s: [] for s in SPLITS}
    for c, name in enumerate(NIST36_CLASSES):
        idx = np.flatnonzero(y == c)
        if len(idx) < v + t + 1:
            raise DataError(f"class {name} has {len(idx)} images; the substitute's split needs at least "
                            f"valid {v} + test {t} + 1 for train")
        perm = idx[np.random.default_rng(np.random.SeedSequence([int(seed), c])).permutation(len(idx))]
        chosen = {"valid": perm[:v], "test": perm[v:v + t], "train": perm[v + t:v + t + tr]}
        for s in SPLITS:
            parts[s].append(np.sort(chosen[s]))
    return {s: np.concatenate(parts[s]) for s in SPLITS}


def write_substitute(sel: EmnistSelection, out_dir: Path, counts: dict, seed: int, glyph: dict,
                     workers: int = 1, logger: logging.Logger = log) -> dict:
    """Split, normalise and write ``out_dir/{train,valid,test}.npz`` in NIST36's canonical format,
    plus ``emnist_index.npz`` (per split, each image's position in the ByClass test split).

    Returns the counts for provenance: images per split, per class per split, and per class
    available in the selection."""
    out_dir = Path(out_dir)
    parts = split_per_class(sel.y, counts, seed)
    info: dict = {"selected": int(len(sel.y)), "available_per_class": per_class_counts(sel.y, NIST36_CLASSES),
                  "per_class": {}}
    index = {}
    for split in SPLITS:
        pos = parts[split]
        names = [f"{sel.file} image {i} (ByClass test position)" for i in sel.index[pos]]
        logger.info(f"nist36 substitute: normalising {len(pos)} {split} images ({workers} worker(s))")
        rows = to_nist_rows(sel.x[pos], names, glyph, workers, logger, what=f"EMNIST {split}")
        save_npz(out_dir / f"{split}.npz", x=rows, y=sel.y[pos], classes=np.array(NIST36_CLASSES))
        index[split] = sel.index[pos]
        info[split] = int(len(pos))
        info["per_class"][split] = per_class_counts(sel.y[pos], NIST36_CLASSES)
    save_npz(out_dir / "emnist_index.npz", **index)
    return info


def short_classes(info: dict, counts: dict) -> dict[str, dict]:
    """Classes whose train split is smaller than ``counts['train']``: available and train sizes."""
    return {c: {"available": info["available_per_class"].get(c, 0), "train": n}
            for c, n in info["per_class"]["train"].items() if n < int(counts["train"])}


def caveats(info: dict, counts: dict) -> list[str]:
    """What a reader of any NIST36 number must know when it came from the substitute."""
    short = short_classes(info, counts)
    per = f"{counts['train']}/{counts['valid']}/{counts['test']}"
    if short:
        listed = ", ".join(f"{c} ({s['available']} images: {s['train']} train)" for c, s in short.items())
        split = (f"Split {per} (train/valid/test) per class, seeded; classes with fewer images keep full "
                 f"valid and test splits and train on the rest: {listed}.")
    else:
        split = f"Split {per} (train/valid/test) per class, seeded; every class has enough images."
    return [
        f"{DESCRIPTION}: the course's data.zip could not be obtained, so NIST36 was rebuilt from "
        "EMNIST ByClass, the public 28x28 conversion of NIST Special Database 19 from which NIST36 "
        "was cut: real hand-printed characters of the same kind, not NIST36's own images, so the "
        "numbers are comparable in kind, not equal, to the assignment's.",
        f"Selection: {SELECTION}. {split}",
        "Each 28x28 EMNIST image was normalised like a Q4 page character (ink found on the image, "
        "stroke width and 32x32 frame as the stand-in and the OCR step use); detail EMNIST lost when "
        "it downsampled to 28x28 is not recovered.",
        "MNIST's digits come from the same NIST forms, so the MNIST development digits may share "
        "writers (even images) with these digits: with this substitute the digit figures of the "
        "development sets are not an independent test; the CoMNIST letters are.",
    ]


# --------------------------------------------------------------------------- normalisers
def normalise_emnist_npz(path: Path, out_dir: Path, work: Path, *, counts: dict, seed: int, glyph: dict,
                         workers: int = 1, logger: logging.Logger = log) -> dict:
    """``emnist-npz`` format: the mirror's npz -> the NIST36 substitute."""
    return write_substitute(read_emnist_npz(path), out_dir, counts, seed, glyph, workers, logger)


def normalise_emnist_gzip(path: Path, out_dir: Path, work: Path, *, counts: dict, seed: int, glyph: dict,
                          workers: int = 1, logger: logging.Logger = log) -> dict:
    """``emnist-gzip`` format: EMNIST's official gzip.zip -> the NIST36 substitute."""
    return write_substitute(read_emnist_gzip(path, work), out_dir, counts, seed, glyph, workers, logger)
