"""Wall time of the whole Q3 part (every lr x seed run + the summary) through Snakemake.

Runs in a scratch directory whose resources/nist36 links to an already prepared dataset folder, so
the measured time is Q3 alone. Writes benchmarks/numpy_nn/q3_full.json. Usage:
    python benchmarks/bench_q3.py --data resources/nist36 [--cores 2] [--configfile extra.yaml]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import write_result

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "resources/nist36"), help="prepared NIST36 folder (with provenance.json)")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--configfile", action="append", default=[])
    ap.add_argument("--out", default=str(ROOT / "benchmarks/numpy_nn/q3_full.json"))
    a = ap.parse_args()
    data = Path(a.data).resolve()
    if not (data / "provenance.json").exists():
        sys.exit(f"{data}: no provenance.json (prepare NIST36 first: snakemake resources/nist36/provenance.json)")
    with tempfile.TemporaryDirectory(prefix="bench_q3_") as wd:
        (Path(wd) / "resources").mkdir()
        (Path(wd) / "resources/nist36").symlink_to(data)
        cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--directory", wd,
               "--cores", str(a.cores)]
        if a.configfile:
            cmd += ["--configfile", *a.configfile]
        cmd += ["--", "results/numpy_nn/q3/summary.json"]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if r.returncode:
            sys.exit(r.stderr[-3000:])
        summary = json.loads((Path(wd) / "results/numpy_nn/q3/summary.json").read_text())
    res = {"what": "snakemake results/numpy_nn/q3/summary.json (all lr x seed runs + summary)", "cores": a.cores,
           "wall_s": wall, "n_runs": sum(len(r["seeds"]) for r in summary["lrs"]), "epochs": summary["epochs"],
           "train_wall_time_s_total": summary["train_wall_time_s_total"],
           "train_cpu_time_s_total": summary.get("train_cpu_time_s_total"), "best_lr": summary["best_lr"],
           "test_acc": summary["test_acc"], "data_source": summary["data_source"],
           "note": "shared machine: other jobs may inflate the time"}
    write_result(a.out, res)


if __name__ == "__main__":
    main()
