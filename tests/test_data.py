"""Data layer: mirror resolution, checksums, safe extraction, canonical formats, NIST36 .mat loader."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from PIL import Image

from nnrec.data import (
    ChecksumError,
    DatasetUnavailable,
    UnsafeArchive,
    describe_source,
    load_nist36,
    load_npz,
    prepare_dataset,
    read_nist36_mat,
    safe_extract,
)
from nnrec.data.fetch import candidates, obtain
from nnrec.data.missing import missing_record, write_missing_outputs
from nnrec.data.normalise import flowers_seeded_split, parse_ground_truth

# `cfg` (conftest.py): the default config, downloads and an empty mirror under tmp_path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def jpeg_bytes(rgb, size=(8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, rgb).save(buf, "JPEG", quality=95)
    return buf.getvalue()


# --------------------------------------------------------------------------- mirror resolution
def test_candidates_try_mirror_first_then_urls(tmp_path, monkeypatch):
    sources = [
        {"file": "a.zip", "url": "https://example.org/a.zip", "sha256": "0" * 64, "format": "ocr-zip"},
        {"file": "b.zip", "url": None, "sha256": "1" * 64, "format": "ocr-zip"},
    ]
    got = candidates(sources, tmp_path)
    assert [(c.kind, c.file) for c in got] == [("mirror", "a.zip"), ("mirror", "b.zip"), ("url", "a.zip")]
    assert got[0].url == (tmp_path / "a.zip").resolve().as_uri()
    assert [c.kind for c in candidates(sources, None)] == ["url"]


def test_env_variable_overrides_config_mirror(monkeypatch, tmp_path):
    from nnrec.config import mirror_folder

    monkeypatch.setenv("NNREC_MIRROR", str(tmp_path))
    assert mirror_folder({"data": {"mirror": "/elsewhere"}}) == tmp_path
    monkeypatch.setenv("NNREC_MIRROR", "")
    assert mirror_folder({"data": {"mirror": "/elsewhere"}}) == Path("/elsewhere")


# --------------------------------------------------------------------------- checksums
def make_ocr_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("images/01_a.jpg", jpeg_bytes((255, 255, 255)))
        zf.writestr("images/02_b.jpg", jpeg_bytes((250, 250, 250)))
    return path


def test_checksum_mismatch_moves_file_aside_and_names_hashes(tmp_path):
    src = make_ocr_zip(tmp_path / "images.zip")
    (c,) = candidates([{"file": "images.zip", "url": None, "sha256": "ab" * 32, "format": "ocr-zip"}], tmp_path)
    dl = tmp_path / "dl"
    with pytest.raises(ChecksumError) as exc:
        obtain(c, dl, 2)
    msg = str(exc.value)
    assert "images.zip" in msg and "ab" * 32 in msg and sha(src) in msg
    assert not (dl / "images.zip").exists()
    assert (dl / f"images.zip.bad-{sha(src)[:8]}").exists()


def test_corrupted_mirror_copy_falls_through_to_next_source_and_lists_all_tried(cfg, tmp_path):
    good = make_ocr_zip(tmp_path / "good.zip")
    mirror = Path(cfg["data"]["mirror"])
    # the mirror copy is corrupted: one flipped byte
    data = bytearray(good.read_bytes())
    data[100] ^= 0xFF
    (mirror / "images.zip").write_bytes(bytes(data))
    cfg["data"]["datasets"]["ocr_pages"]["sources"] = [
        {"file": "images.zip", "url": None, "sha256": sha(good), "format": "ocr-zip"},
        {"file": "good.zip", "url": good.as_uri(), "sha256": sha(good), "format": "ocr-zip"},
    ]
    out = tmp_path / "res" / "ocr_pages"
    prov = prepare_dataset("ocr_pages", cfg, out)
    assert prov["available"] and prov["source"] == "url"
    assert "checksum mismatch" in prov["tried"][0]["error"]
    assert sorted(p.name for p in (out / "images").iterdir()) == ["01_a.jpg", "02_b.jpg"]
    # the bad copy is kept aside, never used
    assert list(Path(cfg["data"]["downloads_dir"]).glob("images.zip.bad-*"))


def test_verified_cached_copy_is_not_fetched_again(cfg, tmp_path):
    good = make_ocr_zip(Path(cfg["data"]["mirror"]) / "images.zip")
    cfg["data"]["datasets"]["ocr_pages"]["sources"] = [
        {"file": "images.zip", "url": None, "sha256": sha(good), "format": "ocr-zip"}]
    prepare_dataset("ocr_pages", cfg, tmp_path / "r1")
    good.unlink()  # the source disappears; the verified cached copy is enough
    prov = prepare_dataset("ocr_pages", cfg, tmp_path / "r2")
    assert prov["available"]


def test_unavailable_dataset_non_strict_vs_strict(cfg, tmp_path):
    cfg["data"]["datasets"]["sun"]["sources"] = [
        {"file": "nope.zip", "url": "http://127.0.0.1:9/nope.zip", "sha256": "0" * 64, "format": "sun-zip"}]
    prov = prepare_dataset("sun", cfg, tmp_path / "sun")
    assert prov["available"] is False
    assert [t["source"] for t in prov["tried"]] == ["mirror", "url"]
    assert "127.0.0.1:9" in prov["tried"][1]["url"] and prov["how_to_supply"]
    assert json.loads((tmp_path / "sun" / "provenance.json").read_text())["available"] is False
    assert "missing" in describe_source(tmp_path / "sun" / "provenance.json")
    cfg["data"]["strict"] = True
    with pytest.raises(DatasetUnavailable, match="nope.zip"):
        prepare_dataset("sun", cfg, tmp_path / "sun2")


def test_missing_outputs_are_written_for_every_kind(tmp_path):
    prov = tmp_path / "p.json"
    prov.write_text(json.dumps({"dataset": "cifar10", "available": False, "tried": [], "how_to_supply": "x"}))
    rec = missing_record([prov])
    assert rec["status"] == "missing" and "cifar10" in rec["reason"]
    outs = [tmp_path / "m.json", tmp_path / "f.png", tmp_path / "t.txt"]
    write_missing_outputs(outs, rec)
    assert json.loads(outs[0].read_text())["status"] == "missing"
    assert outs[1].read_bytes()[:4] == b"\x89PNG" and "missing" in outs[2].read_text()


# --------------------------------------------------------------------------- safe extraction
def test_zip_with_parent_path_is_refused(tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("ok.txt", "fine")
        zf.writestr("../evil.txt", "owned")
    with pytest.raises(UnsafeArchive, match=r"\.\."):
        safe_extract(bad, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "out").exists()


def test_zip_with_absolute_path_is_refused(tmp_path):
    bad = tmp_path / "abs.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("/tmp/evil.txt", "owned")
    with pytest.raises(UnsafeArchive, match="absolute"):
        safe_extract(bad, tmp_path / "out")


def test_tar_with_escaping_symlink_is_refused(tmp_path):
    bad = tmp_path / "link.tar.gz"
    with tarfile.open(bad, "w:gz") as tf:
        info = tarfile.TarInfo("data/link")
        info.type, info.linkname = tarfile.SYMTYPE, "../../etc/passwd"
        tf.addfile(info)
    with pytest.raises(UnsafeArchive, match="outside"):
        safe_extract(bad, tmp_path / "out")


def test_safe_extract_roundtrip_and_corrupt_archive(tmp_path):
    arc = make_ocr_zip(tmp_path / "a.zip")
    out = safe_extract(arc, tmp_path / "out")
    assert (out / "images" / "01_a.jpg").exists()
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 this is not really a zip")
    from nnrec.data import CorruptArchive

    with pytest.raises(CorruptArchive, match="junk.zip"):
        safe_extract(junk, tmp_path / "out2")


# --------------------------------------------------------------------------- canonical formats
def write_nist_mats(folder: Path, n: dict[str, int], rng) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for split, count in n.items():
        x = rng.random((count, 1024))
        labels = np.arange(count) % 36
        onehot = np.eye(36)[labels]
        paths[split] = folder / f"nist36_{split}.mat"
        scipy.io.savemat(paths[split], {f"{split}_data": x, f"{split}_labels": onehot})
    return paths


def test_nist36_mat_loader_reads_real_format(tmp_path):
    rng = np.random.default_rng(0)
    paths = write_nist_mats(tmp_path, {"valid": 72}, rng)
    x, y = read_nist36_mat(paths["valid"], "valid")
    ref = scipy.io.loadmat(paths["valid"])
    assert x.shape == (72, 1024) and x.dtype == np.float32
    np.testing.assert_allclose(x, ref["valid_data"], rtol=1e-6)
    np.testing.assert_array_equal(y, np.arange(72) % 36)


def test_nist36_mat_loader_names_file_and_bad_key(tmp_path):
    p = tmp_path / "nist36_train.mat"
    scipy.io.savemat(p, {"train_data": np.zeros((3, 1024))})
    with pytest.raises(Exception, match="nist36_train.mat.*train_labels"):
        read_nist36_mat(p, "train")


def test_nist36_zip_roundtrip(cfg, tmp_path):
    rng = np.random.default_rng(1)
    mats = write_nist_mats(tmp_path / "m", {"train": 36, "valid": 36, "test": 36}, rng)
    arc = Path(cfg["data"]["mirror"]) / "data.zip"
    with zipfile.ZipFile(arc, "w") as zf:
        for p in mats.values():
            zf.write(p, f"data/{p.name}")
    cfg["data"]["datasets"]["nist36"]["sources"] = [
        {"file": "data.zip", "url": None, "sha256": sha(arc), "format": "nist36-zip"}]
    prov = prepare_dataset("nist36", cfg, tmp_path / "nist36")
    assert prov["available"] and prov["source"] == "mirror" and prov["counts"]["test"] == 36
    x, y = load_nist36(tmp_path / "nist36", "test")
    np.testing.assert_allclose(x, scipy.io.loadmat(mats["test"])["test_data"], rtol=1e-6)
    assert load_npz(tmp_path / "nist36" / "test.npz")["classes"][0] == "A"


def test_cifar_python_and_jpg_formats_agree(cfg, tmp_path):
    import pickle

    rng = np.random.default_rng(2)
    imgs = {s: rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8) for s, n in (("train", 10), ("test", 5))}
    labels = {s: np.arange(len(v)) % 10 for s, v in imgs.items()}
    tgz = Path(cfg["data"]["mirror"]) / "cifar-10-python.tar.gz"
    with tarfile.open(tgz, "w:gz") as tf:
        def add(name, d):
            blob = pickle.dumps(d)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tf.addfile(info, io.BytesIO(blob))

        for i in range(1, 6):
            sl = slice((i - 1) * 2, i * 2)
            add(f"data_batch_{i}", {b"data": imgs["train"][sl].transpose(0, 3, 1, 2).reshape(2, -1),
                                    b"labels": labels["train"][sl].tolist()})
        add("test_batch", {b"data": imgs["test"].transpose(0, 3, 1, 2).reshape(5, -1), b"labels": labels["test"].tolist()})
    cfg["data"]["datasets"]["cifar10"]["sources"] = [
        {"file": tgz.name, "url": None, "sha256": sha(tgz), "format": "cifar-python"}]
    prepare_dataset("cifar10", cfg, tmp_path / "c1")
    tr = load_npz(tmp_path / "c1" / "train.npz")
    np.testing.assert_array_equal(tr["x"], imgs["train"])
    np.testing.assert_array_equal(tr["y"], labels["train"])
    # the JPEG mirror layout of the same test images decodes to nearly the same pixels
    jz = Path(cfg["data"]["mirror"]) / "cifar-10-jpg.zip"
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    with zipfile.ZipFile(jz, "w") as zf:
        for split in ("train", "test"):
            for i, (im, lab) in enumerate(zip(imgs[split], labels[split])):
                buf = io.BytesIO()
                Image.fromarray(im).save(buf, "JPEG", quality=100)
                zf.writestr(f"cifar-10-jpg/{split}/{names[lab]}/{i:04d}.jpg", buf.getvalue())
    cfg["data"]["datasets"]["cifar10"]["sources"] = [
        {"file": jz.name, "url": None, "sha256": sha(jz), "format": "cifar-jpg", "caveat": "jpeg"}]
    prov = prepare_dataset("cifar10", cfg, tmp_path / "c2")
    te = load_npz(tmp_path / "c2" / "test.npz")
    assert te["x"].shape == (5, 32, 32, 3) and prov["caveats"] == ["jpeg"]
    assert sorted(te["y"].tolist()) == sorted(labels["test"].tolist())


def test_sun_zip_roundtrip(cfg, tmp_path):
    arc = Path(cfg["data"]["mirror"]) / "hw1-sun-data.zip"
    with zipfile.ZipFile(arc, "w") as zf:
        files = {"train": ["aquarium/a.jpg", "desert/b.jpg"], "test": ["windmill/c.jpg"]}
        labels = {"train": [0, 1], "test": [7]}
        for split in files:
            zf.writestr(f"data/{split}_files.txt", "\n".join(files[split]) + "\n")
            zf.writestr(f"data/{split}_labels.txt", "\n".join(map(str, labels[split])) + "\n")
            for f in files[split]:
                zf.writestr(f"data/{f}", jpeg_bytes((10, 200, 30), (40, 30)))
    cfg["data"]["datasets"]["sun"]["sources"] = [{"file": arc.name, "url": None, "sha256": sha(arc), "format": "sun-zip"}]
    cfg["data"]["datasets"]["sun"]["image_size"] = 16
    prepare_dataset("sun", cfg, tmp_path / "sun")
    tr = load_npz(tmp_path / "sun" / "train.npz")
    assert tr["x"].shape == (2, 16, 16, 3) and tr["x"].dtype == np.uint8
    assert tr["y"].tolist() == [0, 1] and tr["files"].tolist() == files["train"]
    assert abs(int(tr["x"][0, 8, 8, 1]) - 200) < 8


def test_flowers_roundtrip_with_seeded_split(cfg, tmp_path):
    arc = Path(cfg["data"]["mirror"]) / "17flowers.tgz"
    with tarfile.open(arc, "w:gz") as tf:
        for n in range(1, 1361):
            blob = jpeg_bytes(((n * 7) % 256, 0, 0), (12, 10))
            info = tarfile.TarInfo(f"jpg/image_{n:04d}.jpg")
            info.size = len(blob)
            tf.addfile(info, io.BytesIO(blob))
    ds = cfg["data"]["datasets"]["flowers17"]
    ds["sources"] = [{"file": arc.name, "url": None, "sha256": sha(arc), "format": "flowers-tgz"}]
    ds["splits"]["url"] = None
    ds["image_size"] = 8
    prov = prepare_dataset("flowers17", cfg, tmp_path / "fl")
    im = load_npz(tmp_path / "fl" / "images.npz")
    assert im["x"].shape == (1360, 8, 8, 3) and im["y"][79] == 0 and im["y"][80] == 1 and im["y"][-1] == 16
    split = json.loads((tmp_path / "fl" / "split.json").read_text())
    assert prov["split"] == "seeded" and split["source"] == "seeded"
    assert (len(split["train"]), len(split["valid"]), len(split["test"])) == (680, 340, 340)


def test_flowers_seeded_split_is_stratified_disjoint_and_deterministic():
    y = np.repeat(np.arange(17), 80)
    a = flowers_seeded_split(y, {"train": 40, "valid": 20, "test": 20}, 5)
    b = flowers_seeded_split(y, {"train": 40, "valid": 20, "test": 20}, 5)
    assert a == b
    sets = [set(a[k]) for k in ("train", "valid", "test")]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])
    for k, n in (("train", 40), ("valid", 20), ("test", 20)):
        assert np.bincount(y[a[k]], minlength=17).tolist() == [n] * 17


def test_parse_ground_truth():
    text = "# comment\n[01_list.jpg]\nTO DO LIST\n1 MAKE\n\n[02_letters.jpg]\nABC\n"
    assert parse_ground_truth(text) == {"01_list": ["TO DO LIST", "1 MAKE"], "02_letters": ["ABC"]}


def test_atomic_writes_leave_no_partial_file_and_normal_permissions(tmp_path):
    import os

    from nnrec.common import atomic_path, write_json

    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash mid-write")
    assert not target.exists() and list(tmp_path.iterdir()) == []
    write_json(target, {"a": 1})
    umask = os.umask(0)
    os.umask(umask)
    assert (target.stat().st_mode & 0o777) == (0o666 & ~umask)


# --------------------------------------------------------------------------- archive errors (issue 17, item 5)
def corrupt_deflate_zip(path: Path) -> Path:
    """A zip whose directory is intact but whose deflate stream is not (zlib.error when read)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("images/01_a.jpg", b"x" * 5000 + jpeg_bytes((255, 255, 255)))
    info = zipfile.ZipFile(path).infolist()[0]
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename)
    for i in range(start + 5, start + 25):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def test_a_corrupt_source_without_checksum_fails_cleanly_and_the_next_one_is_tried(cfg, tmp_path):
    corrupt_deflate_zip(Path(cfg["data"]["mirror"]) / "images.zip")
    good = make_ocr_zip(tmp_path / "good.zip")
    cfg["data"]["datasets"]["ocr_pages"]["sources"] = [
        {"file": "images.zip", "url": None, "sha256": None, "format": "ocr-zip"},
        {"file": "good.zip", "url": good.as_uri(), "sha256": None, "format": "ocr-zip"},
    ]
    prov = prepare_dataset("ocr_pages", cfg, tmp_path / "res" / "ocr_pages")
    assert prov["available"] and prov["source"] == "url"
    err = prov["tried"][0]["error"]  # the zlib.error, named with its file
    assert "images.zip: corrupt archive" in err and "decompressing" in err, err
    assert sorted(p.name for p in (tmp_path / "res").iterdir()) == ["ocr_pages"]  # no .staging / .work


