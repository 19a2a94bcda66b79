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
) -> Tuple[int, int]:
    """Return the effective (dilated) kernel size, or raise if it overhangs the padded input.

    The message reads "kernel K with shape (...)" for arrays; give ``kernel_shape=None``
    (and ``input_shape=None``) for plain sizes, read as "kernel size k = (...)".
    """
    # Written out for two axes, not with zip(): this runs on every call, and small calls must stay cheap.
    (kh, kw), (dh, dw), (ph, pw) = kernel_hw, dilation, padding
    effective = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    padded = (input_hw[0] + 2 * ph, input_hw[1] + 2 * pw)
    if effective[0] > padded[0] or effective[1] > padded[1]:
        dilated = f" (dilation={dilation} makes it {effective[0]}x{effective[1]})" if max(dilation) > 1 else ""
        kernel_text = (f"kernel {kernel_name} = {tuple(kernel_hw)}" if kernel_shape is None
                       else f"kernel {kernel_name} with shape {kernel_shape or tuple(kernel_hw)}")
        input_text = (f"input {input_name} = {tuple(input_hw)}" if input_shape is None
                      else f"input {input_name} with shape {input_shape or tuple(input_hw)}")
        raise ValueError(
            f"{kernel_text}{dilated} is larger than the {input_text} padded by {padding} "
            f"to {padded[0]}x{padded[1]}: increase padding or use a smaller kernel"
        )
    return effective  # type: ignore[return-value]


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
