# Q2 and Q3: the numpy-only network (docs/architecture.md for conventions).
# Config section: numpy_nn (Q2 sanity check + gradient checks, Q3 NIST36 training).

NNP = config["numpy_nn"]


rule q2:
    """The assignment's toy sanity check and the central-difference gradient checks."""
    output:
        metrics="results/numpy_nn/q2/metrics.json",
        figure="results/numpy_nn/q2/training.png",
        headline="results/numpy_nn/q2/headline.json",
    log:
        "logs/numpy_nn/q2.log",
    benchmark:
        "benchmarks/numpy_nn/q2.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        cfg={k: NNP[k] for k in ("seed", "loss_reduction", "q2")},
    script:
        "../scripts/q2_sanity.py"


# ------------------------------------------------------------------------------------------- Q3
Q3 = NNP["q3"]
# the settings every Q3 run shares (the lr comes from the wildcard, so editing the list of lrs
# reruns only the runs whose lr changed, plus the summary)
Q3_RUN_CFG = {k: Q3[k] for k in ("hidden", "activation", "epochs", "batch_size")} | {
    k: NNP[k] for k in ("loss_reduction", "dtype")
}
Q3_LR_TAGS = q3_lr_tags()
Q3_WILDCARDS = dict(lr=r"[0-9][0-9.e+-]*", seed=r"[0-9]+")


rule q3_train:
    """One Q3 run at learning rate {lr} with the part's seed (the runs shown in Q3.1/Q3.2)."""
    input:
        prov=prov("nist36"),
    output:
        metrics="results/numpy_nn/q3_lr{lr}/metrics.json",
        weights="results/numpy_nn/q3_lr{lr}/weights.npz",
        weights_sha256=checksum("results/numpy_nn/q3_lr{lr}/weights.npz"),
        weights_init="results/numpy_nn/q3_lr{lr}/weights_init.npz",
        weights_init_sha256=checksum("results/numpy_nn/q3_lr{lr}/weights_init.npz"),
        figure="results/numpy_nn/q3_lr{lr}/curves.png",
    log:
        "logs/numpy_nn/q3_lr{lr}.log",
    benchmark:
        "benchmarks/numpy_nn/q3_lr{lr}.tsv"
    wildcard_constraints:
        **Q3_WILDCARDS,
    cache: cache_mode()
    threads: 1
    resources:
        mem_mb=1500,
        runtime=15,
    params:
        cache_key=cache_key("q3_train.py", "nist36"),
        cfg=Q3_RUN_CFG,
        seed=NNP["seed"],
        repeat=False,
    script:
        "../scripts/q3_train.py"


use rule q3_train as q3_train_repeat with:
    output:
        metrics="results/numpy_nn/q3_lr{lr}_seed{seed}/metrics.json",
        weights="results/numpy_nn/q3_lr{lr}_seed{seed}/weights.npz",
        weights_sha256=checksum("results/numpy_nn/q3_lr{lr}_seed{seed}/weights.npz"),
        weights_init="results/numpy_nn/q3_lr{lr}_seed{seed}/weights_init.npz",
        weights_init_sha256=checksum("results/numpy_nn/q3_lr{lr}_seed{seed}/weights_init.npz"),
        figure="results/numpy_nn/q3_lr{lr}_seed{seed}/curves.png",
    log:
        "logs/numpy_nn/q3_lr{lr}_seed{seed}.log",
    benchmark:
        "benchmarks/numpy_nn/q3_lr{lr}_seed{seed}.tsv"
    params:
        cfg=Q3_RUN_CFG,
        seed=lambda w: int(w.seed),
        repeat=True,


rule q3_summary:
    """Best lr (mean valid accuracy over seeds), its test accuracy, Q3.3 weights, Q3.4 confusion."""
    input:
        prov=prov("nist36"),
        runs=[f"{d}/metrics.json" for tag in Q3_LR_TAGS for d in q3_run_dirs(tag)],
        weights=[f"{d}/weights.npz" for tag in Q3_LR_TAGS for d in q3_run_dirs(tag)],
    output:
        summary="results/numpy_nn/q3/summary.json",
        best_weights="results/numpy_nn/q3/best/weights.npz",
        best_weights_sha256=checksum("results/numpy_nn/q3/best/weights.npz"),
        acc_fig="results/numpy_nn/q3/accuracy.png",
        loss_fig="results/numpy_nn/q3/loss.png",
        weights_fig="results/numpy_nn/q3/weights.png",
        confusion_fig="results/numpy_nn/q3/confusion.png",
        seeds_fig="results/numpy_nn/q3/seeds.png",
        headline="results/numpy_nn/q3/headline.json",
    log:
        "logs/numpy_nn/q3_summary.log",
    benchmark:
        "benchmarks/numpy_nn/q3_summary.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=5,
    params:
        cfg=Q3_RUN_CFG | {k: Q3[k] for k in ("lrs", "repeat_seeds", "top_pairs")} | {"seed": NNP["seed"]},
        # {lr tag: [main run folder, repeat folders]}: the script reads the runs by this, not by input order
        runs={tag: q3_run_dirs(tag) for tag in Q3_LR_TAGS},
    script:
        "../scripts/q3_summary.py"
