"""The learner's own copies (tools/learner_copy.py, run by `make lab`): added once, never replaced, links that work.

Each test builds a course in a temporary folder laid out like the repository: the
real student notebooks copied into ``notebooks/student/``, and every other entry of
the repository root linked in (images/, README.md, ...), so relative links resolve
exactly as they would in a checkout.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

ROOT = Path(__file__).resolve().parents[1]
STUDENT = ROOT / "notebooks" / "student"
import learner_copy  # noqa: E402
from learner_copy import copy_new_lessons, report  # noqa: E402

LESSONS = sorted(path.name for path in STUDENT.glob("[0-9][0-9]_*.ipynb"))

# Relative link targets in markdown: ](x), src="x" / href='x', [name]: x.
MARKDOWN_TARGETS = [
    re.compile(r"\]\(\s*<?([^)\s>]+)"),
    re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)"""),
    re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?(\S+?)>?$", re.MULTILINE),
]
# Path-like string literals in code: "../x", 'images/x.png'.
CODE_PATHS = re.compile(r"""["']((?:\.\./|\./)[^"'{}]+|[\w./-]+\.(?:png|gif|jpg|jpeg|svg|ipynb|txt|md|npz|npy))["']""")


@pytest.fixture
def course(tmp_path):
    """A repository-shaped folder: a copy of notebooks/student/, everything else linked to the real files."""
    for entry in ROOT.iterdir():
        if entry.name not in {"notebooks", ".git", ".venv", learner_copy.WORK_DIR_NAME}:
            (tmp_path / entry.name).symlink_to(entry)
    (tmp_path / "notebooks").mkdir()
    for entry in (ROOT / "notebooks").iterdir():
        if entry.name != "student":
            (tmp_path / "notebooks" / entry.name).symlink_to(entry)
    shutil.copytree(STUDENT, tmp_path / "notebooks" / "student")
    return tmp_path


def lessons_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("*.ipynb"))


def copy_into(course: Path) -> list[str]:
    return [path.name for path in copy_new_lessons(course / "my-work", course / "notebooks" / "student")]


def relative_targets(nb: nbformat.NotebookNode) -> list[str]:
    """Every relative link of the markdown cells and every path-like string of the code cells."""
    targets = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for pattern in MARKDOWN_TARGETS:
                targets += pattern.findall(cell.source)
        elif cell.cell_type == "code":
            targets += CODE_PATHS.findall(cell.source)
    return [target for target in targets if not re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target)]


def test_there_are_student_lessons_to_copy():
    assert "00_getting_started.ipynb" in LESSONS and len(LESSONS) >= 2


def test_first_run_copies_every_lesson_with_its_cells(course):
    assert copy_into(course) == LESSONS
    assert lessons_in(course / "my-work") == LESSONS
    for name in LESSONS:
        student = nbformat.read(course / "notebooks" / "student" / name, as_version=4)
        mine = nbformat.read(course / "my-work" / name, as_version=4)
        nbformat.validate(mine)
        assert len(mine.cells) == len(student.cells)
        # One folder less deep than notebooks/student/: ../../x becomes ../x; nothing else changes.
        for index, (theirs, ours) in enumerate(zip(student.cells[1:], mine.cells[1:]), start=1):
            assert ours.source == theirs.source.replace("../../", "../"), f"{name} cell {index}"
            assert ours.get("outputs") == theirs.get("outputs"), f"{name} cell {index}"
        assert mine.cells[0].source.startswith(student.cells[0].source.rstrip("\n") + "\n\n")
        assert mine.cells[0].source.endswith(
            f"This file, `{course / 'my-work' / name}`, is **your own copy**: `make lab`, `make student` and "
            "`git pull` never change it. To start this lesson afresh, delete the file and run `make lab` again."
        )


def test_note_names_the_copy_relative_to_the_repository():
    assert learner_copy.ownership_note(learner_copy.WORK_DIR / "03_x.ipynb").startswith(
        "This file, `my-work/03_x.ipynb`, is **your own copy**"
    )


def test_edited_copy_is_never_overwritten(course):
    copy_into(course)
    mine = course / "my-work" / LESSONS[0]
    edited = nbformat.read(mine, as_version=4)
    edited.cells.append(new_code_cell("answer = 42  # mine"))
    nbformat.write(edited, mine)
    broken = course / "my-work" / LESSONS[1]
    broken.write_text("half-saved, not JSON")
    before = {name: (course / "my-work" / name).read_bytes() for name in LESSONS}

    # `make student` rewrites the student copies; the learner's copies stay as they are.
    student_path = course / "notebooks" / "student" / LESSONS[0]
    student = nbformat.read(student_path, as_version=4)
    student.cells.append(new_markdown_cell("a new paragraph in the lesson"))
    nbformat.write(student, student_path)

    assert copy_into(course) == []
    assert {name: (course / "my-work" / name).read_bytes() for name in LESSONS} == before
    assert nbformat.read(mine, as_version=4).cells[-1].source == "answer = 42  # mine"


