"""Scoring a classifier on a hand-made NIST36-layout set with known answers (nnrec.fidelity)."""

import numpy as np
import pytest

from nnrec import NIST36_CLASSES
from nnrec.fidelity import (accuracy, in_set_accuracy, per_class_accuracy, predict_scores,
                            score_classifier, seed_record, top_confusions)

IDX = {c: i for i, c in enumerate(NIST36_CLASSES)}
# (true class, classifier's first choice, its second choice)
CASES = [("0", "0", "O"), ("0", "O", "0"), ("1", "I", "7"), ("5", "S", "5"), ("5", "S", "6"), ("5", "5", "S"),
         ("1", "7", "1")]


def _set():
    """Seven "images" whose first two pixels tell a toy classifier its first and second choice."""
    x = np.full((len(CASES), 1024), 0.5, dtype=np.float32)
    y = np.array([IDX[t] for t, _, _ in CASES])
    for i, (_, a, b) in enumerate(CASES):
        x[i, 0], x[i, 1] = IDX[a], IDX[b]
    return x, y


def toy_classifier(x):
    x = np.asarray(x)
    s = np.full((len(x), 36), 0.001)
    s[np.arange(len(x)), x[:, 0].astype(int)] = 0.7
    s[np.arange(len(x)), x[:, 1].astype(int)] = 0.2
    return s / s.sum(axis=1, keepdims=True)


def test_accuracies_known_answers():
    x, y = _set()
    s = toy_classifier(x)
    assert accuracy(s, y) == pytest.approx(2 / 7)
    digits = [IDX[str(d)] for d in range(10)]
    # over all ten digits: O -> 0 and S -> 5 become right; 1 -> 7, 5 -> 6 and 1 -> 7 stay wrong
    assert in_set_accuracy(s, y, digits) == pytest.approx(4 / 7)


def test_in_set_default_is_classes_present():
    x, y = _set()
    s = toy_classifier(x)
    # classes present: 0, 1, 5. The last "1" (7 first, 1 second) is now right; the first "1"
    # (I, 7) and the "5" read S then 6 tie among 0/1/5 and go to the first, "0": wrong
    assert in_set_accuracy(s, y) == pytest.approx(5 / 7)


def test_per_class_and_confusions():
    x, y = _set()
    pred = toy_classifier(x).argmax(1)
    pc = per_class_accuracy(pred, y)
    assert pc == {"0": {"n": 2, "acc": 0.5}, "1": {"n": 2, "acc": 0.0}, "5": {"n": 3, "acc": pytest.approx(1 / 3)}}
    conf = top_confusions(pred, y, k=10)
    assert [(c["true"], c["pred"], c["count"]) for c in conf] == [("5", "S", 2), ("0", "O", 1), ("1", "I", 1),
                                                                   ("1", "7", 1)]
    assert conf[0]["rate"] == pytest.approx(2 / 3)
    assert len(top_confusions(pred, y, k=1)) == 1


def test_score_classifier_in_batches():
    x, y = _set()
    r = score_classifier(toy_classifier, x, y)
    assert r["n"] == 7 and r["acc"] == pytest.approx(2 / 7) and r["in_set_acc"] == pytest.approx(5 / 7)
    assert r["in_set_classes"] == ["0", "1", "5"]
    assert [(c["true"], c["pred"]) for c in r["top_confusions_in_set"]] == [("1", "0"), ("5", "0")]
    assert np.array_equal(predict_scores(toy_classifier, x, batch=4), toy_classifier(x))


def test_bad_input_is_an_error():
    x, y = _set()
    s = toy_classifier(x)
    with pytest.raises(ValueError, match="do not match"):
        accuracy(s[:3], y)
    with pytest.raises(ValueError, match="class indices"):
        accuracy(s, y + 40)
    with pytest.raises(ValueError, match="not among"):
        in_set_accuracy(s, y, [IDX["0"]])


# ------------------------------------------------------------------ what the fidelity rules write
def test_class_confusions_known_answers():
    from nnrec.fidelity import class_confusions

    x, y = _set()
    pred = toy_classifier(x).argmax(1)
    cc = class_confusions(pred, y, k=2)
    # "0": one read as O; "1": I once, 7 once (ties in class order: I before 7); "5": S twice
    assert cc["0"] == [{"pred": "O", "count": 1, "rate": 0.5}]
    assert [(c["pred"], c["count"]) for c in cc["1"]] == [("I", 1), ("7", 1)]
    assert cc["5"] == [{"pred": "S", "count": 2, "rate": pytest.approx(2 / 3)}]
    assert [c["pred"] for c in class_confusions(pred, y, k=1)["1"]] == ["I"]
    assert class_confusions(y, y) == {"0": [], "1": [], "5": []}  # read right every time


