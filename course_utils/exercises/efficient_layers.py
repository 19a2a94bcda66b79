"""Exercises of lesson 14 (efficient layers): a separable block's parameters, depthwise correlation by
hand, and deciding whether a kernel is separable."""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..efficient_layers import is_separable
from ..layer_cost import conv_parameter_count
from ..ops import convolve2d, corr2d
from .answers import Count
from .diagnosis import describe_container, real_array_or_mistake, shape_mistake
from .problems import Case, CodingProblem, ValueProblem, lesson_exercise, visible_then_hidden

#: The block of exercise 1: depthwise 3x3 on 32 channels, then pointwise 1x1 from 32 to 64, both with bias.
SEPARABLE_BLOCK = {"in_channels": 32, "out_channels": 64, "kernel_size": 3}


@lesson_exercise("14_efficient_layers", 1)
class SeparableBlockParametersProblem(ValueProblem):
    """Parameters of Conv2d(32, 32, 3, groups=32) then Conv2d(32, 64, 1), with biases: 320 + 2112 = 2432."""

    def __init__(self):
        c_in, c_out, k = (SEPARABLE_BLOCK[key] for key in ("in_channels", "out_channels", "kernel_size"))
        depthwise = conv_parameter_count(c_in, c_in, k, groups=c_in)
        pointwise = conv_parameter_count(c_in, c_out, 1)
        standard = conv_parameter_count(c_in, c_out, k)
        super().__init__(
            expected=depthwise + pointwise,
            answer=Count("parameters"),
            known_mistakes=[
                (depthwise + pointwise - c_in - c_out,
                 f"that counts the weights only. Each of the two layers also learns one bias per output "
                 f"channel: {c_in} for the depthwise layer and {c_out} for the pointwise one."),
                (depthwise + pointwise - c_in,
                 f"the depthwise layer has biases too: one for each of its {c_in} output channels."),
                (depthwise + pointwise - c_out,
                 f"the pointwise layer has biases too: one for each of its {c_out} output channels."),
                (conv_parameter_count(c_in, c_in, k) + pointwise,
                 f"that counts the depthwise layer as a dense {c_in} -> {c_in} layer ({c_in} * {c_in} * {k} * {k} "
                 f"weights). With groups={c_in}, each output channel sees ONE input channel: {c_in} kernels of "
                 f"{k}x{k}."),
                (standard,
                 f"that is the standard {k}x{k} layer from {c_in} to {c_out} channels, which the separable block "
                 f"replaces. Count the block's two layers instead."),
                (depthwise, f"that is the depthwise layer alone; add the pointwise 1x1 layer ({c_in} -> {c_out})."),
                (pointwise, f"that is the pointwise layer alone; add the depthwise {k}x{k} layer."),
                (depthwise + conv_parameter_count(c_in, c_out, k),
                 f"the pointwise layer is 1x1: {c_out} * {c_in} weights, not {c_out} * {c_in} * {k} * {k}."),
                (k * k + 1 + pointwise,
                 f"the depthwise layer has one {k}x{k} kernel (and one bias) for EACH of its {c_in} channels, "
                 f"not one shared kernel."),
            ],
            title="the parameters of a depthwise-separable block",
            hints=[
                "Count the two layers separately, weights and biases, then add. A layer has "
                "c_out * (c_in / groups) * k * k weights and c_out biases.",
                f"Depthwise: groups = {c_in}, so each of the {c_in} output channels has one {k}x{k} kernel over "
                f"one input channel, plus a bias. Pointwise: a dense 1x1 layer from {c_in} to {c_out}.",
                f"({c_in} * {k} * {k} + {c_in}) + ({c_out} * {c_in} + {c_out}).",
            ],
            solution_text=f"""
                answer = ({c_in} * {k} * {k} + {c_in}) + ({c_out} * {c_in} + {c_out})   # {depthwise} + {pointwise} = {depthwise + pointwise}
                # the same: cu.conv_parameter_count({c_in}, {c_in}, {k}, groups={c_in}) + cu.conv_parameter_count({c_in}, {c_out}, 1)
            """,
        )


