"""The library code a rule's script runs, as one hash: the ``code`` parameter of the rules eligible
for Snakemake's between-workflow cache (README "Reusing trained models").

Snakemake keys a cached output on the rule's script, its ``params``, its input files not made by
other jobs and the keys of the jobs upstream. The scripts here are thin adapters: the training
itself is ``nnrec`` library code, which Snakemake does not see. :func:`code_fingerprint` hashes the
script together with every ``nnrec`` module it imports, directly or through other ``nnrec``
modules (import statements anywhere in a file count, also those inside functions), so that a
change to that code is a new key (and, through Snakemake's ``params`` rerun trigger, reruns the
rule in a plain run too).
"""

from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = "nnrec"


def _module_files(name: str, src: Path) -> list[Path]:
    """The files importing the dotted module ``name`` executes: each package's ``__init__.py`` on
    the way, then the module (``a/b.py`` or ``a/b/__init__.py``); names that are not a file under
    ``src`` (e.g. a function imported from a module) give only the packages'."""
    parts = name.split(".")
    files = []
    for i in range(1, len(parts) + 1):
        base = src.joinpath(*parts[:i])
        for cand in (base.with_suffix(".py"), base / "__init__.py"):
            if cand.is_file():
                files.append(cand)
                break
    return files


@lru_cache(maxsize=None)  # the Snakefile asks for many scripts that share most of their modules
def _imported_names(path: Path, src: Path) -> frozenset[str]:
    """Dotted names of the modules ``path`` imports (relative imports resolved against ``src``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pkg = path.parent if path.is_relative_to(src) else None
                if pkg is None:
                    continue
                for _ in range(node.level - 1):
                    pkg = pkg.parent
                base = ".".join(pkg.relative_to(src).parts)
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            names.add(mod)
            names.update(f"{mod}.{a.name}" for a in node.names)  # `from pkg import module`
    return frozenset(n for n in names if n == PACKAGE or n.startswith(PACKAGE + "."))


def library_files(script: str | Path, src: str | Path) -> list[Path]:
    """The ``nnrec`` source files (under ``src``) that running ``script`` imports, sorted."""
    src = Path(src).resolve()
    seen: set[Path] = set()
    todo = [Path(script).resolve()]
    while todo:
        for name in _imported_names(todo.pop(), src):
            for f in _module_files(name, src):
                if f not in seen:
                    seen.add(f)
                    todo.append(f)
    return sorted(seen)


def code_fingerprint(script: str | Path, src: str | Path) -> str:
    """sha256 (16 hex digits) of ``script`` and of :func:`library_files` (paths relative to ``src``
    and contents): equal exactly when the code a job of that script runs is equal."""
    src = Path(src).resolve()
    h = hashlib.sha256(Path(script).read_bytes())
    for f in library_files(script, src):
        h.update(str(f.relative_to(src)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def source_files(dataset_cfg: dict) -> list[dict]:
    """Every source entry (a mapping with a ``file``) anywhere in a dataset's config subtree: its
    ``sources``, a substitute's, auxiliary files."""
    out: list[dict] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if "file" in node:
                out.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(dataset_cfg)
    return out


def local_sources(dataset_cfg: dict, mirror: str | Path | None, downloads: str | Path) -> list[str]:
    """Names of the dataset's source files present in the data mirror or in ``downloads`` (the
    verified copies of an earlier run), sorted: known before anything runs, and what decides which
    source (or fallback) the prepared data will come from, short of a download."""
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    from nnrec.data.fetch import candidates

    entries = source_files(dataset_cfg)
    present = {s["file"] for s in entries if (Path(downloads) / s["file"]).is_file()}
    for cand in candidates(entries, Path(mirror) if mirror else None):
        if cand.kind == "mirror" and Path(url2pathname(urlparse(cand.url).path)).is_file():
            present.add(cand.file)
    return sorted(present)
