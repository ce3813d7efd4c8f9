"""Computed checks behind the theory answers (Q1.1-Q1.6, Q2.1.1, Q2.1.3).

Each ``check_*`` function takes its sizes/seed from the ``theory:`` config section and returns a
JSON-ready dict with the measured numbers, the tolerance it is judged against and ``passed``.
The network pieces (softmax, sigmoid, layer forward/backward, Xavier init, the MLP) are the ones
of :mod:`nnrec.numpy_nn`, so the checks also exercise the code that the later questions use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnrec.numpy_nn import (Network, backwards, forward, init_mlp, layer_names, sigmoid, sigmoid_deriv, softmax,
                            tanh, tanh_deriv, train_epoch)
from nnrec.numpy_nn.gradcheck import numerical_gradients, relative_error


def naive_softmax(x: np.ndarray) -> np.ndarray:
    """exp(x) / sum exp(x) without the max shift (overflows for large inputs; for the comparison only)."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(x)
        return e / e.sum(axis=-1, keepdims=True)


def textbook_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) evaluated piecewise so it never overflows (independent of numpy_nn.sigmoid,
    which is itself written through tanh and would make the tanh identity check circular)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


# --------------------------------------------------------------------------- Q1.1 / Q1.2
def check_softmax_stability(cfg: dict, rng: np.random.Generator) -> dict[str, Any]:
    """Naive vs stable softmax on inputs of growing magnitude (Q1.1: why c = -max x)."""
    rows = []
    for scale in cfg["softmax_scales"]:
        x = scale * rng.standard_normal((cfg["softmax_samples"], cfg["softmax_dim"]))
        naive = naive_softmax(x)
        stable = softmax(x)
        with np.errstate(over="ignore"):
            num_naive_max = float(np.max(np.exp(x)))
        rows.append({
            "scale": float(scale),
            "max_input": float(np.max(x)),
            # e^{max x}: overflows to inf once max x > ~709.8 (stored as null: JSON has no inf)
            "naive_numerator_max": num_naive_max if np.isfinite(num_naive_max) else None,
            "naive_numerator_overflow": bool(not np.isfinite(num_naive_max)),
            "stable_numerator_max": float(np.max(np.exp(x - x.max(axis=1, keepdims=True)))),  # always 1
            "naive_nonfinite_fraction": float(np.mean(~np.isfinite(naive))),
            "stable_nonfinite_fraction": float(np.mean(~np.isfinite(stable))),
            "max_abs_diff_where_naive_finite": (
                float(np.max(np.abs(naive - stable)[np.isfinite(naive).all(axis=1)]))
                if np.isfinite(naive).all(axis=1).any() else None),
        })
    largest = rows[-1]
    passed = all(r["stable_nonfinite_fraction"] == 0 for r in rows) and largest["naive_nonfinite_fraction"] > 0
    return {"rows": rows, "float64_exp_overflow_at": float(np.log(np.finfo(np.float64).max)),
            "passed": bool(passed)}


def check_softmax_shift(cfg: dict, rng: np.random.Generator) -> dict[str, Any]:
    """softmax(x) == softmax(x + c): with the naive formula (moderate c, where it does not
    overflow) and with the stable one (any c), to machine precision."""
    x = rng.standard_normal((cfg["softmax_samples"], cfg["softmax_dim"]))
    base = naive_softmax(x)
    rows = []
    for c in cfg["shifts"]:
        shifted = naive_softmax(x + c)
        naive_ok = bool(np.isfinite(shifted).all())
        rows.append({
            "c": float(c),
            "naive_max_abs_diff": float(np.max(np.abs(shifted - base))) if naive_ok else None,
            "stable_max_abs_diff": float(np.max(np.abs(softmax(x + c) - base))),
        })
    worst = max(r["stable_max_abs_diff"] for r in rows)
    worst_naive = max((r["naive_max_abs_diff"] for r in rows if r["naive_max_abs_diff"] is not None), default=0.0)
    tol = cfg["shift_tolerance"]
    # x + c rounds x to the spacing of c, so the tolerance scales with the largest |c|
    return {"rows": rows, "max_abs_diff": worst, "naive_max_abs_diff": worst_naive,
            "machine_epsilon": float(np.finfo(np.float64).eps),
            "tolerance": tol, "passed": bool(worst <= tol and worst_naive <= tol)}


