"""Helpers for the real-browser tests: a throw-away JupyterLab server and Playwright steps.

They live in :mod:`course_utils.widgets.browser`, shared with ``make bench-widgets``, which times the
widgets in Chromium with the same server and steps; the tests import them from here.
"""
from course_utils.widgets.browser import (CHROMIUM, CHROMIUM_ARGS, INSTALL_HINT, LAB_OVERRIDES,  # noqa: F401
                                          ConsoleLog, LabServer, free_port, launch_chromium, missing_browser_reason,
                                          open_notebook, run_all_cells, slider_value, step_slider, widget_slider)
