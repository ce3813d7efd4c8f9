"""Configuration: the schema accepts the shipped configs and rejects bad values with clear messages."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from nnrec.config import ConfigError, deep_update, load_config, validate_config

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture(scope="module")
def default_cfg():
    return load_config(REPO / "config.yaml")


def test_shipped_configs_are_valid(default_cfg):
    validate_config(default_cfg, SCHEMA)
    validate_config(load_config(REPO / "config.yaml", REPO / "config.test.yaml"), SCHEMA)


def test_wrong_type_names_key_and_value(default_cfg):
    cfg = copy.deepcopy(default_cfg)
    cfg["data"]["download_timeout_s"] = "soon"
    with pytest.raises(ConfigError) as exc:
        validate_config(cfg, SCHEMA)
    assert "data.download_timeout_s" in str(exc.value) and "'soon'" in str(exc.value)


def test_unknown_key_is_rejected_with_allowed_keys(default_cfg):
    cfg = copy.deepcopy(default_cfg)
    cfg["data"]["datasets"]["sun"]["imagesize"] = 64
    with pytest.raises(ConfigError) as exc:
        validate_config(cfg, SCHEMA)
    msg = str(exc.value)
    assert "data.datasets.sun.imagesize" in msg and "64" in msg and "image_size" in msg


def test_bad_checksum_format_is_rejected(default_cfg):
    cfg = copy.deepcopy(default_cfg)
    cfg["data"]["datasets"]["cifar10"]["sources"][0]["md5"] = "not-a-hash"
    with pytest.raises(ConfigError, match=r"data.datasets.cifar10.sources\[0\].md5"):
        validate_config(cfg, SCHEMA)


def test_every_part_of_the_config_is_checked(default_cfg):
    """Each top-level section rejects an unknown key (no section escapes validation)."""
    for section, value in default_cfg.items():
        if not isinstance(value, dict):
            continue
        cfg = copy.deepcopy(default_cfg)
        cfg[section]["no_such_knob"] = 1
        with pytest.raises(ConfigError, match=f"{section}.no_such_knob"):
            validate_config(cfg, SCHEMA)


def test_snakemake_stops_on_bad_config(tmp_path):
    import subprocess

    r = subprocess.run(
        ["snakemake", "-n", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
         "--config", "seed=minus-one"],
        capture_output=True, text=True, timeout=120,
    )
    assert r.returncode != 0
    assert "config key 'seed'" in (r.stdout + r.stderr) and "minus-one" in (r.stdout + r.stderr)


def test_deep_update_merges_nested_sections():
    base = {"a": {"b": 1, "c": {"d": 2}}, "e": 3}
    deep_update(base, {"a": {"c": {"d": 5}}, "f": 6})
    assert base == {"a": {"b": 1, "c": {"d": 5}}, "e": 3, "f": 6}
