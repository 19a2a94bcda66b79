"""Draw labelled grids of numbers straight into a PIL image.

The explorer redraws up to several hundred numbered cells per slider move.
Matplotlib lays out every number as a separate text artist (about a third of a
millisecond each); drawing them with PIL is two orders of magnitude faster, which
is what keeps an update well under 100 ms.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

__all__ = ["GridPanel", "render_panels"]

Colour = Tuple[int, int, int]


@functools.lru_cache(maxsize=8)
def font(size: int):
    """DejaVu Sans (shipped with matplotlib) at ``size`` pixels."""
    from matplotlib import font_manager
    from PIL import ImageFont

    return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)


@dataclass
class GridPanel:
    """One grid: a title, cell colours (h, w, 3) uint8, optional numbers and their colours, optional outline cells."""

    title: str
    colours: np.ndarray
    values: Optional[np.ndarray] = None
    faded: Optional[np.ndarray] = None  # bool (h, w): numbers drawn in grey
    caption: str = ""

    @property
    def shape(self) -> Tuple[int, int]:
        return tuple(self.colours.shape[:2])  # type: ignore[return-value]


@dataclass
class Layout:
    cell: int
    origins: List[Tuple[int, int]] = field(default_factory=list)


TITLE_HEIGHT = 26
LINE_HEIGHT = 18
GAP = 36
MARGIN = 12


def _label_width(panel: GridPanel) -> int:
    """Pixels the panel's title and caption need, so that a narrow grid's label does not run into its neighbour."""
    return int(max(font(13).getlength(panel.title), font(11).getlength(panel.caption) if panel.caption else 0))


def _layout(panels: Sequence[GridPanel], width: int, max_cell: int) -> Layout:
    columns = sum(p.shape[1] for p in panels)
    available = width - 2 * MARGIN - GAP * (len(panels) - 1)
    labels = [_label_width(p) for p in panels]
    cell = int(max(6, min(max_cell, available // max(columns, 1))))
    # each panel takes the wider of its grid and its label; shrink the cells until the slots fit
    while cell > 6 and sum(max(p.shape[1] * cell, label) for p, label in zip(panels, labels)) > available:
        cell -= 1
    slots = [max(p.shape[1] * cell, label) for p, label in zip(panels, labels)]
    tallest = max(p.shape[0] for p in panels) * cell
    used = sum(slots) + GAP * (len(panels) - 1)
    x = MARGIN + max(0, (width - 2 * MARGIN - used) // 2)
    layout = Layout(cell)
    for panel, slot in zip(panels, slots):
        y = TITLE_HEIGHT + (tallest - panel.shape[0] * cell) // 2
        layout.origins.append((x + (slot - panel.shape[1] * cell) // 2, y))
        x += slot + GAP
    return layout


def render_panels(panels: Sequence[GridPanel], lines: Sequence[Tuple[str, Colour]] = (), *, width: int = 820,
                  max_cell: int = 34, title: str = "") -> "PIL.Image.Image":  # noqa: F821
    """Panels side by side with titles, numbers in cells, then text ``lines`` underneath."""
    from PIL import Image, ImageDraw

    import textwrap

    # wrap long lines to the image width (about 7 px per character at 13 px)
    lines = [(part, colour) for text, colour in lines for part in textwrap.wrap(text, max(20, width // 7)) or [""]]
    layout = _layout(panels, width, max_cell)
    cell = layout.cell
    tallest = max(p.shape[0] for p in panels) * cell
    top = LINE_HEIGHT + 6 if title else 0
    height = top + TITLE_HEIGHT + tallest + 8 + LINE_HEIGHT * (1 + len(lines)) + MARGIN
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((width // 2, 4), title, fill=(0, 0, 0), font=font(15), anchor="ma")
    number_font = font(max(7, min(13, int(cell * 0.42))))
    edge = (90, 90, 90) if cell >= 10 else None
    for panel, (x0, y0) in zip(panels, layout.origins):
        y0 += top
        rows, cols = panel.shape
        # One resized block image per panel: every cell becomes cell x cell pixels.
        block = np.repeat(np.repeat(panel.colours.astype(np.uint8), cell, axis=0), cell, axis=1)
        image.paste(Image.fromarray(block, "RGB"), (x0, y0))
        if edge is not None:
            for r in range(rows + 1):
                draw.line([(x0, y0 + r * cell), (x0 + cols * cell, y0 + r * cell)], fill=edge)
            for c in range(cols + 1):
                draw.line([(x0 + c * cell, y0), (x0 + c * cell, y0 + rows * cell)], fill=edge)
        draw.text((x0 + cols * cell // 2, y0 - 6), panel.title, fill=(0, 0, 0), font=font(13), anchor="md")
        if panel.caption:
            draw.text((x0 + cols * cell // 2, y0 + rows * cell + 4), panel.caption, fill=(80, 80, 80), font=font(11),
                      anchor="ma")
        if panel.values is not None:
            faded = panel.faded if panel.faded is not None else np.zeros(panel.shape, bool)
            for (r, c), value in np.ndenumerate(panel.values):
                draw.text((x0 + c * cell + cell // 2, y0 + r * cell + cell // 2), f"{value:g}",
                          fill=(150, 150, 150) if faded[r, c] else (0, 0, 0), font=number_font, anchor="mm")
    y = top + TITLE_HEIGHT + tallest + 8 + LINE_HEIGHT
    for text, colour in lines:
        draw.text((width // 2, y), text, fill=colour, font=font(13), anchor="ma")
        y += LINE_HEIGHT
    return image


def hex_to_rgb(colour: str) -> Colour:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def palette(colours: Dict[int, str]) -> np.ndarray:
    """A lookup table index -> RGB for :func:`numpy.take`."""
    table = np.zeros((max(colours) + 1, 3), np.uint8)
    for index, colour in colours.items():
        table[index] = hex_to_rgb(colour)
    return table
