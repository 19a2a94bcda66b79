"""Run a learner's function without letting it crash, hang or scribble on the checker.

:func:`call_with_time_limit` stops the learner's code after a time limit even when that code catches
the stop (``except Exception``, a bare ``except:``, a loop re-entered after catching), and leaves the
caller's own timer, SIGALRM handler and trace function as they were.

How the stop is made to stick, in the thread that runs the learner's code:

* The stop is :class:`_TimeLimitExceeded`, a ``BaseException``: ``except Exception`` lets it through.
* A bare ``except:`` does catch it. So each stop also installs a trace function on the learner's
  frames that raises it again on the next line they run: the first line of that ``except:`` block,
  which is outside the ``try`` that caught it. CPython removes a trace function that raises, so one
  installation gets the stop out of one ``try``, or two.
* The stop is raised again, and the tracer installed again, every ``_RERAISE_SECONDS`` until the
  learner's code has returned: by a repeating SIGALRM interval timer on the main thread, by the
  waiting caller on the thread path (there the tracer is installed when the learner's thread
  creates the exception, see :class:`_RearmingTimeLimitExceeded`). Code that catches at several
  nested levels loses one or two levels per repeat.

A function that catches the stop and returns a value still counts as timed out, and a function is
never run a second time here. All this relies on CPython (signals and asynchronous exceptions are
delivered only between bytecodes, at calls and backward jumps); the course runs on CPython.
"""
from __future__ import annotations

import ctypes
import math
import numbers
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])
_OWN_GLOBALS = globals()  # frames of this module are never traced or stopped

#: After the limit, the stop is raised again this often until the learner's code has returned.
_RERAISE_SECONDS = 0.02
#: Thread path: how long after the limit the caller waits for the worker to unwind. Only a worker
#: stuck in one long call into C code is still running then (see call_with_time_limit).
_STOP_GRACE_SECONDS = 0.5
#: A caller's timer that came due during the call is re-armed with this delay (0 would disarm it).
_OVERDUE_TIMER_DELAY = 1e-4

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc


class _TimeLimitExceeded(BaseException):
    """Raised into the learner's code at the time limit; not an Exception, so ``except Exception`` misses it."""


class _RearmingTimeLimitExceeded(_TimeLimitExceeded):
    """The asynchronous form of the stop. It is created in the learner's thread when something there
    catches it (or when it is raised), so creating it is the moment to install the tracer again."""

    def __init__(self, *args):
        super().__init__(*args)
        _arm_tracer(sys._getframe(1))


class _PendingStopCancelled(BaseException):
    """Raised into its own thread, and caught there at once, to cancel a pending stop (see _run_guarded)."""


_CANCEL_PENDING_STOP = ctypes.py_object(_PendingStopCancelled)


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


class _Watch:
    """One call being timed. ``running`` is true exactly while the learner's code may be on the stack:
    the stop is only ever raised then. ``lock`` makes "check running, then raise into the worker" one
    step for the waiting caller, so that no stop can arrive after the worker has finished."""

    def __init__(self) -> None:
        self.running = False
        self.expired = False
        self.lock = threading.Lock()
        self.tracer_installed = False
        self.previous_trace: Any = None
        self.value: Any = None
        self.error: Optional[BaseException] = None
        self.seconds_taken = 0.0


#: The watch of the call running in each thread (by thread ident); read by the handler and tracer.
_watches: Dict[int, _Watch] = {}