def check_softmax_properties(cfg: dict, rng: np.random.Generator) -> dict[str, Any]:
    """Q1.2: every element in (0, 1), elements sum to 1, order preserved (a probability distribution)."""
    x = cfg["softmax_scales"][0] * rng.standard_normal((cfg["softmax_samples"], cfg["softmax_dim"]))
    p = softmax(x)
    same_order = bool(np.all(np.argsort(x, axis=1, kind="stable") == np.argsort(p, axis=1, kind="stable")))
    sum_err = float(np.max(np.abs(p.sum(axis=1) - 1.0)))
    return {"min_element": float(p.min()), "max_element": float(p.max()), "max_abs_sum_minus_one": sum_err,
            "order_preserved": same_order,
            "passed": bool(p.min() > 0 and p.max() < 1 and sum_err < 1e-12 and same_order)}


# --------------------------------------------------------------------------- Q1.3
def check_linear_collapse(cfg: dict, rng: np.random.Generator) -> dict[str, Any]:
    """A stack of linear layers (no non-linearity) equals one affine map x W + b."""
    dims = list(cfg["linear_dims"])
    params = init_mlp(dims, rng)
    names = layer_names(len(dims) - 1)
    for name in names:  # non-zero biases so the bias composition is tested too
        params["b" + name] = rng.standard_normal(params["b" + name].shape)
    x = rng.standard_normal((cfg["linear_samples"], dims[0]))
    h = x
    for name in names:
        h = forward(h, params, name, "linear")
    W = np.eye(dims[0])
    b = np.zeros(dims[0])
    for name in names:  # (x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2)
        W, b = W @ params["W" + name], b @ params["W" + name] + params["b" + name]
    err = float(np.max(np.abs(h - (x @ W + b))))
    scale = float(np.max(np.abs(h)))
    return {"dims": dims, "n_layers": len(names), "collapsed_shape": list(W.shape), "max_abs_diff": err,
            "max_abs_output": scale, "rank_of_product": int(np.linalg.matrix_rank(W)),
            "tolerance": cfg["collapse_tolerance"], "passed": bool(err <= cfg["collapse_tolerance"] * max(scale, 1))}


# --------------------------------------------------------------------------- Q1.4
def check_sigmoid_derivative(cfg: dict) -> dict[str, Any]:
    """sigma'(x) = sigma(x)(1 - sigma(x)) against central differences on a grid."""
    x = np.linspace(-cfg["plot_range"], cfg["plot_range"], cfg["grid_points"])
    h = cfg["fd_eps"]
    fd = (sigmoid(x + h) - sigmoid(x - h)) / (2 * h)
    s = sigmoid(x)
    analytic = sigmoid_deriv(s)
    err = float(np.max(np.abs(fd - analytic)))
    return {"fd_eps": h, "grid_points": int(x.size), "range": [float(x[0]), float(x[-1])], "max_abs_error": err,
            "max_derivative": float(analytic.max()), "argmax_derivative": float(x[np.argmax(analytic)]),
            "tolerance": cfg["fd_tolerance"], "passed": bool(err <= cfg["fd_tolerance"])}


# --------------------------------------------------------------------------- Q1.5
def _affine_loss(W, x, b, t):
    y = W @ x + b
    return 0.5 * float(np.sum((y - t) ** 2))