def test_new_and_deleted_lessons_are_added_and_nothing_else(course):
    copy_into(course)
    kept = course / "my-work" / LESSONS[0]
    kept_bytes = kept.read_bytes()
    shutil.copy(course / "notebooks" / "student" / LESSONS[-1], course / "notebooks" / "student" / "99_new_topic.ipynb")
    (course / "my-work" / LESSONS[1]).unlink()  # the learner wants a fresh copy of this one

    assert copy_into(course) == [LESSONS[1], "99_new_topic.ipynb"]
    assert lessons_in(course / "my-work") == sorted(LESSONS + ["99_new_topic.ipynb"])
    assert kept.read_bytes() == kept_bytes
    assert copy_into(course) == []


def test_every_relative_link_of_a_copy_reaches_a_file_of_the_course(course):
    copy_into(course)
    kinds = {"images/": 0, "lesson": 0}
    for name in LESSONS:
        for target in relative_targets(nbformat.read(course / "my-work" / name, as_version=4)):
            path = target.split("#")[0].split("?")[0]
            # Resolved as the browser does, without following symbolic links: inside the course folder.
            resolved = Path(os.path.normpath(course / "my-work" / path))
            assert resolved.is_relative_to(course), f"{name}: {target} leaves the course folder"
            assert resolved.exists(), f"{name}: {target} points to nothing ({resolved.relative_to(course)})"
            if path.startswith("../images/"):
                kinds["images/"] += 1
            elif re.fullmatch(r"\d\d_\w+\.ipynb", path):
                kinds["lesson"] += 1
    # The lessons show figures from images/ and link to each other; both kinds were checked.
    assert kinds["images/"] > 0 and kinds["lesson"] > 0, kinds


def test_links_are_rewritten_for_any_folder_depth(course):
    """The same lesson copied two folders deeper still reaches images/ and README.md."""
    student_dir = course / "notebooks" / "student"
    nb = nbformat.v4.new_notebook()
    nb.cells = [new_markdown_cell("![f](../../images/x.png) [r](../../README.md) [next](01_b.ipynb)"),
                new_code_cell('load("../../images/x.png")')]
    nbformat.write(nb, student_dir / "98_links.ipynb")
    added = copy_new_lessons(course / "class" / "alice", student_dir)
    copied = nbformat.read(course / "class" / "alice" / "98_links.ipynb", as_version=4)
    assert course / "class" / "alice" / "98_links.ipynb" in added
    assert [cell.source for cell in copied.cells] == [
        "![f](../../images/x.png) [r](../../README.md) [next](01_b.ipynb)", 'load("../../images/x.png")'
    ]
    added = copy_new_lessons(course / "flat", student_dir)
    copied = nbformat.read(course / "flat" / "98_links.ipynb", as_version=4)
    assert [cell.source for cell in copied.cells] == [
        "![f](../images/x.png) [r](../README.md) [next](01_b.ipynb)", 'load("../images/x.png")'
    ]


def test_no_student_notebooks_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "student").mkdir()
    with pytest.raises(FileNotFoundError, match=r"no student notebooks \(\[0-9\]\[0-9\]_\*\.ipynb\) in .*student; "
                                                r"run `make student` first"):
        copy_new_lessons(tmp_path / "my-work", tmp_path / "student")
    assert not (tmp_path / "my-work").exists()


def test_report_says_what_was_added(tmp_path):
    work = learner_copy.WORK_DIR
    assert report([work / "00_a.ipynb", work / "01_b.ipynb"], work) == (
        "Added 2 lessons to your notebooks in my-work/:\n    00_a.ipynb\n    01_b.ipynb"
    )
    assert report([work / "05_c.ipynb"], work) == "Added 1 lesson to your notebooks in my-work/:\n    05_c.ipynb"
    assert report([], work) == "No new lesson to add to my-work/ (the notebooks there are yours and are never replaced)."
    assert report([], tmp_path) == (
        f"No new lesson to add to {tmp_path}/ (the notebooks there are yours and are never replaced)."
    )


def test_command_line_copies_and_prints_the_lessons(tmp_path):
    run = [sys.executable, str(ROOT / "tools" / "learner_copy.py"), "--to", str(tmp_path / "mine")]
    first = subprocess.run(run, capture_output=True, text=True, check=True)
    assert first.stdout.splitlines() == [f"Added {len(LESSONS)} lessons to your notebooks in {tmp_path / 'mine'}/:"] + [
        f"    {name}" for name in LESSONS
    ]
    again = subprocess.run(run, capture_output=True, text=True, check=True)
    assert again.stdout == f"No new lesson to add to {tmp_path / 'mine'}/ (the notebooks there are yours and are never replaced).\n"
    assert lessons_in(tmp_path / "mine") == LESSONS
