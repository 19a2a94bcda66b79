"""Run the Convolutions workbook without make: one entry point for Linux, macOS and Windows.

    python3.11 course.py lab          # Linux and macOS
    py -3.11 course.py lab            # Windows
    python3.11 course.py --help       # every subcommand (the same as the Makefile's targets)

Every make target is a subcommand, and the Makefile only calls this file, so both routes
run the same commands. The first run creates .venv and installs the pinned packages
into it; later runs re-install only when requirements.txt, requirements-nodeps.txt or
pyproject.toml is newer than the stamp the last install left (.venv/.course-installed).

Standard library only, and written so that an older Python can still read it far enough
to say which Python to install.
"""

import argparse
import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent
REQUIRED_PYTHON = (3, 11)
PIN_FILES = ("requirements.txt", "requirements-nodeps.txt", "pyproject.toml")
PYTORCH_CPU_INDEX_URL = "https://download.pytorch.org/whl/cpu"
PIP_LOG_TAIL_LINES = 30
# nbval compares every lesson's outputs with the stored ones; loadfile keeps a notebook's
# cells on one worker (they share one kernel).
NBVAL_ARGS = ("--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg")
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
# MXNet is imported only where pip installed it (requirements.txt: Linux x86_64 and aarch64).
IMPORT_CHECK = (
    "import importlib.util, numpy, torch, jax, flax.linen, course_utils; "
    "mxnet = 'not installed (no wheel for this platform)' if importlib.util.find_spec('mxnet') is None "
    "else __import__('mxnet').__version__; "
    "print('installed: numpy', numpy.__version__, '| torch', torch.__version__, '| mxnet', mxnet, "
    "'| jax', jax.__version__)"
)

#: Subcommand -> the help line `make help` and `course.py --help` show. The Makefile has one
#: target per entry (tests/test_course_entry.py compares them).
SUBCOMMANDS: Dict[str, str] = {
    "help": "list these subcommands",
    "lab": "set up (first time only), copy new lessons into my-work/ (yours; never replaced) "
           "and open your copy of lesson 00 in JupyterLab",
    "test": "set up and run every test: unit, property, hygiene and nbval of each lesson",
    "test-unit": "the unit, property and hygiene half of `test`",
    "test-notebooks": "the nbval half of `test`: every lesson against its stored outputs",
    "execute": "re-run every lesson top to bottom in a fresh kernel and store its outputs, then refresh "
               "its student copy (one lesson: --lesson 00_getting_started)",
    "student": "regenerate notebooks/student/ (solutions replaced by '# your code here')",
    "figures": "redraw every figure and animation in images/ from course_utils code",
    "bench": "time course_utils against PyTorch, SciPy, MXNet and JAX (arguments after it go to the "
             "benchmark: bench --quick)",
    "bench-widgets": "time the explorer and the playground: control change to new picture",
    "site": "the learner site, offline, from the executed lessons: build/site/index.html",
    "slides": "reveal.js slides of every lesson for instructors, offline: build/slides/index.html",
    "assignments": "nbgrader source assignments from each lesson's exercises: classroom/nbgrader/source/",
    "class-release": "the learner-only tree of a graded class (no worked solutions): build/class-release/",
    "class-link": "print the nbgitpuller link that hands the course out on a hub (--hub URL; --repo, --branch)",
    "bench-class": "N learners (--learners, default 4) run a lesson at once through a local JupyterHub",
    "install": "only create/update .venv",
    "clean-venv": "delete .venv",
}
#: Subcommands that do not need .venv set up first.
WITHOUT_INSTALL = ("help", "install", "clean-venv")


