"""Build the learner site: a Jupyter Book (v1) of the executed lessons that works offline.

    python tools/build_site.py                          # -> build/site/index.html (make site)
    python tools/build_site.py --out /tmp/site          # somewhere else
    python tools/build_site.py --lessons 00_getting_started 07_dilation   # only these lessons

What it does, in a staging folder (``build/site-src`` by default, rebuilt each time):

1. copies ``book/_config.yml`` and ``book/_static/``, every ``notebooks/NN_topic.ipynb`` that
   exists (never re-executed: ``execute_notebooks: off``), ``images/`` (the lessons link
   ``../images/*.gif|png``), and the original lesson and student copies as downloads;
2. writes ``index.md``: README.md's introduction and the sections in ``LANDING_SECTIONS``, the
   ``Lessons`` one led by the course map's table (``course_utils.course_map``, the one list of
   lessons), with links fixed to the site's pages (a lesson the site holds is a link, the others
   plain text, and so are links to repository files that are not part of the site);
3. writes ``_toc.yml``: the landing page, then the lessons in their numbered order;
4. adds a box under each lesson's first cell with two downloads: the notebook as stored
   (outputs, solutions) and its student copy (``notebooks/student/``, exercises blank); and
   turns the exercises into collapsed blocks: each worked solution behind "Show solution", the
   hints ("Hint 1", ...) and the model answers of the questions to think about generated from
   the problems the lesson binds (``exercises_for_the_page``; the table above ``LESSON_TAGS``
   lists the cell tags the site and the slides act on);
5. copies MathJax 3, require.js and the widget manager from ``node_modules/`` (pinned in
   package.json / package-lock.json, installed with ``npm ci`` when missing or stale) into
   ``_vendor/``, which the config publishes as ``_static/`` so that no page uses a CDN;
6. runs ``jupyter-book build`` and moves the HTML to ``--out``; then fails if any HTML or CSS
   file still names a CDN (``CDN_MARKERS``).

The lesson sources and notebooks are only read, never changed: everything above happens to copies.
"""
from __future__ import annotations

import argparse
import ast
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_student import BEGIN_MARKER, END_MARKER  # noqa: E402  (the markers the student copies blank)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
STUDENT = NOTEBOOKS / "student"
IMAGES = ROOT / "images"
BOOK = ROOT / "book"
README = ROOT / "README.md"
NODE_MODULES = ROOT / "node_modules"
LESSON_GLOB = "[0-9][0-9]_*.ipynb"

DEFAULT_OUT = ROOT / "build" / "site"
DEFAULT_WORK = ROOT / "build" / "site-src"

#: Strings that mean a page would load something from a CDN (or a font service) when opened.
CDN_MARKERS = ("unpkg", "cdnjs", "jsdelivr", "fonts.googleapis", "mystmd")

#: README sections (``## `` headings) shown on the landing page after the introduction, in this order.
#: A section missing from README.md is left out, except ``Lessons``: its table is the course map's.
LESSONS_SECTION = "Lessons"
LANDING_SECTIONS = (LESSONS_SECTION, "Exercises, student and instructor copies", "Quick start")

#: What the site needs from node_modules: (source, destination under _vendor/, names left out).
SITE_ASSETS: Tuple[Tuple[str, str, Tuple[str, ...]], ...] = (
    # MathJax 3: the combined TeX/MathML -> CommonHTML component and the pieces it loads on demand
    # (TeX extensions, fonts, menu); not the speech engine nor the SVG output.
    ("mathjax/es5", "mathjax", ("sre", "*svg*", "tex-chtml*", "mml-chtml.js", "node-main.js", "latest.js")),
    ("requirejs/require.js", "require.js", ()),
    ("@jupyter-widgets/html-manager/dist", "html-manager", ("*.map", "embed.js", "libembed-amd.js")),
)


class BuildError(RuntimeError):
    """A build step failed; the message says what to do."""


