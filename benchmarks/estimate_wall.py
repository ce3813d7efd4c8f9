"""Estimated wall time of the whole default run on N cores, from per-job run times (issue 19).

Reads the jobs of ``snakemake -n -F`` (rule, inputs, outputs, benchmark file, threads, priority),
links each input to the job that makes it, and replays Snakemake's choice: whenever cores are free,
start the ready jobs in order of priority (then longest first), each taking ``min(threads, N)``
cores for its run time. Run times come from a YAML file of seconds (``--times``), keyed by a job's
benchmark path (``pytorch/cifar10``) or by its rule name; a job with neither counts ``--default``.
Its optional ``threads:`` mapping (same keys) gives the cores of jobs with ``threads:`` > 1 (the
dry run does not print them).
Job start-up (a Python process importing torch/numpy: ~2-4 s) belongs in the times.

It assumes that two jobs on two cores run as fast as each alone (CPU-bound, one thread each);
where that fails (shared memory bandwidth or SMT siblings) the result is a lower bound.

    python benchmarks/estimate_wall.py --times benchmarks/estimate_times.yaml --cores 2 [--gantt]
"""

import argparse
import heapq
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def dry_run_jobs(args: list[str], checkout: Path = ROOT) -> list[dict]:
    """The jobs of a forced dry run, each {rule, inputs, outputs, benchmark, threads, priority}."""
    out = subprocess.run(["snakemake", "-n", "-F", *args], cwd=checkout, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(checkout) / "src")})
    if out.returncode:
        sys.exit(out.stdout + out.stderr)
    jobs, cur = [], None
    for line in (out.stdout + out.stderr).splitlines():
        m = re.match(r"^(?:local)?rule (\w+):$", line)
        if m:
            cur = {"rule": m.group(1), "inputs": [], "outputs": [], "benchmark": None, "threads": 1, "priority": 0}
            jobs.append(cur)
            continue
        m = re.match(r"^\s+(input|output|benchmark|threads|priority): (.*)$", line)
        if cur is not None and m:
            key, val = m.groups()
            if key in ("input", "output"):
                cur[key + "s"] = [v.strip() for v in val.split(",")]
            elif key == "benchmark":
                cur["benchmark"] = val.strip().removeprefix("benchmarks/").removesuffix(".tsv")
            else:
                cur[key] = int(val)
    return jobs


def simulate(jobs: list[dict], seconds, cores: int) -> tuple[float, list[tuple]]:
    """Makespan and the schedule [(start, end, cores, name)] of list scheduling as described above."""
    made_by = {o: i for i, j in enumerate(jobs) for o in j["outputs"]}
    deps = [{made_by[f] for f in j["inputs"] if f in made_by} for j in jobs]
    dur = [seconds(j) for j in jobs]
    done, running, sched, t, free = set(), [], [], 0.0, cores
    waiting = set(range(len(jobs)))
    while waiting or running:
        ready = sorted((i for i in waiting if deps[i] <= done), key=lambda i: (-jobs[i]["priority"], -dur[i]))
        for i in ready:
            need = min(jobs[i]["threads"], cores)
            if need <= free:
                free -= need
                waiting.discard(i)
                heapq.heappush(running, (t + dur[i], i, need))
                sched.append((t, t + dur[i], need, jobs[i]["benchmark"] or jobs[i]["rule"]))
        if not running:
            raise RuntimeError("no job can start: a dependency cycle or a job needing more cores")
        t, i, need = heapq.heappop(running)
        done.add(i)
        free += need
        while running and running[0][0] == t:
            _, i2, n2 = heapq.heappop(running)
            done.add(i2)
            free += n2
    return t, sorted(sched)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--times", required=True, help="YAML {benchmark path or rule: seconds}")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--default", type=float, default=3.0, help="seconds of a job not in --times")
    ap.add_argument("--gantt", action="store_true", help="print every job's start and end")
    ap.add_argument("--checkout", default=str(ROOT), help="the checkout whose DAG to replay (default: this one)")
    ap.add_argument("--out")
    ap.add_argument("snakemake_args", nargs="*", help="extra snakemake arguments (e.g. --configfile x.yaml)")
    a = ap.parse_args()
    times = yaml.safe_load(Path(a.times).read_text())
    threads = times.pop("threads", {}) or {}
    jobs = [j for j in dry_run_jobs(a.snakemake_args, Path(a.checkout)) if j["rule"] != "all"]
    for j in jobs:
        j["threads"] = int(threads.get(j["benchmark"], threads.get(j["rule"], j["threads"])))

    def seconds(j):
        return float(times.get(j["benchmark"], times.get(j["rule"], a.default)))

    makespan, sched = simulate(jobs, seconds, a.cores)
    total = sum(seconds(j) * min(j["threads"], a.cores) for j in jobs)
    if a.gantt:
        for s, e, n, name in sched:
            print(f"{s:7.0f} {e:7.0f} {n}  {name}")
    res = {"cores": a.cores, "jobs": len(jobs), "core_seconds": total, "makespan_s": makespan,
           "makespan_min": makespan / 60, "lower_bound_min": total / a.cores / 60,
           "longest_job": max(((seconds(j), j["benchmark"] or j["rule"]) for j in jobs))}
    print(json.dumps(res, indent=1))
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps({**res, "schedule": sched}, indent=1) + "\n")


if __name__ == "__main__":
    main()
