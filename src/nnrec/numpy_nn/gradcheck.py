"""Numerical gradient check with central differences (Q2.5)."""

from __future__ import annotations

import numpy as np

from .optim import param_names


def relative_error(a, b, floor: float = 1e-12, scale_floor: float = 1e-2):
    """Elementwise |a - b| / max(|a| + |b|, s), s = max(floor, scale_floor * max|a| over the array).

    So the check passes when every element agrees to 1e-6 relative, or, for elements below 1% of
    the largest one, to 1e-8 of the largest (about the float64 rounding limit of the difference).

    A central difference in float64 has an absolute noise of about 1e-16 |f| / eps; an element
    much smaller than the parameter's largest gradient entry (or exactly 0, e.g. a
    dead ReLU unit) is therefore judged against that scale rather than against itself, otherwise
    pure rounding noise would read as a large relative error.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    s = max(floor, scale_floor * float(np.abs(a).max(initial=0.0)))
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), s)


def numerical_gradients(loss_fn, params: dict, eps: float = 1e-5, names=None) -> dict:
    """(f(w + eps) - f(w - eps)) / 2 eps for every scalar of every parameter (``loss_fn()`` -> float)."""
    grads = {}
    for k in names or param_names(params):
        w = params[k]
        if not w.flags.c_contiguous:  # reshape(-1) below must be a view, or the nudges would be lost
            raise ValueError(f"numerical_gradients: parameter {k!r} is not C-contiguous")
        g = np.zeros_like(w, dtype=np.float64)
        flat, gflat = w.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + eps
            fp = loss_fn()
            flat[i] = orig - eps
            fm = loss_fn()
            flat[i] = orig
            gflat[i] = (fp - fm) / (2 * eps)
        grads[k] = g
    return grads


def check_gradients(net, x, target, eps: float = 1e-5) -> dict:
    """Compare ``net``'s analytic gradients with central differences on (x, target).

    Returns ``{param: {"max_rel_error", "max_abs_error", "shape"}}`` plus ``"max_rel_error"`` overall.
    Use float64 parameters and inputs.
    """
    for k in param_names(net.params):
        if net.params[k].dtype != np.float64:
            raise ValueError(f"gradient check needs float64 parameters; {k} is {net.params[k].dtype}")
    net.loss_and_grads(x, target)
    analytic = {k: net.params["grad_" + k].copy() for k in param_names(net.params)}
    numeric = numerical_gradients(lambda: net.loss_of(net.forward(x, check=False), target), net.params, eps)
    report = {}
    for k in analytic:
        if analytic[k].shape != net.params[k].shape:
            raise AssertionError(f"gradient of {k} has shape {analytic[k].shape}, parameter {net.params[k].shape}")
        rel = relative_error(analytic[k], numeric[k])
        report[k] = {"max_rel_error": float(rel.max()),
                     "max_abs_error": float(np.abs(analytic[k] - numeric[k]).max()),
                     "shape": list(net.params[k].shape)}
    report_all = {"per_parameter": report,
                  "max_rel_error": max(v["max_rel_error"] for v in report.values()),
                  "eps": eps}
    return report_all


class GradientCheckFailed(RuntimeError):
    """Analytic and numerical gradients disagree beyond the tolerance: the run stops (Q2 and Q5)."""


def require_passed(what: str, max_rel_error: float, tol: float) -> None:
    """Stop with :class:`GradientCheckFailed` naming ``what`` unless ``max_rel_error < tol`` (a NaN
    error fails too)."""
    if not float(max_rel_error) < float(tol):
        raise GradientCheckFailed(f"{what}: gradient check failed: worst relative error {max_rel_error:.2e} "
                                  f">= tolerance {tol:.0e}")
