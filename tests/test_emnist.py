"""The NIST36 substitute from EMNIST (issue 20): both source formats, class mapping, orientation,
the split rule, and the order data.zip -> EMNIST -> stand-in. Small synthetic files in the
official formats (idx .gz files inside a zip; the mirror's npz)."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from nnrec import NIST36_CLASSES
from nnrec.common import sha256_file as sha
from nnrec.data import describe_source, load_nist36, load_npz, prepare_dataset
from nnrec.data import emnist
from nnrec.data.fetch import DataError
from nnrec.data.glyph import from_nist_layout

BYCLASS = emnist.BYCLASS_CLASSES
COUNTS = {"train": 2, "valid": 2, "test": 1}


# --------------------------------------------------------------------------- synthetic EMNIST
def draw_L(rng) -> np.ndarray:
    """An upright capital L, white (255) on black, 28 x 28: a bar down the left, a foot at the bottom."""
    img = np.zeros((28, 28), np.uint8)
    top, left = rng.integers(3, 7), rng.integers(5, 9)
    bottom, right, w = rng.integers(21, 25), rng.integers(17, 23), rng.integers(2, 4)
    img[top:bottom, left:left + w] = 255
    img[bottom - w:bottom, left:right] = 255
    return img


def draw_other(rng) -> np.ndarray:
    """A random box outline (some ink, distinct per image)."""
    img = np.zeros((28, 28), np.uint8)
    r0, c0 = rng.integers(2, 10, 2)
    r1, c1 = r0 + rng.integers(8, 16), c0 + rng.integers(8, 16)
    img[r0:r1, c0:c0 + 2] = img[r0:r1, c1 - 2:c1] = 255
    img[r0:r0 + 2, c0:c1] = img[r1 - 2:r1, c0:c1] = rng.integers(180, 256)
    return img


def synthetic_split(seed: int = 0, short: str = "K") -> tuple[np.ndarray, np.ndarray]:
    """A shuffled ByClass-like test split: upright images and labels of all 62 classes; 6 of each
    digit, 5 of each capital (``short``: 4), 2 of each small letter."""
    rng = np.random.default_rng(seed)
    per = {c: 6 if c < 10 else (2 if c >= 36 else 5) for c in range(62)}
    per[BYCLASS.index(short)] = 4
    labels = rng.permutation(np.concatenate([[c] * n for c, n in per.items()])).astype(np.uint8)
    L = BYCLASS.index("L")
    imgs = np.stack([draw_L(rng) if y == L else draw_other(rng) for y in labels])
    return imgs, labels


def idx_bytes(arr: np.ndarray) -> bytes:
    head = bytes([0, 0, 0x08, arr.ndim]) + struct.pack(f">{arr.ndim}i", *arr.shape)
    return gzip.compress(head + np.ascontiguousarray(arr, dtype=np.uint8).tobytes())


def write_gzip_zip(path: Path, upright: np.ndarray, labels: np.ndarray) -> Path:
    """EMNIST's gzip.zip layout: gzip/emnist-<split>-<kind>.gz, images stored transposed."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("gzip/emnist-byclass-test-images-idx3-ubyte.gz", idx_bytes(upright.transpose(0, 2, 1)))
        zf.writestr("gzip/emnist-byclass-test-labels-idx1-ubyte.gz", idx_bytes(labels))
        zf.writestr("gzip/emnist-balanced-test-labels-idx1-ubyte.gz", idx_bytes(labels[:5]))  # not ours
    return path


def expected_selection(labels: np.ndarray, digits: int) -> np.ndarray:
    """Written out independently of the library: capitals, and the first ``digits`` of each digit."""
    seen = dict.fromkeys(range(10), 0)
    out = []
    for i, y in enumerate(labels.tolist()):
        if 10 <= y <= 35:
            out.append(i)
        elif y < 10 and seen[y] < digits:
            seen[y] += 1
            out.append(i)
    return np.array(out)


def write_npz(path: Path, upright: np.ndarray, labels: np.ndarray, sel: np.ndarray, **override) -> Path:
    arrays = dict(x=upright[sel], y=labels[sel], index=sel.astype(np.int32), classes=np.array(BYCLASS[:36]))
    arrays.update(override)
    np.savez_compressed(path, **arrays)
    return path


