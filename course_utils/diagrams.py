"""Diagrams of one step of a cross-correlation: which window, which products, which sum.

The lessons, the generated figures in ``images/`` and the interactive explorer
all explain an output value the same way: outline the window of the input
under the kernel, write out the products, and mark the output cell they sum to.
"""
from __future__ import annotations

from typing import Any, Sequence, Tuple

import numpy as np

from ._checks import as_real_array
from .geometry import check_kernel_fits
from .plotting import show_array

__all__ = ["correlation_step_formula", "show_correlation_step", "show_multi_channel_step", "show_pooling_step"]


def _format_number(value: float) -> str:
    return f"{value:g}"


def _checked_step(X: Any, K: Any, position: Any) -> Tuple[np.ndarray, np.ndarray, Tuple[int, int]]:
    X = as_real_array(X, "X", 2)
    K = as_real_array(K, "K", 2)
    check_kernel_fits(X.shape, K.shape, (0, 0), (1, 1))
    out_h, out_w = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    if (not isinstance(position, Sequence) or isinstance(position, str) or len(position) != 2
            or not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in position)):
        raise TypeError(f"position must be a pair of integers (row, column); got {position!r}")
    row, col = int(position[0]), int(position[1])
    if not (0 <= row < out_h and 0 <= col < out_w):
        raise ValueError(
            f"position must lie inside the {out_h}x{out_w} output of a {X.shape[0]}x{X.shape[1]} input X and a "
            f"{K.shape[0]}x{K.shape[1]} kernel K; got {position!r}"
        )
    return X, K, (row, col)


def correlation_step_formula(X: Any, K: Any, position: Sequence[int] = (0, 0)) -> str:
    """The products summed for output ``position`` of ``corr2d(X, K)``, written out.

    >>> X = np.arange(9).reshape(3, 3)
    >>> correlation_step_formula(X, [[0, 1], [2, 3]])
    '0*0 + 1*1 + 3*2 + 4*3 = 19'
    >>> correlation_step_formula(X, [[0, 1], [2, 3]], (1, 1))
    '4*0 + 5*1 + 7*2 + 8*3 = 43'
    """
    X, K, (row, col) = _checked_step(X, K, position)
    kh, kw = K.shape
    window = X[row:row + kh, col:col + kw]
    terms = " + ".join(f"{_format_number(x)}*{_format_number(k)}" for x, k in zip(window.ravel(), K.ravel()))
    return f"{terms} = {_format_number(float(np.sum(window * K)))}"