def check_affine_gradients(cfg: dict, rng: np.random.Generator) -> dict[str, Any]:
    """y = W x + b (column vectors as in Q1.5) with J = 1/2 ||y - t||^2, so delta = dJ/dy = y - t.
    Compare dJ/dW = delta x^T, dJ/dx = W^T delta, dJ/db = delta with central differences; then the
    same for the batched row form used by the code (numpy_nn.backwards: X^T delta, delta W^T, sum)."""
    k, d, n = cfg["affine_k"], cfg["affine_d"], cfg["affine_batch"]
    h = cfg["fd_eps"]
    W = rng.standard_normal((k, d))
    x = rng.standard_normal((d, 1))
    b = rng.standard_normal((k, 1))
    t = rng.standard_normal((k, 1))
    delta = W @ x + b - t
    analytic = {"W": delta @ x.T, "x": W.T @ delta, "b": delta}
    arrays = {"W": W, "x": x, "b": b}
    numeric = numerical_gradients(lambda: _affine_loss(W, x, b, t), arrays, eps=h, names=list(arrays))
    col = {name: float(relative_error(analytic[name], numeric[name]).max()) for name in arrays}
    # batched row form through numpy_nn's layer code: Y = X W' + b', W' = W^T (d x k)
    X = rng.standard_normal((n, d))
    T = rng.standard_normal((n, k))
    params = {"Wl": W.T.copy(), "bl": b[:, 0].copy()}

    def loss_rows():
        return 0.5 * float(np.sum((X @ params["Wl"] + params["bl"] - T) ** 2))

    Y = forward(X, params, "l", "linear")
    dX = backwards(Y - T, params, "l", "linear")
    row_arrays = {"W": params["Wl"], "b": params["bl"], "X": X}
    row_numeric = numerical_gradients(loss_rows, row_arrays, eps=h, names=list(row_arrays))
    row = {"W": float(relative_error(params["grad_Wl"], row_numeric["W"]).max()),
           "b": float(relative_error(params["grad_bl"], row_numeric["b"]).max()),
           "X": float(relative_error(dX, row_numeric["X"]).max())}
    worst = max(*col.values(), *row.values())
    return {"k": k, "d": d, "batch": n, "fd_eps": h, "column_form_max_rel_error": col,
            "row_form_max_rel_error": row, "max_rel_error": worst,
            "shapes_match": bool(all(analytic[nm].shape == arrays[nm].shape for nm in arrays)),
            "tolerance": cfg["gradcheck_tolerance"], "passed": bool(worst <= cfg["gradcheck_tolerance"])}


# --------------------------------------------------------------------------- Q1.6
def activation_curves(cfg: dict) -> dict[str, np.ndarray]:
    x = np.linspace(-cfg["plot_range"], cfg["plot_range"], cfg["grid_points"])
    s, t = sigmoid(x), tanh(x)
    return {"x": x, "sigmoid": s, "sigmoid_deriv": sigmoid_deriv(s), "tanh": t, "tanh_deriv": tanh_deriv(t)}


def check_activation_ranges(cfg: dict) -> dict[str, Any]:
    c = activation_curves(cfg)
    return {"sigmoid_range_on_grid": [float(c["sigmoid"].min()), float(c["sigmoid"].max())],
            "tanh_range_on_grid": [float(c["tanh"].min()), float(c["tanh"].max())],
            "max_sigmoid_deriv": float(c["sigmoid_deriv"].max()), "max_tanh_deriv": float(c["tanh_deriv"].max()),
            "sigmoid_at_0": float(sigmoid(np.array(0.0))), "tanh_at_0": float(tanh(np.array(0.0))),
            "passed": bool(abs(c["sigmoid_deriv"].max() - 0.25) < 1e-3 and abs(c["tanh_deriv"].max() - 1) < 1e-3)}


def check_tanh_identity(cfg: dict) -> dict[str, Any]:
    """tanh(x) = 2 sigma(2x) - 1, with the textbook sigmoid 1/(1+e^-x) and numpy's tanh."""
    x = np.linspace(-cfg["plot_range"] * 3, cfg["plot_range"] * 3, cfg["grid_points"])
    err = float(np.max(np.abs(np.tanh(x) - (2 * textbook_sigmoid(2 * x) - 1))))
    return {"max_abs_error": err, "range": [float(x[0]), float(x[-1])], "tolerance": cfg["identity_tolerance"],
            "passed": bool(err <= cfg["identity_tolerance"])}


