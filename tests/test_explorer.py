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
    counted,
    fit_settings,
    max_dilation,
    max_kernel_size,
)
from course_utils.widgets.grid_image import GridPanel, _label_width, _layout

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
    shown.wait()
    assert "output 5x5" in text.value
    controls["padding"].value = 0
    shown.wait()
    assert "output 3x3" in text.value
    controls["input height"].value = 2  # the kernel slider's limit drops, and the kernel with it
    shown.wait()
    assert controls["kernel size"].max == 2 and controls["kernel size"].value == 2
    assert explorer.settings.kernel_size == 2 and "output 1x4" in text.value
    assert explorer.notice.startswith("kernel size lowered from 3 to 2")  # said in the picture, not silent
    assert box.children[1].value == explorer.render_png()
    bundle = shown._repr_mimebundle_()
    assert {"image/png", "text/plain", "application/vnd.jupyter.widget-view+json"} <= set(bundle)


def test_text_under_the_widget_does_not_repeat_the_pictures_formula_and_sum():
    explorer = ConvolutionExplorer(ExplorerSettings(height=3, width=3, kernel_size=2))
    text = explorer.widget_text()
    assert explorer.state.formula_text() not in text and explorer.state.products_text((0, 0)) not in text
    assert text.splitlines() == [explorer.summary().splitlines()[0], "output 2x2", "kernel at output[0, 0]",
                                 explorer.state.torch_call()]


def test_singular_and_plural():
    assert [counted(n, "row") for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    one_row = ExplorerState(ExplorerSettings(height=3, width=5, kernel_size=3))
    assert one_row.formula_text().endswith("= 1 row, 3 columns")
    one_column = ExplorerState(ExplorerSettings(height=4, width=3, kernel_size=3))
    assert one_column.formula_text().endswith("= 2 rows, 1 column")
    assert "rows" not in ExplorerState(ExplorerSettings(height=3, width=3, kernel_size=3)).formula_text()


def test_shrinking_the_input_lowers_the_kernel_and_says_so():
    fitted, notice = fit_settings(ExplorerSettings(height=1, width=5, kernel_size=5))
    assert fitted.kernel_size == 1
    assert notice == ("kernel size lowered from 5 to 1: a 5x5 kernel with dilation 1 covers 5x5 cells, more than the "
                      "1x5 padded input")
    fitted, notice = fit_settings(ExplorerSettings(height=5, width=5, kernel_size=3, dilation=3))
    assert (fitted.kernel_size, fitted.dilation) == (2, 3) and notice.startswith("kernel size lowered from 3 to 2")
    assert ExplorerState(fitted).valid
    assert fit_settings(ExplorerSettings(height=5, width=5, kernel_size=3)) == (ExplorerSettings(5, 5, 3), "")
    explorer = ConvolutionExplorer(ExplorerSettings(height=5, width=5, kernel_size=5))
    silent = explorer.render_png()
    explorer.update_within_limits(height=1)
    assert explorer.settings.kernel_size == 1 and explorer.notice
    told = explorer.image()
    explorer.notice = ""
    assert told.size[1] > explorer.image().size[1], "the notice takes a line of the picture"
    explorer.update(height=5)
    assert explorer.notice == "" and explorer.render_png() != silent


@pytest.mark.parametrize("settings, legend", [
    (ExplorerSettings(height=3, width=3, kernel_size=3, padding=0, stride=2, transposed=True),
     "grey: border of d·(k - 1) - p = 2 zeros and zeros inserted by the stride"),
    (ExplorerSettings(height=3, width=3, kernel_size=3, padding=2, stride=1, transposed=True), ""),
    (ExplorerSettings(height=3, width=3, kernel_size=2, padding=1, stride=2, transposed=True),
     "grey: zeros inserted by the stride"),
    (ExplorerSettings(height=3, width=3, kernel_size=3, padding=1), "grey: padding (1)"),
    (ExplorerSettings(height=3, width=3, kernel_size=3, padding=0), ""),
])
def test_legend_names_only_the_cells_the_grid_has(settings, legend):
    explorer = ConvolutionExplorer(settings)
    assert explorer.legend() == legend
    assert "padding" not in explorer.legend() or settings.padding > 0


def test_a_narrow_panels_title_keeps_clear_of_its_neighbour():
    for settings in (ExplorerSettings(height=5, width=5, kernel_size=5), ExplorerSettings(height=7, width=7, kernel_size=7),
                     ExplorerSettings(height=1, width=1, kernel_size=1)):
        state = ExplorerState(settings)
        panels = [GridPanel("input", np.zeros(state.grid.shape + (3,), np.uint8)),
                  GridPanel("kernel", np.zeros(state.kernel.shape + (3,), np.uint8)),
                  GridPanel(f"output {state.output_shape[0]}x{state.output_shape[1]}",
                            np.zeros(state.output_shape + (3,), np.uint8), caption="dark: cell (0, 0)")]
        layout = _layout(panels, 820, 34)
        extents = []  # (left, right) of each panel's grid and of its centred label
        for panel, (x, _) in zip(panels, layout.origins):
            centre, half = x + panel.shape[1] * layout.cell / 2, _label_width(panel) / 2
            extents.append((min(x, centre - half), max(x + panel.shape[1] * layout.cell, centre + half)))
        for (_, right), (left, _) in zip(extents, extents[1:]):
            assert right < left, (settings, extents)
        assert extents[0][0] >= 0 and extents[-1][1] <= 820


def test_every_slider_position_renders_without_error():
    for name, (low, high) in LIMITS.items():
        explorer = ConvolutionExplorer()
        for value in range(low, high + 1):
            explorer.update(**{name: value})
            assert explorer.render_png().startswith(b"\x89PNG")


def test_widget_benchmark_machinery_runs_every_planned_change():
    import bench_widgets as bench

    for make in (bench.explorer_changes, bench.playground_changes):
        shown, changes = make(8)
        before = shown.widget.children[1].value
        times = bench.time_updates(changes, shown.wait)
        assert len(times) == 8 and all(t > 0 for t in times)
        assert shown.widget.children[1].value != before  # the picture was redrawn
