"""Small plotting helpers shared by the lessons.

One convention everywhere: arrays that can be negative (kernels, differences)
use a diverging colour map centred at zero, so white means zero and red/blue
mean positive/negative; non-negative magnitudes use viridis. Small arrays carry
their numbers in the cells so a reader can check the arithmetic by eye.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from .arrays import to_numpy

__all__ = ["show_array", "show_row"]

#: Arrays with at most this many cells get their numbers written in them.
MAX_ANNOTATED_CELLS = 64


def show_array(ax: Any, array: Any, title: str, *, signed: Optional[bool] = None, annotate: Optional[bool] = None,
               fmt: str = "{:g}", colorbar: bool = True):
    """Draw a 1-D or 2-D ``array`` as an image on ``ax`` and return the image.

    Parameters
    ----------
    ax : matplotlib Axes
        Where to draw.
    array : (n,) or (h, w) array_like
        The values; a 1-D array is drawn as a single row.
    title : str
        The axes title (required: every figure in the course has one).
    signed : bool, optional
        True: diverging 'RdBu_r' map centred at zero (``vmin = -vmax``).
        False: viridis. Default: signed when the array has a negative value.
    annotate : bool, optional
        Write each value in its cell; default when the array has at most
        :data:`MAX_ANNOTATED_CELLS` cells.
    fmt : str
        Format of the written values.
    colorbar : bool
        Add a colour bar next to the image.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 2))
    >>> show_array(ax, [[-1, 2], [3, 0]], "demo").get_cmap().name
    'RdBu_r'
    >>> plt.close(fig)
    """
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string; got {title!r}")
    values = np.asarray(to_numpy(array, "array"), dtype=float)
    if values.ndim == 1:
        values = values[None, :]
    if values.ndim != 2 or values.size == 0:
        raise ValueError(f"array must be a non-empty 1-D or 2-D array; got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("array must hold only finite values (no NaN or inf)")
    if signed is None:
        signed = bool(np.any(values < 0))
    if annotate is None:
        annotate = values.size <= MAX_ANNOTATED_CELLS

    if signed:
        vmax = float(np.max(np.abs(values))) or 1.0
        image = ax.imshow(values, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    else:
        image = ax.imshow(values, cmap="viridis")
    ax.set_title(title)
    ax.set_xticks(range(values.shape[1]))
    ax.set_yticks(range(values.shape[0]))
    if annotate:
        normed = image.norm(values)
        for (i, j), value in np.ndenumerate(values):
            # dark text on light cells, light text on dark ones
            light = 0.25 < normed[i, j] < 0.75 if signed else normed[i, j] > 0.6
            ax.text(j, i, fmt.format(value), ha="center", va="center", color="black" if light else "white")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return image


def show_row(arrays: Sequence[Any], titles: Sequence[str], suptitle: str, *, signed: Optional[bool] = None,
             annotate: Optional[bool] = None, fmt: str = "{:g}", colorbar: bool = True,
             panel_size: float = 3.0):
    """Draw several arrays side by side with :func:`show_array`; return the figure.

    The usual lesson figure: input | kernel | output. ``signed`` and ``annotate``
    apply to every panel (default: decided per panel). Call ``plt.show()`` after.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = show_row([[[1, 2]], [[-1, 1]]], ["input", "kernel"], "demo")
    >>> [ax.get_title() for ax in fig.axes if ax.get_title()]
    ['input', 'kernel']
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    if isinstance(arrays, (str, bytes)) or not hasattr(arrays, "__len__"):
        raise TypeError(f"arrays must be a list of arrays; got {type(arrays).__name__}")
    if isinstance(titles, str) or len(titles) != len(arrays):
        raise ValueError(f"titles must be a list with one title per array; got {titles!r} for {len(arrays)} arrays")
    if len(arrays) == 0:
        raise ValueError("arrays must hold at least one array; got an empty list")
    if not isinstance(suptitle, str) or not suptitle.strip():
        raise ValueError(f"suptitle must be a non-empty string; got {suptitle!r}")
    fig, axes = plt.subplots(1, len(arrays), figsize=(panel_size * len(arrays) + 0.5, panel_size), squeeze=False)
    for ax, array, title in zip(axes[0], arrays, titles):
        show_array(ax, array, title, signed=signed, annotate=annotate, fmt=fmt, colorbar=colorbar)
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