class SiteBuild(NamedTuple):
    out: Path             # the site: out/index.html
    lessons: List[Path]   # the lessons it holds, in order
    warnings: List[str]   # what Sphinx warned about (a missing figure shows up here)


# -- npm assets --------------------------------------------------------------------------------------
def _lock_digest() -> str:
    return hashlib.sha256((ROOT / "package-lock.json").read_bytes()).hexdigest()


def ensure_node_modules(quiet: bool = False) -> Path:
    """Run ``npm ci`` when node_modules/ is missing or was installed from another package-lock.json.

    A stamp file records the digest of the lock file it was installed from. A file lock keeps two
    builds (say ``make site`` and ``make slides`` in parallel) from installing at once.
    """
    stamp = NODE_MODULES / ".course-lock-digest"
    if stamp.is_file() and stamp.read_text().strip() == _lock_digest():
        return NODE_MODULES
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is missing: the site and slides copy MathJax, require.js, reveal.js and the widget "
                         "manager from npm packages. Install Node.js and npm (Debian: "
                         "`apt-get install -y nodejs npm`), then run the build again.")
    lock_path = Path(tempfile.gettempdir()) / f"course-npm-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text().strip() == _lock_digest():
            return NODE_MODULES  # another build installed them while we waited
        if not quiet:
            print("Installing the pinned web assets with `npm ci` (package-lock.json) ...", flush=True)
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                                cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            raise BuildError(f"`npm ci` failed (exit {result.returncode}):\n{result.stdout[-2000:]}"
                             f"{result.stderr[-3000:]}")
        stamp.write_text(_lock_digest() + "\n")
    return NODE_MODULES


def copy_assets(assets: Iterable[Tuple[str, str, Tuple[str, ...]]], vendor: Path) -> None:
    """Copy each ``(source, destination, left out)`` from node_modules/ into ``vendor``."""
    for source, destination, leave_out in assets:
        src, dst = NODE_MODULES / source, vendor / destination
        if not src.exists():
            raise BuildError(f"node_modules/{source} is missing: is it in package.json? (run `npm ci`)")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*leave_out) if leave_out else None,
                            dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)


def cdn_references(folder: Path, suffixes: Sequence[str] = (".html", ".css")) -> List[str]:
    """``"path: marker"`` for every HTML/CSS file under ``folder`` that names a CDN."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in suffixes and path.is_file():
            text = path.read_text(errors="replace")
            for marker in CDN_MARKERS:
                if marker in text:
                    found.append(f"{path.relative_to(folder)}: {marker}")
    return found


# -- lessons -----------------------------------------------------------------------------------------
def find_lessons(names: Optional[Sequence[str]] = None) -> List[Path]:
    """The stored lessons, in numbered order; ``names`` (stems or file names) selects some of them."""
    lessons = sorted(NOTEBOOKS.glob(LESSON_GLOB))
    if not names:
        if not lessons:
            raise BuildError(f"no lessons ({LESSON_GLOB}) in {NOTEBOOKS}")
        return lessons
    wanted = [Path(name).stem for name in names]
    by_stem = {path.stem: path for path in lessons}
    missing = [stem for stem in wanted if stem not in by_stem]
    if missing:
        raise BuildError(f"no such lesson(s): {missing}; there are {sorted(by_stem)}")
    return [by_stem[stem] for stem in sorted(set(wanted))]


def lesson_title(notebook: nbformat.NotebookNode, stem: str) -> str:
    """The text of the first cell's ``# `` heading (every lesson starts with one)."""
    for cell in notebook.cells[:1]:
        first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        if cell.cell_type == "markdown" and first.startswith("# "):
            return first[2:].strip()
    return stem.replace("_", " ")


