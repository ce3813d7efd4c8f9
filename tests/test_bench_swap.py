"""benchmarks/bench_standin_devsets.py --swap-from: the class swap behind the diagnostic."""

from pathlib import Path

import numpy as np
import pytest
from script_module import load_script

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_standin_devsets.py"


@pytest.fixture(scope="module")
def bench():
    return load_script(_PATH)


def _split(labels, value):
    y = np.array(labels, dtype=np.int64)
    return (np.full((len(y), 4), value) + y[:, None]).astype(np.float32), y


def test_swap_replaces_only_the_named_classes(bench):
    base = {s: _split([0, 0, 1, 1, 2], 0.0) for s in ("train", "valid")}
    donor = {s: _split([1, 1, 1, 2, 2], 100.0) for s in ("train", "valid")}
    out = bench.swap_classes(base, donor, [1])
    x, y = out["train"]
    assert y.tolist() == [0, 0, 1, 1, 1, 2]                       # three donor 1s, grouped in order
    assert np.all(x[y == 1] == 101.0) and np.all(x[y != 1] < 100)  # 1s from the donor, the rest kept
    assert x.dtype == np.float32 and y.dtype == np.int64


def test_swap_refuses_a_class_the_donor_lacks(bench):
    base = {s: _split([0, 1], 0.0) for s in ("train", "valid")}
    donor = {s: _split([1, 1], 100.0) for s in ("train", "valid")}
    with pytest.raises(ValueError, match=r"no samples of class\(es\) \[0\]"):
        bench.swap_classes(base, donor, [0, 1])
