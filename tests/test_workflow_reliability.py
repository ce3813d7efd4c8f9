"""The workflow as a user drives it (issue 17): recovery once data was missing, and every command the
README prints (dry run, against a scratch directory)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("NNREC_MIRROR") or REPO.parent / "shared" / "data")


def snakemake(workdir: Path, *args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    cmd = ["snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


# ------------------------------------------------------------------ item 4: recovery
@pytest.mark.skipif(not (MIRROR / "comnist-latin.zip").is_file(), reason=f"{MIRROR}/comnist-latin.zip not present")
def test_a_dataset_missing_because_of_a_corrupt_mirror_copy_is_prepared_once_the_copy_is_fixed(tmp_path):
    mirror, work = tmp_path / "mirror", tmp_path / "work"
    mirror.mkdir()
    good = (MIRROR / "comnist-latin.zip").read_bytes()
    bad = bytearray(good)
    bad[1000] ^= 0xFF
    (mirror / "comnist-latin.zip").write_bytes(bytes(bad))
    target = "resources/dev_comnist/provenance.json"
    args = ("--configfile", str(REPO / "config.test.yaml"), "--cores", "1", target)
    env = {"NNREC_MIRROR": str(mirror)}

    def prepare():
        r = snakemake(work, *args, env=env)
        assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
        return json.loads((work / target).read_text())

    def up_to_date():
        r = snakemake(work, "-n", *args, env=env)
        assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
        return "Nothing to be done" in r.stdout + r.stderr

    prov = prepare()
    assert prov["available"] is False and "checksum mismatch" in prov["tried"][0]["error"]
    assert up_to_date()  # nothing changed: no pointless retry
    (mirror / "comnist-latin.zip").write_bytes(good)  # the copy is replaced by a good one
    assert not up_to_date()
    prov = prepare()
    assert prov["available"] is True and prov["attempt"] == 2
    assert up_to_date()


# ------------------------------------------------------------------ item 6: every README command works as printed
def readme_commands() -> list[str]:
    """Every snakemake command the README prints: in ```bash blocks (continuations joined, comments and
    `pip ... &&` prefixes dropped) and in inline code spans, each once, in order."""
    import re
    import shlex

    text = (REPO / "README.md").read_text()
    found = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split("&&"):
                words = shlex.split(part, comments=True)
                if "snakemake" in words and all("=" in w for w in words[:words.index("snakemake")]):
                    found.append(shlex.join(words))
    for span in re.findall(r"`([^`]+)`", re.sub(r"```.*?```", "", text, flags=re.S)):
        words = span.split()
        if "snakemake" in words and all("=" in w for w in words[:words.index("snakemake")]) and len(words) > 1:
            found.append(shlex.join(shlex.split(span)))
    return list(dict.fromkeys(found))


def dry_run_readme_command(command: str, scratch: Path) -> tuple[str, subprocess.CompletedProcess]:
    """``command`` from the checkout, as printed, plus ``-n`` and a scratch ``--directory``."""
    import shlex

    words = shlex.split(command)
    at = words.index("snakemake")
    env = dict(w.split("=", 1) for w in words[:at])
    if "--cache" in words:  # the README exports the cache folder (and creates it) in the lines above
        assert "export SNAKEMAKE_OUTPUT_CACHE=" in (REPO / "README.md").read_text()
        env["SNAKEMAKE_OUTPUT_CACHE"] = str(scratch / "cache")
        (scratch / "cache").mkdir(parents=True, exist_ok=True)
    argv = ["snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(scratch), "-n",
            *words[at + 1:]]  # -n before the rest: --config swallows what follows it
    r = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300, env={**os.environ, **env})
    return command, r


def test_the_readme_commands_are_found():
    cmds = readme_commands()
    assert "snakemake --cores 4 --config 'numpy_nn={q3: {lr_grid: [0.002, 0.02, 0.2]}}'" in cmds, cmds
    assert any("--profile workflow/profiles/default" in c for c in cmds), cmds
    assert len(cmds) >= 10, cmds


def test_every_readme_command_works_as_printed(tmp_path):
    """Each snakemake command of the README, dry run (-n) from the checkout into a scratch directory:
    the configuration is accepted (nested --config values included) and the DAG builds."""
    from concurrent.futures import ThreadPoolExecutor

    import importlib.util

    slurm = importlib.util.find_spec("snakemake_executor_plugin_slurm") is not None
    # --lint exits 1 on its documented warning (test_workflow.py checks it); the Slurm profile needs
    # the plugin (pip install -e '.[slurm]'); --cores does not change a dry run: each DAG once
    cmds, seen = [], set()
    for c in readme_commands():
        words = c.split()
        key = " ".join(w for i, w in enumerate(words) if w != "--cores" and (i == 0 or words[i - 1] != "--cores"))
        if "--lint" in c or (not slurm and "profiles/slurm" in c) or key in seen:
            continue
        seen.add(key)
        cmds.append(c)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda ic: dry_run_readme_command(ic[1], tmp_path / f"cmd{ic[0]}"),
                                enumerate(cmds)))
    failed = []
    for cmd, r in results:
        out = r.stdout + r.stderr
        # Snakemake's own report reads a finished run: in an empty directory it can only say so
        needs_a_run = "--report" in cmd and "marked for report but does not exist" in out
        if r.returncode != 0 and not needs_a_run:
            failed.append(f"$ {cmd}\n{out[-1500:]}")
    assert not failed, "\n\n".join(failed)
    # the GPU section's command gives every torch rule its GPU
    gpu = [r.stdout + r.stderr for cmd, r in results if "--resources gpu=1" in cmd]
    assert gpu and "gpu=1" in gpu[0] and "gpu=0" not in gpu[0]
