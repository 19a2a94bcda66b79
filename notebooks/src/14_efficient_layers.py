# %% [markdown]
# # 14 · Efficient convolution layers
#
# A standard convolution layer connects every output channel to every input channel through a full
# $k \times k$ kernel. Lesson 08 counted what that costs: $c_o c_i k^2$ weights, and as many
# multiply-adds per output pixel. Networks built for phones and for large-scale training (MobileNet,
# ResNeXt, ConvNeXt) spend far less, by cutting the layer into cheaper pieces. This lesson takes those
# pieces apart, counts what each saves, and measures what the saving is worth on this machine.
#
# **In this lesson you will**
#
# 1. split the channels into groups (a **grouped convolution**), count what it saves and check what it
#    can no longer see;
# 2. take groups to the limit, one channel each (a **depthwise** convolution), and pair it with a
#    $1 \times 1$ **pointwise** convolution: the depthwise-separable block of MobileNet;
# 3. recognise **spatially separable** kernels, such as Sobel, that split into a column and a row, using
#    the singular value decomposition;
# 4. compare the standard, bottleneck, separable and inverted-residual blocks in one computed table;
# 5. time a depthwise and a dense layer on this machine, and explain with arithmetic intensity why
#    multiply-adds saved are not time saved.
#
# The from-scratch results are checked against the frameworks (PyTorch, MXNet and JAX) with `cu.compare`.

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import flax.linen as fnn
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn as torch_nn
from torch.utils.flop_counter import FlopCounterMode

import course_utils as cu
from course_utils import efficient_layers as el
from course_utils import exercises
from course_utils.kernels import gaussian_kernel, kernel_preset
from course_utils.plotting import show_row
from course_utils.timing import median_seconds

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
from mxnet import np as mnp
from mxnet.gluon import nn as gluon_nn

# %% [markdown]
# ## Grouped convolution
#
# A **grouped convolution** with $g$ groups cuts the $c_i$ input channels into $g$ blocks of
# $c_i / g$ and the $c_o$ output channels into $g$ blocks of $c_o / g$. Output block $j$ is an
# ordinary multi-channel correlation of input block $j$ alone:
#
# $$Y[o] = \sum_{c \,\in\, \text{group}(o)} X[c] \star K[o, c], \qquad
#   \text{group}(o) = \left\{ j\tfrac{c_i}{g}, \dots, (j + 1)\tfrac{c_i}{g} - 1 \right\},\quad
#   j = \left\lfloor o \big/ \tfrac{c_o}{g} \right\rfloor .$$
#
# Each output channel therefore needs kernels for only $c_i / g$ input channels: the weight has shape
# $(c_o,\; c_i / g,\; k_h,\; k_w)$, and $g$ must divide both $c_i$ and $c_o$. With $g = 1$ this is
# the layer of lesson 08. AlexNet used $g = 2$ to split a layer over two GPUs; ResNeXt uses
# $g = 32$ on purpose.

# %% [markdown]
# From scratch, straight from the formula: for each output channel, find its group and add up the
# single-channel correlations `cu.corr2d` over that group's input channels only.

