"""Glue used by the workflow scripts: load classifiers from config, read + score one page,
aggregate pages, the generated-page benchmark and the Q4.1 failure cases."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

import numpy as np

from nnrec.common import is_placeholder
from nnrec.ocr.recognise import read_page, reading_record
from nnrec.ocr.score import char_accuracy, match_boxes, match_detection, word_accuracy


def load_classifier_spec(name: str, spec: dict) -> tuple[Callable | None, dict]:
    """``spec = {"weights": path, "loader": "module:function"}`` -> (classifier or None, info).

    A weights file that is the placeholder an upstream rule writes when its data is missing
    (:func:`nnrec.common.is_placeholder`) gives ``None`` and ``info["status"] = "missing"``; any other
    file goes to the loader, which verifies it (a truncated or altered file raises naming it).
    """
    path = Path(spec["weights"])
    info = {"weights": str(path), "loader": spec["loader"]}
    if not path.is_file():
        raise FileNotFoundError(f"classifier {name!r}: weights file {path} not found")
    if is_placeholder(path):
        info["status"] = "missing"
        said = path.read_text(errors="replace").splitlines()[1:2]
        info["reason"] = f"{path} is a 'missing data' placeholder" + (f" ({said[0]})" if said else "")
        return None, info
    mod_name, _, fn_name = spec["loader"].partition(":")
    try:
        fn = getattr(importlib.import_module(mod_name), fn_name)
    except (ImportError, AttributeError) as exc:
        raise ImportError(f"classifier {name!r}: loader {spec['loader']!r} not found ({exc})") from None
    info["status"] = "ok"
    return fn(str(path)), info


def load_classifiers(specs: dict, logger=None) -> tuple[dict, dict]:
    """Every configured classifier (``{name: spec}``, see :func:`load_classifier_spec`): returns
    ``({name: classifier}`` for those whose weights are real models, ``{name: info}`` for all). One
    whose weights are a 'missing' placeholder is left out (and logged)."""
    classifiers, info = {}, {}
    for name, spec in specs.items():
        clf, info[name] = load_classifier_spec(name, spec)
        if clf is not None:
            classifiers[name] = clf
        elif logger is not None:
            logger.warning(f"classifier {name}: {info[name]['reason']}")
    return classifiers, info


def headline_text(texts: dict[str, list[str]], info: dict[str, dict], name: str) -> str:
    """The content of ``<page>.txt``: the lines read by the headline classifier ``name``
    (``ocr.headline_classifier``), never another classifier's. ``texts``: the record's ``text``
    (classifier -> lines), ``info``: :func:`load_classifiers`' info for every configured classifier.

    When that classifier's weights are a 'missing data' placeholder (its training data was
    unavailable), the text is a placeholder naming why (:data:`nnrec.common.PLACEHOLDER_MARKER`);
    a name that is not configured, or a classifier that loaded but read nothing, raises ValueError.
    """
    from nnrec.common import PLACEHOLDER_MARKER

    if name not in info:
        raise ValueError(f"ocr.headline_classifier {name!r} is not among the classifiers configured for this page "
                         f"({', '.join(info) or 'none'})")
    if info[name].get("status") != "ok":
        return f"{PLACEHOLDER_MARKER}\nmissing: classifier {name}: {info[name].get('reason', 'not loaded')}\n"
    if name not in texts:
        raise ValueError(f"classifier {name!r} was loaded but its reading is absent (read: {', '.join(texts) or 'none'})")
    return "\n".join(texts[name]) + "\n"


def score_reading(reading, true_lines: list[str] | None) -> dict:
    """Per classifier: character and word accuracy; detection recall/precision (per-word alignment)."""
    if true_lines is None:
        return {}
    det = match_detection(reading.word_lengths(), true_lines)
    out = {"detection": det}
    for name, pred in reading.predictions.items():
        out[name] = {"char_acc": char_accuracy(pred["lines"], true_lines),
                     "word_acc": word_accuracy(pred["lines"], true_lines),
                     "char_acc_raw": char_accuracy(pred["lines_raw"], true_lines),
                     "word_acc_raw": word_accuracy(pred["lines_raw"], true_lines),
                     "char_acc_context": char_accuracy(pred["lines_context"], true_lines),
                     "word_acc_context": word_accuracy(pred["lines_context"], true_lines)}
    return out


def read_and_score(image: np.ndarray, classifiers: dict, cfg: dict, true_lines: list[str] | None,
                   glyph_kwargs: dict | None = None):
    """Read one page with every classifier; return ``(reading, record)`` (record is JSON-ready)."""
    reading = read_page(image, classifiers, cfg.get("detect"), cfg.get("lines"), glyph_kwargs,
                        word_context=bool(cfg.get("word_context", False)))
    rec = reading_record(reading, top_k=int(cfg.get("top_k", 3)))
    rec["true_lines"] = true_lines
    rec["scores"] = score_reading(reading, true_lines)
    return reading, rec


def ocr_headline(summary: dict, headline_classifier: str) -> dict:
    """Q4's keys of results/summary.json from the aggregate ``summary`` (:func:`aggregate` plus its
    ``classifiers_missing``). A value that cannot be given is ``{"missing": why}``: the headline
    classifier that did not run (with its reason), or no page with a transcription to score."""
    det = summary["detection"]
    scored = summary.get("scored_pages") or []
    no_truth = {"missing": "no page has a ground-truth transcription to score against"} if not scored else None
    clf = summary["classifiers"].get(headline_classifier)
    if clf is not None:
        char_acc = clf["char_acc"]
    elif no_truth:
        char_acc = no_truth
    else:
        info = (summary.get("classifiers_missing") or {}).get(headline_classifier) or {}
        char_acc = {"missing": f"ocr.headline_classifier {headline_classifier!r} did not run on every page: "
                               f"{info.get('reason') or 'no reading of it in the page results'}"}

    def value(v, what):
        return v if v is not None else (no_truth or {"missing": f"no {what} (no character found on the scored pages)"})

    return {
        "q4_char_acc": char_acc,
        "q4_detection_recall": value(det["recall"], "detection recall"),
        "q4_detection_precision": value(det["precision"], "detection precision"),
        "q4_headline_classifier": headline_classifier,
        "q4_char_acc_mean_by_classifier": {n: c["char_acc"]["mean"] for n, c in summary["classifiers"].items()},
    }


def aggregate(pages: dict[str, dict], classifier_names: list[str]) -> dict:
    """Per-page and overall scores. ``mean`` is the mean over pages; ``pooled`` weighs pages by
    their number of characters (detection counts are always pooled)."""
    scored = {p: r for p, r in pages.items() if r.get("scores")}
    out = {"pages": sorted(pages), "scored_pages": sorted(scored), "classifiers": {}}
    det = {"true_chars": 0, "boxes": 0, "found": 0, "missed": 0, "spurious": 0}
    for r in scored.values():
        for k in det:
            det[k] += r["scores"]["detection"][k]
    det["recall"] = det["found"] / det["true_chars"] if det["true_chars"] else None
    det["precision"] = det["found"] / det["boxes"] if det["boxes"] else None
    det["spurious_rate"] = det["spurious"] / det["boxes"] if det["boxes"] else None
    det["per_page"] = {p: {k: r["scores"]["detection"][k] for k in ("true_chars", "boxes", "found", "missed",
                                                                  "spurious", "recall", "precision")}
                       for p, r in scored.items()}
    out["detection"] = det
    for name in classifier_names:
        per = {p: r["scores"][name] for p, r in scored.items() if name in r["scores"]}
        if not per:
            continue
        n = {p: len("".join(pages[p]["true_lines"]).replace(" ", "")) for p in per}
        out["classifiers"][name] = {
            "char_acc": {**{p: v["char_acc"] for p, v in per.items()},
                         "mean": float(np.mean([v["char_acc"] for v in per.values()])),
                         "pooled": float(sum(per[p]["char_acc"] * n[p] for p in per) / sum(n.values()))},
            "word_acc": {**{p: v["word_acc"] for p, v in per.items()},
                         "mean": float(np.mean([v["word_acc"] for v in per.values()]))},
            # the plain argmax of each crop, without the letters-or-digits word context
            "char_acc_raw": {**{p: v["char_acc_raw"] for p, v in per.items()},
                             "mean": float(np.mean([v["char_acc_raw"] for v in per.values()]))},
            "word_acc_raw": {"mean": float(np.mean([v["word_acc_raw"] for v in per.values()]))},
            # with the letters-or-digits word context (nnrec.ocr.recognise.apply_word_context)
            "char_acc_context": {**{p: v["char_acc_context"] for p, v in per.items()},
                                 "mean": float(np.mean([v["char_acc_context"] for v in per.values()]))},
            "word_acc_context": {"mean": float(np.mean([v["word_acc_context"] for v in per.values()]))},
        }
    return out


def run_cases(cases: dict, classifiers: dict, cfg: dict, glyph_kwargs: dict | None = None,
              iou_min: float = 0.5) -> dict:
    """Read generated pages (``{name: GeneratedPage}``) and score against their exact truth:
    detection by box IoU, text by character/word accuracy."""
    out = {}
    for name, page in cases.items():
        reading, rec = read_and_score(page.image, classifiers, cfg, page.lines, glyph_kwargs)
        m = match_boxes(reading.boxes, page.boxes, iou_min)
        rec["true_boxes"] = page.boxes.tolist()
        rec["box_match"] = {k: v for k, v in m.items() if k != "pairs"}
        out[name] = (reading, rec)
    return out
