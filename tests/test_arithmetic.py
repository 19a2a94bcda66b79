"""course_utils.arithmetic: padding that keeps or grows a size, the floor of the output-size formula.

Every helper is checked against brute force (counting window positions one by
one) and, where a framework has the same notion, against PyTorch. Hypothesis
draws the sizes (derandomized, so every run checks the same examples).
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
from scipy.signal import correlate2d

from course_utils import conv_output_size, corr2d
from course_utils.arithmetic import (
    as_padding_widths,
    full_padding,
    ignored_input_size,
    input_sizes_for_output,
    input_usage,
    same_padding,
    same_padding_split,
)

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def window_starts(n, k, p, s, d):
    """Brute force: every start position (in the padded input) where the dilated kernel fits."""
    span = d * (k - 1) + 1
    return [start for start in range(0, n + 2 * p) if start % s == 0 and start + span <= n + 2 * p]


@st.composite
def one_axis(draw, max_n=20):
    k, d = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    p, s = draw(st.integers(0, 4)), draw(st.integers(1, 5))
    span = d * (k - 1) + 1
    n = draw(st.integers(max(1, span - 2 * p), max(1, span - 2 * p) + max_n))
    return n, k, p, s, d


# -- conv_output_size (ops) against brute force: the formula the helpers build on -------------------------

@SETTINGS
@given(one_axis())
def test_conv_output_size_counts_the_window_positions(axis):
    n, k, p, s, d = axis
    assert conv_output_size(n, k, padding=p, stride=s, dilation=d) == len(window_starts(n, k, p, s, d))


def test_conv_output_size_grid_matches_torch():
    for n in range(1, 11):
        for k in range(1, 5):
            for p in range(3):
                for s in range(1, 4):
                    if k > n + 2 * p:
                        continue
                    shape = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), padding=p, stride=s).shape
                    assert shape[2:] == (conv_output_size(n, k, padding=p, stride=s),) * 2, (n, k, p, s)


# -- input_sizes_for_output ---------------------------------------------------------------------------

@SETTINGS
@given(one_axis(max_n=30))
def test_input_sizes_for_output_are_exactly_the_sizes_with_that_output(axis):
    n, k, p, s, d = axis
    o = conv_output_size(n, k, padding=p, stride=s, dilation=d)
    sizes = input_sizes_for_output(o, k, padding=p, stride=s, dilation=d)
    span = d * (k - 1) + 1
    brute = [m for m in range(1, n + 3 * s + 5)
             if span <= m + 2 * p and conv_output_size(m, k, padding=p, stride=s, dilation=d) == o]
    assert isinstance(sizes, range) and list(sizes) == brute
    assert n in sizes and len(sizes) <= s


def test_input_sizes_for_output_worked_examples():
    assert input_sizes_for_output(3, 3, stride=2) == range(7, 9)
    assert input_sizes_for_output(28, 5, padding=2) == range(28, 29)
    assert input_sizes_for_output(112, 7, padding=3, stride=2) == range(223, 225)
    assert input_sizes_for_output((2, 2), (3, 5), padding=(0, 1), stride=(3, 4)) == (range(6, 9), range(7, 11))
    # large padding: the smallest input size is clipped to 1
    assert input_sizes_for_output(3, 1, padding=1) == range(1, 2)


def test_input_sizes_for_output_impossible_output_is_explained():
    with pytest.raises(ValueError, match=r"no input size gives 1 outputs along an axis \(output_size=1, kernel_size=3, padding=3.*1-pixel input gives 5"):
        input_sizes_for_output(1, 3, padding=3)


# -- same padding --------------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 3, 5, 7, 9, 11])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_same_padding_keeps_the_size_in_torch(k, d):
    p = same_padding(k, d)
    assert p == d * (k - 1) // 2
    x = torch.randn(1, 1, 23, 17, dtype=torch.float64)
    w = torch.randn(1, 1, k, k, dtype=torch.float64)
    ours = F.conv2d(x, w, padding=p, dilation=d)
    assert ours.shape == x.shape
    assert torch.allclose(ours, F.conv2d(x, w, padding="same", dilation=d))


def test_same_padding_even_kernel_with_even_dilation_is_symmetric():
    assert same_padding(2, dilation=2) == 1 and same_padding(4, 2) == 3
    assert same_padding((5, 3)) == (2, 1) and same_padding(3, (1, 2)) == (1, 2)


@pytest.mark.parametrize("k, before, after", [(2, 0, 1), (4, 1, 2), (6, 2, 3)])
def test_same_padding_refuses_even_kernels_and_names_the_split(k, before, after):
    with pytest.raises(ValueError) as info:
        same_padding(k)
    message = str(info.value)
    assert f"kernel_size={k}" in message and "odd number" in message
    assert f"{before} before and {after} after" in message and "same_padding_split" in message


def test_same_padding_names_the_axis_of_a_pair():
    with pytest.raises(ValueError, match=r"along axis 1 \(width\)"):
        same_padding((3, 4))
    with pytest.raises(ValueError, match=r"with dilation=3 .* d\(k - 1\) = 3 zeros"):
        same_padding(2, 3)


@pytest.mark.parametrize("kh, kw", [(2, 2), (4, 3), (3, 2), (1, 4), (5, 5)])
def test_same_padding_split_is_what_torch_padding_same_does(kh, kw):
    (top, bottom), (left, right) = same_padding_split((kh, kw))
    x = torch.randn(1, 1, 9, 11, dtype=torch.float64)
    w = torch.randn(1, 1, kh, kw, dtype=torch.float64)
    ours = F.conv2d(F.pad(x, (left, right, top, bottom)), w)
    with warnings.catch_warnings():  # even kernels: PyTorch warns that it pads a copy of the input
        warnings.simplefilter("ignore", UserWarning)
        theirs = F.conv2d(x, w, padding="same")
    assert ours.shape == x.shape and torch.allclose(ours, theirs)


def test_same_padding_split_formats():
    assert same_padding_split(3) == (1, 1)
    assert same_padding_split(2) == (0, 1)
    assert same_padding_split(2, 2) == (1, 1)
    assert same_padding_split((4, 3)) == ((1, 2), (1, 1))


# -- full padding --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kh, kw", [(1, 1), (2, 3), (3, 3), (5, 2)])
def test_full_padding_gives_the_full_correlation(kh, kw):
    rng = np.random.default_rng(kh * 10 + kw)
    X, K = rng.standard_normal((6, 7)), rng.standard_normal((kh, kw))
    p = full_padding((kh, kw))
    assert p == (kh - 1, kw - 1)
    Y = corr2d(X, K, padding=p)
    assert Y.shape == (6 + kh - 1, 7 + kw - 1)
    assert np.allclose(Y, correlate2d(X, K, mode="full"))


@pytest.mark.parametrize("k, d", [(3, 1), (3, 2), (2, 3), (1, 4)])
def test_full_padding_extends_the_size_in_torch(k, d):
    p = full_padding(k, d)
    out = F.conv2d(torch.zeros(1, 1, 10, 10), torch.zeros(1, 1, k, k), padding=p, dilation=d)
    assert out.shape[2:] == (10 + d * (k - 1),) * 2 == (conv_output_size(10, k, padding=p, dilation=d),) * 2


# -- input_usage and ignored_input_size ----------------------------------------------------------------

@SETTINGS
@given(one_axis())
def test_input_usage_counts_every_tap(axis):
    n, k, p, s, d = axis
    expected = np.zeros(n + 2 * p, dtype=int)
    for start in window_starts(n, k, p, s, d):
        for tap in range(k):
            expected[start + tap * d] += 1
    assert np.array_equal(input_usage(n, k, padding=p, stride=s, dilation=d), expected[p:p + n])


@SETTINGS
@given(one_axis())
def test_ignored_input_size_is_the_unread_tail(axis):
    n, k, p, s, d = axis
    usage = input_usage(n, k, padding=p, stride=s, dilation=d)
    read = np.flatnonzero(usage)
    tail = n if read.size == 0 else n - 1 - read[-1]
    last_start = window_starts(n, k, p, s, d)[-1]
    reached = last_start + d * (k - 1) - p  # last input index under the last window
    assert ignored_input_size(n, k, padding=p, stride=s, dilation=d) == min(n, max(0, n - 1 - reached))
    if d == 1 and k >= s:  # no holes between windows: the tail is all that goes unread
        assert ignored_input_size(n, k, padding=p, stride=s) == tail
    assert ignored_input_size(n, k, padding=p, stride=s, dilation=d) <= s - 1


def test_real_rows_lost_closed_form_on_a_grid():
    """Lesson 06's statement: the floor loses max(0, (n + 2p - k) mod s - p) real rows (p < k), checked on a grid.

    Also with dilation (k replaced by the span d(k - 1) + 1). Without dilation and with s <= k, windows leave
    no gaps, so those are all the rows input_usage counts as never read.
    """
    checked = 0
    for n in range(1, 21):
        for k in range(1, 7):
            for d in (1, 2, 3):
                span = d * (k - 1) + 1
                for p in range(span):
                    for s in range(1, 8):
                        if span > n + 2 * p:
                            continue
                        lost = max(0, (n + 2 * p - span) % s - p)
                        assert ignored_input_size(n, k, padding=p, stride=s, dilation=d) == lost, (n, k, p, s, d)
                        if d == 1 and s <= k:
                            never_read = int(np.sum(input_usage(n, k, padding=p, stride=s) == 0))
                            assert never_read == lost, (n, k, p, s)
                        checked += 1
    assert checked > 10_000


def test_padding_can_make_the_floor_drop_only_padding():
    """7 and 8 share an output size with k=3, s=2, p=1, yet every pixel of the 8-pixel axis is read."""
    assert conv_output_size(7, 3, padding=1, stride=2) == conv_output_size(8, 3, padding=1, stride=2) == 4
    assert input_usage(8, 3, padding=1, stride=2).min() >= 1
    assert ignored_input_size(8, 3, padding=1, stride=2) == 0
    assert ignored_input_size(8, 3, stride=2) == 1  # without padding the same input loses row 7

def test_ignored_rows_do_not_change_the_torch_output():
    rng = np.random.default_rng(0)
    X, K = torch.from_numpy(rng.standard_normal((1, 1, 8, 9))), torch.from_numpy(rng.standard_normal((1, 1, 3, 3)))
    rows, cols = ignored_input_size((8, 9), 3, stride=(2, 3))
    assert (rows, cols) == (1, 0)
    changed = X.clone()
    changed[..., 8 - rows:, :] = 1e3
    assert torch.equal(F.conv2d(X, K, stride=(2, 3)), F.conv2d(changed, K, stride=(2, 3)))
    changed[..., 8 - rows - 1, :] = 1e3  # the last row that is read does matter
    assert not torch.equal(F.conv2d(X, K, stride=(2, 3)), F.conv2d(changed, K, stride=(2, 3)))


def test_input_usage_worked_values():
    assert input_usage(6, 3).tolist() == [1, 2, 3, 3, 2, 1]
    assert input_usage(8, 1, stride=2).tolist() == [1, 0] * 4
    assert input_usage(5, 2, dilation=2).tolist() == [1, 1, 2, 1, 1]


# -- as_padding_widths ---------------------------------------------------------------------------------

def test_as_padding_widths_spellings():
    assert as_padding_widths(2) == ((2, 2), (2, 2))
    assert as_padding_widths((2, 1)) == ((2, 2), (1, 1))
    assert as_padding_widths([[0, 1], [1, 0]]) == ((0, 1), (1, 0))
    assert as_padding_widths(np.array(1)) == ((1, 1), (1, 1))


# -- bad input -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: same_padding(0), ValueError, r"kernel_size must be >= 1; got 0 \(kernel_size=0, dilation=1\)"),
        (lambda: same_padding(3, 0), ValueError, r"dilation must be >= 1; got 0"),
        (lambda: same_padding(3.0), TypeError, r"kernel_size must be an int or a pair of ints; got float 3\.0"),
        (lambda: full_padding((3, 3, 3)), ValueError, r"kernel_size must be an int or an \(h, w\) pair; got \(3, 3, 3\)"),
        (lambda: same_padding_split(True), TypeError, r"kernel_size must be an int .* got bool True"),
        (lambda: input_sizes_for_output(0, 3), ValueError, r"output_size must be >= 1; got 0 \(output_size=0, kernel_size=3"),
        (lambda: input_sizes_for_output(3, 3, padding=-1), ValueError, r"padding must be non-negative; got -1"),
        (lambda: input_sizes_for_output(3, 3, stride=0), ValueError, r"stride must be >= 1; got 0"),
        (lambda: input_usage((8, 8), 3), TypeError, r"n must be a single int \(one axis at a time\); got \(8, 8\)"),
        (lambda: input_usage(2, 5), ValueError, r"kernel_size=5 is larger than n=2 padded by 0 on each side to 2: increase padding"),
        (lambda: input_usage(3, 3, dilation=2), ValueError, r"kernel_size=3 \(dilation=2 makes it span 5\) is larger than n=3"),
        (lambda: input_usage(8, 3, stride="2"), TypeError, r"stride must be an int or a pair of ints; got str '2'"),
        (lambda: ignored_input_size(4, 7, padding=1), ValueError, r"is larger than the input .* padded by \(1, 1\) to 6x6"),
        (lambda: ignored_input_size(8, 3, stride=-2), ValueError, r"stride must be >= 1; got -2 \(n=8"),
        (lambda: as_padding_widths(-1), ValueError, r"padding must be non-negative; got -1; or give \(\(top, bottom\)"),
        (lambda: as_padding_widths(((0, 1), (2, -1))), ValueError, r"padding\[1\] \(left, right\) must be non-negative"),
        (lambda: as_padding_widths("same"), TypeError, r"padding must be an int or a pair of ints; got str 'same'"),
    ],
)
def test_bad_input_gets_a_clear_message(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert re.search(message, str(info.value)), str(info.value)
