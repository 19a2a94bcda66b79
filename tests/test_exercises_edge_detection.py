"""Lesson 04 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

import course_utils as cu
from course_utils.exercises import EdgeValueProblem, HorizontalEdgesProblem
from course_utils.exercises.edge_detection import EDGE_VALUE_IMAGE
from conftest import feedback_table_test


# --------------------------------------------------------------------------- #
# Exercise 1: horizontal_edges


def test_horizontal_edges_cases_are_non_square_and_include_the_lesson_image():
    cases = HorizontalEdgesProblem().cases()
    assert all(c.args[0].shape[0] != c.args[0].shape[1] for c in cases)
    first = cases[0].args[0]
    assert first.shape == (8, 6) and not cases[0].hidden
    assert np.array_equal(cu.corr2d(first, [[1.0], [-1.0]])[:, 0], [0, 1, 0, 0, 0, -1, 0])


HORIZONTAL_MISTAKES = {
    "sign flipped": (lambda X: X[1:, :] - X[:-1, :], r"opposite sign: it computes bottom minus top"),
    "true convolution": (lambda X: cu.convolve2d(X, np.array([[1.0], [-1.0]])), r"opposite sign"),
    "vertical kernel": (lambda X: cu.corr2d(X, np.array([[1.0, -1.0]])),
                        r"shape \(\d+, \d+\), \(H, W - 1\): that is the vertical-edge map .*\[\[1\], \[-1\]\]"),
    "other 1x2 kernel": (lambda X: cu.corr2d(X, np.array([[1.0, 1.0]])), r"your kernel is 1 row by 2 columns"),
    "transposed result": (lambda X: cu.corr2d(X.T, np.array([[1.0, -1.0]])),
                          r"the right one transposed: shape .* must be transposed back"),
    "transposed and flipped": (lambda X: cu.corr2d(X.T, np.array([[-1.0, 1.0]])),
                               r"transposed \(and its sign is flipped\)"),
    "same size": (lambda X: np.vstack([X[:-1] - X[1:], np.zeros((1, X.shape[1]))]),
                  r"same shape as X, \(\d+, \d+\)\. Keep only the positions"),
    "3 tall kernel": (lambda X: cu.corr2d(X, np.array([[1.0], [0.0], [-1.0]])), r"H - 2 = \d+ rows: either your kernel is 3 rows tall .* or your loop over rows stops one early"),
    "wrong values": (lambda X: (X[:-1] - X[1:]) * 2, r"the value at \[\d+, \d+\] is .* but should be X\["),
    "forgot return": (lambda X: None, r"returned None: did you forget return"),
    "1-d result": (lambda X: (X[:-1] - X[1:]).ravel(), r"return a 2-D map of shape \(H - 1, W\)"),
    "not numbers": (lambda X: "edges", r"returned the text 'edges', not a 7x6 array"),
    "odd shape": (lambda X: np.zeros((1, 1)), r"has shape \(1, 1\) but should have shape \(H - 1, W\)"),
    "torch tensor": (lambda X: F.conv2d(torch.from_numpy(X)[None, None], torch.tensor([[[[1.0], [-1.0]]]],
                                                                                       dtype=torch.float64))[0, 0],
                     None),  # a PyTorch result with the right numbers is accepted
    "slicing": (lambda X: X[:-1, :] - X[1:, :], None),
}


test_horizontal_edges_mistakes = feedback_table_test(HorizontalEdgesProblem, HORIZONTAL_MISTAKES)


# --------------------------------------------------------------------------- #
# Exercise 2: one output of [1, -1]


def test_value_matches_the_reference_operation():
    assert cu.corr2d(EDGE_VALUE_IMAGE, [[1.0, -1.0]])[1, 1] == EdgeValueProblem().expected == 6


def test_known_mistakes_are_distinct_from_each_other_and_from_the_answer():
    problem = EdgeValueProblem()
    values = [problem.expected] + [value for value, _ in problem.known_mistakes]
    assert len(set(float(v) for v in values)) == len(values)


# --------------------------------------------------------------------------- #
# Exercise 3: thought problem


def test_thought_problem_claims_hold():
    """The model answer: zero-sum maps ignore an added constant, sum-one maps shift by it, all scale with gain."""
    from course_utils.kernels import kernel_preset

    image = np.random.default_rng(9).random((10, 12))
    for name in ["sobel_x", "sobel_y", "laplacian"]:
        kernel = kernel_preset(name)
        np.testing.assert_allclose(cu.corr2d(image + 0.2, kernel), cu.corr2d(image, kernel), atol=1e-12)
    for name in ["box_blur", "gaussian_blur", "sharpen", "identity"]:
        kernel = kernel_preset(name)
        np.testing.assert_allclose(cu.corr2d(image + 0.2, kernel), cu.corr2d(image, kernel) + 0.2, atol=1e-12)
    kernel = kernel_preset("sobel_x")
    np.testing.assert_allclose(cu.corr2d(2 * image, kernel), 2 * cu.corr2d(image, kernel), atol=1e-12)
