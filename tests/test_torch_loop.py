"""The shared PyTorch training loop: learns a tiny problem, is reproducible, schedules behave."""

import math

import numpy as np
import pytest
import torch
from torch import nn

torch.set_num_threads(1)  # tiny problems: threads only add overhead (and the test machine is shared)

from nnrec.torch_models.loop import (TensorBatches, evaluate, fit, load_checkpoint, make_loss,
                                     make_optimizer, make_scheduler, pick_device, seed_torch,
                                     seeded_loader)


def _blobs(n=240, d=8, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(k, d, generator=g) * 3
    y = torch.arange(n) % k
    x = centres[y] + torch.randn(n, d, generator=g)
    return x, y


def _run(seed, tmp_path=None, epochs=4, restore_best=False):
    x, y = _blobs()
    seed_torch(seed)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 3))
    train = TensorBatches(x[:180], y[:180], batch_size=20, shuffle=True, seed=seed)
    valid = TensorBatches(x[180:], y[180:], batch_size=64)
    opt = make_optimizer(model, {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True})
    sched = make_scheduler(opt, {"name": "onecycle", "pct_start": 0.3}, epochs=epochs, steps_per_epoch=len(train))
    ck = None if tmp_path is None else tmp_path / "model.pt"
    hist = fit(model, train, valid, epochs=epochs, optimizer=opt, scheduler=sched, loss_fn=make_loss({}),
               device=pick_device(0), checkpoint_path=ck, seed=seed, checkpoint_extra={"arch": "mlp"},
               restore_best=restore_best)
    return model, hist, valid


def _same_weights(model, ck) -> bool:
    return all(torch.equal(v, ck["state_dict"][k].to(v.dtype)) for k, v in model.state_dict().items())


@pytest.mark.parametrize("restore_best", [True, False])
def test_fit_reduces_loss_and_checkpoints_the_weights_it_returns(tmp_path, restore_best):
    """The checkpoint holds the returned model: the best validation epoch's weights with
    restore_best, the last epoch's without (the Q6.1.1 mirror run reports its last epoch)."""
    model, hist, valid = _run(1, tmp_path, epochs=6, restore_best=restore_best)
    assert hist["train_loss"][-1] < 0.5 * hist["train_loss"][0]
    assert hist["valid_acc"][-1] > 0.9
    assert len(hist["epoch"]) == 6 and 1 <= hist["best_epoch"] < 6  # so the two modes differ
    ck = load_checkpoint(tmp_path / "model.pt")
    kept = hist["best_epoch"] if restore_best else 6
    assert ck["arch"] == "mlp" and ck["epoch"] == kept
    assert ck["valid_acc"] == pytest.approx(hist["valid_acc"][kept - 1])
    assert _same_weights(model, ck)
    loss, acc, preds = evaluate(model, valid, torch.device("cpu"))
    assert preds.shape == (60,) and 0 <= acc <= 1 and math.isfinite(loss)


def test_fit_is_bit_identical_with_same_seed_and_differs_otherwise():
    _, h1, _ = _run(7)
    _, h2, _ = _run(7)
    _, h3, _ = _run(8)
    for k in ("train_loss", "train_acc", "valid_loss", "valid_acc", "lr"):
        assert h1[k] == h2[k], k
    assert h1["train_loss"] != h3["train_loss"]


def test_tensor_batches_shuffle_depends_on_epoch_and_covers_all():
    x = torch.arange(10).float()[:, None]
    tb = TensorBatches(x, torch.arange(10), batch_size=3, shuffle=True, seed=0)
    assert len(tb) == 4
    tb.set_epoch(1)
    e1 = torch.cat([b for _, b in tb])
    tb.set_epoch(2)
    e2 = torch.cat([b for _, b in tb])
    assert sorted(e1.tolist()) == list(range(10)) and e1.tolist() != e2.tolist()
    tb.set_epoch(1)
    assert torch.cat([b for _, b in tb]).tolist() == e1.tolist()


def test_seeded_loader_reproducible():
    ds = torch.utils.data.TensorDataset(torch.arange(50).float(), torch.arange(50))
    a = [y.tolist() for _, y in seeded_loader(ds, batch_size=8, shuffle=True, seed=3)]
    b = [y.tolist() for _, y in seeded_loader(ds, batch_size=8, shuffle=True, seed=3)]
    c = [y.tolist() for _, y in seeded_loader(ds, batch_size=8, shuffle=True, seed=4)]
    assert a == b and a != c


@pytest.mark.parametrize("name", ["onecycle", "linear", "cosine", "step", "none"])
def test_schedulers_shape(name):
    p = nn.Parameter(torch.zeros(1))
    opt = make_optimizer([p], {"name": "sgd", "lr": 1.0, "momentum": 0.0})
    sch = make_scheduler(opt, {"name": name, "step_size": 2, "warmup_epochs": 1}, epochs=4, steps_per_epoch=5)
    lrs = []
    for _ in range(4):
        for _ in range(5):
            opt.step()
            sch.step_batch()
            lrs.append(opt.param_groups[0]["lr"])
        sch.step_epoch()
    if name == "none":
        assert set(lrs) == {1.0}
    elif name == "step":
        assert lrs[0] == 1.0 and opt.param_groups[0]["lr"] == pytest.approx(0.01)
    else:
        peak = int(np.argmax(lrs))
        assert 0 < peak < len(lrs) - 1 and lrs[-1] < 0.1 * max(lrs)