# %%
def grouped_corr2d_loops(X, K, groups):
    """X (c_i, H, W), K (c_o, c_i / groups, kh, kw) -> (c_o, oh, ow), one output channel at a time."""
    per_group_in, per_group_out = X.shape[0] // groups, K.shape[0] // groups
    maps = []
    for o in range(K.shape[0]):
        first = (o // per_group_out) * per_group_in  # first input channel of o's group
        maps.append(sum(cu.corr2d(X[first + c], K[o, c]) for c in range(per_group_in)))
    return np.stack(maps)


# %% [markdown]
# Four input channels, six output channels, two groups: the weight has shape $(6, 2, 3, 3)$.
# `cu.corr2d_batch(..., groups=g)`, the course's batched reference, must agree with the loops, and
# so must the three frameworks: `groups=` in PyTorch and MXNet Gluon, `feature_group_count=` in JAX.

# %%
c_in, c_out, groups = 4, 6, 2
X_g = rng.standard_normal((1, c_in, 7, 8)).astype(np.float32)
K_g = rng.standard_normal((c_out, c_in // groups, 3, 3)).astype(np.float32)
Y_g = grouped_corr2d_loops(X_g[0], K_g, groups)[None]
print("X", X_g.shape, " K", K_g.shape, " Y", Y_g.shape)
cu.compare(Y_g, {"NumPy corr2d_batch": cu.corr2d_batch(X_g, K_g, groups=groups)}, reference_name="the loops")

# %%
# %%needs mxnet
gluon_grouped = gluon_nn.Conv2D(c_out, 3, groups=groups, in_channels=c_in, use_bias=False)
gluon_grouped.initialize()
gluon_grouped.weight.set_data(mnp.array(K_g))

# %%
cu.compare(Y_g, {
    "MXNet Gluon": lambda: gluon_grouped(mnp.array(X_g)),
    "PyTorch": F.conv2d(torch.from_numpy(X_g), torch.from_numpy(K_g), groups=groups),
    "JAX": jax.lax.conv_general_dilated(jnp.asarray(X_g), jnp.asarray(K_g), (1, 1), "VALID",
                                        feature_group_count=groups),
}, reference_name="the loops")

# %% [markdown]
# ### What it saves
#
# Each output value sums $(c_i / g)\, k_h k_w$ products instead of $c_i k_h k_w$, so both the weights
# and the multiply-adds are divided by $g$ (the $c_o$ biases are not). `cu.conv_parameter_count` and
# `cu.conv_multiply_adds` take `groups=`; the table checks the parameter count against PyTorch's layer
# and the multiply-adds against PyTorch's FLOP counter (two FLOPs per multiply-add), for a
# $64 \to 64$ layer on a $56 \times 56$ image. The layers live on PyTorch's `meta` device, which
# tracks shapes without computing any numbers: all the counter needs.

# %%
def torch_multiply_adds(layer, x):
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        layer(x)
    return counter.get_total_flops() // 2


x56 = torch.zeros(1, 64, 56, 56, device="meta")
print(f"{'groups':>6s} {'weights':>8s} {'multiply-adds':>14s} {'vs g = 1':>9s}")
for g in (1, 2, 4, 16, 64):
    weights = cu.conv_parameter_count(64, 64, 3, bias=False, groups=g)
    work = cu.conv_multiply_adds(56, 64, 64, 3, padding=1, groups=g)
    layer = torch_nn.Conv2d(64, 64, 3, padding=1, groups=g, bias=False, device="meta")
    assert weights == layer.weight.numel() and work == torch_multiply_adds(layer, x56)
    assert weights * g == cu.conv_parameter_count(64, 64, 3, bias=False) and work * g == cu.conv_multiply_adds(
        56, 64, 64, 3, padding=1)
    print(f"{g:6d} {weights:8d} {work:14,d} {f'1/{g}':>9s}")

# %% [markdown]
# ### What it cannot see
#
# The saving has a price: an output channel of group 0 never reads the input channels of group 1. The
# layer's connections show it. Feed the layer one input channel at a time (an image that is $1$ in
# channel $i$ and $0$ elsewhere) with all weights $1$, and mark which output channels respond: the
# picture below is that response, computed with `cu.corr2d_batch`, for 8 channels.

# %%
def connections(channels, groups):
    """(c_o, c_i) array: 1 where output channel o responds to input channel i, 0 where it cannot."""
    one_channel_images = np.eye(channels).reshape(channels, channels, 1, 1)  # image i: 1 in channel i
    ones = np.ones((channels, channels // groups, 1, 1))
    return (cu.corr2d_batch(one_channel_images, ones, groups=groups)[:, :, 0, 0].T != 0).astype(int)


connection_maps = {g: connections(8, g) for g in (1, 2, 4, 8)}
for g, seen in connection_maps.items():
    assert seen.sum() == 8 * 8 // g  # each output channel sees 8 / g inputs
print("input channels each output channel sees:", {g: int(seen.sum(axis=1)[0]) for g, seen in connection_maps.items()})

# %% [markdown]
# Rows are output channels, columns input channels; a $1$ is a connection. With $g$ groups the full
# square becomes $g$ blocks along the diagonal, and with $g = 8$ only the diagonal is left.

# %% tags=["hide-input"] alt="Four 8x8 grids of 0s and 1s, output channels as rows and input channels as columns: all ones for groups = 1; two 4x4 blocks of ones on the diagonal for groups = 2; four 2x2 blocks for groups = 4; only the diagonal for groups = 8."
fig = show_row(list(connection_maps.values()), [f"groups = {g}" for g in connection_maps],
               "Which input channel (column) each output channel (row) can see", signed=False, colorbar=False,
               panel_size=3.2)
plt.show()

# %% [markdown]
# Now the same fact by experiment on the layer of the previous section: replace the input channels of
# group 1 (channels 2 and 3) by new random numbers. The outputs of group 0 (channels 0 to 2) do not
# change by a single bit; those of group 1 (channels 3 to 5) do.

# %%
X_changed = X_g.copy()
X_changed[:, 2:4] = rng.standard_normal((1, 2, 7, 8))
Y_changed = cu.corr2d_batch(X_changed, K_g, groups=groups)
Y_before = cu.corr2d_batch(X_g, K_g, groups=groups)
group0_same = np.array_equal(Y_changed[:, :3], Y_before[:, :3])
group1_change = float(np.abs(Y_changed[:, 3:] - Y_before[:, 3:]).max())
print(f"group 0 outputs unchanged: {group0_same}; group 1 outputs changed by up to {group1_change:.2f}")
assert group0_same and group1_change > 0.1
with torch.no_grad():  # the same in PyTorch
    torch_before, torch_changed = (F.conv2d(torch.from_numpy(x), torch.from_numpy(K_g), groups=groups)
                                   for x in (X_g, X_changed))
assert torch.equal(torch_before[:, :3], torch_changed[:, :3])

# %% [markdown]
# A stack of grouped layers keeps the groups apart for ever: group 0's channels never learn anything
# from group 1's. Networks therefore mix the groups between grouped layers, with a $1 \times 1$
# convolution over all channels (ResNeXt) or a *channel shuffle* that deals each group's outputs out
# to every group of the next layer (ShuffleNet).

# %% [markdown]
# ## Depthwise and pointwise convolution
#
# Take $g = c_i$: every group holds one input channel. With $c_o = c_i$ each channel is correlated
# with its own $k \times k$ kernel, and nothing is summed across channels. This is the **depthwise**
# convolution, weight shape $(c, 1, k, k)$:
#
# $$Y[c] = X[c] \star K[c, 0].$$
#
# It filters in space but never mixes channels. The **pointwise** convolution does the opposite: a
# $1 \times 1$ convolution, which lesson 08 showed is a fully connected layer from $c_i$ to $c_o$
# values at each pixel. One after the other they make the **depthwise-separable** block of MobileNet
# (2017), which replaces a standard $k \times k$ layer:
#
# $$X \;\xrightarrow{\text{depthwise } k \times k}\; \cdot \;\xrightarrow{\text{pointwise } 1 \times 1}\; Y .$$

# %% [markdown]
# ### The cost ratio
#
# On an $h \times w$ output (same padding), the standard layer does $c_i c_o k^2\, h w$
# multiply-adds. The depthwise layer does $c_i k^2\, hw$ and the pointwise one $c_i c_o\, hw$, so
#
# $$\frac{\text{separable}}{\text{standard}} = \frac{c_i k^2 + c_i c_o}{c_i c_o k^2}
#   = \frac{1}{c_o} + \frac{1}{k^2}.$$
#
# With many channels the first term vanishes and the saving approaches $k^2$: nine times for
# $3 \times 3$ kernels. The weights (without biases) obey the same ratio. Checked against the counted
# multiply-adds of both blocks, for a few layer shapes:

# %%
print(f"{'c':>4s} {'k':>2s} {'standard':>13s} {'separable':>12s} {'counted ratio':>14s} {'1/c + 1/k^2':>12s}")
for c, k in [(16, 3), (64, 3), (256, 3), (64, 5), (64, 7)]:
    standard = cu.conv_multiply_adds(56, c, c, k, padding=k // 2)
    separable = (cu.conv_multiply_adds(56, c, c, k, padding=k // 2, groups=c)
                 + cu.conv_multiply_adds(56, c, c, 1))
    formula = 1 / c + 1 / k**2
    assert np.isclose(separable / standard, formula, rtol=1e-12)
    separable_weights = (cu.conv_parameter_count(c, c, k, bias=False, groups=c)
                         + cu.conv_parameter_count(c, c, 1, bias=False))
    assert np.isclose(separable_weights / cu.conv_parameter_count(c, c, k, bias=False), formula, rtol=1e-12)
    print(f"{c:4d} {k:2d} {standard:13,d} {separable:12,d} {separable / standard:14.4f} {formula:12.4f}")

# %% [markdown]
# ### The block in NumPy and in the frameworks
#
# From scratch, the depthwise step is one `cu.corr2d` per channel (exercise 2 asks you to write it);
# here it is `cu.corr2d_batch` with `groups=c`, and the pointwise step a matrix product over the
# channel axis at every pixel. Both steps use "same" padding, so the block keeps the image size.

# %%
c, c_next = 8, 16
X_s = rng.standard_normal((2, c, 10, 9)).astype(np.float32)
K_depthwise = rng.standard_normal((c, 1, 3, 3)).astype(np.float32)
K_pointwise = rng.standard_normal((c_next, c, 1, 1)).astype(np.float32)

after_depthwise = cu.corr2d_batch(X_s, K_depthwise, padding=1, groups=c)
Y_s = np.einsum("oc,nchw->nohw", K_pointwise[:, :, 0, 0], after_depthwise)  # the 1x1 layer at every pixel
depthwise_by_channel = np.stack([cu.corr2d(X_s[0, ch], K_depthwise[ch, 0], padding=1) for ch in range(c)])
print("X", X_s.shape, "-> depthwise", after_depthwise.shape, "-> pointwise", Y_s.shape)
cu.compare(after_depthwise[0], {"NumPy corr2d per channel": depthwise_by_channel},
           reference_name="corr2d_batch(groups=c)")

# %% [markdown]
# The same block in each framework, with the same weights. Flax works in NHWC and stores kernels as
# $(k_h, k_w, c_i / g, c_o)$, so the weights are transposed on the way in and the result on the way out.

# %%
# %%needs mxnet
gluon_block = gluon_nn.HybridSequential()
gluon_block.add(gluon_nn.Conv2D(c, 3, padding=1, groups=c, in_channels=c, use_bias=False),
                gluon_nn.Conv2D(c_next, 1, in_channels=c, use_bias=False))
gluon_block.initialize()
gluon_block[0].weight.set_data(mnp.array(K_depthwise))
gluon_block[1].weight.set_data(mnp.array(K_pointwise))

# %%
torch_block = torch_nn.Sequential(torch_nn.Conv2d(c, c, 3, padding=1, groups=c, bias=False),
                                  torch_nn.Conv2d(c, c_next, 1, bias=False))
with torch.no_grad():
    torch_block[0].weight.copy_(torch.from_numpy(K_depthwise))
    torch_block[1].weight.copy_(torch.from_numpy(K_pointwise))
    Y_torch_block = torch_block(torch.from_numpy(X_s))

flax_block = fnn.Sequential([fnn.Conv(c, (3, 3), padding=1, feature_group_count=c, use_bias=False),
                             fnn.Conv(c_next, (1, 1), use_bias=False)])
flax_params = {"params": {"layers_0": {"kernel": jnp.asarray(K_depthwise.transpose(2, 3, 1, 0))},
                          "layers_1": {"kernel": jnp.asarray(K_pointwise.transpose(2, 3, 1, 0))}}}
Y_flax_block = flax_block.apply(flax_params, jnp.asarray(X_s.transpose(0, 2, 3, 1))).transpose(0, 3, 1, 2)

cu.compare(Y_s, {
    "MXNet Gluon": lambda: gluon_block(mnp.array(X_s)),
    "PyTorch": Y_torch_block,
    "JAX (Flax)": Y_flax_block,
}, tolerance=1e-4, reference_name="NumPy depthwise + pointwise")

# %% [markdown]
# ## Spatially separable kernels
#
# "Separable" has a second meaning, about a single kernel rather than a layer. A $k_h \times k_w$
# kernel is **spatially separable** when it is an outer product of a column and a row,
# $K = u\, v^\top$, that is $K[a, b] = u[a]\, v[b]$. Then the correlation splits into two 1-D passes:
#
# $$\sum_{a, b} X[i + a, j + b]\, u[a]\, v[b] \;=\; \sum_b v[b] \Big( \sum_a u[a]\, X[i + a, j + b] \Big),$$
#
# a $k_h \times 1$ pass with $u$, then a $1 \times k_w$ pass with $v$: about $k_h + k_w$ multiply-adds
# per output instead of $k_h k_w$ (a little more, because the first pass also fills the $k_w - 1$ extra
# columns the second one reads). Sobel is one:
#
# $$\begin{bmatrix} -1 & 0 & 1 \\ -2 & 0 & 2 \\ -1 & 0 & 1 \end{bmatrix}
#   = \begin{bmatrix} 1 \\ 2 \\ 1 \end{bmatrix} \begin{bmatrix} -1 & 0 & 1 \end{bmatrix}.$$
#
# On an integer image every sum is exact, so the two passes must give *exactly* the 2-D result.

# %%
sobel_x = kernel_preset("sobel_x")
column, row = np.array([1.0, 2.0, 1.0]), np.array([-1.0, 0.0, 1.0])
assert np.array_equal(np.outer(column, row), sobel_x)

X_int = rng.integers(0, 10, size=(9, 12)).astype(np.float64)
two_passes = cu.corr2d(cu.corr2d(X_int, column[:, None]), row[None, :])
print("two 1-D passes equal the 3x3 correlation exactly:", np.array_equal(two_passes, cu.corr2d(X_int, sobel_x)))
assert np.array_equal(two_passes, cu.corr2d(X_int, sobel_x))

# %% [markdown]
# ### Which kernels are separable: the SVD
#
# The **singular value decomposition** writes any matrix as a sum of outer products,
# $K = \sum_i s_i\, u_i v_i^\top$, with $s_1 \ge s_2 \ge \dots \ge 0$ (the singular values) and
# orthonormal $u_i$, $v_i$. $K$ is an outer product exactly when only $s_1$ is non-zero: rank one.
# In floating point an exact outer product still leaves $s_2$ at rounding level ($10^{-16}$ of $s_1$),
# so `el.is_separable` compares $s_2$ with a small multiple of $s_1$, and `el.separable_factors` returns
# $u = \sqrt{s_1}\, u_1$ and $v = \sqrt{s_1}\, v_1$. For a kernel that is not separable, the first term
# alone, $s_1 u_1 v_1^\top$, is the closest separable kernel (in the sum of squared differences);
# `el.rank_one_approximation` returns it with its relative error
# $\sqrt{\sum_{i \ge 2} s_i^2 \,/\, \sum_i s_i^2}$.

# %%
kernels = {
    "Sobel x": sobel_x,
    "Gaussian 5x5": gaussian_kernel(5, 1.0),
    "box 3x5": np.ones((3, 5)),
    "Laplacian": kernel_preset("laplacian"),
    "random 3x3": rng.standard_normal((3, 3)),
}
print(f"{'kernel':13s} {'singular values':32s} {'separable':>9s} {'rank-1 error':>12s}")
separability = {}
for name, K in kernels.items():
    singular = np.linalg.svd(K, compute_uv=False)
    separability[name] = el.is_separable(K)
    error = el.rank_one_approximation(K)[1]
    print(f"{name:13s} {np.array2string(singular[:3], precision=3):32s} {str(separability[name]):>9s} {error:12.3f}")
assert separability == {"Sobel x": True, "Gaussian 5x5": True, "box 3x5": True, "Laplacian": False,
                        "random 3x3": False}

# %% [markdown]
# Sobel, the Gaussian and the box blur are separable; the Laplacian (rank 2) and a random kernel are
# not. The factors the SVD finds for Sobel rebuild it, and they are the column and row above up to a
# scale shared between them:

# %%
u, v = el.separable_factors(sobel_x)
print("u =", np.round(u, 4) + 0.0, " v =", np.round(v, 4) + 0.0)  # + 0.0 turns -0.0 into 0.0
cu.compare(sobel_x, {"NumPy outer(u, v)": np.outer(u, v)}, tolerance=1e-12, reference_name="Sobel x")
assert np.allclose(u / u[0], column) and np.allclose(v * u[0], row)
try:
    el.separable_factors(kernels["random 3x3"])
except ValueError as error:
    print("random 3x3:", str(error).split(";")[0])

# %% [markdown]
# How close does the best separable kernel get? For the Laplacian, its rank-one approximation and what
# that leaves out:

# %% tags=["hide-input"] alt="Three 3x3 panels in red and blue with their numbers: the Laplacian (0, 1, 0; 1, -4, 1; 0, 1, 0); its best rank-one approximation, -4.04 at the centre, 0.91 beside it and -0.20 in the corners; and the difference, small and positive everywhere: 0.20 in the corners, 0.09 beside the centre, 0.04 at the centre."
laplacian = kernel_preset("laplacian")
laplacian_rank1, laplacian_error = el.rank_one_approximation(laplacian)
fig = show_row([laplacian, laplacian_rank1, laplacian - laplacian_rank1],
               ["Laplacian", "best separable (rank 1)", "difference"],
               f"The Laplacian's closest separable kernel misses {100 * laplacian_error:.0f}% of it (relative norm)",
               signed=True, fmt="{:.2f}", panel_size=3.4)
plt.show()

# %% [markdown]
# The Laplacian is the *sum* of two separable kernels (a second difference down the columns plus one
# along the rows), so two pairs of 1-D passes compute it exactly; one pair cannot.

# %%
second_difference, centre = np.array([1.0, -2.0, 1.0]), np.array([0.0, 1.0, 0.0])
assert np.array_equal(np.outer(second_difference, centre) + np.outer(centre, second_difference), laplacian)
two_pairs = (cu.corr2d(cu.corr2d(X_int, second_difference[:, None]), centre[None, :])
             + cu.corr2d(cu.corr2d(X_int, centre[:, None]), second_difference[None, :]))
print("two pairs of 1-D passes equal the Laplacian exactly:", np.array_equal(two_pairs, cu.corr2d(X_int, laplacian)))
assert np.array_equal(two_pairs, cu.corr2d(X_int, laplacian))

# %% [markdown]
# PyTorch has no separable-kernel option, but two ordinary convolutions with a $k \times 1$ and a
# $1 \times k$ weight are the same computation, and agree with the 2-D kernel:

# %%
X_img = rng.standard_normal((1, 1, 32, 40)).astype(np.float32)
x_t = torch.from_numpy(X_img)
with torch.no_grad():
    by_passes = F.conv2d(F.conv2d(x_t, torch.tensor(column, dtype=torch.float32).view(1, 1, 3, 1)),
                         torch.tensor(row, dtype=torch.float32).view(1, 1, 1, 3))
cu.compare(cu.corr2d(X_img[0, 0], sobel_x), {
    "PyTorch two passes": by_passes[0, 0],
    "JAX 3x3": jax.lax.conv_general_dilated(jnp.asarray(X_img), jnp.asarray(sobel_x[None, None], dtype=jnp.float32),
                                            (1, 1), "VALID")[0, 0],
}, tolerance=1e-5, reference_name="cu.corr2d with Sobel")

# %% [markdown]
# ## Bottlenecks and inverted residuals
#
# Two more blocks complete the toolkit. Both keep the expensive $k \times k$ step but change the
# number of channels it works on, using cheap $1 \times 1$ layers to get there and back:
#
# * the **bottleneck** (ResNet-50, 2015): $1 \times 1$ down from $c$ to $c / r$ channels ($r = 4$),
#   the $3 \times 3$ at $c / r$, $1 \times 1$ back up to $c$. The $3 \times 3$ costs $r^2 = 16$ times
#   less than at full width;
# * the **inverted residual** (MobileNetV2, 2018): the other way round. $1 \times 1$ *up* from $c$ to
#   $t c$ channels ($t = 6$), a *depthwise* $3 \times 3$ at $t c$, and $1 \times 1$ back down to $c$.
#   The depthwise step is cheap even when wide, and the narrow $c$ channels are all that is stored
#   between blocks.
#
# (Both add their input to their output, the residual connection; it costs no weights and
# $c\,hw$ additions, and the table leaves it out.) `el.block_cost_table` counts the four blocks for
# the same width, $c$ channels in and out, at every pixel of a $56 \times 56$ image, without biases:

# %%
def print_block_table(channels, size):
    rows = el.block_cost_table(channels, size)
    print(f"c = {channels}, {size}x{size} image")
    print(f"{'block':18s} {'layers':46s} {'weights':>8s} {'multiply-adds':>14s} {'vs standard':>11s}")
    for r in rows:
        print(f"{r['block']:18s} {r['layers']:46s} {r['parameters']:8,d} {r['multiply_adds']:14,d} "
              f"{r['multiply_adds_vs_standard']:11.3f}")
    return rows


block_rows = print_block_table(64, 56)

# %% [markdown]
# Each row is checked against the same block built from PyTorch layers: their parameters, and the
# multiply-adds PyTorch's FLOP counter reports.

# %%
def torch_block_of(kind, channels):
    return torch_nn.Sequential(*[torch_nn.Conv2d(s.in_channels, s.out_channels, s.kernel_size,
                                                 padding=s.kernel_size // 2, groups=s.groups, bias=False,
                                                 device="meta")
                                 for s in el.block_layers(kind, channels)])


for r in block_rows:
    block = torch_block_of(r["block"], 64)
    assert r["parameters"] == sum(p.numel() for p in block.parameters())
    assert r["multiply_adds"] == torch_multiply_adds(block, x56)
print("weights and multiply-adds agree with PyTorch for:", ", ".join(r["block"] for r in block_rows))

# %%
by_block = {r["block"]: r for r in block_rows}
cheapest = min(block_rows, key=lambda r: r["multiply_adds"])["block"]
inverted_vs_standard = by_block["inverted residual"]["multiply_adds_vs_standard"]
print(f"cheapest block at equal width: {cheapest}")
print(f"the inverted residual costs {inverted_vs_standard:.2f} times the standard 3x3 layer at equal width")
assert cheapest in ("bottleneck", "separable") and inverted_vs_standard > 1
assert max(by_block[kind]["multiply_adds_vs_standard"] for kind in ("bottleneck", "separable")) < 0.15

# %% [markdown]
# At equal width the inverted residual is *not* cheap: its two $1 \times 1$ layers at six times the
# width cost more than one standard $3 \times 3$ layer. MobileNetV2 gets its economy by running these
# blocks at small widths (16 to 320 channels) where a ResNet would use 64 to 2048; the wide expansion
# lives only inside the block. The bottleneck and the separable block cut the cost by close to an order
# of magnitude (below $0.15$ of the standard layer, asserted above). At 256 channels on a $14 \times 14$
# image, a stage deeper in the network, the order changes:

# %%
wide_rows = print_block_table(256, 14)
cheapest_wide = min(wide_rows, key=lambda r: r["multiply_adds"])["block"]
print("cheapest block at 256 channels:", cheapest_wide)
assert cheapest_wide != cheapest

# %% [markdown]
# ## What the saving is worth on this machine
#
# Multiply-adds are a count of arithmetic. Time depends also on how much data must move between memory
# and the processor for that arithmetic. Lesson 12 measured single-channel methods far below the
# machine's peak and the matrix-multiply of a dense layer close to it; its third exercise named the
# cause: the **arithmetic intensity**, multiply-adds per number moved. At the least, a layer reads its
# input and weights once and writes its output once:
#
# $$\text{intensity} = \frac{\text{multiply-adds}}{N c_i H W + \text{weights} + N c_o\, h_\text{out} w_\text{out}}.$$
#
# A dense layer reuses each loaded input value $c_o k^2$ times; a depthwise layer only $k^2$ times, so
# it has about $c_o$ times less work to hide each memory access behind.

# %%
batch, width, size = 8, 64, 56
intensity = {
    "dense 3x3": el.conv_arithmetic_intensity(size, width, width, 3, padding=1, batch=batch),
    "depthwise 3x3": el.conv_arithmetic_intensity(size, width, width, 3, padding=1, groups=width, batch=batch),
    "pointwise 1x1": el.conv_arithmetic_intensity(size, width, width, 1, batch=batch),
}
for name, value in intensity.items():
    print(f"{name:14s} {value:7.1f} multiply-adds per number moved")
assert intensity["depthwise 3x3"] < 9 < intensity["dense 3x3"] / 20

# %% [markdown]
# Now the clock. A batch of 8 images, $64$ channels, $56 \times 56$, float32, in PyTorch: a dense
# $3 \times 3$ layer, a depthwise $3 \times 3$ layer, and the separable block (depthwise, then
# pointwise) that replaces the dense layer. The input is large enough (its size is printed below) not
# to fit in a processor core's private caches. First the work each one does:

# %%
X_time = torch.from_numpy(rng.standard_normal((batch, width, size, size)).astype(np.float32))
W_dense = torch.from_numpy(rng.standard_normal((width, width, 3, 3)).astype(np.float32))
W_depthwise = torch.from_numpy(rng.standard_normal((width, 1, 3, 3)).astype(np.float32))
W_pointwise = torch.from_numpy(rng.standard_normal((width, width, 1, 1)).astype(np.float32))
layer_calls = {
    "dense 3x3": lambda: F.conv2d(X_time, W_dense, padding=1),
    "depthwise 3x3": lambda: F.conv2d(X_time, W_depthwise, padding=1, groups=width),
    "separable block": lambda: F.conv2d(F.conv2d(X_time, W_depthwise, padding=1, groups=width), W_pointwise),
}
layer_work = {
    "dense 3x3": batch * cu.conv_multiply_adds(size, width, width, 3, padding=1),
    "depthwise 3x3": batch * cu.conv_multiply_adds(size, width, width, 3, padding=1, groups=width),
}
layer_work["separable block"] = layer_work["depthwise 3x3"] + batch * cu.conv_multiply_adds(size, width, width, 1)
promised = layer_work["dense 3x3"] / layer_work["separable block"]
print(f"input: {X_time.numel() * X_time.element_size() / 1e6:.1f} MB of float32")
for name, work in layer_work.items():
    print(f"{name:16s} {work:13,d} multiply-adds")
print(f"the separable block promises {promised:.2f} times less work than the dense layer")
assert np.isclose(1 / promised, 1 / width + 1 / 9)

# %% [markdown]
# The timing runs PyTorch on one thread, so that other programs on the machine disturb the comparison
# less, and takes for each layer the best of three rounds that alternate between the layers (each
# round a median of several calls after a warm-up).

# %% tags=["nbval-ignore-output"]
threads = torch.get_num_threads()
torch.set_num_threads(1)
layer_seconds = {name: float("inf") for name in layer_calls}
try:
    with torch.no_grad():
        for _ in range(3):
            for name, call in layer_calls.items():
                seconds = median_seconds(call, min_repeats=3, max_repeats=3, budget_seconds=0, min_sample_seconds=2e-3)
                layer_seconds[name] = min(layer_seconds[name], seconds)
finally:
    torch.set_num_threads(threads)
for name, seconds in layer_seconds.items():
    print(f"{name:16s} {seconds * 1e3:8.2f} ms  {seconds / layer_work[name] * 1e12:8.1f} ps per multiply-add")

# %% [markdown]
# What these times say, in sentences written from the measurements of this run:

# %% tags=["nbval-ignore-output"]
per_madd = {name: layer_seconds[name] / layer_work[name] for name in layer_seconds}
slower_per_madd = per_madd["depthwise 3x3"] / per_madd["dense 3x3"]
work_saved = layer_work["dense 3x3"] / layer_work["depthwise 3x3"]
time_saved = layer_seconds["dense 3x3"] / layer_seconds["depthwise 3x3"]
measured = layer_seconds["dense 3x3"] / layer_seconds["separable block"]
if slower_per_madd > 1:
    print(f"Each multiply-add of the depthwise layer took {slower_per_madd:.1f} times as long as one of the dense "
          f"layer: it does {work_saved:.0f} times less arithmetic but ran only {time_saved:.1f} times faster.")
else:
    print(f"Here a depthwise multiply-add took no longer than a dense one ({slower_per_madd:.2f} times as long): "
          f"the machine's memory kept up with it in this run.")
if measured >= promised:
    print(f"The separable block ran {measured:.1f} times faster than the dense layer, the full {promised:.1f}x "
          f"its multiply-adds promise.")
elif measured >= 1:
    print(f"The separable block promises a {promised:.1f}x saving in multiply-adds; it ran {measured:.1f} times "
          f"faster than the dense layer, {100 * measured / promised:.0f}% of the promise.")
else:
    print(f"The separable block promises a {promised:.1f}x saving in multiply-adds, yet it ran "
          f"{1 / measured:.1f} times SLOWER than the dense layer here.")

# %% [markdown]
# The intensities computed above are the reason to expect a depthwise multiply-add to be slower. The dense layer is a large matrix product
# (im2col + GEMM, lesson 12) with hundreds of multiply-adds per number moved: the arithmetic units stay
# busy while data streams in. The depthwise layer has fewer than nine, since each number it loads feeds
# at most $k^2 = 9$ multiply-adds: once its data no longer fits in the caches, it waits on memory, and
# cutting its arithmetic does not cut that wait. The pointwise layer reuses each input value only $c_o$
# times, with no spatial reuse, so it too sits far below the dense layer's intensity. That is why papers
# on efficient networks report measured latency next to multiply-adds, and why libraries write special
# kernels for depthwise layers.

# %% [markdown]
# ## Recap
#
# * A **grouped** convolution with $g$ groups has weight shape $(c_o, c_i / g, k_h, k_w)$: weights and
#   multiply-adds are divided by $g$. An output channel sees only its own group's input channels, so
#   changing another group's input leaves it bit for bit the same; networks mix groups with
#   $1 \times 1$ layers or a channel shuffle.
# * **Depthwise** ($g = c_i$) filters each channel alone; **pointwise** ($1 \times 1$) mixes channels
#   at each pixel. Together, the depthwise-separable block costs $1/c_o + 1/k^2$ of a standard layer.
# * A kernel is **spatially separable** when $K = u v^\top$, rank one: two 1-D passes, about $k_h + k_w$
#   multiply-adds per output instead of $k_h k_w$. The SVD decides it ($s_2 \approx 0$), gives the factors, and
#   gives the best separable approximation of any kernel. Sobel, Gaussian and box are separable; the
#   Laplacian is not.
# * The **bottleneck** runs the $3 \times 3$ at reduced width; the **inverted residual** expands, runs a
#   depthwise $3 \times 3$ wide, and projects back. At equal width it costs more than a standard layer:
#   its economy comes from the narrow widths it allows.
# * Time is not multiply-adds: a depthwise layer has a low **arithmetic intensity** (under nine
#   multiply-adds per number moved, against hundreds for a dense layer), so once its data comes from
#   memory each of its multiply-adds costs more time; the timing above measured how much on this machine.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("14_efficient_layers")

# %% [markdown]
# ### Exercise 1: the parameters of a separable block
#
# A depthwise-separable block replaces `torch.nn.Conv2d(32, 64, 3)`: a depthwise layer
# `torch.nn.Conv2d(32, 32, 3, groups=32)`, then a pointwise layer `torch.nn.Conv2d(32, 64, 1)`, both
# with their default bias. How many learnable parameters does the block have? Work it out by hand and
# store the number in `answer`.

# %%
# SOLUTION q1

# %%
q1.check(answer)

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: depthwise correlation by hand
#
# Write `depthwise_corr2d(X, K)` for an input `X` of shape $(C, H, W)$ and kernels `K` of shape
# $(C, k_h, k_w)$: channel $c$ of the result is the correlation of `X[c]` with `K[c]` (no padding,
# stride 1). Use the single-channel `cu.corr2d` in a loop over the channels, and return a NumPy array
# of shape $(C, H - k_h + 1, W - k_w + 1)$. The check runs it on visible and hidden cases.

# %%
# SOLUTION q2

# %%
q2.check(depthwise_corr2d)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3: is this kernel separable?
#
# Write `is_separable(K)` for a 2-D NumPy array `K`: return `True` when `K` is an outer product
# `np.outer(column, row)` of two vectors (an all-zero kernel counts, as `np.outer` of zeros), and
# `False` otherwise. Decide it from the singular values, allowing for rounding: treat $s_2$ as zero
# when $s_2 \le 10^{-8}\, s_1$. Return a truth value.

# %%
# SOLUTION q3

# %%
q3.check(is_separable)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [13 · The backward pass and transposed convolution](13_backward_and_transposed.ipynb)
#
# **Next:** this is the last lesson. Back to the start: [00 · Getting started](00_getting_started.ipynb)
