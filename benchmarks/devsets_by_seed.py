"""How far the Q3 network's fidelity figures move with its training seed.

A finished run trains the Q3 network at the learning rate its sweep chose with the part's seed
and with each of ``numpy_nn.q3.repeat_seeds`` (``results/numpy_nn/q3_lr<rate>[_seed<s>]``: the
same data and rate, other initial weights and batch order). The fidelity section reads only the
first. This reads every one of them on the run's development handwriting
(``resources/dev_mnist``, ``resources/dev_comnist``), 36-way and in-set as the fidelity section
does, and prints each and their mean, so that two runs (e.g. the EMNIST substitute's and the
stand-in's) can be compared beyond one seed. Development measurement only: it chooses nothing.

    python benchmarks/devsets_by_seed.py --run ../substitute-run --run ../standin-run

``--valid NAME=FOLDER`` also reads a prepared NIST36 folder's valid split, its digits and its
letters as two sets, in-set among digits or letters like the development sets: e.g. the EMNIST
substitute's valid split, real NIST characters that neither run trained on, next to the
development sets (how far each development set is from the substitute's own distribution).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import yaml

DEV_SETS = ("dev_mnist", "dev_comnist")


def digits_and_letters(x: np.ndarray, y: np.ndarray) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``[("digits", x, y), ("letters", x, y)]``: the rows of a NIST36 split (``y`` class indices,
    A-Z then 0-9) split by kind, each kind that has rows."""
    from nnrec import NIST36_CLASSES

    is_digit = np.array([c.isdigit() for c in NIST36_CLASSES])[np.asarray(y)]
    return [(kind, x[m], y[m]) for kind, m in (("digits", is_digit), ("letters", ~is_digit)) if m.any()]


def seed_runs(run: Path) -> list[tuple[str, Path]]:
    """``(label, weights)`` of the chosen rate's Q3 runs: the part's seed, then each repeat seed."""
    choice = json.loads((run / "results/numpy_nn/q3/lr_choice.json").read_text())
    cfg = yaml.safe_load((run / "config.yaml").read_text())["numpy_nn"]["q3"]
    base = run / choice["chosen_dir"]
    out = [(f"lr {choice['chosen_tag']}, seed {choice['seed']}", base / "weights.npz")]
    out += [(f"lr {choice['chosen_tag']}, repeat seed {s}", Path(f"{base}_seed{s}") / "weights.npz")
            for s in cfg.get("repeat_seeds", [])]
    missing = [str(w) for _, w in out if not w.is_file()]
    if missing:
        raise SystemExit(f"{run}: missing Q3 weights {missing} (run the Q3 study of that folder first)")
    return out


def main(argv=None) -> None:
    from nnrec.data import load_devset, load_nist36
    from nnrec.fidelity import seed_record
    from nnrec.ocr.pipeline import load_classifier_spec

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, action="append", required=True,
                    help="a finished run's folder (config.yaml, results/, resources/); repeatable")
    ap.add_argument("--valid", action="append", default=[], metavar="NAME=FOLDER",
                    help="a prepared NIST36 folder whose valid split is read too, digits and letters apart")
    a = ap.parse_args(argv)
    extra = []
    for spec in a.valid:
        name, sep, folder = spec.partition("=")
        if not sep or not name or not folder:
            raise SystemExit(f"--valid {spec!r}: expected NAME=FOLDER")
        x, y = load_nist36(Path(folder), "valid")
        extra += [(f"{name} valid {kind}", xs, ys) for kind, xs, ys in digits_and_letters(np.asarray(x), np.asarray(y))]
    for run in a.run:
        spec = dict(yaml.safe_load((run / "config.yaml").read_text())["ocr"]["classifiers"]["q3"])
        runs = []
        for label, weights in seed_runs(run):
            clf, info = load_classifier_spec("q3", dict(spec, weights=str(weights)))
            if clf is None:
                raise SystemExit(f"{weights}: {info['reason']}")
            runs.append((label, clf))
        sets = [(d, *(np.asarray(v) for v in load_devset(run / "resources" / d))) for d in DEV_SETS]
        for d, x, y in sets + extra:
            rec = seed_record(runs, x, y)
            for r in rec["runs"]:
                print(f"{run}  {d}  {r['label']}: {100 * r['acc']:.2f} / {100 * r['in_set_acc']:.2f}")
            m = rec["mean"]
            print(f"{run}  {d}  mean of {len(runs)}: {100 * m['acc']:.2f} / {100 * m['in_set_acc']:.2f}"
                  "  (36-way / in-set %)")


if __name__ == "__main__":
    main()
