r"""The backward pass of a convolution layer, and the transposed convolution that computes it.

For a layer :math:`Y = X \star K` (``corr2d_batch``, with stride ``s``, padding ``p``,
dilation ``d`` and ``groups``) and a loss :math:`L`, both gradients are again correlations:

- :math:`\partial L/\partial K` is the correlation of the input :math:`X` with
  :math:`\partial L/\partial Y`, which plays the kernel (the roles of stride and
  dilation swap: the kernel's taps are ``s`` apart in the input, its positions ``d``);
- :math:`\partial L/\partial X` is the *transposed convolution* of :math:`\partial L/\partial Y`
  with :math:`K`: spread :math:`\partial L/\partial Y` out with ``s - 1`` zeros between
  entries, pad it by ``d(k - 1) - p`` on each side, and cross-correlate it with the
  kernel rotated by 180 degrees (a full convolution with :math:`K`).

:func:`conv_transpose2d` is that map, with the arguments and output size of PyTorch's
``conv_transpose2d``; :func:`conv2d_backward` returns both gradients, computed by these two
identities through :func:`~course_utils.ops.corr2d_batch`.
"""
from __future__ import annotations

from typing import Any, Tuple, Union

import numpy as np

from ._checks import IntOrPair, as_groups, as_pair, as_real_array, check_groups_divide, conv_options, given_as_pair
from .fast_correlation import output_hw, prepare_correlation
from .geometry import dilated_span, transposed_output_length
from .ops import check_batch_channels, corr2d, corr2d_batch

__all__ = ["conv_transpose_output_size", "conv_transpose2d", "conv2d_backward", "tap_coverage"]


def _transposed_hw(input_hw, kernel_hw, p, s, d, op) -> Tuple[int, int]:
    """(H - 1) s - 2p + d (k - 1) + output_padding + 1 on both axes, for validated options."""
    return tuple(  # type: ignore[return-value]
        transposed_output_length(n, k, pi, si, di, oi) for n, k, pi, si, di, oi in zip(input_hw, kernel_hw, p, s, d, op)
    )


def _check_output_padding(op, s, d, output_padding, stride, dilation) -> None:
    # PyTorch's rule: output_padding picks one of the max(s, d) input sizes that a layer with this stride
    # and dilation maps to the same output size, so it must stay below one of them on each axis.
    if not all(o < si or o < di for o, si, di in zip(op, s, d)):
        raise ValueError(
            f"output_padding must be smaller than stride or dilation on each axis, as in PyTorch; "
            f"got output_padding={output_padding!r} with stride={stride!r} and dilation={dilation!r}"
        )


def conv_transpose_output_size(n: IntOrPair, k: IntOrPair, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
                               dilation: IntOrPair = 1, output_padding: IntOrPair = 0) -> Union[int, Tuple[int, int]]:
    r"""Output length of a transposed convolution along each spatial axis.

    .. math:: (n - 1)\,s - 2p + d(k - 1) + \text{output\_padding} + 1

    the inverse of :func:`~course_utils.ops.conv_output_size`: a convolution with the same
    options maps this size back to ``n``. Give ints for one axis, or ``(h, w)`` pairs.

    >>> conv_transpose_output_size(3, 3, stride=2)
    7
    >>> conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1)
    6
    """
    any_pair = given_as_pair(n, k, padding, stride, dilation, output_padding)
    n_hw = as_pair(n, "n", minimum=1)
    k_hw = as_pair(k, "k", minimum=1)
    p, s, d = conv_options(padding, stride, dilation)
    op = as_pair(output_padding, "output_padding", minimum=0)
    _check_output_padding(op, s, d, output_padding, stride, dilation)
    sizes = _transposed_hw(n_hw, k_hw, p, s, d, op)
    if min(sizes) < 1:
        raise ValueError(
            f"padding={padding!r} leaves no output: a transposed convolution of size n = {n_hw} with kernel "
            f"size k = {k_hw} (stride={stride!r}, dilation={dilation!r}, output_padding={output_padding!r}) "
            f"would have size {sizes[0]}x{sizes[1]}"
        )
    return sizes if any_pair else sizes[0]  # type: ignore[return-value]


