"""Lesson 02 exercises: reference solutions pass, realistic mistakes get their own diagnosis."""
from __future__ import annotations

import re

import numpy as np
import pytest

from course_utils import corr2d
from course_utils.dense import corr2d_as_matrix
from course_utils.exercises import ConvMatrixProblem, DenseParameterCountProblem, PriceOfConvolutionProblem
from conftest import assert_feedback_for, run_check, solution_namespace


# --------------------------------------------------------------------------- #
# Exercise 1: conv_matrix
# --------------------------------------------------------------------------- #


def test_conv_matrix_library_function_passes(capsys):
    result, text = run_check(ConvMatrixProblem(), corr2d_as_matrix, capsys)
    assert result is True, text


def test_conv_matrix_cases_reproduce_corr2d():
    problem = ConvMatrixProblem()
    for case in problem.cases():
        K, shape = case.args
        X = np.arange(np.prod(shape), dtype=float).reshape(shape)
        np.testing.assert_allclose(problem.expected(case) @ X.ravel(), corr2d(X, K).ravel())


def _loops(K, input_shape, *, row_width=None, col_width=None, flip=False, rows_from_input=False):
    """The reference four loops, with one realistic slip switched on."""
    h, w = input_shape
    K = np.rot90(K, 2) if flip else np.asarray(K)
    kh, kw = K.shape
    oh, ow = h - kh + 1, w - kw + 1
    M = np.zeros((h * w if rows_from_input else oh * ow, h * w))
    rw = ow if row_width is None else row_width
    cw = w if col_width is None else col_width
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    M[i * rw + j, (i + a) * cw + (j + b)] = K[a, b]
    return M


def _column_width_slip(K, input_shape):
    # the column index uses the output width: values land in the wrong columns (wraps around the row)
    h, w = input_shape
    ow = w - np.shape(K)[1] + 1
    M = np.zeros(((h - np.shape(K)[0] + 1) * ow, h * w))
    for r in range(M.shape[0]):
        i, j = divmod(r, ow)
        for a in range(np.shape(K)[0]):
            for b in range(np.shape(K)[1]):
                M[r, ((i + a) * ow + (j + b)) % (h * w)] = K[a][b]
    return M


CONV_MATRIX_MISTAKES = {
    "transposed": (lambda K, s: corr2d_as_matrix(K, s).T, r"shape \(9, 4\) = \(h \* w, oh \* ow\): its transpose is right"),
    "rows per input pixel": (lambda K, s: _loops(K, s, row_width=s[1], rows_from_input=True),
                             r"9 rows, one per INPUT pixel .* the shape must be \(4, 9\)"),
    "kernel flipped": (lambda K, s: _loops(K, s, flip=True), r"rotated by 180 degrees: that is a true convolution"),
    "columns with the output width": (_column_width_slip, r"holds the kernel values but in the wrong columns"),
    "all zeros": (lambda K, s: np.zeros(corr2d_as_matrix(K, s).shape), r"all zeros"),
    "columns per output pixel": (lambda K, s: np.zeros((4, 4)), r"4 columns, one per OUTPUT pixel"),
    "forgot return": (lambda K, s: None, r"returned None: did you forget return M"),
    "output image": (lambda K, s: corr2d(np.arange(9.0).reshape(3, 3), K), r"shape \(2, 2\) but should have shape"),
    "flat result": (lambda K, s: corr2d_as_matrix(K, s).ravel(), r"returned an array of shape \(36,\); return a 2-D"),
    "not a number": (lambda K, s: "matrix", r"returned the text 'matrix', not a 4x9 array"),
    "wrong value": (lambda K, s: corr2d_as_matrix(K, s) + np.eye(4, 9, 3), r"row 0 \(output \(0, 0\)\) is"),
    "nested lists": (lambda K, s: corr2d_as_matrix(K, s).tolist(), None),  # lists of the right numbers are fine
}


@pytest.mark.parametrize("mistake", list(CONV_MATRIX_MISTAKES))
def test_conv_matrix_mistakes_get_specific_messages(mistake, capsys):
    answer, message = CONV_MATRIX_MISTAKES[mistake]
    assert_feedback_for(ConvMatrixProblem(), answer, message, capsys)


