"""Property tests: the reference operations agree with PyTorch and MXNet.

Hypothesis draws shapes and options (padding, stride, dilation as ints or independent (h, w)
pairs), as tests/property_support.py describes. The MXNet tests are skipped where MXNet has no
build (macOS, Windows); the rest of the module runs there too.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import mxnet_numpy, needs_mxnet
from course_utils import conv_output_size, convolve2d, corr2d, corr2d_multi_in, corr2d_multi_in_out, corr2d_naive
from course_utils import pool2d
from property_support import ATOL64, RTOL64, IntOrPair, OptionsCase, derandomized, pair, rng_array

# MXNet computes in float32.
RTOL32, ATOL32 = 1e-4, 1e-4

MAX_HW = 12

TORCH = derandomized(300)
LOCAL = derandomized(200)
MXNET = derandomized(80)


def int_or_pair(lo: int, hi: int):
    """An int, or an independent (h, w) pair, each in [lo, hi]."""
    one = st.integers(lo, hi)
    return st.one_of(one, st.tuples(one, one))


@dataclass(frozen=True)
class ConvCase(OptionsCase):
    c_in: int
    c_out: int

    @property
    def expected_hw(self):
        return conv_output_size(self.hw, self.khw, **self.options)

    def data(self, x_shape, k_shape, dtype=np.float64):
        X = rng_array(self.seed, x_shape, dtype)
        K = rng_array(self.seed + 1, k_shape, dtype)
        return X, K


@st.composite
def conv_cases(draw, *, simple=False, max_channels=4):
    """Shapes and options of one convolution, with the dilated kernel fitting the padded input.

    ``simple`` fixes padding 0, stride 1 and dilation 1 (what corr2d_naive supports).
    """
    khw = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    if simple:
        padding, stride, dilation = 0, 1, 1
    else:
        padding = draw(int_or_pair(0, 3))
        stride = draw(int_or_pair(1, 3))
        dilation = draw(int_or_pair(1, 3))
    p, d = pair(padding), pair(dilation)
    hw = []
    for axis in range(2):
        effective = d[axis] * (khw[axis] - 1) + 1
        smallest = max(1, effective - 2 * p[axis])
        assume(smallest <= MAX_HW)
        hw.append(draw(st.integers(smallest, MAX_HW)))
    return ConvCase(
        hw=tuple(hw),
        khw=khw,
        padding=padding,
        stride=stride,
        dilation=dilation,
        c_in=draw(st.integers(1, max_channels)),
        c_out=draw(st.integers(1, max_channels)),
        seed=draw(st.integers(0, 2**32 - 2)),
    )


def torch_conv(X: np.ndarray, K: np.ndarray, **options) -> np.ndarray:
    """PyTorch conv2d of one (C_in, H, W) image with (C_out, C_in, kh, kw) weights."""
    with torch.no_grad():
        return F.conv2d(torch.tensor(X)[None], torch.tensor(K), **options)[0].numpy()


def assert_close64(actual, expected):
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=RTOL64, atol=ATOL64)


# --------------------------------------------------------------------------
# Correlation and convolution against torch.nn.functional.conv2d
# --------------------------------------------------------------------------


@TORCH
@given(conv_cases())
def test_corr2d_matches_torch_conv2d(case):
    X, K = case.data(case.hw, case.khw)
    expected = torch_conv(X[None], K[None, None], **case.options)[0]
    result = corr2d(X, K, **case.options)
    assert result.dtype == np.float64
    assert result.shape == case.expected_hw
    assert_close64(result, expected)


@TORCH
@given(conv_cases())
def test_convolve2d_matches_torch_conv2d_with_flipped_kernel(case):
    X, K = case.data(case.hw, case.khw)
    flipped = K[::-1, ::-1].copy()
    expected = torch_conv(X[None], flipped[None, None], **case.options)[0]
    result = convolve2d(X, K, **case.options)
    assert result.shape == case.expected_hw
    assert_close64(result, expected)
    # The flip is the whole difference (same operations in the same order: exact).
    np.testing.assert_array_equal(result, corr2d(X, flipped, **case.options))


@TORCH
@given(conv_cases())
def test_corr2d_multi_in_out_matches_torch_conv2d(case):
    X, K = case.data((case.c_in,) + case.hw, (case.c_out, case.c_in) + case.khw)
    result = corr2d_multi_in_out(X, K, **case.options)
    assert result.dtype == np.float64
    assert result.shape == (case.c_out,) + case.expected_hw
    assert_close64(result, torch_conv(X, K, **case.options))


@TORCH
@given(conv_cases())
def test_corr2d_multi_in_matches_torch_and_its_decompositions(case):
    X, K = case.data((case.c_in,) + case.hw, (case.c_in,) + case.khw)
    result = corr2d_multi_in(X, K, **case.options)
    assert result.dtype == np.float64
    assert result.shape == case.expected_hw
    assert_close64(result, torch_conv(X, K[None], **case.options)[0])
    # One output channel of corr2d_multi_in_out.
    assert_close64(result, corr2d_multi_in_out(X, K[None], **case.options)[0])
    # The sum over channels of single-channel correlations.
    per_channel = sum(corr2d(X[c], K[c], **case.options) for c in range(case.c_in))
    assert_close64(result, per_channel)


@LOCAL
@given(conv_cases(simple=True))
def test_corr2d_equals_corr2d_naive(case):
    X, K = case.data(case.hw, case.khw)
    naive = corr2d_naive(X, K)
    assert naive.shape == conv_output_size(case.hw, case.khw)
    assert_close64(corr2d(X, K), naive)
    assert_close64(corr2d(X, K, padding=0, stride=1, dilation=1), naive)


@LOCAL
@given(conv_cases())
def test_float32_input_stays_float32_and_close_to_float64(case):
    X, K = case.data((case.c_in,) + case.hw, (case.c_out, case.c_in) + case.khw, dtype=np.float32)
    calls = [
        (corr2d_multi_in_out, X, K),
        (corr2d_multi_in, X, K[0]),
        (corr2d, X[0], K[0, 0]),
        (convolve2d, X[0], K[0, 0]),
    ]
    for fn, x, k in calls:
        result = fn(x, k, **case.options)
        assert result.dtype == np.float32, fn.__name__
        expected = fn(x.astype(np.float64), k.astype(np.float64), **case.options)
        np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-4, err_msg=fn.__name__)


# --------------------------------------------------------------------------
# Output size
# --------------------------------------------------------------------------


@TORCH
@given(conv_cases(max_channels=1))
def test_conv_output_size_matches_torch_output_shape(case):
    with torch.no_grad():
        out = F.conv2d(torch.zeros((1, 1) + case.hw), torch.zeros((1, 1) + case.khw), **case.options)
    assert conv_output_size(case.hw, case.khw, **case.options) == tuple(out.shape[-2:])
    # Per axis with ints gives the same numbers.
    p, s, d = pair(case.padding), pair(case.stride), pair(case.dilation)
    for axis in range(2):
        size = conv_output_size(case.hw[axis], case.khw[axis], padding=p[axis], stride=s[axis], dilation=d[axis])
        assert isinstance(size, int)
        assert size == out.shape[2 + axis]


# --------------------------------------------------------------------------
# Pooling against torch max_pool2d / avg_pool2d
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolCase:
    shape: Tuple[int, ...]  # (H, W) or (C, H, W)
    pool_size: IntOrPair
    padding: IntOrPair
    stride: IntOrPair
    seed: int

    @property
    def data(self):
        return rng_array(self.seed, self.shape)

    @property
    def expected_hw(self):
        return conv_output_size(self.shape[-2:], self.pool_size, padding=self.padding, stride=self.stride)


@st.composite
def pool_cases(draw):
    """Pooling windows 1..5, padding at most half the window (PyTorch's rule), strides 1..3."""
    pool_size = draw(int_or_pair(1, 5))
    k = pair(pool_size)
    if isinstance(pool_size, int) and draw(st.booleans()):
        padding = draw(st.integers(0, k[0] // 2))
    else:
        padding = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    p = pair(padding)
    hw = tuple(draw(st.integers(max(1, k[axis] - 2 * p[axis]), MAX_HW)) for axis in range(2))
    channels = draw(st.sampled_from([None, 1, 2, 3, 4]))
    shape = hw if channels is None else (channels,) + hw
    return PoolCase(shape=shape, pool_size=pool_size, padding=padding, stride=draw(int_or_pair(1, 3)), seed=draw(st.integers(0, 2**32 - 1)))


def torch_pool(fn, X: np.ndarray, case: PoolCase, **extra) -> np.ndarray:
    t = torch.from_numpy(X)
    batch = t[None, None] if X.ndim == 2 else t[None]
    out = fn(batch, kernel_size=case.pool_size, stride=case.stride, padding=case.padding, **extra)
    return out[0, 0].numpy() if X.ndim == 2 else out[0].numpy()


@TORCH
@given(pool_cases())
def test_max_pool_matches_torch(case):
    X = case.data
    result = pool2d(X, case.pool_size, "max", padding=case.padding, stride=case.stride)
    assert result.dtype == np.float64
    assert result.shape == case.shape[:-2] + case.expected_hw
    assert np.isfinite(result).all()  # the -inf padding never wins
    # Max pooling selects an element: exact.
    np.testing.assert_array_equal(result, torch_pool(F.max_pool2d, X, case))


@pytest.mark.parametrize("count_include_pad", [True, False])
@TORCH
@given(case=pool_cases())
def test_avg_pool_matches_torch(case, count_include_pad):
    X = case.data
    result = pool2d(X, case.pool_size, "avg", padding=case.padding, stride=case.stride, count_include_pad=count_include_pad)
    assert result.dtype == np.float64
    assert result.shape == case.shape[:-2] + case.expected_hw
    assert_close64(result, torch_pool(F.avg_pool2d, X, case, count_include_pad=count_include_pad))


@LOCAL
@given(pool_cases())
def test_pool_count_include_pad_only_matters_with_padding(case):
    X = case.data
    kwargs = {"padding": case.padding, "stride": case.stride}
    with_pad = pool2d(X, case.pool_size, "avg", count_include_pad=True, **kwargs)
    without = pool2d(X, case.pool_size, "avg", count_include_pad=False, **kwargs)
    if pair(case.padding) == (0, 0):
        np.testing.assert_array_equal(with_pad, without)
    # Counting padded zeros only shrinks magnitudes: |with_pad| <= |without|.
    assert (np.abs(with_pad) <= np.abs(without) * (1 + 1e-12) + 1e-15).all()


@LOCAL
@given(pool_cases())
def test_pool_channels_are_independent(case):
    X = case.data
    if X.ndim == 2:
        X = X[None]
    kwargs = {"padding": case.padding, "stride": case.stride}
    for mode in ("max", "avg"):
        together = pool2d(X, case.pool_size, mode, **kwargs)
        for c in range(X.shape[0]):
            np.testing.assert_array_equal(together[c], pool2d(X[c], case.pool_size, mode, **kwargs))


# --------------------------------------------------------------------------
# MXNet (float32)
# --------------------------------------------------------------------------


@needs_mxnet
@MXNET
@given(conv_cases())
def test_corr2d_multi_in_out_matches_mxnet_convolution(case):
    mnp, npx = mxnet_numpy()
    X, K = case.data((case.c_in,) + case.hw, (case.c_out, case.c_in) + case.khw, dtype=np.float32)
    out = npx.convolution(
        mnp.array(X[None]),
        mnp.array(K),
        kernel=case.khw,
        stride=pair(case.stride),
        dilate=pair(case.dilation),
        pad=pair(case.padding),
        num_filter=case.c_out,
        no_bias=True,
    ).asnumpy()[0]
    result = corr2d_multi_in_out(X, K, **case.options)
    assert result.dtype == np.float32
    assert result.shape == out.shape == (case.c_out,) + case.expected_hw
    np.testing.assert_allclose(result, out, rtol=RTOL32, atol=ATOL32)


@needs_mxnet
@MXNET
@given(pool_cases(), st.sampled_from(["max", "avg_include_pad", "avg_exclude_pad"]))
def test_pool2d_matches_mxnet_pooling(case, variant):
    mnp, npx = mxnet_numpy()
    X = case.data.astype(np.float32)
    batch = X[None, None] if X.ndim == 2 else X[None]
    mode = variant[:3]
    count_include_pad = variant != "avg_exclude_pad"
    extra = {} if mode == "max" else {"count_include_pad": count_include_pad}
    out = npx.pooling(
        mnp.array(batch),
        kernel=pair(case.pool_size),
        stride=pair(case.stride),
        pad=pair(case.padding),
        pool_type=mode,
        **extra,
    ).asnumpy()
    out = out[0, 0] if X.ndim == 2 else out[0]
    result = pool2d(X, case.pool_size, mode, padding=case.padding, stride=case.stride, count_include_pad=count_include_pad)
    assert result.dtype == np.float32
    assert result.shape == out.shape
    np.testing.assert_allclose(result, out, rtol=RTOL32, atol=ATOL32)
