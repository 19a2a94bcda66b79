"""An exercise worked through in JupyterLab (headless Chromium, Playwright): what a learner sees.

A notebook in the server's temporary root binds lesson 00's q1, checks a wrong
``valid_output_shape`` and then a right one, and asks for the solution. The page must show
the checker's own messages (computed here, in the test process, from the same source), the
solution's code with its indentation, and no ``Out[n]:`` result under a check.

The browser and the server come from test_browser_widgets' fixtures (same start-up, same
clean-up); this module gets its own pair, stopped when its tests end.
"""
from __future__ import annotations

import re
from typing import List

from browser_support import ConsoleLog, open_notebook, run_all_cells
from conftest import run_check
from course_utils import exercises
from test_browser_widgets import HARMLESS_CONSOLE_ERRORS, TIMEOUT_MS, browser, lab  # noqa: F401 - fixtures

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
