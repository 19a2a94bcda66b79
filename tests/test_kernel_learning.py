"""course_utils.kernel_learning: the Hessian, the critical learning rate, the reference descent, bad input.

The Hessian formula is checked against second derivatives that do not use it:
PyTorch's autograd Hessian and central finite differences of the loss, on
random images, kernel shapes, with and without a bias, summed and averaged.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import corr2d
from course_utils.kernel_learning import (
    KernelDescent,
    critical_learning_rate,
    gradient_descent_kernel,
    patch_matrix,
    predicted_loss_growth,
    squared_loss,
    squared_loss_gradient,
    squared_loss_hessian,
)

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def band_image(width):
    X = np.ones((6, width))
    X[:, 2:6] = 0
    return X


@st.composite
def problems(draw):
    """A random image, kernel shape and target, with a bias flag and a reduction."""
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H, W = draw(st.integers(kh, kh + 4)), draw(st.integers(kw, kw + 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((H, W))
    K = rng.standard_normal((kh, kw))
    Y = rng.standard_normal((H - kh + 1, W - kw + 1))
    bias = draw(st.booleans())
    reduction = draw(st.sampled_from(["sum", "mean"]))
    return X, K, Y, float(rng.standard_normal()), bias, reduction


def torch_loss(X, Y, reduction, kernel_shape, bias):
    x, y = torch.from_numpy(X)[None, None], torch.from_numpy(Y)
    m = kernel_shape[0] * kernel_shape[1]

    def loss(w):
        prediction = F.conv2d(x, w[:m].reshape(1, 1, *kernel_shape))[0, 0] + (w[m] if bias else 0.0)
        squared = (prediction - y) ** 2
        return squared.mean() if reduction == "mean" else squared.sum()

    return loss


def parameters(K, b, bias):
    """The loss's parameter vector: the kernel's entries, then the bias if there is one."""
    return np.concatenate([K.ravel(), [b]]) if bias else K.ravel()


def autograd_hessian(X, K, Y, b, bias, reduction):
    loss = torch_loss(X, Y, reduction, K.shape, bias)
    return torch.autograd.functional.hessian(loss, torch.from_numpy(parameters(K, b, bias))).numpy()


def finite_difference_hessian(X, K, Y, b, bias, reduction):
    """Central second differences of squared_loss: exact for a quadratic, up to round-off."""
    m = K.size

    def loss(w):
        return squared_loss(X, Y, w[:m].reshape(K.shape), w[m] if bias else 0.0, reduction=reduction)

    w0 = parameters(K, b, bias)
    h = 0.5
    E = np.eye(w0.size) * h
    return np.array([[(loss(w0 + E[i] + E[j]) - loss(w0 + E[i] - E[j]) - loss(w0 - E[i] + E[j])
                       + loss(w0 - E[i] - E[j])) / (4 * h * h) for j in range(w0.size)] for i in range(w0.size)])


@pytest.mark.parametrize("reference, tolerance", [(autograd_hessian, 1e-10), (finite_difference_hessian, 1e-7)],
                         ids=["autograd", "finite_differences"])
@SETTINGS
@given(problems())
def test_hessian_equals_second_derivatives_that_do_not_use_it(reference, tolerance, problem):
    X, K, Y, b, bias, reduction = problem
    np.testing.assert_allclose(squared_loss_hessian(X, K.shape, bias=bias, reduction=reduction), reference(*problem),
                               rtol=tolerance, atol=tolerance)


@SETTINGS
@given(problems())
def test_loss_and_gradient_agree_with_pytorch(problem):
    X, K, Y, b, _, reduction = problem
    w = torch.from_numpy(np.concatenate([K.ravel(), [b]])).requires_grad_(True)
    loss = torch_loss(X, Y, reduction, K.shape, True)(w)
    loss.backward()
    grad_K, grad_b = squared_loss_gradient(X, Y, K, b, reduction=reduction)
    assert squared_loss(X, Y, K, b, reduction=reduction) == pytest.approx(loss.item(), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(grad_K.ravel(), w.grad.numpy()[:-1], rtol=1e-10, atol=1e-10)
    assert grad_b == pytest.approx(w.grad.numpy()[-1], rel=1e-10, abs=1e-10)
    assert grad_K.shape == K.shape and grad_K.dtype == np.float64


@SETTINGS
@given(problems())
def test_patch_matrix_times_the_kernel_is_the_correlation(problem):
    X, K, _, b, _, _ = problem
    np.testing.assert_allclose(patch_matrix(X, K.shape) @ K.ravel(), corr2d(X, K).ravel(), atol=1e-12)
    with_bias = patch_matrix(X, K.shape, bias=True) @ np.concatenate([K.ravel(), [b]])
    np.testing.assert_allclose(with_bias, corr2d(X, K).ravel() + b, atol=1e-12)


# --------------------------------------------------------------------------- worked values

def test_worked_values_of_the_two_band_images():
    H9, H8 = squared_loss_hessian(band_image(9), (1, 2)), squared_loss_hessian(band_image(8), (1, 2))
    assert np.array_equal(H9, [[48, 36], [36, 48]]) and np.array_equal(H8, [[36, 24], [24, 36]])
    np.testing.assert_allclose(np.linalg.eigvalsh(H9), [12, 84])
    np.testing.assert_allclose(np.linalg.eigvalsh(H8), [12, 60])
    values, vectors = np.linalg.eigh(H9)
    assert abs(vectors[:, 1] @ np.array([1, 1]) / np.sqrt(2)) == pytest.approx(1)
    assert abs(vectors[:, 0] @ np.array([1, -1]) / np.sqrt(2)) == pytest.approx(1)
    assert critical_learning_rate(band_image(9), (1, 2)) == pytest.approx(2 / 84)
    assert critical_learning_rate(band_image(8), (1, 2)) == pytest.approx(2 / 60)
    assert critical_learning_rate(band_image(9), (1, 2), reduction="mean") == pytest.approx(48 * 2 / 84)
    assert predicted_loss_growth(0.05, 84) == pytest.approx(10.24)
    assert predicted_loss_growth(0.05, 12) == pytest.approx(0.16)
    assert predicted_loss_growth(0.03, 12) == pytest.approx(0.4096)


def test_bias_hessian_of_the_6x8_image():
    H = squared_loss_hessian(band_image(8), (1, 2), bias=True)
    assert np.array_equal(H, [[36, 24, 36], [24, 36, 36], [36, 36, 84]])
    values = np.linalg.eigvalsh(H)
    assert values[0] == pytest.approx(12) and values[-1] == pytest.approx(124.30678732, rel=1e-8)
    assert critical_learning_rate(band_image(8), (1, 2), bias=True) == pytest.approx(2 / values[-1])
    with_bias = critical_learning_rate(band_image(8), (1, 2), bias=True)
    assert with_bias < 0.03 < critical_learning_rate(band_image(8), (1, 2))


def test_an_all_zero_image_has_no_critical_rate():
    assert critical_learning_rate(np.zeros((3, 3)), 2) == float("inf")


# --------------------------------------------------------------------------- the growth factor in a real run

@pytest.mark.parametrize("width, rate", [(9, 0.05), (9, 0.03), (9, 0.02), (8, 0.03), (8, 0.04), (8, 0.01)])
def test_predicted_growth_matches_a_simulated_run_along_the_top_eigenvector(width, rate):
    """Start with the error exactly along the top eigenvector: every step multiplies the loss by (1 - rate lambda)^2."""
    X = band_image(width)
    K_true = np.array([[1.0, -1.0]])
    values, vectors = np.linalg.eigh(squared_loss_hessian(X, (1, 2)))
    start = K_true + 0.3 * vectors[:, -1][None, :]
    run = gradient_descent_kernel(X, corr2d(X, K_true), start, learning_rate=rate, steps=6)
    np.testing.assert_allclose(run.losses[1:] / run.losses[:-1], predicted_loss_growth(rate, values[-1]), rtol=1e-9)


def test_predicted_growth_is_the_late_ratio_from_a_generic_start():
    X = band_image(9)
    run = gradient_descent_kernel(X, corr2d(X, [[1.0, -1.0]]), [[0.04, -0.02]], learning_rate=0.05, steps=10)
    assert run.losses[-1] / run.losses[-2] == pytest.approx(10.24, rel=1e-6)
    k0, k1 = run.kernels[-1].ravel()
    assert (k0 - 1) == pytest.approx(k1 + 1, rel=1e-6)  # (1, -1) + c (1, 1)


def test_predicted_growth_broadcasts_and_returns_floats_for_numbers():
    grid = predicted_loss_growth(np.array([[0.01], [0.05]]), np.array([12.0, 84.0]))
    assert grid.shape == (2, 2)
    np.testing.assert_allclose(grid, [[0.7744, 0.0256], [0.16, 10.24]])
    assert isinstance(predicted_loss_growth(0.01, 12), float)


# --------------------------------------------------------------------------- the reference descent

def test_descent_follows_the_update_rule_with_and_without_bias():
    rng = np.random.default_rng(3)
    X, Y, K = rng.standard_normal((5, 6)), rng.standard_normal((4, 4)), rng.standard_normal((2, 3))
    run = gradient_descent_kernel(X, Y, K, learning_rate=0.01, steps=3, bias=0.2)
    k, b = K.copy(), 0.2
    for t in range(4):
        assert run.losses[t] == pytest.approx(squared_loss(X, Y, k, b))
        np.testing.assert_allclose(run.kernels[t], k)
        assert run.biases[t] == pytest.approx(b)
        grad_K, grad_b = squared_loss_gradient(X, Y, k, b)
        k, b = k - 0.01 * grad_K, b - 0.01 * grad_b
    no_bias = gradient_descent_kernel(X, Y, K, learning_rate=0.01, steps=3)
    assert isinstance(no_bias, KernelDescent) and no_bias.biases is None
    assert no_bias.losses.shape == (4,) and no_bias.kernels.shape == (4, 2, 3)


def test_mean_reduction_is_the_sum_with_a_rate_divided_by_n():
    X = band_image(9)
    Y = corr2d(X, [[1.0, -1.0]])
    mean_run = gradient_descent_kernel(X, Y, [[0.04, -0.02]], learning_rate=1.0, steps=5, reduction="mean")
    sum_run = gradient_descent_kernel(X, Y, [[0.04, -0.02]], learning_rate=1.0 / Y.size, steps=5)
    np.testing.assert_allclose(mean_run.kernels, sum_run.kernels, rtol=1e-12)
    np.testing.assert_allclose(mean_run.losses * Y.size, sum_run.losses, rtol=1e-12)


def test_zero_steps_and_inputs_are_not_modified():
    X, Y, K = band_image(8), corr2d(band_image(8), [[1.0, -1.0]]), np.array([[0.5, 0.5]])
    before = K.copy()
    run = gradient_descent_kernel(X, Y, K, learning_rate=0.03, steps=0)
    assert run.losses.shape == (1,) and np.array_equal(run.kernels[0], K) and np.array_equal(K, before)


def test_a_wildly_diverging_run_overflows_quietly():
    X = band_image(9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = gradient_descent_kernel(X, corr2d(X, [[1.0, -1.0]]), [[0.1, 0.1]], learning_rate=10.0, steps=400)
    assert not np.isfinite(run.losses[-1])


def test_the_source_run_is_reproduced_from_its_estimated_start():
    """The MXNet source's printed losses follow from the start kernel the lesson recovers, ~(0.0069, 0.0129)."""
    X = band_image(9)
    run = gradient_descent_kernel(X, corr2d(X, [[1.0, -1.0]]), [[0.006946, 0.012886]], learning_rate=0.05, steps=10)
    printed = np.array([2.016, 8.918, 929.946, 97511.852, 10224868.0])
    np.testing.assert_allclose(run.losses[[1, 3, 5, 7, 9]], printed, rtol=1e-3)
    np.testing.assert_allclose(run.kernels[-1].ravel(), [1117.4498, 1115.4502], rtol=1e-4)


