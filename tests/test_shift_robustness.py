"""course_utils.shift_robustness: exact shifts by cropping, change counts, and the max-pooling formula."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils import pool2d
from course_utils.shift_robustness import (
    count_changed,
    max_pool_unchanged_probability,
    shift_change_fractions,
    shifted_crop,
)


def test_shifted_crop_moves_the_content_right_and_down():
    canvas = np.random.default_rng(0).standard_normal((10, 12))
    base = shifted_crop(canvas, (5, 6))
    moved = shifted_crop(canvas, (5, 6), (2, 3))
    assert base.shape == moved.shape == (5, 6)
    assert np.array_equal(moved[2:, 3:], base[:-2, :-3])
    assert np.array_equal(shifted_crop(canvas, 4, 1)[:, 1:], shifted_crop(canvas, 4)[:, :-1])


def test_shifted_crop_returns_a_copy():
    canvas = np.zeros((4, 4))
    crop = shifted_crop(canvas, 2)
    crop[...] = 1
    assert canvas.sum() == 0


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"canvas": np.zeros((4, 4)), "size": 3, "shift": 2}, ValueError,
         r"needs a canvas of at least \(3, 5\).*\(4, 4\)"),
        ({"canvas": np.zeros((4, 4)), "size": 3, "shift": -1}, ValueError, r"shift must be non-negative"),
        ({"canvas": np.zeros((4, 4)), "size": 3, "shift": (1, 1, 1)}, ValueError,
         r"shift must be an int or an \(h, w\) pair"),
        ({"canvas": np.zeros((4, 4)), "size": 0}, ValueError, r"size must be >= 1"),
        ({"canvas": np.zeros(4), "size": 2}, ValueError, r"canvas must be 2-D; got a 1-D array"),
        ({"canvas": np.zeros((4, 4)), "size": 2, "shift": 1.5}, TypeError, r"shift must be an int"),
    ],
)
def test_shifted_crop_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        shifted_crop(**kwargs)


def test_count_changed_counts_positions_beyond_the_tolerance():
    before = np.zeros((3, 3))
    after = before.copy()
    after[0, 0], after[1, 2], after[2, 2] = 1.0, 1e-8, -0.5
    assert count_changed(before, after) == 2
    assert count_changed(before, after, atol=0.0) == 3
    assert count_changed(torch.zeros(2, 2), torch.ones(2, 2)) == 4


@pytest.mark.parametrize(
    "before, after, atol, message",
    [
        (np.zeros((2, 3)), np.zeros((3, 2)), 1e-6, r"same shape.*\(2, 3\).*\(3, 2\)"),
        (np.zeros(2), np.zeros(2), -1.0, r"atol must be a non-negative number; got -1\.0"),
        (np.zeros(2), np.zeros(2), True, r"atol must be a non-negative number"),
    ],
)
def test_count_changed_bad_input(before, after, atol, message):
    with pytest.raises(ValueError, match=message):
        count_changed(before, after, atol=atol)


def test_shift_change_fractions_of_the_identity_on_random_values_is_all_or_nothing():
    canvas = np.random.default_rng(1).standard_normal((8, 12))
    fractions = shift_change_fractions(canvas, (8, 8), [0, 1, 3], lambda x: x)
    assert np.array_equal(fractions, [0.0, 1.0, 1.0])


def test_max_pooling_keeps_about_the_predicted_fraction():
    canvas = np.random.default_rng(2).standard_normal((60, 66))
    for k in (2, 3):
        fractions = shift_change_fractions(canvas, 60, [1, 2, 3], lambda x, k=k: pool2d(x, k))
        predicted = [1 - max_pool_unchanged_probability(k, s) for s in (1, 2, 3)]
        assert np.allclose(fractions, predicted, atol=0.04), (k, fractions, predicted)


def test_shift_change_fractions_bad_input():
    with pytest.raises(TypeError, match=r"transform must be a function"):
        shift_change_fractions(np.zeros((4, 4)), 2, [1], "max")
    with pytest.raises(ValueError, match=r"shifts must be a non-empty list"):
        shift_change_fractions(np.zeros((4, 4)), 2, [], lambda x: x)


def test_max_pool_unchanged_probability_values():
    assert max_pool_unchanged_probability(1, 0) == 1.0
    assert max_pool_unchanged_probability(1, 1) == 0.0
    assert max_pool_unchanged_probability(4, 2) == pytest.approx(1 / 3)
    assert max_pool_unchanged_probability(2, 5) == 0.0


@pytest.mark.parametrize(
    "window, shift, error, message",
    [
        (0, 1, ValueError, r"window must be >= 1; got 0"),
        (2, -1, ValueError, r"shift must be >= 0; got -1"),
        (2.0, 1, TypeError, r"window must be an int; got float 2\.0"),
        (2, True, TypeError, r"shift must be an int; got bool True"),
    ],
)
def test_max_pool_unchanged_probability_bad_input(window, shift, error, message):
    with pytest.raises(error, match=message):
        max_pool_unchanged_probability(window, shift)
