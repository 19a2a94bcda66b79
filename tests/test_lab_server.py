"""`make lab`: the learner's copies in my-work/, the URL it prints, and saves that leave the checkout unchanged.

The server runs in a throw-away git repository made from this working tree (tracked
files and new, not ignored ones), so nothing is written into the developer's checkout;
it uses the checkout's .venv as it is (SKIP_INSTALL=1: course.py skips the install step).
"""
from __future__ import annotations

import copy
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from lab_browser import free_port

ROOT = Path(__file__).resolve().parents[1]
from nbclean import LANGUAGE_INFO  # noqa: E402
from start_lab import keep_stored_language_info  # noqa: E402

URL_LINE = re.compile(r"(http://127\.0\.0\.1:(\d+)/lab/tree/my-work/00_getting_started\.ipynb\?token=([0-9a-f]+))")
LESSON = "notebooks/00_getting_started.ipynb"
STARTUP_SECONDS = 180


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


class Lab:
    """A running `make lab`: its output so far, the printed URL and token, and helpers for its REST API."""

    def __init__(self, checkout: Path, process: subprocess.Popen):
        self.checkout = checkout
        self.process = process
        self.lines: list[str] = []
        self.url = self.base = self.token = None
        self._printed_url = threading.Event()
        # Read the output all the time, or the server blocks once the pipe is full.
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            match = URL_LINE.search(line)
            if match and not self._printed_url.is_set():
                self.url, port, self.token = match.groups()
                self.base = f"http://127.0.0.1:{port}"
                self._printed_url.set()
        self._printed_url.set()  # exited

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        self._printed_url.wait(STARTUP_SECONDS)
        assert self.url, "make lab printed no URL:\n" + "\n".join(self.lines)
        while time.monotonic() < deadline:
            try:
                if http_status(self.api_url("api/status")) == 200:
                    return
            except OSError:
                pass
            assert self.process.poll() is None, "the server exited early:\n" + "\n".join(self.lines)
            time.sleep(0.5)
        pytest.fail("the server did not answer in time:\n" + "\n".join(self.lines))

    def api_url(self, path: str, token: str | None = None) -> str:
        return f"{self.base}/{path}?token={token or self.token}"


    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api_url(path), data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def git_status(self) -> str:
        return git(self.checkout, "status", "--porcelain")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """This working tree committed into a fresh repository, with the checkout's .venv linked in."""
    repo = tmp_path_factory.mktemp("checkout")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is skipped
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    git(repo, "-c", "init.defaultBranch=main", "init", "-q")
    # The .gitignore has ".venv/", which matches a folder, not this symbolic link.
    (repo / ".git" / "info" / "exclude").write_text(".venv\n")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "working tree")
    assert git(repo, "status", "--porcelain") == ""
    return repo


@pytest.fixture(scope="module")
def lab(checkout, tmp_path_factory):
    home = tmp_path_factory.mktemp("jupyter-home")
    env = dict(os.environ, NO_BROWSER="1", PYTHONUNBUFFERED="1")
    # Keep the test's Jupyter state (settings, workspaces, runtime files) out of the user's home.
    for variable in ("JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        env[variable] = str(home / variable.lower())
    env.pop("JUPYTERLAB_SETTINGS_DIR", None)
    env.pop("JUPYTERLAB_WORKSPACES_DIR", None)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", "SKIP_INSTALL=1", f"PORT={free_port()}"],
        cwd=checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        text=True, start_new_session=True,
    )
    running = Lab(checkout, process)
    try:
        running.wait_until_ready()
        yield running
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def student_lessons(checkout: Path) -> list[str]:
    return sorted(path.name for path in (checkout / "notebooks" / "student").glob("[0-9][0-9]_*.ipynb"))


def test_make_lab_copies_the_lessons_and_opens_the_learners_lesson_00(lab):
    lessons = student_lessons(lab.checkout)
    assert lessons[0] == "00_getting_started.ipynb"
    first = lab.lines.index(f"Added {len(lessons)} lessons to your notebooks in my-work/:")
    assert lab.lines[first + 1:first + 1 + len(lessons)] == [f"    {name}" for name in lessons]
    assert "Your notebooks are in my-work/: yours to edit; git pull and make student never change them." in lab.lines

    assert http_status(lab.url) == 200, "the printed URL does not open"
    assert http_status(lab.api_url("api/status", token="wrong")) == 403, "the server must require its token"

    listing = lab.request("GET", "api/contents/my-work")
    assert sorted(item["name"] for item in listing["content"]) == lessons
    model = lab.request("GET", "api/contents/my-work/00_getting_started.ipynb")
    assert model["type"] == "notebook"
    note = model["content"]["cells"][0]
    assert "student-copy-note" in note["metadata"]["tags"]
    assert "This file, `my-work/00_getting_started.ipynb`, is **your own copy**" in note["source"]
    # The exercises are blank, as in the student copy.
    sources = "\n".join(cell["source"] for cell in model["content"]["cells"])
    assert "# your code here" in sources and "# BEGIN SOLUTION" not in sources

    assert lab.git_status() == "", "make lab changed the checkout"
    assert git(lab.checkout, "check-ignore", "my-work/00_getting_started.ipynb").strip() == \
        "my-work/00_getting_started.ipynb"