# -- which Python --------------------------------------------------------------------------------
def python_version_problem(version_info: Optional[Sequence[int]] = None, platform: Optional[str] = None,
                           is_64bit: Optional[bool] = None, subcommand: str = "lab",
                           via_make: Optional[bool] = None) -> Optional[str]:
    """What to install when this Python cannot run the course (``None`` when it can).

    One message: the version found, where to get 3.11 on this platform, and the exact
    command that runs the course with it. Each argument left out is this interpreter's
    (``via_make``: whether make started this process).
    """
    version_info = tuple(sys.version_info) if version_info is None else tuple(version_info)
    platform = sys.platform if platform is None else platform
    is_64bit = sys.maxsize > 2 ** 32 if is_64bit is None else is_64bit
    via_make = "MAKELEVEL" in os.environ if via_make is None else via_make
    found = ".".join(str(part) for part in version_info[:3])
    windows = platform == "win32"
    if tuple(version_info[:2]) == REQUIRED_PYTHON and (is_64bit or not windows):
        return None
    if tuple(version_info[:2]) != REQUIRED_PYTHON:
        problem = ("The course needs Python 3.11 (MXNet 1.9.1 and the pinned wheels are built for it); "
                   "this is Python {}.".format(found))
    else:
        problem = "The course needs 64-bit Python 3.11 on Windows (PyTorch has no 32-bit wheel); this one is 32-bit."
    if windows:
        where = ('Install the latest Python 3.11 with the "Windows installer (64-bit)" from '
                 "https://www.python.org/downloads/windows/ , or with uv: uv python install 3.11")
        run = "py -3.11 course.py {}".format(subcommand)
    elif platform == "darwin":
        where = ('Install the latest Python 3.11 with the "macOS 64-bit universal2 installer" from '
                 "https://www.python.org/downloads/macos/ , or with uv: uv python install 3.11")
        run = "python3.11 course.py {}".format(subcommand)
    else:
        where = ("Install Python 3.11: your distribution's python3.11 and python3.11-venv packages, or with uv: "
                 "uv python install 3.11")
        run = "python3.11 course.py {}".format(subcommand)
    if via_make:
        run = "make {} PYTHON=python3.11".format(subcommand)
    uv_run = "uv run --no-project --python 3.11 course.py {}".format(subcommand)
    return "{}\n{}\nThen run: {}   (with uv's Python 3.11: {})".format(problem, where, run, uv_run)


# -- .venv ---------------------------------------------------------------------------------------
def venv_python(venv: Path) -> Path:
    """The interpreter ``python -m venv`` puts into ``venv`` on this platform."""
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def pytorch_cpu_index(value: Optional[str]) -> bool:
    """PYTORCH_CPU_INDEX (option or environment variable): 1 takes torch from PyTorch's CPU-only index."""
    if value in (None, "", "0"):
        return False
    if value == "1":
        return True
    raise ValueError('PYTORCH_CPU_INDEX must be 1 (torch from PyTorch\'s CPU-only index) or 0; got "{}"'.format(value))


