"""Q6.1.1-Q6.1.3 summary: FC vs CNN comparison (table + curves) and the headline numbers."""

from nnrec.common import get_logger, read_json, save_figure, set_threads, write_json

sm = snakemake  # noqa: F821
log = get_logger("torch_q6_1_summary", sm.log[0])
set_threads(sm.threads)

from nnrec.torch_models.plots import plot_compare  # noqa: E402

m = {k: read_json(getattr(sm.input, k)) for k in ("fc", "cnn", "cifar10")}
ok = {k: v.get("status") != "missing" for k, v in m.items()}
rows = []
for k in ("fc", "cnn"):
    if ok[k]:
        v = m[k]
        rows.append({"model": k, "n_params": v["n_params"], "epochs": len(v["history"]["epoch"]),
                     "train_acc": v["train_acc"], "valid_acc": v["valid_acc"], "test_acc": v["test_acc"],
                     "valid_loss": v["valid_loss"], "train_time_s": v["train_time_s"],
                     "epoch_time_s_mean": v["epoch_time_s_mean"], "device": v["device"]})
compare = {"rows": rows, "data_source": m["cnn"].get("data_source") or m["fc"].get("data_source"),
           "status": "ok" if rows else "missing"}
write_json(sm.output.compare, compare)
if ok["fc"] and ok["cnn"]:
    fig = plot_compare({"FC (Q6.1.1)": m["fc"]["history"], "CNN (Q6.1.2)": m["cnn"]["history"]}, "NIST36")
else:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, "NIST36 runs missing", ha="center", va="center")
save_figure(fig, sm.output.figure)
headline = {
    "q6_fc_valid_acc": m["fc"]["valid_acc"] if ok["fc"] else None,
    "q6_cnn_valid_acc": m["cnn"]["valid_acc"] if ok["cnn"] else None,
    "q6_cifar10_test_acc": m["cifar10"]["test_acc"] if ok["cifar10"] else None,
}
write_json(sm.output.headline, headline)
log.info(f"headline {headline}")
