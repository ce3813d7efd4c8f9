"""What a rule writes when its dataset is unavailable (``data.strict: false``).

Every declared output still appears, so the DAG finishes and the report can say which data was
missing: JSON outputs get ``{"status": "missing", ...}``, figures a placeholder image with the
reason, anything else (model files, their checksums, text) a text file whose first line is
:data:`nnrec.common.PLACEHOLDER_MARKER`, so that readers tell a placeholder from a damaged file
(:func:`nnrec.common.is_missing`, :func:`nnrec.common.is_placeholder`). :func:`nnrec.workflow.start`
does this for every script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from nnrec.common import PLACEHOLDER_MARKER, atomic_path, save_figure, write_json


def missing_record(prov_paths: Iterable[str | Path]) -> dict | None:
    """``{"status": "missing", ...}`` when any of the provenance files says unavailable, else None."""
    from nnrec.data.prepare import read_provenance

    missing = []
    for p in prov_paths:
        prov = read_provenance(p)
        if not prov.get("available"):
            missing.append({
                "dataset": prov.get("dataset"),
                "tried": prov.get("tried", []),
                "how_to_supply": prov.get("how_to_supply"),
            })
    if not missing:
        return None
    names = ", ".join(m["dataset"] for m in missing)
    return {"status": "missing", "reason": f"dataset unavailable: {names}", "datasets": missing}


def write_missing_outputs(outputs: Iterable[str | Path], record: dict) -> None:
    """Write every output path as a 'missing' placeholder carrying ``record``."""
    from nnrec.plots import plot_message

    for out in outputs:
        out = Path(out)
        if out.suffix == ".json":
            write_json(out, record)
        elif out.suffix in (".png", ".svg", ".pdf", ".jpg"):
            save_figure(plot_message(f"not available:\n{record['reason']}"), out)
        else:
            with atomic_path(out) as tmp:
                tmp.write_text(f"{PLACEHOLDER_MARKER}\nmissing: {record['reason']}\n")
