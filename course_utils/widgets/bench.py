"""Time widget updates: from a control's new value to the new picture, in the kernel.

    python -m course_utils.widgets.bench          # or: make bench-widgets

Changing a control's value runs its observers synchronously in Python, which is
exactly the kernel's share of an update in JupyterLab (the browser then only
shows the new PNG). Each widget gets 20 updates cycling through its controls;
the script prints the median and the slowest, against the course's budgets.
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
    from .explorer import explore_convolution

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
    from ..kernels import KERNEL_NAMES
    from .playground import kernel_playground

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


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Time the explorer and the playground: control change to new picture.")
    parser.add_argument("--updates", type=int, default=20, help="updates per widget (default 20)")
    args = parser.parse_args(argv)
    if args.updates < 1:
        parser.error(f"--updates must be >= 1; got {args.updates}")
    failures = 0
    for name, make, budget in (("explorer (16x16 input)", explorer_changes, EXPLORER_BUDGET_MS),
                               ("playground (camera, 512x512)", playground_changes, PLAYGROUND_BUDGET_MS)):
        _, changes = make(args.updates)
        times = time_updates(changes)
        median = statistics.median(times)
        verdict = "within" if median <= budget else "OVER"
        failures += median > budget
        print(f"{name:30s} median {median:6.1f} ms, slowest {max(times):6.1f} ms over {len(times)} updates "
              f"({verdict} the {budget:.0f} ms budget)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
