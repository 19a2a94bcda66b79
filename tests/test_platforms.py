"""The pinned requirements install, as binary wheels, on every platform the README calls supported.

pip resolves only for the machine it runs on, so uv (pinned in requirements.txt) resolves the pins for
each platform of the README's "Platforms" table against PyPI, evaluating the environment markers for
that platform: MXNet must be in the resolution on Linux and nowhere else, every other pin everywhere.
Platforms the README sends to the container route must keep failing for the reason it gives. The
README's table is compared both with the markers (offline) and with the resolutions.

When PyPI cannot be reached the resolution tests skip and say so; any other uv failure fails.
``python tests/test_platforms.py`` prints the table the resolutions give, in the README's layout.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import pytest
# pytest's own dependency; it evaluates markers the way pip does, for any platform's variables.
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
NODEPS = ROOT / "requirements-nodeps.txt"
README = ROOT / "README.md"

PYPI = "https://pypi.org/simple"
#: The one exception to "binary wheels only": pure-Python packages that PyPI has as source only, which pip
#: builds on any platform without a compiler. onetimepass 1.0.1 (no wheel) is required by
#: jupyterhub-nativeauthenticator, the classroom hub's login (classroom/jupyterhub_config.py).
SOURCE_ONLY_PURE_PYTHON = ("onetimepass",)
# uv reads the package pages from the first host and the wheels' metadata from the second.
REGISTRY_HOSTS = ("pypi.org", "files.pythonhosted.org")
YES, NO = "✅", "❌"


@dataclass(frozen=True)
class Platform:
    readme_name: str  # the first cell of its row in the README's table
    uv_target: str  # uv's --python-platform
    sys_platform: str
    platform_machine: str
    # torch 2.13.0's only macOS wheel is macosx_14_0_arm64; uv assumes 13.0 unless told.
    macos_deployment_target: Optional[str] = None

    @property
    def markers(self) -> Dict[str, str]:
        """The marker variables pip sees on this platform (the rest are Python's, the same everywhere)."""
        system = {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[self.sys_platform]
        return {"sys_platform": self.sys_platform, "platform_system": system,
                "platform_machine": self.platform_machine, "os_name": "nt" if system == "Windows" else "posix"}

    @property
    def is_linux(self) -> bool:
        return self.sys_platform == "linux"


LINUX_X86_64 = Platform("Linux x86_64", "x86_64-unknown-linux-gnu", "linux", "x86_64")
LINUX_AARCH64 = Platform("Linux aarch64", "aarch64-unknown-linux-gnu", "linux", "aarch64")
MACOS_ARM64 = Platform("macOS 14 or newer, Apple Silicon (arm64)", "aarch64-apple-darwin", "darwin", "arm64",
                       macos_deployment_target="14.0")
WINDOWS_X86_64 = Platform("Windows x86_64", "x86_64-pc-windows-msvc", "win32", "AMD64")
SUPPORTED = (LINUX_X86_64, LINUX_AARCH64, MACOS_ARM64, WINDOWS_X86_64)

MACOS_INTEL = Platform("macOS on Intel (x86_64)", "x86_64-apple-darwin", "darwin", "x86_64",
                       macos_deployment_target="14.0")
# Not a README row: the reason the README says "macOS 14 or newer".
MACOS_13_ARM64 = Platform("macOS 13, Apple Silicon", "aarch64-apple-darwin", "darwin", "arm64",
                          macos_deployment_target="13.0")

# The README table's library columns, found by a word of their header, and the pins each stands for.
# The first column ("NumPy, SciPy, JupyterLab and the rest") stands for every pin the others do not name.
LIBRARY_COLUMNS: Dict[str, Tuple[str, ...]] = {
    "PyTorch": ("torch",),
    "JAX": ("jax", "jaxlib", "flax"),
    "MXNet": ("mxnet",),
}
REST_COLUMN = "NumPy"
LESSONS_COLUMN = "lessons"
ALL_FOUR = "all four libraries"
MXNET_SKIPPED = "MXNet cells are skipped with a note"


# -- the pins ----------------------------------------------------------------------------------
def pins(path: Path) -> Dict[str, Requirement]:
    """Every requirement of a pip file by canonical name (tests/test_environment.py checks the format)."""
    requirements = {}
    for line in path.read_text().splitlines():
        code = line.partition("#")[0].strip()
        if code:
            requirement = Requirement(code)
            requirements[canonicalize_name(requirement.name)] = requirement
    return requirements


def pinned_version(requirement: Requirement) -> str:
    (specifier,) = requirement.specifier
    return specifier.version


def applies(requirement: Requirement, platform: Platform) -> bool:
    return requirement.marker is None or requirement.marker.evaluate(platform.markers)


def column_packages(column: str) -> Tuple[str, ...]:
    if column != REST_COLUMN:
        return LIBRARY_COLUMNS[column]
    named = {name for names in LIBRARY_COLUMNS.values() for name in names}
    return tuple(name for name in {**pins(REQUIREMENTS), **pins(NODEPS)} if name not in named)


# -- resolving with uv -------------------------------------------------------------------------
# uv's error chain for a registry it could not connect to (no DNS, refused, timed out, no route). A
# certificate uv does not trust, an unknown package or a missing wheel are failures, not skips.
UNREACHABLE = re.compile(r"dns error|tcp connect error|connection refused|connection reset|timed out|"
                         r"network is unreachable|no route to host", re.IGNORECASE)


def unreachable_reason(uv_stderr: str) -> Optional[str]:
    """Why uv could not reach the registry, from its error output; ``None`` for any other failure."""
    if "certificate" in uv_stderr.lower():
        return None
    for line in uv_stderr.splitlines():
        if UNREACHABLE.search(line):
            return f"the package registry cannot be reached (uv: {line.strip().removeprefix('cause: ')})"
    return None


def probe_registry(hosts=REGISTRY_HOSTS, port: int = 443, timeout: float = 10.0) -> Optional[str]:
    """``None`` if a TCP connection to ``port`` of each host opens, else why not (fast when offline)."""
    for host in hosts:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
        except OSError as error:
            return f"the package registry cannot be reached ({host}:{port}: {error})"
    return None


def pip_certificate() -> Optional[str]:
    """The CA bundle pip is configured with (PIP_CERT or `pip config`), if any."""
    if os.environ.get("PIP_CERT"):
        return os.environ["PIP_CERT"]
    listing = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True)
    for line in listing.stdout.splitlines():
        key, _, value = line.partition("=")
        if key.endswith(".cert"):
            return value.strip().strip("'\"")
    return None


def uv_binary() -> str:
    # The uv wheel pinned in requirements.txt ships its binary with a finder; a missing uv is a
    # broken install (make install adds it), so it fails rather than skips.
    from uv import find_uv_bin

    return find_uv_bin()


@dataclass
class Resolution:
    platform: Platform
    requirements: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    packages: Dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def uv_compile(requirements: Path, platform: Platform, cache_dir: Path, *, no_deps: bool = False,
               index: str = PYPI, certificate: Optional[str] = None,
               extra_env: Optional[Dict[str, str]] = None) -> Resolution:
    """``uv pip compile`` of a pip file for Python 3.11 on ``platform``, from binary wheels only."""
    command = [
        uv_binary(), "pip", "compile", str(requirements),
        "--python", sys.executable, "--python-version", "3.11", "--python-platform", platform.uv_target,
        "--only-binary", ":all:", *[part for name in SOURCE_ONLY_PURE_PYTHON for part in ("--no-binary", name)],
        "--default-index", index,
        # Only what this test says: no uv.toml or UV_* settings of the machine (another index, say).
        "--no-config", "--no-python-downloads", "--cache-dir", str(cache_dir),
        "--quiet", "--no-header", "--no-annotate",
    ]
    if no_deps:
        command.append("--no-deps")
    # uv does not read pip's configuration; give it pip's CA bundle, else the system's certificates
    # (what pip uses without a configured bundle).
    command += ["--cert", certificate] if certificate else ["--system-certs"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("UV_")}
    env.pop("MACOSX_DEPLOYMENT_TARGET", None)
    if platform.macos_deployment_target:
        env["MACOSX_DEPLOYMENT_TARGET"] = platform.macos_deployment_target
    env.update(extra_env or {})
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    resolution = Resolution(platform, requirements, completed.returncode, completed.stdout, completed.stderr,
                            time.perf_counter() - start)
    for line in completed.stdout.splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)", line)
        if match:
            resolution.packages[canonicalize_name(match.group(1))] = match.group(2)
    return resolution


