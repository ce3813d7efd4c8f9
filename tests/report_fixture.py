"""Synthetic results/ for the report tests: every file the section fragments read, with the
structure the workflow's scripts write (small sizes), in two variants.

``write_results(root, "A")`` writes a consistent set; ``"B"`` writes the same files with every
number changed (:func:`perturb`: each distinct value mapped to another, so equal values stay
equal across files), other winners (the scene CNN loses to the bag of words, the scratch flower
network is still improving instead of overfitting, the best learning rate is at the edge of the
grid, the Q2 gradient check fails, one theory check fails, the trained weights are noise) and a
missing part (no autoencoder results).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

CLASSES = [chr(ord("A") + i) for i in range(26)] + [str(d) for d in range(10)]


def _png(path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((np.arange(30 * 40).reshape(30, 40) % 251).astype(np.uint8)).save(path)


def _json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))


def _scale(variant: str) -> float:
    """Variant B's curves: other numbers (and, where a verdict depends on it, another shape)."""
    return 1.0 if variant == "A" else 0.9


def _curve(start: float, end: float, n: int, bump_at: int | None = None, bump: float = 0.0) -> list[float]:
    c = list(np.geomspace(start, end, n)) if start > 0 and end > 0 else list(np.linspace(start, end, n))
    if bump_at is not None:
        c = [v + (bump * (i - bump_at) if i >= bump_at else 0.0) for i, v in enumerate(c)]
    return [float(v) for v in c]


def _hist(n: int, *, overfit: bool, acc0=0.3, acc1=0.8, train_eval=False, loss_key="train_loss", scale=1.0) -> dict:
    """A torch-loop history: overfitting (valid loss rises after 60% of the epochs while the
    training loss falls) or still improving (valid accuracy best at the end)."""
    k = int(n * (0.6 if scale == 1.0 else 0.5))
    acc0, acc1 = acc0 * scale, min(0.99, acc1 * scale)
    vl = _curve(2.0 * scale, 0.6 * scale, n, bump_at=k if overfit else None, bump=0.05)
    va = _curve(acc0, acc1, n)
    if overfit:
        va = va[:k] + [va[k - 1] - 0.002 * (i - k + 1) for i in range(k, n)]
    h = {"epoch": list(range(1, n + 1)), loss_key: _curve(2.2, 0.3, n), "train_acc": _curve(acc0 - 0.05, acc1 + 0.1, n),
         "valid_loss": vl, "valid_acc": va, "lr": [0.1] * n, "epoch_time": [1.5] * n}
    if train_eval:
        h.update(train_eval_loss=_curve(2.1, 0.25, n), train_eval_acc=_curve(acc0, acc1 + 0.12, n))
    return h


def _theory(root: Path) -> None:
    import yaml

    from nnrec.theory_checks import run_all

    cfg = yaml.safe_load((Path(__file__).resolve().parents[1] / "config.yaml").read_text())["theory"]
    cfg.update(softmax_samples=20, grid_points=101, stack_depth=6, stack_width=16, stack_samples=32,
               zero_init_samples=120, zero_init_epochs=10, linear_samples=5)
    _json(root / "theory" / "checks.json", json.loads(json.dumps(run_all(cfg), default=float)))
    for name in ("activations", "gradient_stack", "zero_init", "init_scaling", "softmax_stability"):
        _png(root / "theory" / f"{name}.png")


def _gradcheck(passed: bool) -> dict:
    def entry(shapes, err):
        pp = {}
        for i, (a, b) in enumerate(shapes, 1):
            name = "output" if i == len(shapes) else f"layer{i}"
            pp[f"W{name}"] = {"max_rel_error": err, "max_abs_error": err / 3, "shape": [a, b]}
            pp[f"b{name}"] = {"max_rel_error": err / 7, "max_abs_error": err / 9, "shape": [b]}
        return {"per_parameter": pp, "max_rel_error": err, "eps": 1e-5}

    checks = {"toy_2_25_4_sigmoid": entry([(2, 25), (25, 4)], 7.3e-8),
              "mlp_6_7_5_4_tanh_tanh": entry([(6, 7), (7, 5), (5, 4)], 1.34e-8),
              "autoencoder_64_8x3_sse": entry([(64, 8), (8, 8), (8, 8), (8, 64)], 1.05e-7 if passed else 3.2e-3)}
    worst = max(c["max_rel_error"] for c in checks.values())
    return {"eps": 1e-5, "tol": 1e-6, "relative_error": "|a-n| / max(|a|+|n|, 1e-2 max|a| of the parameter)",
            "dtype": "float64", "passed": worst < 1e-6, "max_rel_error": worst, "checks": checks}


