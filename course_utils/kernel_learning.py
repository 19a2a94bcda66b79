r"""Learning a kernel by gradient descent, and why a learning rate can make it explode.

The model is one cross-correlation with a ``(kh, kw)`` kernel ``K`` and, optionally,
a scalar bias ``b``: :math:`\hat Y = X \star K + b`. Its squared-error loss

.. math:: L(K, b) = \sum_{i,j} \big(p_{ij} \cdot k + b - y_{ij}\big)^2

(``p_ij`` the flattened input window under output ``(i, j)``, ``k`` the flattened
kernel) is a quadratic function of the parameters ``w = (k, b)``. Its Hessian does not
depend on ``K``, ``b`` or ``Y``:

.. math:: H = 2 \sum_{i,j} a_{ij} a_{ij}^\top, \qquad a_{ij} = (p_{ij}, 1)\ \text{(or } p_{ij}
   \text{ without a bias)},

and plain gradient descent with learning rate :math:`\eta` multiplies the error
component along each eigenvector of ``H`` by :math:`1 - \eta\lambda` per step, so the
loss part along it by :math:`(1 - \eta\lambda)^2`. The run converges only when every
factor has magnitude below one, that is for :math:`\eta < 2 / \lambda_{\max}`.
With ``reduction="mean"`` the loss (and ``H``) is divided by the number of outputs,
which multiplies the usable learning rate by the same number.

>>> import numpy as np
>>> X = np.ones((6, 9)); X[:, 2:6] = 0
>>> squared_loss_hessian(X, (1, 2))
array([[48., 36.],
       [36., 48.]])
>>> round(critical_learning_rate(X, (1, 2)), 4)
0.0238
>>> round(predicted_loss_growth(0.05, 84.0), 2)
10.24
"""
from __future__ import annotations

import numbers
from typing import Any, NamedTuple, Optional, Tuple, Union

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import as_pair, as_real_array
from .geometry import check_kernel_fits, output_hw
from .ops import corr2d

__all__ = [
    "KernelDescent",
    "LossSurface",
    "critical_learning_rate",
    "gradient_descent_kernel",
    "loss_surface",
    "patch_matrix",
    "plane_coordinates",
    "predicted_loss_growth",
    "squared_loss",
    "squared_loss_gradient",
    "squared_loss_hessian",
]

REDUCTIONS = ("sum", "mean")


# --------------------------------------------------------------------------- #
# Validation helpers (private to this module)

def _image(X: Any) -> np.ndarray:
    return as_real_array(X, "X", 2).astype(np.float64)


def _check_fits(X: np.ndarray, kernel_hw: Tuple[int, int], kernel_name: str,
                kernel_shape: Optional[Tuple[int, ...]]) -> None:
    check_kernel_fits(X.shape, kernel_hw, (0, 0), (1, 1), kernel_name=kernel_name, input_shape=X.shape,
                      kernel_shape=kernel_shape, remedy="the kernel must fit inside the image (no padding here)")


def _kernel_shape(kernel_shape: Any, X: np.ndarray) -> Tuple[int, int]:
    shape = as_pair(kernel_shape, "kernel_shape", minimum=1)
    _check_fits(X, shape, "kernel_shape", None)
    return shape


def _kernel(K: Any, X: np.ndarray, name: str = "K") -> np.ndarray:
    K = as_real_array(K, name, 2).astype(np.float64)
    _check_fits(X, K.shape, name, K.shape)
    return K


def _target(Y: Any, X: np.ndarray, K: np.ndarray, kernel_name: str = "K") -> np.ndarray:
    Y = as_real_array(Y, "Y", 2).astype(np.float64)
    expected = output_hw(X.shape, K.shape, (0, 0), (1, 1), (1, 1))  # valid, stride 1
    if Y.shape != expected:
        raise ValueError(
            f"Y must have the shape of the output corr2d(X, {kernel_name}), {expected} for X with shape {X.shape} "
            f"and {kernel_name} with shape {K.shape}; got Y with shape {Y.shape}"
        )
    return Y


def _real_number(value: Any, name: str) -> float:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return value


def _learning_rate(value: Any) -> float:
    rate = _real_number(value, "learning_rate")
    if rate <= 0:
        raise ValueError(f"learning_rate must be positive; got {value!r}")
    return rate


