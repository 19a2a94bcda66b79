"""Where the kernel sits: drawings and animations of a convolution's geometry.

A :class:`ConvGeometry` holds the sizes of one 2-D convolution (input, kernel,
padding, stride, dilation). :func:`draw_sliding_window` draws the padded input
with the kernel's footprint at one output position next to the output grid;
:func:`sliding_window_animation` steps through every output position, and
:func:`save_sliding_window_gif` writes that animation as a GIF. The figures in
``images/`` and the lessons on padding, stride and dilation are drawn with them.

Colours: input cells blue, padding white with a dashed edge, the kernel's taps
orange (holes of a dilated kernel stay unmarked), the output cell being
computed dark orange. Blue/orange stays distinct for colour-blind readers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Sequence, Tuple

from ._checks import as_pair
from .geometry import check_kernel_fits
from .ops import conv_output_size

__all__ = ["ConvGeometry", "draw_sliding_window", "sliding_window_animation", "save_sliding_window_gif"]

INPUT_COLOUR = "#9ecae1"
PADDING_COLOUR = "white"
TAP_COLOUR = "#fd8d3c"
OUTPUT_COLOUR = "#c6dbef"
CURRENT_OUTPUT_COLOUR = "#d94801"


@dataclass(frozen=True)
class ConvGeometry:
    """The sizes of one 2-D convolution; ints or (h, w) pairs, normalised to pairs.

    >>> g = ConvGeometry(input_size=5, kernel_size=3, padding=1, stride=2)
    >>> g.output_size
    (3, 3)
    >>> g.taps((0, 1))[:3]
    [(0, 2), (0, 3), (0, 4)]
    """

    input_size: Any
    kernel_size: Any
    padding: Any = 0
    stride: Any = 1
    dilation: Any = 1

    def __post_init__(self):
        fields = {
            "input_size": as_pair(self.input_size, "input_size", minimum=1),
            "kernel_size": as_pair(self.kernel_size, "kernel_size", minimum=1),
            "padding": as_pair(self.padding, "padding", minimum=0),
            "stride": as_pair(self.stride, "stride", minimum=1),
            "dilation": as_pair(self.dilation, "dilation", minimum=1),
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)
        check_kernel_fits(self.input_size, self.kernel_size, self.padding, self.dilation,
                          input_name="size input_size", kernel_name="size kernel_size",
                          input_shape=None, kernel_shape=None)

    @property
    def padded_size(self) -> Tuple[int, int]:
        return tuple(n + 2 * p for n, p in zip(self.input_size, self.padding))  # type: ignore[return-value]

    @property
    def output_size(self) -> Tuple[int, int]:
        return conv_output_size(self.input_size, self.kernel_size, padding=self.padding,
                                stride=self.stride, dilation=self.dilation)  # type: ignore[return-value]

    def positions(self) -> List[Tuple[int, int]]:
        """Every output position, row by row."""
        rows, cols = self.output_size
        return [(i, j) for i in range(rows) for j in range(cols)]

    def taps(self, position: Sequence[int]) -> List[Tuple[int, int]]:
        """Padded-input coordinates the kernel's entries cover for output ``position``."""
        rows, cols = self.output_size
        if (isinstance(position, (str, bytes)) or not isinstance(position, Sequence) or len(position) != 2
                or not all(isinstance(p, int) and not isinstance(p, bool) for p in position)):
            raise TypeError(f"position must be a pair of ints (row, column); got {position!r}")
        i, j = position
        if not (0 <= i < rows and 0 <= j < cols):
            raise ValueError(f"position must lie inside the {rows}x{cols} output; got {tuple(position)!r}")
        (sh, sw), (dh, dw), (kh, kw) = self.stride, self.dilation, self.kernel_size
        return [(i * sh + a * dh, j * sw + b * dw) for a in range(kh) for b in range(kw)]

    def describe(self) -> str:
        """A one-line summary, e.g. for a figure title."""
        def show(pair):
            return str(pair[0]) if pair[0] == pair[1] else f"{pair}"

        parts = [f"input {self.input_size[0]}x{self.input_size[1]}", f"kernel {self.kernel_size[0]}x{self.kernel_size[1]}"]
        for name in ("padding", "stride", "dilation"):
            value = getattr(self, name)
            if value != ((0, 0) if name == "padding" else (1, 1)):
                parts.append(f"{name} {show(value)}")
        rows, cols = self.output_size
        return ", ".join(parts) + f" → output {rows}x{cols}"


