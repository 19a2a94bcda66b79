r"""What a 2-D convolution layer costs: learnable parameters and multiply-adds.

A layer with :math:`c_i` input channels, :math:`c_o` output channels and a
:math:`k_h \times k_w` kernel stores one :math:`k_h \times k_w` slice per
(output, input) channel pair, plus one bias per output channel:

.. math:: \text{parameters} = c_o\, c_i\, k_h\, k_w \;(+\; c_o).

Every output value is a sum of :math:`c_i k_h k_w` products, and the layer
computes :math:`c_o h_\text{out} w_\text{out}` output values:

.. math:: \text{multiply-adds} = c_o\, c_i\, k_h\, k_w\, h_\text{out}\, w_\text{out}.

The parameter count does not depend on the image size; the multiply-adds grow
with the output size, which :func:`course_utils.ops.conv_output_size` gives.

With ``groups=g`` (a grouped convolution, as ``torch.nn.Conv2d(groups=g)``) each
output channel sees only the :math:`c_i / g` input channels of its group, so both
counts' weight terms are divided by :math:`g`; ``groups = c_i`` is the depthwise layer.
"""
from __future__ import annotations

from typing import Any, Dict, Sequence, Tuple

from ._checks import IntOrPair, as_groups, as_pair, conv_options, positive_int
from .geometry import conv_output_size, dilated_span

__all__ = ["conv_multiply_adds", "conv_parameter_count", "model_multiply_adds"]


def _channels_and_kernel(in_channels: Any, out_channels: Any, kernel_size: Any) -> Tuple[int, int, Tuple[int, int]]:
    c_in = positive_int(in_channels, "in_channels")
    c_out = positive_int(out_channels, "out_channels")
    kernel_hw = as_pair(kernel_size, "kernel_size", minimum=1)
    return c_in, c_out, kernel_hw


def _inputs_per_group(c_in: int, c_out: int, groups: Any) -> int:
    """Input channels each output channel sees: c_in / groups, once groups divides c_in and c_out."""
    g = as_groups(groups)
    if c_in % g or c_out % g:
        raise ValueError(f"groups={groups!r} must divide in_channels={c_in} and out_channels={c_out}")
    return c_in // g


def conv_parameter_count(in_channels: int, out_channels: int, kernel_size: IntOrPair, bias: bool = True,
                         *, groups: int = 1) -> int:
    r"""Number of learnable parameters of a 2-D convolution layer.

    :math:`c_o c_i k_h k_w` weights, plus :math:`c_o` biases when ``bias`` is
    true: the same count as ``sum(p.numel() for p in
    torch.nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias).parameters())``.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and of the output (both >= 1).
    kernel_size : int or (int, int)
        :math:`k` for a square kernel, or :math:`(k_h, k_w)`.
    bias : bool
        Whether the layer adds one learnable bias per output channel.
    groups : int
        Channel groups (must divide both channel counts): :math:`c_o (c_i / g) k_h k_w` weights.

    >>> conv_parameter_count(64, 64, 3)        # 64 * 64 * 3 * 3 + 64
    36928
    >>> conv_parameter_count(256, 64, 1, bias=False)
    16384
    >>> conv_parameter_count(3, 8, (5, 3))     # 8 * 3 * 5 * 3 + 8
    368
    >>> conv_parameter_count(64, 64, 3, groups=64)   # depthwise: 64 * 1 * 3 * 3 + 64
    640
    """
    c_in, c_out, (kh, kw) = _channels_and_kernel(in_channels, out_channels, kernel_size)
    if not isinstance(bias, bool):
        raise TypeError(f"bias must be True or False; got {type(bias).__name__} {bias!r}")
    return c_out * _inputs_per_group(c_in, c_out, groups) * kh * kw + (c_out if bias else 0)


