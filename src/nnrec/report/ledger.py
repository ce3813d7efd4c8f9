"""The tuning ledger (``tuning/ledger.yaml``, format in ``tuning/README.md``): what was tuned on what.

:func:`load_ledger` reads and checks it for the writeup's "What was tuned on what" appendix. The
ledger is a YAML list; each entry has the required fields :data:`REQUIRED` and may have
:data:`OPTIONAL`. An entry missing a required field, with a field the format does not document, or
listing a split that is not a training or validation split or a development set (a test split,
the four Q4 pages) stops the report with the file, the entry and the problem: a ledger the text
cannot trust is never rendered.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

REQUIRED = ("knob", "value", "chosen_on", "splits", "evidence")
OPTIONAL = ("alternatives", "date")
#: split ids: ``<dataset>/train``, ``<dataset>/valid``, or a development set ``dev_<name>``
SPLIT_ID = re.compile(r"^(?:[a-z0-9_]+/(?:train|valid)|dev_[a-z0-9_]+)$")


class LedgerError(ValueError):
    """The ledger file breaks its format (the message names the file, the entry and the field)."""


def _text(v: Any) -> str:
    """A ledger value as the appendix prints it: lists as ``[a, b]``, dates ISO, the rest as is."""
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_text(x) for x in v) + "]"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_text(x)}" for k, x in v.items())
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, bool) or v is None:
        return str(v).lower() if v is not None else "null"
    return str(v)


def load_ledger(path: str | Path) -> list[dict[str, Any]]:
    """The entries of the ledger at ``path``, checked, each ``{"knob", "value", "chosen_on",
    "splits" (list of str), "evidence", "alternatives" (or None), "date" (or None)}`` with every
    value as text (see :func:`_text`). Raises :class:`LedgerError` on a malformed file or entry."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: the tuning ledger is missing") from None
    except yaml.YAMLError as exc:
        raise LedgerError(f"{path}: not valid YAML ({exc})") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise LedgerError(f"{path}: the ledger must be a YAML list of entries, found {type(data).__name__}")
    out = []
    for i, e in enumerate(data, start=1):
        where = f"{path}: entry {i}"
        if not isinstance(e, dict):
            raise LedgerError(f"{where}: must be a mapping with the fields {', '.join(REQUIRED)}, found {type(e).__name__}")
        if "knob" in e:
            where += f" ({e['knob']})"
        absent = [k for k in REQUIRED if k not in e or e[k] is None or e[k] == ""]
        if absent:
            raise LedgerError(f"{where}: required field(s) {', '.join(absent)} missing (tuning/README.md)")
        unknown = sorted(set(e) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise LedgerError(f"{where}: field(s) {', '.join(unknown)} are not part of the ledger format "
                              f"(fields: {', '.join(REQUIRED + OPTIONAL)}; tuning/README.md)")
        splits = e["splits"]
        if not isinstance(splits, list) or not splits or not all(isinstance(s, str) for s in splits):
            raise LedgerError(f"{where}: 'splits' must be a non-empty list of split ids, found {splits!r}")
        bad = [s for s in splits if not SPLIT_ID.match(s)]
        if bad:
            raise LedgerError(f"{where}: split(s) {', '.join(bad)} are not a training or validation split "
                              "(<dataset>/train, <dataset>/valid) or a development set (dev_<name>): nothing may be "
                              "chosen on a test split or the Q4 pages")
        out.append({"knob": _text(e["knob"]), "value": _text(e["value"]), "chosen_on": _text(e["chosen_on"]),
                    "splits": list(splits), "evidence": _text(e["evidence"]),
                    "alternatives": _text(e["alternatives"]) if e.get("alternatives") is not None else None,
                    "date": _text(e["date"]) if e.get("date") is not None else None})
    return out
