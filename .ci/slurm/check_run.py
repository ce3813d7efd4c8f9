"""Checks of a Slurm run of the workflow (used by run-test.sh; exits 1 with the reasons on failure).

    python check_run.py --jobs slurm-jobs.txt --snakemake-log slurm-run.log [--gpu-rules "a b"]
                        [--jobcomp jobcomp.txt] [--run-id UUID] [--profile workflow/profiles/slurm]
    python check_run.py --summary results/summary.json --reference local/results/summary.json

Jobs: every Slurm job snakemake submitted (its log's "has been submitted with SLURM jobid N") is in
Slurm's records (squeue -t all or sacct, `|`-separated: id|name|comment|state|TRES...) as COMPLETED
and, when given, in the job completion file; every rule of the run's job table other than the local
rule `all` ran in a Slurm job (the executor's comment "rule_<rule>[_wildcards_...]", or the group's
name for grouped rules); jobs of the GPU rules were allocated a GPU.
Summary: the same keys, and the same keys with a value (non-null), as the reference run.
"""

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

SUBMITTED = re.compile(r"Job (\S+) has been submitted with SLURM jobid (\d+)")
LOCAL_RULES = {"all"}


def parse_jobs(text: str) -> dict[str, dict]:
    """Slurm job records, `id|name|comment|state|tres...` per line, by job id."""
    jobs = {}
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 4 or not parts[0].split("_")[0].isdigit():
            continue
        jobs[parts[0]] = {"name": parts[1], "comment": parts[2], "state": parts[3],
                          "tres": " ".join(parts[4:])}
    return jobs


def job_table(log: str) -> dict[str, int]:
    """The first 'Job stats' table of a snakemake log: {rule: count}."""
    rules, inside = {}, False
    for line in log.splitlines():
        if line.startswith("Job stats:"):
            inside = True
            continue
        if inside:
            fields = line.split()
            if not fields or fields[0] in ("job", "----", "-----") or set(fields[0]) == {"-"}:
                continue
            if fields[0] == "total":
                break
            if len(fields) == 2 and fields[1].isdigit():
                rules[fields[0]] = int(fields[1])
    return rules


def comment_rule(comment: str) -> str:
    """rule_ocr_page_wildcards_page=01 -> ocr_page; rule_q2 -> q2."""
    name = comment[len("rule_"):] if comment.startswith("rule_") else comment
    return name.split("_wildcards_")[0]


def profile_groups(profile: Path | None) -> dict[str, str]:
    """{rule: group} from a profile's `groups:` list (rule=group)."""
    if not profile or not (profile / "config.yaml").exists():
        return {}
    cfg = yaml.safe_load((profile / "config.yaml").read_text()) or {}
    groups = cfg.get("groups") or []
    items = groups.items() if isinstance(groups, dict) else (g.split("=", 1) for g in groups)
    return {rule.strip(): group.strip() for rule, group in items}


def check_jobs(jobs_txt: str, log: str, gpu_rules: list[str], jobcomp: str | None,
               groups: dict[str, str]) -> list[str]:
    errors = []
    records = parse_jobs(jobs_txt)
    submitted = SUBMITTED.findall(log)
    if not submitted:
        return ["the snakemake log shows no job submitted to Slurm"]
    for sm_id, slurm_id in submitted:
        rec = records.get(slurm_id)
        if rec is None:
            errors.append(f"Slurm has no record of job {slurm_id} (snakemake job {sm_id})")
        elif rec["state"] != "COMPLETED":
            errors.append(f"Slurm job {slurm_id} ({rec['comment']}) is {rec['state']}, not COMPLETED")
    if jobcomp is not None:
        done = set(re.findall(r"JobId=(\d+) .*?JobState=COMPLETED", jobcomp))
        missing = [s for _, s in submitted if s not in done]
        if missing:
            errors.append(f"not in the job completion file as COMPLETED: {', '.join(missing)}")
    ran = {comment_rule(rec["comment"]) for sid, rec in records.items()
           if sid in {s for _, s in submitted}}
    for rule in job_table(log):
        if rule in LOCAL_RULES:
            continue
        group = groups.get(rule)
        # a group job's comment is rule_<group>_<its rules>
        if rule not in ran and not (group and any(r.startswith(f"{group}_") for r in ran)):
            errors.append(f"rule {rule} ran in no Slurm job")
    for sid, rec in records.items():
        if comment_rule(rec["comment"]) in gpu_rules and "gpu" not in rec["tres"]:
            errors.append(f"Slurm job {sid} ({rec['comment']}) of a GPU rule got no GPU: {rec['tres']}")
    if not errors:
        by_rule = {}
        for _, sid in submitted:
            by_rule.setdefault(comment_rule(records[sid]["comment"]), []).append(sid)
        print(f"[check] {len(submitted)} Slurm jobs, all COMPLETED: "
              + ", ".join(f"{r} x{len(v)}" for r, v in sorted(by_rule.items())))
    return errors


def check_summary(summary: dict, reference: dict) -> list[str]:
    errors = []
    if set(summary) != set(reference):
        errors.append(f"summary keys differ: only in the Slurm run {sorted(set(summary) - set(reference))}, "
                      f"only in the reference {sorted(set(reference) - set(summary))}")
    nn = {k for k, v in summary.items() if v is not None}
    nn_ref = {k for k, v in reference.items() if v is not None}
    if nn != nn_ref:
        errors.append(f"keys with a value differ: only in the Slurm run {sorted(nn - nn_ref)}, "
                      f"only in the reference {sorted(nn_ref - nn)}")
    if not errors:
        same = [k for k in summary if summary[k] == reference.get(k)]
        print(f"[check] summary.json: {len(summary)} keys as in the reference, {len(nn)} with values, "
              f"{len(same)} identical values (run times and the like differ)")
    return errors


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=Path)
    ap.add_argument("--snakemake-log", type=Path)
    ap.add_argument("--gpu-rules", default="")
    ap.add_argument("--jobcomp", type=Path)
    ap.add_argument("--run-id", default="")
    ap.add_argument("--profile", type=Path, default=Path(__file__).resolve().parents[2] / "workflow/profiles/slurm")
    ap.add_argument("--summary", type=Path)
    ap.add_argument("--reference", type=Path)
    a = ap.parse_args(argv)
    errors = []
    if a.jobs:
        jobcomp = a.jobcomp.read_text() if a.jobcomp and a.jobcomp.exists() else None
        errors += check_jobs(a.jobs.read_text(), a.snakemake_log.read_text(), a.gpu_rules.split(),
                             jobcomp, profile_groups(a.profile))
    if a.summary:
        for p in (a.summary, a.reference):
            if not p or not p.exists():
                errors.append(f"{p}: missing")
        if not errors:
            errors += check_summary(json.loads(a.summary.read_text()), json.loads(a.reference.read_text()))
    for e in errors:
        print(f"[check] FAILED: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
