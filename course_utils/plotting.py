"""Small plotting helpers shared by the lessons.

One convention everywhere: arrays that can be negative (kernels, differences)
use a diverging colour map centred at zero, so white means zero and red/blue
mean positive/negative; non-negative magnitudes use viridis. Small arrays carry
their numbers in the cells so a reader can check the arithmetic by eye.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from ._checks import as_pair
from .arrays import to_numpy

__all__ = ["plot_loss_curves", "plot_measured_and_predicted", "shared_colour_limits", "show_array", "show_array_grid",
           "show_filter_rows", "show_image", "show_padded_array", "show_row", "show_window_counts",
           "plot_loss_bowl", "plot_learning_rate_sweep"]

#: Arrays with at most this many cells get their numbers written in them.
MAX_ANNOTATED_CELLS = 64


def show_array(ax: Any, array: Any, title: str, *, signed: Optional[bool] = None, annotate: Optional[bool] = None,
               fmt: str = "{:g}", colorbar: bool = True, vmin: Optional[float] = None,
               vmax: Optional[float] = None, gray: bool = False, block_size: Optional[Any] = None):
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
    vmin, vmax : float, optional
        Colour limits, so that several panels can share one scale (see
        :func:`shared_colour_limits`). A signed map stays centred at zero: it
        uses ``-m..m`` with ``m`` the larger of ``|vmin|`` and ``|vmax|``.
        Default: the array's own range (signed: its largest absolute value).
    gray : bool
        A dark/bright picture (e.g. a 0/1 image): gray map, black = dark and
        white = bright, from ``vmin`` (default: the smaller of 0 and the
        minimum) to ``vmax`` (default: the larger of 1 and the maximum), with
        the colour bar labelled dark/bright. Overrides ``signed``.
    block_size : int or (int, int), optional
        Draw black lines between blocks of this many rows and columns (an int
        for square blocks), to show a block matrix such as the doubly block
        Toeplitz matrix of a convolution. Must divide the array's shape.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 2))
    >>> show_array(ax, [[-1, 2], [3, 0]], "demo").get_cmap().name
    'RdBu_r'
    >>> show_array(ax, [[1, 2]], "shared scale", vmin=0, vmax=4).get_clim()
    (0.0, 4.0)
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
    for name, limit in (("vmin", vmin), ("vmax", vmax)):
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float, np.integer, np.floating))
                                  or not np.isfinite(limit)):
            raise TypeError(f"{name} must be a finite number (a colour limit); got {limit!r}")
    if vmin is not None and vmax is not None and not vmin < vmax:
        raise ValueError(f"vmin must be smaller than vmax; got vmin={vmin!r}, vmax={vmax!r}")

    if not isinstance(gray, (bool, np.bool_)):
        raise TypeError(f"gray must be True or False; got {type(gray).__name__} {gray!r}")
    blocks = None
    if block_size is not None:
        blocks = as_pair(block_size, "block_size", minimum=1)
        if values.shape[0] % blocks[0] or values.shape[1] % blocks[1]:
            raise ValueError(f"block_size={block_size!r} must divide the array's shape into whole blocks; "
                             f"got array with shape {values.shape}")
    if gray:
        low = float(min(0.0, values.min())) if vmin is None else float(vmin)
        high = float(max(1.0, values.max())) if vmax is None else float(vmax)
        image = ax.imshow(values, cmap="gray", vmin=low, vmax=high)
        signed = False
    elif signed:
        given = [abs(float(limit)) for limit in (vmin, vmax) if limit is not None]
        largest = max(given) if given else float(np.max(np.abs(values)))
        image = ax.imshow(values, cmap="RdBu_r", vmin=-(largest or 1.0), vmax=largest or 1.0)
    else:
        image = ax.imshow(values, cmap="viridis", vmin=vmin, vmax=vmax)
    ax.set_title(title)
    ax.set_xticks(range(values.shape[1]))
    ax.set_yticks(range(values.shape[0]))
    if annotate:
        normed = image.norm(values)
        for (i, j), value in np.ndenumerate(values):
            # dark text on light cells, light text on dark ones
            light = 0.25 < normed[i, j] < 0.75 if signed else normed[i, j] > 0.6
            ax.text(j, i, fmt.format(value), ha="center", va="center", color="black" if light else "white")
    if blocks is not None:
        # lines sit on the cell edges, half a cell before each block's first index
        for row in range(blocks[0], values.shape[0], blocks[0]):
            ax.axhline(row - 0.5, color="black", linewidth=1.2)
        for column in range(blocks[1], values.shape[1], blocks[1]):
            ax.axvline(column - 0.5, color="black", linewidth=1.2)
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        if gray:
            bar.set_label("dark ... bright")
    return image


def show_row(arrays: Sequence[Any], titles: Sequence[str], suptitle: str, *, signed: Optional[bool] = None,
             annotate: Optional[bool] = None, fmt: str = "{:g}", colorbar: bool = True,
             panel_size: float = 3.0, gray_panels: Sequence[int] = ()):
    """Draw several arrays side by side with :func:`show_array`; return the figure.

    The usual lesson figure: input | kernel | output. ``signed`` and ``annotate``
    apply to every panel (default: decided per panel); the panels whose indices are in
    ``gray_panels`` are dark/bright pictures, drawn in gray (``show_array(..., gray=True)``).
    Call ``plt.show()`` after.

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
    if isinstance(gray_panels, (str, bytes)) or not hasattr(gray_panels, "__iter__") or any(
            isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < len(arrays) for i in gray_panels):
        raise ValueError(f"gray_panels must be indices of panels, each in 0..{len(arrays) - 1}; got {gray_panels!r}")
    fig, axes = plt.subplots(1, len(arrays), figsize=(panel_size * len(arrays) + 0.5, panel_size), squeeze=False)
    for index, (ax, array, title) in enumerate(zip(axes[0], arrays, titles)):
        show_array(ax, array, title, signed=signed, annotate=annotate, fmt=fmt, colorbar=colorbar,
                   gray=index in gray_panels)
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


