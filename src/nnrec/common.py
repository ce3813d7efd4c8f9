"""Small shared helpers: atomic file writes, JSON, seeding, logging with progress and ETA."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

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
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def save_npz(path: str | os.PathLike, **arrays: Any) -> None:
    """``np.savez_compressed`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)


def save_figure(fig: Any, path: str | os.PathLike, **kwargs: Any) -> None:
    """Save a matplotlib figure atomically with reproducible metadata, then close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    meta = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
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
