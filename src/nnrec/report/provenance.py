"""Collect what the cover page and the provenance appendix show: data sources, library versions,
device, per-rule wall times (Snakemake benchmark files), git commit, build date."""

from __future__ import annotations

import csv
import datetime as _dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from nnrec.common import read_json

LIBRARIES = [
    "snakemake", "numpy", "scipy", "scikit-image", "matplotlib", "torch", "torchvision",
    "jinja2", "weasyprint", "ziamath", "pyyaml", "jsonschema", "pillow",
]

SOURCE_WORDS = {
    "mirror": "the original files, read from the local mirror",
    "url": "the original files, downloaded from the official address",
    "substitute": "a real-handwriting SUBSTITUTE built from another public conversion of the same source (see its caveats): its numbers are comparable in kind, not equal, to the assignment's",
    "standin": "a synthetic STAND-IN (the real data was unavailable): its numbers are not comparable to the assignment's",
    "generated": "GENERATED pages (the real data was unavailable): its numbers are not comparable to the assignment's",
}


def build_date() -> _dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
        except ValueError:
            raise ValueError(f"SOURCE_DATE_EPOCH={epoch!r} is not an integer number of seconds") from None
    return _dt.datetime.now(tz=_dt.timezone.utc).replace(microsecond=0)


def git_commit(root: str | Path) -> str:
    """Short commit id of ``root`` plus '+dirty' for uncommitted tracked changes; 'unknown' outside git."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except Exception:
        return "unknown"


def library_versions() -> list[dict[str, str]]:
    out = [{"name": "python", "version": platform.python_version()}]
    for name in LIBRARIES:
        try:
            out.append({"name": name, "version": metadata.version(name)})
        except metadata.PackageNotFoundError:
            out.append({"name": name, "version": "not installed"})
    return out


def host_description() -> str:
    """The machine that rendered the report (CPU model and count)."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {model}, {os.cpu_count()} logical CPUs"


def datasets(provenance_files: list[str | Path]) -> list[dict[str, Any]]:
    """One row per dataset: name, available, source, plain-words description, files, caveats."""
    rows = []
    for path in sorted(provenance_files, key=str):
        path = Path(path)
        if not path.exists():
            rows.append({"dataset": path.parent.name, "available": False, "source": None, "prepared": False,
                         "words": "not prepared yet (no provenance file)", "files": [], "caveats": [],
                         "tried": [], "how_to_supply": None, "path": str(path)})
            continue
        p = read_json(path)
        if not isinstance(p, dict):
            raise ValueError(f"{path}: provenance must be a JSON object, got {type(p).__name__}")
        available = bool(p.get("available"))
        source = p.get("source")
        if available:
            words = SOURCE_WORDS.get(source, f"source '{source}'")
        else:
            words = "MISSING: no source provided it; the parts that need it show 'data missing'"
        files = [{"file": f.get("file", "?"), "from": f.get("from") or f.get("path_or_url") or "",
                  "sha256": f.get("sha256"), "md5": f.get("md5")} for f in (p.get("files") or [])]
        rows.append({
            "dataset": p.get("dataset", path.parent.name), "available": available, "source": source,
            "prepared": True, "words": words, "files": files, "caveats": [str(c) for c in (p.get("caveats") or [])],
            "tried": [_tried_text(t) for t in (p.get("tried") or [])], "how_to_supply": p.get("how_to_supply"),
            "path": str(path),
        })
    return rows


def _tried_text(t: Any) -> str:
    """One attempt of the data layer as text: 'source url: error' (or 'ok')."""
    if not isinstance(t, dict):
        return str(t)
    where = " ".join(str(t[k]) for k in ("source", "url") if t.get(k))
    return f"{where}: {t['error']}" if t.get("error") else f"{where}: ok"


def benchmarks(root: str | Path, exclude_parts: tuple[str, ...] = ("report",)) -> list[dict[str, Any]]:
    """Per-rule wall times from Snakemake's ``benchmarks/**/*.tsv`` (first data row of each)."""
    root = Path(root)
    rows = []
    for tsv in sorted((root / "benchmarks").glob("**/*.tsv")):
        rel = tsv.relative_to(root / "benchmarks")
        if rel.parts[0] in exclude_parts:
            continue
        try:
            with open(tsv, newline="") as fh:
                data = list(csv.DictReader(fh, delimiter="\t"))
            if not data or "s" not in data[0] or "h:m:s" not in data[0]:
                continue  # not a Snakemake benchmark file (e.g. a speed script's own table)
            seconds = float(data[0]["s"])
            rss = data[0].get("max_rss", "")
            rss = float(rss) if rss not in ("", "NA", "-") else None
        except (OSError, ValueError):
            continue  # not a Snakemake benchmark file (e.g. a speed script's own output)
        cpu = data[0].get("cpu_time", "")
        try:
            cpu = float(cpu)
        except ValueError:
            cpu = None
        rows.append({"rule": str(rel.with_suffix("")), "seconds": seconds, "cpu_s": cpu, "max_rss_mb": rss})
    return rows


def devices(results_root: str | Path) -> list[dict[str, str]]:
    """Every distinct ``device`` recorded in results/**/metrics.json, with where it was seen."""
    seen: dict[str, list[str]] = {}
    for path in sorted(Path(results_root).glob("**/metrics.json")):
        try:
            dev = read_json(path).get("device")
        except Exception:
            continue
        if dev:
            seen.setdefault(str(dev), []).append(str(path.relative_to(results_root).parent))
    return [{"device": d, "parts": ", ".join(parts)} for d, parts in seen.items()]
