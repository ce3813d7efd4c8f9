"""results/summary.json: the headline numbers of every part in one place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nnrec.common import read_json
from nnrec.report import provenance as prov

# The headline keys of results/summary.json. A key no part could give is {"missing": why}, never
# a bare null: the headline that says why, or the headline files that are absent or 'missing'.
SUMMARY_KEYS = [
    "nist36_source",
    "nist36_source_kind",
    "nist36_caveats",
    "q2_gradcheck_max_rel_error",
    "q3_best_lr",
    "q3_valid_acc",
    "q3_test_acc",
    "q4_char_acc",
    "q4_detection_recall",
    "q5_valid_psnr",
    "q5_pca_psnr",
    "q6_fc_valid_acc",
    "q6_cnn_valid_acc",
    "q6_cifar10_test_acc",
    "q6_sun_cnn_test_acc",
    "q6_sun_bow_test_acc",
    "q6_flowers_finetune_test_acc",
    "q6_flowers_scratch_test_acc",
    "total_job_time_s",
    "run_wall_time_s",
]
# what a headline file may carry besides its keys (run metadata), not merged into the summary
META_KEYS = ("status", "source", "seed", "config_hash", "wall_time_s", "data_source", "data_source_short", "missing",
             "reason")


def _no_nulls(value: Any, why: str) -> Any:
    """``value`` with every None (at any depth of dicts) replaced by ``{"missing": why}``."""
    if value is None:
        return {"missing": why}
    if isinstance(value, dict):
        return {k: _no_nulls(v, f"{why}, key {k!r}") for k, v in value.items()}
    return value


def build_summary(
    headline_files: list[str | Path],
    nist36_provenance: str | Path | None,
    root: str | Path,
) -> dict[str, Any]:
    """Merge the parts' headline.json files into results/summary.json.

    A headline file that is absent or marked ``"status": "missing"`` contributes nothing; an empty
    one (``{}``) or one that is not a JSON object is an error naming it, as is a key given by two
    files. A headline may name what it cannot give (``"missing": {key: why}``); every summary key
    without a value becomes ``{"missing": why}`` (that reason, else the headline files that are
    absent or missing), and a None inside a value is replaced the same way: summary.json holds
    no bare null. ``nist36_source``, ``nist36_source_kind`` and ``nist36_caveats`` come from
    the NIST36 provenance (:func:`nist36_source`). The run's times from ``benchmarks/**/*.tsv`` (the
    report rules excluded), each named as what it is: ``total_job_time_s``, the per-job wall
    times added up (more than the run took when jobs ran side by side), and ``run_wall_time_s``,
    from the first job's start to the last job's end (:func:`nnrec.report.provenance.run_times`),
    which includes any pause between runs when the results come from several (``run_largest_gap_time_s``:
    the longest stretch with no job running).
    """
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    said_missing: dict[str, str] = {}
    parts: dict[str, str] = {}
    for path in sorted(map(Path, headline_files)):
        if not path.exists():
            parts[str(path)] = "absent"
            continue
        data = read_json(path)
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a headline file must be a JSON object, got {type(data).__name__}")
        if data.get("status") == "missing":
            parts[str(path)] = f"missing ({data.get('reason') or 'no reason given'})"
            continue
        if not [k for k in data if k not in META_KEYS]:
            raise ValueError(f"{path}: a headline file with no headline keys ({json.dumps(data)[:200]}); "
                             "the rule that wrote it is broken: delete it and rerun that rule")
        parts[str(path)] = "ok"
        for key, why in (data.get("missing") or {}).items():
            said_missing[key] = f"{path}: {why}"
        for key, value in data.items():
            if key in META_KEYS:
                continue
            if key in origin:
                raise ValueError(f"{path}: key '{key}' is also given by {origin[key]}")
            origin[key] = str(path)
            merged[key] = _no_nulls(value, said_missing.get(key, f"{path} gave no value"))
    for key, value in nist36_source(nist36_provenance).items():
        merged[key] = value if value is not None else {"missing": f"no NIST36 provenance ({nist36_provenance})"}
    times = prov.run_times(prov.benchmarks(root))
    if times:
        merged["total_job_time_s"] = round(times["sum_s"], 3)
        merged["run_wall_time_s"] = round(times["span_s"], 3)
        # results made by several runs (e.g. one rule rerun later): the span includes the pause
        merged["run_largest_gap_time_s"] = round(times["largest_gap_s"], 3)
    not_ok = {f: st for f, st in parts.items() if st != "ok"}
    for key in SUMMARY_KEYS:
        if key not in merged:
            if key in said_missing:
                why = said_missing[key]
            elif key in ("total_job_time_s", "run_wall_time_s"):
                why = f"no Snakemake benchmark file under {Path(root) / 'benchmarks'}"
            elif not_ok:
                why = "no headline gave it; not run or data missing: " + "; ".join(f"{f}: {st}" for f, st in not_ok.items())
            else:
                why = "no headline gave it (every headline file was read)"
            merged[key] = {"missing": why}
    ordered = {k: merged[k] for k in SUMMARY_KEYS}
    ordered.update({k: v for k, v in merged.items() if k not in ordered})
    ordered["headline_status"] = parts
    return ordered


def missing_keys(summary: dict[str, Any]) -> dict[str, str]:
    """The summary's keys whose value is ``{"missing": why}`` (top level), with why."""
    return {k: v["missing"] for k, v in summary.items() if isinstance(v, dict) and set(v) == {"missing"}}


def nist36_source(provenance: str | Path | None) -> dict[str, Any]:
    """What NIST36 was in this run, from its provenance: ``nist36_source`` names it (its
    ``description``, e.g. "NIST36 substitute from EMNIST ByClass (NIST SD19)"; "missing" when no
    source worked), ``nist36_source_kind`` is the route ("mirror", "url", "substitute",
    "standin", "missing") and ``nist36_caveats`` its caveats. All None without a provenance file."""
    if provenance is None or not Path(provenance).exists():
        return {"nist36_source": None, "nist36_source_kind": None, "nist36_caveats": None}
    from nnrec.data.prepare import NIST36_DESCRIPTIONS, read_provenance

    p = read_provenance(provenance)
    if not p.get("available"):
        return {"nist36_source": "missing", "nist36_source_kind": "missing", "nist36_caveats": list(p.get("caveats") or [])}
    kind = p.get("source")
    name = p.get("description") or NIST36_DESCRIPTIONS.get(kind, NIST36_DESCRIPTIONS["real"])
    return {"nist36_source": name, "nist36_source_kind": kind, "nist36_caveats": list(p.get("caveats") or [])}
