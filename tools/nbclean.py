"""Strip volatile metadata from an executed notebook while keeping its outputs.

Used by ``make execute`` after every run and by the hygiene tests, which check
that a stored notebook is already clean (cleaning it again changes nothing).
"""
from __future__ import annotations

import copy

import nbformat

#: The kernelspec every lesson carries, so JupyterLab opens it without asking.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

#: The language_info ipykernel reports for the course's Python 3.11. JupyterLab 4.6 writes the kernel's
#: language_info into a notebook as soon as the kernel starts, and marks the notebook modified when it
#: differs from the stored one, so autosave would rewrite every lesson opened. Storing exactly what it
#: writes keeps an opened lesson unmodified. Only the patch version can differ between machines; it is a
#: constant here (the interpreter the lessons are executed with), never read from the running Python,
#: and `make lab` saves other 3.11 patch versions back as this one (tools/start_lab.py).
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11.7",
}

#: Cell metadata worth keeping: tags (nbval markers), slide types, a figure's alt text (tools/build_site.py). Timestamps,
#: UI state and jupytext's spacing hints are dropped.
KEPT_CELL_METADATA = ("tags", "slideshow", "nbval", "alt")


def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` with only stable metadata and deterministic cell ids."""
    nb = copy.deepcopy(nb)
    nb.metadata = nbformat.from_dict(
        {"kernelspec": dict(KERNELSPEC), "language_info": copy.deepcopy(LANGUAGE_INFO)}
    )
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:03d}"
        cell.metadata = nbformat.from_dict(
            {key: cell.metadata[key] for key in KEPT_CELL_METADATA if key in cell.metadata}
        )
        if cell.cell_type == "code":
            for output in cell.outputs:
                # Widget views carry a fresh model id every run; the widget's first
                # frame is stored as a separate image output by the lessons.
                output.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb
