"""Exercises of lesson 06 (padding and stride): the output-size formula, "same" padding, what a stride loses."""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np

from .answers import Count
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden


def _correct(n: int, k: int, p: int, s: int) -> int:
    return (n + 2 * p - k) // s + 1


#: Realistic wrong versions of the formula, most specific first, each with the message that explains it.
#: A learner whose function agrees with one of them on every case gets that message.
OUTPUT_SIZE_MISTAKES: Sequence[Tuple[str, Callable[[int, int, int, int], float], str]] = (
    ("no floor", lambda n, k, p, s: (n + 2 * p - k) / s + 1,
     "the result is not a whole number: the floor is missing. Windows start at 0, s, 2s, ...; a last step "
     "shorter than s gives no extra window, so round the number of steps down with // (floor division)."),
    ("rounded up", lambda n, k, p, s: math.ceil((n + 2 * p - k) / s) + 1,
     "the number of steps was rounded up. A window that would hang over the end of the padded input is not "
     "computed, so the steps are rounded down: (n + 2p - k) // s, then + 1."),
    ("missing +1", lambda n, k, p, s: (n + 2 * p - k) // s,
     "the + 1 is missing. (n + 2p - k) // s counts the steps the kernel can take after its first position; "
     "the first window (at position 0) is one more output."),
    ("padding once", lambda n, k, p, s: (n + p - k) // s + 1,
     "the padding is counted once, but p zeros are added on BOTH sides, so the padded length is n + 2p."),
    ("padding ignored", lambda n, k, p, s: (n - k) // s + 1,
     "the padding is missing from your formula: the kernel slides over the padded input, of length n + 2p."),
    ("stride ignored", lambda n, k, p, s: n + 2 * p - k + 1,
     "that is the size at stride 1: the stride is ignored. The windows start only every s positions, so "
     "divide the number of steps by s: (n + 2p - k) // s + 1."),
    ("stride-1 size divided", lambda n, k, p, s: (n + 2 * p - k + 1) // s,
     "you divided the stride-1 size n + 2p - k + 1 by s. That loses the window at position 0 whenever the "
     "division is not exact; divide the steps instead: (n + 2p - k) // s + 1."),
    ("one too many subtracted", lambda n, k, p, s: (n + 2 * p - k - 1) // s + 1,
     "one too many is subtracted. In the general formula (n + 2p - d(k - 1) - 1) // s + 1 the dilation d is "
     "1 here, so d(k - 1) + 1 = k and the numerator is n + 2p - k, not n + 2p - k - 1."),
    ("kernel size written as 3", lambda n, k, p, s: (n + 2 * p - 3) // s + 1,
     "that is the size for a kernel of length 3 whatever k is (the visible cases all have k = 3): use the "
     "argument k, (n + 2p - k) // s + 1."),
)


def _as_int_result(result: Any) -> Tuple[Optional[float], Optional[str]]:
    """The learner's result as a number, or a message saying why it is not one."""
    if result is None:
        return None, "your function returned None: did you forget `return`?"
    if isinstance(result, (bool, np.bool_)):
        return None, f"your function returned {result!r}; return the output size, a whole number."
    if isinstance(result, (tuple, list)) or (isinstance(result, np.ndarray) and result.ndim > 0):
        return None, (f"your function returned {result!r}; return one number, the output size along the "
                      f"axis of length n (the function is called once per axis).")
    if isinstance(result, np.ndarray):
        result = result.item()
    if hasattr(result, "item") and not isinstance(result, numbers.Number):  # a 0-d torch / JAX / MXNet array
        result = result.item()
    if not isinstance(result, numbers.Real):
        return None, f"your function returned {type(result).__name__} {result!r}; return a whole number."
    return float(result), None


@lesson_exercise("06_padding_and_stride", 1)
class OutputSizeProblem(CodingProblem):
    """``output_size(n, k, p, s)``: ``(n + 2p - k) // s + 1``, the output length along one axis.

    The visible cases all have k = 3; the hidden ones have k from 1 to 7 (one kernel as long as
    the input), strides 1 to 4 with and without an exact division, and padding 0 to 3.
    """

    argument_names = ("n", "k", "p", "s")
    function_name = "output_size"
    title = "the output size with padding and stride"
    hints = [
        "Pad first: the kernel slides over n + 2p positions. Then count the window positions, "
        "0, s, 2s, ..., that still leave room for all k taps.",
        "After the first window, the kernel can take (n + 2p - k) / s full steps, rounded down: a "
        "partial step does not give another window.",
        "return (n + 2 * p - k) // s + 1  (the + 1 is the first window; // is floor division).",
    ]
    solution_text = """
        def output_size(n, k, p, s):
            return (n + 2 * p - k) // s + 1
    """

    def cases(self) -> List[Case]:
        visible = [(8, 3, 1, 1), (8, 3, 1, 2), (7, 3, 0, 2), (8, 3, 0, 2)]
        hidden = [(28, 5, 2, 1), (224, 7, 3, 2), (32, 3, 1, 2), (6, 4, 1, 3), (10, 1, 0, 3), (5, 5, 0, 1),
                  (9, 2, 0, 3), (13, 3, 2, 4)]
        return visible_then_hidden(visible, hidden, lambda *args: "n = {}, k = {}, p = {}, s = {}".format(*args))

    def expected(self, case: Case) -> int:
        return _correct(*case.args)

    def compare(self, result: Any, expected: int, case: Case) -> Optional[str]:
        value, problem = _as_int_result(result)
        if problem:
            return problem
        if value == expected:
            return None
        if not float(value).is_integer():
            return f"your function returned {value:g}; " + OUTPUT_SIZE_MISTAKES[0][2]
        for _, formula, message in OUTPUT_SIZE_MISTAKES[1:]:
            if formula(*case.args) == value:  # right elsewhere, so only a guess: say it is one
                return (f"your function returned {value:g} instead of {expected}. On this case that is what a "
                        f"common slip gives: {message}")
        return (f"your function returned {value:g} but the output size is {expected}. Pad to n + 2p, count the "
                f"full steps of length s the kernel can take, round down, and add the first window.")

    diagnose_across_cases = True  # one case alone can be ambiguous; see diagnose_all

    def diagnose_all(self, cases: List[Case], results: List[Any]) -> Optional[str]:
        """The message of the known mistake the function agrees with on every case, if there is one.

        One case alone can be ambiguous (n + 2p - k + 1 = 7 may be a missing + 1 or a padding counted once),
        so the whole set of cases decides; the case named is the first where the mistake shows.
        """
        values = []
        for result in results:
            value, problem = _as_int_result(result)
            if problem:
                return None
            values.append(value)
        for _, formula, message in OUTPUT_SIZE_MISTAKES:
            mistaken = [formula(*case.args) for case in cases]
            if all(math.isclose(got, wrong) for got, wrong in zip(values, mistaken)):
                for case, got in zip(cases, values):
                    if not math.isclose(got, self.expected(case)):
                        where = f"{'a hidden case, ' if case.hidden else ''}{case.label}"
                        return (f"On {where}: your function returned {got:g} instead of {self.expected(case)}: "
                                f"{message}")
        return None


