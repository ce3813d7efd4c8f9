"""Resampling the stand-in's digits towards real NIST's coarse ink layout (issue 15).

For every digit a logistic regression (:func:`fit_log_odds`) tells real NIST glyphs (the EMNIST
substitute's TRAIN split) from the stand-in's own, on :func:`coarse_features` (the ink's mean in a
coarse grid, and its squares). With ``standin.resample`` on, the generator keeps each drawn digit
with probability :func:`keep_probability`, min(1, exp(z - z0)): z is the digit's log-odds of being
real, z0 the median over the stand-in's own digits of the class. This is importance resampling: the
kept digits' coarse layout comes nearer the real one, and no classifier of digits takes part. The
fitted numbers live in :mod:`.resample_table`, which ``benchmarks/fit_standin_resample.py`` writes;
a changed generator needs them refitted (the stand-in they were fitted against is named there).
"""

from __future__ import annotations

import numpy as np

__all__ = ["GRID", "L2", "coarse_features", "fit_log_odds", "log_odds", "keep_probability", "class_model"]

#: cells per side of the coarse grid (divides 32)
GRID = 4
#: the regression's L2 penalty (x the squared weights, on the mean log-loss; not tuned)
L2 = 1e-3


def coarse_features(x: np.ndarray, grid: int = GRID) -> np.ndarray:
    """Features of (N, 1024) glyphs as stored in NIST36 (ink 0, paper 1): the ink's mean in each
    cell of a ``grid`` x ``grid`` grid of the stored 32 x 32 array, then their squares: (N, 2 grid^2)."""
    if grid < 1 or 32 % grid:
        raise ValueError(f"coarse_features: the grid must divide 32, got {grid}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 1024:
        raise ValueError(f"coarse_features: expected glyphs (N, 1024), got {x.shape}")
    ink = 1.0 - x.reshape(-1, 32, 32)
    g = ink.reshape(-1, grid, 32 // grid, grid, 32 // grid).mean(axis=(2, 4)).reshape(len(ink), -1)
    return np.hstack([g, g ** 2])


def fit_log_odds(real: np.ndarray, drawn: np.ndarray, l2: float = L2) -> dict:
    """A logistic regression telling ``real`` feature rows (label 1) from ``drawn`` ones (label 0),
    on features standardised over both: mean log-loss + ``l2`` x the squared weights (L-BFGS from
    zero, so deterministic). Returns ``{"mu", "sd", "w", "b"}`` (lists), what :func:`log_odds` takes."""
    from scipy.optimize import minimize

    real, drawn = np.asarray(real, dtype=np.float64), np.asarray(drawn, dtype=np.float64)
    if len(real) == 0 or len(drawn) == 0:
        raise ValueError(f"fit_log_odds: needs rows of both kinds, got {len(real)} real and {len(drawn)} drawn")
    x = np.vstack([real, drawn])
    y = np.r_[np.ones(len(real)), np.zeros(len(drawn))]
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mu) / sd

    def loss(v):
        t = z @ v[:-1] + v[-1]
        p = 0.5 * (1.0 + np.tanh(0.5 * t))  # the logistic function, without overflow
        n = len(y)
        val = (np.logaddexp(0.0, t).sum() - y @ t) / n + l2 * v[:-1] @ v[:-1]
        grad = np.r_[z.T @ (p - y) / n + 2.0 * l2 * v[:-1], (p - y).sum() / n]
        return val, grad

    v = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B").x
    return {"mu": mu.tolist(), "sd": sd.tolist(), "w": v[:-1].tolist(), "b": float(v[-1])}


def log_odds(model: dict, features: np.ndarray) -> np.ndarray:
    """The log-odds of being real of each feature row, by a model of :func:`fit_log_odds`."""
    f = (np.asarray(features, dtype=np.float64) - np.asarray(model["mu"])) / np.asarray(model["sd"])
    return f @ np.asarray(model["w"]) + float(model["b"])


def keep_probability(z, z0: float):
    """min(1, exp(z - z0)): digits at least as real-looking as the median ``z0`` are always kept."""
    return np.exp(np.minimum(np.asarray(z, dtype=np.float64) - float(z0), 0.0))


def class_model(char: str) -> dict | None:
    """The fitted model of ``char`` (``mu``, ``sd``, ``w``, ``b``, ``z0``, ``grid``) from
    :mod:`.resample_table`, or None for a class it does not resample (the letters)."""
    from nnrec.data.standin.resample_table import TABLE

    model = TABLE["classes"].get(char)
    return None if model is None else {**model, "grid": int(TABLE["grid"])}
