"""The Slurm profile and the checks of .ci/slurm/run-test.sh (the real cluster run is run-test.sh).

Fast: no cluster is started. Tests that need snakemake-executor-plugin-slurm skip without it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from script_module import load_script

REPO = Path(__file__).resolve().parents[1]
SLURM_PROFILE = REPO / "workflow" / "profiles" / "slurm"
DEFAULT_PROFILE = REPO / "workflow" / "profiles" / "default"
CI = REPO / ".ci" / "slurm"


check_run = load_script(CI / "check_run.py")
gpu_rules_mod = load_script(CI / "gpu_rules.py")
HAVE_PLUGIN = importlib.util.find_spec("snakemake_executor_plugin_slurm") is not None


def _profile(path: Path) -> dict:
    return yaml.safe_load((path / "config.yaml").read_text())


def _list_rules(*extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NNREC_MIRROR=os.environ.get("NNREC_MIRROR", str(REPO / "no-mirror")))
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory",
         str(REPO), "--configfile", str(REPO / "config.test.yaml"), "--list-rules", *extra],
        capture_output=True, text=True, env=env, timeout=120, cwd=REPO,
    )


@pytest.fixture(scope="module")
def workflow_rules() -> set[str]:
    """The workflow's rule names, listed by snakemake with the local default profile (which checks
    that every key of that profile is a real snakemake option: unknown ones are rejected)."""
    res = _list_rules("--profile", str(DEFAULT_PROFILE), "--workflow-profile", "none")
    assert res.returncode == 0, res.stderr[-2000:]
    return {line.split()[0] for line in res.stdout.splitlines() if line.strip()}


# ---------------------------------------------------------------------------- the profiles
def test_slurm_profile_names_only_existing_rules(workflow_rules):
    prof = _profile(SLURM_PROFILE)
    assert prof["executor"] == "slurm"
    named = set(prof.get("set-resources") or {})
    named |= {g.split("=", 1)[0] for g in prof.get("groups") or []}
    unknown = named - workflow_rules
    assert not unknown, f"profile names rules the workflow does not have: {sorted(unknown)}"
    groups = {g.split("=", 1)[1] for g in prof.get("groups") or []}
    sized = {g.split("=", 1)[0] for g in prof.get("group-components") or []}
    assert sized <= groups, f"group-components for groups no rule is in: {sorted(sized - groups)}"


def test_slurm_profile_resources_are_sane():
    prof = _profile(SLURM_PROFILE)
    d = prof["default-resources"]
    assert d["mem_mb"] > 0 and d["runtime"] > 0 and d["gpu"] == 0  # no GPU unless a rule asks
    assert prof["retries"] >= 1 and prof["latency-wait"] >= 10 and prof["cores"] >= 1
    for rule, res in (prof.get("set-resources") or {}).items():
        assert int(res["gpu"]) >= 0, rule


def test_default_profile_is_accepted_by_snakemake(workflow_rules):
    assert {"q2", "report", "all"} <= workflow_rules
    assert _profile(DEFAULT_PROFILE)["keep-going"] is False


@pytest.mark.skipif(not HAVE_PLUGIN, reason="snakemake-executor-plugin-slurm not installed (pip install -e '.[slurm]')")
def test_slurm_profile_is_accepted_by_snakemake():
    """Every key is a real snakemake or slurm-plugin option: snakemake rejects unknown ones."""
    res = _list_rules("--profile", str(SLURM_PROFILE), "--workflow-profile", "none")
    assert res.returncode == 0, res.stderr[-2000:]
    assert "q2" in res.stdout


@pytest.mark.skipif(not HAVE_PLUGIN, reason="snakemake-executor-plugin-slurm not installed")
def test_plugin_maps_gpu_resource_to_sbatch_gpus():
    from snakemake_executor_plugin_slurm.utils import set_gres_string

    class Res(dict):
        __getattr__ = dict.get

    def job(**res):
        return SimpleNamespace(resources=Res(res), name="torch_cifar10", rule=SimpleNamespace(name="x"))

    assert set_gres_string(job(gpu=1)).strip() == "--gpus=1"
    assert set_gres_string(job(gpu=2, gpu_model="a100")).strip() == "--gpus=a100:2"
    assert set_gres_string(job(gpu=0)).strip() == ""  # the rules' default: no GPU requested


def test_gpu_rules_reads_both_set_resources_forms():
    assert gpu_rules_mod.gpu_rules({"set-resources": {"a": {"gpu": 1}, "b": {"gpu": 0}, "c": {"mem_mb": 5}}}) == ["a"]
    assert gpu_rules_mod.gpu_rules({"set-resources": ["a:gpu=2", "b:mem_mb=3", "c:gpu=0"]}) == ["a"]
    assert gpu_rules_mod.gpu_rules({}) == []


# ---------------------------------------------------------------------------- run-test.sh checks
LOG = """Job stats:
job                count
---------------  -------
all                    1
q2                     1
ocr_page               2
total                  4

Job 3 has been submitted with SLURM jobid 11 (log: x).
Job 5e-uuid has been submitted with SLURM jobid 12 (log: y).
"""


def _jobs(state12="COMPLETED", tres12="N/A"):
    return ("JOBID|NAME|COMMENT|STATE|TRES_PER_JOB\n"
            "11|run|rule_q2|COMPLETED|N/A\n"
            f"12|run|rule_ocr_pages_ocr_page|{state12}|{tres12}\n")


def test_job_table_and_comment_parsing():
    assert check_run.job_table(LOG) == {"all": 1, "q2": 1, "ocr_page": 2}
    assert check_run.comment_rule("rule_ocr_page_wildcards_01_easy") == "ocr_page"
    assert check_run.comment_rule("rule_q2") == "q2"


def test_check_jobs_passes_a_complete_run():
    groups = {"ocr_page": "ocr_pages"}
    jobcomp = "JobId=11 Name=a JobState=COMPLETED x\nJobId=12 Name=a JobState=COMPLETED y\n"
    assert check_run.check_jobs(_jobs(), LOG, [], jobcomp, groups) == []


def test_check_jobs_reports_failures():
    groups = {"ocr_page": "ocr_pages"}
    errs = check_run.check_jobs(_jobs(state12="FAILED"), LOG, [], None, groups)
    assert any("12" in e and "FAILED" in e for e in errs)
    # a rule of the DAG that no Slurm job ran (not grouped, no comment)
    errs = check_run.check_jobs(_jobs(), LOG, [], None, {})
    assert any("ocr_page ran in no Slurm job" in e for e in errs)
    # a GPU rule whose job got no GPU
    errs = check_run.check_jobs(_jobs(), LOG, ["q2"], None, groups)
    assert any("got no GPU" in e for e in errs)
    # Slurm lost a job; the completion file lacks one
    errs = check_run.check_jobs("11|run|rule_q2|COMPLETED|N/A\n", LOG, [], "JobId=11 JobState=COMPLETED\n", groups)
    assert any("no record of job 12" in e for e in errs) and any("completion file" in e for e in errs)
    assert check_run.check_jobs(_jobs(), "no submissions here", [], None, groups)


def test_check_summary_compares_keys_and_nulls():
    ref = {"a": 1.0, "b": None, "t": 10}
    assert check_run.check_summary({"a": 0.9, "b": None, "t": 99}, ref) == []
    assert check_run.check_summary({"a": 1.0, "t": 1}, ref)  # a key missing
    assert check_run.check_summary({"a": None, "b": None, "t": 1}, ref)  # a value missing
