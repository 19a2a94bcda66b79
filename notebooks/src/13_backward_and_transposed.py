# %% [markdown]
# # 13 · The backward pass and transposed convolution
#
# Every lesson so far ran a convolution forwards: input in, feature map out. Training also runs it
# backwards: the loss sends a gradient into the layer's output, and the layer must turn it into a
# gradient for its kernel (to learn) and for its input (to pass on to the layer before). Lesson 03
# derived the first of the two. This lesson derives both, with padding, stride and dilation, and finds
# that each is again a convolution. The second one has a name of its own, the **transposed
# convolution**, and it is also the layer that decoders and generators use to make images larger.
#
# **In this lesson you will**
#
# 1. derive $\partial L/\partial K$ (a correlation of the input with $\partial L/\partial Y$) and
#    $\partial L/\partial X$ (a *full* convolution of $\partial L/\partial Y$ with the kernel);
# 2. extend both to stride, padding and dilation: with stride, $\partial L/\partial Y$ is first spread
#    out with $s - 1$ zeros between entries;
# 3. check the formulas against autograd in PyTorch, MXNet and JAX, in float64, on a grid of strides,
#    paddings and dilations;
# 4. see that $\partial L/\partial Y \mapsto \partial L/\partial X$ multiplies by the transpose of the
#    lesson-02 matrix, and that it is exactly what `conv_transpose2d`, MXNet's `Conv2DTranspose` and
#    `jax.lax.conv_transpose` compute, including which of them flip the kernel and what their padding
#    means;
# 5. compute the output size of a transposed layer, and why `output_padding` exists;
# 6. measure the checkerboard pattern of stride-2 transposed convolutions, and two fixes.

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from jax.experimental import enable_x64
from scipy.signal import convolve2d as full_convolve2d  # true 2-D convolution, 'full' by default

import course_utils as cu
from course_utils import exercises
from course_utils.backward import conv_transpose_output_size, tap_coverage
from course_utils.dense import corr2d_as_matrix
from course_utils.dilation import dilate_kernel
from course_utils.plotting import show_row
from course_utils.widgets import explore_convolution

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
from mxnet import autograd
from mxnet import np as mnp
from mxnet import npx
from mxnet.gluon import nn as gluon_nn

# %% [markdown]
# ## One layer inside a network
#
# Take one correlation layer, $Y = X \star K$, somewhere in a network that ends in a scalar loss $L$.
# Backpropagation reaches the layer from above with $G = \partial L/\partial Y$, an array with the shape
# of $Y$: entry $G[i, j]$ says how much $L$ changes per unit change of $Y[i, j]$. The layer's job is to
# turn $G$ into
#
# * $\partial L/\partial K$, to update its kernel, and
# * $\partial L/\partial X$, to hand on to the layer below.
#
# The chain rule gives both, because every $Y[i, j]$ is a sum of products:
#
# $$\frac{\partial L}{\partial K[a, b]} = \sum_{i, j} G[i, j]\, \frac{\partial Y[i, j]}{\partial K[a, b]},
# \qquad
# \frac{\partial L}{\partial X[m, n]} = \sum_{i, j} G[i, j]\, \frac{\partial Y[i, j]}{\partial X[m, n]}.$$
#
# To test the formulas, any $G$ will do: the loss $L = \sum_{i, j} Y[i, j]\, G[i, j]$ has exactly
# $\partial L/\partial Y = G$. We give autograd that loss with a random $G$.

# %% [markdown]
# ## The kernel's gradient: correlate $X$ with $\partial L/\partial Y$
#
# Stride $1$, no padding: $Y[i, j] = \sum_{a, b} X[i + a, j + b]\, K[a, b]$, so
# $\partial Y[i, j]/\partial K[a, b] = X[i + a, j + b]$ and
#
# $$\frac{\partial L}{\partial K[a, b]} = \sum_{i, j} X[i + a,\, j + b]\; G[i, j] = (X \star G)[a, b].$$
#
# That is a cross-correlation of the input with $G$ playing the kernel: lesson 03 derived it, and
# lesson 05 used it to learn a kernel. $X$ is $h \times w$ and $G$ is $(h - k_h + 1) \times (w - k_w + 1)$, so $X \star G$ has
# $k_h \times k_w$ entries: one per weight.

# %%
X = rng.standard_normal((5, 6))
K = rng.standard_normal((2, 3))
G = rng.standard_normal(cu.corr2d(X, K).shape)

x_t = torch.tensor(X, requires_grad=True)
k_t = torch.tensor(K, requires_grad=True)
loss = (F.conv2d(x_t[None, None], k_t[None, None])[0, 0] * torch.from_numpy(G)).sum()
loss.backward()

grad_K = cu.corr2d(X, G)
print("X", X.shape, "K", K.shape, "G", G.shape, "-> dL/dK", grad_K.shape)
cu.compare(grad_K, {"PyTorch autograd": k_t.grad}, tolerance=1e-12, reference_name="corr2d(X, G)")