def gradient_through_stack(cfg: dict, activation: str, seed: int) -> list[float]:
    """Mean |dJ/dh| at the input of each layer of a ``depth``-layer stack (Xavier init), for a
    unit-variance upstream gradient at the top: index 0 = top layer, index depth - 1 = first layer."""
    rng = np.random.default_rng(seed)  # the same weights and inputs for both activations
    depth, width = cfg["stack_depth"], cfg["stack_width"]
    params = init_mlp([width] * (depth + 1), rng)
    names = layer_names(depth)
    h = rng.standard_normal((cfg["stack_samples"], width))
    for name in names:
        h = forward(h, params, name, activation)
    delta = rng.standard_normal(h.shape)
    norms = []
    for name in reversed(names):
        delta = backwards(delta, params, name, activation)
        norms.append(float(np.mean(np.abs(delta))))
    return norms


def check_vanishing_gradients(cfg: dict, seed: int) -> dict[str, Any]:
    sig = gradient_through_stack(cfg, "sigmoid", seed)
    tnh = gradient_through_stack(cfg, "tanh", seed)
    return {"depth": cfg["stack_depth"], "width": cfg["stack_width"],
            "sigmoid_mean_abs_grad": sig, "tanh_mean_abs_grad": tnh,
            "sigmoid_first_layer": sig[-1], "tanh_first_layer": tnh[-1],
            "sigmoid_decay_per_layer": float((sig[-1] / sig[0]) ** (1 / max(len(sig) - 1, 1))),
            "tanh_decay_per_layer": float((tnh[-1] / tnh[0]) ** (1 / max(len(tnh) - 1, 1))),
            "tanh_over_sigmoid_first_layer": float(tnh[-1] / sig[-1]),
            "passed": bool(tnh[-1] > sig[-1])}


