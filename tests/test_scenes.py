"""Q6.1.4 helpers: batch augmentation, subsets, the scene CNN trained with the shared loop."""

import numpy as np
import pytest
import torch

from nnrec.torch_models.data import check_image_data, make_natural_augment, random_resized_crop, to_input
from nnrec.torch_models.loop import train_and_test
from nnrec.torch_models.scenes import SceneCNN, first_per_class, subset


def _gen(seed=0):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def test_full_crop_without_flip_is_identity():
    x = torch.randn(4, 3, 16, 16)
    out = random_resized_crop((1.0, 1.0), (1.0, 1.0), flip=False)(x, _gen())
    torch.testing.assert_close(out, x, atol=1e-5, rtol=1e-5)


def test_full_crop_flip_mirrors_some_images():
    x = torch.randn(64, 1, 8, 8)
    out = random_resized_crop((1.0, 1.0), (1.0, 1.0), flip=True)(x, _gen())
    mirrored = [torch.allclose(o, xi.flip(-1), atol=1e-5) for o, xi in zip(out, x)]
    same = [torch.allclose(o, xi, atol=1e-5) for o, xi in zip(out, x)]
    assert all(m or s for m, s in zip(mirrored, same))
    assert 10 < sum(mirrored) < 54


def test_augment_is_seeded():
    aug = make_natural_augment({"crop_scale": [0.3, 1.0], "flip": True, "jitter": 0.3})
    x = torch.rand(5, 3, 20, 20)
    torch.testing.assert_close(aug(x, _gen(3)), aug(x, _gen(3)))
    assert not torch.allclose(aug(x, _gen(3)), aug(x, _gen(4)))
    assert make_natural_augment({}) is None


def test_first_per_class_and_subset():
    y = np.array([2, 0, 0, 1, 2, 0, 1])
    np.testing.assert_array_equal(first_per_class(y, 1), [0, 1, 3])
    np.testing.assert_array_equal(first_per_class(y, 0), np.arange(7))
    d = {"x": np.zeros((7, 4, 4, 3), np.uint8), "y": y, "classes": np.array(["a", "b", "c"]), "files": np.arange(7)}
    s = subset(d, 2)
    assert len(s["y"]) == 6 and len(s["classes"]) == 3
    np.testing.assert_array_equal(s["files"], [0, 1, 2, 3, 4, 6])


def test_check_image_data_names_the_file():
    with pytest.raises(ValueError, match="train.npz"):
        check_image_data({"x": np.zeros((2, 4, 5, 3), np.uint8), "y": np.zeros(2, int)}, "train.npz")
    with pytest.raises(ValueError, match="labels"):
        check_image_data({"x": np.zeros((2, 4, 4, 3), np.uint8), "y": np.zeros(3, int)}, "t.npz")


def test_scene_cnn_learns_colour_classes():
    """A tiny problem (red / green / blue noisy images) is learnt by the CNN with the shared loop."""
    rng = np.random.default_rng(0)
    n = 24
    y = np.arange(n) % 3
    x = rng.integers(0, 80, (n, 16, 16, 3)).astype(np.uint8)
    x[np.arange(n), :, :, y] += 150
    t = to_input(x, 16)
    yt = torch.as_tensor(y)
    torch.manual_seed(0)
    model = SceneCNN(3, widths=(8,), dropout=0.0)
    cfg = {"epochs": 6, "batch_size": 8, "optimizer": {"name": "sgd", "lr": 0.05}, "scheduler": {"name": "none"}}
    res = train_and_test(model, (t, yt), (t[:9], yt[:9]), (t[9:], yt[9:]), cfg, device=torch.device("cpu"), seed=0)
    hist = res["history"]
    assert hist["train_loss"][-1] < hist["train_loss"][0]
    assert res["test_acc"] == 1.0
    assert res["test_pred"].shape == (15,)


def test_compare_scenes_rows_and_missing(tmp_path):
    import json

    from nnrec.torch_models.scenes import compare_scenes

    bow = tmp_path / "bow.json"
    bow.write_text(json.dumps({"test_acc_nn": 0.5, "test_acc_linear": 0.55, "train_time_s": 9.0, "data_source": "s"}))
    cnn = tmp_path / "cnn.json"
    cnn.write_text(json.dumps({"status": "missing"}))
    fr = tmp_path / "fr.json"
    fr.write_text(json.dumps({"method": "frozen", "experiment": "sun_frozen_x", "backbone": "x", "weights": "w",
                              "test_acc": 0.8, "valid_acc": 0.7, "train_time_s": 1.0, "n_trainable": 9, "epochs": 2,
                              "data_source": "s"}))
    compare, head = compare_scenes(bow, cnn, {"x": fr})
    assert [r["key"] for r in compare["rows"]] == ["bow_nn", "bow_linear", "sun_frozen_x"]
    assert compare["missing"] == ["cnn"] and compare["data_source"] == ["s"]
    assert head == {"q6_sun_cnn_test_acc": None, "q6_sun_bow_test_acc": 0.5}
