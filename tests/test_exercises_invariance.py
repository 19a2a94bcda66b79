"""Lesson 11 exercises: shift_right's realistic mistakes get their own diagnosis.

The pooling-shift answers are rows of tests/test_exercise_answers.py.
"""
from __future__ import annotations

import numpy as np

from course_utils.exercises import ShiftRightProblem
from conftest import feedback_table_test, reference_function

reference = reference_function(ShiftRightProblem)


def _in_place(images, k):
    images[..., k:] = images[..., : images.shape[-1] - k].copy()
    images[..., :k] = 0
    return images


def _slice_minus_k(images, k):
    shifted = np.zeros_like(images)
    shifted[..., k:] = images[..., :-k]
    return shifted


SHIFT_MISTAKES = {
    "roll": (lambda images, k: np.roll(images, k, axis=-1), r"np.roll's wrap-around"),
    "left": (lambda images, k: np.concatenate([images[..., k:], np.zeros_like(images[..., :k])], axis=-1),
             r"the images moved left"),
    "down": (lambda images, k: np.concatenate([np.zeros_like(images[:, :k]), images[:, : images.shape[1] - k]], axis=1),
             r"the images moved down"),
    "float result": (lambda images, k: reference(images, k).astype(np.float64) if images.dtype != np.float64
                     else reference(images, k).astype(np.float32), r"your output is float\d+ but the images are float\d+: create it with np\.zeros_like"),
    "none": (lambda images, k: None, r"returned None"),
    "list": (lambda images, k: reference(images, k).tolist(), r"returned a Python list of \d+ lists?; return a NumPy array"),
    "in place": (_in_place, r"changed its input images"),
    "minus-zero slice": (_slice_minus_k, r"k = 0 the images must come back unchanged|raised ValueError"),
    "wrong shape": (lambda images, k: reference(images, k)[..., 1:], r"should keep the input's shape"),
}


test_shift_mistakes = feedback_table_test(ShiftRightProblem, SHIFT_MISTAKES)
