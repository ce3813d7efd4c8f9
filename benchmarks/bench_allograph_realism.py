"""How do networks trained on real NIST characters read each allograph of the stand-in?

For every allograph of the given classes, ``--per`` samples are drawn by ``render_ink`` with
config.yaml's ``standin.augment`` at ``standin.render_height`` (forced allograph, its own seeds:
the pen and shape augmentation; not ``make_glyph``'s later jitter of the 32x32 glyph: stroke width
scale, margin, shift, blur, noise), normalised with ``standin.glyph`` and read
by classifiers trained on the EMNIST substitute's TRAIN split (real NIST hand-printing), e.g. a
full run's Q3 MLP and Q6.1.2 CNN. An allograph that such a network reads as another class is a
shape real writers do not use for its class (a flagged 1 that real-trained networks take for a 7).
The CNN's share is what ``nnrec.data.standin.skeletons.REALISM`` records (tuning/ledger.yaml).
No test split and no Q4 page is read.

    python benchmarks/bench_allograph_realism.py --classes 0123456789 \\
        --weights q3=results/numpy_nn/q3/best/weights.npz --weights cnn=results/pytorch/nist36_cnn/model.pt \\
        [--per 100] [--out benchmarks/allograph_realism.json]

The weights must come from a run on the substitute (the default source when the course's data
cannot be had), not from the stand-in itself. The printed ``REALISM`` lines use the CNN's shares.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

import numpy as np


def allograph_reading(ch: str, k: int, per: int, cfg: dict, classifiers: dict) -> dict:
    """Per classifier: the share of ``per`` samples of allograph ``k`` of ``ch`` read as ``ch``
    and the three most common readings."""
    from nnrec.data.glyph import normalise_glyph, to_nist_layout
    from nnrec.data.standin.render import render_ink
    from nnrec.data.standin.skeletons import CLASSES

    x = np.stack([to_nist_layout(normalise_glyph(
        render_ink(ch, np.random.default_rng([7, k, j, ord(ch)]), cfg["augment"],
                   height_px=float(cfg["render_height"]), allograph=k), **cfg["glyph"]))
        for j in range(per)]).astype(np.float32)
    out = {}
    for name, clf in classifiers.items():
        pred = np.asarray(clf(x)).argmax(1)
        top = collections.Counter(CLASSES[i] for i in pred).most_common(3)
        out[name] = {"right": float(np.mean(pred == CLASSES.index(ch))),
                     "top": [[c, n / per] for c, n in top]}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--classes", default="0123456789")
    ap.add_argument("--config", type=Path, default=Path("config.yaml"))
    ap.add_argument("--weights", action="append", default=[], metavar="NAME=PATH",
                    help="a classifier of ocr.classifiers (q3, cnn) and its weights file")
    ap.add_argument("--per", type=int, default=100, help="samples per allograph")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)

    import yaml

    from nnrec.data.standin import resolve
    from nnrec.data.standin.skeletons import ALLOGRAPHS
    from nnrec.ocr.pipeline import load_classifier_spec

    full = yaml.safe_load(a.config.read_text()) or {}
    cfg = resolve(full.get("standin"))
    specs = full["ocr"]["classifiers"]
    classifiers = {}
    for item in a.weights:
        name, _, path = item.partition("=")
        if name not in specs or not path:
            raise SystemExit(f"--weights {item!r}: expected NAME=PATH with NAME one of {sorted(specs)}")
        classifiers[name] = load_classifier_spec(name, dict(specs[name], weights=path))[0]
    if not classifiers:
        raise SystemExit("give at least one --weights NAME=PATH (networks trained on the substitute)")
    rows = []
    for ch in a.classes:
        for k, (w, _) in enumerate(ALLOGRAPHS[ch]):
            r = allograph_reading(ch, k, a.per, cfg, classifiers)
            rows.append({"class": ch, "allograph": k, "weight": w, "reading": r})
            print(ch, k, f"w={w}", " | ".join(
                f"{n} {100 * v['right']:.0f}% {[(c, round(100 * s)) for c, s in v['top']]}" for n, v in r.items()),
                flush=True)
    if "cnn" in classifiers:
        shares = collections.defaultdict(list)
        for r in rows:
            shares[r["class"]].append(round(r["reading"]["cnn"]["right"], 2))
        print("REALISM (cnn):", dict(shares))
    if a.out:
        from nnrec.common import write_json

        write_json(a.out, {"config": str(a.config), "per": a.per, "weights": a.weights, "rows": rows})


if __name__ == "__main__":
    main()
