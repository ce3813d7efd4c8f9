"""Q6.2.1: weights verification, split checks, the replaced classifier, the scratch network."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from nnrec.common import sha256_file
from nnrec.torch_models.flowers import (FineTuneNet, ScratchNet, WeightsError, check_split, load_verified_state_dict,
                                        make_finetune_net, subset_split)
from nnrec.torch_models.loop import make_optimizer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def weights_file(tmp_path):
    torch.manual_seed(0)
    state = torch.nn.Linear(4, 3).state_dict()
    path = tmp_path / "weights.pth"
    torch.save(state, path)
    return path, sha256_file(path), state


def test_weights_loader_accepts_good_file(weights_file):
    path, sha, state = weights_file
    loaded = load_verified_state_dict(path, sha)
    assert set(loaded) == set(state)
    assert torch.equal(loaded["weight"], state["weight"])


def test_weights_loader_rejects_corrupt_file(weights_file):
    path, sha, _ = weights_file
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="checksum mismatch") as err:
        load_verified_state_dict(path, sha)
    assert str(path) in str(err.value)


def test_weights_loader_rejects_missing_and_garbage(tmp_path):
    with pytest.raises(WeightsError, match="not found"):
        load_verified_state_dict(tmp_path / "nope.pth", None)
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"this is not a torch file")
    with pytest.raises(WeightsError, match="not a loadable"):
        load_verified_state_dict(bad, sha256_file(bad))


def test_weights_that_do_not_fit_the_architecture(weights_file):
    path, sha, _ = weights_file
    with pytest.raises(WeightsError, match="does not fit"):
        make_finetune_net("mobilenet_v2", 17, path, sha)


@pytest.mark.parametrize("backbone", ["squeezenet1_1", "mobilenet_v2"])
def test_replaced_classifier_17_outputs_and_only_it_trains_when_frozen(backbone):
    torch.manual_seed(0)
    net = make_finetune_net(backbone, 17)  # random weights: the structure is what matters here
    assert isinstance(net.classifier, torch.nn.Conv2d)
    assert net.classifier.out_channels == 17 and net.classifier.kernel_size == (1, 1)
    net.freeze_backbone(True)
    opt = make_optimizer(net, {"name": "sgd", "lr": 0.1})
    trainable = {id(p) for g in opt.param_groups for p in g["params"]}
    assert trainable == {id(p) for p in net.classifier.parameters()}
    before = {k: v.clone() for k, v in net.state_dict().items()}
    net.eval()  # keep BN statistics fixed: we test the parameters
    x = torch.randn(2, 3, 64, 64)
    out = net(x)
    assert out.shape == (2, 17)
    torch.nn.functional.cross_entropy(out, torch.tensor([0, 16])).backward()
    opt.step()
    after = net.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed == {"classifier.weight", "classifier.bias"}


def test_pooled_head_equals_end_to_end():
    """Training the classifier on cached pooled features is the same model as end to end."""
    torch.manual_seed(0)
    backbone = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU())
    net = FineTuneNet(backbone, 8, 5).eval()
    x = torch.randn(3, 3, 10, 10)
    feats = backbone(x)
    direct = net.classifier(feats).mean((2, 3))  # 1x1 conv on the map, then average pooling
    torch.testing.assert_close(net(x), direct)
    torch.testing.assert_close(net.forward_pooled(net.pooled(x)), direct)


def test_scratch_net_is_3_conv_2_fc():
    net = ScratchNet(17, (8, 16, 32), hidden=20)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    fcs = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    assert len(convs) == 3 and len(fcs) == 2
    assert net(torch.randn(2, 3, 48, 48)).shape == (2, 17)
    with pytest.raises(ValueError, match="exactly 3"):
        ScratchNet(17, (8, 16))


def _split(y, counts, seed=0):
    rng = np.random.default_rng(seed)
    out = {"train": [], "valid": [], "test": []}
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        a, b = counts[0], counts[0] + counts[1]
        out["train"] += idx[:a].tolist()
        out["valid"] += idx[a:b].tolist()
        out["test"] += idx[b:b + counts[2]].tolist()
    return out


def test_check_split_catches_overlap_and_missing_class():
    y = np.repeat(np.arange(3), 8)
    good = _split(y, (4, 2, 2))
    check_split(good, y)
    bad = dict(good, test=good["test"][:-1] + [good["train"][0]])
    with pytest.raises(ValueError, match="overlap"):
        check_split(bad, y)
    no_class = dict(good, valid=[i for i in good["valid"] if y[i] != 2])
    with pytest.raises(ValueError, match="no example of classes"):
        check_split(no_class, y)


def test_subset_split_keeps_classes_and_disjointness():
    y = np.repeat(np.arange(4), 10)
    sp = subset_split(_split(y, (5, 3, 2)), y, 2)
    for k in ("train", "valid", "test"):
        assert np.bincount(y[sp[k]], minlength=4).tolist() == [2, 2, 2, 2]
    check_split(sp, y)


def test_prepared_flowers_split_is_stratified_and_disjoint():
    """The split the workflow uses (when prepared here): disjoint and the same count per class."""
    folder = ROOT / "resources" / "flowers17"
    if not (folder / "split.json").is_file():
        pytest.skip("resources/flowers17 not prepared")
    split = json.loads((folder / "split.json").read_text())
    y = np.arange(1360) // 80  # Flowers 17: class = (n - 1) // 80
    check_split(split, y)
    for k in ("train", "valid", "test"):
        counts = np.bincount(y[split[k]], minlength=17)
        assert counts.min() == counts.max(), k


def test_compare_flowers_rows_headline_and_missing_backbone(tmp_path):
    import json

    from nnrec.torch_models.flowers import compare_flowers

    stage = {"stage": "frozen", "method": "m", "valid_acc": 0.6, "test_acc": 0.55, "epochs": 2, "train_time_s": 3.0,
             "n_params": 100, "n_trainable": 10}
    ft = tmp_path / "ft.json"
    ft.write_text(json.dumps({"backbone": "mobilenet_v2", "weights": "w", "test_acc": 0.55, "rows": [stage],
                              "split_source": "datasplits.mat#1"}))
    gone = tmp_path / "gone.json"
    gone.write_text(json.dumps({"status": "missing", "reason": "dataset unavailable: weights_squeezenet1_1"}))
    sc = tmp_path / "sc.json"
    sc.write_text(json.dumps({"method": "scratch", "valid_acc": 0.4, "test_acc": 0.35, "epochs": 5,
                              "train_time_s": 2.0, "n_params": 50, "n_trainable": 50}))
    compare, head = compare_flowers({"squeezenet1_1": gone, "mobilenet_v2": ft}, sc)
    assert [r["model"] for r in compare["rows"]] == ["mobilenet_v2 (frozen)", "3 conv + 2 FC (scratch)"]
    assert compare["missing_backbones"] == ["squeezenet1_1"] and compare["missing"][0]["file"] == str(gone)
    assert compare["split_source"] == "datasplits.mat#1" and compare["total_train_time_s"] == 5.0
    # the backbone that did not run is named with its reason, never a bare null
    assert head == {"q6_flowers_finetune_test_acc": {
        "squeezenet1_1": {"missing": f"{gone}: dataset unavailable: weights_squeezenet1_1"}, "mobilenet_v2": 0.55},
        "q6_flowers_scratch_test_acc": 0.35}
    sc.write_text(json.dumps({"status": "missing", "reason": "dataset unavailable: flowers17"}))
    _, head = compare_flowers({"mobilenet_v2": ft}, sc)
    assert head["q6_flowers_scratch_test_acc"] == {"missing": f"{sc}: dataset unavailable: flowers17"}
