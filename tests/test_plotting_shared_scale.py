"""course_utils.plotting: panels on one colour scale (show_array's vmin/vmax, shared_colour_limits,
show_array_grid), window-count maps with the unread cells in their own colour, measured vs predicted curves.

Figures are checked by what they hold (colour limits, patches, line data) and by rendered colours,
compared with a tolerance rather than pixel for pixel.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from course_utils.arithmetic import input_usage
from course_utils.plotting import (
    UNREAD_STYLE,
    plot_measured_and_predicted,
    shared_colour_limits,
    show_array,
    show_array_grid,
    show_window_counts,
)
from course_utils.sliding_window import ConvGeometry

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, database=None)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def counts(n, k=3, padding=0, stride=2):
    usage = input_usage(n, k, padding=padding, stride=stride)
    return np.outer(usage, usage)


def titled_axes(fig):
    return [ax for ax in fig.axes if ax.images and ax.get_title()]


def rendered_cell_colour(fig, ax, row, col):
    """Mean RGB of a small square inside cell (row, col), away from the number written at its centre."""
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3] / 255.0
    x, y = ax.transData.transform((col - 0.3, row - 0.3))
    top = pixels.shape[0] - int(round(y))
    left = int(round(x))
    return pixels[top - 2:top + 3, left - 2:left + 3].reshape(-1, 3).mean(axis=0)


# -- show_array's colour limits ------------------------------------------------------------------------

def test_show_array_uses_the_given_limits():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    assert show_array(ax1, [[1, 2]], "unsigned", vmin=0, vmax=10).get_clim() == (0.0, 10.0)
    assert show_array(ax2, [[-1, 2]], "signed", vmin=-1, vmax=5).get_clim() == (-5.0, 5.0)  # stays centred at 0


def test_show_array_default_limits_unchanged():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    assert show_array(ax1, [[1, 3]], "unsigned").get_clim() == (1.0, 3.0)
    assert show_array(ax2, [[-2, 1]], "signed").get_clim() == (-2.0, 2.0)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"vmin": "low"}, TypeError, r"vmin must be a finite number \(a colour limit\); got 'low'"),
    ({"vmax": np.inf}, TypeError, r"vmax must be a finite number"),
    ({"vmin": 3, "vmax": 3}, ValueError, r"vmin must be smaller than vmax; got vmin=3, vmax=3"),
])
def test_show_array_bad_limits(kwargs, error, message):
    fig, ax = plt.subplots()
    with pytest.raises(error, match=message):
        show_array(ax, [[1, 2]], "t", **kwargs)


# -- shared_colour_limits ------------------------------------------------------------------------------

@SETTINGS
@given(st.lists(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=4),
                           elements=st.floats(-100, 100)), min_size=1, max_size=4))
def test_shared_limits_cover_every_array(arrays):
    low, high = shared_colour_limits(arrays)
    assert low < high
    for array in arrays:
        assert low <= array.min() and array.max() <= high
    if any(np.any(array < 0) for array in arrays):
        assert low == -high == -max(np.abs(array).max() for array in arrays)
    else:
        assert low == min(array.min() for array in arrays)


def test_shared_limits_bad_input():
    with pytest.raises(ValueError, match=r"arrays must be a non-empty list of arrays"):
        shared_colour_limits([])
    with pytest.raises(ValueError, match=r"arrays\[1\] must be non-empty and hold only finite values"):
        shared_colour_limits([[[1.0]], [[np.nan]]])


# -- show_window_counts --------------------------------------------------------------------------------

def test_window_counts_share_one_scale_and_mark_unread_cells():
    maps = [counts(8), counts(7), counts(8, padding=1)]
    fig = show_window_counts(maps, ["8", "7", "8, p=1"], "demo",
                             window=(ConvGeometry(input_size=8, kernel_size=3, stride=2), (2, 2)))
    panels = titled_axes(fig)
    assert [ax.get_title() for ax in panels] == ["8", "7", "8, p=1"]
    read = [m[m > 0] for m in maps]
    expected = (float(min(r.min() for r in read)), float(max(r.max() for r in read)))
    assert all(ax.images[0].get_clim() == expected for ax in panels)
    assert all(ax.images[0].get_cmap().name == "viridis" for ax in panels)
    for ax, values in zip(panels, maps):
        unread = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch() == UNREAD_STYLE["hatch"]]
        assert len(unread) == int(np.sum(values == 0))
        assert {(p.get_x() + 0.5, p.get_y() + 0.5) for p in unread} == {(j, i) for i, j in zip(*np.nonzero(values == 0))}
    assert len(counts(8)[counts(8) == 0]) == 15  # row 7 and column 7 of the 8x8 input
    legend_texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert legend_texts == ["0: read by no window"]
    window_axes = [ax for ax in fig.axes if ax.get_title().startswith(("input", "output"))]
    assert len(window_axes) == 2


def test_window_counts_rendered_colours():
    maps = [counts(8), counts(7)]
    fig = show_window_counts(maps, ["8", "7"], "demo")
    panel = titled_axes(fig)[0]
    image = panel.images[0]
    grey = rendered_cell_colour(fig, panel, 7, 3)  # row 7: read by no window
    assert np.ptp(grey) < 0.03 and grey.min() > 0.65, grey  # grey, lighter than any dark viridis cell
    for row, col in [(0, 0), (2, 2), (1, 2)]:
        expected = np.array(image.get_cmap()(image.norm(maps[0][row, col]))[:3])
        assert np.allclose(rendered_cell_colour(fig, panel, row, col), expected, atol=0.06), (row, col)
    zero_texts = [t for t in panel.texts if t.get_text() == "0"]
    assert len(zero_texts) == 15 and all(to_rgb(t.get_color()) == (0.0, 0.0, 0.0) for t in zero_texts)


def test_window_counts_without_unread_cells_have_no_legend():
    fig = show_window_counts([counts(6, stride=1), counts(6, padding=1, stride=1)], ["valid", "padded"], "demo")
    assert not fig.legends
    assert titled_axes(fig)[0].images[0].get_clim() == (1.0, 9.0)


@pytest.mark.parametrize("args, kwargs, error, message", [
    (([], [], "t"), {}, ValueError, r"counts must be a non-empty list"),
    (([np.ones((2, 2))], ["a", "b"], "t"), {}, ValueError, r"titles must hold one entry per entry of counts"),
    (([np.ones(3)], ["a"], "t"), {}, ValueError, r"counts\[0\] must be a non-empty 2-D array; got shape \(3,\)"),
    (([np.array([[1.5, 2]])], ["a"], "t"), {}, ValueError, r"counts\[0\] must hold non-negative whole numbers"),
    (([np.array([[-1, 2]])], ["a"], "t"), {}, ValueError, r"non-negative whole numbers .* from -1 to 2"),
    (([np.zeros((2, 2))], ["a"], "t"), {}, ValueError, r"at least one pixel read by a window"),
    (([np.ones((2, 2))], ["a"], " "), {}, ValueError, r"suptitle must be a non-empty string"),
    (([np.ones((2, 2))], ["a"], "t"), {"window": (3, (0, 0))}, TypeError, r"window must be a \(ConvGeometry, position\)"),
])
def test_window_counts_bad_input(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        show_window_counts(*args, **kwargs)


# -- show_array_grid -----------------------------------------------------------------------------------

def test_grid_shares_one_signed_scale():
    rows = [[np.array([[1.0, -1.0]]), np.array([[0.0, 0.5]])], [np.array([[0.0, 0.0]]), np.array([[0.25, 1.0]])]]
    fig = show_array_grid(rows, [["a", "b"], ["c", "d"]], "demo")
    panels = titled_axes(fig)
    assert [ax.get_title() for ax in panels] == ["a", "b", "c", "d"]
    assert all(ax.images[0].get_clim() == (-1.0, 1.0) for ax in panels)
    assert all(ax.images[0].get_cmap().name == "RdBu_r" for ax in panels)  # also the panels without negatives
    assert len(fig.axes) == 5  # four panels and one colour bar
    white = rendered_cell_colour(fig, panels[2], 0, 0)  # a zero: white on the diverging map
    assert np.allclose(white, 1.0, atol=0.06)


def test_grid_bad_input():
    with pytest.raises(ValueError, match=r"every row of arrays must have the same length; row 1 has 1, row 0 has 2"):
        show_array_grid([[[[1]], [[2]]], [[[3]]]], [["a", "b"], ["c"]], "t")
    with pytest.raises(ValueError, match=r"titles must hold one entry per entry of arrays\[0\]"):
        show_array_grid([[[[1]], [[2]]]], [["a"]], "t")


# -- plot_measured_and_predicted -----------------------------------------------------------------------

def test_measured_and_predicted_curves():
    shifts = [0, 1, 2]
    fig = plot_measured_and_predicted(shifts, {"none": [1, 0, 0], "2x2": [1, 0.3, 0]}, {"2x2": [1, 1 / 3, 0]},
                                      "demo", xlabel="shift", ylabel="fraction", ylim=(-0.05, 1.05))
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["measured: none", "measured: 2x2", "predicted: 2x2"]
    measured_2x2, predicted_2x2 = ax.lines[1], ax.lines[2]
    assert measured_2x2.get_color() == predicted_2x2.get_color() and predicted_2x2.get_linestyle() == "--"
    assert np.allclose(predicted_2x2.get_ydata(), [1, 1 / 3, 0])
    assert ax.lines[0].get_markersize() > ax.lines[1].get_markersize()  # coinciding curves stay visible
    assert ax.lines[0].get_linewidth() > ax.lines[1].get_linewidth()
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_ylim()) == ("shift", "fraction", (-0.05, 1.05))


@pytest.mark.parametrize("measured, predicted, error, message", [
    ({}, {}, TypeError, r"measured must be a non-empty dict"),
    ({"a": [1, 2]}, {"b": [1, 2]}, ValueError, r"predicted labels must be labels of measured; \['b'\]"),
    ({"a": [1, 2, 3]}, {}, ValueError, r"measured\['a'\] must have one value per x \(2\); got shape \(3,\)"),
    ({"a": [1, 2]}, [1, 2], TypeError, r"predicted must be a dict"),
])
def test_measured_and_predicted_bad_input(measured, predicted, error, message):
    with pytest.raises(error, match=message):
        plot_measured_and_predicted([0, 1], measured, predicted, "t", xlabel="x", ylabel="y")
