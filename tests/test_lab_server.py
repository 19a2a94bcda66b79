"""`make lab` starts a JupyterLab that answers on the URL it prints."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
URL_LINE = re.compile(r"(http://127\.0\.0\.1:(\d+)/lab/tree/notebooks\?token=([0-9a-f]+))")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def lab(tmp_path):
    env = dict(os.environ, NO_BROWSER="1")
    # Keep the test's Jupyter state out of the user's home.
    for variable in ("JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
        env[variable] = str(tmp_path / variable.lower())
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={free_port()}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def test_make_lab_answers_on_printed_url(lab):
    deadline = time.monotonic() + 120
    url = None
    for line in lab.stdout:
        match = URL_LINE.search(line)
        if match:
            url, port, token = match.groups()
            break
        assert time.monotonic() < deadline, "make lab printed no URL"
    assert url, "make lab exited without printing a URL"

    base = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        try:
            if http_status(f"{base}/api/status?token={token}") == 200:
                break
        except OSError:
            pass
        assert lab.poll() is None, "the server exited early"
        time.sleep(0.5)
    assert http_status(url) == 200, "the printed URL does not open the course"
    assert http_status(f"{base}/api/contents/notebooks/00_getting_started.ipynb?token={token}") == 200
    assert http_status(f"{base}/api/status?token=wrong") == 403, "the server must require its token"