# %% [markdown]
# ## The input's gradient: a full convolution with $K$
#
# $X[m, n]$ is read by every window that covers it: output $(i, j)$ reads it with weight
# $K[m - i,\, n - j]$ when $0 \le m - i < k_h$ and $0 \le n - j < k_w$. So
#
# $$\frac{\partial L}{\partial X[m, n]} = \sum_{i, j} G[i, j]\; K[m - i,\, n - j].$$
#
# Two ways to read this sum:
#
# * **scatter**: each output $(i, j)$ sends $G[i, j]$ times the whole kernel back onto the window it
#   came from. Overlapping windows add up.
# * **gather**: $K[m - i, n - j]$ runs *backwards* through the kernel as $i$ grows. That is a true
#   convolution (lesson 01), and since $m$ ranges over all of $X$, it is the **full** convolution of
#   $G$ with $K$: pad $G$ with $k - 1$ zeros on every side, then cross-correlate with the kernel rotated
#   by 180 degrees.
#
# Three computations of the same $\partial L/\partial X$:

# %%
def input_gradient_by_scatter(G, K):
    kh, kw = K.shape
    grad_X = np.zeros((G.shape[0] + kh - 1, G.shape[1] + kw - 1))
    for i in range(G.shape[0]):
        for j in range(G.shape[1]):
            grad_X[i:i + kh, j:j + kw] += G[i, j] * K   # output (i, j) sends its share back to its window
    return grad_X


by_scatter = input_gradient_by_scatter(G, K)
by_gather = cu.corr2d(np.pad(G, ((1, 1), (2, 2))), K[::-1, ::-1])   # pad by kh - 1 = 1 and kw - 1 = 2
by_scipy = full_convolve2d(G, K)                                    # scipy's 'full' mode, kernel flipped
print("dL/dX has the shape of X:", by_scatter.shape)
assert by_scatter.shape == X.shape
cu.compare(by_scatter, {"gather (rotated kernel)": by_gather, "scipy full convolution": by_scipy,
                        "PyTorch autograd": x_t.grad}, tolerance=1e-12, reference_name="the scatter loop")

# %% [markdown]
# The picture behind the scatter view: put a single $1$ in $G$ and the gradient is a copy of the
# kernel, not rotated, sitting on the window that output read. With a $1$ at $(1, 2)$:

# %%
one_hot = np.zeros(G.shape)
one_hot[1, 2] = 1.0
response = input_gradient_by_scatter(one_hot, K)
print(response)
assert np.array_equal(response[1:3, 2:5], K) and np.count_nonzero(response) == np.count_nonzero(K)

# %% [markdown]
# ## Padding, dilation and stride
#
# Write the general layer with the padded input $X_p$ (zero padding $p$), stride $s$ and dilation $d$:
#
# $$Y[i, j] = \sum_{a, b} X_p[s\,i + d\,a,\;\; s\,j + d\,b]\; K[a, b].$$
#
# Each option changes the two formulas in one place:
#
# * **padding**: the formulas give the gradient of the *padded* input; the real $X$ is its centre, so
#   crop $p$ rows and columns from each side.
# * **dilation**: the kernel's taps are $d$ apart. In $\partial L/\partial X$ the rotated kernel is
#   dilated too, and $G$ is padded by $d(k - 1)$; in $\partial L/\partial K$ only every $d$-th entry of
#   $X_p \star G$ belongs to a tap.
# * **stride**: a stride-$s$ layer computes every $s$-th output of the stride-1 layer and throws the rest
#   away. The thrown-away outputs have zero gradient, so $\partial L/\partial Y$ of the stride-1 layer is
#   $G$ **spread out with $s - 1$ zeros between entries**, and the stride-1 formulas apply to it:
#
# $$G_s[s\,i,\; s\,j] = G[i, j], \quad \text{zeros elsewhere.}$$
#
# Spreading $G$ is the same operation as dilating a kernel in lesson 07, so `dilate_kernel(G, s)` does
# it. One more detail comes from lesson 06's floor: when $(h + 2p - d(k - 1) - 1)$ is not a multiple
# of $s$, the last rows of $X_p$ are read by no window, and their gradient is $0$.

# %%
G_example = np.array([[1.0, 2.0], [3.0, 4.0]])
print("G spread for stride 3:\n", dilate_kernel(G_example, 3))


def input_gradient_by_formula(G, K, x_shape, stride=1, padding=0, dilation=1):
    """dL/dX for Y = corr2d(X, K, stride, padding, dilation), from dL/dY = G."""
    spread = dilate_kernel(G, stride)
    reach = [dilation * (k - 1) for k in K.shape]
    # Full convolution of the spread gradient with the dilated kernel: the rows of X_p that windows read.
    read = cu.corr2d(np.pad(spread, [(r, r) for r in reach]), K[::-1, ::-1], dilation=dilation)
    grad_padded = np.zeros((x_shape[0] + 2 * padding, x_shape[1] + 2 * padding))
    grad_padded[:read.shape[0], :read.shape[1]] = read   # rows past the last window keep gradient 0
    return grad_padded[padding:padding + x_shape[0], padding:padding + x_shape[1]]


def kernel_gradient_by_formula(X, G, k_shape, stride=1, padding=0, dilation=1):
    """dL/dK for Y = corr2d(X, K, stride, padding, dilation), from dL/dY = G."""
    every_offset = cu.corr2d(np.pad(X, padding), dilate_kernel(G, stride))
    return every_offset[::dilation, ::dilation][:k_shape[0], :k_shape[1]]   # the offsets taps sit at


