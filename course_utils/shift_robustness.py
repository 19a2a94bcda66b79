"""How much a feature map changes when its input moves by a few pixels.

Lesson 09 uses these to put numbers on the claim that max pooling makes a
network less sensitive to small shifts, and to show where that stops:

- :func:`shifted_crop` cuts a window out of a larger canvas so that the content
  moves by an exact number of pixels with nothing new entering from a zero-filled
  border (the "camera" moves, the scene stays).
- :func:`count_changed` counts the positions where two equally shaped arrays differ.
- :func:`shift_change_fractions` runs the whole experiment: for every shift, the
  fraction of a transform's output values that differ from the unshifted output.
- :func:`max_pool_unchanged_probability` is the value that fraction's complement
  should approach for max pooling (stride 1) on independent random inputs.
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence, Tuple, Union

import numpy as np

from ._checks import as_pair, as_real_array

__all__ = ["shifted_crop", "count_changed", "shift_change_fractions", "max_pool_unchanged_probability"]

Shift = Union[int, Tuple[int, int]]


def _as_shift(shift: Any) -> Tuple[int, int]:
    """An int (a shift to the right) or a (down, right) pair, both non-negative."""
    if isinstance(shift, (tuple, list, np.ndarray)):
        return as_pair(shift, "shift", minimum=0)
    single = as_pair(shift, "shift", minimum=0)[0]
    return (0, single)


def shifted_crop(canvas: Any, size: Any, shift: Shift = 0) -> np.ndarray:
    """The ``size`` window of ``canvas`` whose content is moved by ``shift`` pixels.

    Shift 0 is the bottom-right corner of the canvas; a larger ``shift`` takes the
    window further up/left, so the content *inside* the window moves down/right:
    ``shifted_crop(c, size, (dy, dx))[i, j] == shifted_crop(c, size)[i - dy, j - dx]``
    wherever both indices are valid. Every crop holds real canvas values (no zero
    fill), so comparing two crops shows only the effect of the shift.

    Parameters
    ----------
    canvas : (H, W) array_like
        The larger scene.
    size : int or (h, w) pair
        The crop size.
    shift : int or (down, right) pair
        An int moves the content right only. Both parts must be >= 0 and leave
        the crop inside the canvas.

    >>> canvas = np.arange(12).reshape(2, 6)
    >>> shifted_crop(canvas, (2, 4))
    array([[ 2.,  3.,  4.,  5.],
           [ 8.,  9., 10., 11.]])
    >>> shifted_crop(canvas, (2, 4), 1)
    array([[ 1.,  2.,  3.,  4.],
           [ 7.,  8.,  9., 10.]])
    """
    canvas = as_real_array(canvas, "canvas", 2)
    h, w = as_pair(size, "size", minimum=1)
    dy, dx = _as_shift(shift)
    H, W = canvas.shape
    if h + dy > H or w + dx > W:
        raise ValueError(
            f"a crop of size {(h, w)} shifted by {(dy, dx)} (down, right) needs a canvas of at least "
            f"{(h + dy, w + dx)}; got canvas with shape {canvas.shape}"
        )
    return canvas[H - h - dy : H - dy, W - w - dx : W - dx].copy()


def count_changed(before: Any, after: Any, *, atol: float = 1e-6) -> int:
    """How many positions of ``after`` differ from ``before`` by more than ``atol``.

    >>> count_changed([[0, 1], [2, 3]], [[0, 1], [2, 4]])
    1
    >>> count_changed([1.0, 2.0], [1.0, 2.0 + 1e-9])
    0
    """
    before = as_real_array(before, "before", (1, 2, 3, 4))
    after = as_real_array(after, "after", (1, 2, 3, 4))
    if before.shape != after.shape:
        raise ValueError(
            f"before and after must have the same shape to be compared position by position; "
            f"got before with shape {before.shape} and after with shape {after.shape}"
        )
    if isinstance(atol, bool) or not isinstance(atol, numbers.Real) or not atol >= 0:
        raise ValueError(f"atol must be a non-negative number; got {atol!r}")
    return int(np.count_nonzero(np.abs(after - before) > atol))


def shift_change_fractions(
    canvas: Any,
    size: Any,
    shifts: Sequence[Shift],
    transform: Callable[[np.ndarray], Any],
    *,
    atol: float = 1e-6,
) -> np.ndarray:
    """For each shift, the fraction of ``transform``'s output values that change.

    ``transform`` (for example a pooling layer) is applied to the unshifted crop
    ``shifted_crop(canvas, size, 0)`` and to each ``shifted_crop(canvas, size, s)``;
    the outputs are compared position by position with :func:`count_changed`.
    Returns one fraction in [0, 1] per shift.

    >>> canvas = np.tile([0.0, 0.0, 1.0, 0.0, 0.0, 0.0], (3, 1))
    >>> shift_change_fractions(canvas, (3, 4), [0, 1], lambda x: x)
    array([0. , 0.5])
    """
    if not callable(transform):
        raise TypeError(f"transform must be a function of one array; got {type(transform).__name__} {transform!r}")
    if isinstance(shifts, (str, bytes)) or not hasattr(shifts, "__len__") or len(shifts) == 0:
        raise ValueError(f"shifts must be a non-empty list of shifts; got {shifts!r}")
    reference = np.asarray(transform(shifted_crop(canvas, size, 0)), dtype=float)
    fractions = []
    for shift in shifts:
        output = np.asarray(transform(shifted_crop(canvas, size, shift)), dtype=float)
        fractions.append(count_changed(reference, output, atol=atol) / reference.size)
    return np.array(fractions)


def max_pool_unchanged_probability(window: int, shift: int) -> float:
    r"""Chance that a stride-1 max-pooled value survives a shift, for independent random inputs.

    A window of width :math:`k` moved by :math:`s < k` pixels (along one axis)
    shares :math:`k - s` of its columns with where it was; together the two
    windows cover :math:`k + s` columns. With independent, continuously
    distributed values the largest of those cells is equally likely to be any of
    them, and both windows report the same maximum exactly when it lies in the
    shared part:

    .. math:: P(\text{unchanged}) = \frac{k - s}{k + s} \quad (s < k), \qquad 0 \quad (s \ge k).

    The window's height does not matter: it scales both counts alike.

    >>> max_pool_unchanged_probability(2, 1)
    0.3333333333333333
    >>> max_pool_unchanged_probability(3, 1), max_pool_unchanged_probability(3, 3)
    (0.5, 0.0)
    """
    for name, value, minimum in (("window", window, 1), ("shift", shift, 0)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
        if value < minimum:
            raise ValueError(f"{name} must be >= {minimum}; got {value!r}")
    k, s = int(window), int(shift)
    return (k - s) / (k + s) if s < k else 0.0
