"""Lesson 03 exercises: the weight-shape question and the bias thought question."""
from __future__ import annotations

import re

import pytest
import torch

from course_utils.exercises import BiasPerChannelProblem, WeightShapeProblem


def test_expected_shape_is_what_torch_builds():
    assert WeightShapeProblem().expected == tuple(torch.nn.Conv2d(3, 8, kernel_size=(5, 3)).weight.shape)


@pytest.mark.parametrize("answer", [(8, 3, 5, 3), [8, 3, 5, 3], torch.Size([8, 3, 5, 3])])
def test_right_shape_in_any_spelling(answer, capsys):
    assert bool(WeightShapeProblem().check(answer)) is True
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    "answer, message",
    [
        ((5, 3, 3, 8), r"Flax's layout"),
        ((3, 8, 5, 3), r"in and out channels are swapped"),
        ((8, 3, 3, 5), r"height and width are swapped"),
        ((8, 5, 3), r"needs the in_channels axis"),
        ((5, 3), r"one kernel for one input and one output channel"),
        ((1, 3, 5, 3), r"8 separate kernels"),
        ((8, 3, 5, 4), r"is not right\."),
        ("8, 3, 5, 3", r"you passed the text '8, 3, 5, 3'; pass a shape such as \(2, 3, 4, 5\), a tuple of ints"),
        ((8.0, 3, 5, 3), r"a shape holds ints, and \(8\.0, 3, 5, 3\) contains 8\.0 \(float\)"),
        (7, r"you passed int 7; pass a shape such as \(2, 3, 4, 5\), a tuple of ints"),
    ],
)
def test_wrong_shapes_get_specific_messages(answer, message, capsys):
    problem = WeightShapeProblem()
    problem.number = 2
    assert bool(problem.check(answer)) is False
    text = capsys.readouterr().out
    assert text.startswith("Not yet"), text
    assert re.search(message, text), text


def test_unattempted_and_thought_problem(capsys):
    problem = WeightShapeProblem()
    assert bool(problem.check(None)) is False
    assert "Not attempted yet" in capsys.readouterr().out
    thought = BiasPerChannelProblem()
    thought.number = 3
    assert bool(thought.check()) is False
    assert "no automatic check" in capsys.readouterr().out
    thought.solution()
    assert "translation equivariance" in capsys.readouterr().out