# %% [markdown]
# Against the course's tested `cu.conv2d_backward` (which works on batches, `(N, C, H, W)`) for one
# setting with all three options and an input whose last row no window reads:

# %%
X8 = rng.standard_normal((8, 7))
K3 = rng.standard_normal((3, 3))
options = dict(stride=3, padding=1, dilation=2)   # rows: (8 + 2 - 5) mod 3 = 2 padded rows unread, 1 real
G8 = rng.standard_normal(cu.corr2d(X8, K3, **options).shape)
library_X, library_K = cu.conv2d_backward(X8[None, None], K3[None, None], G8[None, None], **options)
formula_X = input_gradient_by_formula(G8, K3, X8.shape, **options)
formula_K = kernel_gradient_by_formula(X8, G8, K3.shape, **options)
print(f"Y is {G8.shape}; the last row of X gets gradient {formula_X[-1]}")
assert np.all(formula_X[-1] == 0) and not np.all(formula_X[-2] == 0)
cu.compare(formula_X, {"cu.conv2d_backward dL/dX": library_X[0, 0]}, tolerance=1e-12,
           reference_name="the formula")
cu.compare(formula_K, {"cu.conv2d_backward dL/dK": library_K[0, 0]}, tolerance=1e-12,
           reference_name="the formula")

# %% [markdown]
# ## Three frameworks' autograd agree with the formulas
#
# Now the real test: the gradients PyTorch, MXNet and JAX compute by automatic differentiation,
# compared with the two formulas, in float64 on inputs of unit scale, for stride $1$ and $2$, padding
# $0$ and $1$, dilation $1$ and $2$: eight layers. $X$ is $7 \times 8$ (odd and even sizes, so that
# some strided layers leave rows unread) and $K$ is $3 \times 3$. Each framework runs the layer in its
# own way:
#
# * PyTorch: `requires_grad=True`, `loss.backward()`, then `.grad`;
# * MXNet: `attach_grad()`, the forward pass inside `with autograd.record():`, `loss.backward()`;
# * JAX: `jax.vjp(f, X, K)` returns $Y$ and a function that maps $G$ to both gradients (the
#   *vector-Jacobian product*, exactly "$G$ in, $\partial L/\partial X$ and $\partial L/\partial K$
#   out"). JAX computes in float32 unless float64 is switched on; `enable_x64()` does it for a block.

# %%
CASES = [(s, p, d) for s in (1, 2) for p in (0, 1) for d in (1, 2)]
layer_data = {}
for s, p, d in CASES:
    X_case, K_case = rng.standard_normal((7, 8)), rng.standard_normal((3, 3))
    G_case = rng.standard_normal(cu.corr2d(X_case, K_case, stride=s, padding=p, dilation=d).shape)
    layer_data[s, p, d] = (X_case, K_case, G_case)
print("(stride, padding, dilation) -> shape of Y:",
      {case: G_case.shape for case, (_, _, G_case) in layer_data.items()})

formula_gradients = {
    (s, p, d): (input_gradient_by_formula(G_case, K_case, X_case.shape, s, p, d),
                kernel_gradient_by_formula(X_case, G_case, K_case.shape, s, p, d))
    for (s, p, d), (X_case, K_case, G_case) in layer_data.items()
}


def torch_layer_gradients(X, K, G, s, p, d):
    x, k = torch.tensor(X[None, None], requires_grad=True), torch.tensor(K[None, None], requires_grad=True)
    (F.conv2d(x, k, stride=s, padding=p, dilation=d) * torch.from_numpy(G[None, None])).sum().backward()
    return x.grad[0, 0].numpy(), k.grad[0, 0].numpy()


def jax_layer_gradients(X, K, G, s, p, d):
    def layer(x, k):
        return jax.lax.conv_general_dilated(x, k, window_strides=(s, s), padding=[(p, p), (p, p)],
                                            rhs_dilation=(d, d))
    with enable_x64():
        _, vjp = jax.vjp(layer, jnp.asarray(X[None, None]), jnp.asarray(K[None, None]))
        grad_x, grad_k = vjp(jnp.asarray(G[None, None]))
        assert grad_x.dtype == jnp.float64
        return np.asarray(grad_x[0, 0]), np.asarray(grad_k[0, 0])


torch_results = {case: torch_layer_gradients(*data, *case) for case, data in layer_data.items()}
jax_results = {case: jax_layer_gradients(*data, *case) for case, data in layer_data.items()}

# %%
# %%needs mxnet
def mxnet_layer_gradients(X, K, G, s, p, d):
    x, k = mnp.array(X[None, None], dtype="float64"), mnp.array(K[None, None], dtype="float64")
    x.attach_grad()
    k.attach_grad()
    with autograd.record():
        y = npx.convolution(x, k, kernel=K.shape, stride=(s, s), pad=(p, p), dilate=(d, d), num_filter=1,
                            no_bias=True)
        loss = (y * mnp.array(G[None, None], dtype="float64")).sum()
    loss.backward()
    return x.grad[0, 0].asnumpy(), k.grad[0, 0].asnumpy()


