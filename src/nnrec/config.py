"""Load and validate the workflow configuration against its JSON schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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
    or ``config key 'numpy_nn': unknown key 'epoch' (allowed: ...)``.
    """
    import jsonschema

    schema = yaml.safe_load(Path(schema_path).read_text())
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    lines = []
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
    raise ConfigError(f"invalid configuration ({schema_path}):\n  " + "\n  ".join(lines))


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
