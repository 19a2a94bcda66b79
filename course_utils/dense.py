r"""A convolution layer seen as a fully connected layer with constraints.

Lesson 02 starts from a dense layer on an image and arrives at a convolution
by imposing two constraints on its weights (locality and weight sharing).
This module holds the two tools the lesson needs for that argument:

- :func:`dense_parameter_count` counts the parameters of a fully connected
  layer between arrays of any shape, the number a convolution saves;
  :func:`conv_parameter_count` (from :mod:`course_utils.layer_cost`) is the
  matching count for a convolution layer.
- :func:`corr2d_as_matrix` writes a 2-D cross-correlation as the matrix of a
  dense layer acting on the flattened image: a sparse matrix in which every row
  holds the same kernel values at shifted places (a doubly block Toeplitz matrix),

  .. math:: M\, \operatorname{vec}(X) = \operatorname{vec}(X \star K).
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Sequence, Tuple, Union

import numpy as np

from ._checks import as_real_array
from .layer_cost import conv_parameter_count

__all__ = ["conv_parameter_count", "corr2d_as_matrix", "dense_parameter_count"]

Shape = Union[int, Sequence[int]]


def _as_shape(value: Any, name: str) -> Tuple[int, ...]:
    """``value`` (an int or a sequence of ints, all >= 1) as a tuple of Python ints."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    items = list(value) if isinstance(value, (tuple, list)) else [value]
    if not items:
        raise ValueError(f"{name} must hold at least one size; got {value!r}")
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Integral):
            raise TypeError(
                f"{name} must be a positive int or a tuple of positive ints; got {value!r} "
                f"(the entry {item!r} is a {type(item).__name__})"
            )
        if item < 1:
            raise ValueError(f"{name} must hold sizes >= 1; got {value!r}")
    return tuple(int(item) for item in items)


def dense_parameter_count(input_shape: Shape, output_shape: Shape, bias: bool = True) -> int:
    r"""Number of learnable parameters of a fully connected layer from ``input_shape`` to ``output_shape``.

    Every output value has its own weight for every input value, and (with
    ``bias``) one bias:

    .. math:: \text{parameters} = n_\text{in}\, n_\text{out} \;(+\; n_\text{out}),

    where :math:`n` is the product of the sizes in a shape. Shapes may have any
    number of axes (an image ``(h, w, c)``, a hidden image ``(h, w)``, a vector
    ``n``): a dense layer flattens them, so only the numbers of values matter.
    The result is an exact Python int, also for layers far too large to build.

    Parameters
    ----------
    input_shape, output_shape : int or tuple of ints
        Sizes of the input and of the output (every size >= 1).
    bias : bool
        Whether every output value has a learnable bias.

    >>> dense_parameter_count((28, 28), 10)          # 784 * 10 + 10
    7850
    >>> dense_parameter_count((1000, 1000, 3), 1, bias=False)
    3000000
    >>> dense_parameter_count((1000, 1000, 3), (1000, 1000))   # 3e6 * 1e6 + 1e6
    3000001000000
    """
    n_in = math.prod(_as_shape(input_shape, "input_shape"))
    n_out = math.prod(_as_shape(output_shape, "output_shape"))
    if not isinstance(bias, (bool, np.bool_)):
        raise TypeError(f"bias must be True or False; got {type(bias).__name__} {bias!r}")
    return n_in * n_out + (n_out if bias else 0)


def _as_input_hw(input_shape: Any) -> Tuple[int, int]:
    if isinstance(input_shape, np.ndarray):
        input_shape = input_shape.tolist()
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError(
            f"input_shape must be a pair (height, width) of positive ints; got {type(input_shape).__name__} "
            f"{input_shape!r}"
        )
    if len(input_shape) != 2:
        raise ValueError(
            f"input_shape must be a pair (height, width) of positive ints; got {input_shape!r} "
            f"with {len(input_shape)} entries"
        )
    shape = _as_shape(input_shape, "input_shape")
    return shape[0], shape[1]


def corr2d_as_matrix(kernel: Any, input_shape: Tuple[int, int]) -> np.ndarray:
    r"""The matrix of the 2-D cross-correlation with ``kernel``, acting on flattened images.

    For an input ``X`` of shape ``input_shape = (h, w)`` and a ``(kh, kw)``
    kernel :math:`K`, the valid cross-correlation :math:`Y = X \star K` has shape
    ``(oh, ow) = (h - kh + 1, w - kw + 1)``. This returns the matrix ``M`` of
    shape ``(oh * ow, h * w)`` with

    .. math:: M\, \operatorname{vec}(X) = \operatorname{vec}(Y), \qquad
              M[i\,o_w + j,\; (i + a)\,w + (j + b)] = K[a, b],

    where vec flattens row by row (``X.ravel()``). Row ``i * ow + j`` holds the
    kernel at the place of the window of output ``(i, j)`` and zeros elsewhere;
    every row holds the same ``kh * kw`` values (weight sharing), so ``M`` is a
    doubly block Toeplitz matrix. It is the weight matrix of a fully connected
    layer that computes exactly what the convolution layer computes.

    Parameters
    ----------
    kernel : (kh, kw) array_like
        The kernel, not flipped (as in :func:`course_utils.ops.corr2d`).
    input_shape : (int, int)
        Height and width of the images the matrix will multiply; the kernel
        must fit (``kh <= h`` and ``kw <= w``).

    Returns
    -------
    numpy.ndarray
        ``(oh * ow, h * w)``; float32 for a float32 (or narrower) kernel,
        float64 otherwise.

    >>> M = corr2d_as_matrix([[0, 1], [2, 3]], (3, 3))
    >>> M.shape
    (4, 9)
    >>> M[0]
    array([0., 1., 0., 2., 3., 0., 0., 0., 0.])
    >>> (M @ np.arange(9.0)).reshape(2, 2)
    array([[19., 25.],
           [37., 43.]])
    """
    K = as_real_array(kernel, "kernel", 2)
    h, w = _as_input_hw(input_shape)
    kh, kw = K.shape
    if kh > h or kw > w:
        raise ValueError(
            f"kernel with shape {K.shape} does not fit in an input of shape input_shape={(h, w)}: "
            f"the kernel may be at most as high and as wide as the input"
        )
    oh, ow = h - kh + 1, w - kw + 1
    M = np.zeros((oh * ow, h * w), dtype=K.dtype)
    rows = np.arange(oh * ow)
    top_left = (rows // ow) * w + rows % ow  # flat input index of each output's window corner
    for a in range(kh):
        for b in range(kw):
            M[rows, top_left + a * w + b] = K[a, b]
    return M
