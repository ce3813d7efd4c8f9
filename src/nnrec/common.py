"""Small shared helpers: atomic file writes, JSON, checksummed model files, the 'missing' marker,
seeding, logging with progress and ETA, caveats as sentences."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import random
import shutil
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np


# --------------------------------------------------------------------------- atomic writes
@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    The temporary file keeps ``path``'s suffix (so writers that look at the extension, such as
    matplotlib or ``np.savez``, still work). On error the temporary file is removed and ``path``
    is left untouched, so a crashed step never leaves a half-written output behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix if suffix is None else suffix
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{suffix}", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes the file private (0600); give it the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically (numpy scalars/arrays converted)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=_json_default) + "\n")


def read_json(path: str | os.PathLike) -> Any:
    """The JSON content of ``path``; an absent, unreadable or malformed file raises naming it."""
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptFile(f"{path}: not valid JSON ({exc})") from None
    except OSError as exc:
        raise CorruptFile(f"{path}: cannot be read ({exc})") from None


# --------------------------------------------------------------------------- results and placeholders
#: The first line of every non-JSON, non-image placeholder a rule writes when its data is missing
#: (:mod:`nnrec.data.missing`); JSON placeholders carry ``"status": "missing"``. Readers recognise a
#: placeholder by this exact content, never by a file failing to parse.
PLACEHOLDER_MARKER = "nnrec missing-data placeholder"


class CorruptFile(ValueError):
    """An intermediate file is unreadable, truncated, fails its checksum or lacks what its reader needs;
    the message names the file and the problem."""


def is_missing(record: Any) -> bool:
    """True for a JSON result that is a 'missing data' placeholder (``{"status": "missing", ...}``)."""
    return isinstance(record, dict) and record.get("status") == "missing"


def is_placeholder(path: str | os.PathLike) -> bool:
    """True when ``path`` is a non-JSON 'missing data' placeholder (it starts with the marker line)."""
    head = (PLACEHOLDER_MARKER + "\n").encode()
    try:
        with open(path, "rb") as fh:
            return fh.read(len(head)) == head
    except OSError:
        return False


def read_result(path: str | os.PathLike, required: Iterable[str] = ()) -> dict:
    """A JSON result written by an upstream rule: a dict holding every key of ``required``, or a
    'missing' placeholder (check with :func:`is_missing`). Anything else raises :class:`CorruptFile`
    naming the file and what is wrong (e.g. ``{}`` where metrics were expected)."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise CorruptFile(f"{path}: expected a JSON object, found {type(data).__name__}")
    if is_missing(data):
        return data
    absent = [k for k in required if k not in data]
    if absent:
        raise CorruptFile(f"{path}: key(s) {', '.join(map(repr, absent))} missing "
                          "(a truncated or foreign file; delete it and rerun the rule that makes it)")
    return data


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def save_npz(path: str | os.PathLike, **arrays: Any) -> None:
    """``np.savez_compressed`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)


#: What reading a damaged zip / npz / torch file can raise (besides our own errors).
READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
               RuntimeError, pickle.UnpicklingError)


def read_npz(path: str | os.PathLike, fix: str = "delete it and rerun the rule that makes it") -> dict[str, np.ndarray]:
    """Every array of the npz file ``path`` (read in full, so zip CRC errors surface here); an absent,
    truncated or corrupt file raises naming it and saying how to ``fix`` it (:class:`CorruptFile`, or
    FileNotFoundError)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except READ_ERRORS as exc:
        raise CorruptFile(f"{path}: not a readable npz file ({type(exc).__name__}: {exc}); it is truncated or "
                          f"corrupt: {fix}") from None


# --------------------------------------------------------------------------- checksummed model files
def checksum_path(path: str | os.PathLike) -> Path:
    """The SHA-256 sidecar of a model file: ``<path>.sha256`` (``sha256sum -c`` reads it)."""
    path = Path(path)
    return path.with_name(path.name + ".sha256")


@contextlib.contextmanager
def atomic_checksummed_path(path: str | os.PathLike) -> Iterator[Path]:
    """:func:`atomic_path` for a model or weights file: when the block succeeds, the SHA-256 of what
    was written goes to :func:`checksum_path` (``<sha256>  <name>``), then the file is renamed into
    place. Loaders check it with :func:`verify_checksum`."""
    path = Path(path)
    with atomic_path(path) as tmp:
        yield tmp
        write_text(checksum_path(path), f"{sha256_file(tmp)}  {path.name}\n")


