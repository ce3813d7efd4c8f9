"""Classifiers on top of bag-of-words histograms."""

from __future__ import annotations

import numpy as np


def histogram_intersection(query: np.ndarray, hists: np.ndarray, chunk: int = 8) -> np.ndarray:
    """Similarity sum(min(q, h)) between each query row and each row of ``hists``: (Q, N)."""
    query = np.atleast_2d(np.asarray(query, dtype=np.float32))
    hists = np.asarray(hists, dtype=np.float32)
    if query.shape[1] != hists.shape[1]:
        raise ValueError(f"histogram lengths differ: {query.shape[1]} vs {hists.shape[1]}")
    out = np.empty((query.shape[0], hists.shape[0]))
    for s in range(0, query.shape[0], chunk):
        q = query[s : s + chunk]
        out[s : s + chunk] = np.minimum(q[:, None, :], hists[None, :, :]).sum(-1)
    return out


def knn_predict(sim: np.ndarray, train_y: np.ndarray, k: int = 1, n_classes: int | None = None) -> np.ndarray:
    """Label of the nearest (k=1) or majority of the k most similar training items (ties: most similar)."""
    train_y = np.asarray(train_y)
    if k <= 1:
        return train_y[sim.argmax(1)]
    n_classes = n_classes or int(train_y.max()) + 1
    top = np.argsort(-sim, axis=1)[:, :k]
    out = np.empty(sim.shape[0], dtype=train_y.dtype)
    for i, row in enumerate(top):
        votes = np.zeros(n_classes)
        for rank, j in enumerate(row):
            votes[train_y[j]] += 1.0 + 1e-3 * (k - rank)  # rank breaks ties
        out[i] = votes.argmax()
    return out


def train_linear(
    x: np.ndarray, y: np.ndarray, n_classes: int, weight_decay: float, seed: int, steps: int = 200
):
    """Multinomial logistic regression (L2-regularised, full-batch L-BFGS) on Hellinger features.

    Returns a function mapping histograms to predicted labels.
    """
    import torch

    torch.manual_seed(seed)

    def feats(h):
        h = np.sqrt(np.maximum(np.asarray(h, dtype=np.float64), 0))
        return torch.as_tensor(h, dtype=torch.float64)

    xt, yt = feats(x), torch.as_tensor(np.asarray(y), dtype=torch.long)
    mu = xt.mean(0, keepdim=True)
    sd = xt.std(0, keepdim=True) + 1e-6
    lin = torch.nn.Linear(xt.shape[1], n_classes).double()
    torch.nn.init.zeros_(lin.weight)
    torch.nn.init.zeros_(lin.bias)
    opt = torch.optim.LBFGS(lin.parameters(), lr=1.0, max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(lin((xt - mu) / sd), yt)
        loss = loss + weight_decay * (lin.weight**2).sum()
        loss.backward()
        return loss

    opt.step(closure)

    def predict(h):
        with torch.no_grad():
            return lin((feats(h) - mu) / sd).argmax(1).numpy()

    return predict


def accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.asarray(pred) == np.asarray(y)))
