"""Time widget updates: from a slider change to the new picture, in Chromium and in the kernel.

    python tools/bench_widgets.py          # or: make bench-widgets
    python tools/bench_widgets.py --kernel-only

In Chromium (JupyterLab on a throw-away server, :mod:`.browser`): the explorer's "input height"
slider is moved one step at a time with the keyboard, 20 times, and the page itself measures from
the key press to the moment the widget's <img> shows the new picture (``performance.now()`` in a
keydown listener and a MutationObserver on the image). That is what a learner waits for.

In the kernel: a control's value is set from Python, which runs its observers, then the script
waits until the render thread has drawn the picture (the kernel's share of an update). Each widget
gets 20 updates cycling through its controls. Both print the median and the slowest, against the
course's budgets. Without Chromium or playwright the browser part says why and is left out.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Callable, List, Optional, Sequence, Tuple

__all__ = ["time_updates", "main"]

EXPLORER_BUDGET_MS = 100.0
PLAYGROUND_BUDGET_MS = 150.0
#: In the browser the picture also crosses the websocket and is decoded: the budget a learner notices.
BROWSER_BUDGET_MS = 200.0

#: Installs the page's stopwatch: a key press starts it, the next change of the widget's <img> stops it.
STOPWATCH_JS = """(image) => {
    window.courseBench = {start: null, times: []};
    document.addEventListener('keydown', () => { window.courseBench.start = performance.now(); }, true);
    new MutationObserver(() => {
        const bench = window.courseBench;
        if (bench.start !== null) { bench.times.push(performance.now() - bench.start); bench.start = null; }
    }).observe(image, {attributes: true, attributeFilter: ['src']});
}"""


def time_updates(changes: Sequence[Callable[[], None]], wait: Optional[Callable[[], None]] = None) -> List[float]:
    """Run each change once (then ``wait()`` until its picture is drawn); return the wall times in milliseconds."""
    times = []
    for change in changes:
        begin = time.perf_counter()
        change()
        if wait is not None:
            wait()
        times.append((time.perf_counter() - begin) * 1e3)
    return times


def _controls(widget) -> dict:
    found = {}

    def walk(node):
        description = getattr(node, "description", None)
        if description:
            found[description] = node
        for child in getattr(node, "children", ()):
            walk(child)

    walk(widget)
    return found


def explorer_changes(count: int = 20) -> Tuple[object, List[Callable[[], None]]]:
    from course_utils.widgets.explorer import explore_convolution

    shown = explore_convolution(height=16, width=16, kernel_size=3, padding=1, stride=1)
    controls = _controls(shown.widget)
    plan = [("stride", 2), ("padding", 2), ("kernel size", 5), ("dilation", 2), ("input height", 12),
            ("output cell", 3), ("stride", 1), ("padding", 0), ("kernel size", 3), ("dilation", 1),
            ("input width", 14), ("output cell", 10), ("input height", 16), ("padding", 3), ("stride", 3),
            ("kernel size", 7), ("output cell", 1), ("dilation", 1), ("padding", 1), ("stride", 1)]

    def setter(name, value):
        return lambda: setattr(controls[name], "value", value)

    return shown, [setter(name, value) for name, value in plan[:count]]


def playground_changes(count: int = 20) -> Tuple[object, List[Callable[[], None]]]:
    from course_utils.kernels import KERNEL_NAMES
    from course_utils.widgets.playground import kernel_playground

    shown = kernel_playground(image="camera", preset="identity")  # camera: 512x512
    controls = _controls(shown.widget)
    weight_boxes = shown.widget.children[0].children[1].children[1].children
    plan: List[Callable[[], None]] = []
    for index in range(count):
        step = index % 4
        if step == 0:
            plan.append(lambda i=index: setattr(controls["preset"], "value", KERNEL_NAMES[(i // 4 + 1) % len(KERNEL_NAMES)]))
        elif step == 1:
            plan.append(lambda i=index: setattr(controls["stride"], "value", 1 + (i // 4) % 3))
        elif step == 2:
            plan.append(lambda i=index: setattr(controls["padding"], "value", (i // 4) % 3))
        else:
            plan.append(lambda i=index: setattr(weight_boxes[4], "value", float(i)))
    return shown, plan


def browser_updates(count: int = 20, timeout_ms: float = 90_000, browser=None, server=None) -> List[float]:
    """Milliseconds from a key press on the explorer's "input height" slider to its new picture, in Chromium.

    Starts Chromium and a JupyterLab server of its own, unless given a Playwright ``browser`` and a
    running :class:`~.browser.LabServer` ``server`` (the tests share theirs).
    """
    from contextlib import ExitStack

    from lab_browser import LabServer, launch_chromium, open_notebook, run_all_cells, widget_slider

    with ExitStack() as stack:
        if browser is None:
            from playwright.sync_api import sync_playwright

            browser = launch_chromium(stack.enter_context(sync_playwright()))
            stack.callback(browser.close)
        if server is None:
            server = stack.enter_context(LabServer())
        server.write_notebook("bench.ipynb", ["from course_utils.widgets import explore_convolution",
                                              "explore_convolution(height=16, width=16, kernel_size=3, padding=1, "
                                              "stride=1)"])
        context = browser.new_context(viewport={"width": 1400, "height": 1100})
        stack.callback(context.close)
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        open_notebook(page, server, "bench.ipynb", timeout_ms=timeout_ms)
        run_all_cells(page)
        widget = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-html pre")).first
        image = widget.locator("img.widget-image")
        image.wait_for()
        page.evaluate(STOPWATCH_JS, image.element_handle())
        handle = widget_slider(widget, "input height").locator(".noUi-handle")
        handle.focus()
        for index in range(count):  # 16 -> 15 -> 16 ...: every press changes the picture
            handle.press("ArrowLeft" if index % 2 == 0 else "ArrowRight")
            page.wait_for_function("(n) => window.courseBench.times.length > n", arg=index, timeout=timeout_ms)
        return list(page.evaluate("() => window.courseBench.times"))


def _report(name: str, times: Sequence[float], budget: float) -> bool:
    median = statistics.median(times)
    verdict = "within" if median <= budget else "OVER"
    print(f"{name:38s} median {median:6.1f} ms, slowest {max(times):6.1f} ms over {len(times)} updates "
          f"({verdict} the {budget:.0f} ms budget)")
    return median <= budget


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Time the explorer and the playground: control change to new picture.")
    parser.add_argument("--updates", type=int, default=20, help="updates per widget (default 20)")
    parser.add_argument("--kernel-only", action="store_true", help="leave out the measurement in Chromium")
    args = parser.parse_args(argv)
    if args.updates < 1:
        parser.error(f"--updates must be >= 1; got {args.updates}")
    failures = 0
    if not args.kernel_only:
        from lab_browser import missing_browser_reason

        reason = missing_browser_reason()
        if reason:
            print(f"in Chromium: left out, {reason}")
        else:
            failures += not _report("explorer in Chromium (key -> picture)", browser_updates(args.updates),
                                    BROWSER_BUDGET_MS)
    for name, make, budget in (("explorer in the kernel (16x16 input)", explorer_changes, EXPLORER_BUDGET_MS),
                               ("playground in the kernel (512x512)", playground_changes, PLAYGROUND_BUDGET_MS)):
        shown, changes = make(args.updates)
        failures += not _report(name, time_updates(changes, shown.wait), budget)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
