"""NIST36 torch models: FC equals the numpy forward pass, numpy-run reproduction, CNN, classifier loader."""

import numpy as np
import pytest
import torch

from nnrec.common import get_logger
from nnrec.numpy_nn.batches import batch_indices, run_rngs
from nnrec.numpy_nn.model import Network
from nnrec.numpy_nn.train import train_classifier
from nnrec.torch_models.loop import save_checkpoint
from nnrec.torch_models.nist36 import (NistCNN, NistFC, load_classifier, numpy_batch_order, run_nist36)

LOG = get_logger("test_torch_nist36")
torch.set_num_threads(1)  # tiny problems: threads only add overhead (and the test machine is shared)


def _toy_splits(n=(180, 60, 36), seed=0, n_classes=36):
    """``n_classes`` well-separated classes of 32x32 'images' in the .mat layout (values in [0, 1])."""
    rng = np.random.default_rng(seed)
    protos = rng.uniform(0, 1, (n_classes, 1024)).astype(np.float32)
    out = {}
    for name, k in zip(("train", "valid", "test"), n):
        y = np.arange(k) % n_classes
        x = np.clip(protos[y] + rng.normal(0, 0.1, (k, 1024)), 0, 1).astype(np.float32)
        out[name] = (x, y.astype(np.int64))
    return out


def test_fc_matches_numpy_forward():
    net = Network.create([1024, 64, 36], ["sigmoid", "softmax"], np.random.default_rng(3), dtype=np.float64)
    fc = NistFC(64).double()
    fc.load_numpy_params(net.weights())
    x = np.random.default_rng(4).uniform(0, 1, (10, 1024))
    probs_np = net.forward(x)
    probs_t = torch.softmax(fc(torch.from_numpy(x)), 1).detach().numpy()
    np.testing.assert_allclose(probs_t, probs_np, rtol=1e-10, atol=1e-12)


def test_fc_rejects_wrong_numpy_shapes():
    with pytest.raises(ValueError, match="Wlayer1"):
        NistFC(32).load_numpy_params({"Wlayer1": np.zeros((1024, 64)), "blayer1": np.zeros(64),
                                      "Woutput": np.zeros((64, 36)), "boutput": np.zeros(36)})


def test_numpy_batch_order_reproduces_numpy_batches():
    order = numpy_batch_order(50, seed=5, epochs=2)
    rng = run_rngs(5)[1]
    for e in (1, 2):
        expect = np.concatenate(batch_indices(50, 8, rng))
        assert order(e, None).tolist() == expect.tolist()


