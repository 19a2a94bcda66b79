"""Run notebooks as on a machine without MXNet (macOS, Windows): shared by the two test files below.

The kernel starts with tests/blocked_mxnet first on its path, where ``import mxnet`` fails as
it does where no wheel exists. Each notebook runs top to bottom in a fresh kernel from a copy,
in its own folder (its relative links to ../images and lessons keep working); nothing is written
back.
"""
from __future__ import annotations

import os
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parents[1]
BLOCKED_MXNET = Path(__file__).resolve().parent / "blocked_mxnet"
SKIP_NOTE = "MXNet is not available here"


def run_without_mxnet(path: Path) -> nbformat.NotebookNode:
    """Execute the notebook at ``path`` with MXNet blocked; raises CellExecutionError on any error."""
    notebook = nbformat.read(path, as_version=4)
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BLOCKED_MXNET), saved]))
    try:  # the kernel inherits this process's environment when it starts
        client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                         resources={"metadata": {"path": str(path.parent)}})
        client.execute()
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
    return notebook


def mxnet_cells(notebook: nbformat.NotebookNode) -> list:
    return [cell for cell in notebook.cells
            if cell.cell_type == "code" and cell.source.lstrip().startswith("%%needs mxnet")]


def printed(cell) -> str:
    return "".join(output.get("text", "") for output in cell.outputs if output.get("output_type") == "stream")


def assert_runs_without_mxnet(path: Path) -> None:
    notebook = run_without_mxnet(path)
    guarded = mxnet_cells(notebook)
    for cell in guarded:
        assert printed(cell).startswith(SKIP_NOTE) and printed(cell).count("\n") == 1, (path.name, cell.source[:80])
        assert not any(o.get("output_type") in ("execute_result", "display_data") for o in cell.outputs)
    # any MXNet name used outside a guarded cell would have raised NameError above
    every_code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    if "mxnet" in every_code:
        assert guarded, f"{path.name} mentions MXNet but has no %%needs mxnet cell"
