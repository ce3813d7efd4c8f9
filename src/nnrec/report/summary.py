"""results/summary.json: the headline numbers of every part in one place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nnrec.common import read_json
from nnrec.report import provenance as prov

# The headline keys of results/summary.json; a part that did not run leaves its keys null.
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
    "total_runtime_s",
]


def build_summary(
    headline_files: list[str | Path],
    nist36_provenance: str | Path | None,
    root: str | Path,
) -> dict[str, Any]:
    """Merge the parts' headline.json files; required keys that no part gave are null.

    A headline file that is absent or marked ``"status": "missing"`` contributes nothing. Two
    files giving the same key is an error (naming both files). ``nist36_source``,
    ``nist36_source_kind`` and ``nist36_caveats`` come from the NIST36 provenance
    (:func:`nist36_source`); ``total_runtime_s`` is the sum of the per-rule wall times in
    ``benchmarks/**/*.tsv`` (the report rules excluded).
    """
    merged: dict[str, Any] = {k: None for k in SUMMARY_KEYS}
    origin: dict[str, str] = {}
    parts: dict[str, str] = {}
    for path in sorted(map(Path, headline_files)):
        if not path.exists():
            parts[str(path)] = "absent"
            continue
        data = read_json(path)
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a headline file must be a JSON object, got {type(data).__name__}")
        if data.get("status") == "missing":
            parts[str(path)] = "missing"
            continue
        parts[str(path)] = "ok"
        for key, value in data.items():
            if key in ("status", "source", "seed", "config_hash", "wall_time_s", "data_source"):
                continue
            if key in origin:
                raise ValueError(f"{path}: key '{key}' is also given by {origin[key]}")
            origin[key] = str(path)
            merged[key] = value
    merged.update(nist36_source(nist36_provenance))
    bench = prov.benchmarks(root)
    merged["total_runtime_s"] = round(sum(b["seconds"] for b in bench), 3) if bench else None
    merged["headline_status"] = parts
    return merged


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
