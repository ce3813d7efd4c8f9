# Neural Networks for Recognition: one command from raw data to results/report/writeup.pdf
#     snakemake --cores 4
# See README.md for targets, configuration and cluster use; docs/architecture.md for the layout.

import sys
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")

# The code of THIS checkout, for the Snakemake process (config validation below) and for every job.
# A job runs its script in a new Python process, which would import nnrec from whatever is installed
# (e.g. an editable install of another checkout): jobs_import_from puts this checkout's src/ first on
# the PYTHONPATH the jobs inherit (nnrec.workflow.start checks it and stops a job with another nnrec).
CHECKOUT_SRC = str(Path(workflow.basedir) / "src")
sys.path.insert(0, CHECKOUT_SRC)

from nnrec.config import apply_command_line_config, validate_config
from nnrec.workflow import jobs_import_from

jobs_import_from(CHECKOUT_SRC)


configfile: str(Path(workflow.basedir) / "config.yaml")


# nested --config values (numpy_nn='{q3: {lrs: [0.002]}}') arrive with every scalar a string: read them as YAML
apply_command_line_config(config, workflow.config_settings.config)
validate_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/theory.smk"
include: "workflow/rules/numpy_nn.smk"
include: "workflow/rules/autoencoder.smk"
include: "workflow/rules/ocr.smk"
include: "workflow/rules/pytorch.smk"
include: "workflow/rules/fidelity.smk"
include: "workflow/rules/scenes.smk"
include: "workflow/rules/finetune.smk"
include: "workflow/rules/report.smk"


drop_benchmarks_of_cached_rules()  # under --cache only (see common.smk)


rule all:
    default_target: True
    input:
        get_final_output(),
