"""course_utils.dense: the convolution matrix against corr2d, parameter counts against the frameworks."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import course_utils.dense as dense
from course_utils import corr2d
from course_utils.dense import conv_parameter_count, corr2d_as_matrix, dense_parameter_count

# --------------------------------------------------------------------------- #
# corr2d_as_matrix: worked values
# --------------------------------------------------------------------------- #

X3 = np.arange(9.0).reshape(3, 3)
K2 = np.array([[0.0, 1.0], [2.0, 3.0]])


def test_worked_example_matrix_rows():
    M = corr2d_as_matrix(K2, (3, 3))
    expected = np.array(
        [
            [0, 1, 0, 2, 3, 0, 0, 0, 0],
            [0, 0, 1, 0, 2, 3, 0, 0, 0],
            [0, 0, 0, 0, 1, 0, 2, 3, 0],
            [0, 0, 0, 0, 0, 1, 0, 2, 3],
        ],
        dtype=float,
    )
    np.testing.assert_array_equal(M, expected)


def test_worked_example_reproduces_the_cross_correlation():
    M = corr2d_as_matrix(K2, (3, 3))
    np.testing.assert_array_equal((M @ X3.ravel()).reshape(2, 2), [[19, 25], [37, 43]])
    # row by row: each row is the dot product of one window with the kernel
    assert [float(row @ X3.ravel()) for row in M] == [19.0, 25.0, 37.0, 43.0]


def test_four_by_four_input_two_by_two_kernel_is_nine_by_sixteen():
    K = np.array([[1.0, -2.0], [3.0, -4.0]])
    M = corr2d_as_matrix(K, (4, 4))
    assert M.shape == (9, 16)
    assert np.count_nonzero(M) == 9 * 4
    assert set(np.unique(M)) == {-4.0, -2.0, 0.0, 1.0, 3.0}
    assert all(np.count_nonzero(row) == 4 for row in M)


def test_kernel_as_large_as_the_input_is_one_row():
    K = np.arange(12.0).reshape(3, 4)
    M = corr2d_as_matrix(K, (3, 4))
    np.testing.assert_array_equal(M, K.reshape(1, 12))


def test_one_by_one_kernel_is_a_scaled_identity():
    np.testing.assert_array_equal(corr2d_as_matrix([[2.5]], (3, 2)), 2.5 * np.eye(6))


def test_dtypes():
    assert corr2d_as_matrix(np.ones((2, 2), np.float32), (3, 3)).dtype == np.float32
    assert corr2d_as_matrix(np.ones((2, 2), np.float16), (3, 3)).dtype == np.float32
    assert corr2d_as_matrix([[1, 2]], (3, 3)).dtype == np.float64


def test_accepts_framework_tensors_and_numpy_shapes():
    M = corr2d_as_matrix(torch.tensor([[0.0, 1.0], [2.0, 3.0]]), np.array([3, 3]))
    np.testing.assert_array_equal(M, corr2d_as_matrix(K2, (3, 3)))
    np.testing.assert_array_equal(corr2d_as_matrix(K2, [np.int64(3), np.int32(3)]), M)


# --------------------------------------------------------------------------- #
# corr2d_as_matrix: property test against corr2d and the frameworks
# --------------------------------------------------------------------------- #


@st.composite
def image_and_kernel(draw):
    h = draw(st.integers(1, 8))
    w = draw(st.integers(1, 8))
    kh = draw(st.integers(1, h))
    kw = draw(st.integers(1, w))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return rng.standard_normal((h, w)), rng.standard_normal((kh, kw))


@settings(derandomize=True, max_examples=100, deadline=None)
@given(image_and_kernel())
def test_matrix_times_flattened_input_is_corr2d(case):
    X, K = case
    M = corr2d_as_matrix(K, X.shape)
    oh, ow = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    assert M.shape == (oh * ow, X.size)
    np.testing.assert_allclose((M @ X.ravel()).reshape(oh, ow), corr2d(X, K), rtol=1e-12, atol=1e-12)
    # sparsity and weight sharing: every row holds exactly the kernel's values
    for row in M:
        np.testing.assert_array_equal(np.sort(row[row != 0]), np.sort(K[K != 0].ravel()))


@settings(derandomize=True, max_examples=25, deadline=None)
@given(image_and_kernel())
def test_matrix_agrees_with_torch_conv2d(case):
    X, K = case
    M = corr2d_as_matrix(K, X.shape)
    expected = torch.nn.functional.conv2d(torch.from_numpy(X)[None, None], torch.from_numpy(K)[None, None])
    np.testing.assert_allclose(M @ X.ravel(), expected.numpy().ravel(), rtol=1e-10, atol=1e-10)


def test_columns_of_the_matrix_are_the_transposed_convolution():
    # M.T maps an output-sized array back to the input size: the gradient of corr2d with respect to X
    rng = np.random.default_rng(3)
    X, K = rng.standard_normal((5, 6)), rng.standard_normal((2, 3))
    M = corr2d_as_matrix(K, X.shape)
    x = torch.from_numpy(X)[None, None].requires_grad_(True)
    y = torch.nn.functional.conv2d(x, torch.from_numpy(K)[None, None])
    upstream = rng.standard_normal(y.shape[-2:])
    y.backward(torch.from_numpy(upstream)[None, None])
    np.testing.assert_allclose(M.T @ upstream.ravel(), x.grad.numpy().ravel(), atol=1e-12)


# --------------------------------------------------------------------------- #
# corr2d_as_matrix: bad input
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "kernel, input_shape, error, message",
    [
        (np.ones(3), (4, 4), ValueError, r"kernel must be 2-D; got a 1-D array with shape \(3,\)"),
        (np.ones((1, 2, 2)), (4, 4), ValueError, r"kernel must be 2-D; got a 3-D array with shape \(1, 2, 2\)"),
        (np.ones((0, 2)), (4, 4), ValueError, r"kernel must not be empty; got shape \(0, 2\)"),
        ([["a", "b"]], (4, 4), TypeError, r"kernel must hold real numbers"),
        (np.ones((3, 3)), (2, 5), ValueError,
         r"kernel with shape \(3, 3\) does not fit in an input of shape input_shape=\(2, 5\)"),
        (np.ones((2, 6)), (4, 5), ValueError,
         r"kernel with shape \(2, 6\) does not fit in an input of shape input_shape=\(4, 5\)"),
        (np.ones((2, 2)), 4, TypeError, r"input_shape must be a pair \(height, width\) of positive ints; got int 4"),
        (np.ones((2, 2)), (4, 4, 1), ValueError, r"input_shape must be a pair .*got \(4, 4, 1\) with 3 entries"),
        (np.ones((2, 2)), (4.0, 4), TypeError, r"input_shape must be a positive int or a tuple of positive ints; "
                                               r"got \(4\.0, 4\) \(the entry 4\.0 is a float\)"),
        (np.ones((2, 2)), (True, 4), TypeError, r"the entry True is a bool"),
        (np.ones((2, 2)), (0, 4), ValueError, r"input_shape must hold sizes >= 1; got \(0, 4\)"),
        (np.ones((2, 2)), "4x4", TypeError, r"got str '4x4'"),
    ],
)
def test_corr2d_as_matrix_bad_input(kernel, input_shape, error, message):
    with pytest.raises(error, match=message):
        corr2d_as_matrix(kernel, input_shape)


# --------------------------------------------------------------------------- #
# Parameter counts
# --------------------------------------------------------------------------- #


def test_worked_counts_of_the_lesson():
    assert dense_parameter_count((1000, 1000, 3), 1, bias=False) == 3_000_000
    assert dense_parameter_count((1000, 1000, 3), (1000, 1000), bias=False) == 3 * 10**12
    assert dense_parameter_count((1000, 1000, 3), (1000, 1000)) == 3 * 10**12 + 10**6
    assert dense_parameter_count((28, 28), (28, 28)) == 784 * 784 + 784
    assert conv_parameter_count(3, 1, 3) == 28
    assert conv_parameter_count(3, 1, 3, bias=False) == 27


def test_shape_axes_do_not_matter_only_sizes():
    assert dense_parameter_count((4, 5, 6), 7) == dense_parameter_count(120, (7,)) == 120 * 7 + 7
    assert dense_parameter_count(np.array([2, 3]), [4]) == 6 * 4 + 4
    assert isinstance(dense_parameter_count((1000, 1000, 3), (1000, 1000)), int)


DENSE_CASES = [((28, 28), 1), ((28, 28), (28, 28)), ((8, 8, 3), (8, 8)), (5, 3), ((2, 3, 4), (6,))]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("input_shape, output_shape", DENSE_CASES)
def test_dense_count_matches_torch_linear(input_shape, output_shape, bias):
    n_in, n_out = int(np.prod(input_shape)), int(np.prod(output_shape))
    layer = torch.nn.Linear(n_in, n_out, bias=bias)
    assert dense_parameter_count(input_shape, output_shape, bias=bias) == sum(p.numel() for p in layer.parameters())


@pytest.mark.parametrize("input_shape, output_shape", DENSE_CASES)
def test_dense_count_matches_gluon_and_flax(input_shape, output_shape):
    import flax.linen as fnn
    import jax
    import jax.numpy as jnp
    from mxnet import np as mnp
    from mxnet import npx
    from mxnet.gluon import nn as gluon_nn

    npx.set_np()
    input_shape = np.atleast_1d(input_shape).tolist()
    n_out = int(np.prod(output_shape))
    expected = dense_parameter_count(input_shape, output_shape)

    gluon_layer = gluon_nn.Dense(n_out)  # flattens every axis after the batch axis
    gluon_layer.initialize()
    gluon_layer(mnp.zeros([1] + input_shape))  # deferred initialisation fixes in_units
    assert sum(p.data().size for p in gluon_layer.collect_params().values()) == expected

    params = fnn.Dense(n_out).init(jax.random.PRNGKey(0), jnp.zeros((1, int(np.prod(input_shape)))))
    assert sum(leaf.size for leaf in jax.tree_util.tree_leaves(params)) == expected


def test_conv_count_is_the_layer_cost_function_and_matches_torch():
    from course_utils import layer_cost

    assert dense.conv_parameter_count is layer_cost.conv_parameter_count
    layer = torch.nn.Conv2d(3, 1, 3)
    assert conv_parameter_count(3, 1, 3) == sum(p.numel() for p in layer.parameters()) == 28


def test_conv_is_a_dense_layer_with_most_weights_fixed_at_zero():
    # the matrix has as many entries as the dense layer has weights, but only kh * kw distinct values
    K = np.arange(1.0, 10.0).reshape(3, 3)
    M = corr2d_as_matrix(K, (6, 6))
    assert M.size == dense_parameter_count((6, 6), (4, 4), bias=False)
    assert len(np.unique(M[M != 0])) == conv_parameter_count(1, 1, 3, bias=False)


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        (((28, 28), 0), {}, ValueError, r"output_shape must hold sizes >= 1; got 0"),
        (((28, -1), 10), {}, ValueError, r"input_shape must hold sizes >= 1; got \(28, -1\)"),
        (((), 10), {}, ValueError, r"input_shape must hold at least one size; got \(\)"),
        (((28, 28.0), 10), {}, TypeError, r"input_shape must be a positive int or a tuple of positive ints; "
                                          r"got \(28, 28\.0\) \(the entry 28\.0 is a float\)"),
        ((784, "10"), {}, TypeError, r"output_shape must be .*the entry '10' is a str"),
        ((784, 10), {"bias": 1}, TypeError, r"bias must be True or False; got int 1"),
        ((784, True), {}, TypeError, r"output_shape .*the entry True is a bool"),
    ],
)
def test_dense_parameter_count_bad_input(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        dense_parameter_count(*args, **kwargs)


def test_messages_name_the_parameter():
    with pytest.raises(ValueError) as info:
        corr2d_as_matrix(np.ones((5, 2)), (4, 4))
    text = str(info.value)
    assert re.search(r"kernel", text) and "(5, 2)" in text and "(4, 4)" in text
