# Q2 and Q3: the numpy-only network (docs/architecture.md for conventions).
# Config section: numpy_nn (Q2 sanity check + gradient checks, Q3 NIST36 training).

NNP = config["numpy_nn"]


rule q2:
    """The assignment's toy sanity check and the central-difference gradient checks."""
    output:
        metrics="results/numpy_nn/q2/metrics.json",
        figure="results/numpy_nn/q2/training.png",
        headline="results/numpy_nn/q2/headline.json",
    params:
        cfg={k: NNP[k] for k in ("seed", "loss_reduction", "q2")},
    log:
        "logs/numpy_nn/q2.log",
    benchmark:
        "benchmarks/numpy_nn/q2.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/q2_sanity.py"


REPORT_INPUTS["q2"] = ["results/numpy_nn/q2/metrics.json", "results/numpy_nn/q2/training.png"]
HEADLINES["q2"] = "results/numpy_nn/q2/headline.json"
