"""course_utils.diagrams: the written-out sum of one output cell, and its figure."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import corr2d
from course_utils.diagrams import correlation_step_formula, show_correlation_step

X = np.arange(9).reshape(3, 3)
K = [[0, 1], [2, 3]]


@pytest.mark.parametrize(
    "position, text",
    [((0, 0), "0*0 + 1*1 + 3*2 + 4*3 = 19"), ((0, 1), "1*0 + 2*1 + 4*2 + 5*3 = 25"),
     ((1, 0), "3*0 + 4*1 + 6*2 + 7*3 = 37"), ((1, 1), "4*0 + 5*1 + 7*2 + 8*3 = 43")],
)
def test_formula_of_the_worked_example(position, text):
    assert correlation_step_formula(X, K, position) == text


def test_formula_total_equals_corr2d_everywhere():
    rng = np.random.default_rng(3)
    image, kernel = rng.integers(-9, 10, (5, 6)), rng.integers(-3, 4, (2, 3))
    expected = corr2d(image, kernel)
    for (i, j), value in np.ndenumerate(expected):
        total = float(correlation_step_formula(image, kernel, (i, j)).split(" = ")[-1])
        assert total == value


def test_figure_outlines_the_window_and_the_output_cell():
    fig = show_correlation_step(X, K, (1, 0))
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in titled] == ["input X", "kernel K", "output Y = X ⋆ K"]
    window = titled[0].patches[0]
    assert (window.get_x(), window.get_y(), window.get_width(), window.get_height()) == (-0.5, 0.5, 2, 2)
    cell = titled[2].patches[0]
    assert (cell.get_x(), cell.get_y(), cell.get_width()) == (-0.5, 0.5, 1)
    assert fig._suptitle.get_text() == "output[1, 0] = 3*0 + 4*1 + 6*2 + 7*3 = 37"
    plt.close(fig)


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((X, K, (2, 0)), ValueError, r"position must lie inside the 2x2 output of a 3x3 input X and a 2x2 kernel K; got \(2, 0\)"),
        ((X, K, (-1, 0)), ValueError, r"position must lie inside"),
        ((X, K, (0.0, 1)), TypeError, r"position must be a pair of integers \(row, column\); got \(0.0, 1\)"),
        ((X, K, 3), TypeError, r"position must be a pair of integers"),
        ((X, np.ones((4, 2)), (0, 0)), ValueError, r"kernel K with shape \(4, 2\) is larger than the input X"),
        ((np.ones(3), K, (0, 0)), ValueError, r"X must be 2-D; got a 1-D array with shape \(3,\)"),
        ((X, [["a", "b"]], (0, 0)), TypeError, r"K must hold real numbers"),
    ],
)
def test_bad_input_is_named(args, error, message):
    with pytest.raises(error, match=message):
        correlation_step_formula(*args)


def test_pooling_step_titles_and_values():
    from course_utils.diagrams import show_pooling_step

    fig = show_pooling_step(X, 2, (1, 1))
    assert fig._suptitle.get_text() == "window at (1, 1) = [4, 5, 7, 8]: max 8, average 6"
    titled = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titled == ["input X", "2x2 max pooling", "2x2 average pooling"]
    plt.close(fig)


def test_multi_channel_step_sums_the_channels():
    from course_utils.diagrams import show_multi_channel_step

    Xc = np.stack([X, X + 1])
    Kc = np.stack([K, np.array(K) + 1])
    fig = show_multi_channel_step(Xc, Kc, (1, 1))
    assert fig._suptitle.get_text() == "output[1, 1] = 43 + 77 = 120 (one term per input channel)"
    plt.close(fig)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda f: f.show_multi_channel_step(np.ones((2, 3, 3)), np.ones((3, 2, 2))), ValueError,
         r"X and K must have the same number of channels \(axis 0\); got X with shape \(2, 3, 3\) and K with shape \(3, 2, 2\)"),
        (lambda f: f.show_multi_channel_step(np.ones((3, 3)), np.ones((3, 2, 2))), ValueError, r"X must be 3-D"),
        (lambda f: f.show_pooling_step(X, 4), ValueError, r"is larger than the input X"),
        (lambda f: f.show_pooling_step(X, 0), ValueError, r"pool_size must be >= 1; got 0"),
        (lambda f: f.show_pooling_step(X, 2, (5, 5)), ValueError, r"position must lie inside the 2x2 output"),
    ],
)
def test_bad_input_to_the_other_diagrams(call, error, message):
    from course_utils import diagrams

    with pytest.raises(error, match=message):
        call(diagrams)
    plt.close("all")
