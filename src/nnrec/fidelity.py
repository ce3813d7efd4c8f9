"""Scoring a NIST36 classifier on a labelled set of characters (issue 14's fidelity measures).

A classifier is any ``f(x) -> scores``: ``x`` float (N, 1024) in the NIST36 layout (each 32 x 32
image transposed, dark ink on light, [0, 1]), ``scores`` (N, 36) probabilities or logits, classes
A-Z then 0-9 (what ``nnrec.numpy_nn.load_classifier`` and
``nnrec.torch_models.nist36.load_classifier`` return). A set is ``(x, y)`` with ``y`` NIST36 class
indices; a development set holds only some classes (MNIST: the digits, CoMNIST: the letters).

- :func:`accuracy`: 36-way accuracy (argmax over all 36 classes);
- :func:`in_set_accuracy`: the argmax restricted to the set's own classes (a digit can only be
  read as a digit): what the network knows of those shapes, without the letter/digit look-alikes;
- :func:`per_class_accuracy`, :func:`top_confusions` (directed: "5 read as S");
- :func:`score_classifier`: all of them in one JSON-ready dict;
- :func:`class_confusions`: each class's most frequent wrong readings;
- :func:`fidelity_record`: what the workflow's ``fidelity_score`` rule writes for one classifier
  and one development set (``results/fidelity/<set>/<classifier>.json``): the measures above on
  the set, and the same classifier's accuracy on the NIST36 source's test split as the reference
  row (overall, and on the test images of the set's own classes);
- :func:`summarise`, :func:`headline`: the table of every classifier on every set, and its keys of
  ``results/summary.json`` (``fidelity_<set>_<classifier>`` and ``..._in_set``);
- :func:`seed_record`: the same network trained with several seeds on one set (the workflow's
  ``fidelity_seeds`` rule, ``results/fidelity/<set>/q3_seeds.json``): each seed's accuracies and
  their mean and range, since one seed's figure moves with the initial weights and batch order.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from nnrec import NIST36_CLASSES

__all__ = ["predict_scores", "accuracy", "in_set_accuracy", "set_classes", "per_class_accuracy",
           "top_confusions", "score_scores", "score_classifier", "class_confusions", "reference_scores",
           "fidelity_record", "summarise", "headline", "headline_key", "seed_record"]


def _check(scores: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s, y = np.asarray(scores), np.asarray(y).reshape(-1)
    if s.ndim != 2 or s.shape[0] != y.shape[0]:
        raise ValueError(f"scores {s.shape} and labels {y.shape} do not match (expected (N, C) and (N,))")
    if y.size and (y.min() < 0 or y.max() >= s.shape[1]):
        raise ValueError(f"labels must be class indices in [0, {s.shape[1]}), got [{y.min()}, {y.max()}]")
    return s, y.astype(np.int64)


def predict_scores(classify: Callable[[np.ndarray], np.ndarray], x: np.ndarray, batch: int = 4096) -> np.ndarray:
    """``classify`` applied to ``x`` in batches: float64 (N, C)."""
    x = np.asarray(x)
    out = [np.asarray(classify(x[i:i + batch]), dtype=np.float64) for i in range(0, len(x), batch)]
    return np.concatenate(out) if out else np.zeros((0, len(NIST36_CLASSES)))


def set_classes(y: np.ndarray) -> np.ndarray:
    """The classes a set holds (sorted indices of the labels present)."""
    return np.unique(np.asarray(y, dtype=np.int64))


def accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose argmax over all classes is the label."""
    s, y = _check(scores, y)
    return float((s.argmax(axis=1) == y).mean()) if len(y) else float("nan")


def in_set_accuracy(scores: np.ndarray, y: np.ndarray, classes: Sequence[int] | None = None) -> float:
    """Accuracy with the argmax taken over ``classes`` only (default: the classes present in ``y``)."""
    s, y = _check(scores, y)
    if not len(y):
        return float("nan")
    cls = set_classes(y) if classes is None else np.asarray(classes, dtype=np.int64)
    if not np.isin(y, cls).all():
        raise ValueError("in_set_accuracy: some labels are not among the allowed classes")
    pred = cls[s[:, cls].argmax(axis=1)]
    return float((pred == y).mean())