class Course:
    """The commands of every subcommand for one checkout (``root``), run or, with ``dry_run``, only printed."""

    def __init__(self, root: Path = ROOT, dry_run: bool = False, python: Optional[str] = None):
        self.root = root
        self.dry_run = dry_run
        # The Python that creates .venv: the one running this file (its version was checked).
        self.python = python or sys.executable
        self.venv = root / ".venv"
        self.venv_python = venv_python(self.venv)
        self.stamp = self.venv / ".course-installed"
        self.pip_log = self.venv / "pip-install.log"

    # The commands ----------------------------------------------------------------------------
    def pip_commands(self, cpu_index: bool) -> List[List[str]]:
        """The three pip installs of the Makefile's install rule, in order."""
        pip = [str(self.venv_python), "-m", "pip", "install"]
        # PyPI's Linux torch wheel is the CUDA build (about 2.7 GB with its NVIDIA libraries); PyTorch's
        # CPU index has 2.13.0+cpu, which meets the torch==2.13.0 pin and wins over PyPI's 2.13.0 because a
        # local version sorts higher. An extra index, not --index-url: the other pins still come from PyPI,
        # and a requirements file cannot give one package its own index.
        extra_index = ["--extra-index-url", PYTORCH_CPU_INDEX_URL] if cpu_index else []
        return [
            pip + extra_index + ["-r", "requirements.txt"],
            pip + ["--no-deps", "-r", "requirements-nodeps.txt"],
            pip + ["--no-deps", "-e", "."],
        ]

    def lessons(self) -> List[str]:
        return sorted(path.relative_to(self.root).as_posix() for path in (self.root / "notebooks").glob(LESSON_GLOB))

    def pytest(self, jobs: int, *args: str) -> List[str]:
        return [str(self.venv_python), "-m", "pytest", "-n", str(jobs), "--dist", "loadfile", *args]

    def commands(self, subcommand: str, options: argparse.Namespace) -> List[List[str]]:
        """What a subcommand runs once .venv is installed."""
        py = str(self.venv_python)
        unit = ("--doctest-modules", "course_utils", "tests")
        if subcommand == "lab":
            return [[py, "tools/start_lab.py", "--host", options.host, "--port", str(options.port)]]
        if subcommand == "test":
            return [self.pytest(options.jobs, *unit, *NBVAL_ARGS, *self.lessons())]
        if subcommand == "test-unit":
            return [self.pytest(options.jobs, *unit)]
        if subcommand == "test-notebooks":
            return [self.pytest(options.jobs, *NBVAL_ARGS, *self.lessons())]
        if subcommand == "execute":
            lessons = options.lesson or []
            return [[py, "tools/execute_notebooks.py", *lessons], [py, "tools/make_student.py", *lessons]]
        if subcommand == "bench":
            return [[py, "tools/benchmark.py", *options.bench_args]]
        if subcommand == "class-link":
            chosen = [("--hub", options.hub), ("--repo", options.repo), ("--branch", options.branch)]
            return [[py, "tools/class_link.py", *[part for flag, value in chosen if value for part in (flag, value)]]]
        if subcommand == "bench-class":
            return [[py, "tools/class_bench.py", "--learners", str(options.learners)]]
        if subcommand in ("assignments", "class-release"):
            script = {"assignments": "tools/make_assignments.py", "class-release": "tools/class_release.py"}
            return [[py, script[subcommand]]]
        scripts = {"student": ["tools/make_student.py"], "figures": ["tools/make_figures.py"],
                   "bench-widgets": ["tools/bench_widgets.py"], "site": ["tools/build_site.py"],
                   "slides": ["tools/slides.py"]}
        return [[py, *scripts[subcommand]]]

    # Running them ----------------------------------------------------------------------------
    def show(self, command: Sequence[str], note: str = "") -> None:
        """Print a command as the learner's shell would take it, with paths inside the checkout made relative."""
        root = str(self.root) + os.sep
        shown = [part[len(root):] if part.startswith(root) else part for part in command]
        line = subprocess.list2cmdline(shown) if os.name == "nt" else shlex.join(shown)
        print(line + note, flush=True)

    def run(self, command: Sequence[str], log: Optional[Path] = None, append: bool = False) -> int:
        """Run one command in the checkout (argument list, no shell); its output to the terminal or to ``log``."""
        if log is None:
            process = subprocess.Popen(list(command), cwd=str(self.root))
            return self.wait(process)
        with open(log, "a" if append else "w", encoding="utf-8") as output:
            process = subprocess.Popen(list(command), cwd=str(self.root), stdout=output, stderr=subprocess.STDOUT)
            return self.wait(process)

    @staticmethod
    def wait(process: subprocess.Popen) -> int:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                # Ctrl+C reached the child too (same console); let it shut down its own way (JupyterLab asks).
                continue

    def install_reason(self) -> Optional[str]:
        """Why .venv needs the pinned install now (``None`` when the stamp is newer than every pin file)."""
        if not self.stamp.exists():
            return "not installed yet"
        installed = self.stamp.stat().st_mtime_ns
        newer = [name for name in PIN_FILES if (self.root / name).stat().st_mtime_ns > installed]
        return "changed since the last install: " + ", ".join(newer) if newer else None

    def install(self, cpu_index: bool, reinstall: bool = False) -> int:
        """Create .venv if missing, then install the pins when a pin file changed (or ``reinstall``)."""
        if not self.venv_python.exists():
            create = [self.python, "-m", "venv", str(self.venv)]
            if self.dry_run:
                self.show(create)
            else:
                status = self.run(create)
                if status:
                    return status
        reason = self.install_reason()
        if reason is None and not reinstall:
            return 0
        log = self.pip_log.relative_to(self.root).as_posix()
        print("Installing the pinned packages into .venv (a few minutes the first time; log: {}) ...".format(log),
              flush=True)
        for number, command in enumerate(self.pip_commands(cpu_index)):
            if self.dry_run:
                self.show(command, "   >{} {}".format(">" if number else "", log))
                continue
            if self.run(command, log=self.pip_log, append=number > 0):
                lines = self.pip_log.read_text(encoding="utf-8", errors="replace").splitlines()
                print("\n".join(lines[-PIP_LOG_TAIL_LINES:]), file=sys.stderr)
                print("pip failed; the whole log is in {}".format(log), file=sys.stderr)
                return 1
        check = [str(self.venv_python), "-c", IMPORT_CHECK]
        if self.dry_run:
            self.show(check)
            return 0
        status = self.run(check)
        if status == 0:
            self.stamp.touch()
        return status

    def clean_venv(self) -> int:
        if self.dry_run:
            print("delete {}".format(self.venv), flush=True)
            return 0
        running_from_venv = os.path.normcase(os.path.realpath(sys.prefix)) == \
            os.path.normcase(os.path.realpath(self.venv))
        if os.name == "nt" and running_from_venv:
            print("Run clean-venv with the Python 3.11 you installed, not .venv's own (Windows cannot delete "
                  "a running program): py -3.11 course.py clean-venv", file=sys.stderr)
            return 1
        if self.venv.exists():
            # Windows marks some files in a venv read-only; rmtree cannot delete those without help.
            def make_writable_and_retry(function, path, _):
                os.chmod(path, stat.S_IWRITE)
                function(path)

            shutil.rmtree(self.venv, onerror=make_writable_and_retry)
        return 0


