"""Q4 aggregate: per-page and mean character / word accuracy per classifier, detection counts."""

import time

from nnrec.common import config_hash, get_logger, read_json, set_threads, write_json
from nnrec.data import describe_source
from nnrec.data.missing import skip_if_missing
from nnrec.ocr.pipeline import aggregate

sm = snakemake  # noqa: F821
log = get_logger("ocr_summary", sm.log[0])
set_threads(sm.threads)
if skip_if_missing(sm, [sm.input.prov]):
    log.warning("OCR pages unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)
t0 = time.perf_counter()
pages = {p: read_json(path) for p, path in zip(sm.params.pages, sm.input.pages)}
ran = [n for n in sm.params.classifiers if all(pages[p]["classifiers"].get(n, {}).get("status") == "ok" for p in pages)]
summary = aggregate(pages, ran)
summary["classifiers_missing"] = {n: pages[next(iter(pages))]["classifiers"].get(n) for n in sm.params.classifiers
                                  if n not in ran} if pages else {}
summary["texts"] = {p: r["text"] for p, r in pages.items()}
summary["true_lines"] = {p: r["true_lines"] for p, r in pages.items()}
summary["word_context"] = bool(sm.params.cfg["word_context"])
summary.update({"data_source": describe_source(sm.input.prov), "config_hash": config_hash(sm.params.cfg),
                "wall_time_s": time.perf_counter() - t0})
write_json(sm.output.summary, summary)
det = summary["detection"]
log.info(f"detection: {det['found']}/{det['true_chars']} found, {det['spurious']} spurious of {det['boxes']} boxes")
for n, c in summary["classifiers"].items():
    log.info(f"{n}: char acc {c['char_acc']} word acc mean {c['word_acc']['mean']:.3f}")
hc = sm.params.headline_classifier
head = summary["classifiers"].get(hc, {}).get("char_acc")
write_json(sm.output.headline, {
    "q4_char_acc": head,
    "q4_detection_recall": det["recall"],
    "q4_detection_precision": det["precision"],
    "q4_headline_classifier": hc,
    "q4_char_acc_mean_by_classifier": {n: c["char_acc"]["mean"] for n, c in summary["classifiers"].items()},
})