def _reduction(value: Any) -> str:
    if value not in REDUCTIONS:
        raise ValueError(f"reduction must be 'sum' or 'mean'; got {value!r}")
    return value


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {type(value).__name__} {value!r}")
    return bool(value)


# --------------------------------------------------------------------------- #
# The quadratic loss

def patch_matrix(X: Any, kernel_shape: Any, *, bias: bool = False) -> np.ndarray:
    """The input windows of a cross-correlation as the rows of a matrix.

    Row ``i * W_out + j`` holds the window ``X[i:i + kh, j:j + kw]`` flattened in
    row-major order, so that ``patch_matrix(X, K.shape) @ K.ravel()`` equals
    ``corr2d(X, K).ravel()``. With ``bias=True`` a column of ones is appended: the
    bias multiplies 1 in every output.

    Parameters
    ----------
    X : (H, W) array_like
        The input image.
    kernel_shape : int or (kh, kw) pair
        The kernel size; it must fit inside ``X``.
    bias : bool
        Append the column of ones for a scalar bias.

    Returns
    -------
    numpy.ndarray
        Shape ``(H_out * W_out, kh * kw)`` (one more column with ``bias``), float64.

    >>> patch_matrix([[1, 2, 3], [4, 5, 6]], (1, 2))
    array([[1., 2.],
           [2., 3.],
           [4., 5.],
           [5., 6.]])
    >>> patch_matrix([[1, 2, 3]], (1, 2), bias=True)
    array([[1., 2., 1.],
           [2., 3., 1.]])
    """
    X = _image(X)
    kh, kw = _kernel_shape(kernel_shape, X)
    bias = _flag(bias, "bias")
    patches = sliding_window_view(X, (kh, kw)).reshape(-1, kh * kw)
    if bias:
        patches = np.concatenate([patches, np.ones((patches.shape[0], 1))], axis=1)
    return np.ascontiguousarray(patches)


def _scale(n_outputs: int, reduction: str) -> float:
    return 1.0 / n_outputs if reduction == "mean" else 1.0


def _residual(X: Any, Y: Any, K: Any, bias: Any, reduction: Any) -> Tuple[np.ndarray, np.ndarray, float]:
    """Validated ``X``, the residual ``corr2d(X, K) + bias - Y`` and the reduction's scale factor."""
    X = _image(X)
    K = _kernel(K, X)
    Y = _target(Y, X, K)
    b = _real_number(bias, "bias")
    scale = _scale(Y.size, _reduction(reduction))
    return X, corr2d(X, K) + b - Y, scale


def squared_loss(X: Any, Y: Any, K: Any, bias: Any = 0.0, *, reduction: str = "sum") -> float:
    r"""The squared-error loss of the kernel ``K`` (and bias) on the example ``(X, Y)``.

    .. math:: L = \sum_{i,j} \big((X \star K)[i, j] + b - Y[i, j]\big)^2

    divided by the number of outputs when ``reduction="mean"``.

    >>> squared_loss([[1, 0, 1]], [[1, -1]], [[1, -1]])
    0.0
    >>> squared_loss([[1, 0, 1]], [[1, -1]], [[0, 0]], reduction="mean")
    1.0
    """
    _, residual, scale = _residual(X, Y, K, bias, reduction)
    return float(scale * np.sum(residual**2))


def squared_loss_gradient(X: Any, Y: Any, K: Any, bias: Any = 0.0, *,
                          reduction: str = "sum") -> Tuple[np.ndarray, float]:
    r"""Gradient of :func:`squared_loss` with respect to the kernel and the bias.

    With the residual :math:`R = X \star K + b - Y`,

    .. math:: \frac{\partial L}{\partial K} = 2\, X \star R, \qquad
       \frac{\partial L}{\partial b} = 2 \sum_{i,j} R[i, j],

    both divided by the number of outputs when ``reduction="mean"``.

    Returns
    -------
    (numpy.ndarray, float)
        ``dL/dK`` with the shape of ``K`` (float64) and ``dL/db``.

    >>> grad_K, grad_b = squared_loss_gradient([[1, 0, 1]], [[1, -1]], [[0, 0]])
    >>> grad_K, grad_b
    (array([[-2.,  2.]]), 0.0)
    """
    X, residual, scale = _residual(X, Y, K, bias, reduction)
    return 2.0 * scale * corr2d(X, residual), float(2.0 * scale * residual.sum())


