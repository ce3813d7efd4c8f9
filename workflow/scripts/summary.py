"""results/summary.json: merge the parts' headline.json files (null = part not run or data missing)."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from pathlib import Path

from nnrec.common import write_json
from nnrec.report import build_summary

sm = snakemake  # noqa: F821
summary = build_summary(list(sm.input.headlines), sm.input.nist36, Path.cwd())
nulls = [k for k, v in summary.items() if v is None]
if nulls:
    job.log.info(f"keys without a value (part not run or data missing): {', '.join(nulls)}")
write_json(sm.output[0], summary)
job.log.info(f"wrote {sm.output[0]} ({len(summary)} keys)")
