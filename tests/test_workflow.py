"""The Snakemake DAG: it builds, covers every part, and runs end to end on the test configuration."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("NNREC_MIRROR") or REPO.parent / "shared" / "data")
QUESTIONS = [
    "Q1.1", "Q1.2", "Q1.3", "Q1.4", "Q1.5", "Q1.6", "Q2.1.1", "Q2.1.2", "Q2.1.3", "Q2.2.1", "Q2.2.2",
    "Q2.2.3", "Q2.3.1", "Q2.4", "Q2.5", "Q3.1", "Q3.2", "Q3.3", "Q3.4", "Q4.1", "Q4.2", "Q4.3", "Q4.4",
    "Q5.1.1", "Q5.1.2", "Q5.2", "Q5.3.1", "Q5.3.2", "Q6.1.1", "Q6.1.2", "Q6.1.3", "Q6.1.4", "Q6.2.1",
]
SUMMARY_KEYS = [
    "nist36_source", "nist36_source_kind", "nist36_caveats", "q2_gradcheck_max_rel_error", "q3_best_lr", "q3_valid_acc", "q3_test_acc",
    "q4_char_acc", "q4_detection_recall", "q5_valid_psnr", "q5_pca_psnr", "q6_fc_valid_acc",
    "q6_cnn_valid_acc", "q6_cifar10_test_acc", "q6_sun_cnn_test_acc", "q6_sun_bow_test_acc",
    "q6_flowers_finetune_test_acc", "q6_flowers_scratch_test_acc", "total_job_time_s", "run_wall_time_s",
]


def snakemake(workdir: Path, *args: str, timeout: int = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = ["snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def dry_run_jobs(workdir: Path, *args: str) -> dict[str, int]:
    r = snakemake(workdir, "-n", "--quiet=rules", *args)
    assert r.returncode == 0, r.stdout + r.stderr
    jobs = {}
    for line in (r.stdout + r.stderr).splitlines():
        m = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if m and m.group(1) != "total":
            jobs[m.group(1)] = int(m.group(2))
    return jobs


def test_dry_run_covers_every_part(tmp_path):
    jobs = dry_run_jobs(tmp_path)
    for rule in ("prepare_dataset", "theory_checks", "q2", "q3_train", "report", "summary", "all"):
        assert rule in jobs, f"rule {rule} missing from the DAG: {sorted(jobs)}"
    # every dataset of the config is prepared
    from nnrec.config import load_config

    assert jobs["prepare_dataset"] == len(load_config(REPO / "config.yaml")["data"]["datasets"])
    # one job per rate of the Q3 sweep: the per-variant work is a wildcard; the study's repeat runs
    # appear once the checkpoint has chosen the rate
    assert jobs["q3_train"] == len(load_config(REPO / "config.yaml")["numpy_nn"]["q3"]["lr_grid"])
    assert jobs["q3_lr_choice"] == 1 and "q3_train_repeat" not in jobs


def test_single_target_runs_only_what_it_needs(tmp_path):
    jobs = dry_run_jobs(tmp_path, "resources/sun/provenance.json")
    assert jobs == {"prepare_dataset": 1}


@pytest.mark.slow
@pytest.mark.skipif(not MIRROR.is_dir(), reason=f"data mirror {MIRROR} not present (set NNREC_MIRROR)")
def test_end_to_end_on_test_config_builds_the_pdf(tmp_path_factory):
    """The whole DAG on the tiny test configuration, in a scratch folder: the PDF and summary appear."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    work = tmp_path_factory.mktemp("e2e")
    r = snakemake(work, "--cores", "2", "--configfile", str(REPO / "config.test.yaml"),
                  timeout=1800, env={"NNREC_MIRROR": str(MIRROR)})
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    pdf = work / "results" / "report" / "writeup.pdf"
    assert pdf.stat().st_size > 10_000
    summary = json.loads((work / "results" / "summary.json").read_text())
    assert set(SUMMARY_KEYS) <= set(summary), set(SUMMARY_KEYS) - set(summary)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    positions = [text.find(q + " ") for q in QUESTIONS]
    assert all(p >= 0 for p in positions), [q for q, p in zip(QUESTIONS, positions) if p < 0]
    assert "{{" not in text and "}}" not in text
    # every classifier scored on every development set (issue 14), the NIST36 source named (issue 20)
    for dev in ("dev_mnist", "dev_comnist"):
        for clf in ("q3", "cnn", "fc"):
            assert summary[f"fidelity_{dev}_{clf}"] is not None and summary[f"fidelity_{dev}_{clf}_in_set"] is not None
    assert summary["nist36_source"] == "NIST36 substitute from EMNIST ByClass (NIST SD19)"
    flat = re.sub(r"\s+", " ", text)
    assert "How well the training data stands in for real handwriting" in flat
    assert "B. What was tuned on what" in flat
    # a second run has nothing left to do
    again = dry_run_jobs(work, "--configfile", str(REPO / "config.test.yaml"))
    assert again == {}, again


