"""Intermediate files (issue 17, items 2 and 8): every reader names the file and the problem, model
files carry a checksum their loaders verify, 'missing' is said only of placeholders, and the same
model state always gives the same bytes."""

from __future__ import annotations

import json
import time
import zipfile

import numpy as np
import pytest
import torch

from nnrec.common import (CorruptFile, checksum_path, copy_model_file, is_placeholder, load_model_npz, read_result,
                          save_model_npz, save_npz)
from nnrec.data.missing import missing_record, write_missing_outputs
from nnrec.numpy_nn.model import Network, load_classifier
from nnrec.ocr.pipeline import load_classifier_spec
from nnrec.torch_models.loop import load_checkpoint, save_checkpoint
from nnrec.torch_models.nist36 import NistCNN

Q3_SPEC = {"loader": "nnrec.numpy_nn:load_classifier"}
CNN_SPEC = {"loader": "nnrec.torch_models.nist36:load_classifier"}
PLACEHOLDER = {"status": "missing", "reason": "dataset unavailable: nist36"}


def q3_weights(path):
    Network.create([1024, 8, 36], ["sigmoid", "softmax"], np.random.default_rng(0), np.float32).save(path)
    return path


def cnn_model(path):
    torch.manual_seed(0)
    save_checkpoint(path, NistCNN(widths=(4, 8), hidden=16), arch="cnn",
                    model_cfg={"widths": [4, 8], "hidden": 16})
    return path


