r"""Template matching by normalised cross-correlation, built on :func:`course_utils.corr2d`.

A cross-correlation output is the dot product of each image window with the
kernel, so it measures similarity; but a plain dot product grows with the
brightness and contrast of the window, and the brightest region wins.
Normalised cross-correlation (NCC) compares *shapes* only: both the window
:math:`W` and the template :math:`T` lose their mean and are divided by their
spread,

.. math::

    \mathrm{NCC}[i, j] = \frac{\sum_{a,b} (W_{ij}[a,b] - \bar W_{ij})(T[a,b] - \bar T)}
                              {\sqrt{\sum_{a,b} (W_{ij}[a,b] - \bar W_{ij})^2}\;
                               \sqrt{\sum_{a,b} (T[a,b] - \bar T)^2}},

the cosine of the angle between the two zero-mean patches. It lies in
:math:`[-1, 1]`, and equals 1 exactly where the window is the template up to a
positive gain and an offset, :math:`W = \alpha T + \beta` with
:math:`\alpha > 0`.

Everything is computed with a few whole-image cross-correlations, never a
Python loop over pixels:

- the numerator is ``corr2d(image, T - mean(T))`` (subtracting the window mean
  changes nothing, because the zero-mean template sums to 0);
- the window sums of :math:`x` and :math:`x^2` are box sums,
  ``corr2d(image, ones(h, w))``, which give every window's variance as
  :math:`\sum x^2 - (\sum x)^2 / n`.

**Flat windows.** Where a window is constant its spread is 0 and the ratio is
0/0. The rule: a window whose standard deviation is at most ``1e-6`` times the
standard deviation of the whole image counts as flat, and its NCC is 0 (a flat
patch carries no pattern, so it is neither like nor unlike the template). A
constant *template* makes every position 0/0; that is refused with a ValueError.
"""
from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from ._checks import as_real_array
from .ops import corr2d

__all__ = ["FLAT_WINDOW_RELATIVE_STD", "best_match", "normalized_cross_correlation"]

#: A window whose standard deviation is at most this fraction of the image's counts as flat (NCC 0).
FLAT_WINDOW_RELATIVE_STD = 1e-6


def _image_and_template(image: Any, template: Any) -> Tuple[np.ndarray, np.ndarray]:
    """Validate the pair and return both as float64 arrays."""
    image = as_real_array(image, "image", 2).astype(np.float64)
    template = as_real_array(template, "template", 2).astype(np.float64)
    if template.shape[0] > image.shape[0] or template.shape[1] > image.shape[1]:
        raise ValueError(
            f"template with shape {template.shape} is larger than image with shape {image.shape}: "
            f"the template must fit inside the image in both directions"
        )
    for name, array in (("image", image), ("template", template)):
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must hold only finite values (no NaN or inf); shape {array.shape}")
    return image, template


def normalized_cross_correlation(image: Any, template: Any) -> np.ndarray:
    """The zero-mean normalised cross-correlation of ``template`` with every window of ``image``.

    Parameters
    ----------
    image : (H, W) array_like
        Where to search.
    template : (h, w) array_like
        The pattern to find; ``h <= H`` and ``w <= W``, not constant.

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(H - h + 1, W - w + 1)`` (the 'valid'
        positions, like :func:`course_utils.corr2d`), values in ``[-1, 1]``.
        Entry ``(i, j)`` compares the template with ``image[i:i+h, j:j+w]``.
        Flat windows give 0 (see the module docstring for the rule).

    >>> image = np.array([[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]])
    >>> normalized_cross_correlation(image, [[10, 20], [30, 40]]).round(3)
    array([[ 0.775,  0.944,  0.258],
           [ 0.73 ,  1.   , -0.135],
           [-0.258, -0.814, -0.775]])
    >>> normalized_cross_correlation(np.ones((3, 3)), [[0, 1]])   # every window flat
    array([[0., 0.],
           [0., 0.],
           [0., 0.]])
    """
    image, template = _image_and_template(image, template)
    n = template.size
    centred_template = template - template.mean()
    template_norm = float(np.sqrt(np.sum(centred_template**2)))
    if template_norm <= 1e-12 * max(1.0, float(np.max(np.abs(template)))) * np.sqrt(n):
        raise ValueError(
            f"template with shape {template.shape} is constant (every value {template.flat[0]:g}): "
            f"it has no pattern, so its normalised correlation is undefined everywhere"
        )
    # Subtracting the global mean changes no NCC value but keeps the box sums small,
    # which limits the cancellation in sum(x^2) - sum(x)^2 / n.
    shifted = image - image.mean()
    numerator = corr2d(shifted, centred_template)
    box = np.ones(template.shape)
    window_sum = corr2d(shifted, box)
    window_sum_sq = corr2d(shifted**2, box)
    window_spread_sq = np.maximum(window_sum_sq - window_sum**2 / n, 0.0)  # n * window variance

    flat_std = FLAT_WINDOW_RELATIVE_STD * float(shifted.std())
    flat = window_spread_sq <= n * flat_std**2
    denominator = np.sqrt(window_spread_sq) * template_norm
    ncc = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=ncc, where=~flat)
    return np.clip(ncc, -1.0, 1.0)


def best_match(image: Any, template: Any) -> Tuple[int, int]:
    """The ``(row, col)`` of the top-left corner of the window most like ``template``.

    The position of the largest :func:`normalized_cross_correlation`; on a
    tie, the first in row-major order (as ``np.argmax``). So if ``template`` was
    cut as ``image[r:r+h, c:c+w]`` (and no other window is an exact gain-and-
    offset copy of it), the answer is ``(r, c)``.

    >>> rng = np.random.default_rng(0)
    >>> image = rng.random((30, 40))
    >>> best_match(image, image[12:20, 25:31])
    (12, 25)
    """
    ncc = normalized_cross_correlation(image, template)
    row, col = np.unravel_index(int(np.argmax(ncc)), ncc.shape)
    return int(row), int(col)
