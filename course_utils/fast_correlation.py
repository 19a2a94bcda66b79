"""Fast 2-D cross-correlation: the algorithms behind ``corr2d``, ``corr2d_multi_in_out`` and ``corr2d_batch``.

Lesson 12 builds each of them from the double loop; this module is their tested copy.

- **Direct shift-and-add** (:func:`corr2d_direct`): one vectorised multiply-add per
  kernel tap. With stride 1 each tap reads a *contiguous* run of the flattened
  input (output rows are computed at the input's full width and the extra
  ``kw - 1`` columns are dropped), and the output is built in horizontal strips
  small enough to stay in the processor's cache, shared among threads. Its
  float64 results are bit-for-bit those of the simple tap loop.
- **FFT** (:func:`corr2d_fft`): the correlation theorem,
  :math:`X \\star K = \\mathcal{F}^{-1}(\\mathcal{F}X \\cdot \\overline{\\mathcal{F}K})`.
  Multiplying by the *complex conjugate* of the kernel's transform is what turns
  the theorem's convolution into a cross-correlation (it flips the kernel). Its
  cost hardly depends on the kernel size.
- **im2col + GEMM** (:func:`im2col`, behind ``corr2d_multi_in_out`` and
  ``corr2d_batch``): every window becomes a column of a matrix, and all output
  channels come out of one matrix multiply, a BLAS call that runs near the
  machine's peak.

:func:`choose_method` picks direct or FFT from the crossover table
:data:`FFT_CROSSOVER`, measured on the course's machine with
``python tools/benchmark.py --crossover`` (``make bench BENCH_ARGS=--crossover``), which re-measures it.
"""
from __future__ import annotations

import math
import threading
from typing import Any, Dict, Sequence, Tuple

import numpy as np
import scipy.fft

from ._checks import IntOrPair, as_pair, as_real_array, conv_options
from . import thread_pool
# set_num_threads / get_num_threads are re-exported: lesson 12 and the benchmark call them from here.
from .thread_pool import get_num_threads, set_num_threads
from .dilation import dilate_kernel
from .geometry import check_kernel_fits, output_hw, pad_spatial, tap_positions

__all__ = [
    "FFT_CROSSOVER",
    "choose_method",
    "corr2d_direct",
    "corr2d_fft",
    "direct_work_per_pixel",
    "fft_threshold",
    "get_num_threads",
    "im2col",
    "set_num_threads",
]

# ---------------------------------------------------------------------------------------------
# Tuning constants (measured; see tools/benchmark.py and the lesson)
# ---------------------------------------------------------------------------------------------

#: Where the FFT overtakes the direct method, by dtype: ``(side, work)`` pairs for square
#: inputs of that (padded) side, where ``work`` is the direct method's multiply-adds per input
#: pixel, ``taps * outputs / input pixels`` (about k*k for a k x k kernel on a large input; far
#: less when the kernel nearly covers the input), at which the FFT became CROSSOVER_MARGIN
#: times faster. ``inf``: it never did at that side.
#: Measured by tools/benchmark.py --crossover on the course machine (2-vCPU AMD EPYC with AVX-512, two
#: threads, an otherwise idle machine): the median of five runs.
#: Between two measured sides the threshold is interpolated linearly in log(side), beyond them
#: it is held.
FFT_CROSSOVER: Dict[str, Tuple[Tuple[int, float], ...]] = {
    "float32": ((16, math.inf), (32, 70.3), (64, 41.0), (128, 29.6), (256, 38.6), (512, 46.7), (1024, 58.2),
                (2048, 83.8)),
    "float64": ((16, math.inf), (32, 53.5), (64, 24.5), (128, 26.4), (256, 22.9), (512, 50.8), (1024, 51.8),
                (2048, 77.7)),
}

#: How much faster the FFT must be for the crossover: near the crossover the two methods differ
#: by less than the timing noise, and the direct method is exact on small-integer data and gives
#: the same bits on every machine, so it keeps the near-ties.
CROSSOVER_MARGIN = 1.25

