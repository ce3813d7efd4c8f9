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


# ------------------------------------------------------------------ issue 17, item 6
def invalid(cfg) -> str:
    with pytest.raises(ConfigError) as exc:
        validate_config(cfg, SCHEMA)
    return str(exc.value)


@pytest.mark.parametrize("path, value", [
    (("numpy_nn", "q3", "lr_grid"), [float("nan")]),
    (("ocr", "detect", "k_mad"), float("inf")),
    (("theory", "shifts"), [1.0, float("-inf")]),
])
def test_non_finite_numbers_are_rejected(default_cfg, path, value):
    cfg = copy.deepcopy(default_cfg)
    node = cfg
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    msg = invalid(cfg)
    assert f"config key '{'.'.join(path)}" in msg and "is not a finite number" in msg, msg


def test_headline_classifier_must_name_an_enabled_classifier(default_cfg):
    cfg = copy.deepcopy(default_cfg)
    cfg["ocr"]["headline_classifier"] = "nope"
    assert "'ocr.headline_classifier': value 'nope' is not an enabled entry" in invalid(cfg)
    cfg["ocr"]["headline_classifier"] = "cnn"
    cfg["ocr"]["classifiers"]["cnn"]["enabled"] = False
    assert "(enabled: q3)" in invalid(cfg)


def test_fidelity_classifiers_and_sets_must_agree_with_the_rest(default_cfg):
    cfg = copy.deepcopy(default_cfg)
    cfg["fidelity"]["classifiers"]["q3"] = dict(cfg["ocr"]["classifiers"]["q3"])
    assert "'fidelity.classifiers.q3': 'q3' is also an entry of ocr.classifiers" in invalid(cfg)
    cfg = copy.deepcopy(default_cfg)
    cfg["fidelity"]["sets"] = ["dev_mnist", "sun"]
    assert "'fidelity.sets[1]': value 'sun' is invalid" in invalid(cfg)  # the schema: development sets only
    cfg = copy.deepcopy(default_cfg)
    cfg["fidelity"]["classifiers"]["fc"]["label"] = ""
    assert "fidelity.classifiers.fc.label" in invalid(cfg)


def test_two_learning_rates_may_not_share_a_run_folder(default_cfg):
    cfg = copy.deepcopy(default_cfg)
    cfg["numpy_nn"]["q3"]["lr_grid"] = [0.003, 0.0030000001]
    assert "'numpy_nn.q3.lr_grid[1]'" in invalid(cfg) and "q3_lr0.003/" in invalid(cfg)
    cfg["numpy_nn"]["q3"]["lr_grid"] = [0.003, 0.03]
    cfg["pytorch"]["nist36_fc"]["numpy_lr"] = 0.0030000001  # would silently mirror the 0.003 run
    assert "'pytorch.nist36_fc.numpy_lr'" in invalid(cfg)
    cfg["pytorch"]["nist36_fc"]["numpy_lr"] = None  # follow the sweep's choice (the default)
    validate_config(cfg, SCHEMA)
    cfg["pytorch"]["nist36_fc"]["numpy_lr"] = 0.01  # a rate not on the grid: its own extra run, fine
    validate_config(cfg, SCHEMA)


def test_ranges_sums_and_formats_that_must_agree(default_cfg):
    cfg = copy.deepcopy(default_cfg)
    cfg["standin"]["augment"]["aspect"] = [1.9, 0.7]
    assert "'standin.augment.aspect': value [1.9, 0.7] is a [low, high] range with low > high" in invalid(cfg)
    cfg = copy.deepcopy(default_cfg)
    cfg["pytorch"]["nist36_cnn"]["augment"]["scale"] = [1.1, 0.9]
    assert "'pytorch.nist36_cnn.augment.scale': value [1.1, 0.9] is a [low, high] range with low > high" in invalid(cfg)
    cfg = copy.deepcopy(default_cfg)
    cfg["data"]["datasets"]["flowers17"]["fallback_split"] = {"train": 60, "valid": 20, "test": 20}
    assert "asks for 100 images per class; Flowers 17 has 80" in invalid(cfg)
    cfg = copy.deepcopy(default_cfg)
    cfg["data"]["datasets"]["sun"]["sources"][0]["format"] = "cifar-jpg"  # a format SUN cannot be read from
    assert "data.datasets.sun.sources[0].format" in invalid(cfg)
    cfg = copy.deepcopy(default_cfg)
    cfg["standin"]["glyph"]["size"] = 28
    assert "'standin.glyph.size': value 28" in invalid(cfg)
    cfg = copy.deepcopy(default_cfg)
    cfg["flowers"]["backbones"] = ["mobilenet_v2", "mobilenet_v2"]
    assert "flowers.backbones" in invalid(cfg)


def test_every_format_the_schema_allows_has_a_normaliser():
    import yaml

    from nnrec.data.prepare import NORMALISERS

    schema = yaml.safe_load(SCHEMA.read_text())
    allowed = set(schema["$defs"]["source"]["properties"]["format"]["enum"])
    per_dataset = {f for d in schema["$defs"]["formats"].values() for f in d["items"]["properties"]["format"]["enum"]}
    assert allowed == per_dataset == set(NORMALISERS)


def test_nested_command_line_values_are_read_as_yaml():
    from nnrec.config import apply_command_line_config, typed_command_line_config

    # what Snakemake 9 makes of --config numpy_nn='{q3: {lr_grid: [0.002, 0.02]}}' pytorch='{gpus: 1}' seed=3
    cli = {"numpy_nn": {"q3": {"lr_grid": ["0.002", "0.02"]}}, "pytorch": {"gpus": "1", "device": "auto"},
           "data": {"mirror": "null", "strict": "true"}, "seed": 3}
    assert typed_command_line_config(cli) == {
        "numpy_nn": {"q3": {"lr_grid": [0.002, 0.02]}}, "pytorch": {"gpus": 1, "device": "auto"},
        "data": {"mirror": None, "strict": True}, "seed": 3}
    cfg = {"numpy_nn": {"q3": {"lr_grid": ["0.002", "0.02"], "epochs": 50}}}
    apply_command_line_config(cfg, {"numpy_nn": {"q3": {"lr_grid": ["0.002", "0.02"]}}})
    assert cfg == {"numpy_nn": {"q3": {"lr_grid": [0.002, 0.02], "epochs": 50}}}  # the other keys stay
    assert typed_command_line_config({"ocr": {"pages": ["[a]", "x: y"]}}) == {"ocr": {"pages": ["[a]", "x: y"]}}
