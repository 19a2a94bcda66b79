"""Explain why a learner's feature map differs from the reference, by its likely cause.

After the right answer, the checks run from the most to the least specific: a
transposed output, a wrong shape (each classic shape mistake has its own
message), NaN, a flipped or transposed kernel, an unfilled last row or column,
and finally the first differing value.
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from ..ops import convolve2d, corr2d


def describe_shape(shape: Tuple[int, ...]) -> str:
    return "x".join(str(n) for n in shape)


def shape_mistake(got: Tuple[int, ...], expected: Tuple[int, ...], image_shape, kernel_shape) -> str:
    """Name the usual cause of a wrong output shape of a 'valid' cross-correlation."""
    (H, W), (kh, kw) = image_shape, kernel_shape
    prefix = f"your output is {describe_shape(got)} but should be {describe_shape(expected)}"
    if len(got) != 2:
        return f"{prefix}: return a 2-D result (height, width), one value per kernel position."
    if got == (H - kh, W - kw):
        return f"{prefix}: did you use H - kh instead of H - kh + 1? The kernel fits H - kh + 1 times."
    if kh != kw and got in ((H - kh + 1, W - kh + 1), (H - kw + 1, W - kw + 1)):
        return f"{prefix}: use the kernel's height for rows and its width for columns (kh, kw = kernel.shape)."
    if got == (H, W):
        return (f"{prefix}, the size of the input: without padding the kernel cannot hang over the edge, "
                f"so the output is (H - kh + 1) x (W - kw + 1).")
    if got == (H + kh - 1, W + kw - 1):
        return f"{prefix}: that is the size of a 'full' convolution; here the kernel stays inside the image."
    if got == expected[::-1]:
        return f"{prefix}: height and width are swapped. Rows come first: (H - kh + 1, W - kw + 1)."
    return f"{prefix}: the output has (H - kh + 1) rows and (W - kw + 1) columns."


def feature_map_mistake(result: np.ndarray, expected: np.ndarray, image: np.ndarray, kernel: np.ndarray,
                        *, rtol: float = 1e-4, atol: float = 1e-4) -> Optional[str]:
    """``None`` if ``result`` matches ``expected`` (a valid cross-correlation), else the likely cause."""
    if result.shape == expected.shape and np.allclose(result, expected, rtol=rtol, atol=atol):
        return None
    if result.shape == expected.T.shape and np.allclose(result, expected.T, rtol=rtol, atol=atol):
        return ("your output is the transpose of the right one: out[i, j] should hold the window whose "
                "top-left corner is at row i, column j of the image.")
    if result.shape != expected.shape:
        return shape_mistake(tuple(result.shape), tuple(expected.shape), image.shape, kernel.shape)
    if np.isnan(result).any():
        return ("your output contains NaN: is every cell filled? (torch.empty / np.empty leave garbage; "
                "start from zeros, or make sure the loops reach every position)")
    if np.allclose(result, convolve2d(image, kernel), rtol=rtol, atol=atol):
        return ("your result equals the convolution with a flipped kernel: cross-correlation does not flip. "
                "Multiply X[i + a, j + b] by K[a, b].")
    if kernel.shape[0] == kernel.shape[1] and np.allclose(result, corr2d(image, kernel.T), rtol=rtol, atol=atol):
        return "your result uses the transposed kernel: pair X[i + a, j + b] with K[a, b], not K[b, a]."
    wrong = ~np.isclose(result, expected, rtol=rtol, atol=atol)
    if wrong[-1, :].all() and not wrong[:-1, :].any() and np.all(result[-1, :] == 0):
        return "the last row is still zero: does your row loop stop one position early?"
    if wrong[:, -1].all() and not wrong[:, :-1].any() and np.all(result[:, -1] == 0):
        return "the last column is still zero: does your column loop stop one position early?"
    i, j = np.argwhere(wrong)[0]
    return (f"the value at ({i}, {j}) is {result[i, j]:.6g} but should be {expected[i, j]:.6g} "
            f"(max |diff| = {np.max(np.abs(result - expected)):.3g}). Check which window of X you multiply "
            f"with K: it should be X[i:i + kh, j:j + kw].")
