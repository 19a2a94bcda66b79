"""Exercises of lesson 01 (convolution maths): a 1-D full convolution, the flip, and why CNNs skip it."""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from .answers import Real
from .diagnosis import dtype_mistake, real_array_or_mistake
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden


@lesson_exercise("01_convolution_maths", 1)
class Convolve1dProblem(CodingProblem):
    """``convolve1d(x, w)``: the 'full' discrete convolution, equal to ``np.convolve(x, w)``.

    Hidden cases: a one-tap kernel first (so a kernel length written as 3 gives a wrong length,
    not an IndexError), kernels as long as and longer than the signal, and integer-valued data.
    The statement says nothing about dtypes: inputs are float64, the output's values are compared.
    """

    argument_names = ("x", "w")
    function_name = "convolve1d"
    title = "full 1-D convolution from its definition"
    hints = [
        "The full result has len(x) + len(w) - 1 entries: one for every shift at which x and w "
        "overlap in at least one place. Start from np.zeros(len(x) + len(w) - 1).",
        "Every pair (i, k) contributes x[i] * w[k] to the output at index n = i + k, because "
        "(x * w)[n] = sum over k of x[n - k] w[k].",
        "Two nested loops are enough: for i in range(len(x)): for k in range(len(w)): "
        "y[i + k] += x[i] * w[k]. The index i + k is what flips w.",
    ]
    solution_text = """
        def convolve1d(x, w):
            y = np.zeros(len(x) + len(w) - 1)
            for i in range(len(x)):
                for k in range(len(w)):
                    y[i + k] += x[i] * w[k]
            return y
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(101)
        visible = [
            (np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5])),
            (rng.standard_normal(8), rng.standard_normal(3)),
        ]
        hidden = [
            (rng.standard_normal(5), np.array([2.0])),  # a one-tap kernel just scales
            (rng.standard_normal(4), rng.standard_normal(4)),  # kernel as long as the signal
            (rng.standard_normal(3), rng.standard_normal(6)),  # kernel longer than the signal
            (rng.integers(-4, 5, size=11).astype(float), np.array([1.0, -2.0, 0.0, 3.0])),
        ]
        return visible_then_hidden(visible, hidden, lambda x, w: f"len(x) = {len(x)}, len(w) = {len(w)}")

    def expected(self, case: Case) -> np.ndarray:
        x, w = case.args
        return np.convolve(x, w)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        got, problem = real_array_or_mistake(result, expected.shape, return_line="return y")
        if problem:
            return problem
        if got.ndim != 1:
            return f"your function returned an array of shape {got.shape}; return a 1-D array."
        x, w = case.args
        n_full = len(x) + len(w) - 1
        if len(got) != n_full:
            if len(got) == len(x) - len(w) + 1:
                return (f"your output has {len(got)} entries, len(x) - len(w) + 1: that is the 'valid' part only. "
                        f"The full convolution also keeps the shifts where w hangs over an end of x, "
                        f"giving len(x) + len(w) - 1 = {n_full} entries.")
            if len(got) == len(x):
                return (f"your output has {len(got)} entries, as many as x ('same' size). The full convolution "
                        f"has len(x) + len(w) - 1 = {n_full}.")
            if len(got) == len(x) + 2 and len(w) != 3:
                return (f"your output has len(x) + 2 = {len(got)} entries, the length for a kernel of 3 taps, but "
                        f"this w has {len(w)}: take the length from w, len(x) + len(w) - 1 = {n_full}.")
            if len(got) == n_full - 1:
                return (f"your output has {len(got)} entries, one too few: the last overlap, x[-1] with w[-1], "
                        f"lands at index len(x) + len(w) - 2, so there are len(x) + len(w) - 1 = {n_full}.")
            return f"your output has {len(got)} entries but should have len(x) + len(w) - 1 = {n_full}."
        if np.allclose(got, expected):
            return None
        result_dtype = np.asarray(result).dtype
        if result_dtype.kind in "iu" and not np.allclose(expected, np.round(expected)):
            return dtype_mistake(result_dtype, np.result_type(x, w), source="x[i] * w[k]",
                                 fix="start from np.zeros(len(x) + len(w) - 1), which is float")
        if np.allclose(got, np.correlate(x, w, mode="full")) or np.allclose(got, np.convolve(x, w[::-1])):
            return ("your result is the cross-correlation: w is not flipped. In a convolution x[i] meets w[k] "
                    "at output index i + k, so w runs backwards under x.")
        if np.allclose(got, expected[::-1]):
            return "your output is reversed: index n of the result should collect the pairs with i + k = n."
        if len(x) > 1 and np.allclose(got, np.append(np.convolve(x[:-1], w), 0.0)):
            return "x[-1] is never added: the loop over i must run over range(len(x)), up to the last sample."
        if len(w) > 1 and np.allclose(got, np.append(np.convolve(x, w[:-1]), 0.0)):
            return "w[-1] is never used: the loop over k must run over range(len(w)), up to the last tap."
        i = int(np.argwhere(~np.isclose(got, expected))[0, 0])
        return (f"the value at index {i} is {got[i]:.6g} but should be {expected[i]:.6g}. "
                f"Check that every pair x[i] * w[k] is added at index i + k.")


#: The 3x3 input [[0, 1, 2], [3, 4, 5], [6, 7, 8]] and the 2x2 kernel [[0, 1], [2, 3]] of the lesson.
TRUE_CONVOLUTION_TOP_LEFT = 5
CROSS_CORRELATION_TOP_LEFT = 19


@lesson_exercise("01_convolution_maths", 2)
class TopLeftConvolutionProblem(ValueProblem):
    """The top-left value of the true convolution of the lesson's 3x3 input and 2x2 kernel: 5."""

    expected = TRUE_CONVOLUTION_TOP_LEFT
    answer = Real(abs_tol=1e-9)
    known_mistakes = [
        (CROSS_CORRELATION_TOP_LEFT,
         "that is the cross-correlation, with the kernel as written. A convolution first flips the "
         "kernel (rotates it by 180 degrees), then slides it."),
        (7, "that kernel was flipped upside down only. Flip it along both axes (a 180-degree rotation)."),
        (17, "that kernel was flipped left-right only (or transposed). Flip it along both axes "
             "(a 180-degree rotation)."),
        (43, "that is the bottom-right value of the cross-correlation; the question asks for the top-left "
             "value of the convolution."),
    ]
    title = "the top-left value of the true convolution"
    hints = [
        "Convolution = cross-correlation with the kernel rotated by 180 degrees: np.rot90(K, 2).",
        "Rotated, K = [[0, 1], [2, 3]] becomes [[3, 2], [1, 0]]. Lay it on the top-left 2x2 window "
        "[[0, 1], [3, 4]] of X.",
        "Multiply matching cells and add: 0*3 + 1*2 + 3*1 + 4*0.",
    ]
    solution_text = """
        # Rotate K by 180 degrees, then take the top-left window of X:
        answer = 0 * 3 + 1 * 2 + 3 * 1 + 4 * 0   # = 5
        # Check: cu.convolve2d(X, K)[0, 0] == 5
    """


@lesson_exercise("01_convolution_maths", 3)
class WhyCrossCorrelationProblem(ThoughtProblem):
    """Why a CNN may compute cross-correlations and lose nothing."""

    title = "why CNNs may use cross-correlation"
    hints = [
        "Where do the kernel values of a CNN come from? Who chooses them?",
        "If the best kernel for a task is K, which kernel would a cross-correlation layer need to "
        "compute the same outputs as a convolution layer with K?",
    ]
    solution_text = """
        A CNN's kernels are not given: they are learned from data, starting from random values.
        Convolving with K is exactly cross-correlating with the rotated kernel rot180(K), and the
        rotation is a fixed, one-to-one rearrangement of the same weights. So whatever a convolution
        layer can represent, a cross-correlation layer represents too, with its weights stored in
        the other order; gradient descent simply learns the rotated kernel. Nothing is gained by
        flipping, and skipping the flip saves an index reversal, so libraries compute the
        cross-correlation and keep the traditional name "convolution". The flip only matters when
        you load a kernel designed by hand (or taken from a signal-processing text) into a layer,
        or when you need the mathematical properties of true convolution such as associativity.
    """
