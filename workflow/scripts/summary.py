"""results/summary.json: merge the parts' headline.json files (a value that is missing says why)."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from pathlib import Path

from nnrec.common import write_json
from nnrec.report import build_summary
from nnrec.report.summary import missing_keys

sm = snakemake  # noqa: F821
summary = build_summary(list(sm.input.headlines), sm.input.nist36, Path.cwd())
for key, why in missing_keys(summary).items():
    job.log.warning(f"{key}: missing: {why}")
write_json(sm.output[0], summary)
job.log.info(f"wrote {sm.output[0]} ({len(summary)} keys)")
