"""Turn each lesson's exercises into an nbgrader source assignment: classroom/nbgrader/source/<lesson>/<lesson>.ipynb.

    python tools/make_assignments.py                      # every lesson with exercises (make assignments)
    python tools/make_assignments.py 03_cross_correlation_and_conv_layers

From the instructor notebook ``notebooks/<lesson>.ipynb`` (solutions filled in):

* a cell with a ``# BEGIN SOLUTION`` / ``# END SOLUTION`` region becomes an nbgrader solution cell
  (nbgrader's ``generate_assignment`` replaces the region with the stub in nbgrader_config.py);
* the ``qN.check(answer)`` cell of an auto-checked exercise becomes a locked, graded test cell:
  the learner sees ``assert qN.check(answer)``, the course's own check with its friendly feedback,
  and the grade is decided by the cases in its ``### BEGIN HIDDEN TESTS`` region, which nbgrader
  strips from the released copy. For a coding exercise those cases are new inputs drawn here
  with :data:`GRADING_SEED` (the arrays of the course's own cases with fresh random values) and
  their expected results, written into the cell as literals; for a value exercise, the expected
  value;
* a thought question gets a markdown answer cell, graded by hand (the model answer is its
  solution text, shown only in the instructor's copy).

Points: :data:`POINTS`. The cell binding the exercises is locked. Everything else is the lesson
as it is, so a learner works through the whole lesson and is graded on its exercises.
"""
from __future__ import annotations

import argparse
import ast
import copy
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
from make_student import BEGIN_MARKER, LESSON_GLOB, NOTEBOOKS  # noqa: E402

from course_utils import exercises  # noqa: E402
from course_utils.exercises.problems import Case, CodingProblem, ThoughtProblem, ValueProblem  # noqa: E402

COURSE_DIR = ROOT / "classroom" / "nbgrader"
SOURCE_DIR = COURSE_DIR / "source"
#: Seed of the graded cases: not in course_utils, so the package cannot recompute them.
GRADING_SEED = 20261203
POINTS = {"coding": 3, "value": 1, "thought": 2}
SCHEMA_VERSION = 3


def kind_of(problem) -> str:
    if isinstance(problem, CodingProblem):
        return "coding"
    if isinstance(problem, ValueProblem):
        return "value"
    if isinstance(problem, ThoughtProblem):
        return "thought"
    raise TypeError(f"problem must be a CodingProblem, ValueProblem or ThoughtProblem; got {type(problem).__name__}")


# -- graded cases ----------------------------------------------------------------------------------
def fresh_like(value: Any, rng: np.random.Generator) -> Any:
    """``value`` with new random numbers where it holds arrays (same shape and dtype); anything else as it is."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is pinned
        torch = None
    if torch is not None and isinstance(value, torch.Tensor):
        return torch.from_numpy(np.ascontiguousarray(fresh_like(value.detach().cpu().numpy(), rng)))
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return rng.standard_normal(value.shape).astype(value.dtype)
        if value.dtype.kind in "iu" and value.size:
            low, high = int(value.min()), int(value.max())
            return rng.integers(low, high + 1, size=value.shape).astype(value.dtype)
        return value.copy()
    if isinstance(value, tuple):
        return tuple(fresh_like(item, rng) for item in value)
    return copy.deepcopy(value)


def literal(value: Any) -> str:
    """Python source that rebuilds ``value`` exactly (arrays and tensors keep their dtype)."""
    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    if torch is not None and isinstance(value, torch.Tensor):
        text = f"torch.tensor({value.tolist()!r}, dtype=torch.{str(value.dtype).split('.')[-1]})"
        return text if value.numel() else f"{text}.reshape({tuple(value.shape)!r})"  # [] alone loses the shape
    if isinstance(value, np.ndarray):
        text = f"np.array({value.tolist()!r}, dtype=np.{value.dtype.name})"
        return text if value.size else f"{text}.reshape({value.shape!r})"
    if isinstance(value, np.generic):
        return f"np.{value.dtype.name}({value.item()!r})"
    if isinstance(value, tuple):
        return "(" + "".join(literal(item) + ", " for item in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {literal(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (int, float, str, bool, type(None))):
        return repr(value)
    raise TypeError(f"value must be an array, tensor, number, string or container of them; got {type(value).__name__}")


def graded_cases(problem: CodingProblem, seed: int = GRADING_SEED) -> List[tuple]:
    """``(args, expected, extra)`` for every case of ``problem``, with fresh arrays drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    graded = []
    for case in problem.cases():
        fresh = Case(args=fresh_like(case.args, rng), label=case.label, hidden=True, extra=copy.deepcopy(case.extra))
        graded.append((fresh.args, problem.expected(fresh), fresh.extra))
    return graded


