"""Warm-up: the shape of a 'valid' cross-correlation."""
from __future__ import annotations

import numbers
from typing import Any, List, Optional

from .diagnosis import shape_mistake
from .problems import Case, CodingProblem, lesson_exercise


@lesson_exercise("00_getting_started", 1)
class OutputShapeProblem(CodingProblem):
    """``valid_output_shape(input_shape, kernel_shape)`` returns ``(H - kh + 1, W - kw + 1)``."""

    def __init__(self):
        super().__init__(
            argument_names=("input_shape", "kernel_shape"),
            function_name="valid_output_shape",
            title="the output shape of a cross-correlation without padding",
            hints=[
                "Count the positions where the kernel fits entirely inside the input, one axis at a time.",
                "Along an axis of length 3, a kernel of length 2 fits at positions 0 and 1: that is 2 = 3 - 2 + 1.",
                "Return a tuple: (H - kh + 1, W - kw + 1), with H, W = input_shape and kh, kw = kernel_shape.",
            ],
            solution="""
                def valid_output_shape(input_shape, kernel_shape):
                    H, W = input_shape
                    kh, kw = kernel_shape
                    return (H - kh + 1, W - kw + 1)
            """,
        )

    def cases(self) -> List[Case]:
        visible = [((3, 3), (2, 2)), ((6, 8), (1, 2)), ((8, 8), (3, 3))]
        hidden = [((5, 9), (2, 4)), ((1, 1), (1, 1)), ((12, 7), (12, 1)), ((28, 28), (5, 5))]
        return [
            Case(args=(x, k), label=f"input {x[0]}x{x[1]}, kernel {k[0]}x{k[1]}", hidden=is_hidden)
            for group, is_hidden in ((visible, False), (hidden, True))
            for x, k in group
        ]

    def expected(self, case: Case):
        (H, W), (kh, kw) = case.args
        return (H - kh + 1, W - kw + 1)

    def compare(self, result: Any, expected, case: Case) -> Optional[str]:
        if result is None:
            return "your function returned None: did you forget `return`?"
        if isinstance(result, numbers.Number):
            return f"your function returned the single number {result!r}; return a pair (height, width)."
        try:
            got = tuple(int(n) for n in result)
        except (TypeError, ValueError):
            return f"your function returned {result!r}; return a pair of ints (height, width)."
        if got == expected:
            return None
        return shape_mistake(got, expected, *case.args)
