"""The kernel playground without a browser: every control changes what it should."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.data import IMAGE_NAMES, load_image
from course_utils.kernels import KERNEL_NAMES, kernel_preset
from course_utils.widgets.playground import MAX_PADDING, MAX_STRIDE, KernelPlayground, PlaygroundSettings, kernel_playground


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
    assert [w.value for w in weights] == list(kernel_preset("sobel_y").ravel())
    assert picture.value != before and "[-1, -2, -1]" in text.value
    weights[4].value = 3.0
    assert preset_picker.value == "(edited)" and playground.settings.kernel[1][1] == 3.0
    image_picker.value = "coins"
    assert "coins 303x384" in text.value
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
