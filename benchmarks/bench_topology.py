"""How often does each kind of shape occur in the stand-in and in real hand-printing, and how well is each read?

A diagnostic (issue 15), never a config. Per class, every glyph's topology signature
(``nnrec.data.standin.topology``: closed loops, stroke ends of the normalised 32 x 32 glyph) is
counted on the stand-in's train split (generated from ``--config``, cached like
``bench_standin_devsets.py``) and on real sets: the train split of a prepared NIST36 folder (the
EMNIST substitute: ``--real sub=DIR``) and the development sets (``--dev``). It prints each class's
distribution and its total-variation distance from the stand-in's. With ``--weights NAME=PATH``
(a classifier of ``ocr.classifiers`` and its weights, e.g. a Q3 MLP trained on the stand-in) it
also prints the in-set accuracy on each development set per signature: which kinds of real digits
the network misses. No test split and no Q4 page is read.

    python benchmarks/bench_topology.py --cache /tmp/w/cache --real sub=/tmp/w/nist36 \\
        --dev /tmp/w/dev_mnist [--weights q3=standin-mlp.npz] [--classes 0123456789] [--out topo.json]

(``/tmp/w`` prepared as in ``bench_standin_devsets.py``'s docstring.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def class_signatures(x: np.ndarray, y: np.ndarray, cls: int, per: int | None, seed: int = 0) -> np.ndarray:
    """Signature bins of (up to ``per``, drawn with ``seed``) samples of class index ``cls`` of
    NIST36-layout rows ``x``."""
    from nnrec.data.glyph import from_nist_layout
    from nnrec.data.standin.topology import signature_bin, topology_signature

    idx = np.flatnonzero(y == cls)
    if per is not None and len(idx) > per:
        idx = np.sort(np.random.default_rng(seed).choice(idx, per, replace=False))
    return np.array([signature_bin(*topology_signature(from_nist_layout(x[i]))) for i in idx], dtype=np.int64)


def bin_name(b: int) -> str:
    from nnrec.data.standin.topology import MAX_ENDS, MAX_HOLES

    h, e = divmod(int(b), MAX_ENDS + 1)
    return f"{h}{'+' if h == MAX_HOLES else ''}h{e}{'+' if e == MAX_ENDS else ''}e"


def distribution(bins: np.ndarray) -> np.ndarray:
    from nnrec.data.standin.topology import N_BINS

    counts = np.bincount(bins, minlength=N_BINS).astype(np.float64)
    return counts / max(counts.sum(), 1.0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", type=Path, default=Path("config.yaml"))
    ap.add_argument("--cache", type=Path, default=None, help="folder caching generated stand-in splits")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--real", action="append", default=[], metavar="NAME=DIR",
                    help="a prepared NIST36 folder whose TRAIN split is counted")
    ap.add_argument("--dev", type=Path, action="append", default=[], help="prepared development set folder")
    ap.add_argument("--weights", action="append", default=[], metavar="NAME=PATH",
                    help="a classifier of ocr.classifiers (q3, cnn) and its weights: accuracy per signature")
    ap.add_argument("--classes", default="0123456789")
    ap.add_argument("--per", type=int, default=300, help="samples per class and set (all when fewer)")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)

    import sys

    import yaml

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_standin_devsets import folder_splits, standin_splits

    from nnrec import NIST36_CLASSES
    from nnrec.data import load_devset

    unknown = [c for c in a.classes if c not in NIST36_CLASSES]
    if unknown:
        ap.error(f"--classes {a.classes!r}: unknown class(es) {unknown} (NIST36: A-Z, 0-9)")
    sets = {}
    splits, key = standin_splits(a.config, a.workers, a.cache)
    sets["standin"] = splits["train"]
    for spec in a.real:
        name, _, folder = spec.partition("=")
        if not folder:
            ap.error(f"--real {spec!r}: expected NAME=DIR")
        sets[name] = folder_splits(Path(folder), ("train",))["train"]
    devs = {}
    for d in a.dev:
        devs[d.name] = tuple(np.asarray(v) for v in load_devset(d))
        sets[d.name] = devs[d.name]

    classifiers = {}
    if a.weights:
        from nnrec.ocr.pipeline import load_classifier_spec

        specs = (yaml.safe_load(a.config.read_text()) or {})["ocr"]["classifiers"]
        for item in a.weights:
            name, _, path = item.partition("=")
            if name not in specs or not path:
                ap.error(f"--weights {item!r}: expected NAME=PATH with NAME one of {sorted(specs)}")
            classifiers[name] = load_classifier_spec(name, dict(specs[name], weights=path))[0]

    out = {"config": str(a.config), "standin": key, "per": a.per, "classes": {}}
    for ch in a.classes:
        cls = NIST36_CLASSES.index(ch)
        sig = {name: class_signatures(x, y, cls, a.per) for name, (x, y) in sets.items()}
        dist = {name: distribution(b) for name, b in sig.items()}
        shown = sorted({int(b) for d in dist.values() for b in np.flatnonzero(d >= 0.05)})
        row = {"n": {k: int(len(v)) for k, v in sig.items()},
               "distribution": {k: {bin_name(b): round(float(d[b]), 3) for b in np.flatnonzero(d)} for k, d in dist.items()},
               "tv_from_standin": {k: round(float(0.5 * np.abs(d - dist["standin"]).sum()), 3)
                                   for k, d in dist.items() if k != "standin"}}
        print(f"--- {ch}  (total variation from the stand-in: "
              + ", ".join(f"{k} {v:.2f}" for k, v in row["tv_from_standin"].items()) + ")")
        print("    " + " ".join(f"{bin_name(b):>7s}" for b in shown))
        for name, d in dist.items():
            print(f"    " + " ".join(f"{100 * d[b]:6.0f}%" for b in shown) + f"  {name} (n={len(sig[name])})")
        if classifiers:
            row["in_set_accuracy"] = {}
            for dname, (x, y) in devs.items():
                present = sorted(set(np.asarray(y).tolist()))
                idx = np.flatnonzero(y == cls)
                if len(idx) == 0:
                    continue
                bins = class_signatures(x, y, cls, None)
                for cname, clf in classifiers.items():
                    p = np.asarray(clf(x[idx]))[:, present]
                    right = np.asarray(present)[p.argmax(1)] == cls
                    acc = {bin_name(b): [round(100 * float(right[bins == b].mean()), 1), int((bins == b).sum())]
                           for b in np.unique(bins) if (bins == b).sum() >= 20}
                    row["in_set_accuracy"][f"{dname}/{cname}"] = acc
                    print(f"    {dname} read by {cname}, in-set % (n): "
                          + ", ".join(f"{k} {v[0]:.0f} ({v[1]})" for k, v in acc.items())
                          + f"; all {100 * right.mean():.1f}")
        out["classes"][ch] = row
    if a.out:
        from nnrec.common import write_json

        write_json(a.out, out)


if __name__ == "__main__":
    main()
