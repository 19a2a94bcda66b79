"""course_utils.plotting: colour-map conventions and input validation."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.plotting import show_array  # noqa: E402


@pytest.fixture
def ax():
    fig, axes = plt.subplots(figsize=(2, 2))
    yield axes
    plt.close(fig)


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
