"""Give the learner their own copy of every lesson, in a git-ignored folder: new lessons are added, none replaced.

    python tools/learner_copy.py                  # copy new lessons into my-work/ (make lab does this first)
    python tools/learner_copy.py --to DIR         # into another folder

The copies are made from the student copies in ``notebooks/student/`` (exercises
blank). A lesson whose copy already exists is never touched, so a learner's answers
survive ``make lab``, ``make student`` and ``git pull``; deleting a copy and running
this again gives a fresh one. Relative links (``../../images/x.png``) are rewritten
for the folder the copy lives in, with the same code ``make student`` uses; links
between lessons stay as they are, because every lesson is copied.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_student import LESSON_GLOB, NOTEBOOKS, NOTE_TAG, ROOT, STUDENT_DIR_NAME, relocate_links  # noqa: E402

WORK_DIR_NAME = "my-work"
WORK_DIR = ROOT / WORK_DIR_NAME
STUDENT_DIR = NOTEBOOKS / STUDENT_DIR_NAME


def _show(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (as the learner sees it in JupyterLab)."""
    absolute = Path(os.path.abspath(path))
    return str(absolute.relative_to(ROOT)) if absolute.is_relative_to(ROOT) else str(absolute)


def ownership_note(copy_path: Path) -> str:
    """The paragraph added to the note at the top of a learner's copy."""
    return (
        f"This file, `{_show(copy_path)}`, is **your own copy**: `make lab`, `make student` and `git pull` "
        "never change it. To start this lesson afresh, delete the file and run `make lab` again."
    )


def learner_notebook(student_path: Path, copy_path: Path) -> nbformat.NotebookNode:
    """The student notebook at ``student_path`` as it should read once saved at ``copy_path``."""
    nb = nbformat.read(student_path, as_version=4)
    relocate_links(nb, student_path.parent, copy_path.parent)
    if nb.cells and NOTE_TAG in nb.cells[0].get("metadata", {}).get("tags", []):
        nb.cells[0].source = nb.cells[0].source.rstrip("\n") + "\n\n" + ownership_note(copy_path)
    return nb


def copy_new_lessons(work_dir: Path = WORK_DIR, student_dir: Path = STUDENT_DIR) -> list[Path]:
    """Copy every lesson of ``student_dir`` that ``work_dir`` does not have yet; the paths written, in order.

    Existing files in ``work_dir`` are never opened for writing, whatever they contain.
    Raises FileNotFoundError when ``student_dir`` holds no lesson.
    """
    lessons = sorted(Path(student_dir).glob(LESSON_GLOB))
    if not lessons:
        raise FileNotFoundError(
            f"no student notebooks ({LESSON_GLOB}) in {_show(Path(student_dir))}; run `make student` first"
        )
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    added = []
    for student_path in lessons:
        copy_path = work_dir / student_path.name
        if copy_path.exists():
            continue
        text = nbformat.writes(learner_notebook(student_path, copy_path))
        try:
            # "x": fail rather than overwrite, should the file appear after the check above.
            with open(copy_path, "x", encoding="utf-8") as out:
                out.write(text + "\n")  # nbformat.write ends the file with a newline too
        except FileExistsError:
            continue
        added.append(copy_path)
    return added


def report(added: Sequence[Path], work_dir: Path = WORK_DIR) -> str:
    """What ``copy_new_lessons`` did, for the terminal."""
    if not added:
        return f"No new lesson to add to {_show(work_dir)}/ (the notebooks there are yours and are never replaced)."
    lines = [f"Added {len(added)} lesson{'s' if len(added) != 1 else ''} to your notebooks in {_show(work_dir)}/:"]
    lines += [f"    {path.name}" for path in added]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--to", type=Path, default=WORK_DIR, help=f"the learner's folder (default: {WORK_DIR_NAME}/)")
    args = parser.parse_args(argv)
    try:
        added = copy_new_lessons(args.to)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report(added, args.to))
    return 0


if __name__ == "__main__":
    sys.exit(main())
