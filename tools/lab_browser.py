"""A throw-away JupyterLab server and Playwright steps: the widgets in a real browser.

Used by the browser tests (tests/test_browser_widgets.py, test_publish.py, test_slides_fit.py), by
``make bench-widgets`` (tools/bench_widgets.py), which times the widgets in Chromium, and, for
its free ports, by the classroom hub (tools/class_hub.py). (See
/work/shared/notes/browser-testing.md for why things are done this way.) The browser is Debian's
chromium driven by the Python ``playwright`` package; ``playwright install`` is never run (it
downloads a browser of its own, which fails on these machines).

Everything the server writes goes into one temporary folder (root dir, Jupyter
config/runtime/data dirs, IPython and Matplotlib dirs, JupyterLab's settings
overrides), removed again by :meth:`LabServer.stop`.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "apt-get update && apt-get install -y --no-install-recommends chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Offline: no host name resolves, so whatever a page would fetch from the network fails and a test sees it.
#: Loopback stays reachable: it is this machine (a test's own local server), not the network.
OFFLINE_ARGS = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]

#: JupyterLab settings for the test server: no news/update toast over the notebook, no request to the internet.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def missing_browser_reason() -> Optional[str]:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing; install Debian's chromium with `{INSTALL_HINT}` (.ci/run does this in CI)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("the playwright Python package is missing: run `make install` (requirements.txt pins it; "
                f"never `playwright install`), and the browser comes from `{INSTALL_HINT}`")
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """A JupyterLab server on 127.0.0.1 with a free port, a random token and a temporary root dir.

    Use: ``server = LabServer().start()``, ``server.write_notebook("a.ipynb", ["1 + 1"])``,
    ``page.goto(server.url("lab/tree/a.ipynb"))``, and at the end ``server.stop()`` (stops it by
    its pid and removes every temporary folder); or ``with LabServer() as server: ...``.
    """

    def __init__(self, startup_timeout: float = 120.0):
        self.startup_timeout = startup_timeout
        self.token = secrets.token_hex(24)
        self.home = Path(tempfile.mkdtemp(prefix="course-browser-test-"))
        self.root = self.home / "root"
        self.log_path = self.home / "server.log"
        self.workspaces = self.home / "workspaces"
        self.process: Optional[subprocess.Popen] = None
        self.port: Optional[int] = None

    # -- life cycle --------------------------------------------------------------------------------
    def environment(self) -> Dict[str, str]:
        env = dict(os.environ)
        for variable, folder in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                                 ("JUPYTER_DATA_DIR", "data"), ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "mpl")]:
            env[variable] = str(self.home / folder)
            (self.home / folder).mkdir(exist_ok=True)
        env.pop("JUPYTERLAB_SETTINGS_DIR", None)
        env.pop("JUPYTERLAB_WORKSPACES_DIR", None)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def command(self, port: int) -> List[str]:
        command = [
            sys.executable, "-m", "jupyter", "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            # overrides.json is read from the app settings dir; a temporary one keeps the venv untouched
            f"--LabApp.app_settings_dir={self.home / 'lab-settings'}",
            f"--LabApp.workspaces_dir={self.workspaces}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # containers and CI run as root
        return command

    def start(self) -> "LabServer":
        self.root.mkdir(exist_ok=True)
        settings = self.home / "lab-settings"
        settings.mkdir(exist_ok=True)
        (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=2))
        env = self.environment()
        for attempt in range(3):  # another process may take the free port between probe and bind
            self.port = free_port()
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(self.command(self.port), cwd=self.root, env=env, stdout=log,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                start_new_session=True)
            if self._wait_until_ready():
                return self
            if self.process.poll() is None:
                break  # still running but not answering: retrying will not help
        log_tail = self.log()[-3000:]
        self.stop()
        raise RuntimeError(f"JupyterLab did not start within {self.startup_timeout:.0f} s; its log ends:\n{log_tail}")

    def _wait_until_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if self.api("GET", "api/status") is not None:
                    return True
            except OSError:
                pass
            time.sleep(0.25)
        return False

    def stop(self) -> None:
        """Shut the kernels down, stop the server by its pid, remove the temporary folders. Safe to call twice."""
        process, self.process = self.process, None
        try:
            if process is not None and process.poll() is None:
                self.shutdown_kernels()
                try:
                    os.killpg(process.pid, signal.SIGTERM)  # its own session: the group id is its pid
                    process.wait(timeout=20)
                except ProcessLookupError:
                    pass
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
        finally:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- use ---------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}?token={self.token}"

    def api(self, method: str, path: str):
        request = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel of this server (best effort)."""
        try:
            for kernel in self.api("GET", "api/kernels") or []:
                self.api("DELETE", f"api/kernels/{kernel['id']}")
        except (OSError, ValueError):
            pass

    def forget_workspaces(self) -> None:
        """Delete the saved workspaces, so that the next page opens only what its URL names.

        Otherwise JupyterLab restores the notebooks an earlier test left open, each with a kernel,
        and a menu command may land on one of them while the new notebook is still loading.
        """
        for path in self.workspaces.glob("*"):
            path.unlink(missing_ok=True)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def write_notebook(self, name: str, cells: Sequence[str]) -> Path:
        """A notebook of code cells with python3 kernelspec metadata (without it a kernel picker pops up)."""
        notebook = {
            "cells": [{"cell_type": "code", "execution_count": None, "id": f"cell-{i}", "metadata": {},
                       "outputs": [], "source": source} for i, source in enumerate(cells)],
            "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                        "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5,
        }
        path = self.root / name
        path.write_text(json.dumps(notebook, indent=1))
        return path