def _learner_frame(error: BaseException) -> str:
    """The innermost traceback line outside course_utils, i.e. in the learner's code."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith(_PACKAGE_DIR)]
    if not frames:
        return ""
    frame = frames[-1]
    code = f": {frame.line.strip()}" if frame.line else ""
    return f"line {frame.lineno}{code}"


def call_with_time_limit(function: Callable, args: tuple, seconds: float, *, force_thread: bool = False) -> CallOutcome:
    """Call ``function(*args)``, catching every exception and stopping it after ``seconds``.

    In the main thread of a POSIX process (a Jupyter kernel, pytest) a SIGALRM interval timer
    stops the call; elsewhere (another thread, or Windows, which has no ``signal.setitimer``), and
    with ``force_thread=True``, the call runs in a worker thread that is stopped with an
    asynchronous exception, the caller waiting at most ``_STOP_GRACE_SECONDS`` after the limit for
    it to unwind. Either way the stop is raised again until the learner's code has returned, so
    catching it does not keep the code running (see the module docstring), and a call that caught
    it and returned anyway is still reported as timed out.

    A ``KeyboardInterrupt`` raised in the call (the notebook's stop button) is raised again here,
    not reported as an outcome.

    What no check inside the Python process can stop: a single long call into C code, such as one
    huge NumPy or torch operation, or ``time.sleep`` in the worker thread (on the alarm path the
    signal does cut a sleep short). The stop takes effect only when that call returns to Python
    bytecode. On the thread path the caller stops waiting after the grace period and reports a
    time-out; the worker then stops itself as soon as the C call returns.

    On the alarm path a pending ``signal.setitimer(ITIMER_REAL)`` timer and SIGALRM handler of the
    caller are restored afterwards, the timer's remaining time reduced by the time spent (a timer
    that came due meanwhile fires right after).
    """
    if not callable(function):
        raise TypeError(f"call_with_time_limit: function must be callable, got {type(function).__name__} {function!r}")
    if not isinstance(args, tuple):
        raise TypeError(f"call_with_time_limit: args must be a tuple, got {type(args).__name__} {args!r}")
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real) or not 0 < seconds < math.inf:
        raise ValueError(f"call_with_time_limit: seconds must be a positive finite number, got {seconds!r}")
    use_alarm = (
        not force_thread and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if use_alarm:
        watch = _call_with_alarm(function, args, seconds)
    else:
        watch = _call_in_thread(function, args, seconds)
    return _outcome(watch, seconds)


def _outcome(watch: _Watch, seconds: float) -> CallOutcome:
    if isinstance(watch.error, KeyboardInterrupt):
        raise watch.error
    # The time taken also counts: a worker can finish after the limit before the waiting caller gets
    # the interpreter back to notice, and a call that returned then is still one that ran too long.
    if watch.expired or watch.seconds_taken > seconds or isinstance(watch.error, _TimeLimitExceeded):
        return CallOutcome(timed_out=True)
    if watch.error is not None:
        return CallOutcome(error=watch.error, where=_learner_frame(watch.error))
    return CallOutcome(value=watch.value)


def _run_guarded(function: Callable, args: tuple, watch: _Watch) -> None:
    """Call the learner's function in this thread, keep what it returned or raised, then disarm.

    Between the learner's function returning (or its exception arriving in the ``except`` here)
    and ``watch.running = False`` there is no call and no backward jump, the only places where
    CPython delivers signals and asynchronous exceptions; from then on no new stop is raised, so
    none can escape from here into the caller. A stop still pending from before is cancelled under
    the lock, which the waiting caller holds whenever it raises one.
    """
    watch.previous_trace = sys.gettrace()
    thread_id = ctypes.c_ulong(threading.get_ident())
    started = time.monotonic()
    try:
        watch.running = True
        watch.value = function(*args)
    except BaseException as error:  # noqa: BLE001 - learner code may raise anything, even SystemExit
        watch.error = error
    watch.running = False
    try:
        with watch.lock:
            try:
                # Replace a stop still pending for this thread by one that is raised, and caught, at
                # the return of this very call. Cancelling it with NULL instead would leave CPython
                # 3.11's eval breaker set for good (a busy loop when a trace function is active).
                _set_async_exc(thread_id, _CANCEL_PENDING_STOP)
            except _PendingStopCancelled:
                pass
    finally:
        if watch.tracer_installed:
            sys.settrace(watch.previous_trace)
    watch.seconds_taken = time.monotonic() - started


def _raise_in_thread(thread_id: int) -> None:
    """Leave a stop pending in that thread: it is raised at its next bytecode boundary."""
    _set_async_exc(ctypes.c_ulong(thread_id), ctypes.py_object(_RearmingTimeLimitExceeded))


def _arm_tracer(frame) -> None:
    """Trace the learner's frames from ``frame`` outwards, and every frame they call, with
    :func:`_stop_tracer`. Called in the learner's thread, only while its call is running."""
    watch = _watches.get(threading.get_ident())
    if watch is None or not watch.running:
        return
    guard = _run_guarded.__code__
    while frame is not None and frame.f_code is not guard:
        if frame.f_globals is not _OWN_GLOBALS:
            frame.f_trace = _stop_tracer
        frame = frame.f_back
    watch.tracer_installed = True
    sys.settrace(_stop_tracer)


