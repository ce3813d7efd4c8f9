"""Q3 library pieces: confusion matrix and confused pairs, best-lr selection, weights figure input."""

import numpy as np

from nnrec.metrics import confusion_matrix, top_confused_pairs
from nnrec.numpy_nn import Network
from nnrec.numpy_nn.q3 import confusion_summary, select_best


def test_confusion_sums_and_pairs_agree_with_predictions():
    rng = np.random.default_rng(0)
    classes = list("ABCDE")
    y = rng.integers(0, 5, 200)
    pred = np.where(rng.uniform(size=200) < 0.7, y, rng.integers(0, 5, 200))
    conf = confusion_matrix(y, pred, 5)
    assert conf.sum() == 200 and np.trace(conf) == np.sum(y == pred)
    pairs = top_confused_pairs(conf, classes, k=4)
    for p in pairs:
        a, b = classes.index(p["pair"][0]), classes.index(p["pair"][1])
        assert p["true_a_pred_b"] == np.sum((y == a) & (pred == b))
        assert p["true_b_pred_a"] == np.sum((y == b) & (pred == a))
        assert p["count"] == p["true_a_pred_b"] + p["true_b_pred_a"]
    counts = [p["count"] for p in pairs]
    assert counts == sorted(counts, reverse=True)
    off = conf + conf.T
    assert counts[0] == off[np.triu_indices(5, 1)].max()


def test_confusion_summary_of_a_network():
    rng = np.random.default_rng(1)
    net = Network.create([6, 4, 3], ["sigmoid", "softmax"], rng)
    x, y = rng.normal(size=(30, 6)), rng.integers(0, 3, 30)
    s = confusion_summary(net, x, y, ["a", "b", "c"], k=3)
    assert s["matrix"].sum() == 30
    assert np.isclose(s["accuracy"], np.mean(s["pred"] == y))


def test_select_best_by_mean_valid_accuracy():
    def m(va, seed):
        return {"seed": seed, "final": {"valid_acc": va, "test_acc": va, "train_acc": va, "valid_loss": 1.0}}

    runs = {0.01: [m(0.80, 0), m(0.70, 1)], 0.1: [m(0.78, 0), m(0.77, 1)], 1.0: [m(float("nan"), 0), m(0.1, 1)]}
    best, rows = select_best(runs)
    assert best == 0.1
    assert [r["lr"] for r in rows] == [0.01, 0.1, 1.0]
    assert np.isclose(rows[0]["valid_acc_std"], np.std([0.8, 0.7], ddof=1))


def test_load_runs_reads_by_layout_and_names_a_wrong_file(tmp_path):
    import json

    import pytest

    from nnrec.numpy_nn.q3 import load_runs

    def write(d, lr, seed):
        d.mkdir(parents=True)
        (d / "metrics.json").write_text(json.dumps({"lr": lr, "seed": seed, "final": {}, "history": {}}))

    for lr in ("0.01", "0.1"):
        write(tmp_path / f"q3_lr{lr}", float(lr), 16720)
        write(tmp_path / f"q3_lr{lr}_seed1", float(lr), 1)
    # the layout, not the order of any file list, says which run is the main one
    layout = {"0.1": [tmp_path / "q3_lr0.1", tmp_path / "q3_lr0.1_seed1"],
              "0.01": [tmp_path / "q3_lr0.01", tmp_path / "q3_lr0.01_seed1"]}
    runs, main = load_runs(layout)
    assert [m["seed"] for m in runs[0.1]] == [16720, 1] and main[0.01] == tmp_path / "q3_lr0.01"
    with pytest.raises(ValueError, match="q3_lr0.01_seed1/metrics.json: a run at lr 0.01 where lr 0.1"):
        load_runs({"0.1": [tmp_path / "q3_lr0.1", tmp_path / "q3_lr0.01_seed1"]})
    (tmp_path / "q3_lr0.1" / "metrics.json").write_text('{"status": "missing"}')
    with pytest.raises(ValueError, match="q3_lr0.1/metrics.json: not a Q3 run"):
        load_runs({"0.1": [tmp_path / "q3_lr0.1"]})