Resolver = Callable[..., Resolution]


@pytest.fixture(scope="module")
def resolve(request, tmp_path_factory) -> Resolver:
    """Resolves a pip file for a platform once per test module; skips everything if PyPI is unreachable."""
    reason = probe_registry()
    if reason:
        pytest.skip(reason)
    # pytest's cache folder keeps uv's cache between runs (about 25 MB of index pages and wheel
    # metadata); without the cache plugin a temporary folder does.
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    cache_dir = cache.mkdir("uv-cache") if cache is not None else tmp_path_factory.mktemp("uv-cache")
    certificate = pip_certificate()
    done: Dict[Tuple[Path, Platform, bool], Resolution] = {}

    def resolve_once(requirements: Path, platform: Platform, *, no_deps: bool = False) -> Resolution:
        key = (requirements, platform, no_deps)
        if key not in done:
            resolution = uv_compile(requirements, platform, cache_dir, no_deps=no_deps, certificate=certificate)
            reason = None if resolution.ok else unreachable_reason(resolution.stderr)
            if reason:
                pytest.skip(reason)
            done[key] = resolution
        return done[key]

    return resolve_once


def failure_message(resolution: Resolution) -> str:
    return (f"{resolution.requirements.name} does not resolve for {resolution.platform.readme_name} "
            f"({resolution.platform.uv_target}) from binary wheels:\n{resolution.stderr}")


