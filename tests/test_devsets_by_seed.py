"""benchmarks/devsets_by_seed.py: which weights of a finished run it reads, and how it splits a NIST36 split."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from script_module import load_script

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    return load_script(ROOT / "benchmarks" / "devsets_by_seed.py")


def _run(tmp_path, repeat_seeds, tag="0.01"):
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"numpy_nn": {"q3": {"repeat_seeds": repeat_seeds}}}))
    q3 = tmp_path / "results/numpy_nn/q3"
    q3.mkdir(parents=True)
    (q3 / "lr_choice.json").write_text(json.dumps(
        {"chosen_tag": tag, "chosen_dir": f"results/numpy_nn/q3_lr{tag}", "seed": 16720}))
    for d in [f"q3_lr{tag}"] + [f"q3_lr{tag}_seed{s}" for s in repeat_seeds]:
        (tmp_path / "results/numpy_nn" / d).mkdir()
        (tmp_path / "results/numpy_nn" / d / "weights.npz").write_bytes(b"")
    return tmp_path


def test_reads_the_chosen_rate_with_each_repeat_seed(bench, tmp_path):
    run = _run(tmp_path, [1, 2])
    got = bench.seed_runs(run)
    assert [label for label, _ in got] == ["lr 0.01, seed 16720", "lr 0.01, repeat seed 1", "lr 0.01, repeat seed 2"]
    assert [w.relative_to(run).as_posix() for _, w in got] == [
        "results/numpy_nn/q3_lr0.01/weights.npz", "results/numpy_nn/q3_lr0.01_seed1/weights.npz",
        "results/numpy_nn/q3_lr0.01_seed2/weights.npz"]


def test_a_missing_seed_run_is_named(bench, tmp_path):
    run = _run(tmp_path, [1, 2])
    (run / "results/numpy_nn/q3_lr0.01_seed2/weights.npz").unlink()
    with pytest.raises(SystemExit, match="q3_lr0.01_seed2"):
        bench.seed_runs(run)


def test_a_split_is_read_as_its_digits_and_its_letters(bench):
    from nnrec import NIST36_CLASSES

    y = np.array([NIST36_CLASSES.index(c) for c in "A7Z0Q"])
    x = np.arange(5)[:, None] * np.ones((1, 3))
    got = {kind: (xs[:, 0].tolist(), ys.tolist()) for kind, xs, ys in bench.digits_and_letters(x, y)}
    assert got == {"digits": ([1.0, 3.0], [y[1], y[3]]), "letters": ([0.0, 2.0, 4.0], [y[0], y[2], y[4]])}
    only_letters = bench.digits_and_letters(x[[0, 2]], y[[0, 2]])
    assert [kind for kind, _, _ in only_letters] == ["letters"]
