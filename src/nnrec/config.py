"""Load and validate the workflow configuration: its JSON schema, finite numbers, and the
references between sections the schema cannot express; read Snakemake's nested ``--config`` values
as YAML."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Mapping

import yaml


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the key and the value."""


def _key_path(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<top level>"


def validate_config(config: dict, schema_path: str | os.PathLike) -> None:
    """Raise :class:`ConfigError` listing every invalid key of ``config`` with its value.

    Messages look like ``config key 'numpy_nn.q3.epochs': value 'ten' is not of type 'integer'``
    or ``config key 'numpy_nn': unknown key 'epoch' (allowed: ...)``. Three checks, in order: no
    number is NaN or infinite (:func:`non_finite`; JSON schema accepts them), the schema, then the
    references between keys (:func:`cross_references`).
    """
    import jsonschema

    lines = [f"config key '{key}': value {value!r} is not a finite number" for key, value in non_finite(config)]
    schema = yaml.safe_load(Path(schema_path).read_text())
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    for err in errors:
        key = _key_path(err.absolute_path)
        if err.validator == "additionalProperties":
            allowed = sorted(err.schema.get("properties", {}))
            extra = sorted(set(err.instance) - set(allowed))
            for name in extra:
                full = f"{key}.{name}" if err.absolute_path else name
                lines.append(
                    f"config key '{full}': unknown key (value {err.instance[name]!r}); "
                    f"allowed here: {', '.join(allowed)}"
                )
        else:
            lines.append(f"config key '{key}': value {err.instance!r} is invalid: {err.message}")
    if not lines:  # the cross-references assume the schema's shape
        lines = cross_references(config)
    if lines:
        raise ConfigError(f"invalid configuration ({schema_path}):\n  " + "\n  ".join(lines))


def non_finite(value: Any, path: tuple = ()) -> list[tuple[str, float]]:
    """``(key, value)`` of every NaN or infinite number in ``value`` (a config or part of one)."""
    if isinstance(value, float) and not math.isfinite(value):
        return [(_key_path(path), value)]
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in non_finite(v, (*path, k))]
    if isinstance(value, list):
        return [hit for i, v in enumerate(value) for hit in non_finite(v, (*path, i))]
    return []


def lr_tag(lr: float) -> str:
    """How a learning rate appears in a Q3 run's path (``common.smk``): 0.002 -> '0.002'."""
    return f"{float(lr):g}"


#: [lo, hi] ranges that must be ordered (lo <= hi), as key paths.
ORDERED_RANGES = (
    *(("standin", "augment", k) for k in ("end_extend", "aspect", "slant_deg", "rotate_deg", "elastic_amp",
                                          "elastic_freq", "pen_width", "pressure", "end_taper", "raster_blur",
                                          "raster_noise", "stroke_width_scale", "blur", "noise")),
    ("ocr", "generated", "letter_gap"), ("ocr", "generated", "word_gap"),
    ("scenes", "cnn", "augment", "crop_scale"), ("scenes", "frozen", "augment", "crop_scale"),
    ("flowers", "finetune", "augment", "crop_scale"), ("flowers", "finetune", "full", "augment", "crop_scale"),
    ("flowers", "scratch", "augment", "crop_scale"), ("pytorch", "nist36_cnn", "augment", "scale"),
)
FLOWERS_PER_CLASS = 80  # images per class in Oxford Flowers 17
NIST36_SIDE = 32  # NIST36 images are 32 x 32 (1024 values)


def _get(config: dict, path: tuple) -> Any:
    for k in path:
        if not isinstance(config, dict) or k not in config:
            return None
        config = config[k]
    return config


