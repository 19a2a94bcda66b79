"""course_utils.sliding_window: the drawn taps are the ones corr2d uses."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from course_utils import corr2d  # noqa: E402
from course_utils.sliding_window import ConvGeometry, draw_sliding_window, save_sliding_window_gif  # noqa: E402


@settings(derandomize=True, max_examples=60, deadline=None)
@given(n=st.integers(1, 9), k=st.integers(1, 4), p=st.integers(0, 2), s=st.integers(1, 3), d=st.integers(1, 3))
def test_taps_reproduce_corr2d(n, k, p, s, d):
    if d * (k - 1) + 1 > n + 2 * p:
        return
    geometry = ConvGeometry(n, k, padding=p, stride=s, dilation=d)
    rng = np.random.default_rng(n * 1000 + k * 100 + p * 10 + s + d)
    X, K = rng.standard_normal((n, n)), rng.standard_normal((k, k))
    padded = np.pad(X, p)
    expected = corr2d(X, K, padding=p, stride=s, dilation=d)
    assert expected.shape == geometry.output_size
    for position in geometry.positions():
        total = sum(padded[r, c] * w for (r, c), w in zip(geometry.taps(position), K.ravel()))
        assert np.isclose(total, expected[position])


def test_describe_names_only_the_non_default_settings():
    assert ConvGeometry(4, 3).describe() == "input 4x4, kernel 3x3 → output 2x2"
    assert ConvGeometry((5, 6), 3, padding=1, stride=(2, 1)).describe() == (
        "input 5x6, kernel 3x3, padding 1, stride (2, 1) → output 3x6")


def test_drawing_colours_taps_padding_and_the_output_cell():
    geometry = ConvGeometry(3, 2, padding=1)
    fig, axes = plt.subplots(1, 2)
    draw_sliding_window(axes, geometry, (1, 2))
    assert axes[0].get_title() == "input (dashed: zero padding)"
    assert len(axes[0].patches) == 5 * 5 + 1  # every padded cell, plus the frame around the kernel
    assert len(axes[1].patches) == 4 * 4
    orange = [p for p in axes[1].patches if matplotlib.colors.to_hex(p.get_facecolor()) == "#d94801"]
    assert len(orange) == 1 and (orange[0].get_x(), orange[0].get_y()) == (2, 2)  # row 1 drawn from the top
    plt.close(fig)


def test_gif_has_a_frame_per_position(tmp_path):
    from PIL import Image

    path = tmp_path / "a.gif"
    save_sliding_window_gif(path, ConvGeometry(3, 2))
    with Image.open(path) as image:
        assert image.n_frames == 4


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(input_size=3, kernel_size=4), ValueError, r"kernel size kernel_size = \(4, 4\) is larger than the input size input_size = \(3, 3\)"),
        (dict(input_size=5, kernel_size=3, dilation=3), ValueError, r"dilation=\(3, 3\) makes it 7x7"),
        (dict(input_size=0, kernel_size=1), ValueError, r"input_size must be >= 1; got 0"),
        (dict(input_size=4, kernel_size=2, stride=0), ValueError, r"stride must be >= 1; got 0"),
        (dict(input_size=4, kernel_size=2, padding=-1), ValueError, r"padding must be non-negative; got -1"),
        (dict(input_size=4.0, kernel_size=2), TypeError, r"input_size must be an int or a pair of ints; got float 4.0"),
    ],
)
def test_bad_geometry_is_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        ConvGeometry(**kwargs)


@pytest.mark.parametrize("position, error, message", [
    ((2, 0), ValueError, r"position must lie inside the 2x2 output; got \(2, 0\)"),
    ((0,), TypeError, r"position must be a pair of ints"),
    ((0.0, 1), TypeError, r"position must be a pair of ints"),
])
def test_bad_position(position, error, message):
    with pytest.raises(error, match=message):
        ConvGeometry(3, 2).taps(position)
