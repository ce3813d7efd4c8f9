# Config access and path building shared by the rule files (no logic beyond building paths), and
# the workflow's final outputs: get_final_output() for `rule all`, report_inputs() and
# headline_files() for the report. Included first, so every rule file can use these.


from nnrec.codekey import code_fingerprint, local_sources
from nnrec.config import mirror_folder


def prov(dataset):
    """The provenance marker of a prepared dataset (the declared output of prepare_<dataset>)."""
    return f"resources/{dataset}/provenance.json"


def checksum(path):
    """The SHA-256 sidecar written with every model / weights file (nnrec.common.checksum_path); the
    loaders verify the file against it, so a truncated or altered model never loads silently."""
    return f"{path}.sha256"


def torch_resources(section, mem_mb, runtime):
    """resources: of a torch rule: memory and time at full size, and the GPUs of its config section
    (`gpus`, default 0; the Slurm profile sets 1)."""
    return {"mem_mb": mem_mb, "runtime": runtime, "gpu": config[section]["gpus"]}


# ---------------------------------------------------------------------------------- scheduling
# `priority:` of the long jobs: among the jobs ready to run, Snakemake starts the higher first.
# Longest first (the torch training, in order of their measured run time) and the short numpy,
# OCR and summary jobs (priority 0) fill the other core, so no long job starts last and runs alone
# at the end; data preparation (data.smk, 50) comes before everything, as most jobs wait on it.
PRIORITY = {
    "torch_cifar10": 40,
    "flowers_scratch": 35,
    "scenes_cnn": 30,
    "torch_nist36_cnn": 30,
    "flowers_finetune": 20,
    "scenes_frozen": 20,
    "scenes_bow": 20,
}


# ------------------------------------------------------------------------ between-workflow cache
# `snakemake --cache` with SNAKEMAKE_OUTPUT_CACHE (README "Reusing trained models"): the expensive,
# deterministic rules (training) say `cache: cache_mode()` and carry `cache_key=cache_key(...)` in
# their params. Snakemake keys a cached output on the script file, the params, the input files and
# the upstream jobs' keys: not on the library code the script runs, the wildcards, or where the
# data came from. Outside --cache the parameter is null, so plain runs behave as before.
CACHING = workflow.workflow_settings is not None and workflow.workflow_settings.cache is not None


def cache_mode():
    """`cache:` of a cacheable rule: "omit-software" under --cache (one Python environment, no
    conda/containers to hash), else off (Snakemake then warns about nothing and keeps benchmarks)."""
    return "omit-software" if CACHING else False


def cache_key(script, *datasets):
    """params.cache_key of a cacheable rule under --cache, what its key needs beyond its config;
    - the hash of workflow/scripts/<script> and of every nnrec module it imports (nnrec.codekey);
    - the job's wildcards (e.g. the Q3 learning rate, which reaches the script only in its paths);
    - per dataset it reads, which of its source files the mirror or resources/downloads/ hold: they
      decide where the data comes from (e.g. NIST36's data.zip, else the EMNIST substitute, else
      the stand-in), so a result trained on other data is not reused."""
    if not CACHING:
        return None
    code = code_fingerprint(Path(workflow.basedir) / "workflow" / "scripts" / script, CHECKOUT_SRC)
    sources = {
        d: local_sources(config["data"]["datasets"][d], mirror_folder(config), "resources/downloads") for d in datasets
    }
    return lambda w: {"code": code, "wildcards": dict(w.items()), "sources": sources}


def drop_benchmarks_of_cached_rules():
    """Under --cache, remove the benchmark of every cached rule: Snakemake refuses a rule that is
    both (a job fetched from the cache has no run time to report); the report sums what exists."""
    if CACHING:
        for r in workflow.rules:
            if r.cache and r.cache.output:
                r._benchmark = None  # no public setter for "no benchmark"; Snakemake pinned in pyproject


def weights_sha256(backbone):
    """The configured SHA-256 of a backbone's pretrained weights (used when provenance has none)."""
    return config["data"]["datasets"][f"weights_{backbone}"]["sources"][0].get("sha256")


# ----------------------------------------------------------------------------------- Q3 runs
def lr_tag(lr):
    """The learning rate as it appears in a path: 0.002 -> '0.002', 3e-05 -> '3e-05'."""
    return f"{float(lr):g}"


def q3_lr_tags():
    return [lr_tag(lr) for lr in config["numpy_nn"]["q3"]["lrs"]]


