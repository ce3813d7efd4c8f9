# Q1 (and Q2.1.1, Q2.1.3) theory checks: the numbers and figures behind the theory answers.
# Config section: theory (sizes, tolerances, seed).


rule theory_checks:
    """Softmax stability/invariance, linear collapse, sigma' and Q1.5 gradients vs finite
    differences, activation plots, vanishing gradients, zero vs Xavier initialisation."""
    output:
        checks="results/theory/checks.json",
        activations=report(
            "results/theory/activations.png",
            caption="../../report/templates/captions/theory_activations.rst",
            category="Q1 theory checks",
        ),
        gradient_stack=report(
            "results/theory/gradient_stack.png",
            caption="../../report/templates/captions/theory_gradient_stack.rst",
            category="Q1 theory checks",
        ),
        zero_init=report(
            "results/theory/zero_init.png",
            caption="../../report/templates/captions/theory_zero_init.rst",
            category="Q1 theory checks",
        ),
        init_scaling=report(
            "results/theory/init_scaling.png",
            caption="../../report/templates/captions/theory_init_scaling.rst",
            category="Q1 theory checks",
        ),
        softmax=report(
            "results/theory/softmax_stability.png",
            caption="../../report/templates/captions/theory_softmax.rst",
            category="Q1 theory checks",
        ),
    log:
        "logs/theory/theory_checks.log",
    benchmark:
        "benchmarks/theory/theory_checks.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        cfg=config["theory"],
    script:
        "../scripts/theory_checks.py"
