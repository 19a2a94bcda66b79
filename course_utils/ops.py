"""Reference 2-D operations in NumPy: cross-correlation, convolution, pooling.

These are the course's tested copies of the operations every lesson builds from
scratch. They follow the deep-learning convention: what PyTorch, MXNet and JAX
call "convolution" is a cross-correlation (the kernel is not flipped), so
:func:`corr2d` is the function that agrees with ``torch.nn.functional.conv2d``;
:func:`convolve2d` is the textbook convolution with the flipped kernel.

Every function accepts NumPy arrays, nested lists and CPU tensors of PyTorch,
MXNet and JAX, and returns a NumPy float array (float32 stays float32).

The algorithms are the fast ones of :mod:`course_utils.fast_correlation` (lesson 12):
:func:`corr2d` adds one shifted copy of the input per kernel tap for small kernels
and switches to the FFT above a measured crossover; the multi-channel functions
gather the windows once (im2col) and do one matrix multiply. :func:`corr2d_naive`
keeps the textbook double loop as the independent reference.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import IntOrPair, as_groups, as_pair, as_real_array, check_groups_divide
from .fast_correlation import correlate_validated, gemm_batch_validated
# conv_output_size is re-exported: the lessons met it as course_utils.ops.conv_output_size.
from .geometry import check_kernel_fits, conv_output_size, pad_spatial
from .fast_correlation import prepare_correlation as _prepare

__all__ = [
    "conv_output_size",
    "corr2d",
    "corr2d_naive",
    "convolve2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_batch",
    "pool2d",
]


def corr2d(X: Any, K: Any, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
           dilation: IntOrPair = 1) -> np.ndarray:
    r"""2-D cross-correlation, the operation deep-learning libraries call convolution.

    .. math:: Y[i, j] = \sum_{a, b} X_p[s_h i + d_h a,\; s_w j + d_w b]\, K[a, b]

    where :math:`X_p` is ``X`` zero-padded by ``padding`` on every side.

    Parameters
    ----------
    X : (H, W) array_like
        The input image.
    K : (kh, kw) array_like
        The kernel (not flipped).
    padding, stride, dilation : int or (h, w) pair
        Zero padding on each side (>= 0), step between output positions (>= 1)
        and spacing between kernel taps (>= 1), as in ``torch.nn.Conv2d``.

    Returns
    -------
    numpy.ndarray
        Shape given by :func:`conv_output_size`; float32 if both inputs are
        float32 (or narrower), float64 otherwise.

    Small kernels are computed by shift-and-add over the kernel taps (exactly
    the sum in the formula, in tap order, so small-integer data gives exact
    results); kernels with more taps than the crossover measured for this input
    size go through the FFT (:func:`course_utils.fast_correlation.choose_method`).

    >>> corr2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    array([[19., 25.],
           [37., 43.]])
    >>> corr2d(np.ones((4, 4)), np.ones((3, 3)), padding=1, stride=2)
    array([[4., 6.],
           [6., 9.]])
    """
    X, K, p, s, d = _prepare(X, K, 2, 2, padding, stride, dilation)
    return correlate_validated(X, K, p, s, d)


def corr2d_naive(X: Any, K: Any) -> np.ndarray:
    """2-D cross-correlation written as the textbook double loop over output pixels.

    Kept as the teaching reference and as an independent check of
    :func:`corr2d`; it is slow (one Python iteration per output pixel) and has
    no padding, stride or dilation.

    >>> corr2d_naive([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    array([[19., 25.],
           [37., 43.]])
    """
    X, K, _, _, _ = _prepare(X, K, 2, 2, 0, 1, 1)
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=np.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.sum(X[i : i + kh, j : j + kw] * K)
    return Y


def convolve2d(X: Any, K: Any, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
               dilation: IntOrPair = 1) -> np.ndarray:
    """True 2-D convolution: cross-correlation with the kernel rotated by 180 degrees.

    Same arguments and output shape as :func:`corr2d`. With no padding it
    equals ``scipy.signal.convolve2d(X, K, mode="valid")``.

    >>> convolve2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    array([[ 5., 11.],
           [23., 29.]])
    """
    X, K, p, s, d = _prepare(X, K, 2, 2, padding, stride, dilation)
    return correlate_validated(X, K[::-1, ::-1], p, s, d)


def _check_channels(X: np.ndarray, K: np.ndarray, k_axis: int, k_layout: str) -> None:
    if X.shape[0] != K.shape[k_axis]:
        raise ValueError(
            f"channel mismatch: X has {X.shape[0]} input channels (shape {X.shape}, layout (C, H, W)) "
            f"but K has {K.shape[k_axis]} (shape {K.shape}, layout {k_layout})"
        )


def corr2d_multi_in(X: Any, K: Any, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
                    dilation: IntOrPair = 1) -> np.ndarray:
    """Cross-correlate each input channel with its own kernel slice and sum over channels.

    ``X`` has shape (C, H, W) and ``K`` shape (C, kh, kw); the result is one
    (oh, ow) feature map.

    >>> X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    >>> K = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]
    >>> corr2d_multi_in(X, K)
    array([[ 56.,  72.],
           [104., 120.]])
    """
    X, K, p, s, d = _prepare(X, K, 3, 3, padding, stride, dilation)
    _check_channels(X, K, 0, "(C, kh, kw)")
    return gemm_batch_validated(X[None], K[None], p, s, d)[0, 0]


def corr2d_multi_in_out(X: Any, K: Any, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
                        dilation: IntOrPair = 1) -> np.ndarray:
    """Multi-channel cross-correlation: what one ``nn.Conv2d`` layer computes (without bias).

    ``X`` has shape (C_in, H, W) and ``K`` shape (C_out, C_in, kh, kw), the
    weight layout of PyTorch and MXNet; the result has shape (C_out, oh, ow).
    All windows are gathered once and contracted with the kernels in a single
    matrix product (im2col + GEMM), as deep-learning libraries do.

    >>> X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    >>> K = np.array([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
    >>> corr2d_multi_in_out(X, np.stack([K, K + 1, K + 2]))[:, 0, 0]
    array([56., 76., 96.])
    """
    X, K, p, s, d = _prepare(X, K, 3, 4, padding, stride, dilation)
    _check_channels(X, K, 1, "(C_out, C_in, kh, kw)")
    return gemm_batch_validated(X[None], K, p, s, d)[0]


def corr2d_batch(X: Any, K: Any, *, padding: IntOrPair = 0, stride: IntOrPair = 1, dilation: IntOrPair = 1,
                 groups: int = 1) -> np.ndarray:
    """:func:`corr2d_multi_in_out` for a batch: what ``torch.nn.functional.conv2d`` computes (no bias).

    ``X`` has shape (N, C_in, H, W) and ``K`` shape (C_out, C_in/groups, kh, kw);
    the result has shape (N, C_out, oh, ow). One im2col buffer is reused for
    every image and each image is one matrix multiply.

    With ``groups=g`` (which must divide C_in and C_out) the channels split into
    g independent layers, as in ``torch.nn.functional.conv2d``: output channels
    ``[j * C_out/g, (j + 1) * C_out/g)`` see only input channels
    ``[j * C_in/g, (j + 1) * C_in/g)``. ``groups=C_in`` is the depthwise correlation.

    >>> X = np.arange(36.0).reshape(2, 2, 3, 3)
    >>> corr2d_batch(X, np.ones((1, 2, 2, 2)))[:, 0]
    array([[[ 52.,  60.],
            [ 76.,  84.]],
    <BLANKLINE>
           [[196., 204.],
            [220., 228.]]])

    Depthwise: each channel with its own 2x2 kernel of ones (the first image's
    channels sum to 8 + 44 = 52 above).

    >>> corr2d_batch(X, np.ones((2, 1, 2, 2)), groups=2)[0]
    array([[[ 8., 12.],
            [20., 24.]],
    <BLANKLINE>
           [[44., 48.],
            [56., 60.]]])
    """
    X, K, p, s, d = _prepare(X, K, 4, 4, padding, stride, dilation)
    groups = check_batch_channels(X, K, groups)
    if groups == 1:  # the ungrouped layer: one GEMM per image, nothing added
        return gemm_batch_validated(X, K, p, s, d)
    per_group_in, per_group_out = X.shape[1] // groups, K.shape[0] // groups
    parts = [
        gemm_batch_validated(X[:, j * per_group_in : (j + 1) * per_group_in],
                             K[j * per_group_out : (j + 1) * per_group_out], p, s, d)
        for j in range(groups)
    ]
    return np.concatenate(parts, axis=1)


def check_batch_channels(X: np.ndarray, K: np.ndarray, groups: Any) -> int:
    """Validate ``groups`` for 4-D ``X`` (N, C, H, W) and ``K`` (C_out, C_in/groups, kh, kw); return it as an int."""
    if type(groups) is int and groups == 1:  # the common case first: small calls stay cheap
        if X.shape[1] != K.shape[1]:
            raise ValueError(
                f"channel mismatch: X has {X.shape[1]} input channels (shape {X.shape}, layout (N, C, H, W)) "
                f"but K has {K.shape[1]} (shape {K.shape}, layout (C_out, C_in, kh, kw))"
            )
        return 1
    groups = as_groups(groups)
    check_groups_divide(groups, X.shape[1], "input", "X", X.shape, "(N, C, H, W)")
    check_groups_divide(groups, K.shape[0], "output", "K", K.shape, "(C_out, C_in/groups, kh, kw)")
    if K.shape[1] * groups != X.shape[1]:
        raise ValueError(
            f"channel mismatch: X has {X.shape[1]} input channels (shape {X.shape}, layout (N, C, H, W)), "
            f"which groups={groups} splits into groups of {X.shape[1] // groups}, but K has {K.shape[1]} per group "
            f"(shape {K.shape}, layout (C_out, C_in/groups, kh, kw))"
        )
    return groups


def pool2d(X: Any, pool_size: IntOrPair, mode: str = "max", *, padding: IntOrPair = 0, stride: IntOrPair = 1,
           count_include_pad: bool = True) -> np.ndarray:
    """Max or average pooling over (H, W) or, channel by channel, over (C, H, W).

    ``stride`` defaults to 1, as in the from-scratch pooling of the lessons;
    framework layers (``nn.MaxPool2d``, ``nn.MaxPool2D``) default it to the
    window size instead. Max pooling pads with -inf, so padding never wins;
    average pooling pads with zeros and, like PyTorch and MXNet, divides by the
    full window size unless ``count_include_pad=False``. As in PyTorch, padding
    may be at most half the window so that no window lies wholly in padding.

    >>> pool2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], (2, 2))
    array([[4., 5.],
           [7., 8.]])
    >>> pool2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], 2, "avg")
    array([[2., 3.],
           [5., 6.]])
    """
    X = as_real_array(X, "X", (2, 3))
    size = as_pair(pool_size, "pool_size", minimum=1)
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    if not isinstance(mode, str) or mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg'; got {mode!r}")
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise TypeError(f"count_include_pad must be True or False; got {count_include_pad!r}")
    if p[0] > size[0] // 2 or p[1] > size[1] // 2:
        raise ValueError(
            f"padding must be at most half of pool_size so that every window holds real input; "
            f"got padding={padding!r} with pool_size={pool_size!r}"
        )
    check_kernel_fits(X.shape[-2:], size, p, (1, 1), kernel_name="window pool_size", input_shape=X.shape)

    if mode == "max":
        windows = sliding_window_view(pad_spatial(X, p, -np.inf), size, axis=(-2, -1))
        return windows[..., :: s[0], :: s[1], :, :].max(axis=(-2, -1))
    windows = sliding_window_view(pad_spatial(X, p, 0.0), size, axis=(-2, -1))
    sums = windows[..., :: s[0], :: s[1], :, :].sum(axis=(-2, -1))
    if count_include_pad or (p[0] == 0 and p[1] == 0):
        return sums / np.asarray(size[0] * size[1], dtype=X.dtype)
    # Count the real (unpadded) cells under every window by pooling a mask of ones.
    ones = np.ones(X.shape[-2:], dtype=X.dtype)
    counts = sliding_window_view(pad_spatial(ones, p, 0.0), size)[:: s[0], :: s[1]].sum(axis=(-2, -1))
    return sums / counts
