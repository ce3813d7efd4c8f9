"""The tuning ledger (tuning/ledger.yaml, issue 14): well formed, and no choice rests on a test
split or the four Q4 pages."""

from pathlib import Path

import yaml

LEDGER = Path(__file__).resolve().parents[1] / "tuning" / "ledger.yaml"
FIELDS = {"knob", "value", "chosen_on", "splits", "evidence", "alternatives", "date"}


def test_ledger_entries_are_complete_and_never_rest_on_test_data():
    entries = yaml.safe_load(LEDGER.read_text())
    assert isinstance(entries, list) and entries
    for e in entries:
        assert FIELDS <= set(e), (e.get("knob"), FIELDS - set(e))
        assert e["splits"], e["knob"]
        for s in e["splits"]:
            assert s in ("dev_mnist", "dev_comnist") or s.endswith(("/train", "/valid")), (e["knob"], s)
            assert "test" not in s and "page" not in s, (e["knob"], s)