def shared_colour_limits(arrays: Sequence[Any], *, signed: Optional[bool] = None):
    """One ``(vmin, vmax)`` for several arrays, so that panels showing the same quantity share a colour scale.

    Signed (default: when any array has a negative value): ``(-m, m)`` with
    ``m`` the largest absolute value, so zero stays white. Otherwise the
    smallest and largest value over all arrays (widened by 1 when they are
    equal). Pass the result to :func:`show_array` as ``vmin``/``vmax``.

    >>> shared_colour_limits([[[1, 2]], [[4, 9]]])
    (1.0, 9.0)
    >>> shared_colour_limits([[[1, -3]], [[2, 0]]])
    (-3.0, 3.0)
    """
    if isinstance(arrays, (str, bytes)) or not hasattr(arrays, "__len__") or len(arrays) == 0:
        raise ValueError(f"arrays must be a non-empty list of arrays; got {arrays!r}")
    values = [np.asarray(to_numpy(array, f"arrays[{index}]"), dtype=float) for index, array in enumerate(arrays)]
    for index, array in enumerate(values):
        if array.size == 0 or not np.all(np.isfinite(array)):
            raise ValueError(f"arrays[{index}] must be non-empty and hold only finite values; got shape {array.shape}")
    if signed is None:
        signed = any(bool(np.any(array < 0)) for array in values)
    if signed:
        largest = max(float(np.max(np.abs(array))) for array in values) or 1.0
        return -largest, largest
    low, high = min(float(array.min()) for array in values), max(float(array.max()) for array in values)
    return (low, high) if high > low else (low, low + 1.0)


def _check_titled_panels(arrays: Sequence[Any], titles: Sequence[Any], name: str) -> None:
    if isinstance(arrays, (str, bytes)) or not hasattr(arrays, "__len__") or len(arrays) == 0:
        raise ValueError(f"{name} must be a non-empty list; got {arrays!r}")
    if isinstance(titles, str) or not hasattr(titles, "__len__") or len(titles) != len(arrays):
        raise ValueError(f"titles must hold one entry per entry of {name}; got {titles!r} for {len(arrays)} entries")


