r"""Receptive fields of a stack of convolution and pooling layers: by formula and by gradient.

The receptive field of an output unit is the set of input positions that can
change its value. For a stack of layers with kernel size :math:`k_l`, stride
:math:`s_l` and dilation :math:`d_l` (square windows, the same along both axes),
its side length :math:`r_L` and the **jump** :math:`j_L` (the distance, in input
pixels, between two neighbouring units of layer :math:`L`) follow

.. math::

    r_0 = 1,\quad j_0 = 1,\qquad
    r_L = r_{L-1} + (k_L - 1)\, d_L\, j_{L-1},\qquad
    j_L = j_{L-1}\, s_L .

:func:`receptive_field` evaluates the recurrence; :func:`receptive_field_by_gradient`
measures the field with PyTorch autograd (backpropagate 1 from one output unit
and take the bounding box of the non-zero input gradient), and
:func:`bounding_box` is the box measurement on its own. Padding moves a field
but does not change its size, so only the measurement uses it.

Layers are :class:`Layer` objects, or shorthands: an int ``k``, a tuple
``(k,)``, ``(k, s)`` or ``(k, s, d)``. PyTorch is imported only inside :func:`receptive_field_by_gradient`,
so this module needs NumPy alone.

>>> [step.size for step in receptive_field([3, 3, 3])]
[3, 5, 7]
>>> receptive_field([(3, 2), (3, 2), (3, 2)])
[FieldStep(size=3, jump=2), FieldStep(size=7, jump=4), FieldStep(size=15, jump=8)]
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Iterable, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from ._checks import int_at_least
from .arrays import to_numpy
from .geometry import dilated_span, output_length

__all__ = [
    "Box",
    "FieldStep",
    "GradientField",
    "Layer",
    "as_layers",
    "bounding_box",
    "receptive_field",
    "receptive_field_by_gradient",
]

#: The layer kinds :func:`receptive_field_by_gradient` can build.
LAYER_KINDS = ("conv", "avg_pool", "max_pool")
#: The kernel initialisations :func:`receptive_field_by_gradient` offers.
WEIGHT_CHOICES = ("ones", "positive", "normal")


@dataclass(frozen=True)
class Layer:
    """One layer of a stack, as far as its receptive field is concerned.

    Parameters
    ----------
    kernel_size : int
        Side of the square window, >= 1 (a pooling window counts as a kernel).
    stride : int
        Step between neighbouring windows, >= 1.
    dilation : int
        Spacing between the taps of the window, >= 1.
    padding : int
        Zeros added on every side, >= 0. It moves the field but does not change its
        size, so only :func:`receptive_field_by_gradient` uses it.
    kind : str
        ``"conv"``, ``"avg_pool"`` or ``"max_pool"``; only the gradient measurement
        tells them apart.

    >>> Layer(2, stride=2, kind="max_pool")
    Layer(kernel_size=2, stride=2, dilation=1, padding=0, kind='max_pool')
    """

    kernel_size: int
    stride: int = 1
    dilation: int = 1
    padding: int = 0
    kind: str = "conv"

    def __post_init__(self) -> None:
        where = f"in Layer(kernel_size={self.kernel_size!r}, stride={self.stride!r}, dilation={self.dilation!r}, " \
                f"padding={self.padding!r}, kind={self.kind!r})"
        object.__setattr__(self, "kernel_size", int_at_least(self.kernel_size, "kernel_size", 1, where))
        object.__setattr__(self, "stride", int_at_least(self.stride, "stride", 1, where))
        object.__setattr__(self, "dilation", int_at_least(self.dilation, "dilation", 1, where))
        object.__setattr__(self, "padding", int_at_least(self.padding, "padding", 0, where))
        if self.kind not in LAYER_KINDS:
            raise ValueError(f"kind must be one of {', '.join(map(repr, LAYER_KINDS))}; got {self.kind!r}")
        if self.kind == "max_pool" and 2 * self.padding > self.kernel_size:
            # PyTorch refuses more padding than half the window for max pooling.
            raise ValueError(f"padding must be at most kernel_size // 2 = {self.kernel_size // 2} for max pooling; "
                             f"got padding={self.padding!r} with kernel_size={self.kernel_size!r}")

    @property
    def span(self) -> int:
        """Input positions one window covers: :math:`d (k - 1) + 1`."""
        return dilated_span(self.kernel_size, self.dilation)


def _as_layer(spec: Any, index: int) -> Layer:
    where = f"layers[{index}]"
    if isinstance(spec, Layer):
        return spec
    try:
        if isinstance(spec, (tuple, list)):
            if not 1 <= len(spec) <= 3:
                raise ValueError(f"a tuple must be (k,), (k, s) or (k, s, d); got {spec!r} with {len(spec)} entries")
            return Layer(*spec)
        if isinstance(spec, (str, bytes)) or not isinstance(spec, (numbers.Integral, np.ndarray)):
            raise TypeError(f"each layer must be a Layer, an int kernel size or a (k, s, d) tuple; "
                            f"got {type(spec).__name__} {spec!r}")
        return Layer(spec)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{where}: {error}") from None


def as_layers(layers: Any) -> List[Layer]:
    """Normalise a sequence of layer specifications to a list of :class:`Layer`.

    >>> as_layers([3, (2, 2), Layer(3, dilation=2)])  # doctest: +NORMALIZE_WHITESPACE
    [Layer(kernel_size=3, stride=1, dilation=1, padding=0, kind='conv'),
     Layer(kernel_size=2, stride=2, dilation=1, padding=0, kind='conv'),
     Layer(kernel_size=3, stride=1, dilation=2, padding=0, kind='conv')]
    """
    if isinstance(layers, (Layer, dict, str, bytes)) or not isinstance(layers, Iterable):
        raise TypeError(f"layers must be a list of layers, e.g. [(3, 1, 1), (3, 2, 1)]; got {type(layers).__name__} "
                        f"{layers!r}")
    specs = list(layers)
    if not specs:
        raise ValueError("layers must hold at least one layer; got an empty sequence")
    return [_as_layer(spec, index) for index, spec in enumerate(specs)]


class FieldStep(NamedTuple):
    """Receptive-field side ``size`` and ``jump`` (product of the strides so far) after one layer."""

    size: int
    jump: int


def receptive_field(layers: Sequence[Any]) -> List[FieldStep]:
    r"""Receptive-field size and jump after each layer of a stack, by the recurrence.

    .. math:: r_L = r_{L-1} + (k_L - 1)\, d_L\, j_{L-1},\qquad j_L = j_{L-1} s_L,\qquad r_0 = j_0 = 1.

    Parameters
    ----------
    layers : sequence
        The layers from input to output, each a :class:`Layer`, an int kernel size,
        a tuple ``(k,)``, ``(k, s)`` or ``(k, s, d)``.

    Returns
    -------
    list of FieldStep
        One ``FieldStep(size, jump)`` per layer: the field of a unit of that layer
        is ``size x size`` input pixels, and neighbouring units are ``jump`` pixels apart.

    >>> [step.size for step in receptive_field([2, 2])]          # two stacked 2x2 layers
    [2, 3]
    >>> [step.size for step in receptive_field([(3, 1, d) for d in (1, 2, 4)])]
    [3, 7, 15]
    >>> receptive_field([3, Layer(2, stride=2, kind="max_pool"), 3])
    [FieldStep(size=3, jump=1), FieldStep(size=4, jump=2), FieldStep(size=8, jump=2)]
    """
    size, jump, steps = 1, 1, []
    for layer in as_layers(layers):
        size += (layer.kernel_size - 1) * layer.dilation * jump
        jump *= layer.stride
        steps.append(FieldStep(size, jump))
    return steps


class Box(NamedTuple):
    """An axis-aligned box of array cells: top-left corner and size."""

    top: int
    left: int
    height: int
    width: int


def bounding_box(values: Any) -> Box:
    """The smallest box around the non-zero cells of a 2-D array (True counts as non-zero).

    >>> bounding_box([[0, 0, 0, 0], [0, 1, 0, 2], [0, 0, 3, 0]])
    Box(top=1, left=1, height=2, width=3)
    """
    array = to_numpy(values, "values")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"values must hold real numbers; got dtype {array.dtype} with shape {array.shape}")
    if array.ndim != 2:
        raise ValueError(f"values must be a 2-D array; got a {array.ndim}-D array with shape {array.shape}")
    rows, cols = np.nonzero(array)
    if rows.size == 0:
        raise ValueError(f"values must have at least one non-zero cell to draw a box around; got all zeros "
                         f"with shape {array.shape}")
    top, left = int(rows.min()), int(cols.min())
    return Box(top, left, int(rows.max()) - top + 1, int(cols.max()) - left + 1)


class GradientField(NamedTuple):
    """What :func:`receptive_field_by_gradient` measured."""

    size: Tuple[int, int]  #: (height, width) of the box around the non-zero input gradient
    box: Box  #: that box, in input coordinates
    gradient: np.ndarray  #: d output unit / d input, shape (input_size, input_size), float64
    output_position: Tuple[int, int]  #: the (row, column) of the output unit in the last layer


def _output_length(n: int, layers: Sequence[Layer]) -> int:
    for layer in layers:
        n = output_length(n, layer.kernel_size, layer.padding, layer.stride, layer.dilation)
        if n < 1:
            return 0
    return n


def _field_start(position: int, layers: Sequence[Layer]) -> int:
    """First input position in the field of output unit ``position`` (may be negative: padding)."""
    offset, jump = 0, 1
    for layer in layers:
        offset += layer.padding * jump
        jump *= layer.stride
    return position * jump - offset


def _default_input_size(layers: Sequence[Layer], steps: Sequence[FieldStep]) -> int:
    """Smallest size (from a first guess) whose central output unit has its field inside the input with a margin."""
    size, jump = steps[-1]
    n = size + 4 * jump
    while True:
        n_out = _output_length(n, layers)
        if n_out >= 1:
            start = _field_start((n_out - 1) // 2, layers)
            if start >= jump and start + size - 1 <= n - 1 - jump:
                return n
        n += 1


def receptive_field_by_gradient(
    layers: Sequence[Any],
    *,
    input_size: Optional[int] = None,
    output_position: Optional[Tuple[int, int]] = None,
    weights: str = "ones",
    inputs: Any = None,
    seed: int = 0,
) -> GradientField:
    """Measure the receptive field of one output unit with PyTorch autograd.

    Builds the stack as single-channel ``conv2d`` (no bias), ``avg_pool`` (a
    convolution with the constant kernel ``1/k^2``) and ``max_pool2d`` layers with
    the strides, dilations and paddings of ``layers``, runs it on a square input,
    backpropagates 1 from one output unit, and returns the box around the
    non-zero input gradient. Without max pooling the stack is linear, so the
    gradient does not depend on the input values; with max pooling it does (only
    the winner of each window passes gradient back).

    Parameters
    ----------
    layers : sequence
        As for :func:`receptive_field`.
    input_size : int, optional
        Side of the square input. Default: the smallest size from
        ``size + 4 * jump`` up whose central output unit has its whole field inside
        the input, at least one jump away from the border.
    output_position : (int, int), optional
        (row, column) of the output unit; default: the central unit.
    weights : {"ones", "positive", "normal"}
        Convolution kernels: all ones; uniform in [0.5, 1.5); or standard normal
        (signed: single gradient entries may then cancel to zero). Random kernels
        come from ``torch.Generator().manual_seed(seed)``.
    inputs : (input_size, input_size) array_like, optional
        Input values (they matter only with max pooling); default: standard normal
        values from ``seed``.
    seed : int
        Seed for random kernels and the default input.

    Returns
    -------
    GradientField
        ``size`` (height, width), ``box``, the input ``gradient`` and the ``output_position``.

    Raises
    ------
    ValueError
        If the stack leaves no output for ``input_size``, if ``output_position`` is
        outside the output, or if the unit's field does not lie inside the input
        (then the measurement would be cut off by the border).

    >>> receptive_field_by_gradient([3, 3, 3]).size
    (7, 7)
    >>> receptive_field_by_gradient([(3, 2), (3, 2)], weights="positive").size
    (7, 7)
    """
    stack = as_layers(layers)
    steps = receptive_field(stack)
    size, jump = steps[-1]
    if weights not in WEIGHT_CHOICES:
        raise ValueError(f"weights must be one of {', '.join(map(repr, WEIGHT_CHOICES))}; got {weights!r}")
    seed = int_at_least(seed, "seed", 0)

    n = _default_input_size(stack, steps) if input_size is None else int_at_least(input_size, "input_size", 1)
    n_out = _output_length(n, stack)
    if n_out < 1:
        raise ValueError(f"input_size={n} is too small for these layers: they leave no output "
                         f"(the receptive field alone is {size}x{size}); use input_size >= {size}")
    if output_position is None:
        position = ((n_out - 1) // 2, (n_out - 1) // 2)
    else:
        if isinstance(output_position, (str, bytes)) or not isinstance(output_position, (tuple, list)) \
                or len(output_position) != 2:
            raise TypeError(f"output_position must be a (row, column) pair; got {output_position!r}")
        position = tuple(int_at_least(v, "output_position", 0) for v in output_position)  # type: ignore[assignment]
        if max(position) >= n_out:
            raise ValueError(f"output_position={tuple(position)} is outside the {n_out}x{n_out} output of these "
                             f"layers on a {n}x{n} input")
    for axis, p in zip(("row", "column"), position):
        start = _field_start(p, stack)
        if start < 0 or start + size - 1 > n - 1:
            raise ValueError(
                f"the receptive field of output unit {tuple(position)} spans input {axis}s {start} to "
                f"{start + size - 1}, outside the {n}x{n} input (rows and columns 0 to {n - 1}), so the border "
                f"would cut the measurement; use a larger input_size or a more central output_position")

    if inputs is None:
        x_values = np.random.default_rng(seed).standard_normal((n, n))
    else:
        x_values = np.asarray(to_numpy(inputs, "inputs"), dtype=float)
        if x_values.shape != (n, n):
            chosen = " (the default for these layers)" if input_size is None else ""
            raise ValueError(f"inputs must have shape ({n}, {n}) to match input_size={n}{chosen}; "
                             f"got shape {x_values.shape}")

    import torch
    import torch.nn.functional as F

    generator = torch.Generator().manual_seed(seed)
    x = torch.tensor(x_values, dtype=torch.float64)[None, None].requires_grad_(True)
    y = x
    for layer in stack:
        k = layer.kernel_size
        if layer.kind == "max_pool":
            y = F.max_pool2d(y, k, stride=layer.stride, padding=layer.padding, dilation=layer.dilation)
            continue
        if layer.kind == "avg_pool":
            kernel = torch.full((1, 1, k, k), 1.0 / (k * k), dtype=torch.float64)
        elif weights == "ones":
            kernel = torch.ones((1, 1, k, k), dtype=torch.float64)
        elif weights == "positive":
            kernel = 0.5 + torch.rand((1, 1, k, k), generator=generator, dtype=torch.float64)
        else:
            kernel = torch.randn((1, 1, k, k), generator=generator, dtype=torch.float64)
        y = F.conv2d(y, kernel, stride=layer.stride, padding=layer.padding, dilation=layer.dilation)
    y[0, 0, position[0], position[1]].backward()
    gradient = x.grad[0, 0].numpy().copy()
    box = bounding_box(gradient)
    return GradientField((box.height, box.width), box, gradient, (int(position[0]), int(position[1])))