@pytest.fixture
def cfg(cfg, monkeypatch):
    """conftest's config, with a tiny NIST36 substitute and stand-in and no network."""
    monkeypatch.setattr(emnist, "DIGITS_PER_CLASS", 5)  # the synthetic split has 6 of each digit
    nist = cfg["data"]["datasets"]["nist36"]
    nist["sources"][0]["url"] = None  # never the network in a test
    nist["substitute"]["counts"] = dict(COUNTS)
    for s in nist["substitute"]["sources"]:
        s["url"], s["sha256"], s["md5"] = None, None, None
    cfg["standin"]["counts"] = {"train": 1, "valid": 1, "test": 1}
    return cfg


@pytest.fixture
def split():
    return synthetic_split()


# --------------------------------------------------------------------------- the two routes
def test_both_routes_select_and_write_identical_images(cfg, tmp_path, split):
    upright, labels = split
    mirror = Path(cfg["data"]["mirror"])
    sel = expected_selection(labels, 5)
    write_npz(mirror / "emnist-byclass-test-az09.npz", upright, labels, sel)
    write_gzip_zip(mirror / "gzip.zip", upright, labels)
    sources = cfg["data"]["datasets"]["nist36"]["substitute"]["sources"]
    out = {}
    for fmt in ("emnist-npz", "emnist-gzip"):
        cfg["data"]["datasets"]["nist36"]["substitute"]["sources"] = [s for s in sources if s["format"] == fmt]
        prov = prepare_dataset("nist36", cfg, tmp_path / fmt)
        assert prov["available"] and prov["source"] == "substitute" and prov["format"] == fmt
        assert prov["substitute"]["fetched_from"] == "mirror"
        assert prov["description"] == emnist.DESCRIPTION
        out[fmt] = prov
    for split_name in ("train", "valid", "test"):
        a, b = (load_npz(tmp_path / fmt / f"{split_name}.npz") for fmt in out)
        np.testing.assert_array_equal(a["x"], b["x"])
        np.testing.assert_array_equal(a["y"], b["y"])
        assert a["x"].dtype == np.float32 and a["x"].shape[1] == 1024 and a["y"].dtype == np.int64
        assert a["classes"].tolist() == NIST36_CLASSES
        ia, ib = (load_npz(tmp_path / fmt / "emnist_index.npz")[split_name] for fmt in out)
        np.testing.assert_array_equal(ia, ib)
        # every image comes from the documented selection, with its own label
        assert set(ia.tolist()) <= set(sel.tolist())
        np.testing.assert_array_equal(emnist.to_nist36_labels(labels[ia]), a["y"])
    # the official route's selection is exactly the npz's index column
    sel_gz = emnist.read_emnist_gzip(mirror / "gzip.zip", tmp_path / "w")
    np.testing.assert_array_equal(sel_gz.index, sel)
    np.testing.assert_array_equal(sel_gz.x, upright[sel])
    assert out["emnist-npz"]["counts"] == out["emnist-gzip"]["counts"]
    assert "substitute from EMNIST" in describe_source(tmp_path / "emnist-npz" / "provenance.json")


def test_selection_keeps_capitals_and_first_digits_only():
    y = np.array([3, 40, 12, 3, 3, 9, 61, 35, 10, 3])  # 3, small 'e', C, 3, 3, 9, small 'z', Z, A, 3
    np.testing.assert_array_equal(emnist.select_az09(y, 2), [0, 2, 3, 5, 7, 8])
    np.testing.assert_array_equal(emnist.to_nist36_labels([0, 9, 10, 21, 35, 36]),
                                  [26, 35, 0, NIST36_CLASSES.index("L"), 25, -1])


