"""course_utils.efficient_layers and layer_cost's groups=: block costs against PyTorch's own layers and
FLOP counter, arithmetic intensity by its definition, separable kernels against outer products and the SVD.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

import course_utils as cu
from course_utils.efficient_layers import (BLOCK_KINDS, block_cost, block_cost_table, block_layers,
                                           conv_arithmetic_intensity, conv_values_moved, is_separable,
                                           rank_one_approximation, separable_factors)
from course_utils.layer_cost import conv_multiply_adds, conv_parameter_count

PROPERTY = settings(max_examples=100, deadline=None, derandomize=True, database=None)


def torch_block(kind, channels, **options):
    layers = [torch.nn.Conv2d(spec.in_channels, spec.out_channels, spec.kernel_size, padding=spec.kernel_size // 2,
                              groups=spec.groups, bias=False)
              for spec in block_layers(kind, channels, **options)]
    return torch.nn.Sequential(*layers)


def torch_multiply_adds(module, x):
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops() // 2  # the counter reports two FLOPs per multiply-add


# -- groups= in layer_cost -----------------------------------------------------------------------

@PROPERTY
@given(groups=st.integers(1, 4), per_in=st.integers(1, 3), per_out=st.integers(1, 3), k=st.integers(1, 4),
       size=st.integers(4, 9), bias=st.booleans())
def test_grouped_counts_match_torch(groups, per_in, per_out, k, size, bias):
    c_in, c_out = groups * per_in, groups * per_out
    layer = torch.nn.Conv2d(c_in, c_out, k, groups=groups, bias=bias)
    assert conv_parameter_count(c_in, c_out, k, bias=bias, groups=groups) == sum(p.numel() for p in layer.parameters())
    expected = torch_multiply_adds(layer, torch.zeros(1, c_in, size, size))
    assert conv_multiply_adds(size, c_in, c_out, k, groups=groups) == expected


def test_groups_divide_the_weight_counts():
    for groups in (1, 2, 4, 8, 16):
        assert conv_parameter_count(16, 32, 3, bias=False, groups=groups) * groups == 16 * 32 * 9
        assert conv_multiply_adds(10, 16, 32, 3, groups=groups) * groups == conv_multiply_adds(10, 16, 32, 3)


@pytest.mark.parametrize("groups, error, message", [
    (3, ValueError, "groups=3 must divide in_channels=4 and out_channels=6"),
    (4, ValueError, "groups=4 must divide in_channels=4 and out_channels=6"),
    (0, ValueError, "groups must be >= 1; got 0"),
    (True, TypeError, "groups must be an int >= 1; got bool True"),
    (2.0, TypeError, "groups must be an int >= 1; got float 2.0"),
])
def test_bad_groups_are_refused_by_name(groups, error, message):
    with pytest.raises(error, match=re.escape(message)):
        conv_parameter_count(4, 6, 3, groups=groups)
    with pytest.raises(error, match=re.escape(message)):
        conv_multiply_adds(8, 4, 6, 3, groups=groups)


# -- blocks ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", BLOCK_KINDS)
@pytest.mark.parametrize("channels, size, k", [(8, 7, 3), (16, 5, 5), (4, (6, 9), 1)])
def test_block_cost_matches_torch_modules(kind, channels, size, k):
    block = torch_block(kind, channels, kernel_size=k, reduction=4, expansion=3)
    h, w = (size, size) if isinstance(size, int) else size
    parameters, multiply_adds = block_cost(kind, channels, size, kernel_size=k, reduction=4, expansion=3)
    assert parameters == sum(p.numel() for p in block.parameters())
    x = torch.zeros(1, channels, h, w)
    assert multiply_adds == torch_multiply_adds(block, x)
    assert block(x).shape == x.shape  # same width, same size


def test_bias_adds_one_per_output_channel_of_every_layer():
    for kind in BLOCK_KINDS:
        outputs = sum(spec.out_channels for spec in block_layers(kind, 16))
        assert block_cost(kind, 16, 8, bias=True)[0] - block_cost(kind, 16, 8)[0] == outputs


@PROPERTY
@given(channels=st.sampled_from([4, 8, 12, 32, 64]), k=st.sampled_from([1, 3, 5, 7]), size=st.integers(7, 40))
def test_separable_ratio_is_one_over_c_plus_one_over_k_squared(channels, k, size):
    # depthwise + pointwise over the standard layer, both counted: 1/c + 1/k^2 exactly (c in = c out)
    standard, separable = block_cost("standard", channels, size, kernel_size=k), block_cost(
        "separable", channels, size, kernel_size=k)
    assert separable[1] * channels * k * k == standard[1] * (k * k + channels)
    assert separable[0] * channels * k * k == standard[0] * (k * k + channels)


def test_table_rows_and_ratios():
    rows = block_cost_table(64, 56)
    assert [row["block"] for row in rows] == list(BLOCK_KINDS)
    for row in rows:
        assert (row["parameters"], row["multiply_adds"]) == block_cost(row["block"], 64, 56)
        assert row["multiply_adds_vs_standard"] == row["multiply_adds"] / rows[0]["multiply_adds"]
    assert rows[0]["parameters_vs_standard"] == 1.0
    assert rows[3]["layers"] == "1x1 expand -> depthwise 3x3 -> 1x1 project"


@pytest.mark.parametrize("call, error, message", [
    (lambda: block_layers("dense", 8), ValueError, "kind must be one of 'standard', 'bottleneck', 'separable', "
                                                   "'inverted residual'; got 'dense'"),
    (lambda: block_layers("standard", 0), ValueError, "channels must be a positive int (at least 1); got 0"),
    (lambda: block_layers("standard", 8.0), TypeError, "channels must be a positive int; got float 8.0"),
    (lambda: block_layers("standard", 8, kernel_size=4), ValueError, "kernel_size must be odd"),
    (lambda: block_layers("bottleneck", 6, reduction=4), ValueError, "reduction=4 must divide channels=6"),
    (lambda: block_layers("inverted residual", 6, expansion=0), ValueError, "expansion must be a positive int"),
    (lambda: block_cost_table(8, 0), ValueError, "input_hw must be >= 1; got 0"),
])
def test_block_bad_input(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


# -- arithmetic intensity ---------------------------------------------------------------------------

@PROPERTY
@given(batch=st.integers(1, 3), groups=st.integers(1, 3), per_in=st.integers(1, 3), per_out=st.integers(1, 3),
       k=st.integers(1, 3), size=st.integers(3, 8), padding=st.integers(0, 1))
def test_values_moved_counts_input_weights_and_output(batch, groups, per_in, per_out, k, size, padding):
    c_in, c_out = groups * per_in, groups * per_out
    x = np.zeros((batch, c_in, size, size))
    w = np.zeros((c_out, per_in, k, k))
    y = cu.corr2d_batch(x, w, padding=padding, groups=groups)
    moved = conv_values_moved(size, c_in, c_out, k, padding=padding, groups=groups, batch=batch)
    assert moved == x.size + w.size + y.size
    work = batch * conv_multiply_adds(size, c_in, c_out, k, padding=padding, groups=groups)
    assert conv_arithmetic_intensity(size, c_in, c_out, k, padding=padding, groups=groups, batch=batch) == work / moved


def test_depthwise_intensity_is_far_below_dense():
    dense = conv_arithmetic_intensity(56, 64, 64, 3, padding=1)
    depthwise = conv_arithmetic_intensity(56, 64, 64, 3, padding=1, groups=64)
    assert depthwise < 9 < dense / 20  # at most k^2 multiply-adds per output value, each output moved once


def test_intensity_bad_input():
    with pytest.raises(ValueError, match=re.escape("batch must be a positive int (at least 1); got 0")):
        conv_arithmetic_intensity(8, 4, 4, 3, batch=0)
    with pytest.raises(ValueError, match=re.escape("groups=3 must divide in_channels=4")):
        conv_values_moved(8, 4, 4, 3, groups=3)


# -- separable kernels ---------------------------------------------------------------------------

vectors = st.integers(1, 6).flatmap(
    lambda n: st.lists(st.integers(-5, 5), min_size=n, max_size=n).filter(any).map(np.array))


@PROPERTY
@given(column=vectors, row=vectors, scale=st.sampled_from([1e-6, 1.0, 1e6]))
def test_outer_products_are_separable_and_factor_back(column, row, scale):
    K = scale * np.outer(column, row).astype(np.float64)
    assert is_separable(K)
    u, v = separable_factors(K)
    np.testing.assert_allclose(np.outer(u, v), K, rtol=1e-9, atol=1e-12 * scale)
    approximation, error = rank_one_approximation(K)
    np.testing.assert_allclose(approximation, K, rtol=1e-9, atol=1e-12 * scale)
    assert error < 1e-12


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), kh=st.integers(2, 6), kw=st.integers(2, 6))
def test_two_pass_correlation_equals_the_rank_one_kernel(seed, kh, kw):
    rng = np.random.default_rng(seed)
    u, v = rng.integers(-3, 4, kh).astype(float), rng.integers(-3, 4, kw).astype(float)
    X = rng.integers(-5, 6, (kh + 5, kw + 4)).astype(float)
    two_passes = cu.corr2d(cu.corr2d(X, u[:, None]), v[None, :])
    assert np.array_equal(two_passes, cu.corr2d(X, np.outer(u, v)))  # integers: exact


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), kh=st.integers(2, 6), kw=st.integers(2, 6))
def test_random_kernels_are_not_separable_and_the_error_is_the_svd_tail(seed, kh, kw):
    K = np.random.default_rng(seed).standard_normal((kh, kw))
    assert not is_separable(K)
    with pytest.raises(ValueError, match=rf"K of shape \({kh}, {kw}\) is not separable"):
        separable_factors(K)
    approximation, error = rank_one_approximation(K)
    assert np.linalg.matrix_rank(approximation) == 1
    assert error == pytest.approx(np.linalg.norm(K - approximation) / np.linalg.norm(K), rel=1e-9)
    # no rank-one kernel does better than the SVD's: try the outer product of K's first row and column
    other = np.outer(K[:, 0], K[0] / K[0, 0])
    assert np.linalg.norm(K - approximation) <= np.linalg.norm(K - other) + 1e-12


def test_named_kernels():
    sobel_x = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    laplacian = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    assert is_separable(sobel_x) and is_separable(sobel_x.T) and is_separable(np.ones((3, 5)))
    assert not is_separable(laplacian)
    assert is_separable(np.zeros((3, 3)))  # 0 = 0 (x) 0
    assert rank_one_approximation(np.zeros((2, 2)))[1] == 0.0
    assert is_separable([[1.0, 2.0]]) and is_separable([[3.0]])  # one row or one tap: always rank <= 1
    # float32 rounding in an exact outer product is not a second rank; a loose rtol accepts nearly separable
    gauss = np.array([1, 4, 6, 4, 1], dtype=np.float32) / 16
    assert is_separable(np.outer(gauss, gauss))
    nearly = np.outer(gauss, gauss) + np.float32(1e-4) * np.eye(5, dtype=np.float32)
    assert not is_separable(nearly) and is_separable(nearly, rtol=0.01)
    assert separable_factors(np.outer(gauss, gauss))[0].dtype == np.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda: is_separable([1, 2, 3]), ValueError, "K must be 2-D; got a 1-D array with shape (3,)"),
    (lambda: is_separable(np.ones((2, 2)) * 1j), TypeError, "K must hold real numbers"),
    (lambda: separable_factors([[1.0, np.nan]]), ValueError, "K must hold finite numbers"),
    (lambda: rank_one_approximation(np.zeros((0, 3))), ValueError, "K must not be empty"),
    (lambda: is_separable(np.eye(2), rtol=-0.1), ValueError, "rtol must be a number in [0, 1) or None; got -0.1"),
    (lambda: is_separable(np.eye(2), rtol="small"), ValueError, "rtol must be a number in [0, 1) or None"),
    (lambda: separable_factors([[0, 1, 0], [1, -4, 1], [0, 1, 0]]), ValueError,
     "K of shape (3, 3) is not separable: its second singular value is 0.449"),
])
def test_separable_bad_input(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
