"""What the convolution explorer shows, computed without any widget or figure.

Keeping the arithmetic here (and the drawing in :mod:`.explorer`) lets the
tests check every number the explorer displays, for every slider position.

Direct mode: the input is zero-padded by ``padding`` and the kernel (its taps
``dilation`` apart) moves ``stride`` cells at a time.

Transposed mode (``nn.ConvTranspose2d``): the same output as a direct
convolution, with stride 1, of the input *stretched* by ``stride - 1`` zeros
between neighbouring pixels and padded by ``dilation * (kernel - 1) - padding``
zeros, with the kernel rotated by 180 degrees. That is how the convolution
arithmetic guide draws it, and what the explorer shows.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import List, Optional, Tuple

import numpy as np

from ..geometry import dilated_span, output_length, transposed_output_length
from ..ops import corr2d

__all__ = ["ExplorerSettings", "ExplorerState", "LIMITS", "example_input", "example_kernel", "fit_settings", "counted", "max_dilation", "max_kernel_size"]

#: Slider ranges: (minimum, maximum) of each setting before the recomputed limits.
LIMITS = {"height": (1, 16), "width": (1, 16), "kernel_size": (1, 7), "padding": (0, 6), "stride": (1, 4),
          "dilation": (1, 4)}

#: Cell kinds in :attr:`ExplorerState.grid_kind`.
INPUT, PADDING, INSERTED = 0, 1, 2


def example_input(height: int, width: int) -> np.ndarray:
    """Small integers 0..9 row by row; 3x3 gives the worked example [[0, 1, 2], [3, 4, 5], [6, 7, 8]]."""
    return (np.arange(height * width) % 10).reshape(height, width).astype(float)


def example_kernel(size: int) -> np.ndarray:
    """Small integers 0..3 row by row; 2x2 gives the worked example [[0, 1], [2, 3]]."""
    return (np.arange(size * size) % 4).reshape(size, size).astype(float)


@dataclass(frozen=True)
class ExplorerSettings:
    """One position of every control."""

    height: int = 5
    width: int = 5
    kernel_size: int = 3
    padding: int = 0
    stride: int = 1
    dilation: int = 1
    transposed: bool = False

    def __post_init__(self):
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
            if not low <= value <= high:
                raise ValueError(f"{name} must be between {low} and {high}; got {value}")
        if not isinstance(self.transposed, (bool, np.bool_)):
            raise TypeError(f"transposed must be True or False; got {self.transposed!r}")

    @property
    def effective_kernel(self) -> int:
        return dilated_span(self.kernel_size, self.dilation)


def max_kernel_size(settings: ExplorerSettings) -> int:
    """The largest kernel that still fits the padded input (direct mode) at the current dilation."""
    if settings.transposed:
        return LIMITS["kernel_size"][1]
    room = min(settings.height, settings.width) + 2 * settings.padding
    return int(max(1, min(LIMITS["kernel_size"][1], (room - 1) // settings.dilation + 1)))


def counted(number: int, noun: str) -> str:
    """``'1 row'``, ``'3 rows'``: the number with the noun in the singular or plural it needs."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def fit_settings(settings: ExplorerSettings) -> Tuple[ExplorerSettings, str]:
    """``settings`` with the kernel size lowered until the kernel fits the padded input at its dilation.

    Returns the fitted settings and a notice that names the lowered value and why ("" when nothing
    changed), so that the explorer says so instead of changing a slider silently. (A kernel of size 1
    fits any input, so the dilation never needs lowering.)
    """
    kernel = min(settings.kernel_size, max_kernel_size(settings))
    if kernel == settings.kernel_size:
        return settings, ""
    room = (settings.height + 2 * settings.padding, settings.width + 2 * settings.padding)
    return replace(settings, kernel_size=kernel), (
        f"kernel size lowered from {settings.kernel_size} to {kernel}: a {settings.kernel_size}x{settings.kernel_size} "
        f"kernel with dilation {settings.dilation} covers {settings.effective_kernel}x{settings.effective_kernel} "
        f"cells, more than the {room[0]}x{room[1]} padded input")


