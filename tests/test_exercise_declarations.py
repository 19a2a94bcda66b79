"""A problem is declared by class attributes; a missing or misspelt one is named at once."""
from __future__ import annotations

import pytest

from course_utils import exercises
from course_utils.exercises import CodingProblem, ThoughtProblem, ValueProblem


class _Declared(ThoughtProblem):
    title = "declared"
    hints = ["    indented hint\n"]
    solution_text = """
        first line
            second line, indented
    """


def test_declared_texts_are_dedented_once_per_instance():
    problem = _Declared()
    assert problem.hints == ["indented hint"]
    assert problem.solution_text == "first line\n    second line, indented"
    assert _Declared.hints == ["    indented hint\n"]  # the class keeps its declaration


def test_a_keyword_overrides_the_declaration_for_one_instance():
    assert _Declared(title="computed").title == "computed" and _Declared().title == "declared"


@pytest.mark.parametrize("kind, missing", [(ThoughtProblem, ["title", "hints", "solution_text"]),
                                           (CodingProblem, ["function_name", "argument_names"]),
                                           (ValueProblem, ["expected", "answer"])])
def test_a_missing_declaration_is_named(kind, missing):
    texts = {"title": "t", "hints": ["h"], "solution_text": "s"} if kind is not ThoughtProblem else {}
    with pytest.raises(TypeError, match=r"does not declare \[" + ", ".join(f"'{name}'" for name in missing)):
        kind(**texts)


def test_a_misspelt_keyword_is_refused():
    with pytest.raises(TypeError, match=r"unknown keyword\(s\) \['solution'\]"):
        _Declared(solution="the old keyword")


def test_no_hint_is_refused():
    with pytest.raises(ValueError, match="hints must hold at least one hint"):
        _Declared(hints=[])


def test_every_registered_problem_declares_what_its_kind_needs():
    for lesson, classes in exercises.LESSON_PROBLEMS.items():
        for problem_class in classes:
            problem = problem_class()
            assert all(getattr(problem, name) is not None for name in problem.declared), problem_class.__name__
