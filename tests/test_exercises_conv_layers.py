"""Lesson 03 exercises: the weight-shape question's expected answer is what PyTorch builds.

Its answers and feedback, and the bias thought question, are rows of tests/test_exercise_answers.py.
"""
from __future__ import annotations

import torch

from course_utils.exercises import WeightShapeProblem


def test_expected_shape_is_what_torch_builds():
    assert WeightShapeProblem().expected == tuple(torch.nn.Conv2d(3, 8, kernel_size=(5, 3)).weight.shape)