# -- the README's table --------------------------------------------------------------------------
def readme_platform_table(readme: str) -> Tuple[List[str], Dict[str, List[str]]]:
    """(header cells, {first cell: row cells}) of the first table under the README's "## Platforms"."""
    match = re.search(r"^## Platforms\n(.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no '## Platforms' section"
    table = []
    for line in match.group(1).splitlines():
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif table:
            break
    assert len(table) > 2, "the README's Platforms section has no table"
    header, rows = table[0], table[2:]  # table[1] is the |---| line
    return header, {row[0]: row for row in rows}


def column_index(header: List[str], word: str) -> int:
    matches = [index for index, cell in enumerate(header) if word.lower() in cell.lower()]
    assert len(matches) == 1, f"the README's Platforms table needs one column whose header names {word!r}: {header}"
    return matches[0]


def readme_cell(platform: Platform, column: str, readme: Optional[str] = None) -> str:
    header, rows = readme_platform_table(README.read_text() if readme is None else readme)
    assert platform.readme_name in rows, (
        f"the README's Platforms table has no row {platform.readme_name!r}; rows: {list(rows)}")
    return rows[platform.readme_name][column_index(header, column)]


def symbol(cell: str) -> str:
    assert cell.startswith((YES, NO)), f"a library cell must start with {YES} or {NO}: {cell!r}"
    return cell[0]


def resolved_cell(resolutions: List[Resolution], column: str) -> str:
    """{YES} when every pin of the column that applies is in the resolutions at its version, {NO} when none is."""
    resolved = {name: version for resolution in resolutions for name, version in resolution.packages.items()}
    all_pins = {**pins(REQUIREMENTS), **pins(NODEPS)}
    present = [resolved.get(name) == pinned_version(all_pins[name]) for name in column_packages(column)]
    if all(present):
        return YES
    if not any(present):
        return NO
    return "mixed: " + ", ".join(name for name, ok in zip(column_packages(column), present) if not ok) + " missing"


def lessons_cell(mxnet_installs: bool) -> str:
    return ALL_FOUR if mxnet_installs else MXNET_SKIPPED


def platform_rows(resolve: Resolver) -> List[Tuple[Platform, Dict[str, str]]]:
    """Each supported platform's cells as the resolutions give them (the README's table must match)."""
    rows = []
    for platform in SUPPORTED:
        resolutions = [resolve(REQUIREMENTS, platform), resolve(NODEPS, platform, no_deps=True)]
        for resolution in resolutions:
            assert resolution.ok, failure_message(resolution)
        cells = {column: resolved_cell(resolutions, column) for column in (REST_COLUMN, *LIBRARY_COLUMNS)}
        cells[LESSONS_COLUMN] = lessons_cell(cells["MXNet"] == YES)
        rows.append((platform, cells))
    return rows


def format_rows(rows: List[Tuple[Platform, Dict[str, str]]]) -> str:
    columns = (REST_COLUMN, *LIBRARY_COLUMNS, LESSONS_COLUMN)
    lines = ["| platform | " + " | ".join(columns) + " |", "|" + "---|" * (len(columns) + 1)]
    lines += [f"| {platform.readme_name} | " + " | ".join(cells[c] for c in columns) + " |" for platform, cells in rows]
    return "\n".join(lines)


# -- offline: markers and README agree -------------------------------------------------------------
def test_mxnet_marker_selects_exactly_the_linux_platforms():
    mxnet = pins(REQUIREMENTS)["mxnet"]
    selected = [platform.readme_name for platform in (*SUPPORTED, MACOS_INTEL) if applies(mxnet, platform)]
    assert selected == [LINUX_X86_64.readme_name, LINUX_AARCH64.readme_name]
    # Every other pin installs everywhere.
    for name, requirement in {**pins(REQUIREMENTS), **pins(NODEPS)}.items():
        if name != "mxnet":
            assert requirement.marker is None, f"{name} has a marker the README's table does not describe"


@pytest.mark.parametrize("platform", SUPPORTED, ids=lambda platform: platform.uv_target)
def test_readme_matrix_agrees_with_the_mxnet_marker(platform):
    installs = applies(pins(REQUIREMENTS)["mxnet"], platform)
    assert symbol(readme_cell(platform, "MXNet")) == (YES if installs else NO)
    assert lessons_cell(installs) in readme_cell(platform, LESSONS_COLUMN)


def test_readme_sends_intel_macs_to_the_container_route():
    assert symbol(readme_cell(MACOS_INTEL, "PyTorch")) == NO
    assert "container" in readme_cell(MACOS_INTEL, LESSONS_COLUMN)


def test_readme_table_reader_sees_a_disagreement():
    readme = README.read_text()
    row = next(line for line in readme.splitlines() if line.startswith(f"| {WINDOWS_X86_64.readme_name} |"))
    flipped = readme.replace(row, row.replace(NO, YES, 1))
    assert symbol(readme_cell(WINDOWS_X86_64, "MXNet", flipped)) == YES != symbol(readme_cell(WINDOWS_X86_64, "MXNet"))


def test_unreachable_registry_is_told_apart_from_other_failures(tmp_path):
    # A real uv run against a closed local port: the error chain uv prints when it cannot connect.
    refused = uv_compile(REQUIREMENTS, LINUX_X86_64, tmp_path, index="http://127.0.0.1:9/simple",
                         extra_env={"UV_HTTP_RETRIES": "0"})
    assert refused.returncode != 0
    reason = unreachable_reason(refused.stderr)
    assert reason is not None and reason.startswith("the package registry cannot be reached (uv: "), refused.stderr
    no_wheel = ("error: No solution found when resolving dependencies\n  cause: Because torch==2.13.0 has no "
                "wheels with a matching platform tag (e.g., `macosx_14_0_x86_64`) and you require torch==2.13.0, "
                "we can conclude that your requirements are unsatisfiable.\n")
    untrusted = ("error: Request failed after 3 retries\n  cause: client error (Connect)\n"
                 "  cause: invalid peer certificate: UnknownIssuer\n")
    assert unreachable_reason(no_wheel) is None
    assert unreachable_reason(untrusted) is None
    # The probe that skips before any uv run, on a local port nothing listens on (9, discard).
    assert probe_registry(("127.0.0.1",), port=9, timeout=2).startswith(
        "the package registry cannot be reached (127.0.0.1:9: ")


# -- against PyPI --------------------------------------------------------------------------------
@pytest.mark.parametrize("platform", SUPPORTED, ids=lambda platform: platform.uv_target)
def test_pins_resolve_from_wheels(platform, resolve):
    resolution = resolve(REQUIREMENTS, platform)
    assert resolution.ok, failure_message(resolution)
    for name, requirement in pins(REQUIREMENTS).items():
        if applies(requirement, platform):
            assert resolution.packages.get(name) == pinned_version(requirement), (
                f"{name}: resolved {resolution.packages.get(name)}, pinned {pinned_version(requirement)}")
        else:
            assert name not in resolution.packages, f"{name} resolved for {platform.readme_name} despite its marker"
    assert ("mxnet" in resolution.packages) == platform.is_linux


@pytest.mark.parametrize("platform", SUPPORTED, ids=lambda platform: platform.uv_target)
def test_no_deps_pins_resolve_from_wheels(platform, resolve):
    resolution = resolve(NODEPS, platform, no_deps=True)
    assert resolution.ok, failure_message(resolution)
    assert resolution.packages == {name: pinned_version(r) for name, r in pins(NODEPS).items()}


@pytest.mark.parametrize("platform", [MACOS_INTEL, MACOS_13_ARM64], ids=lambda platform: platform.readme_name)
def test_unsupported_macs_fail_for_want_of_a_torch_wheel(platform, resolve):
    resolution = resolve(REQUIREMENTS, platform)
    assert not resolution.ok, f"{platform.readme_name} now resolves: the README's Platforms section is out of date"
    assert "torch==2.13.0 has no wheels with a matching platform tag" in resolution.stderr, resolution.stderr


def test_readme_matrix_matches_the_resolutions(resolve):
    rows = platform_rows(resolve)
    table = format_rows(rows)
    for platform, cells in rows:
        for column, expected in cells.items():
            shown = readme_cell(platform, column)
            if column == LESSONS_COLUMN:
                assert expected in shown, f"{platform.readme_name}, {column}: README {shown!r}\nresolved:\n{table}"
            else:
                assert symbol(shown) == expected, f"{platform.readme_name}, {column}: README {shown!r}\nresolved:\n{table}"


# -- the PyTorch CPU index switch ------------------------------------------------------------------
def run_course(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`course.py` with this Python, free of a PYTORCH_CPU_INDEX that the shell running pytest set."""
    clean = {key: value for key, value in os.environ.items() if key != "PYTORCH_CPU_INDEX"}
    return subprocess.run([sys.executable, str(ROOT / "course.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, env={**clean, **env})


def install_commands(*course_args: str, **env: str) -> List[str]:
    """The pip commands `course.py install` (and so `make install`) runs after a requirements change."""
    completed = run_course("install", "--reinstall", "--dry-run", *course_args, **env)
    assert completed.returncode == 0, completed.stderr
    return [line for line in completed.stdout.splitlines() if " -m pip install " in line]


def test_pytorch_cpu_index_is_added_to_the_pinned_install_only_when_asked():
    cpu_index = "--extra-index-url https://download.pytorch.org/whl/cpu"
    default = install_commands()
    asked = install_commands("--pytorch-cpu-index", "1")
    assert len(default) == len(asked) == 3
    pinned_install = [line for line in asked if "-r requirements.txt" in line]
    assert len(pinned_install) == 1 and cpu_index in pinned_install[0]
    assert sum(cpu_index in line for line in asked) == 1, "only the requirements.txt install needs torch's index"
    assert not any("download.pytorch.org" in line
                   for line in default + install_commands("--pytorch-cpu-index", "0") + install_commands(PYTORCH_CPU_INDEX="0"))
    # The rest of the command is unchanged.
    assert [" ".join(line.replace(cpu_index, "").split()) for line in asked] == [" ".join(line.split()) for line in default]
    # The environment variable works too: `PYTORCH_CPU_INDEX=1 python3.11 course.py lab`, `PYTORCH_CPU_INDEX=1 make lab`.
    assert install_commands(PYTORCH_CPU_INDEX="1") == asked


def test_pytorch_cpu_index_refuses_a_value_it_would_ignore():
    for completed in (run_course("install", "--dry-run", "--pytorch-cpu-index", "yes"),
                      run_course("install", "--dry-run", PYTORCH_CPU_INDEX="yes")):
        assert completed.returncode != 0
        assert completed.stderr.strip() == \
            'PYTORCH_CPU_INDEX must be 1 (torch from PyTorch\'s CPU-only index) or 0; got "yes"'
        assert " -m pip install " not in completed.stdout


if __name__ == "__main__":
    # The table the README's "Platforms" section must agree with, straight from the resolutions.
    import tempfile

    unreachable = probe_registry()
    if unreachable:
        sys.exit(unreachable)
    with tempfile.TemporaryDirectory() as cache:
        certificate = pip_certificate()

        def resolve_now(requirements, platform, *, no_deps=False):
            return uv_compile(requirements, platform, Path(cache), no_deps=no_deps, certificate=certificate)

        print(format_rows(platform_rows(resolve_now)))
