"""Lesson 14 exercises: their own mistakes and worked numbers (shared checks: test_exercise_answers.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import course_utils as cu
from conftest import edited_solution, feedback_table_test, reference_function, run_check
from course_utils.exercises import DepthwiseCorr2dProblem, IsSeparableProblem, SeparableBlockParametersProblem
from course_utils.exercises.efficient_layers import SEPARABLE_BLOCK


# -- exercise 1: the separable block's parameters ----------------------------------------------------

C_IN, C_OUT, K = (SEPARABLE_BLOCK[key] for key in ("in_channels", "out_channels", "kernel_size"))


def torch_separable_block():
    return torch.nn.Sequential(torch.nn.Conv2d(C_IN, C_IN, K, groups=C_IN), torch.nn.Conv2d(C_IN, C_OUT, 1))


def test_expected_count_is_torchs():
    expected = sum(p.numel() for p in torch_separable_block().parameters())
    assert SeparableBlockParametersProblem().expected == expected == 2432


# -- exercise 2: depthwise correlation ---------------------------------------------------------------

reference_depthwise = reference_function(DepthwiseCorr2dProblem)


def test_depthwise_expected_maps_are_corr2d_batchs():
    problem = DepthwiseCorr2dProblem()
    for case in problem.cases():  # the expected maps are corr2d_batch's with groups = C
        X, K = case.args
        np.testing.assert_allclose(problem.expected(case),
                                   cu.corr2d_batch(X[None], K[:, None], groups=X.shape[0])[0], atol=1e-12)


DEPTHWISE_MISTAKES = {
    "summed": (lambda X, K: reference_depthwise(X, K).sum(axis=0), r"you added the 2 channel maps into one"),
    "single map": (lambda X, K: cu.corr2d(X[0], K[0]), r"your output is a single \(2, 2\) map"),
    "dense": (lambda X, K: np.stack([[cu.corr2d(x, k) for k in K] for x in X]), r"every channel met every kernel"),
    "last axis": (lambda X, K: np.stack([cu.corr2d(x, k) for x, k in zip(X, K)], axis=-1),
                  r"the channels are on the last axis"),
    "flipped": (lambda X, K: np.stack([cu.convolve2d(x, k) for x, k in zip(X, K)]), r"a true convolution"),
    "first kernel": (lambda X, K: np.stack([cu.corr2d(x, K[0]) for x in X]), r"every channel used K\[0\]"),
    "reversed": (lambda X, K: np.stack([cu.corr2d(x, k) for x, k in zip(X, K[::-1])]), r"reverse order"),
    "first channel": (lambda X, K: np.stack([cu.corr2d(X[0], k) for k in K]), r"computed from X\[0\]"),
    "transposed": (lambda X, K: reference_depthwise(X, K).transpose(0, 2, 1), r"map is transposed"),
    "off by one": (lambda X, K: reference_depthwise(X, K)[:, :-1, :-1], r"in each channel, your output is 1x1 but "
                                                                          r"should be 2x2: did you use H - kh"),
    "list": (lambda X, K: [cu.corr2d(x, k) for x, k in zip(X, K)], r"a Python list of 2 NumPy arrays, not an array"),
    "one wrong channel": (lambda X, K: reference_depthwise(X, K) + np.eye(len(X))[:, -1:, None],
                          r"channel 1 is wrong\. It should be cu\.corr2d\(X\[1\], K\[1\]\)"),
    "none": (lambda X, K: None, r"did you forget return np\.stack\(maps\)\?"),
}


test_depthwise_mistakes = feedback_table_test(DepthwiseCorr2dProblem, DEPTHWISE_MISTAKES, number=2)


def test_depthwise_wrong_only_for_a_1x1_kernel_says_hidden(capsys):
    def wrong_for_1x1(X, K):
        return reference_depthwise(X, K) * (2 if K.shape[1:] == (1, 1) else 1)

    result, text = run_check(DepthwiseCorr2dProblem(), wrong_for_1x1, capsys)
    assert result is False and "On a hidden case, X (3, 4, 5), K (3, 1, 1): 1x1" in text


def test_depthwise_hidden_cases_vary_kernels_and_inputs():
    hidden = [case.args for case in DepthwiseCorr2dProblem().cases() if case.hidden]
    kernels = [K.shape[1:] for _, K in hidden]
    assert (1, 1) in kernels and any(h > w for h, w in kernels) and any(h < w for h, w in kernels)
    assert any(X.shape[1] != X.shape[2] for X, _ in hidden)
    assert {X.shape[0] for X, _ in hidden} >= {1, 5}


# -- exercise 3: is the kernel separable? --------------------------------------------------------------

reference_is_separable = reference_function(IsSeparableProblem)
THRESHOLD_TEST = "s[1] <= 1e-8 * s[0]"


def with_test(expression):
    """The worked solution with its final comparison replaced (a learner's variant)."""
    return edited_solution(IsSeparableProblem, (THRESHOLD_TEST, expression))


SEPARABLE_MISTAKES = {
    "exact zero": (with_test("s[1] == 0"), r"the Sobel kernel is separable .* rounding leaves s\[1\] = "
                                           r"3\.5e-16, not exactly 0"),
    "fixed threshold": (with_test("s[1] <= 1e-8"), r"hidden case, a random 3x3 kernel whose entries are "
                                                   r"about 1e-9: .* compare s\[1\] with s\[0\]"),
    "ratio": (with_test("s[1] / s[0] <= 1e-8"), r"an all-zero 2x2 kernel: .* 0 / 0 = nan"),
    "determinant": (lambda K: bool(np.linalg.det(K) == 0),
                    r"On the Laplacian: the Laplacian is not separable \(singular values 4\.45, 0\.449, 0\), but you "
                    r"said it is\. Its determinant is 0"),
    "rank is one": (lambda K: bool(np.linalg.matrix_rank(K) == 1), r"an all-zero 2x2 kernel"),
    "square only": (lambda K: K.shape[0] == K.shape[1] and reference_is_separable(K),
                    r"a 3x5 box of ones is separable"),
    "returns the rank": (lambda K: int(np.linalg.matrix_rank(K)),
                         r"returned 1 \(int\), not True or False"),
    "returns s[1]": (lambda K: np.linalg.svd(K, compute_uv=False)[1],
                     r"returned 3\.5\d*e-16 \(float64\), not True or False"),
    "returns the factors": (lambda K: np.linalg.svd(K), r"returned a tuple, not True or False"),
    "forgot return": (lambda K: None, r"returned None"),
    "no single-row branch": (edited_solution(IsSeparableProblem, ("if len(s) < 2:", "if False:")),
                             r"raised IndexError on a hidden case, a 1x4 row"),
    "a NumPy bool": (lambda K: np.bool_(reference_is_separable(K)), None),  # accepted: a truth value
}


# "ratio" divides 0 by 0 on purpose: NumPy's warning about it is the learner's, not the test's.
test_is_separable_mistakes = pytest.mark.filterwarnings("ignore::RuntimeWarning")(
    feedback_table_test(IsSeparableProblem, SEPARABLE_MISTAKES, number=3))


def test_separable_cases_agree_with_the_course_function_at_any_sensible_tolerance():
    # no case sits near the threshold: the answer is the same from 1e-12 to 1e-4 (rounding is ~1e-16,
    # the non-separable cases are at least 1e-2 from separable)
    for case in IsSeparableProblem().cases():
        answers = {cu_is_separable(case.args[0], rtol) for rtol in (1e-12, 1e-8, 1e-4)}
        assert len(answers) == 1, case.label


def cu_is_separable(K, rtol):
    from course_utils.efficient_layers import is_separable

    return is_separable(K, rtol=rtol)