def test_torch_fc_reproduces_numpy_training_run():
    """Same initial weights, same batches, same summed loss and lr: the curves coincide (a
    cross-check of the numpy gradients)."""
    splits = _toy_splits()
    cfg = {"epochs": 3, "batch_size": 16, "model": {"hidden": 64, "activation": "sigmoid"},
           "optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.0}, "eval_train": True, "restore_best": False}
    ref = train_classifier({k: splits[k] for k in ("train", "valid")}, [64], ["sigmoid"], epochs=3, batch_size=16,
                           lr=0.01, seed=11, reduction="sum", dtype=np.float32)
    res = run_nist36("fc", cfg, splits, device=torch.device("cpu"), logger=LOG, seed=11,
                     init_params=ref["init_params"], batch_order=numpy_batch_order(180, 11, 3), loss_reduction="sum")
    h, r = res["history"], ref["history"]
    np.testing.assert_allclose(h["train_eval_loss"], r["train_loss"], rtol=1e-3)
    np.testing.assert_allclose(h["valid_loss"], r["valid_loss"], rtol=1e-3)
    np.testing.assert_allclose(h["valid_acc"], r["valid_acc"], atol=1.5 / 60)
    assert r["train_loss"][-1] < r["train_loss"][0]  # it did learn something


def test_cnn_learns_toy_problem_and_loader_roundtrip(tmp_path):
    splits = _toy_splits(n_classes=4)
    cfg = {"epochs": 4, "batch_size": 20, "model": {"widths": [8, 16], "hidden": 32, "dropout": 0.0},
           "optimizer": {"name": "adam", "lr": 0.003}, "augment": {"translate": 1}}
    res = run_nist36("cnn", cfg, splits, device=torch.device("cpu"), logger=LOG, seed=0,
                     checkpoint_path=tmp_path / "model.pt")
    assert res["final"]["valid_acc"] > 0.8  # 4 classes: chance is 0.25
    clf = load_classifier(tmp_path)
    x = splits["test"][0]
    probs = clf(x)
    assert probs.shape == (len(x), 36) and np.allclose(probs.sum(1), 1)
    with torch.no_grad():
        direct = torch.softmax(res["model"].eval()(torch.from_numpy(x)), 1).numpy()
    np.testing.assert_allclose(probs, direct, atol=1e-5)
    assert clf(x[0]).shape == (1, 36)
    with pytest.raises(ValueError, match="expected input"):
        clf(np.zeros((2, 32, 32)))


def test_cnn_in_bfloat16_channels_last_reports_the_kept_epoch_and_is_reproducible():
    splits = _toy_splits(n_classes=4)
    cfg = {"epochs": 3, "batch_size": 20, "model": {"widths": [8, 16], "hidden": 32, "dropout": 0.0},
           "optimizer": {"name": "adam", "lr": 0.003}, "autocast": "bfloat16", "channels_last": True}
    r1 = run_nist36("cnn", cfg, splits, device=torch.device("cpu"), logger=LOG, seed=0)
    r2 = run_nist36("cnn", cfg, splits, device=torch.device("cpu"), logger=LOG, seed=0)
    assert r1["final"] == r2["final"] and r1["final"]["valid_acc"] > 0.8
    h = r1["history"]
    best = h["best_epoch"] - 1  # the restored weights' validation figures, from the history
    assert (r1["final"]["valid_acc"], r1["final"]["valid_loss"]) == (h["valid_acc"][best], h["valid_loss"][best])
    assert list(r1["final"]) == ["train_loss", "train_acc", "valid_loss", "valid_acc", "test_loss", "test_acc"]


def test_cnn_test_figures_are_those_of_the_saved_classifier(tmp_path):
    # trained under bfloat16 autocast, the kept weights are read on the test split in float32, as
    # load_classifier (the OCR and fidelity steps) runs them: one network, one test accuracy
    splits = _toy_splits(n_classes=4)
    cfg = {"epochs": 2, "batch_size": 20, "model": {"widths": [8, 16], "hidden": 32, "dropout": 0.0},
           "optimizer": {"name": "adam", "lr": 0.003}, "autocast": "bfloat16", "channels_last": True}
    res = run_nist36("cnn", cfg, splits, device=torch.device("cpu"), logger=LOG, seed=0,
                     checkpoint_path=tmp_path / "model.pt")
    x, y = splits["test"]
    probs = load_classifier(tmp_path)(x)
    assert (res["test_preds"] == probs.argmax(1)).all()
    assert res["final"]["test_loss"] == pytest.approx(float(-np.log(probs[np.arange(len(y)), y]).mean()), rel=1e-5)


def test_cnn_sees_upright_images():
    m = NistCNN(widths=[4], hidden=8)
    x = torch.rand(2, 1024)
    up = x.view(-1, 1, 32, 32).transpose(2, 3)
    m.eval()
    assert torch.allclose(m(x), m(up))


def test_load_classifier_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="checkpoint not found"):
        load_classifier(tmp_path)
    save_checkpoint(tmp_path / "model.pt", torch.nn.Linear(1, 1), arch="resnet")
    with pytest.raises(ValueError, match="not a NIST36 checkpoint"):
        load_classifier(tmp_path / "model.pt")


def test_fc_config_mirrors_the_numpy_run_and_names_a_bad_file():
    from nnrec.torch_models.nist36 import fc_config_from_numpy_run

    npm = {"seed": 7, "epochs": 3, "batch_size": 32, "hidden": 64, "activation": "sigmoid",
           "loss_reduction": "sum", "lr": 0.01}
    cfg, seed = fc_config_from_numpy_run(npm, "m.json")
    assert seed == 7 and cfg["optimizer"] == {"name": "sgd", "lr": 0.01, "momentum": 0.0}
    assert cfg["model"] == {"hidden": 64, "activation": "sigmoid"} and cfg["eval_train"] and not cfg["restore_best"]
    with pytest.raises(ValueError, match="m.json: key 'lr' missing"):
        fc_config_from_numpy_run({k: v for k, v in npm.items() if k != "lr"}, "m.json")
    with pytest.raises(ValueError, match="m.json: the numpy run is marked missing"):
        fc_config_from_numpy_run({"status": "missing"}, "m.json")


def test_crosscheck_compares_the_common_epochs():
    from nnrec.torch_models.nist36 import crosscheck

    th = {"epoch": [1, 2, 3], "train_eval_loss": [1.0, 0.5, 0.4], "train_eval_acc": [0.5, 0.6, 0.7],
          "valid_loss": [1.1, 0.6, 0.5], "valid_acc": [0.4, 0.5, 0.6]}
    nh = {"epoch": [1, 2], "train_loss": [1.0, 0.45], "train_acc": [0.5, 0.6], "valid_loss": [1.1, 0.6],
          "valid_acc": [0.4, 0.52]}
    c = crosscheck(th, nh)
    assert c["epochs_compared"] == 2 and c["numpy_final_valid_acc"] == 0.52
    assert np.isclose(c["max_abs_diff_train_loss"], 0.05) and np.isclose(c["max_abs_diff_valid_acc"], 0.02)
    assert c["max_abs_diff_train_acc"] == 0.0


