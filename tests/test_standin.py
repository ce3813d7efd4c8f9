"""Tests of the offline NIST36 stand-in (nnrec.data.standin)."""

import numpy as np
import pytest
import scipy.io

from nnrec.data.glyph import from_nist_layout
from nnrec.data.normalise import load_nist36, read_nist36_mat, write_nist36
from nnrec.data.standin import (ALLOGRAPHS, AUGMENT_DEFAULTS, CLASSES, generate_nist36,
                                generate_split, make_glyph, render_characters, resolve)
from nnrec.data.standin.generate import _sample_rng
from nnrec.data.standin.render import stroke_points

SMALL = {"seed": 11, "counts": {"train": 3, "valid": 2, "test": 1}}


@pytest.fixture(scope="module")
def mats(tmp_path_factory):
    out = tmp_path_factory.mktemp("standin")
    return generate_nist36(SMALL, out)


def test_class_order_is_nist36():
    assert "".join(CLASSES) == "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def test_files_keys_shapes_like_real_nist36(mats):
    assert {p.name for p in mats.values()} == {"nist36_train.mat", "nist36_valid.mat", "nist36_test.mat"}
    for split, n in SMALL["counts"].items():
        m = scipy.io.loadmat(mats[split])
        assert {k for k in m if not k.startswith("__")} == {f"{split}_data", f"{split}_labels"}
        x, onehot = m[f"{split}_data"], m[f"{split}_labels"]
        assert x.shape == (36 * n, 1024) and onehot.shape == (36 * n, 36)
        assert x.dtype == np.float64
        assert np.array_equal(onehot.sum(axis=1), np.ones(36 * n))
        assert set(np.unique(onehot)) == {0.0, 1.0}
        # every class present, n times, in class order
        y = onehot.argmax(axis=1)
        assert np.array_equal(np.bincount(y, minlength=36), np.full(36, n))
        assert np.array_equal(y, np.repeat(np.arange(36), n))
        assert x.min() >= 0.0 and x.max() <= 1.0
        # dark ink on a light background: mostly paper, some full ink
        assert x.mean() > 0.6 and (x < 0.1).mean() > 0.02
        assert np.all(x.reshape(-1, 32, 32)[:, 0, :].mean(axis=1) > 0.9)  # top row is paper


def test_images_are_stored_transposed(mats):
    m = scipy.io.loadmat(mats["train"])
    x = m["train_data"]
    n = SMALL["counts"]["train"]
    c = CLASSES.index("T")
    up = make_glyph("T", _sample_rng(SMALL["seed"], "train", c, 0), resolve(SMALL))
    assert np.allclose(from_nist_layout(x[c * n]), up, atol=1e-6)
    assert not np.allclose(x[c * n].reshape(32, 32), up, atol=0.05)  # the raw row is NOT upright
    # a T has its bar at the top when shown upright
    ink = 1.0 - up
    assert ink[:12].sum() > ink[20:].sum()


def test_same_seed_same_bytes_and_worker_independent(mats, tmp_path):
    again = generate_nist36(SMALL, tmp_path / "a", workers=2)
    for split in mats:
        assert mats[split].read_bytes() == again[split].read_bytes()
    other = generate_nist36({**SMALL, "seed": 12}, tmp_path / "b")
    assert mats["train"].read_bytes() != other["train"].read_bytes()


def test_more_samples_only_append():
    a, _ = generate_split({"seed": 5, "counts": {"valid": 1}}, "valid")
    b, _ = generate_split({"seed": 5, "counts": {"valid": 2}}, "valid")
    assert np.array_equal(a, b[::2])


def test_loader_reads_standin_like_real_files(mats, tmp_path):
    counts = write_nist36(mats, tmp_path)
    assert counts == {s: 36 * n for s, n in SMALL["counts"].items()}
    for split in mats:
        x, y = load_nist36(tmp_path, split)
        xm, ym = read_nist36_mat(mats[split], split)
        assert x.dtype == np.float32 and y.dtype == np.int64 and x.shape[1] == 1024
        assert np.array_equal(x, xm) and np.array_equal(y, ym)


def test_classes_are_distinguishable():
    """A nearest-centroid classifier fitted on a few generated samples must beat chance by far."""
    cfg = {"seed": 3, "counts": {"train": 20, "valid": 5}}
    xt, lt = generate_split(cfg, "train")
    xv, lv = generate_split(cfg, "valid")
    yt, yv = lt.argmax(1), lv.argmax(1)
    cent = np.stack([xt[yt == c].mean(0) for c in range(36)])
    pred = ((xv[:, None, :] - cent[None]) ** 2).sum(-1).argmin(1)
    assert (pred == yv).mean() > 0.4  # chance is 1/36


def test_every_allograph_is_drawn():
    """Every allograph has a positive weight, and 200 draws of a class show each allograph whose
    share of the class's weights is at least 5 % (the realism-weighted flagged 1s are rarer)."""
    aug = dict(AUGMENT_DEFAULTS)
    for ch in CLASSES:
        w = np.array([o[0] for o in ALLOGRAPHS[ch]], dtype=float)
        assert (w > 0).all(), ch
        common = {k for k, share in enumerate(w / w.sum()) if share >= 0.05}
        seen = {stroke_points(ch, np.random.default_rng([7, i]), aug)[1] for i in range(200)}
        assert common <= seen, ch


