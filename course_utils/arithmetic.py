r"""Convolution arithmetic: how much padding keeps or grows a size, and what the floor hides.

:func:`course_utils.ops.conv_output_size` gives the output length of a
convolution along one axis,

.. math:: o = \left\lfloor \frac{n + 2p - d(k - 1) - 1}{s} \right\rfloor + 1 .

The helpers here answer the questions around it:

- :func:`same_padding` and :func:`same_padding_split`: the padding that keeps
  ``o = n`` at stride 1 (symmetric when ``d(k - 1)`` is even, otherwise split
  unevenly as PyTorch's ``padding='same'`` and JAX's ``'SAME'`` do);
- :func:`full_padding`: the padding ``d(k - 1)`` of a 'full' convolution,
  ``o = n + d(k - 1)``;
- :func:`input_sizes_for_output`: every input size that gives one output size
  (more than one when ``s > 1``, because of the floor);
- :func:`input_usage` and :func:`ignored_input_size`: how many windows read each
  input position, and how many rows or columns at the far end no window reaches;
- :func:`as_padding_widths`: any padding spelling as ``((top, bottom), (left, right))``.

Every function takes ints for one axis; most also take ``(h, w)`` pairs and then
answer per axis, like ``conv_output_size``.

>>> from course_utils import conv_output_size
>>> conv_output_size(32, 5, padding=same_padding(5))
32
>>> list(input_sizes_for_output(3, 3, stride=2))
[7, 8]
"""
from __future__ import annotations

from typing import Any, Tuple, Union

import numpy as np

from ._checks import IntOrPair, as_pair, given_as_pair, pair_in_context
from .geometry import dilated_span, last_read_position, tap_positions
from .ops import conv_output_size

__all__ = [
    "as_padding_widths",
    "full_padding",
    "ignored_input_size",
    "input_sizes_for_output",
    "input_usage",
    "same_padding",
    "same_padding_split",
]


def _one_axis(value: Any, name: str, minimum: int, context: str) -> int:
    """A single int >= ``minimum``; pairs are refused with a message that says so."""
    if given_as_pair(value):
        raise TypeError(f"{name} must be a single int (one axis at a time); got {value!r} ({context})")
    return pair_in_context(value, name, minimum, context)[0]


def _sizes(first: Any, first_name: str, kernel_size: Any, padding: Any, stride: Any, dilation: Any,
           *, one_axis: bool = False):
    """Validate ``(first, kernel_size, padding, stride, dilation)``; return whether any was a pair, then the pairs.

    ``first`` is the input size ``n`` or the output size (both >= 1). Every message names all five values.
    With ``one_axis`` pairs are refused.
    """
    context = (f"{first_name}={first!r}, kernel_size={kernel_size!r}, padding={padding!r}, stride={stride!r}, "
               f"dilation={dilation!r}")
    convert = _one_axis if one_axis else pair_in_context
    values = [convert(value, name, minimum, context) for value, name, minimum in (
        (first, first_name, 1), (kernel_size, "kernel_size", 1), (padding, "padding", 0), (stride, "stride", 1),
        (dilation, "dilation", 1))]
    any_pair = given_as_pair(first, kernel_size, padding, stride, dilation)
    return (any_pair, context, *values)


def _total_same_padding(kernel_size: Any, dilation: Any):
    """Validate; return (any pair given, kernel pair, dilation pair, total padding d(k - 1) per axis)."""
    context = f"kernel_size={kernel_size!r}, dilation={dilation!r}"
    k = pair_in_context(kernel_size, "kernel_size", 1, context)
    d = pair_in_context(dilation, "dilation", 1, context)
    totals = tuple(dilated_span(ki, di) - 1 for ki, di in zip(k, d))
    return given_as_pair(kernel_size, dilation), k, d, totals  # type: ignore[return-value]


