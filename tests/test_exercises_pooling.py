"""Lesson 09 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

import numpy as np
import torch

from course_utils import pool2d
from course_utils.exercises import Pool2dByOffsetsProblem, PoolingLayerShapeProblem
from conftest import feedback_table_test, run_check


# --------------------------------------------------------------------------- #
# Exercise 1: pool2d by window offsets
# --------------------------------------------------------------------------- #


def test_pool2d_cases_cover_both_modes_and_non_square_windows():
    cases = Pool2dByOffsetsProblem().cases()
    assert {c.args[2] for c in cases} == {"max", "avg"}
    assert any(c.args[1][0] != c.args[1][1] for c in cases if not c.hidden)
    assert any(np.min(c.args[0]) < 0 for c in cases if c.args[2] == "max")


def _double_loop(X, pool_size, mode="max", step=1, reduce=None, extra=0):
    """The lesson's double loop with knobs for the usual mistakes."""
    X = np.asarray(X, dtype=float)
    p_h, p_w = pool_size
    out_h = (X.shape[0] - p_h) // step + 1 + extra
    out_w = (X.shape[1] - p_w) // step + 1 + extra
    Y = np.zeros((max(out_h, 1), max(out_w, 1)))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i * step : i * step + p_h, j * step : j * step + p_w]
            if reduce is not None:
                Y[i, j] = reduce(window)
            else:
                Y[i, j] = window.max() if mode == "max" else window.mean()
    return Y


POOL2D_MISTAKES = {
    "stride = window": (lambda X, s, m="max": _double_loop(X, s, m, step=s[0]) if s[0] == s[1]
                        else _double_loop(X, s, m)[:: s[0], :: s[1]],
                        r"stride = window.*Here the stride is 1"),
    "min instead of max": (lambda X, s, m="max": _double_loop(X, s, m, reduce=np.min if m == "max" else np.mean),
                           r"minimum of each window \(np\.min\)"),
    "sum instead of mean": (lambda X, s, m="max": _double_loop(X, s, m, reduce=np.sum if m == "avg" else np.max),
                            r"returned each window's sum.*p_h \* p_w = 4"),
    "one too few": (lambda X, s, m="max": _double_loop(X, s, m)[:-1, :-1],
                    r"one row and one column too few.*range\(h - p_h\)"),
    "one too many": (lambda X, s, m="max": np.pad(_double_loop(X, s, m), ((0, 1), (0, 1))),
                     r"one row and one column too many"),
    "swapped window": (lambda X, s, m="max": _double_loop(X, (s[1], s[0]), m),
                       r"p_h and p_w are swapped"),
    "mode ignored": (lambda X, s, m="max": _double_loop(X, s, "max"),
                     r"mode was 'avg' but you computed max pooling"),
    "same size as X": (lambda X, s, m="max": np.asarray(X, dtype=float),
                       r"has (the )?shape.*the shape of X"),
    "max starts at zero": (lambda X, s, m="max": np.maximum(_double_loop(X, s, m), 0) if m == "max"
                           else _double_loop(X, s, m),
                           r"started the maximum from 0"),
    "divide by one side": (lambda X, s, m="max": _double_loop(X, s, m) * (s[0] if m == "avg" else 1),
                           r"divided each window's sum by one side"),
    "forgot return": (lambda X, s, m="max": None, r"returned None"),
    "flat result": (lambda X, s, m="max": _double_loop(X, s, m).ravel(), r"return a 2-D array"),
    "not numbers": (lambda X, s, m="max": "hello", r"returned the text 'hello', not a 2x2 array"),
    "wrong value": (lambda X, s, m="max": _double_loop(X, s, m) + np.eye(*_double_loop(X, s, m).shape),
                    r"the value at \(0, 0\) is .* but should be"),
    "torch tensor result": (lambda X, s, m="max": torch.from_numpy(_double_loop(X, s, m)), None),
    "list result": (lambda X, s, m="max": _double_loop(X, s, m).tolist(), None),
}


test_pool2d_mistakes = feedback_table_test(Pool2dByOffsetsProblem, POOL2D_MISTAKES)


def test_pool2d_reference_matches_the_lesson_values():
    X = np.arange(9.0).reshape(3, 3)
    assert np.array_equal(pool2d(X, (2, 2), "max"), [[4, 5], [7, 8]])
    assert np.array_equal(pool2d(X, (2, 2), "avg"), [[2, 3], [5, 6]])


def test_pool2d_wrong_only_on_hidden_cases_says_hidden(capsys):
    def wrong_for_tall_windows(X, pool_size, mode="max"):
        if pool_size[0] > pool_size[1]:
            return _double_loop(X, pool_size, mode) + 1
        return _double_loop(X, pool_size, mode)

    result, text = run_check(Pool2dByOffsetsProblem(), wrong_for_tall_windows, capsys)
    assert result is False and "hidden case" in text


# --------------------------------------------------------------------------- #
# Exercise 2: a framework pooling layer's output shape
# --------------------------------------------------------------------------- #


def test_shape_problem_expected_value_matches_pytorch():
    layer = torch.nn.MaxPool2d(3, padding=1)
    assert tuple(layer(torch.zeros(8, 16, 28, 28)).shape) == PoolingLayerShapeProblem().expected == (8, 16, 10, 10)


def test_shape_problem_mistakes_are_distinct_and_wrong():
    problem = PoolingLayerShapeProblem()
    values = [mistake for mistake, _ in problem.known_mistakes]
    assert len(set(values)) == len(values)
    assert problem.expected not in values
