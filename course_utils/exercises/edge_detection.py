"""Exercises of lesson 04 (edge detection): a horizontal-edge detector, one output by hand, zero-sum kernels.

The coding cases use non-square images, so that a map computed with the
transposed kernel, or computed on the transposed image and not transposed back,
has a shape of its own and can be recognised and explained.
"""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..ops import corr2d
from .answers import Real
from .diagnosis import real_array_or_mistake
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden

#: Top minus bottom: +1 where a bright row sits above a dark one.
HORIZONTAL_EDGE_KERNEL = np.array([[1.0], [-1.0]])
#: The lesson's vertical-edge kernel: left minus right.
VERTICAL_EDGE_KERNEL = np.array([[1.0, -1.0]])


def _vertical_stripe_image(height: int, width: int) -> np.ndarray:
    """Ones with a dark band in columns 2:6, as in the lesson (the band is clipped to the width)."""
    image = np.ones((height, width))
    image[:, 2:6] = 0.0
    return image


@lesson_exercise("04_edge_detection", 1)
class HorizontalEdgesProblem(CodingProblem):
    """``horizontal_edges(X)``: ``Y[i, j] = X[i, j] - X[i + 1, j]``, shape ``(H - 1, W)``.

    Hidden cases: a wide 5x7 image of whole numbers, a tall 9x4 and a 6x3 ramp, and a 2x3 image
    (a one-row map); float64, as the statement says nothing about dtypes.
    """

    argument_names = ("X",)
    function_name = "horizontal_edges"
    title = "a detector for horizontal edges"
    hints = [
        "The lesson's kernel [[1, -1]] compares each pixel with its right-hand neighbour, so it sees "
        "vertical edges. A horizontal edge separates a row from the row below: compare each pixel with "
        "the pixel underneath.",
        "Turn the kernel on its side: 2 rows and 1 column, top weight +1, bottom weight -1. "
        "np.array([[1.0], [-1.0]]) has shape (2, 1).",
        "return cu.corr2d(X, np.array([[1.0], [-1.0]])). The output has one row fewer than X and as "
        "many columns; slicing works too: X[:-1, :] - X[1:, :].",
    ]
    solution_text = """
        def horizontal_edges(X):
            K = np.array([[1.0], [-1.0]])   # 2 rows, 1 column: top minus bottom
            return cu.corr2d(X, K)          # shape (H - 1, W)
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(404)
        visible = [
            (_vertical_stripe_image(6, 8).T, "the lesson's 8x6 image with horizontal edges"),
            (np.array([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]]), "a 3x4 image"),
        ]
        hidden = [
            (rng.integers(0, 10, size=(5, 7)).astype(float), "a random 5x7 image"),
            (rng.standard_normal((9, 4)), "a random 9x4 image"),
            (np.repeat(np.arange(6.0)[:, None], 3, axis=1), "a 6x3 ramp, brighter downwards"),
            (np.array([[1.0, 2.0, 3.0], [5.0, 7.0, 11.0]]), "a 2x3 image"),
        ]
        return visible_then_hidden(visible, hidden)

    def expected(self, case: Case) -> np.ndarray:
        (X,) = case.args
        return corr2d(X, HORIZONTAL_EDGE_KERNEL)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        got, problem = real_array_or_mistake(result, expected.shape, return_line="return Y")
        if problem:
            return problem
        (X,) = case.args
        H, W = X.shape
        if got.ndim != 2:
            return (f"your function returned an array of shape {got.shape}; return a 2-D map of shape "
                    f"(H - 1, W) = {expected.shape}.")
        if got.shape == expected.shape:
            if np.allclose(got, expected):
                return None
            if np.allclose(got, -expected):
                return ("your map has the opposite sign: it computes bottom minus top, X[i + 1, j] - X[i, j]. "
                        "Use top minus bottom, kernel [[1], [-1]], so that a bright row above a dark one gives +1.")
            wrong = ~np.isclose(got, expected)
            if H > 2 and wrong[-1].any() and not wrong[:-1].any() and np.all(got[-1] == 0):
                return (f"the last row of your map is still zero: does your loop stop one row early? Row i = H - 2 "
                        f"= {H - 2} compares X[{H - 2}] with X[{H - 1}], so i runs over range(H - 1).")
            i, j = (int(v) for v in np.argwhere(wrong)[0])
            return (f"the value at [{i}, {j}] is {got[i, j]:.6g} but should be X[{i}, {j}] - X[{i + 1}, {j}] = "
                    f"{expected[i, j]:.6g}.")
        vertical = corr2d(X, VERTICAL_EDGE_KERNEL) if W > 1 else None
        if vertical is not None and got.shape == vertical.shape:
            if np.allclose(got, vertical) or np.allclose(got, -vertical):
                return (f"your map has shape {got.shape}, (H, W - 1): that is the vertical-edge map of a 1x2 kernel "
                        f"such as [[1, -1]], which compares left and right neighbours. Horizontal edges need the "
                        f"transposed kernel [[1], [-1]] (2 rows, 1 column), giving shape (H - 1, W) = "
                        f"{expected.shape}.")
            return (f"your map has shape {got.shape}, (H, W - 1): your kernel is 1 row by 2 columns. Horizontal "
                    f"edges need a 2x1 kernel, giving shape (H - 1, W) = {expected.shape}.")
        if got.shape == expected.T.shape and (np.allclose(got, expected.T) or np.allclose(got, -expected.T)):
            sign = "" if np.allclose(got, expected.T) else " (and its sign is flipped)"
            return (f"your map is the right one transposed{sign}: shape {got.shape} instead of {expected.shape}. "
                    f"Applying [[1, -1]] to X.T finds the edges, but the result must be transposed back "
                    f"(or use the kernel [[1], [-1]] on X directly).")
        if got.shape == (H, W):
            return (f"your map has the same shape as X, {got.shape}. Keep only the positions where the 2x1 kernel "
                    f"fits inside the image (no padding): H - 1 = {H - 1} rows and W = {W} columns.")
        if got.shape == (H - 2, W):
            return (f"your map has H - 2 = {H - 2} rows: either your kernel is 3 rows tall (such as [[1], [0], [-1]]) "
                    f"or your loop over rows stops one early. Compare each pixel with its direct neighbour below "
                    f"(a 2x1 kernel): every i in range(H - 1), H - 1 = {H - 1} rows.")
        return f"your map has shape {got.shape} but should have shape (H - 1, W) = {expected.shape} for X of shape {X.shape}."


#: The image of exercise 2 and the question: Y = corr2d(EDGE_VALUE_IMAGE, [[1, -1]]); Y[1, 1] = ?
EDGE_VALUE_IMAGE = np.array(
    [
        [2.0, 7.0, 7.0, 1.0, 0.0],
        [5.0, 9.0, 3.0, 3.0, 8.0],
        [6.0, 5.0, 0.0, 2.0, 2.0],
        [1.0, 1.0, 8.0, 4.0, 6.0],
    ]
)
EDGE_VALUE_POSITION = (1, 1)


@lesson_exercise("04_edge_detection", 2)
class EdgeValueProblem(ValueProblem):
    """``corr2d(EDGE_VALUE_IMAGE, [[1, -1]])[1, 1]`` = X[1, 1] - X[1, 2] = 9 - 3 = 6."""

    def __init__(self):
        X = EDGE_VALUE_IMAGE
        i, j = EDGE_VALUE_POSITION
        answer = X[i, j] - X[i, j + 1]
        super().__init__(
            expected=answer,
            answer=Real(abs_tol=1e-9),
            known_mistakes=[
                (-answer, "the sign is flipped. The kernel [[1, -1]] puts +1 on the left cell and -1 on the right "
                          "one, so the output is left minus right: X[1, 1] - X[1, 2]."),
                (X[i, j - 1] - X[i, j], "that window starts one column too early. Output [i, j] uses the window "
                                        "whose LEFT cell is X[i, j]: cells [1, 1] and [1, 2]."),
                (X[i, j + 1] - X[i, j + 2], "that window starts one column too late. Output [i, j] uses the "
                                            "window whose left cell is X[i, j]: cells [1, 1] and [1, 2]."),
                (X[i, j] - X[i + 1, j], "that compares a pixel with the one BELOW it: that is the transposed "
                                        "kernel [[1], [-1]]. [[1, -1]] has one row and two columns: compare "
                                        "with the pixel to the right."),
                (X[i, j] + X[i, j + 1], "that adds the two pixels; the right-hand weight of the kernel is -1."),
                (X[i - 1, j - 1] - X[i - 1, j], "that counts rows and columns from 1. Python indices start at 0: "
                                                "[1, 1] is the second row and the second column."),
            ],
            title="one output of the [1, -1] kernel",
            hints=[
                "Cross-correlation with [[1, -1]] lays the kernel on two neighbouring cells of the same row: "
                "the left cell gets weight +1 and the right cell weight -1.",
                "Output [i, j] uses the window whose top-left cell is X[i, j], so Y[1, 1] = X[1, 1] - X[1, 2]. "
                "Indices start at 0.",
                "Row 1 of X is [5, 9, 3, 3, 8]. Its cells at columns 1 and 2 are 9 and 3.",
            ],
            solution_text="""
                # Y[i, j] = 1 * X[i, j] + (-1) * X[i, j + 1], so with i = j = 1:
                answer = X_small[1, 1] - X_small[1, 2]   # 9 - 3 = 6
                # check: cu.corr2d(X_small, np.array([[1.0, -1.0]]))[1, 1] == 6
            """,
        )


@lesson_exercise("04_edge_detection", 3)
class ZeroSumKernelsProblem(ThoughtProblem):
    """Why zero-sum kernels ignore brightness, and what contrast does to them."""

    title = "kernels that sum to zero"
    hints = [
        "Add a constant c to every pixel. By linearity, the output changes by c times the output for "
        "an image of all ones. What is that output for a kernel whose weights sum to s?",
        "An image of ones gives s (the kernel sum) at every position: 0 for Sobel and the Laplacian, "
        "1 for the blurs, sharpen and identity. Now multiply every pixel by 2 instead of adding.",
    ]
    solution_text = """
        Cross-correlation is linear, so brightening the photo by c (X + c) changes every output by
        c times the output for an all-ones image, which is c times the sum of the kernel weights.
        Sobel x, Sobel y and the Laplacian sum to 0: their maps do not change at all. They react only
        to differences between neighbours, never to the level itself, which is why flat regions come
        out 0 however bright they are. The blurs, sharpen and identity sum to 1: their outputs rise by
        exactly c, like the picture.

        Doubling the contrast (2X) doubles every output of every kernel, zero-sum or not, so an edge
        map's values depend on the contrast of the photo. To compare edge strengths between photos,
        or to find a pattern whatever its contrast, the output must be normalised, as the normalised
        cross-correlation of the lesson does with its division by the window's spread. A CNN faces the
        same issue; normalisation layers and learned biases and thresholds are its ways of handling it.
    """