#: Kernels with at most this many taps (5x5) always take the direct method: it is exact on
#: small-integer data, and where the FFT beats it at all with such kernels (float64, inputs
#: of 64 to 512 pixels a side), it did so by 10 % at most in our measurements.
DIRECT_MAX_TAPS = 25

#: Stride-1 problems whose flattened output is at most SMALL_OUTPUT long and whose products
#: (taps x outputs) number at most SMALL_PRODUCTS take the three-call path (measured: below
#: these, three large NumPy calls beat two small calls per tap).
SMALL_OUTPUT = 4096
SMALL_PRODUCTS = 1 << 18
#: From this many products on, that path makes them with einsum rather than a broadcast multiply
#: (measured: einsum 1.2-1.4x faster from 8,000 products, float32 and float64; slower below, where its
#: fixed cost of about 1 µs dominates).
SMALL_EINSUM_MIN_PRODUCTS = 8192
#: Bytes per strip of the direct method (measured best for 2048x2048 among 32 KiB to 4 MiB; with
#: several threads each gets at least one strip).
STRIP_BYTES = 1 << 20
#: Below this many bytes of products (taps x outputs x item size) the direct method runs in one
#: thread: measured, threads lost at 512x512 with 3x3 in float32 (9 MB) and won in float64 (19 MB).
PARALLEL_MIN_BYTES = 12 << 20
#: Below this many input pixels the FFTs run in one thread (measured: two threads lost up to
#: 384x384 and won from 512x512 on).
FFT_PARALLEL_MIN_PIXELS = 512 * 512
#: From this many multiply-adds on, corr2d_batch shares the images of a batch among threads.
GEMM_PARALLEL_MIN_MADDS = 20_000_000
#: Largest im2col matrix built at once (elements); bigger problems are done in bands of output rows.
IM2COL_MAX_ELEMENTS = 1 << 24

# ---------------------------------------------------------------------------------------------
# Validation (the public functions here take the same arguments as ops.corr2d)
# ---------------------------------------------------------------------------------------------


def prepare_correlation(X: Any, K: Any, x_ndims: int, k_ndims: int, padding, stride, dilation):
    """Validate a (input, kernel, options) triple shared by the correlation functions."""
    X = as_real_array(X, "X", x_ndims)
    K = as_real_array(K, "K", k_ndims)
    p, s, d = conv_options(padding, stride, dilation)
    check_kernel_fits(X.shape[-2:], K.shape[-2:], p, d, input_shape=X.shape, kernel_shape=K.shape)
    return X, K, p, s, d


# ---------------------------------------------------------------------------------------------
# Direct method: shift-and-add over the kernel taps
# ---------------------------------------------------------------------------------------------


def _shift_add_strided(Xp: np.ndarray, K: np.ndarray, out_hw, stride, dilation, dtype) -> np.ndarray:
    """The plain tap loop on 2-D slices: any stride and dilation (used when stride > 1)."""
    oh, ow = out_hw
    sh, sw = stride
    dh, dw = dilation
    out = np.zeros((oh, ow), dtype=dtype)
    product = np.empty((oh, ow), dtype=dtype)
    for a in range(K.shape[0]):
        rows = tap_positions(a, oh, sh, dh)
        for b in range(K.shape[1]):
            cols = tap_positions(b, ow, sw, dw)
            np.multiply(Xp[rows, cols], K[a, b], out=product)
            out += product
    return out


