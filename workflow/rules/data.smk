# Fetch, verify and normalise every dataset into resources/<dataset>/ (docs/architecture.md).
# The declared output is provenance.json, written last; the canonical files sit beside it.

from nnrec.retry import retry_key

DATASETS = list(config["data"]["datasets"])
# memory and time for a full-size preparation (CIFAR-10 decodes 60,000 JPEGs)
PREPARE_RESOURCES = {
    "nist36": dict(mem_mb=3000, runtime=15),
    "ocr_pages": dict(mem_mb=1000, runtime=5),
    "cifar10": dict(mem_mb=3000, runtime=15),
    "sun": dict(mem_mb=2000, runtime=10),
    "flowers17": dict(mem_mb=3000, runtime=10),
    "dev_mnist": dict(mem_mb=1500, runtime=5),
    "dev_comnist": dict(mem_mb=1000, runtime=5),
    "weights_squeezenet1_1": dict(mem_mb=500, runtime=5),
    "weights_mobilenet_v2": dict(mem_mb=500, runtime=5),
}


rule prepare_dataset:
    output:
        "resources/{dataset}/provenance.json",
    log:
        "logs/data/prepare_{dataset}.log",
    benchmark:
        "benchmarks/data/prepare_{dataset}.tsv"
    wildcard_constraints:
        dataset="|".join(DATASETS),
    # data first: most of the DAG waits on it (without this, a long torch job can start first and
    # hold a core the two-thread stand-in generator needs); NIST36 before the other datasets, or
    # they take the cores one by one, the 1-thread CIFAR-10 training starts on the first one free,
    # and NIST36 (2 threads) and every job after it wait until that ends (README, "Scheduling")
    priority: lambda w: PRIORITY["prepare_nist36"] if w.dataset == "nist36" else PRIORITY["prepare_data"]
    threads: lambda w: config["standin"]["workers"] if w.dataset == "nist36" else 1  # stand-in generator
    resources:
        mem_mb=lambda w: PREPARE_RESOURCES[w.dataset]["mem_mb"],
        runtime=lambda w: PREPARE_RESOURCES[w.dataset]["runtime"],
    params:
        # the config subtree this dataset depends on (a change reruns only this dataset)
        sources=lambda w: {
            k: v for k, v in config["data"]["datasets"][w.dataset].items() if k != "contact_sheet_per_class"
        },
        standin=lambda w: config.get("standin") if w.dataset in ("nist36", "ocr_pages") else None,
        # page-character normalisation of the development sets
        glyph=lambda w: config["standin"]["glyph"] if w.dataset.startswith("dev_") else None,
        # changes when the data mirror offers something new for a source that failed (or for any, when
        # the dataset is unavailable): Snakemake then prepares the dataset again (nnrec.data.prepare)
        retry=lambda w: retry_key(w.dataset, config, f"resources/{w.dataset}"),
    script:
        "../scripts/prepare_dataset.py"


rule nist36_contact_sheet:
    """The first samples of every NIST36 class (real or stand-in), one row per class."""
    input:
        prov=prov("nist36"),
    output:
        report(
            "results/data/nist36_contact_sheet.png",
            caption="../../report/templates/captions/nist36_contact_sheet.rst",
            category="Data",
        ),
    log:
        "logs/data/nist36_contact_sheet.log",
    benchmark:
        "benchmarks/data/nist36_contact_sheet.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=2,
    params:
        per_class=config["data"]["datasets"]["nist36"]["contact_sheet_per_class"],
    script:
        "../scripts/nist36_contact_sheet.py"
