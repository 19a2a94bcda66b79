"""The time limit on learners' code holds: catching the stop does not keep a function running, on
the SIGALRM path and on the worker-thread path (forced here; Windows and non-main threads use it),
and the caller's timer, handler and trace function come back unchanged."""
from __future__ import annotations

import inspect
import math
import os
import signal
import sys
import threading
import time

import pytest

from course_utils.exercises import Conv2dTorchProblem, OutputShapeProblem
from course_utils.exercises.safe_call import call_with_time_limit
from conftest import run_check

LIMIT = 0.2
#: Generous: being stopped takes a few re-raises of 20 ms, not seconds, whatever the machine.
MARGIN = 1.0

needs_alarm = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no SIGALRM interval timer (Windows)")


@pytest.fixture(params=["alarm", "thread"])
def path(request):
    if request.param == "alarm" and not hasattr(signal, "setitimer"):
        pytest.skip("no SIGALRM interval timer (Windows)")
    return request.param


def timed_call(function, args, path, seconds=LIMIT):
    started = time.monotonic()
    outcome = call_with_time_limit(function, args, seconds, force_thread=(path == "thread"))
    return outcome, time.monotonic() - started


# -- learners' functions that never finish ----------------------------------------------------------

def endless_loop():
    while True:
        pass


def loop_catching_exception():
    while True:
        try:
            sum(range(50))
        except Exception:
            pass


def loop_with_bare_except():
    # Almost all the time is spent inside the try, so a stop that is merely raised again and
    # again nearly always lands in it; this took up to minutes to stop before the tracer.
    while True:
        try:
            for i in range(1000):
                math.sqrt(i)
        except:  # noqa: E722 - the point of the test
            pass


def reenters_loop_after_catching():
    while True:
        try:
            while True:
                try:
                    math.sqrt(2.0)
                except:  # noqa: E722
                    pass
        except:  # noqa: E722
            pass


def loop_with_finally_continue():
    while True:
        try:
            while True:
                pass
        finally:
            continue  # noqa: B012 - swallows whatever ended the inner loop


def catches_the_stop_and_returns():
    try:
        while True:
            pass
    except BaseException:
        return "finished anyway"


NEVER_FINISH = [endless_loop, loop_catching_exception, loop_with_bare_except, reenters_loop_after_catching,
                loop_with_finally_continue, catches_the_stop_and_returns]


@pytest.mark.parametrize("function", NEVER_FINISH, ids=lambda f: f.__name__)
def test_code_that_catches_the_stop_is_stopped_within_the_limit(function, path):
    outcome, elapsed = timed_call(function, (), path)
    assert outcome.timed_out is True
    assert outcome.value is None and outcome.error is None
    assert LIMIT <= elapsed < LIMIT + MARGIN


def test_a_timed_out_function_is_not_run_again(path):
    calls = []

    def counts_its_calls():
        calls.append(1)
        while True:
            try:
                pass
            except:  # noqa: E722
                pass

    outcome, _ = timed_call(counts_its_calls, (), path)
    assert outcome.timed_out and calls == [1]


# -- functions that finish --------------------------------------------------------------------------

def test_a_fast_function_returns_its_value(path):
    outcome, _ = timed_call(lambda a, b: a + b, (2, 3), path)
    assert (outcome.value, outcome.error, outcome.timed_out) == (5, None, False)


def indexes_past_the_end(values):
    return values[len(values)]


def test_an_error_is_reported_with_the_learner_line(path):
    outcome, _ = timed_call(indexes_past_the_end, ([1, 2, 3],), path)
    line = inspect.getsourcelines(indexes_past_the_end)[1] + 1
    assert isinstance(outcome.error, IndexError) and outcome.timed_out is False
    assert outcome.where == f"line {line}: return values[len(values)]"


def test_keyboard_interrupt_is_raised_again_not_reported(path):
    def stop_button():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        timed_call(stop_button, (), path)


@needs_alarm
@pytest.mark.skipif(signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
                    reason="SIGINT does not raise KeyboardInterrupt in this process")
def test_sigint_interrupts_a_check_on_the_main_thread():
    previous_handler = signal.getsignal(signal.SIGALRM)

    def presses_stop_then_loops():
        os.kill(os.getpid(), signal.SIGINT)
        while True:
            pass

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        call_with_time_limit(presses_stop_then_loops, (), 5.0)
    assert time.monotonic() - started < 5.0
    assert signal.getsignal(signal.SIGALRM) is previous_handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# -- what the caller had is left as it was ----------------------------------------------------------

@needs_alarm
def test_the_callers_timer_and_handler_are_restored(path):
    def callers_handler(signum, frame):
        pass

    previous_handler = signal.signal(signal.SIGALRM, callers_handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 5, 2)
        outcome, elapsed = timed_call(endless_loop, (), path)
        remaining, interval = signal.getitimer(signal.ITIMER_REAL)
        assert outcome.timed_out
        assert 0 < remaining <= 5 - elapsed + 0.01
        assert interval == pytest.approx(2)
        assert signal.getsignal(signal.SIGALRM) is callers_handler
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)


