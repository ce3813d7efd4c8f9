# Neural Networks for Recognition: one command from raw data to results/report/writeup.pdf
#     snakemake --cores 4
# See README.md for targets, configuration and cluster use.

import sys
from pathlib import Path

# Make the library importable even before `pip install -e .` (the scripts run in this interpreter).
sys.path.insert(0, str(Path(workflow.basedir) / "src"))

from nnrec.config import validate_config

configfile: str(Path(workflow.basedir) / "config.yaml")

validate_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/theory.smk"
include: "workflow/rules/numpy_nn.smk"
include: "workflow/rules/autoencoder.smk"
include: "workflow/rules/ocr.smk"
include: "workflow/rules/pytorch.smk"
include: "workflow/rules/scenes.smk"
include: "workflow/rules/finetune.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        "results/report/writeup.pdf",
        "results/summary.json",