def cross_references(config: dict) -> list[str]:
    """What the schema cannot say: a key that names another must name something that exists, and
    values that must agree do. Returns one message per problem (empty when all is well)."""
    out = []
    ocr = config.get("ocr") or {}
    if ocr:
        enabled = [n for n, spec in (ocr.get("classifiers") or {}).items() if spec.get("enabled")]
        if ocr.get("headline_classifier") not in enabled:
            out.append(f"config key 'ocr.headline_classifier': value {ocr.get('headline_classifier')!r} is not an "
                       f"enabled entry of ocr.classifiers (enabled: {', '.join(enabled) or 'none'})")
    # the fidelity rules score ocr.classifiers and fidelity.classifiers under one name space
    fid = config.get("fidelity") or {}
    both = sorted(set((ocr.get("classifiers") or {})) & set(fid.get("classifiers") or {}))
    for name in both:
        out.append(f"config key 'fidelity.classifiers.{name}': {name!r} is also an entry of ocr.classifiers, which "
                   "the fidelity rules score already; give it another name or remove one of them")
    # Q3 runs live in results/numpy_nn/q3_lr{tag}/: two different rates must not share a folder
    q3, fc = _get(config, ("numpy_nn", "q3")) or {}, _get(config, ("pytorch", "nist36_fc")) or {}
    named = [(f"numpy_nn.q3.lr_grid[{i}]", lr) for i, lr in enumerate(q3.get("lr_grid") or [])]
    if fc.get("numpy_lr") is not None:
        named.append(("pytorch.nist36_fc.numpy_lr", fc["numpy_lr"]))
    seen: dict[str, tuple[str, float]] = {}
    for key, lr in named:
        first = seen.setdefault(lr_tag(lr), (key, lr))
        if first[1] != lr:
            out.append(f"config key '{key}': value {lr!r} and '{first[0]}' ({first[1]!r}) differ but both name the "
                       f"Q3 run folder results/numpy_nn/q3_lr{lr_tag(lr)}/; use rates that differ in 6 significant digits")
    for path in ORDERED_RANGES:
        r = _get(config, path)
        if isinstance(r, list) and len(r) == 2 and r[0] > r[1]:
            out.append(f"config key '{'.'.join(path)}': value {r!r} is a [low, high] range with low > high")
    size = _get(config, ("standin", "glyph", "size"))
    if size is not None and size != NIST36_SIDE:
        out.append(f"config key 'standin.glyph.size': value {size!r}: the stand-in, the EMNIST substitute, the "
                   f"development sets and the OCR crops must all be NIST36's {NIST36_SIDE} x {NIST36_SIDE} "
                   "(the networks take 1024 inputs)")
    split = _get(config, ("data", "datasets", "flowers17", "fallback_split"))
    if isinstance(split, dict) and sum(split.values()) > FLOWERS_PER_CLASS:
        out.append(f"config key 'data.datasets.flowers17.fallback_split': value {split!r} asks for "
                   f"{sum(split.values())} images per class; Flowers 17 has {FLOWERS_PER_CLASS}")
    return out


def typed_command_line_config(cli: Mapping) -> dict:
    """Snakemake's ``--config`` values with the scalars inside nested values read as YAML.

    Snakemake 9 reads ``--config numpy_nn='{q3: {lr_grid: [0.002, 0.02]}}'`` with YAML's BaseLoader, so
    every scalar inside arrives as a string ('0.002'). Each such string is read again with
    ``yaml.safe_load``, as config.yaml is: numbers, booleans and null get their type; a string that
    YAML reads as a list or mapping stays a string. Top-level values (typed by Snakemake) are kept.
    """
    def typed(value):
        if isinstance(value, str):
            parsed = yaml.safe_load(value) if value.strip() else value
            return parsed if parsed is None or isinstance(parsed, (str, int, float, bool)) else value
        if isinstance(value, Mapping):
            return {k: typed(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [typed(v) for v in value]
        return value

    return {k: (typed(v) if isinstance(v, (Mapping, list, tuple)) else v) for k, v in cli.items()}


def apply_command_line_config(config: dict, cli: Mapping | None) -> dict:
    """Overlay :func:`typed_command_line_config` of ``cli`` (``workflow.config_settings.config``)
    onto ``config`` (where Snakemake already merged the same values, as strings)."""
    return deep_update(config, typed_command_line_config(cli or {}))


def load_config(path: str | os.PathLike, *overlays: str | os.PathLike) -> dict:
    """Read ``path`` and deep-merge each overlay file on top (as ``--configfile`` does)."""
    cfg = yaml.safe_load(Path(path).read_text()) or {}
    for ov in overlays:
        deep_update(cfg, yaml.safe_load(Path(ov).read_text()) or {})
    return cfg


def deep_update(base: dict, new: dict) -> dict:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_update(base[key], value)
        else:
            base[key] = value
    return base


def mirror_folder(config: dict) -> Path | None:
    """The data mirror: ``$NNREC_MIRROR`` when set and non-empty, else ``data.mirror`` (or None)."""
    env = os.environ.get("NNREC_MIRROR", "").strip()
    value = env or (config.get("data", {}) or {}).get("mirror")
    return Path(value).expanduser() if value else None
