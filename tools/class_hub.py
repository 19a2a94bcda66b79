"""A real JupyterHub on this machine, driven as a class would use it: for the classroom test and `make bench-class`.

The hub loads the shipped ``classroom/jupyterhub_config.py`` (NativeAuthenticator, idle culler,
the course's start-up in ``tools/class_server.py``) and changes only what a throw-away hub on
one machine needs: free local ports, its state in a temporary folder, and the simple local
spawner (every learner runs as this Unix user, with a home folder of their own under the
temporary folder), plus one service token that plays the instructor's scripts.

Learners take the real path: they sign up on the hub's form, an admin approves them, they log
in with their password; their servers pull the course with nbgitpuller and run notebooks
through the Jupyter REST and kernel WebSocket APIs.
"""
from __future__ import annotations

import asyncio
import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import nbformat

ROOT = Path(__file__).resolve().parents[1]
from lab_browser import free_port  # the one free-port probe (tools/ is on the path of its scripts and tests)

SHIPPED_CONFIG = ROOT / "classroom" / "jupyterhub_config.py"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
COURSE_FOLDER = "convolutions"  # the learner's clone, as the hand-out link names it (targetpath)
ADMIN = "instructor"


def missing_node_reason() -> Optional[str]:
    """Why no hub can start here (configurable-http-proxy is a Node.js program), or None."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return ("Node.js and npm are missing: JupyterHub's proxy, configurable-http-proxy (package.json), "
                "runs on Node.js. Install them (Debian: apt-get install -y nodejs npm)")
    return None


def ensure_proxy() -> Path:
    """node_modules/.bin/configurable-http-proxy, installed with `npm ci` from package-lock.json when missing."""
    sys.path.insert(0, str(ROOT / "tools"))
    from build_site import ensure_node_modules  # the site's assets and the proxy share one npm install

    ensure_node_modules(quiet=True)
    if not PROXY.exists():
        raise RuntimeError(f"{PROXY} is missing after `npm ci`: is configurable-http-proxy in package.json?")
    return PROXY


class HTTPResult:
    def __init__(self, status: int, body: bytes, headers):
        self.status, self.body, self.headers = status, body, headers

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def request(url: str, method: str = "GET", body: Any = None, token: Optional[str] = None,
            opener: Optional[urllib.request.OpenerDirector] = None, form: Optional[dict] = None,
            timeout: float = 60) -> HTTPResult:
    """One HTTP request that never follows redirects and returns every status (no exception for 4xx/5xx)."""
    headers = {}
    data = None
    if token:
        headers["Authorization"] = f"token {token}"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    opener = opener or urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=data, headers=headers, method=method),
                         timeout=timeout) as response:
            return HTTPResult(response.status, response.read(), response.headers)
    except urllib.error.HTTPError as error:
        return HTTPResult(error.code, error.read(), error.headers)


@dataclass
class Learner:
    name: str
    password: str
    token: Optional[str] = None       # an API token of this learner (made by the hub for them)
    ready_seconds: Optional[float] = None


@dataclass
class CellRun:
    source: str = ""
    outputs: List[dict] = field(default_factory=list)
    error: Optional[str] = None


class Hub:
    """A throw-away hub built on the shipped configuration; ``with Hub() as hub: ...`` stops everything."""

    def __init__(self, cpu_limit: float = 1, startup_timeout: float = 60):
        self.cpu_limit = cpu_limit
        self.startup_timeout = startup_timeout
        self.home = Path(tempfile.mkdtemp(prefix="course-hub-"))
        self.port, self.api_port, self.hub_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32)
        self.process: Optional[subprocess.Popen] = None
        self.log_path = self.home / "hub.log"
        self._admin_browser: Optional[urllib.request.OpenerDirector] = None

    # -- life cycle ----------------------------------------------------------------------------------
    def config_text(self) -> str:
        return "\n".join([
            "c = get_config()  # noqa: F821",
            f"load_subconfig({str(SHIPPED_CONFIG)!r})  # noqa: F821 - the shipped hub, authenticator included",
            f"c.JupyterHub.bind_url = 'http://127.0.0.1:{self.port}'",
            f"c.JupyterHub.hub_bind_url = 'http://127.0.0.1:{self.hub_port}'",
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{self.api_port}'",
            f"c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]",
            "# Every learner runs as this Unix user, in a home folder of their own (file isolation is",
            "# the real spawner's job: classroom/README.md).",
            "c.JupyterHub.spawner_class = 'simple'",
            f"c.SimpleLocalProcessSpawner.home_dir_template = {str(self.home / 'home' / '{username}')!r}",
            "c.Spawner.args = ['--allow-root'] if __import__('os').geteuid() == 0 else []",
            f"c.JupyterHub.services.append({{'name': 'class-driver', 'api_token': {self.token!r}}})",
            "c.JupyterHub.load_roles.append({'name': 'class-driver', 'services': ['class-driver'],",
            "    'scopes': ['admin:users', 'admin:servers', 'access:servers', 'tokens', 'list:users']})",
            "",
        ])

    def environment(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update({
            "COURSE_ADMINS": ADMIN, "COURSE_HUB_STATE": str(self.home / "state"),
            "COURSE_CPU_LIMIT": str(self.cpu_limit), "COURSE_MEM_LIMIT": "2G",
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
            "PYTHONUNBUFFERED": "1",
        })
        # Thread settings of the caller must not leak into the learners: the hub sets them per learner.
        for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "XLA_FLAGS", "CPU_LIMIT"):
            env.pop(variable, None)
        return env

    def start(self) -> "Hub":
        ensure_proxy()
        (self.home / "state").mkdir()
        (self.home / "home").mkdir()
        config = self.home / "jupyterhub_config.py"
        config.write_text(self.config_text())
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(config)], cwd=self.home,
                env=self.environment(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if self.api("GET", "/").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        tail = self.log()[-3000:]
        self.stop()
        raise RuntimeError(f"JupyterHub did not start within {self.startup_timeout:.0f} s; its log ends:\n{tail}")

    def log(self) -> str:
        """The hub's log without the driver's own polling requests (what explains a failure)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(line for line in text.splitlines() if "(class-driver@" not in line)

    def process_ids(self) -> List[int]:
        """The hub's process group: the hub, its proxy, services, servers and kernels."""
        if self.process is None:
            return []
        group = os.getpgid(self.process.pid) if self.process.poll() is None else self.process.pid
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == group:
                        found.append(int(entry.name))
                except OSError:
                    continue
        return found

    def stop(self) -> None:
        """Stop every server through the API, then the hub by its pid, then anything left in its group."""
        process = self.process
        if process is not None and process.poll() is None:
            try:
                for user in self.api("GET", "/users").json() or []:
                    if user.get("servers"):
                        self.api("DELETE", f"/users/{user['name']}/server")
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and any(u.get("servers") for u in self.api("GET", "/users").json()):
                    time.sleep(0.3)
            except (OSError, ValueError):
                pass
            group = os.getpgid(process.pid)
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self._group_alive(group):
                time.sleep(0.2)
            if self._group_alive(group):
                os.killpg(group, signal.SIGKILL)
        self.process = None
        shutil.rmtree(self.home, ignore_errors=True)

    @staticmethod
    def _group_alive(group: int) -> bool:
        try:
            os.killpg(group, 0)
            return True
        except ProcessLookupError:
            return False

    def __enter__(self) -> "Hub":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- the hub's API and pages -------------------------------------------------------------------
    def api(self, method: str, path: str, body: Any = None, token: Optional[str] = None) -> HTTPResult:
        return request(f"{self.url}/hub/api{path}", method, body, token=token or self.token)

    def browser(self) -> tuple:
        """A cookie-keeping opener that does not follow redirects, as one browser tab would be."""
        jar = http.cookiejar.CookieJar()
        return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect), jar

    def sign_up(self, name: str, password: str) -> HTTPResult:
        """The sign-up form, as a new learner fills it in (the XSRF cookie first, from the form's page)."""
        opener, jar = self.browser()
        request(f"{self.url}/hub/signup", opener=opener)
        xsrf = next((cookie.value for cookie in jar if cookie.name == "_xsrf"), "")
        return request(f"{self.url}/hub/signup", "POST", opener=opener,
                       form={"username": name, "signup_password": password,
                             "signup_password_confirmation": password, "_xsrf": xsrf})

    def approve(self, name: str) -> HTTPResult:
        """The instructor's click on /hub/authorize, logged in with a browser's cookie (the page takes no token)."""
        if self._admin_browser is None:
            password = secrets.token_urlsafe(16)
            self.sign_up(ADMIN, password)  # admins named in COURSE_ADMINS are approved at sign-up
            self._admin_browser = self.log_in(ADMIN, password)
            if self._admin_browser is None:
                raise RuntimeError(f"the admin {ADMIN} could not log in:\n{self.log()[-2000:]}")
        return request(f"{self.url}/hub/authorize/{name}", opener=self._admin_browser)

    def log_in(self, name: str, password: str) -> Optional[urllib.request.OpenerDirector]:
        """The logged-in browser when the hub accepts the password (it redirects and sets its login cookie), else None."""
        opener, jar = self.browser()
        request(f"{self.url}/hub/login", opener=opener)
        xsrf = next((cookie.value for cookie in jar if cookie.name == "_xsrf"), "")
        result = request(f"{self.url}/hub/login", "POST", opener=opener,
                         form={"username": name, "password": password, "_xsrf": xsrf})
        accepted = result.status == 302 and any(cookie.name == "jupyterhub-hub-login" for cookie in jar)
        return opener if accepted else None

    def enrol(self, learner: Learner) -> None:
        """Sign-up, approval and first log-in, then an API token of the learner for their own server."""
        self.sign_up(learner.name, learner.password)
        self.approve(learner.name)
        if self.log_in(learner.name, learner.password) is None:
            raise RuntimeError(f"{learner.name} could not log in after sign-up and approval:\n{self.log()[-2000:]}")
        made = self.api("POST", f"/users/{learner.name}/tokens", {"note": "class test", "expires_in": 3600})
        if made.status != 201:
            raise RuntimeError(f"no token for {learner.name}: {made.status} {made.body[:300]!r}")
        learner.token = made.json()["token"]

    def spawn(self, learner: Learner, timeout: float = 120) -> float:
        """Start the learner's server; the seconds until the hub reports it ready."""
        began = time.monotonic()
        started = self.api("POST", f"/users/{learner.name}/server")
        if started.status not in (201, 202):
            raise RuntimeError(f"spawning {learner.name}: {started.status} {started.body[:300]!r}")
        while time.monotonic() - began < timeout:
            server = (self.api("GET", f"/users/{learner.name}").json().get("servers") or {}).get("")
            if server and server.get("ready"):
                learner.ready_seconds = time.monotonic() - began
                return learner.ready_seconds
            time.sleep(0.2)
        raise RuntimeError(f"{learner.name}'s server was not ready in {timeout:.0f} s:\n{self.log()[-3000:]}")

    def server(self, learner: Learner, path: str, method: str = "GET", body: Any = None,
               token: Optional[str] = None, timeout: float = 60) -> HTTPResult:
        """A request to ``learner``'s single-user server, with the learner's own token unless another is given."""
        return request(f"{self.url}/user/{learner.name}/{path.lstrip('/')}", method, body,
                       token=token or learner.token, timeout=timeout)

    # -- the course on the learner's server --------------------------------------------------------
    def pull(self, learner: Learner, repository: str, branch: str) -> List[dict]:
        """What the hand-out link's page does: nbgitpuller's pull API, read to its end; the events it sent."""
        query = urllib.parse.urlencode({"repo": repository, "branch": branch, "targetpath": COURSE_FOLDER})
        result = self.server(learner, f"git-pull/api?{query}", timeout=300)
        events = [json.loads(line[len("data:"):]) for line in result.body.decode().splitlines()
                  if line.startswith("data:")]
        if result.status != 200 or not events or events[-1].get("phase") != "finished":
            raise RuntimeError(f"nbgitpuller failed for {learner.name}: {result.status} {events[-1:]}")
        return events

    def home_of(self, learner: Learner) -> Path:
        return self.home / "home" / learner.name

    async def run_notebook(self, learner: Learner, path: str, probe: Optional[str] = None,
                           cell_timeout: float = 600) -> Dict[str, Any]:
        """Run every code cell of ``path`` (relative to the learner's home) in a new kernel on their server.

        Returns the cells' outputs, the first error, the wall time, and what ``probe`` (code run
        last in the same kernel, printing one JSON line) printed.
        """
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        notebook = nbformat.from_dict(self.server(learner, f"api/contents/{path}").json()["content"])
        session = self.server(learner, "api/sessions", "POST",
                              {"path": path, "type": "notebook", "name": Path(path).name,
                               "kernel": {"name": "python3"}}).json()
        kernel_id = session["kernel"]["id"]
        socket_url = f"ws://127.0.0.1:{self.port}/user/{learner.name}/api/kernels/{kernel_id}/channels"
        connection = await websocket_connect(HTTPRequest(socket_url, headers={"Authorization": f"token {learner.token}"}))
        runs: List[CellRun] = []
        began = time.monotonic()
        try:
            for cell in notebook.cells:
                if cell.cell_type != "code":
                    continue
                run = await _execute(connection, cell.source, cell_timeout)
                runs.append(run)
                if run.error:
                    break
            wall = time.monotonic() - began
            probed = None
            if probe is not None:
                probe_run = await _execute(connection, probe, cell_timeout)
                text = "".join(output.get("text", "") for output in probe_run.outputs if output["output_type"] == "stream")
                probed = json.loads(text.strip().splitlines()[-1]) if not probe_run.error else probe_run.error
        finally:
            connection.close()
            self.server(learner, f"api/sessions/{session['id']}", "DELETE")
        return {"cells": runs, "error": next((run.error for run in runs if run.error), None), "wall_seconds": wall,
                "probe": probed}


