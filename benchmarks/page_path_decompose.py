"""Where the page path loses against direct: the normalisation, the re-rendering, or the crop?

For a NIST-layout test split and the two networks of a finished run (``--run``: a working folder
with ``resources/nist36/test.npz``, ``results/numpy_nn/q3/best/weights.npz`` and
``results/pytorch/nist36_cnn/model.pt``), prints each network's accuracy on
- the split's own images ("direct"),
- the same images put through ``normalise_glyph`` once more ("re-normalised": what normalising an
  already normalised image changes),
- a perfect crop of each character as ``bench_page_path.py`` re-renders it at a height and stroke
  width (its drawn ink, normalised, no page, no detection),
so that ``bench_page_path.py``'s page - direct can be split into what the crop path costs and what
the rest costs. Development measurement only (nothing is chosen from it).

    OMP_NUM_THREADS=1 python benchmarks/page_path_decompose.py --run ../final [--per-class 10]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = [(24, 0.03), (64, 0.03), (64, 0.09), (128, 0.09), (64, 0.15)]  # (height px, stroke fraction)


def main() -> None:
    from nnrec.common import set_threads
    from nnrec.data.glyph import from_nist_layout, normalise_glyph, to_nist_layout
    from nnrec.data.standin import glyph_kwargs
    from nnrec.ocr import pagebench as pb
    from nnrec.ocr.pipeline import load_classifier_spec

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, required=True)
    ap.add_argument("--per-class", type=int, default=10)
    ap.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    a = ap.parse_args()
    cfg = yaml.safe_load(a.config.read_text())
    set_threads(1)
    x, y = pb.load_split(a.run / "resources/nist36/test.npz")
    if a.per_class:
        sel = np.concatenate([np.nonzero(y == c)[0][:a.per_class] for c in range(36)])
        x, y = x[sel], y[sel]
    weights = {"q3": a.run / "results/numpy_nn/q3/best/weights.npz", "cnn": a.run / "results/pytorch/nist36_cnn/model.pt"}
    clfs = {}
    for name, spec in cfg["ocr"]["classifiers"].items():
        spec = {k: v for k, v in spec.items() if k != "enabled"} | {"weights": str(weights[name])}
        clfs[name], info = load_classifier_spec(name, spec)
        if clfs[name] is None:
            raise SystemExit(f"classifier {name}: {info['reason']}")
    kw = glyph_kwargs(cfg["standin"])
    bench = pb.resolve(cfg["ocr"]["page_bench"])

    def acc(v: np.ndarray) -> str:
        return ", ".join(f"{n} {100 * float((c(v).argmax(1) == y).mean()):.1f} %" for n, c in clfs.items())

    def layout(glyphs) -> np.ndarray:
        return np.stack([to_nist_layout(g) for g in glyphs]).astype(np.float32)

    print(f"{len(y)} characters of {a.run / 'resources/nist36/test.npz'}")
    print(f"direct: {acc(x)}")
    print(f"re-normalised: {acc(layout(normalise_glyph(from_nist_layout(v) < 0.5, **kw) for v in x))}")
    shapes = [pb.glyph_shape(from_nist_layout(v)) for v in x]
    for h, sf in SETTINGS:
        g = layout(normalise_glyph(pb.render_glyph(s, h, sf, int(bench["supersample"])) > 0.5, **kw) for s in shapes)
        print(f"perfect crop, {h} px, {100 * sf:.0f} % strokes: {acc(g)}")


if __name__ == "__main__":
    main()