# --------------------------------------------------------------------------- Q2.1.1 / Q2.1.3
def blobs(cfg: dict, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``zero_init_classes`` Gaussian blobs with centres on a circle (radius 3, first two of
    ``zero_init_dim`` dimensions, unit noise): no single projection separates all classes, so a
    network whose hidden units are all identical (one feature) cannot fit it."""
    k, d, n = cfg["zero_init_classes"], cfg["zero_init_dim"], cfg["zero_init_samples"]
    if d < 2:
        raise ValueError(f"theory.zero_init_dim must be at least 2, got {d}")
    angles = 2 * np.pi * np.arange(k) / k
    centres = np.zeros((k, d))
    centres[:, 0], centres[:, 1] = 3.0 * np.cos(angles), 3.0 * np.sin(angles)
    y = np.arange(n) % k
    x = centres[y] + 0.6 * rng.standard_normal((n, d))
    return x, y


def _unit_spread(net: Network) -> float:
    """Largest difference between any two hidden units (their incoming weights, bias and outgoing weights)."""
    W1, b1, W2 = net.params["Wlayer1"], net.params["blayer1"], net.params["Woutput"]
    units = np.concatenate([W1, b1[None, :], W2.T], axis=0)  # one column per hidden unit
    return float(np.max(np.abs(units - units[:, :1])))


def train_zero_vs_random(cfg: dict, seed: int) -> dict[str, Any]:
    """Train the same one-hidden-layer sigmoid MLP from all-zero and from Xavier weights."""
    data_rng = np.random.default_rng(seed)
    x, y = blobs(cfg, data_rng)
    sizes = [x.shape[1], cfg["zero_init_hidden"], cfg["zero_init_classes"]]
    out: dict[str, Any] = {}
    for init in ("zero", "xavier"):
        net = Network.create(sizes, ["sigmoid", "softmax"], np.random.default_rng(seed + 1), reduction="mean")
        if init == "zero":
            for k in list(net.params):
                net.params[k] = np.zeros_like(net.params[k])
        batch_rng = np.random.default_rng(seed + 2)
        accs, spreads = [], []
        for _ in range(cfg["zero_init_epochs"]):
            train_epoch(net, x, y, cfg["zero_init_batch"], cfg["zero_init_lr"], batch_rng)
            accs.append(net.evaluate(x, y)[1])
            spreads.append(_unit_spread(net))
        W1 = net.params["Wlayer1"]
        out[init] = {"train_acc": accs, "unit_spread": spreads, "final_train_acc": accs[-1],
                     "final_unit_spread": spreads[-1],
                     "rank_W1": int(np.linalg.matrix_rank(W1, tol=1e-10 * max(np.abs(W1).max(), 1e-300))) if np.any(W1) else 0,
                     "W1_abs_max": float(np.abs(W1).max())}
    out["n_samples"], out["sizes"] = int(len(x)), sizes
    out["chance_acc"] = 1.0 / cfg["zero_init_classes"]
    out["passed"] = bool(out["zero"]["final_unit_spread"] == 0.0 and out["xavier"]["final_unit_spread"] > 0
                         and out["zero"]["rank_W1"] <= 1)
    return out


def init_scale_profiles(cfg: dict, seed: int) -> dict[str, Any]:
    """Q2.1.3: per-layer activation spread (forward) and gradient size (backward) through a deep
    tanh stack, for Xavier init and for fixed-range U(-s, s) inits that ignore the layer size."""
    rng = np.random.default_rng(seed)
    depth, width = cfg["stack_depth"], cfg["stack_width"]
    x = rng.standard_normal((cfg["stack_samples"], width))
    top_delta = rng.standard_normal((cfg["stack_samples"], width))
    names = layer_names(depth)
    schemes = {"xavier": None, **{f"U(-{s:g}, {s:g})": float(s) for s in cfg["fixed_init_scales"]}}
    res: dict[str, Any] = {"schemes": list(schemes), "xavier_bound": float(np.sqrt(6.0 / (2 * width)))}
    for label, scale in schemes.items():
        w_rng = np.random.default_rng(seed + 1)  # the same draws, only rescaled
        params = init_mlp([width] * (depth + 1), w_rng)
        if scale is not None:
            bound = np.sqrt(6.0 / (2 * width))
            for k in list(params):
                if k.startswith("W"):
                    params[k] = params[k] / bound * scale
        h, stds = x, []
        for name in names:
            h = forward(h, params, name, "tanh")
            stds.append(float(h.std()))
        delta, grads = top_delta, []
        for name in reversed(names):
            delta = backwards(delta, params, name, "tanh")
            grads.append(float(np.mean(np.abs(delta))))
        res[label] = {"activation_std": stds, "mean_abs_grad": grads[::-1],  # index 0 = first layer
                      "first_layer_grad": grads[-1], "last_layer_activation_std": stds[-1]}
    return res


def run_all(cfg: dict) -> dict[str, Any]:
    """All checks; ``cfg`` is the ``theory:`` config section."""
    seed = int(cfg["seed"])
    rng = lambda i: np.random.default_rng([seed, i])  # noqa: E731 - one independent stream per check
    checks = {
        "softmax_stability": check_softmax_stability(cfg, rng(1)),
        "softmax_shift": check_softmax_shift(cfg, rng(2)),
        "softmax_properties": check_softmax_properties(cfg, rng(3)),
        "linear_collapse": check_linear_collapse(cfg, rng(4)),
        "sigmoid_derivative": check_sigmoid_derivative(cfg),
        "affine_gradients": check_affine_gradients(cfg, rng(5)),
        "activation_ranges": check_activation_ranges(cfg),
        "tanh_identity": check_tanh_identity(cfg),
        "vanishing_gradients": check_vanishing_gradients(cfg, seed + 6),
        "zero_init": train_zero_vs_random(cfg, seed + 7),
        "init_scaling": init_scale_profiles(cfg, seed + 8),
    }
    checks["all_passed"] = all_passed(checks)
    return checks


#: entries of :func:`run_all` that are measurements shown in a figure, not checks with a verdict
MEASUREMENTS = ("init_scaling",)


def all_passed(checks: dict[str, Any], measurements: tuple[str, ...] = MEASUREMENTS) -> bool:
    """True when every check passed. Every entry other than a measurement must carry its verdict
    (``passed``, a bool): a check without one raises ValueError naming it, never counts as passed."""
    no_verdict = [k for k, v in checks.items() if isinstance(v, dict) and k not in measurements
                  and not isinstance(v.get("passed"), bool)]
    if no_verdict:
        raise ValueError(f"theory checks without a 'passed' verdict: {', '.join(no_verdict)} "
                         f"(a measurement belongs in nnrec.theory_checks.MEASUREMENTS)")
    return all(v["passed"] for k, v in checks.items() if isinstance(v, dict) and k not in measurements)
