"""The nbval set-up used by `make test` really fails when an output changes.

A tiny notebook is written with stored outputs and checked with the same nbval
options as the lessons, once as stored (must pass) and once tampered (must fail).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def notebook_with_output(source: str, stored_text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored_text)]
    nb.cells.append(cell)
    return nb


CASES = {
    # name: (cell source, stored stdout, should nbval pass?)
    "same": ("print(6 * 7)", "42\n", True),
    "changed": ("print(6 * 7)", "43\n", False),
    # Float round-off in an agreement line is sanitized, other numbers are not.
    "roundoff_sanitized": ("print('JAX max |diff| = 1.2e-07')", "JAX max |diff| = 4.8e-07\n", True),
    "other_number": ("print('mean = 1.2e-07')", "mean = 4.8e-07\n", False),
    "address_sanitized": ("print(hex(id(object())))", "0x7f0000000000\n", True),
}


@pytest.fixture(scope="module")
def nbval_outcomes(tmp_path_factory) -> dict[str, bool]:
    """Run nbval once over one probe notebook per case; return {case: passed}."""
    folder = tmp_path_factory.mktemp("nbval_probes")
    for name, (source, stored, _) in CASES.items():
        nbformat.write(notebook_with_output(source, stored), folder / f"{name}.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", f"--rootdir={folder}", "--nbval",
         "--nbval-current-env",
         "--nbval-sanitize-with", str(SANITIZE), *sorted(str(p.name) for p in folder.glob("*.ipynb"))],
        cwd=folder, capture_output=True, text=True, timeout=300,
    )
    outcomes = {}
    for line in result.stdout.splitlines():
        for status in ("PASSED", "FAILED"):
            if line.startswith(status + " "):
                outcomes[line.split()[1].split(".ipynb")[0]] = status == "PASSED"
    assert set(outcomes) == set(CASES), result.stdout[-3000:]
    return outcomes


@pytest.mark.parametrize("case", list(CASES))
def test_nbval_compares_outputs(nbval_outcomes, case):
    should_pass = CASES[case][2]
    assert nbval_outcomes[case] == should_pass, f"nbval {'failed' if should_pass else 'passed'} on case {case!r}"
