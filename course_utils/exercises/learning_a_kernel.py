"""Exercises of lesson 05 (learning a kernel): a critical learning rate, the kernel gradient, the explosion."""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..kernel_learning import critical_learning_rate, squared_loss_gradient
from ..ops import convolve2d, corr2d
from .answers import Real
from .diagnosis import real_array_or_mistake
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden

#: The image of exercise 1; its windows (1,1), (1,0), (0,1), (1,1) give H = 2 [[3, 2], [2, 3]], eigenvalues 10 and 2.
EXERCISE_IMAGE = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
EXERCISE_CRITICAL_RATE = critical_learning_rate(EXERCISE_IMAGE, (1, 2))  # 2 / 10


@lesson_exercise("05_learning_a_kernel", 1)
class CriticalLearningRateProblem(ValueProblem):
    """The critical learning rate 2 / lambda_max for a 2x3 image, a 1x2 kernel and the summed loss: 0.2."""

    expected = EXERCISE_CRITICAL_RATE
    answer = Real(rel_tol=1e-6, abs_tol=0.0)
    known_mistakes = [
        (0.4, "that is 2 / 5: you used sum p p^T without the factor 2. The loss is a sum of squares, "
              "so its second derivative is H = 2 * sum p p^T, with eigenvalues 10 and 2."),
        (0.1, "that is 1 / lambda_max. Along the top eigenvector a step multiplies the error by "
              "1 - rate * lambda, which stays above -1 only while rate < 2 / lambda_max."),
        (1.0, "that is 2 / lambda_min. The smallest eigenvalue gives the slowest direction, not the "
              "dangerous one: the steepest direction (largest eigenvalue) explodes first."),
        (0.5, "that is 1 / lambda_min: use the largest eigenvalue of H, and 2 / lambda."),
        (2.0, "that is 2 / 1: the smallest eigenvalue of sum p p^T without the factor 2. Use the "
              "largest eigenvalue of H = 2 * sum p p^T."),
        (0.8, "that is the critical rate of the mean loss (2 / (10 / 4), with 4 outputs). The "
              "exercise uses the sum of the squared errors, whose Hessian is 4 times larger."),
        (2 / 12, "that is 2 / (lambda_max + lambda_min), the balanced rate: safe and fastest overall, "
                 "but the question asks for the boundary between converging and diverging rates."),
        (2 / 6, "that is 2 / 6, with a diagonal entry of H. The critical rate uses the largest "
                "eigenvalue, which also counts the off-diagonal 4: 6 + 4 = 10."),
        (10.0, "that is lambda_max itself; the critical learning rate is 2 / lambda_max."),
    ]
    title = "the critical learning rate of a small image"
    hints = [
        "List the 1x2 windows of X row by row: each output sees two neighbouring pixels. There are four.",
        "H = 2 * sum of p p^T over the windows p. The windows (1,1), (1,0), (0,1), (1,1) give "
        "sum p p^T = [[3, 2], [2, 3]].",
        "A matrix [[a, b], [b, a]] has eigenvalues a + b and a - b. The critical rate is 2 / lambda_max.",
    ]
    solution_text = """
        # Windows: (1, 1), (1, 0) in row 0 and (0, 1), (1, 1) in row 1.
        # sum p p^T = [[3, 2], [2, 3]], so H = 2 * that = [[6, 4], [4, 6]].
        # Eigenvalues 6 + 4 = 10 and 6 - 4 = 2; the critical rate is 2 / lambda_max:
        answer = 2 / 10   # = 0.2
        # Check: course_utils.kernel_learning.critical_learning_rate(X, (1, 2))
    """


