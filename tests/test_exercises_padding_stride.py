"""Lesson 06 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

import math

import numpy as np

from course_utils import conv_output_size
from course_utils.arithmetic import same_padding
from course_utils.exercises import OutputSizeProblem, SamePadding28Problem
from course_utils.exercises.padding_stride import OUTPUT_SIZE_MISTAKES
from conftest import feedback_table_test, run_check


def test_output_size_expected_values_agree_with_conv_output_size():
    for case in OutputSizeProblem().cases():
        n, k, p, s = case.args
        assert OutputSizeProblem().expected(case) == conv_output_size(n, k, padding=p, stride=s)


def test_output_size_cases_tell_every_known_mistake_apart():
    """Each mistake is wrong somewhere, and no two mistakes agree on every case."""
    cases = OutputSizeProblem().cases()
    signatures = {}
    for name, formula, _ in OUTPUT_SIZE_MISTAKES:
        values = tuple(formula(*case.args) for case in cases)
        assert any(not math.isclose(v, conv_output_size(n, k, padding=p, stride=s))
                   for v, (n, k, p, s) in zip(values, (c.args for c in cases))), name
        assert values not in signatures.values(), (name, signatures)
        signatures[name] = values


OUTPUT_SIZE_ANSWERS = {
    "no floor": (lambda n, k, p, s: (n + 2 * p - k) / s + 1, r"the floor is missing"),
    "ceil": (lambda n, k, p, s: math.ceil((n + 2 * p - k) / s) + 1, r"steps was rounded up"),
    "round": (lambda n, k, p, s: round((n + 2 * p - k) / s) + 1, r"steps was rounded up"),
    "missing +1": (lambda n, k, p, s: (n + 2 * p - k) // s, r"the \+ 1 is missing"),
    "padding once": (lambda n, k, p, s: (n + p - k) // s + 1, r"padding is counted once.*BOTH sides"),
    "padding ignored": (lambda n, k, p, s: (n - k) // s + 1, r"padding is missing from your formula"),
    "stride ignored": (lambda n, k, p, s: n + 2 * p - k + 1, r"the stride is ignored"),
    "stride-1 size divided": (lambda n, k, p, s: (n + 2 * p - k + 1) // s, r"divided the stride-1 size"),
    "one too many": (lambda n, k, p, s: (n + 2 * p - k - 1) // s + 1, r"one too many is subtracted"),
    "forgot return": (lambda n, k, p, s: None, r"returned None: did you forget return"),
    "a pair": (lambda n, k, p, s: ((n + 2 * p - k) // s + 1,) * 2, r"return one number"),
    "a string": (lambda n, k, p, s: "4", r"returned str '4'"),
    "off somewhere": (lambda n, k, p, s: (n + 2 * p - k) // s + 1 + 5 * (n == 224), r"a hidden case.*returned 117 but"),
    "slip on one case": (lambda n, k, p, s: (n + 2 * p - k) // s + 1 + (n == 224),
                         r"a hidden case.*returned 113 instead of 112\. On this case that is what a common slip gives: "
                         r"the number of steps was rounded up"),
    "float but whole": (lambda n, k, p, s: float((n + 2 * p - k) // s + 1), None),  # 4.0 is fine
    "numpy int": (lambda n, k, p, s: np.int64((n + 2 * p - k) // s + 1), None),
    "ceil of stride-1 size": (lambda n, k, p, s: math.ceil((n + 2 * p - k + 1) / s), None),  # same numbers
}


test_output_size_mistakes = feedback_table_test(OutputSizeProblem, OUTPUT_SIZE_ANSWERS)


def test_output_size_message_names_the_first_case_where_the_mistake_shows(capsys):
    missing_floor = OUTPUT_SIZE_ANSWERS["no floor"][0]
    _, text = run_check(OutputSizeProblem(), missing_floor, capsys)
    assert "On n = 8, k = 3, p = 1, s = 2: your function returned 4.5 instead of 4" in text
    stride_divided = OUTPUT_SIZE_ANSWERS["stride-1 size divided"][0]
    _, text = run_check(OutputSizeProblem(), stride_divided, capsys)
    assert "On n = 7, k = 3, p = 0, s = 2: your function returned 2 instead of 3" in text


def test_output_size_error_in_learner_code_is_reported(capsys):
    def output_size(n, k, p, s):
        return (n + 2 * p - k) // 0

    result, text = run_check(OutputSizeProblem(), output_size, capsys)
    assert result is False and "raised ZeroDivisionError" in text


def test_same_padding_expected_value_matches_the_helper():
    assert SamePadding28Problem().expected == same_padding(5) == 2
    assert conv_output_size(28, 5, padding=2) == 28


