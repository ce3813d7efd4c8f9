"""Snakemake adapter: prepare one dataset (see nnrec.data.prepare.prepare_dataset)."""

from pathlib import Path

from nnrec.common import get_logger
from nnrec.data import prepare_dataset

name = snakemake.wildcards.dataset  # noqa: F821 (injected by Snakemake)
logger = get_logger(f"prepare_{name}", snakemake.log[0])  # noqa: F821
prov = prepare_dataset(name, snakemake.config, Path(snakemake.output[0]).parent, logger, snakemake.threads)  # noqa: F821
logger.info(f"{name}: available={prov['available']} source={prov['source']} counts={prov.get('counts')}")
