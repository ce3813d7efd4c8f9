"""Collect what the cover page and the provenance appendix show: data sources, library versions,
device, per-rule wall times (Snakemake benchmark files) and the run's wall time, git commit, build
date, and which rule and script produced each result file (for the figure captions)."""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as _dt
import json
import os
import platform
import re
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
    "substitute": "a SUBSTITUTE: real data from {name}'s own original source, but not {name} itself (other images of that source, another conversion, this workflow's normalisation and split; see its caveats): its numbers are comparable in kind, not equal, to the assignment's",
    "standin": "a synthetic STAND-IN (the real data was unavailable): its numbers are not comparable to the assignment's",
    "generated": "GENERATED pages (the real data was unavailable): its numbers are not comparable to the assignment's",
}


DISPLAY_NAMES = {"nist36": "NIST36"}

#: What a figure or table caption adds to a dataset's name, per source (the full caveats are on the cover).
SHORT_CAVEATS = {
    "substitute": "real data from {name}'s own source, not {name} itself; caveats on the cover",
    "standin": "synthetic, not the real data; caveats on the cover",
    "generated": "generated, not the real data; caveats on the cover",
}


def caption_words(row: dict[str, Any] | None) -> str:
    """How a caption names a dataset (a row of :func:`datasets`): its provenance ``description``
    (or its name), and for anything but the original files a short caveat, e.g. "NIST36 substitute
    from EMNIST ByClass (NIST SD19): real data from NIST36's own source, not NIST36 itself; caveats
    on the cover"."""
    if row is None:
        return "source not recorded with these results"
    name = row.get("description") or row.get("dataset", "?")
    if not row.get("available", True):
        return f"{name}: MISSING"
    short = SHORT_CAVEATS.get(row.get("source"))
    return f"{name}: {short.format(name=display_name(row.get('dataset', '?')))}" if short else name