def _strip_worker(flat: np.ndarray, width: int, taps, out: np.ndarray, strips, dtype) -> None:
    """Accumulate the taps over some horizontal strips of ``out``; one scratch pair per call."""
    oh, ow = out.shape
    longest = max(r1 - r0 for r0, r1 in strips) * width
    acc = np.empty(longest, dtype=dtype)
    scratch = np.empty(longest, dtype=dtype)
    (first_offset, first_weight), rest = taps[0], taps[1:]
    for r0, r1 in strips:
        # Output row i, column j sits at flat index i * width + j: the tap (a, b) reads the input
        # at that index plus a * dh * width + b * dw, a contiguous run for the whole strip. The
        # last strip stops at its last real output so that no tap reads past the input's end.
        n = (r1 - r0) * width if r1 < oh else (r1 - r0 - 1) * width + ow
        start = r0 * width
        a = acc[:n]
        t = scratch[:n]
        np.multiply(flat[start + first_offset : start + first_offset + n], first_weight, out=a)
        for offset, weight in rest:
            np.multiply(flat[start + offset : start + offset + n], weight, out=t)
            a += t
        block = acc[: (r1 - r0) * width].reshape(r1 - r0, width)[:, :ow]
        # Adding +0.0 while copying out turns a -0.0 into +0.0, so every result equals the tap
        # loop that starts from zeros (0.0 + (-0.0) is +0.0), bit for bit.
        np.add(block, 0.0, out=out[r0:r1])


def _direct_small(Xp: np.ndarray, K: np.ndarray, out_hw, dilation, dtype) -> np.ndarray:
    """Stride-1 shift-and-add for small problems in three NumPy calls instead of two per tap.

    A strided view puts the k*k shifted runs of the flattened input on top of each
    other (no copy); one multiply (an einsum when large) makes every product and one reduction over the
    tap axis adds them, in tap order, exactly like the tap loop.
    """
    oh, ow = out_hw
    kh, kw = K.shape
    width = Xp.shape[1]
    n = (oh - 1) * width + ow
    size = Xp.itemsize
    shifted = np.ndarray((kh, kw, n), Xp.dtype, buffer=Xp, strides=(dilation[0] * width * size, dilation[1] * size, size))
    # K cast to the input's dtype: the rounding NumPy applies to the scalar K[a, b] in the tap loop.
    weights = K.astype(Xp.dtype, copy=False)
    if kh * kw * n >= SMALL_EINSUM_MIN_PRODUCTS:
        # The same products (each one rounded product, so the same bits): NumPy 1.23 multiplies by
        # a broadcast (kh, kw, 1) array in a scalar loop, while einsum's loop is vectorised.
        products = np.einsum("ab,abn->abn", weights, shifted)
    else:
        products = shifted * weights[:, :, None]
    sums = np.empty(oh * width, dtype=dtype)
    # A reduction over the outer axis of a (taps, n) array adds row after row (n >= 2; a single
    # column would be summed pairwise, so the caller sends n == 1 to the tap loop). Starting it
    # from 0.0 makes it the tap loop exactly, down to 0.0 + (-0.0) = +0.0.
    np.add.reduce(products.reshape(kh * kw, n), axis=0, dtype=dtype, out=sums[:n], initial=0.0)
    return np.ascontiguousarray(sums.reshape(oh, width)[:, :ow])


