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
