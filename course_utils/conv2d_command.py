"""Cross-correlate a photograph with a kernel from the command line and save input | kernel | output.

    python -m course_utils.conv2d --image cat --kernel sobel-x --stride 2 --padding 1 -o out.png
    python -m course_utils.conv2d --image photo.jpg --kernel "1,0,-1; 2,0,-2; 1,0,-1"

The PyTorch tutorial among the course's sources asks learners to "run the
conv2d.py script" and try kernel sizes and parameters; this is that script. It runs as
``python -m course_utils.conv2d`` (the name the README and the tutorial use; that module only
starts :func:`main`).
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn, Optional, Sequence

import numpy as np

__all__ = ["main", "parse_kernel", "read_image"]


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse_kernel(text: str) -> np.ndarray:
    """A preset name (``sobel-x`` or ``sobel_x``) or numbers: rows separated by ``;``, entries by ``,`` or spaces.

    >>> parse_kernel("1, 0, -1; 2 0 -2")
    array([[ 1.,  0., -1.],
           [ 2.,  0., -2.]])
    >>> parse_kernel("sobel-y")[0]
    array([-1., -2., -1.])
    """
    from .kernels import KERNEL_NAMES, kernel_preset

    name = text.strip().lower().replace("-", "_")
    if name in KERNEL_NAMES:
        return kernel_preset(name)
    rows = [row.replace(",", " ").split() for row in text.split(";") if row.strip()]
    try:
        values = [[float(entry) for entry in row] for row in rows]
    except ValueError:
        presets = ", ".join(n.replace("_", "-") for n in KERNEL_NAMES)
        raise ValueError(f"--kernel must be a preset ({presets}) or numbers such as '1,0,-1; 2,0,-2; 1,0,-1'; "
                         f"got {text!r}") from None
    if not values or len({len(row) for row in values}) != 1:
        raise ValueError(f"--kernel rows must all have the same number of entries; got {text!r}")
    kernel = np.array(values)
    if not np.all(np.isfinite(kernel)):
        raise ValueError(f"--kernel entries must be finite numbers; got {text!r}")
    return kernel


def read_image(name_or_path: str) -> np.ndarray:
    """A bundled image by name, or an image file as grayscale values in [0, 1]."""
    from .data import IMAGE_NAMES, load_image

    if name_or_path in IMAGE_NAMES:
        return load_image(name_or_path)
    path = Path(name_or_path)
    if not path.is_file():
        raise ValueError(f"--image must be one of {', '.join(IMAGE_NAMES)} or an image file; "
                         f"{name_or_path!r} is neither")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            grey = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"--image {name_or_path!r} could not be read as an image ({error})") from None
    return grey


def _parser() -> argparse.ArgumentParser:
    from .data import IMAGE_NAMES
    from .kernels import KERNEL_NAMES

    parser = _OneLineParser(
        prog="python -m course_utils.conv2d",
        description="Cross-correlate an image with a kernel (what deep-learning libraries call convolution), "
                    "print the shapes and save a figure of input | kernel | output.",
    )
    parser.add_argument("--image", default="cat",
                        help=f"a bundled image ({', '.join(IMAGE_NAMES)}) or the path of an image file, read as "
                             "grayscale in [0, 1] (default: cat)")
    parser.add_argument("--kernel", default="sobel-x",
                        help=f"a preset ({', '.join(n.replace('_', '-') for n in KERNEL_NAMES)}) or numbers, "
                             "rows separated by ';' and entries by ',' or spaces, e.g. '1,0,-1; 2,0,-2; 1,0,-1' "
                             "(default: sobel-x)")
    parser.add_argument("--stride", type=int, default=1, help="step between kernel positions, >= 1 (default: 1)")
    parser.add_argument("--padding", type=int, default=0, help="zeros added on every side, >= 0 (default: 0)")
    parser.add_argument("--dilation", type=int, default=1, help="spacing between kernel taps, >= 1 (default: 1)")
    parser.add_argument("-o", "--output", default="conv2d.png",
                        help="where to save the figure, PNG (default: conv2d.png)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.stride < 1:
        parser.error(f"--stride must be >= 1; got {args.stride}")
    if args.padding < 0:
        parser.error(f"--padding must be >= 0; got {args.padding}")
    if args.dilation < 1:
        parser.error(f"--dilation must be >= 1; got {args.dilation}")
    try:
        kernel = parse_kernel(args.kernel)
        image = read_image(args.image)
        from .ops import corr2d

        output = corr2d(image, kernel.astype(image.dtype), padding=args.padding, stride=args.stride,
                        dilation=args.dilation)
    except ValueError as error:
        parser.error(str(error).splitlines()[0])
    _save_figure(image, kernel, output, args)
    print(f"input  {image.shape[0]}x{image.shape[1]}")
    print(f"kernel {kernel.shape[0]}x{kernel.shape[1]} (stride {args.stride}, padding {args.padding}, "
          f"dilation {args.dilation})")
    print(f"output {output.shape[0]}x{output.shape[1]}, values {output.min():.3g} to {output.max():.3g}")
    print(f"saved  {args.output}")
    return 0


def _save_figure(image: np.ndarray, kernel: np.ndarray, output: np.ndarray, args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plotting import show_array

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.6), gridspec_kw={"width_ratios": [4, 2, 4]})
    axes[0].imshow(image, cmap="gray", vmin=0, vmax=1)
    axes[0].set_title(f"input {image.shape[0]}x{image.shape[1]}")
    show_array(axes[1], kernel, f"kernel {kernel.shape[0]}x{kernel.shape[1]}", signed=True, fmt="{:.3g}")
    # The zero padding often makes a few extreme border values; a percentile keeps the rest visible.
    if output.min() < 0:
        limit = float(np.percentile(np.abs(output), 99.5)) or float(np.abs(output).max()) or 1.0
        shown = axes[2].imshow(output, cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:
        low, high = np.percentile(output, [0.5, 99.5])
        shown = axes[2].imshow(output, cmap="gray", vmin=low, vmax=high if high > low else low + 1)
    fig.colorbar(shown, ax=axes[2], fraction=0.046, pad=0.04)
    axes[2].set_title(f"output {output.shape[0]}x{output.shape[1]} (colours clipped at 99.5th percentile)",
                      fontsize=10)
    for ax in (axes[0], axes[2]):
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"{args.image} ⋆ {args.kernel}: stride {args.stride}, padding {args.padding}, "
                 f"dilation {args.dilation}")
    fig.tight_layout()
    try:
        fig.savefig(args.output, dpi=100)
    except OSError as error:
        plt.close(fig)
        _OneLineParser(prog="python -m course_utils.conv2d").error(f"cannot write -o {args.output!r}: {error.strerror}")
    plt.close(fig)

