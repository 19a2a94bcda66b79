"""The kernel playground: a real photograph, an editable 3x3 kernel, presets, stride and padding.

    from course_utils.widgets import kernel_playground
    kernel_playground(image="camera", preset="sobel_x")

The picture (input | kernel | output, each with its scale) is composed with PIL
from colour-mapped arrays, which keeps an update on a 512x512 photograph far
below the 150 ms budget; the correlation itself is ``course_utils.corr2d``.
Signed outputs (edges) use the diverging map centred at zero, others grey.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Optional, Tuple

import numpy as np

from ..data import IMAGE_NAMES, load_image
from ..kernels import KERNEL_NAMES, kernel_preset
from ..ops import corr2d
from .grid_image import font
from .latest_only import LatestOnly

__all__ = ["KernelPlayground", "PlaygroundSettings", "kernel_playground"]

PANEL = 300  # pixels per image panel side
MAX_STRIDE, MAX_PADDING = 4, 3
#: Percentile of |output| (signed) or of the output (unsigned, and 100 minus it) where the colour scale stops.
SCALE_PERCENTILE = 99.0
SCALE_NOTE_SIGNED = f"scale ±{SCALE_PERCENTILE:g}th percentile of |output| away from the border"
SCALE_NOTE = f"scale clipped at the {100 - SCALE_PERCENTILE:g}th and {SCALE_PERCENTILE:g}th percentiles"


def padding_free(image_shape: Tuple[int, int], output_shape: Tuple[int, int], padding: int, stride: int,
                 kernel_size: int = 3) -> np.ndarray:
    """Boolean mask of the outputs whose window lies wholly inside the image (reads no padding)."""
    def inside(count: int, size: int) -> np.ndarray:
        starts = np.arange(count) * stride - padding
        return (starts >= 0) & (starts + kernel_size <= size)

    return np.outer(inside(output_shape[0], image_shape[0]), inside(output_shape[1], image_shape[1]))


def output_limits(output: np.ndarray, image_shape: Tuple[int, int], padding: int, stride: int,
                  signed: bool) -> Tuple[float, float]:
    """Colour-scale limits: ``(-L, L)`` for a signed output, with L the ``SCALE_PERCENTILE`` of |output| over the
    outputs that read no padding (robust to the padded border and to a few extreme pixels); for an unsigned
    output, its percentiles ``100 - SCALE_PERCENTILE`` and ``SCALE_PERCENTILE``."""
    values = output[padding_free(image_shape, output.shape, padding, stride)]
    if values.size == 0:  # so much padding that every window reads some
        values = output.ravel()
    if signed:
        limit = float(np.percentile(np.abs(values), SCALE_PERCENTILE)) or float(np.max(np.abs(output))) or 1.0
        return -limit, limit
    low, high = (float(v) for v in np.percentile(values, [100 - SCALE_PERCENTILE, SCALE_PERCENTILE]))
    return low, high


@dataclass(frozen=True)
class PlaygroundSettings:
    image: str = "camera"
    kernel: Tuple[Tuple[float, ...], ...] = field(default_factory=lambda: tuple(map(tuple, kernel_preset("sobel_x"))))
    stride: int = 1
    padding: int = 1

    def __post_init__(self):
        if self.image not in IMAGE_NAMES:
            raise ValueError(f"image must be one of {', '.join(map(repr, IMAGE_NAMES))}; got {self.image!r}")
        kernel = np.asarray(self.kernel, dtype=float)
        if kernel.shape != (3, 3) or not np.all(np.isfinite(kernel)):
            raise ValueError(f"kernel must be 3x3 finite numbers; got shape {kernel.shape}")
        object.__setattr__(self, "kernel", tuple(map(tuple, kernel.tolist())))
        for name, high in (("stride", MAX_STRIDE), ("padding", MAX_PADDING)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
            if not (1 if name == "stride" else 0) <= value <= high:
                raise ValueError(f"{name} must be between {1 if name == 'stride' else 0} and {high}; got {value}")


class KernelPlayground:
    """State and picture of the playground; usable without a browser.

    >>> playground = KernelPlayground(PlaygroundSettings(image="camera", stride=2, padding=1))
    >>> playground.output.shape
    (256, 256)
    >>> playground.summary().splitlines()[0]
    'camera 512x512 -> output 256x256 (kernel 3x3, stride 2, padding 1)'
    """

    _images: Dict[str, np.ndarray] = {}

    def __init__(self, settings: Optional[PlaygroundSettings] = None):
        self.settings = settings or PlaygroundSettings()
        self._compute()

    def update(self, **changes: Any) -> None:
        self.settings = replace(self.settings, **changes)
        self._compute()

    def set_preset(self, name: str) -> None:
        self.update(kernel=tuple(map(tuple, kernel_preset(name))))

    @property
    def image(self) -> np.ndarray:
        name = self.settings.image
        if name not in self._images:
            self._images[name] = load_image(name)
        return self._images[name]

    def _compute(self) -> None:
        s = self.settings
        self.kernel = np.asarray(s.kernel, dtype=np.float32)
        self.output = corr2d(self.image, self.kernel, padding=s.padding, stride=s.stride)

    def summary(self) -> str:
        s = self.settings
        h, w = self.image.shape
        oh, ow = self.output.shape
        rows = ["[" + ", ".join(f"{v:g}" for v in row) + "]" for row in s.kernel]
        return (f"{s.image} {h}x{w} -> output {oh}x{ow} (kernel 3x3, stride {s.stride}, padding {s.padding})\n"
                f"output range {self.output.min():.3g} to {self.output.max():.3g}\n"
                f"kernel [{', '.join(rows)}]\n"
                f"F.conv2d(x, kernel, stride={s.stride}, padding={s.padding})")

    # -- picture ----------------------------------------------------------------------------------
    def image_picture(self):
        """Input | kernel | output as one PIL image, each panel titled, the output with its colour scale."""
        from PIL import Image, ImageDraw

        signed = bool(self.output.min() < 0)
        width, height = 3 * PANEL + 4 * 30 + 60, PANEL + 90
        canvas = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(canvas)
        h, w = self.image.shape
        oh, ow = self.output.shape
        x_input, x_kernel, x_output = 20, 40 + PANEL, 60 + 2 * PANEL
        top = 40
        # one scale for input and output, so that a stride visibly shrinks the output
        scale = PANEL / max(h, w)
        canvas.paste(_fit(_grey(self.image, 0.0, 1.0), scale), (x_input, top))
        draw.text((x_input + PANEL // 2, top - 8), f"input: {self.settings.image} {h}x{w}", fill="black",
                  font=font(14), anchor="md")
        canvas.paste(_kernel_tile(self.kernel), (x_kernel + PANEL // 4, top + PANEL // 4))
        draw.text((x_kernel + PANEL // 2, top + PANEL // 4 - 8), "kernel", fill="black", font=font(14), anchor="md")
        # Signed outputs: a diverging scale symmetric about zero; its limit is a high percentile of |output|
        # over the pixels whose window lies inside the image, so that neither the padded border nor a few
        # extreme pixels wash out the rest (an edge map is mostly near zero).
        low, high = output_limits(self.output, (h, w), self.settings.padding, self.settings.stride, signed)
        rgb = _diverging(self.output, high) if signed else _grey(self.output, low, high)
        shown = _fit(rgb, scale)
        canvas.paste(shown, (x_output, top))
        draw.text((x_output + PANEL // 2, top - 8), f"output {oh}x{ow}", fill="black", font=font(14), anchor="md")
        # the colour bar is as tall as the output as shown, whatever the stride
        _colour_bar(canvas, draw, x_output + shown.size[0] + 8, top, shown.size[1], signed, low, high)
        draw.text((width // 2, top + PANEL + 14), f"stride {self.settings.stride}, padding {self.settings.padding}:"
                  f" {h}x{w} -> {oh}x{ow}", fill=(60, 60, 60), font=font(13), anchor="ma")
        draw.text((x_output + PANEL // 2, top + PANEL + 34), SCALE_NOTE_SIGNED if signed else SCALE_NOTE,
                  fill=(110, 110, 110), font=font(11), anchor="ma")
        return canvas

    def render_png(self) -> bytes:
        buffer = io.BytesIO()
        self.image_picture().save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def _grey(values: np.ndarray, low: float, high: float) -> np.ndarray:
    scaled = (values - low) / ((high - low) or 1.0)
    grey = np.clip(scaled * 255.0, 0, 255).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


_RDBU = None


def _diverging(values: np.ndarray, limit: float) -> np.ndarray:
    """RdBu_r with white at zero, as in the course's figures (a 256-entry lookup table)."""
    global _RDBU
    if _RDBU is None:
        from matplotlib import colormaps

        _RDBU = (colormaps["RdBu_r"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)
    index = np.clip((values / limit + 1.0) * 127.5, 0, 255).astype(np.uint8)
    return _RDBU[index]


def _fit(rgb: np.ndarray, scale: float):
    """Resize an RGB array by ``scale`` (keeping its aspect ratio) as a PIL image."""
    from PIL import Image

    image = Image.fromarray(rgb, "RGB")
    h, w = rgb.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    # Lanczos keeps thin edges' contrast when shrinking; bilinear averaged a signed edge map towards white
    return image.resize(size, Image.NEAREST if scale >= 1 else Image.LANCZOS)


def _kernel_tile(kernel: np.ndarray):
    from PIL import Image, ImageDraw

    cell = PANEL // 6
    limit = float(np.max(np.abs(kernel))) or 1.0
    colours = _diverging(kernel, limit)
    tile = Image.fromarray(np.repeat(np.repeat(colours, cell, 0), cell, 1), "RGB")
    draw = ImageDraw.Draw(tile)
    for (r, c), value in np.ndenumerate(kernel):
        dark = abs(value) / limit > 0.6
        draw.text((c * cell + cell // 2, r * cell + cell // 2), f"{value:.3g}", fill="white" if dark else "black",
                  font=font(13), anchor="mm")
        draw.rectangle([c * cell, r * cell, (c + 1) * cell - 1, (r + 1) * cell - 1], outline=(90, 90, 90))
    return tile


def _colour_bar(canvas, draw, x: int, top: int, height: int, signed: bool, low: float, high: float) -> None:
    """A ``height``-pixel colour bar at ``(x, top)``, labelled with its ends (and 0 for a signed scale)."""
    from PIL import Image

    height = max(int(height), 2)
    ramp = np.linspace(high, low, height)[:, None] * np.ones((1, 14))
    rgb = _diverging(ramp, max(abs(low), abs(high)) or 1.0) if signed else _grey(ramp, low, high)
    canvas.paste(Image.fromarray(rgb, "RGB"), (x, top))
    draw.text((x + 18, top), f"{high:.3g}", fill="black", font=font(11), anchor="lm")
    draw.text((x + 18, top + height - 1), f"{low:.3g}", fill="black", font=font(11), anchor="lm")
    if signed and height >= 40:
        draw.text((x + 18, top + height // 2), "0", fill="black", font=font(11), anchor="lm")


def kernel_playground(image: str = "camera", preset: str = "sobel_x", stride: int = 1, padding: int = 1):
    """Show the playground: photo and preset pickers, a 3x3 grid of editable weights, stride and padding."""
    import ipywidgets as widgets

    from .explorer import _WithStaticFrame

    if preset not in KERNEL_NAMES:
        raise ValueError(f"preset must be one of {', '.join(map(repr, KERNEL_NAMES))}; got {preset!r}")
    playground = KernelPlayground(PlaygroundSettings(image=image, kernel=tuple(map(tuple, kernel_preset(preset))),
                                                     stride=stride, padding=padding))
    style = {"description_width": "70px"}
    image_picker = widgets.Dropdown(options=list(IMAGE_NAMES), value=image, description="photo", style=style)
    preset_picker = widgets.Dropdown(options=list(KERNEL_NAMES) + ["(edited)"], value=preset, description="preset",
                                     style=style)
    weights = [widgets.FloatText(value=float(v), layout=widgets.Layout(width="70px"), step=0.1)
               for v in np.asarray(playground.settings.kernel).ravel()]
    grid = widgets.GridBox(weights, layout=widgets.Layout(grid_template_columns="repeat(3, 75px)"))
    stride_slider = widgets.IntSlider(value=stride, min=1, max=MAX_STRIDE, description="stride",
                                      continuous_update=False, style=style)
    padding_slider = widgets.IntSlider(value=padding, min=0, max=MAX_PADDING, description="padding",
                                       continuous_update=False, style=style)
    picture = widgets.Image(value=playground.render_png(), format="png")
    text = widgets.HTML()
    busy = {"setting_preset": False}

    def draw(settings: PlaygroundSettings) -> None:  # on the render thread, for the newest settings only
        import html

        drawn = KernelPlayground(settings)
        picture.value = drawn.render_png()
        text.value = f"<pre>{html.escape(drawn.summary())}</pre>"

    renderer = LatestOnly(draw)

    def show() -> None:
        renderer.submit(playground.settings)

    def on_preset(change: Dict[str, Any]) -> None:
        if change["new"] == "(edited)":
            return
        busy["setting_preset"] = True
        try:
            for box, value in zip(weights, kernel_preset(change["new"]).ravel()):
                box.value = float(value)
        finally:
            busy["setting_preset"] = False
        playground.set_preset(change["new"])
        show()

    def on_weight(change: Dict[str, Any]) -> None:
        if busy["setting_preset"]:
            return
        values = np.array([box.value for box in weights], dtype=float).reshape(3, 3)
        if not np.all(np.isfinite(values)):
            text.value = "<pre>Every weight must be a finite number.</pre>"
            return
        playground.update(kernel=tuple(map(tuple, values)))
        if preset_picker.value != "(edited)":
            preset_picker.unobserve(on_preset, names="value")
            preset_picker.value = "(edited)"
            preset_picker.observe(on_preset, names="value")
        show()

    def on_other(change: Dict[str, Any]) -> None:
        playground.update(image=image_picker.value, stride=stride_slider.value, padding=padding_slider.value)
        show()

    preset_picker.observe(on_preset, names="value")
    for box in weights:
        box.observe(on_weight, names="value")
    for control in (image_picker, stride_slider, padding_slider):
        control.observe(on_other, names="value")
    draw(playground.settings)
    controls = widgets.HBox([widgets.VBox([image_picker, preset_picker, stride_slider, padding_slider]),
                             widgets.VBox([widgets.Label("kernel weights"), grid])])
    box = widgets.VBox([controls, picture, text])
    return _WithStaticFrame(box, playground, renderer)
