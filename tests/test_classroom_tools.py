"""The classroom's tools without a hub: hand-out link, kernel environment, assignment cells, the learner-only tree."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

ROOT = Path(__file__).resolve().parents[1]
import class_release  # noqa: E402
import class_server  # noqa: E402
import make_assignments  # noqa: E402
from class_link import class_link  # noqa: E402

from course_utils import exercises  # noqa: E402


# -- the hand-out link -------------------------------------------------------------------------------
def test_class_link_opens_the_learners_copy_after_the_pull():
    import urllib.parse

    link = urllib.parse.urlparse(class_link("https://hub.example.org", "https://example.org/c.git", "main",
                                            "03_cross_correlation_and_conv_layers"))
    assert link.path == "/hub/user-redirect/git-pull"
    query = urllib.parse.parse_qs(link.query)
    assert query["repo"] == ["https://example.org/c.git"] and query["branch"] == ["main"]
    assert query["targetpath"] == ["convolutions"]
    assert query["urlpath"] == ["course/open?course=convolutions&lesson=03_cross_correlation_and_conv_layers"]


@pytest.mark.parametrize("hub", ["hub.example.org", "ftp://hub.example.org", ""])
def test_class_link_refuses_an_address_that_is_not_a_hub(hub):
    with pytest.raises(ValueError, match="hub"):
        class_link(hub, "https://example.org/c.git", "main")


# -- threads in the kernel's environment ---------------------------------------------------------------
def test_kernel_environment_follows_cpu_limit_and_leaves_explicit_settings(tmp_path):
    no_cgroup = {"root": tmp_path, "self_cgroup": tmp_path / "none"}
    one = class_server.kernel_environment({"CPU_LIMIT": "1"}, affinity=64, **no_cgroup)
    assert one == {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                   "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false"}
    mine = class_server.kernel_environment({"CPU_LIMIT": "1", "OMP_NUM_THREADS": "4", "XLA_FLAGS": "--x"},
                                           affinity=64, **no_cgroup)
    assert mine == {"MKL_NUM_THREADS": "4", "OPENBLAS_NUM_THREADS": "4"}


def test_kernel_environment_reads_a_cgroup_quota(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")  # 1.5 CPUs: two threads
    environment = class_server.kernel_environment({}, affinity=64, root=tmp_path, self_cgroup=tmp_path / "none")
    assert environment["OMP_NUM_THREADS"] == "2" and "XLA_FLAGS" not in environment


def test_learner_folder_is_extended_never_replaced(tmp_path):
    clone = tmp_path / "convolutions"
    (clone / "course_utils").mkdir(parents=True)
    student = clone / "notebooks" / "student"
    student.mkdir(parents=True)
    lessons = sorted((ROOT / "notebooks" / "student").glob("[0-9][0-9]_*.ipynb"))[:2]
    (student / lessons[0].name).write_bytes(lessons[0].read_bytes())
    assert class_server.course_clones(tmp_path) == [clone]
    assert [path.name for path in class_server.extend_learner_folder(clone)] == [lessons[0].name]
    mine = clone / "my-work" / lessons[0].name
    mine.write_text(mine.read_text().replace("# your code here", "# my answer"))
    (student / lessons[1].name).write_bytes(lessons[1].read_bytes())  # an update brings a new lesson
    assert [path.name for path in class_server.extend_learner_folder(clone)] == [lessons[1].name]
    assert "# my answer" in mine.read_text()


# -- assignments -----------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(arrays(st.sampled_from([np.float32, np.float64, np.int64]), st.tuples(st.integers(0, 4), st.integers(0, 4)),
              elements={"allow_nan": False, "allow_infinity": False, "min_value": -1e6, "max_value": 1e6}))
def test_literal_rebuilds_arrays_and_tensors_exactly(array):
    namespace = {"np": np, "torch": torch}
    rebuilt = eval(make_assignments.literal(array), namespace)  # noqa: S307 - our own literal
    assert rebuilt.dtype == array.dtype and np.array_equal(rebuilt, array)
    tensor = torch.from_numpy(array)
    rebuilt_tensor = eval(make_assignments.literal((tensor, 3, "same")), namespace)  # noqa: S307
    assert rebuilt_tensor[0].dtype == tensor.dtype and torch.equal(rebuilt_tensor[0], tensor)
    assert rebuilt_tensor[1:] == (3, "same")


def test_fresh_like_keeps_shapes_and_dtypes_and_draws_new_values():
    rng = np.random.default_rng(0)
    original = (np.arange(12, dtype=np.float32).reshape(3, 4), torch.ones((2, 5), dtype=torch.float64), (3, 3), "max")
    fresh = make_assignments.fresh_like(original, rng)
    assert fresh[0].shape == (3, 4) and fresh[0].dtype == np.float32 and not np.array_equal(fresh[0], original[0])
    assert fresh[1].shape == (2, 5) and fresh[1].dtype == torch.float64 and not torch.equal(fresh[1], original[1])
    assert fresh[2:] == ((3, 3), "max")


@pytest.mark.parametrize("lesson", make_assignments.lessons_with_exercises())
def test_every_exercise_gets_its_graded_cell(lesson):
    nb = make_assignments.assignment_notebook(lesson)
    grading = [cell.metadata["nbgrader"] for cell in nb.cells if "nbgrader" in cell.metadata]
    problems = exercises.bind(lesson)
    for number, problem in enumerate(problems, start=1):
        kind = make_assignments.kind_of(problem)
        grade_id = f"q{number}_answer" if kind == "thought" else f"q{number}_tests"
        (cell,) = [meta for meta in grading if meta["grade_id"] == grade_id]
        assert cell["grade"] and cell["points"] == make_assignments.POINTS[kind]
        assert cell["locked"] == (kind != "thought")
    solutions = [meta for meta in grading if meta["solution"] and not meta["grade"]]
    assert solutions, f"{lesson}: no solution cell"
    tests = [cell.source for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade_id", "").endswith("_tests")]
    assert all("### BEGIN HIDDEN TESTS" in source and source.count("assert ") >= 2 for source in tests)
    assert all(not cell.outputs for cell in nb.cells if cell.cell_type == "code")


def test_graded_cases_are_not_the_packages_cases():
    (conv2d_problem, *_) = exercises.bind("03_cross_correlation_and_conv_layers")
    graded = make_assignments.graded_cases(conv2d_problem)
    own = conv2d_problem.cases()
    assert len(graded) == len(own)
    for (args, expected, _), case in zip(graded, own):
        assert args[0].shape == case.args[0].shape and not torch.equal(args[0], case.args[0])
        assert np.allclose(expected, conv2d_problem.expected(exercises.Case(args=args, label="x")))


# -- the learner-only tree ---------------------------------------------------------------------------------
def test_strip_solution_texts_replaces_only_the_declared_solutions():
    source = ('class Declared:\n    hints = ["h"]\n    solution_text = """\n        answer = 42\n    """\n\n\n'
              'make(title="t", hints=["h2"], solution_text=f"""\n    answer = {6 * 7}\n""", other=1)\n'
              'solution_text = "kept"\n')
    stripped = class_release.strip_solution_texts(source, "example.py")
    assert "answer = 42" not in stripped and "answer = {6 * 7}" not in stripped
    assert stripped.count(repr(class_release.WITHHELD)) == 2
    assert 'hints = ["h"]' in stripped and 'hints=["h2"]' in stripped and "other=1" in stripped
    assert 'solution_text = "kept"' in stripped  # a module-level name is no problem's solution
    compile(stripped, "example.py", "exec")


def test_the_learner_only_tree_holds_no_worked_solution(tmp_path):
    """Every problem of every lesson, imported from the release: its solution text is the withheld notice,
    and what solution() shows holds no line of the real solution."""
    import json
    import subprocess
    import sys

    tree = class_release.build(tmp_path / "class-release")
    probe = (
        "import contextlib, io, json\n"
        "from course_utils import exercises\n"
        "report = {}\n"
        "for lesson in exercises.LESSON_PROBLEMS:\n"
        "    for problem in exercises.bind(lesson):\n"
        "        shown = io.StringIO()\n"
        "        with contextlib.redirect_stdout(shown):\n"
        "            problem.solution()\n"
        "        report[type(problem).__name__] = [problem.solution_text, shown.getvalue()]\n"
        "print(json.dumps(report))\n")
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(tree)})
    released = json.loads(run.stdout)
    problems = {type(problem).__name__: problem for lesson in exercises.LESSON_PROBLEMS
                for problem in exercises.bind(lesson)}
    assert set(released) == set(problems)
    for name, (text, shown) in released.items():
        assert text == class_release.WITHHELD, name
        assert "opens after grading" in shown, name
        solution_lines = [line.strip() for line in problems[name].solution_text.splitlines() if line.strip()]
        assert solution_lines and not [line for line in solution_lines if line in shown], name
