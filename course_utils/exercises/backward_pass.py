"""Exercises of lesson 13 (the backward pass and transposed convolution).

1. ``input_gradient(grad_Y, K)``: dL/dX of ``Y = corr2d(X, K)`` (stride 1, no padding), the full
   convolution of dL/dY with K; the visible case is the 2x2 example the learner first works by hand.
2. The output size of a transposed layer, a value.
3. Why a stride-2, 3x3 transposed convolution draws a checkerboard, a question to think about.

Kernels and gradients in the coding cases are asymmetric and have no zero entries, so that a kernel
that is not rotated, rotated only along one axis, or a result that is transposed or cropped can each
be recognised and explained.
"""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..backward import conv_transpose2d, conv_transpose_output_size
from ..ops import corr2d
from .answers import Count
from .diagnosis import real_array_or_mistake
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden

#: The lesson's hand example: dL/dY and K, both 2x2 (dL/dX is 3x3).
HAND_GRAD_Y = np.array([[1.0, 2.0], [3.0, -1.0]])
HAND_KERNEL = np.array([[2.0, -1.0], [1.0, 3.0]])


def _size_text(shape) -> str:
    return "x".join(str(n) for n in shape)


def _full(grad_Y: np.ndarray, K: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """grad_Y padded by K's size - 1 on every side, correlated with ``kernel`` (a variant of K)."""
    kh, kw = K.shape
    return corr2d(np.pad(grad_Y, ((kh - 1, kh - 1), (kw - 1, kw - 1))), kernel)


def _swapped_padding(grad_Y: np.ndarray, K: np.ndarray) -> Optional[np.ndarray]:
    """The gather with the kernel rotated but grad_Y padded by kw - 1 rows and kh - 1 columns (None: K no longer fits)."""
    kh, kw = K.shape
    padded = np.pad(grad_Y, ((kw - 1, kw - 1), (kh - 1, kh - 1)))
    if padded.shape[0] < kh or padded.shape[1] < kw:
        return None
    return corr2d(padded, K[::-1, ::-1])


@lesson_exercise("13_backward_and_transposed", 1)
class InputGradientProblem(CodingProblem):
    """``input_gradient(grad_Y, K)``: the gradient of a loss with respect to the input of ``corr2d(X, K)``.

    It is the full convolution of ``grad_Y`` with ``K``: pad ``grad_Y`` by ``kh - 1`` rows and
    ``kw - 1`` columns on each side and cross-correlate with ``K`` rotated by 180 degrees. Visible: the
    lesson's 2x2 example and a 3x4 gradient with a 2x3 kernel. Hidden: 1x1, 3x1, 1x3 and 4x3 kernels,
    non-square gradients, one output pixel, whole numbers (float64: the statement says nothing about
    dtypes).
    """

    argument_names = ("grad_Y", "K")
    function_name = "input_gradient"
    title = "the gradient with respect to the input"
    hints = [
        "X has (oh + kh - 1) rows and (ow + kw - 1) columns when grad_Y is (oh, ow): every input "
        "pixel gets a gradient, so the result is larger than grad_Y.",
        "Scatter view: output (i, j) read X[i + a, j + b] with weight K[a, b], so it sends "
        "grad_Y[i, j] * K[a, b] back to X[i + a, j + b]. Add K scaled by grad_Y[i, j] into the "
        "window at (i, j), for every (i, j).",
        "Gather view, in one line: pad grad_Y by kh - 1 rows and kw - 1 columns on every side "
        "(np.pad) and cross-correlate with the kernel rotated by 180 degrees, K[::-1, ::-1].",
    ]
    solution_text = """
        def input_gradient(grad_Y, K):
            kh, kw = K.shape
            padded = np.pad(grad_Y, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
            return cu.corr2d(padded, K[::-1, ::-1])   # the full convolution of grad_Y with K
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(1313)

        def nonzero(shape):  # no zero entry: a wrong tap always shows
            values = rng.standard_normal(shape)
            return values + np.sign(values) * 0.5

        visible = [
            (HAND_GRAD_Y, HAND_KERNEL),
            (nonzero((3, 4)), np.array([[1.0, -2.0, 0.5], [3.0, 1.5, -1.0]])),
        ]
        hidden = [
            (nonzero((4, 3)), np.array([[2.5]])),                       # 1x1: X is grad_Y times the tap
            (nonzero((2, 5)), np.array([[1.0], [-2.0], [4.0]])),        # a tall kernel
            (nonzero((5, 2)), np.array([[3.0, -1.0, 0.5]])),            # a wide kernel
            (nonzero((3, 3)), nonzero((4, 3))),                          # a larger kernel
            (np.array([[-1.5]]), nonzero((2, 3))),                       # one output pixel: X gets K * grad_Y
            (rng.integers(1, 5, size=(3, 2)).astype(float), np.array([[1.0, -2.0], [3.0, 4.0]])),
        ]
        return visible_then_hidden(visible, hidden, lambda grad_Y, K: (
            f"grad_Y {_size_text(grad_Y.shape)}, K {_size_text(K.shape)}"))

    def expected(self, case: Case) -> np.ndarray:
        grad_Y, K = case.args
        return conv_transpose2d(grad_Y, K)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        got, problem = real_array_or_mistake(result, expected.shape, return_line="return")
        if problem:
            return problem
        grad_Y, K = case.args
        (oh, ow), (kh, kw) = grad_Y.shape, K.shape
        right_size = (f"X has (oh + kh - 1) x (ow + kw - 1) = {_size_text(expected.shape)} pixels, and each gets "
                      f"a gradient")

        def same(candidate: Optional[np.ndarray]) -> bool:
            return (candidate is not None and got.shape == candidate.shape
                    and bool(np.allclose(got, candidate, rtol=1e-6, atol=1e-9)))

        if same(expected):
            return None
        if got.ndim != 2:
            return f"your function returned an array of shape {got.shape}; return a 2-D array with X's shape."
        if got.shape == grad_Y.shape and (kh, kw) != (1, 1):
            return (f"your result has the shape of grad_Y, {grad_Y.shape}: that is a 'same' correlation. "
                    f"{right_size}: pad grad_Y by kh - 1 rows and kw - 1 columns on each side.")
        if got.shape == (max(oh - kh + 1, 0), max(ow - kw + 1, 0)) or got.shape == (oh - kh + 1, ow - kw + 1):
            return (f"your result is {_size_text(got.shape)}, a 'valid' correlation that shrinks grad_Y. "
                    f"{right_size}: pad grad_Y by kh - 1 rows and kw - 1 columns on each side first.")
        if same(_full(grad_Y, K, K)):
            return ("your kernel is not rotated: that correlates the padded grad_Y with K itself. Output (i, j) "
                    "sent grad_Y[i, j] * K[a, b] to X[i + a, j + b], so gathering at X[m, n] meets K[m - i, n - j]: "
                    "the kernel runs backwards. Use K[::-1, ::-1].")
        if kh > 1 and same(_full(grad_Y, K, K[::-1, :])):
            return "you flipped the kernel's rows only: rotate it by 180 degrees, K[::-1, ::-1], rows and columns."
        if kw > 1 and same(_full(grad_Y, K, K[:, ::-1])):
            return "you flipped the kernel's columns only: rotate it by 180 degrees, K[::-1, ::-1], rows and columns."
        if kh == kw and kh > 1 and same(_full(grad_Y, K, K.T[::-1, ::-1])):
            return "your kernel is transposed as well as rotated: rotate it by 180 degrees only, K[::-1, ::-1]."
        if kh != kw and same(_swapped_padding(grad_Y, K)):
            return (f"your result is {_size_text(got.shape)}: the padding of rows and columns is swapped. Pad the "
                    f"rows by kh - 1 = {kh - 1} and the columns by kw - 1 = {kw - 1}; {right_size}.")
        if got.shape == expected.shape[::-1] and got.shape != expected.shape:
            return f"your result is {_size_text(got.shape)}: rows and columns are swapped; {right_size}."
        if got.shape == expected.shape and expected.shape[0] == expected.shape[1] and same(expected.T):
            return "your result is the right one transposed: row m of X belongs in row m of the gradient."
        if got.shape != expected.shape:
            return f"your result is {_size_text(got.shape)}, but {right_size}."
        if same(-expected):
            return "the sign is flipped: the gradient adds +grad_Y[i, j] * K[a, b], with no minus sign."
        row, col = (int(i) for i in np.argwhere(~np.isclose(got, expected, rtol=1e-6, atol=1e-9))[0])
        return (f"entry [{row}, {col}] is {got[row, col]:.6g} but should be {expected[row, col]:.6g}: the sum of "
                f"grad_Y[i, j] * K[{row} - i, {col} - j] over the outputs (i, j) whose window covers it.")


#: nn.ConvTranspose2d(kernel_size=5, stride=3, padding=2, output_padding=1) on a 5x5 input.
TRANSPOSED_SIZE = conv_transpose_output_size(5, 5, stride=3, padding=2, output_padding=1)


@lesson_exercise("13_backward_and_transposed", 2)
class TransposedSizeProblem(ValueProblem):
    """The output size of ``ConvTranspose2d(kernel_size=5, stride=3, padding=2, output_padding=1)`` on 5x5: 14."""

    expected = TRANSPOSED_SIZE
    answer = Count("pixels", pair_of_equal=True)
    known_mistakes = [
        (13, "output_padding is missing: it adds 1 row at the bottom (and 1 column at the right) of "
             "(n - 1) s - 2p + k."),
        (18, "the padding was not subtracted. In a transposed layer padding REMOVES p rows on each side "
             "of the full result: -2p, not +2p."),
        (22, "the padding was added (+2p) instead of removed: in a transposed layer padding takes p rows "
             "off each side of the full result."),
        (16, "the padding was subtracted once (p), but it removes p rows on each side: 2p."),
        (15, "that is n * s = 5 * 3, the rule of thumb for upsampling. The exact size is "
             "(n - 1) s - 2p + d (k - 1) + output_padding + 1."),
        (2, "that is the size of an ordinary convolution with these settings: floor((5 + 4 - 5) / 3) + 1. "
            "A transposed layer goes the other way and makes the input larger."),
        (17, "that uses n s where the formula has (n - 1) s: the first input pixel lands at row 0, so "
             "n pixels s apart span (n - 1) s + 1 rows before the kernel widens them."),
    ]
    title = "the output size of a transposed layer"
    hints = [
        "Scatter view: input pixel i lands at row s * i of the full result, and the kernel adds k - 1 "
        "more rows after the last one.",
        "The full result has (n - 1) s + k rows; padding p then removes p rows at the top AND p at the "
        "bottom, and output_padding adds rows at the bottom.",
        "o = (n - 1) s - 2p + d (k - 1) + output_padding + 1 with n = 5, k = 5, s = 3, p = 2, d = 1 and "
        "output_padding = 1.",
    ]
    solution_text = """
        answer = (5 - 1) * 3 - 2 * 2 + 1 * (5 - 1) + 1 + 1   # = 14
        # Check: cu.backward.conv_transpose_output_size(5, 5, stride=3, padding=2, output_padding=1) == 14,
        # and a convolution with kernel 5, stride 3, padding 2 maps 14 (and 13, 15) back to 5.
    """


@lesson_exercise("13_backward_and_transposed", 3)
class CheckerboardProblem(ThoughtProblem):
    """Why a stride-2, 3x3 transposed convolution makes a checkerboard, and two fixes."""

    title = "the checkerboard of a stride-2, 3x3 transposed convolution"
    hints = [
        "Along one axis, input pixel i puts its 3 taps at rows 2i, 2i + 1 and 2i + 2. Which rows are "
        "reached from two neighbouring input pixels, and which from one?",
        "Count the taps per output row: they alternate. In 2-D the counts multiply: which values appear?",
        "What changes when the kernel has 4 taps and the stride is 2? And when you upsample first and "
        "then run an ordinary stride-1 convolution?",
    ]
    solution_text = """
        With stride 2 each input pixel writes its 3 taps at output rows 2i, 2i + 1, 2i + 2, and the next
        pixel starts 2 rows later. Rows 2i + 2 are written by two neighbouring pixels (the last tap of
        one and the first of the next), rows 2i + 1 by one: the number of taps alternates 2, 1, 2, 1.
        Columns do the same, and in 2-D the counts multiply, so output pixels receive 4, 2 or 1 taps in
        a regular pattern: even rows and even columns 4, odd ones 1. Even for a constant input, each
        pixel is a sum of a different number of kernel weights, so the output is a checkerboard
        unless the network learns weights that exactly compensate (it rarely does).
        Fixes: (1) use a kernel size divisible by the stride (4 with stride 2): every output pixel
        then gets the same number of taps, though the four phases still use different weights, so
        the pattern can come back if those sums differ; (2) resize then convolve: nearest or
        bilinear upsampling followed by an ordinary stride-1 convolution, where every output pixel
        is computed with all kh * kw weights, which removes the pattern for a constant input.
    """
