"""The published course: the learner site (`make site`) and the instructor slides (`make slides`).

Both are built once, into temporary folders, from whatever lessons ``notebooks/NN_topic.ipynb``
exist (tools/build_site.py, tools/slides.py; a few tens of seconds each, plus ``npm ci`` once when
node_modules/ is missing): the site once per module, the decks once for this file and
tests/test_slides_fit.py together (tests/publish_support.py, even across pytest-xdist workers).

The browser smoke tests open the pages from ``file://``, as a learner opening a copy of the
site would, in Debian's chromium driven by Playwright with every host name unresolvable
(``--host-resolver-rules=MAP * ~NOTFOUND``): whatever a page would fetch from the network
fails, and the tests see it. They are skipped, with the reason, only when chromium or the
playwright package is missing.
"""
from __future__ import annotations

import html
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
import build_site  # noqa: E402
import slides  # noqa: E402
from conftest import browser_fixture  # noqa: E402
from publish_support import built_decks  # noqa: E402
from lab_browser import ConsoleLog  # noqa: E402

TIMEOUT_MS = 60_000
LESSONS = build_site.find_lessons()

#: Text that is left over when maths was not typeset: ``$...$`` or ``$$``.
RAW_MATH = re.compile(r"\$\$|\$[^$\n]{1,200}\$")
#: Everything but prose: code, outputs, and MathJax's own output (which keeps the TeX for screen readers).
PROSE_JS = """(root) => {
    const copy = root.cloneNode(true);
    copy.querySelectorAll('pre, code, script, style, mjx-container, .MathJax, .MathJax_CHTML, .mjx-chtml, '
        + '.MJX_Assistive_MathML, .MathJax_Preview, .cell_output, .jp-OutputArea, .jp-InputArea')
        .forEach(node => node.remove());
    return copy.textContent;
}"""
#: MathJax 2 (the slides) has typeset everything: its queue is empty and no raw TeX is left.
MATHJAX2_DONE_JS = ("(pattern) => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
                    " && !MathJax.Hub.queue.running && !new RegExp(pattern).test(("
                    + PROSE_JS + ")(document.querySelector('.reveal .slides')))")
BROKEN_IMAGES_JS = """() => Array.from(document.images)
    .filter(image => !(image.complete && image.naturalWidth > 0))
    .map(image => image.getAttribute('src').slice(0, 100))"""


# -- which lesson the smoke tests open ------------------------------------------------------------
def widget_functions() -> List[str]:
    """The course's widget entry points (``explore_convolution``, ``kernel_playground``, ...)."""
    from course_utils import widgets

    return [name for name in widgets.__all__ if name[0].islower()]


def widget_cell_line(notebook) -> Optional[str]:
    """The line of the first code cell that shows a widget (and stores its first frame), if any."""
    call = re.compile(r"\b(" + "|".join(map(re.escape, widget_functions())) + r")\s*\(")
    for cell in notebook.cells:
        if cell.cell_type != "code" or not any("image/png" in o.get("data", {}) for o in cell.outputs):
            continue
        for line in cell.source.splitlines():
            if call.search(line) and not line.lstrip().startswith("#"):
                return line.strip()
    return None


def smoke_lesson() -> Tuple[Path, Optional[str]]:
    """A lesson with a widget (and preferably a figure from images/); else the one with the most figures."""
    scored = []
    for path in LESSONS:
        notebook = nbformat.read(path, as_version=4)
        figures = sum(cell.source.count("../images/") for cell in notebook.cells if cell.cell_type == "markdown")
        maths = sum(cell.source.count("$") for cell in notebook.cells if cell.cell_type == "markdown")
        widget = widget_cell_line(notebook)
        scored.append(((widget is not None, figures > 0, maths > 0, figures), path, widget))
    best = max(scored, key=lambda item: item[0])
    return best[1], best[2]


# -- builds --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory) -> build_site.SiteBuild:
    folder = tmp_path_factory.mktemp("publish")
    return build_site.build_site(folder / "site", folder / "site-src", quiet=True)


@pytest.fixture(scope="module")
def deck_dir() -> Path:
    return built_decks()  # shared with tests/test_slides_fit.py (built once, even across xdist workers)


