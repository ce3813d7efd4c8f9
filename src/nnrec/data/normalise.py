"""Normalise each source format into the project's canonical files (see docs/architecture.md)."""

from __future__ import annotations

import io
import logging
import pickle
import tarfile
from pathlib import Path

import numpy as np

from nnrec import NIST36_CLASSES
from nnrec.common import CorruptFile, atomic_path, read_npz, save_npz
from nnrec.data.fetch import CorruptArchive, DataError, safe_extract

log = logging.getLogger("nnrec.data")

SPLITS_NIST36 = ("train", "valid", "test")
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
SUN_CLASSES = ["aquarium", "desert", "highway", "kitchen", "laundromat", "park", "waterfall", "windmill"]
FLOWERS17_CLASSES = [
    "Daffodil", "Snowdrop", "Lily Valley", "Bluebell", "Crocus", "Iris", "Tigerlily", "Tulip",
    "Fritillary", "Sunflower", "Daisy", "Colts' Foot", "Dandelion", "Cowslip", "Buttercup",
    "Windflower", "Pansy",
]


# --------------------------------------------------------------------------- NIST36
def read_nist36_mat(path: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Read one NIST36 ``.mat`` file: ``<split>_data`` (N, 1024) and one-hot ``<split>_labels`` (N, 36).

    Returns ``x`` float32 (N, 1024) exactly as stored (each image transposed) and ``y`` int64 labels.
    """
    import scipy.io

    path = Path(path)
    try:
        mat = scipy.io.loadmat(path)
    except Exception as exc:  # scipy raises several types for bad files
        raise DataError(f"{path}: not a readable MATLAB file ({exc})") from None
    dk, lk = f"{split}_data", f"{split}_labels"
    if dk not in mat or lk not in mat:
        keys = sorted(k for k in mat if not k.startswith("__"))
        raise DataError(f"{path}: missing keys {dk!r}/{lk!r} (found {keys})")
    x = np.asarray(mat[dk], dtype=np.float32)
    onehot = np.asarray(mat[lk])
    if x.ndim != 2 or x.shape[1] != 1024:
        raise DataError(f"{path}: {dk} has shape {x.shape}, expected (N, 1024)")
    if onehot.shape != (x.shape[0], len(NIST36_CLASSES)):
        raise DataError(f"{path}: {lk} has shape {onehot.shape}, expected ({x.shape[0]}, 36)")
    if not np.isfinite(x).all():
        raise DataError(f"{path}: {dk} contains NaN or infinite values")
    return x, onehot.argmax(axis=1).astype(np.int64)


def write_nist36(mats: dict[str, Path], out_dir: Path) -> dict:
    """Normalise the three NIST36 ``.mat`` files into ``out_dir/{train,valid,test}.npz``."""
    counts = {}
    for split in SPLITS_NIST36:
        x, y = read_nist36_mat(mats[split], split)
        save_npz(out_dir / f"{split}.npz", x=x, y=y, classes=np.array(NIST36_CLASSES))
        counts[split] = int(len(y))
    return counts


def normalise_nist36_zip(archive: Path, out_dir: Path, work: Path) -> dict:
    names = {f"nist36_{s}.mat": s for s in SPLITS_NIST36}
    import zipfile

    try:
        with zipfile.ZipFile(archive) as zf:
            members = [n for n in zf.namelist() if Path(n).name in names]
    except zipfile.BadZipFile as exc:
        raise CorruptArchive(f"{archive}: corrupt archive ({exc})") from None
    if len(members) != 3:
        raise DataError(f"{archive}: expected nist36_train/valid/test.mat inside, found {members}")
    ex = safe_extract(archive, work / "nist36", members=members)
    mats = {names[Path(m).name]: ex / m for m in members}
    return write_nist36(mats, out_dir)


def load_nist36(folder: str | Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Load a canonical NIST36 split: ``x`` float32 (N, 1024) in the .mat layout, ``y`` int64 (N,)."""
    d = load_npz(Path(folder) / f"{split}.npz", ("x", "y"), f"NIST36 split {split!r}")
    return d["x"], d["y"]


def load_npz(path: str | Path, keys: tuple[str, ...] = (), what: str = "dataset file") -> dict[str, np.ndarray]:
    """Every array of a prepared (canonical) npz file, which must hold ``keys``. An absent file
    says it was not prepared; a truncated or corrupt one, or one without ``keys``, raises
    :class:`nnrec.common.CorruptFile` naming the file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: {what} not prepared (run the prepare_dataset rule)")
    fix = f"delete the folder {path.parent} and rerun snakemake to prepare the dataset again"
    d = read_npz(path, fix)
    absent = [k for k in keys if k not in d]
    if absent:
        raise CorruptFile(f"{path}: array(s) {absent} missing (found {sorted(d)}); {fix}")
    return d


# --------------------------------------------------------------------------- images
def _decode(data: bytes, size: int | None = None, mode: str = "square") -> np.ndarray:
    """Decode an image to uint8 RGB; optionally resize (``square``: to size x size; ``crop``:
    short side to ``size`` then centre-crop)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        if size is not None and im.format == "JPEG":
            # decode at a reduced DCT scale that still covers the target size (much faster)
            w, h = im.size
            s = size / min(w, h) if mode == "crop" else max(size / w, size / h)
            im.draft("RGB", (max(1, int(w * s)), max(1, int(h * s))))
        im = im.convert("RGB")
        if size is not None:
            if mode == "square":
                im = im.resize((size, size), Image.Resampling.BILINEAR, reducing_gap=2.0)
            else:
                w, h = im.size
                s = size / min(w, h)
                im = im.resize((max(size, round(w * s)), max(size, round(h * s))), Image.Resampling.BILINEAR, reducing_gap=2.0)
                w, h = im.size
                left, top = (w - size) // 2, (h - size) // 2
                im = im.crop((left, top, left + size, top + size))
        return np.asarray(im, dtype=np.uint8)


# --------------------------------------------------------------------------- OCR pages
def normalise_ocr_zip(archive: Path, out_dir: Path, work: Path) -> dict:
    ex = safe_extract(archive, work / "ocr")
    pages = sorted(p for p in ex.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if not pages:
        raise DataError(f"{archive}: no page images inside")
    img_dir = out_dir / "images"
    img_dir.mkdir(parents=True, exist_ok=True)
    for p in pages:
        (img_dir / p.name).write_bytes(p.read_bytes())
    return {"pages": [p.name for p in pages]}


def parse_ground_truth(text: str) -> dict[str, list[str]]:
    """Parse ``[page.jpg]`` sections of text lines (``#`` comments ignored) into {stem: lines}."""
    out: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = Path(line[1:-1]).stem
            out[current] = []
        elif current is not None:
            out[current].append(line)
    return out


# --------------------------------------------------------------------------- CIFAR-10
def first_per_class(y: np.ndarray, k: int | None) -> np.ndarray:
    """Indices of the first ``k`` examples of each class, in their original order (all if None)."""
    if k is None:
        return np.arange(len(y))
    keep = np.zeros(len(y), bool)
    for c in np.unique(y):
        keep[np.flatnonzero(y == c)[:k]] = True
    return np.flatnonzero(keep)


def normalise_cifar_python(archive: Path, out_dir: Path, work: Path, max_per_class: int | None = None) -> dict:
    counts = {}
    try:
        with tarfile.open(archive) as tf:
            def load(name):
                m = next((m for m in tf.getmembers() if m.name.endswith("/" + name)), None)
                if m is None:
                    raise DataError(f"{archive}: member {name} missing")
                return pickle.load(tf.extractfile(m), encoding="bytes")  # noqa: S301 (verified checksum)

            for split, names in (("train", [f"data_batch_{i}" for i in range(1, 6)]), ("test", ["test_batch"])):
                xs, ys = [], []
                for n in names:
                    d = load(n)
                    xs.append(np.asarray(d[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
                    ys.append(np.asarray(d[b"labels"], dtype=np.int64))
                x, y = np.concatenate(xs), np.concatenate(ys)
                keep = first_per_class(y, max_per_class)
                x, y = x[keep], y[keep]
                save_npz(out_dir / f"{split}.npz", x=x, y=y, classes=np.array(CIFAR10_CLASSES))
                counts[split] = len(y)
    except (tarfile.TarError, EOFError, pickle.UnpicklingError) as exc:
        raise CorruptArchive(f"{archive}: corrupt archive ({exc})") from None
    return counts


def normalise_cifar_jpg(archive: Path, out_dir: Path, work: Path, max_per_class: int | None = None) -> dict:
    import zipfile

    counts = {}
    try:
        with zipfile.ZipFile(archive) as zf:
            names = sorted(n for n in zf.namelist() if n.lower().endswith(".jpg"))
            for split in ("train", "test"):
                xs, ys = [], []
                per_class = dict.fromkeys(CIFAR10_CLASSES, 0)
                for n in names:
                    parts = n.split("/")
                    if len(parts) < 3 or parts[-3] != split:
                        continue
                    cls = parts[-2]
                    if cls not in CIFAR10_CLASSES:
                        raise DataError(f"{archive}: unknown class folder {cls!r} in {n}")
                    if max_per_class is not None and per_class[cls] >= max_per_class:
                        continue
                    per_class[cls] += 1
                    xs.append(_decode(zf.read(n)))
                    ys.append(CIFAR10_CLASSES.index(cls))
                if not xs:
                    raise DataError(f"{archive}: no {split} images inside")
                x = np.stack(xs)
                if x.shape[1:] != (32, 32, 3):
                    raise DataError(f"{archive}: {split} images have shape {x.shape[1:]}, expected 32x32x3")
                save_npz(out_dir / f"{split}.npz", x=x, y=np.array(ys, dtype=np.int64), classes=np.array(CIFAR10_CLASSES))
                counts[split] = len(ys)
    except zipfile.BadZipFile as exc:
        raise CorruptArchive(f"{archive}: corrupt archive ({exc})") from None
    return counts


# --------------------------------------------------------------------------- SUN (HW1 subset)
def normalise_sun_zip(archive: Path, out_dir: Path, work: Path, image_size: int) -> dict:
    ex = safe_extract(archive, work / "sun")
    roots = [p.parent for p in ex.rglob("train_files.txt")]
    if not roots:
        raise DataError(f"{archive}: train_files.txt not found inside")
    root = roots[0]
    counts = {}
    for split in ("train", "test"):
        files = (root / f"{split}_files.txt").read_text().split()
        labels = [int(v) for v in (root / f"{split}_labels.txt").read_text().split()]
        if len(files) != len(labels):
            raise DataError(f"{archive}: {split}_files.txt has {len(files)} lines but {split}_labels.txt {len(labels)}")
        xs = []
        for f in files:
            p = root / f
            if not p.exists():
                raise DataError(f"{archive}: {f} listed in {split}_files.txt is missing")
            xs.append(_decode(p.read_bytes(), image_size, "square"))
        save_npz(out_dir / f"{split}.npz", x=np.stack(xs), y=np.array(labels, dtype=np.int64),
                 classes=np.array(SUN_CLASSES), files=np.array(files))
        counts[split] = len(files)
    return counts


# --------------------------------------------------------------------------- Flowers 17
def normalise_flowers_tgz(archive: Path, out_dir: Path, work: Path, image_size: int) -> dict:
    ex = safe_extract(archive, work / "flowers")
    jpgs = sorted(ex.rglob("image_*.jpg"))
    if len(jpgs) != 1360:
        raise DataError(f"{archive}: expected 1360 images image_0001.jpg..image_1360.jpg, found {len(jpgs)}")
    xs, ys, files = [], [], []
    for p in jpgs:
        n = int(p.stem.split("_")[1])
        xs.append(_decode(p.read_bytes(), image_size, "crop"))
        ys.append((n - 1) // 80)
        files.append(p.name)
    save_npz(out_dir / "images.npz", x=np.stack(xs), y=np.array(ys, dtype=np.int64),
             classes=np.array(FLOWERS17_CLASSES), files=np.array(files))
    return {"images": len(files)}


def flowers_split_from_mat(path: Path, index: int) -> dict:
    """Official split ``index`` (1-3) of ``datasplits.mat`` (1-based image numbers) as 0-based lists."""
    import scipy.io

    try:
        mat = scipy.io.loadmat(path)
    except Exception as exc:
        raise DataError(f"{path}: not a readable MATLAB file ({exc})") from None
    out = {"source": f"datasplits.mat#{index}"}
    for name, key in (("train", f"trn{index}"), ("valid", f"val{index}"), ("test", f"tst{index}")):
        if key not in mat:
            raise DataError(f"{path}: key {key!r} missing")
        out[name] = sorted(int(v) - 1 for v in np.asarray(mat[key]).ravel())
    return out


def flowers_seeded_split(y: np.ndarray, counts: dict, seed: int) -> dict:
    """Stratified, disjoint, seeded split with ``counts`` images per class for train/valid/test."""
    rng = np.random.default_rng(seed)
    out = {"source": "seeded", "seed": seed, "train": [], "valid": [], "test": []}
    need = counts["train"] + counts["valid"] + counts["test"]
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        if len(idx) < need:
            raise DataError(f"flowers17 class {c} has {len(idx)} images, the split needs {need}")
        idx = rng.permutation(idx)
        a, b = counts["train"], counts["train"] + counts["valid"]
        out["train"] += idx[:a].tolist()
        out["valid"] += idx[a:b].tolist()
        out["test"] += idx[b:need].tolist()
    for k in ("train", "valid", "test"):
        out[k] = sorted(out[k])
    return out


# --------------------------------------------------------------------------- weights
def normalise_weights(path: Path, out_dir: Path, work: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_dir / "weights.pth") as tmp:
        tmp.write_bytes(Path(path).read_bytes())
    return {"file": "weights.pth"}
