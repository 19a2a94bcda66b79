"""Grouped correlation, transposed convolution and the backward pass, against PyTorch.

Property tests in the style of test_ops_properties.py: Hypothesis draws shapes and options
(ints, or independent (h, w) pairs), as tests/property_support.py describes. PyTorch is the reference for ``corr2d_batch(groups=)``,
``conv_transpose2d`` (values, shapes and which options it refuses) and ``conv2d_backward``
(autograd's gradients of ``(Y * G).sum()``). The bad-input tests assert the exact messages.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import course_utils
from course_utils import conv2d_backward, conv_transpose2d, corr2d, corr2d_batch
from course_utils import ops
from course_utils.backward import conv_transpose_output_size, tap_coverage
from course_utils.fast_correlation import gemm_batch_validated, prepare_correlation
from property_support import ATOL64, RTOL64, IntOrPair, OptionsCase, derandomized, pair, rng_array

TORCH = derandomized(300)
LOCAL = derandomized(100)


@pytest.fixture(autouse=True, scope="module")
def torch_in_one_thread():
    # Autograd on these tiny tensors took 30 ms a call with two threads on the busy 2-core machine, 2 ms with one.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def assert_close64(actual, expected):
    assert actual.shape == expected.shape
    assert actual.dtype == np.float64
    np.testing.assert_allclose(actual, expected, rtol=RTOL64, atol=ATOL64)


@st.composite
def option_values(draw, square: bool, strategy):
    """One int used on both axes (``square``), or an independent (h, w) pair."""
    first = draw(strategy)
    return first if square else (first, draw(strategy))


# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerCase(OptionsCase):
    """A (grouped) convolution layer: X (N, C_in, H, W), K (C_out, C_in/groups, kh, kw)."""

    n: int
    groups: int
    per_group_in: int
    per_group_out: int

    @property
    def x_shape(self):
        return (self.n, self.groups * self.per_group_in) + self.hw

    @property
    def k_shape(self):
        return (self.groups * self.per_group_out, self.per_group_in) + self.khw

    def data(self):
        return rng_array(self.seed, self.x_shape), rng_array(self.seed + 1, self.k_shape)

    def torch_output(self, X, K):
        with torch.no_grad():
            return F.conv2d(torch.from_numpy(X), torch.from_numpy(K), groups=self.groups, **self.options).numpy()


@st.composite
def layer_cases(draw, *, max_groups=4):
    """Groups 1..max_groups of 1..3 channels in and out, kernels 1..4, options 1..3 (padding 0..2)."""
    square = draw(st.booleans())
    khw = pair(draw(option_values(square, st.integers(1, 4))))
    stride = draw(option_values(square, st.integers(1, 3)))
    dilation = draw(option_values(square, st.integers(1, 3)))
    padding = draw(option_values(square, st.integers(0, 2)))
    hw = []
    for axis in range(2):
        # The smallest input the dilated kernel fits once padded, and up to 6 more rows.
        smallest = max(1, pair(dilation)[axis] * (khw[axis] - 1) + 1 - 2 * pair(padding)[axis])
        hw.append(draw(st.integers(smallest, smallest + 6)))
    return LayerCase(
        n=draw(st.integers(1, 3)),
        groups=draw(st.integers(1, max_groups)),
        per_group_in=draw(st.integers(1, 3)),
        per_group_out=draw(st.integers(1, 3)),
        hw=tuple(hw),
        khw=khw,
        padding=padding,
        stride=stride,
        dilation=dilation,
        seed=draw(st.integers(0, 2**32 - 2)),
    )


@dataclass(frozen=True)
class TransposedCase(OptionsCase):
    """A transposed layer: Y (H, W) with K (kh, kw), or Y (N, C_in, H, W) with K (C_in, C_out/groups, kh, kw)."""

    batched: bool
    n: int
    groups: int
    per_group_in: int
    per_group_out: int
    output_padding: IntOrPair

    @property
    def options(self):
        return {**super().options, "output_padding": self.output_padding}

    @property
    def y_shape(self):
        return (self.n, self.groups * self.per_group_in) + self.hw if self.batched else self.hw

    @property
    def k_shape(self):
        return (self.groups * self.per_group_in, self.per_group_out) + self.khw if self.batched else self.khw

    @property
    def expected_shape(self):
        hw = tuple(
            (n - 1) * s - 2 * p + d * (k - 1) + o + 1
            for n, k, p, s, d, o in zip(self.hw, self.khw, pair(self.padding), pair(self.stride),
                                        pair(self.dilation), pair(self.output_padding))
        )
        return (self.n, self.groups * self.per_group_out) + hw if self.batched else hw

    def data(self):
        return rng_array(self.seed, self.y_shape), rng_array(self.seed + 1, self.k_shape)

    def torch_output(self, Y, K):
        """PyTorch's result (it raises RuntimeError for options it refuses)."""
        y, k = torch.from_numpy(Y), torch.from_numpy(K)
        if not self.batched:
            y, k = y[None, None], k[None, None]
        with torch.no_grad():
            out = F.conv_transpose2d(y, k, groups=self.groups, **self.options)
        return out.numpy() if self.batched else out[0, 0].numpy()


