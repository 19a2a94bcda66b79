"""course_utils.winograd: the Cook-Toom transforms and the Winograd layer against corr2d_batch and PyTorch.

The 1-D identity is checked in exact rational arithmetic, so a wrong matrix entry cannot hide
behind a tolerance; the layer is checked against the im2col + GEMM reference on fixed and
hypothesis-drawn shapes, and bad input must name the parameter and the shapes.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.ops import corr2d_batch
from course_utils.winograd import (
    direct_multiplications,
    winograd_conv2d,
    winograd_matrices,
    winograd_multiplications,
)

PROPERTY = settings(max_examples=120, deadline=None, derandomize=True, database=None)


def exact_correlation(d, g, m):
    return [sum(d[i + k] * g[k] for k in range(len(g))) for i in range(m)]


def exact_product(matrix, vector):
    return [sum(a * b for a, b in zip(row, vector)) for row in matrix]


@pytest.mark.parametrize("m,r", [(1, 3), (2, 3), (3, 3), (4, 3), (6, 3), (2, 2), (3, 5), (2, 1)])
def test_one_dimensional_identity_is_exact(m, r):
    AT, G, BT = winograd_matrices(m, r, exact=True)
    rng = np.random.default_rng(m * 10 + r)
    for _ in range(5):
        d = [Fraction(int(v)) for v in rng.integers(-9, 10, m + r - 1)]
        g = [Fraction(int(v), 7) for v in rng.integers(-9, 10, r)]
        products = [a * b for a, b in zip(exact_product(G, g), exact_product(BT, d))]
        assert exact_product(AT, products) == exact_correlation(d, g, m)


def test_shapes_and_integer_input_transform():
    for m in (2, 4):
        AT, G, BT = winograd_matrices(m)
        n = m + 2
        assert AT.shape == (m, n) and G.shape == (n, 3) and BT.shape == (n, n)
        assert np.array_equal(BT, np.round(BT)), "the input transform should need no multiplications by fractions"


def test_other_points_give_another_valid_algorithm():
    halves = [0, 1, -1, Fraction(1, 2), Fraction(-1, 2)]
    AT, G, BT = winograd_matrices(4, points=halves)
    assert not np.array_equal(BT, winograd_matrices(4)[2])
    rng = np.random.default_rng(3)
    d, g = rng.standard_normal(6), rng.standard_normal(3)
    np.testing.assert_allclose(AT @ ((G @ g) * (BT @ d)), exact_correlation(d, g, 4), rtol=1e-12, atol=1e-12)


def test_multiplication_counts_match_the_transform_sizes():
    for tile in (2, 4):
        AT, G, BT = winograd_matrices(tile)
        assert winograd_multiplications(tile) == G.shape[0] * BT.shape[0]  # n x n elementwise products
        assert direct_multiplications(tile) == AT.shape[0] ** 2 * G.shape[1] ** 2
    assert direct_multiplications(2) / winograd_multiplications(2) == 2.25
    assert direct_multiplications(4) / winograd_multiplications(4) == 4


@pytest.mark.parametrize("tile", [2, 4])
@pytest.mark.parametrize("shape", [(1, 1, 3, 3), (2, 3, 9, 7), (1, 4, 8, 8), (3, 2, 5, 12)])
def test_layer_matches_corr2d_batch_float64(tile, shape):
    rng = np.random.default_rng(sum(shape) + tile)
    X = rng.standard_normal(shape)
    K = rng.standard_normal((5, shape[1], 3, 3))
    result = winograd_conv2d(X, K, tile=tile)
    assert result.dtype == np.float64 and result.flags.c_contiguous
    np.testing.assert_allclose(result, corr2d_batch(X, K), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("tile", [2, 4])
def test_float32_stays_float32_and_agrees_with_pytorch(tile):
    rng = np.random.default_rng(tile)
    X = rng.standard_normal((2, 8, 14, 11)).astype(np.float32)
    K = rng.standard_normal((6, 8, 3, 3)).astype(np.float32)
    result = winograd_conv2d(X, K, tile=tile)
    assert result.dtype == np.float32
    with torch.no_grad():
        expected = F.conv2d(torch.from_numpy(X), torch.from_numpy(K)).numpy()
    np.testing.assert_allclose(result, expected, rtol=1e-3, atol=1e-3)


def test_bigger_tiles_round_more_in_float32():
    rng = np.random.default_rng(12)
    X = rng.standard_normal((2, 32, 20, 20))
    K = rng.standard_normal((16, 32, 3, 3))
    reference = corr2d_batch(X, K)
    errors = {tile: np.abs(winograd_conv2d(X.astype(np.float32), K.astype(np.float32), tile) - reference).max()
              for tile in (2, 4)}
    direct = np.abs(corr2d_batch(X.astype(np.float32), K.astype(np.float32)) - reference).max()
    assert errors[4] > errors[2] > 0 and errors[4] > direct


@st.composite
def layers(draw):
    n, c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(3, 13)), draw(st.integers(3, 13))
    return (n, c_in, h, w), (c_out, c_in, 3, 3), draw(st.sampled_from([2, 4])), draw(st.integers(0, 2**31))


@PROPERTY
@given(layers())
def test_property_layer_equals_corr2d_batch(case):
    x_shape, k_shape, tile, seed = case
    rng = np.random.default_rng(seed)
    X, K = rng.standard_normal(x_shape), rng.standard_normal(k_shape)
    result = winograd_conv2d(X, K, tile=tile)
    expected = corr2d_batch(X, K)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("kwargs,error,words", [
    ({"tile": 3}, ValueError, ["tile", "(2, 4)", "3"]),
    ({"tile": True}, TypeError, ["tile", "bool"]),
    ({"tile": 2.0}, TypeError, ["tile", "float"]),
])
def test_bad_tile(kwargs, error, words):
    with pytest.raises(error) as info:
        winograd_conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), **kwargs)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("X,K,error,words", [
    (np.ones((1, 1, 6, 6)), np.ones((1, 1, 5, 5)), ValueError, ["K", "3x3", "(1, 1, 5, 5)"]),
    (np.ones((1, 2, 6, 6)), np.ones((1, 3, 3, 3)), ValueError, ["input channels", "(1, 3, 3, 3)", "(1, 2, 6, 6)"]),
    (np.ones((1, 6, 6)), np.ones((1, 1, 3, 3)), ValueError, ["X", "4-D", "(1, 6, 6)"]),
    (np.ones((1, 1, 2, 6)), np.ones((1, 1, 3, 3)), ValueError, ["X", "at least 3", "(1, 1, 2, 6)"]),
    (np.ones((1, 1, 6, 6), dtype=complex), np.ones((1, 1, 3, 3)), TypeError, ["X", "complex"]),
    (np.ones((1, 1, 6, 6)), "abc", TypeError, ["K"]),
])
def test_bad_arrays(X, K, error, words):
    with pytest.raises(error) as info:
        winograd_conv2d(X, K)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("kwargs,error,words", [
    ({"m": 2, "points": [0, 1]}, ValueError, ["3 finite points", "got 2"]),
    ({"m": 2, "points": [0, 1, 1]}, ValueError, ["distinct"]),
    ({"m": 2, "points": [0, 1, "x"]}, TypeError, ["points", "numbers"]),
    ({"m": 0}, ValueError, ["m", "0"]),
    ({"m": 2.5}, TypeError, ["m", "float"]),
    ({"m": 12}, ValueError, ["points=", "13"]),
])
def test_bad_matrix_arguments(kwargs, error, words):
    with pytest.raises(error) as info:
        winograd_matrices(**kwargs)
    for word in words:
        assert word in str(info.value)
