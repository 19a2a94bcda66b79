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

__all__ = ["plot_loss_curves", "show_array", "show_filter_rows", "show_image", "show_padded_array", "show_row"]

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


def show_padded_array(ax: Any, array: Any, padding: Any, title: str, *, value: float = 0.0,
                      signed: Optional[bool] = None, annotate: Optional[bool] = None, fmt: str = "{:g}",
                      colorbar: bool = True):
    """Draw ``array`` padded with ``value``: padding cells hatched, the original array outlined.

    ``padding`` is an int (all four sides), an ``(h, w)`` pair (top/bottom and
    left/right) or ``((top, bottom), (left, right))``, as in ``np.pad``; so
    asymmetric padding can be shown too. The padded array is drawn with
    :func:`show_array` (same colour conventions and keyword arguments), then
    every padding cell gets a grey hatch and the original cells a thick black
    frame. Returns the image.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(3, 3))
    >>> show_padded_array(ax, [[1, 2], [3, 4]], ((0, 1), (1, 0)), "padded").get_array().shape
    (3, 3)
    >>> plt.close(fig)
    """
    from matplotlib.patches import Rectangle

    from .arithmetic import as_padding_widths

    (top, bottom), (left, right) = as_padding_widths(padding)
    values = np.asarray(to_numpy(array, "array"), dtype=float)
    if values.ndim != 2 or values.size == 0:
        raise ValueError(f"array must be a non-empty 2-D array; got shape {values.shape}")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value):
        raise TypeError(f"value must be a finite number (the padding value); got {value!r}")
    padded = np.pad(values, ((top, bottom), (left, right)), mode="constant", constant_values=float(value))
    image = show_array(ax, padded, title, signed=signed, annotate=annotate, fmt=fmt, colorbar=colorbar)
    height, width = values.shape
    for (i, j), _ in np.ndenumerate(padded):
        if not (top <= i < top + height and left <= j < left + width):
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="0.6",
                                   linewidth=0))
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor="black", linewidth=2.5))
    return image


def plot_loss_curves(ax: Any, curves: Any, title: str, *, log_scale: bool = True, first_step: int = 0,
                     xlabel: str = "step", ylabel: str = "loss"):
    """Draw one or more loss histories on ``ax``, one line with markers per curve, and return the lines.

    ``curves`` maps a label (shown in the legend) to a 1-D sequence of losses;
    entry ``t`` is drawn at step ``first_step + t``. With ``log_scale`` (the
    default) the y axis is logarithmic, so a constant factor per step is a
    straight line (convergence falls, divergence rises) and every value must
    be positive. Curves may have different lengths.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(3, 2))
    >>> lines = plot_loss_curves(ax, {"run": [4.0, 2.0, 1.0]}, "halving")
    >>> ax.get_yscale(), list(lines[0].get_xdata())
    ('log', [0, 1, 2])
    >>> plt.close(fig)
    """
    from collections.abc import Mapping

    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string; got {title!r}")
    if not isinstance(curves, Mapping) or len(curves) == 0:
        raise TypeError(f"curves must be a non-empty dict of label -> losses; got {type(curves).__name__} {curves!r}")
    if isinstance(first_step, bool) or not isinstance(first_step, (int, np.integer)):
        raise TypeError(f"first_step must be an int; got {type(first_step).__name__} {first_step!r}")
    histories = {}
    for label, losses in curves.items():
        values = np.asarray(to_numpy(losses, f"curves[{label!r}]"), dtype=float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"curves[{label!r}] must be a non-empty 1-D sequence of losses; got shape {values.shape}")
        if not np.all(np.isfinite(values)):
            raise ValueError(f"curves[{label!r}] must hold only finite values (no NaN or inf)")
        if log_scale and np.any(values <= 0):
            raise ValueError(f"curves[{label!r}] must be positive on a log scale; its smallest value is "
                             f"{values.min():g} (pass log_scale=False)")
        histories[str(label)] = values
    markers = "osD^vP*X"
    lines = []
    for index, (label, values) in enumerate(histories.items()):
        steps = first_step + np.arange(values.size)
        (line,) = ax.plot(steps, values, marker=markers[index % len(markers)], markersize=4, label=label)
        lines.append(line)
    if log_scale:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return lines


