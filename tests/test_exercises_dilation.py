"""Lesson 07 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

import numpy as np

from course_utils.dilation import dilate_kernel, effective_kernel_size
from course_utils.exercises import DilateKernelProblem, EffectiveSizeProblem, GriddingProblem
from conftest import feedback_table_test, run_check


def test_dilate_cases_can_tell_the_mistakes_apart():
    cases = DilateKernelProblem().cases()
    for case in cases:
        kernel, d = case.args
        assert np.all(kernel != 0), "a zero tap would look like a hole"
    assert any(c.args[1] == 1 for c in cases) and any(c.args[0].shape == (1, 1) for c in cases)
    assert any(c.args[0].shape[0] != c.args[0].shape[1] for c in cases if not c.hidden)
    assert any(not np.allclose(c.args[0], c.args[0].T) for c in cases if not c.hidden)


def _loops(kernel, d):
    kh, kw = kernel.shape
    dense = np.zeros((d * (kh - 1) + 1, d * (kw - 1) + 1))
    for a in range(kh):
        for b in range(kw):
            dense[d * a, d * b] = kernel[a, b]
    return dense


def _d_zeros(kernel, d):  # d zeros between taps: taps d + 1 apart
    kh, kw = kernel.shape
    dense = np.zeros(((d + 1) * (kh - 1) + 1, (d + 1) * (kw - 1) + 1))
    dense[:: d + 1, :: d + 1] = kernel
    return dense


def _kron_after(kernel, d):  # every tap owns a d x d block, tap in its top-left corner
    block = np.zeros((d, d))
    block[0, 0] = 1
    return np.kron(kernel, block)


def _kron_before(kernel, d):
    block = np.zeros((d, d))
    block[-1, -1] = 1
    return np.kron(kernel, block)


def _ones_in_holes(kernel, d):
    dense = np.ones((d * (kernel.shape[0] - 1) + 1, d * (kernel.shape[1] - 1) + 1))
    dense[::d, ::d] = kernel
    return dense


def _integer_output(kernel, d):
    dense = np.zeros((d * (kernel.shape[0] - 1) + 1, d * (kernel.shape[1] - 1) + 1), dtype=int)
    dense[::d, ::d] = kernel
    return dense


DILATE_MISTAKES = {
    "d zeros between taps": (_d_zeros, r"you put d zeros between neighbouring taps.*only d - 1 = 1 zero:"),
    "padding around the outside": (lambda k, d: np.pad(_loops(k, d), d - 1), r"zeros around the outside"),
    "zeros after the last tap": (_kron_after, r"k \* d per axis: .*after the last tap"),
    "zeros before the first tap": (_kron_before, r"k \* d per axis: .*before the first tap"),
    "transposed": (lambda k, d: _loops(k, d).T, r"your kernel is transposed"),
    "transposed kernel first": (lambda k, d: _loops(k.T, d), r"your kernel is transposed"),
    "d ignored": (lambda k, d: k.copy(), r"returned the kernel unchanged: d was not used"),
    "ones in the holes": (_ones_in_holes, r"the hole at \[0, 1\] holds 1 instead of 0.*np\.zeros"),
    "integer output": (_integer_output, r"your output is int64 but the kernel is float64, which drops the fractions: "
                                        r"create it with dtype=kernel\.dtype"),
    "forgot return": (lambda k, d: None, r"returned None: did you forget return dense"),
    "3-d result": (lambda k, d: _loops(k, d)[None], r"return a 2-D array"),
    "not numbers": (lambda k, d: "kernel", r"returned the text 'kernel', not a 5x5 array"),
    "other size": (lambda k, d: np.zeros((4, 4)), r"your kernel is 4x4 but a 3x3 kernel with d = 2 becomes .* = 5x5"),
    "wrong tap": (lambda k, d: _loops(k, d) * np.where(np.arange(5)[:, None] + np.arange(5) == 8, 2.0, 1.0),
                  r"the value at \[4, 4\] is 18 but should be 9"),
    "list of lists": (lambda k, d: _loops(k, d).tolist(), None),  # accepted: the right numbers
    "loop version": (_loops, None),
    "the library's dilate_kernel": (dilate_kernel, None),
}


test_dilate_mistakes = feedback_table_test(DilateKernelProblem, DILATE_MISTAKES)


def test_dilate_wrong_only_on_hidden_cases_says_hidden(capsys):
    def wrong_for_a_single_tap(kernel, d):
        return _loops(kernel, d) if kernel.size > 1 else np.zeros((d, d))

    result, text = run_check(DilateKernelProblem(), wrong_for_a_single_tap, capsys)
    assert result is False and "hidden case" in text and "a 1x1 kernel with d = 4" in text


def test_effective_size_matches_the_library():
    assert EffectiveSizeProblem().expected == effective_kernel_size(5, 3) == 13
    assert dilate_kernel(np.ones((5, 5)), 3).shape == (13, 13)


def test_gridding_discussion_numbers_are_right():
    """The model answer says: three d = 2 layers span 13x13 and read 49 of those 169 pixels."""
    offsets = {a + b + c for a in (0, 2, 4) for b in (0, 2, 4) for c in (0, 2, 4)}
    assert max(offsets) + 1 == 13 and len(offsets) ** 2 == 49
    mixed = {a + 2 * b + 4 * c for a in range(3) for b in range(3) for c in range(3)}
    assert mixed == set(range(15))
    text = GriddingProblem().solution_text
    assert "13x13" in text and "49 of the 169" in text and "0 to 14" in text
