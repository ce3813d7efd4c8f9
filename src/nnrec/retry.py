"""When to prepare a dataset again (issue 17, item 4): the ``retry`` param of the prepare rule.

Kept out of :mod:`nnrec.data` (whose package imports the normalisers, scipy included) because the
Snakemake process evaluates :func:`retry_key` for every dataset on every DAG build.

A dataset prepared from less than its first choice (unavailable, or a later source, a substitute, a
fallback, a seeded split because the official one failed) must be prepared again as soon as what
failed could now work. The prepare rule's params carry retry_key(): it equals the key recorded in
retry.json (so Snakemake sees no change) until the data mirror offers something new for one of
the files that failed (it appears, or its size or modification time changes); then it is a new
key, the params differ, and Snakemake prepares the dataset again. A dataset prepared from its
first source watches nothing: touching or moving the mirror never reruns it. (An official URL
that failed cannot be watched: `snakemake -R resources/<dataset>/provenance.json` retries it.)
"""

from __future__ import annotations

import json
from pathlib import Path

from nnrec.common import CorruptFile, read_json
from nnrec.config import mirror_folder

FIRST_ATTEMPT = json.dumps({"attempt": 1, "because": "first preparation"})


def _source_specs(name: str, config: dict) -> dict[str, dict]:
    """Every source file a dataset may use, by file name: its sources, substitute sources and
    auxiliary files (ground truth, official split)."""
    ds = config["data"]["datasets"][name]
    specs = list(ds.get("sources") or []) + list((ds.get("substitute") or {}).get("sources") or [])
    specs += [ds[k] for k in ("ground_truth", "splits") if isinstance(ds.get(k), dict)]
    return {s["file"]: s for s in specs}


def watched_files(name: str, config: dict, prov: dict) -> list[str]:
    """The source files whose change may make a new preparation better than ``prov``: every one when
    the dataset is unavailable, else those that failed (before the source used, or auxiliary)."""
    specs = _source_specs(name, config)
    if not prov.get("available"):
        return sorted(specs)
    return sorted({t["file"] for t in prov.get("tried", []) if t.get("error") and t.get("file") in specs})


def offered_state(name: str, config: dict, files: list[str]) -> dict[str, str]:
    """What the data mirror offers now for each of ``files``: ``"<size> bytes, mtime <ns>"``, or
    ``"absent"`` (also when no mirror is set). Stat calls only: cheap enough for every DAG build."""
    mirror, specs = mirror_folder(config), _source_specs(name, config)
    out = {}
    for f in files:
        sub = specs.get(f, {}).get("mirror_subdir")
        try:
            if mirror is None:
                raise FileNotFoundError(f)
            st = (Path(mirror) / sub / f if sub else Path(mirror) / f).stat()
            out[f] = f"{st.st_size} bytes, mtime {st.st_mtime_ns}"
        except OSError:
            out[f] = "absent"
    return out


#: Beside provenance.json: what retry_key() compares (the key, attempt, watched files and what the
#: mirror offered for them). Not a rule output, so it survives Snakemake deleting provenance.json
#: before the job starts (the job evaluates the rule's params again then, and must get the same key).
RETRY_FILE = "retry.json"


def retry_key(name: str, config: dict, dataset_dir: str | Path) -> str:
    """The ``retry`` param of the prepare rule for dataset ``name`` (see above): the key recorded in
    ``dataset_dir/retry.json`` while nothing it watches changed, a new one (next attempt number, what
    changed) when something did, :data:`FIRST_ATTEMPT` when there is no (readable) record yet."""
    try:
        rec = read_json(Path(dataset_dir) / RETRY_FILE)
        key, attempt, watched, offered = rec["retry"], int(rec["attempt"]), list(rec["watched"]), dict(rec["offered"])
    except (FileNotFoundError, CorruptFile, KeyError, TypeError, ValueError):
        return FIRST_ATTEMPT
    now = offered_state(name, config, watched)
    if now == offered:
        return key
    changed = sorted(f for f in watched if now.get(f) != offered.get(f))
    return json.dumps({"attempt": attempt + 1,
                       "because": f"the mirror offers something new for {', '.join(changed)} since attempt {attempt}"})


def retry_record(name: str, config: dict, prov: dict, retry: str | None) -> dict:
    """What :func:`retry_key` compares next time: the key this preparation ran with, its attempt
    number, the files it watches and what the mirror offered for them."""
    retry = retry or FIRST_ATTEMPT
    watched = watched_files(name, config, prov)
    return {"retry": retry, "attempt": int(json.loads(retry)["attempt"]), "watched": watched,
            "offered": offered_state(name, config, watched)}
