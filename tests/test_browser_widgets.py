"""The course's widgets and an exercise in a real browser: JupyterLab in headless Chromium, driven by Playwright.

Every browser test lives in this file, so with ``-n 2 --dist loadfile`` they run on
one worker and share one JupyterLab server and one browser (module-scoped fixtures).
The browser is Debian's chromium (/usr/bin/chromium, installed by .ci/run in CI);
without it, or without the playwright package, the tests are skipped.

Adding a test for another widget takes a few lines::

    def test_kernel_playground(widget_notebook):
        page, console = widget_notebook("playground.ipynb", [
            "from course_utils.widgets.playground import ...", "..."])
        ...  # move its controls with widget_slider/step_slider, wait for text markers
        assert console.relevant(HARMLESS_CONSOLE_ERRORS) == []

Wait for a text marker of the final values before asserting anything: updates for
the intermediate positions arrive first (shared/notes/browser-testing.md).
"""
from __future__ import annotations

import ast
import base64
import io
import re
import time
from typing import Callable, List, Sequence, Tuple

import pytest

from lab_browser import (ConsoleLog, LabServer, open_notebook, run_all_cells, slider_value, step_slider,
                             widget_slider)
from course_utils import conv_output_size
from course_utils import exercises
from conftest import browser_fixture, run_check
from course_utils.widgets import ConvolutionExplorer, ExplorerSettings, ExplorerState

#: Console errors that JupyterLab prints on its own and that say nothing about our widgets (regular expressions).
#: Empty: none were seen with JupyterLab 4.6.6 / ipywidgets 8.1.8. Add an entry only with a reason.
HARMLESS_CONSOLE_ERRORS: Tuple[str, ...] = ()

#: Milliseconds to wait for the page and the kernel, and for one widget update (generous: `make test` runs
#: two workers, and the other one may be busy with PyTorch). Normally they take 5-10 s and 0.2-0.5 s.
TIMEOUT_MS = 90_000
UPDATE_MS = 30_000


# -- shared fixtures -----------------------------------------------------------------------------
browser = browser_fixture(offline=False)


@pytest.fixture(scope="module")
def lab(browser):  # asks for the browser first, so a missing browser skips before a server starts
    server = LabServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def widget_notebook(browser, lab) -> Callable[[str, Sequence[str]], Tuple[object, ConsoleLog]]:
    """``widget_notebook(name, cells)`` writes a notebook, opens it, runs all cells; returns ``(page, console)``."""
    contexts: List[object] = []

    def open_and_run(name: str, cells: Sequence[str]):
        from playwright.sync_api import expect

        lab.write_notebook(name, cells)
        context = browser.new_context(viewport={"width": 1400, "height": 1100})
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        console = ConsoleLog(page)  # listening before the page loads
        open_notebook(page, lab, name, timeout_ms=TIMEOUT_MS)
        run_all_cells(page)
        expect(page.locator(".jp-OutputArea-output .widget-vbox").first).to_be_visible(timeout=TIMEOUT_MS)
        return page, console

    try:
        yield open_and_run
    finally:
        for context in contexts:
            context.close()
        lab.shutdown_kernels()


# -- the convolution explorer --------------------------------------------------------------------
START = dict(height=5, width=5, kernel_size=3, padding=1, stride=2)
#: Slider moves, in order; the summary is checked after each one.
MOVES = [("stride", 1), ("padding", 0)]
CELL_SLIDER = "output cell"


def output_line(settings: dict) -> str:
    """The summary's shape line, from the course's own formula (not from the widget's model)."""
    rows = conv_output_size(settings["height"], settings["kernel_size"], padding=settings["padding"],
                            stride=settings["stride"])
    cols = conv_output_size(settings["width"], settings["kernel_size"], padding=settings["padding"],
                            stride=settings["stride"])
    return f"output {rows}x{cols}"


def settings_marker(settings: dict) -> str:
    """The summary's first line ('input 5x5, kernel 3x3, padding 0, stride 1, dilation 1'): names every value."""
    return ExplorerState(ExplorerSettings(**settings)).summary().splitlines()[0]


