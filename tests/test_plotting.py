"""course_utils.plotting: colour-map conventions and input validation."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.plotting import show_array



def test_signed_array_uses_diverging_map_centred_at_zero(ax):
    image = show_array(ax, [[-1.0, 3.0], [0.5, 2.0]], "signed")
    assert image.get_cmap().name == "RdBu_r"
    assert image.norm.vmin == -3.0 and image.norm.vmax == 3.0
    assert ax.get_title() == "signed"
    assert [t.get_text() for t in ax.texts] == ["-1", "3", "0.5", "2"]


def test_magnitudes_use_viridis_and_1d_is_one_row(ax):
    image = show_array(ax, np.arange(3), "row", colorbar=False)
    assert image.get_cmap().name == "viridis"
    assert image.get_array().shape == (1, 3)


def test_large_arrays_are_not_annotated(ax):
    show_array(ax, np.zeros((10, 10)), "big")
    assert len(ax.texts) == 0


@pytest.mark.parametrize(
    "array, title, message",
    [
        ([[1, 2]], "", r"title must be a non-empty string"),
        ([[1, 2]], None, r"title must be a non-empty string"),
        (np.zeros((2, 2, 2)), "t", r"array must be a non-empty 1-D or 2-D array; got shape \(2, 2, 2\)"),
        ([], "t", r"array must be a non-empty"),
        ([[1.0, np.nan]], "t", r"array must hold only finite values"),
    ],
)
def test_bad_input_names_the_parameter(ax, array, title, message):
    with pytest.raises(ValueError, match=message):
        show_array(ax, array, title)


def test_show_row_draws_one_titled_panel_per_array():
    from course_utils.plotting import show_row

    fig = show_row([np.ones((2, 3)), [[1.0, -1.0]], np.zeros((2, 2))], ["X", "K", "Y"], "X, K and Y")
    images = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in images] == ["X", "K", "Y"]
    assert fig._suptitle.get_text() == "X, K and Y"
    assert images[1].images[0].get_cmap().name == "RdBu_r"
    plt.close(fig)


@pytest.mark.parametrize(
    "arrays, titles, suptitle, error, message",
    [
        ([[[1]]], ["a", "b"], "s", ValueError, r"titles must be a list with one title per array; got \['a', 'b'\] for 1"),
        ([[[1]]], "a", "s", ValueError, r"titles must be a list"),
        ([], [], "s", ValueError, r"arrays must hold at least one array"),
        ([[[1]]], ["a"], "", ValueError, r"suptitle must be a non-empty string"),
        (5, ["a"], "s", TypeError, r"arrays must be a list of arrays; got int"),
    ],
)
def test_show_row_bad_input(arrays, titles, suptitle, error, message):
    from course_utils.plotting import show_row

    with pytest.raises(error, match=message):
        show_row(arrays, titles, suptitle)
