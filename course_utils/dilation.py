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

from typing import Any, Tuple, Union

import numpy as np

from ._checks import IntOrPair, as_pair, as_real_array

__all__ = ["dilate_kernel", "effective_kernel_size"]


def _pair_for(value: Any, name: str, minimum: int, context: str) -> Tuple[int, int]:
    """:func:`as_pair`, with ``context`` (e.g. the kernel's shape) added to its message."""
    try:
        return as_pair(value, name, minimum=minimum)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{error} ({context})") from None


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
    d_h, d_w = _pair_for(dilation, "dilation", 1, f"for a kernel with shape {K.shape}")
    k_h, k_w = K.shape[-2:]
    dense = np.zeros(K.shape[:-2] + (d_h * (k_h - 1) + 1, d_w * (k_w - 1) + 1), dtype=K.dtype)
    dense[..., ::d_h, ::d_w] = K
    return dense


def effective_kernel_size(kernel_size: IntOrPair, dilation: IntOrPair = 1) -> Union[int, Tuple[int, int]]:
    r"""Size of the input window a dilated kernel spans: :math:`k + (k - 1)(d - 1) = d (k - 1) + 1`.

    Give ints for one axis, or an ``(h, w)`` pair for either argument to get an
    ``(h, w)`` pair back. The kernel still has only ``k`` taps along the axis.

    >>> effective_kernel_size(3, 2)
    5
    >>> [effective_kernel_size(3, d) for d in (1, 2, 3, 4)]
    [3, 5, 7, 9]
    >>> effective_kernel_size((3, 5), (2, 1))
    (5, 5)
    """
    any_pair = any(isinstance(v, (tuple, list, np.ndarray)) and np.ndim(v) > 0 for v in (kernel_size, dilation))
    k_hw = _pair_for(kernel_size, "kernel_size", 1, f"with dilation={dilation!r}")
    d_hw = _pair_for(dilation, "dilation", 1, f"with kernel_size={kernel_size!r}")
    sizes = tuple(k + (k - 1) * (d - 1) for k, d in zip(k_hw, d_hw))
    return sizes if any_pair else sizes[0]  # type: ignore[return-value]