def show_correlation_step(X: Any, K: Any, position: Sequence[int] = (0, 0), *, panel_size: float = 3.0):
    """Figure: input with the window outlined | kernel | output with the cell outlined.

    The title writes out the sum for that output cell. Returns the figure; call
    ``plt.show()`` (or ``fig.savefig``) after.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = show_correlation_step(np.arange(9).reshape(3, 3), [[0, 1], [2, 3]])
    >>> fig._suptitle.get_text()
    'output[0, 0] = 0*0 + 1*1 + 3*2 + 4*3 = 19'
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from .ops import corr2d

    formula = correlation_step_formula(X, K, position)
    X, K, (row, col) = _checked_step(X, K, position)
    Y = corr2d(X.astype(float), K.astype(float))
    kh, kw = K.shape
    fig, axes = plt.subplots(1, 3, figsize=(3 * panel_size + 0.5, panel_size))
    show_array(axes[0], X, "input X")
    show_array(axes[1], K, "kernel K")
    show_array(axes[2], Y, "output Y = X ⋆ K")
    # The outline sits on the cell borders (cells are centred on integer coordinates).
    style = dict(fill=False, edgecolor="tab:orange", linewidth=3)
    axes[0].add_patch(Rectangle((col - 0.5, row - 0.5), kw, kh, **style))
    axes[1].add_patch(Rectangle((-0.5, -0.5), kw, kh, **style))
    axes[2].add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, **style))
    fig.suptitle(f"output[{row}, {col}] = {formula}")
    fig.tight_layout()
    return fig


def show_pooling_step(X: Any, pool_size: Any, position: Sequence[int] = (0, 0), *, panel_size: float = 3.0):
    """Figure: input with one pooling window outlined | max pooling | average pooling (stride 1, no padding).

    The title says which value each kind of pooling takes from that window.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = show_pooling_step(np.arange(9).reshape(3, 3), 2)
    >>> fig._suptitle.get_text()
    'window at (0, 0) = [0, 1, 3, 4]: max 4, average 2'
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from ._checks import as_pair
    from .ops import pool2d

    X = as_real_array(X, "X", 2)
    ph, pw = as_pair(pool_size, "pool_size", minimum=1)
    X, _, (row, col) = _checked_step(X, np.ones((ph, pw)), position)
    window = X[row:row + ph, col:col + pw]
    fig, axes = plt.subplots(1, 3, figsize=(3 * panel_size + 0.5, panel_size))
    show_array(axes[0], X, "input X")
    show_array(axes[1], pool2d(X, (ph, pw), mode="max"), f"{ph}x{pw} max pooling")
    show_array(axes[2], pool2d(X, (ph, pw), mode="avg"), f"{ph}x{pw} average pooling")
    style = dict(fill=False, edgecolor="tab:orange", linewidth=3)
    axes[0].add_patch(Rectangle((col - 0.5, row - 0.5), pw, ph, **style))
    for ax in axes[1:]:
        ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, **style))
    values = ", ".join(_format_number(v) for v in window.ravel())
    fig.suptitle(f"window at {(row, col)} = [{values}]: max {_format_number(window.max())}, "
                 f"average {_format_number(window.mean())}")
    fig.tight_layout()
    return fig


def show_multi_channel_step(X: Any, K: Any, position: Sequence[int] = (0, 0), *, panel_size: float = 2.6):
    """Figure: one row per input channel (channel | its kernel | its cross-correlation), then their sum.

    ``X`` is (channels, h, w), ``K`` is (channels, kh, kw). The title writes the
    output value at ``position`` as the sum of the per-channel values.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> X = np.stack([np.arange(9).reshape(3, 3), np.arange(1, 10).reshape(3, 3)])
    >>> K = np.stack([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
    >>> fig = show_multi_channel_step(X, K)
    >>> fig._suptitle.get_text()
    'output[0, 0] = 19 + 37 = 56 (one term per input channel)'
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from .ops import corr2d

    X = as_real_array(X, "X", 3)
    K = as_real_array(K, "K", 3)
    if X.shape[0] != K.shape[0]:
        raise ValueError(f"X and K must have the same number of channels (axis 0); got X with shape {X.shape} "
                         f"and K with shape {K.shape}")
    per_channel = [corr2d(x, k) for x, k in zip(X, K)]
    _, _, (row, col) = _checked_step(X[0], K[0], position)
    channels = X.shape[0]
    kh, kw = K.shape[1:]
    fig, axes = plt.subplots(channels, 4, figsize=(4 * panel_size + 1.0, channels * panel_size), squeeze=False)
    style = dict(fill=False, edgecolor="tab:orange", linewidth=3)
    for c in range(channels):
        show_array(axes[c, 0], X[c], f"input channel {c}")
        show_array(axes[c, 1], K[c], f"kernel channel {c}")
        show_array(axes[c, 2], per_channel[c], f"channel {c} ⋆ kernel {c}")
        axes[c, 0].add_patch(Rectangle((col - 0.5, row - 0.5), kw, kh, **style))
        axes[c, 2].add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, **style))
        axes[c, 3].axis("off")
    total = np.sum(per_channel, axis=0)
    middle = channels // 2
    axes[middle, 3].axis("on")
    show_array(axes[middle, 3], total, "sum over channels")
    axes[middle, 3].add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, **style))
    terms = " + ".join(_format_number(p[row, col]) for p in per_channel)
    fig.suptitle(f"output[{row}, {col}] = {terms} = {_format_number(total[row, col])} (one term per input channel)")
    fig.tight_layout()
    return fig
