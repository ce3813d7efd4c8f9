"""What a rule writes when its dataset is unavailable (``data.strict: false``).

Every declared output still appears, so the DAG finishes and the report can say which data was
missing: JSON outputs get ``{"status": "missing", ...}``, figures a placeholder image with the
reason, anything else a one-line text file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from nnrec.common import atomic_path, read_json, save_figure, write_json


def missing_record(prov_paths: Iterable[str | Path]) -> dict | None:
    """``{"status": "missing", ...}`` when any of the provenance files says unavailable, else None."""
    missing = []
    for p in prov_paths:
        prov = read_json(p)
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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for out in outputs:
        out = Path(out)
        if out.suffix == ".json":
            write_json(out, record)
        elif out.suffix in (".png", ".svg", ".pdf", ".jpg"):
            fig, ax = plt.subplots(figsize=(4, 1.2))
            ax.axis("off")
            ax.text(0.5, 0.5, f"not available:\n{record['reason']}", ha="center", va="center", fontsize=9)
            save_figure(fig, out)
        else:
            with atomic_path(out) as tmp:
                tmp.write_text(f"missing: {record['reason']}\n")


def skip_if_missing(snakemake, prov_inputs: Iterable[str | Path]) -> bool:
    """In a Snakemake script: if a needed dataset is missing, write placeholders and return True."""
    record = missing_record(prov_inputs)
    if record is None:
        return False
    write_missing_outputs(list(snakemake.output), record)
    return True
