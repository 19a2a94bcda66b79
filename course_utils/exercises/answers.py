"""What kind of value a value exercise expects, and how a learner's answer is compared with it.

Each kind turns what the learner passed into a plain Python value (``parse``), or explains why
it cannot (:class:`NotThatKind`, whose message the learner sees), compares two values
(``equal``) and writes a value back the way the learner passed it (``show``: an int stays an int).

- :class:`Count`: a whole number (parameters, multiply-adds, pixels), compared exactly;
- :class:`Real`: a real number, compared with the tolerance the problem states;
- :class:`Shape`: a tuple of ints such as ``(8, 3, 5, 3)``.

Text that looks like a number is refused by every kind with a message that says so: ``"5"`` is
not the number 5, and a checker that accepted it would teach the wrong habit.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Tuple

import numpy as np


class NotThatKind(ValueError):
    """The answer is not of the expected kind; the message is written for the learner."""


def _text_refusal(value: Any, wanted: str) -> NotThatKind:
    text = str(value)
    try:
        number = float(text)
    except ValueError:
        return NotThatKind(f"you passed the text {text!r}; pass {wanted}")
    shown = int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    return NotThatKind(f"you passed the text {text!r}; pass the number {shown!r} (no quotes)")


def _plain_number(value: Any, wanted: str) -> numbers.Real:
    """``value`` as a Python int or float, from Python and NumPy numbers and one-element arrays."""
    if isinstance(value, (str, bytes, np.str_)):
        raise _text_refusal(value, wanted)
    if isinstance(value, (bool, np.bool_)):
        raise NotThatKind(f"you passed {value!r}, a truth value; pass {wanted}")
    if hasattr(value, "item") and not isinstance(value, numbers.Number):  # NumPy, torch, JAX, MXNet arrays
        size = int(np.prod(getattr(value, "shape", ()) or (1,)))
        if size != 1:
            raise NotThatKind(f"you passed an array of shape {tuple(value.shape)}; pass {wanted}, a single value")
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        raise NotThatKind(f"you passed {value!r}, a truth value; pass {wanted}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, numbers.Complex):
        raise NotThatKind(f"you passed the complex number {value!r}; pass {wanted}")
    raise NotThatKind(f"you passed {type(value).__name__} {_short(value)}; pass {wanted}")


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Count:
    """A whole number, compared exactly. A float counts only when it is exactly whole (``2.0``).

    ``unit`` names what is counted ("pixels"), for the messages. ``pair_of_equal``: a pair such as
    ``(2, 2)`` means the same as ``2`` (padding on every side, a square kernel's size).
    """

    def __init__(self, unit: str = "", *, pair_of_equal: bool = False):
        self.unit = unit
        self.pair_of_equal = pair_of_equal
        self.what = f"a whole number of {unit}" if unit else "a whole number"

    def parse(self, value: Any) -> numbers.Real:
        if self.pair_of_equal and isinstance(value, (tuple, list)) and len(value) == 2:
            first, second = (_plain_number(v, self.what) for v in value)
            if first != second:
                raise NotThatKind(f"you passed {tuple(value)!r}, two different numbers; pass one number, "
                                  f"the same for both sides")
            value = first
        number = _plain_number(value, self.what)
        if isinstance(number, float):
            if not math.isfinite(number):
                raise NotThatKind(f"you passed {number!r}; pass {self.what}")
            if number.is_integer() and abs(number) < 2 ** 53:  # floats hold every integer up to 2**53 exactly
                return int(number)
        return number  # a fraction is kept, so that a known mistake such as 2.5 can still be named

    def equal(self, answer: numbers.Real, expected: numbers.Real) -> bool:
        # exact, and a fraction never equals a whole number (parse made every whole float an int)
        return isinstance(answer, int) == isinstance(expected, int) and answer == expected

    def show(self, value: Any) -> str:
        return repr(value)

    def remark(self, value: Any) -> str:
        """Why a wrong answer is wrong, when its kind alone says so."""
        return "" if isinstance(value, int) else f"the answer is {self.what}."

    def describe(self) -> str:
        return f"{self.what}, compared exactly"


class Real:
    """A real number, equal to the expected one within ``abs_tol`` or ``rel_tol`` (``math.isclose``)."""

    what = "a number"

    def __init__(self, *, rel_tol: float = 1e-9, abs_tol: float = 1e-9):
        if rel_tol < 0 or abs_tol < 0:
            raise ValueError(f"rel_tol and abs_tol must be >= 0; got rel_tol={rel_tol!r}, abs_tol={abs_tol!r}")
        self.rel_tol, self.abs_tol = rel_tol, abs_tol

    def parse(self, value: Any) -> numbers.Real:
        number = _plain_number(value, self.what)
        if isinstance(number, float) and not math.isfinite(number):
            raise NotThatKind(f"you passed {number!r}; pass a finite number")
        return number

    def equal(self, answer: numbers.Real, expected: numbers.Real) -> bool:
        return math.isclose(answer, expected, rel_tol=self.rel_tol, abs_tol=self.abs_tol)

    def show(self, value: Any) -> str:
        return repr(value)

    def remark(self, value: Any) -> str:
        return ""

    def describe(self) -> str:
        return f"a number, right within {self.abs_tol:g} or {self.rel_tol:g} of its size"


class Shape:
    """A shape: a tuple (or list) of ints. NumPy ints and ``torch.Size`` are fine; floats are not."""

    what = "a shape such as (2, 3, 4, 5), a tuple of ints"

    def parse(self, value: Any) -> Tuple[int, ...]:
        if isinstance(value, (str, bytes, np.str_)):
            raise NotThatKind(f"you passed the text {str(value)!r}; pass {self.what}")
        if not isinstance(value, (tuple, list)):
            kind = "a generator" if hasattr(value, "__next__") else f"{type(value).__name__} {_short(value)}"
            raise NotThatKind(f"you passed {kind}; pass {self.what}")
        shape = []
        for item in value:
            if isinstance(item, (bool, np.bool_)) or not isinstance(item, (numbers.Integral, np.integer)):
                raise NotThatKind(f"a shape holds ints, and {tuple(value)!r} contains {item!r} "
                                  f"({type(item).__name__})")
            shape.append(int(item))
        return tuple(shape)

    def equal(self, answer: Tuple[int, ...], expected: Tuple[int, ...]) -> bool:
        return tuple(answer) == tuple(expected)

    def show(self, value: Any) -> str:
        return repr(tuple(value))

    def remark(self, value: Any) -> str:
        return ""

    def describe(self) -> str:
        return "a tuple of ints, compared exactly"
