"""Load a script that is not part of the package (benchmarks/, .ci/) as a module, for its tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def load_script(path: Path, name: str | None = None):
    """The module of the Python file ``path`` (named ``name``, default its stem), executed once."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