def show_array_grid(arrays: Sequence[Sequence[Any]], titles: Sequence[Sequence[str]], suptitle: str, *,
                    signed: Optional[bool] = None, annotate: Optional[bool] = None, fmt: str = "{:g}",
                    panel_size: float = 3.0):
    """Draw rows of arrays on ONE colour scale, with one colour bar for all panels; return the figure.

    ``arrays`` is a list of rows, each a list of arrays; ``titles`` has the
    same shape. Every panel is drawn with :func:`show_array` using the limits
    of :func:`shared_colour_limits`, so equal colours mean equal values
    across panels. Call ``plt.show()`` after.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = show_array_grid([[[[0, 1]], [[-1, 0]]]], [["a", "b"]], "demo")
    >>> [ax.images[0].get_clim() for ax in fig.axes if ax.images]
    [(-1.0, 1.0), (-1.0, 1.0)]
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    _check_titled_panels(arrays, titles, "arrays")
    columns = None
    for row, (row_arrays, row_titles) in enumerate(zip(arrays, titles)):
        _check_titled_panels(row_arrays, row_titles, f"arrays[{row}]")
        if columns is not None and len(row_arrays) != columns:
            raise ValueError(f"every row of arrays must have the same length; row {row} has {len(row_arrays)}, "
                             f"row 0 has {columns}")
        columns = len(row_arrays)
    if not isinstance(suptitle, str) or not suptitle.strip():
        raise ValueError(f"suptitle must be a non-empty string; got {suptitle!r}")
    flat = [array for row_arrays in arrays for array in row_arrays]
    vmin, vmax = shared_colour_limits(flat, signed=signed)
    signed = vmin < 0
    fig, axes = plt.subplots(len(arrays), columns, figsize=(panel_size * columns + 1.0, panel_size * len(arrays)),
                             squeeze=False, layout="constrained")
    for ax_row, row_arrays, row_titles in zip(axes, arrays, titles):
        for ax, array, title in zip(ax_row, row_arrays, row_titles):
            image = show_array(ax, array, title, signed=signed, annotate=annotate, fmt=fmt, colorbar=False,
                               vmin=vmin, vmax=vmax)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8)
    fig.suptitle(suptitle)
    return fig


#: Fill of the cells that no window reads, in :func:`show_window_counts` (grey: outside viridis).
UNREAD_STYLE = {"facecolor": "0.88", "hatch": "xx", "edgecolor": "0.7", "linewidth": 0}


def show_window_counts(counts: Sequence[Any], titles: Sequence[str], suptitle: str, *, window: Optional[Any] = None,
                       panel_size: float = 3.2):
    """How many windows read each pixel, for several settings side by side on one colour scale; return the figure.

    ``counts`` is a list of 2-D arrays of non-negative whole numbers, e.g.
    ``np.outer(input_usage(n, k, ...), input_usage(n, k, ...))``. Pixels read
    by at least one window are coloured with viridis on a scale shared by all
    panels (one colour bar), from the fewest to the most reads over all of
    them; pixels read by no window are drawn in their own colour
    (:data:`UNREAD_STYLE`: light grey, cross-hatched unlike the padding of
    :func:`show_padded_array`), which a legend names.
    ``window``, a ``(ConvGeometry, position)`` pair, first draws that window
    with :func:`course_utils.sliding_window.draw_sliding_window`. Call
    ``plt.show()`` after.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = show_window_counts([np.outer([1, 0], [1, 0]), np.ones((2, 2))], ["a", "b"], "demo")
    >>> [ax.images[0].get_clim() for ax in fig.axes if ax.images and ax.get_title()]
    [(1.0, 2.0), (1.0, 2.0)]
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.ticker import MaxNLocator

    _check_titled_panels(counts, titles, "counts")
    if not isinstance(suptitle, str) or not suptitle.strip():
        raise ValueError(f"suptitle must be a non-empty string; got {suptitle!r}")
    maps = []
    for index, array in enumerate(counts):
        values = np.asarray(to_numpy(array, f"counts[{index}]"), dtype=float)
        if values.ndim != 2 or values.size == 0:
            raise ValueError(f"counts[{index}] must be a non-empty 2-D array; got shape {values.shape}")
        if not np.all(np.isfinite(values)) or np.any(values < 0) or np.any(values != np.round(values)):
            raise ValueError(f"counts[{index}] must hold non-negative whole numbers (window counts); "
                             f"got values from {values.min():g} to {values.max():g}")
        maps.append(values)
    read = [values[values > 0] for values in maps if np.any(values > 0)]
    if not read:
        raise ValueError("counts must have at least one pixel read by a window (a count above 0)")
    vmin, vmax = shared_colour_limits(read, signed=False)
    width_ratios = [values.shape[1] for values in maps]
    if window is not None:
        from .sliding_window import ConvGeometry, draw_sliding_window

        if not (isinstance(window, (tuple, list)) and len(window) == 2 and isinstance(window[0], ConvGeometry)):
            raise TypeError(f"window must be a (ConvGeometry, position) pair; got {window!r}")
        width_ratios = [window[0].padded_size[1], window[0].output_size[1]] + width_ratios
    fig, axes = plt.subplots(1, len(width_ratios), figsize=(panel_size * len(width_ratios) + 1.0, panel_size + 0.4),
                             gridspec_kw={"width_ratios": width_ratios}, layout="constrained")
    count_axes = list(axes[-len(maps):])
    if window is not None:
        draw_sliding_window(axes[:2], *window)
    any_unread = False
    for ax, values, title in zip(count_axes, maps, titles):
        image = show_array(ax, values, title, signed=False, colorbar=False, vmin=vmin, vmax=vmax)
        annotated = len(ax.texts) == values.size
        for index, ((i, j), value) in enumerate(np.ndenumerate(values)):
            if value == 0:
                any_unread = True
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, **UNREAD_STYLE))
                if annotated:
                    ax.texts[index].set_color("black")
    colour_bar = fig.colorbar(image, ax=count_axes, shrink=0.8, label="windows reading the pixel")
    colour_bar.locator = MaxNLocator(integer=True)  # counts are whole numbers
    colour_bar.update_ticks()
    if any_unread:
        fig.legend(handles=[Patch(label="0: read by no window", **UNREAD_STYLE)], loc="outside lower center")
    fig.suptitle(suptitle)
    return fig