def squared_loss_hessian(X: Any, kernel_shape: Any, *, bias: bool = False, reduction: str = "sum") -> np.ndarray:
    r"""Hessian of the squared-error loss with respect to the flattened kernel (and the bias).

    The loss :math:`\sum_{ij} (p_{ij} \cdot k + b - y_{ij})^2` is quadratic, so its
    Hessian is the same everywhere and does not involve ``Y``:

    .. math:: H = 2 \sum_{i,j} p_{ij} p_{ij}^\top
       \quad\text{or, with a bias,}\quad
       H = 2 \begin{pmatrix} \sum p_{ij} p_{ij}^\top & \sum p_{ij} \\ \sum p_{ij}^\top & n \end{pmatrix},

    with ``n`` the number of outputs. ``reduction="mean"`` divides it by ``n``.
    The kernel entries come in row-major order (``K.ravel()``), the bias last.

    Parameters
    ----------
    X, kernel_shape
        As for :func:`patch_matrix`: the input image and the kernel size.
    bias : bool
        Include the scalar bias as the last parameter.
    reduction : {'sum', 'mean'}
        How the squared errors are combined.

    Returns
    -------
    numpy.ndarray
        Symmetric, positive semi-definite, shape ``(kh * kw, kh * kw)``
        (one more row and column with ``bias``), float64.

    >>> X = np.ones((6, 8)); X[:, 2:6] = 0
    >>> squared_loss_hessian(X, (1, 2))
    array([[36., 24.],
           [24., 36.]])
    >>> squared_loss_hessian(X, (1, 2), bias=True)
    array([[36., 24., 36.],
           [24., 36., 36.],
           [36., 36., 84.]])
    >>> squared_loss_hessian(X, (1, 2), reduction="mean") * 42
    array([[36., 24.],
           [24., 36.]])
    """
    reduction = _reduction(reduction)
    patches = patch_matrix(X, kernel_shape, bias=bias)
    return 2.0 * _scale(patches.shape[0], reduction) * (patches.T @ patches)


def critical_learning_rate(X: Any, kernel_shape: Any, *, bias: bool = False, reduction: str = "sum") -> float:
    r"""The largest stable learning rate of gradient descent on the squared-error loss, :math:`2 / \lambda_{\max}`.

    :math:`\lambda_{\max}` is the largest eigenvalue of :func:`squared_loss_hessian`.
    Below this value every error component shrinks; above it the component along the
    top eigenvector grows by :math:`|1 - \eta\lambda_{\max}| > 1` per step and the loss
    explodes. An all-zero image has a zero Hessian (the loss does not depend on
    the kernel) and gives ``inf``.

    >>> X = np.ones((6, 8)); X[:, 2:6] = 0
    >>> round(critical_learning_rate(X, (1, 2)), 6)
    0.033333
    >>> round(critical_learning_rate(X, (1, 2), reduction="mean"), 4)
    1.4
    """
    H = squared_loss_hessian(X, kernel_shape, bias=bias, reduction=reduction)
    largest = float(np.linalg.eigvalsh(H)[-1])
    return float("inf") if largest <= 0 else 2.0 / largest


