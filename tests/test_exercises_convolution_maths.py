"""Lesson 01 exercises: reference solutions pass, realistic mistakes get their own diagnosis."""
from __future__ import annotations

import re

import numpy as np
import pytest

from course_utils.exercises import Convolve1dProblem, TopLeftConvolutionProblem, WhyCrossCorrelationProblem
from conftest import assert_feedback_for, run_check, solution_namespace


def test_convolve1d_cases_include_a_kernel_longer_than_the_signal():
    cases = Convolve1dProblem().cases()
    assert any(len(c.args[1]) > len(c.args[0]) for c in cases if c.hidden)
    assert sum(not c.hidden for c in cases) >= 2


def _scatter(x, w):
    y = np.zeros(len(x) + len(w) - 1)
    for i in range(len(x)):
        for k in range(len(w)):
            y[i + k] += x[i] * w[k]
    return y


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


@pytest.mark.parametrize("mistake", list(CONVOLVE1D_MISTAKES))
def test_convolve1d_mistakes_get_specific_messages(mistake, capsys):
    answer, message = CONVOLVE1D_MISTAKES[mistake]
    assert_feedback_for(Convolve1dProblem(), answer, message, capsys)


def test_convolve1d_wrong_only_on_hidden_cases_says_hidden(capsys):
    def wrong_when_kernel_is_long(x, w):
        return _scatter(x, w) if len(w) < 4 else np.correlate(x, w, mode="full")

    result, text = run_check(Convolve1dProblem(), wrong_when_kernel_is_long, capsys)
    assert result is False and "hidden case" in text


def test_convolve1d_untouched_stub_is_not_attempted(capsys):
    def convolve1d(x, w):
        raise NotImplementedError("replace this line with your code")

    result, text = run_check(Convolve1dProblem(), convolve1d, capsys)
    assert result is False and text.startswith("Not attempted yet")


def test_top_left_value_matches_the_reference_operation():
    from course_utils import convolve2d, corr2d

    X = np.arange(9.0).reshape(3, 3)
    K = np.array([[0.0, 1.0], [2.0, 3.0]])
    assert convolve2d(X, K)[0, 0] == TopLeftConvolutionProblem().expected == 5
    assert corr2d(X, K)[0, 0] == 19


@pytest.mark.parametrize(
    "answer, ok, message",
    [
        (5, True, r"^Correct: 5 is right\."),
        (np.float32(5.0), True, r"^Correct: 5\.0 is right\."),
        (np.array([[5.0]]), True, r"is right"),
        (19, False, r"that is the cross-correlation.*flips the\s+kernel"),
        (7, False, r"flipped upside down only"),
        (17, False, r"flipped left-right only"),
        (43, False, r"bottom-right value"),
        ("5", False, r"^Not yet: you passed the text '5'; pass the number 5 \(no quotes\)\."),
        (5 + 1e-6, False, r"is not right"),  # stated tolerance: 1e-9
        (6, False, r"q2\.hint\(\)"),
        ("five", False, r"^Not yet: you passed the text 'five'; pass a number\."),
        (True, False, r"^Not yet: you passed True, a truth value; pass a number\."),
        (np.zeros(2), False, r"^Not yet: you passed an array of shape \(2,\); pass a number, a single value\."),
        (..., False, r"Not attempted yet"),
        (None, False, r"Not attempted yet"),
    ],
)
def test_top_left_value_problem(answer, ok, message, capsys):
    problem = TopLeftConvolutionProblem()
    problem.number = 2
    result, text = run_check(problem, answer, capsys)
    assert result is ok, text
    assert re.search(message, text, re.DOTALL), text


def test_top_left_solution_assigns_the_answer():
    assert solution_namespace(TopLeftConvolutionProblem())["answer"] == 5


def test_thought_problem_has_hints_and_a_discussion(capsys):
    problem = WhyCrossCorrelationProblem()
    problem.number = 3
    result, text = run_check(problem, "because", capsys)
    assert result is False and "q3.solution()" in text
    problem.hint(2)
    assert "(2 of 2)" in capsys.readouterr().out
    problem.solution()
    assert "learned" in capsys.readouterr().out
