"""The computed theory checks (Q1, Q2.1.1, Q2.1.3): they pass on the real code and fail on wrong code."""

import numpy as np
import pytest
import yaml
from pathlib import Path

import nnrec.theory_checks as tc

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cfg():
    c = yaml.safe_load((ROOT / "config.yaml").read_text())["theory"]
    c.update(softmax_samples=20, grid_points=101, stack_depth=6, stack_width=16, stack_samples=32,
             zero_init_samples=120, zero_init_epochs=15, linear_samples=5)
    return c


def test_all_checks_pass_on_the_network_code(cfg):
    res = tc.run_all(cfg)
    failed = [k for k, v in res.items() if isinstance(v, dict) and v.get("passed") is False]
    assert failed == []
    assert res["all_passed"] is True


def test_naive_softmax_overflows_where_stable_does_not(cfg):
    res = tc.check_softmax_stability(cfg, np.random.default_rng(0))
    big = res["rows"][-1]
    assert big["max_input"] > res["float64_exp_overflow_at"]
    assert big["naive_nonfinite_fraction"] > 0
    assert all(r["stable_nonfinite_fraction"] == 0 for r in res["rows"])


def test_softmax_check_catches_an_unshifted_softmax(cfg, monkeypatch):
    monkeypatch.setattr(tc, "softmax", tc.naive_softmax)
    assert tc.check_softmax_stability(cfg, np.random.default_rng(0))["passed"] is False


def test_sigmoid_derivative_check_catches_a_wrong_derivative(cfg, monkeypatch):
    monkeypatch.setattr(tc, "sigmoid_deriv", lambda s: s * (1 - s) * 1.001)
    assert tc.check_sigmoid_derivative(cfg)["passed"] is False


def test_affine_gradient_check_catches_a_transposed_formula(cfg, monkeypatch):
    import nnrec.numpy_nn.layers as layers

    real = layers.backwards

    def wrong(delta, params, name="", activation_deriv="sigmoid"):
        out = real(delta, params, name, activation_deriv)
        params["grad_b" + name] = params["grad_b" + name] * 2  # wrong bias gradient
        return out

    monkeypatch.setattr(tc, "backwards", wrong)
    res = tc.check_affine_gradients(cfg, np.random.default_rng(1))
    assert res["passed"] is False and res["row_form_max_rel_error"]["b"] > 0.1


def test_linear_collapse_is_exact_and_rank_bounded(cfg):
    res = tc.check_linear_collapse(dict(cfg, linear_dims=[9, 3, 7, 4]), np.random.default_rng(2))
    assert res["passed"] and res["collapsed_shape"] == [9, 4]
    assert res["rank_of_product"] <= 3  # the narrowest layer bounds the rank


def test_tanh_identity_uses_an_independent_sigmoid():
    x = np.linspace(-30, 30, 1001)
    assert np.max(np.abs(tc.textbook_sigmoid(x) - 1 / (1 + np.exp(-x)))) < 1e-15
    assert np.all(np.isfinite(tc.textbook_sigmoid(np.array([-1e4, 1e4]))))


def test_zero_init_keeps_hidden_units_identical(cfg):
    res = tc.train_zero_vs_random(cfg, seed=3)
    assert res["zero"]["final_unit_spread"] == 0.0
    assert res["zero"]["rank_W1"] == 1
    assert res["xavier"]["final_unit_spread"] > 1e-3
    assert res["xavier"]["final_train_acc"] > res["zero"]["final_train_acc"]


def test_sigmoid_gradient_vanishes_faster_than_tanh(cfg):
    res = tc.check_vanishing_gradients(cfg, seed=4)
    assert res["sigmoid_decay_per_layer"] < 0.5 < res["tanh_decay_per_layer"]
    assert len(res["sigmoid_mean_abs_grad"]) == cfg["stack_depth"]
