"""Lesson 12 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

import numpy as np

from course_utils.exercises import Im2colProblem, LayerWorkProblem
from course_utils.fast_correlation import im2col as reference_im2col
from conftest import feedback_table_test, run_check


def _good(X, k):
    return reference_im2col(X, k)


def _windows(X, k):
    return np.lib.stride_tricks.sliding_window_view(X, (k, k))


IM2COL_MISTAKES = {
    "transposed": (lambda X, k: _good(X, k).T, r"rows and columns are swapped"),
    "4-d windows": (lambda X, k: _windows(X, k), r"not yet a matrix\. Reshape it to 2-D"),
    "off by one": (lambda X, k: np.stack([X[a:X.shape[0] - k + a, b:X.shape[1] - k + b].ravel()
                                          for a in range(k) for b in range(k)]),
                   r"one output position\s+short along each axis"),
    "taps column-major": (lambda X, k: np.stack([X[a:a + X.shape[0] - k + 1, b:b + X.shape[1] - k + 1].ravel()
                                                 for b in range(k) for a in range(k)]),
                          r"taps are in the wrong order"),
    "positions column-major": (lambda X, k: np.stack([X[a:a + X.shape[0] - k + 1, b:b + X.shape[1] - k + 1]
                                                      .ravel(order="F") for a in range(k) for b in range(k)]),
                               r"output positions are in column-major order"),
    "wrong row": (lambda X, k: _good(X, k) + np.eye(k * k, 1, -(k * k - 1)), r"row \d+ \(kernel tap a = \d+, b = \d+\) is wrong"),
    "forgot return": (lambda X, k: None, r"returned None"),
    "not numbers": (lambda X, k: "cols", r"returned the text 'cols', not a 4x4 array"),
    "list of rows": (lambda X, k: [list(r) for r in _good(X, k)], None),  # a nested list of the right numbers is fine
}


test_im2col_mistakes = feedback_table_test(Im2colProblem, IM2COL_MISTAKES)


def test_im2col_wrong_only_on_a_hidden_case_says_hidden(capsys):
    def wrong_for_k1(X, k):
        return _good(X, k) if k != 1 else _good(X, k) + 1

    result, text = run_check(Im2colProblem(), wrong_for_k1, capsys)
    assert result is False and "hidden case" in text


def test_layer_work_expected_value():
    assert LayerWorkProblem().expected == 859_963_392
