"""What every exercise of a kind must do, tested once from tables (a new exercise adds rows, not tests).

- Value exercises (a number or a shape): every answer in :data:`VALUE_ANSWERS` gets its feedback, and
  each problem's worked solution assigns an ``answer`` that passes.
- Thought questions: no automatic check, tiered hints, and a discussion holding the phrases of
  :data:`THOUGHT_DISCUSSIONS`.
- Coding exercises: the untouched stub is "Not attempted yet", and writing into an array argument
  is reported, naming the argument.

A problem's number (q1, q2, ...) is its position in ``exercises.LESSON_PROBLEMS``, as ``bind`` gives it.
Lesson-specific checks (worked numbers, mistake catalogues of coding exercises) stay in
tests/test_exercises_<topic>.py.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Tuple

import numpy as np
import pytest
import torch

from conftest import reference_function, run_check, solution_namespace
from course_utils.exercises import LESSON_PROBLEMS, CodingProblem, ThoughtProblem, ValueProblem
from course_utils.exercises import (ArithmeticIntensityProblem, BiasPerChannelProblem, BiologicalFiltersProblem,
                                    CheckerboardProblem, ConvParameterCountProblem, CriticalLearningRateProblem,
                                    DenseParameterCountProblem, EdgeValueProblem, EffectiveSizeProblem,
                                    GriddingProblem, LayerWorkProblem, MaxOrAveragePoolingProblem,
                                    PoolingLayerShapeProblem, PoolingShiftProblem, PriceOfConvolutionProblem,
                                    SamePadding28Problem, SeparableBlockParametersProblem, SmallKernelsProblem,
                                    StackFieldProblem, StrideLosesInformationProblem, TopLeftConvolutionProblem,
                                    TransposedSizeProblem, WeightShapeProblem, WhyCrossCorrelationProblem,
                                    WhyLossExplodedProblem, WhyOneByOneProblem, ZeroSumKernelsProblem)
from course_utils.exercises.edge_detection import EDGE_VALUE_IMAGE
from course_utils.exercises.efficient_layers import SEPARABLE_BLOCK
from course_utils.exercises.fast_convolution import WORK_LAYER

PROBLEM_CLASSES = [cls for classes in LESSON_PROBLEMS.values() for cls in classes]
VALUE_PROBLEMS = [cls for cls in PROBLEM_CLASSES if issubclass(cls, ValueProblem)]
THOUGHT_PROBLEMS = [cls for cls in PROBLEM_CLASSES if issubclass(cls, ThoughtProblem)]
CODING_PROBLEMS = [cls for cls in PROBLEM_CLASSES if issubclass(cls, CodingProblem)]
NUMBER = {cls: position for classes in LESSON_PROBLEMS.values() for position, cls in enumerate(classes, start=1)}


def numbered(problem_class):
    """A fresh problem numbered as ``bind`` numbers it, so its messages say q1, q2, ..."""
    problem = problem_class()
    problem.number = NUMBER[problem_class]
    return problem


# -- value exercises ------------------------------------------------------------------------------------

# Lesson 12's layer and lesson 14's block, for the answers written as the slips that produce them.
N, C_IN_12, C_OUT_12, SIZE, K_12 = (WORK_LAYER[key] for key in ("batch", "in_channels", "out_channels", "size",
                                                                 "kernel"))
OUT_12 = SIZE - K_12 + 1
EXPECTED_WORK = N * C_OUT_12 * C_IN_12 * K_12 * K_12 * OUT_12 * OUT_12
C_IN, C_OUT, K = (SEPARABLE_BLOCK[key] for key in ("in_channels", "out_channels", "kernel_size"))

NOT_ATTEMPTED = [(..., False, r"Not attempted yet"), (None, False, r"Not attempted yet")]

#: problem -> (answer, whether it is right, a regular expression the feedback must match)
VALUE_ANSWERS: Dict[type, List[Tuple[Any, bool, str]]] = {
    TopLeftConvolutionProblem: [
        (5, True, r"^Correct: 5 is right\."),
        (np.float32(5.0), True, r"^Correct: 5\.0 is right\."),
        (np.array([[5.0]]), True, r"is right"),
        (19, False, r"that is the cross-correlation.*flips the\s+kernel"),
        (7, False, r"flipped upside down only"),
        (17, False, r"flipped left-right only"),
        (43, False, r"bottom-right value"),
        ("5", False, r"^Not yet: you passed the text '5'; pass the number 5 \(no quotes\)\."),
        (5 + 1e-6, False, r"is not right"),  # stated tolerance: 1e-9
        (6, False, r"q2\.hint\(\)"),
        ("five", False, r"^Not yet: you passed the text 'five'; pass a number\."),
        (True, False, r"^Not yet: you passed True, a truth value; pass a number\."),
        (np.zeros(2), False, r"^Not yet: you passed an array of shape \(2,\); pass a number, a single value\."),
        *NOT_ATTEMPTED,
    ],
    DenseParameterCountProblem: [
        (50_348_032, True, r"^Correct: 50348032 is right\."),
        (50_348_032.0, True, r"is right"),
        (np.int64(50_348_032), True, r"is right"),
        (np.array([50_348_032]), True, r"is right"),
        (3072 * 16384, False, r"counts the weights only"),
        (3072 * 16384 + 3072, False, r"one bias per OUTPUT value, not per input value"),
        (3072 * 16384 + 16, False, r"one bias per output channel, as in a conv layer"),
        (1024 * 16384 + 16384, False, r"the input has 3 channels"),
        (3072 * 1024 + 1024, False, r"the output has 16 channels"),
        (1024 * 1024 + 1024, False, r"channels are missing on both sides"),
        (3073, False, r"the count for ONE output value"),
        (448, False, r"that is the 3x3 convolution layer"),
        (432, False, r"weight count of a 3x3 convolution layer"),
        (12345, False, r"q2\.hint\(\)"),
        (50_348_032 + 100, False, r"q2\.hint\(\)"),  # counts compare exactly, not within a relative tolerance
        (5.5, False, r"^Not yet: 5\.5 is not right: the answer is a whole number of parameters\."),
        (True, False, r"^Not yet: you passed True, a truth value; pass a whole number of parameters\."),
        ("50348032", False, r"^Not yet: you passed the text '50348032'; pass the number 50348032 \(no quotes\)\."),
        *NOT_ATTEMPTED,
    ],
    WeightShapeProblem: [
        ((8, 3, 5, 3), True, r"^Correct"),
        ([8, 3, 5, 3], True, r"^Correct"),
        (torch.Size([8, 3, 5, 3]), True, r"^Correct"),
        ((5, 3, 3, 8), False, r"Flax's layout"),
        ((3, 8, 5, 3), False, r"in and out channels are swapped"),
        ((8, 3, 3, 5), False, r"height and width are swapped"),
        ((8, 5, 3), False, r"needs the in_channels axis"),
        ((5, 3), False, r"one kernel for one input and one output channel"),
        ((1, 3, 5, 3), False, r"8 separate kernels"),
        ((8, 3, 5, 4), False, r"is not right\."),
        ("8, 3, 5, 3", False, r"you passed the text '8, 3, 5, 3'; pass a shape such as \(2, 3, 4, 5\), a tuple of "
                              r"ints"),
        ((8.0, 3, 5, 3), False, r"a shape holds ints, and \(8\.0, 3, 5, 3\) contains 8\.0 \(float\)"),
        (7, False, r"you passed int 7; pass a shape such as \(2, 3, 4, 5\), a tuple of ints"),
        (None, False, r"Not attempted yet"),
    ],
    EdgeValueProblem: [
        (6, True, r"^Correct: 6 is right\."),
        (np.float64(6.0), True, r"is right"),
        (np.array([[6]]), True, r"is right"),
        (-6, False, r"the sign is flipped.*left minus right"),
        (-4, False, r"starts one column too early"),
        (0, False, r"starts one column too late"),
        (4, False, r"compares a pixel with the one BELOW"),
        (12, False, r"adds the two pixels"),
        (-5, False, r"counts rows and columns from 1"),
        (7, False, r"q2\.hint\(\)"),
        ("six", False, r"^Not yet: you passed the text 'six'; pass a number\."),
        ("6", False, r"^Not yet: you passed the text '6'; pass the number 6 \(no quotes\)\."),
        (np.zeros(3), False, r"^Not yet: you passed an array of shape \(3,\); pass a number, a single value\."),
        *NOT_ATTEMPTED,
    ],
    CriticalLearningRateProblem: [
        (0.2, True, r"^Correct: 0\.2 is right\."),
        (0.2 * (1 + 5e-7), True, r"is right"),  # stated tolerance: relative 1e-6
        (0.2 * (1 + 2e-6), False, r"is not right"),
        (2 / 10, True, r"is right"),
        (np.float32(0.2), True, r"is right"),
        (np.array([0.2]), True, r"is right"),
        (0.4, False, r"without the factor 2"),
        (0.1, False, r"1 / lambda_max"),
        (1.0, False, r"2 / lambda_min.*slowest direction"),
        (0.5, False, r"1 / lambda_min"),
        (2.0, False, r"smallest eigenvalue of sum p p\^T without the factor 2"),
        (0.8, False, r"critical rate of the mean loss"),
        (2 / 12, False, r"balanced rate"),
        (2 / 6, False, r"diagonal entry of H"),
        (10, False, r"lambda_max itself"),
        (0.3, False, r"q1\.hint\(\)"),
        ("fast", False, r"^Not yet: you passed the text 'fast'; pass a number\."),
        ("0.2", False, r"^Not yet: you passed the text '0\.2'; pass the number 0\.2 \(no quotes\)\."),
        (True, False, r"^Not yet: you passed True, a truth value; pass a number\."),
        (np.zeros(2), False, r"^Not yet: you passed an array of shape \(2,\); pass a number, a single value\."),
        *NOT_ATTEMPTED,
    ],
    SamePadding28Problem: [
        (2, True, r"^Correct: 2 is right\."),
        (np.int64(2), True, r"is right"),
        ((2, 2), True, r"is right"),
        (4, False, r"total k - 1 = 4 .* gives 28 \+ 2\*4 - 5 \+ 1 = 32"),
        (5, False, r"p = k gives .* = 34"),
        (2.5, False, r"not a whole number of rows"),
        (1, False, r"keeps the size for a 3x3 kernel"),
        (3, False, r"one too many: .* = 30"),
        (0, False, r"shrinks to 28 - 5 \+ 1 = 24"),
        (7, False, r"q2\.hint\(\)"),
        ("two", False, r"^Not yet: you passed the text 'two'; pass a whole number of pixels\."),
        (True, False, r"^Not yet: you passed True, a truth value; pass a whole number of pixels\."),
        ((1, 2), False, r"^Not yet: you passed \(1, 2\), two different numbers; pass one number, the same for both "
                        r"sides\."),
        *NOT_ATTEMPTED,
    ],
    EffectiveSizeProblem: [
        (13, True, r"^Correct: 13 is right\."),
        (np.int64(13), True, r"is right"),
        (13.0, True, r"^Correct: 13 is right\."),
        (13.5, False, r"^Not yet: 13\.5 is not right: the answer is a whole number of pixels\."),
        ((13, 13), True, r"is right"),
        (15, False, r"k \* d = 5 \* 3"),
        (11, False, r"kernel size and the dilation are\s+swapped"),
        (17, False, r"d zeros in every gap"),
        (12, False, r"add 1"),
        (169, False, r"number of cells, 13 x 13"),
        (25, False, r"number of parameters"),
        (14, False, r"q2\.hint\(\)"),
        ((13, 15), False, r"^Not yet: you passed \(13, 15\), two different numbers; pass one number, the same for "
                          r"both sides\."),
        ("13", False, r"^Not yet: you passed the text '13'; pass the number 13 \(no quotes\)\."),
        (("13", "13"), False, r"^Not yet: you passed the text '13'; pass the number 13 \(no quotes\)\."),
        (True, False, r"^Not yet: you passed True, a truth value; pass a whole number of pixels\."),
        *NOT_ATTEMPTED,
    ],
    ConvParameterCountProblem: [
        (73856, True, r"73856 is right"),
        (np.int64(73856), True, r"is right"),
        (73856.0, True, r"is right"),
        (torch.tensor(73856), True, r"is right"),
        (73728, False, r"weights only.*one bias per output channel"),
        (1280, False, r"one 3x3 kernel per output channel\. Each output channel has a 3x3 slice for\s+EVERY"),
        (1152, False, r"one 3x3 kernel per output channel, without biases"),
        (73792, False, r"one bias per OUTPUT channel"),
        (81920, False, r"not one per \(output, input\) pair"),
        (24704, False, r"has 9 weights, not 3"),
        (577, False, r"count for one output channel; the layer has 128"),
        (12345, False, r"q2\.hint\(\)"),
        (73856.5, False, r"^Not yet: 73856\.5 is not right: the answer is a whole number of parameters\."),
        ("73856", False, r"^Not yet: you passed the text '73856'; pass the number 73856 \(no quotes\)\."),
        (True, False, r"^Not yet: you passed True, a truth value; pass a whole number of parameters\."),
        ([1, 2], False, r"^Not yet: you passed list \[1, 2\]; pass a whole number of parameters\."),
        *NOT_ATTEMPTED,
    ],
    PoolingLayerShapeProblem: [
        ((8, 16, 10, 10), True, r"is right"),
        ([8, 16, 10, 10], True, r"is right"),
        (torch.Size([8, 16, 10, 10]), True, r"is right"),
        (np.array([8, 16, 10, 10]), False, r"^Not yet: you passed ndarray array\(\[ 8, 16, 10, 10\]\); pass a shape "
                                           r"such as \(2, 3, 4, 5\), a tuple of ints\."),
        ((8, 16, 28, 28), False, r"shape for stride 1.*window size"),
        ((8, 16, 14, 14), False, r"^Not yet: \(8, 16, 14, 14\) is not right: that is the shape for stride 2, a common "
                                 r"choice"),
        ((8, 16, 26, 26), False, r"stride 1 without the padding"),
        ((8, 16, 9, 9), False, r"padding is missing"),
        ((8, 16, 11, 11), False, r"one too many"),
        ((8, 1, 10, 10), False, r"pooling keeps every channel"),
        ((10, 10), False, r"Give the full shape"),
        ((8, 16, 12, 12), False, r"q2\.hint\(\)"),
        ("8x16x10x10", False, r"^Not yet: you passed the text '8x16x10x10'; pass a shape such as \(2, 3, 4, 5\), a "
                              r"tuple of ints\."),
        ((8, 16, 10.5, 10), False, r"^Not yet: a shape holds ints, and \(8, 16, 10\.5, 10\) contains 10\.5 "
                                   r"\(float\)\."),
        ((8, 16, 10.0, 10), False, r"contains 10\.0 \(float\)"),
        ((n for n in (8, 16, 10, 10)), False, r"^Not yet: you passed a generator; pass a shape such as"),
        (10, False, r"^Not yet: you passed int 10; pass a shape such as \(2, 3, 4, 5\), a tuple of ints\."),
        *NOT_ATTEMPTED,
    ],
    StackFieldProblem: [
        (23, True, r"^Correct: 23 is right\."),
        (np.int64(23), True, r"is right"),
        (23.0, True, r"is right"),
        (10, False, r"forgets the stride multiplier"),
        (11, False, r"adds the kernel sizes"),
        (13, False, r"2 slips give: it adds the dilated kernel sizes.*or it leaves out the 2x2 pooling layer"),
        (15, False, r"leaves out the dilation 2"),
        (22, False, r"one too small: start from r = 1"),
        (27, False, r"jump after each layer's own stride"),
        (24, False, r"q2\.hint\(\)"),
        ("23x23", False, r"^Not yet: you passed the text '23x23'; pass a whole number of pixels\."),
        (np.array([23, 23]), False, r"^Not yet: you passed an array of shape \(2,\); pass a whole number of pixels, "
                                    r"a single value\."),
        *NOT_ATTEMPTED,
    ],
    PoolingShiftProblem: [
        (3, True, r"is right"),
        (3.0, True, r"is right"),
        (1, False, r"across the borders of the 3x3 pooling windows"),
        (2, False, r"Only a whole number of strides"),
        (9, False, r"window's area"),
        (6, False, r"a smaller shift does too"),
        (0, False, r"smallest positive shift"),
        (4, False, r"is not right\."),
        (2.5, False, r"^Not yet: 2\.5 is not right: the answer is a whole number of pixels\."),
        ("3", False, r"^Not yet: you passed the text '3'; pass the number 3 \(no quotes\)\."),
    ],
    LayerWorkProblem: [
        (EXPECTED_WORK, True, r"is right"),
        (float(EXPECTED_WORK), True, r"is right"),
        (np.int64(EXPECTED_WORK), True, r"is right"),
        (2 * EXPECTED_WORK, False, r"floating-point operations"),
        (N * C_OUT_12 * C_IN_12 * K_12 * K_12 * SIZE * SIZE, False, r"uses the input size 56x56 for the output"),
        (EXPECTED_WORK // N, False, r"that is one image"),
        (N * C_OUT_12 * K_12 * K_12 * OUT_12 * OUT_12, False, r"forgets the input channels"),
        (N * C_OUT_12 * C_IN_12 * K_12 * OUT_12 * OUT_12, False, r"a 3x3 kernel has 9"),
        (12345, False, r"q2\.hint\(\)"),
        (1.5, False, r"^Not yet: 1\.5 is not right: the answer is a whole number of multiply-adds\."),
        (True, False, r"^Not yet: you passed True, a truth value; pass a whole number of multiply-adds\."),
        (EXPECTED_WORK + 1, False, r"^Not yet: 859963393 is not right\."),  # counts compare exactly
        (str(EXPECTED_WORK), False, r"^Not yet: you passed the text '859963392'; pass the number 859963392 "
                                    r"\(no quotes\)\."),
        *NOT_ATTEMPTED,
    ],
    TransposedSizeProblem: [
        (14, True, r"14 is right"),
        ((14, 14), True, r"14 is right"),
        (14.0, True, r"14 is right"),
        (13, False, r"output_padding is missing"),
        (18, False, r"the padding was not subtracted"),
        (22, False, r"the padding was added \(\+2p\)"),
        (16, False, r"subtracted once"),
        (15, False, r"n \* s = 5 \* 3"),
        (2, False, r"the size of an ordinary convolution"),
        (17, False, r"uses n s where the formula has \(n - 1\) s"),
        (12, False, r"12 is not right\."),
        ("14", False, r"text"),
    ],
    SeparableBlockParametersProblem: [
        (2432, True, r"2432 is right"),
        (2432.0, True, r"is right"),
        (C_IN * K * K + C_OUT * C_IN, False, r"counts the weights only"),
        (2432 - C_IN, False, r"the depthwise layer has biases too"),
        (2432 - C_OUT, False, r"the pointwise layer has biases too"),
        (C_IN * C_IN * K * K + C_IN + C_OUT * C_IN + C_OUT, False, r"counts the depthwise layer as a dense 32 -> 32 "
                                                                   r"layer"),
        (C_OUT * C_IN * K * K + C_OUT, False, r"that is the standard 3x3 layer from 32 to 64"),
        (C_IN * K * K + C_IN, False, r"the depthwise layer alone"),
        (C_OUT * C_IN + C_OUT, False, r"the pointwise layer alone"),
        (C_IN * K * K + C_IN + C_OUT * C_IN * K * K + C_OUT, False, r"the pointwise layer is 1x1"),
        (K * K + 1 + C_OUT * C_IN + C_OUT, False, r"for EACH of its 32 channels"),
        (2433, False, r"q1\.hint\(\)"),
        ("2432", False, r"pass the number 2432 \(no quotes\)"),
        (None, False, r"Not attempted yet"),
    ],
}

VALUE_ROWS = [(cls, *row) for cls, rows in VALUE_ANSWERS.items() for row in rows]


def _answer_id(answer) -> str:
    """A test id that is the same in every pytest-xdist worker (no object addresses)."""
    text = repr(answer)
    return type(answer).__name__ if " at 0x" in text else text


def test_every_value_exercise_has_answers_in_the_table():
    assert set(VALUE_ANSWERS) == set(VALUE_PROBLEMS)
    for problem_class, rows in VALUE_ANSWERS.items():
        assert any(ok for _, ok, _ in rows) and any(not ok for _, ok, _ in rows), problem_class.__name__


@pytest.mark.parametrize("problem_class, answer, ok, message", VALUE_ROWS,
                         ids=[f"{row[0].__name__}-{_answer_id(row[1])}" for row in VALUE_ROWS])
def test_value_answer_gets_its_feedback(problem_class, answer, ok, message, capsys):
    result, text = run_check(numbered(problem_class), answer, capsys)
    assert result is ok, text
    assert text.startswith("Correct: " if ok else ("Not yet: ", "Not attempted yet: ")), text
    assert re.search(message, text, re.DOTALL), f"expected /{message}/ in:\n{text}"


#: Names a value exercise's worked solution reads from the lesson (defined in its earlier cells).
SOLUTION_INPUTS: Dict[type, Dict[str, Any]] = {EdgeValueProblem: {"X_small": EDGE_VALUE_IMAGE}}


@pytest.mark.parametrize("problem_class", VALUE_PROBLEMS, ids=lambda cls: cls.__name__)
def test_value_solution_assigns_an_answer_that_passes(problem_class, capsys):
    problem = numbered(problem_class)
    inputs = {name: np.copy(value) for name, value in SOLUTION_INPUTS.get(problem_class, {}).items()}
    result, text = run_check(problem, solution_namespace(problem, **inputs)["answer"], capsys)
    assert result is True, text


# -- thought questions ----------------------------------------------------------------------------------

#: problem -> (how many hints it has, phrases its discussion must contain)
THOUGHT_DISCUSSIONS: Dict[type, Tuple[int, Tuple[str, ...]]] = {
    WhyCrossCorrelationProblem: (2, ("learned",)),
    PriceOfConvolutionProblem: (2, ("Locality", "Weight sharing")),
    BiasPerChannelProblem: (2, ("translation equivariance",)),
    ZeroSumKernelsProblem: (2, ("sum to 0", "doubles")),
    WhyLossExplodedProblem: (3, ("10.24", "2/84", "mean")),
    StrideLosesInformationProblem: (3, ("row 7", "ignored_input_size")),
    GriddingProblem: (3, ("hybrid dilated convolution",)),
    WhyOneByOneProblem: (3, ("fully connected",)),
    MaxOrAveragePoolingProblem: (3, ("global average pooling", "3/16")),
    SmallKernelsProblem: (2, ("18", "25", "nonlinearity")),
    BiologicalFiltersProblem: (2, ("primary visual cortex", "backpropagation")),
    ArithmeticIntensityProblem: (2, ("GEMM",)),
    CheckerboardProblem: (3, ("4, 2 or 1 taps", "divisible by the stride", "resize then convolve")),
}


def test_every_thought_question_is_in_the_table():
    assert set(THOUGHT_DISCUSSIONS) == set(THOUGHT_PROBLEMS)


@pytest.mark.parametrize("problem_class", THOUGHT_PROBLEMS, ids=lambda cls: cls.__name__)
def test_thought_question_has_hints_and_a_discussion(problem_class, capsys):
    hint_count, phrases = THOUGHT_DISCUSSIONS[problem_class]
    problem = numbered(problem_class)
    name = f"q{problem.number}"
    for answer in ("my answer", ...):
        result, text = run_check(problem, answer, capsys)
        assert result is False and "no automatic check" in text and f"{name}.solution()" in text, text
    assert bool(problem.check()) is False and "no automatic check" in capsys.readouterr().out
    problem.hint(hint_count)
    text = capsys.readouterr().out
    assert f"({hint_count} of {hint_count})" in text and f"Still stuck? {name}.solution()" in text, text
    problem.solution()
    text = capsys.readouterr().out
    for phrase in phrases:
        assert phrase in text, (phrase, text)


# -- coding exercises -----------------------------------------------------------------------------------

def untouched_stub(*args):
    # your code here
    raise NotImplementedError("replace this line with your code")


@pytest.mark.parametrize("problem_class", CODING_PROBLEMS, ids=lambda cls: cls.__name__)
def test_untouched_stub_is_not_attempted(problem_class, capsys):
    problem = numbered(problem_class)
    result, text = run_check(problem, untouched_stub, capsys)
    assert result is False and text.startswith("Not attempted yet"), text
    assert f"{problem.name}.hint()" in text, text


def _array_arguments(problem_class):
    first_case = problem_class().cases()[0]
    return [(problem_class, index) for index, value in enumerate(first_case.args)
            if isinstance(value, (np.ndarray, torch.Tensor))]


INPUT_ARRAYS = [pair for cls in CODING_PROBLEMS for pair in _array_arguments(cls)]


def test_every_coding_exercise_with_array_inputs_is_covered():
    # Only the arithmetic warm-ups (sizes and layer lists in, numbers out) take no array.
    without_arrays = {cls.__name__ for cls in CODING_PROBLEMS} - {cls.__name__ for cls, _ in INPUT_ARRAYS}
    assert without_arrays == {"OutputShapeProblem", "OutputSizeProblem", "ReceptiveFieldRecurrenceProblem"}


@pytest.mark.parametrize("problem_class, index", INPUT_ARRAYS,
                         ids=[f"{cls.__name__}-{index}" for cls, index in INPUT_ARRAYS])
def test_writing_into_an_input_array_is_reported(problem_class, index, capsys):
    right = reference_function(problem_class)

    def writes_into_its_input(*args):
        result = right(*args)
        args[index][...] = args[index] + 1  # after the right result: only the changed input is wrong
        return result

    problem = problem_class()
    result, text = run_check(problem, writes_into_its_input, capsys)
    assert result is False, text
    assert f"changed its input {problem.argument_names[index]}" in text, text