def q3_run_file(lr, name):
    """A file of the main Q3 run at ``lr`` (q3_train makes it for any lr, e.g. the one the torch FC mirrors)."""
    return f"results/numpy_nn/q3_lr{lr_tag(lr)}/{name}"


def q3_run_dirs(tag):
    """The folders of the runs at one lr: the main run (numpy_nn.seed), then each repeat seed."""
    return [f"results/numpy_nn/q3_lr{tag}"] + [
        f"results/numpy_nn/q3_lr{tag}_seed{s}" for s in config["numpy_nn"]["q3"]["repeat_seeds"]
    ]


# ----------------------------------------------------------------------- other parts' variants
def ocr_pages():
    return list(config["ocr"]["pages"])


def ocr_classifiers():
    """The enabled OCR classifiers, {name: spec} (each spec names its weights file)."""
    return {name: spec for name, spec in config["ocr"]["classifiers"].items() if spec["enabled"]}


def autoencoder_runs():
    return list(config["autoencoder"]["runs"])


def scene_backbones():
    return list(config["scenes"]["frozen"]["backbones"])


def flower_backbones():
    return list(config["flowers"]["backbones"])


# ------------------------------------------------------------------------------ final outputs
def report_inputs():
    """Every result file the writeup reads, per part (the report rule depends on all of them)."""
    return {
        "data": ["results/data/nist36_contact_sheet.png"],
        "theory": [
            f"results/theory/{f}"
            for f in (
                "checks.json",
                "activations.png",
                "gradient_stack.png",
                "zero_init.png",
                "init_scaling.png",
                "softmax_stability.png",
            )
        ],
        "q2": ["results/numpy_nn/q2/metrics.json", "results/numpy_nn/q2/training.png"],
        "q3": [
            f"results/numpy_nn/q3/{f}"
            for f in ("summary.json", "accuracy.png", "loss.png", "weights.png", "confusion.png", "seeds.png")
        ]
        + [f"results/numpy_nn/q3_lr{tag}/curves.png" for tag in q3_lr_tags()],
        "q4": [f"results/ocr/{p}{ext}" for p in ocr_pages() for ext in (".txt", ".json", ".png", "_crops.png")]
        + [
            "results/ocr/summary.json",
            "results/ocr/generated/summary.json",
            "results/ocr/generated/gen_01.png",
            "results/ocr/failures/failures.json",
            "results/ocr/failures/failures.png",
        ],
        "q5": [
            f"results/autoencoder/{f}"
            for f in ("metrics.json", "reconstructions.png", "loss.png", "psnr_per_class.png")
        ],
        "q6_1": [
            f"results/pytorch/{f}"
            for f in (
                "nist36_fc/metrics.json",
                "nist36_fc/curves.png",
                "nist36_fc/crosscheck.png",
                "nist36_cnn/metrics.json",
                "nist36_cnn/curves.png",
                "q6_1/nist36_compare.json",
                "q6_1/nist36_compare.png",
                "cifar10/metrics.json",
                "cifar10/curves.png",
            )
        ],
        "q6_1_4": [
            f"results/scenes/{f}"
            for f in (
                "compare.json",
                "sun_bow/metrics.json",
                "sun_bow/confusion.png",
                "sun_cnn/metrics.json",
                "sun_cnn/curves.png",
                "sun_cnn/confusion.png",
            )
        ]
        + [f"results/scenes/sun_frozen_{b}/metrics.json" for b in scene_backbones()],
        "q6_2": [
            "results/pytorch/flowers/compare.json",
            "results/pytorch/flowers_scratch/metrics.json",
            "results/pytorch/flowers_scratch/curves.png",
        ]
        + [
            f"results/pytorch/flowers_finetune_{b}/{f}"
            for b in flower_backbones()
            for f in ("metrics.json", "curves.png")
        ],
    }


def headline_files():
    """One small JSON per part with its keys of results/summary.json."""
    return [
        "results/numpy_nn/q2/headline.json",
        "results/numpy_nn/q3/headline.json",
        "results/ocr/headline.json",
        "results/autoencoder/headline.json",
        "results/pytorch/q6_1/headline.json",
        "results/scenes/headline.json",
        "results/pytorch/flowers/headline.json",
    ]


def flat(parts):
    """The files of report_inputs(), each once, sorted."""
    return sorted({f for files in parts.values() for f in files})


def get_final_output():
    """What `snakemake` with no target builds: the writeup and the headline numbers."""
    return ["results/report/writeup.pdf", "results/summary.json"]
