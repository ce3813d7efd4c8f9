"""Small measures the writeup's sentences are chosen by, computed from the results.

A template never decides "overfitting", "still improving", "the updates oscillate" or "the
weights are smooth" by itself: it calls one of these functions (exposed to templates as
``derive.<name>``) and words its sentence after the returned verdict, quoting the returned numbers.
None of them has a tuning threshold: each verdict compares the curve with its own epoch-to-epoch
noise or with a reference computed the same way (documented per function).
"""

from __future__ import annotations

import statistics
from typing import Any, Sequence

import numpy as np

from nnrec.report import words


def _series(history: dict[str, Any], key: str, where: str = "history") -> list[float]:
    values = history.get(key)
    if values is None:
        raise KeyError(f"{where}: no '{key}' series (has {sorted(history)})")
    out = [float(v) for v in values if v is not None]
    if len(out) != len(values):
        raise ValueError(f"{where}: '{key}' has missing (null) entries")
    return out


def step_noise(values: Sequence[float]) -> float:
    """The typical size of one epoch-to-epoch change over the second half of a curve (median of
    the absolute successive differences): what a change must exceed to be more than jitter."""
    v = list(values)
    half = v[len(v) // 2:] if len(v) >= 4 else v
    diffs = [abs(b - a) for a, b in zip(half, half[1:])]
    return statistics.median(diffs) if diffs else 0.0


def curve_verdict(history: dict[str, Any], *, train_loss: str = "train_loss", valid_loss: str = "valid_loss",
                  valid_acc: str = "valid_acc", where: str = "history") -> dict[str, Any]:
    """How a training run ended, from its per-epoch history.

    - ``overfitting``: the validation loss reached its minimum before the last epoch and rose
      afterwards by more than its own epoch-to-epoch noise (:func:`step_noise`), while the
      training loss kept falling after that minimum.
    - ``improving``: the validation loss of the last quarter of the epochs is lower, on average,
      than that of the quarter before by more than that noise: it was still falling when
      training stopped (undertrained; more epochs might help).
    - ``levelled``: neither (the validation curves have flattened out).
    - ``short``: fewer than :data:`MIN_EPOCHS` epochs, too few to tell these apart.

    Returns the verdict with the numbers a sentence quotes: epochs, the validation-loss minimum
    and its epoch, the last validation loss, the rise and the noise, the mean validation loss of
    the last quarter and of the quarter before (``quarter`` epochs each), training loss at the
    minimum and at the end, the best validation accuracy and its epoch, the last one.
    """
    tl = _series(history, train_loss, where)
    vl = _series(history, valid_loss, where)
    va = _series(history, valid_acc, where)
    if not (len(tl) == len(vl) == len(va)) or not vl:
        raise ValueError(f"{where}: series of different lengths ({len(tl)}, {len(vl)}, {len(va)})")
    n = len(vl)
    i_min = int(np.argmin(vl))
    i_best = int(np.argmax(va))  # first epoch with the best accuracy
    noise = step_noise(vl)
    rise = vl[-1] - vl[i_min]
    train_fell = tl[-1] < tl[i_min]
    q = max(1, n // 4)
    recent = float(np.mean(vl[-q:]))
    before = float(np.mean(vl[-2 * q:-q])) if n >= 2 * q else recent
    if n < MIN_EPOCHS:
        verdict = "short"
    elif i_min < n - 1 and rise > noise and train_fell:
        verdict = "overfitting"
    elif recent < before - noise:
        verdict = "improving"
    else:
        verdict = "levelled"
    return {
        "verdict": verdict, "epochs": n,
        "valid_loss_min": vl[i_min], "valid_loss_min_epoch": i_min + 1, "valid_loss_last": vl[-1],
        "valid_loss_rise": rise, "valid_loss_noise": noise,
        "quarter": q, "valid_loss_last_quarter": recent, "valid_loss_quarter_before": before,
        "train_loss_at_valid_min": tl[i_min], "train_loss_last": tl[-1], "train_loss_fell_after_min": train_fell,
        "valid_acc_best": va[i_best], "valid_acc_best_epoch": i_best + 1, "valid_acc_last": va[-1],
        "valid_loss_below_train_loss": vl[-1] < tl[-1],
    }


# fewer epochs than this: curve_verdict says "short" (no quarter-to-quarter comparison possible)
MIN_EPOCHS = 4


def increases(values: Sequence[float]) -> dict[str, Any]:
    """Epochs in which a (loss) curve went up: how many, of how many steps, and the largest rise
    relative to the value before it."""
    v = [float(x) for x in values]
    ups = [(i + 2, b - a, (b - a) / abs(a) if a else float("inf")) for i, (a, b) in enumerate(zip(v, v[1:])) if b > a]
    largest = max(ups, key=lambda u: u[2]) if ups else None
    return {"count": len(ups), "steps": max(0, len(v) - 1),
            "largest_rel": largest[2] if largest else 0.0, "largest_epoch": largest[0] if largest else None}


def lr_comparison(rows: list[dict[str, Any]], best_lr: float, histories: dict[float, dict[str, Any]] | None = None,
                  digits: int = 1) -> list[dict[str, Any]]:
    """Each non-best learning rate of a study against the best one.

    ``rows``: one per lr with ``lr``, ``valid_acc_mean``, ``valid_acc_std``, ``train_acc_mean``
    (the Q3 summary's ``lrs``). For each other lr: its ratio to the best lr, the gap in validation
    accuracy in percentage points *as displayed*, the bar it is compared with (twice the larger of
    the two seed standard deviations, in points), whether the gap exceeds the bar; the same bar
    decides whether its training accuracy is lower than the best rate's (``fits_less``) and
    whether its gap between training and validation accuracy is wider (``gap_wider``); and, when
    ``histories`` (lr -> the run's history) are given, how often its training loss went up
    (:func:`increases`) next to the best run's count.
    """
    from nnrec.report.words import points

    best = next((r for r in rows if float(r["lr"]) == float(best_lr)), None)
    if best is None:
        raise ValueError(f"lr_comparison: the best lr {best_lr} is not among the rows {[r['lr'] for r in rows]}")
    hist = histories or {}
    best_ups = increases(hist[float(best_lr)]["train_loss"]) if float(best_lr) in hist else None
    out = []
    for r in rows:
        if float(r["lr"]) == float(best_lr):
            continue
        sd_max = max(float(r["valid_acc_std"]), float(best["valid_acc_std"]))
        gap = points(best["valid_acc_mean"], r["valid_acc_mean"], digits)
        bar = round(2 * 100.0 * sd_max, digits)
        item = {
            "lr": float(r["lr"]), "ratio": float(r["lr"]) / float(best_lr), "row": r, "best": best,
            "gap_points": gap, "sd_max": sd_max, "bar_points": bar, "beyond_noise": gap > bar,
            "train_gap_points": points(r["train_acc_mean"], r["valid_acc_mean"], digits),
            "best_train_gap_points": points(best["train_acc_mean"], best["valid_acc_mean"], digits),
        }
        item["fits_less"] = points(best["train_acc_mean"], r["train_acc_mean"], digits) > bar
        item["gap_wider"] = round(item["train_gap_points"] - item["best_train_gap_points"], digits) > bar
        if float(r["lr"]) in hist and best_ups is not None:
            item["loss_increases"] = increases(hist[float(r["lr"])]["train_loss"])
            item["best_loss_increases"] = best_ups
        out.append(item)
    return out


def sweep_shape(runs: list[dict[str, Any]], chosen_lr: float, digits: int = 1) -> dict[str, Any]:
    """The shape of a learning-rate sweep (the Q3 checkpoint's ``runs``: ``lr``, ``valid_acc``):
    where the chosen rate lies (``peak``: "inside", "lowest" or "highest" rate of the grid), the
    smallest and largest rates' runs (``first``, ``last``) and the chosen one (``chosen``), how far
    each end lies below the chosen rate in points as displayed (``below_first_points``,
    ``below_last_points``), and ``single_peak``: validation accuracy, as displayed, never falls on
    the way up to the chosen rate and never rises after it."""
    from nnrec.report.words import points

    rs = sorted(runs, key=lambda r: float(r["lr"]))
    if not rs:
        raise ValueError("sweep_shape: no runs")
    i = next((k for k, r in enumerate(rs) if float(r["lr"]) == float(chosen_lr)), None)
    if i is None:
        raise ValueError(f"sweep_shape: the chosen lr {chosen_lr} is not among the runs {[r['lr'] for r in rs]}")
    va = [float(r["valid_acc"]) for r in rs]
    up = all(points(b, a, digits) >= 0 for a, b in zip(va[:i], va[1:i + 1]))
    down = all(points(b, a, digits) <= 0 for a, b in zip(va[i:], va[i + 1:]))
    peak = "inside" if 0 < i < len(rs) - 1 else ("highest" if i == len(rs) - 1 and len(rs) > 1 else "lowest")
    return {"n": len(rs), "peak": peak, "first": rs[0], "last": rs[-1], "chosen": rs[i],
            "below_first_points": points(va[i], va[0], digits), "below_last_points": points(va[i], va[-1], digits),
            "single_peak": up and down}


def neighbour_correlations(images: np.ndarray) -> np.ndarray:
    """Per image of a stack (n, h, w): the correlation between horizontally and vertically
    adjacent pixels (the mean of the two): about 0 for independent noise, towards 1 for smooth
    images; 0 for a constant image."""
    x = np.asarray(images, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"neighbour_correlation: expected (n, h, w), got shape {x.shape}")
    cs = []
    for a, b in ((x[:, :, :-1], x[:, :, 1:]), (x[:, :-1, :], x[:, 1:, :])):
        a = a.reshape(len(x), -1)
        b = b.reshape(len(x), -1)
        a = a - a.mean(1, keepdims=True)
        b = b - b.mean(1, keepdims=True)
        den = np.sqrt((a * a).sum(1) * (b * b).sum(1))
        cs.append(np.divide((a * b).sum(1), den, out=np.zeros(len(x)), where=den > 0))
    return (cs[0] + cs[1]) / 2


def neighbour_correlation(images: np.ndarray) -> float:
    """The mean of :func:`neighbour_correlations` over the stack."""
    c = neighbour_correlations(images)
    return float(c.mean()) if c.size else 0.0


def weight_images(w: np.ndarray, side: int | None = None) -> np.ndarray:
    """First-layer weights (in_features, units) as one image per unit (units, side, side)."""
    w = np.asarray(w)
    if w.ndim != 2:
        raise ValueError(f"weight_images: expected a 2-D weight matrix, got shape {w.shape}")
    side = side or int(round(np.sqrt(w.shape[0])))
    if side * side != w.shape[0]:
        raise ValueError(f"weight_images: {w.shape[0]} inputs are not a square image")
    return w.T.reshape(w.shape[1], side, side)


def weight_structure(w_init: np.ndarray, w_trained: np.ndarray) -> dict[str, Any]:
    """How the first-layer weights changed in training: spatial smoothness of each unit's weight
    image (:func:`neighbour_correlations`) at initialisation and after training, and the spread
    (standard deviation) of the weights, before and after. ``smoother``: the trained units' mean
    correlation exceeds the largest any single unit had at initialisation (what independent draws
    reach by chance), so a trained network that barely moved from its initial noise is not called
    smoother."""
    a, b = weight_images(w_init), weight_images(w_trained)
    if a.shape != b.shape:
        raise ValueError(f"weight_structure: initial {a.shape} and trained {b.shape} weights differ in shape")
    per_init = neighbour_correlations(a)
    ci, ct, ci_max = float(per_init.mean()), neighbour_correlation(b), float(per_init.max())
    si, st = float(np.std(w_init)), float(np.std(w_trained))
    return {"units": int(a.shape[0]), "side": int(a.shape[1]), "corr_init": ci, "corr_init_max": ci_max,
            "corr_trained": ct, "smoother": ct > ci_max, "std_init": si, "std_trained": st,
            "std_ratio": st / si if si else None}


def confusion_pair_kinds(pairs: list[dict[str, Any]], digits: str = "0123456789") -> dict[str, Any]:
    """Of the most confused pairs (``pair: [a, b]``, ``count``), which match a letter with a
    digit; the counts of those and of all pairs."""
    mixed = [p for p in pairs if (str(p["pair"][0]) in digits) != (str(p["pair"][1]) in digits)]
    return {"n_pairs": len(pairs), "letter_digit": mixed, "n_letter_digit": len(mixed),
            "count_letter_digit": sum(int(p["count"]) for p in mixed),
            "count_all": sum(int(p["count"]) for p in pairs)}


def shared_pairs(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> dict[str, Any]:
    """Two networks' most confused pairs (``pair: [x, y]``, ``count``; unordered): those of ``a``
    that ``b`` lists too (``shared``: pair, ``count_a``, ``count_b``, in ``a``'s order), those it
    does not (``only_a``), and whether ``a``'s top pair is shared (``top_shared``)."""
    cb = {frozenset(map(str, p["pair"])): int(p["count"]) for p in b}
    shared, only = [], []
    for p in a:
        key = frozenset(map(str, p["pair"]))
        if key in cb:
            shared.append({"pair": list(p["pair"]), "count_a": int(p["count"]), "count_b": cb[key]})
        else:
            only.append(p)
    return {"shared": shared, "only_a": only,
            "top_shared": bool(a) and frozenset(map(str, a[0]["pair"])) in cb}


def ranking(items: list[dict[str, Any]], key: str = "test_acc") -> list[dict[str, Any]]:
    """Items sorted by ``key``, best first (ties keep their order)."""
    return sorted(items, key=lambda r: -float(r[key]))


def run_comparison(runs: dict[str, dict[str, Any]], loss_key: str = "final_train_loss_total") -> dict[str, Any]:
    """Runs that differ in their learning rate: which ends with the lowest loss, and whether that
    run's learning rate is lower or higher than the first (default) run's."""
    names = list(runs)
    if not names:
        raise ValueError("run_comparison: no runs")
    first = names[0]
    best = min(names, key=lambda n: float(runs[n][loss_key]))
    lr0, lrb = float(runs[first]["lr"]), float(runs[best]["lr"])
    return {"default": first, "lowest": best, "default_is_lowest": best == first,
            "lowest_lr_vs_default": "lower" if lrb < lr0 else ("higher" if lrb > lr0 else "the same")}


def find_check(checks: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    """The first gradient-check entry whose name starts with ``prefix``, or None."""
    name = next((k for k in checks if str(k).startswith(prefix)), None)
    return None if name is None else checks[name]


def network_sizes(checks: dict[str, Any], prefix: str) -> list[int]:
    """Layer sizes [inputs, hidden..., outputs] of the first gradient-check entry whose name starts
    with ``prefix``, read from the shapes of its weight matrices (``W...``, in order)."""
    check = find_check(checks, prefix)
    if check is None:
        raise KeyError(f"network_sizes: no check named {prefix}... among {sorted(checks)}")
    shapes = [v["shape"] for k, v in check["per_parameter"].items() if str(k).startswith("W")]
    if not shapes:
        raise ValueError(f"network_sizes: check {prefix}... lists no weight matrix")
    return [int(shapes[0][0])] + [int(s[1]) for s in shapes]


def confusion_errors(matrix: Sequence[Sequence[int]]) -> int:
    """Misclassified examples in a confusion matrix: everything off the diagonal."""
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"confusion_errors: expected a square matrix, got shape {m.shape}")
    return int(m.sum() - np.trace(m))


def per_class_extremes(per_class: dict[str, Any], classes: Sequence[str]) -> dict[str, str]:
    """Of ``classes``, the one with the lowest and the highest value in ``per_class``."""
    missing = [c for c in classes if c not in per_class]
    if missing or not classes:
        raise KeyError(f"per_class_extremes: no value for {missing or 'any class'}")
    vals = {c: float(per_class[c]) for c in classes}
    return {"worst": min(vals, key=vals.get), "best": max(vals, key=vals.get)}


def shown_extremes(shown: dict[str, Any], method: str, other: str) -> dict[str, Any]:
    """Of the images a figure shows (the autoencoder summary's ``shown``: ``labels`` and per method
    ``psnr``), the one ``method`` reconstructs worst and best: ``{"worst"|"best": {"position" (1-based,
    in the figure's order), "label", "nth" (its place among the shown images of its class, 1-based),
    "psnr", "other_psnr" (``other``'s PSNR on it)}}``."""
    labels, p, q = shown["labels"], shown["psnr"][method], shown["psnr"][other]
    if not p or len(p) != len(labels) or len(q) != len(labels):
        raise ValueError(f"shown_extremes: {len(labels)} labels, {len(p)} {method} and {len(q)} {other} values")

    def item(i):
        return {"position": i + 1, "label": labels[i], "nth": labels[:i + 1].count(labels[i]),
                "psnr": float(p[i]), "other_psnr": float(q[i])}

    return {"worst": item(int(np.argmin(p))), "best": item(int(np.argmax(p)))}


def count_higher(a: dict[str, Any], b: dict[str, Any], keys: Sequence[str]) -> dict[str, int]:
    """On how many of ``keys`` ``a`` is higher than ``b``."""
    return {"higher": sum(float(a[k]) > float(b[k]) for k in keys), "n": len(keys)}


def max_curve_diff(a: dict[str, Any], b: dict[str, Any], key: str) -> float:
    """Largest absolute difference between two runs' per-epoch ``key`` series (over the epochs
    both have)."""
    x, y = _series(a, key), _series(b, key)
    n = min(len(x), len(y))
    if n == 0:
        raise ValueError(f"max_curve_diff: no epochs to compare for '{key}'")
    return float(np.max(np.abs(np.subtract(x[:n], y[:n]))))


#: config keys as prose in a recipe (a true flag shows as its phrase alone; {} takes the value)
RECIPE_WORDS = {"weight_decay": "weight decay", "no_decay_bn_bias": "no weight decay on BatchNorm and biases",
                "nesterov": "Nesterov", "pct_start": "warm-up share"}


def augment_text(aug: dict[str, Any] | None) -> str:
    """A NIST36 run's training augmentation (``pytorch.nist36_cnn.augment``) as prose, e.g. 'rotations of
    up to ±10° and random shifts of up to 2 pixels'; settings that change nothing (0, a zoom
    of [1, 1]) are left out; 'none' when nothing is left."""
    aug = aug or {}
    parts = []
    if aug.get("rotate_deg"):
        parts.append(f"rotations of up to ±{_fmt_value(float(aug['rotate_deg']))}°")
    lo, hi = (float(v) for v in (aug.get("scale") or (1.0, 1.0)))
    if (lo, hi) != (1.0, 1.0):
        parts.append(f"zooms of {_fmt_value(lo)}–{_fmt_value(hi)}×")
    if aug.get("shear_deg"):
        parts.append(f"slants (shears) of up to ±{_fmt_value(float(aug['shear_deg']))}°")
    if aug.get("translate"):
        parts.append("random shifts of up to " + words.noun(int(aug["translate"]), "pixel"))
    return words.join_words(parts) or "none"


def _fmt_value(v: Any) -> str:
    if isinstance(v, dict):
        parts = [words.optimizer_name(v["name"]) if v.get("name") in words.OPTIMIZER_NAMES else str(v["name"])] \
            if v.get("name") is not None else []
        for k, x in v.items():
            if k == "name" or x is False or x is None:
                continue
            word = RECIPE_WORDS.get(k, k.replace("_", " "))
            parts.append(word if x is True else word.format(_fmt_value(x)) if "{}" in word else f"{word} {_fmt_value(x)}")
        return ", ".join(parts) or "none"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt_value(x) for x in v) + "]"
    if v is None or v is False:
        return "none"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def recipe_differences(a: dict[str, Any], b: dict[str, Any],
                       keys: Sequence[tuple[str, str]] = (("epochs", "epochs"), ("optimizer", "optimizer"),
                                                           ("scheduler", "schedule"),
                                                           ("label_smoothing", "label smoothing"),
                                                           ("augment", "augmentation"))) -> list[dict[str, str]]:
    """The training-recipe settings in which two runs' configs differ: ``[{"what", "a", "b"}]``
    (a setting a config lacks counts as 'none'), so a comparison of two architectures can say
    what else changed between them."""
    out = []
    for key, label in keys:
        va, vb = a.get(key), b.get(key)
        if key == "label_smoothing":
            va, vb = va or 0, vb or 0
        fmt = augment_text if key == "augment" else _fmt_value
        if fmt(va) != fmt(vb):
            out.append({"what": label, "a": fmt(va), "b": fmt(vb)})
    return out


# ------------------------------------------------------------------ fidelity (real handwriting)
def accuracy_gap(acc_a: Any, n_a: Any, acc_b: Any, n_b: Any) -> dict[str, Any] | None:
    """Accuracy ``acc_a`` on ``n_a`` images against ``acc_b`` on ``n_b`` others, judged against
    sampling noise: the standard error of the difference of two independent proportions,
    ``sqrt(a(1-a)/n_a + b(1-b)/n_b)``; the gap is ``beyond`` noise when larger than twice it.

    Returns ``{"points": a - b in points as displayed (signed), "bar_points": twice the standard
    error in points, "beyond": bool, "direction": "higher" | "lower" | "the same"}`` (the
    direction of a as displayed), or None when either side has no accuracy or no images.
    """
    if acc_a is None or acc_b is None or not n_a or not n_b:
        return None
    a, b = float(acc_a), float(acc_b)
    se = float(np.sqrt(a * (1 - a) / float(n_a) + b * (1 - b) / float(n_b)))
    from nnrec.report.words import compare, points

    return {"points": points(a, b), "bar_points": round(200.0 * se, 1), "beyond": abs(a - b) > 2 * se,
            "direction": compare(a, b, "higher", "lower", "the same", 1)}


def set_kind(classes: Sequence[str], digits: str = "0123456789") -> str:
    """What a set of class names holds: 'digits', 'letters' or 'characters' (both)."""
    cls = [str(c) for c in classes]
    if not cls:
        raise ValueError("set_kind: no classes")
    if all(c in digits for c in cls):
        return "digits"
    if not any(c in digits for c in cls):
        return "letters"
    return "characters"


def worst_classes(record: dict[str, Any], k: int) -> list[dict[str, Any]]:
    """The ``k`` classes of a fidelity record (``results/fidelity/<set>/<classifier>.json``) with
    the lowest 36-way accuracy, lowest first (ties in class order), each with ``n`` and its most
    frequent wrong readings (``confusions``: ``[{"pred", "count", "rate"}]``). Classes read right
    every time are never listed."""
    per_class = record.get("per_class") or {}
    conf = record.get("class_confusions") or {}
    order = list(per_class)
    ranked = sorted((c for c in order if float(per_class[c]["acc"]) < 1.0),
                    key=lambda c: (float(per_class[c]["acc"]), order.index(c)))
    return [{"cls": c, "acc": float(per_class[c]["acc"]), "n": int(per_class[c]["n"]), "confusions": conf.get(c, [])}
            for c in ranked[:int(k)]]


def fidelity_verdicts(rows: list[dict[str, Any]], sets: Sequence[str]) -> list[dict[str, Any]]:
    """Per development set, the classifiers (rows of ``results/fidelity/summary.json``) whose
    36-way accuracy on it is lower or higher than on the NIST36 source's test images of the same
    classes beyond sampling noise (:func:`accuracy_gap`), or within it. Each entry: ``{"set",
    "lower", "higher", "within"}`` (lists of ``{"row", "gap"}``) and ``gaps``: every gap, in
    points, smallest first."""
    out = []
    for s in sets:
        entry: dict[str, Any] = {"set": s, "lower": [], "higher": [], "within": [], "gaps": []}
        for r in rows:
            if r.get("set") != s or r.get("status") != "ok":
                continue
            gap = accuracy_gap(r["acc"], r["n"], r["reference_acc"], r["reference_n"])
            if gap is None:
                continue
            where = entry[gap["direction"] if gap["beyond"] and gap["direction"] != "the same" else "within"]
            where.append({"row": r, "gap": gap})
            entry["gaps"].append(gap["points"])
        entry["gaps"].sort()
        out.append(entry)
    return out


def ledger_uses(ledger: list[dict[str, Any]] | None, split: str, exclude: Sequence[str] = ()) -> list[str]:
    """The knobs of the tuning ledger (:func:`nnrec.report.ledger.load_ledger`) chosen with
    ``split`` among their data, in ledger order, leaving out knobs that start with one of
    ``exclude`` (e.g. the stand-in's, when the networks were not trained on the stand-in): a set
    that guided choices is a development figure, not a held-out test, for what those knobs shape."""
    return [e["knob"] for e in (ledger or [])
            if split in e.get("splits", []) and not str(e["knob"]).startswith(tuple(exclude))]


def matching_classifiers(rows: list[dict[str, Any]], within_images: int = 0) -> list[dict[str, Any]]:
    """Groups (two or more) of classifiers whose fidelity rows (``results/fidelity/summary.json``) hold
    the same accuracies, 36-way and in-set, on each set and on its reference, to within
    ``within_images`` images of that set (``acc`` x ``n``; the in-set figures are taken over the same
    images). Each group: ``labels`` (row order) and ``max_images``, the largest difference found (0:
    identical). A classifier joins the first group whose every member it matches."""
    pairs = (("acc", "n"), ("in_set_acc", "n"), ("reference_acc", "reference_n"),
             ("reference_in_set_acc", "reference_n"), ("reference_all_acc", "reference_all_n"))
    figs: dict[str, dict[str, list]] = {}
    labels: dict[str, str] = {}
    for r in rows:
        if r.get("status") != "ok":
            continue
        labels.setdefault(r["classifier"], r.get("label", r["classifier"]))
        figs.setdefault(r["classifier"], {})[r["set"]] = [(r.get(k), r.get(nk)) for k, nk in pairs]

    def diff(a: str, b: str) -> float | None:
        """Largest difference in images between two classifiers' figures; None when they differ
        in more than the sets scored or a figure is missing from one only."""
        if figs[a].keys() != figs[b].keys():
            return None
        worst = 0.0
        for s in figs[a]:
            for (va, na), (vb, nb) in zip(figs[a][s], figs[b][s]):
                if va is None or vb is None:
                    if va is not vb:
                        return None
                    continue
                if na is None or na != nb:          # a count is needed to say how many images
                    return None
                worst = max(worst, abs(float(va) - float(vb)) * float(na))
        return worst

    groups: list[dict[str, Any]] = []
    for c in figs:
        for g in groups:
            ds = [diff(c, m) for m in g["members"]]
            if all(d is not None and round(d) <= within_images for d in ds):
                g["members"].append(c)
                g["max_images"] = max([g["max_images"]] + [int(round(d)) for d in ds])
                break
        else:
            groups.append({"members": [c], "max_images": 0})
    return [{"labels": [labels[c] for c in g["members"]], "max_images": g["max_images"]}
            for g in groups if len(g["members"]) > 1]
