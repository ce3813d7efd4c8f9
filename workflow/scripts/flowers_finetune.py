"""Q6.2.1: fine-tune an ImageNet backbone on Flowers 17 with a new single-layer classifier.

Stage 1 trains Conv2d(C, 17, 1) on cached features of the frozen backbone (several augmented views);
stage 2 (optional, flowers.finetune.full.epochs > 0) trains the whole network at a lower rate.
"""

from nnrec.workflow import start

job = start(snakemake, needs=("prov", "weights_prov"))  # noqa: F821

from nnrec.common import save_figure, write_json
from nnrec.data import describe_source
from nnrec.torch_models.flowers import BACKBONES, load_flowers, make_finetune_net, pretrained_weights, run_finetune
from nnrec.torch_models.loop import pick_device, seed_torch
from nnrec.torch_models.plots import plot_stages

sm = snakemake  # noqa: F821
cfg, seed, backbone = dict(sm.params.cfg), int(sm.params.seed), sm.wildcards.backbone
size = int(sm.params.input_size)
parts, classes, split = load_flowers(job.data_dir, sm.params.max_per_class, size)
weights_path, sha = pretrained_weights(sm.input.weights_prov, sm.params.sha256)
device = pick_device(sm.params.device)
job.log.info(f"{backbone} ({BACKBONES[backbone][2]}, sha256 {sha[:12]}) device={device} split={split['source']} "
             + " ".join(f"{k}={len(v[1])}" for k, v in parts.items()) + f"; data: {job.source}")
seed_torch(seed)
net = make_finetune_net(backbone, len(classes), weights_path, sha, float(cfg["head"]["dropout"]))
extra = {"arch": f"FineTuneNet[{backbone}]", "classes": classes}
res = run_finetune(net, parts["train"], parts["valid"], parts["test"], cfg, device=device, logger=job.log, seed=seed,
                   head_checkpoint=sm.output.model, full_checkpoint=sm.output.model, extra=extra)
rows, hists = [], {}
for stage, r in (("frozen", res["frozen"]), ("full", res["full"])):
    if r is None:
        continue
    hist = r.pop("history")
    r.pop("test_pred")
    stage_cfg = cfg["head"] if stage == "frozen" else cfg["full"]
    hists[stage] = hist  # the figure's title names the backbone
    rows.append({"stage": stage, "method": ("new classifier on the frozen backbone (cached features)" if stage == "frozen"
                                            else "whole network fine-tuned at a lower rate"),
                 **r, "epochs": int(stage_cfg["epochs"]), "train_time_s": r["time_s"], "history": hist})
    job.log.info(f"{stage}: test accuracy {r['test_acc']:.4f} (valid {r['valid_acc']:.4f}) in {r['time_s']:.0f}s")
best = max(rows, key=lambda r: r["valid_acc"])  # model selection on validation, never on test
save_figure(plot_stages(hists, f"Flowers 17: fine-tuning {backbone}"), sm.output.curves)
write_json(sm.output.metrics, {
    "part": "q6_2", "experiment": f"flowers_finetune_{backbone}", "backbone": backbone,
    "weights": BACKBONES[backbone][2], "weights_source": describe_source(sm.input.weights_prov), "weights_sha256": sha,
    "rows": rows, "selected_stage": best["stage"], "test_acc": best["test_acc"], "valid_acc": best["valid_acc"],
    "split_source": split["source"], "input_size": size, "classes": classes,
    **{f"n_{k}": len(v[1]) for k, v in parts.items()},
    "train_time_s": sum(r["train_time_s"] for r in rows), "device": str(device), "config": cfg,
    **job.meta(cfg, seed=seed),
})