def predicted_loss_growth(learning_rate: Any, eigenvalue: Any) -> Union[float, np.ndarray]:
    r"""Factor by which one gradient-descent step multiplies the loss along an eigenvector: :math:`(1 - \eta\lambda)^2`.

    Below 1 the component converges, above 1 it explodes; the boundary is
    :math:`\eta = 2 / \lambda`. Arrays broadcast against each other (e.g. a grid of
    learning rates); two numbers give a float.

    >>> round(predicted_loss_growth(0.05, 84), 2), round(predicted_loss_growth(0.03, 12), 4)
    (10.24, 0.4096)
    >>> predicted_loss_growth([0.01, 0.02], 100)
    array([0., 1.])
    """
    rates = as_real_array(learning_rate, "learning_rate", (0, 1, 2)).astype(np.float64)
    values = as_real_array(eigenvalue, "eigenvalue", (0, 1, 2)).astype(np.float64)
    if not np.all(np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(f"learning_rate must be positive and finite; got {learning_rate!r}")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(
            f"eigenvalue must be finite and >= 0 (a squared-error Hessian has no negative eigenvalues); "
            f"got {eigenvalue!r}"
        )
    try:
        factor = (1.0 - rates * values) ** 2
    except ValueError:
        raise ValueError(
            f"learning_rate with shape {rates.shape} and eigenvalue with shape {values.shape} do not broadcast"
        ) from None
    return float(factor) if factor.ndim == 0 else factor


# --------------------------------------------------------------------------- #
# A reference gradient-descent run

class KernelDescent(NamedTuple):
    """The trajectory of :func:`gradient_descent_kernel`.

    ``losses[t]``, ``kernels[t]`` and ``biases[t]`` belong to the parameters after
    ``t`` updates, so ``losses[0]`` is the loss of the initial kernel and
    ``kernels[-1]`` is the learned one; each array has ``steps + 1`` entries.
    ``biases`` is None when the bias was not learned.
    """

    losses: np.ndarray
    kernels: np.ndarray
    biases: Optional[np.ndarray]


def gradient_descent_kernel(X: Any, Y: Any, init: Any, *, learning_rate: float, steps: int,
                            bias: Any = None, reduction: str = "sum") -> KernelDescent:
    r"""Plain gradient descent on the squared-error loss, in float64: the reference trajectory.

    Every step computes the gradient at the current parameters and subtracts
    ``learning_rate`` times it: :math:`K \leftarrow K - \eta\, \partial L / \partial K`
    (and the same for the bias when ``bias`` is a number).

    Parameters
    ----------
    X : (H, W) array_like
        The input image.
    Y : (H - kh + 1, W - kw + 1) array_like
        The target output.
    init : (kh, kw) array_like
        The initial kernel (its shape is the kernel shape).
    learning_rate : float
        The step size, > 0.
    steps : int
        The number of updates, >= 0.
    bias : None or float
        None: no bias (the model is ``corr2d(X, K)``). A number: the initial value of
        a learned scalar bias.
    reduction : {'sum', 'mean'}
        Sum or mean of the squared errors.

    Returns
    -------
    KernelDescent
        ``losses`` (steps + 1,), ``kernels`` (steps + 1, kh, kw), ``biases`` (steps + 1,) or None.
        A diverging run may overflow to ``inf`` (no warning is raised).

    >>> X = np.ones((6, 8)); X[:, 2:6] = 0
    >>> Y = corr2d(X, [[1, -1]])
    >>> run = gradient_descent_kernel(X, Y, [[0.0, 0.0]], learning_rate=0.03, steps=10)
    >>> run.kernels[-1].round(3)
    array([[ 0.988, -0.988]])
    >>> float(run.losses[2] / run.losses[1]).__round__(4)
    0.4096
    """
    X = _image(X)
    K = _kernel(init, X, "init")
    Y = _target(Y, X, K, "init")
    rate = _learning_rate(learning_rate)
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"steps must be an int; got {type(steps).__name__} {steps!r}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0; got {steps!r}")
    reduction = _reduction(reduction)
    learn_bias = bias is not None
    b = _real_number(bias, "bias") if learn_bias else 0.0

    scale = _scale(Y.size, reduction)
    losses = np.empty(steps + 1)
    kernels = np.empty((steps + 1,) + K.shape)
    biases = np.empty(steps + 1)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            residual = corr2d(X, K) + b - Y
            losses[t], kernels[t], biases[t] = scale * np.sum(residual**2), K, b
            if t == steps:
                break
            K = K - rate * 2.0 * scale * corr2d(X, residual)
            if learn_bias:
                b = b - rate * 2.0 * scale * float(residual.sum())
    return KernelDescent(losses, kernels, biases if learn_bias else None)


# --------------------------------------------------------------------------- #
# The loss on a plane through the kernel space (the "bowl" of a two-tap kernel)

def _plane(center: Any, directions: Any) -> Tuple[np.ndarray, np.ndarray]:
    """Validated ``center`` (flattened) and ``directions`` as a (2, taps) float64 matrix."""
    c = as_real_array(center, "center", (1, 2)).astype(np.float64).ravel()
    d = as_real_array(directions, "directions", (2, 3)).astype(np.float64)
    d = d.reshape(d.shape[0], -1)
    if d.shape != (2, c.size):
        raise ValueError(f"directions must hold 2 directions with center's {c.size} entries each; got shape "
                         f"{np.shape(directions)} for center of shape {np.shape(center)}")
    if not (np.all(np.isfinite(c)) and np.all(np.isfinite(d))):
        raise ValueError("center and directions must hold only finite values")
    if abs(np.linalg.det(d @ d.T)) < 1e-12:
        raise ValueError(f"directions must be two independent vectors; got {d.tolist()}")
    return c, d


