"""Fit ``nnrec.data.standin.resample_table``: per digit, real NIST against the stand-in's own digits.

For every digit class, a logistic regression (``nnrec.data.standin.resample.fit_log_odds``) tells the
glyphs of a prepared NIST36 folder's TRAIN split (the EMNIST substitute: real NIST handwriting) from
those of a reference stand-in's train split, generated from ``--config``'s ``standin:`` with
``resample`` off and seed ``--ref-seed`` (one that no benchmark scores). ``z0`` is the median
log-odds of the reference digits. Only train splits are read. Rerun it whenever the generator
changes (skeletons, augmentation, normalisation), then check the stand-in on the development sets
(``benchmarks/bench_standin_devsets.py``)::

    python benchmarks/fit_standin_resample.py --real /tmp/w/nist36 --out src/nnrec/data/standin/resample_table.py
"""

from __future__ import annotations

import argparse
import pprint
import sys
from pathlib import Path

import numpy as np


def fit_table(real: tuple, drawn: tuple, classes: list[str], grid: int, l2: float) -> dict:
    """``{"grid", "l2", "classes": {char: {mu, sd, w, b, z0}}}`` from ``real`` and ``drawn``
    ``(x (N, 1024), y class index)`` train splits, for the class names ``classes``."""
    from nnrec import NIST36_CLASSES
    from nnrec.data.standin.resample import coarse_features, fit_log_odds, log_odds

    out = {}
    for ch in classes:
        c = NIST36_CLASSES.index(ch)
        fr, fd = (coarse_features(x[y == c], grid) for x, y in (real, drawn))
        model = fit_log_odds(fr, fd, l2)
        model["z0"] = float(np.median(log_odds(model, fd)))
        out[ch] = {k: (np.round(v, 6).tolist() if isinstance(v, list) else round(v, 6)) for k, v in model.items()}
    return {"grid": int(grid), "l2": float(l2), "classes": out}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", type=Path, required=True, help="prepared NIST36 folder (its train split)")
    ap.add_argument("--config", type=Path, default=Path("config.yaml"))
    ap.add_argument("--ref-seed", type=int, default=3680, help="seed of the reference stand-in")
    ap.add_argument("--grid", type=int, default=None, help="default nnrec.data.standin.resample.GRID")
    ap.add_argument("--l2", type=float, default=None, help="default nnrec.data.standin.resample.L2")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, required=True, help="the table module to write")
    a = ap.parse_args(argv)

    import yaml

    from nnrec import NIST36_CLASSES
    from nnrec.common import atomic_path
    from nnrec.data import load_nist36
    from nnrec.data.standin import generate_split, resolve
    from nnrec.data.standin.resample import GRID, L2

    cfg = resolve((yaml.safe_load(a.config.read_text()) or {}).get("standin"))
    cfg.update(seed=a.ref_seed, resample=False)
    x, onehot = generate_split(cfg, "train", a.workers)
    drawn = (x, onehot.argmax(1))
    real = load_nist36(a.real, "train")
    digits = [c for c in NIST36_CLASSES if c.isdigit()]
    table = fit_table(real, drawn, digits, a.grid or GRID, L2 if a.l2 is None else a.l2)
    table.update(real=f"{a.real.name}/train", reference=f"stand-in seed {a.ref_seed}, resample off, {a.config}")
    text = ('"""Fitted by benchmarks/fit_standin_resample.py (its docstring says how); do not edit by hand.\n\n'
            "Per digit: the logistic regression of nnrec.data.standin.resample (feature means ``mu``, s.d.\n"
            "``sd``, weights ``w``, bias ``b``) and ``z0``, the median log-odds of the reference stand-in's\n"
            'digits."""\n\n'
            f"TABLE = {pprint.pformat(table, width=110, sort_dicts=True)}\n")
    with atomic_path(a.out) as tmp:
        Path(tmp).write_text(text)
    print(f"wrote {a.out}: " + ", ".join(f"{c} z0 {m['z0']:.2f}" for c, m in table["classes"].items()), file=sys.stderr)


if __name__ == "__main__":
    main()
