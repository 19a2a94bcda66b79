"""Lesson 08 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

import numpy as np
import torch

import course_utils as cu
from course_utils.exercises import ConvParameterCountProblem, Corr2dMultiInOutProblem, WhyOneByOneProblem
from course_utils.exercises.channels import LESSON_K_STACK, LESSON_X, PARAMETER_LAYER
from course_utils.layer_cost import conv_parameter_count
from conftest import feedback_table_test, run_check


def test_lesson_example_is_the_one_of_the_lesson():
    assert np.array_equal(cu.corr2d_multi_in_out(LESSON_X, LESSON_K_STACK),
                          [[[56, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]])


def test_cases_cover_equal_channel_counts_a_1x1_kernel_and_single_channels():
    cases = Corr2dMultiInOutProblem().cases()
    kernels = [case.args[1].shape for case in cases]
    assert any(shape[0] == shape[1] and shape[2] == shape[3] > 1 for shape in kernels)  # swapped axes detectable
    assert any(shape[2:] == (1, 1) for shape in kernels)
    assert any(shape[0] == 1 for shape in kernels) and any(shape[1] == 1 for shape in kernels)
    assert any(shape[2] != shape[3] for shape in kernels)


def _per_input_maps(X, K):
    return [[cu.corr2d(X[i], K[o, i]) for i in range(X.shape[0])] for o in range(K.shape[0])]


def _right(X, K):
    return np.stack([sum(maps) for maps in _per_input_maps(X, K)])


def _swapped_axes(X, K):
    # K[i, o] instead of K[o, i]; with c_o != c_i it yields c_i maps (or fails).
    return np.stack([sum(cu.corr2d(X[i], K[i, o]) for i in range(min(X.shape[0], K.shape[0])))
                     for o in range(K.shape[1])])


def _with_torch(X, K):
    return torch.nn.functional.conv2d(torch.from_numpy(X)[None], torch.from_numpy(K))[0]


CODING_MISTAKES = {
    "no sum over inputs (c_o*c_i maps)": (
        lambda X, K: np.concatenate([np.stack(maps) for maps in _per_input_maps(X, K)]),
        r"one map for every \(output, input\) channel pair, c_o \* c_i = 3 \* 2"),
    "no sum over inputs (4-D)": (
        lambda X, K: np.array(_per_input_maps(X, K)), r"must SUM its 2\s+input-channel maps"),
    "swapped kernel axes": (_swapped_axes, r"as many as the INPUT|the kernel's first two axes are swapped"),
    "transposed kernel slices": (
        lambda X, K: _right(X, K.transpose(0, 1, 3, 2)), r"every kernel slice is transposed"),
    "returned a list": (lambda X, K: [sum(maps) for maps in _per_input_maps(X, K)],
                        r"returned a Python list of 3 NumPy arrays, not an array.*np\.stack"),
    "returned a tuple": (lambda X, K: tuple(_right(X, K)), r"Python tuple"),
    "forgot return": (lambda X, K: None, r"returned None"),
    "single map": (lambda X, K: _right(X, K).sum(axis=0), r"a single \(2, 2\) map, but there are 3 output channels"),
    "true convolution": (
        lambda X, K: np.stack([sum(cu.convolve2d(x, k) for x, k in zip(X, Ko)) for Ko in K]), r"true convolution"),
    "first input channel only": (
        lambda X, K: np.stack([cu.corr2d(X[0], K[o, 0]) for o in range(K.shape[0])]),
        r"only the first input channel contributes"),
    "mean over inputs": (lambda X, K: _right(X, K) / X.shape[0], r"averaged over the input channels"),
    "padded output": (
        lambda X, K: np.stack([sum(cu.corr2d(x, k, padding=1) for x, k in zip(X, Ko)) for Ko in K]),
        r"without padding"),
    "off by one value": (lambda X, K: _right(X, K) + (np.arange(K.shape[0]) == 2)[:, None, None],
                         r"output channel 2 is wrong"),
    "not numbers": (lambda X, K: "maps", r"returned the text 'maps', not a 3x2x2 array"),
    "torch's conv2d, a tensor result": (_with_torch, None),  # accepted: a framework's output
}


test_coding_mistakes = feedback_table_test(Corr2dMultiInOutProblem, CODING_MISTAKES)


def test_swapped_axes_with_equal_channel_counts_is_named(capsys):
    # Right on the visible cases, K[i, o] only where c_o == c_i (a hidden case): the message names the swap.
    def swapped_when_square(X, K):
        if K.shape[0] == K.shape[1]:
            return _right(X, K.transpose(1, 0, 2, 3))
        return _right(X, K)

    result, text = run_check(Corr2dMultiInOutProblem(), swapped_when_square, capsys)
    assert result is False
    assert "hidden case" in text and "first two axes are swapped" in text


def test_parameter_count_matches_torch():
    layer = torch.nn.Conv2d(PARAMETER_LAYER["in_channels"], PARAMETER_LAYER["out_channels"],
                            PARAMETER_LAYER["kernel_size"])
    assert ConvParameterCountProblem().expected == sum(p.numel() for p in layer.parameters()) == 73856


def test_bottleneck_numbers_in_the_discussion_are_right():
    text = WhyOneByOneProblem().solution_text
    bottleneck = sum(conv_parameter_count(c_in, c_out, k, bias=False)
                     for c_in, c_out, k in [(256, 64, 1), (64, 64, 3), (64, 256, 1)])
    plain = conv_parameter_count(256, 256, 3, bias=False)
    assert (bottleneck, plain) == (69632, 589824)
    assert "69632" in text and "589824" in text
