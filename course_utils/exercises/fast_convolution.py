"""Exercises of lesson 12 (fast convolution): im2col by hand, counting a layer's work, arithmetic intensity."""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..fast_correlation import im2col
from ..layer_cost import conv_multiply_adds
from .answers import Count
from .diagnosis import real_array_or_mistake
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden


def _column_major_taps(X: np.ndarray, k: int) -> np.ndarray:
    """im2col with the rows in (b, a) order: tap (a, b) in row b * k + a."""
    cols = im2col(X, k)
    oh_ow = cols.shape[1]
    return cols.reshape(k, k, oh_ow).transpose(1, 0, 2).reshape(k * k, oh_ow)


def _column_major_positions(X: np.ndarray, k: int) -> np.ndarray:
    """im2col with the output positions in column-major order: (i, j) in column j * oh + i."""
    oh, ow = X.shape[0] - k + 1, X.shape[1] - k + 1
    return im2col(X, k).reshape(k * k, oh, ow).transpose(0, 2, 1).reshape(k * k, oh * ow)


@lesson_exercise("12_fast_convolution", 1)
class Im2colProblem(CodingProblem):
    """``im2col(X, k)``: (H, W) input, k x k kernel, no padding, stride 1 -> (k*k, oh*ow) matrix.

    The statement fixes a square kernel, so the cases vary k (1 to 4, one kernel covering X) and
    the input: non-square X of shapes (6, 4), (5, 7), (7, 9) and a square 4x4; float64, as the
    statement says nothing about dtypes.
    """

    argument_names = ("X", "k")
    function_name = "im2col"
    title = "im2col by hand"
    hints = [
        "The matrix has one ROW per kernel tap (k * k of them) and one COLUMN per output position "
        "(oh * ow of them, with oh = H - k + 1 and ow = W - k + 1). Row a * k + b holds, for every "
        "output position, the input value under tap (a, b).",
        "The input under tap (a, b) for all output positions at once is the shifted slice "
        "X[a:a + oh, b:b + ow]; flattened with .ravel() it lists the positions row by row.",
        "Fill rows in the order a = 0..k-1, then b = 0..k-1: "
        "cols[a * k + b] = X[a:a + oh, b:b + ow].ravel().",
    ]
    solution_text = """
        def im2col(X, k):
            oh, ow = X.shape[0] - k + 1, X.shape[1] - k + 1
            cols = np.empty((k * k, oh * ow))
            for a in range(k):
                for b in range(k):
                    cols[a * k + b] = X[a:a + oh, b:b + ow].ravel()
            return cols
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(1212)
        visible = [
            (np.arange(9.0).reshape(3, 3), 2, "X = [[0, 1, 2], [3, 4, 5], [6, 7, 8]], k = 2"),
            (np.arange(20.0).reshape(4, 5), 3, "X of shape (4, 5), k = 3"),
        ]
        hidden = [
            (rng.integers(-5, 6, size=(6, 4)).astype(float), 2, "X of shape (6, 4), k = 2"),
            (rng.standard_normal((5, 7)), 1, "X of shape (5, 7), k = 1: every pixel is its own window"),
            (rng.standard_normal((4, 4)), 4, "X of shape (4, 4), k = 4: a single window"),
            (rng.integers(0, 10, size=(7, 9)).astype(float), 3, "X of shape (7, 9), k = 3"),
        ]
        return visible_then_hidden(visible, hidden)

    def expected(self, case: Case) -> np.ndarray:
        X, k = case.args
        return im2col(X, k)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        X, k = case.args
        oh, ow = X.shape[0] - k + 1, X.shape[1] - k + 1
        got, problem = real_array_or_mistake(result, expected.shape, return_line="return cols")
        if problem:
            return problem
        if got.shape != expected.shape:
            if got.shape == expected.shape[::-1] and expected.shape[0] != expected.shape[1]:
                return (f"your matrix has shape {got.shape}: rows and columns are swapped. im2col has one ROW "
                        f"per kernel tap (k * k = {k * k}) and one COLUMN per output position "
                        f"(oh * ow = {oh * ow}), so that W.reshape(C_out, -1) @ cols works.")
            if got.shape in {(oh, ow, k, k), (k, k, oh, ow), (oh * ow, k, k), (k, k, oh * ow)}:
                return (f"your result has shape {got.shape}: the right numbers, but not yet a matrix. "
                        f"Reshape it to 2-D, shape ({k * k}, {oh * ow}).")
            if got.ndim == 2 and got.shape[0] == k * k and got.shape[1] == (oh - 1) * (ow - 1):
                return (f"your matrix has {got.shape[1]} columns, (H - k) * (W - k): one output position "
                        f"short along each axis. A window can start at rows 0 to H - k INCLUSIVE, so "
                        f"oh = H - k + 1 = {oh} and ow = W - k + 1 = {ow}.")
            return f"your matrix has shape {got.shape} but should have shape ({k * k}, {oh * ow})."
        if np.allclose(got, expected):
            return None
        if k > 1 and np.allclose(got, _column_major_taps(X, k)):
            return ("the right windows, but the taps are in the wrong order: row a * k + b must hold tap (a, b) "
                    "(row-major, like K.ravel()), so that it meets weight K[a, b] in the matrix product. "
                    "Loop over a (rows of the kernel) on the outside.")
        if oh > 1 and ow > 1 and np.allclose(got, _column_major_positions(X, k)):
            return ("the right windows, but the output positions are in column-major order. Column i * ow + j "
                    "must be output (i, j), so that the product reshapes to (oh, ow) with .reshape(oh, ow): "
                    "flatten each shifted slice with .ravel(), not .T.ravel() or order='F'.")
        wrong_taps = ~np.all(np.isclose(got, expected), axis=1).reshape(k, k)  # [a, b]: tap (a, b)'s row is wrong
        if k > 1 and wrong_taps[-1].all() and not wrong_taps[:-1].any():
            return (f"the rows of the kernel's last row of taps (a = k - 1 = {k - 1}, rows {(k - 1) * k} to "
                    f"{k * k - 1}) are wrong: does your loop over a stop one early? It runs over range(k).")
        if k > 1 and wrong_taps[:, -1].all() and not wrong_taps[:, :-1].any():
            return (f"the rows of the kernel's last column of taps (b = k - 1 = {k - 1}) are wrong: does your "
                    f"loop over b stop one early? It runs over range(k).")
        row = int(np.argwhere(wrong_taps.ravel())[0, 0])
        a, b = divmod(row, k)
        return (f"row {row} (kernel tap a = {a}, b = {b}) is wrong: it should be X[{a}:{a} + oh, {b}:{b} + ow]"
                f".ravel() = {np.array2string(expected[row], precision=3)}, got "
                f"{np.array2string(got[row], precision=3)}.")


#: The benchmark's multi-channel case: batch 8, 64 -> 64 channels, 56x56 input, 3x3 kernel, no padding.
WORK_LAYER = {"batch": 8, "in_channels": 64, "out_channels": 64, "size": 56, "kernel": 3}


@lesson_exercise("12_fast_convolution", 2)
class LayerWorkProblem(ValueProblem):
    """Multiply-adds of the benchmark's layer (8 images, 64 -> 64, 56x56, 3x3, no padding): 859,963,392."""

    def __init__(self):
        n, c_in, c_out, size, k = (WORK_LAYER[key] for key in ("batch", "in_channels", "out_channels", "size",
                                                                "kernel"))
        per_image = conv_multiply_adds(size, c_in, c_out, k)
        out = size - k + 1
        super().__init__(
            expected=n * per_image,
            answer=Count("multiply-adds"),
            known_mistakes=[
                (2 * n * per_image, "that counts floating-point operations: a multiply-add is two of them. "
                                    "The question asks for multiply-adds."),
                (n * c_out * c_in * k * k * size * size,
                 f"that uses the input size {size}x{size} for the output. Without padding the output is "
                 f"({size} - {k} + 1) = {out} pixels a side."),
                (per_image, f"that is one image; the batch holds {n}."),
                (n * c_out * k * k * out * out,
                 f"that forgets the input channels: every output value sums over all {c_in} of them."),
                (n * c_out * c_in * k * out * out,
                 f"that counts {k} taps per kernel; a {k}x{k} kernel has {k * k}."),
            ],
            title="the work of one layer",
            hints=[
                "Count per output value first: how many products are added to make one output value of one "
                "output channel? (All input channels, every kernel tap.)",
                f"How many output values are there? Output channels x output height x output width, per image; "
                f"without padding the output is {size} - {k} + 1 = {out} pixels a side.",
                f"Multiply: batch x C_out x C_in x k x k x {out} x {out}.",
            ],
            solution_text=f"""
                answer = {n} * {c_out} * {c_in} * {k} * {k} * {out} * {out}   # = {n * per_image:,}
                # Check: course_utils.layer_cost.conv_multiply_adds({size}, {c_in}, {c_out}, {k}) * {n}
            """,
        )


