"""results/summary.json: merge the parts' headline.json files (issue 10's keys; null = not run)."""

from pathlib import Path

from nnrec.common import get_logger, set_threads, write_json
from nnrec.report import build_summary

sm = snakemake  # noqa: F821
log = get_logger("summary", sm.log[0])
set_threads(sm.threads)
summary = build_summary(list(sm.input.headlines), sm.input.nist36, Path.cwd())
nulls = [k for k, v in summary.items() if v is None]
if nulls:
    log.info(f"keys without a value (part not run or data missing): {', '.join(nulls)}")
write_json(sm.output[0], summary)
log.info(f"wrote {sm.output[0]} ({len(summary)} keys)")