def downloads_cell(stem: str) -> nbformat.NotebookNode:
    """The markdown cell added under a lesson's first cell: the notebook and its student copy to download."""
    text = f"""\
```{{admonition}} Work through this lesson yourself
:class: tip lesson-downloads

{{download}}`Download this notebook <../downloads/{stem}.ipynb>` with its outputs and worked solutions, or
{{download}}`the student copy <../downloads/{stem}_student.ipynb>` with the exercises left for you
(its checks say "not attempted yet" until you answer).

The notebooks need the course's helpers and figures to run: clone the course and type `make lab`
(see *Quick start* on the [home page](../index.md)); there the lesson is `notebooks/{stem}.ipynb` and
its student copy `notebooks/student/{stem}.ipynb`.
```
"""
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = ["course-downloads"]
    return cell


# -- cell tags and exercises -------------------------------------------------------------------------
#: The cell tags of the lessons (``# %% tags=["..."]`` in notebooks/src), the one place they are listed;
#: README's "For authors and instructors" points here. What the site and the slides do with each:
#:
#: ======================  =====================================  ==============================  ===========
#: tag                     on                                     site                            slides
#: ======================  =====================================  ==============================  ===========
#: ``setup``               the lesson's set-up cells (imports,     shown                           left out
#:                         ``setup_lesson``)
#: ``nbval-ignore-output`` cells whose output varies between      shown as stored                 shown
#:                         runs (timings, widgets); nbval does
#:                         not compare it
#: ``hide-input``          cells whose only job is drawing a      figure shown, code collapsed    figure only
#:                         figure                                 ("Show code cell source")
#: ``exercise-bind``       ``q1, q2 = exercises.bind("NN_...")``  shown; names the problems the   left out
#:                                                                hints are generated from
#: ``exercise-help``       "Stuck? Uncomment a line below ..."    replaced by collapsed "Hint 1"  left out
#:                         and the ``# qN.hint()`` /              ... "Hint n" (and "Model
#:                         ``# qN.solution()`` cell               answer" where the notebook
#:                                                                shows no worked solution)
#: ======================  =====================================  ==============================  ===========
#:
#: A worked solution is not tagged: its lines sit between ``# BEGIN SOLUTION`` and ``# END SOLUTION``
#: (what tools/make_student.py blanks). The site collapses such a cell behind "Show solution", the
#: slides show it on a click, and neither shows the two marker lines.
TAG_SETUP = "setup"
TAG_NBVAL_IGNORE_OUTPUT = "nbval-ignore-output"
TAG_HIDE_INPUT = "hide-input"
TAG_EXERCISE_BIND = "exercise-bind"
TAG_EXERCISE_HELP = "exercise-help"
#: Every tag a lesson source may carry (tests/test_notebook_hygiene.py holds the lessons to this list).
LESSON_TAGS = (TAG_SETUP, TAG_NBVAL_IGNORE_OUTPUT, TAG_HIDE_INPUT, TAG_EXERCISE_BIND, TAG_EXERCISE_HELP)

#: Labels of the collapsed blocks on the site (the tests look for them).
SHOW_SOLUTION, HIDE_SOLUTION = "Show solution", "Hide solution"
HINT_LABEL, MODEL_ANSWER_LABEL = "Hint {number}", "Model answer"
#: CSS classes of the generated hint and model-answer blocks (book/_static/course.css).
HINT_CLASS, MODEL_ANSWER_CLASS = "exercise-hint", "exercise-model-answer"

_HELP_CALL = re.compile(r"\b(q\d+)\s*\.\s*(?:hint|solution)\s*\(")
#: What Markdown (MyST) would read as syntax; escaped so that hints show these characters as typed.
_MARKDOWN_SYNTAX = re.compile(r"([\\*_\[\]<>#$|~{}!+\-&^`:])")


