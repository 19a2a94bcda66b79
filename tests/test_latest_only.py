"""LatestOnly: a burst of states while one is being drawn becomes one more picture, of the newest state."""
from __future__ import annotations

import threading

import pytest

from course_utils.widgets.latest_only import LatestOnly


def test_states_submitted_while_drawing_collapse_to_the_newest():
    started, release = threading.Event(), threading.Event()

    def draw(state):
        if state == 0:
            started.set()
            assert release.wait(10)

    renderer = LatestOnly(draw, settle=0)
    renderer.submit(0)
    assert started.wait(10)
    for state in range(1, 9):  # arrive while state 0 is being drawn
        renderer.submit(state)
    release.set()
    renderer.wait(10)
    assert renderer.history == [0, 8]
    assert (renderer.submitted, renderer.drawn, renderer.dropped) == (9, 2, 7)


def test_a_burst_within_the_settle_time_draws_only_its_last_state():
    drawn = []
    renderer = LatestOnly(drawn.append, settle=0.5)
    for state in range(10):
        renderer.submit(state)
    renderer.wait(10)
    assert drawn == [9] and renderer.dropped == 9


def test_without_a_burst_every_state_is_drawn():
    drawn = []
    renderer = LatestOnly(drawn.append, settle=0)
    for state in range(3):
        renderer.submit(state)
        renderer.wait(10)
    assert drawn == [0, 1, 2] and renderer.dropped == 0 and renderer.idle


def test_a_failing_draw_is_reported_and_later_states_still_draw(capsys):
    def draw(state):
        if state == "bad":
            raise RuntimeError("no picture")

    renderer = LatestOnly(draw, settle=0)
    renderer.submit("bad")
    renderer.wait(10)
    renderer.submit("good")
    renderer.wait(10)
    assert renderer.history == ["bad", "good"] and "RuntimeError: no picture" in renderer.errors[0]
    assert "no picture" in capsys.readouterr().err


def test_wait_times_out_while_a_draw_hangs():
    release = threading.Event()
    renderer = LatestOnly(lambda state: release.wait(10), settle=0)
    renderer.submit(1)
    with pytest.raises(TimeoutError, match="still drawing after 0.2 s"):
        renderer.wait(0.2)
    release.set()
    renderer.wait(10)


@pytest.mark.parametrize("draw, settle, error, message", [
    ("not callable", 0.02, TypeError, "draw must be callable; got str 'not callable'"),
    (print, -1, ValueError, "settle must be a number of seconds between 0 and 5; got -1"),
    (print, True, ValueError, "settle must be a number of seconds between 0 and 5; got True"),
])
def test_bad_arguments_are_named(draw, settle, error, message):
    with pytest.raises(error, match=message):
        LatestOnly(draw, settle=settle)
