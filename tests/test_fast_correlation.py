"""The fast paths of course_utils.fast_correlation (lesson 12), each against the double loop.

Every path (three-call small direct, cache strips in one and several threads,
strided taps, FFT, im2col + GEMM in one band and in several) is compared with
``corr2d_naive`` on random shapes; float32 must stay float32; ``corr2d`` must
dispatch by the measured table; the direct method must give the plain tap
loop's float64 results bit for bit. Nothing here measures time: timing lives
in ``tools/benchmark.py`` (``make bench``).
"""
from __future__ import annotations

import math
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils import _checks, corr2d, corr2d_multi_in, corr2d_multi_in_out, corr2d_naive, convolve2d
from course_utils import fast_correlation as fc
from course_utils import thread_pool
from course_utils.ops import corr2d_batch

RNG_CASES = 60


def reference(X, K, padding=(0, 0), stride=(1, 1), dilation=(1, 1)):
    """corr2d_naive on the padded input with the dilated (dense) kernel, then the strided outputs."""
    X = np.pad(np.asarray(X, dtype=np.float64), [(padding[0],) * 2, (padding[1],) * 2])
    K = np.asarray(K, dtype=np.float64)
    dense = np.zeros((dilation[0] * (K.shape[0] - 1) + 1, dilation[1] * (K.shape[1] - 1) + 1))
    dense[:: dilation[0], :: dilation[1]] = K
    return corr2d_naive(X, dense)[:: stride[0], :: stride[1]]


def random_problems(seed, count=RNG_CASES, max_hw=24, max_k=6, options=True):
    rng = np.random.default_rng(seed)
    made = 0
    while made < count:
        hw = tuple(int(v) for v in rng.integers(1, max_hw + 1, 2))
        khw = tuple(int(v) for v in rng.integers(1, max_k + 1, 2))
        p = tuple(int(v) for v in rng.integers(0, 3, 2)) if options else (0, 0)
        s = tuple(int(v) for v in rng.integers(1, 4, 2)) if options else (1, 1)
        d = tuple(int(v) for v in rng.integers(1, 3, 2)) if options else (1, 1)
        if any(di * (ki - 1) + 1 > ni + 2 * pi for ni, ki, pi, di in zip(hw, khw, p, d)):
            continue
        made += 1
        yield rng.standard_normal(hw), rng.standard_normal(khw), p, s, d


def options(p, s, d):
    return {"padding": p, "stride": s, "dilation": d}


# --------------------------------------------------------------------------
# Every single-channel path against the double loop
# --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_direct_and_fft_match_the_double_loop(seed):
    for X, K, p, s, d in random_problems(seed):
        expected = reference(X, K, p, s, d)
        for fn in (fc.corr2d_direct, fc.corr2d_fft, corr2d):
            result = fn(X, K, **options(p, s, d))
            assert result.shape == expected.shape, (fn.__name__, X.shape, K.shape, p, s, d)
            np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-10, err_msg=fn.__name__)


def test_fft_matches_the_double_loop():
    for X, K, p, s, d in random_problems(30, count=30):
        for dtype in (np.float64, np.float32):
            result = fc.corr2d_fft(X.astype(dtype), K.astype(dtype), **options(p, s, d))
            assert result.dtype == dtype
            tol = 1e-10 if dtype == np.float64 else 1e-4
            np.testing.assert_allclose(result, reference(X, K, p, s, d), rtol=tol, atol=tol)


def test_fft_results_of_consecutive_calls_are_independent():
    rng = np.random.default_rng(9)
    big, small, K = rng.standard_normal((30, 30)), rng.standard_normal((27, 29)), rng.standard_normal((4, 4))
    first = fc.corr2d_fft(big, K)
    result = fc.corr2d_fft(small, K, padding=(1, 0))
    np.testing.assert_allclose(result, reference(small, K, (1, 0)), atol=1e-10)
    again = fc.corr2d_fft(big, K)
    np.testing.assert_array_equal(again, first)
    assert not np.shares_memory(first, again) and again.flags.c_contiguous


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_fft_method_allocates_no_large_array_but_its_result(dtype):
    """Fresh megabyte arrays cost page faults that doubled this method's time where PyTorch is imported
    (0 vs 1,200-1,900 faults per 512x512 call): after the first call, only the result and blocks of
    FFT_BLOCK_BYTES are allocated."""
    import tracemalloc

    rng = np.random.default_rng(3)
    X, K = rng.standard_normal((512, 512)).astype(dtype), rng.standard_normal((7, 7)).astype(dtype)
    expected = fc.corr2d_fft(X, K)  # the first call allocates the kept work arrays
    tracemalloc.start()
    try:
        result = fc.corr2d_fft(X, K)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(result, expected)
    spectrum_bytes = 512 * 257 * np.dtype(dtype).itemsize * 2
    assert peak < result.nbytes + 4 * fc.FFT_BLOCK_BYTES < result.nbytes + spectrum_bytes, (peak, result.nbytes)