def per_class_accuracy(pred: np.ndarray, y: np.ndarray, names: Sequence[str] = NIST36_CLASSES) -> dict:
    """``{class name: {"n", "acc"}}`` for each class present in ``y`` (``pred``: predicted indices)."""
    pred, y = np.asarray(pred).reshape(-1), np.asarray(y).reshape(-1)
    if pred.shape != y.shape:
        raise ValueError(f"pred {pred.shape} and labels {y.shape} do not match")
    return {names[c]: {"n": int((y == c).sum()), "acc": float((pred[y == c] == c).mean())}
            for c in set_classes(y)}


def top_confusions(pred: np.ndarray, y: np.ndarray, names: Sequence[str] = NIST36_CLASSES, k: int = 10) -> list[dict]:
    """The ``k`` most frequent errors, directed: ``{"true", "pred", "count", "rate"}`` where rate is
    the fraction of the true class's examples read as ``pred``; ties in class order."""
    pred, y = np.asarray(pred).reshape(-1), np.asarray(y).reshape(-1)
    n = len(names)
    conf = np.zeros((n, n), dtype=np.int64)
    np.add.at(conf, (y, pred), 1)
    np.fill_diagonal(conf, 0)
    flat = np.argsort(-conf.reshape(-1), kind="stable")[:k]
    support = np.bincount(y, minlength=n)
    out = []
    for f in flat:
        t, p = divmod(int(f), n)
        if conf[t, p] == 0:
            break
        out.append({"true": names[t], "pred": names[p], "count": int(conf[t, p]),
                    "rate": float(conf[t, p] / support[t])})
    return out


def score_scores(scores: np.ndarray, y: np.ndarray, names: Sequence[str] = NIST36_CLASSES, k: int = 10) -> dict:
    """Every measure of a classifier's ``scores`` on a set: ``{"n", "acc", "in_set_acc",
    "in_set_classes", "per_class", "top_confusions", "top_confusions_in_set"}``."""
    s, y = _check(scores, y)
    cls = set_classes(y)
    pred = s.argmax(axis=1)
    pred_in = cls[s[:, cls].argmax(axis=1)]
    return {
        "n": int(len(y)),
        "acc": accuracy(s, y),
        "in_set_acc": in_set_accuracy(s, y, cls),
        "in_set_classes": [names[c] for c in cls],
        "per_class": per_class_accuracy(pred, y, names),
        "top_confusions": top_confusions(pred, y, names, k),
        "top_confusions_in_set": top_confusions(pred_in, y, names, k),
    }


def score_classifier(classify: Callable[[np.ndarray], np.ndarray], x: np.ndarray, y: np.ndarray,
                     names: Sequence[str] = NIST36_CLASSES, k: int = 10) -> dict:
    """:func:`score_scores` of ``classify`` on the set ``(x, y)``."""
    return score_scores(predict_scores(classify, x), y, names, k)


def class_confusions(pred: np.ndarray, y: np.ndarray, names: Sequence[str] = NIST36_CLASSES, k: int = 2) -> dict:
    """``{class name: [{"pred", "count", "rate"}]}`` for each class present in ``y``: its ``k`` most
    frequent wrong readings (rate: fraction of the class's examples), most frequent first, ties in
    class order; an empty list for a class read right every time."""
    pred, y = np.asarray(pred).reshape(-1), np.asarray(y).reshape(-1)
    if pred.shape != y.shape:
        raise ValueError(f"pred {pred.shape} and labels {y.shape} do not match")
    out = {}
    for c in set_classes(y):
        wrong = pred[(y == c) & (pred != c)]
        counts = np.bincount(wrong, minlength=len(names))
        order = np.argsort(-counts, kind="stable")[:k]
        n = int((y == c).sum())
        out[names[c]] = [{"pred": names[p], "count": int(counts[p]), "rate": float(counts[p] / n)}
                         for p in order if counts[p] > 0]
    return out


def reference_scores(scores: np.ndarray, y: np.ndarray, classes: Sequence[int],
                     names: Sequence[str] = NIST36_CLASSES) -> dict:
    """A classifier on a reference split (the NIST36 source's test split): 36-way accuracy over
    all of it, and on its images of ``classes`` (a development set's own classes) 36-way and
    in-set accuracy, so each development-set figure has a like-for-like row beside it."""
    s, y = _check(scores, y)
    cls = np.asarray(classes, dtype=np.int64)
    keep = np.isin(y, cls)
    sub_s, sub_y = s[keep], y[keep]
    return {
        "n": int(len(y)),
        "acc": accuracy(s, y),
        "subset": {
            "classes": [names[c] for c in cls],
            "n": int(keep.sum()),
            "acc": accuracy(sub_s, sub_y),
            "in_set_acc": in_set_accuracy(sub_s, sub_y, cls),
            "per_class": per_class_accuracy(sub_s.argmax(axis=1), sub_y, names),
        },
    }