def html_files(folder: Path) -> List[Path]:
    return sorted(folder.rglob("*.html"))


# -- the site ------------------------------------------------------------------------------------
def test_site_has_every_lesson_in_order(site):
    index = (site.out / "index.html").read_text()
    for lesson in LESSONS:
        assert (site.out / "notebooks" / f"{lesson.stem}.html").is_file(), f"no page for {lesson.name}"
    navigation = index[index.index("bd-sidenav"):]
    order = re.findall(r'href="notebooks/(\d\d_[^"#]+)\.html"', navigation)
    assert list(dict.fromkeys(order)) == [lesson.stem for lesson in LESSONS]


def test_landing_page_is_the_readme_course_map(site):
    index = (site.out / "index.html").read_text()
    readme_title = (ROOT / "README.md").read_text().splitlines()[0].lstrip("# ").strip()
    assert readme_title.split(":")[0] in index
    assert 'id="lessons"' in index, "the README's Lessons table is missing from the landing page"
    table = index[index.index('id="lessons"'):]
    for lesson in LESSONS:
        assert f'href="notebooks/{lesson.stem}.html"' in table, f"the course map does not link {lesson.stem}"
    assert ".ipynb\"" not in index, "a README link still points at a notebook file instead of its page"


def test_landing_page_links_unit():
    from course_utils import course_map

    table = course_map.readme_table()
    readme = ("# Course\n\nIntro with [a file](requirements.txt) and ![badge](https://example.org/b.svg).\n\n"
              f"## Lessons\n\n{table}\n\nTools under the table.\n\n## Why these versions\n\nleft out\n")
    in_site = [("00_getting_started", "00 · Getting started"), ("07_dilation", "07 · Dilation")]
    page = build_site.landing_page(readme, in_site)
    assert "| 07 | [`07_dilation`](notebooks/07_dilation.ipynb) |" in page
    assert "| 01 | `01_convolution_maths` |" in page  # not in this site: named, not linked
    assert len(re.findall(r"^\| \d\d \|", page, re.MULTILINE)) == len(course_map.LESSONS)  # a row per lesson
    assert "Tools under the table." in page
    assert "a file" in page and "(requirements.txt)" not in page and "example.org" not in page
    assert "[](" not in build_site.fix_links("[![Binder](https://x.org/b.svg)](https://x.org)", [])
    assert "left out" not in page
    # Without a Lessons section the map's table still leads the landing page's; a README table that is not the map's fails.
    assert table.splitlines()[0] in build_site.landing_page("# Course\n\nIntro.\n", in_site)
    with pytest.raises(build_site.BuildError, match="differs from course_utils.course_map.readme_table"):
        build_site.landing_page(readme.replace("| 07 |", "| 7 |"), in_site)