def max_dilation(settings: ExplorerSettings) -> int:
    """The largest dilation at which the current kernel still fits the padded input (direct mode)."""
    if settings.transposed or settings.kernel_size == 1:
        return LIMITS["dilation"][1]
    room = min(settings.height, settings.width) + 2 * settings.padding
    return int(max(1, min(LIMITS["dilation"][1], (room - 1) // (settings.kernel_size - 1))))


class ExplorerState:
    """Everything the explorer displays for one :class:`ExplorerSettings`.

    ``valid`` is False (with ``message`` saying why and what to change) when the
    combination has no output; every other attribute then describes an empty output.

    >>> state = ExplorerState(ExplorerSettings(height=3, width=3, kernel_size=2))
    >>> state.output_shape, state.products_text((0, 0))
    ((2, 2), '0*0 + 1*1 + 3*2 + 4*3 = 19')
    """

    def __init__(self, settings: ExplorerSettings):
        self.settings = settings
        s = settings
        self.input = example_input(s.height, s.width)
        self.kernel = example_kernel(s.kernel_size)
        self.message = ""
        self.valid = True
        if s.transposed:
            self._build_transposed()
        else:
            self._build_direct()

    # -- construction ----------------------------------------------------------------------------
    def _build_direct(self) -> None:
        s = self.settings
        p = s.padding
        self.grid = np.pad(self.input, p)
        self.grid_kind = np.full(self.grid.shape, PADDING)
        self.grid_kind[p:p + s.height, p:p + s.width] = INPUT
        self.shown_kernel = self.kernel
        self.step = s.stride
        if s.effective_kernel > min(self.grid.shape):
            self.valid = False
            self.message = (f"The kernel covers {s.effective_kernel}x{s.effective_kernel} cells "
                            f"(size {s.kernel_size}, dilation {s.dilation}) but the padded input is only "
                            f"{self.grid.shape[0]}x{self.grid.shape[1]}: make the input or the padding larger, "
                            f"or the kernel or dilation smaller.")
        self._finish()

    def _build_transposed(self) -> None:
        s = self.settings
        border = dilated_span(s.kernel_size, s.dilation) - 1 - s.padding
        stretched_h, stretched_w = (s.height - 1) * s.stride + 1, (s.width - 1) * s.stride + 1
        self.step = 1
        self.shown_kernel = np.rot90(self.kernel, 2)
        if min(self._formula_value(s.height), self._formula_value(s.width)) < 1:
            self.valid = False
            self.message = ("With this much padding the transposed convolution has no output left: make the "
                            "padding smaller or the input, kernel or dilation larger.")
            self.grid = np.zeros((stretched_h, stretched_w))
            self.grid_kind = np.full(self.grid.shape, INSERTED)
            self.grid_kind[::s.stride, ::s.stride] = INPUT
        else:
            stretched = np.zeros((stretched_h, stretched_w))
            stretched[::s.stride, ::s.stride] = self.input
            kind = np.full(stretched.shape, INSERTED)
            kind[::s.stride, ::s.stride] = INPUT
            if border >= 0:
                self.grid = np.pad(stretched, border)
                self.grid_kind = np.pad(kind, border, constant_values=PADDING)
            else:
                # padding > d(k - 1): the transposed convolution's padding removes outer cells instead
                crop = (slice(-border, stretched_h + border), slice(-border, stretched_w + border))
                self.grid, self.grid_kind = stretched[crop], kind[crop]
                self.message = (f"padding {s.padding} > dilation·(kernel - 1) = {s.dilation * (s.kernel_size - 1)}: "
                                f"the outer {-border} cells of the stretched input are cropped")
        self._finish()

    def _finish(self) -> None:
        s = self.settings
        if self.valid:
            self.output = corr2d(self.grid, self.shown_kernel, stride=self.step, dilation=s.dilation)
            expected = self.formula_value()
            assert self.output.shape == (expected, self._formula_value(s.width)), "formula and output disagree"
        else:
            self.output = np.zeros((0, 0))

    # -- what is displayed -----------------------------------------------------------------------
    @property
    def output_shape(self) -> Tuple[int, int]:
        return tuple(self.output.shape)  # type: ignore[return-value]

    def cells(self) -> List[Tuple[int, int]]:
        rows, cols = self.output_shape
        return [(i, j) for i in range(rows) for j in range(cols)]

    def cell(self, index: int) -> Tuple[int, int]:
        """Output cell number ``index`` (row by row), clamped into range."""
        cells = self.cells()
        if not cells:
            raise ValueError("there is no output cell: " + self.message)
        return cells[int(np.clip(index, 0, len(cells) - 1))]

    def taps(self, cell: Tuple[int, int]) -> List[Tuple[int, int]]:
        """Grid coordinates under the kernel's entries for output ``cell``."""
        i, j = cell
        d, k = self.settings.dilation, self.settings.kernel_size
        return [(i * self.step + a * d, j * self.step + b * d) for a in range(k) for b in range(k)]

    def products_text(self, cell: Tuple[int, int]) -> str:
        """The sum for one output cell written out, e.g. ``'0*0 + 1*1 + 3*2 + 4*3 = 19'``."""
        values = [self.grid[r, c] for r, c in self.taps(cell)]
        terms = " + ".join(f"{v:g}*{w:g}" for v, w in zip(values, self.shown_kernel.ravel()))
        total = float(np.dot(values, self.shown_kernel.ravel()))
        assert total == self.output[cell], "written-out sum and output disagree"
        return f"{terms} = {total:g}"

    def _formula_value(self, n: int) -> int:
        s = self.settings
        if s.transposed:
            return transposed_output_length(n, s.kernel_size, s.padding, s.stride, s.dilation)
        return output_length(n, s.kernel_size, s.padding, s.stride, s.dilation)

    def formula_value(self) -> int:
        return self._formula_value(self.settings.height)

    def formula_text(self) -> str:
        """The output-size formula with the current numbers substituted (height; width likewise)."""
        s = self.settings
        if s.transposed:
            return (f"out = (n - 1)·s - 2p + d·(k - 1) + 1 = ({s.height} - 1)·{s.stride} - 2·{s.padding} + "
                    f"{s.dilation}·({s.kernel_size} - 1) + 1 = {self._formula_value(s.height)}"
                    + self._columns_suffix())
        numerator = s.height + 2 * s.padding - dilated_span(s.kernel_size, s.dilation)
        rows = self._formula_value(s.height)
        text = (f"out = ⌊(n + 2p - d·(k - 1) - 1) / s⌋ + 1 = ⌊({s.height} + 2·{s.padding} - {s.dilation}·"
                f"({s.kernel_size} - 1) - 1) / {s.stride}⌋ + 1 = ⌊{numerator} / {s.stride}⌋ + 1 = {rows}")
        return text + self._columns_suffix()

    def _columns_suffix(self) -> str:
        """For a non-square input the formula's result is the row count: name it, then give the columns."""
        s = self.settings
        if s.height == s.width:
            return ""
        rows, cols = self._formula_value(s.height), self._formula_value(s.width)
        return f" {'row' if rows == 1 else 'rows'}, {counted(cols, 'column')}"

    def torch_call(self) -> str:
        """The equivalent PyTorch layer, ready to copy."""
        s = self.settings
        layer = "ConvTranspose2d" if s.transposed else "Conv2d"
        return (f"nn.{layer}(in_channels=1, out_channels=1, kernel_size={s.kernel_size}, stride={s.stride}, "
                f"padding={s.padding}, dilation={s.dilation})")

    def summary(self, cell_index: Optional[int] = None) -> str:
        """Plain-text summary: shapes, formula, the sum for one cell, the PyTorch call."""
        s = self.settings
        lines = [f"input {s.height}x{s.width}, kernel {s.kernel_size}x{s.kernel_size}, padding {s.padding}, "
                 f"stride {s.stride}, dilation {s.dilation}" + (" (transposed)" if s.transposed else "")]
        if not self.valid:
            return "\n".join(lines + [self.message])
        if self.message:
            lines.append(self.message)
        rows, cols = self.output_shape
        lines.append(f"output {rows}x{cols}")
        lines.append(self.formula_text())
        if cell_index is not None:
            cell = self.cell(cell_index)
            lines.append(f"output{list(cell)} = {self.products_text(cell)}")
        lines.append(self.torch_call())
        return "\n".join(lines)

    def with_changes(self, **changes) -> "ExplorerState":
        return ExplorerState(replace(self.settings, **changes))
