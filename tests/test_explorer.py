"""The convolution explorer without a browser: every number it shows, every slider position."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.widgets.explorer import ConvolutionExplorer, explore_convolution
from course_utils.widgets.explorer_model import (
    LIMITS,
    ExplorerSettings,
    ExplorerState,
    max_dilation,
    max_kernel_size,
)

GRID = list(itertools.product([1, 2, 5], [3, 6], [1, 2, 3, 4], [0, 1, 3], [1, 2, 3], [1, 2, 3], [False, True]))


@pytest.mark.parametrize("transposed", [False, True])
def test_every_state_agrees_with_pytorch_or_explains_why_not(transposed):
    checked = refused = 0
    for h, w, k, p, s, d, t in GRID:
        if t != transposed:
            continue
        state = ExplorerState(ExplorerSettings(h, w, k, p, s, d, t))
        X, K = torch.tensor(state.input)[None, None], torch.tensor(state.kernel)[None, None]
        layer = F.conv_transpose2d if t else F.conv2d
        try:
            expected = layer(X, K, stride=s, padding=p, dilation=d)[0, 0].numpy()
        except RuntimeError:
            expected = None
        if state.valid:
            assert expected is not None and np.allclose(state.output, expected), (h, w, k, p, s, d, t)
            for index, cell in enumerate(state.cells()):
                assert float(state.products_text(cell).split(" = ")[-1]) == state.output[cell]
            checked += 1
        else:
            assert expected is None or expected.size == 0, (h, w, k, p, s, d, t)
            assert state.message and state.output_shape == (0, 0)
            refused += 1
    assert checked > 100 and refused > 10


def test_worked_example_and_formula_text():
    state = ExplorerState(ExplorerSettings(height=3, width=3, kernel_size=2))
    assert state.products_text((0, 0)) == "0*0 + 1*1 + 3*2 + 4*3 = 19"
    assert np.array_equal(state.output, [[19, 25], [37, 43]])
    state = ExplorerState(ExplorerSettings(height=5, width=7, kernel_size=3, padding=1, stride=2))
    assert state.formula_text().endswith("= ⌊4 / 2⌋ + 1 = 3 rows, 4 columns")
    assert state.torch_call() == ("nn.Conv2d(in_channels=1, out_channels=1, kernel_size=3, stride=2, padding=1, "
                                  "dilation=1)")
    transposed = ExplorerState(ExplorerSettings(height=2, width=2, kernel_size=3, stride=2, transposed=True))
    assert transposed.output_shape == (5, 5) and transposed.torch_call().startswith("nn.ConvTranspose2d(")


def test_recomputed_limits_keep_the_output_positive():
    for h, w, k, p, s, d, t in GRID:
        settings = ExplorerSettings(h, w, k, p, s, d, False)
        k_max, d_max = max_kernel_size(settings), max_dilation(settings)
        assert ExplorerState(ExplorerSettings(h, w, k_max, p, s, d if d * (k_max - 1) + 1 <= min(h, w) + 2 * p else 1)).valid
        if k > 1:
            assert ExplorerState(ExplorerSettings(h, w, k, p, s, d_max)).valid or k > k_max


def test_explorer_steps_through_cells_and_renders():
    explorer = ConvolutionExplorer(ExplorerSettings(height=4, width=4, kernel_size=3, padding=1, stride=2))
    assert explorer.cell_count == 4
    frames = set()
    for index in range(explorer.cell_count):
        explorer.select_cell(index)
        frames.add(explorer.render_png())
    assert len(frames) == 4
    explorer.update(padding=0)
    assert explorer.cell_count == 1 and explorer.cell_index == 0
    with pytest.raises(ValueError, match=r"index must be between 0 and 0 for a 1x1 output; got 3"):
        explorer.select_cell(3)
    with pytest.raises(TypeError, match=r"index must be an int; got float 1.0"):
        explorer.select_cell(1.0)


def test_impossible_settings_show_a_message_not_an_error():
    explorer = ConvolutionExplorer(ExplorerSettings(height=3, width=3, kernel_size=5))
    assert "padded input is only 3x3" in explorer.summary()
    assert explorer.render_png().startswith(b"\x89PNG")


@pytest.mark.parametrize("changes, error, message", [
    (dict(height=0), ValueError, r"height must be between 1 and 16; got 0"),
    (dict(stride=5), ValueError, r"stride must be between 1 and 4; got 5"),
    (dict(padding=1.5), TypeError, r"padding must be an int; got float 1.5"),
    (dict(transposed="yes"), TypeError, r"transposed must be True or False; got 'yes'"),
])
def test_bad_settings_are_named(changes, error, message):
    with pytest.raises(error, match=message):
        ExplorerSettings(**changes)


def test_widget_controls_drive_the_explorer():
    shown = explore_convolution(height=5, width=5, kernel_size=3, padding=1, stride=2)
    box, explorer = shown.widget, shown.model
    controls = {child.description: child for child in box.children[0].children[0].children[0].children
                + box.children[0].children[0].children[1].children}
    assert set(controls) == {"input height", "input width", "kernel size", "padding", "stride", "dilation"}
    text = box.children[2]
    assert "output 3x3" in text.value
    controls["stride"].value = 1
    assert "output 5x5" in text.value
    controls["padding"].value = 0
    assert "output 3x3" in text.value
    controls["input height"].value = 2  # the kernel slider's limit drops, and the kernel with it
    assert controls["kernel size"].max == 2 and controls["kernel size"].value == 2
    assert explorer.settings.kernel_size == 2 and "output 1x4" in text.value
    bundle = shown._repr_mimebundle_()
    assert {"image/png", "text/plain", "application/vnd.jupyter.widget-view+json"} <= set(bundle)


def test_every_slider_position_renders_without_error():
    for name, (low, high) in LIMITS.items():
        explorer = ConvolutionExplorer()
        for value in range(low, high + 1):
            explorer.update(**{name: value})
            assert explorer.render_png().startswith(b"\x89PNG")


def test_widget_benchmark_machinery_runs_every_planned_change():
    from course_utils.widgets import bench

    for make in (bench.explorer_changes, bench.playground_changes):
        shown, changes = make(8)
        before = shown.widget.children[1].value
        times = bench.time_updates(changes)
        assert len(times) == 8 and all(t > 0 for t in times)
        assert shown.widget.children[1].value != before  # the picture was redrawn
