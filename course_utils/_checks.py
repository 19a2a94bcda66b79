"""Argument validation shared by every public function of ``course_utils``.

All error messages are written here so that they read alike: each names the
parameter, the value it received and, where shapes matter, the shapes involved.
Learners meet these messages first when they pass something unexpected, so they
say what was wrong and what was expected instead of failing deep inside NumPy.
"""
from __future__ import annotations

import numbers
from typing import Any, Tuple, Union

import numpy as np

from .arrays import to_numpy

IntOrPair = Union[int, Tuple[int, int]]


def as_real_array(value: Any, name: str, ndims: Union[int, Tuple[int, ...]]) -> np.ndarray:
    """Convert ``value`` to a float array with one of the given numbers of dimensions.

    Integer and boolean input becomes float64, float16 becomes float32, float32
    and float64 keep their precision. Complex, string and object input is refused.
    """
    array = to_numpy(value, name)
    allowed = (ndims,) if isinstance(ndims, int) else tuple(ndims)
    kind = array.dtype.kind
    if kind not in "biuf":
        what = "ragged nested lists or non-numbers" if kind == "O" else f"dtype {array.dtype}"
        raise TypeError(
            f"{name} must hold real numbers (bool, int or float); got {what} "
            f"with shape {array.shape}"
        )
    if array.ndim not in allowed:
        expected = " or ".join(f"{n}-D" for n in allowed)
        raise ValueError(f"{name} must be {expected}; got a {array.ndim}-D array with shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {array.shape}")
    if kind == "f":
        if array.dtype.itemsize < 4:
            return array.astype(np.float32)
        if array.dtype.itemsize > 8:
            return array.astype(np.float64)
        return array
    return array.astype(np.float64)


def _check_int(value: Any, name: str) -> int:
    # bool is an int subclass; stride=True is almost certainly a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int or a pair of ints; got {type(value).__name__} {value!r}")
    return int(value)


def as_pair(value: Any, name: str, *, minimum: int) -> Tuple[int, int]:
    """Normalise an int or an ``(h, w)`` pair to a pair of ints >= ``minimum``."""
    if type(value) is int and value >= minimum:  # the common case first: small calls stay cheap
        return (value, value)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()  # np.array(1) means the int 1
    if isinstance(value, (tuple, list, np.ndarray)):
        items = list(np.asarray(value).ravel()) if isinstance(value, np.ndarray) else list(value)
        if len(items) != 2:
            raise ValueError(f"{name} must be an int or an (h, w) pair; got {value!r} with {len(items)} entries")
        pair = (_check_int(items[0], name), _check_int(items[1], name))
    else:
        single = _check_int(value, name)
        pair = (single, single)
    if min(pair) < minimum:
        rule = "non-negative" if minimum == 0 else f">= {minimum}"
        raise ValueError(f"{name} must be {rule}; got {value!r}")
    return pair


def conv_options(padding: Any, stride: Any, dilation: Any) -> Tuple[Tuple[int, int], Tuple[int, int], Tuple[int, int]]:
    """A convolution's ``padding`` (>= 0), ``stride`` and ``dilation`` (>= 1) as validated ``(h, w)`` pairs."""
    return (as_pair(padding, "padding", minimum=0), as_pair(stride, "stride", minimum=1),
            as_pair(dilation, "dilation", minimum=1))


def given_as_pair(*values: Any) -> bool:
    """Whether any of ``values`` is an ``(h, w)`` pair (a tuple, list or array with a dimension): then the
    size functions answer with a pair too, otherwise with one int."""
    return any(isinstance(value, (tuple, list, np.ndarray)) and np.ndim(value) > 0 for value in values)


def pair_in_context(value: Any, name: str, minimum: int, context: str) -> Tuple[int, int]:
    """:func:`as_pair`, with ``context`` (the other arguments, or a shape) added to its message."""
    try:
        return as_pair(value, name, minimum=minimum)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{error} ({context})") from None


def int_at_least(value: Any, name: str, minimum: int, where: str = "") -> int:
    """``value`` as an int >= ``minimum``; bools, floats and strings are refused with a message naming ``name``."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    suffix = f" ({where})" if where else ""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}{suffix}")
    if value < minimum:
        rule = "non-negative" if minimum == 0 else f">= {minimum}"
        raise ValueError(f"{name} must be {rule}; got {value!r}{suffix}")
    return int(value)


def positive_int(value: Any, name: str, meaning_of_one: str = " (at least 1)") -> int:
    """``value`` as an int >= 1 (a count or a factor); ``meaning_of_one`` says what 1 means in the message."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive int; got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int{meaning_of_one}; got {value!r}")
    return int(value)


def as_groups(value: Any) -> int:
    """Validate ``groups`` of a grouped convolution: an int >= 1 (a bool or a float is refused)."""
    if type(value) is int and value >= 1:  # the common case first, as in as_pair
        return value
    # np.bool_ is no numbers.Integral, but bool is: refuse it by name (groups=True is a mistake).
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"groups must be an int >= 1; got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"groups must be >= 1; got {value!r}")
    return int(value)


def check_groups_divide(groups: int, channels: int, which: str, name: str, shape: Tuple[int, ...],
                        layout: str) -> None:
    """Raise unless ``groups`` divides the ``which`` ("input" or "output") channel count of array ``name``."""
    if channels % groups:
        raise ValueError(
            f"groups={groups} must divide the number of {which} channels, but {name} has {channels} "
            f"(shape {shape}, layout {layout})"
        )
