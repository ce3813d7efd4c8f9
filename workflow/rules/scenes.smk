# Q6.1.4: SUN scenes (8 classes of HW1): the HW1 bag-of-words system, a CNN from scratch, and frozen
# ImageNet features + a linear classifier, on the same train/test split. Config section: scenes.
# Torch rules declare `gpu` (config scenes.gpus, default 0); the scripts use CUDA whenever present
# and scenes.device allows it.

SC = config["scenes"]


def _sc_resources(mem_mb, runtime):
    return {"mem_mb": mem_mb, "runtime": runtime, "gpu": SC["gpus"]}


def _weights_sha(backbone):
    return config["data"]["datasets"][f"weights_{backbone}"]["sources"][0].get("sha256")


rule scenes_bow:
    """HW1 bag of visual words on SUN: filter bank, k-means dictionary, spatial pyramid, NN."""
    input:
        prov=prov("sun"),
    output:
        metrics="results/pytorch/sun_bow/metrics.json",
        confusion="results/pytorch/sun_bow/confusion.png",
    params:
        cfg=SC["bow"],
        seed=SC["seed"],
        max_per_class=SC["max_per_class"],
    log:
        "logs/pytorch/sun_bow.log",
    benchmark:
        "benchmarks/pytorch/sun_bow.tsv"
    threads: SC["threads"]
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/scenes_bow.py"


rule scenes_cnn:
    """A CNN trained from scratch on SUN (validation carved from train, seeded)."""
    input:
        prov=prov("sun"),
    output:
        metrics="results/pytorch/sun_cnn/metrics.json",
        model="results/pytorch/sun_cnn/model.pt",
        curves="results/pytorch/sun_cnn/curves.png",
        confusion="results/pytorch/sun_cnn/confusion.png",
    params:
        cfg=SC["cnn"],
        n_valid=SC["n_valid"],
        seed=SC["seed"],
        max_per_class=SC["max_per_class"],
        device=SC["device"],
    log:
        "logs/pytorch/sun_cnn.log",
    benchmark:
        "benchmarks/pytorch/sun_cnn.tsv"
    threads: SC["threads"]
    resources:
        **_sc_resources(3000, 30),
    script:
        "../scripts/scenes_cnn.py"


rule scenes_frozen:
    """Frozen ImageNet backbone features + a linear classifier on SUN."""
    input:
        prov=prov("sun"),
        weights_prov=lambda w: prov(f"weights_{w.backbone}"),
    output:
        metrics="results/pytorch/sun_frozen_{backbone}/metrics.json",
        curves="results/pytorch/sun_frozen_{backbone}/curves.png",
    params:
        cfg=SC["frozen"],
        n_valid=SC["n_valid"],
        seed=SC["seed"],
        max_per_class=SC["max_per_class"],
        device=SC["device"],
        sha256=lambda w: _weights_sha(w.backbone),
    wildcard_constraints:
        backbone="squeezenet1_1|mobilenet_v2",
    log:
        "logs/pytorch/sun_frozen_{backbone}.log",
    benchmark:
        "benchmarks/pytorch/sun_frozen_{backbone}.tsv"
    threads: SC["threads"]
    resources:
        **_sc_resources(3000, 20),
    script:
        "../scripts/scenes_frozen.py"


rule scenes_summary:
    """Q6.1.4 comparison table and headline numbers."""
    input:
        bow="results/pytorch/sun_bow/metrics.json",
        cnn="results/pytorch/sun_cnn/metrics.json",
        frozen=expand("results/pytorch/sun_frozen_{backbone}/metrics.json", backbone=SC["frozen"]["backbones"]),
    output:
        compare="results/pytorch/sun/compare.json",
        headline="results/pytorch/sun/headline.json",
    log:
        "logs/pytorch/sun_summary.log",
    benchmark:
        "benchmarks/pytorch/sun_summary.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/scenes_summary.py"


REPORT_INPUTS["q6_1_4"] = [
    "results/pytorch/sun/compare.json",
    "results/pytorch/sun_bow/metrics.json",
    "results/pytorch/sun_bow/confusion.png",
    "results/pytorch/sun_cnn/metrics.json",
    "results/pytorch/sun_cnn/curves.png",
    "results/pytorch/sun_cnn/confusion.png",
] + expand("results/pytorch/sun_frozen_{backbone}/metrics.json", backbone=SC["frozen"]["backbones"])
HEADLINES["q6_1_4"] = "results/pytorch/sun/headline.json"
