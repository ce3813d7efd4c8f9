"""Peak memory and time of reading and drawing one very large page (issue 17 item 7).

Draws a synthetic 8000 x 11134 RGB page (light paper, 20 rows x 25 groups of thick strokes), then
runs ``read_page`` (no classifier: detection, lines, crops) and ``plot_page`` in this process and
prints the boxes found, the seconds of ``read_page`` and the process's peak RSS. ``--src`` imports
``nnrec`` from another checkout's ``src/`` (e.g. a worktree of the previous commit), so the two
codes are measured the same way, one process each:

    OMP_NUM_THREADS=1 python benchmarks/bench_large_page.py [--src ../old-checkout/src]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np


def draw_page(height: int = 11134, width: int = 8000, seed: int = 0) -> np.ndarray:
    from skimage.draw import line_aa

    img = np.full((height, width, 3), 235, np.uint8)
    rng = np.random.default_rng(seed)
    for r in range(20):
        for c in range(25):
            y, x = 400 + r * 520, 300 + c * 300
            for _ in range(3):
                y1, x1, y2, x2 = y + rng.integers(0, 300), x + rng.integers(0, 200), y + rng.integers(0, 300), x + rng.integers(0, 200)
                for t in range(-12, 13):  # a 25 px wide stroke
                    rr, cc, _ = line_aa(int(y1), int(x1) + t, int(y2), int(x2) + t)
                    keep = (rr < height) & (cc < width)
                    img[rr[keep], cc[keep]] = 30
    return img


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", help="a checkout's src/ folder to import nnrec from")
    a = ap.parse_args()
    if a.src:
        sys.path.insert(0, a.src)
    from nnrec.ocr.figures import plot_page
    from nnrec.ocr.recognise import read_page

    img = draw_page()
    t = time.perf_counter()
    reading = read_page(img, {})
    seconds = time.perf_counter() - t
    plot_page(img, reading.boxes, reading.line_of, {"none": ["-"]})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"nnrec from {sys.modules['nnrec'].__file__}")
    print(f"page {img.shape[1]}x{img.shape[0]} RGB ({img.nbytes / 1e6:.0f} MB): {len(reading.boxes)} boxes, "
          f"read_page {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
