"""Lesson 05 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

import numpy as np
import pytest

import course_utils as cu
from course_utils.exercises import CriticalLearningRateProblem, KernelGradientProblem
from course_utils.exercises.learning_a_kernel import EXERCISE_IMAGE
from course_utils.kernel_learning import critical_learning_rate, squared_loss_hessian
from conftest import feedback_table_test, run_check


# --------------------------------------------------------------------------- exercise 1

def test_the_exercise_image_has_the_numbers_the_hints_quote():
    H = squared_loss_hessian(EXERCISE_IMAGE, (1, 2))
    assert np.array_equal(H, [[6, 4], [4, 6]])
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [2, 10])
    assert critical_learning_rate(EXERCISE_IMAGE, (1, 2)) == pytest.approx(0.2)
    assert critical_learning_rate(EXERCISE_IMAGE, (1, 2), reduction="mean") == pytest.approx(0.8)


def test_known_mistakes_are_distinct_and_not_the_answer():
    problem = CriticalLearningRateProblem()
    values = [value for value, _ in problem.known_mistakes]
    assert len(set(np.round(values, 9))) == len(values)
    assert not any(np.isclose(value, problem.expected) for value in values)


# --------------------------------------------------------------------------- exercise 2

def _gradient(X, Y, K):
    return 2 * cu.corr2d(X, cu.corr2d(X, K) - Y)


GRADIENT_MISTAKES = {
    "sign flipped": (lambda X, Y, K: 2 * cu.corr2d(X, Y - cu.corr2d(X, K)), r"the sign is flipped\. The residual"),
    "no factor 2": (lambda X, Y, K: cu.corr2d(X, cu.corr2d(X, K) - Y), r"half the right one"),
    "sign and factor 2": (lambda X, Y, K: cu.corr2d(X, Y - cu.corr2d(X, K)), r"sign is flipped and the factor 2"),
    "transposed patches": (lambda X, Y, K: 2 * cu.corr2d(X.T, (cu.corr2d(X, K) - Y).T), r"kernel's shape transposed"),
    "returned dL/dY": (lambda X, Y, K: 2 * (cu.corr2d(X, K) - Y), r"that is dL/dY = 2 R"),
    "mean loss": (lambda X, Y, K: _gradient(X, Y, K) / Y.size, r"divided by the number of outputs"),
    "flipped residual": (lambda X, Y, K: 2 * cu.convolve2d(X, cu.corr2d(X, K) - Y), r"flipped the residual"),
    "forgot the target": (lambda X, Y, K: 2 * cu.corr2d(X, cu.corr2d(X, K)), r"the target Y is missing"),
    "forgot return": (lambda X, Y, K: None, r"returned None"),
    "wrong shape": (lambda X, Y, K: np.zeros(3), r"should have the shape of K"),
    "off by one entry": (lambda X, Y, K: _gradient(X, Y, K) + np.eye(*K.shape), r"entry \[0, 0\] is .* but should be"),
    "a list of lists": (lambda X, Y, K: _gradient(X, Y, K).tolist(), None),  # accepted
    "not a number": (lambda X, Y, K: "gradient", r"returned the text 'gradient', not a 1x2 array"),
    "modifies K": (lambda X, Y, K: np.subtract(K, 1.0, out=K), r"changed its input K"),
}


test_gradient_mistakes = feedback_table_test(KernelGradientProblem, GRADIENT_MISTAKES, number=2)


def test_gradient_transposed_for_a_square_kernel_is_diagnosed(capsys):
    def transposed_when_square(X, Y, K):
        grad = _gradient(X, Y, K)
        return grad.T if K.shape[0] == K.shape[1] else grad

    result, text = run_check(KernelGradientProblem(), transposed_when_square, capsys)
    assert result is False and "hidden case" in text and "gradient is transposed" in text


def test_gradient_cases_cover_the_lesson_example_and_odd_shapes():
    cases = KernelGradientProblem().cases()
    first = cases[0]
    assert not first.hidden and first.args[0].shape == (6, 8) and first.args[2].shape == (1, 2)
    kernel_shapes = {c.args[2].shape for c in cases}
    assert {(3, 3), (1, 1), (3, 4)} <= kernel_shapes
    assert all(np.any(KernelGradientProblem().expected(c) != 0) for c in cases)