@pytest.fixture
def tiny_strips(monkeypatch):
    """Force the strip path with several strips and threads on small inputs."""
    monkeypatch.setattr(fc, "SMALL_OUTPUT", 0)
    monkeypatch.setattr(fc, "STRIP_BYTES", 320)
    monkeypatch.setattr(fc, "PARALLEL_MIN_BYTES", 0)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_strip_path_in_several_threads_matches_the_double_loop(tiny_strips, threads, monkeypatch):
    monkeypatch.setattr(thread_pool, "_num_threads", threads)
    for X, K, p, _, d in random_problems(10 + threads, options=True):
        expected = reference(X, K, p, (1, 1), d)
        np.testing.assert_allclose(fc.corr2d_direct(X, K, padding=p, dilation=d), expected, rtol=1e-10, atol=1e-10)


def test_small_path_is_taken_and_matches(monkeypatch):
    calls = []
    original = fc._direct_small
    monkeypatch.setattr(fc, "_direct_small", lambda *a: calls.append(a[0].shape) or original(*a))
    X, K = np.arange(64.0).reshape(8, 8), np.ones((3, 3))
    np.testing.assert_array_equal(fc.corr2d_direct(X, K), corr2d_naive(X, K))
    assert calls == [(8, 8)]


def test_large_input_in_threads_equals_one_thread():
    rng = np.random.default_rng(3)
    X, K = rng.standard_normal((700, 301)), rng.standard_normal((3, 4))
    previous = fc.get_num_threads()
    try:
        fc.set_num_threads(1)
        one = fc.corr2d_direct(X, K)
        fc.set_num_threads(3)
        three = fc.corr2d_direct(X, K)
    finally:
        fc.set_num_threads(previous)
    np.testing.assert_array_equal(one, three)
    np.testing.assert_allclose(one[:5, :5], corr2d_naive(X[:7, :8], K), rtol=1e-12)


def _threaded_corr2d_in_child(queue):
    X, K = np.arange(4000.0).reshape(40, 100), np.ones((3, 3))
    queue.put(bool(np.array_equal(fc.corr2d_direct(X, K), corr2d_naive(X, K))))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_threads_work_in_a_forked_child(tiny_strips, monkeypatch):
    import multiprocessing

    monkeypatch.setattr(thread_pool, "_num_threads", 2)
    fc.corr2d_direct(np.ones((40, 100)), np.ones((3, 3)))  # the parent's pool now exists
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_threaded_corr2d_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0 and queue.get(timeout=5) is True


WITHOUT_FORK = """
import os, sys
# Windows: no fork, so no register_at_fork; the module must import and thread without them.
del os.register_at_fork, os.fork
import numpy as np
from course_utils import fast_correlation as fc
from course_utils import thread_pool
from course_utils.ops import corr2d_naive
fc.SMALL_OUTPUT, fc.STRIP_BYTES, fc.PARALLEL_MIN_BYTES = 0, 320, 0  # threads even here, as tiny_strips does
fc.set_num_threads(2)
X, K = np.arange(4000.0).reshape(40, 100), np.ones((3, 3))
assert np.array_equal(fc.corr2d_direct(X, K), corr2d_naive(X, K))
print(sorted(t.name.split("_")[0] for t in __import__("threading").enumerate()))
"""


def test_the_thread_pool_works_where_os_has_no_fork():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", WITHOUT_FORK], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "course" in done.stdout, f"the pool never started threads: {done.stdout}"


def plain_tap_loop(Xp, K):
    """The tap loop corr2d used before the fast paths (float64 reference for bit-for-bit checks)."""
    oh, ow = Xp.shape[0] - K.shape[0] + 1, Xp.shape[1] - K.shape[1] + 1
    dtype = np.result_type(Xp.dtype, K.dtype)
    out = np.zeros((oh, ow), dtype=dtype)
    product = np.empty((oh, ow), dtype=dtype)
    for a in range(K.shape[0]):
        for b in range(K.shape[1]):
            np.multiply(Xp[a : a + oh, b : b + ow], K[a, b], out=product)
            out += product
    return out