def show_image(ax: Any, image: Any, title: str, *, kind: str = "gray", colorbar: Optional[bool] = None,
               rectangles: Optional[Any] = None, vmax: Optional[float] = None):
    """Draw a photograph-sized 2-D ``image`` (no ticks, no numbers) in the colour map its ``kind`` calls for.

    Parameters
    ----------
    ax : matplotlib Axes
        Where to draw.
    image : (h, w) array_like
        The values.
    title : str
        The axes title (required).
    kind : {"gray", "signed", "magnitude"}
        "gray": a photograph or a blurred/sharpened one, gray map, black = 0
        and white = 1 when every value lies in [0, 1], else the data range.
        "signed": values of both signs (an edge map), diverging 'RdBu_r'
        centred at zero. "magnitude": non-negative values (a gradient
        magnitude), viridis.
    colorbar : bool, optional
        Default: a colour bar for "signed" and "magnitude", none for "gray".
    rectangles : dict, optional
        label -> ``(row, col, height, width)``: outline each window, its top-left
        cell at ``(row, col)``, in its own colour, with a legend. Use it to mark
        where a patch was cut or found.
    vmax : float, optional
        For "signed" and "magnitude": the colour limit (``-vmax..vmax`` or
        ``0..vmax``); larger values saturate and the colour bar gets arrow
        ends. Default: the largest absolute value. Ignored for "gray".

    Returns the image drawn by ``ax.imshow``.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(3, 3))
    >>> show_image(ax, np.eye(20) - 0.5, "signed demo", kind="signed").get_cmap().name
    'RdBu_r'
    >>> _ = show_image(ax, np.ones((20, 30)) / 2, "patch", rectangles={"patch": (2, 3, 5, 8)})
    >>> len(ax.patches)
    1
    >>> plt.close(fig)
    """
    from matplotlib.patches import Rectangle

    kinds = ("gray", "signed", "magnitude")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string; got {title!r}")
    if not isinstance(kind, str) or kind not in kinds:
        raise ValueError(f"kind must be one of {', '.join(repr(k) for k in kinds)}; got {kind!r}")
    values = np.asarray(to_numpy(image, "image"), dtype=float)
    if values.ndim != 2 or values.size == 0:
        raise ValueError(f"image must be a non-empty 2-D array; got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"image must hold only finite values (no NaN or inf); shape {values.shape}")
    boxes = {} if rectangles is None else rectangles
    if not hasattr(boxes, "items"):
        raise TypeError(f"rectangles must be a dict of label -> (row, col, height, width); got "
                        f"{type(rectangles).__name__} {rectangles!r}")
    checked = {}
    for label, box in boxes.items():
        if (not isinstance(box, (tuple, list)) or len(box) != 4
                or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in box)):
            raise TypeError(f"rectangles[{label!r}] must be 4 ints (row, col, height, width); got {box!r}")
        row, col, height, width = (int(v) for v in box)
        if height < 1 or width < 1 or row < 0 or col < 0 or row + height > values.shape[0] \
                or col + width > values.shape[1]:
            raise ValueError(f"rectangles[{label!r}] = {tuple(box)} (row, col, height, width) does not lie inside "
                             f"the image with shape {values.shape}")
        checked[str(label)] = (row, col, height, width)

    largest = float(np.max(np.abs(values)))
    if vmax is not None:
        if isinstance(vmax, bool) or not isinstance(vmax, (int, float, np.integer, np.floating)) \
                or not np.isfinite(vmax) or vmax <= 0:
            raise ValueError(f"vmax must be a positive number (the colour limit); got {vmax!r}")
        vmax = float(vmax)
    limit = vmax if vmax is not None else (largest or 1.0)
    extend = "neither" if vmax is None or largest <= vmax else ("both" if kind == "signed" else "max")
    if kind == "signed":
        drawn = ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)
    elif kind == "magnitude":
        drawn = ax.imshow(values, cmap="viridis", vmin=0.0 if vmax is not None else None,
                          vmax=limit if vmax is not None else None)
    else:
        low, high = (0.0, 1.0) if values.min() >= 0.0 and values.max() <= 1.0 else (values.min(), values.max())
        drawn = ax.imshow(values, cmap="gray", vmin=low, vmax=high if high > low else low + 1.0)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    colours = ["yellow", "red", "cyan", "lime", "magenta"]
    for index, (label, (row, col, height, width)) in enumerate(checked.items()):
        ax.add_patch(Rectangle((col - 0.5, row - 0.5), width, height, fill=False, linewidth=2,
                               edgecolor=colours[index % len(colours)], label=label))
    if checked:
        ax.legend(loc="lower right", fontsize=8, framealpha=0.8)
    if colorbar is None:
        colorbar = kind != "gray"
    if colorbar:
        ax.figure.colorbar(drawn, ax=ax, fraction=0.046, pad=0.04, extend=extend if kind != "gray" else "neither")
    return drawn


