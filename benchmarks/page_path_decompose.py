"""Where the page path loses against direct: the normalisation, the re-rendering, or the crop?

For a NIST-layout test split and the two networks of a finished run (``--run``: a working folder
with ``resources/nist36/test.npz``, ``results/numpy_nn/q3/best/weights.npz`` and
``results/pytorch/nist36_cnn/model.pt``), prints each network's accuracy on
- the split's own images ("direct"),
- the same images put through ``normalise_glyph`` once more ("re-normalised": what normalising an
  already normalised image changes), as a binary mask (cut at 0.5, its pixels repeated) and as the
  grey image (interpolated before its cut, as the crop path's grey crops are),
- a perfect crop of each character as ``bench_page_path.py`` re-renders it at a height and stroke
  width (its drawn ink, normalised, no page, no detection),
so that ``bench_page_path.py``'s page - direct can be split into what the crop path costs and what
the rest costs. With ``--emnist`` (the mirror's ``emnist-byclass-test-az09.npz``) and a run whose
NIST36 is the EMNIST substitute, it also reads pages on which each character is drawn from its
original 28x28 EMNIST image instead of the normalised 32x32 one (page - direct, clean and photo),
which tells whether re-rendering normalised images is what costs. Development measurement only
(nothing is chosen from it).

    OMP_NUM_THREADS=1 python benchmarks/page_path_decompose.py --run ../final [--per-class 10] \
        [--emnist ../shared/data/emnist-byclass-test-az09.npz]
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
    ap.add_argument("--emnist", type=Path, help="the EMNIST npz the run's substitute was built from")
    a = ap.parse_args()
    cfg = yaml.safe_load(a.config.read_text())
    set_threads(1)
    x, y = pb.load_split(a.run / "resources/nist36/test.npz")
    sel = np.arange(len(y))
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
    print(f"re-normalised, binary: {acc(layout(normalise_glyph(from_nist_layout(v) < 0.5, **kw) for v in x))}")
    print(f"re-normalised, grey: {acc(layout(normalise_glyph(1.0 - from_nist_layout(v), **kw) for v in x))}")
    shapes = [pb.glyph_shape(from_nist_layout(v)) for v in x]
    for h, sf in SETTINGS:
        g = layout(normalise_glyph(pb.render_glyph(s, h, sf, int(bench["supersample"])) > 0.5, **kw) for s in shapes)
        print(f"perfect crop, {h} px, {100 * sf:.0f} % strokes: {acc(g)}")
    if a.emnist:
        from nnrec.data.emnist import read_emnist_npz
        from nnrec.ocr.recognise import glyph_crops

        em = read_emnist_npz(a.emnist)
        idx = np.load(a.run / "resources/nist36/emnist_index.npz")["test"][sel]
        rows = np.searchsorted(em.index, idx)
        if not ((em.index[rows] == idx).all() and (em.y[rows] == y).all()):
            raise SystemExit(f"{a.emnist} does not hold this run's substitute test images")
        originals = [pb.glyph_shape(1.0 - im.astype(np.float64) / 255.0) for im in em.x[rows]]  # upright, ink 0
        direct = pb.direct_accuracy(x, y, clfs)
        for h, sf in SETTINGS:
            for deg in ("clean", "photo"):
                r = pb.run_cell(x, y, clfs, {"page": glyph_crops}, h, sf, {deg: bench["degradations"][deg]}, bench,
                                cfg["ocr"]["detect"], kw, shapes=originals)[0]
                diff = ", ".join(f"{n} {100 * (r['page_acc']['page'][n] - direct[n]):+.1f}" for n in clfs)
                print(f"page from the EMNIST originals, {h} px, {100 * sf:.0f} % strokes, {deg}: page - direct {diff} "
                      f"(recall {r['detection']['recall']:.3f})")


if __name__ == "__main__":
    main()
