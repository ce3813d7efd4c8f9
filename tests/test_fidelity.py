"""Scoring a classifier on a hand-made NIST36-layout set with known answers (nnrec.fidelity)."""

import numpy as np
import pytest

from nnrec import NIST36_CLASSES
from nnrec.fidelity import (accuracy, in_set_accuracy, per_class_accuracy, predict_scores,
                            score_classifier, top_confusions)

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
