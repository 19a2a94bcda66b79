"""What is installed, compared with what the course pins: the environment check of lesson 00."""
from __future__ import annotations

import platform
import re
from importlib import metadata
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

#: (display name, distribution name) of the packages a learner's set-up must get right.
CHECKED_PACKAGES = [
    ("NumPy", "numpy"),
    ("MXNet", "mxnet"),
    ("PyTorch", "torch"),
    ("JAX", "jax"),
    ("jaxlib", "jaxlib"),
    ("matplotlib", "matplotlib"),
    ("ipywidgets", "ipywidgets"),
]

#: Packages the course runs without: MXNet 1.9.1 has no wheel for macOS or Windows, and there
#: every lesson skips its MXNet cells (course_utils.frameworks), so its absence is no mismatch.
OPTIONAL_PACKAGES = ("MXNet",)
NOT_INSTALLED = "not installed"

_PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s#;]+)")


class VersionRow(NamedTuple):
    name: str
    installed: str
    pinned: str

    @property
    def ok(self) -> bool:
        if self.absent_but_optional:
            return True
        # A local build tag such as torch's "+cpu" still satisfies the pin.
        return self.installed.split("+")[0] == self.pinned

    @property
    def absent_but_optional(self) -> bool:
        return self.installed == NOT_INSTALLED and self.name in OPTIONAL_PACKAGES


def read_pins(requirements: Path) -> Dict[str, str]:
    """``{distribution name (lower case): version}`` for every ``name==version`` line of a pip file."""
    requirements = Path(requirements)
    if not requirements.is_file():
        raise ValueError(f"requirements must be an existing pip requirements file; got {str(requirements)!r}")
    pins = {}
    for line in requirements.read_text().splitlines():
        match = _PIN.match(line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def installed_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED


#: The course's pip file, found beside the package in the repository (``pip install -e .``).
DEFAULT_REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"


def version_rows(requirements: Optional[Path] = None) -> List[VersionRow]:
    """Python and the checked packages, each with its installed and pinned version.

    ``requirements`` defaults to the repository's ``requirements.txt``; a package
    without a pin there shows "?". Python is compared on major.minor (the course
    pins 3.11, not a patch release).
    """
    if requirements is None and DEFAULT_REQUIREMENTS.is_file():
        requirements = DEFAULT_REQUIREMENTS
    pins = read_pins(requirements) if requirements is not None else {}
    rows = [VersionRow("Python", ".".join(platform.python_version_tuple()[:2]), "3.11")]
    for display, distribution in CHECKED_PACKAGES:
        rows.append(VersionRow(display, installed_version(distribution), pins.get(distribution, "?")))
    return rows


def format_version_table(rows: List[VersionRow]) -> str:
    """A plain-text table (stable across runs, so notebooks can store it)."""
    header = ("package", "installed", "pinned", "")
    lines = [header] + [(r.name, r.installed, r.pinned,
                         "optional" if r.absent_but_optional else "ok" if r.ok else "MISMATCH") for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines]
    text.insert(1, "  ".join("-" * w for w in widths[:3]))
    return "\n".join(text)