def flip_byte_in_member(path, member_suffix):
    """Flip one byte inside a zip member's stored data (what a bad disk or copy does)."""
    info = next(i for i in zipfile.ZipFile(path).infolist() if i.filename.endswith(member_suffix))
    data = bytearray(path.read_bytes())
    with open(path, "rb") as fh:
        fh.seek(info.header_offset + 26)
        name_len, extra_len = int.from_bytes(fh.read(2), "little"), int.from_bytes(fh.read(2), "little")
    data[info.header_offset + 30 + name_len + extra_len + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


# ------------------------------------------------------------------ model files and their loaders
def test_saved_models_carry_a_checksum_their_loaders_verify(tmp_path):
    w, m = q3_weights(tmp_path / "weights.npz"), cnn_model(tmp_path / "model.pt")
    for f in (w, m):
        digest, name = checksum_path(f).read_text().split()
        assert name == f.name and len(digest) == 64
    assert load_classifier(w)(np.zeros((2, 1024))).shape == (2, 36)
    assert "state_dict" in load_checkpoint(m)


def test_a_truncated_weights_file_is_an_error_naming_it_not_missing_data(tmp_path):
    w = q3_weights(tmp_path / "weights.npz")
    truncate(w)
    with pytest.raises(CorruptFile, match=rf"{w}: checksum mismatch"):
        load_classifier_spec("q3", {"weights": str(w), **Q3_SPEC})


def test_a_flipped_byte_in_a_torch_model_is_refused(tmp_path):
    m = cnn_model(tmp_path / "model.pt")
    flip_byte_in_member(m, "/data/0")
    with pytest.raises(CorruptFile, match=rf"{m}: checksum mismatch"):
        load_classifier_spec("cnn", {"weights": str(m), **CNN_SPEC})
    # torch alone would have loaded it: the checksum is what catches it
    assert "state_dict" in torch.load(m, weights_only=False)


def test_a_model_without_its_checksum_is_refused_by_name(tmp_path):
    m = cnn_model(tmp_path / "model.pt")
    checksum_path(m).unlink()
    with pytest.raises(CorruptFile, match=r"model.pt: no checksum file model.pt.sha256"):
        load_checkpoint(m)


def test_only_a_placeholder_counts_as_missing(tmp_path):
    w, side = tmp_path / "weights.npz", tmp_path / "weights.npz.sha256"
    write_missing_outputs([w, side], PLACEHOLDER)
    assert is_placeholder(w) and is_placeholder(side)
    clf, info = load_classifier_spec("q3", {"weights": str(w), **Q3_SPEC})
    assert clf is None and info["status"] == "missing" and "nist36" in info["reason"]
    # text that merely is not a zip is not a placeholder
    w.write_text("missing: dataset unavailable: nist36\n")
    assert not is_placeholder(w)
    with pytest.raises(CorruptFile, match="weights.npz"):
        load_classifier_spec("q3", {"weights": str(w), **Q3_SPEC})


def test_copied_model_keeps_a_valid_checksum_and_a_bad_source_is_not_copied(tmp_path):
    w = q3_weights(tmp_path / "a" / "weights.npz")
    copy_model_file(w, tmp_path / "b" / "weights.npz")
    assert load_model_npz(tmp_path / "b" / "weights.npz").keys() == load_model_npz(w).keys()
    truncate(w)
    with pytest.raises(CorruptFile, match="checksum mismatch"):
        copy_model_file(w, tmp_path / "c" / "weights.npz")
    assert not (tmp_path / "c" / "weights.npz").exists()


# ------------------------------------------------------------------ JSON results and prepared data
def test_empty_metrics_name_the_file_and_the_missing_keys(tmp_path):
    f = tmp_path / "metrics.json"
    f.write_text("{}")
    with pytest.raises(CorruptFile, match=r"metrics.json: key\(s\) 'final', 'history' missing"):
        read_result(f, ("final", "history"))
    f.write_text("[1, 2]")
    with pytest.raises(CorruptFile, match="metrics.json: expected a JSON object"):
        read_result(f)
    f.write_text('{"final": ')
    with pytest.raises(CorruptFile, match="metrics.json: not valid JSON"):
        read_result(f)
    f.write_text(json.dumps(PLACEHOLDER))
    assert read_result(f, ("final",))["status"] == "missing"


def test_summaries_do_not_take_an_empty_metrics_file_for_missing_data(tmp_path):
    from nnrec.torch_models.flowers import compare_flowers
    from nnrec.torch_models.scenes import compare_scenes

    empty, placeholder = tmp_path / "empty.json", tmp_path / "missing.json"
    empty.write_text("{}")
    placeholder.write_text(json.dumps(PLACEHOLDER))
    with pytest.raises(CorruptFile, match="empty.json"):
        compare_scenes(placeholder, empty, {})
    with pytest.raises(CorruptFile, match="empty.json"):
        compare_flowers({"x": empty}, placeholder)
    compare, _ = compare_scenes(placeholder, placeholder, {})
    assert compare["missing"] == ["bow", "cnn"]


def test_a_truncated_prepared_split_names_its_path(tmp_path):
    from nnrec.data import load_nist36

    save_npz(tmp_path / "train.npz", x=np.zeros((4, 1024), np.float32), y=np.zeros(4, np.int64))
    truncate(tmp_path / "train.npz")
    with pytest.raises(CorruptFile, match=rf"{tmp_path / 'train.npz'}: not a readable npz file"):
        load_nist36(tmp_path, "train")
    save_npz(tmp_path / "valid.npz", x=np.zeros((4, 1024), np.float32))
    with pytest.raises(CorruptFile, match=r"valid.npz: array\(s\) \['y'\] missing"):
        load_nist36(tmp_path, "valid")


def test_a_damaged_provenance_file_is_an_error_not_an_unavailable_dataset(tmp_path):
    prov = tmp_path / "provenance.json"
    prov.write_text("{}")
    with pytest.raises(CorruptFile, match="provenance.json: not a provenance file"):
        missing_record([prov])
    prov.write_text(json.dumps({"dataset": "sun", "available": False}))
    assert missing_record([prov])["reason"] == "dataset unavailable: sun"


# ------------------------------------------------------------------ the same state, the same bytes
def test_two_saves_of_the_same_torch_state_give_the_same_bytes(tmp_path):
    torch.manual_seed(0)
    model = NistCNN(widths=(4, 8), hidden=16)
    save_checkpoint(tmp_path / "one" / "model.pt", model, arch="cnn", epoch=3)
    save_checkpoint(tmp_path / "two" / "model.pt", model, arch="cnn", epoch=3)  # another random temporary name
    a, b = (tmp_path / d / "model.pt" for d in ("one", "two"))
    assert a.read_bytes() == b.read_bytes()
    assert all(n.startswith("archive/") for n in zipfile.ZipFile(a).namelist())
    assert checksum_path(a).read_text() == checksum_path(b).read_text()


def test_two_saves_of_the_same_weights_give_the_same_bytes(tmp_path, monkeypatch):
    arrays = {"W": np.arange(12, dtype=np.float32).reshape(3, 4), "b": np.ones(4, np.float32)}
    save_model_npz(tmp_path / "one.npz", **arrays)
    later = time.time() + 86400.0
    monkeypatch.setattr(time, "time", lambda: later)  # a day later: zip entries must not carry the time
    save_model_npz(tmp_path / "two.npz", **arrays)
    assert (tmp_path / "one.npz").read_bytes() == (tmp_path / "two.npz").read_bytes()
