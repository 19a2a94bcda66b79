"""scikit-learn's bundled 8x8 digits (no download), split and shifted for the invariance lesson."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["DigitSplits", "load_digit_splits", "shift_images"]


class DigitSplits(NamedTuple):
    """Images are float32 in [0, 1] with shape (n, 8, 8); labels are int64 digits 0-9."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def load_digit_splits(test_fraction: float = 0.25, seed: int = 0) -> DigitSplits:
    """The 1,797 digits of ``sklearn.datasets.load_digits``, shuffled with ``seed`` and split.

    >>> splits = load_digit_splits()
    >>> splits.train_images.shape, splits.test_images.shape
    ((1348, 8, 8), (449, 8, 8))
    >>> float(splits.train_images.max())
    1.0
    """
    from sklearn.datasets import load_digits

    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be a number strictly between 0 and 1; got {test_fraction!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int; got {type(seed).__name__} {seed!r}")
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)  # pixel values are counts 0..16
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = int(round(test_fraction * len(labels)))
    test, train = order[:n_test], order[n_test:]
    return DigitSplits(images[train], labels[train], images[test], labels[test])


def shift_images(images, rows: int = 0, cols: int = 0) -> np.ndarray:
    """Move every image down by ``rows`` and right by ``cols`` pixels (negative: up/left), filling with 0.

    Pixels pushed past the border are lost, as when an object moves partly out of view.

    >>> shift_images(np.arange(9).reshape(1, 3, 3), rows=1, cols=-1)[0]
    array([[0, 0, 0],
           [1, 2, 0],
           [4, 5, 0]])
    """
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(f"images must have at least 2 dimensions (..., height, width); got shape {images.shape}")
    for name, value in (("rows", rows), ("cols", cols)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
    height, width = images.shape[-2:]
    shifted = np.zeros_like(images)
    if abs(rows) >= height or abs(cols) >= width:
        return shifted
    source_rows = slice(max(0, -rows), height - max(0, rows))
    target_rows = slice(max(0, rows), height - max(0, -rows))
    source_cols = slice(max(0, -cols), width - max(0, cols))
    target_cols = slice(max(0, cols), width - max(0, -cols))
    shifted[..., target_rows, target_cols] = images[..., source_rows, source_cols]
    return shifted