def fidelity_record(classify: Callable[[np.ndarray], np.ndarray], dev: tuple[np.ndarray, np.ndarray],
                    reference: tuple[np.ndarray, np.ndarray], names: Sequence[str] = NIST36_CLASSES,
                    top_k: int = 10, class_k: int = 2) -> dict:
    """One classifier on one development set ``dev = (x, y)``: :func:`score_scores` (36-way and
    in-set accuracy, per class, directed top confusions), :func:`class_confusions`, and
    ``reference``: :func:`reference_scores` on ``reference = (x, y)`` (the NIST36 source's test
    split) restricted to the set's classes. JSON-ready."""
    x, y = dev
    scores = predict_scores(classify, x)
    rec = score_scores(scores, y, names, top_k)
    rec["class_confusions"] = class_confusions(scores.argmax(axis=1), y, names, class_k)
    rx, ry = reference
    rec["reference"] = reference_scores(predict_scores(classify, rx), ry, set_classes(y), names)
    return rec


def headline_key(dev_set: str, classifier: str, in_set: bool = False) -> str:
    """The ``results/summary.json`` key of one classifier on one development set."""
    return f"fidelity_{dev_set}_{classifier}" + ("_in_set" if in_set else "")


def summarise(records: Mapping[str, Mapping[str, Any]]) -> dict:
    """``records``: ``{set: {classifier: record or None}}`` (None: not scored, e.g. its data was
    missing). Returns ``{"sets", "classifiers", "rows"}``: one row per (classifier, set) with the
    development-set and reference accuracies side by side (None where not scored)."""
    sets = list(records)
    classifiers = list(dict.fromkeys(c for per in records.values() for c in per))
    rows = []
    for c in classifiers:
        for s in sets:
            r = records[s].get(c)
            ok = isinstance(r, dict) and r.get("status") != "missing"
            ref = (r.get("reference") or {}) if ok else {}
            sub = ref.get("subset") or {}
            rows.append({
                "classifier": c, "set": s, "status": "ok" if ok else "missing",
                "label": r.get("label", c) if ok else c,
                "n": r.get("n") if ok else None, "acc": r.get("acc") if ok else None,
                "in_set_acc": r.get("in_set_acc") if ok else None,
                "reference_n": sub.get("n"), "reference_acc": sub.get("acc"),
                "reference_in_set_acc": sub.get("in_set_acc"), "reference_all_acc": ref.get("acc"),
                "reference_all_n": ref.get("n"),
            })
    return {"sets": sets, "classifiers": classifiers, "rows": rows}


def headline(summary: Mapping[str, Any]) -> dict:
    """The fidelity keys of ``results/summary.json``: 36-way and in-set accuracy of every
    classifier on every development set (null where it was not scored)."""
    out = {}
    for r in summary["rows"]:
        out[headline_key(r["set"], r["classifier"])] = r["acc"]
        out[headline_key(r["set"], r["classifier"], in_set=True)] = r["in_set_acc"]
    return out


def seed_record(runs: Sequence[tuple[str, Callable[[np.ndarray], np.ndarray]]], x: np.ndarray,
                y: np.ndarray) -> dict:
    """One network trained with several seeds, ``runs`` = ``[(label, classify), ...]``, on the set
    ``(x, y)``: ``{"n", "runs": [{"label", "acc", "in_set_acc"}], "mean", "min", "max"}`` (the last
    three: ``{"acc", "in_set_acc"}`` over the runs)."""
    if not runs:
        raise ValueError("seed_record: no runs to score")
    rows = []
    for label, classify in runs:
        s = predict_scores(classify, x)
        rows.append({"label": str(label), "acc": accuracy(s, y), "in_set_acc": in_set_accuracy(s, y)})
    out: dict[str, Any] = {"n": int(len(np.asarray(y).reshape(-1))), "runs": rows}
    for name, fn in (("mean", np.mean), ("min", np.min), ("max", np.max)):
        out[name] = {k: float(fn([r[k] for r in rows])) for k in ("acc", "in_set_acc")}
    return out
