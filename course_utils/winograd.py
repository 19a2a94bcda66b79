r"""Winograd's minimal filtering for 3x3 convolution layers (Lavin & Gray, 2016), built from first principles.

Lesson 12 derives the algorithm; this module is its tested copy.

**One dimension, F(m, r).** ``m`` outputs of a correlation with an ``r``-tap filter,
:math:`y_i = \sum_k d_{i+k} g_k`, read a tile of ``n = m + r - 1`` inputs. Winograd's
algorithm computes them with ``n`` multiplications instead of ``m r``:

.. math:: y = A^T \big[ (G g) \odot (B^T d) \big].

The three matrices come from the Cook-Toom construction. The *linear convolution*
of ``g`` with an ``m``-vector has ``n`` coefficients; it is the product of two
polynomials, so it is fixed by its values at ``n - 1`` points plus its leading
coefficient (the "point at infinity"). Evaluating both factors there (matrices
``G`` and ``D``), multiplying pointwise and interpolating (``V^{-1}``, with ``V``
the Vandermonde matrix of the points) computes the convolution; transposing that
algorithm turns it into the correlation, with :math:`A^T = D^T` and
:math:`B^T = V^{-T}`. Each row of ``B^T`` is then rescaled to small integers,
the factor moving into ``G`` (which is applied to the filter once, in advance).

**Two dimensions, F(m x m, 3 x 3).** Nesting the 1-D algorithm along rows and
columns: :math:`Y = A^T \big[ (G g G^T) \odot (B^T d B) \big] A`, ``n*n``
multiplications per ``m x m`` output tile instead of ``9 m^2``.

**A layer.** Summed over input channels, the elementwise products become ``n*n``
independent matrix products, (C_out x C_in) times (C_in x tiles), done here by one
batched ``np.matmul``.

All arithmetic that builds the matrices is exact (:class:`fractions.Fraction`);
only the returned arrays are floating point.
"""
from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import as_real_array, positive_int

__all__ = [
    "DEFAULT_POINTS",
    "direct_multiplications",
    "winograd_conv2d",
    "winograd_matrices",
    "winograd_multiplications",
]

#: Finite interpolation points in the order they are used: small numbers first, so that the
#: matrices' entries (and the rounding they cause) stay small. F(2, 3) takes 0, 1, -1 and
#: F(4, 3) adds 2, -2, the choice of Lavin & Gray.
DEFAULT_POINTS: Tuple[Fraction, ...] = (Fraction(0), Fraction(1), Fraction(-1), Fraction(2), Fraction(-2),
                                        Fraction(1, 2), Fraction(-1, 2), Fraction(3), Fraction(-3))

#: The filter size of the layers winograd_conv2d computes.
KERNEL_SIZE = 3
#: Output tile sizes winograd_conv2d accepts: F(2x2, 3x3) and F(4x4, 3x3).
TILES = (2, 4)

Matrix = List[List[Fraction]]


def _powers(point: Optional[Fraction], length: int, degree_frame: int) -> List[Fraction]:
    """Row that evaluates a polynomial of ``length`` coefficients at ``point``.

    ``point=None`` is the point at infinity: the row picks the coefficient of
    ``x**degree_frame`` (the leading one of a product), which a shorter factor lacks.
    """
    if point is None:
        return [Fraction(int(j == degree_frame)) for j in range(length)]
    return [point**j for j in range(length)]


