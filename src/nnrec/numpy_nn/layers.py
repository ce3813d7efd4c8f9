"""One fully connected layer: forward y = act(XW + b) and its backward (Q2.2.1, Q2.3.1).

Like the assignment, ``forward`` stores what backward needs in ``params['cache_' + name]``
and ``backwards`` stores the parameter gradients in ``params['grad_W' + name]``/``['grad_b' + name]``.
"""

from __future__ import annotations

import numpy as np

from .activations import get_activation


def _check_finite(arr, what: str, name: str) -> None:
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"layer {name!r}: {what} contains NaN or inf")


def forward(X, params: dict, name: str = "", activation="sigmoid", check: bool = True):
    """Forward pass of layer ``name``: returns ``post_act = act(X @ W + b)`` and caches (X, pre, post).

    ``activation`` is a name ('sigmoid', 'tanh', 'relu', 'linear') or a function.
    ``check`` validates shapes and finiteness, naming the layer in the error.
    """
    try:
        W, b = params["W" + name], params["b" + name]
    except KeyError:
        raise KeyError(f"layer {name!r}: parameters W{name}/b{name} not initialised") from None
    if check:
        if X.ndim != 2:
            raise ValueError(f"layer {name!r}: input must be 2-D (N x D), got shape {X.shape}")
        if X.shape[1] != W.shape[0]:
            raise ValueError(f"layer {name!r}: input has {X.shape[1]} features but W{name} expects {W.shape[0]} "
                             f"(W shape {W.shape})")
        if b.shape != (W.shape[1],):
            raise ValueError(f"layer {name!r}: bias shape {b.shape} does not match W shape {W.shape}")
        _check_finite(X, "input", name)
    act = get_activation(activation)[0] if isinstance(activation, str) else activation
    pre_act = X @ W + b
    post_act = act(pre_act)
    params["cache_" + name] = (X, pre_act, post_act)
    return post_act


def backwards(delta, params: dict, name: str = "", activation_deriv="sigmoid"):
    """Backward pass of layer ``name`` given ``delta`` = dJ/d(post_act).

    Stores ``grad_W`` (same shape as W) and ``grad_b`` (same shape as b) and returns dJ/dX.
    ``activation_deriv`` is a name or a function of the activation's output.
    Pass ``activation_deriv='linear'`` with delta = dJ/d(pre_act) (e.g. softmax + cross-entropy).
    """
    try:
        X, pre_act, post_act = params["cache_" + name]
    except KeyError:
        raise KeyError(f"layer {name!r}: no cached forward pass; call forward first") from None
    if delta.shape != post_act.shape:
        raise ValueError(f"layer {name!r}: gradient shape {delta.shape} != output shape {post_act.shape}")
    W = params["W" + name]
    if isinstance(activation_deriv, str):
        if activation_deriv == "linear":
            d_pre = delta
        else:
            d_pre = delta * get_activation(activation_deriv)[1](post_act)
    else:
        d_pre = delta * activation_deriv(post_act)
    params["grad_W" + name] = X.T @ d_pre
    params["grad_b" + name] = d_pre.sum(axis=0)
    return d_pre @ W.T


__all__ = ["forward", "backwards"]
