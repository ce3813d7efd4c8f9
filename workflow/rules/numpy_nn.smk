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
# the settings every Q3 run shares (the lr comes from the wildcard, so editing the grid reruns only
# the runs whose lr changed, the sweep's checkpoint and what depends on the rate it chooses)
Q3_RUN_CFG = {k: Q3[k] for k in ("hidden", "activation", "epochs", "batch_size")} | {
    k: NNP[k] for k in ("loss_reduction", "dtype")
}
Q3_WILDCARDS = dict(lr=r"[0-9][0-9.e+-]*", seed=r"[0-9]+")


rule q3_train:
    """One Q3 run at learning rate {lr} with the part's seed: a rate of the sweep's grid, or a rate of
    the study the sweep chose (Q3.1/Q3.2)."""
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


checkpoint q3_lr_choice:
    """Q3.2's sweep: the grid rate with the highest final validation accuracy, and the study's three
    rates around it (lr_choice.json); the study's runs and everything after them depend on it."""
    input:
        prov=prov("nist36"),
        runs=[q3_run_file(tag, "metrics.json") for tag in q3_grid_tags()],
    output:
        choice=Q3_CHOICE,
        figure="results/numpy_nn/q3/lr_sweep.png",
    log:
        "logs/numpy_nn/q3_lr_choice.log",
    benchmark:
        "benchmarks/numpy_nn/q3_lr_choice.tsv"
    threads: 1
    resources:
        mem_mb=300,
        runtime=2,
    params:
        cfg={k: Q3[k] for k in ("lr_grid", "lr_factor")} | {"seed": NNP["seed"]},
        # {lr tag: grid run folder}: the script reads the runs by this, not by input order
        runs={tag: q3_run_dirs(tag)[0] for tag in q3_grid_tags()},
    script:
        "../scripts/q3_lr_choice.py"


rule q3_summary:
    """The study the sweep chose (best, / and x lr_factor, every seed): its test accuracy, Q3.3
    weights, Q3.4 confusion, and q3/best/weights.npz (the OCR step's network)."""
    input:
        prov=prov("nist36"),
        choice=Q3_CHOICE,
        runs=q3_study_files("metrics.json"),
        weights=q3_study_files("weights.npz"),
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
        cfg=Q3_RUN_CFG | {k: Q3[k] for k in ("repeat_seeds", "top_pairs")} | {"seed": NNP["seed"]},
        # {lr tag: [main run folder, repeat folders]}: the script reads the runs by this, not by input order
        runs=lambda w: q3_study_runs(),
    script:
        "../scripts/q3_summary.py"
