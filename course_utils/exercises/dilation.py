"""Exercises of lesson 07 (dilation): the dense kernel with holes, the effective size, gridding.

Kernels in the coding cases are asymmetric and have no zero taps, so that a
transposed or flipped result, holes in the wrong place or a kernel returned
unchanged can each be recognised and explained.
"""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..dilation import dilate_kernel
from ..geometry import dilated_span
from .answers import Count
from .diagnosis import dtype_mistake, real_array_or_mistake
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden


def _spread(kernel: np.ndarray, step: int, shape) -> np.ndarray:
    """``kernel``'s taps ``step`` apart, starting at the top-left, in a zero array of ``shape``."""
    out = np.zeros(shape)
    out[: step * (kernel.shape[0] - 1) + 1 : step, : step * (kernel.shape[1] - 1) + 1 : step] = kernel
    return out


def _count(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


def _rows_and_columns(number: int) -> str:
    return f"{number} extra row and column" if number == 1 else f"{number} extra rows and columns"


def _size_text(shape) -> str:
    return "x".join(str(n) for n in shape)


@lesson_exercise("07_dilation", 1)
class DilateKernelProblem(CodingProblem):
    """``dilate_by_hand(kernel, d)``: the dense kernel with the taps ``d`` apart and zeros in the holes.

    Hidden cases: d = 1 (the kernel itself), a 1x1 kernel, 4x2, 2x3 and 1x4 kernels and a 4x3
    kernel with d = 4; float64, as the statement says nothing about dtypes.
    """

    argument_names = ("kernel", "d")
    function_name = "dilate_by_hand"
    title = "the dense kernel of a dilated kernel"
    hints = [
        "With dilation d, neighbouring taps are d cells apart, so there are d - 1 zeros between them "
        "and none around the outside. A (kh, kw) kernel becomes "
        "(d * (kh - 1) + 1, d * (kw - 1) + 1).",
        "Tap kernel[a, b] goes to position (d * a, d * b) of the new kernel; every other cell is 0. "
        "Start from np.zeros(..., dtype=kernel.dtype).",
        "Slicing with a step does it in one line: dense[::d, ::d] = kernel.",
    ]
    solution_text = """
        def dilate_by_hand(kernel, d):
            kh, kw = kernel.shape
            dense = np.zeros((d * (kh - 1) + 1, d * (kw - 1) + 1), dtype=kernel.dtype)
            dense[::d, ::d] = kernel   # tap (a, b) lands at (d*a, d*b)
            return dense
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(707)
        visible = [
            (np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0], [7.0, -8.0, 9.0]]), 2),
            (np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), 3),
        ]
        hidden = [
            (rng.standard_normal((3, 3)) + 0.5, 1),  # dilation 1: the kernel itself
            (np.array([[2.5]]), 4),  # a single tap has no holes
            (rng.standard_normal((4, 2)) + 3.0, 2),  # taller than wide
            (np.array([[3.0, -1.0, 4.0], [-1.5, 5.0, -9.0]]), 2),  # wider than tall
            (rng.standard_normal((4, 3)) - 3.0, 4),  # larger than the visible kernels
            (np.array([[1.5, -0.5, 2.25, 4.0]]), 3),  # one row
        ]
        return visible_then_hidden(visible, hidden, lambda kernel, d: (
            f"a {_size_text(kernel.shape)} kernel with d = {d}"))

    def expected(self, case: Case) -> np.ndarray:
        kernel, d = case.args
        return dilate_kernel(kernel, d)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        got, problem = real_array_or_mistake(result, expected.shape, return_line="return dense")
        if problem:
            return problem
        if got.ndim != 2:
            return f"your function returned an array of shape {got.shape}; return a 2-D array (rows, columns)."
        kernel, d = case.args
        (kh, kw), shape = kernel.shape, expected.shape

        def same(candidate: np.ndarray) -> bool:
            return got.shape == candidate.shape and bool(np.allclose(got, candidate))

        if same(expected):
            return None
        right_size = (f"a {_size_text(kernel.shape)} kernel with d = {d} becomes "
                      f"(d (kh - 1) + 1) x (d (kw - 1) + 1) = {_size_text(shape)}")
        if d > 1 and same(kernel):
            return f"your function returned the kernel unchanged: d was not used, but {right_size}."
        if same(_spread(kernel, d + 1, (kh + (kh - 1) * d, kw + (kw - 1) * d))):
            return (f"you put d zeros between neighbouring taps; with dilation d the taps are d apart, so each "
                    f"gap holds only d - 1 = {_count(d - 1, 'zero')}: {right_size}.")
        if same(np.pad(expected, d - 1)):
            return (f"your kernel has zeros around the outside ({_rows_and_columns(d - 1)} on every side). "
                    f"The holes go only between taps; the first and last taps sit on the border: {right_size}.")
        if same(_spread(kernel, d, (kh * d, kw * d))):
            return (f"your kernel is {_size_text(got.shape)}, k * d per axis: it has {_rows_and_columns(d - 1)} "
                    f"of zeros after the last tap. Nothing follows the last tap: {right_size}.")
        if same(np.pad(expected, ((d - 1, 0), (d - 1, 0)))):
            return (f"your kernel is {_size_text(got.shape)}, k * d per axis: it has {_rows_and_columns(d - 1)} "
                    f"of zeros before the first tap. The first tap sits at [0, 0]: {right_size}.")
        if same(expected.T):
            return ("your kernel is transposed: tap kernel[a, b] belongs at row d * a, column d * b "
                    "(rows first), not at row d * b, column d * a.")
        if kernel.size > 1 and same(dilate_kernel(kernel[::-1, ::-1], d)):
            return ("your taps are in reverse order, the kernel flipped: tap kernel[a, b] belongs at row d * a, "
                    "column d * b, so kernel[0, 0] stays at the top-left.")
        if got.shape == (2 * d + 1, 2 * d + 1) and kernel.shape != (3, 3):
            return (f"your kernel is {_size_text(got.shape)}, the size for a 3x3 kernel, but this kernel is "
                    f"{_size_text(kernel.shape)}: take kh, kw from kernel.shape; {right_size}.")
        if got.shape != shape:
            if got.shape == shape[::-1]:
                return f"your kernel is {_size_text(got.shape)}: rows and columns are swapped; {right_size}."
            return f"your kernel is {_size_text(got.shape)} but {right_size}."
        if np.allclose(got[::d, ::d], kernel):
            row, col = (int(i) for i in np.argwhere(~np.isclose(got, expected))[0])
            return (f"the taps are in the right places, but the hole at [{row}, {col}] holds {got[row, col]:.6g} "
                    f"instead of 0. Start from np.zeros, not np.empty or np.ones.")
        result_dtype = np.asarray(result).dtype
        if result_dtype.kind in "iu" and kernel.dtype.kind == "f":
            return dtype_mistake(result_dtype, kernel.dtype, source="the kernel", fix="create it with dtype=kernel.dtype")
        row, col = (int(i) for i in np.argwhere(~np.isclose(got, expected))[0])
        return (f"the value at [{row}, {col}] is {got[row, col]:.6g} but should be {expected[row, col]:.6g}. "
                f"Tap kernel[a, b] goes to [d * a, d * b] and every other cell is 0.")


#: A 5x5 kernel with dilation 3 spans 5 + (5 - 1)(3 - 1) = 13 pixels per axis.
EFFECTIVE_SIZE_5x5_D3 = dilated_span(5, 3)


@lesson_exercise("07_dilation", 2)
class EffectiveSizeProblem(ValueProblem):
    """The effective size of a 5x5 kernel with dilation 3: 13."""

    expected = EFFECTIVE_SIZE_5x5_D3
    answer = Count("pixels", pair_of_equal=True)
    known_mistakes = [
        (15, "that is k * d = 5 * 3, as if every tap owned a d x d block. The last tap has no holes "
             "after it: only the k - 1 gaps between taps are widened."),
        (11, "that is a 3x3 kernel with dilation 5 (3 + 2 * 4): the kernel size and the dilation are "
             "swapped. Here k = 5 and d = 3."),
        (17, "that counts d zeros in every gap (5 + 4 * 3). Taps are d apart, so each of the k - 1 gaps "
             "holds d - 1 zeros."),
        (12, "that is d (k - 1) = 12, the distance from the first tap to the last. Count the pixels "
             "they span: add 1."),
        (169, "that is the number of cells, 13 x 13. The question asks for the size along one axis."),
        (25, "that is the number of parameters (5 x 5), which dilation does not change. The question "
             "asks how many pixels the kernel spans along one axis."),
    ]
    title = "the effective size of a dilated 5x5 kernel"
    hints = [
        "Along one axis a 5x5 kernel has 5 taps and 4 gaps between them.",
        "With dilation 3 each gap holds 3 - 1 = 2 zeros.",
        "Effective size = k + (k - 1)(d - 1): 5 taps plus 4 gaps of 2 zeros each.",
    ]
    solution_text = """
        answer = 5 + (5 - 1) * (3 - 1)   # = 13: 5 taps and 4 gaps of 2 holes
        # Check: effective_kernel_size(5, 3) == 13 == dilate_kernel(np.ones((5, 5)), 3).shape[0]
    """


@lesson_exercise("07_dilation", 3)
class GriddingProblem(ThoughtProblem):
    """Why repeating the same dilation leaves holes, and how to choose dilations instead."""

    title = "the gridding artefact"
    hints = [
        "Write the offsets, in input pixels, that one layer with dilation 2 can reach: 0, 2, 4. "
        "Which offsets can a stack of three such layers reach?",
        "Are any of those offsets odd? What does that mean for two neighbouring output pixels?",
        "Compare with the stack d = 1, 2, 4: which offsets can a + 2b + 4c reach, with a, b, c in {0, 1, 2}?",
    ]
    solution_text = """
        Each 3x3 layer with dilation 2 moves by 0, 2 or 4 pixels along an axis, so any sum over
        three layers is even: the field of view is 13x13, but only the pixels whose row AND column
        offsets are even are ever read, 49 of the 169, about one in four. The rest are holes no
        layer can see, so detail one pixel wide (a thin line, a texture, an alternating pattern)
        is skipped or aliased. Worse, an output pixel and its right-hand neighbour read disjoint
        sets of inputs: the network splits into four separate sub-grids that never mix, which
        shows up as a checkerboard-like grid in the feature maps.
        The cure is to choose dilations that fill each other's holes: start with d = 1 and let the
        dilations have no common factor greater than 1 (for example 1, 2, 4 or 1, 2, 3, as in
        "hybrid dilated convolution"). With 1, 2, 4 the offsets a + 2b + 4c cover every
        integer from 0 to 14, so the 15x15 field of view is seen without holes.
    """
