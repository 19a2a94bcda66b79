"""Images for the lessons: photographs bundled with scikit-image (nothing is downloaded), and a synthetic band.

:func:`load_image` returns one of a few test photographs as a 2-D grayscale
array of floats in ``[0, 1]``, optionally shrunk by an integer factor so that
a lesson stays fast. The pictures ship inside the ``scikit-image`` wheel
(``skimage/data/``), so they load offline and are the same on every machine.
:func:`band_image` draws the course's first edge-detection example: ones with a
vertical band of zeros.

scikit-image is imported only when an image is loaded, so ``import
course_utils`` stays light.
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, Dict, Tuple

import numpy as np

from ._checks import as_real_array, positive_int

__all__ = ["IMAGE_NAMES", "band_image", "downscale_mean", "load_image"]

#: name -> (scikit-image loader, what it shows). All four are bundled with the wheel.
_IMAGES: Dict[str, Tuple[str, str]] = {
    "astronaut": ("astronaut", "the astronaut Eileen Collins, colour 512x512"),
    "camera": ("camera", "a man with a camera on a tripod, grayscale 512x512"),
    "cat": ("chelsea", "Chelsea the cat, colour 300x451"),
    "coins": ("coins", "Greek coins on a dark background, grayscale 303x384"),
}

#: The names :func:`load_image` accepts.
IMAGE_NAMES: Tuple[str, ...] = tuple(sorted(_IMAGES))


#: What a size factor of 1 means, for the messages of the factor arguments.
_ONE_KEEPS_FULL_SIZE = " (1 keeps the full size)"


def _float_dtype(dtype: Any) -> np.dtype:
    try:
        out_dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be np.float32 or np.float64; got {dtype!r}") from None
    if out_dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"dtype must be np.float32 or np.float64; got {dtype!r}")
    return out_dtype


def band_image(width: int = 8, *, band_start: int = 2, band_width: int = 4, height: int = 6,
               dtype: Any = np.float32) -> np.ndarray:
    """A bright image (ones) crossed by a dark vertical band (zeros), ``height`` x ``width``.

    The band covers columns ``band_start`` to ``band_start + band_width - 1``; a band that
    runs past the right border is cut there (a band moved right leaves the image bit by bit).
    The defaults give the 6x8 example with zeros in columns 2 to 5 whose two vertical edges
    the kernel ``[1, -1]`` finds; ``band_image(9)`` is the wider 6x9 version.

    >>> band_image()[0]
    array([1., 1., 0., 0., 0., 0., 1., 1.], dtype=float32)
    >>> band_image(9, band_start=6, dtype=np.float64)[0]
    array([1., 1., 1., 1., 1., 1., 0., 0., 0.])
    """
    width, height = positive_int(width, "width", ""), positive_int(height, "height", "")
    band_width = positive_int(band_width, "band_width", "")
    if isinstance(band_start, bool) or not isinstance(band_start, numbers.Integral):
        raise TypeError(f"band_start must be an int; got {type(band_start).__name__} {band_start!r}")
    if not 0 <= band_start < width:
        raise ValueError(f"band_start must be a column of the image, 0 to {width - 1} for width={width}; "
                         f"got {band_start!r}")
    image = np.ones((height, width), dtype=_float_dtype(dtype))
    image[:, band_start : band_start + band_width] = 0
    return image


def downscale_mean(image: Any, factor: int) -> np.ndarray:
    """Shrink a 2-D ``image`` by an integer ``factor``: each output pixel is the mean of a factor x factor block.

    Rows and columns that do not fill a whole block at the bottom and right
    edges are dropped, so the result has shape ``(H // factor, W // factor)``.
    Averaging (rather than keeping every ``factor``-th pixel) avoids aliasing
    of fine textures such as fur and whiskers.

    >>> downscale_mean(np.arange(16.0).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> downscale_mean(np.ones((5, 7)), 2).shape
    (2, 3)
    """
    array = as_real_array(image, "image", 2)
    factor = positive_int(factor, "factor", _ONE_KEEPS_FULL_SIZE)
    height, width = array.shape[0] // factor, array.shape[1] // factor
    if height == 0 or width == 0:
        raise ValueError(
            f"factor={factor} is larger than the image with shape {array.shape}: the result would be empty"
        )
    blocks = array[: height * factor, : width * factor].reshape(height, factor, width, factor)
    return blocks.mean(axis=(1, 3))


def load_image(name: str, *, downscale: int = 1, dtype: Any = np.float32) -> np.ndarray:
    """A bundled test photograph as a 2-D grayscale array with values in ``[0, 1]``.

    Parameters
    ----------
    name : str
        One of :data:`IMAGE_NAMES`: ``"astronaut"``, ``"camera"``
        (``skimage.data.camera()``), ``"cat"`` (``skimage.data.chelsea()``) or
        ``"coins"``.
    downscale : int
        Shrink by this integer factor with :func:`downscale_mean` (1: full size).
    dtype : numpy float dtype
        ``np.float32`` (default, the precision of the frameworks) or ``np.float64``.

    Colour photographs are converted to gray with ``skimage.color.rgb2gray``
    (luminance ``0.2125 R + 0.7154 G + 0.0721 B``); 8-bit images are divided
    by 255. Every call returns a new array, so changing it is safe.

    >>> cat = load_image("cat", downscale=2)
    >>> cat.shape, cat.dtype, bool(0.0 <= cat.min() and cat.max() <= 1.0)
    ((150, 225), dtype('float32'), True)
    >>> load_image("camera").shape
    (512, 512)
    """
    if not isinstance(name, str) or name not in _IMAGES:
        known = ", ".join(repr(n) for n in IMAGE_NAMES)
        raise ValueError(f"name must be one of {known}; got {name!r}")
    downscale = positive_int(downscale, "downscale", _ONE_KEEPS_FULL_SIZE)
    out_dtype = _float_dtype(dtype)

    import skimage.data
    from skimage.color import rgb2gray
    from skimage.util import img_as_float64

    loader: Callable[[], np.ndarray] = getattr(skimage.data, _IMAGES[name][0])
    picture = img_as_float64(loader())
    if picture.ndim == 3:
        picture = rgb2gray(picture[..., :3])
    if downscale > 1:
        picture = downscale_mean(picture, downscale)
    return np.clip(picture, 0.0, 1.0).astype(out_dtype)