def test_conv_matrix_row_index_with_input_width_fails_clearly(capsys):
    # the row index uses the input width but the matrix has the right shape: an IndexError on the first case
    result, text = run_check(ConvMatrixProblem(), lambda K, s: _loops(K, s, row_width=s[1]), capsys)
    assert result is False and "IndexError" in text


def test_conv_matrix_wrong_only_on_hidden_cases_says_hidden(capsys):
    def square_only(K, input_shape):
        if input_shape[0] != input_shape[1]:
            return corr2d_as_matrix(K, input_shape[::-1])
        return corr2d_as_matrix(K, input_shape)

    result, text = run_check(ConvMatrixProblem(), square_only, capsys)
    assert result is False and "hidden case" in text


def test_conv_matrix_must_not_change_its_input(capsys):
    def in_place(K, input_shape):
        M = corr2d_as_matrix(K, input_shape)
        K *= 0
        return M

    result, text = run_check(ConvMatrixProblem(), in_place, capsys)
    assert result is False and "changed its input K" in text


def test_conv_matrix_untouched_stub_is_not_attempted(capsys):
    def conv_matrix(K, input_shape):
        raise NotImplementedError("replace this line with your code")

    result, text = run_check(ConvMatrixProblem(), conv_matrix, capsys)
    assert result is False and text.startswith("Not attempted yet")


# --------------------------------------------------------------------------- #
# Exercise 2: dense parameter count
# --------------------------------------------------------------------------- #


def test_dense_count_expected_matches_torch_linear():
    import torch

    layer = torch.nn.Linear(32 * 32 * 3, 32 * 32 * 16)
    assert DenseParameterCountProblem().expected == sum(p.numel() for p in layer.parameters()) == 50_348_032


@pytest.mark.parametrize(
    "answer, ok, message",
    [
        (50_348_032, True, r"^Correct: 50348032 is right\."),
        (50_348_032.0, True, r"is right"),
        (np.int64(50_348_032), True, r"is right"),
        (np.array([50_348_032]), True, r"is right"),
        (3072 * 16384, False, r"counts the weights only"),
        (3072 * 16384 + 3072, False, r"one bias per OUTPUT value, not per input value"),
        (3072 * 16384 + 16, False, r"one bias per output channel, as in a conv layer"),
        (1024 * 16384 + 16384, False, r"the input has 3 channels"),
        (3072 * 1024 + 1024, False, r"the output has 16 channels"),
        (1024 * 1024 + 1024, False, r"channels are missing on both sides"),
        (3073, False, r"the count for ONE output value"),
        (448, False, r"that is the 3x3 convolution layer"),
        (432, False, r"weight count of a 3x3 convolution layer"),
        (12345, False, r"q2\.hint\(\)"),
        (50_348_032 + 100, False, r"q2\.hint\(\)"),  # counts compare exactly, not within a relative tolerance
        (5.5, False, r"^Not yet: 5\.5 is not right: the answer is a whole number of parameters\."),
        (True, False, r"^Not yet: you passed True, a truth value; pass a whole number of parameters\."),
        ("50348032", False, r"^Not yet: you passed the text '50348032'; pass the number 50348032 \(no quotes\)\."),
        (..., False, r"Not attempted yet"),
        (None, False, r"Not attempted yet"),
    ],
)
def test_dense_count_problem(answer, ok, message, capsys):
    problem = DenseParameterCountProblem()
    problem.number = 2
    result, text = run_check(problem, answer, capsys)
    assert result is ok, text
    assert re.search(message, text, re.DOTALL), text


def test_dense_count_solution_assigns_the_answer():
    assert solution_namespace(DenseParameterCountProblem())["answer"] == 50_348_032


# --------------------------------------------------------------------------- #
# Exercise 3: thought problem
# --------------------------------------------------------------------------- #


def test_thought_problem_has_hints_and_a_discussion(capsys):
    problem = PriceOfConvolutionProblem()
    problem.number = 3
    result, text = run_check(problem, "nothing", capsys)
    assert result is False and "q3.solution()" in text
    problem.hint(2)
    assert "(2 of 2)" in capsys.readouterr().out
    problem.solution()
    out = capsys.readouterr().out
    assert "Locality" in out and "Weight sharing" in out
