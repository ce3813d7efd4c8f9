"""Q2: the numpy network against theory, central differences and PyTorch autograd."""

import numpy as np
import pytest

from nnrec.numpy_nn import (Network, backwards, batch_indices, check_gradients, compute_loss_and_acc, forward,
                            get_random_batches, init_mlp, initialize_weights, load_classifier, momentum_step,
                            run_rngs, sigmoid, softmax, train_classifier)


def test_xavier_variance_and_zero_bias():
    params = {}
    initialize_weights(400, 200, params, "l", rng=np.random.default_rng(0))
    w = params["Wl"]
    assert w.shape == (400, 200) and params["bl"].shape == (200,) and not params["bl"].any()
    assert abs(w.var() / (2 / 600) - 1) < 0.03
    assert np.abs(w).max() <= np.sqrt(6 / 600)


def test_init_mlp_reproducible_and_shapes():
    a = init_mlp([10, 4, 3], np.random.default_rng(5))
    b = init_mlp([10, 4, 3], np.random.default_rng(5))
    assert list(a) == ["Wlayer1", "blayer1", "Woutput", "boutput"]
    assert a["Wlayer1"].shape == (10, 4) and a["Woutput"].shape == (4, 3)
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_softmax_stable_and_shift_invariant():
    x = np.array([[1e4, 1e4 - 1, -1e4], [1.0, 2.0, 3.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = softmax(x)
    assert np.allclose(p.sum(axis=1), 1)
    assert np.allclose(p[1], softmax(x[1] + 1e4))
    assert np.isclose(p[0, 0] / p[0, 1], np.e)


def test_sigmoid_no_overflow():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = sigmoid(np.array([-1e4, 0.0, 1e4]))
    assert np.allclose(s, [0, 0.5, 1])


def test_forward_validates_naming_layer():
    params = init_mlp([3, 2], np.random.default_rng(0))
    with pytest.raises(ValueError, match="output.*4 features"):
        forward(np.ones((2, 4)), params, "output")
    with pytest.raises(ValueError, match="output.*NaN"):
        forward(np.array([[1.0, np.nan, 0.0]]), params, "output")


def test_backwards_shapes():
    rng = np.random.default_rng(1)
    params = init_mlp([7, 5], rng)
    out = forward(rng.normal(size=(4, 7)), params, "output", "tanh")
    dx = backwards(np.ones_like(out), params, "output", "tanh")
    assert dx.shape == (4, 7)
    assert params["grad_Woutput"].shape == params["Woutput"].shape
    assert params["grad_boutput"].shape == params["boutput"].shape


def test_loss_and_acc_by_hand():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.5, 0.4, 0.1]])
    y = np.array([0, 2, 1])
    loss, acc = compute_loss_and_acc(y, probs, "sum")
    assert np.isclose(loss, -(np.log(0.7) + np.log(0.8) + np.log(0.4)))
    assert np.isclose(acc, 2 / 3)
    loss_m, _ = compute_loss_and_acc(np.eye(3)[y], probs, "mean")
    assert np.isclose(loss_m, loss / 3)


def test_random_batches_cover_everything_once():
    x = np.arange(23)[:, None].astype(float)
    y = np.arange(23)
    batches = get_random_batches(x, y, 5, np.random.default_rng(0))
    assert [len(b[1]) for b in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen) == list(range(23)) and not np.array_equal(seen, np.arange(23))
    assert all(np.array_equal(b[0][:, 0], b[1]) for b in batches)
    again = [i for i in batch_indices(23, 5, np.random.default_rng(0))]
    assert np.array_equal(np.concatenate(again), seen)


def test_momentum_update_rule():
    params = {"Wa": np.array([1.0]), "grad_Wa": np.array([2.0])}
    momentum_step(params, lr=0.1, mu=0.9)
    assert np.allclose(params["m_Wa"], -0.2) and np.allclose(params["Wa"], 0.8)
    momentum_step(params, lr=0.1, mu=0.9)
    assert np.allclose(params["m_Wa"], 0.9 * -0.2 - 0.2) and np.allclose(params["Wa"], 0.8 - 0.38)


@pytest.mark.parametrize("hidden", [("sigmoid", "sigmoid"), ("tanh", "tanh"), ("relu", "relu"),
                                    ("sigmoid", "tanh"), ("relu", "sigmoid")])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_gradcheck_classifier(hidden, reduction):
    rng = np.random.default_rng(3)
    net = Network.create([6, 7, 5, 4], [*hidden, "softmax"], rng, reduction=reduction)
    x, y = rng.normal(size=(8, 6)), rng.integers(0, 4, 8)
    report = check_gradients(net, x, y)
    assert set(report["per_parameter"]) == {"Wlayer1", "blayer1", "Wlayer2", "blayer2", "Woutput", "boutput"}
    assert report["max_rel_error"] < 1e-6, report


def test_gradcheck_autoencoder_shape():
    rng = np.random.default_rng(4)
    net = Network.create([64, 8, 8, 8, 64], ["relu", "relu", "relu", "sigmoid"], rng, loss="sse")
    x = rng.uniform(size=(6, 64))
    report = check_gradients(net, x, x)
    assert report["max_rel_error"] < 1e-6, report


