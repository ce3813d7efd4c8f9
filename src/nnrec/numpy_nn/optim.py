"""Parameter updates: plain SGD and SGD with momentum (Q2.4, Q5.1.2)."""

from __future__ import annotations


def param_names(params: dict) -> list[str]:
    """The trainable entries of a params dict (W* and b*, not caches, grads or momenta)."""
    return [k for k in params if k[:1] in ("W", "b") and not k.startswith("cache_")]


def sgd_step(params: dict, lr: float) -> None:
    """W = W - lr dJ/dW for every parameter (in place)."""
    for k in param_names(params):
        params[k] -= lr * params["grad_" + k]


def momentum_step(params: dict, lr: float, mu: float = 0.9) -> None:
    """M = mu M - lr dJ/dW; W = W + M, with zero-initialised accumulators ``params['m_' + k]``."""
    for k in param_names(params):
        g = params["grad_" + k]
        m = params.get("m_" + k)
        if m is None:
            m = params["m_" + k] = g * 0
        m *= mu
        m -= lr * g
        params[k] += m
