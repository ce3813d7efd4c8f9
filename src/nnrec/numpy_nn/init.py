"""Weight initialisation (Q2.1.2): Xavier/Glorot uniform, biases zero."""

from __future__ import annotations

import numpy as np


def xavier_bound(in_size: int, out_size: int) -> float:
    """Half-width a of U(-a, a) with Var[w] = a^2 / 3 = 2 / (n_in + n_out) (Glorot & Bengio eq. 16)."""
    return float(np.sqrt(6.0 / (in_size + out_size)))


def initialize_weights(in_size: int, out_size: int, params: dict, name: str = "",
                       rng: np.random.Generator | None = None, dtype=np.float64) -> None:
    """Fill ``params['W' + name]`` (in_size, out_size) with Xavier-uniform values, ``params['b' + name]`` with 0.

    Same call shape as the assignment's ``initialize_weights(in_size, out_size, params, name)``,
    plus an explicit random Generator (required for reproducibility).
    """
    if rng is None:
        raise ValueError("initialize_weights needs an explicit numpy Generator (rng=...) for reproducibility")
    if in_size < 1 or out_size < 1:
        raise ValueError(f"layer {name!r}: sizes must be positive, got {in_size} x {out_size}")
    a = xavier_bound(in_size, out_size)
    params["W" + name] = rng.uniform(-a, a, size=(in_size, out_size)).astype(dtype)
    params["b" + name] = np.zeros(out_size, dtype=dtype)


def layer_names(n_layers: int) -> list[str]:
    """Layer names used throughout: ``layer1 .. layer{k}`` then ``output`` (as in the assignment)."""
    if n_layers < 1:
        raise ValueError("a network needs at least one layer")
    return [f"layer{i + 1}" for i in range(n_layers - 1)] + ["output"]


def init_mlp(sizes: list[int], rng: np.random.Generator, dtype=np.float64) -> dict:
    """Parameters of an MLP with layer sizes ``sizes`` (e.g. [1024, 64, 36]).

    Returns ``{"Wlayer1": (sizes[0], sizes[1]), "blayer1": (sizes[1],), ..., "Woutput", "boutput"}``.
    Draws happen in layer order, W only (biases are zero), so the same Generator state always
    gives the same weights (the PyTorch rebuild relies on this: ``torch W = numpy W.T``).
    """
    params: dict = {}
    for name, n_in, n_out in zip(layer_names(len(sizes) - 1), sizes[:-1], sizes[1:]):
        initialize_weights(int(n_in), int(n_out), params, name, rng=rng, dtype=dtype)
    return params
