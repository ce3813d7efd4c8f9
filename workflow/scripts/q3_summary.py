"""Q3.2-Q3.4: the study around the rate the sweep chose (every seed), test accuracy of the chosen
network, weight images, confusion matrix; q3/best/weights.npz for the OCR step."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec import NIST36_CLASSES
from nnrec.common import copy_model_file, load_model_npz, read_result, save_figure, write_json
from nnrec.numpy_nn import Network
from nnrec.numpy_nn.plots import plot_curves, plot_first_layer_weights, plot_seed_spread
from nnrec.numpy_nn.q3 import confusion_summary, load_runs, load_splits, study_rows
from nnrec.plots import plot_confusion

sm = snakemake  # noqa: F821
log = job.log
cfg = sm.params.cfg
choice = read_result(sm.input.choice, ("chosen_lr", "chosen_tag", "grid", "runs", "study", "factor", "selection"))
runs, main_dir = load_runs(sm.params.runs)  # {lr: [main run, repeats]}, by the rule's layout
rows, best_by_mean = study_rows(runs, sm.params.runs, choice)
best_lr = float(choice["chosen_lr"])
best_dir = main_dir[best_lr]
log.info("lr table: " + "; ".join(f"lr {r['lr']:g} ({r['role']}): valid {r['valid_acc_mean']:.4f} +- {r['valid_acc_std']:.4f}"
                                  for r in rows))
log.info(f"chosen lr {best_lr:g} ({best_dir}); highest mean over seeds: {best_by_mean:g}")

splits, source = load_splits(job.data_dir, job.prov)
net = Network.load(best_dir / "weights.npz")
conf = confusion_summary(net, *splits["test"], NIST36_CLASSES, cfg["top_pairs"])
best_main = runs[best_lr][0]
log.info(f"best network test accuracy {conf['accuracy']:.4f}; top pairs "
         + ", ".join(f"{p['pair'][0]}/{p['pair'][1]}:{p['count']}" for p in conf["top_pairs"][:5]))

# ---- outputs
copy_model_file(best_dir / "weights.npz", sm.output.best_weights)  # verified, with its checksum
hist = {f"lr {lr:g}": runs[lr][0]["history"] for lr in sorted(runs)}
save_figure(plot_curves(hist, "acc", "accuracy"), sm.output.acc_fig)
save_figure(plot_curves(hist, "loss", "cross-entropy (mean over data)"), sm.output.loss_fig)
w_init = load_model_npz(best_dir / "weights_init.npz")["Wlayer1"]
save_figure(plot_first_layer_weights(w_init, net.params["Wlayer1"]), sm.output.weights_fig)
save_figure(plot_confusion(conf["matrix"], NIST36_CLASSES), sm.output.confusion_fig)
save_figure(plot_seed_spread(rows), sm.output.seeds_fig)

summary = {
    "part": "q3", "best_lr": best_lr, "selection": choice["selection"],
    "best_lr_by_seed_mean": best_by_mean,
    "sweep": {k: choice[k] for k in ("grid", "runs", "chosen_lr", "chosen_valid_acc", "at_edge", "factor", "seed")},
    "lrs": rows, "seeds": [cfg["seed"], *cfg["repeat_seeds"]],
    "best_run": {"dir": str(best_dir), "seed": best_main["seed"], **best_main["final"]},
    "best_lr_over_seeds": next(r for r in rows if r["lr"] == best_lr),
    "test_acc": conf["accuracy"],
    "confusion": {"classes": NIST36_CLASSES, "matrix": conf["matrix"], "top_pairs": conf["top_pairs"],
                  "n_test": int(conf["matrix"].sum())},
    "batch_size": cfg["batch_size"], "epochs": cfg["epochs"], "hidden": cfg["hidden"],
    "loss_reduction": cfg["loss_reduction"],
    "train_wall_time_s_total": float(sum(m["wall_time_s"] for ms in runs.values() for m in ms)),
    "train_cpu_time_s_total": float(sum(m.get("cpu_time_s", float("nan")) for ms in runs.values() for m in ms)),
    **job.meta(cfg, seed=cfg["seed"], data_source=source),
}
write_json(sm.output.summary, summary)
write_json(sm.output.headline, {"q3_best_lr": best_lr, "q3_valid_acc": best_main["final"]["valid_acc"],
                                "q3_test_acc": conf["accuracy"]})