@pytest.mark.parametrize("shape, kshape", [((8, 8), (3, 3)), ((30, 17), (5, 2)), ((64, 64), (3, 3)),
                                           ((200, 150), (4, 4)), ((5, 40), (5, 1)), ((3, 3), (3, 3))])
@pytest.mark.parametrize("dtypes", [(np.float64, np.float64), (np.float32, np.float64), (np.float64, np.float32),
                                    (np.float32, np.float32)])
@pytest.mark.parametrize("small_products", ["multiply", "einsum"])
def test_direct_method_is_bit_for_bit_the_plain_tap_loop(shape, kshape, dtypes, small_products, monkeypatch):
    # Both ways the small path can make its products (the shapes above take it or the strips).
    monkeypatch.setattr(fc, "SMALL_EINSUM_MIN_PRODUCTS", 0 if small_products == "einsum" else 1 << 62)
    rng = np.random.default_rng(sum(shape) + sum(kshape))
    X = (rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 3, shape)).astype(dtypes[0])
    K = rng.standard_normal(kshape).astype(dtypes[1])
    X[: shape[0] // 3] = 0.0
    K[0, 0] = -abs(K[0, 0])  # products -0.0 where X is 0: the plain loop's sums are +0.0
    result, expected = fc.corr2d_direct(X, K), plain_tap_loop(X, K)
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)
    assert not np.signbit(result[result == 0]).any()


@pytest.mark.parametrize("path", ["strips", "three calls", "three calls with einsum", "strided tap loop"])
def test_sum_of_negative_zeros_is_positive_zero_on_every_direct_path(path, monkeypatch):
    if path == "strips":
        monkeypatch.setattr(fc, "SMALL_OUTPUT", 0)
    monkeypatch.setattr(fc, "SMALL_EINSUM_MIN_PRODUCTS", 0 if path.endswith("einsum") else 1 << 62)
    stride = 2 if path == "strided tap loop" else 1
    for dtype in (np.float32, np.float64):
        X, K = np.zeros((6, 6), dtype), -np.ones((2, 2), dtype)  # every product is -0.0
        assert not np.signbit(fc.corr2d_direct(X, K, stride=stride)).any()
        assert not np.signbit(corr2d(X, K, stride=stride)).any()


def test_small_integers_stay_exact_with_small_kernels():
    rng = np.random.default_rng(7)
    for n in (8, 64, 300):
        X = rng.integers(-9, 10, size=(n, n))
        K = rng.integers(-3, 4, size=(5, 5))
        result = corr2d(X, K)
        expected = torch.nn.functional.conv2d(torch.from_numpy(X)[None, None], torch.from_numpy(K)[None, None])[0, 0]
        np.testing.assert_array_equal(result, expected.numpy().astype(np.float64))


# --------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("shape, kshape", [((8, 8), (3, 3)), ((300, 200), (3, 3)), ((64, 64), (9, 9))])
def test_float32_stays_float32_on_every_path(method, shape, kshape):
    rng = np.random.default_rng(1)
    X, K = rng.standard_normal(shape).astype(np.float32), rng.standard_normal(kshape).astype(np.float32)
    fn = fc.corr2d_direct if method == "direct" else fc.corr2d_fft
    result = fn(X, K, padding=1)
    assert result.dtype == np.float32
    expected = fn(X.astype(np.float64), K.astype(np.float64), padding=1)
    np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


def test_float32_stays_float32_in_the_multichannel_functions():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((2, 3, 9, 9)).astype(np.float32)
    K = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    assert corr2d_batch(X, K).dtype == np.float32
    assert corr2d_multi_in_out(X[0], K).dtype == np.float32
    assert corr2d_multi_in(X[0], K[0]).dtype == np.float32
    assert fc.im2col(X[0], 3).dtype == np.float32
    assert corr2d_batch(X, K.astype(np.float64)).dtype == np.float64


# --------------------------------------------------------------------------
# Dispatch by the measured table
# --------------------------------------------------------------------------


def test_crossover_table_is_well_formed():
    for dtype, table in fc.FFT_CROSSOVER.items():
        sides = [side for side, _ in table]
        assert sides == sorted(sides) and len(set(sides)) == len(sides), dtype
        assert all(work > 0 for _, work in table), dtype