@st.composite
def transposed_cases(draw, *, batched: bool, valid: bool = True):
    """Inputs 1..6, kernels 1..4, stride and dilation 1..3; with ``valid``, output_padding below
    stride or dilation and padding small enough for an output of at least one pixel (otherwise
    both are drawn freely, up to 3 and 4).
    """
    square = draw(st.booleans())
    hw = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    khw = pair(draw(option_values(square, st.integers(1, 4))))
    stride = draw(option_values(square, st.integers(1, 3)))
    dilation = draw(option_values(square, st.integers(1, 3)))
    s, d = pair(stride), pair(dilation)
    if valid:
        if square:
            output_padding = draw(st.integers(0, max(s[0], d[0]) - 1))
        else:
            output_padding = tuple(draw(st.integers(0, max(s[a], d[a]) - 1)) for a in range(2))
        op = pair(output_padding)
        # Padding p removes p rows on each side of (n - 1) s + d (k - 1) + 1 + output_padding rows.
        room = [((hw[a] - 1) * s[a] + d[a] * (khw[a] - 1) + op[a]) // 2 for a in range(2)]
        if square:
            padding = draw(st.integers(0, min(3, *room)))
        else:
            padding = tuple(draw(st.integers(0, min(3, room[a]))) for a in range(2))
    else:
        output_padding = draw(option_values(square, st.integers(0, 3)))
        padding = draw(option_values(square, st.integers(0, 4)))
    return TransposedCase(
        batched=batched,
        n=draw(st.integers(1, 3)) if batched else 1,
        groups=draw(st.integers(1, 3)) if batched else 1,
        per_group_in=draw(st.integers(1, 3)) if batched else 1,
        per_group_out=draw(st.integers(1, 3)) if batched else 1,
        hw=hw,
        khw=khw,
        padding=padding,
        stride=stride,
        dilation=dilation,
        output_padding=output_padding,
        seed=draw(st.integers(0, 2**32 - 2)),
    )


# --------------------------------------------------------------------------
# corr2d_batch(groups=)
# --------------------------------------------------------------------------


@TORCH
@given(layer_cases())
def test_grouped_corr2d_batch_matches_torch_conv2d(case):
    X, K = case.data()
    result = corr2d_batch(X, K, groups=case.groups, **case.options)
    assert_close64(result, case.torch_output(X, K))


@LOCAL
@given(layer_cases(max_groups=1))
def test_depthwise_corr2d_batch_is_one_corr2d_per_channel(case):
    # groups = C_in with `per_group_out` kernels per channel (a depthwise "channel multiplier").
    X, _ = case.data()
    channels, multiplier = X.shape[1], case.per_group_out
    K = rng_array(case.seed + 2, (channels * multiplier, 1) + case.khw)
    result = corr2d_batch(X, K, groups=channels, **case.options)
    for image in range(case.n):
        for c in range(channels):
            for j in range(multiplier):
                expected = corr2d(X[image, c], K[c * multiplier + j, 0], **case.options)
                assert_close64(result[image, c * multiplier + j], expected)


@LOCAL
@given(layer_cases(max_groups=1))
def test_groups_one_is_the_ungrouped_gemm_path_bit_for_bit(case):
    X, K = case.data()
    Xv, Kv, p, s, d = prepare_correlation(X, K, 4, 4, case.padding, case.stride, case.dilation)
    before = gemm_batch_validated(Xv, Kv, p, s, d)  # what corr2d_batch returned before it had groups
    for groups in ({}, {"groups": 1}, {"groups": np.int64(1)}):
        np.testing.assert_array_equal(corr2d_batch(X, K, **groups, **case.options), before)


def test_groups_one_calls_the_gemm_once_with_all_weights(monkeypatch):
    calls = []

    def spy(X, K, p, s, d):
        calls.append((X.shape, K.shape))
        return gemm_batch_validated(X, K, p, s, d)

    monkeypatch.setattr(ops, "gemm_batch_validated", spy)
    corr2d_batch(np.ones((2, 4, 5, 5)), np.ones((6, 4, 3, 3)))
    assert calls == [((2, 4, 5, 5), (6, 4, 3, 3))]
    calls.clear()
    corr2d_batch(np.ones((2, 4, 5, 5)), np.ones((6, 2, 3, 3)), groups=2)  # one GEMM per group
    assert calls == [((2, 2, 5, 5), (3, 2, 3, 3))] * 2


def test_grouped_float32_stays_float32():
    X = np.ones((1, 4, 5, 5), dtype=np.float32)
    assert corr2d_batch(X, np.ones((4, 1, 3, 3), dtype=np.float32), groups=4).dtype == np.float32
    assert corr2d_batch(X, np.ones((4, 2, 3, 3)), groups=2).dtype == np.float64


# --------------------------------------------------------------------------
# conv_transpose2d
# --------------------------------------------------------------------------


@TORCH
@given(transposed_cases(batched=False))
def test_conv_transpose2d_of_one_image_matches_torch(case):
    Y, K = case.data()
    result = conv_transpose2d(Y, K, **case.options)
    assert result.shape == case.expected_shape
    assert_close64(result, case.torch_output(Y, K))
    assert conv_transpose_output_size(case.hw, case.khw, **case.options) == result.shape


@TORCH
@given(transposed_cases(batched=True))
def test_batched_grouped_conv_transpose2d_matches_torch(case):
    Y, K = case.data()
    result = conv_transpose2d(Y, K, groups=case.groups, **case.options)
    assert result.shape == case.expected_shape
    assert_close64(result, case.torch_output(Y, K))


@LOCAL
@given(transposed_cases(batched=False, valid=False))
def test_conv_transpose2d_refuses_exactly_what_torch_refuses(case):
    Y, K = case.data()
    try:
        expected = case.torch_output(Y, K)
    except RuntimeError as error:
        with pytest.raises(ValueError) as info:
            conv_transpose2d(Y, K, **case.options)
        # Both refuse for the same reason.
        if "output padding" in str(error):
            assert str(info.value).startswith("output_padding must be smaller than stride or dilation")
        else:
            assert "Output size is too small" in str(error)
            assert "leaves no output" in str(info.value)
        return
    assert_close64(conv_transpose2d(Y, K, **case.options), expected)


@LOCAL
@given(transposed_cases(batched=True))
def test_one_channel_batch_equals_the_2d_call(case):
    Y, K = case.data()
    # The 2-D call goes through corr2d's shift-and-add, the batched one through im2col + GEMM: round-off apart.
    batched = conv_transpose2d(Y[:1, :1], K[:1, :1], **case.options)
    assert_close64(batched[0, 0], conv_transpose2d(Y[0, 0], K[0, 0], **case.options))


def test_conv_transpose2d_scatters_scaled_copies_of_the_kernel():
    # One 1 in Y: the output is K placed at (s i - p, s j - p), its taps d apart.
    Y = np.zeros((3, 3))
    Y[1, 1] = 1.0
    K = np.arange(1.0, 5.0).reshape(2, 2)
    Z = conv_transpose2d(Y, K, stride=2, dilation=(1, 3), padding=(0, 1))
    assert Z.shape == (2 * 2 + 1 + 1, 2 * 2 - 2 + 3 + 1)
    expected = np.zeros(Z.shape)
    for a in range(2):
        for b in range(2):
            expected[2 * 1 + a, 2 * 1 + 3 * b - 1] = K[a, b]
    np.testing.assert_array_equal(Z, expected)


def test_conv_transpose2d_float32_stays_float32():
    Y = np.ones((1, 2, 3, 3), dtype=np.float32)
    assert conv_transpose2d(Y, np.ones((2, 1, 2, 2), dtype=np.float32), stride=2).dtype == np.float32
    assert conv_transpose2d(Y[0, 0], np.ones((2, 2), dtype=np.float32)).dtype == np.float32


# --------------------------------------------------------------------------
# tap_coverage: how many taps reach each output pixel of a transposed convolution
# --------------------------------------------------------------------------


@TORCH
@given(transposed_cases(batched=False))
def test_tap_coverage_counts_what_torch_adds_up_from_ones(case):
    counts = tap_coverage(case.hw, case.khw, **case.options)
    assert counts.dtype == np.int64 and counts.shape == case.expected_shape
    # Ones scattered by a kernel of ones: each output pixel sums exactly one 1 per (pixel, tap) pair.
    np.testing.assert_array_equal(counts, case.torch_output(np.ones(case.hw), np.ones(case.khw)))


def test_tap_coverage_by_brute_force():
    # Every (pixel, tap) pair placed one at a time, by the formula (s i + d a - p, s j + d b - p).
    n, k, s, p, d, op = (3, 4), (3, 2), (2, 3), (1, 0), (1, 2), (1, 2)
    counts = tap_coverage(n, k, stride=s, padding=p, dilation=d, output_padding=op)
    expected = np.zeros(conv_transpose_output_size(n, k, stride=s, padding=p, dilation=d, output_padding=op), int)
    for i in range(n[0]):
        for j in range(n[1]):
            for a in range(k[0]):
                for b in range(k[1]):
                    row, col = s[0] * i + d[0] * a - p[0], s[1] * j + d[1] * b - p[1]
                    if 0 <= row < expected.shape[0] and 0 <= col < expected.shape[1]:
                        expected[row, col] += 1
    np.testing.assert_array_equal(counts, expected)


def test_tap_coverage_stride_two_kernel_three_is_a_checkerboard_kernel_four_is_even():
    odd = tap_coverage(6, 3, stride=2, padding=1, output_padding=1)
    even = tap_coverage(6, 4, stride=2, padding=1)
    assert odd.shape == even.shape == (12, 12)
    assert set(np.unique(odd[1:-1, 1:-1])) == {1, 2, 4}
    assert set(np.unique(even[1:-1, 1:-1])) == {4}


@pytest.mark.parametrize("call, exc_type, text", [
    (lambda: tap_coverage(0, 3), ValueError, "input_hw must be >= 1; got 0"),
    (lambda: tap_coverage(4, 2.0), TypeError, "kernel_hw must be an int or a pair of ints; got float 2.0"),
    (lambda: tap_coverage(4, 3, stride=2, output_padding=2), ValueError,
     "output_padding must be smaller than stride or dilation on each axis, as in PyTorch; "
     "got output_padding=2 with stride=2 and dilation=1"),
    (lambda: tap_coverage(1, 1, padding=1), ValueError, "padding=1 leaves no output"),
])
def test_tap_coverage_bad_input(call, exc_type, text):
    assert message_of(exc_type, call).startswith(text)


# --------------------------------------------------------------------------
# conv2d_backward
# --------------------------------------------------------------------------


def torch_gradients(X, K, G, case: LayerCase):
    Xt = torch.tensor(X, requires_grad=True)
    Kt = torch.tensor(K, requires_grad=True)
    Y = F.conv2d(Xt, Kt, groups=case.groups, **case.options)
    (Y * torch.from_numpy(G)).sum().backward()
    return Xt.grad.numpy(), Kt.grad.numpy()


@TORCH
@given(layer_cases())
def test_conv2d_backward_matches_torch_autograd(case):
    X, K = case.data()
    G = rng_array(case.seed + 2, corr2d_batch(X, K, groups=case.groups, **case.options).shape)
    grad_X, grad_K = conv2d_backward(X, K, G, groups=case.groups, **case.options)
    expected_X, expected_K = torch_gradients(X, K, G, case)
    assert grad_X.shape == X.shape and grad_K.shape == K.shape
    assert_close64(grad_X, expected_X)
    assert_close64(grad_K, expected_K)


@LOCAL
@given(layer_cases())
def test_transposed_convolution_is_the_adjoint_of_correlation(case):
    # <X ⋆ K, G> = <X, grad_X>: the map G -> grad_X is the transpose of the linear map X -> X ⋆ K.
    X, K = case.data()
    Y = corr2d_batch(X, K, groups=case.groups, **case.options)
    G = rng_array(case.seed + 2, Y.shape)
    grad_X, grad_K = conv2d_backward(X, K, G, groups=case.groups, **case.options)
    np.testing.assert_allclose(np.vdot(Y, G), np.vdot(X, grad_X), rtol=1e-10, atol=1e-10)
    # And Y is linear in K too: <X ⋆ K, G> = <K, grad_K>.
    np.testing.assert_allclose(np.vdot(Y, G), np.vdot(K, grad_K), rtol=1e-10, atol=1e-10)


def test_rows_and_columns_no_window_reads_get_zero_gradient():
    # 7 rows, kernel 3, stride 2: windows start at rows 0, 2, 4 and read rows 0..6; 8 columns: column 7 is unread.
    X = rng_array(0, (1, 1, 7, 8))
    K = rng_array(1, (1, 1, 3, 3))
    G = np.ones((1, 1, 3, 3))
    grad_X, _ = conv2d_backward(X, K, G, stride=2)
    assert grad_X.shape == X.shape
    assert np.all(grad_X[..., :, 7] == 0.0)
    assert np.all(grad_X[..., :, 6] != 0.0)
    assert np.all(grad_X[..., 6, :7] != 0.0)


def test_conv2d_backward_float32_stays_float32():
    X = np.ones((1, 2, 5, 5), dtype=np.float32)
    K = np.ones((2, 1, 3, 3), dtype=np.float32)
    grad_X, grad_K = conv2d_backward(X, K, np.ones((1, 2, 2, 2), dtype=np.float32), stride=2, groups=2)
    assert grad_X.dtype == grad_K.dtype == np.float32


def test_exported_from_the_package():
    for name in ("corr2d_batch", "conv_transpose2d", "conv2d_backward"):
        assert name in course_utils.__all__ and callable(getattr(course_utils, name))


# --------------------------------------------------------------------------
# Bad input: exact messages
# --------------------------------------------------------------------------


def message_of(exc_type, call, *args, **kwargs) -> str:
    with pytest.raises(exc_type) as info:
        call(*args, **kwargs)
    assert type(info.value) is exc_type
    return str(info.value)


X4, K4 = np.ones((1, 4, 5, 5)), np.ones((6, 2, 3, 3))
Y4, KT4 = np.ones((1, 4, 3, 3)), np.ones((4, 3, 2, 2))
GROUPED_CALLS = {
    "corr2d_batch": lambda groups: corr2d_batch(X4, K4, groups=groups),
    "conv_transpose2d": lambda groups: conv_transpose2d(Y4, KT4, groups=groups),
    "conv2d_backward": lambda groups: conv2d_backward(X4, K4, np.ones((1, 6, 3, 3)), groups=groups),
}


@pytest.mark.parametrize("call", GROUPED_CALLS.values(), ids=GROUPED_CALLS.keys())
@pytest.mark.parametrize("groups, shown", [(True, "bool True"), (False, "bool False"), (2.0, "float 2.0"),
                                           ("2", "str '2'"), (None, "NoneType None"),
                                           (np.float64(2.0), "float64 2.0"), ((2, 2), "tuple (2, 2)")])
def test_groups_that_are_not_ints(call, groups, shown):
    assert message_of(TypeError, call, groups) == f"groups must be an int >= 1; got {shown}"


@pytest.mark.parametrize("call", GROUPED_CALLS.values(), ids=GROUPED_CALLS.keys())
@pytest.mark.parametrize("groups", [0, -1, np.int64(-2)])
def test_groups_below_one(call, groups):
    assert message_of(ValueError, call, groups) == f"groups must be >= 1; got {groups!r}"


def test_numpy_int_groups_are_accepted():
    np.testing.assert_array_equal(corr2d_batch(X4, K4, groups=np.int64(2)), corr2d_batch(X4, K4, groups=2))
    np.testing.assert_array_equal(conv_transpose2d(Y4, KT4, groups=np.int32(2)), conv_transpose2d(Y4, KT4, groups=2))


@pytest.mark.parametrize("call", [
    lambda: corr2d_batch(np.ones((1, 4, 5, 5)), np.ones((6, 1, 3, 3)), groups=3),
    lambda: conv2d_backward(np.ones((1, 4, 5, 5)), np.ones((6, 1, 3, 3)), np.ones((1, 6, 3, 3)), groups=3),
], ids=["corr2d_batch", "conv2d_backward"])
def test_groups_not_dividing_the_input_channels(call):
    assert message_of(ValueError, call) == (
        "groups=3 must divide the number of input channels, but X has 4 (shape (1, 4, 5, 5), layout (N, C, H, W))"
    )


def test_groups_not_dividing_the_output_channels():
    assert message_of(ValueError, corr2d_batch, np.ones((1, 4, 5, 5)), np.ones((5, 2, 3, 3)), groups=2) == (
        "groups=2 must divide the number of output channels, but K has 5 (shape (5, 2, 3, 3), "
        "layout (C_out, C_in/groups, kh, kw))"
    )


def test_grouped_kernel_with_the_wrong_channels_per_group():
    assert message_of(ValueError, corr2d_batch, np.ones((1, 4, 5, 5)), np.ones((6, 4, 3, 3)), groups=2) == (
        "channel mismatch: X has 4 input channels (shape (1, 4, 5, 5), layout (N, C, H, W)), which groups=2 "
        "splits into groups of 2, but K has 4 per group (shape (6, 4, 3, 3), layout (C_out, C_in/groups, kh, kw))"
    )


def test_ungrouped_channel_mismatch_message_is_unchanged():
    assert message_of(ValueError, corr2d_batch, np.ones((2, 3, 5, 5)), np.ones((4, 2, 3, 3))) == (
        "channel mismatch: X has 3 input channels (shape (2, 3, 5, 5), layout (N, C, H, W)) "
        "but K has 2 (shape (4, 2, 3, 3), layout (C_out, C_in, kh, kw))"
    )


def test_conv_transpose2d_groups_not_dividing_the_input_channels():
    assert message_of(ValueError, conv_transpose2d, np.ones((1, 3, 3, 3)), np.ones((3, 2, 2, 2)), groups=2) == (
        "groups=2 must divide the number of input channels, but Y has 3 (shape (1, 3, 3, 3), layout (N, C_in, H, W))"
    )


def test_conv_transpose2d_channel_mismatch():
    assert message_of(ValueError, conv_transpose2d, np.ones((1, 3, 3, 3)), np.ones((2, 3, 2, 2))) == (
        "channel mismatch: Y has 3 input channels (shape (1, 3, 3, 3), layout (N, C_in, H, W)) "
        "but K has 2 (shape (2, 3, 2, 2), layout (C_in, C_out/groups, kh, kw))"
    )


def test_conv_transpose2d_groups_with_one_image():
    assert message_of(ValueError, conv_transpose2d, np.ones((3, 3)), np.ones((2, 2)), groups=2) == (
        "groups must be 1 for a 2-D Y (one channel, shape (3, 3)); got groups=2"
    )


@pytest.mark.parametrize("options, shown", [
    ({"output_padding": 1}, "output_padding=1 with stride=1 and dilation=1"),
    ({"output_padding": 2, "stride": 2}, "output_padding=2 with stride=2 and dilation=1"),
    ({"output_padding": (1, 1), "stride": (2, 1)}, "output_padding=(1, 1) with stride=(2, 1) and dilation=1"),
    ({"output_padding": 3, "stride": 3, "dilation": (2, 4)}, "output_padding=3 with stride=3 and dilation=(2, 4)"),
])
def test_output_padding_not_below_stride_or_dilation(options, shown):
    expected = f"output_padding must be smaller than stride or dilation on each axis, as in PyTorch; got {shown}"
    assert message_of(ValueError, conv_transpose2d, np.ones((3, 3)), np.ones((2, 2)), **options) == expected
    assert message_of(ValueError, conv_transpose_output_size, 3, 2, **options) == expected
    # PyTorch refuses the same arguments.
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride or dilation"):
        F.conv_transpose2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2), **options)


