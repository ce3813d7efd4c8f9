# Q6.2.1: Oxford Flowers 17, fine-tuned ImageNet backbones (config flowers.backbones; a backbone whose
# weights are unavailable yields a 'missing' row) against the 3-conv + 2-FC network from scratch.
# Config section: flowers. Torch rules declare `gpu` (config flowers.gpus, default 0).

FL = config["flowers"]


rule flowers_finetune:
    """New Conv2d(C, 17, 1) classifier on the frozen backbone (cached features), then the whole net."""
    input:
        prov=prov("flowers17"),
        weights_prov=lambda w: prov(f"weights_{w.backbone}"),
    output:
        metrics="results/pytorch/flowers_finetune_{backbone}/metrics.json",
        model="results/pytorch/flowers_finetune_{backbone}/model.pt",
        model_sha256=checksum("results/pytorch/flowers_finetune_{backbone}/model.pt"),
        curves="results/pytorch/flowers_finetune_{backbone}/curves.png",
    log:
        "logs/pytorch/flowers_finetune_{backbone}.log",
    benchmark:
        "benchmarks/pytorch/flowers_finetune_{backbone}.tsv"
    wildcard_constraints:
        backbone="squeezenet1_1|mobilenet_v2",
    cache: cache_mode()
    priority: PRIORITY["flowers_finetune"]
    threads: FL["threads"]
    resources:
        **torch_resources("flowers", 4000, 20),
    params:
        cache_key=cache_key("flowers_finetune.py", "flowers17", "weights_squeezenet1_1", "weights_mobilenet_v2"),
        cfg=FL["finetune"],
        input_size=FL["input_size"],
        seed=FL["seed"],
        max_per_class=FL["max_per_class"],
        device=FL["device"],
        sha256=lambda w: weights_sha256(w.backbone),
    script:
        "../scripts/flowers_finetune.py"


rule flowers_scratch:
    """The 3-conv + 2-FC network trained from scratch with augmentation."""
    input:
        prov=prov("flowers17"),
    output:
        metrics="results/pytorch/flowers_scratch/metrics.json",
        model="results/pytorch/flowers_scratch/model.pt",
        model_sha256=checksum("results/pytorch/flowers_scratch/model.pt"),
        curves="results/pytorch/flowers_scratch/curves.png",
    log:
        "logs/pytorch/flowers_scratch.log",
    benchmark:
        "benchmarks/pytorch/flowers_scratch.tsv"
    cache: cache_mode()
    priority: PRIORITY["flowers_scratch"]
    threads: FL["threads"]
    resources:
        **torch_resources("flowers", 3000, 20),
    params:
        cache_key=cache_key("flowers_scratch.py", "flowers17"),
        cfg=FL["scratch"],
        seed=FL["seed"],
        max_per_class=FL["max_per_class"],
        device=FL["device"],
    script:
        "../scripts/flowers_scratch.py"


rule flowers_summary:
    """Q6.2.1 comparison table and headline numbers."""
    input:
        finetune=expand("results/pytorch/flowers_finetune_{backbone}/metrics.json", backbone=flower_backbones()),
        scratch="results/pytorch/flowers_scratch/metrics.json",
    output:
        compare="results/pytorch/flowers/compare.json",
        headline="results/pytorch/flowers/headline.json",
    log:
        "logs/pytorch/flowers_summary.log",
    benchmark:
        "benchmarks/pytorch/flowers_summary.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        finetune={b: f"results/pytorch/flowers_finetune_{b}/metrics.json" for b in flower_backbones()},
    script:
        "../scripts/flowers_summary.py"