def show_filter_rows(rows: Sequence[Any], suptitle: str, *, kernel_fmt: str = "{:.3g}", row_height: float = 3.0,
                     percentile: Optional[float] = None):
    """One figure row per filter: original | kernel (signed, with its numbers) | result; return the figure.

    ``rows`` is a list of ``(name, image, kernel, result, kind)``: ``image`` and
    ``result`` are drawn with :func:`show_image` (the image as "gray", the
    result with ``kind``: "gray", "signed" or "magnitude"), the small
    ``kernel`` with :func:`show_array` (diverging map centred at 0, values
    written in the cells with ``kernel_fmt`` when it has at most 25 cells).
    Titles name the filter; every result has a colour bar. With
    ``percentile`` (e.g. 99), signed and magnitude results saturate at that
    percentile of their absolute values, so that a few extreme pixels do not
    wash out the rest. Call ``plt.show()`` after.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> picture = np.linspace(0, 1, 100).reshape(10, 10)
    >>> fig = show_filter_rows([("blur", picture, np.ones((3, 3)) / 9, picture[1:-1, 1:-1], "gray")], "demo")
    >>> [ax.get_title() for ax in fig.axes if ax.get_title()]
    ['original', 'kernel: blur', 'result: blur']
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    if isinstance(rows, (str, bytes)) or not hasattr(rows, "__len__") or len(rows) == 0:
        raise ValueError(f"rows must be a non-empty list of (name, image, kernel, result, kind); got {rows!r}")
    if not isinstance(suptitle, str) or not suptitle.strip():
        raise ValueError(f"suptitle must be a non-empty string; got {suptitle!r}")
    for index, row in enumerate(rows):
        if not isinstance(row, (tuple, list)) or len(row) != 5:
            raise ValueError(f"rows[{index}] must be (name, image, kernel, result, kind); got "
                             f"{type(row).__name__} with {len(row) if hasattr(row, '__len__') else 'no'} items")
        if not isinstance(row[0], str) or not row[0].strip():
            raise ValueError(f"rows[{index}] must start with the filter's name, a non-empty string; got {row[0]!r}")
    if percentile is not None and (isinstance(percentile, bool) or not isinstance(percentile, (int, float))
                                   or not 0 < percentile <= 100):
        raise ValueError(f"percentile must be a number in (0, 100]; got {percentile!r}")
    fig, axes = plt.subplots(len(rows), 3, figsize=(11.0, row_height * len(rows)), squeeze=False,
                             gridspec_kw={"width_ratios": [1.0, 0.6, 1.15]}, layout="constrained")
    for (name, image, kernel, result, kind), (ax_image, ax_kernel, ax_result) in zip(rows, axes):
        show_image(ax_image, image, "original")
        kernel_values = np.asarray(to_numpy(kernel, "kernel"), dtype=float)
        show_array(ax_kernel, kernel_values, f"kernel: {name}", signed=True, fmt=kernel_fmt, colorbar=False,
                   annotate=kernel_values.size <= 25)
        vmax = None
        if percentile is not None and kind != "gray":
            vmax = float(np.percentile(np.abs(np.asarray(to_numpy(result, "result"), dtype=float)), percentile))
            vmax = vmax if vmax > 0 else None
        show_image(ax_result, result, f"result: {name}", kind=kind, colorbar=True, vmax=vmax)
    fig.suptitle(suptitle)
    return fig
