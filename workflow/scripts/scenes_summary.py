"""Q6.1.4 comparison table (bag of words vs CNN from scratch vs frozen ImageNet features) and headline."""

from nnrec.common import get_logger, read_json, write_json

sm = snakemake  # noqa: F821
log = get_logger("scenes_summary", sm.log[0])


def ok(m):
    return m if m and m.get("status") != "missing" else None


bow, cnn = ok(read_json(sm.input.bow)), ok(read_json(sm.input.cnn))
frozen = {p: ok(read_json(p)) for p in sm.input.frozen}
rows = []
if bow:
    rows.append({"method": "bag of words (HW1): NN, histogram intersection", "key": "bow_nn", "backbone": None,
                 "weights": None, "test_acc": bow["test_acc_nn"], "valid_acc": None,
                 "train_time_s": bow["train_time_s"], "n_params": None})
    rows.append({"method": "bag of words: linear classifier on the same histograms", "key": "bow_linear",
                 "backbone": None, "weights": None, "test_acc": bow["test_acc_linear"], "valid_acc": None,
                 "train_time_s": bow["train_time_s"], "n_params": None})
if cnn:
    rows.append({"method": "CNN from scratch", "key": "cnn", "backbone": None, "weights": "random init",
                 "test_acc": cnn["test_acc"], "valid_acc": cnn["valid_acc"], "train_time_s": cnn["train_time_s"],
                 "n_params": cnn["n_params"], "epochs": cnn["epochs"]})
for m in frozen.values():
    if m:
        rows.append({"method": m["method"], "key": m["experiment"], "backbone": m["backbone"],
                     "weights": m["weights"], "test_acc": m["test_acc"], "valid_acc": m["valid_acc"],
                     "train_time_s": m["train_time_s"], "n_params": m["n_trainable"], "epochs": m["epochs"]})
sources = sorted({m["data_source"] for m in [bow, cnn, *frozen.values()] if m})
write_json(sm.output.compare, {"part": "q6_1_4", "rows": rows, "data_source": sources,
                               "missing": [k for k, m in (("bow", bow), ("cnn", cnn)) if not m]
                               + [p for p, m in frozen.items() if not m]})
write_json(sm.output.headline, {
    "q6_sun_cnn_test_acc": cnn["test_acc"] if cnn else None,
    "q6_sun_bow_test_acc": bow["test_acc_nn"] if bow else None,
})
log.info(f"{len(rows)} rows: " + "; ".join(f"{r['key']}={r['test_acc']:.3f}" for r in rows))
