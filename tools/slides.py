"""Instructor slides: a reveal.js deck for every lesson, offline, sized for a projector.

    python tools/slides.py                        # -> build/slides/index.html + NN_topic.slides.html (make slides)
    python tools/slides.py --out /tmp/slides      # somewhere else
    python tools/slides.py --lessons 07_dilation  # only these lessons
    python tools/slides.py --times                # print the estimated time per lesson (README table), build nothing

Besides the decks, ``presenter/NN_topic.ipynb`` holds each lesson with the same slide types (and
RISE settings) for presenting live from JupyterLab with jupyterlab-rise (Alt+R), cells runnable.

The lessons are never edited: each deck is made from a copy of the executed notebook, in memory,
whose cells get ``metadata.slideshow.slide_type`` from the rules below, then nbconvert's
SlidesExporter renders it with ``tools/slides_template/reveal_offline`` (the reveal template
without its mermaid import from a CDN, with type for a 1280x720 projector area, wrapping code, and
slides that fit) and with reveal.js, require.js, jQuery,
MathJax 2 and the widget manager copied from ``node_modules/`` (package.json, ``npm ci``) into
``_vendor/`` beside the decks. Stored outputs are shown as they are; nothing is re-run.

Slide rules (``assign_slide_types``), in order; the first that applies wins:

1. A slide type that the lesson's author set in the source (``slideshow`` metadata) is kept.
2. Skipped (``skip``): the set-up code cells (tagged ``setup``, and the first code cell when it
   calls ``setup_lesson``); the cells tagged ``exercise-bind`` and ``exercise-help`` (the
   ``exercises.bind`` line, "Stuck? Uncomment a line below ..." and the commented-out ``qN.hint()``
   cell; tools/build_site.py lists the tags); the closing "Previous / Next" navigation (a markdown cell that starts with
   a ``---`` rule).
3. The first cell (the ``# NN · Topic`` title) starts a slide; so does every markdown cell that
   starts with a ``## `` heading. One that starts with ``### `` (or deeper) starts a subslide.
4. An exercise's worked solution (a code cell with ``# BEGIN SOLUTION``) and the ``qN.check(...)``
   cell after it are fragments: the question shows first, the solution on the next click. The
   marker lines themselves are left out of the deck.
5. Everything else continues the current slide (``-``): a code cell stays on the slide of the
   markdown before it, and a paragraph stays under its heading.

Slides never overflow: the template lays every slide out in the browser before reveal.js starts
(after MathJax, fonts and images) and cuts a slide taller than ``SLIDE_HEIGHT_PX`` into vertical
continuation slides at the last cell, paragraph or output that still fits, a heading or a paragraph
ending with ":" moving along with what follows it. Measuring there, rather than estimating heights
here, counts wrapped lines, typeset maths and figures exactly (tests/test_slides_fit.py steps through
every slide of every deck at 1280x720). The index page and ``--times`` count these rules' slides as
"sections", before that cutting.

A cell tagged ``hide-input`` (it only draws a figure) shows its figure without its code.

Time per lesson (``--times``): an estimate from cell counts, not a measurement: markdown words
at ``WORDS_PER_MINUTE``, plus ``MINUTES_PER_CODE_CELL`` for each code cell shown (run or show,
explain the output), plus ``MINUTES_PER_EXERCISE`` for each ``### Exercise`` heading.
"""
from __future__ import annotations

import argparse
import copy
import html
import math
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_site import (BuildError, IMAGES, ROOT, TAG_EXERCISE_BIND, TAG_EXERCISE_HELP,  # noqa: E402
                        TAG_HIDE_INPUT, TAG_SETUP, add_alt_text, cdn_references, copy_assets, ensure_node_modules,
                        find_lessons, has_tag, is_worked_solution, lesson_title, remove_solution_markers)

DEFAULT_OUT = ROOT / "build" / "slides"
TEMPLATES = Path(__file__).resolve().parent / "slides_template"
TEMPLATE_NAME = "reveal_offline"

#: The slide's logical size, a 16:9 projector area; reveal.js scales it to the screen (1.5x on 1920x1080).
SLIDE_WIDTH_PX, SLIDE_HEIGHT_PX = 1280, 720

WORDS_PER_MINUTE = 130
MINUTES_PER_CODE_CELL = 0.75
MINUTES_PER_EXERCISE = 4

