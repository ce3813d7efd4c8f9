"""CI's comparison of two clean runs (.ci/compare_runs.py): bytes for the PDF and model files,
JSON up to its run times, the first difference printed."""

from __future__ import annotations

import json
from pathlib import Path

from script_module import load_script

REPO = Path(__file__).resolve().parents[1]


def compare_runs():
    return load_script(REPO / ".ci" / "compare_runs.py")


def make_run(root: Path, *, wall: float = 1.0, acc: float = 0.5, model: bytes = b"weights", pdf: bytes = b"%PDF-1 x"):
    files = {
        "results/report/writeup.pdf": pdf,
        "results/numpy_nn/q3/best/weights.npz": model,
        "results/numpy_nn/q3/metrics.json": json.dumps({"acc": acc, "wall_time_s": wall,
                                                        "history": {"epoch_time": [wall], "valid_acc": [acc]}}).encode(),
        "resources/downloads/data.zip": str(wall).encode(),  # verified source copies are not compared
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def test_runs_that_differ_only_in_run_times_are_identical(tmp_path, capsys):
    mod = compare_runs()
    a, b = make_run(tmp_path / "a", wall=1.0), make_run(tmp_path / "b", wall=2.5)
    assert mod.main([str(a), str(b)]) == 0
    assert "identical: 3 files" in capsys.readouterr().out
    from nnrec.report.render import TIMING_KEY

    assert mod.TIMING_KEY.pattern == TIMING_KEY.pattern  # the same run times the reproducible PDF leaves out


def test_a_different_model_pdf_or_number_is_reported_with_its_first_difference(tmp_path, capsys):
    mod = compare_runs()
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", acc=0.6, model=b"weightz", pdf=b"%PDF-1 y")
    assert mod.main([str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "3 difference(s)" in out
    assert "results/numpy_nn/q3/best/weights.npz: 7 vs 7 bytes, first difference at byte 6" in out
    assert "results/report/writeup.pdf: 8 vs 8 bytes, first difference at byte 7" in out
    assert "results/numpy_nn/q3/metrics.json: /acc: 0.5 vs 0.6" in out


def test_a_file_made_by_one_run_only_is_reported(tmp_path):
    mod = compare_runs()
    a, b = make_run(tmp_path / "a"), make_run(tmp_path / "b")
    (b / "results" / "extra.png").write_bytes(b"png")
    problems, _ = mod.compare(a, b)
    assert problems == [f"only in {b}: results/extra.png"]