@lesson_exercise("05_learning_a_kernel", 2)
class KernelGradientProblem(CodingProblem):
    """``kernel_gradient(X, Y, K)``: dL/dK of the summed squared error, ``2 * corr2d(X, corr2d(X, K) - Y)``.

    Visible: the lesson's 1x2 kernel and a 2x3 one. Hidden: 3x3, 1x1, 4x3 and 3x2 kernels, one that
    covers the image, non-square images and whole-number data (float64: the statement says nothing
    about dtypes).
    """

    argument_names = ("X", "Y", "K")
    function_name = "kernel_gradient"
    title = "the gradient of the squared-error loss with respect to the kernel"
    hints = [
        "Start from the residual R = corr2d(X, K) - Y: prediction minus target, with the shape of Y.",
        "K[a, b] multiplies X[i + a, j + b] in output (i, j), so dL/dK[a, b] = sum over (i, j) of "
        "2 R[i, j] X[i + a, j + b].",
        "That sum is itself a cross-correlation, of X with R: return 2 * cu.corr2d(X, R). "
        "Its shape is (H - (H - kh + 1) + 1, ...) = the shape of K.",
    ]
    solution_text = """
        def kernel_gradient(X, Y, K):
            residual = cu.corr2d(X, K) - Y        # prediction minus target
            return 2 * cu.corr2d(X, residual)     # d/dK of sum(residual ** 2)
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(505)
        band = np.ones((6, 8))
        band[:, 2:6] = 0
        lesson = (band, corr2d(band, [[1.0, -1.0]]), np.array([[0.04, -0.02]]))

        def random_case(image_shape, kernel_shape, integers=False):
            output_shape = (image_shape[0] - kernel_shape[0] + 1, image_shape[1] - kernel_shape[1] + 1)
            if integers:  # whole numbers: the gradient is exact
                return (rng.integers(-3, 4, size=image_shape).astype(float),
                        rng.integers(-4, 5, size=output_shape).astype(float),
                        rng.integers(-2, 3, size=kernel_shape).astype(float))
            return rng.standard_normal(image_shape), rng.standard_normal(output_shape), rng.standard_normal(kernel_shape)

        visible = [lesson, random_case((5, 6), (2, 3))]
        hidden = [
            random_case((7, 7), (3, 3)),  # a square kernel
            random_case((4, 5), (1, 1)),  # a 1x1 kernel: one number
            random_case((3, 4), (3, 4)),  # the kernel covers the image: one output
            random_case((8, 6), (4, 3)),  # a larger kernel
            random_case((6, 5), (3, 2), integers=True),
        ]
        return visible_then_hidden(visible, hidden, lambda *args: (
            f"X {args[0].shape[0]}x{args[0].shape[1]}, K {args[2].shape[0]}x{args[2].shape[1]}"))

    def expected(self, case: Case) -> np.ndarray:
        X, Y, K = case.args
        return squared_loss_gradient(X, Y, K)[0]

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        got, problem = real_array_or_mistake(result, expected.shape, return_line="return")
        if problem:
            return problem
        X, Y, K = case.args
        residual = corr2d(X, K) - Y
        if got.shape != expected.shape:
            if got.shape == expected.T.shape:
                return (f"your gradient has shape {got.shape}, the kernel's shape transposed. The gradient has the "
                        f"shape of K, {K.shape}: entry [a, b] pairs K[a, b] with the windows X[i + a, j + b] "
                        f"(did you transpose X or the residual?).")
            if got.shape == Y.shape:
                return (f"your result has the shape of the output Y, {Y.shape}: that is dL/dY = 2 R. The gradient "
                        f"with respect to K needs one more step, a cross-correlation of X with it, and has "
                        f"the shape of K, {K.shape}.")
            return f"your gradient has shape {got.shape} but should have the shape of K, {K.shape}."
        close = lambda a, b: np.allclose(a, b, rtol=1e-6, atol=1e-9)  # noqa: E731
        if close(got, expected):
            return None
        if close(got, -expected):
            return ("the sign is flipped. The residual is prediction minus target, R = corr2d(X, K) - Y; "
                    "with Y - prediction you get minus the gradient (the descent direction, not the gradient).")
        if close(got, expected / 2):
            return "your gradient is half the right one: the derivative of r^2 is 2 r, so multiply by 2."
        if close(got, -expected / 2):
            return ("the sign is flipped and the factor 2 is missing: use R = corr2d(X, K) - Y and "
                    "2 * corr2d(X, R).")
        if close(got, expected / Y.size) or close(got, expected / (2 * Y.size)):
            return (f"your gradient is divided by the number of outputs ({Y.size}): that is the gradient of the "
                    f"mean loss. Here L is the sum of the squared errors.")
        if close(got, 2 * convolve2d(X, residual)) or close(got, convolve2d(X, residual)):
            return ("you flipped the residual (a true convolution). The gradient is the cross-correlation "
                    "corr2d(X, R): entry [a, b] sums R[i, j] * X[i + a, j + b].")
        if K.shape[0] == K.shape[1] and close(got, expected.T):
            return ("your gradient is transposed: entry [a, b] must pair K[a, b] (row a, column b) with the "
                    "windows X[i + a, j + b].")
        if close(got, 2 * corr2d(X, corr2d(X, K))) or close(got, corr2d(X, corr2d(X, K))):
            return "the target Y is missing: the residual is corr2d(X, K) - Y, not the prediction alone."
        a, b = (int(v) for v in np.argwhere(~np.isclose(got, expected, rtol=1e-6, atol=1e-9))[0])
        return (f"entry [{a}, {b}] is {got[a, b]:.6g} but should be {expected[a, b]:.6g}. It is the sum over all "
                f"outputs (i, j) of 2 * R[i, j] * X[i + {a}, j + {b}].")


@lesson_exercise("05_learning_a_kernel", 3)
class WhyLossExplodedProblem(ThoughtProblem):
    """Why the MXNet source's loss exploded, and two ways to fix it."""

    title = "why the loss exploded, and two fixes"
    hints = [
        "The loss is a quadratic bowl in (k0, k1). What does one gradient step do to the error along an "
        "eigenvector of its Hessian?",
        "Compare the learning rate 0.05 with 2 / lambda_max for the 6x9 image (lambda = 84 and 12). "
        "What is 1 - 0.05 * 84, and what is 1 - 0.05 * 12?",
        "Which quantity would you change so that |1 - rate * lambda_max| < 1? There is more than one "
        "way: the rate itself, or the scale of the loss.",
    ]
    solution_text = """
        The loss sum (p . k - y)^2 is quadratic in the kernel k, with Hessian H = 2 sum p p^T, which
        for the 6x9 image is [[48, 36], [36, 48]]: eigenvalue 84 along (1, 1) and 12 along (1, -1).
        A gradient step multiplies the error along an eigenvector by 1 - rate * lambda. With rate 0.05
        that is 1 - 4.2 = -3.2 along (1, 1): each step overshoots the bottom of the bowl and lands 3.2
        times further away, so the loss grows by 3.2^2 = 10.24 per step (104.86 per two steps, the
        ratio of the printed losses). Along (1, -1) the factor is 0.4, so that part converged: the
        kernel ended as (1, -1) + c (1, 1) with a huge c, two large nearly equal entries.
        Gradient descent is stable only for rate < 2 / lambda_max = 2/84 = 0.0238.

        Fix 1: a smaller learning rate, below 0.0238 (e.g. 0.02, or the balanced 2 / (84 + 12)
        = 0.0208). Even 0.03, which worked on the 6x8 image, is too large here.
        Fix 2: use the mean of the squared errors instead of the sum. That divides H by the number
        of outputs (48), so the critical rate becomes 48 times larger and 0.05 is safe (if slow).
        Other options go in the same direction: normalise the loss by the data size, clip or
        scale the gradient, or use an optimiser that adapts the step size.
    """