def _direct_valid(Xp: np.ndarray, K: np.ndarray, out_hw, stride, dilation, dtype, threads: int) -> np.ndarray:
    """Valid correlation of a padded 2-D ``Xp`` by shift-and-add; ``dtype`` is the result type."""
    if stride != (1, 1):
        return _shift_add_strided(Xp, K, out_hw, stride, dilation, dtype)
    Xp = np.ascontiguousarray(Xp)
    oh, ow = out_hw
    width = Xp.shape[1]
    flat_length = (oh - 1) * width + ow
    if 2 <= flat_length <= SMALL_OUTPUT and K.size * flat_length <= SMALL_PRODUCTS:
        return _direct_small(Xp, K, out_hw, dilation, dtype)
    dh, dw = dilation
    # K's values as Python floats: NumPy multiplies them in the input's precision, exactly as it
    # does the scalars K[a, b] of the plain loop, so the products round the same way.
    weights = K.tolist()
    taps = [(a * dh * width + b * dw, weights[a][b]) for a in range(K.shape[0]) for b in range(K.shape[1])]
    out = np.empty((oh, ow), dtype=dtype)
    workers = threads if len(taps) * oh * width * np.dtype(dtype).itemsize >= PARALLEL_MIN_BYTES else 1
    rows = max(1, min(STRIP_BYTES // (width * np.dtype(dtype).itemsize), -(-oh // workers)))
    strips = [(r0, min(oh, r0 + rows)) for r0 in range(0, oh, rows)]
    workers = min(workers, len(strips))
    flat = Xp.reshape(-1)
    if workers <= 1:
        _strip_worker(flat, width, taps, out, strips, dtype)
        return out
    groups = [strips[i::workers] for i in range(workers)]  # interleaved: equal work per thread
    thread_pool.run_in_threads(_strip_worker, [(flat, width, taps, out, group, dtype) for group in groups])
    return out


# ---------------------------------------------------------------------------------------------
# FFT method
# ---------------------------------------------------------------------------------------------


#: Bytes of one block of row transforms. Each scipy.fft call returns a fresh array, and in a process
#: that has imported PyTorch or JAX, glibc hands an array of a megabyte or more out as fresh pages
#: every time: measured on a 512x512 float32 input, 1,200-1,900 page faults per correlation, about
#: half its time. A block this small comes out of memory the process has already touched (0 faults).
FFT_BLOCK_BYTES = 256 * 1024

#: Per-thread work arrays of the FFT method and of corr2d_batch's im2col: fresh multi-megabyte arrays
#: on every call cost page faults that can double a call's time. The largest of each kind is kept.
_work_buffers = threading.local()


def _work_array(purpose: str, shape: Tuple[int, ...], dtype) -> np.ndarray:
    """A C-contiguous ``shape`` array of ``dtype`` for ``purpose``, carved from this thread's kept buffer."""
    kept = getattr(_work_buffers, "by_purpose", None)
    if kept is None:
        kept = _work_buffers.by_purpose = {}
    key, elements = (purpose, np.dtype(dtype)), math.prod(shape)
    buffer = kept.get(key)
    if buffer is None or buffer.size < elements:
        buffer = kept[key] = np.empty(elements, dtype=dtype)
    return buffer[:elements].reshape(shape)


def _fft_work_arrays(shape: Tuple[int, int], dtype) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The image spectrum, the kernel spectrum (both ``(H, W // 2 + 1)`` complex) and the real output."""
    half = (shape[0], shape[1] // 2 + 1)
    complex_dtype = np.result_type(dtype, np.complex64)
    return (_work_array("fft spectrum", half, complex_dtype), _work_array("fft kernel", half, complex_dtype),
            _work_array("fft output", shape, dtype))


def _transform_columns_in_place(spectrum: np.ndarray, inverse: bool, workers: int) -> None:
    transform = scipy.fft.ifft if inverse else scipy.fft.fft
    result = transform(spectrum, axis=0, overwrite_x=True, workers=workers)
    if not np.shares_memory(result, spectrum):  # overwrite_x allows, but does not promise, the in-place write
        spectrum[...] = result


def _spectra_product(x: np.ndarray, k: np.ndarray, shape: Tuple[int, int], workers: int, rows_needed: int) -> np.ndarray:
    """The circular cross-correlation of ``x`` and ``k``, both zero-padded to ``shape``, through scipy.fft.

    Only the first ``rows_needed`` rows of the result are computed (the valid outputs). The 2-D
    transforms are done as row transforms in blocks of :data:`FFT_BLOCK_BYTES` and column transforms
    in place, into arrays kept between calls, so a call allocates no large array.
    """
    spectrum, kernel_spectrum, output = _fft_work_arrays(shape, x.dtype)
    width = shape[1]
    block = max(1, FFT_BLOCK_BYTES // (spectrum.shape[1] * spectrum.itemsize))
    for r0 in range(0, x.shape[0], block):  # float32 stays float32 (complex64)
        r1 = min(x.shape[0], r0 + block)
        spectrum[r0:r1] = scipy.fft.rfft(x[r0:r1], n=width, axis=1, workers=workers)
    spectrum[x.shape[0]:] = 0
    _transform_columns_in_place(spectrum, inverse=False, workers=workers)
    # The kernel is small: transform its few rows, then the columns.
    kernel_spectrum[: k.shape[0]] = scipy.fft.rfft(k, n=width, axis=1)
    kernel_spectrum[k.shape[0]:] = 0
    _transform_columns_in_place(kernel_spectrum, inverse=False, workers=workers)
    np.multiply(spectrum, np.conjugate(kernel_spectrum, out=kernel_spectrum), out=spectrum)
    _transform_columns_in_place(spectrum, inverse=True, workers=workers)
    for r0 in range(0, rows_needed, block):
        r1 = min(rows_needed, r0 + block)
        output[r0:r1] = scipy.fft.irfft(spectrum[r0:r1], n=width, axis=1, workers=workers)
    return output[:rows_needed]


def _fft_valid(Xp: np.ndarray, K: np.ndarray, out_hw, stride, dilation, dtype, threads: int) -> np.ndarray:
    """Valid correlation of a padded 2-D ``Xp`` through the FFT (correlation theorem)."""
    if dilation != (1, 1):  # the transforms see the dilated kernel as a dense one with zeros in the holes
        K = dilate_kernel(K, dilation)
    H, W = Xp.shape
    # A circular correlation of length >= H wraps only into outputs past the valid ones, so
    # the transforms need no extra room for the kernel (unlike a full convolution).
    shape = (scipy.fft.next_fast_len(H, real=True), scipy.fft.next_fast_len(W, real=True))
    workers = threads if H * W >= FFT_PARALLEL_MIN_PIXELS else 1
    oh, ow = out_hw
    sh, sw = stride
    full = _spectra_product(Xp.astype(dtype, copy=False), K.astype(dtype, copy=False), shape, workers,
                            rows_needed=sh * (oh - 1) + 1)
    result = full[: sh * (oh - 1) + 1 : sh, : sw * (ow - 1) + 1 : sw]
    return np.array(result, dtype=dtype)  # a copy: the work arrays are reused by the next call


# ---------------------------------------------------------------------------------------------
# Choosing between them
# ---------------------------------------------------------------------------------------------


def fft_threshold(side: float, dtype: Any = np.float64) -> float:
    """The crossover of :data:`FFT_CROSSOVER` for a square input of this side, interpolated in log(side).

    >>> fft_threshold(512, np.float32) == dict(FFT_CROSSOVER["float32"])[512]
    True
    """
    table = FFT_CROSSOVER["float32" if np.dtype(dtype) == np.float32 else "float64"]
    if side <= table[0][0]:
        return float(table[0][1])
    for (s0, t0), (s1, t1) in zip(table, table[1:]):
        if side == s1:
            return float(t1)
        if side < s1:
            if math.isinf(t0) or math.isinf(t1):  # the FFT never won at one end: it does not in between
                return math.inf
            f = (math.log(side) - math.log(s0)) / (math.log(s1) - math.log(s0))
            return t0 + f * (t1 - t0)
    return float(table[-1][1])


def _auto_method(padded_hw: Tuple[int, int], out_hw: Tuple[int, int], taps: int, dtype: Any) -> str:
    if taps <= DIRECT_MAX_TAPS:
        return "direct"
    pixels = padded_hw[0] * padded_hw[1]
    work = taps * out_hw[0] * out_hw[1] / pixels
    return "fft" if work >= fft_threshold(math.sqrt(pixels), dtype) else "direct"


def choose_method(input_hw: Sequence[int], kernel_hw: Sequence[int], dtype: Any = np.float64, *,
                  padding: IntOrPair = 0, stride: IntOrPair = 1, dilation: IntOrPair = 1) -> str:
    """``"direct"`` or ``"fft"``: the faster method for this problem, by the measured crossover.

    The direct method does ``taps * outputs`` multiply-adds; the FFT's cost
    depends on the (padded) input size only. So the FFT wins once the direct
    work per input pixel passes :func:`fft_threshold` (a stride, which cuts the
    outputs, pushes the choice back towards direct).

    >>> choose_method((512, 512), (3, 3), np.float32)
    'direct'
    >>> choose_method((512, 512), (31, 31), np.float32)
    'fft'
    >>> choose_method((28, 28), (26, 26))   # a 3x3 output: 6084 multiply-adds in all
    'direct'
    """
    p, s, d = conv_options(padding, stride, dilation)
    hw = (int(input_hw[0]), int(input_hw[1]))
    k = (int(kernel_hw[0]), int(kernel_hw[1]))
    check_kernel_fits(hw, k, p, d, input_name="size input_hw", kernel_name="size kernel_hw",
                      input_shape=None, kernel_shape=None)
    padded = (hw[0] + 2 * p[0], hw[1] + 2 * p[1])
    return _auto_method(padded, output_hw(hw, k, p, s, d), k[0] * k[1], dtype)


# ---------------------------------------------------------------------------------------------
# Public single-channel entry points
# ---------------------------------------------------------------------------------------------


def correlate_validated(X: np.ndarray, K: np.ndarray, p, s, d, method: str = "auto") -> np.ndarray:
    """Cross-correlate validated 2-D arrays; ``method`` is ``"auto"``, ``"direct"`` or ``"fft"``."""
    dtype = X.dtype if X.dtype == K.dtype else np.result_type(X.dtype, K.dtype)
    out = output_hw(X.shape, K.shape, p, s, d)
    if method == "auto":
        method = _auto_method((X.shape[0] + 2 * p[0], X.shape[1] + 2 * p[1]), out, K.size, dtype)
    Xp = pad_spatial(X, p)
    if method == "fft":
        return _fft_valid(Xp, K, out, s, d, dtype, get_num_threads())
    return _direct_valid(Xp, K, out, s, d, dtype, get_num_threads())


def corr2d_direct(X: Any, K: Any, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
                  dilation: IntOrPair = 1) -> np.ndarray:
    """2-D cross-correlation by shift-and-add over the kernel taps (same arguments as ``corr2d``).

    >>> corr2d_direct([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    array([[19., 25.],
           [37., 43.]])
    """
    X, K, p, s, d = prepare_correlation(X, K, 2, 2, padding, stride, dilation)
    return correlate_validated(X, K, p, s, d, "direct")


def corr2d_fft(X: Any, K: Any, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
               dilation: IntOrPair = 1) -> np.ndarray:
    """2-D cross-correlation through the FFT (same arguments and result as ``corr2d``, up to round-off).

    >>> np.round(corr2d_fft([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]]), 10)
    array([[19., 25.],
           [37., 43.]])
    """
    X, K, p, s, d = prepare_correlation(X, K, 2, 2, padding, stride, dilation)
    return correlate_validated(X, K, p, s, d, "fft")


# ---------------------------------------------------------------------------------------------
# Multi-channel: im2col + GEMM
# ---------------------------------------------------------------------------------------------


def _im2col_into(Xp: np.ndarray, kernel_hw, rows: slice, out_w: int, stride, dilation, cols: np.ndarray) -> None:
    """Copy the windows of output rows ``rows`` of a padded (C, H, W) ``Xp`` into ``cols`` (C, kh, kw, r, ow)."""
    kh, kw = kernel_hw
    sh, sw = stride
    dh, dw = dilation
    band = Xp[:, rows.start * sh:]  # the band's first output row reads from here down
    for a in range(kh):
        row_slice = tap_positions(a, rows.stop - rows.start, sh, dh)
        for b in range(kw):
            cols[:, a, b] = band[:, row_slice, tap_positions(b, out_w, sw, dw)]


def im2col(X: Any, kernel_size: IntOrPair, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
           dilation: IntOrPair = 1) -> np.ndarray:
    """The im2col matrix of a (C, H, W) (or (H, W)) input: one column per output position.

    Row ``(c * kh + a) * kw + b`` holds, for every output position in row-major
    order, the input value under kernel tap ``(a, b)`` of channel ``c``. So for
    weights ``W`` of shape (C_out, C, kh, kw), ``W.reshape(C_out, -1) @ im2col(X, (kh, kw))``
    is the multi-channel cross-correlation, flattened.

    >>> im2col(np.arange(9.0).reshape(3, 3), 2)
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    X = as_real_array(X, "X", (2, 3))
    k = as_pair(kernel_size, "kernel_size", minimum=1)
    p, s, d = conv_options(padding, stride, dilation)
    check_kernel_fits(X.shape[-2:], k, p, d, kernel_name="size kernel_size", input_shape=X.shape,
                      kernel_shape=None)
    X3 = X if X.ndim == 3 else X[None]
    oh, ow = output_hw(X3.shape[1:], k, p, s, d)
    cols = np.empty((X3.shape[0], k[0], k[1], oh, ow), dtype=X.dtype)
    _im2col_into(pad_spatial(X3, p), k, slice(0, oh), ow, s, d, cols)
    return cols.reshape(X3.shape[0] * k[0] * k[1], oh * ow)


def _gemm_images(Xp: np.ndarray, weights: np.ndarray, kernel_hw, out: np.ndarray, images, s, d) -> None:
    """im2col + one matrix multiply for each image in ``images`` (bands of output rows if large)."""
    N, O, oh, ow = out.shape
    C = Xp.shape[1]
    rows = weights.shape[1]
    band = max(1, min(oh, IM2COL_MAX_ELEMENTS // max(1, rows * ow)))
    buffer = _work_array("im2col", (rows * band * ow,), out.dtype)
    for n in images:
        for r0 in range(0, oh, band):
            r1 = min(oh, r0 + band)
            cols = buffer[: rows * (r1 - r0) * ow].reshape(C, kernel_hw[0], kernel_hw[1], r1 - r0, ow)
            _im2col_into(Xp[n], kernel_hw, slice(r0, r1), ow, s, d, cols)
            matrix = cols.reshape(rows, (r1 - r0) * ow)
            if r1 - r0 == oh:
                np.matmul(weights, matrix, out=out[n].reshape(O, oh * ow))
            else:
                out[n, :, r0:r1] = (weights @ matrix).reshape(O, r1 - r0, ow)


def gemm_batch_validated(X: np.ndarray, K: np.ndarray, p, s, d) -> np.ndarray:
    """Validated (N, C, H, W) input and (O, C, kh, kw) weights -> (N, O, oh, ow), by im2col + GEMM.

    Each image is one im2col copy into a reused buffer and one matrix multiply.
    A large batch is shared among threads, one image at a time, with BLAS kept
    to one thread meanwhile: measured on the course machine, this was steadily
    fast, while alternating single-threaded copies with two-threaded multiplies
    was sometimes twice as slow (BLAS's idle threads are slow to wake up).
    """
    dtype = np.result_type(X.dtype, K.dtype)
    N, C = X.shape[:2]
    O, _, kh, kw = K.shape
    oh, ow = output_hw(X.shape[2:], K.shape[2:], p, s, d)
    # A contiguous weight matrix: a strided operand would make np.matmul skip BLAS.
    weights = np.ascontiguousarray(K.reshape(O, C * kh * kw), dtype=dtype)
    Xp = pad_spatial(X, p)
    out = np.empty((N, O, oh, ow), dtype=dtype)
    workers = min(get_num_threads(), N)
    if workers > 1 and N * O * C * kh * kw * oh * ow >= GEMM_PARALLEL_MIN_MADDS and thread_pool.blas_can_be_limited():
        with thread_pool.single_threaded_blas():
            thread_pool.run_in_threads(_gemm_images, [(Xp, weights, (kh, kw), out, range(i, N, workers), s, d)
                                                      for i in range(workers)])
    else:
        _gemm_images(Xp, weights, (kh, kw), out, range(N), s, d)
    return out


def direct_work_per_pixel(side: int, k: int) -> float:
    """Multiply-adds per input pixel of a valid k x k correlation of a side x side input.

    >>> direct_work_per_pixel(512, 1)
    1.0
    """
    return k * k * (side - k + 1) ** 2 / side**2
