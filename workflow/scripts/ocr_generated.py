"""Extra Q4 benchmark: generated pages (held-out stand-in characters, exact boxes and text)."""

import time

from nnrec.common import config_hash, get_logger, set_threads, write_json
from nnrec.data import describe_source
from nnrec.data.standin import glyph_kwargs
from nnrec.ocr.figures import plot_page
from nnrec.data.pages import generated_pages
from nnrec.ocr.pipeline import aggregate, load_classifier_spec, run_cases

sm = snakemake  # noqa: F821
log = get_logger("ocr_generated", sm.log[0])
set_threads(sm.threads)
t0 = time.perf_counter()
classifiers, info = {}, {}
for name, spec in sm.params.classifiers.items():
    clf, info[name] = load_classifier_spec(name, spec)
    if clf is not None:
        classifiers[name] = clf
set_threads(sm.threads)  # again: a loader may have imported torch
cases = dict(generated_pages(sm.params.generated, sm.params.standin))
res = run_cases(cases, classifiers, dict(sm.params.cfg), glyph_kwargs(sm.params.standin), sm.params.iou_min)
records = {n: rec for n, (_, rec) in res.items()}
summary = aggregate(records, list(classifiers))
summary["box_match"] = {n: r["box_match"] for n, r in records.items()}
summary["texts"] = {n: {"true": r["true_lines"], **r["text"]} for n, r in records.items()}
summary.update({"classifiers_info": info, "classifier_training_data": describe_source(sm.input.nist36),
                "data_source": "generated pages (nnrec.data.pages, seed "
                               f"{sm.params.generated['seed']}) from held-out stand-in characters",
                "seed": sm.params.generated["seed"],
                "config_hash": config_hash({"read": sm.params.cfg, "generated": sm.params.generated}),
                "wall_time_s": time.perf_counter() - t0})
for n, r in records.items():
    log.info(f"{n}: boxes {r['box_match']['found']}/{r['box_match']['true_chars']} (IoU>={sm.params.iou_min}), "
             f"text {r['text']}")
first_name, (reading, rec) = next(iter(res.items()))
plot_page(cases[first_name].image, reading.boxes, reading.line_of, rec["text"], sm.output.figure,
          title=f"generated page {first_name}", true_lines=rec["true_lines"])
write_json(sm.output.summary, summary)
