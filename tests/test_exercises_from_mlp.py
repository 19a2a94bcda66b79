"""Lesson 02 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

import numpy as np

from course_utils import corr2d
from course_utils.dense import corr2d_as_matrix
from course_utils.exercises import ConvMatrixProblem, DenseParameterCountProblem
from conftest import edited_solution, feedback_table_test, run_check


# --------------------------------------------------------------------------- #
# Exercise 1: conv_matrix
# --------------------------------------------------------------------------- #


def test_conv_matrix_cases_reproduce_corr2d():
    problem = ConvMatrixProblem()
    for case in problem.cases():
        K, shape = case.args
        X = np.arange(np.prod(shape), dtype=float).reshape(shape)
        np.testing.assert_allclose(problem.expected(case) @ X.ravel(), corr2d(X, K).ravel())


# The reference loops with one slip: the row index counted in input pixels (i * w) instead of output ones.
ROW_INDEX_SLIP = ("M[i * ow + j", "M[i * w + j")

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
    "rows per input pixel": (edited_solution(ConvMatrixProblem, ROW_INDEX_SLIP,
                                             ("np.zeros((oh * ow, h * w))", "np.zeros((h * w, h * w))")),
                             r"9 rows, one per INPUT pixel .* the shape must be \(4, 9\)"),
    "kernel flipped": (edited_solution(ConvMatrixProblem, ("= K[a, b]", "= K[kh - 1 - a, kw - 1 - b]")),
                       r"rotated by 180 degrees: that is a true convolution"),
    "columns with the output width": (_column_width_slip, r"holds the kernel values but in the wrong columns"),
    "all zeros": (lambda K, s: np.zeros(corr2d_as_matrix(K, s).shape), r"all zeros"),
    "columns per output pixel": (lambda K, s: np.zeros((4, 4)), r"4 columns, one per OUTPUT pixel"),
    "forgot return": (lambda K, s: None, r"returned None: did you forget return M"),
    "output image": (lambda K, s: corr2d(np.arange(9.0).reshape(3, 3), K), r"shape \(2, 2\) but should have shape"),
    "flat result": (lambda K, s: corr2d_as_matrix(K, s).ravel(), r"returned an array of shape \(36,\); return a 2-D"),
    "not a number": (lambda K, s: "matrix", r"returned the text 'matrix', not a 4x9 array"),
    "wrong value": (lambda K, s: corr2d_as_matrix(K, s) + np.eye(4, 9, 3), r"row 0 \(output \(0, 0\)\) is"),
    "nested lists": (lambda K, s: corr2d_as_matrix(K, s).tolist(), None),  # lists of the right numbers are fine
    "the library's corr2d_as_matrix": (corr2d_as_matrix, None),
}


test_conv_matrix_mistakes = feedback_table_test(ConvMatrixProblem, CONV_MATRIX_MISTAKES)


def test_conv_matrix_row_index_with_input_width_fails_clearly(capsys):
    # the row index uses the input width but the matrix has the right shape: an IndexError on the first case
    result, text = run_check(ConvMatrixProblem(), edited_solution(ConvMatrixProblem, ROW_INDEX_SLIP), capsys)
    assert result is False and "IndexError" in text


def test_conv_matrix_wrong_only_on_hidden_cases_says_hidden(capsys):
    def square_only(K, input_shape):
        if input_shape[0] != input_shape[1]:
            return corr2d_as_matrix(K, input_shape[::-1])
        return corr2d_as_matrix(K, input_shape)

    result, text = run_check(ConvMatrixProblem(), square_only, capsys)
    assert result is False and "hidden case" in text


# --------------------------------------------------------------------------- #
# Exercise 2: dense parameter count
# --------------------------------------------------------------------------- #


def test_dense_count_expected_matches_torch_linear():
    import torch

    layer = torch.nn.Linear(32 * 32 * 3, 32 * 32 * 16)
    assert DenseParameterCountProblem().expected == sum(p.numel() for p in layer.parameters()) == 50_348_032