def _spread_and_pad(Y: np.ndarray, s, before, out_hw, kernel_reach) -> np.ndarray:
    """Y's last two axes with ``s - 1`` zeros between entries, placed ``before`` rows/columns from the
    top-left of a zero array ``out + kernel_reach - 1`` long; a negative ``before`` crops (padding > d(k - 1)).
    """
    lengths = [o + r - 1 for o, r in zip(out_hw, kernel_reach)]
    spread = np.zeros(Y.shape[:-2] + tuple(lengths), dtype=Y.dtype)
    targets, sources = [], []
    for axis in range(2):
        n, step, start, length = Y.shape[-2 + axis], s[axis], before[axis], lengths[axis]
        first = max(0, -(start // step))  # first entry landing at index >= 0
        last = min(n - 1, (length - 1 - start) // step)  # last entry landing before the end
        if last < first:  # every entry falls in the cropped padding: the output is all zeros
            return spread
        targets.append(slice(start + first * step, start + last * step + 1, step))
        sources.append(slice(first, last + 1))
    spread[..., targets[0], targets[1]] = Y[..., sources[0], sources[1]]
    return spread


def conv_transpose2d(Y: Any, K: Any, *, stride: IntOrPair = 1, padding: IntOrPair = 0, dilation: IntOrPair = 1,
                     output_padding: IntOrPair = 0, groups: int = 1) -> np.ndarray:
    r"""Transposed convolution, as ``torch.nn.functional.conv_transpose2d`` computes it (no bias).

    Each input value scatters a copy of the kernel, scaled by it, into the output:
    :math:`Z[s i + d a - p,\; s j + d b - p] \mathrel{+}= Y[i, j]\, K[a, b]`. This is the
    gradient with respect to the input of ``corr2d`` with the same options, and it is
    computed that way: ``Y`` spread out with ``s - 1`` zeros between entries and padded by
    ``d(k - 1) - p`` (plus ``output_padding`` at the bottom and right), then cross-correlated
    with the kernel rotated by 180 degrees, with dilation ``d`` and stride 1.

    Parameters
    ----------
    Y : (H, W) or (N, C_in, H, W) array_like
        The input: one image, or a batch.
    K : (kh, kw) or (C_in, C_out/groups, kh, kw) array_like
        The kernel, in PyTorch's layout for transposed layers (input channels first).
    stride, padding, dilation : int or (h, w) pair
        Those of the convolution this one transposes: ``padding`` *removes* rows and
        columns from the border of the full result.
    output_padding : int or (h, w) pair
        Extra rows (columns) at the bottom (right); must be smaller than ``stride`` or
        ``dilation`` on each axis, as in PyTorch. Several input sizes give the same
        convolution output size; this one picks which to give back.
    groups : int
        Divides C_in; the channels split into ``groups`` independent layers.

    Returns
    -------
    numpy.ndarray
        Shape (oh, ow) or (N, C_out, oh, ow) with
        :math:`o = (H - 1)s - 2p + d(k - 1) + \text{output\_padding} + 1`.

    >>> conv_transpose2d([[1, 2], [3, 4]], [[1, 1], [1, 1]])
    array([[ 1.,  3.,  2.],
           [ 4., 10.,  6.],
           [ 3.,  7.,  4.]])
    >>> conv_transpose2d([[1, 2], [3, 4]], [[1, 1], [1, 1]], stride=2)   # no overlaps: 4 copies
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    """
    Y = as_real_array(Y, "Y", (2, 4))
    K = as_real_array(K, "K", Y.ndim)
    p, s, d = conv_options(padding, stride, dilation)
    op = as_pair(output_padding, "output_padding", minimum=0)
    groups = as_groups(groups)
    _check_output_padding(op, s, d, output_padding, stride, dilation)
    if Y.ndim == 2:
        if groups != 1:
            raise ValueError(f"groups must be 1 for a 2-D Y (one channel, shape {Y.shape}); got groups={groups}")
    else:
        if Y.shape[1] != K.shape[0]:
            raise ValueError(
                f"channel mismatch: Y has {Y.shape[1]} input channels (shape {Y.shape}, layout (N, C_in, H, W)) "
                f"but K has {K.shape[0]} (shape {K.shape}, layout (C_in, C_out/groups, kh, kw))"
            )
        check_groups_divide(groups, Y.shape[1], "input", "Y", Y.shape, "(N, C_in, H, W)")
    kernel_hw = K.shape[-2:]
    out_hw = _transposed_hw(Y.shape[-2:], kernel_hw, p, s, d, op)
    if min(out_hw) < 1:
        raise ValueError(
            f"padding={padding!r} leaves no output: Y with shape {Y.shape} and kernel K with shape {K.shape} "
            f"(stride={stride!r}, dilation={dilation!r}, output_padding={output_padding!r}) give "
            f"(H - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1 = {out_hw[0]}x{out_hw[1]}"
        )
    reach = [dilated_span(k, di) for di, k in zip(d, kernel_hw)]
    spread = _spread_and_pad(Y, s, [r - 1 - pi for r, pi in zip(reach, p)], out_hw, reach)
    if Y.ndim == 2:
        return corr2d(spread, K[::-1, ::-1], dilation=d)
    # The correlation's weights (C_out, C_in/groups, kh, kw): in each group swap the two channel axes
    # of K, whose layout is (C_in, C_out/groups, kh, kw), and rotate every kernel.
    c_in, per_group_out = K.shape[:2]
    weights = (K.reshape((groups, c_in // groups, per_group_out) + kernel_hw)
               .transpose(0, 2, 1, 3, 4)
               .reshape((groups * per_group_out, c_in // groups) + kernel_hw)[..., ::-1, ::-1])
    return corr2d_batch(spread, weights, dilation=d, groups=groups)


def conv2d_backward(X: Any, K: Any, grad_Y: Any, *, stride: IntOrPair = 1, padding: IntOrPair = 0,
                    dilation: IntOrPair = 1, groups: int = 1) -> Tuple[np.ndarray, np.ndarray]:
    r"""Gradients ``(grad_X, grad_K)`` of a loss through ``Y = corr2d_batch(X, K, ...)``, given ``grad_Y``.

    ``X`` is (N, C_in, H, W), ``K`` (C_out, C_in/groups, kh, kw) and ``grad_Y``, the
    gradient of the loss with respect to ``Y``, has ``Y``'s shape (N, C_out, oh, ow).

    - ``grad_K`` is the correlation of ``X`` with ``grad_Y`` as the kernel, summed over
      the batch (stride ``d`` and dilation ``s``: the layer's two spacings swap roles),
      in each group;
    - ``grad_X`` is :func:`conv_transpose2d` of ``grad_Y`` with ``K``. When
      ``H + 2p - d(kh - 1) - 1`` is not a multiple of the stride, the last rows are
      read by no window: ``output_padding`` gives them back, with zero gradient.

    >>> X = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> grad_X, grad_K = conv2d_backward(X, np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)))
    >>> grad_X[0, 0]        # how many windows read each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> grad_K[0, 0]        # each tap's sum over the pixels it met
    array([[ 8., 12.],
           [20., 24.]])
    """
    X, K, p, s, d = prepare_correlation(X, K, 4, 4, padding, stride, dilation)
    groups = check_batch_channels(X, K, groups)
    expected = (X.shape[0], K.shape[0]) + output_hw(X.shape[2:], K.shape[2:], p, s, d)
    grad_Y = as_real_array(grad_Y, "grad_Y", 4)
    if grad_Y.shape != expected:
        raise ValueError(
            f"grad_Y must have the shape of Y = corr2d_batch(X, K, ...), (N, C_out, oh, ow) = {expected} for X "
            f"with shape {X.shape}, K with shape {K.shape}, padding={padding!r}, stride={stride!r}, "
            f"dilation={dilation!r}; got shape {grad_Y.shape}"
        )
    options = {"padding": p, "dilation": d, "groups": groups}
    unread = tuple((n + 2 * pi - dilated_span(k, di)) % si for n, k, pi, si, di in zip(X.shape[2:], K.shape[2:], p, s, d))
    grad_X = conv_transpose2d(grad_Y, K, stride=s, output_padding=unread, **options)

    # grad_K[o, c, a, b] = sum over n, i, j of X_p[n, c, s i + d a, s j + d b] * grad_Y[n, o, i, j]: a correlation
    # whose batch is the input channel within a group, whose channels are (group, image) and whose kernel is grad_Y.
    n, c_in = X.shape[:2]
    per_group_in = c_in // groups
    images_as_channels = X.reshape((n, groups, per_group_in) + X.shape[2:]).transpose(2, 1, 0, 3, 4)
    images_as_channels = images_as_channels.reshape((per_group_in, groups * n) + X.shape[2:])
    full = corr2d_batch(images_as_channels, grad_Y.transpose(1, 0, 2, 3), padding=p, stride=d, dilation=s,
                        groups=groups)
    # Rows (columns) past kh (kw) pair the kernel with the unread rows: they are no taps of K.
    grad_K = full[:, :, : K.shape[2], : K.shape[3]].transpose(1, 0, 2, 3)
    return grad_X, np.ascontiguousarray(grad_K)


def tap_coverage(input_hw: IntOrPair, kernel_hw: IntOrPair, *, stride: IntOrPair = 1, padding: IntOrPair = 0,
                 dilation: IntOrPair = 1, output_padding: IntOrPair = 0) -> np.ndarray:
    r"""How many (input pixel, kernel tap) pairs a transposed convolution adds into each output pixel.

    Input pixel :math:`(i, j)` and tap :math:`(a, b)` land on output
    :math:`(s i + d a - p,\; s j + d b - p)`. Counting the pairs, with no values involved, shows
    how evenly the layer covers its output: with stride 2, a kernel of 3 alternates 1 and 2 taps
    along each axis (a checkerboard of 1, 2 and 4), a kernel of 4 gives 2 per axis (4 in all)
    everywhere away from the border.
    The result equals ``conv_transpose2d`` of an all-ones input with an all-ones kernel, counted
    here tap by tap instead.

    ``input_hw`` and ``kernel_hw`` are ints (square) or ``(h, w)`` pairs; the options are those
    of :func:`conv_transpose2d` and the shape is :func:`conv_transpose_output_size`'s.

    >>> tap_coverage(4, 3, stride=2)
    array([[1, 1, 2, 1, 2, 1, 2, 1, 1],
           [1, 1, 2, 1, 2, 1, 2, 1, 1],
           [2, 2, 4, 2, 4, 2, 4, 2, 2],
           [1, 1, 2, 1, 2, 1, 2, 1, 1],
           [2, 2, 4, 2, 4, 2, 4, 2, 2],
           [1, 1, 2, 1, 2, 1, 2, 1, 1],
           [2, 2, 4, 2, 4, 2, 4, 2, 2],
           [1, 1, 2, 1, 2, 1, 2, 1, 1],
           [1, 1, 2, 1, 2, 1, 2, 1, 1]])
    """
    n_hw = as_pair(input_hw, "input_hw", minimum=1)
    k_hw = as_pair(kernel_hw, "kernel_hw", minimum=1)
    out_hw = conv_transpose_output_size(n_hw, k_hw, padding=padding, stride=stride, dilation=dilation,
                                        output_padding=output_padding)
    p, s, d = conv_options(padding, stride, dilation)
    # The uncropped output, with room for output_padding beyond the last tap.
    full = np.zeros([o + 2 * pi for o, pi in zip(out_hw, p)], dtype=np.int64)
    for a in range(k_hw[0]):
        for b in range(k_hw[1]):
            full[d[0] * a: d[0] * a + s[0] * (n_hw[0] - 1) + 1: s[0],
                 d[1] * b: d[1] * b + s[1] * (n_hw[1] - 1) + 1: s[1]] += 1
    return full[p[0]: p[0] + out_hw[0], p[1]: p[1] + out_hw[1]]