mxnet_results = {case: mxnet_layer_gradients(*data, *case) for case, data in layer_data.items()}

# %% [markdown]
# One line per framework and layer: the largest difference from the formulas over both gradients
# ($\partial L/\partial X$ and $\partial L/\partial K$ stacked into one vector). Each must be at most
# $10^{-5}$; in float64 they are round-off.

# %%
def both(gradients):
    grad_X, grad_K = gradients
    return np.concatenate([np.ravel(grad_X), np.ravel(grad_K)])


for case in CASES:
    cu.compare(both(formula_gradients[case]),
               {"PyTorch": both(torch_results[case]),
                "MXNet": lambda case=case: both(mxnet_results[case]),
                "JAX": both(jax_results[case])},
               tolerance=1e-5, label="s={} p={} d={}".format(*case))
print("compared with the formulas:", ", ".join(cu.frameworks.present(["PyTorch", "MXNet", "JAX"])))

# %% [markdown]
# ## The backward map is the transposed convolution
#
# Lesson 02 wrote a correlation as a matrix: flatten $X$ into a vector $x$, and $y = M x$ with the
# doubly block Toeplitz matrix $M$ that `corr2d_as_matrix(K, X.shape)` builds, one row per output.
# For a linear map $y = M x$ the chain rule is one line:
#
# $$\frac{\partial L}{\partial x} = M^{\top} \frac{\partial L}{\partial y} = M^{\top} g.$$
#
# So the map $G \mapsto \partial L/\partial X$ is multiplication by $M^\top$, the **transpose** of the
# layer's matrix: hence *transposed convolution*. $M$ is $(\text{outputs} \times \text{inputs})$, so
# $M^\top$ goes from the small array back to the large one. With stride $s$, the layer keeps only every
# $s$-th output, so its matrix is $M$ with only those rows kept.

# %%
X_small = rng.standard_normal((6, 6))
K_small = rng.standard_normal((3, 3))
M = corr2d_as_matrix(K_small, X_small.shape)
print("M:", M.shape, "(16 outputs x 36 inputs);  M.T:", M.T.shape)

G_small = rng.standard_normal((4, 4))
by_matrix = (M.T @ G_small.ravel()).reshape(X_small.shape)
cu.compare(by_matrix, {"cu.conv_transpose2d": cu.conv_transpose2d(G_small, K_small),
                       "the full-convolution formula": input_gradient_by_formula(G_small, K_small, X_small.shape)},
           tolerance=1e-12, reference_name="M.T @ g")

# Stride 2: keep the rows of the outputs at even row and even column.
kept = [i * 4 + j for i in range(0, 4, 2) for j in range(0, 4, 2)]
M_stride2 = M[kept]
assert np.allclose(M_stride2 @ X_small.ravel(), cu.corr2d(X_small, K_small, stride=2).ravel())
G_stride2 = rng.standard_normal((2, 2))
unread = (6 - 3) % 2  # lesson 06: one row and one column of X no stride-2 window reads
cu.compare((M_stride2.T @ G_stride2.ravel()).reshape(6, 6),
           {"cu.conv_transpose2d": cu.conv_transpose2d(G_stride2, K_small, stride=2, output_padding=unread)},
           tolerance=1e-12, reference_name="M_stride2.T @ g")

# %% [markdown]
# The name "deconvolution" that some libraries use is misleading: $M^\top$ is not the inverse of $M$.
# Applying the layer and then its transpose does not give the input back:

# %%
round_trip = cu.conv_transpose2d(cu.corr2d(X_small, K_small), K_small)
print(f"largest |X - transposed(conv(X))| = {np.max(np.abs(round_trip - X_small)):.2f}")
assert not np.allclose(round_trip, X_small)
assert not np.allclose(M.T @ M, np.eye(36))

# %% [markdown]
# ## The frameworks' transposed convolutions
#
# Every framework has the transposed convolution built in, used to **upsample**: a
# $4 \times 4$ map with stride $2$ becomes about $8 \times 8$. It is computed exactly as the backward
# pass above, and the arguments describe the convolution it transposes:
#
# | Library | Function | Layer |
# |---|---|---|
# | course (NumPy) | `cu.conv_transpose2d(Y, K, stride, padding, dilation, output_padding)` | |
# | PyTorch | `F.conv_transpose2d(...)` | `nn.ConvTranspose2d(...)` |
# | MXNet | `npx.deconvolution(..., pad, adj)` | Gluon `nn.Conv2DTranspose(..., output_padding)` |
# | JAX | `jax.lax.conv_transpose(..., padding, transpose_kernel)` | |
#
# The weights have the layout `(C_in, C_out, kh, kw)` in PyTorch and MXNet: the transposed layer's
# input channels are the output channels of the convolution it transposes. We use 2 input and 3 output
# channels, stride $2$, padding $1$ and `output_padding` $1$, which makes a $4 \times 4$ input $8 \times 8$.

# %%
Y_up = rng.standard_normal((1, 2, 4, 4))
K_up = rng.standard_normal((2, 3, 3, 3))
up_options = dict(stride=2, padding=1, output_padding=1)
reference_up = cu.conv_transpose2d(Y_up, K_up, **up_options)
print("input", Y_up.shape[2:], "-> output", reference_up.shape[2:])
assert reference_up.shape == (1, 3, 8, 8)