def _q2(root: Path, variant: str) -> None:
    n = 60
    loss = _curve(66.07 * _scale(variant), 25.36 * _scale(variant), n)
    _json(root / "numpy_nn/q2/metrics.json", {
        "part": "q2", "data_source": "synthetic: the assignment's Gaussian blobs in 2-D (run_q2.py), seeded",
        "seed": 16720, "config_hash": "aaaa", "loss_reduction": "sum",
        "toy": {"n_examples": 40, "hidden": 25, "iters": n, "batch_size": 5, "lr": 0.001, "initial_loss": 71.42,
                "expected_initial_loss": 55.4518, "initial_acc": 0.25, "final_loss": loss[-1], "final_acc": 0.875,
                "history": {"iter": list(range(1, n + 1)), "loss": loss, "acc": _curve(0.25, 0.875, n)}},
        "gradcheck": _gradcheck(variant == "A"), "wall_time_s": 0.3})
    _png(root / "numpy_nn/q2/training.png")


def _q3(root: Path, variant: str) -> None:
    epochs, seeds = 12, [16720, 1, 2]
    # the sweep's grid and each rate's validation accuracy (main seed); A chooses inside the grid,
    # B at its top edge, so B's study has an extra run above the grid
    grid = ({0.0001: 0.52, 0.0003: 0.70, 0.001: 0.83, 0.003: 0.89, 0.01: 0.875, 0.03: 0.86, 0.1: 0.41} if variant == "A"
            else {0.0003: 0.6, 0.003: 0.8, 0.03: 0.85})
    best = 0.003 if variant == "A" else 0.03
    lrs = [best / 10, best, best * 10] if variant == "A" else [0.003, 0.03, 0.3]
    lrs = [float(f"{lr:g}") for lr in lrs]
    source = "nist36: offline stand-in generated from pen strokes (seed 3672), not the real data"
    rng = np.random.default_rng(5 if variant == "A" else 6)
    quality = {**grid, **({0.3: 0.2} if variant == "B" else {})}
    rows, main_dirs, sweep_runs = [], {}, []
    for lr in sorted(set(grid) | set(lrs)):
        va = [quality[lr] + d for d in (0.0, 0.002, -0.003)]
        for seed, v in zip(seeds if lr in lrs else seeds[:1], va):
            run = f"q3_lr{lr:g}" + ("" if seed == seeds[0] else f"_seed{seed}")
            wobble = 0.08 if lr > best else 0.0
            # another seed: another training curve (Q6.1.1 judges its cross-check by this spread)
            shift = 0.01 * seeds.index(seed)
            tl = [x + shift + (wobble * (i % 2)) for i, x in enumerate(_curve(2.3 * _scale(variant), 0.2 if lr >= best else 1.1, epochs))]
            _json(root / f"numpy_nn/{run}/metrics.json", {
                "part": "q3", "run": run, "lr": lr, "seed": seed, "batch_size": 32, "epochs": epochs, "hidden": 64,
                "activation": "sigmoid", "loss_reduction": "sum", "dtype": "float32",
                "history": {"epoch": list(range(1, epochs + 1)), "train_loss": tl, "train_acc": _curve(0.5, v + 0.06, epochs),
                            "valid_loss": _curve(2.3 * _scale(variant), 0.35, epochs, bump_at=8, bump=0.01),
                            "valid_acc": _curve(0.5 * _scale(variant), v, epochs)},
                "final": {"train_loss": tl[-1], "train_acc": v + 0.06, "valid_loss": 0.35, "valid_acc": v,
                          "test_loss": 0.36, "test_acc": v - 0.004},
                "data_source": source, "wall_time_s": 6.3})
            if seed == seeds[0]:
                main_dirs[lr] = f"results/numpy_nn/{run}"
                _png(root / f"numpy_nn/{run}/curves.png")
                if lr in grid:
                    sweep_runs.append({"lr": lr, "tag": f"{lr:g}", "dir": main_dirs[lr], "seed": seed, "valid_acc": v,
                                       "train_acc": v + 0.06, "valid_loss": 0.35})
        if lr in lrs:
            role = "best" if lr == best else "lower" if lr < best else "higher"
            rows.append({"lr": lr, "seeds": seeds, "valid_acc": va, "valid_acc_mean": float(np.mean(va)),
                         "valid_acc_std": float(np.std(va, ddof=1)), "test_acc": [v - 0.004 for v in va],
                         "test_acc_mean": float(np.mean(va)) - 0.004, "train_acc_mean": float(np.mean(va)) + 0.06,
                         "valid_loss_mean": 0.35 + lr, "role": role, "ratio": lr / best, "on_grid": lr in grid,
                         "dir": main_dirs[lr], "dirs": [main_dirs[lr]] + [f"{main_dirs[lr]}_seed{k}" for k in seeds[1:]]})
    sweep = {"grid": sorted(grid), "runs": sweep_runs, "chosen_lr": best, "chosen_valid_acc": grid[best],
             "at_edge": None if variant == "A" else "highest", "factor": 10.0, "seed": seeds[0]}
    _json(root / "numpy_nn/q3/lr_choice.json", {
        "part": "q3", **sweep, "chosen_tag": f"{best:g}", "chosen_dir": main_dirs[best],
        "selection": "highest final validation accuracy over the grid",
        "study": [{"role": r["role"], "ratio": r["ratio"], "lr": r["lr"], "tag": f"{r['lr']:g}", "on_grid": r["on_grid"]}
                  for r in rows], "data_source": source, "wall_time_s": 0.2})
    _png(root / "numpy_nn/q3/lr_sweep.png")
    # weights: initial uniform noise; trained smooth (A) or noise again (B)
    init = rng.uniform(-0.2, 0.2 if variant == "A" else 0.25, size=(1024, 64)).astype(np.float32)
    yy, xx = np.mgrid[0:32, 0:32]
    smooth = np.stack([np.sin(xx / (2 + k % 5)) * np.cos(yy / (3 + k % 4)) for k in range(64)], -1).reshape(1024, 64)
    trained = (0.6 * smooth if variant == "A" else rng.normal(0, 0.1, size=(1024, 64))).astype(np.float32)
    bdir = root / main_dirs[best].removeprefix("results/")
    np.savez(bdir / "weights_init.npz", Wlayer1=init)
    (root / "numpy_nn/q3/best").mkdir(parents=True, exist_ok=True)
    np.savez(root / "numpy_nn/q3/best/weights.npz", Wlayer1=trained)
    conf = np.diag(np.full(36, 45)).astype(int)
    conf[CLASSES.index("O"), CLASSES.index("0")] = 6
    conf[CLASSES.index("0"), CLASSES.index("O")] = 4
    conf[CLASSES.index("U"), CLASSES.index("V")] = 3
    conf[CLASSES.index("S"), CLASSES.index("5")] = 2
    from nnrec.metrics import top_confused_pairs

    best_row = next(r for r in rows if r["lr"] == best)
    main = json.loads((root / main_dirs[best].removeprefix("results/") / "metrics.json").read_text())
    _json(root / "numpy_nn/q3/summary.json", {
        "part": "q3", "best_lr": best, "selection": "highest final validation accuracy over the grid",
        "best_lr_by_seed_mean": best, "sweep": sweep,
        "lrs": rows, "seeds": seeds, "best_run": {"dir": main_dirs[best], "seed": seeds[0], **main["final"]},
        "best_lr_over_seeds": best_row, "test_acc": float(np.trace(conf) / conf.sum()),
        "confusion": {"classes": CLASSES, "matrix": conf.tolist(), "top_pairs": top_confused_pairs(conf, CLASSES, 4),
                      "n_test": int(conf.sum())},
        "batch_size": 32, "epochs": epochs, "hidden": 64, "loss_reduction": "sum", "data_source": source,
        "seed": seeds[0], "wall_time_s": 4.0})
    for f in ("accuracy", "loss", "weights", "confusion", "seeds"):
        _png(root / f"numpy_nn/q3/{f}.png")
    _png(root / "data/nist36_contact_sheet.png")


