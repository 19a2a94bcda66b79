"""course_utils.anti_aliasing: the binomial kernel, blur_pool2d against a depthwise PyTorch convolution, the layer."""
from __future__ import annotations

from math import comb

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.anti_aliasing import binomial_kernel, blur_pool2d, blur_pool_layer


def _torch_blur_pool(X, size, stride):
    """The reference: a depthwise conv2d whose weight is Pascal's row, outer product, normalised, per channel."""
    row = torch.tensor([comb(size - 1, i) for i in range(size)], dtype=torch.float64)
    kernel = torch.outer(row, row) / row.sum() ** 2
    x = torch.from_numpy(np.asarray(X, dtype=np.float64))
    channels = x.shape[1]
    return F.conv2d(x, kernel.expand(channels, 1, size, size), stride=stride, padding=(size - 1) // 2,
                    groups=channels).numpy()


def test_binomial_kernels_are_pascal_rows_outer_products():
    assert np.array_equal(binomial_kernel(1), [[1.0]])
    assert np.array_equal(binomial_kernel(2) * 4, [[1, 1], [1, 1]])
    assert np.array_equal(binomial_kernel(3) * 16, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert np.array_equal(binomial_kernel(5)[2] * 256, [6, 24, 36, 24, 6])
    assert binomial_kernel().shape == (3, 3)


@pytest.mark.parametrize("size", range(1, 9))
def test_binomial_kernel_sums_to_one_and_is_symmetric_and_rank_one(size):
    kernel = binomial_kernel(size)
    assert kernel.sum() == pytest.approx(1.0, abs=1e-15)
    assert np.array_equal(kernel, kernel.T) and np.array_equal(kernel, kernel[::-1, ::-1])
    assert np.linalg.matrix_rank(kernel) == 1


def test_worked_values():
    X = np.zeros((4, 4))
    X[1, 1] = 16.0
    # the single bright pixel spreads over its neighbours; stride 2 keeps rows/columns 0 and 2
    assert np.array_equal(blur_pool2d(X), [[1.0, 1.0], [1.0, 1.0]])
    assert np.array_equal(blur_pool2d(X, stride=1)[:3, :3], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(4, 11), st.integers(4, 11), st.integers(1, 5),
       st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_matches_a_depthwise_torch_convolution(batch, channels, height, width, size, stride, seed):
    X = np.random.default_rng(seed).standard_normal((batch, channels, height, width))
    ours = blur_pool2d(X, size=size, stride=stride)
    reference = _torch_blur_pool(X, size, stride)
    assert ours.shape == reference.shape
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-12)


def test_two_and_three_dimensional_inputs_are_one_map_and_one_multi_channel_map():
    X = np.random.default_rng(0).standard_normal((3, 9, 8))
    batched = blur_pool2d(X[None])[0]
    assert np.array_equal(blur_pool2d(X), batched)
    assert np.array_equal(blur_pool2d(X[1]), batched[1])
    assert blur_pool2d(X).shape == (3, 5, 4)


def test_float32_stays_float32_and_integers_become_float64():
    assert blur_pool2d(np.ones((4, 4), dtype=np.float32)).dtype == np.float32
    assert blur_pool2d(np.ones((4, 4), dtype=np.int64)).dtype == np.float64


def test_the_layer_computes_blur_pool2d_and_has_nothing_to_train():
    layer = blur_pool_layer(4, size=3, stride=2)
    X = np.random.default_rng(1).standard_normal((2, 4, 10, 10)).astype(np.float32)
    with torch.no_grad():
        out = layer(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(out, blur_pool2d(X), rtol=0, atol=1e-6)
    assert list(layer.parameters()) == []
    assert "weight" in layer.state_dict() and layer.groups == 4 and layer.stride == (2, 2)
    # inside a model an optimiser sees only the other layers' parameters
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), layer)
    assert sum(p.numel() for p in model.parameters()) == 4 * 9 + 4


@pytest.mark.parametrize("call, error, words", [
    (lambda: binomial_kernel(0), ValueError, ["size", "0"]),
    (lambda: binomial_kernel(2.0), TypeError, ["size", "2.0"]),
    (lambda: binomial_kernel(True), TypeError, ["size", "True"]),
    (lambda: blur_pool2d(np.ones(5)), ValueError, ["X", "1-D", "(5,)"]),
    (lambda: blur_pool2d(np.ones((1, 1, 1, 4, 4))), ValueError, ["X", "5-D"]),
    (lambda: blur_pool2d(np.array([["a"]])), TypeError, ["X"]),
    (lambda: blur_pool2d(np.ones((4, 4)), stride=0), ValueError, ["stride", "0"]),
    (lambda: blur_pool2d(np.ones((4, 4)), stride="2"), TypeError, ["stride", "'2'"]),
    (lambda: blur_pool2d(np.ones((4, 4)), size=-1), ValueError, ["size", "-1"]),
    (lambda: blur_pool2d(np.ones((1, 5)), size=4), ValueError, ["size=4", "(1, 5)", "3x7"]),
    (lambda: blur_pool_layer(0), ValueError, ["channels", "0"]),
    (lambda: blur_pool_layer(2.5), TypeError, ["channels", "2.5"]),
    (lambda: blur_pool_layer(2, stride=0), ValueError, ["stride", "0"]),
])
def test_bad_input_is_refused_with_a_message_naming_parameter_and_value(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