# --------------------------------------------------------------------------- bad input

BAD_CALLS = [
    (lambda: squared_loss_hessian(np.ones((2, 2)), (3, 3)), ValueError,
     r"kernel_shape = \(3, 3\) is larger than the input X with shape \(2, 2\)"),
    (lambda: squared_loss_hessian(np.ones((3, 3)), 0), ValueError, r"kernel_shape must be >= 1; got 0"),
    (lambda: squared_loss_hessian(np.ones(5), (1, 2)), ValueError, r"X must be 2-D; got a 1-D array with shape \(5,\)"),
    (lambda: squared_loss_hessian("image", (1, 2)), TypeError, r"X must be an array of numbers; got str 'image'"),
    (lambda: squared_loss_hessian([["a", "b"]], (1, 2)), TypeError, r"X must hold real numbers"),
    (lambda: squared_loss_hessian(np.ones((3, 3)), (1, 2), reduction="avg"), ValueError,
     r"reduction must be 'sum' or 'mean'; got 'avg'"),
    (lambda: squared_loss_hessian(np.ones((3, 3)), (1, 2), bias=1), TypeError,
     r"bias must be True or False; got int 1"),
    (lambda: critical_learning_rate(np.ones((3, 3)), (1, 2, 3)), ValueError,
     r"kernel_shape must be an int or an \(h, w\) pair"),
    (lambda: patch_matrix(np.ones((3, 3)), 1.5), TypeError,
     r"kernel_shape must be an int or a pair of ints; got float 1.5"),
    (lambda: squared_loss(np.ones((3, 4)), np.ones((3, 2)), [[1, -1]]), ValueError,
     r"Y must have the shape of the output corr2d\(X, K\), \(3, 3\) for X with shape \(3, 4\) and K with shape "
     r"\(1, 2\); got Y with shape \(3, 2\)"),
    (lambda: squared_loss_gradient(np.ones((3, 4)), np.ones((3, 3)), [[1, -1]], bias="0"), TypeError,
     r"bias must be a real number; got str '0'"),
    (lambda: squared_loss(np.ones((2, 2)), np.ones((1, 1)), np.ones((3, 1))), ValueError,
     r"kernel K with shape \(3, 1\) is larger than the input X with shape \(2, 2\)"),
    (lambda: gradient_descent_kernel(np.ones((3, 4)), np.ones((3, 3)), [[0, 0]], learning_rate=0, steps=1),
     ValueError, r"learning_rate must be positive; got 0"),
    (lambda: gradient_descent_kernel(np.ones((3, 4)), np.ones((3, 3)), [[0, 0]], learning_rate=True, steps=1),
     TypeError, r"learning_rate must be a real number; got bool True"),
    (lambda: gradient_descent_kernel(np.ones((3, 4)), np.ones((3, 3)), [[0, 0]], learning_rate=float("nan"), steps=1),
     ValueError, r"learning_rate must be finite; got nan"),
    (lambda: gradient_descent_kernel(np.ones((3, 4)), np.ones((3, 3)), [[0, 0]], learning_rate=0.1, steps=2.0),
     TypeError, r"steps must be an int; got float 2.0"),
    (lambda: gradient_descent_kernel(np.ones((3, 4)), np.ones((3, 3)), [[0, 0]], learning_rate=0.1, steps=-1),
     ValueError, r"steps must be >= 0; got -1"),
    (lambda: gradient_descent_kernel(np.ones((3, 4)), np.ones((3, 2)), [[0, 0]], learning_rate=0.1, steps=1),
     ValueError,
     r"corr2d\(X, init\), \(3, 3\) for X with shape \(3, 4\) and init with shape \(1, 2\); got Y with shape \(3, 2\)"),
    (lambda: gradient_descent_kernel(np.ones((3, 4)), np.ones((3, 3)), [0, 0], learning_rate=0.1, steps=1),
     ValueError, r"init must be 2-D; got a 1-D array with shape \(2,\)"),
    (lambda: predicted_loss_growth(-0.1, 3.0), ValueError, r"learning_rate must be positive and finite; got -0.1"),
    (lambda: predicted_loss_growth(0.1, -3.0), ValueError, r"eigenvalue must be finite and >= 0 .*; got -3.0"),
    (lambda: predicted_loss_growth([0.1, 0.2], [1.0, 2.0, 3.0]), ValueError,
     r"learning_rate with shape \(2,\) and eigenvalue with shape \(3,\) do not broadcast"),
    (lambda: predicted_loss_growth("fast", 3.0), TypeError, r"learning_rate must be an array of numbers; got str"),
]


@pytest.mark.parametrize("call, error, message", BAD_CALLS, ids=[m[:40] for _, _, m in BAD_CALLS])
def test_bad_input_gets_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_messages_name_the_parameter_and_value():
    with pytest.raises(ValueError) as info:
        critical_learning_rate(np.ones((4, 4)), (5, 1))
    assert re.search(r"kernel_shape = \(5, 1\).*X with shape \(4, 4\)", str(info.value))
