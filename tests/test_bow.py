"""Bag-of-words (HW1) building blocks on hand-made inputs."""

import numpy as np
import pytest

from nnrec.bow import (BowSettings, filter_responses, histogram_intersection, kmeans, knn_predict,
                       pyramid_weights, run_bow, spatial_pyramid_histogram, visual_words, word_histogram)


def test_pyramid_weights_hw1():
    assert pyramid_weights(1) == [1.0]
    assert pyramid_weights(3) == [0.25, 0.25, 0.5]  # L=2: 2^-2, 2^-2, 2^-1
    assert sum(pyramid_weights(4)) == pytest.approx(1.0)


def test_word_histogram_counts():
    h = word_histogram(np.array([[0, 1], [1, 2]]), 4)
    np.testing.assert_allclose(h, [0.25, 0.5, 0.25, 0.0])


def test_spatial_pyramid_by_hand():
    # 4x4 word map, K = 2: left half word 0, right half word 1, except one 1 in the top-left cell
    wm = np.array([[0, 0, 1, 1], [0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1]])
    h = spatial_pyramid_histogram(wm, k=2, n_layers=2)
    assert h.shape == (2 * 5,)
    w0, w1 = pyramid_weights(2)  # 0.5, 0.5
    expected = [w0 * 7 / 16, w0 * 9 / 16,                      # whole image: seven 0s, nine 1s
                w1 * 3 / 16, w1 * 1 / 16, w1 * 0, w1 * 4 / 16,  # top-left, top-right
                w1 * 4 / 16, w1 * 0, w1 * 0, w1 * 4 / 16]       # bottom-left, bottom-right
    np.testing.assert_allclose(h, expected)
    assert h.sum() == pytest.approx(1.0)


def test_spatial_pyramid_rejects_bad_map():
    with pytest.raises(ValueError, match="2-D"):
        spatial_pyramid_histogram(np.zeros((2, 2, 2), int), 3, 2)


def test_visual_words_nearest_centre():
    dictionary = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    resp = np.array([[[1.0, 1.0], [9.0, 1.0]], [[0.0, 8.0], [6.0, 0.0]]])
    np.testing.assert_array_equal(visual_words(resp, dictionary), [[0, 1], [2, 1]])
    with pytest.raises(ValueError, match="does not match"):
        visual_words(resp, np.zeros((3, 5)))


def test_histogram_intersection_and_nn():
    train = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])
    q = np.array([[0.2, 0.4, 0.4], [0.9, 0.1, 0.0]])
    sim = histogram_intersection(q, train)
    np.testing.assert_allclose(sim, [[0.2, 0.8], [0.9, 0.1]], rtol=1e-6)
    np.testing.assert_array_equal(knn_predict(sim, np.array([3, 5])), [5, 3])


def test_knn_majority():
    sim = np.array([[0.9, 0.8, 0.7, 0.1]])
    assert knn_predict(sim, np.array([0, 1, 1, 0]), k=3, n_classes=2)[0] == 1


def test_kmeans_recovers_blobs():
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [10, 10], [-10, 10]], dtype=float)
    x = np.concatenate([c + rng.normal(0, 0.5, (50, 2)) for c in centres])
    found, labels, _ = kmeans(x, 3, np.random.default_rng(1))
    order = [int(np.argmin(((found - c) ** 2).sum(1))) for c in centres]
    assert sorted(order) == [0, 1, 2]
    np.testing.assert_allclose(found[order], centres, atol=0.5)
    assert len(np.unique(labels[:50])) == 1


def test_filter_bank_shape_and_flat_image():
    img = np.full((20, 24, 3), 128, np.uint8)
    r = filter_responses(img, [1, 2])
    assert r.shape == (20, 24, 2 * 4 * 3)
    # on a flat image only the Gaussian responses are non-zero (derivatives and LoG vanish)
    gauss = np.concatenate([np.arange(0, 3), np.arange(12, 15)])
    others = np.setdiff1d(np.arange(24), gauss)
    assert np.abs(r[..., others]).max() < 1e-3
    assert np.abs(r[..., gauss]).max() > 1


def test_filter_bank_sees_edges():
    img = np.zeros((16, 16, 3), np.uint8)
    img[:, 8:] = 255  # vertical edge: x derivative responds, y derivative does not
    r = filter_responses(img, [1])
    dx, dy = r[..., 6], r[..., 9]  # L channel of dx and dy at scale 1
    assert np.abs(dx[:, 7:9]).max() > 10 * max(np.abs(dy).max(), 1e-6)


def test_run_bow_separates_textures():
    """Smooth vs striped images: the whole pipeline classifies them perfectly."""
    rng = np.random.default_rng(0)

    def make(kind, n):
        out = []
        for _ in range(n):
            base = rng.integers(120, 136)
            img = np.full((24, 24, 3), base, np.float64)
            if kind:
                img[:, ::4] = base + 90
            out.append(np.clip(img + rng.normal(0, 3, img.shape), 0, 255).astype(np.uint8))
        return np.stack(out)

    x = np.concatenate([make(0, 6), make(1, 6)])
    y = np.array([0] * 6 + [1] * 6)
    s = BowSettings(scales=[1, 2], alpha=30, k=6, kmeans_iters=10, layers=2)
    res = run_bow(x[::2], y[::2], x[1::2], y[1::2], s, seed=0)
    assert res["test_acc_nn"] == 1.0
    assert res["train_features"].shape == (6, 6 * 5)
