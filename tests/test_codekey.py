"""The code part of the between-workflow cache key: which nnrec files a script runs, and their hash."""

from pathlib import Path

from nnrec.codekey import _imported_names, code_fingerprint, library_files, local_sources, source_files


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "src"
    pkg = src / "nnrec"
    (pkg / "part").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "common.py").write_text("X = 1\n")
    (pkg / "unused.py").write_text("Y = 2\n")
    (pkg / "part" / "__init__.py").write_text("")
    (pkg / "part" / "model.py").write_text("from .helpers import h\n")
    (pkg / "part" / "helpers.py").write_text("def h():\n    from nnrec import common  # a lazy import counts\n")
    script = tmp_path / "script.py"
    script.write_text("import os\nfrom nnrec.part.model import h\n")
    _imported_names.cache_clear()
    return script, src


def test_library_files_follow_imports_through_the_package(tmp_path):
    script, src = _tree(tmp_path)
    rel = [str(f.relative_to(src.resolve())) for f in library_files(script, src)]
    assert rel == ["nnrec/__init__.py", "nnrec/common.py", "nnrec/part/__init__.py", "nnrec/part/helpers.py",
                   "nnrec/part/model.py"]


def test_fingerprint_changes_with_the_code_the_script_runs_only(tmp_path):
    script, src = _tree(tmp_path)
    before = code_fingerprint(script, src)
    (src / "nnrec" / "unused.py").write_text("Y = 3\n")
    assert code_fingerprint(script, src) == before  # not imported: not part of the key
    (src / "nnrec" / "common.py").write_text("X = 2\n")
    changed = code_fingerprint(script, src)
    assert changed != before
    script.write_text(script.read_text() + "# the script itself\n")
    assert code_fingerprint(script, src) != changed


def test_local_sources_names_the_files_in_the_mirror_or_downloads(tmp_path):
    cfg = {"sources": [{"file": "a.zip", "url": "https://x/a.zip"}],
           "substitute": {"sources": [{"file": "b.npz", "url": None}, {"file": "c.pth", "mirror_subdir": "w"}]}}
    assert [s["file"] for s in source_files(cfg)] == ["a.zip", "b.npz", "c.pth"]
    mirror, downloads = tmp_path / "mirror", tmp_path / "downloads"
    (mirror / "w").mkdir(parents=True)
    downloads.mkdir()
    assert local_sources(cfg, mirror, downloads) == []
    (mirror / "w" / "c.pth").write_bytes(b"w")
    (downloads / "a.zip").write_bytes(b"a")
    assert local_sources(cfg, mirror, downloads) == ["a.zip", "c.pth"]
    assert local_sources(cfg, None, downloads) == ["a.zip"]