def test_drawn_L_comes_out_upright_dark_on_light_as_class_L(cfg, tmp_path, split):
    """The official route (idx images stored transposed) gives an upright L in the NIST36 layout."""
    upright, labels = split
    write_gzip_zip(Path(cfg["data"]["mirror"]) / "gzip.zip", upright, labels)
    cfg["data"]["datasets"]["nist36"]["substitute"]["sources"] = [
        s for s in cfg["data"]["datasets"]["nist36"]["substitute"]["sources"] if s["format"] == "emnist-gzip"]
    prepare_dataset("nist36", cfg, tmp_path / "n")
    Ls = np.concatenate([x[y == NIST36_CLASSES.index("L")]
                         for x, y in (load_nist36(tmp_path / "n", s) for s in ("train", "valid", "test"))])
    assert len(Ls) == 5  # every L of the synthetic split
    for row in Ls:
        img = from_nist_layout(row)
        ink = 1.0 - img
        assert img[0, 0] > 0.95 and img[-1, -1] > 0.95 and img.min() < 0.1  # light paper, dark ink
        assert ink[:, :10].sum() > 2 * ink[:, -10:].sum()    # the bar is on the left
        assert ink[-10:].sum() > 1.5 * ink[:10].sum()        # the foot is at the bottom
        assert ink[:12, 16:].sum() < 0.05 * ink.sum()        # nothing top right


# --------------------------------------------------------------------------- the split rule
def test_split_rule_short_class_keeps_valid_and_test_and_trains_on_the_rest():
    y = np.concatenate([np.full(5, 0), np.repeat(np.arange(1, 36), 9)])  # class A has only 5 images
    counts = {"train": 4, "valid": 2, "test": 1}
    parts = emnist.split_per_class(y, counts, seed=7)
    per = {s: np.bincount(y[p], minlength=36) for s, p in parts.items()}
    assert per["valid"].tolist() == [2] * 36 and per["test"].tolist() == [1] * 36
    assert per["train"][0] == 2 and per["train"][1:].tolist() == [4] * 35
    all_pos = np.concatenate(list(parts.values()))
    assert len(set(all_pos.tolist())) == len(all_pos)  # disjoint
    # deterministic, and a class's draw does not depend on the other classes
    again = emnist.split_per_class(y, counts, seed=7)
    assert all(np.array_equal(parts[s], again[s]) for s in parts)
    y2 = np.concatenate([y, np.full(3, 20)])
    other = emnist.split_per_class(y2, counts, seed=7)
    for s in parts:
        np.testing.assert_array_equal(parts[s][y[parts[s]] == 0], other[s][y2[other[s]] == 0])
    assert not np.array_equal(parts["valid"], emnist.split_per_class(y, counts, seed=8)["valid"])
    # grouped by class in NIST36 order
    assert np.all(np.diff(y[parts["train"]]) >= 0)
    with pytest.raises(DataError, match="class A has 3 images"):
        emnist.split_per_class(y[2:], counts, seed=7)


def test_short_class_recorded_in_provenance(cfg, tmp_path, split):
    upright, labels = split  # K has 4 images: valid 2 + test 1, train 1 of 2
    write_npz(Path(cfg["data"]["mirror"]) / "emnist-byclass-test-az09.npz", upright, labels, expected_selection(labels, 5))
    prov = prepare_dataset("nist36", cfg, tmp_path / "n")
    assert prov["substitute"]["short_classes"] == {"K": {"available": 4, "train": 1}}
    assert prov["counts"]["per_class"]["train"]["K"] == 1 and prov["counts"]["per_class"]["valid"]["K"] == 2
    assert any("K (4 images: 1 train)" in c for c in prov["caveats"])
    assert prov["substitute"]["seed"] == cfg["data"]["datasets"]["nist36"]["substitute"]["seed"]


# --------------------------------------------------------------------------- order and errors
def write_data_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for split_name in ("train", "valid", "test"):
            buf = io.BytesIO()
            scipy.io.savemat(buf, {f"{split_name}_data": np.full((36, 1024), 0.5), f"{split_name}_labels": np.eye(36)})
            zf.writestr(f"data/nist36_{split_name}.mat", buf.getvalue())
    return path