#: What the decks need from node_modules: (source, destination under _vendor/, names left out).
SLIDE_ASSETS: Tuple[Tuple[str, str, Tuple[str, ...]], ...] = (
    # reveal.js with the one theme used: "white" (several others import Google Fonts)
    ("reveal.js/dist", "reveal.js/dist", ("*.map", "reveal.esm.js", "theme")),
    ("reveal.js/dist/theme/white.css", "reveal.js/dist/theme/white.css", ()),
    ("reveal.js/dist/theme/fonts/source-sans-pro", "reveal.js/dist/theme/fonts/source-sans-pro", ()),
    ("reveal.js/plugin/notes", "reveal.js/plugin/notes", ("*.map", "*.esm.js")),
    ("requirejs/require.js", "require.js", ()),
    ("jquery/dist/jquery.min.js", "jquery.min.js", ()),
    # MathJax 2 (nbconvert's templates configure MathJax 2): the TeX -> CommonHTML pieces only.
    ("mathjax2/MathJax.js", "mathjax/MathJax.js", ()),
    ("mathjax2/config/TeX-AMS_CHTML-full.js", "mathjax/config/TeX-AMS_CHTML-full.js", ()),
    ("mathjax2/config/Safe.js", "mathjax/config/Safe.js", ()),  # the ",Safe" of nbconvert's config string
    ("mathjax2/extensions", "mathjax/extensions", ()),
    ("mathjax2/jax/input/TeX", "mathjax/jax/input/TeX", ()),
    ("mathjax2/jax/element", "mathjax/jax/element", ()),
    ("mathjax2/jax/output/CommonHTML", "mathjax/jax/output/CommonHTML", ()),
    ("mathjax2/fonts/HTML-CSS/TeX/woff", "mathjax/fonts/HTML-CSS/TeX/woff", ()),
    ("mathjax2/fonts/HTML-CSS/TeX/otf", "mathjax/fonts/HTML-CSS/TeX/otf", ()),
    ("@jupyter-widgets/html-manager/dist", "html-manager", ("*.map", "embed.js", "libembed-amd.js")),
)

_CHECK_CALL = re.compile(r"\bq\d+\s*\.\s*check\s*\(")


# -- rules -------------------------------------------------------------------------------------------
def _first_line(cell) -> str:
    text = cell.source.strip()
    return text.splitlines()[0] if text else ""


def is_setup_cell(cell) -> bool:
    return cell.cell_type == "code" and "setup_lesson(" in cell.source


def is_navigation_cell(cell) -> bool:
    return cell.cell_type == "markdown" and cell.source.lstrip().startswith("---")


