"""course.py, the entry point without make: its subcommands are the Makefile's targets, the Makefile calls it,
it names the Python to install, and its learner path (install, lab, test) works as on Windows.

Windows is simulated in-process: ``os.name`` and ``sys.platform`` say Windows, every POSIX-only call
raises, and ``subprocess.Popen`` records what would run. The pip commands themselves are checked
with ``--dry-run`` (tests/test_platforms.py checks the PyTorch CPU index through it too).
"""
import argparse
import ast
import contextlib
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE_PY = ROOT / "course.py"
MAKEFILE = ROOT / "Makefile"
import course  # the repository root is on sys.path (pyproject: pythonpath)

CPU_INDEX = ["--extra-index-url", "https://download.pytorch.org/whl/cpu"]
# Targets that set .venv up first, and so take the install options.
INSTALLING = [name for name in course.SUBCOMMANDS if name not in course.WITHOUT_INSTALL] + ["install"]
# Windows has none of these; course.py must not call them on the learner's path.
POSIX_ONLY_OS = ("fork", "forkpty", "killpg", "getpgid", "setpgid", "setsid", "getuid", "geteuid", "getgid",
                 "uname", "chown", "lchown", "mkfifo", "sysconf", "nice", "sched_getaffinity", "getloadavg")
POSIX_ONLY_MODULES = {"pwd", "grp", "fcntl", "termios", "tty", "pty", "resource", "posix", "crypt", "syslog"}
POSIX_ONLY_POPEN_ARGS = {"preexec_fn", "start_new_session", "process_group", "pass_fds", "restore_signals",
                         "user", "group", "extra_groups", "umask", "shell"}


# -- the Makefile and course.py list the same targets ---------------------------------------------
def makefile_targets() -> List[str]:
    text = MAKEFILE.read_text()
    (phony,) = re.findall(r"^\.PHONY:(.*)$", text, re.MULTILINE)
    rules = re.findall(r"^([a-z][a-z-]*):(?!=)", text, re.MULTILINE)
    assert sorted(phony.split()) == sorted(rules), "every rule of the Makefile is a .PHONY target and back"
    return phony.split()


def test_the_subcommands_are_the_makefile_targets():
    assert sorted(course.SUBCOMMANDS) == sorted(makefile_targets())
    (subparsers,) = [action for action in course.parser()._actions if isinstance(action, argparse._SubParsersAction)]
    assert sorted(subparsers.choices) == sorted(course.SUBCOMMANDS)