def _grid(ax: Any, shape: Tuple[int, int], colours: dict, default: str, dashed: set = frozenset()) -> None:
    from matplotlib.patches import Rectangle

    rows, cols = shape
    for r in range(rows):
        for c in range(cols):
            ax.add_patch(Rectangle((c, rows - 1 - r), 1, 1, facecolor=colours.get((r, c), default),
                                   edgecolor="0.55" if (r, c) in dashed else "0.2",
                                   linestyle="--" if (r, c) in dashed else "-", linewidth=1))
    ax.set_xlim(-0.2, cols + 0.2)
    ax.set_ylim(-0.2, rows + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_sliding_window(axes: Sequence[Any], geometry: ConvGeometry, position: Sequence[int] = (0, 0)) -> None:
    """Draw the padded input with the kernel's taps at ``position`` on ``axes[0]`` and the output on ``axes[1]``.

    Both axes are cleared first, so the same pair of axes can show one frame after another.
    """
    if len(axes) != 2:
        raise ValueError(f"axes must be a pair (input axes, output axes); got {len(axes)} axes")
    taps = set(geometry.taps(position))
    (ph, pw), (H, W) = geometry.padding, geometry.input_size
    padded_h, padded_w = geometry.padded_size
    padding_cells = {(r, c) for r in range(padded_h) for c in range(padded_w)
                     if not (ph <= r < ph + H and pw <= c < pw + W)}
    colours = {cell: PADDING_COLOUR for cell in padding_cells}
    colours.update({cell: TAP_COLOUR for cell in taps})
    input_ax, output_ax = axes
    input_ax.clear()
    output_ax.clear()
    _grid(input_ax, (padded_h, padded_w), colours, INPUT_COLOUR, dashed=padding_cells - taps)
    # A frame around the kernel's extent makes the holes of a dilated kernel read as part of one window.
    from matplotlib.patches import Rectangle

    top = min(r for r, _ in taps)
    left = min(c for _, c in taps)
    extent_h = max(r for r, _ in taps) - top + 1
    extent_w = max(c for _, c in taps) - left + 1
    input_ax.add_patch(Rectangle((left, padded_h - top - extent_h), extent_w, extent_h, fill=False,
                                 edgecolor=CURRENT_OUTPUT_COLOUR, linewidth=2.5))
    input_ax.set_title("input" + (" (dashed: zero padding)" if padding_cells else ""))
    _grid(output_ax, geometry.output_size, {tuple(position): CURRENT_OUTPUT_COLOUR}, OUTPUT_COLOUR)
    output_ax.set_title(f"output, position {tuple(position)}")


def _figure_for(geometry: ConvGeometry, cell_inches: float):
    import matplotlib.pyplot as plt

    padded_h, padded_w = geometry.padded_size
    out_h, out_w = geometry.output_size
    height = cell_inches * max(padded_h, out_h) + 1.0
    width = cell_inches * (padded_w + out_w) + 1.5
    fig, axes = plt.subplots(1, 2, figsize=(width, height), gridspec_kw={"width_ratios": [padded_w, max(out_w, 1)]})
    fig.suptitle(geometry.describe())
    return fig, axes


def sliding_window_animation(geometry: ConvGeometry, *, cell_inches: float = 0.45, interval_ms: int = 600):
    """A matplotlib ``FuncAnimation`` stepping the kernel through every output position."""
    from matplotlib.animation import FuncAnimation

    fig, axes = _figure_for(geometry, cell_inches)
    positions = geometry.positions()

    def frame(index: int):
        draw_sliding_window(axes, geometry, positions[index])
        return []

    frame(0)
    return FuncAnimation(fig, frame, frames=len(positions), interval=interval_ms, blit=False)


def save_sliding_window_gif(path: Any, geometry: ConvGeometry, *, cell_inches: float = 0.45, fps: float = 1.5,
                            dpi: int = 80) -> None:
    """Write the sliding-window animation of ``geometry`` to the GIF file ``path``."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import PillowWriter

    animation = sliding_window_animation(geometry, cell_inches=cell_inches)
    try:
        animation.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)
    finally:
        plt.close(animation._fig)
