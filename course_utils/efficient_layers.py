r"""Cheap convolution layers: what the blocks of efficient networks cost, and separable kernels.

Four blocks of the same width, :math:`c` channels in and out, all with "same" padding:

- ``standard``: one :math:`k \times k` convolution, :math:`c \to c`;
- ``bottleneck`` (ResNet): :math:`1 \times 1` down to :math:`c / r`, :math:`k \times k` at
  :math:`c / r`, :math:`1 \times 1` back up to :math:`c`;
- ``separable`` (MobileNet v1): a depthwise :math:`k \times k` (``groups = c``), then a
  :math:`1 \times 1` pointwise :math:`c \to c`;
- ``inverted residual`` (MobileNet v2): :math:`1 \times 1` up to :math:`t c`, a depthwise
  :math:`k \times k` at :math:`t c`, :math:`1 \times 1` back down to :math:`c`.

:func:`block_layers` lists a block's convolutions, :func:`block_cost` adds up their parameters
and multiply-adds with :mod:`course_utils.layer_cost`, and :func:`block_cost_table` gives the
four side by side. :func:`conv_arithmetic_intensity` is a layer's multiply-adds per number
that must cross memory, which explains why a depthwise layer runs far below a dense one's rate.

A kernel is *separable* when it is an outer product, :math:`K = u v^\top`: correlating with
it is a :math:`k_h \times 1` pass with :math:`u` then a :math:`1 \times k_w` pass with
:math:`v`. That is the case exactly when :math:`K` has rank at most one, which the singular
values tell (:func:`is_separable`, :func:`separable_factors`, :func:`rank_one_approximation`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ._checks import IntOrPair, as_pair, as_real_array, positive_int
from .layer_cost import conv_multiply_adds, conv_parameter_count
from .ops import conv_output_size

__all__ = [
    "BLOCK_KINDS",
    "ConvSpec",
    "block_cost",
    "block_cost_table",
    "block_layers",
    "conv_arithmetic_intensity",
    "conv_values_moved",
    "is_separable",
    "rank_one_approximation",
    "separable_factors",
]

#: The blocks :func:`block_layers` knows, in the order the tables show them.
BLOCK_KINDS = ("standard", "bottleneck", "separable", "inverted residual")


@dataclass(frozen=True)
class ConvSpec:
    """One convolution of a block: channels in and out, a square kernel, channel groups."""

    role: str
    in_channels: int
    out_channels: int
    kernel_size: int
    groups: int = 1

    def parameters(self, bias: bool = False) -> int:
        return conv_parameter_count(self.in_channels, self.out_channels, self.kernel_size, bias=bias,
                                    groups=self.groups)

    def multiply_adds(self, size: IntOrPair) -> int:
        """Multiply-adds for one image of ``size`` pixels, padded to keep its size (stride 1)."""
        return conv_multiply_adds(size, self.in_channels, self.out_channels, self.kernel_size,
                                  padding=self.kernel_size // 2, groups=self.groups)


def block_layers(kind: str, channels: int, *, kernel_size: int = 3, reduction: int = 4,
                 expansion: int = 6) -> List[ConvSpec]:
    """The convolutions of block ``kind`` (one of :data:`BLOCK_KINDS`) with ``channels`` in and out.

    ``reduction`` is the bottleneck's factor :math:`r` (it must divide ``channels``),
    ``expansion`` the inverted residual's factor :math:`t`. The kernel size must be odd, so
    that "same" padding keeps the image size.

    >>> [(s.role, s.in_channels, s.out_channels, s.groups) for s in block_layers("separable", 32)]
    [('depthwise 3x3', 32, 32, 32), ('pointwise 1x1', 32, 32, 1)]
    """
    if not isinstance(kind, str) or kind not in BLOCK_KINDS:
        raise ValueError(f"kind must be one of {', '.join(repr(k) for k in BLOCK_KINDS)}; got {kind!r}")
    c = positive_int(channels, "channels")
    k = positive_int(kernel_size, "kernel_size")
    if k % 2 == 0:
        raise ValueError(f"kernel_size must be odd, so that padding kernel_size // 2 keeps the size; got {k}")
    r = positive_int(reduction, "reduction")
    t = positive_int(expansion, "expansion")
    if kind == "standard":
        return [ConvSpec(f"{k}x{k}", c, c, k)]
    if kind == "bottleneck":
        if c % r:
            raise ValueError(f"reduction={r} must divide channels={c} (the bottleneck has channels / reduction)")
        return [ConvSpec("1x1 down", c, c // r, 1), ConvSpec(f"{k}x{k}", c // r, c // r, k),
                ConvSpec("1x1 up", c // r, c, 1)]
    if kind == "separable":
        return [ConvSpec(f"depthwise {k}x{k}", c, c, k, groups=c), ConvSpec("pointwise 1x1", c, c, 1)]
    wide = t * c
    return [ConvSpec("1x1 expand", c, wide, 1), ConvSpec(f"depthwise {k}x{k}", wide, wide, k, groups=wide),
            ConvSpec("1x1 project", wide, c, 1)]


def block_cost(kind: str, channels: int, size: IntOrPair, *, kernel_size: int = 3, reduction: int = 4,
               expansion: int = 6, bias: bool = False) -> Tuple[int, int]:
    """``(parameters, multiply-adds)`` of block ``kind`` on one ``size`` image (see :func:`block_layers`).

    >>> block_cost("standard", 64, 56)          # 64 * 64 * 9 weights; times 56 * 56 positions
    (36864, 115605504)
    """
    layers = block_layers(kind, channels, kernel_size=kernel_size, reduction=reduction, expansion=expansion)
    return (sum(layer.parameters(bias) for layer in layers), sum(layer.multiply_adds(size) for layer in layers))


def block_cost_table(channels: int, size: IntOrPair, *, kernel_size: int = 3, reduction: int = 4,
                     expansion: int = 6, bias: bool = False) -> List[Dict[str, Any]]:
    """One row per block of :data:`BLOCK_KINDS`: its layers, parameters, multiply-adds and both as a
    fraction of the standard block's.

    >>> [(row["block"], row["parameters"]) for row in block_cost_table(64, 56)]
    [('standard', 36864), ('bottleneck', 4352), ('separable', 4672), ('inverted residual', 52608)]
    """
    rows = []
    for kind in BLOCK_KINDS:
        layers = block_layers(kind, channels, kernel_size=kernel_size, reduction=reduction, expansion=expansion)
        parameters, multiply_adds = block_cost(kind, channels, size, kernel_size=kernel_size, reduction=reduction,
                                               expansion=expansion, bias=bias)
        rows.append({"block": kind, "layers": " -> ".join(layer.role for layer in layers),
                     "parameters": parameters, "multiply_adds": multiply_adds})
    for row in rows:
        row["parameters_vs_standard"] = row["parameters"] / rows[0]["parameters"]
        row["multiply_adds_vs_standard"] = row["multiply_adds"] / rows[0]["multiply_adds"]
    return rows


# -- arithmetic intensity ----------------------------------------------------------------------

def conv_values_moved(input_hw: IntOrPair, in_channels: int, out_channels: int, kernel_size: IntOrPair, *,
                      padding: IntOrPair = 0, stride: IntOrPair = 1, dilation: IntOrPair = 1, groups: int = 1,
                      batch: int = 1) -> int:
    r"""The fewest numbers a layer must move between memory and the processor: input and weights
    read once, output written once.

    :math:`N c_i H W + c_o (c_i / g) k_h k_w + N c_o h_\text{out} w_\text{out}` (no bias). Real
    kernels move more (caches are small); this is the lower bound.

    >>> conv_values_moved(4, 2, 3, 3)      # 2 * 16 in + 3 * 2 * 9 weights + 3 * 2 * 2 out
    98
    """
    n = positive_int(batch, "batch")
    h, w = as_pair(input_hw, "input_hw", minimum=1)
    weights = conv_parameter_count(in_channels, out_channels, kernel_size, bias=False, groups=groups)
    oh, ow = conv_output_size((h, w), kernel_size, padding=padding, stride=stride, dilation=dilation)
    return n * in_channels * h * w + weights + n * out_channels * oh * ow


def conv_arithmetic_intensity(input_hw: IntOrPair, in_channels: int, out_channels: int, kernel_size: IntOrPair,
                              *, padding: IntOrPair = 0, stride: IntOrPair = 1, dilation: IntOrPair = 1,
                              groups: int = 1, batch: int = 1) -> float:
    r"""Multiply-adds per number moved (:func:`conv_values_moved`): the layer's arithmetic intensity.

    A processor does many multiply-adds in the time memory delivers one number, so a layer
    whose intensity is low waits for memory, whatever its multiply-add count.

    >>> round(conv_arithmetic_intensity(56, 64, 64, 3, padding=1), 1)              # dense
    263.8
    >>> round(conv_arithmetic_intensity(56, 64, 64, 3, padding=1, groups=64), 1)   # depthwise
    4.5
    """
    n = positive_int(batch, "batch")
    work = n * conv_multiply_adds(input_hw, in_channels, out_channels, kernel_size, padding=padding, stride=stride,
                                  dilation=dilation, groups=groups)
    return work / conv_values_moved(input_hw, in_channels, out_channels, kernel_size, padding=padding, stride=stride,
                                    dilation=dilation, groups=groups, batch=n)


# -- separable kernels -------------------------------------------------------------------------

def _kernel_and_singular_values(K: Any) -> Tuple[np.ndarray, np.ndarray]:
    kernel = as_real_array(K, "K", 2)
    if not np.all(np.isfinite(kernel)):
        raise ValueError(f"K must hold finite numbers; got inf or nan in K of shape {kernel.shape}")
    return kernel, np.linalg.svd(kernel.astype(np.float64), compute_uv=False)


def _relative_tolerance(kernel: np.ndarray, rtol: Optional[float]) -> float:
    if rtol is None:  # as np.linalg.matrix_rank: the rounding error of the kernel's own precision
        return max(kernel.shape) * float(np.finfo(kernel.dtype).eps)
    if isinstance(rtol, bool) or not isinstance(rtol, (int, float)) or not 0 <= rtol < 1:
        raise ValueError(f"rtol must be a number in [0, 1) or None; got {rtol!r}")
    return float(rtol)


def is_separable(K: Any, *, rtol: Optional[float] = None) -> bool:
    r"""Whether the 2-D kernel ``K`` is an outer product :math:`u v^\top` (rank at most one).

    True when the second singular value is at most ``rtol`` times the first (an all-zero
    kernel, :math:`0 \cdot 0^\top`, is separable). The default ``rtol`` is
    ``max(K.shape) * eps`` of K's precision, the tolerance of ``np.linalg.matrix_rank``, so
    that rounding in an exact outer product does not count as a second rank.

    >>> is_separable([[1, 0, -1], [2, 0, -2], [1, 0, -1]])    # Sobel: [1, 2, 1] (x) [1, 0, -1]
    True
    >>> is_separable([[0, 1, 0], [1, -4, 1], [0, 1, 0]])      # the Laplacian has rank 2
    False
    """
    kernel, singular = _kernel_and_singular_values(K)
    tolerance = _relative_tolerance(kernel, rtol)
    return bool(singular.size < 2 or singular[1] <= tolerance * singular[0])


def separable_factors(K: Any, *, rtol: Optional[float] = None) -> Tuple[np.ndarray, np.ndarray]:
    r"""``(column, row)`` with ``np.outer(column, row)`` equal to ``K`` (to rounding), for a separable ``K``.

    From the SVD :math:`K = \sum_i s_i u_i v_i^\top`: column :math:`= \sqrt{s_1} u_1`, row
    :math:`= \sqrt{s_1} v_1`, signs chosen so that the column's largest entry is positive.
    A kernel that is not separable (see :func:`is_separable`) raises ``ValueError``.

    >>> column, row = separable_factors([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    >>> (column / column[0]).round(6).tolist(), (row * column[0]).round(6).tolist()
    ([1.0, 2.0, 1.0], [1.0, -0.0, -1.0])
    """
    kernel, singular = _kernel_and_singular_values(K)
    tolerance = _relative_tolerance(kernel, rtol)
    if singular.size >= 2 and singular[1] > tolerance * singular[0]:
        raise ValueError(
            f"K of shape {kernel.shape} is not separable: its second singular value is {singular[1]:.3g}, "
            f"{singular[1] / singular[0]:.3g} of the first (more than rtol = {tolerance:.3g}); "
            f"rank_one_approximation gives the closest separable kernel")
    u, s, vt = np.linalg.svd(kernel.astype(np.float64))
    column, row = u[:, 0] * np.sqrt(s[0]), vt[0] * np.sqrt(s[0])
    if column[np.argmax(np.abs(column))] < 0:
        column, row = -column, -row
    return column.astype(kernel.dtype), row.astype(kernel.dtype)


def rank_one_approximation(K: Any) -> Tuple[np.ndarray, float]:
    r"""The separable kernel closest to ``K`` (least squares) and its relative error.

    Keeping the first term of the SVD, :math:`s_1 u_1 v_1^\top`, is the best rank-one
    approximation (Eckart-Young); the error it leaves, relative to :math:`\|K\|_F`, is
    :math:`\sqrt{\sum_{i \ge 2} s_i^2 / \sum_i s_i^2}` (0 for an all-zero kernel).

    >>> approx, error = rank_one_approximation([[0, 1, 0], [1, -4, 1], [0, 1, 0]])  # the Laplacian
    >>> round(error, 4)
    0.1005
    """
    kernel, _ = _kernel_and_singular_values(K)
    u, s, vt = np.linalg.svd(kernel.astype(np.float64))
    approximation = s[0] * np.outer(u[:, 0], vt[0])
    total = float(np.sum(s ** 2))
    error = float(np.sqrt(np.sum(s[1:] ** 2) / total)) if total > 0 else 0.0
    return approximation.astype(kernel.dtype), error