_LAST_AXIS = ("the channels are on the last axis, shape {shape}: stack the maps along a new FIRST axis "
              "(np.stack(maps), the default axis=0), shape {expected}.")


def _depthwise(X: np.ndarray, K: np.ndarray, correlate=corr2d) -> np.ndarray:
    return np.stack([correlate(x, k) for x, k in zip(X, K)])


@lesson_exercise("14_efficient_layers", 2)
class DepthwiseCorr2dProblem(CodingProblem):
    """``depthwise_corr2d(X, K)``: X (C, H, W), K (C, kh, kw) -> (C, oh, ow), channel c with kernel K[c].

    Hidden cases: 1x1, 3x3, tall 3x2, wide 1x4 and a 4x4 kernel on non-square inputs, one channel and
    five; float64, as the statement says nothing about dtypes.
    """

    argument_names = ("X", "K")
    function_name = "depthwise_corr2d"
    title = "depthwise correlation from single-channel correlations"
    hints = [
        "Depthwise means one kernel per channel and NO sum over channels: channel c of the output is "
        "cu.corr2d(X[c], K[c]), and nothing else.",
        "Loop over the channels together with their kernels (zip(X, K) gives the pairs), keep the C maps "
        "in a list, and stack them along a new first axis with np.stack.",
        "return np.stack([cu.corr2d(x, k) for x, k in zip(X, K)])",
    ]
    solution_text = """
        def depthwise_corr2d(X, K):
            maps = [cu.corr2d(x, k) for x, k in zip(X, K)]   # channel c with its own kernel K[c]
            return np.stack(maps)                             # (C, oh, ow): no sum over channels
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(1414)

        def ints(*shape):
            return rng.integers(-3, 4, size=shape).astype(float)

        visible = [
            (np.arange(18.0).reshape(2, 3, 3), np.array([[[1.0, 0.0], [0.0, -1.0]], [[0.0, 1.0], [2.0, 0.0]]]),
             "X = np.arange(18.0).reshape(2, 3, 3) and the lesson's two 2x2 kernels"),
            (ints(3, 5, 6), ints(3, 3, 3), "X (3, 5, 6), K (3, 3, 3)"),
        ]
        hidden = [
            (ints(4, 6, 5), ints(4, 3, 2), "X (4, 6, 5), K (4, 3, 2): a kernel taller than wide"),
            (ints(2, 4, 7), ints(2, 1, 4), "X (2, 4, 7), K (2, 1, 4): a kernel wider than tall"),
            (rng.standard_normal((3, 4, 5)), rng.standard_normal((3, 1, 1)), "X (3, 4, 5), K (3, 1, 1): 1x1"),
            (ints(1, 6, 8), ints(1, 4, 4), "X (1, 6, 8), K (1, 4, 4): one channel, a 4x4 kernel"),
            (ints(5, 5, 5), ints(5, 2, 2), "X (5, 5, 5), K (5, 2, 2): five channels"),
        ]
        return visible_then_hidden(visible, hidden)

    def expected(self, case: Case) -> np.ndarray:
        return _depthwise(*case.args)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        X, K = case.args
        channels, (oh, ow) = X.shape[0], expected.shape[1:]
        got, problem = real_array_or_mistake(result, expected.shape, return_line="return np.stack(maps)")
        if problem:
            return problem
        if isinstance(result, (list, tuple)):
            return (f"your function returned {describe_container(result)}, not an array. Stack the channel maps "
                    f"into one array with np.stack(maps), shape {expected.shape}.")
        if got.shape != expected.shape:
            return self._shape_message(got, expected, X, K)
        if np.allclose(got, expected):
            return None
        if got.shape == (oh, ow, channels) and np.allclose(np.moveaxis(got, -1, 0), expected):
            return _LAST_AXIS.format(shape=got.shape, expected=expected.shape)
        if oh == ow and np.allclose(got, expected.transpose(0, 2, 1)):
            return ("every channel's map is transposed: out[c, i, j] is the window whose top-left corner is at row "
                    "i, column j. Return the maps as cu.corr2d gives them.")
        if np.allclose(got, _depthwise(X, K, convolve2d)):
            return ("your result is a true convolution (each kernel flipped). Layers cross-correlate: use "
                    "cu.corr2d, not cu.convolve2d or a flipped kernel.")
        if channels > 1 and np.allclose(got, _depthwise(X, [K[0]] * channels)):
            return ("every channel used K[0]. Depthwise gives each channel its OWN kernel: channel c meets K[c] "
                    "(zip(X, K) pairs them).")
        if channels > 1 and np.allclose(got, _depthwise(X, K[::-1])):
            return "the kernels are paired with the channels in reverse order: channel c meets K[c]."
        if channels > 1 and np.allclose(got, _depthwise([X[0]] * channels, K)):
            return "every map was computed from X[0]: channel c's map reads channel c of the input, X[c]."
        c = int(np.argwhere(~np.all(np.isclose(got, expected), axis=(1, 2)))[0, 0])
        return (f"channel {c} is wrong. It should be cu.corr2d(X[{c}], K[{c}]); expected\n{expected[c]}\n"
                f"but got\n{got[c]}")

    @staticmethod
    def _shape_message(got: np.ndarray, expected: np.ndarray, X: np.ndarray, K: np.ndarray) -> str:
        channels, (oh, ow) = X.shape[0], expected.shape[1:]
        if got.shape == (oh, ow):
            if np.allclose(got, expected.sum(axis=0)):
                return (f"you added the {channels} channel maps into one: that is the ordinary multi-channel "
                        f"correlation of lesson 08. A depthwise layer keeps every channel's map apart: stack "
                        f"them, shape {expected.shape}.")
            return (f"your output is a single {got.shape} map, but each of the {channels} channels gives its "
                    f"own map: shape {expected.shape}.")
        if got.shape == (channels, channels, oh, ow):
            return (f"your output has shape {got.shape}: every channel met every kernel, as in a dense layer. "
                    f"Depthwise pairs channel c with kernel K[c] only: {channels} maps, shape {expected.shape}.")
        if got.shape == (oh, ow, channels) and np.allclose(np.moveaxis(got, -1, 0), expected):
            return _LAST_AXIS.format(shape=got.shape, expected=expected.shape)
        if got.ndim == 3 and got.shape[0] == channels:
            return "in each channel, " + shape_mistake(got.shape[1:], expected.shape[1:], X.shape[1:], K.shape[1:],
                                                       kernel_name="K.shape[1:]", literal_sizes=(2, 3))
        return f"your output has shape {got.shape} but should have shape {expected.shape} (C, oh, ow)."


#: is_separable's test: the second singular value at most this times the first.
SEPARABLE_RTOL = 1e-8


@lesson_exercise("14_efficient_layers", 3)
class IsSeparableProblem(CodingProblem):
    """``is_separable(K)``: True when the 2-D kernel K is an outer product, by its singular values.

    Hidden cases: a box and a float outer product (rounding leaves s[1] near 1e-16, not 0), an
    all-zero kernel, a row and a column (one singular value), a 1x1 kernel, a random kernel of
    entries near 1e-9 (a fixed threshold calls it separable), a nearly separable one.
    """

    argument_names = ("K",)
    function_name = "is_separable"
    title = "is this kernel separable?"
    hints = [
        "K is separable when K = np.outer(column, row): rank one (or zero). The singular values "
        "s = np.linalg.svd(K, compute_uv=False) come sorted, largest first; K has rank one when only "
        "s[0] is non-zero.",
        "Rounding leaves s[1] slightly above 0 even for an exact outer product of floats, so compare it "
        "with s[0]: s[1] <= 1e-8 * s[0]. That also holds for an all-zero kernel (0 <= 0).",
        "A kernel with a single row or column has a single singular value: it is always separable "
        "(check len(s) before reading s[1]). Return a truth value: bool(...).",
    ]
    solution_text = """
        def is_separable(K):
            s = np.linalg.svd(K, compute_uv=False)    # singular values, largest first
            if len(s) < 2:                            # one row or one column: always an outer product
                return True
            return bool(s[1] <= 1e-8 * s[0])          # rank one up to rounding; 0 <= 0 when K is zero
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(1415)
        gauss = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16
        float_outer = np.outer(rng.standard_normal(4), rng.standard_normal(3))
        visible = [
            (np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]), "the Sobel kernel"),
            (np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]), "the Laplacian"),
        ]
        hidden = [
            (np.ones((3, 5)), "a 3x5 box of ones"),
            (float_outer, "np.outer of two random float vectors, 4x3"),
            (np.outer(gauss, gauss), "a 5x5 binomial blur, np.outer(g, g)"),
            (np.zeros((2, 2)), "an all-zero 2x2 kernel"),
            (np.array([[1.0, -2.0, 3.0, 1.0]]), "a 1x4 row"),
            (np.array([[2.0], [1.0], [-1.0]]), "a 3x1 column"),
            (np.array([[5.0]]), "a 1x1 kernel"),
            (1e-9 * rng.standard_normal((3, 3)), "a random 3x3 kernel whose entries are about 1e-9"),
            (np.outer(gauss, gauss) + 1e-3 * rng.standard_normal((5, 5)), "a blur with a little noise added"),
            (rng.integers(-3, 4, size=(4, 2)).astype(float), "a random 4x2 integer kernel"),
        ]
        return visible_then_hidden(visible, hidden)

    def expected(self, case: Case) -> bool:
        return is_separable(case.args[0], rtol=SEPARABLE_RTOL)

    def compare(self, result: Any, expected: bool, case: Case) -> Optional[str]:
        (K,) = case.args
        if result is None:
            return "your function returned None: did you forget `return`?"
        if not isinstance(result, (bool, np.bool_)):
            shown = (f"{result!r} ({type(result).__name__})" if isinstance(result, (int, float, np.number))
                     else f"a {type(result).__name__}")
            return (f"your function returned {shown}, not True or False: return the truth value of a "
                    f"comparison, e.g. bool(s[1] <= 1e-8 * s[0]).")
        if bool(result) == expected:
            return None
        singular = np.linalg.svd(K, compute_uv=False)
        values = ", ".join(f"{s:.3g}" for s in singular)
        if expected:
            why = f"{case.label} is separable (singular values {values}), but you said it is not"
            if not singular.any():
                return (f"{why}. Every singular value is 0: the rank is 0, not 1, and s[1] / s[0] is 0 / 0 = nan. "
                        f"An all-zero kernel is np.outer(zeros, zeros); s[1] <= 1e-8 * s[0] holds "
                        f"(0 <= 0).")
            if singular.size == 1:
                return f"{why}. A single row or column is always an outer product."
            if singular[1] > 0:
                return (f"{why}. It is an exact outer product, but rounding leaves s[1] = {singular[1]:.1e}, not "
                        f"exactly 0: compare s[1] with a small multiple of s[0] instead of testing == 0.")
            return f"{why}. Only its first singular value is non-zero: it has rank one."
        why = f"{case.label} is not separable (singular values {values}), but you said it is"
        if K.shape[0] == K.shape[1] and 1 < np.linalg.matrix_rank(K) < K.shape[0]:
            return (f"{why}. Its determinant is 0, but that says only that the rank is below {K.shape[0]}; "
                    f"separable needs rank one: s[1] must be negligible next to s[0].")
        if singular[1] <= SEPARABLE_RTOL:
            return (f"{why}. Every entry is tiny, so s[1] = {singular[1]:.1e} is below a fixed threshold, but it is "
                    f"{singular[1] / singular[0]:.2g} of s[0]: compare s[1] with s[0], not with a fixed number.")
        return f"{why}: s[1] is {singular[1] / singular[0]:.2g} of s[0], far from negligible."
