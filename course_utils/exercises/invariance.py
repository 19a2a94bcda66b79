"""Exercises of lesson 11 (trained filters and invariance): shifting images, pooling and shifts, filters and biology."""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..digits import shift_images
from .answers import Count
from .diagnosis import describe_container, dtype_mistake, real_array_or_mistake
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden


@lesson_exercise("11_trained_filters_and_invariance", 1)
class ShiftRightProblem(CodingProblem):
    """``shift_right(images, k)``: move (n, h, w) images k pixels right, zero-filling, without wrap-around.

    The result must be a NumPy array of the images' shape and dtype (the statement says so): the
    visible cases are float64 and float32, the hidden ones float64 with k = 0, k = w - 1 and k = w,
    and int64. Images are not square, so a shift along the wrong axis shows.
    """

    argument_names = ("images", "k")
    function_name = "shift_right"
    title = "shifting images without wrapping around"
    hints = [
        "Start from an array of zeros with the same shape and dtype: np.zeros_like(images).",
        "Column c of the result is column c - k of the input, for c >= k. Slicing does it in one "
        "assignment over the last axis: shifted[..., k:] = images[..., :w - k].",
        "np.roll is tempting but wraps the right edge around to the left; and k = 0 needs care "
        "because images[..., :-0] is empty. Use images.shape[-1] - k as the end of the slice.",
    ]
    solution_text = """
        def shift_right(images, k):
            shifted = np.zeros_like(images)
            if k < images.shape[-1]:
                shifted[..., k:] = images[..., :images.shape[-1] - k]
            return shifted
    """

    def cases(self) -> List[Case]:
        rng = np.random.default_rng(11)
        visible = [(np.arange(1, 13, dtype=float).reshape(1, 3, 4), 1),
                   (rng.random((2, 5, 6)).astype(np.float32), 2)]
        hidden = [(rng.random((3, 4, 6)), 0),  # no shift at all
                  (rng.random((1, 3, 5)), 4),  # all but one column leaves the image
                  (rng.random((2, 2, 3)), 3),  # everything leaves the image
                  (rng.integers(0, 9, (2, 6, 5)), 1)]  # integer images keep their dtype
        return visible_then_hidden(visible, hidden, lambda images, k: (
            f"images of shape {images.shape}{'' if images.dtype == np.float64 else f', {images.dtype}'}, k = {k}"))

    def expected(self, case: Case) -> np.ndarray:
        images, k = case.args
        return shift_images(images, cols=k)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        images, k = case.args
        _, problem = real_array_or_mistake(result, expected.shape, return_line="return shifted")
        if problem:
            return problem
        if not isinstance(result, np.ndarray):
            kind = describe_container(result) if isinstance(result, (list, tuple)) else type(result).__name__
            return f"your function returned {kind}; return a NumPy array."
        if result.shape != expected.shape:
            return f"the result has shape {result.shape} but should keep the input's shape {expected.shape}."
        wrong_dtype = dtype_mistake(result.dtype, images.dtype, source="the images", verb="are",
                                    fix="create it with np.zeros_like(images), which keeps the dtype")
        if wrong_dtype:
            return wrong_dtype
        if np.allclose(result, expected):
            return None
        width = images.shape[-1]
        if np.allclose(result, np.roll(images, k, axis=-1)):
            return ("the columns that fall off the right edge came back on the left: that is np.roll's "
                    "wrap-around. The uncovered columns must be zero.")
        if np.allclose(result, shift_images(images, cols=-k)):
            return "the images moved left. Column c of the result should hold column c - k of the input."
        if np.allclose(result, shift_images(images, rows=k)):
            return "the images moved down: shift along the last axis (columns), not the rows."
        if k == 0 and np.allclose(result, 0):
            return "with k = 0 the images must come back unchanged; images[..., :-0] is an empty slice."
        if k >= width and not np.allclose(result, 0):
            return f"with k = {k} >= width {width} everything leaves the image, so the result is all zeros."
        return "some values are in the wrong place. Column c of the result should hold column c - k of the input."


@lesson_exercise("11_trained_filters_and_invariance", 2)
class PoolingShiftProblem(ValueProblem):
    """The smallest shift that 3x3 max pooling with stride 3 passes through exactly: 3."""

    expected = 3
    answer = Count("pixels")
    known_mistakes = [
        (1, "a 1-pixel shift moves content across the borders of the 3x3 pooling windows, so different "
            "pixels are grouped together and the maxima can change."),
        (2, "after a 2-pixel shift the windows still group different pixels. Only a whole number of "
            "strides moves the content by whole windows."),
        (9, "9 is the window's area; along one axis the windows repeat every stride = 3 pixels."),
        (6, "6 works, but a smaller shift does too: what is the spacing of the windows?"),
        (0, "the question asks for the smallest positive shift."),
    ]
    title = "which shifts pass through strided pooling"
    hints = [
        "Pooling with stride s places its windows every s pixels.",
        "If the content moves by exactly one stride, every window sees the same pixels its neighbour "
        "saw before: the pooled map shifts by one cell.",
        "Equivariant layers pass a shifted map on, and the global maximum ignores where a value is.",
    ]
    solution_text = """
        answer = 3
        # A shift by the stride (3) moves the content by exactly one pooling window, so the
        # pooled map shifts by one cell; later equivariant layers shift along, and the global
        # maximum does not see the shift. Shifts of 1 or 2 regroup the pixels.
    """


@lesson_exercise("11_trained_filters_and_invariance", 3)
class BiologicalFiltersProblem(ThoughtProblem):
    """What a resemblance between CNN filters and cortical receptive fields does and does not show."""

    title = "what 'trained filters look biological' means"
    hints = [
        "How would random kernels, or kernels of a network trained on another task, look next to "
        "the same drawings? What is the baseline?",
        "The resemblance is about the first layer's response patterns. What about how they are "
        "learned, and what the later layers do?",
    ]
    solution_text = """
        It shows that, for natural images, the first stage that gradient descent finds resembles
        the first stage of the primary visual cortex: localized, oriented edge and bar detectors
        (Gabor-like patterns). That is plausible because both adapt to the same image statistics,
        and edges carry much of the information in images.
        It does not show that the brain learns by backpropagation, that later layers match later
        visual areas, or that the network "sees" like us (CNNs can be fooled by tiny changes and
        lean on texture more than people do). Before believing more, check: a baseline (random
        or untrained filters, which also look "edgy" when small, as in this lesson), a measure of
        similarity instead of a picture, the network size and data (small kernels on tiny images
        cannot show Gabor structure), and comparisons with recorded neural responses rather than
        drawings.
    """
