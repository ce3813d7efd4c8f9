"""The tuning ledger (tuning/ledger.yaml, issue 14): well formed, no choice rests on a test split or
the four Q4 pages, every entry names a knob that exists with the value it records (so the ledger
cannot drift from config.yaml), and every config comment that claims a tuning has its entry."""

import importlib
import math
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "tuning" / "ledger.yaml"
CONFIG = ROOT / "config.yaml"
FIELDS = {"knob", "value", "chosen_on", "splits", "evidence", "alternatives", "date"}
# split ids: <dataset>/train or <dataset>/valid, or a development set. Datasets: those of
# data.datasets, the NIST36 routes by name (the EMNIST substitute, the stand-in), and generated
# pages with exact truth drawn from seeds of their own (not ocr.generated.seed: the report scores those)
ROUTES = {"substitute", "standin", "generated_pages"}
DEV_SETS = {"dev_mnist", "dev_comnist"}
# a config comment with one of these words claims that its knob was tuned
CLAIM = re.compile(r"\b(tuned|chosen on)\b", re.IGNORECASE)


def entries() -> list[dict]:
    data = yaml.safe_load(LEDGER.read_text())
    assert isinstance(data, list) and data, f"{LEDGER}: expected a non-empty list of entries"
    return data


def knob_names(entry: dict) -> list[str]:
    """The knobs of an entry: one config path or code constant, or several, comma-separated."""
    return [k.strip() for k in str(entry["knob"]).split(",")]


def config_value(cfg: dict, dotted: str):
    node = cfg
    for i, part in enumerate(dotted.split(".")):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"{'.'.join(dotted.split('.')[:i + 1])!r} is not in config.yaml")
        node = node[part]
    return node


def same(a, b) -> bool:
    """Equal as YAML values, numbers compared as numbers (35 and 35.0, 1.5e-05 and 0.000015)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def check_knob(entry: dict, cfg: dict) -> None:
    """A config path must hold the recorded value (several paths: a list of values, in order);
    a code constant (``nnrec.module.NAME``) must exist."""
    names = knob_names(entry)
    values = entry["value"] if len(names) > 1 else [entry["value"]]
    if len(names) > 1:
        assert isinstance(values, list) and len(values) == len(names), (
            f"ledger entry {entry['knob']!r}: {len(names)} knobs need a list of {len(names)} values, got {values!r}")
    for name, value in zip(names, values):
        if name.startswith("nnrec."):
            module, _, attr = name.rpartition(".")
            assert hasattr(importlib.import_module(module), attr), f"ledger: code constant {name} does not exist"
            continue
        actual = config_value(cfg, name)
        assert same(actual, value), f"ledger: {name} is {value!r} in the ledger but {actual!r} in config.yaml"


def commented_keys(text: str, pattern: re.Pattern) -> list[tuple[int, str]]:
    """``(line number, dotted key)`` of every key of a block-style YAML file whose comment matches
    ``pattern``: the comment on the key's own line, or comment-only lines right above it."""
    stack: list[tuple[int, str]] = []   # (indent, key) of the open mappings
    pending = False
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            pending = False
            continue
        if stripped.startswith("#"):
            pending = pending or bool(pattern.search(stripped))
            continue
        m = re.match(r"^(\s*)([A-Za-z0-9_]+):", line)
        if not m:
            continue  # a list item or a continued flow value
        indent, key = len(m.group(1)), m.group(2)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, key))
        comment = line.split(" #", 1)[1] if " #" in line else ""
        if pending or pattern.search(comment):
            out.append((n, ".".join(k for _, k in stack)))
        pending = False
    return out


def test_ledger_entries_are_complete_and_never_rest_on_test_data():
    datasets = set(yaml.safe_load(CONFIG.read_text())["data"]["datasets"]) | ROUTES
    for e in entries():
        assert FIELDS <= set(e), (e.get("knob"), FIELDS - set(e))
        assert e["splits"], e["knob"]
        for s in e["splits"]:
            if s in DEV_SETS:
                continue
            name, _, role = s.partition("/")
            assert role in ("train", "valid"), f"ledger entry {e['knob']!r}: split {s!r} is neither train nor valid"
            assert name in datasets, f"ledger entry {e['knob']!r}: split {s!r} names no known dataset ({sorted(datasets)})"
            assert name != "ocr_pages", f"ledger entry {e['knob']!r}: the four Q4 pages are reported, never tuned on"


def test_every_ledger_knob_holds_its_recorded_value_in_config():
    cfg = yaml.safe_load(CONFIG.read_text())
    for e in entries():
        check_knob(e, cfg)


def test_each_knob_is_in_the_ledger_once():
    seen = {}
    for e in entries():
        for k in knob_names(e):
            assert k not in seen, f"ledger: {k} is recorded twice ({seen[k]!r} and {e['knob']!r})"
            seen[k] = e["knob"]


def test_config_comments_that_claim_a_tuning_have_a_ledger_entry():
    knobs = [k for e in entries() for k in knob_names(e)]
    claimed = commented_keys(CONFIG.read_text(), CLAIM)
    assert claimed, "no config comment claims a tuning: is the pattern still right?"
    for line, key in claimed:
        covered = [k for k in knobs if k == key or k.startswith(key + ".") or key.startswith(k + ".")]
        assert covered, f"config.yaml line {line}: the comment says {key} was tuned, but the ledger has no entry for it"


def test_the_checks_catch_drift():
    cfg = {"a": {"b": [1.0, 2.0], "c": 3}}
    check_knob({"knob": "a.b", "value": [1, 2]}, cfg)
    check_knob({"knob": "a.b, a.c", "value": [[1, 2], 3.0]}, cfg)
    check_knob({"knob": "nnrec.data.standin.skeletons.ALLOGRAPHS", "value": "see skeletons.py"}, cfg)
    with pytest.raises(AssertionError, match="in config.yaml"):
        check_knob({"knob": "a.c", "value": 4}, cfg)
    with pytest.raises(KeyError, match="'a.d' is not in config.yaml"):
        check_knob({"knob": "a.d", "value": 4}, cfg)
    with pytest.raises(AssertionError, match="need a list of 2 values"):
        check_knob({"knob": "a.b, a.c", "value": 3}, cfg)
    with pytest.raises(AssertionError, match="does not exist"):
        check_knob({"knob": "nnrec.data.standin.skeletons.NO_SUCH", "value": "x"}, cfg)
    text = ("top:\n  # chosen on the valid split\n  x: 1\n  y: 2   # plain\n  sub:\n"
            "    z: [1, 2]  # Tuned on dev_mnist\n    w: 3\n")
    assert commented_keys(text, CLAIM) == [(3, "top.x"), (6, "top.sub.z")]