def test_fallback_order_data_zip_then_emnist_then_standin(cfg, tmp_path, split):
    upright, labels = split
    mirror = Path(cfg["data"]["mirror"])
    write_data_zip(mirror / "data.zip")
    write_npz(mirror / "emnist-byclass-test-az09.npz", upright, labels, expected_selection(labels, 5))
    cfg["data"]["datasets"]["nist36"]["sources"][0]["sha256"] = sha(mirror / "data.zip")
    # 1. the course's data.zip wins whenever it is there
    prov = prepare_dataset("nist36", cfg, tmp_path / "a")
    assert prov["source"] == "mirror" and prov["format"] == "nist36-zip" and "substitute" not in prov
    assert prov["description"] == "NIST36 (the course's data.zip)"
    # 2. without it, the EMNIST substitute (after data.zip was tried)
    (mirror / "data.zip").unlink()
    cfg["data"]["downloads_dir"] = str(tmp_path / "downloads2")  # no cached copy of data.zip either
    prov = prepare_dataset("nist36", cfg, tmp_path / "b")
    assert prov["source"] == "substitute"
    assert [Path(t["url"]).name for t in prov["tried"]] == ["data.zip", "emnist-byclass-test-az09.npz"]
    # 3. without EMNIST either, the offline stand-in (after every EMNIST source was tried)
    (mirror / "emnist-byclass-test-az09.npz").unlink()
    cfg["data"]["downloads_dir"] = str(tmp_path / "downloads3")
    prov = prepare_dataset("nist36", cfg, tmp_path / "c")
    assert prov["source"] == "standin" and "stand-in" in prov["description"]
    assert [Path(t["url"]).name for t in prov["tried"]] == ["data.zip", "emnist-byclass-test-az09.npz", "gzip.zip"]
    assert load_nist36(tmp_path / "c", "test")[0].shape == (36, 1024)
    # its digits resampled with a table fitted on EMNIST (config.yaml's default): the caveat says so
    assert prov["standin"]["resample"] is True
    assert any("fitted on the EMNIST substitute's train split" in c for c in prov["caveats"])
    # the substitute can be switched off: straight to the stand-in (here without the resampling)
    write_npz(mirror / "emnist-byclass-test-az09.npz", upright, labels, expected_selection(labels, 5))
    cfg["data"]["datasets"]["nist36"]["substitute"]["enabled"] = False
    cfg["standin"]["resample"] = False
    prov = prepare_dataset("nist36", cfg, tmp_path / "d")
    assert prov["source"] == "standin" and prov["standin"]["resample"] is False
    assert not any("EMNIST" in c for c in prov["caveats"])


def test_bad_npz_is_named_and_the_next_source_is_tried(cfg, tmp_path, split):
    upright, labels = split
    mirror = Path(cfg["data"]["mirror"])
    sel = expected_selection(labels, 5)
    write_npz(mirror / "emnist-byclass-test-az09.npz", upright, labels, sel, index=sel[::-1].astype(np.int32))
    write_gzip_zip(mirror / "gzip.zip", upright, labels)
    prov = prepare_dataset("nist36", cfg, tmp_path / "n")
    assert prov["source"] == "substitute" and prov["format"] == "emnist-gzip"
    err = prov["tried"][1]["error"]
    assert "emnist-byclass-test-az09.npz" in err and "index must be increasing" in err
    with pytest.raises(DataError, match="classes"):
        emnist.read_emnist_npz(write_npz(tmp_path / "c.npz", upright, labels, sel, classes=np.array(list("ABC"))))


def test_idx_reader_checks_the_header(tmp_path):
    good = tmp_path / "a-idx1-ubyte.gz"
    good.write_bytes(idx_bytes(np.arange(5, dtype=np.uint8)))
    np.testing.assert_array_equal(emnist.read_idx(good, 1), np.arange(5))
    with pytest.raises(DataError, match="dimensions"):
        emnist.read_idx(good, 3)
    bad = tmp_path / "b.gz"
    bad.write_bytes(gzip.compress(b"\x01\x02\x08\x01" + struct.pack(">i", 2) + b"ab"))
    with pytest.raises(DataError, match="b.gz.*magic"):
        emnist.read_idx(bad, 1)
    short = tmp_path / "c.gz"
    short.write_bytes(gzip.compress(bytes([0, 0, 8, 1]) + struct.pack(">i", 9) + b"abc"))
    with pytest.raises(DataError, match="9 bytes"):
        emnist.read_idx(short, 1)
