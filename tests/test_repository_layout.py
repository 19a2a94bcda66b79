"""One source of truth: the README's package map is the package, nothing leans on another package's
private modules, and no lesson defines a function that another lesson defines too."""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "course_utils"
LESSON_SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))


def package_map_entries() -> set:
    """The names in the README's block for course_utils/: the lines indented under it."""
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index("\ncourse_utils/ ") + 1:].splitlines()[1:]
    names = set()
    for line in block:
        if not line.startswith("  "):
            break
        if line.startswith("   "):  # the continuation of the line above
            continue
        first_column = line.strip().split("   ")[0]  # "data.py, digits.py" or "exercises/"
        names.update(re.findall(r"[a-z_0-9]+(?:\.py|/)", first_column))
    return names


def test_the_readme_package_map_names_every_module_and_no_other():
    listed = package_map_entries()
    present = {path.name for path in PACKAGE.glob("*.py") if path.name != "__init__.py"}
    present |= {f"{path.name}/" for path in PACKAGE.iterdir() if path.is_dir() and not path.name.startswith("__")}
    assert not present - listed, f"README's package map does not mention {sorted(present - listed)}"
    assert not listed - present, f"README's package map names what is not in course_utils: {sorted(listed - present)}"


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_course_utils_imports_no_private_module_of_another_package():
    offenders = [f"{path.relative_to(ROOT)}: {module}" for path in PACKAGE.rglob("*.py")
                 for module in imported_modules(path)
                 if not module.startswith(("course_utils", "__future__"))
                 and any(part.startswith("_") for part in module.split("."))]
    assert not offenders, "private modules of other packages change without notice: " + "; ".join(offenders)


def test_no_function_is_defined_in_two_lessons():
    # A helper two lessons need lives in course_utils (tested once); a lesson keeps only the code
    # that is its point.
    where = defaultdict(list)
    for source in LESSON_SOURCES:
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                where[node.name].append(source.stem[:2])
    repeated = {name: lessons for name, lessons in where.items() if len(set(lessons)) > 1}
    assert not repeated, f"defined in more than one lesson (move to course_utils): {repeated}"
