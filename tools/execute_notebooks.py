"""Build every lesson from its text source, execute it top to bottom, store it clean.

    python tools/execute_notebooks.py                # all lessons
    python tools/execute_notebooks.py 00_getting_started

A lesson's source of truth is ``notebooks/src/NN_topic.py`` (jupytext percent
format, what reviewers read in diffs; its ``# SOLUTION qN`` cells are filled in from the exercises by
``lesson_source.read_lesson``); this writes ``notebooks/NN_topic.ipynb`` with outputs from one clean run
in a fresh kernel, so execution counts are 1..n.
Any cell error stops the run and leaves the stored notebook untouched.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lesson_source import read_lesson  # noqa: E402
from nbclean import KERNELSPEC, clean_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOURCES = NOTEBOOKS / "src"

#: Generous: the slowest lesson trains a small CNN; a cell stuck longer is a bug.
CELL_TIMEOUT_SECONDS = 600


def lesson_sources(names: list[str]) -> list[Path]:
    if not names:
        return sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    paths = []
    for name in names:
        path = SOURCES / f"{Path(name).stem}.py"
        if not path.is_file():
            raise SystemExit(f"no lesson source {path.relative_to(ROOT)} (name {name!r})")
        paths.append(path)
    return paths


def execute_lesson(source: Path) -> Path:
    nb = read_lesson(source)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    # Same environment as the nbval run in `make test`.
    os.environ.setdefault("PYTHONHASHSEED", "0")
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    target = NOTEBOOKS / f"{source.stem}.ipynb"
    nbformat.write(clean_notebook(nb), target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="lesson names such as 00_getting_started (default: all)")
    args = parser.parse_args(argv)
    for source in lesson_sources(args.lessons):
        start = time.perf_counter()
        print(f"executing {source.relative_to(ROOT)} ...", flush=True)
        target = execute_lesson(source)
        print(f"  wrote {target.relative_to(ROOT)} in {time.perf_counter() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
