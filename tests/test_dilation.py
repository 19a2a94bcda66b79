"""course_utils.dilation: the dense kernel with holes, the effective kernel size, and bad input.

The central property: cross-correlating with a dilated kernel (``corr2d(...,
dilation=d)``) equals cross-correlating with the dense kernel of
:func:`dilate_kernel`, for any padding and stride. Hypothesis draws the shapes
and options (derandomized); the data comes from a NumPy generator seeded by a
drawn integer.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import conv_output_size, corr2d, corr2d_multi_in_out
from course_utils.dilation import dilate_kernel, effective_kernel_size

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def int_or_pair(lo, hi):
    one = st.integers(lo, hi)
    return st.one_of(one, st.tuples(one, one))


def pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


@st.composite
def dilated_problems(draw):
    """A kernel shape, dilation, padding, stride and an input large enough for them."""
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dilation = draw(int_or_pair(1, 4))
    padding = draw(int_or_pair(0, 3))
    stride = draw(int_or_pair(1, 3))
    (dh, dw), (ph, pw) = pair(dilation), pair(padding)
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    H = draw(st.integers(max(1, span_h - 2 * ph), span_h + 6))
    W = draw(st.integers(max(1, span_w - 2 * pw), span_w + 6))
    seed = draw(st.integers(0, 2**32 - 1))
    return (H, W), (kh, kw), dilation, padding, stride, seed


@SETTINGS
@given(dilated_problems())
def test_dense_dilated_kernel_gives_the_same_correlation_as_dilation(problem):
    """corr2d with the dense kernel == corr2d with dilation == PyTorch's dilated conv2d."""
    (H, W), (kh, kw), dilation, padding, stride, seed = problem
    rng = np.random.default_rng(seed)
    X, K = rng.standard_normal((H, W)), rng.standard_normal((kh, kw))
    dense = corr2d(X, dilate_kernel(K, dilation), padding=padding, stride=stride)
    dilated = corr2d(X, K, dilation=dilation, padding=padding, stride=stride)
    by_torch = F.conv2d(torch.from_numpy(X)[None, None], torch.from_numpy(K)[None, None],
                        dilation=pair(dilation), padding=pair(padding), stride=pair(stride))[0, 0].numpy()
    assert dense.shape == dilated.shape == by_torch.shape
    np.testing.assert_allclose(dense, dilated, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dense, by_torch, rtol=1e-10, atol=1e-12)


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 6), int_or_pair(1, 5), st.integers(0, 2**32 - 1))
def test_dilated_kernel_shape_taps_and_holes(kh, kw, dilation, seed):
    K = np.random.default_rng(seed).standard_normal((kh, kw)) + 10.0  # no tap is zero
    dense = dilate_kernel(K, dilation)
    dh, dw = pair(dilation)
    assert dense.shape == pair(effective_kernel_size((kh, kw), dilation))
    assert dense.shape == (kh + (kh - 1) * (dh - 1), kw + (kw - 1) * (dw - 1))
    np.testing.assert_array_equal(dense[::dh, ::dw], K)
    assert np.count_nonzero(dense) == K.size  # every other cell is a hole


@SETTINGS
@given(st.integers(1, 9), st.integers(1, 9))
def test_effective_size_formula_and_its_two_forms(k, d):
    size = effective_kernel_size(k, d)
    assert isinstance(size, int)
    assert size == k + (k - 1) * (d - 1) == d * (k - 1) + 1
    assert size == dilate_kernel(np.ones((k, 1)), d).shape[0]
    # A dilated kernel spans the window of a dense kernel of the effective size: same output size.
    n = size + 5
    assert conv_output_size(n, k, dilation=d) == conv_output_size(n, size)


def test_effective_kernel_size_worked_values():
    assert [effective_kernel_size(3, d) for d in (1, 2, 3, 4)] == [3, 5, 7, 9]
    assert effective_kernel_size(5, 3) == 13
    assert effective_kernel_size(1, 7) == 1  # a single tap has no holes
    assert effective_kernel_size((3, 5), 2) == (5, 9)
    assert effective_kernel_size(3, (1, 4)) == (3, 9)
    assert effective_kernel_size(np.int64(3), np.array(2)) == 5


def test_pytorch_claim_same_field_of_view_as_5x5_with_9_parameters():
    dilated = torch.nn.Conv2d(1, 1, kernel_size=3, dilation=2, bias=False)
    dense = torch.nn.Conv2d(1, 1, kernel_size=5, bias=False)
    assert dilated.weight.numel() == 9 and dense.weight.numel() == 25
    assert effective_kernel_size(3, 2) == 5
    assert dilate_kernel(dilated.weight.detach().numpy(), 2).shape == tuple(dense.weight.shape)


