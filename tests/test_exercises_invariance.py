"""Lesson 11 exercises: shift_right mistakes, the pooling-shift value question."""
from __future__ import annotations

import re

import numpy as np
import pytest

from course_utils.exercises import PoolingShiftProblem, ShiftRightProblem
from conftest import run_check, solution_namespace


def reference(images, k):
    return solution_namespace(ShiftRightProblem())["shift_right"](images, k)


def test_reference_solution_passes(capsys):
    result, text = run_check(ShiftRightProblem(), reference, capsys)
    assert result is True, text
    assert "2 visible and 4 hidden" in text


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


@pytest.mark.parametrize("mistake", list(SHIFT_MISTAKES))
def test_shift_mistakes_get_specific_messages(mistake, capsys):
    answer, message = SHIFT_MISTAKES[mistake]
    result, text = run_check(ShiftRightProblem(), answer, capsys)
    assert result is False
    assert text.startswith("Not yet"), text
    assert re.search(message, text), text


@pytest.mark.parametrize("answer, message", [
    (1, r"across the borders of the 3x3 pooling windows"),
    (2, r"Only a whole number of strides"),
    (9, r"window's area"),
    (6, r"a smaller shift does too"),
    (0, r"smallest positive shift"),
    (4, r"is not right\."),
    (2.5, r"^Not yet: 2\.5 is not right: the answer is a whole number of pixels\."),
    ("3", r"^Not yet: you passed the text '3'; pass the number 3 \(no quotes\)\."),
])
def test_pooling_shift_mistakes(answer, message, capsys):
    result, text = run_check(PoolingShiftProblem(), answer, capsys)
    assert result is False and re.search(message, text), text


def test_pooling_shift_right_answer(capsys):
    assert run_check(PoolingShiftProblem(), 3, capsys)[0] is True
    assert run_check(PoolingShiftProblem(), 3.0, capsys)[0] is True
