"""course_utils.course_map is the one list of lessons: the notebooks, the README and lesson 00 follow it."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from course_utils import course_map

ROOT = Path(__file__).resolve().parents[1]
STEMS = [entry.stem for entry in course_map.LESSONS]


def test_the_lessons_on_disk_are_the_map():
    for folder, suffix in (("notebooks", ".ipynb"), ("notebooks/src", ".py"), ("notebooks/student", ".ipynb")):
        found = sorted(path.stem for path in (ROOT / folder).glob(f"[0-9][0-9]_*{suffix}"))
        assert found == STEMS, f"{folder} holds {found}; course_map.LESSONS lists {STEMS}"


def test_numbers_run_from_00_without_gaps():
    assert [entry.number for entry in course_map.LESSONS] == [f"{n:02d}" for n in range(len(STEMS))]


@pytest.mark.parametrize("entry", course_map.LESSONS, ids=lambda entry: entry.stem)
def test_each_notebook_opens_with_its_heading(entry):
    first = nbformat.read(ROOT / "notebooks" / f"{entry.stem}.ipynb", as_version=4).cells[0]
    assert first.cell_type == "markdown" and first.source.splitlines()[0] == f"# {entry.heading}"


def test_the_readme_table_is_the_map():
    readme = (ROOT / "README.md").read_text()
    assert course_map.readme_table() in readme, "README's lesson table differs from course_map.readme_table()"


def test_lesson_00_shows_the_question_table():
    notebook = nbformat.read(ROOT / "notebooks" / "00_getting_started.ipynb", as_version=4)
    shown = [output.get("data", {}).get("text/markdown", "") for cell in notebook.cells if cell.cell_type == "code"
             for output in cell.get("outputs", [])]
    assert course_map.question_table() in shown


def test_lesson_lookup_names_the_known_stems():
    assert course_map.lesson("07_dilation").heading == "07 · Dilation"
    with pytest.raises(ValueError, match=r"stem must be one of .*'00_getting_started'.*got '07'"):
        course_map.lesson("07")
