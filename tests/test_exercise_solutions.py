"""Every worked solution is written once and runs as shown.

- The lesson source holds a ``# SOLUTION qN`` placeholder for every graded exercise, and no solution
  of its own; the executed notebook holds the problem's ``solution_text`` there, between nbgrader's
  markers (tools/lesson_source.py writes it in at ``make execute``).
- The code ``solution()`` displays, read back from its HTML, is the solution text with its
  indentation; executed with the lesson's imports, the function it defines passes ``check()``.
"""
from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import nbformat
import pytest

from conftest import run_check, solution_namespace
from course_utils import exercises
from course_utils.exercises import CodingProblem
from lesson_source import BEGIN_MARKER, PLACEHOLDER, graded_problems, solution_cell

ROOT = Path(__file__).resolve().parents[1]
LESSON_SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))


def cells(source: str):
    return re.split(r"^# %%.*$", source, flags=re.MULTILINE)


def lesson_imports(source: str) -> str:
    """The lesson's import statements (its set-up cell), so a solution runs with the names the lesson has."""
    statements = [node for node in ast.parse(source).body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(ast.unparse(node) for node in statements)


@pytest.mark.parametrize("path", LESSON_SOURCES, ids=lambda p: p.stem)
def test_the_source_holds_placeholders_and_no_solution(path):
    source = path.read_text()
    placeholders = [int(match.group(1)) for cell in cells(source) if (match := PLACEHOLDER.match(cell.strip()))]
    assert placeholders == [problem.number for problem in graded_problems(path.stem)]
    assert BEGIN_MARKER not in source, f"{path.name} writes a solution of its own; write # SOLUTION qN instead"


@pytest.mark.parametrize("path", LESSON_SOURCES, ids=lambda p: p.stem)
def test_the_notebook_holds_each_problems_solution(path):
    nb = nbformat.read(path.parents[1] / f"{path.stem}.ipynb", as_version=4)
    stored = [cell.source for cell in nb.cells if cell.cell_type == "code" and BEGIN_MARKER in cell.source]
    assert stored == [solution_cell(problem) for problem in graded_problems(path.stem)], \
        f"{path.stem}.ipynb's solutions are not its problems' solution_text; run make execute"


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
    "Conv2dTorchProblem": ("conv2d", 4, 7),
    "ConvMatrixProblem": ("conv_matrix", 2, 6),
    "Convolve1dProblem": ("convolve1d", 2, 4),
    "Corr2dMultiInOutProblem": ("corr2d_multi_in_out", 2, 5),
    "DepthwiseCorr2dProblem": ("depthwise_corr2d", 2, 5),
    "DilateKernelProblem": ("dilate_by_hand", 2, 6),
    "HorizontalEdgesProblem": ("horizontal_edges", 2, 4),
    "Im2colProblem": ("im2col", 2, 4),
    "InputGradientProblem": ("input_gradient", 2, 6),
    "IsSeparableProblem": ("is_separable", 2, 10),
    "KernelGradientProblem": ("kernel_gradient", 2, 5),
    "OutputShapeProblem": ("valid_output_shape", 3, 6),
    "OutputSizeProblem": ("output_size", 4, 8),
    "Pool2dByOffsetsProblem": ("pool2d", 3, 6),
    "ReceptiveFieldRecurrenceProblem": ("receptive_field_sizes", 3, 5),
    "ShiftRightProblem": ("shift_right", 2, 4),
}


def test_every_coding_problem_has_its_case_counts():
    coding = {cls.__name__ for classes in exercises.LESSON_PROBLEMS.values() for cls in classes
              if issubclass(cls, CodingProblem)}
    assert set(CASE_COUNTS) == coding


@pytest.mark.parametrize("name", sorted(CASE_COUNTS))
def test_reference_solution_passes_every_visible_and_hidden_case(name, capsys):
    function_name, visible, hidden = CASE_COUNTS[name]
    problem = getattr(exercises, name)()
    result, text = run_check(problem, solution_namespace(problem)[function_name], capsys)
    assert result is True, text
    assert text == (f"Correct: {function_name} gives the right result on all {visible} visible and {hidden} "
                    f"hidden cases.\n"), text