def same_padding(kernel_size: IntOrPair, dilation: IntOrPair = 1) -> Union[int, Tuple[int, int]]:
    r"""The padding ``p`` (on each side) that keeps the size at stride 1: :math:`p = d(k - 1) / 2`.

    With it, :math:`n + 2p - d(k - 1) = n`, so a stride-1 convolution returns
    an output as large as its input. For ``dilation=1`` that is
    :math:`(k - 1) / 2`: 1 for a 3x3 kernel, 2 for 5x5, 3 for 7x7.

    An even kernel (with odd dilation) needs an odd total :math:`d(k - 1)`,
    which cannot be split equally between the two sides; that raises a
    ``ValueError`` that names the uneven split (see :func:`same_padding_split`).

    >>> same_padding(3), same_padding(5), same_padding(7)
    (1, 2, 3)
    >>> same_padding(3, dilation=2)
    2
    >>> same_padding((5, 3))
    (2, 1)
    >>> same_padding(2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: kernel_size=2 needs d(k - 1) = 1 zero per axis to keep the size, ... 0 before and 1 after (...)
    """
    any_pair, k, d, totals = _total_same_padding(kernel_size, dilation)
    for axis, (ki, di, total) in enumerate(zip(k, d, totals)):
        if total % 2:
            where = f" along axis {axis} ({'height' if axis == 0 else 'width'})" if any_pair else ""
            dilated = f" with dilation={di}" if di != 1 else ""
            raise ValueError(
                f"kernel_size={kernel_size!r}{dilated}{where} needs d(k - 1) = {total} "
                f"{'zero' if total == 1 else 'zeros'} per axis to keep the size, an odd number that cannot be "
                f"split equally between the two sides; pad asymmetrically instead: {total // 2} before and "
                f"{total - total // 2} after (same_padding_split gives these; PyTorch's padding='same' puts "
                f"the extra zero after)"
            )
    sizes = tuple(total // 2 for total in totals)
    return sizes if any_pair else sizes[0]  # type: ignore[return-value]


def same_padding_split(kernel_size: IntOrPair, dilation: IntOrPair = 1):
    """``(before, after)`` zeros per axis that keep the size at stride 1, for any kernel.

    The total :math:`d(k - 1)` is split as ``before = total // 2`` and
    ``after = total - before``: the extra zero of an odd total goes after (at
    the bottom / right), which is what PyTorch's ``padding='same'`` and JAX's
    ``padding='SAME'`` do at stride 1. For an int ``kernel_size`` (and int
    ``dilation``) the result is one ``(before, after)`` pair; with a pair, it is
    ``((top, bottom), (left, right))``, the format of JAX's ``padding`` argument.

    >>> same_padding_split(3)
    (1, 1)
    >>> same_padding_split(2)
    (0, 1)
    >>> same_padding_split((4, 3))
    ((1, 2), (1, 1))
    """
    any_pair, _, _, totals = _total_same_padding(kernel_size, dilation)
    sides = tuple((total // 2, total - total // 2) for total in totals)
    return sides if any_pair else sides[0]


def full_padding(kernel_size: IntOrPair, dilation: IntOrPair = 1) -> Union[int, Tuple[int, int]]:
    r"""The padding ``p = d(k - 1)`` of a 'full' convolution, whose output has :math:`n + d(k - 1)` entries.

    With it, every placement of the kernel that overlaps the input in at least
    one cell is computed: the first window holds only the top-left input pixel
    in its bottom-right tap. For ``dilation=1`` this is the ``'full'`` mode of
    ``np.convolve`` and ``scipy.signal.convolve2d``, output length
    :math:`n + k - 1`.

    >>> full_padding(3)
    2
    >>> full_padding((5, 2))
    (4, 1)
    >>> full_padding(3, dilation=2)
    4
    """
    any_pair, _, _, totals = _total_same_padding(kernel_size, dilation)
    return totals if any_pair else totals[0]  # type: ignore[return-value]


def _axis_range(o: int, k: int, p: int, s: int, d: int, context: str) -> range:
    span = dilated_span(k, d)
    # o - 1 = floor((n + 2p - span) / s)  <=>  (o - 1) s <= n + 2p - span <= (o - 1) s + s - 1
    smallest = (o - 1) * s + span - 2 * p
    largest = smallest + s - 1
    if largest < 1:
        raise ValueError(
            f"no input size gives {o} outputs along an axis ({context}): with this much padding even a "
            f"1-pixel input gives {conv_output_size(1, k, padding=p, stride=s, dilation=d)}"
        )
    return range(max(1, smallest), largest + 1)


def input_sizes_for_output(output_size: IntOrPair, kernel_size: IntOrPair, *, padding: IntOrPair = 0,
                           stride: IntOrPair = 1, dilation: IntOrPair = 1):
    r"""Every input size ``n`` for which ``conv_output_size(n, ...) == output_size``, as a ``range``.

    Because of the floor in :math:`\lfloor (n + 2p - d(k - 1) - 1)/s \rfloor + 1`,
    up to ``stride`` consecutive input sizes share an output size: the smallest
    of them leaves no position of the padded input after the last window, the
    largest leaves ``stride - 1`` (input rows that no window reads, or padding;
    see :func:`ignored_input_size`). At stride 1 the range holds exactly one
    size. With a pair in any argument the result is a pair of ranges
    ``(rows, columns)``.

    >>> input_sizes_for_output(3, 3, stride=2)
    range(7, 9)
    >>> input_sizes_for_output(4, 3, padding=1, stride=2)
    range(7, 9)
    >>> input_sizes_for_output(28, 5, padding=2)
    range(28, 29)
    >>> input_sizes_for_output((2, 2), (3, 5), padding=(0, 1), stride=(3, 4))
    (range(6, 9), range(7, 11))
    """
    any_pair, context, o, k, p, s, d = _sizes(output_size, "output_size", kernel_size, padding, stride, dilation)
    ranges = tuple(_axis_range(*values, context) for values in zip(o, k, p, s, d))
    return ranges if any_pair else ranges[0]


def input_usage(n: int, kernel_size: int, *, padding: int = 0, stride: int = 1, dilation: int = 1) -> np.ndarray:
    """How many output positions read each of the ``n`` input positions along one axis.

    Entry ``i`` counts the windows with a kernel tap on input position ``i``
    (padding positions are not counted). Without padding the border positions
    are read less often than the middle ones; with a stride some positions may
    be read by no window at all (a count of 0), for example the last ones when
    the floor of the output-size formula drops them. For a 2-D input the count
    of pixel ``(i, j)`` is ``np.outer(rows, cols)[i, j]``.

    >>> input_usage(6, 3)
    array([1, 2, 3, 3, 2, 1])
    >>> input_usage(6, 3, padding=1)
    array([2, 3, 3, 3, 3, 2])
    >>> input_usage(8, 3, stride=2)
    array([1, 1, 2, 1, 2, 1, 1, 0])
    """
    _, _, n_, k, p, s, d = _sizes(n, "n", kernel_size, padding, stride, dilation, one_axis=True)
    span = dilated_span(k, d)
    if span > n_ + 2 * p:
        dilated = f" (dilation={d} makes it span {span})" if d > 1 else ""
        raise ValueError(
            f"kernel_size={k}{dilated} is larger than n={n_} padded by {p} on each side to {n_ + 2 * p}: "
            f"increase padding or use a smaller kernel"
        )
    outputs = conv_output_size(n_, k, padding=p, stride=s, dilation=d)
    counts = np.zeros(n_ + 2 * p, dtype=int)
    for tap in range(k):  # every tap adds 1 at the positions it visits: start + d*tap for each window start
        counts[tap_positions(tap, outputs, s, d)] += 1
    return counts[p: p + n_]


def ignored_input_size(n: IntOrPair, kernel_size: IntOrPair, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
                       dilation: IntOrPair = 1) -> Union[int, Tuple[int, int]]:
    r"""How many input rows (or columns) at the far end no window reaches: what the floor drops.

    The last window starts at :math:`s(o - 1)` of the padded input and ends at
    :math:`s(o - 1) + d(k - 1)`; the padded positions after it are never read.
    The count returned leaves out the ``padding`` zeros at the end, so it is the
    number of *real* input rows lost, ``max(0, n + p - 1 - (s(o - 1) + d(k - 1)))`` (at most ``n``).
    It is 0 at stride 1 and at most ``stride - 1``.

    In closed form: the floor drops the last :math:`(n + 2p - d(k - 1) - 1) \bmod s`
    positions of the padded input; its last ``p`` positions are padding, so
    the real rows lost are :math:`\max(0, (n + 2p - d(k - 1) - 1) \bmod s - p)`
    (for ``p < d(k - 1) + 1``; a larger padding can leave the whole input
    behind the last window, and the count stops at ``n``). These are the rows
    *after* the last window. Between windows nothing is skipped while the
    stride is at most ``k`` (without dilation); a larger stride, or a dilated
    kernel's holes, leave gaps that :func:`input_usage` shows as zeros.

    >>> ignored_input_size(8, 3, stride=2)
    1
    >>> ignored_input_size(7, 3, stride=2)
    0
    >>> ignored_input_size(8, 3, padding=1, stride=2)  # 7 and 8 share the output 4, but what is dropped is padding
    0
    >>> ignored_input_size((8, 9), 3, padding=1, stride=3)
    (0, 1)
    """
    any_pair, _, n_hw, k_hw, p_hw, s_hw, d_hw = _sizes(n, "n", kernel_size, padding, stride, dilation)
    out_hw = conv_output_size(n_hw, k_hw, padding=p_hw, stride=s_hw, dilation=d_hw)
    ignored = tuple(
        min(ni, max(0, ni + pi - 1 - last_read_position(oi, ki, si, di)))
        for ni, ki, pi, si, di, oi in zip(n_hw, k_hw, p_hw, s_hw, d_hw, out_hw)
    )
    return ignored if any_pair else ignored[0]  # type: ignore[return-value]


def as_padding_widths(padding: Any, name: str = "padding") -> Tuple[Tuple[int, int], Tuple[int, int]]:
    """Normalise a 2-D padding to ``((top, bottom), (left, right))``, the order of ``np.pad`` and JAX.

    Accepts an int (the same on all four sides), an ``(h, w)`` pair (``h`` at
    top and bottom, ``w`` at left and right), or ``((top, bottom), (left,
    right))``. Note that ``torch.nn.functional.pad`` wants the last axis first:
    ``(left, right, top, bottom)``.

    >>> as_padding_widths(1)
    ((1, 1), (1, 1))
    >>> as_padding_widths((2, 1))
    ((2, 2), (1, 1))
    >>> as_padding_widths(((0, 1), (0, 1)))
    ((0, 1), (0, 1))
    """
    if given_as_pair(padding) and len(padding) == 2 and all(given_as_pair(side) for side in padding):
        rows = as_pair(padding[0], f"{name}[0] (top, bottom)", minimum=0)
        cols = as_pair(padding[1], f"{name}[1] (left, right)", minimum=0)
        return rows, cols
    try:
        ph, pw = as_pair(padding, name, minimum=0)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{error}; or give ((top, bottom), (left, right))") from None
    return (ph, ph), (pw, pw)
