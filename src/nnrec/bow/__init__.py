"""HW1 bag-of-visual-words baseline (filter bank, k-means dictionary, spatial pyramid, classifiers)."""

from .classify import accuracy, histogram_intersection, knn_predict, train_linear
from .dictionary import kmeans, sample_pixels
from .features import (
    filter_responses,
    pyramid_weights,
    spatial_pyramid_histogram,
    visual_words,
    word_histogram,
)
from .pipeline import BowSettings, build_dictionary, pyramid_features, run_bow

__all__ = [
    "BowSettings", "accuracy", "build_dictionary", "filter_responses",
    "histogram_intersection", "kmeans", "knn_predict", "pyramid_features", "pyramid_weights",
    "run_bow", "sample_pixels", "spatial_pyramid_histogram", "train_linear", "visual_words",
    "word_histogram",
]