def plot_measured_and_predicted(x: Sequence[float], measured: Any, predicted: Any, title: str, *, xlabel: str,
                                ylabel: str, ylim: Optional[Sequence[float]] = None,
                                figsize: Sequence[float] = (7.0, 4.2)):
    """Measured curves (solid, hollow markers) and their predictions (dashed, same colour); return the figure.

    ``measured`` maps a label to one value per entry of ``x``; ``predicted``
    maps some of those labels to their predicted values. Markers and lines
    get thinner from one measured curve to the next, so curves that coincide
    stay visible (rings inside rings, a thin line on a wide one). Call
    ``plt.show()`` after.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plot_measured_and_predicted([0, 1], {"a": [1, 0.4]}, {"a": [1, 0.5]}, "demo", xlabel="x", ylabel="y")
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['measured: a', 'predicted: a']
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt
    from collections.abc import Mapping

    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string; got {title!r}")
    xs = np.asarray(to_numpy(x, "x"), dtype=float)
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(f"x must be a non-empty 1-D sequence; got shape {xs.shape}")
    if not isinstance(measured, Mapping) or len(measured) == 0:
        raise TypeError(f"measured must be a non-empty dict of label -> values; got {type(measured).__name__}")
    if not isinstance(predicted, Mapping):
        raise TypeError(f"predicted must be a dict of label -> values; got {type(predicted).__name__}")
    unknown = [label for label in predicted if label not in measured]
    if unknown:
        raise ValueError(f"predicted labels must be labels of measured; {unknown!r} are not in {list(measured)!r}")

    def curve(values: Any, name: str) -> np.ndarray:
        ys = np.asarray(to_numpy(values, name), dtype=float)
        if ys.shape != xs.shape:
            raise ValueError(f"{name} must have one value per x ({xs.size}); got shape {ys.shape}")
        return ys

    fig, ax = plt.subplots(figsize=tuple(figsize))
    for index, (label, values) in enumerate(measured.items()):
        colour = f"C{index % 10}"
        ax.plot(xs, curve(values, f"measured[{label!r}]"), color=colour, marker="o",
                markersize=max(4.0, 12.0 - 2.5 * index), markerfacecolor="none", markeredgewidth=1.5,
                linewidth=max(1.2, 3.5 - 0.8 * index), label=f"measured: {label}")
        if label in predicted:
            ax.plot(xs, curve(predicted[label], f"predicted[{label!r}]"), "--", color=colour, alpha=0.7,
                    label=f"predicted: {label}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xticks(xs)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_loss_bowl(ax: Any, surface: Any, paths: Any, title: str, *, axis_labels: Sequence[str],
                   numbered: int = 5, levels: int = 12):
    """Contour lines of a loss over a plane of kernels, with gradient-descent paths drawn on them.

    ``surface`` is a :class:`course_utils.kernel_learning.LossSurface` (grid
    coordinates ``a`` along x, ``b`` along y, ``losses[j, i]``); ``paths`` maps a
    label to the ``(steps + 1, 2)`` plane coordinates of a run
    (:func:`course_utils.kernel_learning.plane_coordinates`). The contours sit at
    geometrically spaced losses (a bowl has far more room near its rim), coloured
    with viridis and a colour bar; both axes use the same scale, so a steep
    direction shows as tightly packed contours. Each path has its first
    ``numbered`` points numbered by their update count; points outside the plot are
    cut off by its edge. Returns the paths' lines.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from course_utils.kernel_learning import LossSurface
    >>> a = b = np.linspace(-1, 1, 5)
    >>> surface = LossSurface(a, b, 3 * a[None, :] ** 2 + b[:, None] ** 2)
    >>> fig, ax = plt.subplots(figsize=(4, 4))
    >>> lines = plot_loss_bowl(ax, surface, {"run": [[0.5, 0.5], [0.1, 0.4]]}, "bowl", axis_labels=["a", "b"])
    >>> [line.get_label() for line in lines], ax.get_xlabel()
    (['run'], 'a')
    >>> plt.close(fig)
    """
    from collections.abc import Mapping

    from matplotlib.colors import LogNorm

    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string; got {title!r}")
    if isinstance(axis_labels, str) or len(axis_labels) != 2 or not all(isinstance(t, str) for t in axis_labels):
        raise ValueError(f"axis_labels must be two strings (x, y); got {axis_labels!r}")
    try:
        a, b, losses = (np.asarray(to_numpy(v, name), dtype=float)
                        for v, name in zip(surface, ("surface.a", "surface.b", "surface.losses")))
    except (TypeError, ValueError):
        raise TypeError(f"surface must be a LossSurface (a, b, losses); got {type(surface).__name__}") from None
    if a.ndim != 1 or b.ndim != 1 or losses.shape != (b.size, a.size) or a.size < 2 or b.size < 2:
        raise ValueError(f"surface must have 1-D a and b and losses of shape (len(b), len(a)); got a {a.shape}, "
                         f"b {b.shape}, losses {losses.shape}")
    if not np.all(np.isfinite(losses)) or np.any(losses < 0):
        raise ValueError("surface.losses must be finite and >= 0 (a squared-error loss)")
    if not isinstance(paths, Mapping) or len(paths) == 0:
        raise TypeError(f"paths must be a non-empty dict of label -> (steps, 2) coordinates; got "
                        f"{type(paths).__name__}")
    for name, value in (("numbered", numbered), ("levels", levels)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < (0 if name == "numbered" else 2):
            raise ValueError(f"{name} must be an int >= {0 if name == 'numbered' else 2}; got {value!r}")
    checked = {}
    for label, path in paths.items():
        points = np.asarray(to_numpy(path, f"paths[{label!r}]"), dtype=float)
        if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] == 0:
            raise ValueError(f"paths[{label!r}] must have shape (steps, 2); got {points.shape}")
        checked[str(label)] = points

    positive = losses[losses > 0]
    low = float(positive.min()) if positive.size else 1.0
    high = float(losses.max()) if losses.max() > low else low * 10
    contour_levels = np.geomspace(max(low, high * 1e-4), high, int(levels))
    import matplotlib.cm as cm

    norm = LogNorm(contour_levels[0], contour_levels[-1])
    ax.contour(a, b, losses, levels=contour_levels, colors=[cm.viridis(norm(level)) for level in contour_levels],
               linewidths=1)
    ax.figure.colorbar(cm.ScalarMappable(norm=norm, cmap="viridis"), ax=ax, fraction=0.046, pad=0.04,
                       label="loss (contour lines)")
    ax.plot([0.0], [0.0], marker="*", markersize=14, color="black", linestyle="none", label="minimum")
    colours = ["tab:blue", "tab:red", "tab:green", "tab:orange", "tab:purple"]
    lines = []
    for index, (label, points) in enumerate(checked.items()):
        colour = colours[index % len(colours)]
        (line,) = ax.plot(points[:, 0], points[:, 1], marker="o", markersize=4, color=colour, label=label)
        lines.append(line)
        for step, (x, y) in enumerate(points[:numbered]):
            if a[0] <= x <= a[-1] and b[0] <= y <= b[-1]:
                ax.annotate(str(step), (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8, color=colour)
    ax.set_xlim(a[0], a[-1])
    ax.set_ylim(b[0], b[-1])
    ax.set_aspect("equal")
    ax.set_xlabel(axis_labels[0])
    ax.set_ylabel(axis_labels[1])
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left", framealpha=0.9)
    return lines


def plot_learning_rate_sweep(rates: Any, sweep: Any, steps: int):
    """Two panels over the learning rate: final loss of each run, and the predicted worst factor per step.

    ``sweep`` maps a run's name (e.g. the image it learned on) to
    ``(final_losses, worst_growth, critical_rate, start_loss)``: the loss after
    ``steps`` updates at each rate in ``rates``, the predicted
    :math:`\\max_\\lambda (1 - \\eta\\lambda)^2` at each rate, the critical rate
    :math:`2/\\lambda_{\\max}` (a dashed line in both panels) and the loss of the
    start kernel (a grey line on the left). Both axes are logarithmic. Returns the figure.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> rates = np.array([0.01, 0.1])
    >>> fig = plot_learning_rate_sweep(rates, {"demo": ([1.0, 50.0], [0.5, 4.0], 0.05, 2.0)}, 20)
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['learning rate η', 'learning rate η']
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt
    from collections.abc import Mapping

    rates = np.asarray(to_numpy(rates, "rates"), dtype=float)
    if rates.ndim != 1 or rates.size == 0 or not np.all(np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(f"rates must be a non-empty 1-D array of positive learning rates; got shape {rates.shape}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be an int >= 1 (updates per run); got {steps!r}")
    if not isinstance(sweep, Mapping) or len(sweep) == 0:
        raise TypeError(f"sweep must be a non-empty dict of name -> (final_losses, worst_growth, critical_rate, "
                        f"start_loss); got {type(sweep).__name__}")
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    colours = ["tab:red", "tab:blue", "tab:green", "tab:orange"]
    for index, (name, entry) in enumerate(sweep.items()):
        if not isinstance(entry, (tuple, list)) or len(entry) != 4:
            raise ValueError(f"sweep[{name!r}] must be (final_losses, worst_growth, critical_rate, start_loss)")
        final_losses, worst_growth = (np.asarray(to_numpy(v, f"sweep[{name!r}]"), dtype=float) for v in entry[:2])
        if final_losses.shape != rates.shape or worst_growth.shape != rates.shape:
            raise ValueError(f"sweep[{name!r}]: final_losses {final_losses.shape} and worst_growth "
                             f"{worst_growth.shape} must have the shape of rates {rates.shape}")
        critical, start_loss = float(entry[2]), float(entry[3])
        colour = colours[index % len(colours)]
        axes[0].loglog(rates, final_losses, "o-", markersize=3, color=colour, label=f"{name}")
        axes[1].loglog(rates, worst_growth, "-", color=colour, label=f"{name}")
        for ax in axes:
            ax.axvline(critical, color=colour, linestyle="--", linewidth=1,
                       label=f"critical 2/λmax = {critical:.4f} ({name})")
        axes[0].axhline(start_loss, color="gray", linewidth=1, linestyle=":" if index else "-",
                        label=f"loss of the start kernel, {start_loss:.3g} ({name})")
    axes[0].set_title(f"Final loss after {steps} gradient-descent updates")
    axes[0].set_ylabel("loss")
    axes[1].axhline(1.0, color="gray", linewidth=1, label="factor 1: neither shrinks nor grows")
    axes[1].set_title("Predicted worst factor per update, max (1 - ηλ)²")
    axes[1].set_ylabel("factor per update")
    for ax in axes:
        ax.set_xlabel("learning rate η")
        ax.legend(fontsize=7)
    fig.suptitle("The loss explodes just where the worst factor crosses 1: at η = 2/λmax")
    fig.tight_layout()
    return fig
