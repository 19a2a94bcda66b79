"""Every worked solution is written once and runs as shown.

- The notebook's ``# BEGIN SOLUTION`` block and the problem's ``solution()`` text are the same
  code, character for character (the test fails when one is edited without the other).
- The code ``solution()`` displays, read back from its HTML, is the solution text with its
  indentation; executed with the lesson's imports, the function it defines passes ``check()``.
"""
from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest

from conftest import run_check, solution_namespace
from course_utils import exercises
from course_utils.exercises import CodingProblem, ThoughtProblem

LESSON_SOURCES = sorted((Path(__file__).resolve().parents[1] / "notebooks" / "src").glob("[0-9][0-9]_*.py"))
MARKERS = ("# BEGIN SOLUTION", "# END SOLUTION")


def cells(source: str):
    return re.split(r"^# %%.*$", source, flags=re.MULTILINE)


def solution_blocks(source: str):
    """Each solution cell as a learner would type it: the cell without its marker lines."""
    blocks = []
    for cell in cells(source):
        if MARKERS[0] in cell:
            kept = [line for line in cell.strip("\n").splitlines() if line.strip() not in MARKERS]
            blocks.append("\n".join(kept).strip("\n"))
    return blocks


def lesson_imports(source: str) -> str:
    """The lesson's import statements (its set-up cell), so a solution runs with the names the lesson has."""
    statements = [node for node in ast.parse(source).body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(ast.unparse(node) for node in statements)


def graded_problems(lesson: str):
    return [p for p in exercises.bind(lesson) if not isinstance(p, ThoughtProblem)]


@pytest.mark.parametrize("path", LESSON_SOURCES, ids=lambda p: p.stem)
def test_notebook_solution_is_the_problem_solution(path):
    blocks = solution_blocks(path.read_text())
    problems = graded_problems(path.stem)
    assert len(blocks) == len(problems), f"{path.name}: {len(blocks)} solution blocks for {len(problems)} problems"
    for problem, block in zip(problems, blocks):
        assert block == problem.solution_text, (
            f"{path.name} q{problem.number}: the notebook's solution block and {type(problem).__name__}'s "
            f"solution text differ; keep them identical")


def displayed_code(problem) -> str:
    """The code block of ``problem.solution()``, read back from the HTML a notebook shows."""
    page = problem._solution_feedback()._repr_html_()
    match = re.search(r"<pre class='course-feedback-code'[^>]*><code>(.*?)</code></pre>", page, re.DOTALL)
    assert match, page
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


CODING = [(path, problem.number) for path in LESSON_SOURCES
          for problem in exercises.bind(path.stem) if isinstance(problem, CodingProblem)]


@pytest.mark.parametrize("path, number", CODING, ids=lambda v: v.stem if isinstance(v, Path) else f"q{v}")
def test_displayed_solution_runs_and_passes(path, number, capsys):
    problem = exercises.bind(path.stem)[number - 1]
    shown = displayed_code(problem)
    assert shown == problem.solution_text  # every space kept: copied, it runs
    namespace: dict = {}
    exec(lesson_imports(path.read_text()), namespace)
    exec(compile(shown, f"<{path.stem} q{number} solution>", "exec"), namespace)
    passed, text = run_check(problem, namespace[problem.function_name], capsys)
    assert passed, text
    assert text.startswith("Correct:")


#: Each coding problem's function name and how many visible and hidden cases its check runs.
CASE_COUNTS = {
    "ConvMatrixProblem": ("conv_matrix", 2, 6),
    "Convolve1dProblem": ("convolve1d", 2, 4),
    "Corr2dMultiInOutProblem": ("corr2d_multi_in_out", 2, 5),
    "DilateKernelProblem": ("dilate_by_hand", 2, 6),
    "HorizontalEdgesProblem": ("horizontal_edges", 2, 4),
    "Im2colProblem": ("im2col", 2, 4),
    "InputGradientProblem": ("input_gradient", 2, 6),
    "KernelGradientProblem": ("kernel_gradient", 2, 5),
    "OutputSizeProblem": ("output_size", 4, 8),
    "Pool2dByOffsetsProblem": ("pool2d", 3, 6),
    "ReceptiveFieldRecurrenceProblem": ("receptive_field_sizes", 3, 5),
}


@pytest.mark.parametrize("name", sorted(CASE_COUNTS))
def test_reference_solution_passes_every_visible_and_hidden_case(name, capsys):
    function_name, visible, hidden = CASE_COUNTS[name]
    problem = getattr(exercises, name)()
    result, text = run_check(problem, solution_namespace(problem)[function_name], capsys)
    assert result is True, text
    assert text.startswith("Correct") and f"{visible} visible and {hidden} hidden" in text, text