def test_worked_example_and_dtypes():
    np.testing.assert_array_equal(
        dilate_kernel([[1, 2], [3, 4]], 2), [[1, 0, 2], [0, 0, 0], [3, 0, 4]]
    )
    assert dilate_kernel(np.ones((2, 2), dtype=np.float32), 2).dtype == np.float32
    assert dilate_kernel([[1, 2], [3, 4]], 2).dtype == np.float64
    K = np.arange(6.0).reshape(2, 3)
    same = dilate_kernel(K, 1)
    np.testing.assert_array_equal(same, K)
    assert same is not K  # a new array: the caller's kernel is never aliased or changed


def test_multichannel_kernels_dilate_only_the_spatial_axes():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((2, 11, 10))
    K = rng.standard_normal((3, 2, 3, 2))
    dense = dilate_kernel(K, (2, 3))
    assert dense.shape == (3, 2, 5, 4)
    np.testing.assert_allclose(
        corr2d_multi_in_out(X, dense), corr2d_multi_in_out(X, K, dilation=(2, 3)), rtol=1e-10, atol=1e-12
    )
    assert dilate_kernel(K[0], 2).shape == (2, 5, 3)


def test_accepts_framework_tensors():
    K = torch.arange(4.0).reshape(2, 2)
    np.testing.assert_array_equal(dilate_kernel(K, 3), dilate_kernel(K.numpy(), 3))


@pytest.mark.parametrize(
    "kernel, dilation, error, pattern",
    [
        (np.ones((3, 3)), 0, ValueError, r"dilation must be >= 1; got 0 \(for a kernel with shape \(3, 3\)\)"),
        (np.ones((3, 3)), -2, ValueError, r"dilation must be >= 1; got -2"),
        (np.ones((3, 3)), (2, 0), ValueError, r"dilation must be >= 1; got \(2, 0\)"),
        (np.ones((3, 3)), 1.5, TypeError, r"dilation must be an int or a pair of ints; got float 1\.5 .*\(3, 3\)"),
        (np.ones((3, 3)), True, TypeError, r"dilation must be an int .* got bool True"),
        (np.ones((3, 3)), "2", TypeError, r"dilation must be an int .* got str '2'"),
        (np.ones((2, 4)), (1, 2, 3), ValueError, r"dilation must be an int or an \(h, w\) pair; got \(1, 2, 3\) "
                                                  r"with 3 entries \(for a kernel with shape \(2, 4\)\)"),
        (np.ones(3), 2, ValueError, r"kernel must be 2-D or 3-D or 4-D; got a 1-D array with shape \(3,\)"),
        (np.ones((1, 1, 1, 2, 2)), 2, ValueError, r"kernel must be .* got a 5-D array with shape \(1, 1, 1, 2, 2\)"),
        (np.ones((0, 3)), 2, ValueError, r"kernel must not be empty; got shape \(0, 3\)"),
        ([["a", "b"]], 2, TypeError, r"kernel must hold real numbers .* shape \(1, 2\)"),
        (np.ones((2, 2), dtype=complex), 2, TypeError, r"kernel must hold real numbers .*complex"),
        (None, 2, TypeError, r"kernel must be an array of numbers; got NoneType"),
    ],
)
def test_dilate_kernel_bad_input(kernel, dilation, error, pattern):
    with pytest.raises(error, match=pattern):
        dilate_kernel(kernel, dilation)


@pytest.mark.parametrize(
    "kernel_size, dilation, error, pattern",
    [
        (0, 2, ValueError, r"kernel_size must be >= 1; got 0 \(with dilation=2\)"),
        (3, 0, ValueError, r"dilation must be >= 1; got 0 \(with kernel_size=3\)"),
        ((3, -1), 2, ValueError, r"kernel_size must be >= 1; got \(3, -1\)"),
        (3, (2,), ValueError, r"dilation must be an int or an \(h, w\) pair; got \(2,\) with 1 entries"),
        ((3, 3, 3), 1, ValueError, r"kernel_size must be an int or an \(h, w\) pair; got \(3, 3, 3\)"),
        (2.5, 1, TypeError, r"kernel_size must be an int or a pair of ints; got float 2\.5 \(with dilation=1\)"),
        (3, "2", TypeError, r"dilation must be an int or a pair of ints; got str '2' \(with kernel_size=3\)"),
        (True, 2, TypeError, r"kernel_size must be an int .* got bool True"),
    ],
)
def test_effective_kernel_size_bad_input(kernel_size, dilation, error, pattern):
    with pytest.raises(error, match=pattern):
        effective_kernel_size(kernel_size, dilation)


def test_messages_name_the_parameter_first():
    for call in (lambda: dilate_kernel(np.ones((2, 2)), 0), lambda: effective_kernel_size(3, 0)):
        with pytest.raises(ValueError) as info:
            call()
        assert re.match(r"dilation ", str(info.value))