# %%
# %%needs mxnet
mxnet_deconvolution = npx.deconvolution(mnp.array(Y_up, dtype="float64"), mnp.array(K_up, dtype="float64"),
                                        kernel=(3, 3), stride=(2, 2), pad=(1, 1), adj=(1, 1), num_filter=3,
                                        no_bias=True)
gluon_up = gluon_nn.Conv2DTranspose(channels=3, kernel_size=3, strides=2, padding=1, output_padding=1,
                                    in_channels=2, use_bias=False)
gluon_up.initialize()
gluon_up.weight.set_data(mnp.array(K_up.astype(np.float32)))   # Gluon layers compute in float32
gluon_output = gluon_up(mnp.array(Y_up.astype(np.float32)))

# %%
jax_padding = [(1 * (3 - 1) - 1, 1 * (3 - 1) - 1 + 1)] * 2   # d(k - 1) - p before, the same + output_padding after
with enable_x64():
    jax_up = jax.lax.conv_transpose(jnp.asarray(Y_up), jnp.asarray(K_up), strides=(2, 2), padding=jax_padding,
                                    dimension_numbers=("NCHW", "OIHW", "NCHW"), transpose_kernel=True)
    jax_up = np.asarray(jax_up)
cu.compare(reference_up, {
    "PyTorch F.conv_transpose2d": F.conv_transpose2d(torch.from_numpy(Y_up), torch.from_numpy(K_up), **up_options),
    "MXNet npx.deconvolution": lambda: mxnet_deconvolution,
    "MXNet Gluon Conv2DTranspose": lambda: gluon_output,
    "JAX lax.conv_transpose": jax_up,
}, tolerance=1e-5, reference_name="cu.conv_transpose2d")

# %% [markdown]
# ### Which ones flip the kernel
#
# Feed each a single $1$ (one channel in, one out). PyTorch's and MXNet's transposed convolutions are
# the gradient of a correlation, so they scatter the kernel **as it is** (the scatter view above);
# computed as a gather, that is a correlation with the rotated kernel. `jax.lax.conv_transpose` is a
# correlation over the stretched input with the kernel it is given: it scatters the kernel **rotated by
# 180 degrees**, unless `transpose_kernel=True` rotates it first (and swaps the kernel's two channel
# axes), which gives PyTorch's result.

# %%
impulse = np.zeros((1, 1, 3, 3))
impulse[0, 0, 1, 1] = 1.0
kernel = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)   # 1..9 row by row: any flip shows


def jax_transpose(y, k, transpose_kernel):
    with enable_x64():
        return np.asarray(jax.lax.conv_transpose(jnp.asarray(y), jnp.asarray(k), strides=(1, 1), padding="VALID",
                                                 dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                                 transpose_kernel=transpose_kernel))


torch_impulse = F.conv_transpose2d(torch.from_numpy(impulse), torch.from_numpy(kernel)).numpy()[0, 0]
jax_plain = jax_transpose(impulse, kernel, transpose_kernel=False)[0, 0]
jax_flipped = jax_transpose(impulse, kernel, transpose_kernel=True)[0, 0]
print("PyTorch, centre 3x3:\n", torch_impulse[1:4, 1:4])
print("JAX, transpose_kernel=False, centre 3x3:\n", jax_plain[1:4, 1:4])
assert np.array_equal(torch_impulse[1:4, 1:4], kernel[0, 0])
assert np.array_equal(jax_plain[1:4, 1:4], kernel[0, 0, ::-1, ::-1])
assert np.array_equal(jax_flipped, torch_impulse)

# %%
# %%needs mxnet
mxnet_impulse = npx.deconvolution(mnp.array(impulse, dtype="float64"), mnp.array(kernel, dtype="float64"),
                                  kernel=(3, 3), num_filter=1, no_bias=True).asnumpy()[0, 0]
print("MXNet scatters the kernel as it is:", np.array_equal(mxnet_impulse, torch_impulse))
assert np.array_equal(mxnet_impulse, torch_impulse)

# %% [markdown]
# ### What their padding means
#
# * PyTorch `padding=p` and MXNet `pad=p` name the padding of the convolution being transposed: they
#   **remove** $p$ rows and columns from each side of the full result. `output_padding` (MXNet: `adj`)
#   adds rows and columns at the bottom and right.
# * JAX's `padding` is what is **added** to the stretched input before its correlation, as
#   `(before, after)` pairs: PyTorch's `padding=p` is JAX's $d(k - 1) - p$ before and
#   $d(k - 1) - p + \text{output\_padding}$ after, the `jax_padding` used above. The same number means
#   the opposite in the two libraries.
# * JAX's string paddings follow their own rule: `'VALID'` is PyTorch's `padding=0`, and `'SAME'` makes
#   an $n s$ output but crops differently from PyTorch's $p = 1$, output_padding $= 1$: it keeps the
#   *first* $8$ rows of the full $9$, PyTorch drops the first and keeps rows $1$ to $8$.

