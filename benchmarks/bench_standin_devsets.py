"""How well do networks trained on a NIST36 source read real handwriting they never saw?

Trains the Q3 MLP (``numpy_nn.q3``: 1024-64-36 sigmoid, numpy, lr ``--mlp-lr``, seed
``numpy_nn.seed``) and the Q6.1.2 CNN (``pytorch.nist36_cnn``, seed ``pytorch.seed``) on the TRAIN
split of one NIST36 source, then scores them (``nnrec.fidelity``: 36-way accuracy, in-set accuracy,
per class, top confusions) on the development handwriting (``dev_mnist`` digits, ``dev_comnist``
letters), on the source's own VALID split and on any ``--also-valid`` split (e.g. the EMNIST
substitute's valid split, a look at real NIST shapes). The CNN keeps its best epoch on the
source's valid split (``restore_best``), as the workflow does. No test split and no Q4 page is read:
this is what the stand-in's knobs are tuned on (issue 14's protocol).

The source is either a prepared NIST36 folder (``train.npz``/``valid.npz``, e.g. the EMNIST
substitute) or the stand-in generated from ``--config``'s ``standin:``. Prepare the folders
once (``NNREC_MIRROR`` set; without the course's data.zip, ``nist36`` becomes the substitute)::

    python -c "from nnrec.config import load_config; from nnrec.data.prepare import prepare_dataset; \\
        c = load_config('config.yaml'); [prepare_dataset(n, c, '/tmp/w/' + n) for n in ('nist36', 'dev_mnist', 'dev_comnist')]"

then::

    python benchmarks/bench_standin_devsets.py --train /tmp/w/nist36 --name substitute \\
        --dev /tmp/w/dev_mnist --dev /tmp/w/dev_comnist --out /tmp/w/substitute.json
    python benchmarks/bench_standin_devsets.py --standin --cache /tmp/w/cache --name standin \\
        --dev /tmp/w/dev_mnist --dev /tmp/w/dev_comnist --also-valid sub=/tmp/w/nist36 \\
        --nets mlp --out /tmp/w/standin.json

A diagnostic, never a config: ``--swap-from DIR --swap-classes 0,1,...`` trains on the stand-in
with those classes' train and valid samples replaced by DIR's (e.g. the substitute's real NIST
shapes), to see which classes' shapes the stand-in lacks for the development sets::

    python benchmarks/bench_standin_devsets.py --standin --cache /tmp/w/cache --name swap-digits \
        --swap-from /tmp/w/nist36 --swap-classes 0,1,2,3,4,5,6,7,8,9 \
        --dev /tmp/w/dev_mnist --nets mlp --out /tmp/w/swap-digits.json

A second diagnostic, never a config: ``--critic-from DIR`` trains the Q3 MLP on DIR's train split
(lr ``--critic-lr``), generates ``--critic-pool`` times the stand-in's counts, and keeps, for every
digit class and split, the first ``counts`` samples that this critic reads as their class among the
ten digits (in-set), topped up in order with rejected ones when too few pass (the output's
``origin`` counts the kept samples that passed); the letters are the stand-in's own. It asks how
much a generator that drew only digits a network trained on real NIST reads right would gain
(``tuning/ledger.yaml``)::

    python benchmarks/bench_standin_devsets.py --standin --cache /tmp/w/cache --name critic \
        --critic-from /tmp/w/nist36 --dev /tmp/w/dev_mnist --dev /tmp/w/dev_comnist \
        --also-valid sub=/tmp/w/nist36 --nets mlp --mlp-lr 0.01 --out /tmp/w/critic.json

A third: ``--ratio-from DIR`` resamples the stand-in's digits towards DIR's train split the way
``standin.resample`` does (``nnrec.data.standin.resample``), but with the regression fitted on the
fly: for every digit class it tells DIR's glyphs from those of a reference stand-in
(``--ratio-ref-seed``, not one of the scored seeds) on ``coarse_features`` (a ``--ratio-grid``
grid); each of ``--critic-pool`` times the counts is kept with probability min(1, exp(z - the
class's median z)), and the first ``counts`` kept are used (the filter of ``--critic-from``)::

    python benchmarks/bench_standin_devsets.py --standin --cache /tmp/w/cache --name ratio \
        --ratio-from /tmp/w/nist36 --dev /tmp/w/dev_mnist --dev /tmp/w/dev_comnist \
        --also-valid sub=/tmp/w/nist36 --nets mlp --mlp-lr 0.01 --out /tmp/w/ratio.json

Train with one thread on a shared machine (``OMP_NUM_THREADS=1``; torch is set to one thread
here). The MLP takes ~15 s, the CNN ~6 min (one busy core); ``--mlp-epochs`` /
``--cnn-epochs`` shorten them for a quick look.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np


def standin_splits(cfg_path: Path, workers: int, cache: Path | None, count_factor: int = 1,
                   seed: int | None = None) -> tuple[dict, str]:
    """The stand-in's train and valid splits from ``cfg_path``'s ``standin:`` (cached by its hash),
    with ``count_factor`` times its counts (the first samples are the same: counts only append) and
    ``seed`` in place of its seed when given."""
    import yaml

    from nnrec.data.standin import generate_split, resolve

    import nnrec.data.glyph as glyph
    import nnrec.data.standin as standin

    cfg = resolve((yaml.safe_load(cfg_path.read_text()) or {}).get("standin"))
    if seed is not None:
        cfg["seed"] = int(seed)
    cfg["counts"] = {k: int(v) * int(count_factor) for k, v in cfg["counts"].items()}
    h = hashlib.sha256(json.dumps(cfg, sort_keys=True).encode())
    for f in sorted(Path(standin.__file__).parent.glob("*.py")) + [Path(glyph.__file__)]:
        h.update(f.read_bytes())  # the generator's code too: a changed skeleton is a new stand-in
    key = h.hexdigest()[:12]
    path = cache / f"standin-{key}.npz" if cache else None
    if path is not None and path.exists():
        z = np.load(path)
        return {s: (z[f"x_{s}"], z[f"y_{s}"]) for s in ("train", "valid")}, key
    out, secs = {}, {}
    for s in ("train", "valid"):
        t0 = time.perf_counter()
        x, onehot = generate_split(cfg, s, workers)
        secs[s] = time.perf_counter() - t0
        out[s] = (x.astype(np.float32), onehot.argmax(1).astype(np.int64))
    print(f"generated the stand-in ({key}): " + ", ".join(f"{s} {t:.1f} s" for s, t in secs.items()),
          file=sys.stderr)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **{f"{k}_{s}": v for s, xy in out.items() for k, v in zip("xy", xy)})
    return out, key


def folder_splits(folder: Path, splits=("train", "valid")) -> dict:
    from nnrec.data import load_nist36

    return {s: tuple(np.asarray(a) for a in load_nist36(folder, s)) for s in splits}


def swap_classes(splits: dict, donor: dict, classes: list[int]) -> dict:
    """``splits`` with every sample of ``classes`` (train and valid) replaced by ``donor``'s
    samples of the same classes; samples stay grouped by class, in class order."""
    out = {}
    for s, (x, y) in splits.items():
        dx, dy = donor[s]
        keep, take = ~np.isin(y, classes), np.isin(dy, classes)
        missing = sorted(set(classes) - set(np.unique(dy[take]).tolist()))
        if missing:
            raise ValueError(f"--swap-from: its {s} split has no samples of class(es) {missing}")
        xs = np.concatenate([x[keep], dx[take].astype(x.dtype)])
        ys = np.concatenate([y[keep], dy[take].astype(y.dtype)])
        order = np.argsort(ys, kind="stable")
        out[s] = (xs[order], ys[order])
    return out


def critic_filter(pool: dict, counts: dict, accept, classes) -> tuple[dict, dict]:
    """Per split of ``pool`` (``{split: (x, y)}``, grouped by class in generation order), every
    class in ``classes`` cut to its first ``counts[split]`` samples that ``accept(x, y)`` (a bool
    per sample) passes, topped up in order with rejected ones when too few pass; the other classes'
    first ``counts[split]`` samples are kept as they are. Returns the splits and, per split and
    class, how many of the kept samples passed."""
    out, passed = {}, {}
    for s, (x, y) in pool.items():
        n = int(counts[s])
        xs, ys, passed[s] = [], [], {}
        for c in np.unique(y):
            idx = np.where(y == c)[0]
            if len(idx) < n:
                raise ValueError(f"critic filter: {s} has {len(idx)} samples of class {c}, fewer than {n}")
            if c in classes:
                ok = np.asarray(accept(x[idx], y[idx]), dtype=bool)
                keep = np.sort(np.concatenate([idx[ok], idx[~ok]])[:n])
                passed[s][int(c)] = int(min(ok.sum(), n))
            else:
                keep = idx[:n]
            xs.append(x[keep])
            ys.append(y[keep])
        out[s] = (np.concatenate(xs), np.concatenate(ys))
    return out, passed


def train_mlp(splits: dict, nn_cfg: dict, lr: float, epochs: int | None, save: Path | None = None):
    """The Q3 run as the workflow trains it (``numpy_nn``: q3 sizes, loss reduction, dtype, seed)."""
    from nnrec.numpy_nn.q3 import train_run

    q3, seed = nn_cfg["q3"], int(nn_cfg["seed"])
    cfg = dict(q3, epochs=int(epochs or q3["epochs"]), loss_reduction=nn_cfg["loss_reduction"], dtype=nn_cfg["dtype"])
    run = train_run(splits, cfg, lr, seed)
    if save is not None:
        run["net"].save(save)  # nnrec.numpy_nn.load_classifier reads it
    return run["net"].predict_proba, {"epochs": cfg["epochs"], "lr": lr, "seed": seed}


def train_cnn(splits: dict, cnn_cfg: dict, seed: int, epochs: int | None, logger, save: Path | None = None):
    import torch

    from nnrec.torch_models.nist36 import model_classifier, run_nist36

    cfg = dict(cnn_cfg, epochs=int(epochs or cnn_cfg["epochs"]))
    res = run_nist36("cnn", cfg, {s: splits[s] for s in ("train", "valid")}, device=torch.device("cpu"),
                     logger=logger, seed=seed, checkpoint_path=save)
    return model_classifier(res["model"].cpu()), {"epochs": cfg["epochs"], "seed": seed,
                                                  "best_epoch": res["history"]["best_epoch"]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--train", type=Path, help="prepared NIST36 folder (train.npz, valid.npz)")
    src.add_argument("--standin", action="store_true", help="generate the stand-in from --config")
    ap.add_argument("--name", default=None, help="label of the training source in the output")
    ap.add_argument("--config", type=Path, default=Path("config.yaml"))
    ap.add_argument("--dev", type=Path, action="append", default=[], help="prepared development set folder (data.npz)")
    ap.add_argument("--also-valid", action="append", default=[], metavar="NAME=DIR",
                    help="also score on the valid split of this prepared NIST36 folder")
    ap.add_argument("--nets", nargs="+", default=["mlp", "cnn"], choices=["mlp", "cnn"])
    ap.add_argument("--mlp-lr", type=float, default=0.003)
    ap.add_argument("--mlp-epochs", type=int, default=None, help="default numpy_nn.q3.epochs")
    ap.add_argument("--cnn-epochs", type=int, default=None, help="default pytorch.nist36_cnn.epochs")
    ap.add_argument("--workers", type=int, default=2, help="stand-in generator processes")
    ap.add_argument("--cache", type=Path, default=None, help="folder caching generated stand-in splits")
    ap.add_argument("--top", type=int, default=15, help="confusions kept per set")
    ap.add_argument("--save", type=Path, default=None, help="folder for the trained networks (mlp.npz, cnn.pt)")
    ap.add_argument("--swap-from", type=Path, default=None,
                    help="prepared NIST36 folder whose samples replace those of --swap-classes (a diagnostic)")
    ap.add_argument("--swap-classes", default=None, help="comma-separated class names, e.g. 0,1,2")
    ap.add_argument("--critic-from", type=Path, default=None,
                    help="prepared NIST36 folder whose train split trains the critic MLP (a diagnostic)")
    ap.add_argument("--critic-lr", type=float, default=0.003, help="the critic's learning rate")
    ap.add_argument("--critic-pool", type=int, default=2,
                    help="generate this many times the counts to filter from (--critic-from, --ratio-from)")
    ap.add_argument("--ratio-from", type=Path, default=None,
                    help="prepared NIST36 folder whose train split the digits are resampled towards (a diagnostic)")
    ap.add_argument("--ratio-ref-seed", type=int, default=3680, help="stand-in seed the regression is fitted on")
    ap.add_argument("--ratio-grid", type=int, default=None,
                    help="cells per side of the coarse features (default nnrec.data.standin.resample.GRID)")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    if a.ratio_from is not None and (a.critic_from is not None or not a.standin):
        ap.error("--ratio-from resamples the stand-in: use it with --standin and without --critic-from")
    if a.critic_from is not None and not a.standin:
        ap.error("--critic-from filters the stand-in: use it with --standin")
    if a.critic_pool < 1:
        ap.error(f"--critic-pool must be >= 1, got {a.critic_pool}")
    if (a.swap_from is None) != (a.swap_classes is None):
        ap.error("--swap-from and --swap-classes go together")
    if a.swap_classes is not None:
        from nnrec import NIST36_CLASSES

        names = [c.strip() for c in a.swap_classes.split(",") if c.strip()]
        unknown = [c for c in names if c not in NIST36_CLASSES]
        if unknown or not names:
            ap.error(f"--swap-classes {a.swap_classes!r}: unknown class(es) {unknown} (NIST36: A-Z, 0-9)")

    import torch
    import yaml

    from nnrec.common import write_json
    from nnrec.data import load_devset
    from nnrec.fidelity import score_classifier

    torch.set_num_threads(1)
    logging.basicConfig(level=logging.WARNING)
    logger = logging.getLogger("bench_standin_devsets")
    full = yaml.safe_load(a.config.read_text()) or {}
    if a.standin and (a.critic_from is not None or a.ratio_from is not None):
        from nnrec import NIST36_CLASSES
        from nnrec.data.standin import resolve
        from nnrec.data.standin.resample import GRID, coarse_features, fit_log_odds, keep_probability, log_odds

        a.ratio_grid = a.ratio_grid or GRID
        scfg = resolve(full.get("standin"))
        pool, key = standin_splits(a.config, a.workers, a.cache, a.critic_pool)
        digits = np.array([NIST36_CLASSES.index(str(d)) for d in range(10)])
        if a.critic_from is not None:
            critic, _ = train_mlp(folder_splits(a.critic_from), full["numpy_nn"], a.critic_lr, None)

            def accept(x, y):  # in-set: the critic's most likely digit is the sample's class
                return digits[critic(x)[:, digits].argmax(1)] == y

            how = f"filtered by a Q3 MLP trained on {a.critic_from} (lr {a.critic_lr:g})"
        else:
            real = folder_splits(a.ratio_from, ("train",))["train"]
            ref = standin_splits(a.config, a.workers, a.cache, seed=a.ratio_ref_seed)[0]["train"]
            models = {int(c): fit_log_odds(coarse_features(real[0][real[1] == c], a.ratio_grid),
                                           coarse_features(ref[0][ref[1] == c], a.ratio_grid)) for c in digits}
            rng = np.random.default_rng(int(scfg["seed"]))

            def accept(x, y):  # keep with probability min(1, exp(z - median z)) among this class's pool
                z = log_odds(models[int(y[0])], coarse_features(x, a.ratio_grid))
                return rng.random(len(z)) < keep_probability(z, np.median(z))

            how = (f"resampled towards {a.ratio_from}'s train split (log-odds on a {a.ratio_grid} x {a.ratio_grid} "
                   f"grid, reference stand-in seed {a.ratio_ref_seed})")
        splits, passed = critic_filter(pool, scfg["counts"], accept, set(digits.tolist()))
        name = a.name or ("standin+critic" if a.critic_from is not None else "standin+ratio")
        origin = (f"stand-in from {a.config} (standin config {key}, x{a.critic_pool}), digits {how}; kept samples "
                  "that passed: " + ", ".join(f"{s} {sum(v.values())}/{len(v) * int(scfg['counts'][s])}"
                                              for s, v in passed.items()))
    elif a.standin:
        splits, key = standin_splits(a.config, a.workers, a.cache)
        name, origin = a.name or "standin", f"stand-in from {a.config} (standin config {key})"
    else:
        splits = folder_splits(a.train)
        name, origin = a.name or a.train.name, str(a.train)
    if a.swap_from is not None:
        splits = swap_classes(splits, folder_splits(a.swap_from), [NIST36_CLASSES.index(c) for c in names])
        name = a.name or f"{name}+{a.swap_from.name}[{''.join(names)}]"
        origin += f"; classes {','.join(names)} from {a.swap_from}"
    sets = {"valid": splits["valid"]}
    for d in a.dev:
        sets[d.name] = tuple(np.asarray(v) for v in load_devset(d))
    for spec in a.also_valid:
        nm, _, folder = spec.partition("=")
        if not folder:
            ap.error(f"--also-valid {spec!r}: expected NAME=DIR")
        sets[f"{nm}_valid"] = folder_splits(Path(folder), ("valid",))["valid"]

    res = {"train_source": name, "origin": origin, "n_train": int(len(splits["train"][1])), "nets": {}}
    for net in a.nets:
        t0 = time.perf_counter()
        save = None
        if a.save:
            a.save.mkdir(parents=True, exist_ok=True)
            save = a.save / ("mlp.npz" if net == "mlp" else "cnn.pt")
        if net == "mlp":
            classify, info = train_mlp(splits, full["numpy_nn"], a.mlp_lr, a.mlp_epochs, save)
        else:
            classify, info = train_cnn(splits, full["pytorch"]["nist36_cnn"], int(full["pytorch"]["seed"]),
                                       a.cnn_epochs, logger, save)
        info["train_s"] = round(time.perf_counter() - t0, 1)
        scores = {s: score_classifier(classify, x, y, k=a.top) for s, (x, y) in sets.items()}
        res["nets"][net] = {**info, "sets": scores}
        line = "  ".join(f"{s} {r['acc'] * 100:.1f}/{r['in_set_acc'] * 100:.1f}" if s.startswith("dev")
                         else f"{s} {r['acc'] * 100:.1f}" for s, r in scores.items())
        print(f"{name} {net} ({info['train_s']:.0f} s): {line}", flush=True)
    res["loadavg"] = [round(v, 2) for v in os.getloadavg()]
    if a.out:
        write_json(a.out, res)
    return res


if __name__ == "__main__":
    main()
