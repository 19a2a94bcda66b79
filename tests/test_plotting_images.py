"""course_utils.plotting.show_image and show_filter_rows: colour maps, rectangles, validation."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.plotting import show_filter_rows, show_image



def test_gray_photo_uses_unit_range_and_no_colorbar(ax):
    image = show_image(ax, np.linspace(0.2, 0.6, 200).reshape(10, 20), "photo")
    assert image.get_cmap().name == "gray"
    assert (image.norm.vmin, image.norm.vmax) == (0.0, 1.0)
    assert ax.get_title() == "photo"
    assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    assert len(ax.figure.axes) == 1


def test_gray_values_outside_unit_range_use_the_data_range(ax):
    image = show_image(ax, np.array([[-0.5, 0.0], [1.0, 2.0]]), "sharpened")
    assert (image.norm.vmin, image.norm.vmax) == (-0.5, 2.0)


def test_constant_gray_image_does_not_break(ax):
    image = show_image(ax, np.full((3, 3), 5.0), "flat")
    assert image.norm.vmax > image.norm.vmin


def test_signed_is_diverging_centred_at_zero_with_colorbar(ax):
    image = show_image(ax, np.array([[-1.0, 3.0], [0.5, 2.0]]), "edges", kind="signed")
    assert image.get_cmap().name == "RdBu_r"
    assert (image.norm.vmin, image.norm.vmax) == (-3.0, 3.0)
    assert len(ax.figure.axes) == 2  # the colour bar
    assert len(ax.texts) == 0  # photographs carry no numbers


def test_magnitude_is_viridis_and_vmax_saturates(ax):
    image = show_image(ax, np.arange(12.0).reshape(3, 4), "strength", kind="magnitude", vmax=5.0)
    assert image.get_cmap().name == "viridis"
    assert (image.norm.vmin, image.norm.vmax) == (0.0, 5.0)
    colorbar_axes = [a for a in ax.figure.axes if a is not ax]
    assert len(colorbar_axes) == 1


def test_signed_vmax_is_symmetric(ax):
    image = show_image(ax, np.array([[-10.0, 1.0]]), "clipped", kind="signed", vmax=2.0)
    assert (image.norm.vmin, image.norm.vmax) == (-2.0, 2.0)


def test_rectangles_are_outlined_with_a_legend(ax):
    show_image(ax, np.zeros((20, 30)), "where", rectangles={"cut": (2, 3, 5, 8), "found": (10, 0, 10, 30)})
    patches = ax.patches
    assert len(patches) == 2
    assert patches[0].get_xy() == (2.5, 1.5) and patches[0].get_width() == 8 and patches[0].get_height() == 5
    assert patches[0].get_edgecolor() != patches[1].get_edgecolor()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["cut", "found"]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"title": ""}, ValueError, r"title must be a non-empty string"),
        ({"kind": "grey"}, ValueError, r"kind must be one of 'gray', 'signed', 'magnitude'; got 'grey'"),
        ({"image": np.zeros((2, 2, 3))}, ValueError, r"image must be a non-empty 2-D array; got shape \(2, 2, 3\)"),
        ({"image": [[1.0, np.nan]]}, ValueError, r"image must hold only finite values"),
        ({"rectangles": [(0, 0, 1, 1)]}, TypeError, r"rectangles must be a dict of label"),
        ({"rectangles": {"a": (0, 0, 1)}}, TypeError, r"rectangles\['a'\] must be 4 ints"),
        ({"rectangles": {"a": (0, 0, 1.5, 1)}}, TypeError, r"rectangles\['a'\] must be 4 ints"),
        ({"rectangles": {"a": (3, 3, 2, 2)}}, ValueError,
         r"rectangles\['a'\] = \(3, 3, 2, 2\) \(row, col, height, width\) does not lie inside the image with shape \(4, 4\)"),
        ({"rectangles": {"a": (0, 0, 0, 2)}}, ValueError, r"does not lie inside"),
        ({"kind": "signed", "vmax": 0}, ValueError, r"vmax must be a positive number"),
        ({"kind": "signed", "vmax": "1"}, ValueError, r"vmax must be a positive number"),
    ],
)
def test_show_image_bad_input(ax, kwargs, error, message):
    arguments = {"image": np.zeros((4, 4)), "title": "t", **kwargs}
    image, title = arguments.pop("image"), arguments.pop("title")
    with pytest.raises(error, match=message):
        show_image(ax, image, title, **arguments)


def test_show_filter_rows_draws_titled_rows_with_numbers_in_small_kernels():
    picture = np.linspace(0, 1, 144).reshape(12, 12)
    rows = [
        ("sobel_x", picture, np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]]), picture[1:-1, 1:-1] - 0.5, "signed"),
        ("big blur", picture, np.full((7, 7), 1 / 49), picture[3:-3, 3:-3], "gray"),
    ]
    fig = show_filter_rows(rows, "two filters", percentile=90)
    titles = [a.get_title() for a in fig.axes if a.get_title()]
    assert titles == ["original", "kernel: sobel_x", "result: sobel_x", "original", "kernel: big blur",
                      "result: big blur"]
    kernel_axes = [a for a in fig.axes if a.get_title().startswith("kernel")]
    assert len(kernel_axes[0].texts) == 9 and len(kernel_axes[1].texts) == 0
    assert kernel_axes[0].images[0].get_cmap().name == "RdBu_r"
    signed_result = [a for a in fig.axes if a.get_title() == "result: sobel_x"][0].images[0]
    expected_vmax = np.percentile(np.abs(picture[1:-1, 1:-1] - 0.5), 90)
    assert signed_result.norm.vmax == pytest.approx(expected_vmax)
    assert fig._suptitle.get_text() == "two filters"
    plt.close(fig)


@pytest.mark.parametrize(
    "rows, suptitle, kwargs, message",
    [
        ([], "s", {}, r"rows must be a non-empty list"),
        ("rows", "s", {}, r"rows must be a non-empty list"),
        ([("a", np.zeros((3, 3)), np.ones((1, 1)), np.zeros((3, 3)))], "s", {},
         r"rows\[0\] must be \(name, image, kernel, result, kind\); got tuple with 4 items"),
        ([("", np.zeros((3, 3)), np.ones((1, 1)), np.zeros((3, 3)), "gray")], "s", {}, r"must start with the filter's name"),
        ([("a", np.zeros((3, 3)), np.ones((1, 1)), np.zeros((3, 3)), "gray")], "", {}, r"suptitle must be a non-empty"),
        ([("a", np.zeros((3, 3)), np.ones((1, 1)), np.zeros((3, 3)), "gray")], "s", {"percentile": 0},
         r"percentile must be a number in \(0, 100\]"),
    ],
)
def test_show_filter_rows_bad_input(rows, suptitle, kwargs, message):
    with pytest.raises(ValueError, match=message):
        show_filter_rows(rows, suptitle, **kwargs)
    plt.close("all")