def has_tag(cell, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", [])


def is_worked_solution(cell) -> bool:
    return cell.cell_type == "code" and any(line.strip() == BEGIN_MARKER for line in cell.source.splitlines())


def without_solution_markers(source: str) -> str:
    """``source`` without its ``# BEGIN SOLUTION`` / ``# END SOLUTION`` lines (the code between them stays)."""
    return "".join(line for line in source.splitlines(keepends=True)
                   if line.strip() not in (BEGIN_MARKER, END_MARKER))


def remove_solution_markers(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop the solution marker lines from every worked solution (in place); returns ``notebook``."""
    for cell in notebook.cells:
        if is_worked_solution(cell):
            cell.source = without_solution_markers(cell.source)
    return notebook


def bound_problems(notebook: nbformat.NotebookNode, where: str) -> Dict[str, object]:
    """``{"q1": problem, ...}`` as the lesson's ``exercise-bind`` cell binds them with ``exercises.bind``."""
    from course_utils import exercises

    problems: Dict[str, object] = {}
    for cell in (cell for cell in notebook.cells if has_tag(cell, TAG_EXERCISE_BIND)):
        try:
            body = ast.parse(cell.source).body
        except SyntaxError:
            body = []
        statement = body[0] if len(body) == 1 and isinstance(body[0], ast.Assign) else None
        target = statement.targets[0] if statement is not None and len(statement.targets) == 1 else None
        call = statement.value if statement is not None else None
        names = [element.id for element in getattr(target, "elts", []) if isinstance(element, ast.Name)]
        if not (isinstance(target, (ast.Tuple, ast.List)) and len(names) == len(target.elts) and names
                and isinstance(call, ast.Call) and ast.unparse(call.func) == "exercises.bind"
                and len(call.args) == 1 and not call.keywords and isinstance(call.args[0], ast.Constant)):
            raise BuildError(f"{where}: a cell tagged {TAG_EXERCISE_BIND!r} holds one line such as "
                             f'`q1, q2 = exercises.bind("NN_topic")`; this one is {cell.source.strip()!r}')
        try:
            bound = exercises.bind(call.args[0].value)
        except ValueError as error:
            raise BuildError(f"{where}: {error}") from None
        if len(bound) != len(names):
            raise BuildError(f"{where}: {cell.source.strip()!r} names {len(names)} exercises, but "
                             f"{call.args[0].value} has {len(bound)}")
        problems.update(zip(names, bound))
    return problems


def myst_text(text: str) -> str:
    """The problems' short Markdown (paragraphs, ``*``/``-`` bullets, `backticks` for code) as MyST source.

    Everything but those three is shown as typed: ``0*3 + 1*2`` must not turn into emphasis, ``[[1, -1]]``
    into a link, ``$`` into maths. Lines of a paragraph flow, as in the notebook.
    """
    from course_utils.problem_text import INLINE_CODE, text_blocks

    def inline(line: str) -> str:
        pieces = INLINE_CODE.split(line)  # text, code, text, code, ..., text
        escaped = [_MARKDOWN_SYNTAX.sub(r"\\\1", piece) if index % 2 == 0 else f"`{piece}`"
                   for index, piece in enumerate(pieces)]
        # "1. " or "2) " at the start would begin a numbered list
        return re.sub(r"^(\d+)([.)])", r"\1\\\2", "".join(escaped))

    blocks = [inline(block) if isinstance(block, str) else "\n".join(f"- {inline(item)}" for item in block)
              for block in text_blocks(text)]
    return "\n\n".join(blocks)


def _code_fence(code: str, language: str = "python") -> str:
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", code)), default=0))
    return f"{fence}{language}\n{code.strip(chr(10))}\n{fence}"


def _dropdown(title: str, body: str, css_class: str) -> str:
    """A closed sphinx-design dropdown (a ``<details>`` element): ``title`` shown, ``body`` (MyST) on a click."""
    return f":::{{dropdown}} {title}\n:class-container: {css_class}\n\n{body}\n:::"


def exercise_help_markdown(problem, model_answer: bool) -> str:
    """Collapsed blocks "Hint 1" ... "Hint n", then "Model answer" when ``model_answer`` (MyST source)."""
    from course_utils.exercises import ThoughtProblem, ValueProblem

    blocks = [_dropdown(HINT_LABEL.format(number=number), myst_text(hint), HINT_CLASS)
              for number, hint in enumerate(problem.hints, start=1)]
    if model_answer:
        text = problem.solution_text
        # a thought question's answer is prose; a value question's is the code that computes it, or prose
        prose = isinstance(problem, ThoughtProblem) or (isinstance(problem, ValueProblem) and not _is_python(text))
        blocks.append(_dropdown(MODEL_ANSWER_LABEL, myst_text(text) if prose else _code_fence(text),
                                MODEL_ANSWER_CLASS))
    return "\n\n".join(blocks) + "\n"


def _is_python(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def _exercise_start(cells: Sequence, index: int) -> int:
    """Index of the heading cell (``### Exercise ...``) above cell ``index`` (0 if none)."""
    for earlier in range(index, -1, -1):
        cell = cells[earlier]
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            return earlier
    return 0


def exercises_for_the_page(notebook: nbformat.NotebookNode, where: str) -> nbformat.NotebookNode:
    """Make the exercises readable on a static page (in place); returns ``notebook``.

    Worked solutions are collapsed behind "Show solution", marker lines removed. The ``exercise-help``
    cells, which ask to uncomment ``qN.hint()``, become collapsed hints generated from the bound problem
    (and its model answer, for a question without a worked solution cell), placed above the exercise's
    worked solution (hints first, then the solution) or, without one, where the help cells were.
    """
    problems = bound_problems(notebook, where)
    cells = list(notebook.cells)
    insert_before: Dict[int, List[nbformat.NotebookNode]] = {}
    kept = set()
    for index, cell in enumerate(cells):
        if not has_tag(cell, TAG_EXERCISE_HELP):
            kept.add(index)
            continue
        if cell.cell_type != "code":
            continue  # the "Stuck? Uncomment a line below" sentence: its block replaces it
        names = set(_HELP_CALL.findall(cell.source))
        if len(names) != 1 or next(iter(names)) not in problems:
            raise BuildError(f"{where}: cell {index} is tagged {TAG_EXERCISE_HELP!r} but calls the help of "
                             f"{sorted(names) or 'no exercise'}; bound here: {sorted(problems) or 'none'} "
                             f"(a cell tagged {TAG_EXERCISE_BIND!r} binds them)")
        start = _exercise_start(cells, index)
        solution = next((i for i in range(start, index) if is_worked_solution(cells[i])), None)
        block = nbformat.v4.new_markdown_cell(exercise_help_markdown(problems[names.pop()], solution is None))
        insert_before.setdefault(index if solution is None else solution, []).append(block)
    page_cells = []
    for index in range(len(cells) + 1):
        page_cells.extend(insert_before.get(index, []))
        if index in kept:
            page_cells.append(cells[index])
    for cell in page_cells:
        if is_worked_solution(cell):
            cell.source = without_solution_markers(cell.source)
            tags = cell.metadata.setdefault("tags", [])
            if TAG_HIDE_INPUT not in tags:
                tags.append(TAG_HIDE_INPUT)
            # myst-nb's per-cell labels of the collapsed input
            cell.metadata["mystnb"] = {"code_prompt_show": SHOW_SOLUTION, "code_prompt_hide": HIDE_SOLUTION}
    notebook.cells = page_cells
    return notebook


# -- alt text of figures -----------------------------------------------------------------------------
#: Cell metadata key where a lesson's author writes a figure's alt text (``# %% alt="..."`` in the source).
ALT_KEY = "alt"
#: Image outputs whose alt text this module sets (and the tests check).
IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
#: Calls and keywords whose first string argument is a title shown in the figure.
_TITLE_CALLS = ("suptitle", "set_title", "title")
_TITLE_KEYWORDS = ("title", "titles", "suptitle")


def _literal_text(node) -> Optional[str]:
    """A string literal's text; an f-string's with each ``{expression}`` written as the expression's source."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else ast.unparse(part.value)
                       for part in node.values)
    return None


def figure_titles(source: str) -> List[str]:
    """The titles a figure cell's code gives its figure, the figure's own (``suptitle``) first, then the
    panels' (``set_title``/``title`` arguments, ``title=``/``titles=`` keywords, lists included). Titles built
    from variables (f-strings with ``{...}``) are used only when the code has no plain title."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        values = list(node.args[:1]) if name in _TITLE_CALLS else []
        for keyword in node.keywords:
            if keyword.arg in _TITLE_KEYWORDS:
                values += list(keyword.value.elts) if isinstance(keyword.value, (ast.List, ast.Tuple)) \
                    else [keyword.value]
        for value in values:
            text = _literal_text(value)
            if text and text.strip():
                plain = not isinstance(value, ast.JoinedStr) or all(isinstance(p, ast.Constant) for p in value.values)
                found.append((not plain, name != "suptitle", node.lineno, node.col_offset, " ".join(text.split())))
    found.sort()
    plain = [item for item in found if not item[0]]
    return [item[-1] for item in (plain or found)]


def _first_sentence(markdown: str) -> str:
    """The first sentence of a markdown cell's prose, without markup (headings, links, code marks, maths kept)."""
    lines = [line for line in markdown.splitlines() if line.strip() and not line.lstrip().startswith(("#", "!["))]
    text = " ".join(" ".join(lines).split())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("**", "").replace("`", "")
    match = re.match(r"(.+?[.:!?])(\s|$)", text)
    return (match.group(1) if match else text)[:300]


def figure_alt_text(cells: Sequence, index: int) -> str:
    """What cell ``index``'s figure shows, from the lesson; never a file path.

    In order: the alt text its author wrote (cell metadata ``alt``); the first line of the text a
    widget stores beside its first frame (its settings); the titles its code gives the figure; the
    first sentence of the markdown just above it, which introduces it.
    """
    cell = cells[index]
    authored = cell.get("metadata", {}).get(ALT_KEY)
    if isinstance(authored, str) and authored.strip():
        return authored.strip()
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if any(mime in data for mime in IMAGE_MIMES) and data.get("text/plain", "").strip() \
                and not data["text/plain"].lstrip().startswith("<"):  # not "<Figure size ...>"
            return "Interactive widget, first frame: " + data["text/plain"].strip().splitlines()[0]
    titles = figure_titles(cell.get("source", ""))
    if titles:
        return "Figure: " + "; ".join(titles)
    for earlier in range(index - 1, -1, -1):
        if cells[earlier].cell_type == "markdown":
            sentence = _first_sentence(cells[earlier].source)
            if sentence:
                return "Figure: " + sentence
    return "Figure"


def add_alt_text(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Give every image output its alt text (in place; returns ``notebook``).

    The output's own metadata gets ``alt`` (the slides' template reads it), and the cell gets myst-nb's
    ``mystnb.image.alt`` (the site's renderer reads that; without it Sphinx writes the image's file path).
    """
    for index, cell in enumerate(notebook.cells):
        images = [output for output in cell.get("outputs", [])
                  if any(mime in output.get("data", {}) for mime in IMAGE_MIMES)]
        if not images:
            continue
        alt = figure_alt_text(notebook.cells, index)
        for output in images:
            metadata = output.setdefault("metadata", {})
            for mime in IMAGE_MIMES:
                if mime in output["data"]:
                    metadata.setdefault(mime, {})["alt"] = alt
        cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt
    return notebook


def stage_lesson(path: Path, notebooks_dir: Path) -> None:
    notebook = add_alt_text(exercises_for_the_page(nbformat.read(path, as_version=4), path.name))
    notebook.cells.insert(1, downloads_cell(path.stem))
    for index, cell in enumerate(notebook.cells):  # ids must stay unique after the insertion
        cell.id = f"cell-{index:03d}"
    nbformat.write(notebook, notebooks_dir / path.name)


# -- landing page from README.md ---------------------------------------------------------------------
_LINK = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def split_sections(markdown: str) -> Tuple[str, List[Tuple[str, str]]]:
    """``(introduction, [(heading, body), ...])`` for the ``## `` sections (fenced code is not split)."""
    intro: List[str] = []
    sections: List[Tuple[str, List[str]]] = []
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
        else:
            intro.append(line)
    return "\n".join(intro), [(heading, "\n".join(body)) for heading, body in sections]


def fix_links(markdown: str, lesson_stems: Sequence[str], site_files: Sequence[str] = ()) -> str:
    """Point README links at the site: lessons and staged files stay links, other repository paths become text.

    External links stay; external *images* are dropped (the site must not load anything from the network).
    """
    lessons = set(lesson_stems)

    def replace(match: re.Match) -> str:
        bang, text, target = match.group("bang"), match.group("text"), match.group("target")
        if _SCHEME.match(target) or target.startswith("#"):
            return "" if bang and _SCHEME.match(target) else match.group(0)
        path = target.split("#", 1)[0]
        path = path[2:] if path.startswith("./") else path
        stem = Path(path).stem
        if path.startswith("notebooks/") and Path(path).parent == Path("notebooks") and stem in lessons:
            return f"{bang}[{text}](notebooks/{stem}.ipynb)"
        if path in site_files:
            return match.group(0)
        return text  # a repository file that is not part of the site

    return re.sub(r"\[\]\([^)]*\)", "", _LINK.sub(replace, markdown))  # a badge whose image was dropped


def lessons_section(readme_body: str) -> str:
    """The landing page's ``Lessons`` section: the course map's table, then what README.md says under it.

    The table is :func:`course_utils.course_map.readme_table`, the one list of lessons; README.md holds the
    same table (tests/test_course_map.py), which is taken out here so that only its prose is README's.
    """
    from course_utils import course_map

    table = course_map.readme_table()
    if readme_body and table not in readme_body:
        raise BuildError(f"README.md's '## {LESSONS_SECTION}' table differs from "
                         f"course_utils.course_map.readme_table(): paste that table into README.md")
    return "\n\n".join(part for part in (table, readme_body.replace(table, "").strip()) if part)


def landing_page(readme: str, lessons: Sequence[Tuple[str, str]], site_files: Sequence[str] = ()) -> str:
    """The site's index.md: README's introduction and sections, the course map's lesson table, links fixed.

    ``lessons`` is ``[(stem, title)]``, the lessons in the site: the table links those and names the others.
    """
    intro, sections = split_sections(readme)
    kept = {heading: body for heading, body in sections if heading in LANDING_SECTIONS}
    kept[LESSONS_SECTION] = lessons_section(kept.get(LESSONS_SECTION, ""))
    stems = [stem for stem, _ in lessons]
    parts = [fix_links(intro.strip(), stems, site_files)]
    for heading in (heading for heading in LANDING_SECTIONS if heading in kept):
        parts.append(f"## {heading}\n\n{fix_links(kept[heading].strip(), stems, site_files)}")
    first = lessons[0]
    parts.append("## About this site\n\n"
                 f"Every page shows a lesson as it was run, outputs included; start with "
                 f"[{first[1]}](notebooks/{first[0]}.ipynb). Under each exercise its hints, its worked "
                 "solution and, for a question to think about, a model answer wait behind a click. Each lesson "
                 "page offers its notebook and its student copy to download. The site needs no network: the "
                 "search box, the maths and the figures all work offline. Interactive widgets appear as their "
                 "first frame; run the notebook in JupyterLab to move their sliders.")
    return "\n\n".join(parts).rstrip() + "\n"


def table_of_contents(lessons: Sequence[Tuple[str, str]]) -> dict:
    return {"format": "jb-book", "root": "index",
            "parts": [{"caption": "Lessons", "chapters": [{"file": f"notebooks/{stem}"} for stem, _ in lessons]}]}


# -- build -------------------------------------------------------------------------------------------
def stage(work: Path, lessons: Sequence[Path]) -> None:
    """Lay out the Jupyter Book source in ``work`` (emptied first)."""
    if work.exists():
        shutil.rmtree(work)
    (work / "notebooks").mkdir(parents=True)
    shutil.copy2(BOOK / "_config.yml", work / "_config.yml")
    if (BOOK / "_static").is_dir():
        # Into _vendor/, not _static/: Jupyter Book adds *every* .js/.css under the static paths to
        # every page when the source has a _static/ folder (MathJax's components would all load).
        shutil.copytree(BOOK / "_static", work / "_vendor")
    if IMAGES.is_dir():
        shutil.copytree(IMAGES, work / "images", ignore=shutil.ignore_patterns("*.md"))
    downloads = work / "downloads"
    downloads.mkdir(parents=True)
    titled = []
    for path in lessons:
        stage_lesson(path, work / "notebooks")
        shutil.copy2(path, downloads / path.name)
        student = STUDENT / path.name
        if not student.is_file():
            raise BuildError(f"{student.relative_to(ROOT)} is missing: run `make student`")
        shutil.copy2(student, downloads / f"{path.stem}_student.ipynb")  # a name of its own once downloaded
        titled.append((path.stem, lesson_title(nbformat.read(path, as_version=4), path.stem)))
    site_files = [f"images/{p.name}" for p in sorted((work / "images").glob("*"))] if IMAGES.is_dir() else []
    (work / "index.md").write_text(landing_page(README.read_text(), titled, site_files))
    (work / "_toc.yml").write_text(yaml.safe_dump(table_of_contents(titled), sort_keys=False))
    copy_assets(SITE_ASSETS, work / "_vendor")
    if (work / "_static").exists():
        raise BuildError("the staged book must not have a _static/ folder (see stage())")


def run_jupyter_book(work: Path, quiet: bool = False) -> Tuple[Path, List[str]]:
    """Build ``work`` with jupyter-book; returns the HTML folder and the warnings it printed."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book) if jupyter_book.exists() else "jupyter-book", "build", str(work),
               "--path-output", str(work), "--builder", "html", "--all"]
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
    result = subprocess.run(command, cwd=work, capture_output=True, text=True, env=env)
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)  # no terminal colours
    warnings = [line for line in output.splitlines() if "WARNING" in line or "ERROR" in line]
    if result.returncode != 0:
        raise BuildError(f"jupyter-book build failed (exit {result.returncode}):\n{output[-6000:]}")
    if not quiet:
        for line in warnings:
            print(line)
    return work / "_build" / "html", warnings


def build_site(out: Path = DEFAULT_OUT, work: Path = DEFAULT_WORK, lesson_names: Optional[Sequence[str]] = None,
               quiet: bool = False) -> SiteBuild:
    """Build the site into ``out`` (replaced)."""
    started = time.monotonic()
    lessons = find_lessons(lesson_names)
    ensure_node_modules(quiet=quiet)
    stage(Path(work), lessons)
    html, warnings = run_jupyter_book(Path(work), quiet=quiet)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(html), str(out))
    (out / ".nojekyll").touch()  # _static/ and _images/ must be served as they are on static hosts
    offending = cdn_references(out)
    if offending:
        raise BuildError("the site would load from a CDN when opened:\n  " + "\n  ".join(offending))
    if not quiet:
        print(f"site: {len(lessons)} lessons in {out / 'index.html'} ({time.monotonic() - started:.0f} s, "
              f"{len(warnings)} warnings)")
    return SiteBuild(out, list(lessons), warnings)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/site)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="staging folder (default: build/site-src)")
    parser.add_argument("--lessons", nargs="*", help="only these lessons (stems), default: every notebooks/NN_*.ipynb")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        build_site(args.out, args.work, args.lessons, quiet=args.quiet)
    except BuildError as error:
        print(f"build_site: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
