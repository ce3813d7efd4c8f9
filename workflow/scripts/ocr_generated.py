"""Extra Q4 benchmark: generated pages (held-out stand-in characters, exact boxes and text)."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec.common import save_figure, write_json
from nnrec.data import describe_source
from nnrec.data.pages import generated_pages
from nnrec.data.standin import glyph_kwargs
from nnrec.ocr.figures import plot_page
from nnrec.ocr.pipeline import aggregate, load_classifiers, run_cases

sm = snakemake  # noqa: F821
gen, iou_min = sm.params.generated, sm.params.iou_min
classifiers, info = load_classifiers(sm.params.classifiers, job.log)
cases = dict(generated_pages(gen, sm.params.standin))
res = run_cases(cases, classifiers, dict(sm.params.cfg), glyph_kwargs(sm.params.standin), iou_min)
records = {n: rec for n, (_, rec) in res.items()}
summary = aggregate(records, list(classifiers))
summary["box_match"] = {n: r["box_match"] for n, r in records.items()}
summary["texts"] = {n: {"true": r["true_lines"], **r["text"]} for n, r in records.items()}
for n, r in records.items():
    job.log.info(f"{n}: boxes {r['box_match']['found']}/{r['box_match']['true_chars']} (IoU>={iou_min}), "
                 f"text {r['text']}")
first_name, (reading, rec) = next(iter(res.items()))
save_figure(plot_page(cases[first_name].image, reading.boxes, reading.line_of, rec["text"],
                      title=f"generated page {first_name}", true_lines=rec["true_lines"]), sm.output.figure)
summary.update({
    "iou_min": iou_min,  # a true box counts as found by a box with IoU >= this (ocr.iou_min)
    "classifiers_info": info, "classifier_training_data": describe_source(sm.input.nist36),
    **job.meta({"read": sm.params.cfg, "generated": gen}, seed=gen["seed"],
               data_source=f"generated pages (nnrec.data.pages, seed {gen['seed']}) from held-out stand-in characters"),
})
write_json(sm.output.summary, summary)
