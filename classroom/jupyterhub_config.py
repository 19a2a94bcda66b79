"""JupyterHub for a class on one machine: the course's environment is every learner's environment.

    COURSE_ADMINS=alice,bob .venv/bin/jupyterhub -f classroom/jupyterhub_config.py

Run from the course checkout, with its .venv (``make install``) and ``npm ci`` done (the proxy,
configurable-http-proxy, is pinned in package.json). classroom/README.md explains the rest:
HTTPS in front, machine size, how learners receive the course.

Who gets in: learners sign up at /hub/signup and an admin approves each of them at
/hub/authorize (NativeAuthenticator with ``open_signup = False``); the admins are the users named in
``COURSE_ADMINS`` (they sign up like everyone, and are approved automatically). Nobody else logs in.

Settings an instructor may change through the environment, so this file stays as shipped:
``COURSE_ADMINS`` (required), ``COURSE_HUB_BIND_URL`` (default ``http://127.0.0.1:8000``: only the
HTTPS reverse proxy on the same machine reaches it), ``COURSE_HUB_STATE`` (the hub's database,
cookie secret and proxy token; default ``/srv/convolutions-hub``), ``COURSE_CPU_LIMIT`` /
``COURSE_MEM_LIMIT`` (per learner; default 1 CPU and 2G), ``COURSE_CULL_IDLE_SECONDS`` (default 3600)
and ``COURSE_SPAWNER`` (``local``, the default, or ``systemd``).
"""
import os
import shutil
import sys
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parents[1]
# The hub runs from the course's .venv, so every learner's server and kernel use the same pinned
# packages (course_utils included) as `make lab`.
VENV_BIN = Path(sys.executable).parent

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

# -- the hub and its proxy -------------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("COURSE_HUB_BIND_URL", "http://127.0.0.1:8000")
state = Path(os.environ.get("COURSE_HUB_STATE", "/srv/convolutions-hub"))
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
proxy = COURSE_ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(proxy) if proxy.exists() else "configurable-http-proxy"]

# -- who gets in -----------------------------------------------------------------------------------
from nativeauthenticator import NativeAuthenticator  # noqa: E402


class CourseNativeAuthenticator(NativeAuthenticator):
    """NativeAuthenticator with JupyterHub's own login page.

    NativeAuthenticator 1.3.0's login page uses the hub's statsd client, which JupyterHub 6 no longer
    has (every login there fails with a server error, measured). JupyterHub's own page posts the same
    username and password to the same ``authenticate``, so approval, password checks and the lock-out
    after failed logins all stay; sign-up, approval and password pages stay NativeAuthenticator's.
    """

    def get_handlers(self, app):
        return [(path, handler) for path, handler in super().get_handlers(app) if path != r"/login"]


# Learners reach the sign-up form at /hub/signup (the instructors hand out that address).
c.JupyterHub.authenticator_class = CourseNativeAuthenticator
c.NativeAuthenticator.open_signup = False          # every sign-up waits for an admin's approval
c.NativeAuthenticator.minimum_password_length = 10
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5    # then the name is locked for a while
c.NativeAuthenticator.seconds_before_next_try = 600
# NativeAuthenticator authenticates approved users only, so "everyone it lets in" is the class.
c.Authenticator.allow_all = True
admins = {name.strip() for name in os.environ.get("COURSE_ADMINS", "").split(",") if name.strip()}
if not admins:
    raise SystemExit("Set COURSE_ADMINS to the instructors' user names (comma-separated): they approve the learners.")
c.Authenticator.admin_users = admins
# Admins manage the class; they do not open learners' notebooks (their work is private).
c.JupyterHub.admin_access = False

# -- each learner's server -------------------------------------------------------------------------
# `local`: LocalProcessSpawner, one Unix account per learner (create them with `adduser` before the
# class; the hub runs as root). `systemd`: SystemdSpawner (pip install jupyterhub-systemdspawner)
# additionally enforces the CPU and memory limits below with cgroups. Either way a learner's files
# are theirs alone: the server runs as the learner's Unix user in their home folder.
spawner = os.environ.get("COURSE_SPAWNER", "local")
if spawner == "systemd":
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
    c.SystemdSpawner.dynamic_users = False
    c.SystemdSpawner.isolate_tmp = True
    c.SystemdSpawner.disable_user_sudo = True
elif spawner == "local":
    c.JupyterHub.spawner_class = "localprocess"
else:
    raise SystemExit(f"COURSE_SPAWNER must be local or systemd; got {spawner!r}")

# The course's start-up (tools/class_server.py): thread counts from the learner's CPU share, the
# learner's own copies in my-work/, then jupyterhub-singleuser.
c.Spawner.cmd = [sys.executable, str(COURSE_ROOT / "tools" / "class_server.py")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {"PATH": os.pathsep.join([str(VENV_BIN), "/usr/local/bin", "/usr/bin", "/bin"])}
# Measured (benchmarks/class-*.md): one learner running a lesson peaks below 1 GB resident (server and
# kernel); 2G leaves room for a second kernel. One CPU each. The spawner exports them as CPU_LIMIT /
# MEM_LIMIT (CPU_LIMIT sizes the kernel's threads); the systemd spawner also enforces them.
c.Spawner.cpu_limit = float(os.environ.get("COURSE_CPU_LIMIT", "1"))
c.Spawner.mem_limit = os.environ.get("COURSE_MEM_LIMIT", "2G")
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120

# -- idle servers are stopped, so a class's memory comes back ----------------------------------------
cull_seconds = int(os.environ.get("COURSE_CULL_IDLE_SECONDS", "3600"))
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={cull_seconds}", "--cull-every=300"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "services": ["idle-culler"],
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
}]

# Hand-out links (make class-link) point at nbgitpuller, which the course's environment carries.
if shutil.which("git") is None:
    raise SystemExit("git is missing: nbgitpuller needs it to hand out the course (apt-get install git).")
