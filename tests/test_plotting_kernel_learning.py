"""course_utils.plotting.plot_loss_curves: one line per history, log scale, input validation."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.plotting import plot_loss_curves



def test_one_line_per_curve_on_a_log_axis_with_legend_and_labels(ax):
    lines = plot_loss_curves(ax, {"a": [4.0, 2.0, 1.0], "b": np.array([1.0, 10.0]), "c": torch.tensor([3.0])},
                             "three runs", first_step=1)
    assert [line.get_label() for line in lines] == ["a", "b", "c"]
    assert list(lines[0].get_xdata()) == [1, 2, 3] and list(lines[1].get_ydata()) == [1.0, 10.0]
    assert ax.get_yscale() == "log" and ax.get_title() == "three runs"
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]
    assert len({line.get_marker() for line in lines}) == 3


def test_linear_scale_allows_zero_and_negative_values(ax):
    plot_loss_curves(ax, {"gap": [1.0, 0.0, -1.0]}, "linear", log_scale=False, ylabel="gap")
    assert ax.get_yscale() == "linear" and ax.get_ylabel() == "gap"


@pytest.mark.parametrize(
    "curves, kwargs, error, message",
    [
        ({"a": [1.0]}, {"title": ""}, ValueError, r"title must be a non-empty string"),
        ([1.0, 2.0], {}, TypeError, r"curves must be a non-empty dict of label -> losses; got list"),
        ({}, {}, TypeError, r"curves must be a non-empty dict"),
        ({"a": [[1.0, 2.0]]}, {}, ValueError,
         r"curves\['a'\] must be a non-empty 1-D sequence of losses; got shape \(1, 2\)"),
        ({"a": []}, {}, ValueError, r"curves\['a'\] must be a non-empty 1-D"),
        ({"a": [1.0, np.nan]}, {}, ValueError, r"curves\['a'\] must hold only finite values"),
        ({"a": [1.0, 0.0]}, {}, ValueError, r"curves\['a'\] must be positive on a log scale; its smallest value is 0"),
        ({"a": "loss"}, {}, TypeError, r"curves\['a'\] must be an array of numbers"),
        ({"a": [1.0]}, {"first_step": 1.5}, TypeError, r"first_step must be an int; got float 1.5"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(ax, curves, kwargs, error, message):
    kwargs = {"title": "t", **kwargs}
    title = kwargs.pop("title")
    with pytest.raises(error, match=message):
        plot_loss_curves(ax, curves, title, **kwargs)
