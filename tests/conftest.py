"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnrec.config import load_config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    """The default config with downloads and an empty mirror under ``tmp_path`` (no NNREC_MIRROR)."""
    monkeypatch.delenv("NNREC_MIRROR", raising=False)
    c = load_config(REPO / "config.yaml")
    c["data"]["downloads_dir"] = str(tmp_path / "downloads")
    c["data"]["mirror"] = str(tmp_path / "mirror")
    c["data"]["download_timeout_s"] = 2
    (tmp_path / "mirror").mkdir()
    return c
