"""nnrec.workflow.start, the start-up of every script: the log gets the traceback of a failing job,
a job runs the code of the checkout it belongs to, missing data becomes placeholders.

The last two tests run real rules with Snakemake from a copy of the checkout (seconds each).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from nnrec.workflow import CheckoutMismatch, check_checkout, job_name, start

REPO = Path(__file__).resolve().parents[1]
SRC = Path(__import__("nnrec").__file__).resolve().parents[1]


class Names(list):
    """A list whose items are also attributes (like Snakemake's named lists)."""

    def __init__(self, items=(), **named):
        super().__init__([*items, *named.values()])
        self.__dict__.update(named)


@pytest.fixture(autouse=True)
def keep_excepthook():
    """start() installs a process-wide excepthook; give the test process its own back."""
    saved = sys.excepthook
    yield
    sys.excepthook = saved


def fake_snakemake(tmp_path: Path, scriptdir: Path, **inputs) -> SimpleNamespace:
    return SimpleNamespace(input=Names(**inputs), output=Names(json=str(tmp_path / "out.json"),
                                                               png=str(tmp_path / "out.png")),
                           log=Names([str(tmp_path / "job.log")]), threads=1, rule="some_rule",
                           wildcards=Names(), scriptdir=str(scriptdir), params=Names())


def test_check_checkout_accepts_its_own_src_and_names_both_paths_otherwise(tmp_path):
    assert check_checkout(SRC.parent / "workflow" / "scripts") == SRC / "nnrec"
    other = tmp_path / "other-checkout" / "workflow" / "scripts"
    with pytest.raises(CheckoutMismatch) as err:
        check_checkout(other)
    assert str(SRC / "nnrec") in str(err.value) and str(tmp_path / "other-checkout") in str(err.value)


def test_job_name_has_rule_and_wildcards():
    sm = SimpleNamespace(rule="q3_train", wildcards={"lr": "0.01"})
    assert job_name(sm) == "q3_train[lr=0.01]"


def test_missing_dataset_writes_placeholders_and_exits_zero(tmp_path):
    prov = tmp_path / "provenance.json"
    prov.write_text(json.dumps({"dataset": "sun", "available": False, "tried": [], "how_to_supply": "x"}))
    sm = fake_snakemake(tmp_path, SRC.parent / "workflow" / "scripts", prov=str(prov))
    with pytest.raises(SystemExit) as stop:
        start(sm)
    assert stop.value.code == 0
    assert json.loads((tmp_path / "out.json").read_text())["status"] == "missing"
    assert (tmp_path / "out.png").stat().st_size > 0
    assert "dataset unavailable: sun" in (tmp_path / "job.log").read_text()


def test_available_dataset_gives_a_job_with_metadata(tmp_path):
    prov = tmp_path / "provenance.json"
    prov.write_text(json.dumps({"dataset": "sun", "available": True, "source": "mirror", "files": []}))
    job = start(fake_snakemake(tmp_path, SRC.parent / "workflow" / "scripts", prov=str(prov)))
    assert job.data_dir == tmp_path
    meta = job.meta({"a": 1}, seed=3)
    assert meta["seed"] == 3 and meta["threads"] == 1 and meta["data_source"].startswith("sun:")
    assert meta["wall_time_s"] >= 0 and len(meta["config_hash"]) == 12
    assert not (tmp_path / "out.json").exists()


def test_metadata_carries_the_source_without_its_caveats_for_data_lines(tmp_path):
    from nnrec.report.words import data_text

    prov = tmp_path / "provenance.json"
    prov.write_text(json.dumps({"dataset": "sun", "available": True, "source": "mirror", "files": [],
                                "caveats": ["not the course's own copy"]}))
    job = start(fake_snakemake(tmp_path, SRC.parent / "workflow" / "scripts", prov=str(prov)))
    meta = job.meta({}, seed=1)
    assert meta["data_source"] == "sun:  from the data mirror; not the course's own copy."
    assert meta["data_source_short"] == "sun:  from the data mirror"
    assert data_text(meta) == "sun:  from the data mirror. Its caveats are listed on the cover, under Data used in this run."
    # the same line passed explicitly keeps its short form; another line (no dataset of its own) has none
    assert job.meta({}, seed=1, data_source=job.source)["data_source_short"] == meta["data_source_short"]
    other = job.meta({}, seed=1, data_source="synthetic: seeded blobs")
    assert "data_source_short" not in other and data_text(other) == "synthetic: seeded blobs."


def test_uncaught_exception_ends_the_log_with_its_traceback(tmp_path):
    """A script that fails after start(): the log's last lines are the traceback, the exit code is not 0."""
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_startup import fake_snakemake
        from pathlib import Path
        from nnrec.workflow import start
        sm = fake_snakemake(Path({str(tmp_path)!r}), Path({str(SRC.parent / 'workflow' / 'scripts')!r}))
        job = start(sm)
        job.log.info("working")
        def deep():
            raise ValueError("the input is broken: file x.npz")
        deep()
    """))
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(SRC)})
    assert r.returncode != 0
    log = (tmp_path / "job.log").read_text().rstrip().splitlines()
    assert log[-1] == "ValueError: the input is broken: file x.npz", log[-5:]
    assert any("Traceback (most recent call last)" in line for line in log)
    assert any("in deep" in line for line in log)


# ------------------------------------------------------------------ real rules from a copied checkout
def copy_checkout(dest: Path) -> Path:
    """The tracked and untracked-but-not-ignored files of this checkout, copied to ``dest``."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    for f in files:
        if (REPO / f).is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / f, dest / f)
    return dest