# %%
with enable_x64():
    def jax_padded(padding):
        return np.asarray(jax.lax.conv_transpose(jnp.asarray(Y_up), jnp.asarray(K_up), strides=(2, 2),
                                                 padding=padding, dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                                 transpose_kernel=True))

    jax_same_number, jax_valid, jax_same = jax_padded([(1, 1), (1, 1)]), jax_padded("VALID"), jax_padded("SAME")
full_result = cu.conv_transpose2d(Y_up, K_up, stride=2)
print("JAX padding (1, 1):", jax_same_number.shape[2:], "| PyTorch padding=1:",
      cu.conv_transpose2d(Y_up, K_up, stride=2, padding=1).shape[2:])
print("JAX 'VALID':", jax_valid.shape[2:], "| JAX 'SAME':", jax_same.shape[2:], "| full result:", full_result.shape[2:])
assert jax_same_number.shape[2:] == (7, 7) and np.allclose(jax_valid, full_result)
assert np.allclose(jax_same, full_result[..., :8, :8]) and np.allclose(reference_up, full_result[..., 1:9, 1:9])
assert not np.allclose(jax_same, reference_up)

# %% [markdown]
# ## The output size, and why `output_padding` exists
#
# In the scatter view, input pixel $i$ lands at row $s\,i$ of the full result, and the kernel's last tap
# reaches $d(k - 1)$ rows further. $n$ input rows therefore fill $(n - 1)s + d(k - 1) + 1$ rows; padding
# removes $p$ on each side and `output_padding` adds some at the end:
#
# $$o = (n - 1)\,s - 2p + d\,(k - 1) + \text{output\_padding} + 1 .$$
#
# With `output_padding` $= 0$ this undoes the convolution's formula of lesson 06,
# $n = \lfloor (o + 2p - d(k - 1) - 1)/s \rfloor + 1$, but only up to its floor. Lesson 06 found that
# $s$ input sizes share one output size: with $k = 3$, $s = 2$, $p = 1$, both $7$ and $8$ give $4$. Read
# backwards, $4$ could have come from either, and the formula can only return one of them, the smallest.
# `output_padding` picks another: it must be smaller than $s$ (or $d$), one value per input size that
# shares the output.

# %%
print(" input o | conv output n | transposed size from n | output_padding that gives o back")
for o in range(5, 11):
    n = cu.conv_output_size(o, 3, padding=1, stride=2)
    smallest = conv_transpose_output_size(n, 3, padding=1, stride=2)
    extra = o - smallest
    assert conv_transpose_output_size(n, 3, padding=1, stride=2, output_padding=extra) == o and 0 <= extra < 2
    print(f"{o:^9d}| {n:^14d}| {smallest:^23d}| {extra}")

# %% [markdown]
# This is why a decoder that must give back exactly the size an encoder was given needs
# `output_padding` (or PyTorch's `output_size=` argument of `nn.ConvTranspose2d`, which works out the
# `output_padding` for you). The backward pass has the same problem and solves it the same way: the
# gradient of an $8 \times 8$ input is the transposed convolution of its $4 \times 4$ $G$ with
# `output_padding=1`. Without it the result has $7$ rows, and the last row of $X$, which the last window
# does read (with $p = 1$ only a padding row goes unread), would get no gradient at all.

# %%
up_layer = torch.nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, bias=False)
small = torch.ones(1, 1, 4, 4)
print("ConvTranspose2d on 4x4:", tuple(up_layer(small).shape[2:]), "| with output_size=(8, 8):",
      tuple(up_layer(small, output_size=(8, 8)).shape[2:]))
assert up_layer(small).shape[2:] == (7, 7) and up_layer(small, output_size=(8, 8)).shape[2:] == (8, 8)

X_even = rng.standard_normal((8, 8))
G_even = rng.standard_normal(cu.corr2d(X_even, K3, stride=2, padding=1).shape)
grad_even = input_gradient_by_formula(G_even, K3, X_even.shape, stride=2, padding=1)
cu.compare(grad_even, {"cu.conv_transpose2d(output_padding=1)":
                       cu.conv_transpose2d(G_even, K3, stride=2, padding=1, output_padding=1)},
           tolerance=1e-12, reference_name="dL/dX of the 8x8 input")
without_output_padding = cu.conv_transpose2d(G_even, K3, stride=2, padding=1)
print("without output_padding:", without_output_padding.shape, "| largest |gradient| in X's last row:",
      f"{np.max(np.abs(grad_even[-1])):.2f}")
assert without_output_padding.shape == (7, 7) and np.allclose(without_output_padding, grad_even[:7, :7])
assert np.all(grad_even[-1] != 0) and np.all(grad_even[:, -1] != 0)

# %% [markdown]
# ## Try it: the explorer's transposed mode
#
# The convolution explorer of lesson 06 has a "transposed" mode. It draws the gather view: the input
# *stretched* by $s - 1$ zeros between pixels (the spread $G$), padded by $d(k - 1) - p$ zeros, and the
# kernel rotated by 180 degrees sliding over it with stride $1$. Switch between the two modes at
# stride $2$ and watch a $4 \times 4$ input become $7 \times 7$, and a $7 \times 7$ input become
# $4 \times 4$ again. (A static copy of this notebook shows the first frame only.)

