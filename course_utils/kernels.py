r"""Named hand-made 3x3 kernels, and Gaussian kernels of any odd size.

Every kernel here is meant for **cross-correlation**, the operation of
:func:`course_utils.corr2d` and of ``torch.nn.functional.conv2d`` (no flip):
the output at ``(i, j)`` is the sum of the kernel times the window whose
top-left corner is ``(i, j)``. Rows grow downwards and columns to the right,
as in an array, so "positive where the image gets brighter to the right" means
the right column of the kernel carries the positive weights.

Name, weights, sum, and what the output shows:

- ``identity``: ``[[0, 0, 0], [0, 1, 0], [0, 0, 0]]``, sum 1. The centre
  pixel: the image itself.
- ``box_blur``: ``ones((3, 3)) / 9``, sum 1. The window mean: a blur.
- ``gaussian_blur``: ``[[1, 2, 1], [2, 4, 2], [1, 2, 1]] / 16``, sum 1. A
  weighted mean with the centre heaviest: a gentler blur.
- ``sharpen``: ``[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]``, sum 1. Identity minus
  the Laplacian: each pixel pushed away from its neighbours' mean, so edges
  look crisper.
- ``sobel_x``: ``[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]``, sum 0. A derivative
  along x (columns): > 0 where brightness rises to the right.
- ``sobel_y``: ``sobel_x.T`` = ``[[-1, -2, -1], [0, 0, 0], [1, 2, 1]]``, sum 0.
  A derivative along y (rows): > 0 where brightness rises downwards.
- ``laplacian``: ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]``, sum 0. The sum of the
  second differences along x and y: < 0 on a bright dot or ridge, > 0 on a
  dark one, 0 on a flat region or a linear ramp.
- ``emboss``: ``[[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]``, sum 1. The image plus a
  derivative along the main diagonal: a relief that looks lit from one corner.

Sign conventions, in words:

- ``sobel_x`` subtracts the left column of the window from the right column,
  with weights 1, 2, 1 down the rows that average along the edge, so it is a
  horizontal derivative and responds to **vertical** edges. Away from the
  borders it equals ``scipy.ndimage.sobel(image, axis=1)`` (a correlation with
  ``[-1, 0, 1]``) and 4 times ``skimage.filters.sobel_v(image)``: scikit-image
  divides the weights by 4 and applies a true convolution with ``[1, 0, -1]``,
  whose flip gives back our ``[-1, 0, 1]``.
- ``sobel_y`` is its transpose: bottom row minus top row, a vertical
  derivative that responds to **horizontal** edges.
- ``laplacian`` is the 5-point discrete Laplacian, approximating
  :math:`\partial^2/\partial x^2 + \partial^2/\partial y^2`; its centre is
  negative.
- Kernels that sum to 1 keep a flat region unchanged; kernels that sum to 0
  send it to 0, so they only react to change.

>>> kernel_preset("sobel_x")
array([[-1.,  0.,  1.],
       [-2.,  0.,  2.],
       [-1.,  0.,  1.]])
>>> from course_utils import corr2d
>>> ramp = np.tile(np.arange(5.0), (4, 1))        # brightness grows by 1 per column
>>> corr2d(ramp, kernel_preset("sobel_x"))        # (1 + 2 + 1) x a rise of 2 over 2 columns
array([[8., 8., 8.],
       [8., 8., 8.]])
"""
from __future__ import annotations

import numbers
from typing import Dict, Tuple

import numpy as np

__all__ = ["KERNEL_NAMES", "gaussian_kernel", "kernel_preset"]

_PRESETS: Dict[str, Tuple[Tuple[float, ...], ...]] = {
    "identity": ((0, 0, 0), (0, 1, 0), (0, 0, 0)),
    "box_blur": ((1 / 9,) * 3,) * 3,
    "gaussian_blur": ((1 / 16, 2 / 16, 1 / 16), (2 / 16, 4 / 16, 2 / 16), (1 / 16, 2 / 16, 1 / 16)),
    "sharpen": ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
    "sobel_x": ((-1, 0, 1), (-2, 0, 2), (-1, 0, 1)),
    "sobel_y": ((-1, -2, -1), (0, 0, 0), (1, 2, 1)),
    "laplacian": ((0, 1, 0), (1, -4, 1), (0, 1, 0)),
    "emboss": ((-2, -1, 0), (-1, 1, 1), (0, 1, 2)),
}

#: The names :func:`kernel_preset` accepts, in the order of the table above.
KERNEL_NAMES: Tuple[str, ...] = tuple(_PRESETS)


def kernel_preset(name: str) -> np.ndarray:
    """The named 3x3 kernel as a new float64 array (see the module docstring for each one).

    The array is a fresh copy on every call, so it may be changed freely.

    >>> kernel_preset("box_blur").sum()
    1.0
    >>> kernel_preset("laplacian")
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    if not isinstance(name, str) or name not in _PRESETS:
        known = ", ".join(repr(n) for n in KERNEL_NAMES)
        raise ValueError(f"name must be one of {known}; got {name!r}")
    return np.array(_PRESETS[name], dtype=np.float64)


def gaussian_kernel(size: int, sigma: float) -> np.ndarray:
    r"""A ``size`` x ``size`` Gaussian blur kernel with standard deviation ``sigma`` (in pixels), summing to 1.

    .. math:: G[a, b] \propto \exp\!\left(-\frac{(a - c)^2 + (b - c)^2}{2\sigma^2}\right),
              \quad c = (\text{size} - 1) / 2

    sampled at the pixel centres and divided by its sum. ``size`` must be odd
    so that the kernel has a centre pixel. It is symmetric, so correlation and
    convolution with it are the same. The ``gaussian_blur`` preset is the
    binomial ``[1, 2, 1]`` version, close to ``gaussian_kernel(3, 0.85)``.

    >>> gaussian_kernel(3, 1.0).round(4)
    array([[0.0751, 0.1238, 0.0751],
           [0.1238, 0.2042, 0.1238],
           [0.0751, 0.1238, 0.0751]])
    >>> round(float(gaussian_kernel(7, 2.0).sum()), 12)
    1.0
    """
    if isinstance(size, bool) or not isinstance(size, numbers.Integral):
        raise TypeError(f"size must be an odd positive int; got {type(size).__name__} {size!r}")
    if size < 1 or size % 2 == 0:
        raise ValueError(f"size must be an odd positive int (the kernel needs a centre pixel); got {size!r}")
    if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real):
        raise TypeError(f"sigma must be a positive number (pixels); got {type(sigma).__name__} {sigma!r}")
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be a positive, finite number (pixels); got {sigma!r}")
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2
    profile = np.exp(-(offsets**2) / (2.0 * float(sigma) ** 2))
    kernel = np.outer(profile, profile)
    return kernel / kernel.sum()