def run_make(*args: str, cwd: Path = ROOT, **env: str) -> List[str]:
    """The command lines `make -n` prints, free of the variables of a make that started pytest."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    variables = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTORCH_CPU_INDEX", "SKIP_INSTALL", "PYTHON", "HOST", "PORT",
                 "JOBS", "LESSON", "BENCH_ARGS")
    clean = {key: value for key, value in os.environ.items() if key not in variables}
    completed = subprocess.run(["make", "--no-print-directory", "-n", *args], cwd=cwd, capture_output=True, text=True,
                               env={**clean, **env})
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.splitlines()


def make_call(target: str, *variables: str, **env: str) -> List[str]:
    """The one course.py command line `make -n target` prints, split into arguments after `course.py`."""
    (line,) = run_make(target, "PYTHON=python3.11", *variables, **env)
    python, script, *args = shlex.split(line)
    assert (python, script) == ("python3.11", "course.py"), line
    return args


@pytest.mark.parametrize("target", sorted(course.SUBCOMMANDS))
def test_each_make_target_runs_course_py_with_its_name_and_valid_options(target):
    args = make_call(target)
    assert args[0] == target
    options = course.parse(args)  # argparse exits on an option course.py does not have
    assert options.subcommand == target
    assert "--skip-install" not in args and "--pytorch-cpu-index" not in args
    if target in INSTALLING:
        assert not options.skip_install


def test_make_variables_reach_course_py():
    assert make_call("lab", "HOST=0.0.0.0", "PORT=8890") == ["lab", "--host", "0.0.0.0", "--port", "8890"]
    assert make_call("test", "JOBS=4") == ["test", "--jobs", "4"]
    assert make_call("test-unit") == ["test-unit", "--jobs", "2"]
    assert make_call("execute", "LESSON=00_getting_started") == ["execute", "--lesson", "00_getting_started"]
    assert course.parse(make_call("execute", "LESSON=00_getting_started 07_dilation")).lesson == [
        "00_getting_started", "07_dilation"]
    assert make_call("execute") == ["execute"]
    bench = course.parse(make_call("bench", "BENCH_ARGS=--quick --markdown out.md"))
    assert bench.bench_args == ["--quick", "--markdown", "out.md"]
    # The lab test's way to use .venv as it is.
    assert course.parse(make_call("lab", "SKIP_INSTALL=1")).skip_install


@pytest.mark.parametrize("target", INSTALLING)
def test_make_passes_pytorch_cpu_index_to_every_installing_target(target):
    for call in (make_call(target, "PYTORCH_CPU_INDEX=1"), make_call(target, PYTORCH_CPU_INDEX="1")):
        assert course.parse(call).pytorch_cpu_index == "1"


def test_make_uses_the_venv_python_once_it_exists(tmp_path):
    shutil.copy(MAKEFILE, tmp_path / "Makefile")
    assert shlex.split(run_make("install", cwd=tmp_path)[0])[0] == "python3"
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").touch()
    assert shlex.split(run_make("install", cwd=tmp_path)[0])[0] == ".venv/bin/python"


def test_bench_passes_its_arguments_through_and_other_subcommands_refuse_unknown_ones():
    assert course.parse(["bench", "--quick", "--csv", "x.csv"]).bench_args == ["--quick", "--csv", "x.csv"]
    assert course.parse(["bench", "--dry-run", "--", "--help"]).bench_args == ["--help"]
    with pytest.raises(SystemExit):
        course.parse(["lab", "--quick"])
    with pytest.raises(SystemExit):
        course.parse(["test", "--", "-k", "x"])


# -- the Python version ------------------------------------------------------------------------------
def expected_message(found: str, where: str, run: str, subcommand: str) -> str:
    return ("The course needs Python 3.11 (MXNet 1.9.1 and the pinned wheels are built for it); "
            f"this is Python {found}.\n{where}\nThen run: {run}   (with uv's Python 3.11: "
            f"uv run --no-project --python 3.11 course.py {subcommand})")


WINDOWS_WHERE = ('Install the latest Python 3.11 with the "Windows installer (64-bit)" from '
                 "https://www.python.org/downloads/windows/ , or with uv: uv python install 3.11")
MACOS_WHERE = ('Install the latest Python 3.11 with the "macOS 64-bit universal2 installer" from '
               "https://www.python.org/downloads/macos/ , or with uv: uv python install 3.11")
LINUX_WHERE = ("Install Python 3.11: your distribution's python3.11 and python3.11-venv packages, or with uv: "
               "uv python install 3.11")


def test_a_wrong_python_is_told_exactly_what_to_install_and_how_to_run_the_course():
    check = course.python_version_problem
    assert check((3, 12, 1), "win32", True, "lab", via_make=False) == \
        expected_message("3.12.1", WINDOWS_WHERE, "py -3.11 course.py lab", "lab")
    assert check((3, 9, 6), "darwin", True, "test", via_make=False) == \
        expected_message("3.9.6", MACOS_WHERE, "python3.11 course.py test", "test")
    assert check((3, 10, 12), "linux", True, "lab", via_make=False) == \
        expected_message("3.10.12", LINUX_WHERE, "python3.11 course.py lab", "lab")
    # Started by make: the make command that takes another Python.
    assert check((3, 10, 12), "linux", True, "test", via_make=True) == \
        expected_message("3.10.12", LINUX_WHERE, "make test PYTHON=python3.11", "test")
    assert check((3, 11, 0), "win32", False, "lab", via_make=False) == (
        "The course needs 64-bit Python 3.11 on Windows (PyTorch has no 32-bit wheel); this one is 32-bit.\n"
        f"{WINDOWS_WHERE}\nThen run: py -3.11 course.py lab   "
        "(with uv's Python 3.11: uv run --no-project --python 3.11 course.py lab)")
    for platform in ("win32", "darwin", "linux"):
        assert check((3, 11, 9), platform, True, "lab", via_make=False) is None
    assert check() is None  # this interpreter (pytest runs in .venv's 3.11)


def test_main_checks_the_version_before_anything_else(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("MAKELEVEL", raising=False)
    monkeypatch.setattr(course.subprocess, "Popen", lambda *a, **k: pytest.fail("ran a command on Python 3.12"))
    with monkeypatch.context() as patch:  # only around the call: pytest itself reads sys.version_info
        patch.setattr(sys, "version_info", (3, 12, 1, "final", 0))
        patch.setattr(sys, "platform", "win32")
        status = course.main(["test", "--jobs", "3"], root=tmp_path)
    assert status == 1
    assert capsys.readouterr().err == expected_message("3.12.1", WINDOWS_WHERE, "py -3.11 course.py test", "test") + "\n"
    assert list(tmp_path.iterdir()) == [], "nothing is created with the wrong Python"


def other_pythons() -> List[Path]:
    """Interpreters on this machine other than 3.11 (pyenv's, python3.X on the PATH)."""
    found = {Path(path) for path in (shutil.which(f"python3.{minor}") for minor in (6, 7, 8, 9, 10, 12, 13)) if path}
    found |= set(Path.home().glob(".pyenv/versions/3.*/bin/python3"))
    usable = []
    for python in sorted(found):
        probe = subprocess.run([str(python), "-c", "import sys; print(sys.version_info[:2] != (3, 11))"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            usable.append(python)
    return usable


def test_an_older_or_newer_python_reads_course_py_far_enough_to_say_so():
    pythons = other_pythons()
    if not pythons:
        pytest.skip("no Python other than 3.11 on this machine")
    env = {key: value for key, value in os.environ.items() if key != "MAKELEVEL"}
    for python in pythons:
        completed = subprocess.run([str(python), str(COURSE_PY), "lab"], cwd=ROOT, capture_output=True, text=True,
                                   env=env)
        version = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                                 capture_output=True, text=True).stdout.strip()
        assert (completed.returncode, completed.stdout) == (1, ""), completed.stderr
        assert completed.stderr == expected_message(version, LINUX_WHERE, "python3.11 course.py lab", "lab") + "\n"


def test_course_py_parses_as_python_3_6():
    """So the interpreters learners find first (macOS's python3 is 3.9) reach the version check."""
    ast.parse(COURSE_PY.read_text(), feature_version=(3, 6))


# -- Windows, simulated ------------------------------------------------------------------------------
class FakePopen:
    """Records each command instead of running it; "creates" the venv and can make one pip call fail."""
    calls: List[Dict] = []
    failing_argument = None
    venv_python: Path

    def __init__(self, args, **kwargs):
        assert isinstance(args, list) and all(isinstance(arg, str) for arg in args), args
        unexpected = POSIX_ONLY_POPEN_ARGS & set(kwargs)
        assert not unexpected, f"Popen with POSIX-only or shell arguments: {unexpected}"
        FakePopen.calls.append({"args": args, **kwargs})
        self.returncode = 0
        if args[1:3] == ["-m", "venv"]:
            FakePopen.venv_python.parent.mkdir(parents=True)
            FakePopen.venv_python.touch()
        if FakePopen.failing_argument in args:
            kwargs["stdout"].write("ERROR: No matching distribution found for torch==2.13.0\n")
            self.returncode = 1

    def wait(self):
        return self.returncode


class WindowsCheckout:
    """A checkout in ``root``; inside ``simulated()`` course.py sees Windows and POSIX-only calls raise.

    The simulation is switched on only around the calls of course.py: pytest itself cannot run with
    ``os.name == "nt"`` on Linux (pathlib would make Windows paths).
    """

    def __init__(self, root: Path, monkeypatch):
        self.root = root
        self.monkeypatch = monkeypatch

    @contextlib.contextmanager
    def simulated(self):
        def posix_only(name):
            def call(*args, **kwargs):
                raise AssertionError(f"os.{name} is POSIX-only (Windows has none)")
            return call

        with self.monkeypatch.context() as patch:
            for name in POSIX_ONLY_OS:
                if hasattr(os, name):
                    patch.setattr(os, name, posix_only(name))
            for name in ("SIGALRM", "alarm", "setitimer"):
                if hasattr(signal, name):
                    patch.delattr(signal, name)
            patch.setattr(os, "name", "nt")
            patch.setattr(sys, "platform", "win32")
            yield

    def main(self, *argv: str) -> int:
        with self.simulated():
            return course.main(list(argv), root=self.root)


@pytest.fixture
def windows(monkeypatch, tmp_path) -> WindowsCheckout:
    for name in course.PIN_FILES:
        (tmp_path / name).write_text("# pins\n")
    (tmp_path / "notebooks" / "student").mkdir(parents=True)
    for name in ("00_getting_started.ipynb", "01_convolution_maths.ipynb", "student/00_getting_started.ipynb"):
        (tmp_path / "notebooks" / name).write_text("{}")
    monkeypatch.delenv("PYTORCH_CPU_INDEX", raising=False)
    FakePopen.calls = []
    FakePopen.failing_argument = None
    FakePopen.venv_python = tmp_path / ".venv" / "Scripts" / "python.exe"
    monkeypatch.setattr(course.subprocess, "Popen", FakePopen)
    return WindowsCheckout(tmp_path, monkeypatch)


def test_the_venv_python_is_scripts_python_exe_on_windows(windows):
    with windows.simulated():
        paths = course.venv_python(windows.root / ".venv"), course.Course(windows.root).venv_python
    assert paths == (windows.root / ".venv" / "Scripts" / "python.exe",) * 2
    assert course.venv_python(windows.root / ".venv") == windows.root / ".venv" / "bin" / "python"


def test_dry_run_install_on_windows_prints_the_makefiles_commands(windows, capsys):
    assert windows.main("install", "--dry-run") == 0
    assert FakePopen.calls == [] and not (windows.root / ".venv").exists(), "a dry run runs and creates nothing"
    py = subprocess.list2cmdline([".venv/Scripts/python.exe"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[:5] == [
        subprocess.list2cmdline([sys.executable, "-m", "venv", ".venv"]),  # paths in the checkout shown relative
        "Installing the pinned packages into .venv (a few minutes the first time; log: .venv/pip-install.log) ...",
        f"{py} -m pip install -r requirements.txt   > .venv/pip-install.log",
        f"{py} -m pip install --no-deps -r requirements-nodeps.txt   >> .venv/pip-install.log",
        f"{py} -m pip install --no-deps -e .   >> .venv/pip-install.log",
    ]
    assert lines[5] == subprocess.list2cmdline([".venv/Scripts/python.exe", "-c", course.IMPORT_CHECK])
    assert len(lines) == 6


def test_install_and_lab_on_windows_run_argument_lists_and_reinstall_only_after_a_pin_change(windows):
    root = windows.root
    python = str(root / ".venv" / "Scripts" / "python.exe")
    assert windows.main("install") == 0
    pip = [python, "-m", "pip", "install"]
    assert [call["args"] for call in FakePopen.calls] == [
        [sys.executable, "-m", "venv", str(root / ".venv")],
        pip + ["-r", "requirements.txt"],
        pip + ["--no-deps", "-r", "requirements-nodeps.txt"],
        pip + ["--no-deps", "-e", "."],
        [python, "-c", course.IMPORT_CHECK],
    ]
    assert all(call["cwd"] == str(root) for call in FakePopen.calls)
    # pip's output goes to the log, not the terminal.
    assert [call.get("stderr") for call in FakePopen.calls[1:4]] == [subprocess.STDOUT] * 3
    stamp = root / ".venv" / ".course-installed"
    assert stamp.exists() and (root / ".venv" / "pip-install.log").exists()

    # Up to date: lab starts JupyterLab without installing.
    FakePopen.calls = []
    assert windows.main("lab", "--port", "8890") == 0
    assert [call["args"] for call in FakePopen.calls] == [
        [python, "tools/start_lab.py", "--host", "127.0.0.1", "--port", "8890"]]

    # A pin file newer than the stamp: the pins are installed again (the venv is not re-created).
    FakePopen.calls = []
    later = stamp.stat().st_mtime_ns + 10 ** 9
    os.utime(root / "requirements-nodeps.txt", ns=(later, later))
    assert windows.main("test", "--jobs", "3") == 0
    commands = [call["args"] for call in FakePopen.calls]
    assert [command[:4] for command in commands[:3]] == [pip] * 3
    assert commands[3] == [python, "-c", course.IMPORT_CHECK]
    assert commands[4] == [python, "-m", "pytest", "-n", "3", "--dist", "loadfile", "--doctest-modules",
                           "course_utils", "tests", *course.NBVAL_ARGS,
                           "notebooks/00_getting_started.ipynb", "notebooks/01_convolution_maths.ipynb"]
    assert len(commands) == 5


def test_a_failed_pip_install_shows_the_end_of_its_log_and_leaves_no_stamp(windows, capsys):
    FakePopen.failing_argument = "requirements.txt"
    assert windows.main("lab") == 1
    err = capsys.readouterr().err
    assert "ERROR: No matching distribution found for torch==2.13.0" in err
    assert "pip failed; the whole log is in .venv/pip-install.log" in err
    assert not (windows.root / ".venv" / ".course-installed").exists()
    assert not any("tools/start_lab.py" in call["args"] for call in FakePopen.calls)


def test_pytorch_cpu_index_reaches_only_the_pinned_install(windows, monkeypatch, capsys):
    def pip_lines(*args):
        assert windows.main("install", "--reinstall", "--dry-run", *args) == 0
        return [line for line in capsys.readouterr().out.splitlines() if " -m pip install " in line]

    extra = " ".join(CPU_INDEX)
    assert not any(extra in line for line in pip_lines())
    assert [extra in line for line in pip_lines("--pytorch-cpu-index", "1")] == [True, False, False]
    monkeypatch.setenv("PYTORCH_CPU_INDEX", "1")
    assert [extra in line for line in pip_lines()] == [True, False, False]
    # The option wins over the environment.
    assert not any(extra in line for line in pip_lines("--pytorch-cpu-index", "0"))
    assert windows.main("install", "--pytorch-cpu-index", "2") == 2
    assert capsys.readouterr().err == \
        'PYTORCH_CPU_INDEX must be 1 (torch from PyTorch\'s CPU-only index) or 0; got "2"\n'
    assert FakePopen.calls == []


def test_clean_venv_deletes_read_only_files(windows, monkeypatch):
    venv_file = windows.root / ".venv" / "Lib" / "site-packages" / "x.pyd"
    venv_file.parent.mkdir(parents=True)
    venv_file.touch()
    os.chmod(venv_file, stat.S_IREAD)
    real_unlink = os.unlink

    def windows_unlink(path, *, dir_fd=None):
        # Windows refuses to delete a read-only file (POSIX, and root, would not care).
        if not os.stat(path, dir_fd=dir_fd).st_mode & stat.S_IWRITE:
            raise PermissionError(13, "Access is denied", path)
        real_unlink(path, dir_fd=dir_fd)

    monkeypatch.setattr(os, "unlink", windows_unlink)
    assert windows.main("clean-venv") == 0
    assert not (windows.root / ".venv").exists()


# -- static: nothing POSIX-only, no shell ------------------------------------------------------------
def test_course_py_uses_the_standard_library_only_and_no_posix_only_module_or_shell():
    tree = ast.parse(COURSE_PY.read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
    assert not imported & POSIX_ONLY_MODULES
    calls = {f"{node.value.id}.{node.attr}" for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)}
    assert not {f"os.{name}" for name in POSIX_ONLY_OS} & calls
    assert not {"os.system", "os.popen", "os.execv", "os.execvp", "os.kill", "signal.SIGALRM", "signal.alarm"} & calls
    keywords = {keyword.arg for node in ast.walk(tree) if isinstance(node, ast.Call) for keyword in node.keywords}
    assert not POSIX_ONLY_POPEN_ARGS & keywords
