"""The whole HW1 bag-of-words system: dictionary from training pixels, pyramid features, classifiers."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from nnrec.metrics import confusion_matrix

from . import classify
from .dictionary import kmeans, sample_pixels
from .features import filter_responses, spatial_pyramid_histogram, visual_words


@dataclass
class BowSettings:
    scales: list[float] = field(default_factory=lambda: [1, 2, 4, 8, 8 * 2**0.5])
    alpha: int = 100  # pixels sampled per image for the dictionary
    dict_images: int = 0  # training images used for the dictionary (0 = all)
    k: int = 100
    kmeans_iters: int = 50
    layers: int = 3
    knn_k: int = 1
    linear_weight_decay: float = 1e-3

    @classmethod
    def from_config(cls, cfg: dict) -> "BowSettings":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in cfg.items() if k in known})


# --- worker functions (module level so that they pickle) --------------------------------------
def _sample_job(args):
    img, scales, alpha, seed = args
    return sample_pixels(filter_responses(img, scales), alpha, np.random.default_rng(seed))


def _feature_job(args):
    img, scales, dictionary, k, layers = args
    words = visual_words(filter_responses(img, scales), dictionary)
    return spatial_pyramid_histogram(words, k, layers)


def _map(fn, jobs, workers: int, logger: logging.Logger | None, what: str):
    out, t0, n = [], time.perf_counter(), len(jobs)
    every = max(1, n // 5)
    if workers > 1:
        with ProcessPoolExecutor(workers) as ex:
            for i, r in enumerate(ex.map(fn, jobs, chunksize=8), 1):
                out.append(r)
                if logger and (i % every == 0 or i == n):
                    el = time.perf_counter() - t0
                    logger.info(f"{what} {i}/{n} time={el:.1f}s eta={el / i * (n - i):.0f}s")
    else:
        for i, j in enumerate(jobs, 1):
            out.append(fn(j))
            if logger and (i % every == 0 or i == n):
                el = time.perf_counter() - t0
                logger.info(f"{what} {i}/{n} time={el:.1f}s eta={el / i * (n - i):.0f}s")
    return out


def build_dictionary(
    images: np.ndarray, s: BowSettings, seed: int, workers: int = 1, logger=None
) -> np.ndarray:
    """k-means dictionary (k, 3*4*len(scales)) from ``alpha`` random pixels of each image."""
    rng = np.random.default_rng(seed)
    idx = np.arange(len(images))
    if 0 < s.dict_images < len(images):
        idx = np.sort(rng.choice(len(images), s.dict_images, replace=False))
    seeds = rng.integers(0, 2**31, size=len(idx))
    jobs = [(images[i], s.scales, s.alpha, int(sd)) for i, sd in zip(idx, seeds)]
    pts = np.concatenate(_map(_sample_job, jobs, workers, logger, "dictionary responses"))
    centres, _, inertia = kmeans(pts, s.k, rng, iters=s.kmeans_iters)
    if logger:
        logger.info(f"k-means: {len(pts)} points -> {s.k} words, inertia {inertia:.4g}")
    return centres.astype(np.float32)


def pyramid_features(images, dictionary, s: BowSettings, workers: int = 1, logger=None, what="features"):
    jobs = [(img, s.scales, dictionary, s.k, s.layers) for img in images]
    return np.stack(_map(_feature_job, jobs, workers, logger, what))


def run_bow(train_x, train_y, test_x, test_y, s: BowSettings, seed: int, workers: int = 1, logger=None) -> dict:
    """Fit the BoW system on the training images and evaluate on the test images.

    Returns a dict with the dictionary, features, predictions and accuracies of the
    histogram-intersection nearest-neighbour classifier (the HW1 system) and of a linear
    classifier on the same features, plus timings.
    """
    n_classes = int(max(train_y.max(), test_y.max())) + 1
    t0 = time.perf_counter()
    dictionary = build_dictionary(train_x, s, seed, workers, logger)
    t_dict = time.perf_counter() - t0
    f_train = pyramid_features(train_x, dictionary, s, workers, logger, "train features")
    f_test = pyramid_features(test_x, dictionary, s, workers, logger, "test features")
    t_feat = time.perf_counter() - t0 - t_dict
    sim = classify.histogram_intersection(f_test, f_train)
    pred_nn = classify.knn_predict(sim, train_y, s.knn_k, n_classes)
    predict = classify.train_linear(f_train, train_y, n_classes, s.linear_weight_decay, seed)
    pred_lin = predict(f_test)
    return {
        "dictionary": dictionary,
        "train_features": f_train,
        "test_features": f_test,
        "pred_nn": pred_nn,
        "pred_linear": pred_lin,
        "test_acc_nn": classify.accuracy(pred_nn, test_y),
        "test_acc_linear": classify.accuracy(pred_lin, test_y),
        "confusion_nn": confusion_matrix(test_y, pred_nn, n_classes),
        "confusion_linear": confusion_matrix(test_y, pred_lin, n_classes),
        "time_dictionary_s": t_dict,
        "time_features_s": t_feat,
        "time_total_s": time.perf_counter() - t0,
    }
