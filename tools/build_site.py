"""Build the learner site: a Jupyter Book (v1) of the executed lessons that works offline.

    python tools/build_site.py                          # -> build/site/index.html (make site)
    python tools/build_site.py --out /tmp/site          # somewhere else
    python tools/build_site.py --lessons 00_getting_started 07_dilation   # only these lessons

What it does, in a staging folder (``build/site-src`` by default, rebuilt each time):

1. copies ``book/_config.yml`` and ``book/_static/``, every ``notebooks/NN_topic.ipynb`` that
   exists (never re-executed: ``execute_notebooks: off``), ``images/`` (the lessons link
   ``../images/*.gif|png``), and the original lesson and student copies as downloads;
2. writes ``index.md`` from README.md: its introduction and course map (the ``Lessons``
   table plus the sections in ``LANDING_SECTIONS``), with links fixed to the site's pages
   (a lesson that exists gets a link even where the README still says "planned", and links to
   repository files that are not part of the site become plain text);
3. writes ``_toc.yml``: the landing page, then the lessons in their numbered order;
4. adds a box under each lesson's first cell with two downloads: the notebook as stored
   (outputs, solutions) and its student copy (``notebooks/student/``, exercises blank);
5. copies MathJax 3, require.js and the widget manager from ``node_modules/`` (pinned in
   package.json / package-lock.json, installed with ``npm ci`` when missing or stale) into
   ``_vendor/``, which the config publishes as ``_static/`` so that no page uses a CDN;
6. runs ``jupyter-book build`` and moves the HTML to ``--out``; then fails if any HTML or CSS
   file still names a CDN (``CDN_MARKERS``).

The lesson sources and notebooks are only read, never changed.
"""
from __future__ import annotations

import argparse
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
from typing import Iterable, List, NamedTuple, Optional, Sequence, Tuple

import nbformat
import yaml

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
#: ``Lessons`` is required: it is the course map. A section missing from README.md is left out.
LANDING_SECTIONS = ("Lessons", "Exercises, student and instructor copies", "Quick start")
REQUIRED_SECTION = "Lessons"

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


#: Lines that only steer the tests (nbval markers); the site and the slides leave them out.
TEST_MARKER_LINE = re.compile(r"^[ \t]*# NBVAL_[A-Z_]+[ \t]*\n?", re.MULTILINE)


def strip_test_markers(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop ``# NBVAL_...`` lines from the code cells (in place); returns ``notebook``."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = TEST_MARKER_LINE.sub("", cell.source)
    return notebook


def stage_lesson(path: Path, notebooks_dir: Path) -> None:
    notebook = strip_test_markers(nbformat.read(path, as_version=4))
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


def link_lesson_table(section: str, lessons: Sequence[Tuple[str, str]]) -> str:
    """Link each table row ``| NN | name ... |`` whose lesson is in the site; add rows for lessons it lacks."""
    by_number = {stem[:2]: (stem, title) for stem, title in lessons}
    seen = set()
    lines = section.splitlines()
    last_row = None
    for index, line in enumerate(lines):
        row = re.match(r"^\|\s*(\d\d)\s*\|([^|]*)\|(.*)$", line)
        if line.startswith("|"):
            last_row = index
        if not row:
            continue
        number, name, rest = row.groups()
        seen.add(number)
        if number in by_number and "](" not in name:
            stem = by_number[number][0]
            plain = re.sub(r"\*\(planned\)\*|\(planned\)", "", name).strip().strip("`")
            lines[index] = f"| {number} | [{plain}](notebooks/{stem}.ipynb) |{rest}"
    missing = [(stem, title) for number, (stem, title) in sorted(by_number.items()) if number not in seen]
    if missing:
        if last_row is None:
            raise BuildError("README.md's Lessons section has no table to list the lessons in")
        columns = lines[last_row].count("|") - 1
        extra = [f"| {stem[:2]} | [{title}](notebooks/{stem}.ipynb) |" + " |" * max(columns - 2, 0)
                 for stem, title in missing]
        lines[last_row + 1:last_row + 1] = extra
    return "\n".join(lines)


def landing_page(readme: str, lessons: Sequence[Tuple[str, str]], site_files: Sequence[str] = ()) -> str:
    """The site's index.md: README's introduction and course map, links fixed. ``lessons`` is ``[(stem, title)]``."""
    intro, sections = split_sections(readme)
    kept = {heading: body for heading, body in sections if heading in LANDING_SECTIONS}
    if REQUIRED_SECTION not in kept:
        raise BuildError(f"README.md has no '## {REQUIRED_SECTION}' section: the landing page is built from it "
                         f"(sections used: {', '.join(LANDING_SECTIONS)})")
    stems = [stem for stem, _ in lessons]
    parts = [fix_links(intro.strip(), stems, site_files)]
    for heading in (heading for heading in LANDING_SECTIONS if heading in kept):
        body = kept[heading]
        if heading == REQUIRED_SECTION:
            body = link_lesson_table(body, lessons)
        parts.append(f"## {heading}\n\n{fix_links(body.strip(), stems, site_files)}")
    first = lessons[0]
    parts.append("## About this site\n\n"
                 f"Every page shows a lesson as it was run, outputs included; start with "
                 f"[{first[1]}](notebooks/{first[0]}.ipynb). Each lesson page offers its notebook and its "
                 "student copy to download. The site needs no network: the search box, the maths and the "
                 "figures all work offline. Interactive widgets appear as their first frame; run the notebook "
                 "in JupyterLab to move their sliders.")
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
