"""Q4.2-Q4.4 for one page: find_letters, lines and words, shared glyph normalisation, classify,
score against the ground truth; write <page>.txt, <page>.json and <page>.png."""

import time
from pathlib import Path

from nnrec.common import config_hash, get_logger, read_json, set_threads, write_json, write_text
from nnrec.data import describe_source
from nnrec.data.missing import skip_if_missing
from nnrec.data.standin import glyph_kwargs
from nnrec.ocr.detect import load_image
from nnrec import NIST36_CLASSES
from nnrec.ocr.figures import plot_crops, plot_page
from nnrec.ocr.pipeline import load_classifier_spec, read_and_score

sm = snakemake  # noqa: F821
page = sm.wildcards.page
log = get_logger(f"ocr_{page}", sm.log[0])
set_threads(sm.threads)
if skip_if_missing(sm, [sm.input.prov]):
    log.warning("OCR pages unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)
t0 = time.perf_counter()
cfg = dict(sm.params.cfg)
image_path = Path(sm.params.image)
image = load_image(image_path)  # a clear error naming the file if it is missing or unreadable
gt_path = Path(sm.params.ground_truth)
truth = read_json(gt_path).get(page) if gt_path.is_file() else None
if truth is None:
    log.warning(f"{page}: no ground truth in {gt_path}; the page is read but not scored")

classifiers, clf_info = {}, {}
for name, spec in sm.params.classifiers.items():
    clf, info = load_classifier_spec(name, spec)
    clf_info[name] = info
    if clf is None:
        log.warning(f"classifier {name}: {info['reason']}")
    else:
        classifiers[name] = clf
set_threads(sm.threads)  # again: a loader may have imported torch

reading, rec = read_and_score(image, classifiers, cfg, truth, glyph_kwargs(sm.params.standin))
d = rec["detection"]
log.info(f"{page}: {d['n_boxes']} boxes in {rec['n_lines']} lines; stroke {d['stroke_width_px']} px, "
         f"char height {d['char_height_px']} px, rejected {d['rejected']}")
for name, lines in rec["text"].items():
    log.info(f"{page} [{name}]: " + " | ".join(lines))
if rec["scores"]:
    det = rec["scores"]["detection"]
    log.info(f"{page}: detection recall {det['recall']:.3f} precision {det['precision']:.3f}; " + ", ".join(
        f"{n} char acc {s['char_acc']:.3f} word acc {s['word_acc']:.3f}"
        for n, s in rec["scores"].items() if n != "detection"))

rec.update({
    "page": page, "image": str(image_path), "image_shape": list(image.shape),
    "classifiers": clf_info, "data_source": describe_source(sm.input.prov),
    "classifier_training_data": describe_source(sm.input.nist36),
    "config_hash": config_hash(cfg), "wall_time_s": time.perf_counter() - t0,
})
# the .txt holds the text of the first classifier that ran (the Q3 network by default)
first = next(iter(rec["text"]), None)
write_text(sm.output.txt, ("\n".join(rec["text"][first]) + "\n") if first else "")
plot_page(image, reading.boxes, reading.line_of, rec["text"], sm.output.figure,
          title=f"{page}: {d['n_boxes']} boxes, {rec['n_lines']} lines", true_lines=truth)
plot_crops(reading.glyphs, {n: [NIST36_CLASSES[j] for j in p["labels"]] for n, p in reading.predictions.items()},
           sm.output.crops, title=f"{page}: normalised crops (32x32, upright) with predictions "
           + " / ".join(reading.predictions))
rec["wall_time_s"] = time.perf_counter() - t0
write_json(sm.output.json, rec)
log.info(f"done in {rec['wall_time_s']:.1f}s")