def hidden_tests(name: str, problem, answer: str) -> str:
    """The ``### BEGIN HIDDEN TESTS`` region of exercise ``name`` (q1, ...) whose answer is the expression ``answer``."""
    lines = ["### BEGIN HIDDEN TESTS"]
    if isinstance(problem, CodingProblem):
        lines += ["# The graded cases: new inputs, drawn by `make assignments` (not in course_utils).",
                  "import copy, numpy as np",
                  "from course_utils.exercises import Case"]
        if "torch.tensor(" in "".join(literal(args) for args, _, _ in graded_cases(problem)[:1]):
            lines.append("import torch")
        lines.append("graded_cases = [")
        for args, expected, extra in graded_cases(problem):
            lines.append(f"    ({literal(args)}, {literal(expected)}, {literal(extra)}),")
        lines += ["]",
                  "for args, expected, extra in graded_cases:",
                  f"    result = {answer}(*copy.deepcopy(args))",
                  f"    assert {name}.compare(result, expected, Case(args=args, label='a graded case', extra=extra)) is None"]
    else:
        lines.append(f"assert {name}.answer.equal({name}.answer.parse({answer}), {literal(problem.expected)})")
    lines.append("### END HIDDEN TESTS")
    return "\n".join(lines)


# -- the notebook ------------------------------------------------------------------------------------
def _nbgrader(grade_id: str, *, solution: bool, grade: bool, locked: bool, points: Optional[int] = None) -> Dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _check_call(source: str) -> Optional[tuple]:
    """``(exercise name, answer expression)`` when the cell is exactly ``qN.check(answer)``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "check"
            and isinstance(call.func.value, ast.Name) and len(call.args) == 1 and not call.keywords):
        return call.func.value.id, ast.unparse(call.args[0])
    return None


def assignment_notebook(lesson: str) -> nbformat.NotebookNode:
    """The nbgrader source notebook of ``lesson`` (outputs cleared; nbgrader metadata on the exercise cells)."""
    nb = nbformat.read(NOTEBOOKS / f"{lesson}.ipynb", as_version=4)
    problems = {f"q{number}": problem for number, problem in enumerate(exercises.bind(lesson), start=1)}
    cells = []
    solutions = 0
    for cell in nb.cells:
        cell = copy.deepcopy(cell)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "exercise-bind" in tags:
            cell.metadata["nbgrader"] = _nbgrader("bind_exercises", solution=False, grade=False, locked=True)
        elif cell.cell_type == "code" and BEGIN_MARKER in cell.source:
            solutions += 1
            cell.metadata["nbgrader"] = _nbgrader(f"solution_{solutions}", solution=True, grade=False, locked=False)
        elif cell.cell_type == "code" and _check_call(cell.source) and _check_call(cell.source)[0] in problems:
            name, answer = _check_call(cell.source)
            problem = problems[name]
            cell.source = (f"# Graded: the check you know from the lessons (its feedback below), then the graded cases.\n"
                           f"assert {name}.check({answer})\n{hidden_tests(name, problem, answer)}")
            cell.metadata["nbgrader"] = _nbgrader(f"{name}_tests", solution=False, grade=True, locked=True,
                                                  points=POINTS[kind_of(problem)])
        elif cell.cell_type == "code" and "exercise-help" in tags:
            thought = [name for name, problem in problems.items()
                       if kind_of(problem) == "thought" and f"# {name}.hint()" in cell.source]
            for name in thought:
                answer_cell = nbformat.v4.new_markdown_cell(
                    f"**Your answer to {name}** (graded by your instructor):\n\n"
                    f"### BEGIN SOLUTION\n{problems[name].solution_text}\n### END SOLUTION")
                answer_cell.metadata["nbgrader"] = _nbgrader(f"{name}_answer", solution=True, grade=True, locked=False,
                                                             points=POINTS["thought"])
                cells.append(answer_cell)
        cells.append(cell)
    nb.cells = cells
    graded = {cell.metadata["nbgrader"]["grade_id"] for cell in cells if cell.metadata.get("nbgrader", {}).get("grade")}
    missing = [name for name in problems if f"{name}_tests" not in graded and f"{name}_answer" not in graded]
    if missing:
        raise ValueError(f"{lesson}: no graded cell for {', '.join(missing)} (a `qN.check(answer)` cell, or a "
                         f"`# qN.hint()` help cell for a thought question)")
    # nbgrader sets cell ids itself; stored ones from the lesson would repeat across copies.
    for cell in nb.cells:
        cell.pop("id", None)
    nb.nbformat_minor = 4
    return nb


def lessons_with_exercises() -> List[str]:
    return [path.stem for path in sorted(NOTEBOOKS.glob(LESSON_GLOB)) if path.stem in exercises.LESSON_PROBLEMS]


def write_assignment(lesson: str, source_dir: Path = SOURCE_DIR) -> Path:
    path = Path(source_dir) / lesson / f"{lesson}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(assignment_notebook(lesson), path)
    return path


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="lessons to convert (default: every lesson with exercises)")
    parser.add_argument("--to", type=Path, default=SOURCE_DIR, help="the nbgrader source folder")
    args = parser.parse_args(argv)
    known = lessons_with_exercises()
    unknown = [lesson for lesson in args.lessons if lesson not in known]
    if unknown:
        print(f"error: no lesson with exercises named {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    for lesson in args.lessons or known:
        path = write_assignment(lesson, args.to)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
