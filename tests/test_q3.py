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


def _grid_run(d, lr, va, seed=16720, ta=0.9):
    import json

    d.mkdir(parents=True, exist_ok=True)
    (d / "metrics.json").write_text(json.dumps({
        "lr": lr, "seed": seed, "history": {},
        "final": {"valid_acc": va, "train_acc": ta, "valid_loss": 1.0, "test_acc": 1.0 - va}}))


def test_choose_lr_takes_the_best_validation_accuracy_and_derives_the_study(tmp_path):
    from nnrec.numpy_nn.q3 import choose_lr

    # the test accuracy (1 - va) is highest where validation is lowest: it must play no part
    grid = {"0.0001": 0.50, "0.001": 0.80, "0.01": 0.86, "0.1": 0.70}
    layout = {}
    for tag, va in grid.items():
        _grid_run(tmp_path / f"q3_lr{tag}", float(tag), va)
        layout[tag] = tmp_path / f"q3_lr{tag}"
    c = choose_lr(layout, 10)
    assert c["chosen_lr"] == 0.01 and c["chosen_tag"] == "0.01" and c["at_edge"] is None
    assert c["grid"] == [0.0001, 0.001, 0.01, 0.1] and [r["valid_acc"] for r in c["runs"]] == [0.5, 0.8, 0.86, 0.7]
    study = {s["role"]: s for s in c["study"]}
    assert {r: (s["tag"], s["on_grid"]) for r, s in study.items()} == {
        "best": ("0.01", True), "lower": ("0.001", True), "higher": ("0.1", True)}
    # at the top of the grid: ten times the rate is an extra run (not on the grid), tags stay clean
    _grid_run(tmp_path / "q3_lr0.1", 0.1, 0.9)
    c = choose_lr(layout, 10)
    study = {s["role"]: s for s in c["study"]}
    assert c["chosen_lr"] == 0.1 and c["at_edge"] == "highest"
    assert study["higher"]["tag"] == "1" and not study["higher"]["on_grid"] and study["lower"]["tag"] == "0.01"
    # a 3e-4 .. 3e-2 grid: 3e-3 x 10 computes as 0.030000000000000002, its tag is the grid's '0.03'
    layout = {}
    for tag, va in {"0.0003": 0.5, "0.003": 0.9, "0.03": 0.8}.items():
        _grid_run(tmp_path / "g" / f"q3_lr{tag}", float(tag), va)
        layout[tag] = tmp_path / "g" / f"q3_lr{tag}"
    assert [(s["tag"], s["on_grid"]) for s in choose_lr(layout, 10)["study"]] == [
        ("0.003", True), ("0.0003", True), ("0.03", True)]


def test_choose_lr_breaks_a_tie_towards_the_smaller_rate_and_names_bad_runs(tmp_path):
    import pytest

    from nnrec.numpy_nn.q3 import choose_lr

    for tag in ("0.01", "0.1"):
        _grid_run(tmp_path / f"q3_lr{tag}", float(tag), 0.8)
    layout = {"0.1": tmp_path / "q3_lr0.1", "0.01": tmp_path / "q3_lr0.01"}
    assert choose_lr(layout, 10)["chosen_lr"] == 0.01
    _grid_run(tmp_path / "q3_lr0.01", 0.02, 0.8)  # a run at another rate in this folder
    with pytest.raises(ValueError, match="q3_lr0.01/metrics.json: a run at lr 0.02"):
        choose_lr(layout, 10)
    with pytest.raises(ValueError, match="grid is empty"):
        choose_lr({}, 10)


def test_study_rows_carry_role_and_run_folders(tmp_path):
    from nnrec.numpy_nn.q3 import choose_lr, load_runs, study_rows

    layout = {}
    for tag, va in {"0.001": 0.80, "0.01": 0.86, "0.1": 0.70}.items():
        _grid_run(tmp_path / f"q3_lr{tag}", float(tag), va)
        _grid_run(tmp_path / f"q3_lr{tag}_seed1", float(tag), va + (0.1 if tag == "0.1" else 0.0), seed=1)
        layout[tag] = [tmp_path / f"q3_lr{tag}", tmp_path / f"q3_lr{tag}_seed1"]
    choice = choose_lr({t: d[0] for t, d in layout.items()}, 10)
    runs, _ = load_runs(layout)
    rows, best_mean = study_rows(runs, layout, choice)
    assert [(r["lr"], r["role"], r["ratio"]) for r in rows] == [(0.001, "lower", 0.1), (0.01, "best", 1.0),
                                                                 (0.1, "higher", 10.0)]
    assert rows[2]["dir"] == str(tmp_path / "q3_lr0.1") and rows[2]["dirs"][1].endswith("q3_lr0.1_seed1")
    assert best_mean == 0.01  # 0.86 vs 0.75 mean at 0.1
    import pytest

    with pytest.raises(ValueError, match="not the sweep's study"):
        study_rows(runs, {"0.001": layout["0.001"]}, choice)


def test_confusion_record_counts_errors_and_pairs():
    from nnrec.metrics import confusion_record

    y = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([0, 1, 1, 0, 2, 1])
    r = confusion_record(y, pred, ["a", "b", "c"], k=2)
    assert r["n_test"] == 6 and r["errors"] == 3 and r["accuracy"] == 0.5
    assert r["top_pairs"][0]["pair"] == ["a", "b"] and r["top_pairs"][0]["count"] == 2
    assert np.array(r["matrix"]).sum() == 6