def test_output_padding_below_dilation_is_allowed_with_stride_one():
    # PyTorch's rule is "below stride OR below dilation": here only the dilation allows it.
    result = conv_transpose2d(np.ones((3, 3)), np.ones((2, 2)), dilation=2, output_padding=1)
    assert result.shape == (6, 6)
    assert np.all(result[-1] == 0) and np.all(result[:, -1] == 0)


@pytest.mark.parametrize("value, exc_type, text", [
    (-1, ValueError, "output_padding must be non-negative; got -1"),
    (1.0, TypeError, "output_padding must be an int or a pair of ints; got float 1.0"),
    ((1, 1, 1), ValueError, "output_padding must be an int or an (h, w) pair; got (1, 1, 1) with 3 entries"),
])
def test_output_padding_values(value, exc_type, text):
    assert message_of(exc_type, conv_transpose2d, np.ones((3, 3)), np.ones((2, 2)), stride=2,
                      output_padding=value) == text


def test_padding_that_leaves_no_output():
    assert message_of(ValueError, conv_transpose2d, np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), padding=(1, 2)) == (
        "padding=(1, 2) leaves no output: Y with shape (1, 1, 2, 2) and kernel K with shape (1, 1, 2, 2) "
        "(stride=1, dilation=1, output_padding=0) give "
        "(H - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1 = 1x-1"
    )
    assert message_of(ValueError, conv_transpose_output_size, 2, 2, padding=2) == (
        "padding=2 leaves no output: a transposed convolution of size n = (2, 2) with kernel size k = (2, 2) "
        "(stride=1, dilation=1, output_padding=0) would have size -1x-1"
    )


