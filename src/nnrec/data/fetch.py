"""Obtain source files: mirror folder first, then official URLs; verify checksums; extract safely.

One code path for every source: a mirror file is read through a ``file://`` URL with the same
downloader (progress, timeout, atomic write, checksum) as an ``https://`` one.
"""

from __future__ import annotations

import hashlib
import logging
import lzma
import os
import pickle
import shutil
import stat
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

from nnrec.common import atomic_path

log = logging.getLogger("nnrec.data")


class DataError(RuntimeError):
    """Base class of data acquisition errors; messages name the file and the problem."""


class ChecksumError(DataError):
    pass


class SourceUnavailable(DataError):
    pass


class UnsafeArchive(DataError):
    pass


class CorruptArchive(DataError):
    pass


#: What reading a damaged archive (or a member inside it) raises: a corrupt deflate / gzip / xz stream,
#: a truncated file, a bad zip or tar structure, an I/O error. Each is a failure of that source only.
ARCHIVE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, zlib.error, lzma.LZMAError, EOFError,
                  OSError, pickle.UnpicklingError)


@dataclass
class Candidate:
    """One place a source file may come from."""

    file: str
    url: str  # http(s):// or file://
    kind: str  # "mirror" or "url"
    sha256: list[str] = field(default_factory=list)
    md5: list[str] = field(default_factory=list)
    format: str = ""
    caveat: str | None = None

    @property
    def verifiable(self) -> bool:
        return bool(self.sha256 or self.md5)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def candidates(sources: Iterable[dict], mirror: Path | None) -> list[Candidate]:
    """Every place to try, in order: each source in the mirror (when set), then each official URL."""
    out: list[Candidate] = []
    sources = list(sources)
    common = lambda s: dict(  # noqa: E731
        file=s["file"], sha256=_as_list(s.get("sha256")), md5=_as_list(s.get("md5")),
        format=s.get("format", ""), caveat=s.get("caveat"),
    )
    if mirror is not None:
        for s in sources:
            sub = s.get("mirror_subdir")
            path = Path(mirror).resolve() / sub / s["file"] if sub else Path(mirror).resolve() / s["file"]
            out.append(Candidate(url=path.as_uri(), kind="mirror", **common(s)))
    for s in sources:
        if s.get("url"):
            out.append(Candidate(url=s["url"], kind="url", **common(s)))
    return out


# --------------------------------------------------------------------------- checksums
def file_hashes(path: Path) -> dict[str, str]:
    sha, md5 = hashlib.sha256(), hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
            md5.update(block)
    return {"sha256": sha.hexdigest(), "md5": md5.hexdigest()}


def matches(hashes: dict[str, str], cand: Candidate) -> bool:
    """True when the file matches one of the candidate's checksums (or none are known)."""
    if not cand.verifiable:
        return True
    return hashes["sha256"] in cand.sha256 or hashes["md5"] in cand.md5


def verify(path: Path, cand: Candidate) -> dict[str, str]:
    """Check ``path`` against the candidate's checksums.

    On mismatch the file is moved aside to ``<name>.bad-<sha8>`` (never used, never lost) and a
    :class:`ChecksumError` names the file, the expected and the actual hash.
    """
    hashes = file_hashes(path)
    if matches(hashes, cand):
        return hashes
    bad = path.with_name(f"{path.name}.bad-{hashes['sha256'][:8]}")
    os.replace(path, bad)
    expected = ", ".join([f"sha256 {h}" for h in cand.sha256] + [f"md5 {h}" for h in cand.md5])
    raise ChecksumError(
        f"{cand.file} from {cand.url}: checksum mismatch: expected {expected}, "
        f"got sha256 {hashes['sha256']} (md5 {hashes['md5']}); the file was moved aside to {bad}"
    )


