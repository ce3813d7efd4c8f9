"""Prepare one dataset: fetch, verify, normalise into resources/<dataset>/ (nnrec.data.prepare)."""

from nnrec.workflow import start

# the rule's threads are the stand-in generator's worker processes: one BLAS thread each
job = start(snakemake, blas_threads=1)  # noqa: F821

from pathlib import Path

from nnrec.data import prepare_dataset

sm = snakemake  # noqa: F821
name = sm.wildcards.dataset
job.log.info(f"{name}: preparing ({sm.params.retry})")
prov = prepare_dataset(name, sm.config, Path(sm.output[0]).parent, job.log, sm.threads, retry=sm.params.retry)
job.log.info(f"{name}: available={prov['available']} source={prov['source']} counts={prov.get('counts')}")
