"""Speed of the OCR steps: find_letters, line grouping and crop normalisation per page.

    python benchmarks/bench_ocr.py [--pages resources/ocr_pages/images] [--repeat 3] [--out benchmarks/ocr/bench_ocr.json]

Prints one line per page and writes a JSON with the median seconds of each step (classification
is excluded: a uniform dummy classifier stands in, so the numbers are the OCR step's own cost).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import yaml

from nnrec.common import write_json
from nnrec.data.standin import glyph_kwargs
from nnrec.ocr.detect import detect, load_image
from nnrec.data.pages import generated_pages
from nnrec.ocr.lines import group_lines
from nnrec.ocr.recognise import glyph_crops, read_page


def _median_time(fn, repeat: int) -> float:
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default="resources/ocr_pages/images")
    ap.add_argument("--config", default="config.yaml")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default="benchmarks/ocr/bench_ocr.json")
    args = ap.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    ocr, gk = cfg["ocr"], glyph_kwargs(cfg.get("standin"))
    dummy = lambda x: np.full((len(x), 36), 1 / 36)  # noqa: E731

    images = {p.stem: load_image(p) for p in sorted(Path(args.pages).glob("*.jpg"))}
    images.update({n: pg.image for n, pg in generated_pages({**ocr["generated"], "n_pages": 1}, cfg.get("standin"))})
    rows = {}
    for name, img in images.items():
        det = detect(img, ocr["detect"])
        lines = group_lines(det.boxes, ocr["lines"])
        order = [i for l in lines for i in l]
        rows[name] = {
            "shape": list(img.shape), "boxes": int(len(det.boxes)),
            "find_letters_s": _median_time(lambda: detect(img, ocr["detect"]), args.repeat),
            "group_lines_s": _median_time(lambda: group_lines(det.boxes, ocr["lines"]), args.repeat),
            "normalise_crops_s": _median_time(lambda: glyph_crops(det, order, gk), args.repeat),
            "read_page_total_s": _median_time(lambda: read_page(img, {"dummy": dummy}, ocr["detect"], ocr["lines"], gk),
                                              args.repeat),
        }
        r = rows[name]
        print(f"{name:12s} {r['shape']} {r['boxes']:4d} boxes  find_letters {r['find_letters_s']:.2f}s  "
              f"lines {r['group_lines_s'] * 1e3:.1f}ms  crops {r['normalise_crops_s']:.2f}s  "
              f"read_page {r['read_page_total_s']:.2f}s")
    write_json(args.out, {"pages": rows, "repeat": args.repeat, "cpu_count": os.cpu_count(),
                          "machine": platform.processor() or platform.machine(),
                          "load_avg": os.getloadavg(), "note": "median of repeats; shared machine"})


if __name__ == "__main__":
    main()
