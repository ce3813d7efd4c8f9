"""Q4 aggregate: per-page and mean character / word accuracy per classifier, detection counts."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec.common import read_result, write_json
from nnrec.ocr.pipeline import aggregate, ocr_headline

sm = snakemake  # noqa: F821
# {page: its .json}, by name; each must hold what is read from it
pages = {p: read_result(path, ("classifiers", "text", "true_lines")) for p, path in sm.params.pages.items()}
ran = [n for n in sm.params.classifiers if all(pages[p]["classifiers"].get(n, {}).get("status") == "ok" for p in pages)]
summary = aggregate(pages, ran)
summary["classifiers_missing"] = {n: pages[next(iter(pages))]["classifiers"].get(n) for n in sm.params.classifiers
                                  if n not in ran} if pages else {}
summary["texts"] = {p: r["text"] for p, r in pages.items()}
summary["true_lines"] = {p: r["true_lines"] for p, r in pages.items()}
summary["word_context"] = bool(sm.params.cfg["word_context"])
summary.update(job.meta(sm.params.cfg, seed=None))
write_json(sm.output.summary, summary)
det = summary["detection"]
job.log.info(f"detection: {det['found']}/{det['true_chars']} found, {det['spurious']} spurious of {det['boxes']} boxes")
for n, c in summary["classifiers"].items():
    job.log.info(f"{n}: char acc {c['char_acc']} word acc mean {c['word_acc']['mean']:.3f}")
headline = ocr_headline(summary, sm.params.headline_classifier)  # what cannot be given says why
for k, v in headline.items():
    if isinstance(v, dict) and "missing" in v:
        job.log.warning(f"{k}: {v['missing']}")
write_json(sm.output.headline, headline)