def test_bad_config_is_rejected():
    p = nn.Parameter(torch.zeros(1))
    with pytest.raises(ValueError, match="optimizer.name"):
        make_optimizer([p], {"name": "rmsprop", "lr": 0.1})
    opt = make_optimizer([p], {"name": "adam", "lr": 0.1})
    with pytest.raises(ValueError, match="scheduler.name"):
        make_scheduler(opt, {"name": "weird"}, epochs=1, steps_per_epoch=1)
    with pytest.raises(ValueError, match="gpus_requested"):
        pick_device("tpu")


def test_label_smoothing_changes_loss():
    logits, y = torch.tensor([[4.0, 0.0, 0.0]]), torch.tensor([0])
    assert make_loss({"label_smoothing": 0.2})(logits, y) > make_loss({})(logits, y)


def _conv_bn_net():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                        nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8)), nn.Flatten(),
                        nn.Linear(8 * 8 * 8, 3))
    net.train()
    for _ in range(3):  # running statistics that are not the identity
        net(torch.randn(16, 3, 8, 8) * 2 + 1)
    return net.eval()


def test_fuse_conv_bn_is_the_same_function_with_one_pass_less():
    from nnrec.torch_models.loop import fuse_conv_bn

    net = _conv_bn_net()
    fused = fuse_conv_bn(net)
    assert fused is not net and not fused.training
    assert sum(isinstance(m, nn.BatchNorm2d) for m in fused.modules()) == 0
    assert sum(isinstance(m, nn.BatchNorm2d) for m in net.modules()) == 2  # the model itself is untouched
    x = torch.randn(5, 3, 8, 8)
    with torch.no_grad():
        torch.testing.assert_close(fused(x), net(x), atol=1e-5, rtol=1e-5)
    cl = fuse_conv_bn(_conv_bn_net().to(memory_format=torch.channels_last))
    assert cl[0].weight.is_contiguous(memory_format=torch.channels_last)
    plain = nn.Sequential(nn.Linear(4, 2))
    assert fuse_conv_bn(plain) is plain  # nothing to fold: no copy


def test_evaluate_gives_the_plain_accuracy_from_the_same_pass():
    net = _conv_bn_net()
    x, y = torch.randn(40, 3, 8, 8), torch.arange(40) % 3
    loader = TensorBatches(x, y, batch_size=16)
    cpu = torch.device("cpu")
    loss, acc, pred, plain = evaluate(net, loader, cpu, tta_flip=True, with_plain=True)
    loss2, acc2, pred2 = evaluate(net, loader, cpu, tta_flip=True)
    assert (loss, acc) == (loss2, acc2) and (pred == pred2).all()
    assert plain == evaluate(net, loader, cpu)[1]  # = a pass without the mirror
    fused_loss, fused_acc, _ = evaluate(net, loader, cpu)
    unfused_loss, unfused_acc, _ = evaluate(net, loader, cpu, fuse=False)
    assert fused_acc == unfused_acc and abs(fused_loss - unfused_loss) < 1e-5


def test_train_and_test_in_bfloat16_channels_last_learns_and_is_reproducible():
    from nnrec.torch_models.loop import train_and_test

    g = torch.Generator().manual_seed(0)
    y = torch.arange(90) % 3
    x = torch.randn(90, 3, 8, 8, generator=g) * 0.5
    x[torch.arange(90), y] += 1.5  # the class is the brightest channel
    cfg = {"epochs": 4, "batch_size": 15, "optimizer": {"name": "sgd", "lr": 0.05}, "scheduler": {"name": "none"},
           "autocast": "bfloat16", "channels_last": True, "tta_flip": True}

    def run():
        seed_torch(0)
        net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3))
        return net, train_and_test(net, (x[:60], y[:60]), (x[60:75], y[60:75]), (x[75:], y[75:]), cfg,
                                   device=torch.device("cpu"), seed=0)

    net, r1 = run()
    _, r2 = run()
    assert r1["history"]["train_loss"] == r2["history"]["train_loss"] and r1["test_acc"] == r2["test_acc"]
    assert r1["history"]["train_loss"][-1] < r1["history"]["train_loss"][0] and r1["test_acc"] > 0.8
    assert net[0].weight.is_contiguous(memory_format=torch.channels_last)


def test_choosing_cuda_asks_for_deterministic_kernels(monkeypatch):
    """No GPU needed: pick_device only sets the flags and names the device."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.backends.cudnn, "deterministic", False)
    monkeypatch.setattr(torch.backends.cudnn, "benchmark", True)
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    before = torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()
    try:
        assert pick_device("auto").type == "cuda"
        assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
        assert torch.are_deterministic_algorithms_enabled()
        import os

        assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
    finally:
        torch.use_deterministic_algorithms(before[0], warn_only=before[1])
    assert pick_device("cpu").type == "cpu" and pick_device(0).type == "cpu"
