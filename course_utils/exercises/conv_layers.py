"""Exercises of lesson 03 (cross-correlation and conv layers): weight layouts and the bias.

The from-scratch ``conv2d`` exercise of this lesson is :class:`~.conv2d_torch.Conv2dTorchProblem`.
"""
from __future__ import annotations

from .answers import Shape
from .problems import ThoughtProblem, ValueProblem, lesson_exercise

#: ``torch.nn.Conv2d(in_channels=3, out_channels=8, kernel_size=(5, 3))``: (out, in, height, width).
TORCH_WEIGHT_SHAPE = (8, 3, 5, 3)


@lesson_exercise("03_cross_correlation_and_conv_layers", 2)
class WeightShapeProblem(ValueProblem):
    """The weight shape of ``nn.Conv2d(3, 8, kernel_size=(5, 3))`` in PyTorch: (8, 3, 5, 3)."""

    expected = TORCH_WEIGHT_SHAPE
    answer = Shape()
    known_mistakes = [
        ((5, 3, 3, 8), "that is Flax's layout (height, width, in, out). PyTorch puts the channel axes "
                       "first: (out_channels, in_channels, height, width)."),
        ((3, 8, 5, 3), "in and out channels are swapped. PyTorch stores one kernel stack per OUTPUT "
                       "channel, so out_channels comes first."),
        ((8, 3, 3, 5), "height and width are swapped: kernel_size=(5, 3) means 5 rows and 3 columns."),
        ((8, 5, 3), "each of the 8 kernels has one 5x3 slice per input channel, so the shape needs the "
                    "in_channels axis too."),
        ((5, 3), "that is one kernel for one input and one output channel; this layer has 3 inputs and "
                 "8 outputs."),
        ((1, 3, 5, 3), "out_channels=8 means 8 separate kernels, stacked along the first axis."),
    ]
    title = "the weight shape of a PyTorch conv layer"
    hints = [
        "PyTorch's order is (out_channels, in_channels, kernel height, kernel width).",
        "Here in_channels=3, out_channels=8 and kernel_size=(5, 3) means height 5, width 3.",
        "Check yourself: tuple(torch.nn.Conv2d(3, 8, kernel_size=(5, 3)).weight.shape).",
    ]
    solution_text = """
        answer = (8, 3, 5, 3)   # (out_channels, in_channels, kernel height, kernel width)
        # MXNet Gluon: the same order, (8, 3, 5, 3), once the input has been seen.
        # Flax nn.Conv: (5, 3, 3, 8), i.e. (height, width, in, out).
    """


@lesson_exercise("03_cross_correlation_and_conv_layers", 3)
class BiasPerChannelProblem(ThoughtProblem):
    """Why a conv layer has one bias per output channel instead of one per output pixel."""

    title = "one bias per channel, not per pixel"
    hints = [
        "What happens to the output of a conv layer when the input is shifted by one pixel? "
        "Would that still hold with a different bias at every output position?",
        "How many parameters would a per-pixel bias need, and would the layer still accept images "
        "of another size?",
    ]
    solution_text = """
        The kernel is shared by every position, so shifting the input shifts the output by the
        same amount (translation equivariance). A single bias added everywhere keeps that
        property; a different bias per output pixel would make the layer treat positions
        differently, which is exactly the prior a conv layer is meant to build in.
        A per-pixel bias would also tie the layer to one image size (its bias array has the
        output's shape) and add H_out * W_out parameters per channel, often more than the kernel
        itself, while one scalar per output channel works for any input size.
    """
