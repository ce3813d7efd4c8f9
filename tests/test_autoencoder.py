"""Q5: autoencoder gradients, PSNR, PCA baseline, schedule, momentum accumulators, example choice."""

import numpy as np
import pytest

from nnrec import NIST36_CLASSES
from nnrec.numpy_nn import check_gradients, init_momentum, lr_at, make_autoencoder, train_autoencoder
from nnrec.numpy_nn.autoencoder import pca_fit, pca_reconstruct, pick_examples, psnr_per_image


def test_gradcheck_autoencoder_1024_like():
    rng = np.random.default_rng(11)
    ae = make_autoencoder(64, 32, rng, dtype=np.float64)
    x = rng.uniform(size=(4, 64))
    rep = check_gradients(ae, x, x)
    assert len(rep["per_parameter"]) == 8
    assert rep["max_rel_error"] < 1e-6, rep


def test_psnr_matches_hand_computation():
    x = np.zeros((2, 16))
    rec = x.copy()
    rec[0, :4] = 0.5          # MSE = 4 * 0.25 / 16 = 1/16 -> PSNR = 10 log10(16)
    rec[1] = 0.1              # MSE = 0.01 -> 20 dB
    p = psnr_per_image(x, rec)
    assert np.allclose(p, [10 * np.log10(16), 20.0])
    with pytest.raises(ValueError, match="shape"):
        psnr_per_image(x, rec[:, :8])


def test_pca_reconstructs_rank_k_data_exactly():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 32)) @ rng.normal(size=(32, 100)) + rng.normal(size=100)
    mean, comps = pca_fit(x, 32)
    assert comps.shape == (32, 100)
    assert np.allclose(pca_reconstruct(x, mean, comps), x, atol=1e-9)
    mean, comps = pca_fit(x, 8)
    assert not np.allclose(pca_reconstruct(x, mean, comps), x, atol=1e-3)


def test_lr_schedule_is_the_assignments():
    # decays after epochs 20, 40, ...: epochs 1-20 at lr, 21-40 at 0.9 lr
    assert lr_at(1, 3e-5, 0.9, 20) == pytest.approx(3e-5)
    assert lr_at(20, 3e-5, 0.9, 20) == pytest.approx(3e-5)
    assert lr_at(21, 3e-5, 0.9, 20) == pytest.approx(2.7e-5)
    assert lr_at(100, 3e-5, 0.9, 20) == pytest.approx(3e-5 * 0.9**4)


def test_momentum_accumulators_zero_one_per_parameter():
    ae = make_autoencoder(16, 4, np.random.default_rng(0))
    init_momentum(ae.params)
    ms = [k for k in ae.params if k.startswith("m_")]
    assert len(ms) == 8 and all(not ae.params[k].any() for k in ms)
    assert all(ae.params[k].shape == ae.params[k[2:]].shape for k in ms)


def test_training_lowers_the_loss():
    rng = np.random.default_rng(0)
    x = np.clip(rng.uniform(size=(4, 64))[rng.integers(0, 4, 200)] + rng.normal(scale=0.05, size=(200, 64)), 0, 1)
    res = train_autoencoder(x, {"epochs": 15, "lr": 3e-3, "lr_decay": 0.9, "lr_decay_every": 5}, seed=0,
                            batch_size=20, code=8)
    h = res["history"]["train_loss_total"]
    assert h[-1] < 0.5 * h[0]


def test_pick_examples_reproducible():
    y = np.array([0, 1, 0, 2, 0, 1, 1])
    assert pick_examples(y, NIST36_CLASSES, ["A", "B"], 2) == [0, 2, 1, 5]
    with pytest.raises(ValueError, match="only 1"):
        pick_examples(y, NIST36_CLASSES, ["C"], 2)


def test_loss_shape_numbers():
    from nnrec.numpy_nn.autoencoder import loss_shape

    loss = [100.0, 60.0, 40.0, 30.0, 25.0, 22.0, 21.0, 20.5, 20.2, 20.0]  # 10 epochs
    s = loss_shape({"train_loss_total": loss})
    assert s["loss_at_epoch"] == {1: 100.0, 5: 25.0, 10: 20.0}
    assert s["fraction_of_total_drop_by_epoch_10"] == 1.0
    assert s["last_epochs"] == 2 and np.isclose(s["relative_drop_over_last_epochs"], (20.5 - 20.0) / 20.5)
    assert s["monotone"] and s["increases"] == 0
    bumpy = loss_shape({"train_loss_total": [3.0, 2.0, 2.5, 1.0]})
    assert not bumpy["monotone"] and bumpy["increases"] == 1
    with pytest.raises(ValueError, match="empty"):
        loss_shape({"train_loss_total": []})


def test_sharpness_drops_when_an_image_is_blurred_and_shown_measures_are_per_image():
    from scipy.ndimage import gaussian_filter

    from nnrec.numpy_nn.autoencoder import sharpness, shown_measures

    rng = np.random.default_rng(0)
    img = (rng.uniform(size=(32, 32)) > 0.7).astype(float)
    blurred = gaussian_filter(img, 1.5)
    s = sharpness(np.stack([img.ravel(), blurred.ravel(), np.zeros(1024)]))
    assert s[0] > s[1] > 0 and s[2] == 0.0
    x = np.stack([img.ravel(), blurred.ravel(), img.ravel()])
    m = shown_measures(x, {"AE": x * 0.9, "PCA": np.stack([blurred.ravel()] * 3)}, [2, 0], np.array([0, 1, 35]),
                       [chr(65 + i) for i in range(26)] + list("0123456789"))
    assert m["labels"] == ["9", "A"] and len(m["psnr"]["AE"]) == 2
    assert m["sharpness"]["original"][0] == pytest.approx(s[0]) and m["sharpness_mean"]["PCA"] == pytest.approx(s[1])
    assert m["sharpness_mean"]["AE"] > m["sharpness_mean"]["PCA"]