#: A 28x28 input and a 5x5 kernel at stride 1: the padding that keeps the size.
SAME_PADDING_28_5 = 2


@lesson_exercise("06_padding_and_stride", 2)
class SamePadding28Problem(ValueProblem):
    """The padding on each side that keeps a 28x28 input 28x28 under a 5x5 kernel at stride 1: 2."""

    def __init__(self):
        def size(p):
            return 28 + 2 * p - 5 + 1

        super().__init__(
            expected=SAME_PADDING_28_5,
            answer=Count("pixels", pair_of_equal=True),
            known_mistakes=[
                (4, f"that is the total k - 1 = 4 of both sides together. Padding p is added on each side, "
                    f"so p = 4 gives 28 + 2*4 - 5 + 1 = {size(4)}."),
                (5, f"p = k gives 28 + 2*5 - 5 + 1 = {size(5)}; the output keeps its size when "
                    f"2p = k - 1."),
                (2.5, "half the kernel size is not a whole number of rows. Solve 28 + 2p - 5 + 1 = 28 for p: "
                      "2p = k - 1."),
                (1, f"p = 1 keeps the size for a 3x3 kernel; with 5x5 it gives 28 + 2 - 5 + 1 = {size(1)}."),
                (3, f"one too many: 28 + 2*3 - 5 + 1 = {size(3)}."),
                (0, f"without padding the output shrinks to 28 - 5 + 1 = {size(0)}."),
            ],
            title="the padding that keeps 28x28 with a 5x5 kernel",
            hints=[
                "At stride 1 the output size is n + 2p - k + 1. Set it equal to n.",
                "n + 2p - 5 + 1 = n  means  2p = 4.",
            ],
            solution_text="""
                # n + 2p - k + 1 = n  =>  p = (k - 1) / 2 = (5 - 1) / 2
                answer = (5 - 1) // 2   # = 2 zeros on every side
                # Check: cu.conv_output_size(28, 5, padding=2) == 28, and same_padding(5) == 2
            """,
        )


@lesson_exercise("06_padding_and_stride", 3)
class StrideLosesInformationProblem(ThoughtProblem):
    """When a stride skips input pixels, and what that costs."""

    title = "what a stride can lose"
    hints = [
        "Use input_usage(8, 3, stride=2): which position has count 0? What happens to the output if "
        "you change that row of the image?",
        "Now try a kernel smaller than the stride, e.g. input_usage(8, 1, stride=2). And even when every "
        "pixel is read: how many numbers does the output hold, compared with the input?",
        "What could a network designer change: the input size, the padding, the kernel size, the number "
        "of channels, or what happens before the subsampling?",
    ]
    solution_text = """
        With a 3x3 kernel, stride 2 and no padding, an 8x8 input gives floor((8 - 3) / 2) + 1 = 3
        outputs per axis. The windows start at 0, 2 and 4 and end at 2, 4 and 6, so row 7 and
        column 7 are read by no window (ignored_input_size(8, 3, stride=2) == 1): whatever is
        there never reaches the output. This is what the floor drops: the last (n + 2p - k) mod s
        rows of the padded input. With padding some of those rows are padding, so the real rows
        lost are max(0, (n + 2p - k) mod s - p) (for p < k): with p = 1 the same 8x8 input loses
        none (ignored_input_size(8, 3, padding=1, stride=2) == 0 and input_usage(8, 3, padding=1,
        stride=2) has no zero, although 7 and 8 still share the output size 4). So a shared output
        size alone does not mean lost pixels. Without padding the floor loses at most s - 1 rows
        or columns per axis, all at the far end.

        Even when every pixel is read, a stride s keeps only about 1/s^2 of the output
        positions, so fine detail can be lost: a stride-2 layer is a stride-1 layer followed by
        keeping every other row and column. If the kernel is smaller than the stride (say 1x1
        with stride 2) whole rows and columns in the middle are never read: three quarters of
        the pixels. And shifting the input by one pixel no longer just shifts the output.

        Remedies: choose input sizes with n + 2p - k divisible by s (input_sizes_for_output gives
        the smallest size with no waste), pad so that the last pixels are covered, use kernels at
        least as large as the stride, add channels so that the smaller feature map can carry more
        numbers per position, or smooth (blur) before subsampling.
    """
