"""The gradients of a convolution layer: course_utils' formulas against three frameworks' autograd.

Issue 19's acceptance grid: float64, inputs of unit scale, stride 1 and 2, padding 0 and 1, dilation 1
and 2. ``conv2d_backward`` (the transposed convolution for dL/dX, a correlation with dL/dY for dL/dK)
must match PyTorch (``backward()``), MXNet (``autograd.record``) and JAX (``jax.vjp``) to 1e-5; in
float64 they agree to round-off. Batched, with several channels, so the layouts are exercised too.
MXNet's rows are skipped where MXNet has no build.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import course_utils as cu

TOLERANCE = 1e-5
GRID = list(itertools.product((1, 2), (0, 1), (1, 2)))  # (stride, padding, dilation)
LIBRARIES = ["PyTorch", "MXNet", "JAX"]


def layer_data(stride, padding, dilation):
    """X (2, 3, 7, 8), K (4, 3, 3, 3) and a dL/dY of Y's shape, standard normal, seeded by the options."""
    rng = np.random.default_rng(100 * stride + 10 * padding + dilation)
    X, K = rng.standard_normal((2, 3, 7, 8)), rng.standard_normal((4, 3, 3, 3))
    G = rng.standard_normal(cu.corr2d_batch(X, K, stride=stride, padding=padding, dilation=dilation).shape)
    return X, K, G


def torch_gradients(X, K, G, s, p, d):
    x, k = torch.tensor(X, requires_grad=True), torch.tensor(K, requires_grad=True)
    (F.conv2d(x, k, stride=s, padding=p, dilation=d) * torch.from_numpy(G)).sum().backward()
    return x.grad.numpy(), k.grad.numpy()


def mxnet_gradients(X, K, G, s, p, d):
    from mxnet import autograd, np as mnp, npx

    npx.set_np()
    x, k = mnp.array(X, dtype="float64"), mnp.array(K, dtype="float64")
    x.attach_grad()
    k.attach_grad()
    with autograd.record():
        y = npx.convolution(x, k, kernel=K.shape[2:], stride=(s, s), pad=(p, p), dilate=(d, d),
                            num_filter=K.shape[0], no_bias=True)
        loss = (y * mnp.array(G, dtype="float64")).sum()
    loss.backward()
    assert x.grad.dtype == np.float64
    return x.grad.asnumpy(), k.grad.asnumpy()


def jax_gradients(X, K, G, s, p, d):
    import jax
    import jax.numpy as jnp
    from jax.experimental import enable_x64

    def layer(x, k):
        return jax.lax.conv_general_dilated(x, k, window_strides=(s, s), padding=[(p, p), (p, p)],
                                            rhs_dilation=(d, d))

    with enable_x64():
        _, vjp = jax.vjp(layer, jnp.asarray(X), jnp.asarray(K))
        grad_x, grad_k = vjp(jnp.asarray(G))
        assert grad_x.dtype == jnp.float64
        return np.asarray(grad_x), np.asarray(grad_k)


AUTOGRAD = {"PyTorch": torch_gradients, "MXNet": mxnet_gradients, "JAX": jax_gradients}


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("stride, padding, dilation", GRID)
def test_conv2d_backward_matches_autograd(library, stride, padding, dilation):
    if not cu.frameworks.available(library):
        pytest.skip(f"{library} is not installed here")
    X, K, G = layer_data(stride, padding, dilation)
    grad_X, grad_K = cu.conv2d_backward(X, K, G, stride=stride, padding=padding, dilation=dilation)
    expected_X, expected_K = AUTOGRAD[library](X, K, G, stride, padding, dilation)
    assert grad_X.shape == X.shape and grad_K.shape == K.shape
    assert np.max(np.abs(grad_X - expected_X)) <= TOLERANCE
    assert np.max(np.abs(grad_K - expected_K)) <= TOLERANCE


@pytest.mark.parametrize("stride, padding, dilation", GRID)
def test_input_gradient_is_the_transposed_convolution_with_the_unread_rows_restored(stride, padding, dilation):
    # dL/dX = conv_transpose2d(dL/dY, K) with output_padding = the rows (columns) the floor dropped.
    X, K, G = layer_data(stride, padding, dilation)
    dropped = tuple((n + 2 * padding - dilation * 2 - 1) % stride for n in X.shape[2:])
    transposed = cu.conv_transpose2d(G, K, stride=stride, padding=padding, dilation=dilation, output_padding=dropped)
    expected_X, _ = torch_gradients(X, K, G, stride, padding, dilation)
    np.testing.assert_allclose(transposed, expected_X, rtol=1e-10, atol=1e-12)


def test_the_grid_has_layers_with_rows_no_window_reads():
    # The grid must exercise the floor: some stride-2 layer leaves a real row or column of X unread.
    unread = [(s, p, d) for s, p, d in GRID
              if any((n + 2 * p - 2 * d - 1) % s > p for n in (7, 8))]
    assert unread, "no layer in the grid drops a real row"
