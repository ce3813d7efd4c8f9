"""Q5.3: reconstructions, validation PSNR (per image, then averaged; per class), the PCA baseline,
and a float64 gradient check of the autoencoder architecture."""

import time
from pathlib import Path

import numpy as np

from nnrec import NIST36_CLASSES
from nnrec.common import config_hash, get_logger, read_json, save_figure, set_threads, write_json
from nnrec.data import describe_source, load_nist36
from nnrec.data.missing import skip_if_missing
from nnrec.numpy_nn import Network, check_gradients, limit_blas_threads, make_autoencoder
from nnrec.numpy_nn.autoencoder import (pca_fit, pca_reconstruct, per_class_mean, pick_examples, psnr_per_image,
                                        reconstruct)
from nnrec.numpy_nn.plots import plot_ae_loss, plot_psnr_per_class, plot_reconstructions

sm = snakemake  # noqa: F821
log = get_logger("autoencoder_summary", sm.log[0])
set_threads(sm.threads)
limit_blas_threads(sm.threads)
if skip_if_missing(sm, [sm.input.prov]):
    log.warning("NIST36 unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)
t0 = time.perf_counter()
cfg = sm.params.cfg
folder = Path(sm.input.prov).parent
xtr, _ = load_nist36(folder, "train")
xva, yva = load_nist36(folder, "valid")
xte, _ = load_nist36(folder, "test")
source = describe_source(sm.input.prov)
names = list(sm.params.run_names)

methods, recons, recons_test, runs = {}, {}, {}, {}
for name, mfile, wfile in zip(names, sm.input.metrics, sm.input.weights):
    runs[name] = read_json(mfile)
    net = Network.load(wfile)
    recons[f"AE {name}"] = reconstruct(net, xva)
    recons_test[f"AE {name}"] = reconstruct(net, xte)
t_pca = time.perf_counter()
mean, comps = pca_fit(xtr, cfg["pca_components"])
recons[f"PCA {cfg['pca_components']}"] = pca_reconstruct(xva, mean, comps)
recons_test[f"PCA {cfg['pca_components']}"] = pca_reconstruct(xte, mean, comps)
pca_seconds = time.perf_counter() - t_pca
for label, rec in recons.items():
    p = psnr_per_image(xva, rec)
    methods[label] = {"psnr_mean": float(p.mean()), "psnr_std": float(p.std()), "psnr_median": float(np.median(p)),
                      "psnr_per_class": per_class_mean(p, yva, NIST36_CLASSES),
                      "test_psnr_mean": float(psnr_per_image(xte, recons_test[label]).mean())}
    log.info(f"{label}: mean validation PSNR {p.mean():.3f} dB (sd {p.std():.3f})")

# gradient check of the autoencoder architecture (small input, float64)
gc = cfg["gradcheck"]
rng = np.random.default_rng([cfg["seed"], 7])
ae = make_autoencoder(gc["input_size"], cfg["code_size"], rng, dtype=np.float64, reduction=cfg["loss_reduction"])
xg = rng.uniform(size=(gc["n_examples"], gc["input_size"]))
grad = check_gradients(ae, xg, xg, gc["eps"])
grad["passed"] = bool(grad["max_rel_error"] < gc["tol"])
grad["tol"] = gc["tol"]
log.info(f"autoencoder gradient check: max relative error {grad['max_rel_error']:.2e} "
         f"({'pass' if grad['passed'] else 'FAIL'})")

# figures
idx = pick_examples(yva, NIST36_CLASSES, cfg["show_classes"], cfg["show_per_class"])
save_figure(plot_reconstructions(xva[idx], {k: v[idx] for k, v in recons.items()},
                                 [NIST36_CLASSES[yva[i]] for i in idx]), sm.output.recon_fig)
save_figure(plot_ae_loss({f"{n} (lr {runs[n]['lr']:g})": runs[n]["history"] for n in names}), sm.output.loss_fig)
save_figure(plot_psnr_per_class({k: v["psnr_per_class"] for k, v in methods.items()}), sm.output.psnr_fig)

def loss_shape(h):
    """Numbers behind the Q5.2 comment: where the training loss drops and where it flattens."""
    L = np.asarray(h["train_loss_total"], dtype=float)
    n = len(L)
    at = {e: float(L[e - 1]) for e in sorted({1, min(5, n), min(10, n), min(20, n), min(50, n), n})}
    drop = L[0] - L[-1]
    frac10 = float((L[0] - L[min(10, n) - 1]) / drop) if drop > 0 else float("nan")
    k = max(1, n // 5)
    last = float((L[-k - 1] - L[-1]) / L[-k - 1]) if n > k else float("nan")
    return {"loss_at_epoch": at, "fraction_of_total_drop_by_epoch_10": frac10,
            "relative_drop_over_last_epochs": last, "last_epochs": k,
            "monotone": bool(np.all(np.diff(L) <= 0)), "increases": int(np.sum(np.diff(L) > 0))}


default = names[0]
pca_label = f"PCA {cfg['pca_components']}"
summary = {
    "part": "q5", "runs": {n: {k: runs[n][k] for k in ("epochs", "lr", "lr_decay", "lr_decay_every", "label",
                                                        "train_seconds", "epoch_seconds_mean")}
                           | {"history": runs[n]["history"], "final_train_loss_total": runs[n]["history"]["train_loss_total"][-1],
                              "loss_shape": loss_shape(runs[n]["history"]),
                              **methods[f"AE {n}"]}
                           for n in names},
    "default_run": default,
    "pca": {"components": cfg["pca_components"], "centred": True, "fit_seconds": pca_seconds, **methods[pca_label]},
    "psnr": {k: v["psnr_mean"] for k, v in methods.items()},
    "test_psnr": {k: v["test_psnr_mean"] for k, v in methods.items()},
    "psnr_definition": "skimage.metrics.peak_signal_noise_ratio(data_range=1) per validation image, then averaged",
    "code_size": cfg["code_size"], "n_valid": int(len(xva)), "shown_examples": {"indices": idx, "classes": cfg["show_classes"]},
    "gradcheck": grad, "batch_size": cfg["batch_size"], "momentum": cfg["momentum"],
    "loss_reduction": cfg["loss_reduction"], "seed": cfg["seed"], "data_source": source,
    "config_hash": config_hash(cfg), "wall_time_s": time.perf_counter() - t0,
}
write_json(sm.output.metrics, summary)
write_json(sm.output.headline, {"q5_valid_psnr": methods[f"AE {default}"]["psnr_mean"],
                                "q5_pca_psnr": methods[pca_label]["psnr_mean"]})