def test_realism_weights_the_digit_allographs():
    """REALISM gives each digit allograph one share in (0, 1] (what real-trained networks read
    right), and the weights follow it: the flagged 1, read as 7, is drawn far less than the bar."""
    from nnrec.data.standin.skeletons import REALISM

    assert set(REALISM) == set("0123456789")
    for ch, shares in REALISM.items():
        assert len(shares) == len(ALLOGRAPHS[ch]), ch
        assert all(0.0 < s <= 1.0 for s in shares), ch
    # the flagged 1 (read as 7 by real-trained networks) is drawn far less often than the bar
    w1 = [o[0] for o in ALLOGRAPHS["1"]]
    assert w1[1] < 0.05 * w1[0]


def test_render_characters_page_resolution():
    crops = render_characters("H1z", np.random.default_rng(0), None, height_px=90)
    assert len(crops) == 3
    for c in crops:
        rows = np.nonzero((c > 0.5).any(axis=1))[0]
        # about 90 px tall: plus the pen, stroke ends lengthened by up to 0.15 x the height at
        # each end (overshoots), slant, rotation and jitter
        assert 60 <= rows[-1] - rows[0] <= 145
        assert c.min() >= 0 and c.max() <= 1
    with pytest.raises(ValueError, match="NIST36 classes"):
        render_characters("A-", np.random.default_rng(0))


def test_config_errors():
    with pytest.raises(ValueError, match="unknown key"):
        resolve({"sead": 1})
    with pytest.raises(ValueError, match="unknown key"):
        resolve({"augment": {"slant": [0, 1]}})
    with pytest.raises(ValueError, match="split"):
        generate_split(SMALL, "dev")


def test_contact_sheet_rows_are_classes(mats):
    from nnrec.data.standin import contact_sheet

    m = scipy.io.loadmat(mats["train"])
    x, y = m["train_data"], m["train_labels"].argmax(1)
    sheet = contact_sheet(x, y, per_class=4)
    assert sheet.shape == (36 * 34 - 2, 4 * 34 - 2)
    n = SMALL["counts"]["train"]
    c = CLASSES.index("Q")
    assert np.array_equal(sheet[c * 34:c * 34 + 32, 34:66], from_nist_layout(x[c * n + 1]))
    assert np.all(sheet[c * 34:c * 34 + 32, 3 * 34:] == 0.6)  # only 3 samples per class exist


def test_every_allograph_renders_upright_ink():
    """Each allograph of each class, drawn with the configured augmentation, gives a character
    about as tall as asked, and forcing it is deterministic."""
    from nnrec.data.standin import render_ink

    for ch in CLASSES:
        for k in range(len(ALLOGRAPHS[ch])):
            ink = render_ink(ch, np.random.default_rng([3, k]), None, height_px=40, allograph=k)
            rows = np.nonzero((ink > 0.5).any(axis=1))[0]
            assert 25 <= rows[-1] - rows[0] <= 75, (ch, k)
            again = render_ink(ch, np.random.default_rng([3, k]), None, height_px=40, allograph=k)
            assert np.array_equal(ink, again), (ch, k)
    with pytest.raises(ValueError, match="allographs"):
        render_ink("A", np.random.default_rng(0), None, allograph=len(ALLOGRAPHS["A"]))


def test_stroke_variations():
    """bow curves straight strokes, stroke_shift moves strokes apart, retrace adds a stroke."""
    base = dict(AUGMENT_DEFAULTS, jitter=0.0, end_extend=[0.0, 0.0], aspect=[1.0, 1.0], slant_deg=[0.0, 0.0],
                rotate_deg=[0.0, 0.0], elastic_amp=[0.0, 0.0], bow=0.0, stroke_shift=0.0, retrace=0.0)
    k = 0  # H: three straight strokes
    plain, _ = stroke_points("H", np.random.default_rng(1), base, allograph=k)
    stem = plain[0]
    assert np.ptp(stem[:, 0]) < 1e-9  # a vertical line
    bowed, _ = stroke_points("H", np.random.default_rng(1), dict(base, bow=0.2), allograph=k)
    assert np.ptp(bowed[0][:, 0]) > 0.01  # now curved sideways
    assert np.allclose(bowed[0][-1] - bowed[0][0], stem[-1] - stem[0], atol=1e-6)  # same ends
    shifted, _ = stroke_points("H", np.random.default_rng(1), dict(base, stroke_shift=0.05), allograph=k)
    moves = [s[0] - p[0] for s, p in zip(shifted, plain)]
    assert not np.allclose(moves[0], moves[1])  # each stroke moved on its own
    traced, _ = stroke_points("H", np.random.default_rng(1), dict(base, retrace=1.0), allograph=k)
    assert len(traced) == len(plain) + 1
    extra = traced[-1]
    d = np.min(np.linalg.norm(extra[:, None, :] - np.vstack(plain)[None], axis=2), axis=1)
    lo, hi = base["retrace_offset"]
    assert np.all(d <= hi + 1e-6) and np.median(d) >= 0.5 * lo  # beside a stroke, not on it


def _blas_threads(_=None):
    from threadpoolctl import threadpool_info

    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


def test_generator_uses_one_blas_thread_per_process():
    """A glyph's matrix products are tiny: a BLAS pool per worker oversubscribed the cores
    (benchmarks/bench_standin.py: 61 s against 36 s on 2 cores)."""
    from threadpoolctl import threadpool_limits

    from nnrec.data.standin.generate import _one_blas_thread, _pool

    with threadpool_limits(limits=2):
        before = _blas_threads()
        assert before and all(n == 2 for n in before)  # numpy's BLAS is there, at 2 threads
        with _pool(2) as ex:
            assert all(n == [1] * len(before) for n in ex.map(_blas_threads, range(4), chunksize=1))
        with _one_blas_thread():
            assert _blas_threads() == [1] * len(before)
        assert _blas_threads() == before  # the caller's limit comes back
