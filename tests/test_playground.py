"""The kernel playground without a browser: every control changes what it should."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.data import IMAGE_NAMES, load_image
from course_utils.kernels import KERNEL_NAMES, kernel_preset
from course_utils.widgets.playground import (MAX_PADDING, MAX_STRIDE, PANEL, SCALE_PERCENTILE, KernelPlayground,
                                             PlaygroundSettings, kernel_playground, output_limits, padding_free)


def test_output_is_the_pytorch_result_for_every_preset_stride_and_padding():
    playground = KernelPlayground()
    image = torch.from_numpy(load_image("camera"))[None, None]
    for name in KERNEL_NAMES:
        playground.set_preset(name)
        for stride in (1, 3):
            for padding in (0, 2):
                playground.update(stride=stride, padding=padding)
                expected = F.conv2d(image, torch.from_numpy(kernel_preset(name).astype(np.float32))[None, None],
                                    stride=stride, padding=padding)[0, 0].numpy()
                assert playground.output.shape == expected.shape
                assert np.allclose(playground.output, expected, atol=1e-5), (name, stride, padding)


def test_summary_and_picture():
    playground = KernelPlayground(PlaygroundSettings(image="cat", stride=2, padding=0))
    assert playground.summary().splitlines()[0] == "cat 300x451 -> output 149x225 (kernel 3x3, stride 2, padding 0)"
    first = playground.render_png()
    playground.set_preset("laplacian")
    assert playground.render_png() != first and first.startswith(b"\x89PNG")


def test_every_control_position_renders():
    playground = KernelPlayground()
    for image in IMAGE_NAMES:
        playground.update(image=image)
        for stride in range(1, MAX_STRIDE + 1):
            for padding in range(MAX_PADDING + 1):
                playground.update(stride=stride, padding=padding)
                assert playground.render_png().startswith(b"\x89PNG")


def test_widget_preset_and_weights_drive_the_output():
    shown = kernel_playground(image="camera", preset="identity")
    box, playground = shown.widget, shown.model
    image_picker, preset_picker = box.children[0].children[0].children[:2]
    weights = box.children[0].children[1].children[1].children
    picture, text = box.children[1], box.children[2]
    assert np.allclose(playground.output, load_image("camera"))  # identity with padding 1
    before = picture.value
    preset_picker.value = "sobel_y"
    shown.wait()
    assert [w.value for w in weights] == list(kernel_preset("sobel_y").ravel())
    assert picture.value != before and "[-1, -2, -1]" in text.value
    weights[4].value = 3.0
    shown.wait()
    assert preset_picker.value == "(edited)" and playground.settings.kernel[1][1] == 3.0
    image_picker.value = "coins"
    shown.wait()
    assert "coins 303x384" in text.value and picture.value == playground.render_png()
    assert {"image/png", "text/plain"} <= set(shown._repr_mimebundle_())


@pytest.mark.parametrize("changes, error, message", [
    (dict(image="dog"), ValueError, r"image must be one of 'astronaut', 'camera', 'cat', 'coins'; got 'dog'"),
    (dict(kernel=((1, 2), (3, 4))), ValueError, r"kernel must be 3x3 finite numbers; got shape \(2, 2\)"),
    (dict(stride=0), ValueError, r"stride must be between 1 and 4; got 0"),
    (dict(padding=2.0), TypeError, r"padding must be an int; got float 2.0"),
])
def test_bad_settings(changes, error, message):
    with pytest.raises(error, match=message):
        PlaygroundSettings(**changes)


def test_unknown_preset():
    with pytest.raises(ValueError, match=r"preset must be one of 'identity', .*; got 'blur'"):
        kernel_playground(preset="blur")


def laplacian_on(image: str, stride: int = 1, padding: int = 1) -> KernelPlayground:
    return KernelPlayground(PlaygroundSettings(image=image, kernel=tuple(map(tuple, kernel_preset("laplacian"))),
                                               stride=stride, padding=padding))


def test_signed_scale_is_symmetric_and_set_by_the_pixels_away_from_the_border():
    playground = laplacian_on("coins")
    output = playground.output
    low, high = output_limits(output, output.shape, 1, 1, signed=True)
    assert low == -high
    assert np.isclose(high, np.percentile(np.abs(output[1:-1, 1:-1]), SCALE_PERCENTILE))
    # the robust limit leaves room for the edges: far below the largest |value|, far above the typical one
    assert np.median(np.abs(output)) < high / 5 and high < np.abs(output).max()
    # a bright border (zero padding next to bright pixels) does not set the scale
    bordered = output.copy()
    bordered[0, :] = 100.0
    assert output_limits(bordered, output.shape, 1, 1, signed=True) == (low, high)


def test_padding_free_marks_the_windows_that_read_no_padding():
    mask = padding_free((6, 5), (6, 5), padding=1, stride=1)
    assert mask.sum() == 4 * 3 and not mask[0].any() and not mask[:, -1].any() and mask[1:5, 1:4].all()
    assert padding_free((6, 6), (4, 4), padding=0, stride=1).all()
    strided = padding_free((7, 7), (4, 4), padding=1, stride=2)  # windows start at -1, 1, 3, 5
    assert strided[1:3, 1:3].all() and strided.sum() == 4


def test_signed_output_uses_both_ends_of_the_diverging_scale():
    from course_utils.widgets.playground import _diverging

    playground = laplacian_on("coins")
    _, high = output_limits(playground.output, playground.output.shape, 1, 1, signed=True)
    colours = _diverging(playground.output, high).reshape(-1, 3).astype(int)
    red = (colours[:, 0] - colours[:, 2]) > 100
    blue = (colours[:, 2] - colours[:, 0]) > 100
    assert red.mean() > 0.005 and blue.mean() > 0.005, "strong edges of both signs are saturated colours"


@pytest.mark.parametrize("stride", [1, 2, 3, 4])
def test_colour_bar_is_as_tall_as_the_output_at_every_stride(stride):
    playground = laplacian_on("camera", stride=stride)
    picture = np.asarray(playground.image_picture()).astype(int)
    x_output, top = 60 + 2 * PANEL, 40
    shown_height = round(playground.output.shape[0] * PANEL / 512)
    # the bar is the first column right of the output that is not white: its coloured run is the bar's height
    row_of_colour = (np.abs(picture[:, :, 0] - picture[:, :, 2]) > 60)
    bar_columns = [x for x in range(x_output + 1, picture.shape[1]) if row_of_colour[top:top + PANEL + 40, x].sum() > 10
                   and x > x_output + max(1, round(playground.output.shape[1] * PANEL / 512))]
    assert bar_columns, "no colour bar found"
    column = row_of_colour[:, bar_columns[0] + 2]
    rows = np.flatnonzero(column)
    assert rows.min() >= top - 1 and rows.max() <= top + shown_height + 1, (rows.min(), rows.max(), shown_height)
    assert rows.max() - rows.min() >= shown_height * 0.6  # red top and blue bottom; the white middle is not counted
