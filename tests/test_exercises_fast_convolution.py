"""Lesson 12 exercises: reference solutions pass, realistic mistakes get their own diagnosis."""
from __future__ import annotations

import re

import numpy as np
import pytest

from course_utils.exercises import ArithmeticIntensityProblem, Im2colProblem, LayerWorkProblem
from course_utils.exercises.fast_convolution import WORK_LAYER
from course_utils.fast_correlation import im2col as reference_im2col
from conftest import assert_feedback_for, run_check, solution_namespace


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


@pytest.mark.parametrize("mistake", list(IM2COL_MISTAKES))
def test_im2col_mistakes_get_specific_messages(mistake, capsys):
    answer, message = IM2COL_MISTAKES[mistake]
    assert_feedback_for(Im2colProblem(), answer, message, capsys)


def test_im2col_untouched_stub_is_not_attempted(capsys):
    def im2col(X, k):
        raise NotImplementedError("replace this line with your code")

    result, text = run_check(Im2colProblem(), im2col, capsys)
    assert result is False and text.startswith("Not attempted yet")


def test_im2col_wrong_only_on_a_hidden_case_says_hidden(capsys):
    def wrong_for_k1(X, k):
        return _good(X, k) if k != 1 else _good(X, k) + 1

    result, text = run_check(Im2colProblem(), wrong_for_k1, capsys)
    assert result is False and "hidden case" in text


N, C_IN, C_OUT, SIZE, K = (WORK_LAYER[key] for key in ("batch", "in_channels", "out_channels", "size", "kernel"))
OUT = SIZE - K + 1
EXPECTED_WORK = N * C_OUT * C_IN * K * K * OUT * OUT


@pytest.mark.parametrize(
    "answer, ok, message",
    [
        (EXPECTED_WORK, True, r"is right"),
        (float(EXPECTED_WORK), True, r"is right"),
        (np.int64(EXPECTED_WORK), True, r"is right"),
        (2 * EXPECTED_WORK, False, r"floating-point operations"),
        (N * C_OUT * C_IN * K * K * SIZE * SIZE, False, r"uses the input size 56x56 for the output"),
        (EXPECTED_WORK // N, False, r"that is one image"),
        (N * C_OUT * K * K * OUT * OUT, False, r"forgets the input channels"),
        (N * C_OUT * C_IN * K * OUT * OUT, False, r"a 3x3 kernel has 9"),
        (12345, False, r"q2\.hint\(\)"),
        (1.5, False, r"^Not yet: 1\.5 is not right: the answer is a whole number of multiply-adds\."),
        (True, False, r"^Not yet: you passed True, a truth value; pass a whole number of multiply-adds\."),
        (EXPECTED_WORK + 1, False, r"^Not yet: 859963393 is not right\."),  # counts compare exactly
        (str(EXPECTED_WORK), False, r"^Not yet: you passed the text '859963392'; pass the number 859963392 \(no quotes\)\."),
        (None, False, r"Not attempted yet"),
        (..., False, r"Not attempted yet"),
    ],
)
def test_layer_work_problem(answer, ok, message, capsys):
    problem = LayerWorkProblem()
    problem.number = 2
    result, text = run_check(problem, answer, capsys)
    assert result is ok, text
    assert re.search(message, text, re.DOTALL), text


def test_layer_work_expected_value_and_solution():
    assert LayerWorkProblem().expected == 859_963_392
    assert solution_namespace(LayerWorkProblem())["answer"] == 859_963_392


def test_thought_problem_has_hints_and_a_discussion(capsys):
    problem = ArithmeticIntensityProblem()
    problem.number = 3
    result, text = run_check(problem, "reuse", capsys)
    assert result is False and "q3.solution()" in text
    problem.hint(2)
    assert "(2 of 2)" in capsys.readouterr().out
    problem.solution()
    assert "GEMM" in capsys.readouterr().out