def test_staging_and_work_folders_are_removed_whatever_fails(cfg, tmp_path, monkeypatch):
    from nnrec.data import prepare

    make_ocr_zip(Path(cfg["data"]["mirror"]) / "images.zip")
    cfg["data"]["datasets"]["ocr_pages"]["sources"] = [
        {"file": "images.zip", "url": None, "sha256": None, "format": "ocr-zip"}]

    def broken(*args, **kwargs):
        raise TypeError("a bug, not a bad archive")

    monkeypatch.setitem(prepare.NORMALISERS, "ocr-zip", broken)
    with pytest.raises(TypeError, match="a bug"):
        prepare_dataset("ocr_pages", cfg, tmp_path / "res" / "ocr_pages")
    assert not (tmp_path / "res").exists() or list((tmp_path / "res").iterdir()) == []


def test_a_corrupt_auxiliary_file_falls_back_like_an_absent_one(cfg, tmp_path):
    """datasplits.mat has no published checksum: a damaged copy gives the seeded split, not a crash."""
    from nnrec.data.prepare import _optional_file

    (Path(cfg["data"]["mirror"]) / "datasplits.mat").write_bytes(b"MATLAB 5.0 MAT-file, truncated")
    spec = {"file": "datasplits.mat", "url": None, "sha256": None, "index": 1}
    from nnrec.data.normalise import flowers_split_from_mat

    parsed, record, tried = _optional_file(spec, cfg, __import__("logging").getLogger("t"),
                                           lambda p: flowers_split_from_mat(p, 1))
    assert parsed is None and record is None
    assert tried[0]["file"] == "datasplits.mat" and "datasplits.mat" in tried[0]["error"]


