"""Q5.3: reconstructions, validation PSNR (per image, then averaged; per class), the PCA baseline,
and a float64 gradient check of the autoencoder architecture."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

import time
from pathlib import Path

import numpy as np

from nnrec import NIST36_CLASSES
from nnrec.common import read_result, save_figure, write_json
from nnrec.data import load_nist36
from nnrec.numpy_nn import Network
from nnrec.numpy_nn.autoencoder import (AE_RUN_KEYS, gradient_check, loss_shape, pca_fit, pca_reconstruct,
                                        per_class_mean, pick_examples, psnr_per_image, reconstruct, shown_measures)
from nnrec.numpy_nn.plots import plot_ae_loss, plot_psnr_per_class, plot_reconstructions

sm = snakemake  # noqa: F821
log = job.log
cfg = sm.params.cfg
# gradient check of the autoencoder architecture (small input, float64) first: a failure stops the
# run (GradientCheckFailed), as Q2's does
gc = cfg["gradcheck"]
grad = gradient_check(gc["input_size"], cfg["code_size"], gc["n_examples"], gc["eps"], gc["tol"], cfg["seed"],
                      cfg["loss_reduction"])
log.info(f"autoencoder gradient check: max relative error {grad['max_rel_error']:.2e} (pass)")

xtr, _ = load_nist36(job.data_dir, "train")
xva, yva = load_nist36(job.data_dir, "valid")
xte, _ = load_nist36(job.data_dir, "test")
run_dirs = {name: Path(d) for name, d in sm.params.runs.items()}  # {run name: folder}, the config's order
names = list(run_dirs)

methods, recons, recons_test, runs = {}, {}, {}, {}
for name, d in run_dirs.items():
    runs[name] = read_result(d / "metrics.json", AE_RUN_KEYS)
    net = Network.load(d / "weights.npz")
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

# figures
idx = pick_examples(yva, NIST36_CLASSES, cfg["show_classes"], cfg["show_per_class"])
save_figure(plot_reconstructions(xva[idx], {k: v[idx] for k, v in recons.items()},
                                 [NIST36_CLASSES[yva[i]] for i in idx]), sm.output.recon_fig)
save_figure(plot_ae_loss({f"{n} (lr {runs[n]['lr']:g})": runs[n]["history"] for n in names}), sm.output.loss_fig)
save_figure(plot_psnr_per_class({k: v["psnr_per_class"] for k, v in methods.items()}), sm.output.psnr_fig)

shown = shown_measures(xva, recons, idx, yva, NIST36_CLASSES)  # per shown image: PSNR and sharpness
log.info("shown images: mean PSNR " + ", ".join(f"{k} {v:.2f} dB" for k, v in shown["psnr_mean"].items())
         + "; mean sharpness " + ", ".join(f"{k} {v:.4f}" for k, v in shown["sharpness_mean"].items()))

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
    "shown": shown,
    "gradcheck": grad, "batch_size": cfg["batch_size"], "momentum": cfg["momentum"],
    "loss_reduction": cfg["loss_reduction"], **job.meta(cfg, seed=cfg["seed"]),
}
write_json(sm.output.metrics, summary)
write_json(sm.output.headline, {"q5_valid_psnr": methods[f"AE {default}"]["psnr_mean"],
                                "q5_pca_psnr": methods[pca_label]["psnr_mean"]})