def test_conv_transpose2d_dimensions():
    assert message_of(ValueError, conv_transpose2d, np.ones((2, 3, 3)), np.ones((2, 2))) == (
        "Y must be 2-D or 4-D; got a 3-D array with shape (2, 3, 3)"
    )
    assert message_of(ValueError, conv_transpose2d, np.ones((1, 1, 3, 3)), np.ones((2, 2))) == (
        "K must be 4-D; got a 2-D array with shape (2, 2)"
    )
    assert message_of(TypeError, conv_transpose2d, np.ones((3, 3)), np.ones((2, 2), dtype=complex)) == (
        "K must hold real numbers (bool, int or float); got dtype complex128 with shape (2, 2)"
    )


def test_conv2d_backward_grad_Y_of_the_wrong_shape():
    # The right shape passes; one column too many does not.
    conv2d_backward(np.ones((2, 4, 5, 5)), np.ones((6, 2, 3, 3)), np.ones((2, 6, 3, 2)), stride=(1, 2), groups=2)
    assert message_of(ValueError, conv2d_backward, np.ones((2, 4, 5, 5)), np.ones((6, 2, 3, 3)),
                      np.ones((2, 6, 3, 3)), stride=(1, 2), groups=2) == (
        "grad_Y must have the shape of Y = corr2d_batch(X, K, ...), (N, C_out, oh, ow) = (2, 6, 3, 2) for X "
        "with shape (2, 4, 5, 5), K with shape (6, 2, 3, 3), padding=0, stride=(1, 2), dilation=1; "
        "got shape (2, 6, 3, 3)"
    )
    assert message_of(ValueError, conv2d_backward, np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), np.ones((2, 2))) == (
        "grad_Y must be 4-D; got a 2-D array with shape (2, 2)"
    )


def test_conv2d_backward_kernel_larger_than_input():
    assert message_of(ValueError, conv2d_backward, np.ones((1, 1, 3, 3)), np.ones((1, 1, 4, 4)),
                      np.ones((1, 1, 1, 1))) == (
        "kernel K with shape (1, 1, 4, 4) is larger than the input X with shape (1, 1, 3, 3) padded by (0, 0) "
        "to 3x3: increase padding or use a smaller kernel"
    )

