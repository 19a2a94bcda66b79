"""Dilated kernels: the dense kernel with holes, and the size a dilated kernel spans.

A kernel with dilation ``d`` reads input pixels that are ``d`` apart. The same
result comes from an ordinary (undilated) cross-correlation with a larger kernel
that holds the original taps ``d`` cells apart and zeros in between;
:func:`dilate_kernel` builds that kernel and :func:`effective_kernel_size`
gives its size, :math:`k + (k - 1)(d - 1)`, without building it.

>>> import numpy as np
>>> from course_utils import corr2d
>>> X, K = np.arange(49.0).reshape(7, 7), np.array([[1.0, 2.0], [3.0, 4.0]])
>>> bool(np.array_equal(corr2d(X, K, dilation=3), corr2d(X, dilate_kernel(K, 3))))
True
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import IntOrPair, as_real_array, pair_in_context
# effective_kernel_size is lesson 07's, re-exported here; its formula lives with the other sizes.
from .geometry import dilated_span, effective_kernel_size

__all__ = ["dilate_kernel", "effective_kernel_size"]


def dilate_kernel(kernel: Any, dilation: IntOrPair) -> np.ndarray:
    """The dense kernel equivalent to ``kernel`` with dilation ``dilation``: zeros in the holes.

    Tap ``kernel[..., a, b]`` lands at ``[..., d_h * a, d_w * b]``; the ``d - 1``
    cells between neighbouring taps are zero, and nothing is added around the
    outside, so a ``(kh, kw)`` kernel becomes
    ``(d_h (kh - 1) + 1, d_w (kw - 1) + 1)``. Cross-correlating with the result
    equals cross-correlating with ``kernel`` and ``dilation`` (the same padding
    and stride apply to both).

    Parameters
    ----------
    kernel : (kh, kw), (C, kh, kw) or (C_out, C_in, kh, kw) array_like
        The kernel; only the last two (spatial) axes are dilated.
    dilation : int or (d_h, d_w) pair
        Spacing between taps, >= 1; 1 returns a copy of ``kernel``.

    Returns
    -------
    numpy.ndarray
        A new float array (float32 stays float32, integers become float64).

    >>> dilate_kernel([[1, 2], [3, 4]], 2)
    array([[1., 0., 2.],
           [0., 0., 0.],
           [3., 0., 4.]])
    >>> dilate_kernel(np.ones((3, 3)), (1, 3)).shape
    (3, 7)
    """
    K = as_real_array(kernel, "kernel", (2, 3, 4))
    d_h, d_w = pair_in_context(dilation, "dilation", 1, f"for a kernel with shape {K.shape}")
    k_h, k_w = K.shape[-2:]
    dense = np.zeros(K.shape[:-2] + (dilated_span(k_h, d_h), dilated_span(k_w, d_w)), dtype=K.dtype)
    dense[..., ::d_h, ::d_w] = K
    return dense