# --------------------------------------------------------------------------- retrying (issue 17, item 4)
def test_retry_key_changes_only_when_the_mirror_offers_something_new_for_what_failed(cfg, tmp_path):
    import os

    from nnrec.retry import FIRST_ATTEMPT, retry_key

    good = make_ocr_zip(tmp_path / "good.zip")
    mirror_copy = Path(cfg["data"]["mirror"]) / "images.zip"
    bad = bytearray(good.read_bytes())
    bad[100] ^= 0xFF
    mirror_copy.write_bytes(bytes(bad))
    cfg["data"]["datasets"]["ocr_pages"]["sources"] = [
        {"file": "images.zip", "url": None, "sha256": sha(good), "format": "ocr-zip"}]
    cfg["data"]["datasets"]["ocr_pages"]["fallback"] = "none"
    out = tmp_path / "res" / "ocr_pages"
    assert retry_key("ocr_pages", cfg, out) == FIRST_ATTEMPT  # nothing prepared yet
    prov = prepare_dataset("ocr_pages", cfg, out, retry=FIRST_ATTEMPT)
    assert not prov["available"] and prov["attempt"] == 1
    # nothing changed: the same key (Snakemake sees the same params: nothing to do)
    assert retry_key("ocr_pages", cfg, out) == FIRST_ATTEMPT
    # the corrupt copy is replaced by a good one: a new key, so the rule runs again
    mirror_copy.write_bytes(good.read_bytes())
    key = retry_key("ocr_pages", cfg, out)
    assert key != FIRST_ATTEMPT and json.loads(key)["attempt"] == 2 and "images.zip" in key
    prov = prepare_dataset("ocr_pages", cfg, out, retry=key)
    assert prov["available"] and prov["attempt"] == 2
    # and then it stays: a healthy dataset watches nothing, touching or moving the mirror changes nothing
    assert retry_key("ocr_pages", cfg, out) == key
    os.utime(mirror_copy, ns=(1, 1))
    cfg["data"]["mirror"] = None
    assert retry_key("ocr_pages", cfg, out) == key