# -- the command line ------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="course.py", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The Convolutions workbook. Each subcommand is also a make target (make lab = "
                    "python course.py lab).",
        epilog="\n".join("  {:<15} {}".format(name, text) for name, text in SUBCOMMANDS.items()))
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    setup = argparse.ArgumentParser(add_help=False)
    setup.add_argument("--skip-install", action="store_true",
                       help="use .venv as it is, without checking that the pins are installed")
    setup.add_argument("--reinstall", action="store_true",
                       help="run the pinned install even if no pin file changed since the last one")
    setup.add_argument("--pytorch-cpu-index", metavar="0|1", default=os.environ.get("PYTORCH_CPU_INDEX"),
                       help="1: take torch from PyTorch's CPU-only wheel index (Linux; PyPI's is the CUDA build); "
                            "default: the PYTORCH_CPU_INDEX environment variable")
    subparsers = top.add_subparsers(dest="subcommand", metavar="subcommand", required=True)
    for name, text in SUBCOMMANDS.items():
        parents = [common] if name in ("help", "clean-venv") else [common, setup]
        sub = subparsers.add_parser(name, help=text, description=text, parents=parents)
        if name == "lab":
            sub.add_argument("--host", default="127.0.0.1")
            sub.add_argument("--port", type=int, default=8888)
        elif name.startswith("test"):
            sub.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers (default 2)")
        elif name == "class-link":
            sub.add_argument("--hub", help="the hub's public address, e.g. https://hub.example.org")
            sub.add_argument("--repo", help="the repository learners pull (default: this checkout's origin)")
            sub.add_argument("--branch", help="its branch (default: the current branch)")
        elif name == "bench-class":
            sub.add_argument("--learners", type=int, default=4, help="learners at once (default 4)")
        elif name == "execute":
            sub.add_argument("--lesson", action="append", metavar="NN_topic",
                             help="only this lesson (repeat for more); default: every lesson")
    return top


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The options; for ``bench``, everything argparse does not know (and all after ``--``) goes to the benchmark."""
    argv = list(argv)
    after_separator: List[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, after_separator = argv[:cut], argv[cut + 1:]
    top = parser()
    options, unknown = top.parse_known_args(argv)
    if options.subcommand != "bench" and (unknown or after_separator):
        top.error("unrecognized arguments: " + " ".join(unknown + after_separator))
    options.bench_args = unknown + after_separator
    return options


def main(argv: Optional[Sequence[str]] = None, root: Path = ROOT) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    wanted = next((arg for arg in argv if arg in SUBCOMMANDS), "lab")
    problem = python_version_problem(subcommand=wanted)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    options = parse(argv)
    if options.subcommand == "help":
        print("python course.py SUBCOMMAND (or: make SUBCOMMAND)\n")
        for name, text in SUBCOMMANDS.items():
            print("  {:<15} {}".format(name, text))
        return 0
    course = Course(root, dry_run=options.dry_run)
    if options.subcommand == "clean-venv":
        return course.clean_venv()
    try:
        cpu_index = pytorch_cpu_index(options.pytorch_cpu_index)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if not options.skip_install:
        status = course.install(cpu_index, reinstall=options.reinstall)
        if status:
            return status
    if options.subcommand == "install":
        return 0
    for command in course.commands(options.subcommand, options):
        if options.dry_run or options.subcommand != "lab":
            course.show(command)
        if not options.dry_run:
            status = course.run(command)
            if status:
                return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