def _ocr(root: Path, variant: str) -> None:
    pages = ["01_list", "02_letters"]
    per_page = {p: {"true_chars": 40 + 10 * i, "boxes": 41 + 10 * i, "found": 38 + 10 * i, "missed": 2,
                    "spurious": 3, "recall": (38 + 10 * i) / (40 + 10 * i), "precision": (38 + 10 * i) / (41 + 10 * i)}
                for i, p in enumerate(pages)}
    det = {"true_chars": 90, "boxes": 92, "found": 86, "missed": 4, "spurious": 6, "recall": 86 / 90,
           "precision": 86 / 92, "per_page": per_page}

    def accs(base):
        return {**{p: base + 0.01 * i for i, p in enumerate(pages)}, "mean": base + 0.005}

    clf = {n: {"char_acc": accs(b), "word_acc": accs(b - 0.2), "char_acc_raw": accs(b - 0.01),
               "char_acc_context": accs(b + 0.02)} for n, b in (("q3", 0.81), ("cnn", 0.88))}
    _json(root / "ocr/summary.json", {
        "pages": pages, "detection": det, "classifiers": clf, "classifiers_missing": {},
        "texts": {p: {"q3": ["HELL0 W0RLD"], "cnn": ["HELLO WORLD"]} for p in pages},
        "true_lines": {p: ["HELLO WORLD"] for p in pages}, "word_context": False,
        "data_source": "ocr_pages: the original files", "wall_time_s": 1.0})
    for p in pages:
        _png(root / f"ocr/{p}.png")
        _png(root / f"ocr/{p}_crops.png")
    cases = {"touching": (14, 1, 0, 1, {"speck": 0, "punctuation": 0, "border_or_rule": 1}),
             "ruled": (19, 0, 0, 0, {"speck": 0, "punctuation": 0, "border_or_rule": 2}),
             "shadow": (15, 15, 15, 0, {"speck": 9, "punctuation": 0, "border_or_rule": 0})}
    _json(root / "ocr/failures/failures.json", {
        "cases": {n: {"true_chars": t, "boxes": b, "found": f, "missed": t - f, "spurious": s,
                      "recall": f / t, "precision": (b - s) / b if b else 1.0, "mean_iou": 0.9,
                      "detection": {"n_boxes": b, "rejected": rej}, "text": ["X"]}
                  for n, (t, b, f, s, rej) in cases.items()},
        "iou_min": 0.5, "seed": 4720, "data_source": "generated", "wall_time_s": 1.0})
    _png(root / "ocr/failures/failures.png")
    gen_pages = ["gen_01", "gen_02"]
    _json(root / "ocr/generated/summary.json", {
        "pages": gen_pages,
        "box_match": {p: {"true_chars": 30, "boxes": 31, "found": 29, "missed": 1, "spurious": 2, "mean_iou": 0.8}
                      for p in gen_pages},
        "classifiers": {"q3": {"char_acc": {"mean": 0.77}, "word_acc": {"mean": 0.5}}},
        "classifier_training_data": "nist36: stand-in", "iou_min": 0.5,
        "data_source": "generated pages (seed 4720)", "wall_time_s": 1.0})
    _png(root / "ocr/generated/gen_01.png")