def test_gradcheck_detects_a_wrong_gradient():
    rng = np.random.default_rng(3)
    net = Network.create([4, 3, 2], ["sigmoid", "softmax"], rng)
    x, y = rng.normal(size=(5, 4)), rng.integers(0, 2, 5)
    orig = net.backward

    def broken(out, target):
        orig(out, target)
        net.params["grad_Wlayer1"] *= 1.01

    net.backward = broken
    assert check_gradients(net, x, y)["per_parameter"]["Wlayer1"]["max_rel_error"] > 1e-3


@pytest.mark.parametrize("acts,loss", [(["sigmoid", "tanh", "softmax"], "xent"), (["relu", "relu", "softmax"], "xent"),
                                       (["relu", "relu", "sigmoid"], "sse")])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_matches_torch_autograd(acts, loss, reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    sizes = [9, 6, 5, 9 if loss == "sse" else 4]
    net = Network.create(sizes, acts, rng, loss=loss, reduction=reduction)
    x = rng.normal(size=(7, 9)) if loss == "xent" else rng.uniform(size=(7, 9))
    target = rng.integers(0, 4, 7) if loss == "xent" else x
    lossval = net.loss_and_grads(x, target)
    out = net.forward(x)

    tw = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in net.weights().items()}
    h = torch.tensor(x)
    fns = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
    for name, act in zip(net.names, acts):
        h = h @ tw["W" + name] + tw["b" + name]
        if act != "softmax":
            h = fns[act](h)
    if loss == "xent":
        t_out = torch.softmax(h, dim=1)
        t_loss = torch.nn.functional.cross_entropy(h, torch.tensor(target), reduction=reduction)
    else:
        t_out = h
        t_loss = ((h - torch.tensor(x)) ** 2).sum() / (len(x) if reduction == "mean" else 1)
    t_loss.backward()
    assert np.allclose(out, t_out.detach().numpy(), rtol=0, atol=1e-8)
    assert abs(lossval - t_loss.item()) < 1e-8
    for k, t in tw.items():
        assert np.allclose(net.params["grad_" + k], t.grad.numpy(), rtol=0, atol=1e-8), k


def test_trains_separable_problem_to_100_percent():
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=4, size=(4, 10))
    y = np.repeat(np.arange(4), 30)
    x = centers[y] + rng.normal(scale=0.5, size=(120, 10))
    res = train_classifier({"train": (x, y), "valid": (x[::3], y[::3])}, [16], ["sigmoid"], epochs=30,
                           batch_size=10, lr=0.05, seed=1)
    assert res["history"]["train_acc"][-1] == 1.0
    assert res["history"]["train_loss"][-1] < res["history"]["train_loss"][0]


def test_save_load_classifier_roundtrip(tmp_path):
    rng = np.random.default_rng(2)
    net = Network.create([8, 5, 3], ["sigmoid", "softmax"], rng, dtype=np.float32)
    net.save(tmp_path / "w.npz")
    clf = load_classifier(tmp_path / "w.npz")
    x = rng.uniform(size=(4, 8)).astype(np.float32)
    assert np.allclose(clf(x), net.predict_proba(x))
    assert clf(x).shape == (4, 3)
    with pytest.raises(ValueError, match="expected input"):
        clf(np.ones((2, 7)))
    np.savez(tmp_path / "bad.npz", a=np.ones(2))
    with pytest.raises(ValueError, match="bad.npz"):
        load_classifier(tmp_path / "bad.npz")


def test_run_rngs_independent_streams():
    a_init, a_batch = run_rngs(3)
    b_init, b_batch = run_rngs(3)
    assert np.array_equal(a_init.permutation(10), b_init.permutation(10))
    assert not np.array_equal(run_rngs(3)[0].permutation(50), run_rngs(3)[1].permutation(50))


def test_torch_rebuild_from_same_init_and_batches_matches_one_epoch():
    """The recipe the PyTorch rebuild follows (run_rngs, init_mlp, batch_indices) gives the same weights."""
    torch = pytest.importorskip("torch")
    from nnrec.numpy_nn import train_epoch

    rng = np.random.default_rng(0)
    x, y = rng.uniform(size=(50, 12)), rng.integers(0, 3, 50)
    init_rng, batch_rng = run_rngs(5)
    net = Network.create([12, 6, 3], ["sigmoid", "softmax"], init_rng)
    init = {k: v.copy() for k, v in net.weights().items()}
    train_epoch(net, x, y, batch_size=8, lr=0.05, rng=batch_rng)

    init_rng2, batch_rng2 = run_rngs(5)
    params = init_mlp([12, 6, 3], init_rng2)
    assert all(np.array_equal(params[k], init[k]) for k in init)
    l1, l2 = torch.nn.Linear(12, 6).double(), torch.nn.Linear(6, 3).double()
    with torch.no_grad():
        for lin, name in ((l1, "layer1"), (l2, "output")):
            lin.weight.copy_(torch.from_numpy(params["W" + name].T))
            lin.bias.copy_(torch.from_numpy(params["b" + name]))
    model = torch.nn.Sequential(l1, torch.nn.Sigmoid(), l2)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for idx in batch_indices(len(x), 8, batch_rng2):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(torch.from_numpy(x[idx])), torch.from_numpy(y[idx]),
                                          reduction="sum").backward()
        opt.step()
    assert np.allclose(l1.weight.detach().numpy().T, net.params["Wlayer1"], atol=1e-10)
    assert np.allclose(l2.bias.detach().numpy(), net.params["boutput"], atol=1e-10)