def _stop_tracer(frame, event, arg):
    """Raise the stop on the next line the learner's code runs.

    Not on "exception" events: those come while the stop propagates, still inside the ``try`` that
    is about to catch it. CPython removes a trace function that raises, so each installation stops
    at most one ``try`` level; the repeated stop installs it again.
    """
    watch = _watches.get(threading.get_ident())
    if watch is None or not watch.running or frame.f_globals is _OWN_GLOBALS:
        return None
    if event == "line":
        raise _TimeLimitExceeded()
    return _stop_tracer


# -- main thread: SIGALRM ----------------------------------------------------------------------------


def _on_alarm(signum, frame) -> None:
    """The SIGALRM handler during a call: the limit is over, or over again (the timer repeats)."""
    watch = _watches.get(threading.get_ident())
    if watch is None or not watch.running:
        return  # our own code before or after the call; the interval timer fires again if needed
    watch.expired = True
    _arm_tracer(frame)
    raise _TimeLimitExceeded()


def _call_with_alarm(function: Callable, args: tuple, seconds: float) -> _Watch:
    watch = _Watch()
    thread_id = threading.get_ident()
    outer_watch = _watches.get(thread_id)
    previous_handler = signal.getsignal(signal.SIGALRM)
    previous_delay, previous_interval = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    _watches[thread_id] = watch
    signal.signal(signal.SIGALRM, _on_alarm)
    try:
        # The timer keeps firing every _RERAISE_SECONDS after the limit, until it is switched off.
        signal.setitimer(signal.ITIMER_REAL, seconds, _RERAISE_SECONDS)
        _run_guarded(function, args, watch)
    finally:
        # Reached with an exception only by a KeyboardInterrupt in this module's own code, never from
        # inside the learner's; storing False cannot itself be interrupted.
        watch.running = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        # A SIGALRM of ours that arrived just before is handled (harmlessly, by _on_alarm) at the
        # end of that call, before the caller's handler is back.
        if outer_watch is None:
            _watches.pop(thread_id, None)
        else:
            _watches[thread_id] = outer_watch
        # getsignal gives None for a handler not installed from Python; the default is all we can restore.
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous_handler is None else previous_handler)
        if previous_delay > 0:
            remaining = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, _OVERDUE_TIMER_DELAY), previous_interval)
    return watch


# -- any thread, and Windows: a worker thread ---------------------------------------------------------


def _call_in_thread(function: Callable, args: tuple, seconds: float) -> _Watch:
    watch = _Watch()

    def work() -> None:
        thread_id = threading.get_ident()
        _watches[thread_id] = watch
        try:
            _run_guarded(function, args, watch)
        finally:
            del _watches[thread_id]

    worker = threading.Thread(target=work, name="course_utils learner call", daemon=True)
    worker.start()
    try:
        worker.join(seconds)
    finally:
        # Also on a KeyboardInterrupt in the caller while it waits: the worker must not keep running.
        if worker.is_alive():
            watch.expired = True
            _stop_worker(worker, watch)
    return watch


def _stop_worker(worker: threading.Thread, watch: _Watch) -> None:
    """Raise the stop in the worker until it exits, for at most ``_STOP_GRACE_SECONDS``."""
    deadline = time.monotonic() + _STOP_GRACE_SECONDS
    while worker.is_alive() and time.monotonic() < deadline:
        with watch.lock:
            if watch.running:
                _raise_in_thread(worker.ident)
        worker.join(_RERAISE_SECONDS)