def test_retry_key_of_an_unavailable_dataset_watches_every_source_even_without_a_mirror(cfg, tmp_path):
    from nnrec.retry import retry_key

    mirror = cfg["data"]["mirror"]
    cfg["data"]["mirror"] = None
    cfg["data"]["datasets"]["sun"]["sources"] = [
        {"file": "sun.zip", "url": None, "sha256": "0" * 64, "format": "sun-zip"}]
    prov = prepare_dataset("sun", cfg, tmp_path / "sun")
    record = json.loads((tmp_path / "sun" / "retry.json").read_text())
    assert not prov["available"] and prov["tried"] == [] and record["offered"] == {"sun.zip": "absent"}
    assert retry_key("sun", cfg, tmp_path / "sun") == record["retry"]
    cfg["data"]["mirror"] = mirror  # a mirror without the file offers nothing new
    assert retry_key("sun", cfg, tmp_path / "sun") == record["retry"]
    (Path(mirror) / "sun.zip").write_bytes(b"not yet checked")  # a mirror with it: try again
    assert json.loads(retry_key("sun", cfg, tmp_path / "sun"))["attempt"] == 2


def test_a_sources_caveats_read_as_sentences(tmp_path):
    import json

    prov = tmp_path / "provenance.json"
    prov.write_text(json.dumps({"dataset": "x", "available": True, "source": "mirror",
                                "files": [{"file": "x.zip", "sha256": "ab" * 32}],
                                "caveats": ["first caveat.", "second caveat", " "]}))
    assert describe_source(prov) == "x: x.zip (sha256 abababababab) from the data mirror; first caveat. second caveat."
    assert describe_source(prov, caveats=False) == "x: x.zip (sha256 abababababab) from the data mirror"