def test_no_cdn_in_site_or_slides(site, deck_dir):
    assert build_site.cdn_references(site.out) == []
    assert build_site.cdn_references(deck_dir) == []
    remote = re.compile(r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//", re.I)
    for path in html_files(site.out) + html_files(deck_dir):
        match = remote.search(path.read_text(errors="replace"))
        assert match is None, f"{path.name} loads {match.group(0)!r} from the network"


def test_site_vendors_mathjax_and_require(site):
    page = (site.out / "notebooks" / f"{LESSONS[0].stem}.html").read_text()
    assert "../_static/mathjax/tex-mml-chtml.js" in page
    assert (site.out / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    assert (site.out / "_static" / "require.js").is_file()
    assert (site.out / "_static" / "html-manager" / "embed-amd.js").is_file()


def test_every_figure_is_in_the_site_and_the_slides(site, deck_dir):
    assert not [w for w in site.warnings if "image" in w.lower()], site.warnings
    for lesson in LESSONS:
        notebook = nbformat.read(lesson, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type != "markdown":
                continue
            for name in re.findall(r"\.\./images/([\w.\-]+)", cell.source):
                stem, suffix = Path(name).stem, Path(name).suffix
                assert list((site.out / "_images").glob(f"{stem}*{suffix}")), f"{lesson.stem}: {name} not in site"
                assert (deck_dir / "images" / name).is_file(), f"{lesson.stem}: {name} not beside the slides"


def test_each_lesson_page_offers_its_notebook_and_student_copy(site):
    for lesson in LESSONS:
        page = (site.out / "notebooks" / f"{lesson.stem}.html").read_text()
        links = re.findall(r'class="reference download internal"[^>]*href="([^"]+)"', page)
        links += re.findall(r'href="([^"]+)"[^>]*class="reference download internal"', page)
        targets = {(site.out / "notebooks" / link).resolve() for link in links}
        assert len(targets) == 2, f"{lesson.stem}: download links {links}"
        assert sorted(target.name for target in targets) == [lesson.name, f"{lesson.stem}_student.ipynb"]
        for target in targets:
            assert target.is_file(), target
            tags = nbformat.read(target, as_version=4).cells[0].metadata.get("tags", [])
            is_student_copy = "student-copy-note" in tags  # the note make_student.py puts on top
            assert is_student_copy == target.name.endswith("_student.ipynb"), f"{target.name} is the wrong copy"


def test_search_index_covers_every_lesson(site):
    index = (site.out / "searchindex.js").read_text()
    for lesson in LESSONS:
        assert f'"notebooks/{lesson.stem}"' in index
    assert (site.out / "search.html").is_file()


def test_widget_cells_keep_their_first_frame(site):
    for lesson in LESSONS:
        line = widget_cell_line(nbformat.read(lesson, as_version=4))
        if line is None:
            continue
        page = (site.out / "notebooks" / f"{lesson.stem}.html").read_text()
        name = re.search(r"\b(\w+)\s*\(", line.split("=", 1)[-1]).group(1)
        position = page.index(name)
        following = page[position:position + 200_000]
        assert re.search(r'<img[^>]+src="[^"]+\.png"', following), f"{lesson.stem}: no stored frame after {name}"


# -- alt text of figures ------------------------------------------------------------------------
#: An alt text that is no description: a file name or path, or nbconvert's placeholder.
NOT_A_DESCRIPTION = re.compile(r"(^|/)[\w.\-]+\.(png|gif|jpe?g|svg)$|^No description has been provided|^\s*$", re.I)


def image_alts(page: str) -> List[Tuple[str, str]]:
    """``(alt, src start)`` of every ``<img>`` in an HTML page (alt None when the attribute is missing)."""
    found = []
    for tag in re.findall(r"<img\b[^>]*>", page):
        alt = re.search(r'\balt="([^"]*)"', tag)
        src = re.search(r'\bsrc="([^"]{0,60})', tag)
        found.append((html.unescape(alt.group(1)) if alt else None, src.group(1) if src else ""))
    return found


def test_every_figure_in_site_and_slides_has_a_description(site, deck_dir):
    for lesson in LESSONS:
        for page in (site.out / "notebooks" / f"{lesson.stem}.html", deck_dir / f"{lesson.stem}.slides.html"):
            alts = image_alts(page.read_text())
            bad = [(alt, src) for alt, src in alts if alt is None or NOT_A_DESCRIPTION.search(alt)]
            assert not bad, f"{page.name}: images without a real alt text: {bad[:3]}"
        outputs = sum(any(mime in output.get("data", {}) for mime in build_site.IMAGE_MIMES)
                      for cell in nbformat.read(lesson, as_version=4).cells for output in cell.get("outputs", []))
        deck_figures = [alt for alt, src in image_alts((deck_dir / f"{lesson.stem}.slides.html").read_text())
                        if src.startswith("data:")]
        assert len(deck_figures) == outputs, f"{lesson.stem}: {outputs} figure outputs, {len(deck_figures)} on slides"


def test_alt_text_comes_from_the_lesson():
    titled = "fig, ax = plt.subplots()\nax.set_title('panel')\nfig.suptitle(\"The whole figure\")\nplt.show()"
    notebook = _notebook(("md", "## Section\n\nThe picture below shows **two** [boxes](x.md). More text."),
                         ("code", "plt.imshow(x)\nplt.show()"), ("code", titled), ("code", "plt.plot(y)"),
                         ("code", "show(f\"step {n}\")\nplt.title(f\"loss at step {n}\")"), ("code", "widget"))
    png = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480 with 1 Axes>"}
    for cell in notebook.cells[1:]:
        cell.outputs = [nbformat.v4.new_output("display_data", data=dict(png))]
    notebook.cells[3].metadata["alt"] = "A rising curve, written by the author"
    notebook.cells[5].outputs[0]["data"]["text/plain"] = "input 5x5, kernel 3x3, padding 1\noutput 3x3"
    alts = [build_site.figure_alt_text(notebook.cells, index) for index in range(1, 6)]
    assert alts == ["Figure: The picture below shows two boxes.",            # the sentence that introduces it
                    "Figure: The whole figure; panel",                        # its titles, the figure's first
                    "A rising curve, written by the author",                  # the author's own, first of all
                    "Figure: loss at step n",                                 # a title built from a variable
                    "Interactive widget, first frame: input 5x5, kernel 3x3, padding 1"]  # a widget's settings
    build_site.add_alt_text(notebook)
    for cell, alt in zip(notebook.cells[1:], alts):
        assert cell.outputs[0].metadata["image/png"]["alt"] == alt  # read by the slides' template
        assert cell.metadata["mystnb"]["image"]["alt"] == alt       # read by myst-nb for the site
    assert build_site.figure_titles("plt.title(f'{a}')\nax.set_title('b', x=1)") == ["b"]
    assert build_site.figure_titles("%%needs mxnet\nfig.suptitle('c')") == ["c"]


# -- exercises on the site -----------------------------------------------------------------------
class DetailsParser(HTMLParser):
    """A page's ``<details>`` elements (open or not, summary text, inner text) and the text outside them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.details: List[Dict] = []
        self.outside: List[str] = []
        self._inside: List[Dict] = []  # the details elements around the current position, innermost last
        self._summaries = 0

    def handle_starttag(self, tag, attrs):
        if tag == "details":
            self.details.append({"open": "open" in dict(attrs), "summary": "", "text": ""})
            self._inside.append(self.details[-1])
        elif tag == "summary" and self._inside:
            self._summaries += 1

    def handle_endtag(self, tag):
        if tag == "details" and self._inside:
            self._inside.pop()
        elif tag == "summary" and self._summaries:
            self._summaries -= 1

    def handle_data(self, data):
        if not self._inside:
            self.outside.append(data)
        elif self._summaries:
            self._inside[-1]["summary"] += data
        else:
            for element in self._inside:
                element["text"] += data


def lesson_page(site, lesson: Path) -> DetailsParser:
    parser = DetailsParser()
    parser.feed((site.out / "notebooks" / f"{lesson.stem}.html").read_text())
    return parser


def _within(words: Tuple[str, ...], text_words: Tuple[str, ...]) -> bool:
    return f" {' '.join(words)} " in f" {' '.join(text_words)} "


def test_no_solution_markers_or_uncomment_cells_in_site_or_slides(site, deck_dir):
    pages = html_files(site.out) + [site.out / "searchindex.js"] + html_files(deck_dir)
    for path in pages:
        text = path.read_text(errors="replace")
        for phrase in ("BEGIN SOLUTION", "END SOLUTION", "Uncomment a line"):
            assert phrase not in text, f"{path.name} contains {phrase!r}"


def test_solutions_hints_and_model_answers_are_collapsed_on_each_lesson_page(site):
    model_answers = 0
    for lesson in LESSONS:
        notebook = nbformat.read(lesson, as_version=4)
        page = lesson_page(site, lesson)
        assert not [d["summary"] for d in page.details if d["open"]], f"{lesson.stem}: a collapsed block is open"
        outside = _words(" ".join(page.outside))

        worked = [_words(build_site.without_solution_markers(cell.source)) for cell in notebook.cells
                  if build_site.is_worked_solution(cell)]
        solutions = [d for d in page.details if build_site.SHOW_SOLUTION in d["summary"]]
        assert [_words(d["text"]) for d in solutions] == worked, f"{lesson.stem}: worked solutions not collapsed"
        for code in worked:
            assert not _within(code, outside), f"{lesson.stem}: a worked solution is shown open: {code[:12]}"

        problems = build_site.bound_problems(notebook, lesson.name)
        helped, unsolved, solution_seen = [], [], False  # unsolved: no worked solution since the last help cell
        for cell in notebook.cells:
            solution_seen = solution_seen or build_site.is_worked_solution(cell)
            if cell.cell_type == "code" and build_site.has_tag(cell, build_site.TAG_EXERCISE_HELP):
                helped.append(problems[re.search(r"\bq\d+", cell.source).group(0)])
                if not solution_seen:
                    unsolved.append(helped[-1])
                solution_seen = False
        assert helped, f"{lesson.stem}: no exercise-help cells"
        hints = [d for d in page.details if re.fullmatch(r"\s*Hint \d+\s*", d["summary"])]
        assert [d["summary"].strip() for d in hints] == [f"Hint {number}" for problem in helped
                                                         for number in range(1, len(problem.hints) + 1)]
        assert [_words(d["text"]) for d in hints] == [_words(hint) for problem in helped for hint in problem.hints]
        # a question without a worked solution (a thought question) gets its model answer on the page
        answers = [d for d in page.details if d["summary"].strip() == build_site.MODEL_ANSWER_LABEL]
        assert [_words(d["text"]) for d in answers] == [_words(problem.solution_text) for problem in unsolved]
        model_answers += len(answers)
        for text in [problem.solution_text for problem in helped] + [h for p in helped for h in p.hints]:
            assert not _within(_words(text), outside), f"{lesson.stem}: shown open: {text[:60]!r}"
    assert model_answers, "no lesson page has a model answer (the thought questions have no worked solution)"


def test_hint_text_keeps_its_characters_and_marks_code():
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser
    from markdown_it.renderer import RendererHTML

    markdown = create_md_parser(MdParserConfig(enable_extensions={"dollarmath", "colon_fence"}), RendererHTML)
    text = ("Use `np.zeros(n, dtype=int)` for 0*3 + 1*2 and [[1, -1]]; $5 < 2 * x_1_\n"
            "continues here.\n\n1. not a list\n\n* first item\n  continued\n- second `a*b`")
    html_text = markdown.render(build_site.myst_text(text))
    assert html_text == ("<p>Use <code>np.zeros(n, dtype=int)</code> for 0*3 + 1*2 and [[1, -1]]; $5 &lt; 2 * x_1_ "
                         "continues here.</p>\n<p>1. not a list</p>\n"
                         "<ul>\n<li>first item continued</li>\n<li>second <code>a*b</code></li>\n</ul>\n")


LESSON_03 = "03_cross_correlation_and_conv_layers"


def test_exercises_for_the_page_orders_hints_solution_and_model_answer():
    from course_utils import exercises

    notebook = _notebook(
        ("code", f'q1, q2, q3 = exercises.bind("{LESSON_03}")', ["exercise-bind"]),
        ("md", "### Exercise 1"),
        ("code", "def conv2d(image, kernel):\n    # BEGIN SOLUTION\n    return image\n    # END SOLUTION"),
        ("code", "q1.check(conv2d)"),
        ("md", "Stuck? Uncomment a line below and run the cell.", ["exercise-help"]),
        ("code", "# q1.hint()\n# q1.solution()", ["exercise-help"]),
        ("md", "### Exercise 3 (to think about)"),
        ("code", "# q3.hint()\n# q3.solution()", ["exercise-help"]),
        ("md", "---"),
    )
    q1, _, q3 = exercises.bind(LESSON_03)
    cells = build_site.exercises_for_the_page(notebook, "test.ipynb").cells
    assert [cell.source.splitlines()[0] for cell in cells] == [
        f'q1, q2, q3 = exercises.bind("{LESSON_03}")', "### Exercise 1", ":::{dropdown} Hint 1",
        "def conv2d(image, kernel):", "q1.check(conv2d)", "### Exercise 3 (to think about)", ":::{dropdown} Hint 1",
        "---"]
    assert cells[2].source.count("{dropdown} Hint") == len(q1.hints) and "Model answer" not in cells[2].source
    assert cells[3].source == "def conv2d(image, kernel):\n    return image\n"
    assert "hide-input" in cells[3].metadata.tags
    assert cells[3].metadata.mystnb == {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}
    assert cells[6].source.count("{dropdown} Hint") == len(q3.hints)
    assert ":::{dropdown} Model answer" in cells[6].source


@pytest.mark.parametrize("cells, message", [
    ([("code", 'qs = exercises.bind("x")', ["exercise-bind"])], "holds one line such as"),
    ([("code", 'q1, q2 = exercises.bind("no_such_lesson")', ["exercise-bind"])], "lesson must be one of"),
    ([("code", f'q1, q2 = exercises.bind("{LESSON_03}")', ["exercise-bind"])], "names 2 exercises, but"),
    ([("code", f'q1, q2, q3 = exercises.bind("{LESSON_03}")', ["exercise-bind"]),
      ("code", "# q4.hint()", ["exercise-help"])], "calls the help of ['q4']; bound here: ['q1', 'q2', 'q3']"),
    ([("code", "# q1.hint()", ["exercise-help"])], "bound here: none"),
])
def test_exercises_for_the_page_names_what_is_wrong(cells, message):
    with pytest.raises(build_site.BuildError, match=re.escape(message)):
        build_site.exercises_for_the_page(_notebook(*cells), "lesson.ipynb")


# -- the slides ----------------------------------------------------------------------------------
def test_a_deck_per_lesson_and_an_index(deck_dir):
    index = (deck_dir / "index.html").read_text()
    for lesson in LESSONS:
        deck = deck_dir / f"{lesson.stem}.slides.html"
        assert deck.is_file()
        assert f'href="{deck.name}"' in index
        text = deck.read_text()
        assert text.count("<section") > 3, f"{deck.name} has hardly any slides"
        assert "mermaid" not in text and "fonts.googleapis" not in text
        code = [html.unescape(re.sub(r"<[^>]+>", "", source))
                for source in re.findall(r'class="jp-Cell jp-CodeCell.*?<pre>(.*?)</pre>', text, re.S)]
        assert code, f"{deck.name} shows no code"
        shown = [source for source in code if "setup_lesson(" in source or "exercises.bind(" in source
                 or re.search(r"q\d+\.hint\(", source)]
        assert not shown, f"{deck.name} shows a cell the rules skip: {shown[0][:80]!r}"
        notebook = nbformat.read(lesson, as_version=4)
        figure_code = [cell.source for cell in notebook.cells if build_site.has_tag(cell, build_site.TAG_HIDE_INPUT)]
        shown_code = {_words(source) for source in code}
        assert not [source for source in figure_code if _words(source) in shown_code], \
            f"{deck.name} shows the code of a figure cell tagged hide-input"


def _words(text: str) -> Tuple[str, ...]:
    """The words of ``text``: compares code and prose however whitespace, quotes or markup changed."""
    return tuple(re.findall(r"\w+", text))


def _notebook(*cells) -> nbformat.NotebookNode:
    """A notebook of ``(kind, source)`` or ``(kind, source, tags)`` cells; kind is "md" or "code"."""
    notebook = nbformat.v4.new_notebook()
    for kind, source, *tags in cells:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = list(tags[0])
        notebook.cells.append(cell)
    return notebook


def test_slide_rules():
    notebook = _notebook(
        ("md", "# 01 · Title\n\nIntro."),
        ("md", "## Set-up"),
        ("code", "import course_utils as cu\nrng = cu.setup_lesson(seed=0)"),
        ("code", "%%needs mxnet\nfrom mxnet import np as mnp", ["setup"]),
        ("md", "## A section\n\nText."),
        ("code", "x = 1\nx"),
        ("md", "### A subsection"),
        ("md", "More text."),
        ("md", "## Exercises"),
        ("code", 'q1, q2 = exercises.bind("01_title")', ["exercise-bind"]),
        ("md", "### Exercise 1: something"),
        ("code", "def f(x):\n    # BEGIN SOLUTION\n    return x\n    # END SOLUTION"),
        ("code", "q1.check(f)"),
        ("md", "Stuck? Uncomment a line below and run the cell.", ["exercise-help"]),
        ("code", "# q1.hint()\n# q1.solution()", ["exercise-help"]),
        ("md", "---\n\n**Previous:** [00](00_a.ipynb)"),
    )
    notebook.cells[7].metadata["slideshow"] = {"slide_type": "notes"}  # an author's choice wins
    original = nbformat.writes(notebook)
    kinds = [cell.metadata.slideshow.slide_type for cell in slides.assign_slide_types(notebook).cells]
    assert kinds == ["slide", "skip", "skip", "skip", "slide", "-", "subslide", "notes", "slide", "skip", "subslide",
                     "fragment", "fragment", "skip", "skip", "skip"]
    assert nbformat.writes(notebook) == original, "the rules must work on a copy"


def test_slide_rules_leave_the_fitting_to_the_browser():
    # rule 5: a continuing cell stays on its slide however long; the template cuts what does not fit
    # (tests/test_slides_fit.py checks the cut decks at 1280x720)
    long_code = "\n".join(f"value_{i} = {i}" for i in range(12))
    notebook = _notebook(("md", "# Title"), ("md", "## Long"), *[("code", long_code)] * 6)
    kinds = [cell.metadata.slideshow.slide_type for cell in slides.assign_slide_types(notebook).cells]
    assert kinds == ["slide", "slide"] + ["-"] * 6


def test_time_table_lists_every_lesson():
    table = slides.times_table()
    for lesson in LESSONS:
        title = build_site.lesson_title(nbformat.read(lesson, as_version=4), lesson.stem)
        assert re.search(rf"\| {re.escape(title)} \| \d+ \| ~\d+ min \|", table), title


# -- Binder / repo2docker ------------------------------------------------------------------------
def test_binder_environment_pins_the_publishing_tools():
    # tests/test_environment.py checks that environment.yml and requirements.txt agree pin for pin;
    # here: the site and slides build on Binder too.
    from test_environment import conda_pip_pins

    for name in ("jupyter-book", "nbconvert", "jupyterlab-rise"):
        assert name in conda_pip_pins(), f"{name} (publishing) is not pinned"


def test_postbuild_installs_the_no_deps_pins_and_the_course_package():
    post_build = ROOT / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable (repo2docker runs it directly)"
    subprocess.run(["bash", "-n", str(post_build)], check=True)
    commands = [line.strip() for line in post_build.read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert any("--no-deps" in line and "-r requirements-nodeps.txt" in line for line in commands)
    assert any("--no-deps" in line and line.endswith("-e .") for line in commands)
    assert (ROOT / "requirements-nodeps.txt").is_file()


# -- in a browser, offline ------------------------------------------------------------------------
browser = browser_fixture(offline=True)


class Visit:
    """A page opened from disk, with its console errors and every request it made."""

    def __init__(self, browser, path, viewport=(1400, 1000)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.errors: List[str] = ConsoleLog(self.page).errors  # failed requests join its console errors
        self.requests: List[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", lambda request: self.errors.append(f"failed: {request.url}"))
        self.url = path if isinstance(path, str) else path.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")

    def off_disk_requests(self) -> List[str]:
        """Requests that left the page's own site (its folder on disk, or the local server it came from)."""
        own = ("file:", "data:", "blob:", "about:", *re.findall(r"^https?://127\.0\.0\.1:\d+/", self.url))
        return [url for url in self.requests if not url.startswith(own)]

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    opened: List[Visit] = []

    def open_page(path: Path, **options) -> Visit:
        opened.append(Visit(browser, path, **options))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def test_lesson_page_offline(site, visit):
    lesson, widget_line = smoke_lesson()
    page = visit(site.out / "notebooks" / f"{lesson.stem}.html")
    article = page.page.locator("article.bd-article")
    page.page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.page.evaluate("() => MathJax.startup.promise")
    page.page.wait_for_function("() => Array.from(document.images).every(image => image.complete)")
    prose = article.evaluate(PROSE_JS)
    assert not RAW_MATH.search(prose), f"raw maths left on the page: {RAW_MATH.search(prose).group(0)!r}"
    if "$" in "".join(c.source for c in nbformat.read(lesson, as_version=4).cells if c.cell_type == "markdown"):
        assert page.page.locator("mjx-container").count() > 0, "no maths typeset"
    assert page.page.locator("article img").count() > 0
    assert page.page.evaluate(BROKEN_IMAGES_JS) == []
    if widget_line is not None:
        cell = page.page.locator("div.cell").filter(has_text=widget_line).first
        frame = cell.locator(".cell_output img").first
        frame.scroll_into_view_if_needed()
        assert frame.is_visible(), f"the widget's first frame ({widget_line}) is not visible"
        assert frame.evaluate("image => image.naturalWidth") > 100
    # the first worked solution and the first hint are closed and open on a click
    notebook = nbformat.read(lesson, as_version=4)
    worked = next(cell for cell in notebook.cells if build_site.is_worked_solution(cell))
    solution_code = build_site.without_solution_markers(worked.source)
    for label, inner, expected in [(build_site.SHOW_SOLUTION, "pre", solution_code),
                                   ("Hint 1", ".sd-summary-content", None)]:
        block = page.page.locator("details").filter(has=page.page.locator("summary", has_text=label)).first
        content = block.locator(inner).first
        block.scroll_into_view_if_needed()
        assert block.is_visible() and not content.is_visible(), f"{label!r}: its content shows before a click"
        block.locator("summary").click()
        content.wait_for(state="visible")
        if expected is not None:
            assert _words(content.inner_text()) == _words(expected)
    assert page.errors == []
    assert page.off_disk_requests() == []


@pytest.fixture(scope="module")
def site_server(site):
    """The site served on 127.0.0.1 (the search page fetches the result pages, which file:// forbids)."""
    import functools
    import http.server
    import threading

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(QuietHandler, directory=str(site.out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_landing_page_and_search_offline(site, site_server, visit):
    page = visit(site.out / "index.html")
    links = page.page.locator("article.bd-article a[href^='notebooks/']")
    assert links.count() >= len(LESSONS)
    assert page.page.evaluate(BROKEN_IMAGES_JS) == []
    assert page.errors == [] and page.off_disk_requests() == []
    lesson, _ = smoke_lesson()
    title = build_site.lesson_title(nbformat.read(lesson, as_version=4), lesson.stem)
    word = max(re.findall(r"[A-Za-z]{4,}", title), key=len).lower()
    search = visit(f"{site_server}/search.html?q={word}")
    results = search.page.locator("#search-results ul.search li a")
    results.first.wait_for()
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(lesson.stem in href for href in hrefs), f"searching {word!r} found {hrefs}"
    assert search.errors == [] and search.off_disk_requests() == []


def test_slide_deck_offline(deck_dir, visit):
    lesson, widget_line = smoke_lesson()
    page = visit(deck_dir / f"{lesson.stem}.slides.html", viewport=(1280, 800))
    page.page.wait_for_function("() => document.querySelector('.reveal.ready')")
    page.page.wait_for_function(MATHJAX2_DONE_JS, arg=RAW_MATH.pattern)
    if "$" in "".join(c.source for c in nbformat.read(lesson, as_version=4).cells if c.cell_type == "markdown"):
        assert page.page.locator(".reveal .MathJax_CHTML, .reveal .mjx-chtml").count() > 0, "no maths typeset"
    page.page.wait_for_function("() => Array.from(document.images).every(image => image.complete)")
    assert page.page.evaluate(BROKEN_IMAGES_JS) == []
    sections = page.page.locator(".reveal .slides section")
    assert sections.count() > 3
    if widget_line is not None:
        # the frame is found by its alt text: a slide too tall for code and frame continues with the frame
        cells = nbformat.read(lesson, as_version=4).cells
        index = next(i for i, c in enumerate(cells) if c.cell_type == "code" and widget_line in c.source)
        alt = build_site.figure_alt_text(cells, index)
        assert alt.startswith("Interactive widget, first frame: "), alt
        frame = page.page.locator(f".jp-CodeCell .jp-OutputArea img[alt={json.dumps(alt)}]").first
        # go to its slide: reveal.js is loaded with require.js, so ask require for it
        page.page.evaluate("""(image) => new Promise(done => require(['_vendor/reveal.js/dist/reveal.js'], Reveal => {
            const indices = Reveal.getIndices(image.closest('section')); Reveal.slide(indices.h, indices.v);
            setTimeout(done, 300); }))""", frame.element_handle())
        assert frame.is_visible(), f"the widget's first frame ({widget_line}) is not on screen"
        assert frame.evaluate("image => image.naturalWidth") > 100
    assert page.errors == []
    assert page.off_disk_requests() == []
