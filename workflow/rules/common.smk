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
# at the end; data preparation (data.smk) comes before everything, as most jobs wait on it, and
# NIST36 first of all (the jobs of Q3-Q5, Q6.1.1-6.1.2 and the fidelity wait on it). Snakemake's
# default (MILP) scheduler starts the ready jobs whose priorities *sum* highest, so NIST36's
# preparation, which takes standin.workers threads, must outweigh that many one-thread jobs.
PREPARE_PRIORITY = 50
PRIORITY = {
    "prepare_data": PREPARE_PRIORITY,
    "prepare_nist36": PREPARE_PRIORITY * config["standin"]["workers"] + 1,
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
from nnrec.common import is_missing, read_result
from nnrec.config import lr_tag  # the learning rate as it appears in a path: 0.002 -> '0.002', 3e-05 -> '3e-05'


def q3_grid_tags():
    """The rates of Q3.2's sweep (numpy_nn.q3.lr_grid), as path tags."""
    return [lr_tag(lr) for lr in config["numpy_nn"]["q3"]["lr_grid"]]


def q3_run_file(lr, name):
    """A file of the main Q3 run at ``lr`` (q3_train makes it for any lr, e.g. the one the torch FC mirrors)."""
    return f"results/numpy_nn/q3_lr{lr_tag(lr)}/{name}"


def q3_run_dirs(tag):
    """The folders of the runs at one lr: the main run (numpy_nn.seed), then each repeat seed."""
    return [f"results/numpy_nn/q3_lr{tag}"] + [
        f"results/numpy_nn/q3_lr{tag}_seed{s}" for s in config["numpy_nn"]["q3"]["repeat_seeds"]
    ]


Q3_CHOICE = "results/numpy_nn/q3/lr_choice.json"


def q3_lr_choice():
    """The sweep's record written by the checkpoint q3_lr_choice (nnrec.numpy_nn.q3.choose_lr), or
    None when NIST36 is missing (the record is then a placeholder and nothing depends on a rate).
    Only for input functions: until the checkpoint has run, Snakemake schedules it first and asks
    again."""
    record = read_result(checkpoints.q3_lr_choice.get().output.choice, ("chosen_tag", "study"))
    return None if is_missing(record) else record


def q3_study_runs(wildcards=None):
    """{lr tag: [main run folder, repeat folders]} of the Q3 study the sweep chose (best, best /
    lr_factor, best x lr_factor); a rate on the grid reuses its grid run. Empty without data."""
    choice = q3_lr_choice()
    return {s["tag"]: q3_run_dirs(s["tag"]) for s in choice["study"]} if choice else {}


def q3_chosen_files(name):
    """Input function: the file ``name`` of each run at the rate the sweep chose (the main run, then
    each repeat seed: :func:`q3_run_dirs`); none without data."""

    def files(wildcards):
        choice = q3_lr_choice()
        return [f"{d}/{name}" for d in q3_run_dirs(choice["chosen_tag"])] if choice else []

    return files


def q3_study_files(*names):
    """Input function: the files ``names`` of every run of the Q3 study."""

    def files(wildcards):
        return [f"{d}/{n}" for dirs in q3_study_runs().values() for d in dirs for n in names]

    return files


def fc_numpy_tag():
    """The numpy run the torch FC mirrors: pytorch.nist36_fc.numpy_lr when set, else the rate the
    sweep chose (None without data)."""
    lr = config["pytorch"]["nist36_fc"]["numpy_lr"]
    if lr is not None:
        return lr_tag(lr)
    choice = q3_lr_choice()
    return choice["chosen_tag"] if choice else None


def fc_numpy_file(name):
    """Input function: the file ``name`` of the numpy run the torch FC mirrors (none without data)."""

    def file(wildcards):
        tag = fc_numpy_tag()
        return q3_run_file(tag, name) if tag else []

    return file


# ----------------------------------------------------------------------- other parts' variants
def ocr_pages():
    return list(config["ocr"]["pages"])


def ocr_classifiers():
    """The enabled OCR classifiers, {name: spec} (each spec names its weights file)."""
    return {name: spec for name, spec in config["ocr"]["classifiers"].items() if spec["enabled"]}


def fidelity_classifiers():
    """The classifiers scored on the development handwriting, {name: spec}: the enabled
    ocr.classifiers, then the enabled fidelity.classifiers (the names never overlap: config check)."""
    extra = config["fidelity"]["classifiers"]
    return ocr_classifiers() | {name: spec for name, spec in extra.items() if spec["enabled"]}


def fidelity_sets():
    """The development sets the classifiers are scored on (fidelity.sets)."""
    return list(config["fidelity"]["sets"])


def autoencoder_runs():
    return list(config["autoencoder"]["runs"])


def scene_backbones():
    return list(config["scenes"]["frozen"]["backbones"])


def flower_backbones():
    return list(config["flowers"]["backbones"])


# ------------------------------------------------------------------------------ final outputs
def report_inputs(chosen=True):
    """Every result file the writeup reads, per part (the report rule depends on all of them). The
    runs of Q3's study depend on the rate the sweep chose: with ``chosen`` (the default) call it
    from an input function only (see q3_lr_choice); ``chosen=False`` leaves them out."""
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
            for f in (
                "summary.json",
                "lr_choice.json",
                "lr_sweep.png",
                "accuracy.png",
                "loss.png",
                "weights.png",
                "confusion.png",
                "seeds.png",
                "best/weights.npz",
            )
        ]
        # the sweep's runs, then (an input function, once the rate is chosen) the study's runs
        + [f"results/numpy_nn/q3_lr{tag}/metrics.json" for tag in q3_grid_tags()]
        + (q3_study_report_files() if chosen else []),
        "q4": [f"results/ocr/{p}{ext}" for p in ocr_pages() for ext in (".txt", ".json", ".png", "_crops.png")]
        + [
            "results/ocr/summary.json",
            "results/ocr/generated/summary.json",
            "results/ocr/generated/gen_01.png",
            "results/ocr/failures/failures.json",
            "results/ocr/failures/failures.png",
        ],
        "fidelity": ["results/fidelity/summary.json"]
        + [f"results/fidelity/{s}/{c}.json" for s in fidelity_sets() for c in fidelity_classifiers()]
        + [f"results/fidelity/{s}/contact_sheet.png" for s in fidelity_sets()]
        + [f"results/fidelity/{s}/q3_seeds.json" for s in fidelity_sets() if "q3" in fidelity_classifiers()],
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
        "results/fidelity/headline.json",
        "results/ocr/headline.json",
        "results/autoencoder/headline.json",
        "results/pytorch/q6_1/headline.json",
        "results/scenes/headline.json",
        "results/pytorch/flowers/headline.json",
    ]


def flat(parts):
    """The files of report_inputs(), each once, sorted."""
    return sorted({f for files in parts.values() for f in files})


def q3_study_report_files(wildcards=None):
    """What the writeup reads of the runs the sweep chose: every study run's metrics (the histories
    of Q3.2, the seed twin of Q6.1.1's cross-check), each rate's main-run curves and the chosen
    run's initial weights (Q3.3). An input function (see q3_lr_choice)."""
    choice = q3_lr_choice()
    if not choice:
        return []
    runs = q3_study_runs().values()
    return (
        [f"{d}/metrics.json" for dirs in runs for d in dirs]
        + [f"{dirs[0]}/curves.png" for dirs in runs]
        + [q3_run_file(choice["chosen_tag"], "weights_init.npz")]
    )


def get_final_output():
    """What `snakemake` with no target builds: the writeup and the headline numbers."""
    return ["results/report/writeup.pdf", "results/summary.json"]
