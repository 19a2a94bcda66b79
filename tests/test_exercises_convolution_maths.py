"""Lesson 01 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

import numpy as np

from course_utils.exercises import Convolve1dProblem, TopLeftConvolutionProblem
from conftest import feedback_table_test, reference_function, run_check


def test_convolve1d_cases_include_a_kernel_longer_than_the_signal():
    cases = Convolve1dProblem().cases()
    assert any(len(c.args[1]) > len(c.args[0]) for c in cases if c.hidden)
    assert sum(not c.hidden for c in cases) >= 2


_scatter = reference_function(Convolve1dProblem)  # the lesson's two loops, y[i + k] += x[i] * w[k]


CONVOLVE1D_MISTAKES = {
    "not flipped": (lambda x, w: np.correlate(x, w, mode="full"), r"cross-correlation: w is not flipped"),
    "valid only": (lambda x, w: np.convolve(x, w, mode="valid"), r"the 'valid' part only"),
    "same size": (lambda x, w: np.convolve(x, w, mode="same"), r"as many as x \('same' size\)"),
    "reversed output": (lambda x, w: _scatter(x, w)[::-1], r"your output is reversed"),
    "forgot return": (lambda x, w: None, r"returned None: did you forget return y"),
    "2-d result": (lambda x, w: _scatter(x, w)[None, :], r"return a 1-D array"),
    "wrong value": (lambda x, w: _scatter(x, w) + np.eye(1, len(x) + len(w) - 1, 1).ravel(),
                    r"the value at index 1 is .* but should be"),
    "list result": (lambda x, w: list(_scatter(x, w)), None),  # a list of the right numbers is accepted
    "not a number": (lambda x, w: "hello", r"returned the text 'hello', not a 1-D array of 5 values"),
}


test_convolve1d_mistakes = feedback_table_test(Convolve1dProblem, CONVOLVE1D_MISTAKES)


def test_convolve1d_wrong_only_on_hidden_cases_says_hidden(capsys):
    def wrong_when_kernel_is_long(x, w):
        return _scatter(x, w) if len(w) < 4 else np.correlate(x, w, mode="full")

    result, text = run_check(Convolve1dProblem(), wrong_when_kernel_is_long, capsys)
    assert result is False and "hidden case" in text


def test_top_left_value_matches_the_reference_operation():
    from course_utils import convolve2d, corr2d

    X = np.arange(9.0).reshape(3, 3)
    K = np.array([[0.0, 1.0], [2.0, 3.0]])
    assert convolve2d(X, K)[0, 0] == TopLeftConvolutionProblem().expected == 5
    assert corr2d(X, K)[0, 0] == 19


