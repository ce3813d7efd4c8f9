# Q6.1.4: SUN scenes (8 classes of HW1): the HW1 bag-of-words system, a CNN from scratch, and frozen
# ImageNet features + a linear classifier, on the same train/test split; all results under
# results/scenes/. Config section: scenes. Torch rules declare `gpu` (config scenes.gpus, default 0);
# the scripts use CUDA whenever present and scenes.device allows it.

SC = config["scenes"]


rule scenes_bow:
    """HW1 bag of visual words on SUN: filter bank, k-means dictionary, spatial pyramid, NN."""
    input:
        prov=prov("sun"),
    output:
        metrics="results/scenes/sun_bow/metrics.json",
        confusion="results/scenes/sun_bow/confusion.png",
    log:
        "logs/scenes/sun_bow.log",
    benchmark:
        "benchmarks/scenes/sun_bow.tsv"
    cache: cache_mode()
    priority: PRIORITY["scenes_bow"]
    threads: SC["threads"]
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        cache_key=cache_key("scenes_bow.py", "sun"),
        cfg=SC["bow"],
        seed=SC["seed"],
        max_per_class=SC["max_per_class"],
    script:
        "../scripts/scenes_bow.py"


rule scenes_cnn:
    """A CNN trained from scratch on SUN (validation carved from train, seeded)."""
    input:
        prov=prov("sun"),
    output:
        metrics="results/scenes/sun_cnn/metrics.json",
        model="results/scenes/sun_cnn/model.pt",
        model_sha256=checksum("results/scenes/sun_cnn/model.pt"),
        curves="results/scenes/sun_cnn/curves.png",
        confusion="results/scenes/sun_cnn/confusion.png",
    log:
        "logs/scenes/sun_cnn.log",
    benchmark:
        "benchmarks/scenes/sun_cnn.tsv"
    cache: cache_mode()
    priority: PRIORITY["scenes_cnn"]
    threads: SC["threads"]
    resources:
        **torch_resources("scenes", 3000, 30),
    params:
        cache_key=cache_key("scenes_cnn.py", "sun"),
        cfg=SC["cnn"],
        n_valid=SC["n_valid"],
        seed=SC["seed"],
        max_per_class=SC["max_per_class"],
        device=SC["device"],
    script:
        "../scripts/scenes_cnn.py"


rule scenes_frozen:
    """Frozen ImageNet backbone features + a linear classifier on SUN."""
    input:
        prov=prov("sun"),
        weights_prov=lambda w: prov(f"weights_{w.backbone}"),
    output:
        metrics="results/scenes/sun_frozen_{backbone}/metrics.json",
        curves="results/scenes/sun_frozen_{backbone}/curves.png",
    log:
        "logs/scenes/sun_frozen_{backbone}.log",
    benchmark:
        "benchmarks/scenes/sun_frozen_{backbone}.tsv"
    wildcard_constraints:
        backbone="squeezenet1_1|mobilenet_v2",
    cache: cache_mode()
    priority: PRIORITY["scenes_frozen"]
    threads: SC["threads"]
    resources:
        **torch_resources("scenes", 3000, 20),
    params:
        cache_key=cache_key("scenes_frozen.py", "sun", "weights_squeezenet1_1", "weights_mobilenet_v2"),
        cfg=SC["frozen"],
        n_valid=SC["n_valid"],
        seed=SC["seed"],
        max_per_class=SC["max_per_class"],
        device=SC["device"],
        sha256=lambda w: weights_sha256(w.backbone),
    script:
        "../scripts/scenes_frozen.py"


rule scenes_summary:
    """Q6.1.4 comparison table and headline numbers."""
    input:
        bow="results/scenes/sun_bow/metrics.json",
        cnn="results/scenes/sun_cnn/metrics.json",
        frozen=expand("results/scenes/sun_frozen_{backbone}/metrics.json", backbone=scene_backbones()),
    output:
        compare="results/scenes/compare.json",
        headline="results/scenes/headline.json",
    log:
        "logs/scenes/summary.log",
    benchmark:
        "benchmarks/scenes/summary.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        frozen={b: f"results/scenes/sun_frozen_{b}/metrics.json" for b in scene_backbones()},
    script:
        "../scripts/scenes_summary.py"