def _autoencoder(root: Path) -> None:
    n = 30

    def run(label, lr, end):
        loss = _curve(1.06e6, end, n)
        loss = [v * (1.001 if i in (7, 19) else 1.0) for i, v in enumerate(loss)]
        at = {str(e): loss[e - 1] for e in (1, 5, 10, 20, n)}
        per_class = {c: 15 + (i % 7) * 0.3 for i, c in enumerate(CLASSES)}
        return {"epochs": n, "lr": lr, "lr_decay": 0.9, "lr_decay_every": 10, "label": label, "train_seconds": 19.0,
                "epoch_seconds_mean": 0.6, "history": {"epoch": list(range(1, n + 1)), "train_loss_total": loss},
                "final_train_loss_total": loss[-1],
                "loss_shape": {"loss_at_epoch": at, "fraction_of_total_drop_by_epoch_10": 0.83,
                               "relative_drop_over_last_epochs": 0.02, "last_epochs": 6, "monotone": False,
                               "increases": 2},
                "psnr_mean": 16.7 if lr == 3e-5 else 17.7, "psnr_std": 1.9, "psnr_median": 16.6,
                "psnr_per_class": per_class, "test_psnr_mean": 16.6}

    ae_ok = _gradcheck(True)["checks"]["autoencoder_64_8x3_sse"]
    _json(root / "autoencoder/metrics.json", {
        "part": "q5", "runs": {"default": run("assignment defaults", 3e-5, 2.98e5), "tuned": run("tuned: half the learning rate", 1.5e-5, 2.5e5)},
        "default_run": "default",
        "pca": {"components": 32, "centred": True, "fit_seconds": 0.4, "psnr_mean": 17.0, "psnr_std": 1.7,
                "psnr_median": 16.9, "psnr_per_class": {c: 16.0 + (i % 5) * 0.4 for i, c in enumerate(CLASSES)},
                "test_psnr_mean": 16.95},
        "psnr_definition": "skimage.metrics.peak_signal_noise_ratio(data_range=1) per validation image, then averaged",
        "code_size": 32, "n_valid": 3600, "shown_examples": {"indices": list(range(10)), "classes": ["A", "G", "M", "3", "8"]},
        "shown": {"indices": list(range(10)), "labels": ["A", "A", "G", "G", "M", "M", "3", "3", "8", "8"],
                  "psnr": {"AE default": [15.1, 16.2, 14.4, 17.3, 12.9, 16.8, 17.9, 15.5, 16.1, 18.2],
                           "AE tuned": [15.4, 16.5, 14.9, 17.6, 13.2, 17.0, 18.1, 15.8, 16.4, 18.5],
                           "PCA 32": [15.9, 16.0, 15.1, 17.0, 14.2, 16.1, 17.4, 15.2, 16.6, 17.7]},
                  "sharpness": {"original": [0.121] * 10, "AE default": [0.081] * 10, "AE tuned": [0.083] * 10,
                                "PCA 32": [0.072] * 10},
                  "psnr_mean": {"AE default": 16.04, "AE tuned": 16.34, "PCA 32": 16.12},
                  "sharpness_mean": {"original": 0.121, "AE default": 0.081, "AE tuned": 0.083, "PCA 32": 0.072},
                  "sharpness_definition": "mean gradient magnitude: the mean over the 32 x 32 pixels of |grad I| "
                                          "(numpy.gradient, central differences), intensities in [0, 1]; higher = sharper edges"},
        "gradcheck": {**ae_ok, "passed": True, "tol": 1e-6, "max_rel_error": 1.18e-7},
        "batch_size": 36, "momentum": 0.9, "loss_reduction": "sum", "seed": 16720,
        "data_source": "nist36: offline stand-in generated from pen strokes (seed 3672), not the real data"})
    for f in ("reconstructions", "loss", "psnr_per_class"):
        _png(root / f"autoencoder/{f}.png")


