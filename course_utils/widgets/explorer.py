"""The convolution explorer: sliders for every setting, the kernel stepping over the input, the sum written out.

    from course_utils.widgets import explore_convolution
    explore_convolution(height=5, width=5, kernel_size=3, padding=1, stride=2)

The picture is drawn with PIL (:mod:`.grid_image`: hundreds of numbered cells in a
few milliseconds) and sent to an ``ipywidgets.Image``. Where no browser runs the
widget (nbval, ``make execute``, a static HTML export), its first frame is stored
as an ordinary PNG next to the widget view.
"""
from __future__ import annotations

import io
from dataclasses import replace
from typing import Any, Dict, Optional

import numpy as np

from ..geometry import dilated_span
from .explorer_model import (INPUT, INSERTED, LIMITS, PADDING, ExplorerSettings, ExplorerState, fit_settings,
                             max_dilation, max_kernel_size)
from .grid_image import GridPanel, palette, render_panels
from .latest_only import LatestOnly

__all__ = ["ConvolutionExplorer", "explore_convolution"]

#: Cell colours: input, padding, inserted zero; the same under the kernel; output; current output.
_COLOURS = {INPUT: "#c6dbef", PADDING: "#ffffff", INSERTED: "#f0f0f0", INPUT + 3: "#fd8d3c", PADDING + 3: "#fdbe85",
            INSERTED + 3: "#fdd0a2", 6: "#e0e0e0", 7: "#d94801"}
_TAP_OFFSET, _OUTPUT, _CURRENT = 3, 6, 7
#: Numbers are written in the cells while the largest grid has at most this many rows and columns.
MAX_ANNOTATED = 24
_BLACK, _GREY, _RED, _ORANGE = (0, 0, 0), (70, 70, 70), (180, 30, 30), (190, 90, 0)