def plane_coordinates(kernels: Any, center: Any, directions: Any) -> np.ndarray:
    """Coordinates ``(a, b)`` of each kernel in the plane ``center + a * directions[0] + b * directions[1]``.

    ``kernels`` is one kernel or a trajectory (e.g. ``KernelDescent.kernels``);
    each is projected onto the plane by least squares, which is exact when the
    kernel lies in it (always for a two-tap kernel and independent directions).

    >>> plane_coordinates([[[3.0, 1.0]]], [0.0, 0.0], [[1.0, 1.0], [1.0, -1.0]])
    array([[2., 1.]])
    """
    c, d = _plane(center, directions)
    values = as_real_array(kernels, "kernels", (1, 2, 3)).astype(np.float64)
    flat = values.reshape(-1, c.size) if values.size % c.size == 0 else None
    if flat is None or (values.ndim > 1 and np.prod(values.shape[1:]) != c.size) or (values.ndim == 1
                                                                                     and values.size != c.size):
        raise ValueError(f"kernels must be one kernel or a list of kernels with {c.size} entries each "
                         f"(center's size); got shape {values.shape}")
    coordinates, *_ = np.linalg.lstsq(d.T, (flat - c).T, rcond=None)
    return coordinates.T


class LossSurface(NamedTuple):
    """The loss on a grid of the plane: ``losses[j, i]`` at ``center + a[i] * d0 + b[j] * d1``."""

    a: np.ndarray
    b: np.ndarray
    losses: np.ndarray


def loss_surface(X: Any, Y: Any, center: Any, directions: Any, *, a_range: Tuple[float, float],
                 b_range: Tuple[float, float], points: int = 121, reduction: str = "sum") -> LossSurface:
    r"""The squared-error loss of every kernel on a grid of a plane through the kernel space.

    Kernel ``center + a * directions[0] + b * directions[1]`` for ``points`` values
    of ``a`` in ``a_range`` and of ``b`` in ``b_range`` (no bias). For a two-tap kernel the
    plane is the whole kernel space, so the contour lines of ``losses`` are the bowl itself;
    taking the Hessian's eigenvectors as ``directions`` lines its axes up with the plot's.

    >>> X = np.ones((6, 9)); X[:, 2:6] = 0
    >>> surface = loss_surface(X, corr2d(X, [[1, -1]]), [1, -1], [[1, 1], [1, -1]], a_range=(-1, 1),
    ...                        b_range=(-1, 1), points=3)
    >>> surface.losses   # rows: b; L = e^T H e / 2 = 84 at a = 1 (along (1, 1)), 12 at b = 1 (along (1, -1))
    array([[96., 12., 96.],
           [84.,  0., 84.],
           [96., 12., 96.]])
    """
    X = _image(X)
    c, d = _plane(center, directions)
    kernel_shape = np.shape(center) if np.ndim(center) == 2 else (1, c.size)
    K = _kernel(c.reshape(kernel_shape), X, "center")
    Y = _target(Y, X, K, "center")
    scale = _scale(Y.size, _reduction(reduction))
    if isinstance(points, bool) or not isinstance(points, numbers.Integral) or points < 2:
        raise ValueError(f"points must be an int >= 2 (grid points per axis); got {points!r}")
    axes = []
    for name, bounds in (("a_range", a_range), ("b_range", b_range)):
        low, high = (_real_number(v, name) for v in bounds) if isinstance(bounds, (tuple, list)) \
            and len(bounds) == 2 else (None, None)
        if low is None or not low < high:
            raise ValueError(f"{name} must be a pair (low, high) with low < high; got {bounds!r}")
        axes.append(np.linspace(low, high, int(points)))
    a, b = axes
    grid_a, grid_b = np.meshgrid(a, b)
    kernels = c + grid_a.reshape(-1, 1) * d[0] + grid_b.reshape(-1, 1) * d[1]
    residuals = patch_matrix(X, K.shape) @ kernels.T - Y.reshape(-1, 1)
    losses = scale * np.sum(residuals**2, axis=0)
    return LossSurface(a, b, losses.reshape(grid_a.shape))
