"""Q3 wiring: the learning-rate sweep's runs are wildcard targets, a checkpoint chooses the rate, and
the study (best, / and x lr_factor, every seed) and the torch FC follow it; changing the grid reruns
only the new runs, the checkpoint and what depends on it.

Dry runs (snakemake -n) on the test configuration in a scratch directory whose outputs are created
empty and up to date (with the checkpoint's record written by hand), so only the jobs a config
change invalidates are listed.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ["results/numpy_nn/q3/summary.json", "results/pytorch/nist36_fc/metrics.json"]
RULES = ["q3_train", "q3_train_repeat", "q3_lr_choice", "q3_summary", "torch_nist36_fc"]
TEST_Q3 = yaml.safe_load((ROOT / "config.test.yaml").read_text())["numpy_nn"]["q3"]
GRID = [f"{lr:g}" for lr in TEST_Q3["lr_grid"]]
REPEATS = TEST_Q3.get("repeat_seeds", [])
# the record the checkpoint would write when the highest rate of the grid wins: the study then
# reuses the grid run one step below (lr / 10 on a decade grid) and needs one extra run (lr x 10)
CHOSEN = GRID[-1]
STUDY = {"best": CHOSEN, "lower": f"{float(CHOSEN) / 10:g}", "higher": f"{float(CHOSEN) * 10:g}"}


def smk(workdir, *args, config_files=()):
    """Snakemake on the test configuration (plus ``config_files`` overlays, merged in order)."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(ROOT / "config.test.yaml"), *map(str, config_files), "--cores", "1", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def job_counts(out: str) -> dict:
    block = out.split("Job stats:")[1].split("\n\n")[0] if "Job stats:" in out else ""
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", block, re.M) if m[1] != "total"}


def overlay(tmp_path, q3=None, fc=None):
    data = {}
    if q3:
        data["numpy_nn"] = {"q3": q3}
    if fc:
        data["pytorch"] = {"nist36_fc": fc}
    path = tmp_path / "over.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _rank(f: str) -> int:
    """Older to newer: the runs, the checkpoint's outputs, the summary, the torch FC."""
    if "/q3_lr" in f:
        return 0
    if f.endswith(("lr_choice.json", "lr_sweep.png")):
        return 1
    return 2 if "/numpy_nn/q3/" in f else 3


@pytest.fixture(scope="module")
def uptodate(tmp_path_factory):
    """A scratch dir where every output of the Q3 DAG exists, is newer than its inputs, and has metadata."""
    wd = tmp_path_factory.mktemp("q3dag")
    prov = wd / "resources/nist36/provenance.json"
    prov.parent.mkdir(parents=True)
    prov.write_text(json.dumps({"dataset": "nist36", "available": True}))
    choice = wd / "results/numpy_nn/q3/lr_choice.json"
    choice.parent.mkdir(parents=True)
    choice.write_text(json.dumps({"chosen_tag": CHOSEN, "chosen_lr": float(CHOSEN),
                                  "study": [{"role": k, "tag": v} for k, v in STUDY.items()]}))
    # twice: the study's runs are known once the checkpoint's record counts as up to date
    for _ in range(2):
        r = smk(wd, "--summary", *TARGETS)
        assert r.returncode == 0, r.stderr[-2000:]
        files = sorted((line.split("\t")[0] for line in r.stdout.splitlines()[1:] if line.startswith("results/")),
                       key=lambda f: (_rank(f), f))
        assert files, r.stdout[-2000:]
        now = time.time()
        for i, f in enumerate(files):
            p = wd / f
            p.parent.mkdir(parents=True, exist_ok=True)
            if not p.exists():
                p.write_text("")
            os.utime(p, (now + 10 * _rank(f) + i / 1000,) * 2)
        # record Snakemake's metadata (params, input set) as a real run would, without running anything
        r = smk(wd, "--touch", "--forcerun", *RULES, "--", *TARGETS)
        assert r.returncode == 0, r.stderr[-2000:]
    return wd


def test_nothing_to_do_when_up_to_date(uptodate):
    r = smk(uptodate, "-n", *TARGETS)
    assert r.returncode == 0, r.stderr[-2000:]
    assert job_counts(r.stdout + r.stderr) == {}


def test_one_lr_is_its_own_target(tmp_path):
    prov = tmp_path / "resources/nist36/provenance.json"
    prov.parent.mkdir(parents=True)
    prov.write_text("{}")
    r = smk(tmp_path, "-n", "results/numpy_nn/q3_lr0.002/metrics.json")
    assert r.returncode == 0, r.stderr[-2000:]
    assert job_counts(r.stdout + r.stderr) == {"q3_train": 1}


def test_the_study_reuses_grid_runs_and_adds_the_rest(uptodate):
    """The summary reads the chosen rate, / and x the factor, every seed; a rate on the grid is the
    grid's own run, one off the grid (here the chosen rate x 10) is an extra target."""
    r = smk(uptodate, "-n", "--forcerun", "q3_summary", "--", TARGETS[0])
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout + r.stderr
    assert job_counts(out) == {"q3_summary": 1}, out[-3000:]
    runs = set(re.findall(r"results/numpy_nn/(q3_lr[^/]+)/metrics\.json", out))
    want = {f"q3_lr{tag}" + s for tag in STUDY.values() for s in ["", *(f"_seed{k}" for k in REPEATS)]}
    assert runs == want, (runs, want)
    assert STUDY["higher"] not in GRID and STUDY["lower"] in GRID


def test_changing_the_grid_reruns_the_new_run_the_checkpoint_and_its_dependants(uptodate, tmp_path):
    new = f"{float(GRID[-1]) * 3:g}"
    r = smk(uptodate, "-n", *TARGETS, config_files=[overlay(tmp_path, q3={"lr_grid": [*TEST_Q3["lr_grid"], float(new)]})])
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout + r.stderr
    assert job_counts(out) == {"q3_train": 1, "q3_lr_choice": 1, "q3_summary": 1, "torch_nist36_fc": 1}, out[-3000:]
    assert f"q3_lr{new}/metrics.json" in out


def test_changing_the_repeat_seeds_leaves_the_sweep_alone(uptodate, tmp_path):
    r = smk(uptodate, "-n", *TARGETS, config_files=[overlay(tmp_path, q3={"repeat_seeds": [*REPEATS, 77]})])
    assert r.returncode == 0, r.stderr[-2000:]
    assert job_counts(r.stdout + r.stderr) == {"q3_train_repeat": 3, "q3_summary": 1}, (r.stdout + r.stderr)[-3000:]


def test_the_torch_fc_mirrors_the_chosen_rate_unless_the_config_names_one(uptodate, tmp_path):
    r = smk(uptodate, "-n", "--forcerun", "torch_nist36_fc", "--", TARGETS[1])
    out = r.stdout + r.stderr
    assert r.returncode == 0 and job_counts(out) == {"torch_nist36_fc": 1}, out[-3000:]
    assert f"results/numpy_nn/q3_lr{CHOSEN}/metrics.json" in out
    other = GRID[0]
    r = smk(uptodate, "-n", TARGETS[1], config_files=[overlay(tmp_path, fc={"numpy_lr": float(other)})])
    out = r.stdout + r.stderr
    assert r.returncode == 0 and job_counts(out) == {"torch_nist36_fc": 1}, out[-3000:]
    assert f"results/numpy_nn/q3_lr{other}/metrics.json" in out and "lr_choice.json" not in out