def cell_line(settings: dict, index: int) -> str:
    """The text's line that names the output cell under the kernel (the sum itself is in the picture)."""
    return f"kernel at output{list(ExplorerState(ExplorerSettings(**settings)).cell(index))}"


def shown_lines(summary) -> List[str]:
    return summary.inner_text().strip().splitlines()


def shown_picture(page, image):
    """The pixels of the widget's <img> (fetched from its blob: URL in the page) as a PIL image."""
    from PIL import Image

    data = page.evaluate("""async (img) => {
        const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
        let text = ''; for (const b of bytes) text += String.fromCharCode(b);
        return btoa(text);
    }""", image.element_handle())
    return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")


def wait_for_picture(page, image, expected, timeout_ms: float = UPDATE_MS) -> None:
    """Wait until the widget shows exactly ``expected`` (a PIL image): the final frame, not an intermediate one."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        shown = shown_picture(page, image)
        if shown.size == expected.size and shown.tobytes() == expected.tobytes():
            return
        assert time.monotonic() < deadline, (f"the picture ({shown.size}) is not the final settings' "
                                             f"({expected.size}) after {timeout_ms / 1000:.0f} s")
        time.sleep(0.2)


def test_convolution_explorer_follows_its_sliders(widget_notebook):
    from PIL import Image
    from playwright.sync_api import expect

    call = ", ".join(f"{name}={value}" for name, value in START.items())
    page, console = widget_notebook("explorer.ipynb", ["from course_utils.widgets import explore_convolution",
                                                        f"explore_convolution({call})"])
    widget = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-html pre")).first
    summary = widget.locator(".widget-html pre")
    image = widget.locator("img.widget-image")

    # the first frame
    settings = dict(START)
    expect(summary).to_contain_text(settings_marker(settings), timeout=TIMEOUT_MS)
    assert output_line(settings) == "output 3x3"  # the brief's worked example, checked against the formula
    assert shown_lines(summary)[1] == output_line(settings)
    expect(image).to_have_attribute("src", re.compile(r"\S"), timeout=UPDATE_MS)
    first_src = image.get_attribute("src")

    # the settings sliders, one keyboard step at a time; each press is one update in the kernel
    seen = [output_line(settings)]
    for name, target in MOVES:
        slider = widget_slider(widget, name.replace("_", " "))
        step_slider(slider, target - slider_value(slider))
        settings[name] = target
        expect(summary).to_contain_text(settings_marker(settings), timeout=UPDATE_MS)  # the final values arrived
        assert slider_value(slider) == target
        assert shown_lines(summary)[1] == output_line(settings), f"after moving {name} to {target}"
        seen.append(output_line(settings))
    assert len(set(seen)) > 1, f"the moves should change the output size at least once; saw {seen}"
    expect(image).not_to_have_attribute("src", first_src, timeout=UPDATE_MS)
    final_png = ConvolutionExplorer(ExplorerSettings(**settings)).render_png()
    wait_for_picture(page, image, Image.open(io.BytesIO(final_png)).convert("RGB"))

    # the output-cell slider moves the kernel; the written-out sum follows
    rows, cols = (int(n) for n in output_line(settings).split()[1].split("x"))
    target_cell = rows * cols // 2
    assert cell_line(settings, target_cell) != cell_line(settings, 0)
    assert cell_line(settings, 0) in shown_lines(summary)
    cell_slider = widget_slider(widget, CELL_SLIDER)
    step_slider(cell_slider, target_cell - slider_value(cell_slider))
    expect(summary).to_contain_text(cell_line(settings, target_cell), timeout=UPDATE_MS)
    assert slider_value(cell_slider) == target_cell
    assert shown_lines(summary) == ConvolutionExplorer(ExplorerSettings(**settings), target_cell).widget_text().splitlines()
    final_png = ConvolutionExplorer(ExplorerSettings(**settings), target_cell).render_png()
    wait_for_picture(page, image, Image.open(io.BytesIO(final_png)).convert("RGB"))

    assert console.relevant(HARMLESS_CONSOLE_ERRORS) == [], "errors in the browser console"


# -- a burst of key presses: one picture, of the final position ----------------------------------------
#: Seconds the kernel is kept busy while the keys are pressed, so that every press is queued in it.
BUSY_SECONDS = 6
BURST = 6  # presses of ArrowRight on "input width": 5 -> 11


def run_cell(page, cells, index: int) -> None:
    """Run one cell from the keyboard (click into it, Shift+Enter)."""
    cells.nth(index).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def test_a_burst_of_key_presses_draws_only_the_final_position(widget_notebook):
    from PIL import Image
    from playwright.sync_api import expect

    page, console = widget_notebook("burst.ipynb", [
        "from course_utils.widgets import explore_convolution",
        "shown = explore_convolution(height=5, width=5, kernel_size=3, padding=1, stride=2)\nshown",
        f"import time\nmark = shown.renderer.drawn\ntime.sleep({BUSY_SECONDS})",
        "print('drawn since the burst:', [snapshot.widget_text().splitlines()[0] "
        "for snapshot in shown.renderer.history][mark - shown.renderer.drawn:] if shown.renderer.drawn > mark else [])",
    ])
    cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-CodeCell")
    for index in range(4):
        expect(cells.nth(index).locator(".jp-InputPrompt")).to_have_text(re.compile(r"^\[\d+\]:$"), timeout=TIMEOUT_MS)
    widget = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-html pre")).first
    summary, image = widget.locator(".widget-html pre"), widget.locator("img.widget-image")
    settings = dict(START)
    expect(summary).to_contain_text(settings_marker(settings), timeout=UPDATE_MS)

    run_cell(page, cells, 2)  # the kernel sleeps; every press below waits in its queue
    expect(cells.nth(2).locator(".jp-InputPrompt")).to_have_text("[*]:", timeout=UPDATE_MS)
    width = widget_slider(widget, "input width")
    started = time.monotonic()
    step_slider(width, BURST)
    assert time.monotonic() - started < BUSY_SECONDS - 1, "the presses took too long to arrive during the sleep"
    expect(cells.nth(2).locator(".jp-InputPrompt")).to_have_text("[*]:")  # still busy: the presses are queued
    settings["width"] = START["width"] + BURST
    assert slider_value(width) == settings["width"]
    expect(summary).to_contain_text(settings_marker(settings), timeout=TIMEOUT_MS)
    final_png = ConvolutionExplorer(ExplorerSettings(**settings)).render_png()
    wait_for_picture(page, image, Image.open(io.BytesIO(final_png)).convert("RGB"))

    run_cell(page, cells, 3)
    report = cells.nth(3).locator(".jp-OutputArea-output")
    expect(report).to_contain_text("drawn since the burst:", timeout=UPDATE_MS)
    drawn = ast.literal_eval(report.inner_text().strip().split(":", 1)[1].strip())
    # Drawing each press would draw all BURST positions, one after another. Coalesced, the last position is
    # drawn, and at most one earlier one: a press that came alone for the settle time (20 ms) while the
    # kernel, just awake, was still reading the queue. Usually the final position is the only picture.
    assert drawn[-1] == settings_marker(settings) and len(drawn) <= 2, \
        f"{len(drawn)} pictures for {BURST} presses: {drawn}; renders queued up instead of being dropped"
    assert console.relevant(HARMLESS_CONSOLE_ERRORS) == [], "errors in the browser console"


# -- the kernel playground -----------------------------------------------------------------------
def test_kernel_playground_follows_its_preset_and_sliders(widget_notebook):
    from playwright.sync_api import expect

    from course_utils.widgets import KernelPlayground, PlaygroundSettings
    from course_utils.kernels import kernel_preset

    page, console = widget_notebook("playground.ipynb", [
        "from course_utils.widgets import kernel_playground",
        'kernel_playground(image="camera", preset="identity", stride=1, padding=1)'])
    widget = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-html pre")).first
    summary = widget.locator(".widget-html pre")
    image = widget.locator("img.widget-image")

    def expected_summary(preset, stride, padding):
        settings = PlaygroundSettings(image="camera", kernel=tuple(map(tuple, kernel_preset(preset))), stride=stride,
                                      padding=padding)
        return KernelPlayground(settings).summary()

    expect(summary).to_contain_text(expected_summary("identity", 1, 1).splitlines()[0], timeout=TIMEOUT_MS)
    expect(image).to_have_attribute("src", re.compile(r"\S"), timeout=UPDATE_MS)
    first_src = image.get_attribute("src")

    # pick a preset: the kernel grid and the output follow
    widget.locator(".widget-dropdown", has=page.locator("label", has_text="preset")).locator("select").select_option(
        "sobel_y")
    expect(summary).to_contain_text("kernel [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]", timeout=UPDATE_MS)
    assert shown_lines(summary) == expected_summary("sobel_y", 1, 1).splitlines()
    expect(image).not_to_have_attribute("src", first_src, timeout=UPDATE_MS)
    weights = widget.locator(".widget-text input")
    assert [float(weights.nth(i).input_value()) for i in range(9)] == list(kernel_preset("sobel_y").ravel())

    # stride 2 halves the output
    stride = widget_slider(widget, "stride")
    step_slider(stride, 2 - slider_value(stride))
    expect(summary).to_contain_text("camera 512x512 -> output 256x256", timeout=UPDATE_MS)
    assert shown_lines(summary) == expected_summary("sobel_y", 2, 1).splitlines()

    assert console.relevant(HARMLESS_CONSOLE_ERRORS) == [], "errors in the browser console"


# -- an exercise, as a learner works through it ----------------------------------------------------
# An exercise worked through in JupyterLab (headless Chromium, Playwright): what a learner sees.
# 
# A notebook in the server's temporary root binds lesson 00's q1, checks a wrong
# ``valid_output_shape`` and then a right one, and asks for the solution. The page must show
# the checker's own messages (computed here, in the test process, from the same source), the
# solution's code with its indentation, and no ``Out[n]:`` result under a check.

LESSON = "00_getting_started"
NOTEBOOK = "exercise.ipynb"

#: The classic slip: the number of steps the kernel can move, not the number of positions.
WRONG_ANSWER = '''def valid_output_shape(input_shape, kernel_shape):
    H, W = input_shape
    kh, kw = kernel_shape
    return (H - kh, W - kw)'''

#: Right, and written differently from the reference solution.
RIGHT_ANSWER = '''def valid_output_shape(input_shape, kernel_shape):
    return tuple(size - reach + 1 for size, reach in zip(input_shape, kernel_shape))'''

CHECK = "q1.check(valid_output_shape)"
CELLS = ["from course_utils import exercises", f'(q1,) = exercises.bind("{LESSON}")',
         WRONG_ANSWER, CHECK, RIGHT_ANSWER, CHECK, "q1.solution()",
         # control: a bool at the end of a cell does get an Out[n] result, so the check for none can fail
         f"bool({CHECK})"]
WRONG_CHECK, RIGHT_CHECK, SOLUTION, CONTROL = 3, 5, 6, 7

#: How JupyterLab 4 marks an execute_result (the Out[n] value of a cell): a class on the output row,
#: and a prompt that only such a row fills (JupyterLab writes "[n]:", the classic notebook "Out[n]:").
EXECUTE_RESULT = ".jp-OutputArea-child.jp-OutputArea-executeResult"
OUT_PROMPT = re.compile(r"(Out)?\[\d+\]:")


def learner_function(source: str):
    """The ``valid_output_shape`` that ``source`` defines, as the notebook's cell defines it."""
    namespace: dict = {}
    exec(source, namespace)
    return namespace["valid_output_shape"]


