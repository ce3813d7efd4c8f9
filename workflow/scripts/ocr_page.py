"""Q4.2-Q4.4 for one page: find_letters, lines and words, shared glyph normalisation, classify,
score against the ground truth; write <page>.txt (the headline classifier's text), <page>.json and <page>.png."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from pathlib import Path

from nnrec import NIST36_CLASSES
from nnrec.common import PLACEHOLDER_MARKER, read_result, save_figure, write_json, write_text
from nnrec.data import describe_source
from nnrec.data.standin import glyph_kwargs
from nnrec.ocr.detect import load_image
from nnrec.ocr.figures import plot_crops, plot_page
from nnrec.ocr.pipeline import headline_text, load_classifiers, read_and_score

sm = snakemake  # noqa: F821
log = job.log
page = sm.wildcards.page
cfg = dict(sm.params.cfg)
image_path = Path(sm.params.image)
image = load_image(image_path)  # a clear error naming the file if it is missing or unreadable
gt_path = Path(sm.params.ground_truth)
truth = read_result(gt_path).get(page) if gt_path.is_file() else None  # {page: [lines]}, checked
if truth is None:
    log.warning(f"{page}: no ground truth in {gt_path}; the page is read but not scored")
classifiers, clf_info = load_classifiers(sm.params.classifiers, log)

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

# the .txt holds the text of ocr.headline_classifier (a placeholder naming why when its data was missing)
hc = sm.params.headline_classifier
txt = headline_text(rec["text"], clf_info, hc)
if txt.startswith(PLACEHOLDER_MARKER):
    log.warning(f"{page}: {sm.output.txt} is a placeholder: the headline classifier {hc} did not run ({clf_info[hc].get('reason')})")
write_text(sm.output.txt, txt)
save_figure(plot_page(image, reading.boxes, reading.line_of, rec["text"],
                      title=f"{page}: {d['n_boxes']} boxes, {rec['n_lines']} lines", true_lines=truth), sm.output.figure)
save_figure(plot_crops(reading.glyphs, {n: [NIST36_CLASSES[j] for j in p["labels"]]
                                        for n, p in reading.predictions.items()},
                       title=f"{page}: normalised crops (32x32, upright) with predictions "
                       + " / ".join(reading.predictions)), sm.output.crops)
rec.update({
    "page": page, "image": str(image_path), "image_shape": list(image.shape), "classifiers": clf_info,
    "classifier_training_data": describe_source(sm.input.nist36),
    **job.meta(cfg, seed=None),
})
write_json(sm.output.json, rec)
log.info(f"done in {rec['wall_time_s']:.1f}s")
