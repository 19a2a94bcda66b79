r"""Anti-aliased subsampling: blur with a binomial kernel, then keep every ``stride``-th value.

Keeping one value in every :math:`2 \times 2` block (stride-2 pooling) lets a
one-pixel shift of the input change which pixels are grouped together, so the
output can change a lot. Zhang's *Making convolutional networks shift-invariant
again* (ICML 2019) low-pass filters the map before subsampling ("BlurPool"): a
small binomial kernel spreads every value over its neighbours, and a shifted
input then changes the subsampled output far less.

- :func:`binomial_kernel` is the normalised outer product of a row of Pascal's
  triangle with itself (``size`` 3 gives :math:`[1, 2, 1]^\top [1, 2, 1] / 16`).
- :func:`blur_pool2d` blurs every channel with it and subsamples, in NumPy.
- :func:`blur_pool_layer` is the same operation as a fixed (untrained) PyTorch
  layer: a depthwise ``Conv2d`` (one kernel per channel) whose weight is a buffer,
  not a parameter, so training leaves it alone and parameter counts ignore it.
"""
from __future__ import annotations

from math import comb
from typing import Any

import numpy as np

from ._checks import as_real_array, positive_int
from .ops import corr2d

__all__ = ["binomial_kernel", "blur_pool2d", "blur_pool_layer"]


def _kernel_size(size: Any) -> int:
    return positive_int(size, "size", " (the blur kernel's width; 1 means no blur)")


def binomial_kernel(size: int = 3) -> np.ndarray:
    r"""The ``size`` x ``size`` binomial blur kernel, summing to 1.

    Row ``size - 1`` of Pascal's triangle, :math:`b_i = \binom{size-1}{i}`, gives
    :math:`K = b b^\top / (\sum_i b_i)^2`: a separable, symmetric low-pass filter
    that approximates a Gaussian.

    >>> binomial_kernel(3) * 16
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> float(binomial_kernel(5).sum())
    1.0
    """
    size = _kernel_size(size)
    row = np.array([comb(size - 1, i) for i in range(size)], dtype=np.float64)
    return np.outer(row, row) / row.sum() ** 2


def blur_pool2d(X: Any, size: int = 3, stride: int = 2) -> np.ndarray:
    r"""Blur every channel of ``X`` with :func:`binomial_kernel` and keep every ``stride``-th value.

    The blur pads with ``(size - 1) // 2`` zeros on every side, so with an odd
    ``size`` the output has :math:`\lfloor (n - 1) / s \rfloor + 1` rows for
    :math:`n` input rows, like ``torch.nn.functional.conv2d(X, K, stride=stride,
    padding=(size - 1) // 2, groups=channels)`` with ``K`` the kernel repeated per
    channel. Channels never mix.

    Parameters
    ----------
    X : (H, W), (C, H, W) or (N, C, H, W) array_like
        One map, one multi-channel map, or a batch of them.
    size : int
        The width of the binomial kernel (1: no blur, plain subsampling).
    stride : int
        Keep every ``stride``-th row and column of the blurred map.

    >>> blur_pool2d(np.ones((4, 4)))  # zero padding darkens the top-left border
    array([[0.5625, 0.75  ],
           [0.75  , 1.    ]])
    >>> blur_pool2d(np.arange(16.0).reshape(4, 4), size=1)
    array([[ 0.,  2.],
           [ 8., 10.]])
    """
    array = as_real_array(X, "X", (2, 3, 4))
    kernel = binomial_kernel(size).astype(array.dtype)
    stride = positive_int(stride, "stride")
    padding = (kernel.shape[0] - 1) // 2
    padded = tuple(n + 2 * padding for n in array.shape[-2:])
    if min(padded) < kernel.shape[0]:
        raise ValueError(f"size={size!r}: the blur kernel does not fit in X with shape {array.shape}, whose maps are "
                         f"{padded[0]}x{padded[1]} after padding by {padding}; use a smaller size")
    maps = array.reshape((-1,) + array.shape[-2:])
    blurred = [corr2d(single, kernel, padding=padding, stride=stride) for single in maps]
    return np.stack(blurred).reshape(array.shape[:-2] + blurred[0].shape)


def blur_pool_layer(channels: int, size: int = 3, stride: int = 2):
    """A PyTorch layer computing :func:`blur_pool2d` on (N, ``channels``, H, W) tensors.

    It is a depthwise ``torch.nn.Conv2d`` (``groups=channels``, no bias) whose
    weight, the binomial kernel for every channel, is stored as a float32 buffer:
    it moves with ``.to()`` and is saved in the ``state_dict``, but it is not a
    parameter, so an optimiser never changes it and parameter counts leave it out.
    PyTorch is imported here, so importing this module does not need it.

    >>> layer = blur_pool_layer(8)
    >>> layer
    Conv2d(8, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=8, bias=False)
    >>> sum(p.numel() for p in layer.parameters()), tuple(layer.weight.shape)
    (0, (8, 1, 3, 3))
    """
    import torch

    channels = positive_int(channels, "channels")
    size, stride = _kernel_size(size), positive_int(stride, "stride")
    layer = torch.nn.Conv2d(channels, channels, size, stride=stride, padding=(size - 1) // 2, groups=channels,
                            bias=False)
    kernel = torch.from_numpy(binomial_kernel(size)).to(torch.float32)
    del layer.weight  # a fixed filter: a buffer in the parameter's place, which forward() reads as before
    layer.register_buffer("weight", kernel.expand(channels, 1, size, size).clone())
    return layer
