"""Exercises of lesson 02 (from MLP to convolution): the convolution matrix, a dense parameter count, the price of the constraints."""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..dense import conv_parameter_count, corr2d_as_matrix, dense_parameter_count
from .answers import Count
from .diagnosis import mistaken_output_shapes, real_array_or_mistake
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden


@lesson_exercise("02_from_mlp_to_convolution", 1)
class ConvMatrixProblem(CodingProblem):
    """``conv_matrix(K, input_shape)``: the dense matrix M with ``M @ X.ravel() == corr2d(X, K).ravel()``.

    Hidden cases: 1x1, 2x3, 3x2, 3x3 (as large as the input), 3x1 and 2x2 kernels on non-square
    inputs (float64: the statement says nothing about dtypes). The 1x1 kernel comes first, so a
    kernel size written as 2 (the visible kernels are 2x2) gives a wrong row count rather than an
    IndexError.
    """

    argument_names = ("K", "input_shape")
    function_name = "conv_matrix"
    title = "the convolution as a dense matrix"
    hints = [
        "The matrix has one ROW per output pixel and one COLUMN per input pixel. With an (h, w) input "
        "and a (kh, kw) kernel the output is (h - kh + 1, w - kw + 1), so start from "
        "np.zeros(((h - kh + 1) * (w - kw + 1), h * w)).",
        "Output (i, j) is row i * ow + j (ow = the OUTPUT width). Its window covers the input pixels "
        "(i + a, j + b), which sit at the flat positions (i + a) * w + (j + b) (w = the INPUT width).",
        "Four loops: for i, for j (outputs), for a, for b (kernel taps): "
        "M[i * ow + j, (i + a) * w + (j + b)] = K[a, b]. Do not flip K: the layer cross-correlates.",
    ]
    solution_text = """
        def conv_matrix(K, input_shape):
            h, w = input_shape
            kh, kw = K.shape
            oh, ow = h - kh + 1, w - kw + 1
            M = np.zeros((oh * ow, h * w))
            for i in range(oh):
                for j in range(ow):
                    for a in range(kh):
                        for b in range(kw):
                            M[i * ow + j, (i + a) * w + (j + b)] = K[a, b]
            return M
        # the same: course_utils.dense.corr2d_as_matrix(K, input_shape)
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(202)

        def ints(*shape):
            values = rng.integers(-5, 6, size=shape).astype(float)
            values[values == 0] = 7.0  # no zero taps: every kernel value must show up in the matrix
            return values

        visible = [
            (np.array([[0.0, 1.0], [2.0, 3.0]]), (3, 3)),
            (ints(2, 2), (4, 4)),
        ]
        hidden = [
            (np.array([[2.0]]), (2, 3)),  # a 1x1 kernel: a scaled identity
            (ints(2, 3), (4, 5)),  # non-square kernel and input
            (ints(3, 2), (5, 4)),  # the other way round
            (ints(3, 3), (3, 3)),  # kernel as large as the input: one row
            (ints(3, 1), (5, 2)),  # a tall kernel
            (ints(2, 2), (3, 6)),
        ]
        return visible_then_hidden(visible, hidden, lambda K, shape: f"K with shape {K.shape}, input_shape = {shape}")

    def expected(self, case: Case) -> np.ndarray:
        K, shape = case.args
        return corr2d_as_matrix(K, shape)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        got, problem = real_array_or_mistake(result, expected.shape, return_line="return M")
        if problem:
            return problem
        K, (h, w) = case.args
        kh, kw = K.shape
        oh, ow = h - kh + 1, w - kw + 1
        if got.ndim != 2:
            return (f"your function returned an array of shape {got.shape}; return a 2-D matrix of shape "
                    f"(oh * ow, h * w) = {expected.shape}.")
        if got.shape != expected.shape:
            if got.shape == expected.T.shape:
                transposed = "its transpose is right" if np.allclose(got.T, expected) else "rows and columns are swapped"
                return (f"your matrix has shape {got.shape} = (h * w, oh * ow): {transposed}. The matrix multiplies "
                        f"the flattened INPUT (length h * w = {h * w}) and gives the flattened OUTPUT, so it needs "
                        f"one row per output pixel: shape (oh * ow, h * w) = {expected.shape}.")
            if got.shape[0] == h * w:
                return (f"your matrix has {got.shape[0]} rows, one per INPUT pixel (h * w = {h} * {w}). The rows "
                        f"are the OUTPUT pixels: the valid output is (h - kh + 1) x (w - kw + 1) = {oh} x {ow}, "
                        f"so the shape must be {expected.shape}.")
            if got.shape[1] == oh * ow != h * w:
                return (f"your matrix has {got.shape[1]} columns, one per OUTPUT pixel. The columns are the INPUT "
                        f"pixels (h * w = {h * w}), so the shape must be {expected.shape}.")
            reasons = []
            for (rows, cols), why in mistaken_output_shapes((h, w), K.shape, kernel_name="K.shape", literal_sizes=(2,)):
                if got.shape[1] == h * w and rows * cols == got.shape[0] and why not in reasons:
                    reasons.append(why)
            if reasons:
                rows = f"{got.shape[0]} row{'' if got.shape[0] == 1 else 's'}"
                return (f"your matrix has {rows}, but the output has {oh}x{ow} = {oh * ow} positions, one row "
                        f"each: " + " Or: ".join(reasons))
            return f"your matrix has shape {got.shape} but should have shape (oh * ow, h * w) = {expected.shape}."
        if np.allclose(got, expected):
            return None
        if np.allclose(got, corr2d_as_matrix(np.rot90(K, 2), (h, w))):
            return ("your matrix holds the kernel rotated by 180 degrees: that is a true convolution. The layer "
                    "cross-correlates: output (i, j) uses K[a, b] on input pixel (i + a, j + b), with K as written.")
        if np.allclose(got, 0):
            return "your matrix is all zeros: the kernel values were never written into it."
        grid_right = np.all(np.isclose(got, expected), axis=1).reshape(oh, ow)  # output (i, j) has the right row
        grid_zero = np.all(got == 0, axis=1).reshape(oh, ow)
        if oh > 1 and not grid_right[-1].any() and grid_zero[-1].all() and grid_right[:-1].all():
            return (f"the rows of the last output row (i = oh - 1 = {oh - 1}) are all zero: does your loop over i "
                    f"stop one early? It runs over range(oh), oh = h - kh + 1 = {oh}.")
        if ow > 1 and not grid_right[:, -1].any() and grid_zero[:, -1].all() and grid_right[:, :-1].all():
            return (f"the rows of the last output column (j = ow - 1 = {ow - 1}) are all zero: does your loop over j "
                    f"stop one early? It runs over range(ow), ow = w - kw + 1 = {ow}.")
        row = int(np.flatnonzero(~np.all(np.isclose(got, expected), axis=1))[0])  # the first wrong row
        i, j = divmod(row, ow)
        if np.allclose(np.sort(got[row]), np.sort(expected[row])):
            return (f"row {row} (output ({i}, {j})) holds the kernel values but in the wrong columns. Input pixel "
                    f"(i + a, j + b) sits at column (i + a) * w + (j + b), with w = {w} the INPUT width; the row "
                    f"index uses the OUTPUT width: i * ow + j, ow = {ow}.")
        return (f"row {row} (output ({i}, {j})) is\n{got[row]}\nbut should be\n{expected[row]}\n"
                f"It should hold K[a, b] in column (i + a) * w + (j + b) and zeros elsewhere.")


#: The layer of the value exercise: a dense layer from a 32x32 RGB image to a 32x32x16 feature map.
DENSE_INPUT_SHAPE = (32, 32, 3)
DENSE_OUTPUT_SHAPE = (32, 32, 16)


@lesson_exercise("02_from_mlp_to_convolution", 2)
class DenseParameterCountProblem(ValueProblem):
    """Parameters of a dense layer from a 32x32x3 image to a 32x32x16 feature map: 50,348,032."""

    def __init__(self):
        (h, w, c_in), c_out = DENSE_INPUT_SHAPE, DENSE_OUTPUT_SHAPE[2]
        n_in, n_out = h * w * c_in, h * w * c_out
        weights = n_in * n_out
        super().__init__(
            expected=dense_parameter_count(DENSE_INPUT_SHAPE, DENSE_OUTPUT_SHAPE),
            answer=Count("parameters"),
            known_mistakes=[
                (weights, "that counts the weights only. A dense layer also learns one bias per output value."),
                (weights + n_in, "there is one bias per OUTPUT value, not per input value."),
                (weights + c_out, f"that is one bias per output channel, as in a conv layer. In a dense layer every "
                                  f"one of the {n_out} output values has its own bias."),
                (h * w * n_out + n_out, f"the input has {c_in} channels: {h} * {w} * {c_in} = {n_in} input values, "
                                        f"each with its own weight to every output."),
                (n_in * h * w + h * w, f"the output has {c_out} channels: {h} * {w} * {c_out} = {n_out} output "
                                       f"values, each with its own weights and bias."),
                ((h * w) ** 2 + h * w, f"the channels are missing on both sides: {n_in} input and {n_out} output values."),
                (n_in + 1, f"that is the count for ONE output value; the layer has {n_out} of them."),
                (conv_parameter_count(c_in, c_out, 3), "that is the 3x3 convolution layer (16 * 3 * 3 * 3 + 16). "
                                                       "The question asks about the dense layer."),
                (conv_parameter_count(c_in, c_out, 3, bias=False),
                 "that is the weight count of a 3x3 convolution layer. The question asks about the dense layer."),
            ],
            title="the parameter count of a dense layer on an image",
            hints=[
                "A dense layer flattens both sides: count the input values and the output values first.",
                f"Input: {h} * {w} * {c_in} values. Output: {h} * {w} * {c_out} values. Every output value has "
                f"one weight per input value, plus one bias.",
                "n_in * n_out + n_out. Check yourself: course_utils.dense.dense_parameter_count((32, 32, 3), "
                "(32, 32, 16)), or sum(p.numel() for p in torch.nn.Linear(3072, 16384).parameters()).",
            ],
            solution_text=f"""
                n_in = 32 * 32 * 3     # {n_in} input values
                n_out = 32 * 32 * 16   # {n_out} output values
                answer = n_in * n_out + n_out   # {weights:,} weights + {n_out:,} biases = {weights + n_out:,}
                # A 3x3 conv layer with the same input and output shapes (padding 1) has
                # 16 * 3 * 3 * 3 + 16 = {conv_parameter_count(c_in, c_out, 3)} parameters.
            """,
        )


@lesson_exercise("02_from_mlp_to_convolution", 3)
class PriceOfConvolutionProblem(ThoughtProblem):
    """What a conv layer gives up by being local and sharing its weights."""

    title = "what locality and weight sharing cost"
    hints = [
        "A conv layer is a dense layer whose matrix must have a special form. Which dense matrices do "
        "NOT have that form? Think of a linear map of an image that you can describe easily.",
        "Try these on a 28x28 image: (a) output pixel (i, j) = input pixel (27 - i, 27 - j) (a rotation); "
        "(b) every output pixel equals the mean of the whole image; (c) a layer that should react to a "
        "stroke only in the top-left corner. Can one 3x3 conv layer do them? Can a deep stack?",
    ]
    solution_text = """
        Locality: an output value sees only a small window of the input. Relations between distant
        pixels (the mean of the whole image, a rotation or mirror image, "the left half matches the
        right half") cannot be computed by one layer; a network must stack layers (or pool) until the
        windows are large enough, which costs depth and computation.

        Weight sharing: every position uses the same weights, so the layer cannot treat positions
        differently. A feature that should count only in one place (a stroke in the top-left corner,
        a date field on a form, the sky being at the top of a photo) cannot get position-specific
        weights; only the borders, through zero padding, leak a little position information. The
        layer is translation equivariant by construction, whether or not the task is.

        Together: a 3x3 conv layer from an h x w image to an h' x w' map can represent only a
        9-dimensional family of the (h' w') x (h w) matrices a dense layer can represent (plus a bias
        that is the same everywhere). The price is expressiveness; the gain is a huge cut in
        parameters (and so in data needed to learn them), computation, and a prior that matches
        natural images, where the same edge or texture means the same thing anywhere. When the prior
        is wrong (position matters), networks add position information back, e.g. with
        coordinate channels, or use dense layers / attention at the end.
    """