def assign_slide_types(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with ``metadata.slideshow.slide_type`` on every cell (see the module doc)."""
    notebook = copy.deepcopy(notebook)
    cells = notebook.cells
    first_code = next((i for i, cell in enumerate(cells) if cell.cell_type == "code"), None)
    types: List[str] = []
    for index, cell in enumerate(cells):
        authored = cell.metadata.get("slideshow", {}).get("slide_type")
        first = _first_line(cell)
        if authored:
            kind = authored
        elif (index == first_code and is_setup_cell(cell)) or is_navigation_cell(cell) \
                or any(has_tag(cell, tag) for tag in (TAG_SETUP, TAG_EXERCISE_BIND, TAG_EXERCISE_HELP)):
            kind = "skip"
        elif index == 0 or (cell.cell_type == "markdown" and first.startswith("## ")):
            kind = "slide"
        elif cell.cell_type == "markdown" and first.startswith("###"):
            kind = "subslide"
        elif is_worked_solution(cell) or (cell.cell_type == "code" and _CHECK_CALL.search(cell.source)
                                        and types and types[-1] == "fragment"):
            kind = "fragment"
        else:
            kind = "-"
        types.append(kind)

    # Rule 2, continued: a heading whose whole section (up to the next "## " slide) is skipped goes too
    # (the "## Set-up" heading of a lesson whose set-up cell is skipped).
    for index, cell in enumerate(cells):
        if types[index] == "slide" and index > 0 and cell.cell_type == "markdown":
            rest = []
            for later in range(index + 1, len(cells)):
                if types[later] == "slide":
                    break
                rest.append(types[later])
            if rest and all(kind == "skip" for kind in rest) and len(cell.source.strip().splitlines()) == 1:
                types[index] = "skip"

    for cell, kind in zip(cells, types):
        cell.metadata["slideshow"] = {"slide_type": kind}
    return notebook


def slide_count(notebook: nbformat.NotebookNode) -> int:
    return sum(cell.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide") for cell in notebook.cells)


def estimated_minutes(notebook: nbformat.NotebookNode) -> int:
    """Presenting time from cell counts (see the module doc), rounded up to 5 minutes."""
    shown = [cell for cell in notebook.cells if cell.metadata.get("slideshow", {}).get("slide_type") != "skip"]
    words = sum(len(re.findall(r"\w+", cell.source)) for cell in shown if cell.cell_type == "markdown")
    code_cells = sum(cell.cell_type == "code" for cell in shown)
    exercises = sum(bool(re.match(r"###\s+Exercise", _first_line(cell))) for cell in notebook.cells
                    if cell.cell_type == "markdown")
    minutes = words / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * code_cells + MINUTES_PER_EXERCISE * exercises
    return int(5 * math.ceil(minutes / 5))


# -- build -------------------------------------------------------------------------------------------
def deck_notebook(path: Path) -> nbformat.NotebookNode:
    """The lesson as a deck: slide types assigned, solution markers and figure code out, figure links to images/."""
    notebook = add_alt_text(nbformat.read(path, as_version=4))  # the template writes it into each figure's <img>
    for cell in notebook.cells:
        if has_tag(cell, TAG_HIDE_INPUT):
            cell.metadata["transient"] = {"remove_source": True}  # nbconvert's templates then show the outputs only
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"\]\(\.\./images/", "](images/", cell.source)
            cell.source = re.sub(r"(src=[\"'])\.\./images/", r"\1images/", cell.source)
            # links to other lessons open their decks
            cell.source = re.sub(r"\]\(((?:\.\./notebooks/)?)(\d\d_[A-Za-z0-9_]+)\.ipynb\)", r"](\2.slides.html)",
                                 cell.source)
    notebook.metadata["title"] = lesson_title(notebook, path.stem)
    # the rules find the worked solutions by their markers, so the markers go after the rules ran
    return remove_solution_markers(assign_slide_types(notebook))


#: RISE settings written into the presenter notebooks (jupyterlab-rise reads the ``rise`` metadata):
#: reveal.js's white theme (its default, "simple", asks Google Fonts for its type), no transition.
#: (RISE shows the notebook's own type size: zoom the browser, Ctrl +, for a projector.)
RISE_SETTINGS = {"theme": "white", "transition": "none", "scroll": True, "start_slideshow_at": "beginning",
                 "slideNumber": "c/t"}


def presenter_notebook(path: Path, folder: Path) -> nbformat.NotebookNode:
    """The lesson with the same slide types, for presenting live with RISE from a notebook in ``folder``."""
    notebook = nbformat.read(path, as_version=4)
    images = Path(os.path.relpath(IMAGES, folder)).as_posix()
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"\]\(\.\./images/", f"]({images}/", cell.source)
            cell.source = re.sub(r"(src=[\"'])\.\./images/", rf"\g<1>{images}/", cell.source)
    notebook = remove_solution_markers(assign_slide_types(notebook))
    notebook.metadata["rise"] = dict(RISE_SETTINGS)
    return notebook


def exporter():
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    vendor = "_vendor"
    config = Config()
    config.SlidesExporter.reveal_url_prefix = f"{vendor}/reveal.js"
    config.SlidesExporter.reveal_theme = "white"       # "simple" (the default) imports Google Fonts
    config.SlidesExporter.reveal_transition = "none"   # projectors smear moving slides
    config.SlidesExporter.reveal_number = "c/t"
    config.SlidesExporter.reveal_scroll = False        # no slide is taller than the screen (the template cuts them)
    config.SlidesExporter.reveal_width = str(SLIDE_WIDTH_PX)
    config.SlidesExporter.reveal_height = str(SLIDE_HEIGHT_PX)
    config.SlidesExporter.require_js_url = f"{vendor}/require.js"
    config.SlidesExporter.jquery_url = f"{vendor}/jquery.min.js"
    config.SlidesExporter.mathjax_url = f"{vendor}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    config.SlidesExporter.widget_renderer_url = f"{vendor}/html-manager/embed-amd.js"
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    config.SlidesExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.SlidesExporter.template_name = TEMPLATE_NAME
    return SlidesExporter(config=config)


def index_page(decks: Sequence[Tuple[str, str, int, int]]) -> str:
    """A plain, offline page linking every deck: ``decks`` is ``[(stem, title, slides, minutes)]``."""
    rows = "\n".join(
        f'<tr><td><a href="{stem}.slides.html">{html.escape(title)}</a></td><td>{slides}</td>'
        f"<td>~{minutes} min</td></tr>" for stem, title, slides, minutes in decks)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Convolutions: instructor slides</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222;
       line-height: 1.5; font-size: 18px; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ text-align: left; padding: .4rem .6rem;
       border-bottom: 1px solid #ddd; }} a {{ color: #2a5db0; }} kbd {{ border: 1px solid #bbb; border-radius: 3px;
       padding: 0 .3rem; font-size: 90%; }}
</style></head><body>
<h1>Convolutions: instructor slides</h1>
<p>One reveal.js deck per lesson, made from the executed notebooks (outputs as stored). Keys:
<kbd>&rarr;</kbd>/<kbd>Space</kbd> next, <kbd>&darr;</kbd> continued slide, <kbd>F</kbd> full screen,
<kbd>Esc</kbd> overview, <kbd>S</kbd> speaker view. Set-up, exercise-binding and hint cells are left out;
worked solutions appear on a click. Times are estimates from cell counts. Sections are the slides the
rules start (title, headings); a deck adds continuation slides below any that would not fit the screen.</p>
<p>To present live from JupyterLab instead (cells run, widgets move): <code>make lab</code>, open
<code>build/slides/presenter/NN_topic.ipynb</code> (same slides) and press <kbd>Alt</kbd>+<kbd>R</kbd>.</p>
<table><thead><tr><th>lesson</th><th>sections</th><th>time</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""


def build_slides(out: Path = DEFAULT_OUT, lesson_names: Optional[Sequence[str]] = None, quiet: bool = False) -> Path:
    """Write every deck, the index page and the assets into ``out`` (replaced); returns ``out``."""
    started = time.monotonic()
    lessons = find_lessons(lesson_names)
    ensure_node_modules(quiet=quiet)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_assets(SLIDE_ASSETS, out / "_vendor")
    if IMAGES.is_dir():
        shutil.copytree(IMAGES, out / "images", ignore=shutil.ignore_patterns("*.md"))
    slides_exporter = exporter()
    decks = []
    for path in lessons:
        notebook = deck_notebook(path)
        body, _ = slides_exporter.from_notebook_node(notebook, resources={"metadata": {"name": path.stem}})
        (out / f"{path.stem}.slides.html").write_text(body)
        decks.append((path.stem, notebook.metadata["title"], slide_count(notebook), estimated_minutes(notebook)))
    presenter = out / "presenter"
    presenter.mkdir()
    for path in lessons:
        nbformat.write(presenter_notebook(path, presenter), presenter / path.name)
    (out / "index.html").write_text(index_page(decks))
    offending = cdn_references(out)
    if offending:
        raise BuildError("the slides would load from a CDN when opened:\n  " + "\n  ".join(offending))
    if not quiet:
        print(f"slides: {len(decks)} decks in {out / 'index.html'} ({time.monotonic() - started:.0f} s)")
    return out


def times_table(lesson_names: Optional[Sequence[str]] = None) -> str:
    """The README's time-per-lesson table (markdown)."""
    lines = ["| lesson | sections | estimated time |", "|--------|---------:|---------------:|"]
    total = 0
    for path in find_lessons(lesson_names):
        notebook = deck_notebook(path)
        minutes = estimated_minutes(notebook)
        total += minutes
        lines.append(f"| {notebook.metadata['title']} | {slide_count(notebook)} | ~{minutes} min |")
    lines.append(f"| **all lessons** | | **~{total / 60:.1f} h** |")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/slides)")
    parser.add_argument("--lessons", nargs="*", help="only these lessons (stems), default: every notebooks/NN_*.ipynb")
    parser.add_argument("--times", action="store_true", help="print the time-per-lesson table and exit")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.times:
            print(times_table(args.lessons))
        else:
            build_slides(args.out, args.lessons, quiet=args.quiet)
    except BuildError as error:
        print(f"slides: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