def test_fidelity_record_scores_the_set_and_the_reference_on_the_same_classes():
    from nnrec.fidelity import fidelity_record

    x, y = _set()
    # reference: one right image of every class, plus a "5" the classifier reads as S
    ref_cases = [(c, c, c) for c in NIST36_CLASSES] + [("5", "S", "5")]
    rx = np.full((len(ref_cases), 1024), 0.5, dtype=np.float32)
    ry = np.array([IDX[t] for t, _, _ in ref_cases])
    for i, (_, a, b) in enumerate(ref_cases):
        rx[i, 0], rx[i, 1] = IDX[a], IDX[b]
    rec = fidelity_record(toy_classifier, (x, y), (rx, ry), top_k=3, class_k=1)
    assert rec["n"] == 7 and rec["acc"] == pytest.approx(2 / 7)
    ref = rec["reference"]
    assert ref["n"] == 37 and ref["acc"] == pytest.approx(36 / 37)
    # the reference restricted to the set's classes 0, 1, 5: four images, the extra 5 wrong 36-way, right in-set
    assert ref["subset"]["classes"] == ["0", "1", "5"] and ref["subset"]["n"] == 4
    assert ref["subset"]["acc"] == pytest.approx(3 / 4) and ref["subset"]["in_set_acc"] == 1.0
    assert ref["subset"]["per_class"]["5"] == {"n": 2, "acc": 0.5}
    assert rec["class_confusions"]["5"] == [{"pred": "S", "count": 2, "rate": pytest.approx(2 / 3)}]
    assert len(rec["top_confusions"]) == 3


def test_summary_and_headline_keys_with_a_set_that_was_not_scored():
    from nnrec.fidelity import headline, headline_key, summarise

    rec = {"n": 10, "acc": 0.6, "in_set_acc": 0.8, "label": "Q3 network",
           "reference": {"n": 36, "acc": 0.9, "subset": {"n": 10, "acc": 0.85, "in_set_acc": 0.95}}}
    s = summarise({"dev_mnist": {"q3": rec, "cnn": None},
                   "dev_comnist": {"q3": {"status": "missing", "reason": "dataset unavailable: dev_comnist"},
                                   "cnn": None}})
    assert s["sets"] == ["dev_mnist", "dev_comnist"] and s["classifiers"] == ["q3", "cnn"]
    row = s["rows"][0]
    assert (row["classifier"], row["set"], row["status"], row["label"]) == ("q3", "dev_mnist", "ok", "Q3 network")
    assert (row["acc"], row["in_set_acc"], row["reference_acc"], row["reference_in_set_acc"], row["reference_n"]) == (
        0.6, 0.8, 0.85, 0.95, 10)
    assert [r["status"] for r in s["rows"]] == ["ok", "missing", "missing", "missing"]
    h = headline(s)
    assert h == {"fidelity_dev_mnist_q3": 0.6, "fidelity_dev_mnist_q3_in_set": 0.8,
                 "fidelity_dev_comnist_q3": None, "fidelity_dev_comnist_q3_in_set": None,
                 "fidelity_dev_mnist_cnn": None, "fidelity_dev_mnist_cnn_in_set": None,
                 "fidelity_dev_comnist_cnn": None, "fidelity_dev_comnist_cnn_in_set": None}
    assert headline_key("dev_mnist", "fc", in_set=True) == "fidelity_dev_mnist_fc_in_set"


def test_contact_sheet_of_some_classes_and_the_side_by_side_figure():
    import matplotlib.text

    from nnrec.data.standin.sheet import contact_sheet
    from nnrec.plots import COLUMN_IN, plot_sheet_panels

    x = np.zeros((6, 1024), dtype=np.float32)
    y = np.array([26, 26, 27, 3, 27, 27])
    for i in range(6):
        x[i, :] = i / 10  # each image one grey level
    sheet = contact_sheet(x, y, per_class=2, classes=[27, 26], gap=2, gap_value=0.6)
    assert sheet.shape == (2 * 34 - 2, 2 * 34 - 2)
    # row 0: class 27's first two images (2 and 4), row 1: class 26's (0 and 1)
    assert sheet[0, 0] == np.float32(0.2) and sheet[0, 34] == np.float32(0.4)
    assert sheet[34, 0] == 0.0 and sheet[34, 34] == np.float32(0.1)
    # eight samples per class from three sources: the text prints at 8 pt or more at the column's width
    big = contact_sheet(np.zeros((26 * 8, 1024)), np.repeat(np.arange(26), 8), per_class=8, classes=range(26))
    fig = plot_sheet_panels([("a long title " * 6, big)] * 3, NIST36_CLASSES[:26], 8)
    width = fig.get_size_inches()[0]
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
    assert min(t.get_fontsize() for t in texts) * min(1.0, COLUMN_IN / width) >= 8.0
    # the titles, wrapped to their panels, do not overlap
    fig.canvas.draw()
    boxes = sorted((ax.title.get_window_extent() for ax in fig.axes), key=lambda b: b.x0)
    assert all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:]))


def test_seed_record_mean_and_range_over_runs():
    x, y = _set()

    def perfect(v):
        s = np.full((len(v), 36), 0.001)
        s[np.arange(len(v)), y] = 0.9
        return s

    rec = seed_record([("seed a", toy_classifier), ("seed b", perfect)], x, y)
    assert rec["n"] == 7
    assert [r["label"] for r in rec["runs"]] == ["seed a", "seed b"]
    # the toy: 2 of 7 right 36-way; among the set's classes (0, 1, 5) 5 of 7 (see the cases above)
    assert rec["runs"][0]["acc"] == pytest.approx(2 / 7) and rec["runs"][0]["in_set_acc"] == pytest.approx(5 / 7)
    assert rec["mean"] == pytest.approx({"acc": (2 / 7 + 1) / 2, "in_set_acc": (5 / 7 + 1) / 2})
    assert rec["min"] == pytest.approx({"acc": 2 / 7, "in_set_acc": 5 / 7})
    assert rec["max"] == pytest.approx({"acc": 1.0, "in_set_acc": 1.0})
    with pytest.raises(ValueError, match="no runs"):
        seed_record([], x, y)
