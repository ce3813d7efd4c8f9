"""Q6.1.4 third row: frozen ImageNet features (pretrained backbone) + a linear classifier on SUN."""

from nnrec.workflow import start

job = start(snakemake, needs=("prov", "weights_prov"))  # noqa: F821

from nnrec.common import save_figure, write_json
from nnrec.data import describe_source
from nnrec.torch_models.flowers import BACKBONES, make_finetune_net, pretrained_weights, run_finetune
from nnrec.torch_models.loop import pick_device, seed_torch
from nnrec.torch_models.plots import plot_history
from nnrec.torch_models.scenes import scene_inputs

sm = snakemake  # noqa: F821
cfg, seed, backbone = dict(sm.params.cfg), int(sm.params.seed), sm.wildcards.backbone
size = int(cfg["input_size"])
parts, classes = scene_inputs(job.data_dir, sm.params.max_per_class, sm.params.n_valid, seed, size)
weights_path, sha = pretrained_weights(sm.input.weights_prov, sm.params.sha256)
device = pick_device(sm.params.device)
seed_torch(seed)
net = make_finetune_net(backbone, len(classes), weights_path, sha, float(cfg["head"]["dropout"]))
job.log.info(f"{backbone} ({BACKBONES[backbone][2]}, sha256 {sha[:12]}) device={device} input={size}px; "
             f"data: {job.source}")
res = run_finetune(net, parts["train"], parts["valid"], parts["test"],
                   {"views": cfg["views"], "augment": cfg["augment"], "head": cfg["head"], "full": {"epochs": 0}},
                   device=device, logger=job.log, seed=seed)
row = res["frozen"]
hist = row.pop("history")
row.pop("test_pred")
job.log.info(f"test accuracy {row['test_acc']:.4f} (valid {row['valid_acc']:.4f})")
save_figure(plot_history(hist, f"SUN: frozen {backbone} + linear"), sm.output.curves)
write_json(sm.output.metrics, {
    "part": "q6_1_4", "experiment": f"sun_frozen_{backbone}",
    "method": f"frozen {backbone} features + linear classifier", "backbone": backbone,
    "weights": BACKBONES[backbone][2], "weights_source": describe_source(sm.input.weights_prov),
    "weights_sha256": sha, **row, "classes": classes, "epochs": int(cfg["head"]["epochs"]), "input_size": size,
    **{f"n_{k}": len(v[1]) for k, v in parts.items()}, "train_time_s": row["time_s"], "device": hist["device"],
    "config": cfg, "history": hist, **job.meta(cfg, seed=seed),
})
