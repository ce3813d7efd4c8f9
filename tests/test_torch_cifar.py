"""CIFAR-10 pieces: whitening stem, batch augmentations, seeded split, the run on tiny data."""

import numpy as np
import pytest
import torch

torch.set_num_threads(1)  # tiny problems: threads only add overhead (and the test machine is shared)

from nnrec.common import get_logger  # noqa: E402
from nnrec.torch_models.cifar import CifarNet, run_cifar  # noqa: E402
from nnrec.torch_models.data import (images_to_tensor, make_augment, random_crop, random_flip,  # noqa: E402
                                     stratified_split)


def test_whitening_stem_decorrelates_patches():
    g = torch.Generator().manual_seed(0)
    base = torch.randn(64, 1, 12, 12, generator=g)
    x = torch.cat([base, 0.5 * base + 0.1 * torch.randn(64, 1, 12, 12, generator=g),
                   torch.randn(64, 1, 12, 12, generator=g)], 1)  # correlated channels
    net = CifarNet(widths=(4, 4, 4), whiten_width=24)
    net.init_whitening(x, eps=0.0)
    with torch.no_grad():
        out = net.whiten(x)[:, :12]  # the first half: projections on the 12 eigenvectors
    z = out.permute(0, 2, 3, 1).reshape(-1, 12).double()
    cov = torch.cov(z.T)
    assert torch.allclose(cov, torch.eye(12, dtype=torch.float64), atol=2e-2)
    assert not net.whiten.weight.requires_grad


def test_random_crop_is_a_shift_and_reproducible():
    x = torch.arange(2 * 3 * 8 * 8, dtype=torch.float32).view(2, 3, 8, 8)
    aug = random_crop(2, "zeros")
    a = aug(x, torch.Generator().manual_seed(1))
    b = aug(x, torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and a.shape == x.shape
    padded = torch.nn.functional.pad(x, (2,) * 4)
    for i in range(2):  # every output is one 8x8 window of the padded image
        hits = [(dy, dx) for dy in range(5) for dx in range(5) if torch.equal(padded[i, :, dy:dy + 8, dx:dx + 8], a[i])]
        assert len(hits) == 1
    assert torch.equal(random_crop(0)(x, torch.Generator()), x)


def test_random_flip_mirrors_about_half():
    x = torch.randn(400, 1, 2, 5)
    out = random_flip(x, torch.Generator().manual_seed(0))
    flipped = torch.tensor([torch.equal(o, xi.flip(-1)) for o, xi in zip(out, x)])
    same = torch.tensor([torch.equal(o, xi) for o, xi in zip(out, x)])
    assert bool((flipped | same).all()) and 150 < int(flipped.sum()) < 250
    assert make_augment({}) is None


def test_stratified_split():
    y = np.repeat(np.arange(5), 20)
    tr, va = stratified_split(y, 10, seed=3)
    assert len(va) == 10 and np.bincount(y[va]).tolist() == [2] * 5
    assert len(np.intersect1d(tr, va)) == 0 and len(tr) + len(va) == 100
    assert np.array_equal(va, stratified_split(y, 10, seed=3)[1])
    assert not np.array_equal(va, stratified_split(y, 10, seed=4)[1])
    with pytest.raises(ValueError, match="n_valid"):
        stratified_split(y, 100, seed=0)


def test_images_to_tensor_layout_and_errors():
    x = np.zeros((2, 4, 4, 3), np.uint8)
    x[0, 1, 2, 0] = 255
    t = images_to_tensor(x)
    assert t.shape == (2, 3, 4, 4) and t[0, 0, 1, 2] == 1.0 and t.sum() == 1.0
    with pytest.raises(ValueError, match="expected"):
        images_to_tensor(np.zeros((2, 3, 4, 4), np.uint8))


def test_run_cifar_tiny_learns_and_is_reproducible(tmp_path):
    rng = np.random.default_rng(0)
    y = np.arange(300) % 3
    colours = np.array([[230, 30, 30], [30, 230, 30], [30, 30, 230]], np.uint8)
    x = np.clip(colours[y][:, None, None, :] + rng.normal(0, 40, (300, 32, 32, 3)), 0, 255).astype(np.uint8)
    cfg = {"epochs": 3, "n_valid": 30, "batch_size": 30, "eval_batch_size": 100, "whiten_samples": 100,
           "label_smoothing": 0.1, "tta_flip": True, "channels_last": True, "autocast": "float32",
           "augment": {"flip": True, "crop_pad": 2}, "model": {"widths": [4, 8, 8], "whiten_width": 6},
           "optimizer": {"name": "sgd", "lr": 0.4, "momentum": 0.85, "nesterov": True, "bias_lr_factor": 4},
           "scheduler": {"name": "linear", "warmup_frac": 0.2, "start_factor": 0.2, "end_factor": 0.1}}
    log = get_logger("test_torch_cifar")
    r1 = run_cifar(cfg, x[:240], y[:240], x[240:], y[240:], device=torch.device("cpu"), logger=log,
                   checkpoint_path=tmp_path / "model.pt", seed=5)
    r2 = run_cifar(cfg, x[:240], y[:240], x[240:], y[240:], device=torch.device("cpu"), logger=log, seed=5)
    assert r1["test_acc"] > 0.8  # 3 colour classes: chance is 1/3
    assert r1["n_train"] == 210 and r1["n_valid"] == 30 and r1["n_test"] == 60
    assert r1["history"]["train_loss"] == r2["history"]["train_loss"]
    assert (tmp_path / "model.pt").exists()


def test_check_cifar_names_the_file():
    import numpy as np
    import pytest

    from nnrec.torch_models.cifar import check_cifar

    good = {"x": np.zeros((2, 32, 32, 3), np.uint8), "y": np.zeros(2, np.int64)}
    assert check_cifar(good, "train.npz") is good
    with pytest.raises(ValueError, match=r"train.npz: expected x uint8 \(N, 32, 32, 3\), got float32"):
        check_cifar({**good, "x": good["x"].astype(np.float32)}, "train.npz")


def test_activation_knob_builds_relu_or_gelu_and_rejects_others():
    from nnrec.torch_models.cifar import build_cifar_model

    cfg = {"widths": [4, 8, 8], "whiten_width": 6}
    acts = lambda m: {type(x).__name__ for x in m.modules() if isinstance(x, (torch.nn.GELU, torch.nn.ReLU))}  # noqa: E731
    assert acts(build_cifar_model(cfg)) == {"GELU"}  # airbench's, the default
    relu = build_cifar_model({**cfg, "act": "relu"})
    assert acts(relu) == {"ReLU"}
    assert relu(torch.rand(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ValueError, match="act must be one of"):
        build_cifar_model({**cfg, "act": "swish"})