# %% tags=["nbval-ignore-output"]
explorer = explore_convolution(height=4, width=4, kernel_size=3, padding=1, stride=2, transposed=True)
explorer

# %% [markdown]
# The explorer's first frame, checked in a plain cell against the formula and `cu.conv_transpose2d`:

# %%
state = explorer.model.state
print(state.summary(8))
assert state.output_shape == conv_transpose_output_size((4, 4), 3, padding=1, stride=2) == (7, 7)
assert np.array_equal(state.output, cu.conv_transpose2d(state.input, state.kernel, stride=2, padding=1))

# %% [markdown]
# ## Checkerboard artefacts
#
# A stride-2 transposed convolution with a $3 \times 3$ kernel is a common way to double an image's
# size, and it tends to leave a faint checkerboard in its output. The scatter view explains it. Along
# one axis, input pixel $i$ writes its $3$ taps to rows $2i, 2i + 1, 2i + 2$, and the next pixel starts
# two rows later: every other row is written by two pixels, the rows between by one. In 2-D the counts
# multiply, to $1$, $2$ or $4$.
#
# `tap_coverage` counts, for each output pixel, how many (input pixel, kernel tap) pairs land on it. We
# compare two layers that both double a $4 \times 4$ input to $8 \times 8$: kernel $3$ (padding $1$,
# output_padding $1$) and kernel $4$ (padding $1$), the size divisible by the stride. The border rows
# lose taps to the padding in both, so the unevenness is measured inside, away from the border.

# %%
coverage_3 = tap_coverage(4, 3, stride=2, padding=1, output_padding=1)
coverage_4 = tap_coverage(4, 4, stride=2, padding=1)
assert coverage_3.shape == coverage_4.shape == (8, 8)
inside_3, inside_4 = coverage_3[1:-1, 1:-1], coverage_4[1:-1, 1:-1]
for name, inside in (("kernel 3", inside_3), ("kernel 4", inside_4)):
    counts = dict(zip(*np.unique(inside, return_counts=True)))
    print(f"{name}: taps per inner pixel {sorted(int(v) for v in counts)}, "
          f"max/min = {inside.max() / inside.min():g}, pixels with each count {list(map(int, counts.values()))}")
assert set(np.unique(inside_3)) == {1, 2, 4} and set(np.unique(inside_4)) == {4}
assert np.array_equal(coverage_3, cu.conv_transpose2d(np.ones((4, 4)), np.ones((3, 3)), stride=2, padding=1,
                                                      output_padding=1))

# %% tags=["hide-input"] alt="Two 8x8 grids of tap counts with their numbers, viridis colours. Kernel 3, stride 2: rows and columns alternate, so inner pixels hold 4 (yellow) where an odd row meets an odd column, 2 where one of them is odd, 1 elsewhere: a checkerboard. Kernel 4, stride 2: every inner pixel holds 4; only the border holds 2, and the corners 1."
fig = show_row([coverage_3, coverage_4],
               ["kernel 3, stride 2: 1, 2 or 4 taps", "kernel 4, stride 2: 4 taps inside"],
               "Taps that reach each output pixel of a stride-2 transposed convolution (4x4 -> 8x8)",
               signed=False, panel_size=4.2)
plt.show()

# %% [markdown]
# Uneven coverage shows up in the values. Take a constant input, the most boring image there is, and
# a kernel of positive weights, like a smoothing filter a decoder might learn. Each output pixel is the
# sum of the weights that reach it, so with kernel $3$ the output is a checkerboard. Two fixes:
#
# 1. **a kernel size divisible by the stride** (4 with stride 2): every output pixel gets the same
#    *number* of taps. But the four phases (even/odd row and column) get *different* taps, so unless
#    their sums happen to be equal, a weaker pattern remains;
# 2. **resize, then convolve**: upsample by repeating each pixel (nearest neighbour) and run an ordinary
#    stride-1 $3 \times 3$ convolution. Every output pixel then uses all nine weights, and a constant
#    input gives a constant output.
#
# We measure the spread inside, away from the border: (largest − smallest) / mean.

# %%
constant = np.ones((6, 6))
positive_3 = rng.uniform(0.5, 1.5, size=(3, 3))
positive_4 = rng.uniform(0.5, 1.5, size=(4, 4))
out_3 = cu.conv_transpose2d(constant, positive_3, stride=2, padding=1, output_padding=1)
out_4 = cu.conv_transpose2d(constant, positive_4, stride=2, padding=1)
resized = np.repeat(np.repeat(constant, 2, axis=0), 2, axis=1)   # nearest-neighbour upsampling
out_resize = cu.corr2d(resized, positive_3, padding=1)
assert out_3.shape == out_4.shape == out_resize.shape == (12, 12)


def relative_spread(image):
    inside = image[2:-2, 2:-2]
    return (inside.max() - inside.min()) / inside.mean()


spreads = {"transposed, kernel 3": relative_spread(out_3), "transposed, kernel 4": relative_spread(out_4),
           "resize + 3x3 convolution": relative_spread(out_resize)}
for name, value in spreads.items():
    print(f"{name:26s} (max - min) / mean inside = {value:.3f}")
