"""Render only the latest state: slider moves that arrive while a picture is being drawn are merged.

Every key press on a slider is a change, and the kernel handles changes one after another. Drawing
each one in its change handler makes a burst of presses queue a picture per press, and the last
position shows only after all of them. :class:`LatestOnly` keeps one pending state instead: a change
handler only records its state (cheap), and a worker thread draws whatever state is newest when it
is free, so a state replaced before its turn is never drawn. It also waits until no new state has
come for ``settle`` seconds (20 ms): the presses of a burst arrive a few milliseconds apart, so the
whole burst becomes one picture, of the last position.

    renderer = LatestOnly(draw)     # draw(state) sets the widget's picture
    renderer.submit(state)          # from the change handler; returns at once
    renderer.wait()                 # tests and benchmarks: until the newest state is drawn

(ipywidgets' traits may be set from another thread: the kernel's output channel is thread-safe.)
"""
from __future__ import annotations

import sys
import threading
import time
import traceback
from typing import Any, Callable, Generic, List, Optional, TypeVar

__all__ = ["LatestOnly"]

State = TypeVar("State")
_NOTHING = object()


class LatestOnly(Generic[State]):
    """Calls ``draw(state)`` on a worker thread, for the most recently submitted state only.

    Attributes (read them under no lock; they only grow): ``submitted`` states handed in, ``drawn``
    states drawn, ``dropped`` states replaced by a newer one before they were drawn, and ``history``,
    the drawn states in order (the last ``history_size``), which lets a test see what was rendered.
    """

    def __init__(self, draw: Callable[[State], None], settle: float = 0.02, history_size: int = 100):
        if not callable(draw):
            raise TypeError(f"draw must be callable; got {type(draw).__name__} {draw!r}")
        if isinstance(settle, bool) or not isinstance(settle, (int, float)) or not 0 <= settle <= 5:
            raise ValueError(f"settle must be a number of seconds between 0 and 5; got {settle!r}")
        self._draw = draw
        self.settle = float(settle)
        self._last_submit = 0.0
        self._condition = threading.Condition()
        self._pending: Any = _NOTHING
        self._worker: Optional[threading.Thread] = None
        self._history_size = history_size
        self.submitted = self.drawn = self.dropped = 0
        self.history: List[State] = []
        self.errors: List[str] = []

    def submit(self, state: State) -> None:
        """Make ``state`` the next to draw (replacing a pending one); start the worker if it is idle."""
        with self._condition:
            if self._pending is not _NOTHING:
                self.dropped += 1
            self._pending = state
            self._last_submit = time.monotonic()
            self.submitted += 1
            if self._worker is None:
                self._worker = threading.Thread(target=self._drain, name="widget-render", daemon=True)
                self._worker.start()

    def _drain(self) -> None:
        while True:
            with self._condition:
                if self._pending is _NOTHING:
                    self._worker = None
                    self._condition.notify_all()
                    return
                while True:  # until the burst is over: no new state for `settle` seconds
                    quiet_for = time.monotonic() - self._last_submit
                    if quiet_for >= self.settle:
                        break
                    self._condition.wait(self.settle - quiet_for)
                state, self._pending = self._pending, _NOTHING
            try:
                self._draw(state)
            except Exception:  # a failed picture must not stop later ones; the error is kept and printed
                message = traceback.format_exc()
                self.errors.append(message)
                print(message, file=sys.stderr)
            with self._condition:
                self.drawn += 1
                self.history = (self.history + [state])[-self._history_size:]

    @property
    def idle(self) -> bool:
        with self._condition:
            return self._worker is None and self._pending is _NOTHING

    def wait(self, timeout: float = 30.0) -> None:
        """Block until every submitted state is drawn or dropped; ``TimeoutError`` after ``timeout`` s."""
        with self._condition:
            if not self._condition.wait_for(lambda: self._worker is None and self._pending is _NOTHING, timeout):
                raise TimeoutError(f"the widget was still drawing after {timeout} s")
