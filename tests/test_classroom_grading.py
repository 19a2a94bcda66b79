"""Graded assignments: `make assignments` output autogrades with nbgrader's own CLI, and releases give no answer away.

Lesson 03's assignment (tools/make_assignments.py) is generated, released and autograded with
``nbgrader generate_assignment``, ``autograde`` and ``export`` in a temporary course folder with
the shipped classroom/nbgrader/nbgrader_config.py, on three simulated submissions. Points
(make_assignments.POINTS): the conv2d coding exercise 3, the weight-shape value 1, the thought
question 2 (graded by hand, so 0 after autograding). A few minutes: nbgrader runs the whole lesson
once per submission.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
import class_release  # noqa: E402
from make_assignments import POINTS, write_assignment  # noqa: E402

from course_utils import exercises  # noqa: E402

LESSON = "03_cross_correlation_and_conv_layers"
CONFIG = ROOT / "classroom" / "nbgrader" / "nbgrader_config.py"
#: student -> (what they hand in, the score nbgrader must export)
EXPECTED_SCORES = {"all_right": 4.0, "flipped_kernel": 1.0, "untouched": 0.0}
MAX_SCORE = float(POINTS["coding"] + POINTS["value"] + POINTS["thought"])


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader calls alembic and jupyter by name: the environment's bin/ goes first on PATH.
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                            text=True, timeout=1200)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result


def solution_body(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line)


def outside_solution_regions(source: str) -> str:
    kept, inside = [], False
    for line in source.splitlines():
        if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
            inside = "BEGIN SOLUTION" in line
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def solution_code_lines() -> list:
    """Lines of lesson 03's worked solutions (coding and value exercises) that the lesson shows nowhere else.

    A line such as ``kh, kw = kernel.shape`` also appears in the lesson's own worked examples, which
    learners are meant to read; only the rest gives an answer away.
    """
    lesson = nbformat.read(ROOT / "notebooks" / f"{LESSON}.ipynb", as_version=4)
    elsewhere = "\n".join(outside_solution_regions(cell.source) for cell in lesson.cells)
    lines = []
    for problem in exercises.bind(LESSON):
        if not isinstance(problem, exercises.ThoughtProblem):
            lines += [line.strip() for line in problem.solution_text.splitlines()
                      if len(line.strip()) > 12 and line.strip() not in elsewhere]
    assert lines, "lesson 03's solutions have no line of their own: this test would check nothing"
    return lines


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course folder with lesson 03 generated and released (nbgrader generate_assignment)."""
    folder = tmp_path_factory.mktemp("nbgrader-course")
    config = CONFIG.read_text().replace('c.Exchange.root = "/srv/nbgrader/exchange"',
                                        f"c.Exchange.root = {str(folder / 'exchange')!r}")
    assert config != CONFIG.read_text(), "the shipped nbgrader_config.py no longer sets Exchange.root as expected"
    (folder / "nbgrader_config.py").write_text(config)
    write_assignment(LESSON, folder / "source")
    nbgrader(folder, "generate_assignment", LESSON)
    return folder


def released(course: Path) -> nbformat.NotebookNode:
    return nbformat.read(course / "release" / LESSON / f"{LESSON}.ipynb", as_version=4)


def test_released_assignment_holds_no_solution_and_no_graded_case(course):
    text = "\n".join(cell.source for cell in released(course).cells)
    for line in solution_code_lines():
        assert line not in text, f"the released notebook still holds solution code: {line!r}"
    assert "BEGIN HIDDEN TESTS" not in text and "graded_cases" not in text
    assert "assert q1.check(conv2d)" in text and "assert q2.check(answer)" in text  # the visible checks stay
    assert "# q1.hint()" in text  # and so do the hints


def test_autograded_scores_per_learner(course):
    source = nbformat.read(course / "source" / LESSON / f"{LESSON}.ipynb", as_version=4)
    answers = {cell.metadata.nbgrader["grade_id"]: solution_body(cell.source) for cell in source.cells
               if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code"}
    assert len(answers) == 2

    def flipped(grade_id: str, _: str) -> str:
        # The classic slip: convolution's flipped kernel where the exercise asks for cross-correlation.
        return answers[grade_id].replace("* kernel).sum()", "* torch.flip(kernel, (0, 1))).sum()")

    edits = {"all_right": lambda grade_id, _: answers[grade_id], "flipped_kernel": flipped,
             "untouched": lambda _, stub: stub}
    assert flipped("solution_1", "") != answers["solution_1"]
    for student, edit in edits.items():
        submission = released(course)
        for cell in submission.cells:
            grading = cell.metadata.get("nbgrader", {})
            if grading.get("solution") and cell.cell_type == "code":
                cell.source = edit(grading["grade_id"], cell.source)
        folder = course / "submitted" / student / LESSON
        folder.mkdir(parents=True)
        nbformat.write(submission, folder / f"{LESSON}.ipynb")

    nbgrader(course, "autograde", LESSON, "--create")
    nbgrader(course, "export")
    with open(course / "grades.csv", newline="") as table:
        rows = {row["student_id"]: row for row in csv.DictReader(table)}
    assert {student: float(row["score"]) for student, row in rows.items()} == EXPECTED_SCORES
    assert {float(row["max_score"]) for row in rows.values()} == {MAX_SCORE}


def test_solution_in_a_released_notebook_gives_no_answer(course, tmp_path, monkeypatch):
    """The released notebook, run against the learner-only tree's course_utils (make class-release)."""
    from nbclient import NotebookClient

    tree = class_release.build(tmp_path / "class-release")
    monkeypatch.setenv("PYTHONPATH", str(tree))  # the kernel imports this course_utils, as on a graded hub
    bind = next(cell for cell in released(course).cells if "exercise-bind" in cell.metadata.get("tags", []))
    probe = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from course_utils import exercises\nimport course_utils\nprint(course_utils.__file__)"),
        bind, nbformat.v4.new_code_cell("q1.solution()"), nbformat.v4.new_code_cell("q2.solution()"),
        nbformat.v4.new_code_cell("q3.solution()"), nbformat.v4.new_code_cell("q1.hint()")])
    NotebookClient(probe, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    def shown(cell) -> str:
        return "\n".join(output.get("text", "") + "".join(str(value) for value in output.get("data", {}).values())
                         for output in cell.outputs)

    assert shown(probe.cells[0]).strip() == str(tree / "course_utils" / "__init__.py")
    for cell in probe.cells[2:5]:
        text = shown(cell)
        assert "opens after grading" in text
        assert not any(line in text for line in solution_code_lines())
    assert "Hint" in shown(probe.cells[5])  # hints stay available
    released_exercises = "\n".join(path.read_text() for path in (tree / "course_utils" / "exercises").glob("*.py"))
    # The checking machinery (diagnosis.py spells out `kh, kw = kernel.shape` in its messages) holds no
    # solution text; the lines of a solution that only the solution has must be gone from the package.
    machinery = "\n".join((ROOT / "course_utils" / "exercises" / f"{name}.py").read_text()
                          for name in ("answers", "diagnosis", "feedback", "problems", "safe_call"))
    own_lines = [line for line in solution_code_lines() if line not in machinery]
    assert own_lines and not any(line in released_exercises for line in own_lines)
    assert not (tree / "notebooks" / f"{LESSON}.ipynb").exists() and not (tree / "notebooks" / "src").exists()
