"""Helpers shared by the exercise tests (one copy instead of one per test file).

Test files import them with ``from conftest import run_check, solution_namespace``: pytest puts
this folder on ``sys.path`` (rootdir-relative "prepend" imports, no ``__init__.py``).
"""
from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")  # before any test imports pyplot: figures are drawn off-screen

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import course_utils as cu  # noqa: E402

# A stand-in mxnet package that fails to import, for tests that run the course as on macOS or
# Windows (no MXNet wheel there); it is put on a child process's path, never collected here.
collect_ignore = ["blocked_mxnet"]

#: Marks a test that needs MXNet: where MXNet has no build (macOS, Windows) that test is skipped and the
#: rest of its module still runs. (The lessons' own MXNet-free runs: test_*_without_mxnet.py.)
needs_mxnet = pytest.mark.skipif(not cu.frameworks.available("mxnet"),
                                 reason="needs MXNet, which does not import here (no MXNet wheel for this platform)")


def mxnet_numpy():
    """``(mxnet.np, mxnet.npx)`` with NumPy semantics switched on; imported on call, so a test module
    that uses it still imports where MXNet is absent (mark the calling tests ``needs_mxnet``)."""
    from mxnet import np as mnp
    from mxnet import npx

    npx.set_np()
    return mnp, npx


def run_check(problem, answer, capsys):
    """``(passed, printed text)`` of ``problem.check(answer)``; ``passed`` is a real bool."""
    result = problem.check(answer)
    return bool(result), capsys.readouterr().out


def assert_feedback_for(problem, answer, message, capsys, number=1):
    """Check ``answer``: with ``message`` None it must pass; otherwise it must fail ("Not yet") with
    feedback that matches the regular expression ``message``, the mistake it should name."""
    problem.number = number
    result, text = run_check(problem, answer, capsys)
    if message is None:
        assert result is True, text
        return
    assert result is False, text
    assert text.startswith("Not yet"), text
    assert re.search(message, text, re.DOTALL), text


def feedback_table_test(problem_class, table, number=1):
    """A test over a lesson's table ``{name: (answer, message)}``, one case a row, each checked by
    :func:`assert_feedback_for`. In a test file: ``test_x_mistakes = feedback_table_test(XProblem, X_MISTAKES)``."""

    @pytest.mark.parametrize("row", list(table))
    def test(row, capsys):
        answer, message = table[row]
        assert_feedback_for(problem_class(), answer, message, capsys, number=number)

    return test


def solution_namespace(problem, **extra):
    """The names a problem's solution text defines, run with the lesson-style imports (np, cu, torch)."""
    namespace = {"np": np, "cu": cu, "torch": torch, **extra}
    exec(problem.solution_text, namespace)
    return namespace


def reference_function(problem_class):
    """The function a coding problem's worked solution defines."""
    problem = problem_class()
    return solution_namespace(problem)[problem.function_name]


def edited_solution(problem_class, *edits):
    """The worked solution with each ``(old, new)`` text replaced: a learner's typical slip. An ``old``
    text that no longer occurs exactly once fails, so a test cannot silently stop testing its slip."""
    problem = problem_class()
    for old, new in edits:
        assert problem.solution_text.count(old) == 1, \
            f"{problem_class.__name__}'s solution no longer contains {old!r} exactly once"
        problem.solution_text = problem.solution_text.replace(old, new)
    return solution_namespace(problem)[problem.function_name]


@pytest.fixture
def ax():
    """One fresh 3x3-inch axes for a plotting test, closed afterwards."""
    fig, axes = plt.subplots(figsize=(3, 3))
    yield axes
    plt.close(fig)


def browser_fixture(*, offline: bool):
    """A module-scoped ``browser`` fixture: one headless chromium per test file (``browser =
    browser_fixture(offline=True)`` in the file), skipped with the reason where chromium or
    playwright is missing. ``offline``: every host name but loopback fails to resolve."""
    from lab_browser import missing_browser_reason, running_chromium

    @pytest.fixture(scope="module")
    def browser():
        reason = missing_browser_reason()
        if reason:
            pytest.skip(reason)
        with running_chromium(offline=offline) as chromium:
            yield chromium

    return browser
