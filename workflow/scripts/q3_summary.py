"""Q3.2-Q3.4: pick the best learning rate, seed spread, test accuracy, weight images, confusion matrix."""

import time
from pathlib import Path

import numpy as np

from nnrec import NIST36_CLASSES
from nnrec.common import atomic_path, config_hash, get_logger, read_json, save_figure, set_threads, write_json
from nnrec.data.missing import skip_if_missing
from nnrec.numpy_nn import Network, limit_blas_threads
from nnrec.numpy_nn.plots import plot_confusion, plot_curves, plot_first_layer_weights, plot_seed_spread
from nnrec.numpy_nn.q3 import confusion_summary, load_splits, select_best

sm = snakemake  # noqa: F821
log = get_logger("q3_summary", sm.log[0])
set_threads(sm.threads)
limit_blas_threads(sm.threads)
if skip_if_missing(sm, [sm.input.prov]):
    log.warning("NIST36 unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)
t0 = time.perf_counter()
cfg = sm.params.cfg
lr_tags = list(sm.params.lr_tags)
n_seeds = 1 + len(cfg["repeat_seeds"])

# sm.input.runs is ordered lr-major: for each lr tag, the main run then each repeat seed
run_files = list(sm.input.runs)
runs, main_dir = {}, {}
for i, tag in enumerate(lr_tags):
    files = run_files[i * n_seeds:(i + 1) * n_seeds]
    runs[float(tag)] = [read_json(f) for f in files]
    main_dir[float(tag)] = Path(files[0]).parent
best_lr, rows = select_best(runs)
best_dir = main_dir[best_lr]
log.info("lr table: " + "; ".join(f"lr {r['lr']:g}: valid {r['valid_acc_mean']:.4f} +- {r['valid_acc_std']:.4f}"
                                  for r in rows))
log.info(f"best lr {best_lr:g} ({best_dir})")

splits, source = load_splits(Path(sm.input.prov).parent, sm.input.prov)
net = Network.load(best_dir / "weights.npz")
conf = confusion_summary(net, *splits["test"], NIST36_CLASSES, cfg["top_pairs"])
best_main = runs[best_lr][0]
log.info(f"best network test accuracy {conf['accuracy']:.4f}; top pairs "
         + ", ".join(f"{p['pair'][0]}/{p['pair'][1]}:{p['count']}" for p in conf["top_pairs"][:5]))

# ---- outputs
with atomic_path(sm.output.best_weights) as tmp:
    tmp.write_bytes((best_dir / "weights.npz").read_bytes())
hist = {f"lr {lr:g}": runs[lr][0]["history"] for lr in sorted(runs)}
save_figure(plot_curves(hist, "acc", "accuracy"), sm.output.acc_fig)
save_figure(plot_curves(hist, "loss", "cross-entropy (mean over data)"), sm.output.loss_fig)
w_init = np.load(best_dir / "weights_init.npz")["Wlayer1"]
save_figure(plot_first_layer_weights(w_init, net.params["Wlayer1"]), sm.output.weights_fig)
save_figure(plot_confusion(conf["matrix"], NIST36_CLASSES), sm.output.confusion_fig)
save_figure(plot_seed_spread(rows), sm.output.seeds_fig)

summary = {
    "part": "q3", "best_lr": best_lr, "selection": "highest mean final validation accuracy over seeds",
    "lrs": rows, "seeds": [cfg["seed"], *cfg["repeat_seeds"]],
    "best_run": {"dir": str(best_dir), "seed": best_main["seed"], **best_main["final"]},
    "best_lr_over_seeds": next(r for r in rows if r["lr"] == best_lr),
    "test_acc": conf["accuracy"],
    "confusion": {"classes": NIST36_CLASSES, "matrix": conf["matrix"], "top_pairs": conf["top_pairs"],
                  "n_test": int(conf["matrix"].sum())},
    "batch_size": cfg["batch_size"], "epochs": cfg["epochs"], "hidden": cfg["hidden"],
    "loss_reduction": cfg["loss_reduction"], "data_source": source, "seed": cfg["seed"],
    "config_hash": config_hash(cfg), "wall_time_s": time.perf_counter() - t0,
    "train_wall_time_s_total": float(sum(m["wall_time_s"] for ms in runs.values() for m in ms)),
    "train_cpu_time_s_total": float(sum(m.get("cpu_time_s", float("nan")) for ms in runs.values() for m in ms)),
}
write_json(sm.output.summary, summary)
write_json(sm.output.headline, {"q3_best_lr": best_lr, "q3_valid_acc": best_main["final"]["valid_acc"],
                                "q3_test_acc": conf["accuracy"]})