def expected_feedback(answer_source: str, capsys) -> tuple:
    """``(passed, text)`` the checker gives ``answer_source`` here (outside IPython it prints the plain text)."""
    (q1,) = exercises.bind(LESSON)
    passed, printed = run_check(q1, learner_function(answer_source), capsys)
    return passed, printed.strip()


def one_line(text: str) -> str:
    """``text`` with runs of white space as one space: a browser's line breaks are not the message's."""
    return " ".join(text.split())


def execute_result_cells(cells) -> List[int]:
    """Indices of the cells whose output area holds an execute_result (an Out[n] value)."""
    return [index for index in range(cells.count()) if cells.nth(index).locator(EXECUTE_RESULT).count()]


def test_learner_works_through_output_shape_exercise(browser, lab, capsys):  # noqa: F811 - fixtures imported above
    from playwright.sync_api import expect

    wrong_passed, wrong_text = expected_feedback(WRONG_ANSWER, capsys)
    right_passed, right_text = expected_feedback(RIGHT_ANSWER, capsys)
    assert (wrong_passed, right_passed) == (False, True)
    assert wrong_text.startswith("Not yet: ") and "did you use H - kh instead of H - kh + 1?" in wrong_text
    assert right_text.startswith("Correct: ")

    lab.write_notebook(NOTEBOOK, CELLS)
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    try:
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        console = ConsoleLog(page)
        open_notebook(page, lab, NOTEBOOK, timeout_ms=TIMEOUT_MS)
        run_all_cells(page)

        cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-CodeCell")
        expect(cells).to_have_count(len(CELLS))
        for index in range(len(CELLS)):  # "[n]:" once a cell has finished; "[*]:" while it waits or runs
            expect(cells.nth(index).locator(".jp-InputPrompt")).to_have_text(re.compile(r"^\[\d+\]:$"),
                                                                             timeout=TIMEOUT_MS)
        expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle", timeout=TIMEOUT_MS)

        wrong_box = cells.nth(WRONG_CHECK).locator(".course-feedback")
        expect(wrong_box).to_have_count(1)
        expect(wrong_box).to_have_class(re.compile(r"\bcourse-feedback-incorrect\b"))
        assert one_line(wrong_box.inner_text()) == one_line(wrong_text)

        right_box = cells.nth(RIGHT_CHECK).locator(".course-feedback")
        expect(right_box).to_have_count(1)
        expect(right_box).to_have_class(re.compile(r"\bcourse-feedback-correct\b"))
        assert one_line(right_box.inner_text()) == one_line(right_text)

        (q1,) = exercises.bind(LESSON)
        code = cells.nth(SOLUTION).locator(".course-feedback-solution pre.course-feedback-code")
        expect(code).to_have_count(1)
        shown_solution = code.inner_text()
        assert shown_solution == q1.solution_text, "the solution's code block lost or changed characters"
        passed, printed = run_check(q1, learner_function(shown_solution), capsys)  # compiles, runs, passes
        assert passed, printed

        control_prompt = cells.nth(CONTROL).locator(f"{EXECUTE_RESULT} .jp-OutputArea-prompt")
        expect(control_prompt).to_have_text(OUT_PROMPT)
        assert execute_result_cells(cells) == [CONTROL], "a check or the solution left an Out[n] result"
        for index in (WRONG_CHECK, RIGHT_CHECK, SOLUTION):
            prompts = cells.nth(index).locator(".jp-OutputArea-prompt").all_inner_texts()
            assert not any(OUT_PROMPT.search(prompt) for prompt in prompts), (index, prompts)

        assert console.relevant(HARMLESS_CONSOLE_ERRORS) == [], "errors in the browser console"
    finally:
        context.close()
        lab.shutdown_kernels()


# -- make bench-widgets in Chromium ---------------------------------------------------------------
def test_widget_benchmark_times_key_press_to_picture_in_chromium(browser, lab):
    import bench_widgets as bench

    times = bench.browser_updates(count=3, browser=browser, server=lab)  # what `make bench-widgets` runs
    lab.shutdown_kernels()
    assert len(times) == 3 and all(0 < t < 60_000 for t in times), times
