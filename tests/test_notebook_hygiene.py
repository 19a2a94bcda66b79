"""Stored notebooks are the product learners open: check they were produced properly.

nbval (run by `make test` on the same files) checks that the stored outputs are
reproduced; these tests check how the files were made: a clean top-to-bottom
run of the current text source, with no volatile metadata left in.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
from lesson_source import read_lesson  # noqa: E402
from nbclean import clean_notebook  # noqa: E402
from build_site import (LESSON_TAGS, TAG_EXERCISE_BIND, TAG_EXERCISE_HELP, has_tag,  # noqa: E402
                        is_worked_solution)

LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SOURCES = sorted((NOTEBOOKS / "src").glob("[0-9][0-9]_*.py"))


def test_there_are_lessons():
    assert LESSONS, "no notebooks/NN_topic.ipynb found"


def test_every_source_has_a_notebook_and_back():
    assert [p.stem for p in SOURCES] == [p.stem for p in LESSONS]


@pytest.fixture(params=LESSONS, ids=lambda p: p.stem)
def lesson(request) -> tuple[Path, nbformat.NotebookNode]:
    return request.param, nbformat.read(request.param, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def test_executed_top_to_bottom(lesson):
    path, nb = lesson
    counts = [c.execution_count for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..n; rebuild it with `make execute`"
    )


def test_no_stored_errors(lesson):
    path, nb = lesson
    errors = [o for c in code_cells(nb) for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name} stores an error output"


def test_no_widget_state_or_volatile_metadata(lesson):
    path, nb = lesson
    assert "widgets" not in nb.metadata, f"{path.name} carries widget state"
    assert nb == clean_notebook(nb), f"{path.name} has volatile metadata; run `make execute`"


def test_same_cells_as_its_text_source(lesson):
    path, nb = lesson
    source = read_lesson(NOTEBOOKS / "src" / f"{path.stem}.py")  # with its worked solutions written in
    # the tags too: the site and the slides act on them (tools/build_site.py lists them)
    stored = [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]
    expected = [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in source.cells]
    assert stored == expected, f"{path.name} is out of date with src/{path.stem}.py; run `make execute`"


@pytest.fixture(params=SOURCES, ids=lambda p: p.stem)
def source(request) -> tuple[Path, nbformat.NotebookNode]:
    return request.param, read_lesson(request.param)


#: A help cell: nothing but commented-out calls such as ``# q1.hint()`` and ``# q1.solution()``.
HELP_LINE = re.compile(r"^#\s*q\d+\s*\.\s*(hint|solution)\s*\(.*\)$")


def is_help_call_cell(cell) -> bool:
    lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
    return cell.cell_type == "code" and bool(lines) and all(HELP_LINE.match(line) for line in lines)


def test_cell_tags_are_the_documented_ones(source):
    path, nb = source
    unknown = sorted({tag for cell in nb.cells for tag in cell.metadata.get("tags", [])} - set(LESSON_TAGS))
    assert not unknown, f"{path.name}: unknown cell tags {unknown}; the known ones are {list(LESSON_TAGS)}"
    markers = [cell.source.splitlines()[0] for cell in nb.cells if cell.cell_type == "code"
               and re.search(r"^\s*# NBVAL_", cell.source, re.MULTILINE)]
    assert not markers, f"{path.name}: use the cell tag nbval-ignore-output, not a comment line ({markers[0]!r})"


def test_exercise_plumbing_cells_are_tagged(source):
    path, nb = source
    for index, cell in enumerate(nb.cells):
        where = f"{path.name}, cell {index} ({cell.source.strip()[:50]!r})"
        binds = cell.cell_type == "code" and "exercises.bind(" in cell.source
        assert binds == has_tag(cell, TAG_EXERCISE_BIND), f"{where}: the bind cell, and only it, is tagged "\
                                                          f"{TAG_EXERCISE_BIND!r}"
        following = nb.cells[index + 1] if index + 1 < len(nb.cells) else None
        helps = is_help_call_cell(cell) or (cell.cell_type == "markdown" and "Uncomment" in cell.source
                                            and following is not None and is_help_call_cell(following))
        assert helps == has_tag(cell, TAG_EXERCISE_HELP), f"{where}: the hint cells and the sentence before them, "\
                                                          f"and only they, are tagged {TAG_EXERCISE_HELP!r}"
        assert not (is_worked_solution(cell) and cell.metadata.get("tags")), f"{where}: a worked solution is " \
            "found by its BEGIN SOLUTION line; it carries no tag"


def test_starts_with_title_and_one_setup_call(lesson):
    path, nb = lesson
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    first_code = code_cells(nb)[0].source
    assert first_code.count("setup_lesson(") == 1, f"{path.name}: first code cell must call setup_lesson once"


def test_clean_notebook_removes_volatile_fields():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"state": {}}
    nb.metadata["jupytext"] = {"formats": "ipynb,py"}
    cell = nbformat.v4.new_code_cell("1 + 1", execution_count=1)
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    cell.metadata["tags"] = ["nbval-ignore-output"]
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/plain": "x", "application/vnd.jupyter.widget-view+json": {"model_id": "abc"}}
        )
    ]
    nb.cells.append(cell)
    cleaned = clean_notebook(nb)
    assert "widgets" not in cleaned.metadata and "jupytext" not in cleaned.metadata
    assert cleaned.cells[0].metadata == {"tags": ["nbval-ignore-output"]}
    assert cleaned.cells[0].outputs[0].data == {"text/plain": "x"}
    assert cleaned.cells[0].id == "cell-000"
    assert clean_notebook(cleaned) == cleaned
