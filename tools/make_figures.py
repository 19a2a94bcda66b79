"""Draw every figure and animation in images/ from course_utils code (`make figures`).

    python tools/make_figures.py              # rewrite images/
    python tools/make_figures.py --out /tmp/x # somewhere else (the tests compare the two)

Each figure is a function of no arguments returning nothing but the file it
writes; FIGURES lists them. Nothing here is random, and PNGs are saved without
the software/date metadata, so a rebuild reproduces the same pixels.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Dict

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from course_utils import corr2d  # noqa: E402
from course_utils.diagrams import (  # noqa: E402
    correlation_step_formula,
    show_correlation_step,
    show_multi_channel_step,
    show_pooling_step,
)
from course_utils.lesson_setup import FIGURE_STYLE  # noqa: E402
from course_utils.plotting import show_array, show_padded_array  # noqa: E402
from course_utils.sliding_window import ConvGeometry, draw_sliding_window, save_sliding_window_gif  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

#: The worked example of the sources: 3x3 input, 2x2 kernel.
X_WORKED = np.arange(9).reshape(3, 3)
K_WORKED = np.array([[0, 1], [2, 3]])

#: The animations, named after the cases of the convolution-arithmetic guide they show.
ANIMATIONS: Dict[str, ConvGeometry] = {
    "no_padding_no_strides.gif": ConvGeometry(input_size=4, kernel_size=3),
    "same_padding_no_strides.gif": ConvGeometry(input_size=5, kernel_size=3, padding=1),
    "padding_strides.gif": ConvGeometry(input_size=5, kernel_size=3, padding=1, stride=2),
    "dilation.gif": ConvGeometry(input_size=7, kernel_size=3, dilation=2),
}

#: Static one-position views for the padding, stride and dilation lessons.
GEOMETRY_STILLS: Dict[str, tuple] = {
    "padding.png": (ConvGeometry(input_size=3, kernel_size=2, padding=1), (0, 0)),
    "dilation.png": (ConvGeometry(input_size=7, kernel_size=3, dilation=2), (1, 1)),
}


def _save(fig, path: Path) -> None:
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


def cross_correlation(path: Path) -> None:
    _save(show_correlation_step(X_WORKED, K_WORKED, (0, 0)), path)


def multi_channel(path: Path) -> None:
    X = np.stack([X_WORKED, X_WORKED + 1])
    K = np.stack([K_WORKED, K_WORKED + 1])
    _save(show_multi_channel_step(X, K, (0, 0)), path)


def pooling(path: Path) -> None:
    _save(show_pooling_step(X_WORKED, 2, (0, 0)), path)


#: Lesson 06's stride example: the worked input and kernel, padding 1, stride (3, 2), output cell (1, 1).
STRIDE_EXAMPLE = {"padding": 1, "stride": (3, 2), "position": (1, 1)}


def stride(path: Path) -> None:
    """The numbers the lesson computes from: padded input, kernel, 2x2 output, and the sum for one cell."""
    padding, (s_h, s_w), (row, col) = STRIDE_EXAMPLE["padding"], STRIDE_EXAMPLE["stride"], STRIDE_EXAMPLE["position"]
    Y = corr2d(X_WORKED, K_WORKED, padding=padding, stride=(s_h, s_w))
    k_h, k_w = K_WORKED.shape
    fig, axes = plt.subplots(1, 3, figsize=(8.0, 3.4), gridspec_kw={"width_ratios": [5, 2, 2]})
    show_padded_array(axes[0], X_WORKED, padding, f"input, padding {padding} (hatched)", colorbar=False)
    show_array(axes[1], K_WORKED, "kernel K", colorbar=False)
    show_array(axes[2], Y, f"output, stride {(s_h, s_w)}", colorbar=False)
    axes[0].add_patch(Rectangle((s_w * col - 0.5, s_h * row - 0.5), k_w, k_h, fill=False, edgecolor="tab:orange",
                                linewidth=3))
    axes[2].add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="tab:orange", linewidth=3))
    # The window of output (row, col) starts at (s_h row, s_w col) of the padded input.
    formula = correlation_step_formula(np.pad(X_WORKED, padding), K_WORKED, (s_h * row, s_w * col))
    fig.suptitle(f"stride {(s_h, s_w)}: output[{row}, {col}] = {formula}")
    fig.tight_layout()
    _save(fig, path)


def geometry_still(name: str) -> Callable[[Path], None]:
    geometry, position = GEOMETRY_STILLS[name]

    def draw(path: Path) -> None:
        padded_h, padded_w = geometry.padded_size
        out_h, out_w = geometry.output_size
        width = max(6.5, 0.5 * (padded_w + out_w) + 2.5)  # wide enough for the title
        fig, axes = plt.subplots(1, 2, figsize=(width, 0.5 * max(padded_h, out_h) + 1.4),
                                 gridspec_kw={"width_ratios": [padded_w, out_w]})
        draw_sliding_window(axes, geometry, position)
        fig.suptitle(geometry.describe())
        fig.tight_layout()
        _save(fig, path)

    return draw


def animation(name: str) -> Callable[[Path], None]:
    return lambda path: save_sliding_window_gif(path, ANIMATIONS[name])


FIGURES: Dict[str, Callable[[Path], None]] = {
    "cross_correlation.png": cross_correlation,
    "multi_channel.png": multi_channel,
    "pooling.png": pooling,
    "stride.png": stride,
    **{name: geometry_still(name) for name in GEOMETRY_STILLS},
    **{name: animation(name) for name in ANIMATIONS},
}


def build_figures(out_dir: Path) -> list:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with matplotlib.rc_context(FIGURE_STYLE):
        for name, draw in FIGURES.items():
            path = out_dir / name
            draw(path)
            written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "images", help="output folder (default: images/)")
    args = parser.parse_args(argv)
    for path in build_figures(args.out):
        print("wrote", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
