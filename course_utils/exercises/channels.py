"""Exercises of lesson 08 (channels): a multi-channel layer by hand, its parameter count, 1x1 convolutions."""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..layer_cost import conv_parameter_count
from ..ops import convolve2d, corr2d, corr2d_multi_in_out
from .answers import Count
from .diagnosis import describe_container, real_array_or_mistake, shape_mistake
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden

#: The lesson's two-channel 3x3 input and its (3, 2, 2, 2) kernel stack K, K + 1, K + 2.
LESSON_X = np.array([[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]], dtype=float)
_LESSON_K = np.array([[[0, 1], [2, 3]], [[1, 2], [3, 4]]], dtype=float)
LESSON_K_STACK = np.stack([_LESSON_K, _LESSON_K + 1, _LESSON_K + 2])


def _per_pair_maps(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Every (output, input) channel pair's own map, shape (c_o, c_i, oh, ow): the sum over inputs not taken."""
    return np.array([[corr2d(X[i], K[o, i]) for i in range(K.shape[1])] for o in range(K.shape[0])])


@lesson_exercise("08_channels", 1)
class Corr2dMultiInOutProblem(CodingProblem):
    """``corr2d_multi_in_out(X, K)``: X (c_i, h, w), K (c_o, c_i, kh, kw) -> array (c_o, oh, ow).

    Hidden cases: 3x3, 3x2, 1x1, 2x2 and 2x3 kernels on non-square inputs, as many outputs as
    inputs (so swapped channel axes show), and one input or one output channel; float64, as the
    statement says nothing about dtypes.
    """

    argument_names = ("X", "K")
    function_name = "corr2d_multi_in_out"
    title = "a multi-channel convolution layer from single-channel correlations"
    hints = [
        "Output channel o uses its own kernel stack K[o], of shape (c_i, kh, kw): correlate every "
        "input channel X[i] with its slice K[o, i] and ADD the c_i maps into one map.",
        "Do that for o = 0, 1, ..., c_o - 1 and stack the c_o maps along a new first axis with np.stack, "
        "so the result is an array of shape (c_o, oh, ow).",
        "return np.stack([sum(cu.corr2d(X[i], K[o, i]) for i in range(X.shape[0])) "
        "for o in range(K.shape[0])])",
    ]
    solution_text = """
        def corr2d_multi_in_out(X, K):
            maps = []
            for kernels in K:                      # one (c_i, kh, kw) stack per output channel
                maps.append(sum(cu.corr2d(x, k) for x, k in zip(X, kernels)))
            return np.stack(maps)                  # (c_o, oh, ow)
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(808)

        def ints(*shape):
            return rng.integers(-3, 4, size=shape).astype(float)

        visible = [
            (LESSON_X, LESSON_K_STACK, "the lesson's X (2, 3, 3) and K (3, 2, 2, 2)"),
            (ints(3, 5, 4), ints(2, 3, 2, 2), "X (3, 5, 4), K (2, 3, 2, 2)"),
        ]
        hidden = [
            (ints(2, 4, 4), ints(2, 2, 3, 3), "X (2, 4, 4), K (2, 2, 3, 3), as many outputs as inputs"),
            (ints(3, 6, 5), ints(4, 3, 3, 2), "X (3, 6, 5), K (4, 3, 3, 2), a kernel taller than wide"),
            (rng.standard_normal((3, 3, 3)), rng.standard_normal((2, 3, 1, 1)), "X (3, 3, 3), K (2, 3, 1, 1): 1x1"),
            (ints(4, 5, 5), ints(1, 4, 2, 2), "X (4, 5, 5), K (1, 4, 2, 2): one output channel"),
            (ints(1, 4, 6), ints(3, 1, 2, 3), "X (1, 4, 6), K (3, 1, 2, 3): one input channel"),
        ]
        return visible_then_hidden(visible, hidden)

    def expected(self, case: Case) -> np.ndarray:
        return corr2d_multi_in_out(*case.args)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        X, K = case.args
        c_out, c_in = K.shape[:2]
        got, problem = real_array_or_mistake(result, expected.shape, return_line="return np.stack(maps)")
        if problem:
            return problem
        if isinstance(result, (list, tuple)):
            return (f"your function returned {describe_container(result)}, not an array. "
                    f"Stack the per-channel maps into one array with np.stack(...), shape {expected.shape}.")
        if got.shape == expected.shape and np.allclose(got, expected):
            return None
        pairs = _per_pair_maps(X, K)
        if got.shape == expected.transpose(0, 2, 1).shape and np.allclose(got, expected.transpose(0, 2, 1)):
            return ("every output map is transposed: map o holds out[o, i, j] for the window whose top-left corner "
                    "is at row i, column j of the input. Return the maps as cu.corr2d gives them.")
        if got.shape != expected.shape:
            if got.shape == pairs.shape or got.shape == (c_out * c_in,) + expected.shape[1:]:
                return (f"your output has shape {got.shape}: one map for every (output, input) channel pair, "
                        f"c_o * c_i = {c_out} * {c_in} of them. Each output channel must SUM its {c_in} "
                        f"input-channel maps into one map, giving shape {expected.shape}.")
            if got.shape == expected.shape[1:]:
                return (f"your output is a single {got.shape} map, but there are {c_out} output channels: "
                        f"compute one map per kernel stack K[o] and stack them, shape {expected.shape}.")
            if got.shape == (c_in,) + expected.shape[1:]:
                return (f"your output has {c_in} channels, as many as the INPUT. K's axes are (c_o, c_i, kh, kw): "
                        f"loop over the first axis for the output channels and sum over the second.")
            if got.ndim == 3 and got.shape[0] == c_out:
                return "in each output channel, " + shape_mistake(got.shape[1:], expected.shape[1:], X.shape[1:],
                                                                  K.shape[2:], kernel_name="K.shape[2:]",
                                                                  literal_sizes=(2,))
            return f"your output has shape {got.shape} but should have shape {expected.shape} (c_o, oh, ow)."
        if np.allclose(got, expected):
            return None
        if c_out == c_in and np.allclose(got, corr2d_multi_in_out(X, K.transpose(1, 0, 2, 3))):
            return ("you used K[i, o] where K[o, i] is needed: the kernel's first two axes are swapped. "
                    "K has layout (c_o, c_i, kh, kw), so output channel o reads the stack K[o].")
        if K.shape[2] == K.shape[3] and np.allclose(got, corr2d_multi_in_out(X, K.transpose(0, 1, 3, 2))):
            return ("every kernel slice is transposed: its rows and columns (the last two axes of K) are swapped. "
                    "Use K[o, i] as it is.")
        flipped = np.stack([sum(convolve2d(X[i], K[o, i]) for i in range(c_in)) for o in range(c_out)])
        if np.allclose(got, flipped):
            return ("your result is a true convolution (flipped kernels). Deep-learning layers cross-correlate: "
                    "use cu.corr2d, not a flipped kernel.")
        if c_in > 1 and np.allclose(got, pairs[:, 0]):
            return ("only the first input channel contributes. Every output map is the sum over ALL c_i input "
                    "channels of corr2d(X[i], K[o, i]).")
        if c_in > 1 and np.allclose(got, pairs.mean(axis=1)):
            return f"you averaged over the input channels; the layer adds them (no division by c_i = {c_in})."
        o = int(np.argwhere(~np.all(np.isclose(got, expected), axis=(1, 2)))[0, 0])
        return (f"output channel {o} is wrong. It should be the sum over i of corr2d(X[i], K[{o}, i]); "
                f"expected\n{expected[o]}\nbut got\n{got[o]}")


#: The layer of the value exercise: a 3x3 convolution from 64 to 128 channels, with bias.
PARAMETER_LAYER = {"in_channels": 64, "out_channels": 128, "kernel_size": 3}


@lesson_exercise("08_channels", 2)
class ConvParameterCountProblem(ValueProblem):
    """The parameter count of ``nn.Conv2d(64, 128, kernel_size=3)``: 128 * 64 * 3 * 3 + 128 = 73856."""

    def __init__(self):
        c_in, c_out, k = (PARAMETER_LAYER[key] for key in ("in_channels", "out_channels", "kernel_size"))
        super().__init__(
            expected=conv_parameter_count(c_in, c_out, k),
            answer=Count("parameters"),
            known_mistakes=[
                (c_out * c_in * k * k,
                 "that counts the weights only. The layer also learns one bias per output channel."),
                (c_out * k * k + c_out,
                 f"that is one {k}x{k} kernel per output channel. Each output channel has a {k}x{k} slice for "
                 f"EVERY one of the {c_in} input channels."),
                (c_out * k * k,
                 f"that is one {k}x{k} kernel per output channel, without biases. Each output channel has a "
                 f"slice for each of the {c_in} input channels, and its own bias."),
                (c_out * c_in * k * k + c_in,
                 "there is one bias per OUTPUT channel (added to that output map), not per input channel."),
                (c_out * c_in * k * k + c_out * c_in,
                 "there is one bias per output channel, not one per (output, input) pair."),
                (c_out * c_in * k + c_out,
                 f"a {k}x{k} kernel has {k * k} weights, not {k}."),
                (c_in * k * k + 1,
                 f"that is the count for one output channel; the layer has {c_out} of them."),
            ],
            title="the parameter count of a conv layer",
            hints=[
                "Weights: one kh x kw slice for every (output channel, input channel) pair. Biases: one per "
                "output channel.",
                "c_o * c_i * k_h * k_w + c_o, with c_i = 64, c_o = 128, k_h = k_w = 3.",
                "Check yourself: sum(p.numel() for p in torch.nn.Conv2d(64, 128, 3).parameters()).",
            ],
            solution_text="""
                answer = 128 * 64 * 3 * 3 + 128   # 73728 weights + 128 biases = 73856
                # the same: cu.conv_parameter_count(64, 128, 3)
            """,
        )


@lesson_exercise("08_channels", 3)
class WhyOneByOneProblem(ThoughtProblem):
    """Why a 1x1 convolution, which sees a single pixel, is useful."""

    title = "what a 1x1 convolution is good for"
    hints = [
        "A 1x1 convolution mixes channels at each pixel and never looks at neighbours. What does it "
        "change, then: the height and width, or the number of channels?",
        "Compare the cost of a 3x3 convolution 256 -> 256 with a 1x1 convolution 256 -> 64, followed "
        "by a 3x3 convolution 64 -> 64 and a 1x1 convolution 64 -> 256.",
        "A 1x1 convolution followed by a nonlinearity is a small fully connected network applied at "
        "every pixel. What can such a network compute that a single linear map cannot?",
    ]
    solution_text = """
        A 1x1 convolution is a fully connected layer from c_i to c_o numbers, applied with the
        same weights at every pixel. It does not look at neighbours, but it is useful because:

        * It changes the number of channels cheaply. Reducing 256 channels to 64 before an
          expensive 3x3 convolution and expanding back afterwards (a ResNet "bottleneck") costs
          256*64 + 9*64*64 + 64*256 = 69632 weights per pixel instead of 9*256*256 = 589824.
        * Squeezing the channels this way also cuts the multiply-adds and the memory of every
          following layer, while the 3x3 layers still provide the spatial context.
        * With a nonlinearity after it, it adds depth and nonlinear mixing of features at each
          position (Network in Network), at a cost of only c_i * c_o weights.
        * It keeps the height and width and works for any image size, so it can replace the fully
          connected layers at the end of a network (a 1x1 convolution to the class count, then
          global average pooling).
    """
