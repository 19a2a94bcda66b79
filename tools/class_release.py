"""Build the learner-only tree of a graded class: the repository nbgitpuller hands out and the hub's image is built from.

    python tools/class_release.py                 # build/class-release/  (make class-release)
    python tools/class_release.py --to DIR

What it holds: the student copies (``notebooks/student/``), ``images/``, the pins and build files
(requirements*.txt, environment.yml, postBuild, pyproject.toml, package*.json), the learner's
start-up on a hub (``tools/class_server.py`` and the three modules it uses), and ``course_utils``
with every exercise's worked solution taken out: each ``solution_text`` a problem class declares
in ``course_utils/exercises/`` (or passes as a keyword) is replaced, and ``qN.solution()`` says that the solution opens after
grading. Hints stay. What it leaves out: the instructor notebooks with their solutions
(``notebooks/NN_topic.ipynb``), the lesson sources (``notebooks/src/``), the tests, ``classroom/``
(the nbgrader sources hold the graded cases) and every other tool.

Build the hub's image from this tree too (repo2docker, classroom/README.md): the learners'
kernels import the environment's ``course_utils``, so it must be this one.
"""
from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "class-release"
#: Taken as they are (files and folders, relative to the repository).
COPIED = ["notebooks/student", "images", "requirements.txt", "requirements-nodeps.txt", "environment.yml", "postBuild",
          "pyproject.toml", "package.json", "package-lock.json", "tools/class_server.py", "tools/learner_copy.py",
          "tools/make_student.py", "tools/nbclean.py", "course_utils"]
WITHHELD = ("The worked solution opens after grading: your instructor releases it with your feedback. "
            "Until then, the hints are yours: qN.hint(), qN.hint(2), ...")
#: Appended to the release's problems.py: one place that decides what solution() shows.
SOLUTION_WITHHELD_CODE = f'''

# -- learner-only release (tools/class_release.py): the worked solutions are not in this copy -----
SOLUTION_WITHHELD = {WITHHELD!r}


def _solution_withheld(self) -> None:
    """The worked solution opens after grading; the hints stay available."""
    show(Feedback("info", SOLUTION_WITHHELD, f"Try `{{self.name}}.hint()`."))


Problem.solution = _solution_withheld
'''


def tracked(path: str) -> List[str]:
    """Files git tracks under ``path`` (so caches, my-work/ and other ignored files stay out)."""
    result = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--", path], capture_output=True, check=True)
    return [name for name in result.stdout.decode().split("\0") if name]


def strip_solution_texts(source: str, where: str) -> str:
    """``source`` with every ``solution_text`` replaced by :data:`WITHHELD`: the class attribute a problem
    declares, and the keyword of a problem that computes its text in ``__init__``."""
    tree = ast.parse(source, where)
    values = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            values += [keyword.value for keyword in node.keywords if keyword.arg == "solution_text"]
        elif isinstance(node, ast.ClassDef):
            values += [statement.value for statement in node.body if isinstance(statement, ast.Assign)
                       and any(isinstance(target, ast.Name) and target.id == "solution_text"
                               for target in statement.targets)]
    spans = [(value.lineno, value.col_offset, value.end_lineno, value.end_col_offset) for value in values]
    lines = source.splitlines(keepends=True)
    # Replace from the end, so earlier positions stay valid.
    for start_line, start_col, end_line, end_col in sorted(spans, reverse=True):
        before = lines[start_line - 1][:start_col]
        after = lines[end_line - 1][end_col:]
        lines[start_line - 1:end_line] = [before + repr(WITHHELD) + after]
    return "".join(lines)


def build(out: Path = DEFAULT_OUT) -> Path:
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    for entry in COPIED:
        for name in tracked(entry):
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
    for module in sorted((out / "course_utils" / "exercises").glob("*.py")):
        text = module.read_text(encoding="utf-8")
        stripped = strip_solution_texts(text, str(module))
        if module.name == "problems.py":
            stripped += SOLUTION_WITHHELD_CODE
        module.write_text(stripped, encoding="utf-8")
    (out / ".gitignore").write_text("__pycache__/\n*.egg-info/\n/my-work/\n")
    (out / "README.md").write_text(
        "# Convolutions: a hands-on workbook (class copy)\n\n"
        "Your lessons are in `my-work/` once your hub has started your server: the hand-out link from your "
        "instructor copies every lesson there and never replaces your work. `notebooks/student/` holds the "
        "untouched copies. Worked solutions open after grading; `qN.hint()` helps until then.\n")
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--to", type=Path, default=DEFAULT_OUT, help="the folder to build (replaced)")
    args = parser.parse_args(argv)
    out = build(args.to)
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"Learner-only tree in {shown}/: commit it to the repository your hand-out link pulls "
          "(make class-link REPO=...), and build the hub's image from it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