def display_name(dataset: str) -> str:
    """How the text names a dataset key: ``nist36`` -> "NIST36"; others as they are."""
    return DISPLAY_NAMES.get(dataset, dataset)


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
                         "description": None,
                         "words": "not prepared yet (no provenance file)", "files": [], "caveats": [],
                         "tried": [], "how_to_supply": None, "path": str(path)})
            continue
        p = read_json(path)
        if not isinstance(p, dict):
            raise ValueError(f"{path}: provenance must be a JSON object, got {type(p).__name__}")
        available = bool(p.get("available"))
        source = p.get("source")
        if available:
            words = SOURCE_WORDS.get(source, f"source '{source}'").format(name=display_name(p.get("dataset", path.parent.name)))
            if p.get("description"):
                words = f"{p['description']}, {words}"
        else:
            words = "MISSING: no source provided it; the parts that need it show 'data missing'"
        files = [{"file": f.get("file", "?"), "from": f.get("from") or f.get("path_or_url") or "",
                  "sha256": f.get("sha256"), "md5": f.get("md5")} for f in (p.get("files") or [])]
        rows.append({
            "dataset": p.get("dataset", path.parent.name), "available": available, "source": source,
            "prepared": True, "words": words, "description": p.get("description"), "files": files, "caveats": [str(c) for c in (p.get("caveats") or [])],
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
    """Per-job wall times from Snakemake's ``benchmarks/**/*.tsv`` (first data row of each).

    Each row: ``job`` (the benchmark file's path under benchmarks/, without .tsv), ``seconds``,
    ``cpu_s``, ``max_rss_mb``, and ``end`` (the file's modification time, i.e. when Snakemake
    wrote it at the end of the job, in seconds since the epoch). ``rule`` starts equal to ``job``;
    :meth:`OutputOrigins.annotate_benchmarks` replaces it with the rule's name when it is known.
    """
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
            end = tsv.stat().st_mtime
        except (OSError, ValueError):
            continue  # not a Snakemake benchmark file (e.g. a speed script's own output)
        cpu = data[0].get("cpu_time", "")
        try:
            cpu = float(cpu)
        except ValueError:
            cpu = None
        job = str(rel.with_suffix(""))
        rows.append({"rule": job, "job": job, "seconds": seconds, "cpu_s": cpu, "max_rss_mb": rss, "end": end,
                     "file": f"benchmarks/{rel}"})
    return rows


def run_times(bench: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The run's times from its benchmark rows (see :func:`benchmarks`), each named as what it is.

    Every job ran from ``end - seconds`` to ``end``. ``sum_s``: the per-job wall times added up
    (more than the run took when jobs ran side by side). ``span_s``: from the first job's start to
    the last job's end, the run's wall time when the results come from one run. ``busy_s``: the
    time during which at least one job was running, and ``largest_gap_s`` the longest stretch
    with none (large when the results come from several runs, e.g. one rule rerun later; then
    the span includes that pause). None without rows.
    """
    if not bench:
        return None
    spans = sorted((float(b["end"]) - float(b["seconds"]), float(b["end"])) for b in bench)
    busy, gap = 0.0, 0.0
    cur_start, cur_end = spans[0]
    for a, b in spans[1:]:
        if a > cur_end:
            busy += cur_end - cur_start
            gap = max(gap, a - cur_end)
            cur_start, cur_end = a, b
        else:
            cur_end = max(cur_end, b)
    busy += cur_end - cur_start
    first, last = spans[0][0], max(b for _, b in spans)
    return {"sum_s": sum(float(b["seconds"]) for b in bench), "span_s": last - first, "busy_s": busy,
            "largest_gap_s": gap, "jobs": len(bench),
            "first_start": _dt.datetime.fromtimestamp(first, tz=_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "last_end": _dt.datetime.fromtimestamp(last, tz=_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


# --------------------------------------------------------------------------- which rule made a file
def _pattern_regex(pattern: str) -> re.Pattern:
    """A Snakemake output pattern (``results/numpy_nn/q3_lr{lr}/metrics.json``) as a regex; a
    wildcard with its own constraint (``{lr,[0-9.]+}``) keeps it."""
    out, pos = [], 0
    for m in re.finditer(r"\{\s*(\w+)\s*(?:,([^{}]*(?:\{[^{}]*\}[^{}]*)*))?\}", pattern):
        out.append(re.escape(pattern[pos:m.start()]))
        out.append(f"(?:{m.group(2)})" if m.group(2) else ".+")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("".join(out) + r"\Z")


def _script_path(script: str | None) -> str | None:
    """A rule's ``script:`` as given in its rule file (``../scripts/x.py``) as a path in the
    checkout (``workflow/scripts/x.py``); other paths unchanged."""
    if not script:
        return None
    script = str(script)
    return "workflow/scripts/" + script.split("scripts/", 1)[1] if "scripts/" in script else script


def _script_from_code(code: Any) -> str | None:
    """``workflow/scripts/x.py`` from a metadata record's rule code (``"../scripts/x.py"``)."""
    m = re.search(r"""["']([^"']*scripts/[^"']+\.py)["']""", str(code or ""))
    return _script_path(m.group(1)) if m else None


def rule_map(rules: Any) -> list[dict[str, Any]]:
    """The rule map :class:`OutputOrigins` (and ``render_report(rules=...)``) takes, built from
    Snakemake's rule objects: in a rule file, ``rule_map(workflow.rules)``. One entry per rule:
    its name, script, output patterns and benchmark pattern (plain strings, so the map can be a
    rule's ``params``)."""
    return [{"rule": r.name, "script": _script_path(getattr(r, "script", None)),
             "outputs": [str(o) for o in r.output],
             "benchmark": str(r.benchmark) if getattr(r, "benchmark", None) else None} for r in rules]


def snakemake_metadata(workdir: str | Path) -> dict[str, dict[str, Any]]:
    """Snakemake's own record of every output it produced (``<workdir>/.snakemake/metadata/``):
    path -> ``{rule, script, log, starttime, endtime}``. Empty when there is no such folder."""
    base = Path(workdir) / ".snakemake" / "metadata"
    out: dict[str, dict[str, Any]] = {}
    if not base.is_dir():
        return out
    for f in base.rglob("*"):
        if not f.is_file():
            continue
        name = "".join(f.relative_to(base).parts)  # long names are split into sub-folders
        try:
            path = base64.b64decode(name.encode(), validate=True).decode()
            rec = json.loads(f.read_text())
        except (binascii.Error, UnicodeDecodeError, ValueError, OSError):
            continue  # not a record (Snakemake keeps nothing else there, but be safe)
        if not isinstance(rec, dict) or not rec.get("rule"):
            continue
        out[path] = {"rule": rec["rule"], "script": _script_from_code(rec.get("code")),
                     "log": list(rec.get("log") or []), "starttime": rec.get("starttime"),
                     "endtime": rec.get("endtime")}
    return out


class OutputOrigins:
    """Which rule and script produced a result file, for the captions' provenance line.

    ``rules`` (passed by the workflow, preferred): ``[{"rule", "script", "outputs": [pattern, ...],
    "benchmark": pattern or None}, ...]``, patterns relative to the working directory as in the
    rule files. Without it (or for a file it does not cover) Snakemake's metadata records in
    ``<workdir>/.snakemake/metadata`` are used. ``lookup`` returns None when neither knows the file.
    """

    def __init__(self, rules: list[dict[str, Any]] | None = None, workdir: str | Path | None = None):
        self.rules = []
        for r in rules or []:
            if not isinstance(r, dict) or "rule" not in r:
                raise ValueError(f"rule map entry {r!r} has no 'rule'")
            self.rules.append({"rule": r["rule"], "script": _script_path(r.get("script")),
                               "outputs": [_pattern_regex(str(o)) for o in r.get("outputs") or []],
                               "benchmark": _pattern_regex(str(r["benchmark"])) if r.get("benchmark") else None})
        self.metadata = snakemake_metadata(workdir) if workdir is not None else {}
        self._by_log = {}
        for rec in self.metadata.values():
            for lg in rec["log"]:
                self._by_log[str(Path(lg).with_suffix(""))] = rec

    def lookup(self, path: str) -> dict[str, Any] | None:
        """``{"rule", "script", "path", "via"}`` for ``path`` (relative to the working directory,
        e.g. ``results/numpy_nn/q3/loss.png``), or None."""
        path = str(path)
        for r in self.rules:
            if any(rx.match(path) for rx in r["outputs"]):
                return {"rule": r["rule"], "script": r["script"], "path": path, "via": "rule map"}
        rec = self.metadata.get(path)
        if rec:
            return {"rule": rec["rule"], "script": rec["script"], "path": path, "via": "snakemake metadata"}
        return None

    def annotate_benchmarks(self, bench: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Set each benchmark row's ``rule`` (and ``script``) when known: from the rule map's
        benchmark patterns, else from the Snakemake record whose log file has the same name
        (``benchmarks/<part>/<job>.tsv`` beside ``logs/<part>/<job>.log``)."""
        for b in bench:
            hit = next((r for r in self.rules if r["benchmark"] is not None and r["benchmark"].match(b["file"])), None)
            if hit:
                b.update(rule=hit["rule"], script=hit["script"], rule_known=True)
                continue
            rec = self._by_log.get(str(Path("logs") / b["job"]))
            if rec:
                b.update(rule=rec["rule"], script=rec["script"], rule_known=True)
            else:
                b.update(rule_known=False, script=None)
        return bench


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