class ConvolutionExplorer:
    """The picture and the state behind the widget; usable without a browser (and tested that way).

    >>> explorer = ConvolutionExplorer(ExplorerSettings(height=3, width=3, kernel_size=2, padding=0, stride=1))
    >>> explorer.summary().splitlines()[3]
    'output[0, 0] = 0*0 + 1*1 + 3*2 + 4*3 = 19'
    >>> explorer.select_cell(3)
    >>> explorer.render_png()[:4]
    b'\x89PNG'
    """

    def __init__(self, settings: Optional[ExplorerSettings] = None, cell_index: int = 0, notice: str = ""):
        self.settings = settings or ExplorerSettings()
        self.state = ExplorerState(self.settings)
        self.cell_index = 0
        self.notice = notice  # what the sliders' limits changed, shown in the picture
        self.select_cell(cell_index)

    def update(self, **changes: Any) -> None:
        """Change settings (any field of :class:`ExplorerSettings`); keeps the cell when it still exists."""
        self.settings = replace(self.settings, **changes)
        self.state = ExplorerState(self.settings)
        self.cell_index = min(self.cell_index, max(self.cell_count - 1, 0))
        self.notice = ""

    def update_within_limits(self, **changes: Any) -> str:
        """As :meth:`update`, then lower the kernel size or dilation that no longer fits; returns the notice.

        The picture shows the notice (say, "kernel size lowered from 5 to 1: ..."), so that shrinking
        the input never changes another setting silently.
        """
        fitted, notice = fit_settings(replace(self.settings, **changes))
        self.update(**{name: getattr(fitted, name) for name in LIMITS})
        self.notice = notice
        return notice

    def snapshot(self) -> "ConvolutionExplorer":
        """An independent copy (settings, cell, notice): what a render thread draws while the sliders move on."""
        return ConvolutionExplorer(self.settings, self.cell_index, self.notice)

    @property
    def cell_count(self) -> int:
        rows, cols = self.state.output_shape
        return rows * cols

    def select_cell(self, index: int) -> None:
        """Move the kernel to output cell ``index`` (numbered row by row)."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"index must be an int; got {type(index).__name__} {index!r}")
        if not self.state.valid:
            self.cell_index = 0
            return
        if not 0 <= index < self.cell_count:
            raise ValueError(f"index must be between 0 and {self.cell_count - 1} for a "
                             f"{self.state.output_shape[0]}x{self.state.output_shape[1]} output; got {index}")
        self.cell_index = int(index)

    def image(self):
        """The current picture as a PIL image."""
        state = self.state
        table = palette(_COLOURS)
        kinds = state.grid_kind.astype(int)
        annotate = max(state.grid.shape + state.output_shape) <= MAX_ANNOTATED
        lines = [(self.notice, _ORANGE)] if self.notice else []
        if state.valid:
            cell = state.cell(self.cell_index)
            for r, c in state.taps(cell):
                kinds[r, c] += _TAP_OFFSET
            output_kinds = np.full(state.output_shape, _OUTPUT)
            output_kinds[cell] = _CURRENT
            output = GridPanel(f"output {state.output_shape[0]}x{state.output_shape[1]}", table[output_kinds],
                               state.output if annotate else None, caption=f"dark: cell {tuple(cell)}")
            if state.message:
                lines.append((state.message, _GREY))
            lines += [(state.formula_text(), _GREY), (f"output{list(cell)} = {state.products_text(cell)}", _BLACK)]
        else:
            output = GridPanel("no output", np.full((1, 1, 3), 255, np.uint8))
            lines.append((state.message, _RED))
        panels = [
            GridPanel("stretched input" if state.settings.transposed else "input", table[kinds],
                      state.grid if annotate else None, state.grid_kind != INPUT, caption=self.legend()),
            GridPanel("kernel, rotated 180°" if state.settings.transposed else "kernel",
                      table[np.full(state.shown_kernel.shape, INPUT + _TAP_OFFSET)], state.shown_kernel),
            output,
        ]
        mode = "transposed convolution" if state.settings.transposed else "convolution"
        return render_panels(panels, lines, title=f"{mode}: " + state.summary().splitlines()[0].split(" (")[0])

    def legend(self) -> str:
        """What the grey numbers of the input grid are, naming only the kinds of cell the grid has."""
        s, kinds = self.settings, self.state.grid_kind
        if s.transposed:
            border = dilated_span(s.kernel_size, s.dilation) - 1 - s.padding
            names = [(PADDING, f"border of d·(k - 1) - p = {border} zeros"), (INSERTED, "zeros inserted by the stride")]
        else:
            names = [(PADDING, f"padding ({s.padding})"), (INSERTED, "inserted zeros")]
        present = [name for kind, name in names if np.any(kinds == kind)]
        return ("grey: " + " and ".join(present)) if present else ""

    def widget_text(self) -> str:
        """The lines under the live picture: the settings, the output size and the PyTorch call.

        The formula and the written-out sum are in the picture only, so they are not repeated here.
        """
        state = self.state
        lines = [state.summary().splitlines()[0]]
        if state.valid:
            rows, cols = state.output_shape
            lines += [f"output {rows}x{cols}", f"kernel at output{list(state.cell(self.cell_index))}"]
        else:
            lines.append("no output")
        return "\n".join(lines + [state.torch_call()])

    def render_png(self) -> bytes:
        """The current picture as PNG bytes."""
        buffer = io.BytesIO()
        self.image().save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def summary(self) -> str:
        return self.state.summary(self.cell_index if self.state.valid else None)


def explore_convolution(height: int = 5, width: int = 5, kernel_size: int = 3, padding: int = 1, stride: int = 2,
                        dilation: int = 1, transposed: bool = False):
    """Show the explorer: sliders, Play, the figure and the formulas. Returns the widget."""
    import ipywidgets as widgets

    explorer = ConvolutionExplorer(ExplorerSettings(height, width, kernel_size, padding, stride, dilation, transposed))
    style = {"description_width": "90px"}
    layout = widgets.Layout(width="300px")
    sliders: Dict[str, Any] = {
        name: widgets.IntSlider(value=getattr(explorer.settings, name), min=LIMITS[name][0], max=LIMITS[name][1],
                                description=label, continuous_update=False, style=style, layout=layout)
        for name, label in [("height", "input height"), ("width", "input width"), ("kernel_size", "kernel size"),
                            ("padding", "padding"), ("stride", "stride"), ("dilation", "dilation")]
    }
    mode = widgets.ToggleButtons(options=[("convolution", False), ("transposed", True)], value=transposed,
                                 description="mode", style=style)
    cell = widgets.IntSlider(value=0, min=0, max=max(explorer.cell_count - 1, 0), description="output cell",
                             continuous_update=True, style=style, layout=layout)
    play = widgets.Play(value=0, min=0, max=max(explorer.cell_count - 1, 0), interval=700, description="step")
    widgets.jslink((play, "value"), (cell, "value"))
    image = widgets.Image(value=explorer.render_png(), format="png")
    text = widgets.HTML()

    def draw(snapshot: ConvolutionExplorer) -> None:  # on the render thread, for the newest state only
        import html

        image.value = snapshot.render_png()
        text.value = f"<pre style='line-height:1.35'>{html.escape(snapshot.widget_text())}</pre>"

    renderer = LatestOnly(draw)
    syncing = {"sliders": False}  # True while the handler itself moves sliders (their changes are not the user's)

    def on_setting(change: Dict[str, Any]) -> None:
        if syncing["sliders"]:
            return
        values = {name: slider.value for name, slider in sliders.items()}
        explorer.update_within_limits(transposed=mode.value, **values)
        last = max(explorer.cell_count - 1, 0)
        syncing["sliders"] = True
        try:
            sliders["kernel_size"].max = max_kernel_size(explorer.settings)
            sliders["dilation"].max = max_dilation(explorer.settings)
            for name, slider in sliders.items():
                slider.value = getattr(explorer.settings, name)
            play.max = last
            cell.max = last
            cell.value = explorer.cell_index
        finally:
            syncing["sliders"] = False
        renderer.submit(explorer.snapshot())

    def on_cell(change: Dict[str, Any]) -> None:
        if syncing["sliders"] or not explorer.state.valid or change["new"] == explorer.cell_index:
            return
        explorer.select_cell(min(int(change["new"]), explorer.cell_count - 1))
        renderer.submit(explorer.snapshot())

    for slider in sliders.values():
        slider.observe(on_setting, names="value")
    mode.observe(on_setting, names="value")
    cell.observe(on_cell, names="value")
    sliders["kernel_size"].max = max_kernel_size(explorer.settings)
    sliders["dilation"].max = max_dilation(explorer.settings)
    draw(explorer.snapshot())
    controls = widgets.VBox([widgets.HBox([widgets.VBox(list(sliders.values())[:3]),
                                           widgets.VBox(list(sliders.values())[3:])]),
                             mode, widgets.HBox([play, cell])])
    box = widgets.VBox([controls, image, text])
    return _WithStaticFrame(box, explorer, renderer)


class _WithStaticFrame:
    """Displays as the live widget where a widget manager runs, and as its first frame (PNG + text) elsewhere."""

    def __init__(self, widget: Any, model: Any, renderer: LatestOnly):
        self.widget = widget
        self.model = model  # the explorer or playground behind the widget (tests and benchmarks use it)
        self.renderer = renderer  # draws the newest state on its own thread; `renderer.history` lists what it drew
        self._first_frame = model.render_png()
        self._first_text = model.summary()

    def wait(self, timeout: float = 30.0) -> None:
        """Block until the picture shows the latest control values (tests and benchmarks)."""
        self.renderer.wait(timeout)

    def _repr_mimebundle_(self, include=None, exclude=None):
        import base64

        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data)
        data["image/png"] = base64.b64encode(self._first_frame).decode("ascii")
        data["text/plain"] = self._first_text
        return data
