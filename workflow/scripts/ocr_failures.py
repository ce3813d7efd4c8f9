"""Q4.1: pages that break find_letters' assumptions, generated and run through it."""

import time

from nnrec.common import config_hash, get_logger, set_threads, write_json
from nnrec.ocr.detect import detect
from nnrec.ocr.figures import plot_failures
from nnrec.ocr.failures import failure_examples
from nnrec.ocr.score import match_boxes

sm = snakemake  # noqa: F821
log = get_logger("ocr_failures", sm.log[0])
set_threads(sm.threads)
t0 = time.perf_counter()
cases, out = {}, {}
for name, page in failure_examples(sm.params.generated, sm.params.standin).items():
    det = detect(page.image, sm.params.cfg["detect"])
    m = match_boxes(det.boxes, page.boxes, sm.params.iou_min)
    m.pop("pairs")
    out[name] = {**m, "detection": det.summary(), "text": page.lines}
    cases[name] = {"image": page.image, "true_boxes": page.boxes, "boxes": det.boxes,
                   "recall": m["recall"], "precision": m["precision"]}
    log.info(f"{name}: {m['boxes']} boxes for {m['true_chars']} characters, recall {m['recall']:.2f}, "
             f"precision {m['precision']:.2f}, rejected {det.rejected}")
plot_failures(cases, sm.output.figure)
write_json(sm.output.json, {"cases": out, "iou_min": sm.params.iou_min, "seed": sm.params.generated["seed"],
                            "data_source": "generated (nnrec.ocr.failures.failure_examples)",
                            "config_hash": config_hash({"read": sm.params.cfg, "generated": sm.params.generated}),
                            "wall_time_s": time.perf_counter() - t0})