def _inverse(matrix: Matrix) -> Matrix:
    """Exact inverse by Gauss-Jordan elimination (the matrices here are at most 9 x 9)."""
    size = len(matrix)
    work = [row[:] + [Fraction(int(i == j)) for j in range(size)] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = next((r for r in range(col, size) if work[r][col] != 0), None)
        if pivot is None:
            raise ValueError("points must be distinct: the Vandermonde matrix is singular")
        work[col], work[pivot] = work[pivot], work[col]
        scale = work[col][col]
        work[col] = [value / scale for value in work[col]]
        for r in range(size):
            if r != col and work[r][col] != 0:
                factor = work[r][col]
                work[r] = [a - factor * b for a, b in zip(work[r], work[col])]
    return [row[size:] for row in work]


def _transpose(matrix: Matrix) -> Matrix:
    return [list(column) for column in zip(*matrix)]


def _lcm(a: int, b: int) -> int:
    return a * b // np.gcd(a, b)


def _integer_rows(BT: Matrix, G: Matrix) -> Tuple[Matrix, Matrix]:
    """Scale each row of B^T to coprime integers and divide the same row of G by that factor.

    The product (G g)_i (B^T d)_i is unchanged; the fractions end up in G, which is applied to
    the filter once per layer rather than to every input tile.
    """
    BT_int, G_scaled = [], []
    for bt_row, g_row in zip(BT, G):
        denominator = 1
        for value in bt_row:
            denominator = _lcm(denominator, value.denominator)
        numerators = [int(value * denominator) for value in bt_row]
        common = int(np.gcd.reduce([abs(v) for v in numerators if v])) if any(numerators) else 1
        factor = Fraction(denominator, common)
        BT_int.append([value * factor for value in bt_row])
        G_scaled.append([value / factor for value in g_row])
    return BT_int, G_scaled


def winograd_matrices(m: int, r: int = KERNEL_SIZE, points: Optional[Sequence[Any]] = None,
                      *, exact: bool = False):
    r"""The transforms ``(AT, G, BT)`` of Winograd's F(m, r): m outputs of an r-tap correlation.

    ``AT`` has shape (m, n), ``G`` (n, r) and ``BT`` (n, n), with n = m + r - 1, and for a
    tile ``d`` of n inputs and a filter ``g`` of r taps
    ``AT @ ((G @ g) * (BT @ d))`` equals ``[sum(d[i + k] * g[k] for k in range(r)) for i in range(m)]``.

    ``points`` are the n - 1 distinct finite interpolation points (the point at infinity
    is always added); by default the first n - 1 of :data:`DEFAULT_POINTS`. With
    ``exact=True`` the entries are :class:`fractions.Fraction` (lists of lists), for printing.

    >>> AT, G, BT = winograd_matrices(2)
    >>> BT.astype(int)
    array([[ 1,  0, -1,  0],
           [ 0,  1,  1,  0],
           [ 0, -1,  1,  0],
           [ 0, -1,  0,  1]])
    """
    m = positive_int(m, "m", " (the number of outputs per tile)")
    r = positive_int(r, "r", " (the number of filter taps)")
    n = m + r - 1
    if points is None:
        if n - 1 > len(DEFAULT_POINTS):
            raise ValueError(f"F({m}, {r}) needs {n - 1} interpolation points; give them as points= "
                             f"(the defaults cover n - 1 <= {len(DEFAULT_POINTS)})")
        finite = list(DEFAULT_POINTS[: n - 1])
    else:
        try:
            finite = [Fraction(p) for p in points]
        except (TypeError, ValueError):
            raise TypeError(f"points must be numbers (ints, Fractions or exact decimal strings); got {points!r}") from None
        if len(finite) != n - 1:
            raise ValueError(f"F({m}, {r}) needs n - 1 = {n - 1} finite points (n = m + r - 1 = {n}); "
                             f"got {len(finite)}: {list(points)!r}")
        if len(set(finite)) != len(finite):
            raise ValueError(f"points must be distinct; got {list(points)!r}")
    everywhere: List[Optional[Fraction]] = [*finite, None]
    V = [_powers(p, n, n - 1) for p in everywhere]  # evaluates the n-coefficient product
    G = [_powers(p, r, r - 1) for p in everywhere]  # evaluates the filter
    D = [_powers(p, m, m - 1) for p in everywhere]  # evaluates the other factor
    AT = _transpose(D)
    BT, G = _integer_rows(_transpose(_inverse(V)), G)
    if exact:
        return AT, G, BT
    return tuple(np.array([[float(v) for v in row] for row in M]) for M in (AT, G, BT))


def winograd_multiplications(tile: int, r: int = KERNEL_SIZE) -> int:
    """Multiplications per (tile x tile) output tile and channel pair in F(tile x tile, r x r): n**2.

    >>> winograd_multiplications(2), direct_multiplications(2)
    (16, 36)
    """
    tile = positive_int(tile, "tile")
    return (tile + positive_int(r, "r") - 1) ** 2


def direct_multiplications(tile: int, r: int = KERNEL_SIZE) -> int:
    """Multiplications of the direct method for the same tile: tile**2 outputs times r**2 taps."""
    return positive_int(tile, "tile") ** 2 * positive_int(r, "r") ** 2


def _check_layer(X: Any, K: Any, tile: Any) -> Tuple[np.ndarray, np.ndarray, int]:
    if isinstance(tile, bool) or not isinstance(tile, numbers.Integral):
        raise TypeError(f"tile must be an int, one of {TILES}; got {type(tile).__name__} {tile!r}")
    if tile not in TILES:
        raise ValueError(f"tile must be one of {TILES} (F(2x2, 3x3) or F(4x4, 3x3)); got {tile!r}")
    X = as_real_array(X, "X", 4)
    K = as_real_array(K, "K", 4)
    if K.shape[2:] != (KERNEL_SIZE, KERNEL_SIZE):
        raise ValueError(f"K must hold 3x3 kernels, shape (C_out, C_in, 3, 3); got K with shape {K.shape}")
    if K.shape[1] != X.shape[1]:
        raise ValueError(f"K has {K.shape[1]} input channels (shape {K.shape}, layout (C_out, C_in, 3, 3)) "
                         f"but X has {X.shape[1]} (shape {X.shape}, layout (N, C_in, H, W))")
    if min(X.shape[2:]) < KERNEL_SIZE:
        raise ValueError(f"X's height and width must be at least 3 for a 3x3 kernel without padding; "
                         f"got X with shape {X.shape}")
    return X, K, int(tile)


def winograd_conv2d(X: Any, K: Any, tile: int = 2) -> np.ndarray:
    """A 3x3, stride-1, unpadded layer by Winograd's F(tile x tile, 3 x 3): what ``corr2d_batch`` computes.

    ``X`` has shape (N, C_in, H, W) and ``K`` (C_out, C_in, 3, 3); the result has shape
    (N, C_out, H - 2, W - 2) and the dtype of ``X`` and ``K`` combined (float32 stays float32).
    ``tile`` is 2 (16 multiplications per 2x2 output tile and channel pair, instead of 36)
    or 4 (36 per 4x4 tile, instead of 144, with more rounding error).

    >>> X = np.arange(32.0).reshape(1, 2, 4, 4)
    >>> winograd_conv2d(X, np.ones((1, 2, 3, 3)))[0, 0]
    array([[234., 252.],
           [306., 324.]])
    """
    X, K, m = _check_layer(X, K, tile)
    dtype = np.result_type(X.dtype, K.dtype)
    AT, G, BT = (M.astype(dtype) for M in winograd_matrices(m))
    n = m + KERNEL_SIZE - 1
    N, C, H, W = X.shape
    O = K.shape[0]
    oh, ow = H - KERNEL_SIZE + 1, W - KERNEL_SIZE + 1
    th, tw = -(-oh // m), -(-ow // m)  # tiles per column and per row (the last ones may stick out)
    tiles_per_channel = N * th * tw
    # Zeros below and right of X let the last tiles stick out; their extra outputs are cropped.
    Xp = np.zeros((N, C, th * m + n - m, tw * m + n - m), dtype=dtype)
    Xp[:, :, :H, :W] = X
    windows = sliding_window_view(Xp, (n, n), axis=(2, 3))[:, :, ::m, ::m]  # (N, C, th, tw, n, n), overlapping
    tiles = np.ascontiguousarray(windows.transpose(4, 5, 1, 0, 2, 3)).reshape(n, n, C * tiles_per_channel)
    V = _sandwich(BT, tiles).reshape(n * n, C, tiles_per_channel)  # B^T d B for every tile and channel
    kernels = np.ascontiguousarray(K.transpose(2, 3, 0, 1), dtype=dtype).reshape(KERNEL_SIZE, KERNEL_SIZE, O * C)
    U = _sandwich(G, kernels).reshape(n * n, O, C)  # G g G^T, once per layer
    # One GEMM per position (ξ, ν) of the n x n transformed tile: the sum over input channels.
    M = np.matmul(U, V).reshape(n, n, O * tiles_per_channel)
    Y = _sandwich(AT, M).reshape(m, m, O, N, th, tw)  # A^T M A: the m x m outputs of every tile
    Y = Y.transpose(3, 2, 4, 0, 5, 1).reshape(N, O, th * m, tw * m)
    return np.ascontiguousarray(Y[:, :, :oh, :ow])


def _sandwich(T: np.ndarray, A: np.ndarray) -> np.ndarray:
    """``T @ A[:, :, i] @ T.T`` for every i of A, shape (p, p, rest) -> (q, q, rest), for a (q, p) ``T``.

    Two passes, each contracting a leading axis of a contiguous array: measured several times
    faster than one einsum over both axes or than a matmul of many tiny tile matrices.
    """
    q = T.shape[0]
    half = np.einsum("xa,abr->xbr", T, A)
    out = np.empty((q, q, A.shape[2]), dtype=np.result_type(T, A))
    for x in range(q):
        np.einsum("yb,br->yr", T, half[x], out=out[x])
    return out
