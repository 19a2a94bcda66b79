"""The pip files and environment.yml pin the same versions for the same platforms, and the venv has them."""
from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
import yaml
# packaging is pytest's own dependency, so it is there whenever the tests run; it parses
# requirement lines (markers included) exactly as pip does.
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from course import PYTORCH_CPU_INDEX_URL
from course_utils.environment import read_pins

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
NODEPS = ROOT / "requirements-nodeps.txt"


def requirement_lines(path: Path) -> list[tuple[int, str, str]]:
    """(line number, requirement, comment) of every non-blank, non-comment line of a pip file."""
    lines = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        code, _, comment = line.partition("#")
        if code.strip():
            lines.append((number, code.strip(), comment.strip()))
    return lines


def pinned(requirement: str, where: str) -> tuple[str, tuple[str, str]]:
    """``(name, (version, marker))`` of an exact pin such as ``mxnet==1.9.1; sys_platform == "linux"``."""
    try:
        parsed = Requirement(requirement)
    except InvalidRequirement as error:
        pytest.fail(f"{where}: {requirement!r} is not a valid requirement: {error}")
    specifiers = list(parsed.specifier)
    assert not parsed.extras and parsed.url is None, f"{where}: {requirement!r} must be a plain name==version pin"
    assert len(specifiers) == 1 and specifiers[0].operator == "==" and "*" not in specifiers[0].version, (
        f"{where}: {requirement!r} is not an exact pin")
    # str() of a parsed marker is normalised (quotes, spacing), so equal conditions compare equal.
    return canonicalize_name(parsed.name), (specifiers[0].version, str(parsed.marker or ""))


def pip_file_pins(path: Path) -> dict[str, tuple[str, str]]:
    return dict(pinned(code, f"{path.name}:{number}") for number, code, _ in requirement_lines(path))


def conda_pip_lines() -> tuple[list[str], list[str]]:
    """``(options, requirements)`` of environment.yml's pip section: ``--`` lines are pip options."""
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [entry["pip"] for entry in spec["dependencies"] if isinstance(entry, dict) and "pip" in entry]
    assert len(pip_sections) == 1, "environment.yml needs exactly one pip: section"
    options = [line for line in pip_sections[0] if line.startswith("-")]
    return options, [line for line in pip_sections[0] if not line.startswith("-")]


def conda_pip_pins() -> dict[str, tuple[str, str]]:
    return dict(pinned(line, "environment.yml") for line in conda_pip_lines()[1])


def test_conda_environment_takes_torch_from_the_cpu_index():
    # Binder and the container route build from environment.yml with no variable to set, so the
    # CPU-only index is written into the file (course.py adds it only when PYTORCH_CPU_INDEX=1).
    options, _ = conda_pip_lines()
    assert options == [f"--extra-index-url {PYTORCH_CPU_INDEX_URL}"]


def test_environment_yml_matches_requirements():
    # Same names, versions and platform markers: a marker on one side only would install MXNet
    # where it has no wheel (and fail), or leave it out on Linux.
    assert conda_pip_pins() == pip_file_pins(REQUIREMENTS)


def test_pins_with_markers_are_read_with_their_marker():
    pins = pip_file_pins(REQUIREMENTS)
    version, marker = pins["mxnet"]
    assert version == "1.9.1"
    assert marker == 'sys_platform == "linux" and (platform_machine == "x86_64" or platform_machine == "aarch64")'
    assert pins["torch"] == ("2.13.0", "")
    # The lesson-00 version table reads the same file with course_utils' reader: the marker must not
    # leak into the version it shows.
    assert read_pins(REQUIREMENTS)["mxnet"] == "1.9.1"


def test_a_marker_on_one_side_only_is_a_disagreement(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("mxnet==1.9.1  # why\n")
    marked = tmp_path / "marked.txt"
    marked.write_text('mxnet==1.9.1; sys_platform == "linux"  # why\n')
    assert pip_file_pins(plain) != pip_file_pins(marked)
    # Quoting and spacing do not matter, the condition does.
    respaced = tmp_path / "respaced.txt"
    respaced.write_text("mxnet == 1.9.1 ; sys_platform=='linux'  # why\n")
    assert pip_file_pins(respaced) == pip_file_pins(marked)


def test_environment_yml_uses_conda_forge_and_python_311():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert spec["channels"] == ["conda-forge"]
    assert "python=3.11" in spec["dependencies"]


@pytest.mark.parametrize("path", [REQUIREMENTS, NODEPS], ids=lambda p: p.name)
def test_every_requirement_is_pinned_and_explained(path):
    lines = requirement_lines(path)
    assert lines, f"{path.name} has no requirements"
    for number, code, comment in lines:
        pinned(code, f"{path.name}:{number}")
        assert comment, f"{path.name}:{number} has no comment saying why: {code!r}"


def test_torch_is_pinned_to_the_cpu_build():
    # An unpinned torch pulls a multi-GB CUDA build on these machines.
    assert read_pins(REQUIREMENTS)["torch"] == "2.13.0"


def all_pins() -> list[tuple[str, str, str]]:
    pins = {**pip_file_pins(REQUIREMENTS), **pip_file_pins(NODEPS)}
    return [(name, version, marker) for name, (version, marker) in sorted(pins.items())]


@pytest.mark.parametrize("name, version, marker", all_pins(), ids=[pin[0] for pin in all_pins()])
def test_installed_versions_match_pins(name, version, marker):
    if marker and not Requirement(f"{name}; {marker}").marker.evaluate():
        pytest.skip(f"{name} is not installed on this platform (requirements.txt: {marker})")
    installed = metadata.version(name)
    assert installed.split("+")[0] == version, f"{name}: installed {installed}, pinned {version}"
