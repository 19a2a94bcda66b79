"""The pip files and environment.yml pin the same versions, and the venv has them."""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from course_utils.environment import read_pins

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
NODEPS = ROOT / "requirements-nodeps.txt"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def conda_pip_pins() -> dict[str, str]:
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [entry["pip"] for entry in spec["dependencies"] if isinstance(entry, dict) and "pip" in entry]
    assert len(pip_sections) == 1, "environment.yml needs exactly one pip: section"
    pins = {}
    for line in pip_sections[0]:
        name, _, version = line.partition("==")
        assert version, f"environment.yml: {line!r} is not pinned with =="
        pins[normalise(name)] = version.strip()
    return pins


def test_environment_yml_matches_requirements():
    pip_pins = {normalise(k): v for k, v in read_pins(REQUIREMENTS).items()}
    assert conda_pip_pins() == pip_pins


def test_environment_yml_uses_conda_forge_and_python_311():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert spec["channels"] == ["conda-forge"]
    assert "python=3.11" in spec["dependencies"]


@pytest.mark.parametrize("path", [REQUIREMENTS, NODEPS], ids=lambda p: p.name)
def test_every_requirement_is_pinned_and_explained(path):
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        code = line.split("#", 1)[0].strip()
        if not code:
            continue
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[^\s=]+", code), f"{path.name}:{number} is not an exact pin: {line!r}"
        assert "#" in line and line.split("#", 1)[1].strip(), f"{path.name}:{number} has no comment saying why"


def test_torch_is_pinned_to_the_cpu_build():
    # An unpinned torch pulls a multi-GB CUDA build on these machines.
    assert read_pins(REQUIREMENTS)["torch"] == "2.13.0"


@pytest.mark.parametrize(
    "name, version",
    sorted({**read_pins(REQUIREMENTS), **read_pins(NODEPS)}.items()),
)
def test_installed_versions_match_pins(name, version):
    installed = metadata.version(name)
    assert installed.split("+")[0] == version, f"{name}: installed {installed}, pinned {version}"