def test_q6_1_summary_rows_and_missing_runs():
    from nnrec.torch_models.nist36 import summarise_q6_1

    run = {"n_params": 10, "history": {"epoch": [1, 2]}, "train_acc": 0.9, "valid_acc": 0.8, "test_acc": 0.7,
           "valid_loss": 0.5, "train_time_s": 1.0, "epoch_time_s_mean": 0.5, "device": "cpu", "data_source": "d"}
    compare, head = summarise_q6_1(run, {**run, "valid_acc": 0.85}, {"test_acc": 0.6})
    assert [r["model"] for r in compare["rows"]] == ["fc", "cnn"] and compare["rows"][0]["epochs"] == 2
    assert head == {"q6_fc_valid_acc": 0.8, "q6_cnn_valid_acc": 0.85, "q6_cifar10_test_acc": 0.6}
    missing = {"status": "missing"}
    compare, head = summarise_q6_1(missing, missing, missing)
    assert compare["status"] == "missing" and set(head.values()) == {None}


def _bar_image(n: int) -> torch.Tensor:
    """n upright 32 x 32 glyphs: a dark vertical bar (rows 4-27, columns 15-16) on white."""
    img = torch.ones(n, 1, 32, 32)
    img[:, :, 4:28, 15:17] = 0.0
    return img


def _ink_column(img: torch.Tensor, row: int) -> float:
    return float((img[0, row] < 0.5).nonzero().flatten().float().mean())


def test_random_affine_identity_shear_direction_and_seeded_draws():
    from nnrec.torch_models.data import random_affine

    x = torch.rand(6, 1, 32, 32)
    assert torch.equal(random_affine(0.0, (1.0, 1.0), 0.0)(x, torch.Generator().manual_seed(0)), x)
    # a positive shear leans an upright bar to the right (its top right of its bottom), a negative
    # one to the left: the draws are uniform in [-30, 30] deg (the third of each image's three)
    sheared = random_affine(0.0, (1.0, 1.0), 30.0)(_bar_image(64), torch.Generator().manual_seed(3))
    angle = (2 * torch.rand(64, 3, generator=torch.Generator().manual_seed(3), dtype=torch.float64)[:, 2] - 1) * 30
    lean = torch.tensor([_ink_column(s, 6) - _ink_column(s, 25) for s in sheared])
    steep = angle.abs() > 10
    assert steep.sum() > 20 and torch.equal(torch.sign(lean[steep]), torch.sign(angle[steep]).float())
    # a zoom below 1 shrinks the bar (24 rows tall), above 1 grows it (its ink cut at the border)
    bar = torch.ones(1, 1, 32, 32)
    bar[:, :, 4:28, 14:18] = 0.0
    rows = lambda im: int(((im[0, 0] < 0.5).sum(1) > 0).sum())  # noqa: E731
    assert rows(bar) == 24
    assert 8 <= rows(random_affine(0.0, (0.5, 0.5), 0.0)(bar, torch.Generator())) <= 13
    assert rows(random_affine(0.0, (1.5, 1.5), 0.0)(bar, torch.Generator())) == 32
    # a rotation turns the bar: its ink leaves column 15-16 at the top and bottom
    turned = random_affine(40.0, (1.0, 1.0), 0.0)(_bar_image(32), torch.Generator().manual_seed(1))
    assert max(abs(_ink_column(t, 6) - _ink_column(t, 25)) for t in turned) > 8
    # the same generator seed, the same draws; the border stays paper
    aug = random_affine(10.0, (0.9, 1.1), 10.0)
    a, b = aug(x, torch.Generator().manual_seed(7)), aug(x, torch.Generator().manual_seed(7))
    assert torch.equal(a, b)
    assert float(aug(_bar_image(8), torch.Generator().manual_seed(2))[:, :, 0].min()) > 0.99
    with pytest.raises(ValueError, match="scale"):
        random_affine(5.0, (1.2, 0.8), 0.0)


def test_nist36_augment_works_on_upright_images_and_keeps_translate_only_runs():
    from nnrec.torch_models.data import random_crop
    from nnrec.torch_models.nist36 import nist36_augment

    assert nist36_augment(None) is None and nist36_augment({"translate": 0}) is None
    rows = torch.rand(10, 1024)
    # translate alone: the same draws and pixels as a random crop of the stored layout
    out = nist36_augment({"translate": 2})(rows, torch.Generator().manual_seed(5))
    ref = random_crop(2, "replicate")(rows.view(-1, 1, 32, 32), torch.Generator().manual_seed(5))
    assert torch.equal(out, ref.reshape(10, -1))
    # the shear acts on the upright image: rows hold the image transposed (the .mat layout)
    bar_rows = _bar_image(64).transpose(2, 3).reshape(64, -1)
    sheared = nist36_augment({"shear_deg": 30.0})(bar_rows, torch.Generator().manual_seed(3))
    upright = sheared.view(-1, 1, 32, 32).transpose(2, 3)
    angle = (2 * torch.rand(64, 3, generator=torch.Generator().manual_seed(3), dtype=torch.float64)[:, 2] - 1) * 30
    lean = torch.tensor([_ink_column(s, 6) - _ink_column(s, 25) for s in upright])
    steep = angle.abs() > 10
    assert torch.equal(torch.sign(lean[steep]), torch.sign(angle[steep]).float())
