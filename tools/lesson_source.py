"""Read a lesson's text source into the notebook it stands for, with its worked solutions written in.

A worked solution lives once, in its problem's ``solution_text`` in ``course_utils/exercises/``:
``qN.solution()`` shows it, the checker's tests run it, and the class release strips it. The lesson
source (``notebooks/src/NN_topic.py``) holds only a placeholder cell, ``# SOLUTION q1``, where the
learner writes exercise 1. :func:`read_lesson` replaces each placeholder with the problem's solution
between nbgrader's ``# BEGIN SOLUTION`` / ``# END SOLUTION`` markers: inside the function for a
function (its ``def`` line stays outside, so the student copy keeps the signature), around the whole
text for a value. ``make execute`` runs what it returns; ``make student`` then cuts the marked part out.
"""
from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat

from course_utils import exercises
from course_utils.exercises import ThoughtProblem

PLACEHOLDER = re.compile(r"\A# SOLUTION q(\d+)\Z")
BEGIN_MARKER = "# BEGIN SOLUTION"
END_MARKER = "# END SOLUTION"


def solution_cell(problem) -> str:
    """The code cell of ``problem``'s worked solution, with the solution region marked for nbgrader."""
    lines = problem.solution_text.splitlines()
    if len(lines) > 1 and lines[0].startswith("def ") and lines[0].endswith(":"):
        indent = re.match(r"\s*", lines[1]).group()
        return "\n".join([lines[0], f"{indent}{BEGIN_MARKER}", *lines[1:], f"{indent}{END_MARKER}"])
    return "\n".join([BEGIN_MARKER, *lines, END_MARKER])


def graded_problems(lesson: str) -> list:
    """The lesson's exercises that take an answer (thought questions have no solution cell), in order."""
    return [problem for problem in exercises.bind(lesson) if not isinstance(problem, ThoughtProblem)]


def read_lesson(source: Path) -> nbformat.NotebookNode:
    """The notebook of ``source`` (a jupytext percent file), every ``# SOLUTION qN`` placeholder filled in.

    Each graded exercise must have exactly one placeholder, and each placeholder a graded exercise.
    """
    source = Path(source)
    nb = jupytext.read(source)
    problems = {problem.number: problem for problem in graded_problems(source.stem)}
    filled = []
    for index, cell in enumerate(nb.cells):
        match = PLACEHOLDER.match(cell.source.strip()) if cell.cell_type == "code" else None
        if not match:
            continue
        number = int(match.group(1))
        if number not in problems:
            raise ValueError(f"{source.name}, cell {index}: # SOLUTION q{number} names no graded exercise of "
                             f"{source.stem}; its graded exercises are {sorted(problems)}")
        if number in filled:
            raise ValueError(f"{source.name}, cell {index}: a second # SOLUTION q{number}")
        cell.source = solution_cell(problems[number])
        filled.append(number)
    missing = sorted(set(problems) - set(filled))
    if missing:
        raise ValueError(f"{source.name}: no # SOLUTION cell for exercise(s) {missing}")
    return nb
