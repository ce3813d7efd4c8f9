"""Q6.2.1 comparison table (fine-tuned backbones vs scratch) and headline numbers."""

from nnrec.common import get_logger, read_json, write_json

sm = snakemake  # noqa: F821
log = get_logger("flowers_summary", sm.log[0])

rows, missing, finetune = [], [], {}
for path in sm.input.finetune:
    m = read_json(path)
    if m.get("status") == "missing":
        missing.append({"file": path, "reason": m.get("reason")})
        name = path.split("flowers_finetune_")[1].split("/")[0]
        finetune[name] = None
        continue
    finetune[m["backbone"]] = m["test_acc"]
    for r in m["rows"]:
        rows.append({"model": f"{m['backbone']} ({r['stage']})", "backbone": m["backbone"], "weights": m["weights"],
                     "stage": r["stage"], "method": r["method"], "valid_acc": r["valid_acc"], "test_acc": r["test_acc"],
                     "epochs": r["epochs"], "train_time_s": r["train_time_s"], "n_params": r["n_params"],
                     "n_trainable": r["n_trainable"]})
s = read_json(sm.input.scratch)
if s.get("status") == "missing":
    missing.append({"file": sm.input.scratch, "reason": s.get("reason")})
else:
    rows.append({"model": "3 conv + 2 FC (scratch)", "backbone": None, "weights": "random init", "stage": "scratch",
                 "method": s["method"], "valid_acc": s["valid_acc"], "test_acc": s["test_acc"], "epochs": s["epochs"],
                 "train_time_s": s["train_time_s"], "n_params": s["n_params"], "n_trainable": s["n_trainable"]})
split_source = next((read_json(p).get("split_source") for p in [*sm.input.finetune, sm.input.scratch]
                     if read_json(p).get("split_source")), None)
write_json(sm.output.compare, {"part": "q6_2", "rows": rows, "missing": missing, "split_source": split_source,
                               "missing_backbones": [b for b, acc in finetune.items() if acc is None],
                               "total_train_time_s": sum(r["train_time_s"] for r in rows)})
write_json(sm.output.headline, {
    "q6_flowers_finetune_test_acc": finetune,
    "q6_flowers_scratch_test_acc": None if s.get("status") == "missing" else s["test_acc"],
})
log.info("; ".join(f"{r['model']}: test {r['test_acc']:.3f}" for r in rows))
