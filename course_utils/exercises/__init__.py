"""Exercises with automatic, friendly checking.

In a lesson::

    from course_utils import exercises
    q1, q2 = exercises.bind("00_getting_started")
    q1.check(valid_output_shape)   # prints feedback, returns True/False
    q1.hint()                      # tiered hints: q1.hint(2), q1.hint(3)
    q1.solution()                  # the reference solution

Each lesson's problems are listed in :data:`LESSON_PROBLEMS`; the problem classes
live in one module per topic.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Tuple

from .channels import ConvParameterCountProblem, Corr2dMultiInOutProblem, WhyOneByOneProblem
from .conv2d_torch import Conv2dTorchProblem
from .conv_layers import BiasPerChannelProblem, WeightShapeProblem
from .convolution_maths import Convolve1dProblem, TopLeftConvolutionProblem, WhyCrossCorrelationProblem
from .dilation import DilateKernelProblem, EffectiveSizeProblem, GriddingProblem
from .edge_detection import EdgeValueProblem, HorizontalEdgesProblem, ZeroSumKernelsProblem
from .fast_convolution import ArithmeticIntensityProblem, Im2colProblem, LayerWorkProblem
from .feedback import Feedback
from .from_mlp import ConvMatrixProblem, DenseParameterCountProblem, PriceOfConvolutionProblem
from .invariance import BiologicalFiltersProblem, PoolingShiftProblem, ShiftRightProblem
from .learning_a_kernel import CriticalLearningRateProblem, KernelGradientProblem, WhyLossExplodedProblem
from .output_shape import OutputShapeProblem
from .padding_stride import OutputSizeProblem, SamePadding28Problem, StrideLosesInformationProblem
from .pooling import MaxOrAveragePoolingProblem, Pool2dByOffsetsProblem, PoolingLayerShapeProblem
from .problems import Case, CodingProblem, Problem, ThoughtProblem, ValueProblem
from .receptive_field import ReceptiveFieldRecurrenceProblem, SmallKernelsProblem, StackFieldProblem

#: lesson name -> the problem classes it binds, in order (q1, q2, ...).
LESSON_PROBLEMS: Dict[str, List[Callable[[], Problem]]] = {
    "00_getting_started": [OutputShapeProblem],
    "01_convolution_maths": [Convolve1dProblem, TopLeftConvolutionProblem, WhyCrossCorrelationProblem],
    "02_from_mlp_to_convolution": [ConvMatrixProblem, DenseParameterCountProblem, PriceOfConvolutionProblem],
    "03_cross_correlation_and_conv_layers": [Conv2dTorchProblem, WeightShapeProblem, BiasPerChannelProblem],
    "04_edge_detection": [HorizontalEdgesProblem, EdgeValueProblem, ZeroSumKernelsProblem],
    "05_learning_a_kernel": [CriticalLearningRateProblem, KernelGradientProblem, WhyLossExplodedProblem],
    "06_padding_and_stride": [OutputSizeProblem, SamePadding28Problem, StrideLosesInformationProblem],
    "07_dilation": [DilateKernelProblem, EffectiveSizeProblem, GriddingProblem],
    "08_channels": [Corr2dMultiInOutProblem, ConvParameterCountProblem, WhyOneByOneProblem],
    "09_pooling": [Pool2dByOffsetsProblem, PoolingLayerShapeProblem, MaxOrAveragePoolingProblem],
    "10_receptive_field": [ReceptiveFieldRecurrenceProblem, StackFieldProblem, SmallKernelsProblem],
    "11_trained_filters_and_invariance": [ShiftRightProblem, PoolingShiftProblem, BiologicalFiltersProblem],
    "12_fast_convolution": [Im2colProblem, LayerWorkProblem, ArithmeticIntensityProblem],
}


def bind(lesson: str) -> Tuple[Problem, ...]:
    """Fresh problem objects for ``lesson``, numbered q1, q2, ... in order."""
    if lesson not in LESSON_PROBLEMS:
        known = ", ".join(sorted(LESSON_PROBLEMS))
        raise ValueError(f"lesson must be one of: {known}; got {lesson!r}")
    problems = tuple(make() for make in LESSON_PROBLEMS[lesson])
    for number, problem in enumerate(problems, start=1):
        problem.number = number
    return problems


__all__ = [
    "LESSON_PROBLEMS",
    "ArithmeticIntensityProblem",
    "BiasPerChannelProblem",
    "BiologicalFiltersProblem",
    "Case",
    "CodingProblem",
    "Conv2dTorchProblem",
    "ConvMatrixProblem",
    "ConvParameterCountProblem",
    "Convolve1dProblem",
    "Corr2dMultiInOutProblem",
    "CriticalLearningRateProblem",
    "DenseParameterCountProblem",
    "DilateKernelProblem",
    "EdgeValueProblem",
    "EffectiveSizeProblem",
    "Feedback",
    "GriddingProblem",
    "HorizontalEdgesProblem",
    "Im2colProblem",
    "KernelGradientProblem",
    "LayerWorkProblem",
    "MaxOrAveragePoolingProblem",
    "OutputShapeProblem",
    "OutputSizeProblem",
    "Pool2dByOffsetsProblem",
    "PriceOfConvolutionProblem",
    "PoolingLayerShapeProblem",
    "PoolingShiftProblem",
    "Problem",
    "ReceptiveFieldRecurrenceProblem",
    "SamePadding28Problem",
    "ShiftRightProblem",
    "SmallKernelsProblem",
    "StackFieldProblem",
    "StrideLosesInformationProblem",
    "ThoughtProblem",
    "TopLeftConvolutionProblem",
    "ValueProblem",
    "WeightShapeProblem",
    "WhyCrossCorrelationProblem",
    "WhyLossExplodedProblem",
    "WhyOneByOneProblem",
    "ZeroSumKernelsProblem",
    "bind",
]
