"""nnrec.data.standin.resample: digits resampled towards real NIST's coarse ink layout."""

import numpy as np
import pytest

from nnrec.data.standin import CLASSES, generate_split, resolve
from nnrec.data.standin.generate import _class_block
from nnrec.data.standin.resample import (GRID, class_model, coarse_features, fit_log_odds, keep_probability,
                                         log_odds)


def test_coarse_features_are_grid_means_of_the_ink_and_their_squares():
    x = np.ones((1, 1024))
    x[0, :512] = 0.0  # the first 16 rows of the stored 32 x 32 array are ink
    f = coarse_features(x, 2)
    assert f.shape == (1, 8)
    assert f[0, :4].tolist() == [1.0, 1.0, 0.0, 0.0] and f[0, 4:].tolist() == [1.0, 1.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="must divide 32"):
        coarse_features(x, 5)
    with pytest.raises(ValueError, match=r"expected glyphs \(N, 1024\)"):
        coarse_features(np.ones((2, 100)))


def test_fit_log_odds_ranks_rows_like_the_real_ones_higher():
    rng = np.random.default_rng(0)
    real, drawn = rng.normal(1.0, 1.0, (400, 3)), rng.normal(-1.0, 1.0, (400, 3))
    model = fit_log_odds(real, drawn)
    assert log_odds(model, np.full((1, 3), 2.0))[0] > 3 > -3 > log_odds(model, np.full((1, 3), -2.0))[0]
    assert ((log_odds(model, real) > 0).mean() + (log_odds(model, drawn) < 0).mean()) / 2 > 0.9
    assert fit_log_odds(real, drawn) == model  # deterministic
    with pytest.raises(ValueError, match="needs rows of both kinds"):
        fit_log_odds(real, drawn[:0])


def test_keep_probability_keeps_the_real_looking_half_always():
    p = keep_probability(np.array([-3.0, -1.0, 0.0, 5.0]), -1.0)
    assert p.tolist() == pytest.approx([np.exp(-2.0), 1.0, 1.0, 1.0])


def test_the_table_covers_the_ten_digits_only():
    for ch in CLASSES:
        m = class_model(ch)
        if not ch.isdigit():
            assert m is None
            continue
        assert m["grid"] == GRID
        assert len(m["mu"]) == len(m["sd"]) == len(m["w"]) == 2 * GRID * GRID
        assert np.isfinite(m["b"]) and np.isfinite(m["z0"]) and min(m["sd"]) > 0


def test_resampling_changes_only_the_digits_and_stays_deterministic():
    cfg = {"seed": 7, "counts": {"valid": 6}}
    plain, labels = generate_split({**cfg, "resample": False}, "valid")
    res = generate_split({**cfg, "resample": True}, "valid")[0]
    assert np.array_equal(res, generate_split({**cfg, "resample": True}, "valid", workers=2)[0])
    y = labels.argmax(1)
    digit = np.isin(y, [CLASSES.index(str(d)) for d in range(10)])
    assert np.array_equal(res[~digit], plain[~digit])  # letters: candidate i is sample i
    changed = [c for c in range(26, 36) if not np.array_equal(res[y == c], plain[y == c])]
    assert len(changed) >= 8  # some digits were dropped, the next candidates taken


def test_resampled_digits_look_more_real_by_the_table():
    cfg = resolve({"seed": 8})
    for ch in "258":
        c, m = CLASSES.index(ch), class_model(ch)
        z_plain, z_res = (log_odds(m, coarse_features(_class_block((dict(cfg, resample=r), "train", c, 40)), m["grid"]))
                          for r in (False, True))
        assert np.median(z_res) > np.median(z_plain)