@needs_alarm
def test_a_callers_timer_that_came_due_during_the_check_fires_right_after():
    fired = []
    previous_handler = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        outcome, _ = timed_call(endless_loop, (), "alarm")
        time.sleep(0.05)  # the re-armed timer has 0.1 ms left; the sleep lets its handler run
        assert outcome.timed_out and fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)


def test_the_callers_trace_function_is_restored(path):
    def callers_tracer(frame, event, arg):
        return None

    previous_trace = sys.gettrace()
    sys.settrace(callers_tracer)
    try:
        outcome, _ = timed_call(loop_with_bare_except, (), path)
        assert sys.gettrace() is callers_tracer
    finally:
        sys.settrace(previous_trace)
    assert outcome.timed_out


# -- the worker thread ------------------------------------------------------------------------------

def test_no_worker_thread_is_left_running_after_a_time_out():
    workers = []

    def spins_catching_everything():
        workers.append(threading.current_thread())
        loop_with_bare_except()

    outcome, elapsed = timed_call(spins_catching_everything, (), "thread")
    [worker] = workers
    assert outcome.timed_out and elapsed < LIMIT + MARGIN
    assert worker is not threading.current_thread()
    assert not worker.is_alive() and worker not in threading.enumerate()


def test_a_worker_stuck_in_c_code_is_reported_at_once_and_ends_when_the_call_returns():
    # What no in-process check can do: interrupt one long call into C (time.sleep in a thread).
    workers = []

    def sleeps():
        workers.append(threading.current_thread())
        time.sleep(0.8)
        endless_loop()

    outcome, elapsed = timed_call(sleeps, (), "thread")
    assert outcome.timed_out and elapsed < LIMIT + MARGIN
    workers[0].join(5)
    assert not workers[0].is_alive()


@needs_alarm
def test_the_alarm_cuts_a_sleep_short():
    outcome, elapsed = timed_call(lambda: time.sleep(30), (), "alarm")
    assert outcome.timed_out and elapsed < LIMIT + MARGIN


# -- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds", [0, -1, True, "5", float("nan"), float("inf")])
def test_a_bad_limit_is_refused_by_name(seconds):
    with pytest.raises(ValueError) as refused:
        call_with_time_limit(endless_loop, (), seconds)
    assert str(refused.value) == f"call_with_time_limit: seconds must be a positive finite number, got {seconds!r}"


def test_args_must_be_a_tuple_and_function_callable():
    with pytest.raises(TypeError, match=r"args must be a tuple, got list \[1, 2\]"):
        call_with_time_limit(lambda a, b: a, [1, 2], 1.0)
    with pytest.raises(TypeError, match=r"function must be callable, got str 'conv2d'"):
        call_with_time_limit("conv2d", (), 1.0)


# -- through the public checkers --------------------------------------------------------------------

def test_a_checker_stops_a_function_whose_loop_swallows_exceptions(capsys):
    problem = OutputShapeProblem()
    problem.time_limit_seconds = 0.3
    calls = []

    def valid_output_shape(input_shape, kernel_shape):
        calls.append(input_shape)
        while True:
            try:
                for i in range(100):
                    pass
            except:  # noqa: E722
                pass

    started = time.monotonic()
    result, text = run_check(problem, valid_output_shape, capsys)
    elapsed = time.monotonic() - started
    assert result is False
    assert "valid_output_shape ran for more than 0.3 s on input 6x8, kernel 1x2." in text
    assert calls == [(6, 8)]  # the check stopped at the first timed-out case
    assert elapsed < 2 * 0.3


def runs_forever(image, kernel):
    while True:
        pass


def test_time_limit(capsys):
    problem = Conv2dTorchProblem()
    problem.time_limit_seconds = 0.3
    result, text = run_check(problem, runs_forever, capsys)
    assert result is False and "ran for more than 0.3 s" in text and "loop" in text


def test_time_limit_outside_main_thread(capsys):
    problem = Conv2dTorchProblem()
    problem.time_limit_seconds = 0.3
    outcome = {}
    learner_threads = []

    def runs_forever_noting_its_thread(image, kernel):
        learner_threads.append(threading.current_thread())
        runs_forever(image, kernel)

    checker = threading.Thread(target=lambda: outcome.setdefault("result", problem.check(runs_forever_noting_its_thread)))
    checker.start()
    checker.join(10)
    assert bool(outcome["result"]) is False and "ran for more than" in capsys.readouterr().out
    [learner_thread] = learner_threads
    assert learner_thread is not checker and not learner_thread.is_alive()