# --------------------------------------------------------------------------- download
def download(cand: Candidate, dest: Path, timeout: float, logger: logging.Logger = log) -> Path:
    """Copy ``cand.url`` to ``dest`` atomically, logging progress; raise SourceUnavailable if unreachable."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(cand.url, timeout=timeout) as resp:  # noqa: S310 (http(s)/file only)
            total = int(resp.headers.get("Content-Length") or 0)
            done, next_report = 0, 0.0
            with atomic_path(dest) as tmp, open(tmp, "wb") as out:
                while True:
                    block = resp.read(1 << 20)
                    if not block:
                        break
                    out.write(block)
                    done += len(block)
                    frac = done / total if total else 0.0
                    if total and frac >= next_report:
                        rate = done / max(time.perf_counter() - start, 1e-6) / 1e6
                        logger.info(f"  {cand.file}: {done / 1e6:.1f}/{total / 1e6:.1f} MB ({frac:.0%}, {rate:.1f} MB/s)")
                        next_report += 0.25
            if total and done != total:
                raise SourceUnavailable(f"{cand.url}: truncated transfer ({done} of {total} bytes)")
    except FileNotFoundError:
        raise SourceUnavailable(f"{cand.url}: no such file") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceUnavailable(f"{cand.url}: unreachable ({reason})") from None
    return dest


def obtain(cand: Candidate, downloads_dir: Path, timeout: float, logger: logging.Logger = log) -> tuple[Path, dict]:
    """Return a verified local copy of the candidate's file (reusing a verified cached copy)."""
    downloads_dir.mkdir(parents=True, exist_ok=True)
    dest = downloads_dir / cand.file
    if dest.exists():
        hashes = file_hashes(dest)
        if cand.verifiable and matches(hashes, cand):
            logger.info(f"{cand.file}: verified cached copy in {downloads_dir}, not fetched again")
            return dest, hashes
    logger.info(f"{cand.file}: fetching from {cand.kind} {cand.url}")
    download(cand, dest, timeout, logger)
    hashes = verify(dest, cand)
    if not cand.verifiable:
        logger.warning(f"{cand.file}: no published checksum; recorded sha256 {hashes['sha256']}")
    return dest, hashes


# --------------------------------------------------------------------------- safe extraction
def _check_member_path(name: str, archive: Path) -> PurePosixPath:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchive(f"{archive}: member {name!r} has an absolute path; refusing to extract")
    if ".." in p.parts:
        raise UnsafeArchive(f"{archive}: member {name!r} contains '..'; refusing to extract")
    return p


def _link_escapes(member_path: PurePosixPath, target: str) -> bool:
    if target.startswith("/"):
        return True
    depth = 0
    for part in (member_path.parent / target).parts:
        depth = depth - 1 if part == ".." else depth + (part not in ("", "."))
        if depth < 0:
            return True
    return False


def safe_extract(archive: Path, dest: Path, members: Iterable[str] | None = None) -> Path:
    """Extract ``archive`` (zip or tar[.gz]) into ``dest`` safely and atomically.

    Members with absolute paths, ``..`` components, links pointing outside ``dest`` or special
    files are refused (:class:`UnsafeArchive`). Extraction goes to a temporary folder beside
    ``dest`` that is renamed into place only when complete. ``members`` limits what is extracted.
    """
    archive, dest = Path(archive), Path(dest)
    wanted = set(members) if members is not None else None
    tmp = dest.with_name(f".{dest.name}.extracting")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                infos = zf.infolist()
                for info in infos:
                    p = _check_member_path(info.filename, archive)
                    mode = info.external_attr >> 16
                    if stat.S_ISLNK(mode):
                        target = zf.read(info).decode()
                        if _link_escapes(p, target):
                            raise UnsafeArchive(f"{archive}: link {info.filename!r} -> {target!r} points outside the target folder")
                        raise UnsafeArchive(f"{archive}: member {info.filename!r} is a symbolic link; refusing to extract")
                for info in infos:
                    if wanted is not None and info.filename not in wanted:
                        continue
                    zf.extract(info, tmp)
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tf:
                tmembers = tf.getmembers()
                for m in tmembers:
                    p = _check_member_path(m.name, archive)
                    if m.issym() or m.islnk():
                        if _link_escapes(p, m.linkname) if m.issym() else _link_escapes(PurePosixPath("x"), m.linkname):
                            raise UnsafeArchive(f"{archive}: link {m.name!r} -> {m.linkname!r} points outside the target folder")
                    elif not (m.isfile() or m.isdir()):
                        raise UnsafeArchive(f"{archive}: member {m.name!r} is a special file; refusing to extract")
                chosen = [m for m in tmembers if wanted is None or m.name in wanted]
                tf.extractall(tmp, members=chosen, filter="data")
        else:
            raise CorruptArchive(f"{archive}: not a zip or tar archive (corrupt or wrong file)")
    except ARCHIVE_ERRORS as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise CorruptArchive(f"{archive}: corrupt archive ({type(exc).__name__}: {exc})") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)
    return dest