def test_threshold_interpolates_between_measured_sides_and_holds_outside():
    table = fc.FFT_CROSSOVER["float32"]
    finite = [(s, w) for s, w in table if math.isfinite(w)]
    (s0, w0), (s1, w1) = finite[0], finite[1]
    middle = fc.fft_threshold(math.sqrt(s0 * s1), np.float32)
    assert min(w0, w1) <= middle <= max(w0, w1)
    assert fc.fft_threshold(10 * table[-1][0], np.float32) == table[-1][1]
    assert fc.fft_threshold(1, np.float32) == table[0][1]
    for side, work in table:
        assert fc.fft_threshold(side, np.float32) == work


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("side", [64, 512, 2048])
def test_choose_method_follows_the_table(dtype, side):
    threshold = fc.fft_threshold(side, dtype)
    for k in (3, 5, 7, 9, 11, 15, 21, 31):
        work = fc.direct_work_per_pixel(side, k)
        expected = "fft" if k * k > fc.DIRECT_MAX_TAPS and work >= threshold else "direct"
        assert fc.choose_method((side, side), (k, k), dtype) == expected, (side, k)


def test_corr2d_dispatches_to_fft_only_above_the_threshold(monkeypatch):
    used = []
    for name in ("_fft_valid", "_direct_valid"):
        original = getattr(fc, name)
        monkeypatch.setattr(fc, name, lambda *a, _o=original, _n=name: used.append(_n) or _o(*a))
    X = np.zeros((512, 512), dtype=np.float32)
    corr2d(X, np.ones((3, 3), dtype=np.float32))
    corr2d(X, np.ones((31, 31), dtype=np.float32))
    corr2d(X, np.ones((31, 31), dtype=np.float32), stride=31)  # 16x16 outputs: direct work is tiny
    corr2d(np.zeros((28, 28)), np.ones((26, 26)))  # big kernel, 3x3 output (a kernel gradient)
    corr2d(np.zeros((512, 512)), np.ones((5, 5)))  # at most DIRECT_MAX_TAPS: always direct
    assert used == ["_direct_valid", "_fft_valid", "_direct_valid", "_direct_valid", "_direct_valid"]


def test_convolve2d_is_corr2d_with_the_flipped_kernel_on_the_fft_path_too():
    rng = np.random.default_rng(4)
    X, K = rng.standard_normal((300, 300)), rng.standard_normal((21, 21))
    assert fc.choose_method(X.shape, K.shape) == "fft"
    np.testing.assert_array_equal(convolve2d(X, K), corr2d(X, K[::-1, ::-1].copy()))
    np.testing.assert_allclose(convolve2d(X, K)[:3, :3], corr2d_naive(X[:23, :23], K[::-1, ::-1]), atol=1e-10)


def test_choose_method_validates_its_sizes():
    with pytest.raises(ValueError, match=r"kernel size kernel_hw = \(9, 9\) is larger than the input size input_hw"):
        fc.choose_method((5, 5), (9, 9))
    with pytest.raises(ValueError, match="stride must be >= 1"):
        fc.choose_method((5, 5), (3, 3), stride=0)


# --------------------------------------------------------------------------
# Multi-channel: im2col + GEMM
# --------------------------------------------------------------------------


def test_im2col_layout():
    X = np.arange(2 * 4 * 5, dtype=float).reshape(2, 4, 5)
    cols = fc.im2col(X, (2, 3))
    assert cols.shape == (2 * 2 * 3, 3 * 3)
    for c in range(2):
        for a in range(2):
            for b in range(3):
                row = (c * 2 + a) * 3 + b
                np.testing.assert_array_equal(cols[row], X[c, a : a + 3, b : b + 3].ravel())


