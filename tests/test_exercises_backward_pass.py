"""Lesson 13 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

from functools import partial

import numpy as np
import torch
import torch.nn.functional as F

import course_utils as cu
from conftest import edited_solution, feedback_table_test, run_check
from course_utils.backward import conv_transpose_output_size
from course_utils.exercises import InputGradientProblem, TransposedSizeProblem
from course_utils.exercises.backward_pass import HAND_GRAD_Y, HAND_KERNEL


def test_hand_example_is_the_autograd_gradient():
    # The exercise's 2x2 example: the expected answer is what PyTorch's autograd gives for a 3x3 input.
    x = torch.zeros((1, 1, 3, 3), dtype=torch.float64, requires_grad=True)
    y = F.conv2d(x, torch.from_numpy(HAND_KERNEL)[None, None])
    (y * torch.from_numpy(HAND_GRAD_Y)[None, None]).sum().backward()
    expected = InputGradientProblem().expected(InputGradientProblem().cases()[0])
    np.testing.assert_allclose(expected, x.grad[0, 0].numpy(), rtol=0, atol=1e-12)
    # The centre pixel is read by all four windows: four products.
    centre = sum(HAND_GRAD_Y[i, j] * HAND_KERNEL[1 - i, 1 - j] for i in range(2) for j in range(2))
    assert expected[1, 1] == centre


def test_input_gradient_cases_can_tell_the_mistakes_apart():
    cases = InputGradientProblem().cases()
    for case in cases:
        grad_Y, K = case.args
        assert np.all(grad_Y != 0) and np.all(K != 0), case.label  # a zero would hide a misplaced tap
        if K.size > 1:
            assert not np.array_equal(K, K[::-1, ::-1]) and not np.array_equal(K[::-1, :], K[:, ::-1]), case.label
    shapes = [case.args[1].shape for case in cases if case.hidden]
    assert (1, 1) in shapes and any(h > w for h, w in shapes) and any(h < w for h, w in shapes)
    assert any(case.args[0].shape == (1, 1) for case in cases)


_edited = partial(edited_solution, InputGradientProblem)  # the worked solution with (old, new) slips


def _right(grad_Y, K):
    return cu.conv_transpose2d(grad_Y, K)


def _by_scatter(grad_Y, K):
    """Each output gradient spreads K over the window it came from: a right answer without any flip."""
    kh, kw = K.shape
    out = np.zeros((grad_Y.shape[0] + kh - 1, grad_Y.shape[1] + kw - 1))
    for i in range(grad_Y.shape[0]):
        for j in range(grad_Y.shape[1]):
            out[i:i + kh, j:j + kw] += grad_Y[i, j] * K
    return out


INPUT_GRADIENT_MISTAKES = {
    "kernel not rotated": (_edited(("K[::-1, ::-1]", "K")), r"your kernel is not rotated"),
    "rows only flipped": (_edited(("K[::-1, ::-1]", "K[::-1, :]")), r"you flipped the kernel's rows only"),
    "columns only flipped": (_edited(("K[::-1, ::-1]", "K[:, ::-1]")),
                             r"you flipped the kernel's columns only"),
    "no padding": (_edited(("np.pad(grad_Y, ((kh - 1, kh - 1), (kw - 1, kw - 1)))", "grad_Y")),
                   r"a 'valid' correlation that shrinks grad_Y"),
    "same size": (lambda G, K: _right(G, K)[:G.shape[0], :G.shape[1]],
                  r"your result has the shape of grad_Y, \(2, 2\): that is a 'same' correlation"),
    "padding swapped": (_edited(("(kh - 1, kh - 1), (kw - 1, kw - 1)", "(kw - 1, kw - 1), (kh - 1, kh - 1)")),
                        r"the padding of rows and columns is swapped\. Pad the rows by kh - 1 = 1 and the columns by "
                        r"kw - 1 = 2"),
    "transposed result": (lambda G, K: _right(G, K).T, r"your result is the right one transposed"),
    "sign flipped": (lambda G, K: -_right(G, K), r"the sign is flipped"),
    "kernel transposed and rotated": (lambda G, K: cu.conv_transpose2d(G, K.T) if K.shape[0] == K.shape[1]
                                      else _right(G, K), r"your kernel is transposed as well as rotated"),
    "one wrong entry": (lambda G, K: _right(G, K) + np.eye(*_right(G, K).shape)[::-1] * 0.5,
                        r"entry \[0, 2\] is -1\.5 but should be -2: the sum of grad_Y\[i, j\] \* K\[0 - i, 2 - j\]"),
    "forgot return": (lambda G, K: None, r"returned None: did you forget return"),
    "other size": (lambda G, K: np.zeros((5, 5)), r"your result is 5x5, but X has \(oh \+ kh - 1\) x "
                                                 r"\(ow \+ kw - 1\) = 3x3 pixels"),
    "scatter loop": (_by_scatter, None),  # the right answers below are accepted
    "the library's conv_transpose2d": (cu.conv_transpose2d, None),
    "a torch tensor": (lambda G, K: torch.from_numpy(cu.conv_transpose2d(G, K)), None),
}


test_input_gradient_mistakes = feedback_table_test(InputGradientProblem, INPUT_GRADIENT_MISTAKES)


def test_wrong_only_for_a_1x1_kernel_says_hidden(capsys):
    def wrong_for_one_tap(grad_Y, K):
        return _right(grad_Y, K) if K.size > 1 else grad_Y * 0

    result, text = run_check(InputGradientProblem(), wrong_for_one_tap, capsys)
    assert result is False and "hidden case" in text and "K 1x1" in text


def test_transposed_size_matches_the_library_and_torch():
    assert TransposedSizeProblem().expected == conv_transpose_output_size(5, 5, stride=3, padding=2,
                                                                          output_padding=1) == 14
    layer = torch.nn.ConvTranspose2d(8, 4, kernel_size=5, stride=3, padding=2, output_padding=1)
    assert layer(torch.zeros(1, 8, 5, 5)).shape[2:] == (14, 14)
    # The convolution it transposes maps 13, 14 and 15 back to 5: output_padding 1 picks 14.
    assert [cu.conv_output_size(n, 5, stride=3, padding=2) for n in (12, 13, 14, 15, 16)] == [4, 5, 5, 5, 6]


def test_known_mistakes_are_really_those_formulas():
    n, k, s, p, op = 5, 5, 3, 2, 1
    formulas = {
        13: (n - 1) * s - 2 * p + (k - 1) + 1,
        18: (n - 1) * s + (k - 1) + op + 1,
        22: (n - 1) * s + 2 * p + (k - 1) + op + 1,
        16: (n - 1) * s - p + (k - 1) + op + 1,
        15: n * s,
        2: cu.conv_output_size(n, k, stride=s, padding=p),
        17: n * s - 2 * p + (k - 1) + op + 1,
    }
    mistakes = dict(TransposedSizeProblem().known_mistakes)
    assert set(mistakes) == set(formulas)
    for value, formula in formulas.items():
        assert value == formula


def test_checkerboard_answer_matches_tap_coverage():
    # The model answer's numbers: 4, 2 or 1 taps, 4 on even rows and columns (no padding), even with kernel 4.
    counts = cu.backward.tap_coverage(6, 3, stride=2)[2:-2, 2:-2]
    assert set(np.unique(counts)) == {1, 2, 4}
    assert np.all(counts[::2, ::2] == 4) and np.all(counts[1::2, 1::2] == 1)
    assert len(np.unique(cu.backward.tap_coverage(6, 4, stride=2)[3:-3, 3:-3])) == 1
