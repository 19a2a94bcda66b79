r"""Convolution geometry: how far a kernel reaches, how many outputs fit, where each tap reads.

Every size in the course comes from three facts, written here once and called from everywhere
else (the operations, the cost counters, the padding arithmetic, the widgets):

- a kernel of ``k`` taps with dilation ``d`` spans :math:`d(k - 1) + 1` input positions;
- an input of ``n`` positions padded by ``p`` on each side gives
  :math:`\lfloor (n + 2p - d(k - 1) - 1) / s \rfloor + 1` outputs at stride ``s``;
- a transposed convolution inverts the second: :math:`(n - 1)s - 2p + d(k - 1) + 1` outputs;
- tap ``a`` of the kernel reads, for outputs ``0 .. o - 1``, the padded positions
  :math:`a d,\ a d + s,\ \dots,\ a d + s(o - 1)`.

The lower-case helpers take plain, already validated ints (one axis) or ``(h, w)`` tuples, because
they run inside every convolution; :func:`conv_output_size` and :func:`effective_kernel_size` are
the public, validating versions the lessons call.
"""
from __future__ import annotations

from typing import Tuple, Union

import numpy as np

from ._checks import IntOrPair, as_pair, conv_options, given_as_pair, pair_in_context

__all__ = ["conv_output_size", "effective_kernel_size"]


def dilated_span(k: int, d: int) -> int:
    """Input positions covered by ``k`` taps spaced ``d`` apart (``d - 1`` holes between neighbours)."""
    return d * (k - 1) + 1


def output_length(n: int, k: int, p: int, s: int, d: int) -> int:
    """Outputs along one axis; may be < 1 when the kernel overhangs (callers check with ``check_kernel_fits``)."""
    return (n + 2 * p - dilated_span(k, d)) // s + 1


def transposed_output_length(n: int, k: int, p: int, s: int, d: int, output_padding: int = 0) -> int:
    """Outputs of a transposed convolution along one axis: :math:`(n - 1)s - 2p + d(k - 1) + 1` (+ output_padding)."""
    return (n - 1) * s - 2 * p + dilated_span(k, d) + output_padding


def output_hw(input_hw, kernel_hw, padding, stride, dilation) -> Tuple[int, int]:
    """Output (height, width) for validated ``(h, w)`` pairs."""
    return (output_length(input_hw[0], kernel_hw[0], padding[0], stride[0], dilation[0]),
            output_length(input_hw[1], kernel_hw[1], padding[1], stride[1], dilation[1]))


def tap_positions(tap: int, outputs: int, stride: int, dilation: int) -> slice:
    """The padded-input positions that kernel tap ``tap`` reads, one per output, as a slice."""
    start = tap * dilation
    return slice(start, start + stride * (outputs - 1) + 1, stride)


def last_read_position(outputs: int, k: int, s: int, d: int) -> int:
    """Index in the padded input of the last position any window reads: :math:`s(o - 1) + d(k - 1)`."""
    return s * (outputs - 1) + dilated_span(k, d) - 1


def pad_spatial(X: np.ndarray, padding: Tuple[int, int], value: float = 0.0) -> np.ndarray:
    """``X`` with its last two axes padded by ``padding`` on both sides with ``value`` (``X`` itself if none)."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return X
    padded = np.full(X.shape[:-2] + (X.shape[-2] + 2 * ph, X.shape[-1] + 2 * pw), value, dtype=X.dtype)
    padded[..., ph: ph + X.shape[-2], pw: pw + X.shape[-1]] = X
    return padded


def check_kernel_fits(
    input_hw: Tuple[int, int],
    kernel_hw: Tuple[int, int],
    padding: Tuple[int, int],
    dilation: Tuple[int, int],
    *,
    input_name: str = "X",
    kernel_name: str = "K",
    input_shape: Tuple[int, ...] = (),
    kernel_shape: Tuple[int, ...] = (),
    remedy: str = "increase padding or use a smaller kernel",
) -> Tuple[int, int]:
    """Return the effective (dilated) kernel size, or raise if it overhangs the padded input.

    The message reads "kernel K with shape (...)" for arrays; give ``kernel_shape=None``
    (and ``input_shape=None``) for plain sizes, read as "kernel size k = (...)". It ends with
    ``remedy``, what the caller can do about it.
    """
    # Written out for two axes, not with zip(): this runs on every call, and small calls must stay cheap.
    (kh, kw), (dh, dw), (ph, pw) = kernel_hw, dilation, padding
    effective = (dilated_span(kh, dh), dilated_span(kw, dw))
    padded = (input_hw[0] + 2 * ph, input_hw[1] + 2 * pw)
    if effective[0] > padded[0] or effective[1] > padded[1]:
        dilated = f" (dilation={dilation} makes it {effective[0]}x{effective[1]})" if max(dilation) > 1 else ""
        kernel_text = (f"kernel {kernel_name} = {tuple(kernel_hw)}" if kernel_shape is None
                       else f"kernel {kernel_name} with shape {kernel_shape or tuple(kernel_hw)}")
        input_text = (f"input {input_name} = {tuple(input_hw)}" if input_shape is None
                      else f"input {input_name} with shape {input_shape or tuple(input_hw)}")
        raise ValueError(
            f"{kernel_text}{dilated} is larger than the {input_text} padded by {padding} "
            f"to {padded[0]}x{padded[1]}: {remedy}"
        )
    return effective  # type: ignore[return-value]


def conv_output_size(n: IntOrPair, k: IntOrPair, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
                     dilation: IntOrPair = 1) -> Union[int, Tuple[int, int]]:
    r"""Output length of a convolution or pooling along each spatial axis.

    .. math:: \left\lfloor \frac{n + 2p - d(k - 1) - 1}{s} \right\rfloor + 1

    ``n`` is the input size, ``k`` the kernel size, ``p`` the padding on each
    side, ``s`` the stride and ``d`` the dilation. Give ints for one axis, or
    ``(h, w)`` pairs (any argument) to get an ``(h, w)`` pair back.

    >>> conv_output_size(3, 2)
    2
    >>> conv_output_size(8, 3, padding=1, stride=2)
    4
    >>> conv_output_size((28, 28), 5, padding=(2, 0))
    (28, 24)
    """
    n_hw = as_pair(n, "n", minimum=1)
    k_hw = as_pair(k, "k", minimum=1)
    p_hw, s_hw, d_hw = conv_options(padding, stride, dilation)
    check_kernel_fits(n_hw, k_hw, p_hw, d_hw, input_name="size n", kernel_name="size k",
                      input_shape=None, kernel_shape=None)
    sizes = output_hw(n_hw, k_hw, p_hw, s_hw, d_hw)
    return sizes if given_as_pair(n, k, padding, stride, dilation) else sizes[0]


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
    k_hw = pair_in_context(kernel_size, "kernel_size", 1, f"with dilation={dilation!r}")
    d_hw = pair_in_context(dilation, "dilation", 1, f"with kernel_size={kernel_size!r}")
    sizes = (dilated_span(k_hw[0], d_hw[0]), dilated_span(k_hw[1], d_hw[1]))
    return sizes if given_as_pair(kernel_size, dilation) else sizes[0]