@lesson_exercise("12_fast_convolution", 3)
class ArithmeticIntensityProblem(ThoughtProblem):
    """Why the multi-channel layer runs closer to the machine's peak than single-channel shift-and-add."""

    title = "why the layer runs closer to the peak than shift-and-add"
    hints = [
        "Count, for each method, how many multiply-adds are done per number read from or written to "
        "memory (its arithmetic intensity).",
        "One tap of shift-and-add reads a whole shifted image and reads and writes the whole "
        "accumulator for a single multiply-add per pixel. In a matrix product of an (m x K) by a "
        "(K x n) matrix, every number that is loaded is used m or n times.",
    ]
    solution_text = """
        A processor core can do many multiply-adds per clock (an AVX2 register holds 8 float32,
        so one fused multiply-add instruction does 8, and two FMA units give 16 per clock), but
        memory delivers only a few numbers per clock, and even the caches cannot feed one new
        operand per multiply-add.

        Shift-and-add does ONE multiply-add per pixel per tap, and for it reads a shifted input
        value and reads and writes the accumulator: about 1 multiply-add per 3 memory accesses.
        Its speed is set by how fast data moves (which is why cache-sized strips help), not by the
        arithmetic units, so it reaches a few percent of peak. The FFT is also memory-bound, but
        its cost does not grow with the kernel.

        In a multi-channel layer, im2col turns the work into W (C_out x C_in*k*k) times
        cols (C_in*k*k x positions). Each weight is reused for every position and each column
        of cols for every output channel: with 64 output channels and 576 rows, a tile of the
        product loaded into registers and cache is used dozens of times before it is evicted.
        BLAS's GEMM is written to exploit exactly this reuse, so it gets much closer to the
        processor's peak. The price is the im2col copy (k*k times the input), which the lesson
        measured as a share of the layer's time.

        Production libraries keep the reuse and drop the copy: oneDNN (behind PyTorch on x86
        CPUs) runs a direct kernel on a channel-blocked layout that holds a tile of outputs in
        registers, and GPU libraries form the im2col tiles on the fly (implicit GEMM). A
        single-channel convolution, with only one output channel to share each loaded window,
        gains little from any of them.
    """