async def _execute(connection, code: str, timeout: float) -> CellRun:
    """Send one execute_request on the kernel's WebSocket and gather its outputs until the kernel is idle."""
    message_id = uuid.uuid4().hex
    await connection.write_message(json.dumps({
        "header": {"msg_id": message_id, "msg_type": "execute_request", "username": "", "session": uuid.uuid4().hex,
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    run = CellRun(source=code)
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            run.error = f"no reply within {timeout:.0f} s"
            return run
        raw = await asyncio.wait_for(connection.read_message(), remaining)
        if raw is None:
            run.error = "the kernel's connection closed"
            return run
        if isinstance(raw, bytes):
            continue  # binary messages carry buffers (widgets); no lesson output needs them here
        message = json.loads(raw)
        if message.get("parent_header", {}).get("msg_id") != message_id:
            continue
        kind = message["msg_type"]
        if kind in ("stream", "display_data", "execute_result", "error"):
            run.outputs.append({"output_type": kind, **message["content"]})
            if kind == "error":
                run.error = f"{message['content']['ename']}: {message['content']['evalue']}"
        elif kind == "status" and message["content"]["execution_state"] == "idle":
            return run


def output_text(run: CellRun) -> str:
    """Everything a cell showed, as text (HTML included), for checks on what the learner would read."""
    parts = []
    for output in run.outputs:
        parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts.append(data.get("text/html", "") + data.get("text/plain", "") + data.get("text/markdown", ""))
    return "\n".join(parts)


def leftover_processes(home: Path) -> List[str]:
    """Command lines of processes that still mention ``home`` (a hub, proxy, server or kernel left behind)."""
    left = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if str(home) in command or str(home).encode() in environ:
            left.append(f"{entry.name}: {command[:200]}")
    return left
