"""The loss bowl of lesson 05: kernel_learning.loss_surface / plane_coordinates and the plotting helpers
plot_loss_bowl, plot_learning_rate_sweep, and show_array/show_row's gray dark/bright panels."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.kernel_learning import (
    LossSurface,
    gradient_descent_kernel,
    loss_surface,
    plane_coordinates,
    squared_loss,
    squared_loss_hessian,
)
from course_utils.ops import corr2d
from course_utils.plotting import plot_learning_rate_sweep, plot_loss_bowl, show_array, show_row

BAND = np.ones((6, 9))
BAND[:, 2:6] = 0
TARGET = corr2d(BAND, [[1.0, -1.0]])
STEEP, SHALLOW = np.array([1.0, 1.0]) / np.sqrt(2), np.array([1.0, -1.0]) / np.sqrt(2)



def test_surface_is_the_quadratic_form_of_the_hessian_around_the_target_kernel():
    surface = loss_surface(BAND, TARGET, [1.0, -1.0], [SHALLOW, STEEP], a_range=(-1, 1), b_range=(-2, 2), points=7)
    H = squared_loss_hessian(BAND, (1, 2))
    for j, b in enumerate(surface.b):
        for i, a in enumerate(surface.a):
            e = a * SHALLOW + b * STEEP
            assert surface.losses[j, i] == pytest.approx(0.5 * e @ H @ e, rel=1e-12, abs=1e-12)
    # along the eigenvectors the loss is lambda / 2 * t^2: 12 and 84
    assert surface.losses[3, 6] == pytest.approx(12 / 2) and surface.losses[5, 3] == pytest.approx(84 / 2 * (4 / 3) ** 2)


def test_mean_reduction_divides_by_the_number_of_outputs():
    total = loss_surface(BAND, TARGET, [0.0, 0.0], np.eye(2), a_range=(0, 1), b_range=(0, 1), points=3)
    mean = loss_surface(BAND, TARGET, [0.0, 0.0], np.eye(2), a_range=(0, 1), b_range=(0, 1), points=3,
                        reduction="mean")
    np.testing.assert_allclose(mean.losses * TARGET.size, total.losses)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=2), st.floats(-3, 3), st.floats(-3, 3))
def test_surface_agrees_with_squared_loss_and_coordinates_invert_the_plane(center, a, b):
    directions = np.array([[2.0, 1.0], [-1.0, 3.0]])
    surface = loss_surface(BAND, TARGET, center, directions, a_range=(a - 1, a), b_range=(b, b + 1), points=2)
    kernel = np.asarray(center) + a * directions[0] + b * directions[1]
    assert surface.losses[0, 1] == pytest.approx(squared_loss(BAND, TARGET, kernel[None]), rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(plane_coordinates(kernel[None], center, directions), [[a, b]], atol=1e-9)


def test_coordinates_of_a_gradient_descent_run_follow_the_eigen_factors():
    run = gradient_descent_kernel(BAND, TARGET, [[0.04, -0.02]], learning_rate=0.05, steps=4)
    coordinates = plane_coordinates(run.kernels, [1.0, -1.0], [SHALLOW, STEEP])
    assert coordinates.shape == (5, 2)
    np.testing.assert_allclose(coordinates[1:, 0] / coordinates[:-1, 0], 1 - 0.05 * 12)
    np.testing.assert_allclose(coordinates[1:, 1] / coordinates[:-1, 1], 1 - 0.05 * 84)


@pytest.mark.parametrize("call, error, message", [
    (lambda: loss_surface(BAND, TARGET, [0, 0], [[1, 1], [2, 2]], a_range=(0, 1), b_range=(0, 1)), ValueError,
     r"directions must be two independent vectors"),
    (lambda: loss_surface(BAND, TARGET, [0, 0], [[1, 0, 0], [0, 1, 0]], a_range=(0, 1), b_range=(0, 1)), ValueError,
     r"directions must hold 2 directions with center's 2 entries each; got shape \(2, 3\)"),
    (lambda: loss_surface(BAND, TARGET, [0, 0], np.eye(2), a_range=(1, 0), b_range=(0, 1)), ValueError,
     r"a_range must be a pair \(low, high\) with low < high; got \(1, 0\)"),
    (lambda: loss_surface(BAND, TARGET, [0, 0], np.eye(2), a_range=(0, 1), b_range=(0, 1), points=1), ValueError,
     r"points must be an int >= 2"),
    (lambda: plane_coordinates([[1.0, 2.0, 3.0]], [0, 0], np.eye(2)), ValueError,
     r"kernels must be one kernel or a list of kernels with 2 entries each"),
])
def test_bad_plane_arguments_are_refused_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_bowl_contours_lie_on_their_loss_levels_and_paths_are_drawn_as_given(ax):
    surface = loss_surface(BAND, TARGET, [1.0, -1.0], [SHALLOW, STEEP], a_range=(-1.5, 1.5), b_range=(-1.5, 1.5),
                           points=121)
    paths = {"slow": [[-1.0, 0.1], [-0.7, -0.05]], "fast": np.array([[-1.0, 0.1], [-0.4, -0.3], [0.0, 1.0]])}
    lines = plot_loss_bowl(ax, surface, paths, "bowl", axis_labels=["shallow", "steep"], numbered=2)
    assert [line.get_label() for line in lines] == ["slow", "fast"]
    np.testing.assert_array_equal(lines[1].get_xydata(), paths["fast"])
    assert ax.get_aspect() == 1.0 and ax.get_xlim() == (-1.5, 1.5)
    assert ax.get_xlabel() == "shallow" and ax.get_ylabel() == "steep" and ax.get_title() == "bowl"
    assert sorted(t.get_text() for t in ax.texts) == ["0", "0", "1", "1"]  # the first two points of each path
    contour_set = next(c for c in ax.collections if hasattr(c, "levels"))
    levels = np.asarray(contour_set.levels)
    expected = matplotlib.colormaps["viridis"](np.log(levels / levels[0]) / np.log(levels[-1] / levels[0]))
    np.testing.assert_allclose(contour_set.get_edgecolor(), expected, atol=0.01)  # viridis on a log scale
    H = squared_loss_hessian(BAND, (1, 2))
    checked = 0
    for level, path in zip(contour_set.levels, contour_set.get_paths()):
        if level < 1.0:  # ellipses a few grid cells across: linear interpolation is too coarse there
            continue
        for x, y in path.vertices[::10]:
            e = x * SHALLOW + y * STEEP
            assert 0.5 * e @ H @ e == pytest.approx(level, rel=0.03)  # a drawn contour is its level, within 3%
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("kwargs, error, message", [
    ({"paths": {}}, TypeError, r"paths must be a non-empty dict"),
    ({"paths": {"p": [1.0, 2.0]}}, ValueError, r"paths\['p'\] must have shape \(steps, 2\); got \(2,\)"),
    ({"axis_labels": ["x"]}, ValueError, r"axis_labels must be two strings"),
    ({"surface": LossSurface(np.zeros(3), np.zeros(3), np.zeros((2, 3)))}, ValueError,
     r"losses of shape \(len\(b\), len\(a\)\); got a \(3,\), b \(3,\), losses \(2, 3\)"),
    ({"levels": 1}, ValueError, r"levels must be an int >= 2; got 1"),
])
def test_bowl_refuses_bad_input(ax, kwargs, error, message):
    arguments = {"surface": LossSurface(np.linspace(-1, 1, 3), np.linspace(-1, 1, 3), np.ones((3, 3))),
                 "paths": {"p": [[0.0, 0.0]]}, "axis_labels": ["x", "y"], **kwargs}
    with pytest.raises(error, match=message):
        plot_loss_bowl(ax, arguments.pop("surface"), arguments.pop("paths"), "t", **arguments)


def test_sweep_draws_each_run_with_its_critical_rate_on_log_axes():
    rates = np.geomspace(0.01, 0.1, 5)
    fig = plot_learning_rate_sweep(rates, {"6x9": (np.linspace(1, 100, 5), np.linspace(0.5, 3, 5), 0.024, 11.3),
                                           "6x8": (np.linspace(1, 10, 5), np.linspace(0.4, 2, 5), 0.033, 11.3)}, 20)
    try:
        left, right = fig.axes
        assert left.get_xscale() == right.get_xscale() == "log" == left.get_yscale()
        assert "20 gradient-descent updates" in left.get_title()
        labels = [t.get_text() for t in left.get_legend().get_texts()]
        assert "critical 2/λmax = 0.0240 (6x9)" in labels and "loss of the start kernel, 11.3 (6x8)" in labels
        np.testing.assert_allclose(left.get_lines()[0].get_ydata(), np.linspace(1, 100, 5))
    finally:
        plt.close(fig)


def test_sweep_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match=r"sweep\['a'\]: final_losses \(2,\) and worst_growth \(3,\)"):
        plot_learning_rate_sweep([0.1, 0.2, 0.3], {"a": ([1, 2], [1, 2, 3], 0.1, 1.0)}, 5)
    with pytest.raises(ValueError, match=r"steps must be an int >= 1"):
        plot_learning_rate_sweep([0.1], {"a": ([1], [1], 0.1, 1.0)}, 0)


def test_gray_panels_draw_dark_and_bright_in_gray_from_zero_to_one():
    fig = show_row([np.array([[1.0, 0.0]]), np.array([[1.0, -1.0]])], ["image", "kernel"], "demo", gray_panels=[0])
    try:
        image, kernel = [a.get_images()[0] for a in fig.axes if a.get_images()]
        assert image.get_cmap().name == "gray" and (image.norm.vmin, image.norm.vmax) == (0.0, 1.0)
        assert kernel.get_cmap().name == "RdBu_r"
        assert any(a.get_ylabel() == "dark ... bright" for a in fig.axes)
    finally:
        plt.close(fig)


def test_gray_array_keeps_a_wider_range_and_refuses_a_non_bool(ax):
    assert show_array(ax, [[0.0, 2.0]], "wide", gray=True).norm.vmax == 2.0
    with pytest.raises(TypeError, match=r"gray must be True or False; got str 'yes'"):
        show_array(ax, [[0.0, 1.0]], "bad", gray="yes")
    with pytest.raises(ValueError, match=r"gray_panels must be indices of panels, each in 0..0; got \[3\]"):
        show_row([[[0.0]]], ["one"], "demo", gray_panels=[3])
