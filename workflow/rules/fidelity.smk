# How well the NIST36 training data stands in for real handwriting (issue 14; docs/architecture.md).
# Every classifier of fidelity_classifiers() (common.smk: the enabled ocr.classifiers and
# fidelity.classifiers) scored on every development set (data.datasets dev_*: real handwriting,
# never trained on), the reference being its NIST36 source's test split; contact sheets of each
# development set beside the NIST36 source's and the stand-in's. Config section: fidelity.

FID = config["fidelity"]
FID_SETS = fidelity_sets()
FID_CLASSIFIERS = fidelity_classifiers()


wildcard_constraints:
    devset="|".join(FID_SETS) if FID_SETS else "__none__",
    clf="|".join(FID_CLASSIFIERS) if FID_CLASSIFIERS else "__none__",


rule fidelity_score:
    """One classifier on one development set: 36-way and in-set accuracy, per class, confusions;
    the same classifier on the NIST36 source's test split as the reference row."""
    input:
        prov=prov("{devset}"),
        nist36=prov("nist36"),
        weights=lambda w: FID_CLASSIFIERS[w.clf]["weights"],
        weights_sha256=lambda w: checksum(FID_CLASSIFIERS[w.clf]["weights"]),
    output:
        "results/fidelity/{devset}/{clf}.json",
    log:
        "logs/fidelity/{devset}_{clf}.log",
    benchmark:
        "benchmarks/fidelity/{devset}_{clf}.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=5,
    params:
        spec=lambda w: FID_CLASSIFIERS[w.clf],
        top_confusions=FID["top_confusions"],
        class_confusions=FID["class_confusions"],
    script:
        "../scripts/fidelity_score.py"


rule fidelity_summary:
    """Every classifier on every development set in one table; the fidelity keys of summary.json."""
    input:
        expand("results/fidelity/{devset}/{clf}.json", devset=FID_SETS, clf=list(FID_CLASSIFIERS)),
    output:
        summary="results/fidelity/summary.json",
        headline="results/fidelity/headline.json",
    log:
        "logs/fidelity/summary.log",
    benchmark:
        "benchmarks/fidelity/summary.tsv"
    threads: 1
    resources:
        mem_mb=300,
        runtime=2,
    params:
        # {set: {classifier: file}}: the script reads the records by this, not by input order
        records={s: {c: f"results/fidelity/{s}/{c}.json" for c in FID_CLASSIFIERS} for s in FID_SETS},
        worst_classes=FID["worst_classes"],
        same_within_images=FID["same_within_images"],
    script:
        "../scripts/fidelity_summary.py"


rule fidelity_seeds:
    """The Q3 network of every training seed at the rate the sweep chose (Q3.2's study: the main run
    and each of numpy_nn.q3.repeat_seeds, the same data and rate) on one development set: each
    run's 36-way and in-set accuracy, their mean and range. fidelity_score reads the main run only."""
    input:
        prov=prov("{devset}"),
        nist36=prov("nist36"),
        # main run first, then the repeat seeds in config order: the script labels them so
        weights=q3_chosen_files("weights.npz"),
        weights_sha256=q3_chosen_files("weights.npz.sha256"),
    output:
        "results/fidelity/{devset}/q3_seeds.json",
    log:
        "logs/fidelity/{devset}_q3_seeds.log",
    benchmark:
        "benchmarks/fidelity/{devset}_q3_seeds.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=5,
    params:
        spec=config["ocr"]["classifiers"]["q3"],
        seeds=[NNP["seed"]] + list(config["numpy_nn"]["q3"]["repeat_seeds"]),
    script:
        "../scripts/fidelity_seeds.py"


rule standin_samples:
    """A few stand-in samples per class (the first of its valid split), for the contact sheets,
    whatever the NIST36 source is."""
    output:
        "results/data/standin_samples.npz",
    log:
        "logs/fidelity/standin_samples.log",
    benchmark:
        "benchmarks/fidelity/standin_samples.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=2,
    params:
        standin=config["standin"],
        per_class=FID["sheet_per_class"],
    script:
        "../scripts/standin_samples.py"


rule fidelity_sheet:
    """A development set after normalisation, beside the NIST36 source's and the stand-in's
    samples of the same classes."""
    input:
        prov=prov("{devset}"),
        nist36=prov("nist36"),
        standin="results/data/standin_samples.npz",
    output:
        "results/fidelity/{devset}/contact_sheet.png",
    log:
        "logs/fidelity/{devset}_contact_sheet.log",
    benchmark:
        "benchmarks/fidelity/{devset}_contact_sheet.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=2,
    params:
        per_class=FID["sheet_per_class"],
    script:
        "../scripts/fidelity_sheet.py"
