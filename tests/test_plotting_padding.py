"""course_utils.plotting.show_padded_array: the padded values, hatched padding, a frame round the input."""
from __future__ import annotations

import numpy as np
import pytest
from matplotlib.patches import Rectangle

from course_utils.plotting import show_padded_array



def patches(ax):
    hatched = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]
    frames = [p for p in ax.patches if isinstance(p, Rectangle) and not p.get_hatch()]
    return hatched, frames


def test_symmetric_padding_draws_the_padded_array(ax):
    X = np.arange(9.0).reshape(3, 3)
    image = show_padded_array(ax, X, 1, "padded")
    assert np.array_equal(image.get_array(), np.pad(X, 1))
    assert ax.get_title() == "padded"
    hatched, frames = patches(ax)
    assert len(hatched) == 5 * 5 - 3 * 3
    assert len(frames) == 1
    frame = frames[0]
    assert (frame.get_x(), frame.get_y(), frame.get_width(), frame.get_height()) == (0.5, 0.5, 3, 3)
    assert [t.get_text() for t in ax.texts][:6] == ["0", "0", "0", "0", "0", "0"]


def test_asymmetric_padding_and_value(ax):
    image = show_padded_array(ax, [[1, 2], [3, 4]], ((0, 1), (2, 0)), "uneven", value=-1, colorbar=False)
    padded = image.get_array()
    assert padded.shape == (3, 4)
    assert np.array_equal(padded[:2, 2:], [[1, 2], [3, 4]]) and np.all(padded[2] == -1) and np.all(padded[:, :2] == -1)
    assert image.get_cmap().name == "RdBu_r"  # the value -1 makes it signed
    hatched, frames = patches(ax)
    assert len(hatched) == 3 * 4 - 4
    assert (frames[0].get_x(), frames[0].get_y()) == (1.5, -0.5)


def test_no_padding_draws_only_the_frame(ax):
    show_padded_array(ax, np.ones((2, 3)), 0, "none")
    hatched, frames = patches(ax)
    assert not hatched and len(frames) == 1


@pytest.mark.parametrize(
    "array, padding, title, kwargs, error, message",
    [
        ([1, 2, 3], 1, "t", {}, ValueError, r"array must be a non-empty 2-D array; got shape \(3,\)"),
        ([[1.0]], -1, "t", {}, ValueError, r"padding must be non-negative"),
        ([[1.0]], "same", "t", {}, TypeError, r"padding must be an int or a pair of ints"),
        ([[1.0]], 1, "", {}, ValueError, r"title must be a non-empty string"),
        ([[1.0]], 1, "t", {"value": "zero"}, TypeError, r"value must be a finite number"),
        ([[1.0]], 1, "t", {"value": np.nan}, TypeError, r"value must be a finite number"),
    ],
)
def test_bad_input(ax, array, padding, title, kwargs, error, message):
    with pytest.raises(error, match=message):
        show_padded_array(ax, array, padding, title, **kwargs)
