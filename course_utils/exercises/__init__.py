"""Exercises with automatic, friendly checking.

In a lesson::

    from course_utils import exercises
    (q1,) = exercises.bind("00_getting_started")
    q1.check(valid_output_shape)   # shows feedback; the result is true when right
    q1.hint()                      # tiered hints: q1.hint(2), q1.hint(3)
    q1.solution()                  # the reference solution

The problem classes live in one module per topic, each registered for its lesson by the
``@lesson_exercise(lesson, number)`` line above it; :data:`LESSON_PROBLEMS` is built from those.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Callable, Dict, List, Tuple

from .answers import Count, NotThatKind, Real, Shape
from .feedback import Feedback
from .problems import REGISTRY, Case, CheckResult, CodingProblem, Problem, ThoughtProblem, ValueProblem, lesson_exercise

#: Modules of this package that hold the checking machinery rather than a lesson's problems.
_MACHINERY = {"answers", "diagnosis", "feedback", "problems", "safe_call"}

# Importing a topic module registers its problems (``@lesson_exercise`` above each class), so a new
# lesson's module is found by being in this folder; nothing here needs editing when one is added.
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _MACHINERY:
        importlib.import_module(f"{__name__}.{_module.name}")


def _lesson_problems() -> Dict[str, List[Callable[[], Problem]]]:
    lessons = {}
    for lesson in sorted(REGISTRY):
        numbered = REGISTRY[lesson]
        if sorted(numbered) != list(range(1, len(numbered) + 1)):
            raise RuntimeError(f"{lesson}'s exercises are numbered {sorted(numbered)}; they must be 1..n")
        lessons[lesson] = [numbered[n] for n in sorted(numbered)]
    return lessons


#: lesson name -> the problem classes it binds, in order (q1, q2, ...).
LESSON_PROBLEMS: Dict[str, List[Callable[[], Problem]]] = _lesson_problems()

# Every registered problem class is importable from here by name (tests, the site builder).
_PROBLEM_CLASSES = {cls.__name__: cls for classes in LESSON_PROBLEMS.values() for cls in classes}
globals().update(_PROBLEM_CLASSES)


def bind(lesson: str) -> Tuple[Problem, ...]:
    """Fresh problem objects for ``lesson``, numbered q1, q2, ... in order."""
    if lesson not in LESSON_PROBLEMS:
        known = ", ".join(sorted(LESSON_PROBLEMS))
        raise ValueError(f"lesson must be one of: {known}; got {lesson!r}")
    problems = tuple(make() for make in LESSON_PROBLEMS[lesson])
    for number, problem in enumerate(problems, start=1):
        problem.number = number
    return problems


__all__ = ["LESSON_PROBLEMS", "Case", "CheckResult", "CodingProblem", "Count", "Feedback", "NotThatKind", "Problem",
           "Real", "Shape", "ThoughtProblem", "ValueProblem", "bind", "lesson_exercise", *sorted(_PROBLEM_CLASSES)]