def conv_multiply_adds(input_hw: IntOrPair, in_channels: int, out_channels: int, kernel_size: IntOrPair,
                       padding: IntOrPair = 0, stride: IntOrPair = 1, dilation: IntOrPair = 1, *,
                       groups: int = 1) -> int:
    r"""Multiply-adds of one forward pass of a 2-D convolution layer, for one image.

    :math:`c_o c_i k_h k_w h_\text{out} w_\text{out}`, where the output size comes
    from :func:`~course_utils.ops.conv_output_size`. Every product of the sliding
    sum counts, also those that meet zero padding, as FLOP counters do; the bias
    additions are not counted. One multiply-add is two floating-point operations,
    so ``torch.utils.flop_counter.FlopCounterMode`` reports twice this number.

    Parameters
    ----------
    input_hw : int or (int, int)
        Height and width of the input (an int for a square input).
    in_channels, out_channels : int
        Channels of the input and of the output (both >= 1).
    kernel_size, padding, stride, dilation : int or (int, int)
        As for ``torch.nn.Conv2d``.
    groups : int
        Channel groups (must divide both channel counts): each output value sums
        :math:`(c_i / g) k_h k_w` products.

    >>> conv_multiply_adds(56, 64, 64, 3, padding=1)       # 64 * 64 * 9 * 56 * 56
    115605504
    >>> conv_multiply_adds((3, 3), 2, 3, 2)                  # 3 * 2 * 4 * 2 * 2
    96
    >>> conv_multiply_adds(56, 64, 64, 3, padding=1, groups=64)   # 64 * 1 * 9 * 56 * 56
    1806336
    """
    n_hw = as_pair(input_hw, "input_hw", minimum=1)
    c_in, c_out, kernel_hw = _channels_and_kernel(in_channels, out_channels, kernel_size)
    per_group_in = _inputs_per_group(c_in, c_out, groups)
    p_hw, s_hw, d_hw = conv_options(padding, stride, dilation)
    effective = tuple(dilated_span(k, d) for k, d in zip(kernel_hw, d_hw))
    padded = tuple(n + 2 * p for n, p in zip(n_hw, p_hw))
    if effective[0] > padded[0] or effective[1] > padded[1]:
        dilated = f" (dilation={dilation!r} spreads it over {effective[0]}x{effective[1]})" if max(d_hw) > 1 else ""
        raise ValueError(
            f"kernel_size={kernel_size!r}{dilated} does not fit in input_hw={input_hw!r} padded by "
            f"padding={padding!r} to {padded[0]}x{padded[1]}: increase padding or use a smaller kernel"
        )
    h_out, w_out = conv_output_size(n_hw, kernel_hw, padding=p_hw, stride=s_hw, dilation=d_hw)
    return c_out * per_group_in * kernel_hw[0] * kernel_hw[1] * h_out * w_out


def model_multiply_adds(model: Any, input_shape: Sequence[int]) -> Dict[str, int]:
    r"""Multiply-adds of every ``Conv2d`` and ``Linear`` layer of a PyTorch model, for one input.

    The model runs once, under ``torch.no_grad()`` and in evaluation mode (its
    training flag is restored), on zeros of shape ``(1, *input_shape)``; a forward
    hook on each layer reads the size of the output it really produced. A
    ``Conv2d`` costs :math:`c_o\,(c_i / g)\,k_h k_w\,h_\text{out} w_\text{out}`
    with :math:`g` its ``groups`` (for ``groups=1`` the value of
    :func:`conv_multiply_adds`); a ``Linear`` costs ``in_features * out_features``
    per row it transforms. Activations, pooling and additions count nothing, and
    biases are not counted, as in :func:`conv_multiply_adds`. The total is half of
    what ``torch.utils.flop_counter.FlopCounterMode`` reports for such a model.

    Parameters
    ----------
    model : torch.nn.Module
        Built from ``Conv2d``, ``Linear`` and layers without multiply-adds
        (ReLU, pooling, flatten). Other convolutions (1-D, 3-D, transposed) are
        refused rather than silently left out; work done by functions called
        inside ``forward`` (not by layers) is not seen.
    input_shape : sequence of int
        The shape of one input without the batch axis, e.g. ``(1, 16, 16)``.

    Returns
    -------
    dict
        Layer name (as in ``model.named_modules()``) to multiply-adds, in the
        order the layers ran; ``sum(...values())`` is the whole network's cost.

    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(),
    ...                           torch.nn.Flatten(), torch.nn.Linear(8 * 4 * 4, 10))
    >>> model_multiply_adds(net, (1, 4, 4))     # 8 * 1 * 9 * 4 * 4 and 128 * 10
    {'0': 1152, '3': 1280}
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__} {model!r}")
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, (tuple, list)) or not input_shape:
        raise ValueError(f"input_shape must be a non-empty tuple of ints (one input, no batch axis); "
                         f"got {input_shape!r}")
    shape = tuple(positive_int(size, f"input_shape[{index}]") for index, size in enumerate(input_shape))
    unsupported = [(name, type(layer).__name__) for name, layer in model.named_modules()
                   if isinstance(layer, (torch.nn.modules.conv._ConvNd, torch.nn.Bilinear))
                   and type(layer) is not torch.nn.Conv2d]
    if unsupported:
        raise ValueError(f"model has layers whose multiply-adds this function does not count: {unsupported}")

    counts: Dict[str, int] = {}

    def record(name: str, layer: Any, output: Any) -> None:
        if isinstance(layer, torch.nn.Conv2d):
            kh, kw = layer.kernel_size
            count = output.numel() * (layer.in_channels // layer.groups) * kh * kw
        else:
            count = output.numel() * layer.in_features
        counts[name] = counts.get(name, 0) + int(count)

    hooks = [layer.register_forward_hook(lambda layer, inputs, output, name=name: record(name, layer, output))
             for name, layer in model.named_modules() if isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear))]
    was_training = model.training
    try:
        model.eval()
        parameter = next(model.parameters(), None)
        dtype = parameter.dtype if parameter is not None else torch.float32
        with torch.no_grad():
            model(torch.zeros((1,) + shape, dtype=dtype))
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    return counts
