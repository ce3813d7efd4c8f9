"""Q3 wiring: each learning rate is its own target; changing one lr reruns only what depends on it.

Dry runs (snakemake -n) on the test configuration in a scratch directory whose outputs are
created empty and up to date, so only the jobs a config change invalidates are listed.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARGET = "results/numpy_nn/q3/summary.json"


def smk(workdir, *args, config_files=()):
    """Snakemake on the test configuration (plus ``config_files`` overlays, merged in order)."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(ROOT / "config.test.yaml"), *map(str, config_files), "--cores", "1", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def job_counts(out: str) -> dict:
    block = out.split("Job stats:")[1].split("\n\n")[0] if "Job stats:" in out else ""
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", block, re.M) if m[1] != "total"}


@pytest.fixture(scope="module")
def uptodate(tmp_path_factory):
    """A scratch dir where every output of the Q3 DAG exists, is newer than its inputs, and has metadata."""
    wd = tmp_path_factory.mktemp("q3dag")
    prov = wd / "resources/nist36/provenance.json"
    prov.parent.mkdir(parents=True)
    prov.write_text(json.dumps({"dataset": "nist36", "available": True}))
    r = smk(wd, "--summary", TARGET)
    assert r.returncode == 0, r.stderr[-2000:]
    files = [line.split("\t")[0] for line in r.stdout.splitlines()[1:] if line.startswith("results/")]
    assert files, r.stdout[-2000:]
    # runs first, then the summary (older -> newer)
    files.sort(key=lambda f: ("results/numpy_nn/q3/" in f, f))
    now = time.time()
    for i, f in enumerate(files):
        p = wd / f
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("")
        os.utime(p, (now + i, now + i))
    # record Snakemake's metadata (params, input set) as a real run would, without running anything
    r = smk(wd, "--touch", "--forcerun", "q3_train", "q3_train_repeat", "q3_summary", "--", TARGET)
    assert r.returncode == 0, r.stderr[-2000:]
    return wd


def test_nothing_to_do_when_up_to_date(uptodate):
    r = smk(uptodate, "-n", TARGET)
    assert r.returncode == 0, r.stderr[-2000:]
    assert job_counts(r.stdout + r.stderr) == {}


def test_one_lr_is_its_own_target(tmp_path):
    prov = tmp_path / "resources/nist36/provenance.json"
    prov.parent.mkdir(parents=True)
    prov.write_text("{}")
    r = smk(tmp_path, "-n", "results/numpy_nn/q3_lr0.002/metrics.json")
    assert r.returncode == 0, r.stderr[-2000:]
    assert job_counts(r.stdout + r.stderr) == {"q3_train": 1}


def test_changing_one_lr_reruns_only_its_runs_and_the_summary(uptodate, tmp_path):
    import yaml

    base = yaml.safe_load((ROOT / "config.yaml").read_text())["numpy_nn"]["q3"]["lrs"]
    test_over = yaml.safe_load((ROOT / "config.test.yaml").read_text())["numpy_nn"]["q3"]
    n_repeats = len(test_over.get("repeat_seeds", []))
    changed = list(base)
    changed[-1] = changed[-1] * 1.5
    over = tmp_path / "lr.yaml"
    over.write_text(yaml.safe_dump({"numpy_nn": {"q3": {"lrs": changed}}}))
    r = smk(uptodate, "-n", TARGET, config_files=[over])
    assert r.returncode == 0, r.stderr[-2000:]
    counts = job_counts(r.stdout + r.stderr)
    assert counts == {"q3_train": 1, "q3_summary": 1, **({"q3_train_repeat": n_repeats} if n_repeats else {})}, \
        (r.stdout + r.stderr)[-3000:]
    assert f"q3_lr{changed[-1]:g}" in r.stdout + r.stderr