def _layers(convs: list[int], pools: int, pool: int = 2, global_pools: int = 0) -> dict:
    """The metrics' "layers" (nnrec.torch_models.geometry.layer_geometry) of a model with these
    convolution kernel sides and ``pools`` pooling layers of side ``pool``."""
    return {"conv_kernels": [[k, k] for k in convs], "pool_kernels": [[pool, pool]] * pools, "pool_kinds": ["max"] * pools,
            "conv_kernel": convs[0] if len(set(convs)) == 1 else None, "pool_kernel": pool if pools else None,
            "global_pools": global_pools}


def _torch(root: Path, variant: str) -> None:
    src = "nist36: offline stand-in generated from pen strokes (seed 3672), not the real data"
    fc_hist = _hist(12, overfit=False, acc0=0.58, acc1=0.896, train_eval=True, scale=_scale(variant))
    fc_cfg = {"epochs": 12, "batch_size": 32, "model": {"hidden": 64, "activation": "sigmoid"},
              "optimizer": {"name": "sgd", "lr": 0.003, "momentum": 0.0}, "scheduler": {"name": "none"},
              "eval_train": True, "restore_best": False}
    _json(root / "pytorch/nist36_fc/metrics.json", {
        "part": "q6_1", "experiment": "nist36_fc", "arch": "fc", "train_acc": 0.957, "valid_acc": 0.8964,
        "test_acc": 0.8956, "n_params": 67940, "train_time_s": 21.36, "epoch_time_s_mean": 0.38, "device": "cpu",
        "threads": 1, "seed": 16720, "config": fc_cfg, "data_source": src, "history": fc_hist, "kept_epoch": 12,
        "crosscheck": {"numpy_run": "results/numpy_nn/q3_lr0.003", "epochs_compared": 12, "numpy_final_valid_acc": 0.8964,
                       "max_abs_diff_train_loss": 7.39e-8, "max_abs_diff_train_acc": 0.0,
                       "max_abs_diff_valid_loss": 9.93e-8, "max_abs_diff_valid_acc": 0.0}})
    cnn_cfg = {"epochs": 10, "batch_size": 128, "label_smoothing": 0.1, "augment": {"translate": 2},
               "model": {"widths": [16, 32, 64], "hidden": 128, "dropout": 0.25},
               "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9}, "scheduler": {"name": "onecycle"}}
    _json(root / "pytorch/nist36_cnn/metrics.json", {
        "part": "q6_1", "experiment": "nist36_cnn", "arch": "cnn", "train_acc": 0.97, "valid_acc": 0.9588,
        "test_acc": 0.9544, "n_params": 151000, "train_time_s": 69.1, "epoch_time_s_mean": 6.2, "device": "cpu",
        "threads": 1, "seed": 16722, "config": cnn_cfg, "kept_epoch": 9 if variant == "A" else 10,
        # A: the metadata of a source with caveats (the Data line names the source, the cover its caveats)
        **({"data_source": src + ". A caveat", "data_source_short": src} if variant == "A" else {"data_source": src}),
        "history": _hist(10, overfit=False, acc0=0.7, acc1=0.9588, scale=_scale(variant)),
        "layers": _layers([3] * 6, 3),
        # the same test images as Q3 (1,635); A shares Q3's top pair O/0, B none of its pairs
        "confusion": {"n_test": 1635, "errors": 9, "accuracy": 1626 / 1635, "top_pairs": [
            {"pair": p, "count": c, "true_a_pred_b": c - 1, "true_b_pred_a": 1}
            for p, c in ((["O", "0"], 5), (["I", "1"], 3), (["Z", "2"], 2)) if variant == "A" or p != ["O", "0"]]
            + ([{"pair": ["Q", "9"], "count": 2, "true_a_pred_b": 1, "true_b_pred_a": 1}] if variant == "B" else [])}})
    _json(root / "pytorch/q6_1/nist36_compare.json", {"rows": [
        {"model": "fc", "n_params": 67940, "epochs": 12, "train_acc": 0.957, "valid_acc": 0.8964, "test_acc": 0.8956,
         "valid_loss": 0.31, "train_time_s": 21.36, "epoch_time_s_mean": 0.38, "device": "cpu"},
        {"model": "cnn", "n_params": 151000, "epochs": 10, "train_acc": 0.97, "valid_acc": 0.9588, "test_acc": 0.9544,
         "valid_loss": 0.2, "train_time_s": 69.1, "epoch_time_s_mean": 6.2, "device": "cpu"}], "status": "ok"})
    for f in ("nist36_fc/curves.png", "nist36_fc/crosscheck.png", "nist36_cnn/curves.png", "q6_1/nist36_compare.png",
              "cifar10/curves.png"):
        _png(root / "pytorch" / f)
    _json(root / "pytorch/cifar10/metrics.json", {
        "part": "q6_1", "experiment": "cifar10", "layers": _layers([2] + [3] * 6, 3), "config": {
            "whiten_samples": 5000, "model": {"widths": [32, 128, 128]}, "batch_size": 1024,
            "optimizer": {"momentum": 0.85}, "scheduler": {"name": "linear"}, "label_smoothing": 0.2,
            "augment": {"crop_pad": 2}, "autocast": "bfloat16"},
        "n_params": 400000, "epochs": 10, "n_train": 48000, "n_valid": 2000, "n_test": 10000, "test_acc": 0.8712,
        "test_acc_no_tta": 0.865, "train_time_s": 690.0, "device": "cpu", "threads": 1, "epoch_time_s_mean": 68.0,
        "history": _hist(10, overfit=False, acc0=0.4, acc1=0.87, scale=_scale(variant)), "data_source": "cifar10: mirror"})


def _scenes(root: Path, variant: str) -> None:
    classes = ["aquarium", "desert", "highway", "kitchen", "laundromat", "park", "waterfall", "windmill"]
    bow_nn, bow_lin, cnn_acc, fz_acc = (0.56, 0.66, 0.715, 0.858) if variant == "A" else (0.6, 0.7, 0.55, 0.9)
    _json(root / "scenes/sun_bow/metrics.json", {
        "part": "q6_1_4", "experiment": "sun_bow", "method": "HW1 bag of words: filter responses, k-means, pyramid",
        "test_acc": bow_nn, "test_acc_nn": bow_nn, "test_acc_linear": bow_lin, "classes": classes, "feature_dim": 2100,
        "train_time_s": 300.0, "workers": 2, "n_train": 1177, "n_test": 400,
        "config": {"alpha": 150, "dict_images": 300, "k": 100}, "data_source": "sun: mirror"})
    _json(root / "scenes/sun_cnn/metrics.json", {
        "part": "q6_1_4", "experiment": "sun_cnn", "layers": _layers([3] * 4, 4, global_pools=1), "classes": classes, "epochs": 30, "input_size": 64, "n_train": 1057,
        "n_valid": 120, "n_test": 400, "valid_acc": 0.72, "test_acc": cnn_acc, "n_params": 390000,
        "train_time_s": 420.0, "device": "cpu", "threads": 2,
        "config": {"widths": [32, 64, 128, 256], "convs_per_stage": 1, "dropout": 0.3, "label_smoothing": 0.1,
                   "optimizer": {"name": "sgd", "lr": 0.1}, "scheduler": {"name": "onecycle"},
                   "augment": {"crop_scale": [0.35, 1.0]}},
        "history": _hist(30, overfit=variant == "A", acc0=0.3, acc1=0.72, scale=_scale(variant)), "data_source": "sun: mirror"})
    _json(root / "scenes/compare.json", {"part": "q6_1_4", "rows": [
        {"method": "bag of words (HW1): NN, histogram intersection", "key": "bow_nn", "backbone": None, "weights": None,
         "test_acc": bow_nn, "valid_acc": None, "train_time_s": 300.0, "n_params": None},
        {"method": "bag of words: linear classifier on the same histograms", "key": "bow_linear", "backbone": None,
         "weights": None, "test_acc": bow_lin, "valid_acc": None, "train_time_s": 300.0, "n_params": None},
        {"method": "CNN from scratch", "key": "cnn", "backbone": None, "weights": "random init", "test_acc": cnn_acc,
         "valid_acc": 0.72, "train_time_s": 420.0, "n_params": 390000, "epochs": 30},
        {"method": "frozen mobilenet_v2 features + linear", "key": "sun_frozen_mobilenet_v2", "backbone": "mobilenet_v2",
         "weights": "ImageNet", "test_acc": fz_acc, "valid_acc": 0.86, "train_time_s": 90.0, "n_params": 10248, "epochs": 30}],
        "data_source": ["sun: mirror"], "missing": []})
    for f in ("sun_cnn/curves.png", "sun_bow/confusion.png", "sun_cnn/confusion.png"):
        _png(root / "scenes" / f)


def _flowers(root: Path, variant: str) -> None:
    classes = [f"flower{i}" for i in range(17)]
    split = {"split_source": "seeded (stratified, per class 40/20/20)", "classes": classes,
             "n_train": 680, "n_valid": 340, "n_test": 340}
    sc_hist = _hist(40, overfit=variant == "A", acc0=0.1, acc1=0.66, scale=_scale(variant))
    _json(root / "pytorch/flowers_scratch/metrics.json", {
        "part": "q6_2", "method": "3 conv + 2 FC from scratch", "epochs": 40, "input_size": 96, **split,
        "valid_acc": 0.66, "test_acc": 0.674, "n_params": 2400000, "n_trainable": 2400000, "train_time_s": 600.0,
        "device": "cpu", "config": {"widths": [32, 64, 128], "hidden": 256, "dropout": 0.5,
                                    "optimizer": {"name": "sgd", "lr": 0.05}, "scheduler": {"name": "onecycle"}},
        "history": sc_hist, "layers": _layers([3] * 3, 3, global_pools=1), "data_source": "flowers17: mirror"})
    rows = [{"stage": "frozen", "method": "frozen backbone + new classifier", "valid_acc": 0.93, "test_acc": 0.947,
             "epochs": 40, "train_time_s": 120.0, "n_params": 2245000, "n_trainable": 21777},
            {"stage": "full", "method": "whole network", "valid_acc": 0.91, "test_acc": 0.92, "epochs": 1,
             "train_time_s": 200.0, "n_params": 2245000, "n_trainable": 2245000}]
    _json(root / "pytorch/flowers_finetune_mobilenet_v2/metrics.json", {
        "part": "q6_2", "backbone": "mobilenet_v2", "weights": "ImageNet", "rows": rows, "test_acc": 0.947, **split,
        "data_source": "flowers17: mirror",
        "config": {"head": {"epochs": 40, "optimizer": {"name": "adamw", "lr": 0.001}},
                   "full": {"epochs": 1, "optimizer": {"name": "sgd", "lr": 0.002, "momentum": 0.9}}}})
    _json(root / "pytorch/flowers_finetune_squeezenet1_1/metrics.json", {"status": "missing", "reason": "no weights"})
    _json(root / "pytorch/flowers/compare.json", {
        "part": "q6_2", "split_source": split["split_source"],
        "rows": [{"model": f"mobilenet_v2 ({r['stage']})", "backbone": "mobilenet_v2", "weights": "ImageNet", **r} for r in rows]
        + [{"model": "3 conv + 2 FC (scratch)", "backbone": None, "weights": "random init", "stage": "scratch",
            "method": "3 conv + 2 FC", "valid_acc": 0.66, "test_acc": 0.674, "epochs": 40, "train_time_s": 600.0,
            "n_params": 2400000, "n_trainable": 2400000}],
        "missing": [{"file": "results/pytorch/flowers_finetune_squeezenet1_1/metrics.json", "reason": "no weights"}],
        "missing_backbones": ["squeezenet1_1"], "total_train_time_s": 920.0})
    for f in ("flowers_finetune_mobilenet_v2/curves.png", "flowers_scratch/curves.png"):
        _png(root / "pytorch" / f)


def _fidelity(root: Path, variant: str) -> None:
    """results/fidelity/ as the fidelity rules write it, from a simulated classifier: in A every
    network reads the real characters worse than its NIST36 test split, beyond sampling noise;
    in B (written after the perturbation, with its own numbers) better or no differently."""
    from nnrec.fidelity import class_confusions, reference_scores, score_scores, seed_record, summarise

    rng = np.random.default_rng(11 if variant == "A" else 13)
    digits, letters = np.arange(26, 36), np.arange(26)
    # B: larger sets, so its sampling-noise bars (derived numbers) cannot coincide with A's
    sets = {"dev_mnist": (digits, 12 if variant == "A" else 31), "dev_comnist": (letters, 4 if variant == "A" else 13)}
    # (dev accuracy, reference accuracy) per classifier
    quality = ({"q3": (0.55, 0.83), "cnn": (0.72, 0.93)} if variant == "A" else
               {"q3": (0.81, 0.79), "cnn": (0.995, 0.85)})
    labels = {"q3": "Q3 network (numpy)", "cnn": "Q6.1.2 CNN (PyTorch)"}

    def scores(y, acc):
        s = rng.random((len(y), 36)) * 0.1
        right = rng.random(len(y)) < acc
        wrong = (y + 1 + rng.integers(0, 3, len(y))) % 36  # a few confusions per class
        s[np.arange(len(y)), np.where(right, y, wrong)] += 1.0
        s[np.arange(len(y)), y] += 0.5 * (~right)  # in-set the right class is often second
        return s

    ref_y = np.repeat(np.arange(36), 9 if variant == "A" else 23)
    records = {}
    for name, (cls, per) in sets.items():
        y = np.repeat(cls, per)
        records[name] = {}
        for c, (acc, ref_acc) in quality.items():
            sc = scores(y, acc)
            rec = score_scores(sc, y)
            rec["class_confusions"] = class_confusions(sc.argmax(1), y)
            rec["reference"] = reference_scores(scores(ref_y, ref_acc), ref_y, cls)
            rec.update(classifier=c, label=labels[c], set=name, data={
                "set": f"{name}: the data mirror", "set_caveats": [], "training_data": "nist36: stand-in",
                "training_source": "standin" if variant == "A" else "mirror",
                "training_description": "NIST36 offline stand-in" if variant == "A" else "NIST36 (the course's data.zip)",
                "reference": "the NIST36 source's test split"})
            rec = json.loads(json.dumps(rec))
            _json(root / f"fidelity/{name}/{c}.json", rec)
            records[name][c] = rec
        if variant == "A":  # the Q6.1.1 FC network: the Q3 run rebuilt in PyTorch, the same accuracies
            fc = {**records[name]["q3"], "classifier": "fc", "label": "Q6.1.1 FC network (PyTorch)"}
            if name == next(iter(sets)):  # rounding moves two images of the first set
                fc["acc"] = fc["acc"] + 2 / fc["n"]
            _json(root / f"fidelity/{name}/fc.json", fc)
            records[name]["fc"] = fc
        if variant == "A":  # the Q3 network's three training seeds (B: none, so no such paragraph)
            runs = [(label, lambda v, sc=scores(y, quality["q3"][0] + d): sc)
                    for label, d in (("main run (seed 16720)", 0.0), ("repeat seed 1", -0.08), ("repeat seed 2", 0.05))]
            seeds = seed_record(runs, np.zeros((len(y), 1)), y)
            _json(root / f"fidelity/{name}/q3_seeds.json", json.loads(json.dumps({"classifier": "q3", "set": name, **seeds})))
        _png(root / f"fidelity/{name}/contact_sheet.png")
    summary = summarise(records)
    summary["worst_classes"] = 3 if variant == "A" else 4
    summary["same_within_images"] = 3
    _json(root / "fidelity/summary.json", summary)


def _new_value(x: Any) -> Any:
    """Another value for ``x``, the same for equal inputs (so cross-file equalities hold)."""
    if isinstance(x, bool) or x is None:
        return x
    h = int(hashlib.sha256(repr(x).encode()).hexdigest(), 16)
    if isinstance(x, int):
        return x + 3 + h % 11
    if isinstance(x, float):
        return x * (1.13 + (h % 700) / 1000) + (h % 97) / 1e4
    return x


def perturb(data: Any, keep: tuple[str, ...] = ()) -> Any:
    """Every number in a JSON structure replaced by :func:`_new_value` (dict keys and strings kept)."""
    if isinstance(data, dict):
        return {k: (v if k in keep else perturb(v, keep)) for k, v in data.items()}
    if isinstance(data, list):
        return [perturb(v, keep) for v in data]
    return _new_value(data)


# values B sets after the perturbation, so that its winners are the opposite of A's whatever the
# perturbation drew: the scene CNN loses to the bag of words (A: it wins)
B_WINNERS = {
    "scenes/sun_bow/metrics.json": {"test_acc": 0.61, "test_acc_nn": 0.61, "test_acc_linear": 0.71},
    "scenes/sun_cnn/metrics.json": {"test_acc": 0.52},
    "scenes/compare.json": {"rows.0.test_acc": 0.61, "rows.1.test_acc": 0.71, "rows.2.test_acc": 0.52},
    # detection copes with the shadow only partly: 13 of its characters found with 14 boxes (A: all, none spurious)
    "ocr/failures/failures.json": {"cases.shadow.found": 13, "cases.shadow.boxes": 14, "cases.shadow.spurious": 1},
    "ocr/summary.json": {"detection.per_page.01_list.found": 44},
}


def _set(data: Any, dotted: str, value: Any) -> Any:
    *path, last = dotted.split(".")
    cur = data
    for p in path:
        cur = cur[int(p)] if isinstance(cur, list) else cur[p]
    cur[int(last) if isinstance(cur, list) else last] = value
    return data


def write_results(root: Path, variant: str = "A") -> Path:
    """Write results/ under ``root`` (see the module docstring); returns ``root``."""
    root = Path(root)
    _theory(root)
    _q2(root, variant)
    _q3(root, variant)
    _ocr(root, variant)
    _autoencoder(root)
    _torch(root, variant)
    _scenes(root, variant)
    _flowers(root, variant)
    if variant == "B":
        for f in sorted(root.rglob("*.json")):
            data = json.loads(f.read_text())
            # keep what names files and picks runs, and the curves whose shape a verdict reads
            # (each variant draws its own; keys are never perturbed either)
            data = perturb(data, keep=("status", "passed", "seeds", "seed", "dir", "numpy_run", "shape", "matrix",
                                       "history"))
            for key, value in B_WINNERS.get(str(f.relative_to(root)), {}).items():
                data = _set(data, key, value)
            if f.name == "checks.json":
                data["softmax_properties"]["passed"] = False  # one theory check fails
                data["all_passed"] = False
            f.write_text(json.dumps(data, indent=1))
        # the seeds (kept above so the runs can be told apart) still get other values in the text
        import shutil

        shutil.rmtree(root / "autoencoder")  # a part that has not run
    _fidelity(root, variant)  # B: its own numbers and verdicts (accuracies must stay fractions)
    return root
