"""Warm-up: the shape of a 'valid' cross-correlation.

The visible cases include the lesson's 3x3 input with a 2x2 kernel; a 1x2 kernel comes first, so
that a kernel size written as 2 or 3 cannot pass for an off-by-one. Hidden cases: 2x4, 4x2, 3x2
and 12x1 kernels, non-square inputs, a 1x1 kernel on a 1x1 input and a 5x5 kernel.
"""
from __future__ import annotations

from typing import Any, List, Optional

from .diagnosis import shape_mistake, shape_result_mistake
from .problems import Case, CodingProblem, lesson_exercise, visible_then_hidden


@lesson_exercise("00_getting_started", 1)
class OutputShapeProblem(CodingProblem):
    """``valid_output_shape(input_shape, kernel_shape)`` returns ``(H - kh + 1, W - kw + 1)``.

    The result must be a tuple (or list) of ints (NumPy ints too); a generator, floats, bools and
    single numbers are named in the message. Hidden cases: 2x4, 4x2, 3x2, 12x1, 1x1 and 5x5 kernels
    on non-square and square inputs.
    """

    argument_names = ("input_shape", "kernel_shape")
    function_name = "valid_output_shape"
    title = "the output shape of a cross-correlation without padding"
    hints = [
        "Count the positions where the kernel fits entirely inside the input, one axis at a time.",
        "Along an axis of length 3, a kernel of length 2 fits at positions 0 and 1: that is 2 = 3 - 2 + 1.",
        "Return a tuple: (H - kh + 1, W - kw + 1), with H, W = input_shape and kh, kw = kernel_shape.",
    ]
    solution_text = """
        def valid_output_shape(input_shape, kernel_shape):
            H, W = input_shape
            kh, kw = kernel_shape
            return (H - kh + 1, W - kw + 1)
    """

    def cases(self) -> List[Case]:
        visible = [((6, 8), (1, 2)), ((3, 3), (2, 2)), ((8, 8), (3, 3))]
        hidden = [((5, 9), (2, 4)), ((9, 5), (4, 2)), ((7, 10), (3, 2)), ((1, 1), (1, 1)), ((12, 7), (12, 1)),
                  ((28, 28), (5, 5))]
        return visible_then_hidden(visible, hidden, lambda x, k: f"input {x[0]}x{x[1]}, kernel {k[0]}x{k[1]}")

    def expected(self, case: Case):
        (H, W), (kh, kw) = case.args
        return (H - kh + 1, W - kw + 1)

    def compare(self, result: Any, expected, case: Case) -> Optional[str]:
        got, problem = shape_result_mistake(result)
        if problem:
            return problem
        if got == expected:
            return None
        visible_answers = [(self.expected(other), "input {}x{} and kernel {}x{}".format(*other.args[0], *other.args[1]))
                           for other in self.cases() if not other.hidden and other.args != case.args]
        return shape_mistake(got, expected, *case.args, kernel_name="kernel_shape", literal_sizes=(2, 3),
                             other_answers=visible_answers)
