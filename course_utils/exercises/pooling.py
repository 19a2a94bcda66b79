"""Exercises of lesson 09 (pooling): pooling by window offsets, a pooling layer's output shape, max vs average."""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..ops import conv_output_size, pool2d
from .answers import Shape
from .diagnosis import real_array_or_mistake
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden


def _min_pool(X: np.ndarray, size) -> np.ndarray:
    """Stride-1 min pooling, the mirror image of max pooling (for diagnosing mistakes)."""
    return -pool2d(-X, size, "max")


@lesson_exercise("09_pooling", 1)
class Pool2dByOffsetsProblem(CodingProblem):
    """``pool2d(X, pool_size, mode)``: stride-1, unpadded max or average pooling of a 2-D array.

    Visible: the lesson's 3x3 X with a 2x2 window in both modes, and a 2x3 window. Hidden: 3x2,
    3x3, 1x1 windows and one as large as X, non-square inputs, an int64 X (the output's dtype is
    free, its values are compared) and an all-negative X for 'max'.
    """

    argument_names = ("X", "pool_size", "mode")
    function_name = "pool2d"
    title = "pooling by looping over the window instead of the output"
    hints = [
        "With stride 1 and no padding the output has shape (h - p_h + 1, w - p_w + 1), as for a "
        "convolution. The slice X[a : a + out_h, b : b + out_w] holds, at every output position "
        "(i, j), the window cell (a, b) of the window that starts at (i, j).",
        "Loop over the p_h * p_w offsets (a, b). For 'max', start from the slice at offset (0, 0) "
        "and keep the larger value with np.maximum(Y, slice); for 'avg', add all slices up and "
        "divide by p_h * p_w.",
        "Y = X[0:out_h, 0:out_w] (a copy) for 'max', or np.zeros((out_h, out_w)) for 'avg'; then "
        "for a in range(p_h): for b in range(p_w): window_cell = X[a:a + out_h, b:b + out_w]; ...",
    ]
    solution_text = """
        def pool2d(X, pool_size, mode="max"):
            p_h, p_w = pool_size
            out_h, out_w = X.shape[0] - p_h + 1, X.shape[1] - p_w + 1
            Y = np.full((out_h, out_w), -np.inf) if mode == "max" else np.zeros((out_h, out_w))
            for a in range(p_h):
                for b in range(p_w):
                    cell = X[a:a + out_h, b:b + out_w]  # cell (a, b) of every window at once
                    Y = np.maximum(Y, cell) if mode == "max" else Y + cell
            return Y if mode == "max" else Y / (p_h * p_w)
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(909)
        lesson_X = np.arange(9, dtype=float).reshape(3, 3)
        visible = [
            (lesson_X, (2, 2), "max", "the lesson's 3x3 X, a 2x2 window, 'max'"),
            (lesson_X, (2, 2), "avg", "the lesson's 3x3 X, a 2x2 window, 'avg'"),
            (rng.integers(-5, 6, (5, 6)).astype(float), (2, 3), "max", "a 5x6 X with negative values, a 2x3 window"),
        ]
        hidden = [
            (rng.standard_normal((6, 5)), (3, 2), "avg", "a 6x5 X, a 3x2 window, 'avg'"),
            (rng.standard_normal((7, 7)), (3, 3), "max", "a 7x7 X, a 3x3 window, 'max'"),
            (rng.standard_normal((4, 5)), (1, 1), "avg", "a 1x1 window (the output equals X)"),
            (rng.standard_normal((3, 4)), (3, 4), "max", "a window as large as X (one output value)"),
            (rng.integers(0, 9, (4, 7)), (2, 3), "avg", "an integer 4x7 X, a 2x3 window, 'avg'"),
            (-1.0 - rng.random((4, 5)), (2, 2), "max", "a 4x5 X whose values are all negative, 'max'"),
        ]
        return visible_then_hidden(visible, hidden)

    def expected(self, case: Case) -> np.ndarray:
        X, size, mode = case.args
        return pool2d(X, size, mode)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        X, (p_h, p_w), mode = case.args
        X = np.asarray(X, dtype=float)
        h, w = X.shape
        got, problem = real_array_or_mistake(result, expected.shape, return_line="return Y")
        if problem:
            return problem
        if got.ndim != 2:
            return (f"your function returned an array of shape {got.shape}; return a 2-D array of shape "
                    f"{expected.shape}.")
        if got.shape == expected.T.shape != expected.shape and np.allclose(got, expected.T):
            return (f"your output is the right one transposed: shape {got.shape} instead of {expected.shape}. "
                    f"Y[i, j] belongs to the window whose top-left corner is X[i, j] (row i, column j).")
        if got.shape != expected.shape:
            stride_is_window = got.shape == (h // p_h, w // p_w)
            too_few = got.shape == (h - p_h, w - p_w)
            if stride_is_window and too_few:
                return (f"your output has shape {got.shape}, one row and one column too few. Either the loop "
                        f"range(h - p_h) stops one window early, or the windows move by the window size "
                        f"(stride = window, the framework default). Here the stride is 1, and there are "
                        f"h - p_h + 1 window positions: shape {expected.shape}.")
            if stride_is_window:
                return (f"your output has shape {got.shape}: the windows were moved by the window size "
                        f"(stride = window), as framework layers do by default. Here the stride is 1, so "
                        f"the output has (h - p_h + 1, w - p_w + 1) = {expected.shape} positions.")
            if too_few:
                return (f"your output has shape {got.shape}, one row and one column too few: range(h - p_h) misses "
                        f"the last window. There are h - p_h + 1 window positions, shape {expected.shape}.")
            if got.shape == (h - p_h + 2, w - p_w + 2):
                same_as_x = ", the shape of X" if got.shape == X.shape else ""
                return (f"your output has shape {got.shape}{same_as_x}: one row and one column too many. The last "
                        f"windows hang over the edge of X (NumPy silently cuts such slices short). Without padding "
                        f"there are h - p_h + 1 window positions, shape {expected.shape}.")
            if got.shape == (h - p_w + 1, w - p_h + 1):
                return (f"your output has shape {got.shape}: p_h and p_w are swapped. pool_size is (height, width); "
                        f"p_h belongs to the rows (axis 0), p_w to the columns. Expected shape {expected.shape}.")
            if got.shape == X.shape:
                return (f"your output has the shape of X, {got.shape}; without padding a window fits only "
                        f"h - p_h + 1 times down and w - p_w + 1 times across, shape {expected.shape}.")
            if got.shape == (h - 1, w - 1):
                return (f"your output has shape {got.shape}, the size for a 2x2 window, but this window is "
                        f"{p_h}x{p_w}: take the sizes from pool_size (p_h, p_w = pool_size), shape {expected.shape}.")
            return f"your output has shape {got.shape} but should have shape {expected.shape}."
        if np.allclose(got, expected):
            return None
        if got.shape == expected.T.shape and np.allclose(got, expected.T):
            return ("your output is the right one transposed: Y[i, j] belongs to the window whose top-left corner "
                    "is X[i, j] (row i, column j).")
        other_mode = pool2d(X, (p_h, p_w), "avg" if mode == "max" else "max")
        if mode == "max" and np.allclose(got, _min_pool(X, (p_h, p_w))):
            return "you took the minimum of each window (np.min); max pooling keeps the largest value, np.max."
        if mode == "avg" and np.allclose(got, expected * p_h * p_w):
            return (f"you returned each window's sum; average pooling divides it by the number of cells, "
                    f"p_h * p_w = {p_h * p_w} (or use np.mean).")
        if mode == "avg" and (np.allclose(got, expected * p_w) or np.allclose(got, expected * p_h)):
            return (f"you divided each window's sum by one side of the window only; divide by the number of cells, "
                    f"p_h * p_w = {p_h * p_w}.")
        if np.allclose(got, other_mode):
            return (f"mode was {mode!r} but you computed {'average' if mode == 'max' else 'max'} pooling: "
                    f"check how your function reads its `mode` argument.")
        if mode == "max" and np.allclose(got, np.maximum(expected, 0)):
            return ("negative windows came out as 0: you started the maximum from 0 (np.zeros). Start from "
                    "-np.inf, or from the first window cell.")
        for axis, (short_h, short_w), words in ((0, (p_h - 1, p_w), "row"), (1, (p_h, p_w - 1), "column")):
            if min(short_h, short_w) < 1:
                continue
            short = pool2d(X, (short_h, short_w), mode)[: expected.shape[0], : expected.shape[1]]
            if mode == "avg":
                short = short * (short_h * short_w) / (p_h * p_w)
            if np.allclose(got, short):
                loop = "a over range(p_h)" if axis == 0 else "b over range(p_w)"
                return (f"the last {words} of every window is left out: the offset {loop} must reach the "
                        f"window's last {words}.")
        wrong = ~np.isclose(got, expected)
        for where, edge, rest in (("row", np.s_[-1, :], np.s_[:-1, :]), ("column", np.s_[:, -1], np.s_[:, :-1])):
            unfilled = np.all((got[edge] == 0) | np.isinf(got[edge]))  # still the start value
            if wrong[edge].all() and not wrong[rest].any() and unfilled:
                return (f"the last {where} of your output is never filled: does your loop over output positions "
                        f"stop one early? There are h - p_h + 1 rows and w - p_w + 1 columns of windows.")
        i, j = (int(v) for v in np.argwhere(wrong)[0])
        return (f"the value at ({i}, {j}) is {got[i, j]:.6g} but should be {expected[i, j]:.6g}, the "
                f"{'largest value' if mode == 'max' else 'mean'} of X[{i}:{i + p_h}, {j}:{j + p_w}].")


#: The value exercise: a batch of feature maps through torch.nn.MaxPool2d(kernel_size=3, padding=1).
SHAPE_INPUT = (8, 16, 28, 28)
SHAPE_LAYER = {"kernel_size": 3, "padding": 1}


@lesson_exercise("09_pooling", 2)
class PoolingLayerShapeProblem(ValueProblem):
    """The output shape of ``nn.MaxPool2d(3, padding=1)`` on a (8, 16, 28, 28) batch: (8, 16, 10, 10)."""

    def __init__(self):
        n, c, h, w = SHAPE_INPUT
        k, p = SHAPE_LAYER["kernel_size"], SHAPE_LAYER["padding"]
        side = conv_output_size(h, k, padding=p, stride=k)
        super().__init__(
            expected=(n, c, side, side),
            answer=Shape(),
            known_mistakes=[
                ((n, c, conv_output_size(h, k, padding=p), conv_output_size(w, k, padding=p)),
                 "that is the shape for stride 1. torch.nn.MaxPool2d(3) moves its window by the window size, "
                 "3, unless you pass stride=..."),
                ((n, c, conv_output_size(h, k), conv_output_size(w, k)),
                 "that is stride 1 without the padding. The layer has padding=1, and its stride defaults to "
                 "the window size, 3."),
                ((n, c, conv_output_size(h, k, stride=k), conv_output_size(w, k, stride=k)),
                 "the stride of 3 is right, but the padding is missing: padding=1 adds a row and a column on "
                 "every side, so the padded input is 30 x 30."),
                ((n, c, conv_output_size(h, k, padding=p, stride=2), conv_output_size(w, k, padding=p, stride=2)),
                 "that is the shape for stride 2, a common choice but not the default: torch.nn.MaxPool2d(3) "
                 "moves its window by the window size, 3, unless you pass stride=..."),
                ((n, c, side + 1, side + 1),
                 "one too many along each side: the formula is floor((n + 2p - k) / s) + 1, and (28 + 2 - 3) / 3 "
                 "is exactly 9."),
                ((n, 1, side, side),
                 "pooling keeps every channel: each of the 16 channels is pooled on its own, so there are still 16."),
                ((side, side),
                 "the spatial size is right. Give the full shape (batch, channels, height, width): pooling "
                 "keeps the batch and the channels."),
            ],
            title="the output shape of a framework pooling layer",
            hints=[
                "torch.nn.MaxPool2d(kernel_size=3, padding=1) has no stride argument here. What does PyTorch "
                "use when stride is not given?",
                "The stride defaults to the window size, 3. Each side: floor((n + 2p - k) / s) + 1 with n = 28, "
                "p = 1, k = 3, s = 3.",
                "Pooling does not mix channels: the batch size and the 16 channels stay. Check yourself with "
                "torch.nn.MaxPool2d(3, padding=1)(torch.zeros(8, 16, 28, 28)).shape.",
            ],
            solution_text="""
                answer = (8, 16, 10, 10)
                # stride defaults to kernel_size = 3: floor((28 + 2*1 - 3) / 3) + 1 = 9 + 1 = 10 on each side;
                # the batch (8) and the channels (16) are unchanged.
                # check: torch.nn.MaxPool2d(3, padding=1)(torch.zeros(8, 16, 28, 28)).shape
            """,
        )


@lesson_exercise("09_pooling", 3)
class MaxOrAveragePoolingProblem(ThoughtProblem):
    """When max pooling and when average pooling suits a task better."""

    title = "max pooling or average pooling?"
    hints = [
        "A small scratch covers 3 pixels of a 4x4 pooling window; the other 13 pixels are clean. "
        "What does each kind of pooling report for that window?",
        "Think about a task where the answer depends on the strongest local response, and one where "
        "it depends on how much of something there is over an area.",
        "Which one passes a gradient to every input cell during training, and which to one cell "
        "per window?",
    ]
    solution_text = """
        Max pooling reports whether a feature is present somewhere in the window, and how strongly:
        one strong response survives however many weak ones surround it, and it survives small
        moves inside the window. That suits detection ("is there an edge / an eye / a scratch
        here?"), which is why most CNNs pool feature maps with max pooling, usually 2x2 with
        stride 2. In the backward pass only the winning cell of each window gets a gradient.

        Average pooling reports how much of the feature the window holds on average: a single
        strong response is diluted by its neighbours (3 scratched pixels out of 16 give 3/16 of
        the signal), and every cell gets a share of the gradient. It suits quantities spread
        over an area (texture density, the amount of a colour, counting) and smooth
        downsampling, and it is less noisy. Its most common use today is global average pooling
        at the end of a network (ResNet), which turns each final feature map into one number
        per channel before the classifier.

        Neither makes a network fully shift-invariant: with a stride larger than 1 a one-pixel
        shift can move a feature into another window.
    """
