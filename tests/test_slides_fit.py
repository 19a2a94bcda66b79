"""Every slide of every deck fits a 1280x720 projector area: nothing is cut off at the bottom or the right.

The decks (tools/slides.py, built once with tests/test_publish.py through publish_support) are
opened in Debian's chromium at 1280x720, offline. Each deck steps through every slide with
reveal.js (a slide is only laid out while it is shown) and measures it: the slide's content must
not be taller or wider than the slide, and no code block or text output may need sideways
scrolling (``scrollWidth > clientWidth``). A synthetic deck checks the cutting itself: a long code
cell and a long text are cut into continuation slides, each fitting, with nothing lost.

Lessons come and go (13 and 14 are being written): the decks are those of whatever lessons exist.
Skipped, with the reason, only when chromium or the playwright package is missing.
"""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import List

import nbformat
import pytest

from conftest import browser_fixture
from lab_browser import ConsoleLog
from publish_support import build_site, built_decks, slides

LESSONS = build_site.find_lessons()
VIEWPORT = {"width": 1280, "height": 720}
#: MathJax typesets a whole deck before the slides are cut; a long deck takes 10-20 s on a busy machine.
LOAD_TIMEOUT_MS = 180_000

#: Goes to every slide in turn and measures it (the slide as reveal.js shows it: its own coordinates,
#: whatever the screen's scale). Returns one record per slide.
MEASURE_EVERY_SLIDE_JS = """() => new Promise(done => require(['_vendor/reveal.js/dist/reveal.js'], Reveal => {
    const {width, height} = Reveal.getConfig();
    const records = [];
    for (const slide of Reveal.getSlides()) {
        const {h, v} = Reveal.getIndices(slide);
        Reveal.slide(h, v, Number.MAX_SAFE_INTEGER);  /* every fragment shown: the fullest state of the slide */
        const first = (slide.querySelector('h1, h2, h3, h4, p, pre') || slide).textContent.trim();
        records.push({
            index: `${h}.${v}`, shown: Reveal.getCurrentSlide() === slide, first: first.slice(0, 70),
            height: slide.scrollHeight, width: slide.scrollWidth, slideHeight: height, slideWidth: width,
            sideways: Array.from(slide.querySelectorAll('pre'))
                .filter(pre => pre.scrollWidth > pre.clientWidth)
                .map(pre => `${pre.scrollWidth} > ${pre.clientWidth}: ${pre.textContent.trim().slice(0, 60)}`),
            tooTall: slide.classList.contains('course-too-tall'),
            lastLine: slide.innerText.trim().split('\\n').pop().trim(),
        });
    }
    done(records);
}))"""

#: The lines of every code block and text output on the slides, in order (after the cutting). A block that
#: was cut between lines holds one element per line; slides not shown have no layout, so no innerText.
SHOWN_CODE_LINES_JS = """() => Array.from(document.querySelectorAll('.reveal .slides pre')).map(pre => {
    const lines = pre.querySelectorAll(':scope > .course-line');
    return lines.length ? Array.from(lines).map(line => line.textContent).join('\\n') : pre.textContent;
}).join('\\n')"""


def code_lines(text: str) -> List[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def source_code_lines(deck: Path) -> List[str]:
    """The lines of every ``<pre>`` in the deck's HTML as written (before the browser cuts anything)."""
    markup = deck.read_text()
    return code_lines("\n".join(html.unescape(re.sub(r"<[^>]+>", "", block))
                                for block in re.findall(r"<pre[^>]*>(.*?)</pre>", markup, re.S)))


browser = browser_fixture(offline=True)


@pytest.fixture(scope="module")
def deck_dir(browser) -> Path:  # asks for the browser first: without one, nothing is built
    return built_decks()


def open_deck(browser, path: Path):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    page = context.new_page()
    console = ConsoleLog(page)
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_function("() => document.querySelector('.reveal.ready')", timeout=LOAD_TIMEOUT_MS)
    return context, page, console


def problems(records) -> List[str]:
    found = []
    for record in records:
        where = f"slide {record['index']} ({record['first']!r})"
        if not record["shown"]:
            found.append(f"{where}: reveal.js did not go to it")
        if record["height"] > record["slideHeight"] or record["tooTall"]:
            found.append(f"{where}: {record['height']} px tall, the slide is {record['slideHeight']}")
        if record["width"] > record["slideWidth"]:
            found.append(f"{where}: {record['width']} px wide, the slide is {record['slideWidth']}")
        found += [f"{where}: code scrolls sideways ({text})" for text in record["sideways"]]
    return found


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.stem for lesson in LESSONS])
def test_every_slide_fits_the_projector(browser, deck_dir, lesson):
    deck = deck_dir / f"{lesson.stem}.slides.html"
    context, page, console = open_deck(browser, deck)
    try:
        records = page.evaluate(MEASURE_EVERY_SLIDE_JS)
        authored = slides.slide_count(slides.deck_notebook(lesson))
        assert len(records) >= authored, f"{len(records)} slides shown, the rules made {authored}"
        assert problems(records) == [], f"{deck.name} at 1280x720"
        # the cutting moved code and outputs between slides and lost none
        assert code_lines(page.evaluate(SHOWN_CODE_LINES_JS)) == source_code_lines(deck)
        assert console.relevant() == [], "errors in the browser console"
    finally:
        context.close()


def test_long_cells_are_cut_into_continuation_slides_that_fit(browser, deck_dir, tmp_path):
    paragraphs = "\n\n".join(f"Paragraph {i}: " + "words that fill a line of the slide " * 5 for i in range(24))
    short_code = "\n".join(f"short_{i:02d} = {i}" for i in range(14))
    long_code = "\n".join(f"value_{i:02d} = {i} * 2  # line {i} of a long code cell" for i in range(70))
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["title"] = "Cutting"
    notebook.cells = [nbformat.v4.new_markdown_cell("# Cutting"),
                      nbformat.v4.new_markdown_cell("## A long text\n\n" + paragraphs),
                      nbformat.v4.new_markdown_cell("The code below:"),
                      nbformat.v4.new_code_cell(short_code),
                      nbformat.v4.new_markdown_cell("## Long code"),
                      nbformat.v4.new_code_cell(long_code)]
    body, _ = slides.exporter().from_notebook_node(slides.assign_slide_types(notebook),
                                                   resources={"metadata": {"name": "cutting"}})
    (tmp_path / "cutting.slides.html").write_text(body)
    shutil.copytree(deck_dir / "_vendor", tmp_path / "_vendor")
    context, page, console = open_deck(browser, tmp_path / "cutting.slides.html")
    try:
        records = page.evaluate(MEASURE_EVERY_SLIDE_JS)
        assert problems(records) == []
        continued = int(page.evaluate("() => document.querySelector('.reveal').dataset.courseContinued"))
        assert len(records) == 3 + continued and continued >= 3, records  # the text and the long code were cut
        # a paragraph that ends with ":" (or a heading) is never left at the bottom of a slide without its code
        assert [record["lastLine"] for record in records if record["lastLine"] in ("The code below:", "Long code")] == []
        assert code_lines(page.evaluate(SHOWN_CODE_LINES_JS)) == code_lines(short_code + "\n" + long_code)
        assert console.relevant() == []
    finally:
        context.close()