@pytest.mark.parametrize("version", sorted({"3.11.0", LANGUAGE_INFO["version"], platform.python_version()}))
def test_saving_an_unchanged_lesson_as_jupyterlab_does_leaves_no_diff(lab, version):
    """JupyterLab saves the stored notebook with the kernel's language_info in it; any 3.11 patch release."""
    stored = (lab.checkout / LESSON).read_bytes()
    model = lab.request("GET", f"api/contents/{LESSON}")
    model["content"]["metadata"]["language_info"] = dict(copy.deepcopy(LANGUAGE_INFO), version=version)
    try:
        lab.request("PUT", f"api/contents/{LESSON}", {"type": "notebook", "format": "json", "content": model["content"]})
        assert lab.git_status() == ""
    finally:
        (lab.checkout / LESSON).write_bytes(stored)  # the next test starts from the committed lesson


def test_an_edited_lesson_is_saved_with_the_edit(lab):
    """The save hook changes nothing but language_info: a real edit is written (and then undone here)."""
    stored = (lab.checkout / LESSON).read_bytes()
    model = lab.request("GET", f"api/contents/{LESSON}")
    model["content"]["cells"][1]["source"] += "\nan edit"
    try:
        lab.request("PUT", f"api/contents/{LESSON}", {"type": "notebook", "format": "json", "content": model["content"]})
        assert lab.git_status() == f" M {LESSON}\n"
        saved = nbformat.read(lab.checkout / LESSON, as_version=4)
        assert saved.cells[1].source.endswith("\nan edit")
        assert saved.metadata.language_info == LANGUAGE_INFO
    finally:
        (lab.checkout / LESSON).write_bytes(stored)
    assert lab.git_status() == ""


def test_the_save_hook_keeps_other_languages_and_python_versions():
    def saved(language_info):
        model = {"type": "notebook", "content": {"metadata": {"language_info": language_info}, "cells": []}}
        keep_stored_language_info(model=model, path="x.ipynb", contents_manager=None)
        return model["content"]["metadata"]["language_info"]

    assert saved(dict(LANGUAGE_INFO, version="3.11.2")) == LANGUAGE_INFO
    assert saved(dict(LANGUAGE_INFO, version="3.12.1")) == dict(LANGUAGE_INFO, version="3.12.1")
    assert saved(dict(LANGUAGE_INFO, version="3.11.2", pygments_lexer="ipython2")) == \
        dict(LANGUAGE_INFO, version="3.11.2", pygments_lexer="ipython2")
    r_info = {"name": "R", "version": "4.3.1", "file_extension": ".r"}
    assert saved(dict(r_info)) == r_info
    assert saved({"name": "python"}) == {"name": "python"}
    text_file = {"type": "file", "content": "language_info"}
    keep_stored_language_info(model=text_file, path="x.txt", contents_manager=None)
    assert text_file == {"type": "file", "content": "language_info"}


def test_ipykernel_reports_the_stored_language_info():
    """nbclean stores what the kernel reports (JupyterLab copies it into the notebook); only the patch may differ."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", startup_timeout=120)
    try:
        client.kernel_info()
        reply = client.get_shell_msg(timeout=60)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    reported = reply["content"]["language_info"]
    assert {key: value for key, value in reported.items() if key != "version"} == \
        {key: value for key, value in LANGUAGE_INFO.items() if key != "version"}
    assert reported["version"].split(".")[:2] == LANGUAGE_INFO["version"].split(".")[:2]


def test_opening_and_saving_in_a_browser_leaves_the_checkout_clean(lab):
    """JupyterLab in Chromium: a tracked lesson and the learner's copy are opened and saved (as autosave would)."""
    browser_support = pytest.importorskip("lab_browser")
    reason = browser_support.missing_browser_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    same_python = platform.python_version() == LANGUAGE_INFO["version"]
    with sync_playwright() as playwright:
        browser = browser_support.launch_chromium(playwright)
        try:
            page = browser.new_page()
            for number, path in enumerate((LESSON, "my-work/00_getting_started.ipynb")):
                before = (lab.checkout / path).stat().st_mtime_ns
                # A new workspace each time: the default one would reopen the previous notebook, of the same name.
                page.goto(lab.api_url(f"lab/workspaces/save-test-{number}/tree/{path}"), timeout=90_000)
                tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current")
                expect(tab).to_have_attribute("title", re.compile(rf"^Path: {re.escape(path)}$", re.MULTILINE),
                                              timeout=90_000)
                expect(page.locator(".jp-NotebookPanel")).to_have_count(1)
                expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle", timeout=90_000)
                # With the interpreter the lessons were cleaned for, the kernel's language_info equals the
                # stored one, so the notebook is not even marked modified (and autosave never writes it).
                if same_python:
                    expect(tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"), timeout=5_000)
                page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^File$")).click()
                # The server answers the save's PUT only after its atomic write has finished (the file rewritten
                # and its .~ backup removed); a check before the answer can catch the file half written.
                with page.expect_response(lambda response: response.request.method == "PUT"
                                          and "/api/contents/" in response.url, timeout=30_000) as saved:
                    page.locator('li.lm-Menu-item[data-command="docmanager:save"]').click()
                assert saved.value.ok, f"saving {path} answered {saved.value.status}"
                assert (lab.checkout / path).stat().st_mtime_ns != before, f"{path} was not saved"
                expect(tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"), timeout=10_000)
                assert lab.git_status() == "", f"saving {path} changed the checkout"
        finally:
            browser.close()
