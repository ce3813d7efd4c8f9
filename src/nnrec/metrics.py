"""Classification metrics shared by every part: the confusion matrix and its most confused pairs."""

from __future__ import annotations

import numpy as np


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """C[i, j] = number of examples of true class i predicted as j."""
    c = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(c, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return c


def top_confused_pairs(conf: np.ndarray, classes, k: int = 10) -> list[dict]:
    """The k largest off-diagonal entries, as unordered pairs {a, b} counting both directions."""
    sym = conf + conf.T
    n = conf.shape[0]
    iu = np.triu_indices(n, k=1)
    counts = sym[iu]
    order = np.argsort(-counts, kind="stable")[:k]
    out = []
    for o in order:
        i, j = int(iu[0][o]), int(iu[1][o])
        if counts[o] == 0:
            break
        out.append({"pair": [str(classes[i]), str(classes[j])], "count": int(counts[o]),
                    "true_a_pred_b": int(conf[i, j]), "true_b_pred_a": int(conf[j, i])})
    return out


def confusion_record(y_true, y_pred, classes, k: int = 10) -> dict:
    """A JSON-ready test confusion: ``n_test``, ``errors``, ``accuracy``, ``top_pairs`` (the ``k``
    most confused unordered pairs, :func:`top_confused_pairs`) and the ``matrix`` (rows: true class)."""
    conf = confusion_matrix(y_true, y_pred, len(classes))
    n = int(conf.sum())
    return {"n_test": n, "errors": int(n - np.trace(conf)), "accuracy": float(np.trace(conf) / n) if n else None,
            "top_pairs": top_confused_pairs(conf, classes, k), "matrix": conf.tolist()}