def verify_checksum(path: str | os.PathLike) -> str:
    """Check a model file against its ``.sha256`` sidecar; return the hash. Raises
    :class:`CorruptFile` naming the file when the sidecar is absent or malformed or the hash differs
    (a truncated, flipped or replaced file), FileNotFoundError when the file itself is absent."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    side = checksum_path(path)
    rerun = "delete it and rerun the rule that makes it"
    if is_placeholder(path):
        raise CorruptFile(f"{path}: a 'missing data' placeholder, not a model (its dataset was unavailable when "
                          "it was written)")
    try:
        recorded = side.read_text().split()
    except FileNotFoundError:
        raise CorruptFile(f"{path}: no checksum file {side.name} beside it, so it cannot be verified; {rerun}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorruptFile(f"{side}: unreadable ({exc}); {rerun}") from None
    if not recorded or len(recorded[0]) != 64 or any(c not in "0123456789abcdef" for c in recorded[0]):
        raise CorruptFile(f"{side}: not a SHA-256 checksum file; {rerun}")
    actual = sha256_file(path)
    if actual != recorded[0]:
        raise CorruptFile(f"{path}: checksum mismatch: {side.name} says sha256 {recorded[0]}, the file has {actual} "
                          f"(truncated or altered since it was written); {rerun}")
    return actual


def copy_model_file(src: str | os.PathLike, dest: str | os.PathLike) -> None:
    """Copy a checksummed model file to ``dest`` (with its sidecar), verifying the source first."""
    verify_checksum(src)
    with atomic_checksummed_path(dest) as tmp:
        shutil.copyfile(src, tmp)


def save_model_npz(path: str | os.PathLike, **arrays: Any) -> None:
    """Weights as ``np.savez_compressed``, atomically, with a ``.sha256`` sidecar (:func:`load_model_npz`)."""
    with atomic_checksummed_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)


def load_model_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The arrays of a weights file written by :func:`save_model_npz`, after checking its checksum."""
    verify_checksum(path)
    return read_npz(path)


def save_figure(fig: Any, path: str | os.PathLike, **kwargs: Any) -> None:
    """Save a matplotlib figure atomically with reproducible metadata, then close it.

    A PNG also records the smallest text the figure draws (points at its drawn size, the
    ``nnrec.layout.MIN_TEXT_KEY`` text chunk), from which the report tells how large it prints."""
    import matplotlib.pyplot as plt

    from nnrec.layout import MIN_TEXT_KEY
    from nnrec.plots import min_text_pt

    path = Path(path)
    meta = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
    if path.suffix == ".png" and "metadata" not in kwargs:
        smallest = min_text_pt(fig)
        if smallest is not None:
            meta["png"][MIN_TEXT_KEY] = f"{smallest:.2f}"
    kwargs.setdefault("metadata", meta.get(path.suffix.lstrip("."), None))
    kwargs.setdefault("dpi", 150)
    kwargs.setdefault("bbox_inches", "tight")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip("."), **kwargs)
    plt.close(fig)


# --------------------------------------------------------------------------- hashing
def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def config_hash(cfg: Any) -> str:
    """Short stable hash of a (sub-)config, written into every metrics file."""
    blob = json.dumps(cfg, sort_keys=True, default=_json_default).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


# --------------------------------------------------------------------------- seeding / threads
def seed_everything(seed: int) -> np.random.Generator:
    """Seed python, numpy (legacy) and torch (if imported); return a fresh numpy Generator."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    if "torch" in sys.modules:
        import torch

        torch.manual_seed(seed)
    return np.random.default_rng(seed)


def limit_blas_threads(n: int) -> bool:
    """Set numpy's BLAS (and OpenMP) pools to ``n`` threads; True when it could be done.

    An unrestricted OpenBLAS spins several threads per small matrix product; on a busy 2-core
    machine one epoch of the Q3 network was ~20x slower than with one thread.
    """
    n = max(1, int(n))
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
        return True
    except Exception:  # noqa: BLE001 - fall back to numpy's bundled OpenBLAS below
        pass
    import ctypes
    import glob

    setters = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
               "openblas_set_num_threads64_", "openblas_set_num_threads")
    for path in sorted(glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in setters:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(ctypes.c_int(n))
                return True
    return False


def set_threads(n: int) -> None:
    """Limit BLAS / OpenMP / torch threads to ``n`` (the rule's ``threads:``); the one place that does.

    Pools already loaded are limited now; the environment variables cover libraries loaded later
    (torch reads ``OMP_NUM_THREADS`` when it starts) and worker processes.
    """
    n = max(1, int(n))
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)
    limit_blas_threads(n)
    if "torch" in sys.modules:
        import torch

        torch.set_num_threads(n)


# --------------------------------------------------------------------------- logging
def get_logger(name: str, log_file: str | os.PathLike | None = None) -> logging.Logger:
    """A logger writing to stderr and, if given, to ``log_file`` (Snakemake's ``log:``)."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for h in list(logger.handlers):
        logger.removeHandler(h)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(fmt)
    logger.addHandler(stream)
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(log_file, mode="w")
        fh.setFormatter(fmt)
        logger.addHandler(fh)
    return logger


class Progress:
    """Epoch progress with an ETA: ``p.step(epoch, loss=..., acc=...)`` logs one line."""

    def __init__(self, logger: logging.Logger, total: int, what: str = "epoch"):
        self.logger, self.total, self.what = logger, total, what
        self.start = time.perf_counter()
        self.last = self.start

    def step(self, i: int, **metrics: float) -> float:
        """Log step ``i`` (1-based) with its metrics; return the seconds this step took."""
        now = time.perf_counter()
        dt, self.last = now - self.last, now
        elapsed = now - self.start
        eta = elapsed / max(i, 1) * (self.total - i)
        parts = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())
        self.logger.info(f"{self.what} {i}/{self.total} {parts} time={dt:.2f}s eta={eta:.0f}s")
        return dt

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def sentences(items: Iterable[Any]) -> str:
    """Texts as consecutive sentences: each ends with a full stop (added where it has none); blank
    ones are dropped (a source's caveats in a 'Data:' line: never ".;" between two)."""
    out = []
    for i in items:
        t = str(i).strip()
        if t:
            out.append(t if t[-1] in ".!?" else t + ".")
    return " ".join(out)
