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


def test_critic_filter_keeps_the_first_passing_samples_of_the_named_classes(bench):
    # class 0: six samples, values 0-5 in generation order; class 1: six samples, 10-15
    x = np.concatenate([np.arange(6), np.arange(10, 16)]).astype(np.float32)[:, None]
    y = np.repeat([0, 1], 6)
    pool = {"train": (x, y)}
    passes = {1.0, 3.0, 4.0, 10.0, 11.0}  # samples the critic reads right

    def accept(xs, ys):
        return np.array([v in passes for v in xs[:, 0]])

    out, passed = bench.critic_filter(pool, {"train": 3}, accept, {0})
    xs, ys = out["train"]
    assert ys.tolist() == [0, 0, 0, 1, 1, 1]
    assert xs[ys == 0, 0].tolist() == [1.0, 3.0, 4.0]    # class 0: the first three that pass, in order
    assert xs[ys == 1, 0].tolist() == [10.0, 11.0, 12.0]  # class 1 not filtered: its first three
    assert passed == {"train": {0: 3}}


def test_critic_filter_tops_up_with_rejected_samples_and_counts_them(bench):
    x = np.arange(4, dtype=np.float32)[:, None]
    pool = {"valid": (x, np.zeros(4, dtype=np.int64))}
    out, passed = bench.critic_filter(pool, {"valid": 3}, lambda xs, ys: xs[:, 0] == 2.0, {0})
    assert out["valid"][0][:, 0].tolist() == [0.0, 1.0, 2.0]  # one passed (2), then the first rejected
    assert passed == {"valid": {0: 1}}
    with pytest.raises(ValueError, match="fewer than 5"):
        bench.critic_filter(pool, {"valid": 5}, lambda xs, ys: xs[:, 0] >= 0, {0})