def run_rule(checkout: Path, workdir: Path, target: str) -> subprocess.CompletedProcess:
    # the test process's own PYTHONPATH (this checkout's src, or nothing) stays in the environment:
    # the copy's Snakefile must put the copy's src before it
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(checkout / "Snakefile"), "--directory",
           str(workdir), "--configfile", str(checkout / "config.test.yaml"), "--cores", "1", target]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def marked_copy(tmp_path_factory):
    """A copy of the checkout whose nnrec/__init__.py differs (it records where it was imported)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs a git checkout")
    dest = copy_checkout(tmp_path_factory.mktemp("copy") / "checkout")
    init = dest / "src" / "nnrec" / "__init__.py"
    init.write_text(init.read_text() + "\nMARKER = 'the copied checkout'\n")
    return dest


def test_a_job_imports_the_code_of_its_own_checkout(marked_copy, tmp_path):
    r = run_rule(marked_copy, tmp_path, "results/numpy_nn/q2/metrics.json")
    log = (tmp_path / "logs" / "numpy_nn" / "q2.log").read_text()
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    assert f"nnrec from {marked_copy / 'src' / 'nnrec'}" in log, log[:2000]


def test_a_failing_rule_ends_its_log_with_the_traceback(marked_copy, tmp_path):
    # NIST36 marked available, but its arrays are not there: the contact sheet's loader fails
    prov = tmp_path / "resources" / "nist36" / "provenance.json"
    prov.parent.mkdir(parents=True)
    prov.write_text(json.dumps({"dataset": "nist36", "available": True, "source": "mirror", "files": []}))
    r = run_rule(marked_copy, tmp_path, "results/data/nist36_contact_sheet.png")
    assert r.returncode != 0
    log = (tmp_path / "logs" / "data" / "nist36_contact_sheet.log").read_text().rstrip().splitlines()
    assert "Traceback (most recent call last)" in "\n".join(log)
    assert log[-1].startswith("FileNotFoundError") and "train.npz" in log[-1], log[-8:]
    assert not (tmp_path / "results" / "data" / "nist36_contact_sheet.png").exists()


def test_jobs_import_from_puts_the_checkout_first_once():
    from nnrec.workflow import jobs_import_from

    env = {"PYTHONPATH": os.pathsep.join(["/elsewhere", "/ck/src"])}
    assert jobs_import_from("/ck/src", env) == os.pathsep.join(["/ck/src", "/elsewhere"])
    assert jobs_import_from("/ck/src", {}) == "/ck/src"
