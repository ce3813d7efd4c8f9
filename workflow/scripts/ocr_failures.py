"""Q4.1: pages that break find_letters' assumptions, generated and run through it."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec.common import save_figure, write_json
from nnrec.ocr.detect import detect
from nnrec.ocr.failures import failure_examples
from nnrec.ocr.figures import plot_failures
from nnrec.ocr.score import match_boxes

sm = snakemake  # noqa: F821
gen, iou_min = sm.params.generated, sm.params.iou_min
cases, out = {}, {}
for name, page in failure_examples(gen, sm.params.standin).items():
    det = detect(page.image, sm.params.cfg["detect"])
    m = match_boxes(det.boxes, page.boxes, iou_min)
    m.pop("pairs")
    out[name] = {**m, "detection": det.summary(), "text": page.lines}
    cases[name] = {"image": page.image, "true_boxes": page.boxes, "boxes": det.boxes,
                   "recall": m["recall"], "precision": m["precision"]}
    job.log.info(f"{name}: {m['boxes']} boxes for {m['true_chars']} characters, recall {m['recall']:.2f}, "
                 f"precision {m['precision']:.2f}, rejected {det.rejected}")
save_figure(plot_failures(cases), sm.output.figure)
write_json(sm.output.json, {
    "cases": out, "iou_min": iou_min,
    **job.meta({"read": sm.params.cfg, "generated": gen}, seed=gen["seed"],
               data_source="generated (nnrec.ocr.failures.failure_examples)"),
})
