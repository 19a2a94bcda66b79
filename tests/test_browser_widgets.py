"""The course's widgets in a real browser: JupyterLab in headless Chromium, driven by Playwright.

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

import base64
import io
import re
import time
from typing import Callable, List, Sequence, Tuple

import pytest

from browser_support import (ConsoleLog, LabServer, launch_chromium, missing_browser_reason, open_notebook,
                             run_all_cells, slider_value, step_slider, widget_slider)
from course_utils import conv_output_size
from course_utils.widgets import ConvolutionExplorer, ExplorerSettings, ExplorerState

#: Console errors that JupyterLab prints on its own and that say nothing about our widgets (regular expressions).
#: Empty: none were seen with JupyterLab 4.6.6 / ipywidgets 8.1.8. Add an entry only with a reason.
HARMLESS_CONSOLE_ERRORS: Tuple[str, ...] = ()

#: Milliseconds to wait for the page and the kernel, and for one widget update (generous: `make test` runs
#: two workers, and the other one may be busy with PyTorch). Normally they take 5-10 s and 0.2-0.5 s.
TIMEOUT_MS = 90_000
UPDATE_MS = 30_000


# -- shared fixtures -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    reason = missing_browser_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


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
    state = ExplorerState(ExplorerSettings(**settings))
    cell = state.cell(index)
    return f"output{list(cell)} = {state.products_text(cell)}"


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
    assert shown_lines(summary) == ConvolutionExplorer(ExplorerSettings(**settings), target_cell).summary().splitlines()

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
