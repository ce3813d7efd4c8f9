"""A small MLP built from the layer functions: classifier (softmax + cross-entropy) or
autoencoder (any output activation + squared error)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .activations import softmax
from .init import init_mlp, layer_names
from .layers import backwards, forward
from .losses import (compute_loss_and_acc, softmax_xent_delta, squared_error, squared_error_delta)
from .optim import momentum_step, param_names, sgd_step


@dataclass
class Network:
    """MLP with ``sizes`` [d0, d1, ..., dk] and ``activations`` for each layer (k names).

    ``loss='xent'``: the last activation must be 'softmax' (cross-entropy on integer labels).
    ``loss='sse'``: squared error between output and target (the autoencoder).
    """

    sizes: list
    activations: list
    loss: str = "xent"
    reduction: str = "sum"
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if len(self.activations) != len(self.sizes) - 1:
            raise ValueError(f"{len(self.sizes) - 1} layers but {len(self.activations)} activations")
        if self.loss == "xent" and self.activations[-1] != "softmax":
            raise ValueError("a cross-entropy network needs a 'softmax' output activation")
        if self.loss not in ("xent", "sse"):
            raise ValueError(f"unknown loss {self.loss!r} (xent or sse)")
        # softmax has no element-wise derivative: backward would treat it as linear, a silently wrong gradient
        hidden_softmax = [i + 1 for i, a in enumerate(self.activations[:-1]) if a == "softmax"]
        if hidden_softmax:
            raise ValueError(f"layer(s) {hidden_softmax} of {len(self.activations)}: 'softmax' is only an output "
                             "activation (with cross-entropy); a hidden layer takes sigmoid, tanh, relu or linear")
        if self.loss == "sse" and self.activations[-1] == "softmax":
            raise ValueError("a squared-error network cannot end in 'softmax' (its gradient is only implemented "
                             "combined with cross-entropy)")
        self.names = layer_names(len(self.sizes) - 1)

    @classmethod
    def create(cls, sizes, activations, rng, dtype=np.float64, **kw) -> "Network":
        return cls(list(sizes), list(activations), params=init_mlp(sizes, rng, dtype=dtype), **kw)

    # ------------------------------------------------------------------ forward / backward
    def forward(self, x, check: bool = True):
        h = x
        for name, act in zip(self.names, self.activations):
            h = forward(h, self.params, name, "linear" if act == "softmax" else act, check=check)
        return softmax(h) if self.activations[-1] == "softmax" else h

    def loss_of(self, out, target) -> float:
        if self.loss == "xent":
            return compute_loss_and_acc(target, out, self.reduction)[0]
        return squared_error(target, out, self.reduction)

    def backward(self, out, target) -> None:
        """Gradients of the loss (stored as params['grad_W...']) after a forward pass."""
        if self.loss == "xent":
            delta = softmax_xent_delta(target, out, self.reduction)
        else:
            delta = squared_error_delta(target, out, self.reduction)
        for name, act in zip(reversed(self.names), reversed(self.activations)):
            delta = backwards(delta, self.params, name, "linear" if act == "softmax" else act)

    def loss_and_grads(self, x, target, check: bool = True) -> float:
        out = self.forward(x, check=check)
        self.backward(out, target)
        return self.loss_of(out, target)

    def step(self, lr: float, momentum: float = 0.0) -> None:
        if momentum:
            momentum_step(self.params, lr, momentum)
        else:
            sgd_step(self.params, lr)

    # ------------------------------------------------------------------ evaluation
    def predict_proba(self, x, batch: int = 4096):
        outs = [self.forward(x[i:i + batch], check=False) for i in range(0, len(x), batch)]
        return np.concatenate(outs) if outs else np.zeros((0, self.sizes[-1]))

    def evaluate(self, x, y) -> tuple[float, float]:
        """(loss averaged over examples, accuracy) for a classifier."""
        probs = self.predict_proba(x)
        loss, acc = compute_loss_and_acc(y, probs, "mean")
        return loss, acc

    def weights(self) -> dict:
        return {k: self.params[k] for k in param_names(self.params)}

    # ------------------------------------------------------------------ save / load
    def save(self, path) -> None:
        """Write the network to ``path`` (npz) with a ``.sha256`` sidecar that :meth:`load` checks."""
        from nnrec.common import save_model_npz

        save_model_npz(path, sizes=np.asarray(self.sizes), activations=np.asarray(self.activations),
                       loss=np.asarray(self.loss), reduction=np.asarray(self.reduction), **self.weights())

    @classmethod
    def load(cls, path) -> "Network":
        """A network written by :meth:`save`; its checksum is verified first, and a damaged or foreign
        file raises naming it."""
        from nnrec.common import CorruptFile, load_model_npz

        path = Path(path)
        z = load_model_npz(path)
        need = {"sizes", "activations", "loss", "reduction"}
        if not need <= set(z):
            raise CorruptFile(f"{path}: missing keys {sorted(need - set(z))} (not a numpy_nn weights file)")
        net = cls([int(s) for s in z["sizes"]], [str(a) for a in z["activations"]],
                  loss=str(z["loss"]), reduction=str(z["reduction"]))
        for name, n_in, n_out in zip(net.names, net.sizes[:-1], net.sizes[1:]):
            for k, shape in (("W" + name, (n_in, n_out)), ("b" + name, (n_out,))):
                if k not in z or z[k].shape != shape:
                    raise CorruptFile(f"{path}: parameter {k} missing or not of shape {shape}")
                net.params[k] = z[k].copy()
        return net


def load_classifier(path):
    """Load trained Q3 weights; return ``f(x (N, 1024) float, NIST .mat layout) -> probs (N, 36)``."""
    net = Network.load(path)
    if net.loss != "xent":
        raise ValueError(f"{path}: not a classifier (loss={net.loss!r})")
    d_in = net.sizes[0]

    def classify(x):
        x = np.asarray(x, dtype=net.params["Woutput"].dtype)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != d_in:
            raise ValueError(f"classifier from {path}: expected input (N, {d_in}), got {x.shape}")
        return net.predict_proba(x)

    classify.network = net
    return classify
