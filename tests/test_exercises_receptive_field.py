"""Lesson 10 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

import numpy as np

from course_utils.exercises import ReceptiveFieldRecurrenceProblem, StackFieldProblem
from course_utils.exercises.receptive_field import STACK_BY_HAND
from course_utils.receptive_field import Layer, receptive_field, receptive_field_by_gradient
from conftest import edited_solution, feedback_table_test, reference_function, run_check


def test_recurrence_cases_agree_with_the_gradient_measurement():
    for case in ReceptiveFieldRecurrenceProblem().cases():
        layers = case.args[0]
        assert receptive_field_by_gradient(layers, weights="positive").size[0] == receptive_field(layers)[-1].size


# Wrong versions a learner might write: the worked solution with one slip, or another sum.
right = reference_function(ReceptiveFieldRecurrenceProblem)
no_stride = edited_solution(ReceptiveFieldRecurrenceProblem, ("j = j * s", "j = j"))
jump_after = edited_solution(ReceptiveFieldRecurrenceProblem, ("(k - 1) * d * j", "(k - 1) * d * j * s"))
no_dilation = edited_solution(ReceptiveFieldRecurrenceProblem, ("(k - 1) * d * j", "(k - 1) * j"))


def add_kernels(layers):
    total, out = 0, []
    for k, s, d in layers:
        total += k
        out.append(total)
    return out


RECURRENCE_MISTAKES = {
    "no stride multiplier": (no_stride, r"forgot the stride multiplier"),
    "jump after the stride": (jump_after, r"multiplied by the jump after this layer's stride"),
    "no dilation": (no_dilation, r"left out the dilation"),
    "kernel sizes added": (add_kernels, r"you added the kernel sizes.*5x5, not 6x6"),
    "started at zero": (lambda layers: [v - 1 for v in right(layers)], r"one too small: start from r = 1"),
    "jumps returned": (lambda layers: [step.jump for step in receptive_field(layers)], r"those are the jumps"),
    "only the last size": (lambda layers: right(layers)[-1], r"size after the last layer is right, but return a list"),
    "a wrong single number": (lambda layers: 4, r"returned one number, 4; return a list"),
    "r_0 included": (lambda layers: [1] + right(layers), r"starts with r = 1 before the first layer"),
    "too short": (lambda layers: right(layers)[:-1], r"entries but there are \d+ layers"),
    "forgot return": (lambda layers: None, r"returned None: did you forget return sizes"),
    "2-d": (lambda layers: [right(layers)], r"return a flat list"),
    "other wrong value": (lambda layers: [v + (i == 1) for i, v in enumerate(right(layers))],
                          r"after layer 2 the size is 6 but should be 5"),
    "not numbers": (lambda layers: "big", r"returned the text 'big', not a list with one size per layer"),
    "tuple and floats": (lambda layers: tuple(float(v) for v in right(layers)), None),  # accepted
    "numpy array": (lambda layers: np.array(right(layers)), None),  # accepted
}


test_recurrence_mistakes = feedback_table_test(ReceptiveFieldRecurrenceProblem, RECURRENCE_MISTAKES)


def test_recurrence_wrong_only_on_hidden_cases_says_hidden(capsys):
    def wrong_for_kernel_7(layers):
        return no_stride(layers) if any(k == 7 for k, _, _ in layers) else right(layers)

    result, text = run_check(ReceptiveFieldRecurrenceProblem(), wrong_for_kernel_7, capsys)
    assert result is False and "hidden case" in text and "stride multiplier" in text


def test_stack_by_hand_matches_formula_and_gradient():
    assert StackFieldProblem().expected == receptive_field(STACK_BY_HAND)[-1].size == 23
    # with average pooling in place of the max pool, backpropagation measures the same field
    measured_stack = [Layer(3), Layer(3, stride=2), Layer(2, stride=2, kind="avg_pool"), Layer(3, dilation=2)]
    assert receptive_field_by_gradient(measured_stack, weights="positive").size == (23, 23)


def test_stack_mistakes_are_distinct_and_wrong():
    values = [value for value, _ in StackFieldProblem().known_mistakes]
    assert len(set(values)) == len(values) and 23 not in values