# -- Playwright steps (JupyterLab 4.6, ipywidgets 8.1) ---------------------------------------------
def launch_chromium(playwright, *, offline: bool = False):
    """Debian's headless chromium; ``offline`` makes every host name but loopback unresolvable."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=OFFLINE_ARGS if offline else CHROMIUM_ARGS)


@contextmanager
def running_chromium(*, offline: bool = False) -> Iterator:
    """Playwright and one headless chromium for the ``with`` block, both closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, offline=offline)
        try:
            yield browser
        finally:
            browser.close()


class ConsoleLog:
    """Collects the page's console errors and uncaught exceptions."""

    def __init__(self, page):
        self.errors: List[str] = []
        page.on("console", lambda message: self.errors.append(f"console.{message.type}: {message.text}")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def relevant(self, harmless: Sequence[str] = ()) -> List[str]:
        """The errors that match none of the ``harmless`` regular expressions."""
        return [error for error in self.errors if not any(re.search(pattern, error) for pattern in harmless)]


def open_notebook(page, server: LabServer, name: str, timeout_ms: float = 90_000) -> None:
    """Open ``name`` (relative to the server root) and wait until its kernel is idle."""
    from playwright.sync_api import expect

    server.forget_workspaces()
    page.goto(server.url(f"lab/tree/{name}"), timeout=timeout_ms)
    expect(page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first).to_be_visible(timeout=timeout_ms)
    # Only this notebook is open and it is the current tab: menu commands act on the current one.
    expect(page.locator(".jp-NotebookPanel")).to_have_count(1, timeout=timeout_ms)
    expect(page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel")).to_have_text(
        name, timeout=timeout_ms)
    # the toolbar's data-status says idle before the kernel is up; the status bar does not
    expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle", timeout=timeout_ms)


def run_all_cells(page, timeout_ms: float = 30_000, start_timeout_ms: float = 15_000) -> None:
    """Run all cells from the Run menu, and wait until the first cell has started (clicking once more if not)."""
    from playwright.sync_api import expect

    first_prompt = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt").first
    for attempt in range(2):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click(timeout=timeout_ms)
        page.locator('li.lm-Menu-item[data-command="runmenu:run-all"]').click(timeout=timeout_ms)
        try:
            expect(first_prompt).to_have_text(re.compile(r"\[(\*|\d+)\]"), timeout=start_timeout_ms)
            return
        except AssertionError:
            if attempt:
                raise


def widget_slider(scope, description: str):
    """The ipywidgets slider (inside ``scope``, a page or locator) whose description is exactly ``description``."""
    page = getattr(scope, "page", scope)  # a `has=` locator is made from the page and matched inside each slider
    label = page.locator(".widget-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$"))
    return scope.locator(".widget-slider").filter(has=label)


def slider_value(slider) -> int:
    return int(slider.locator(".widget-readout").inner_text().strip())


def step_slider(slider, steps: int) -> None:
    """Move a slider ``steps`` positions (negative: left) with the keyboard; every press is one change."""
    handle = slider.locator(".noUi-handle")
    handle.focus()
    for _ in range(abs(steps)):
        handle.press("ArrowRight" if steps > 0 else "ArrowLeft")