assert spreads["transposed, kernel 3"] > 2 * spreads["transposed, kernel 4"] > 0
assert spreads["resize + 3x3 convolution"] < 1e-12

# %% tags=["hide-input"] alt="Three 12x12 outputs of a constant input, viridis colours. The stride-2 transposed convolution with kernel 3 shows a strong checkerboard of bright and dark pixels; with kernel 4 a weaker pattern of stripes and dots remains, because the four phases sum different weights; resize then convolve is one flat colour inside a darker one-pixel border."
fig = show_row([out_3, out_4, out_resize],
               [f"transposed, k = 3: spread {spreads['transposed, kernel 3']:.2f}",
                f"transposed, k = 4: spread {spreads['transposed, kernel 4']:.2f}",
                f"resize + conv 3x3: spread {spreads['resize + 3x3 convolution']:.2f}"],
               "A constant 6x6 input upsampled to 12x12 with positive kernels", signed=False, annotate=False,
               panel_size=4.2)
plt.show()

# %% [markdown]
# The same counting explains every stride and kernel: the pattern vanishes from the coverage exactly
# when the stride divides the kernel size (here checked for strides 2 and 3, kernels 2 to 7).

# %%
for stride in (2, 3):
    even_sizes = [k for k in range(2, 8)
                  if len(np.unique(tap_coverage(8, k, stride=stride)[k:-k, k:-k])) == 1]
    print(f"stride {stride}: even coverage for kernel sizes {even_sizes}")
    assert even_sizes == [k for k in range(2, 8) if k % stride == 0]

# %% [markdown]
# ## Recap
#
# * For $Y = X \star K$ with upstream gradient $G = \partial L/\partial Y$:
#   $\partial L/\partial K = X \star G$, a correlation of the input with $G$, and
#   $\partial L/\partial X$ = the full convolution of $G$ with $K$ = a correlation of $G$, padded by
#   $k - 1$, with the kernel rotated by 180 degrees. In the scatter view, each output sends $G[i, j]$
#   times the kernel back onto its window.
# * Padding crops the gradient of the padded input; dilation dilates the rotated kernel; stride spreads
#   $G$ with $s - 1$ zeros between entries first. Rows no window reads get gradient $0$.
# * PyTorch, MXNet (`autograd.record`) and JAX (`jax.vjp`) agree with these formulas in float64 for
#   stride 1 and 2, padding 0 and 1, dilation 1 and 2.
# * $G \mapsto \partial L/\partial X$ multiplies by $M^\top$, the transpose of the layer's Toeplitz
#   matrix: the transposed convolution. It is not an inverse.
# * PyTorch's `conv_transpose2d` and MXNet's `deconvolution`/`Conv2DTranspose` scatter the kernel as it
#   is, and their padding removes rows; `jax.lax.conv_transpose` correlates with the kernel as given
#   unless `transpose_kernel=True`, and its padding adds $d(k - 1) - p$ rows.
# * Output size $(n - 1)s - 2p + d(k - 1) + \text{output\_padding} + 1$; `output_padding` picks one of
#   the $s$ sizes that a strided convolution maps to the same $n$.
# * Stride 2 with kernel 3 covers output pixels with 1, 2 or 4 taps: a checkerboard. A kernel divisible
#   by the stride evens the count (not always the values); resize-then-convolve removes it for a
#   constant input.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("13_backward_and_transposed")

# %% [markdown]
# ### Exercise 1: the input's gradient, by hand and in code
#
# A layer computes $Y = X \star K$ with stride $1$ and no padding, where $K$ is $2 \times 2$, so a
# $3 \times 3$ input gives a $2 \times 2$ output. The gradient from above and the kernel are
#
# $$G = \frac{\partial L}{\partial Y} = \begin{bmatrix} 1 & 2 \\ 3 & -1 \end{bmatrix}, \qquad
# K = \begin{bmatrix} 2 & -1 \\ 1 & 3 \end{bmatrix}.$$
#
# First, on paper: scatter $G[i, j] \cdot K$ onto the window of each output and add up the four
# $2 \times 2$ copies in a $3 \times 3$ grid. What is $\partial L/\partial X$ at the centre, and why is
# it the sum of four products?
#
# Then write `input_gradient(grad_Y, K)` for any 2-D `grad_Y` and kernel `K` (stride 1, no padding): it
# returns $\partial L/\partial X$, with $X$'s shape. Run it on the example to check your paper answer.

# %%
# SOLUTION q1

# %%
q1.check(input_gradient)

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: the size of a transposed layer
#
# `nn.ConvTranspose2d(in_channels=8, out_channels=4, kernel_size=5, stride=3, padding=2, output_padding=1)`
# receives a $5 \times 5$ feature map. How many rows does its output have? Work it out on paper, then
# store the number in `answer`.

# %%
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): the checkerboard
#
# Explain, without running code, why a stride-2 transposed convolution with a $3 \times 3$ kernel draws
# a checkerboard pattern even on a constant input. Which output pixels get the most taps, and how many?
# What would you change in the layer to avoid it? This one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [12 · Fast convolution](12_fast_convolution.ipynb)
#
# **Next:** [14 · Efficient layers](14_efficient_layers.ipynb)