@pytest.mark.parametrize("seed", range(3))
def test_weights_times_im2col_is_the_multichannel_correlation(seed):
    rng = np.random.default_rng(seed)
    for X2, K2, p, s, d in random_problems(seed, count=20, max_hw=12, max_k=4):
        c_in, c_out = rng.integers(1, 4, 2)
        X = rng.standard_normal((c_in,) + X2.shape)
        K = rng.standard_normal((c_out, c_in) + K2.shape)
        cols = fc.im2col(X, K2.shape, **options(p, s, d))
        expected = corr2d_multi_in_out(X, K, **options(p, s, d))
        flat = K.reshape(c_out, -1) @ cols
        np.testing.assert_allclose(flat.reshape(expected.shape), expected, rtol=1e-10, atol=1e-10)
        by_loop = sum(reference(X[c], K[0, c], p, s, d) for c in range(c_in))
        np.testing.assert_allclose(expected[0], by_loop, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("band", [None, 7])
@pytest.mark.parametrize("seed", range(3))
def test_corr2d_batch_matches_torch(seed, band, monkeypatch):
    if band is not None:
        monkeypatch.setattr(fc, "IM2COL_MAX_ELEMENTS", band)  # several bands of output rows
    rng = np.random.default_rng(seed)
    for X2, K2, p, s, d in random_problems(seed + 20, count=15, max_hw=12, max_k=4):
        n, c_in, c_out = rng.integers(1, 4, 3)
        X = rng.standard_normal((n, c_in) + X2.shape)
        K = rng.standard_normal((c_out, c_in) + K2.shape)
        result = corr2d_batch(X, K, **options(p, s, d))
        with torch.no_grad():
            expected = F.conv2d(torch.from_numpy(X), torch.from_numpy(K), padding=p, stride=s, dilation=d).numpy()
        assert result.shape == expected.shape
        np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-10)
        for i in range(n):
            np.testing.assert_allclose(result[i], corr2d_multi_in_out(X[i], K, **options(p, s, d)), rtol=1e-12,
                                       atol=1e-12)


def test_corr2d_batch_bad_input_names_the_problem():
    with pytest.raises(ValueError, match=r"channel mismatch: X has 3 input channels \(shape \(2, 3, 5, 5\), "
                                         r"layout \(N, C, H, W\)\) but K has 2"):
        corr2d_batch(np.ones((2, 3, 5, 5)), np.ones((4, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"X must be 4-D; got a 3-D array with shape \(3, 5, 5\)"):
        corr2d_batch(np.ones((3, 5, 5)), np.ones((4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"kernel K with shape \(4, 3, 6, 6\) is larger than the input X"):
        corr2d_batch(np.ones((1, 3, 5, 5)), np.ones((4, 3, 6, 6)))
    with pytest.raises(TypeError, match="K must hold real numbers"):
        corr2d_batch(np.ones((1, 3, 5, 5)), np.ones((4, 3, 3, 3), dtype=complex))


def test_im2col_bad_input_names_the_problem():
    with pytest.raises(ValueError, match=r"kernel size kernel_size = \(4, 4\) is larger than the input X"):
        fc.im2col(np.ones((3, 3)), 4)
    with pytest.raises(ValueError, match=r"X must be 2-D or 3-D; got a 1-D array"):
        fc.im2col(np.ones(3), 1)
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        fc.im2col(np.ones((3, 3)), 0)


def test_direct_and_fft_validate_like_corr2d():
    for fn in (fc.corr2d_direct, fc.corr2d_fft):
        with pytest.raises(ValueError, match=r"K must be 2-D; got a 3-D array"):
            fn(np.ones((4, 4)), np.ones((1, 2, 2)))
        with pytest.raises(ValueError, match="padding must be non-negative; got -1"):
            fn(np.ones((4, 4)), np.ones((2, 2)), padding=-1)


# --------------------------------------------------------------------------
# Validation stays cheap (checked by what it does, not by timing it)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_validation_does_not_copy_float_arrays(dtype):
    X = np.ones((8, 8), dtype=dtype)
    assert _checks.as_real_array(X, "X", 2) is X


@pytest.mark.parametrize("value, minimum", [(0, 0), (1, 1), (3, 1), (7, 0), (np.int64(2), 1), ((1, 2), 1),
                                            ([2, 3], 0), (np.array(2), 1)])
def test_int_fast_path_of_as_pair_agrees_with_the_general_rules(value, minimum):
    pair = _checks.as_pair(value, "stride", minimum=minimum)
    assert all(type(v) is int for v in pair)
    assert pair == ((int(value), int(value)) if np.ndim(value) == 0 else tuple(int(v) for v in value))


@pytest.mark.parametrize("value, error, message", [(True, TypeError, "stride must be an int or a pair of ints; got bool"),
                                                   (0, ValueError, "stride must be >= 1; got 0"),
                                                   (-2, ValueError, "stride must be >= 1; got -2")])
def test_int_fast_path_of_as_pair_still_refuses_bad_values(value, error, message):
    with pytest.raises(error, match=message):
        _checks.as_pair(value, "stride", minimum=1)


# --------------------------------------------------------------------------
# Threads and the crossover measurement
# --------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_num_threads_refuses_bad_counts(bad):
    with pytest.raises(ValueError, match="threads must be an int >= 1"):
        fc.set_num_threads(bad)


def test_direct_work_per_pixel():
    assert fc.direct_work_per_pixel(10, 3) == 9 * 64 / 100
