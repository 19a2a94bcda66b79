"""Run a learner's function without letting it crash, hang or scribble on the checker."""
from __future__ import annotations

import signal
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])


class _TimeLimitExceeded(Exception):
    pass


@dataclass
class CallOutcome:
    """What happened when the learner's function ran on one case."""

    value: Any = None
    error: Optional[BaseException] = None
    where: str = ""  # "line 5: out[i, j] = ..." in the learner's code, when known
    timed_out: bool = False

    @property
    def not_implemented(self) -> bool:
        return isinstance(self.error, NotImplementedError)


def _learner_frame(error: BaseException) -> str:
    """The innermost traceback line outside course_utils, i.e. in the learner's code."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith(_PACKAGE_DIR)]
    if not frames:
        return ""
    frame = frames[-1]
    code = f": {frame.line.strip()}" if frame.line else ""
    return f"line {frame.lineno}{code}"


def call_with_time_limit(function: Callable, args: tuple, seconds: float) -> CallOutcome:
    """Call ``function(*args)``, catching every exception and stopping it after ``seconds``.

    In the main thread of a POSIX process (a Jupyter kernel, pytest) a SIGALRM timer
    interrupts a runaway Python loop. Elsewhere the call runs in a daemon thread
    that is abandoned after the time limit, since Python threads cannot be killed.
    """
    use_alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if use_alarm:
        return _call_with_alarm(function, args, seconds)
    return _call_in_thread(function, args, seconds)


def _call_with_alarm(function: Callable, args: tuple, seconds: float) -> CallOutcome:
    def on_alarm(signum, frame):
        raise _TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return CallOutcome(value=function(*args))
    except _TimeLimitExceeded:
        return CallOutcome(timed_out=True)
    except BaseException as error:  # noqa: BLE001 - learner code may raise anything, even SystemExit
        if isinstance(error, KeyboardInterrupt):
            raise
        return CallOutcome(error=error, where=_learner_frame(error))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _call_in_thread(function: Callable, args: tuple, seconds: float) -> CallOutcome:
    outcome = CallOutcome(timed_out=True)

    def target():
        nonlocal outcome
        try:
            outcome = CallOutcome(value=function(*args))
        except BaseException as error:  # noqa: BLE001
            outcome = CallOutcome(error=error, where=_learner_frame(error))

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    return outcome
