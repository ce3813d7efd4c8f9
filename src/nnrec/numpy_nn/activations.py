"""Activations and their derivatives (Q2.2.1, Q2.2.2).

Each derivative takes the activation's *output* ``post`` (as the assignment's backward does):
sigmoid' = s (1 - s), tanh' = 1 - t^2, relu' = [post > 0], linear' = 1.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x):
    """Logistic function as 0.5 (1 + tanh(x / 2)): exact identity, never overflows, one transcendental."""
    x = np.asarray(x)
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def sigmoid_deriv(post):
    return post * (1.0 - post)


def tanh(x):
    return np.tanh(x)


def tanh_deriv(post):
    return 1.0 - post * post


def relu(x):
    return np.maximum(x, 0)


def relu_deriv(post):
    return (post > 0).astype(post.dtype)


def linear(x):
    return x


def linear_deriv(post):
    return np.ones_like(post)


def softmax(x):
    """Row-wise softmax with the max-subtraction trick (Q1.1): exact for any shift, never overflows."""
    x = np.asarray(x)
    if x.ndim == 1:
        return softmax(x[None, :])[0]
    z = x - np.max(x, axis=1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=1, keepdims=True)


#: name -> (function, derivative from the output)
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_deriv),
    "tanh": (tanh, tanh_deriv),
    "relu": (relu, relu_deriv),
    "linear": (linear, linear_deriv),
}


def get_activation(name: str):
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}") from None