def _check_lint():
    from script_module import load_script

    return load_script(REPO / ".ci" / "check_lint.py")


def test_lint_reports_only_the_documented_kind():
    check = _check_lint()
    titles = check.lint_titles()
    assert titles, "snakemake --lint reported nothing at all (the parser may be broken)"
    assert check.undocumented(titles) == []


def test_rule_files_are_formatted_with_snakefmt():
    if shutil.which("snakefmt") is None:
        pytest.skip("snakefmt not installed (pip install -e '.[test]')")
    r = subprocess.run(["snakefmt", "--check", "Snakefile", "workflow/rules"], cwd=REPO, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.slow
@pytest.mark.skipif(not MIRROR.is_dir(), reason=f"data mirror {MIRROR} not present (set NNREC_MIRROR)")
def test_between_workflow_cache_reuses_trained_models_in_a_fresh_folder(tmp_path):
    """--cache: the first run trains and stores the model; a run in a new folder (a second checkout,
    or a rerun after rm -rf results) takes it from the cache instead of training; a changed knob is
    a new key and trains again."""
    cache = tmp_path / "cache"
    cache.mkdir()
    env = {"NNREC_MIRROR": str(MIRROR), "SNAKEMAKE_OUTPUT_CACHE": str(cache)}
    target = "results/pytorch/nist36_cnn/metrics.json"
    args = (target, "--cores", "2", "--configfile", str(REPO / "config.test.yaml"), "--cache")  # --cache takes names

    first = tmp_path / "first"
    r = snakemake(first, *args, timeout=600, env=env)
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    assert "epoch 2/2" in (first / "logs/pytorch/nist36_cnn.log").read_text()  # it trained
    outputs = sorted(p.name for p in (first / "results/pytorch/nist36_cnn").iterdir())
    assert "model.pt" in outputs and "metrics.json" in outputs
    assert len(list(cache.iterdir())) == len(outputs)  # every output of the rule, stored once

    second = tmp_path / "second"
    r = snakemake(second, *args, timeout=600, env=env)
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    assert "Symlinking output file results/pytorch/nist36_cnn/model.pt from cache" in r.stdout + r.stderr
    log = second / "logs/pytorch/nist36_cnn.log"
    assert not log.exists() or log.stat().st_size == 0  # not trained
    for name in outputs:  # all linked from the cache
        f = second / "results/pytorch/nist36_cnn" / name
        assert f.is_symlink() and f.resolve().parent == cache.resolve(), name
    assert (second / target).read_bytes() == (first / target).read_bytes()

    third = tmp_path / "third"  # another knob of the rule: another key, trained again
    one_epoch = tmp_path / "one_epoch.yaml"
    one_epoch.write_text("pytorch: {nist36_cnn: {epochs: 1}}\n")
    r = snakemake(third, *args[:-1], str(one_epoch), "--cache", timeout=600, env=env)
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    assert "epoch 1/1" in (third / "logs/pytorch/nist36_cnn.log").read_text()
    assert len(list(cache.iterdir())) == 2 * len(outputs)
