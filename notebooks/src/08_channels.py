# %% [markdown]
# # 08 · Channels
#
# Until now every input was one grey-scale array and every layer produced one feature map. A colour
# image has three numbers per pixel (red, green, blue), and a real conv layer turns its input into
# dozens or hundreds of feature maps. Each of these stacked arrays is a **channel**. This lesson adds
# the channel axis to the cross-correlation and works out what it costs.
#
# **In this lesson you will**
#
# 1. cross-correlate an input with several channels, and see that the results of the channels are
#    added into one map;
# 2. give a layer several output channels by stacking kernels, and read the $(c_o, c_i, k_h, k_w)$
#    weight layout in each framework;
# 3. see that a $1 \times 1$ convolution is a fully connected layer applied at every pixel;
# 4. count the parameters and multiply-adds of a conv layer and check both counts against the
#    frameworks.

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
from course_utils import exercises
from course_utils.layer_cost import conv_multiply_adds, conv_parameter_count
from course_utils.plotting import show_array

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
from mxnet import np as mnp
from mxnet import npx
from mxnet.gluon import nn as gluon_nn

# %% [markdown]
# ## Several input channels
#
# An input with $c_i$ channels is an array of shape $(c_i, h, w)$. The kernel gets one
# $k_h \times k_w$ slice for each input channel, so its shape is $(c_i, k_h, k_w)$. Channel $c$ of
# the input is cross-correlated with slice $c$ of the kernel, and the $c_i$ results are **added**:
#
# $$Y[i, j] = \sum_{c=0}^{c_i - 1} \sum_{a=0}^{k_h - 1} \sum_{b=0}^{k_w - 1} X[c,\, i + a,\, j + b]\; K[c, a, b]
#           = \sum_{c} \left( X[c] \star K[c] \right)[i, j].$$
#
# The output is a single map, whatever the number of input channels.
#
# ![Two input channels, each cross-correlated with its own kernel slice; the two maps add up, so the top-left output is 19 + 37 = 56](../images/multi_channel.png)

# %% [markdown]
# Our example has two input channels of size $3 \times 3$ and a kernel with two $2 \times 2$ slices.
# The first channel and the first slice are the input and kernel of the earlier lessons.

# %%
X = np.array([[[0, 1, 2], [3, 4, 5], [6, 7, 8]],
              [[1, 2, 3], [4, 5, 6], [7, 8, 9]]], dtype=np.float32)
K = np.array([[[0, 1], [2, 3]],
              [[1, 2], [3, 4]]], dtype=np.float32)
print("X:", X.shape, " K:", K.shape)

per_channel = [cu.corr2d(X[c], K[c]) for c in range(X.shape[0])]
for c, partial in enumerate(per_channel):
    print(f"X[{c}] ⋆ K[{c}] =\n{partial}")
Y = sum(per_channel)
print("sum over the channels =\n", Y)
assert np.array_equal(per_channel[0], [[19, 25], [37, 43]])
assert np.array_equal(per_channel[1], [[37, 47], [67, 77]])
assert np.array_equal(Y, [[56, 72], [104, 120]])

# %% [markdown]
# The top-left output by hand. Channel 0 pairs the window $\begin{smallmatrix}0&1\\3&4\end{smallmatrix}$
# with $\begin{smallmatrix}0&1\\2&3\end{smallmatrix}$; channel 1 pairs
# $\begin{smallmatrix}1&2\\4&5\end{smallmatrix}$ with $\begin{smallmatrix}1&2\\3&4\end{smallmatrix}$:
#
# $$\underbrace{0\cdot0 + 1\cdot1 + 3\cdot2 + 4\cdot3}_{19} \;+\;
#   \underbrace{1\cdot1 + 2\cdot2 + 4\cdot3 + 5\cdot4}_{37} \;=\; 56 .$$

# %%
channel_0 = 0 * 0 + 1 * 1 + 3 * 2 + 4 * 3
channel_1 = 1 * 1 + 2 * 2 + 4 * 3 + 5 * 4
print(f"{channel_0} + {channel_1} = {channel_0 + channel_1}")
assert (channel_0, channel_1) == (19, 37)
assert channel_0 + channel_1 == Y[0, 0] == np.sum(X[:, 0:2, 0:2] * K)  # one window through all channels at once

# %% [markdown]
# The last line shows another way to read the formula: the window is a $(c_i, k_h, k_w)$ box cut
# through all channels, multiplied element by element with the kernel box and summed. Here is the
# from-scratch function, built on the single-channel `cu.corr2d`, and the course's tested copy
# `cu.corr2d_multi_in`.

# %%
def corr2d_multi_in_scratch(X, K):
    """Cross-correlate channel c of X with slice c of K, and add the maps."""
    return sum(cu.corr2d(x, k) for x, k in zip(X, K))


print(corr2d_multi_in_scratch(X, K))
assert np.array_equal(corr2d_multi_in_scratch(X, K), cu.corr2d_multi_in(X, K))

# %% [markdown]
# The frameworks take a batch axis in front of the input, $(N, c_i, h, w)$, and an output-channel axis
# in front of the kernel, $(c_o, c_i, k_h, k_w)$. With $N = c_o = 1$ they compute the same map.
# `cu.compare` prints and asserts each one's largest difference from our result; the later sections
# use it too.

# %%
# %%needs mxnet
Y_mxnet_multi_in = npx.convolution(data=mnp.array(X[None]), weight=mnp.array(K[None]), kernel=(2, 2), num_filter=1,
                                   no_bias=True)[0, 0]

# %%
X4, K4 = X[None], K[None]  # (1, 2, 3, 3) and (1, 2, 2, 2)
cu.compare(Y, {
    "MXNet": lambda: Y_mxnet_multi_in,
    "PyTorch": F.conv2d(torch.from_numpy(X4), torch.from_numpy(K4))[0, 0],
    "JAX": jax.lax.conv_general_dilated(jnp.asarray(X4), jnp.asarray(K4), window_strides=(1, 1),
                                        padding="VALID")[0, 0],
}, reference_name="the sum over channels")

# %% [markdown]
# Each row of the figure is one channel: input, kernel slice, and their cross-correlation. The maps of
# the two rows are added into the output on the right.

# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 4, figsize=(13, 6))
for c in range(2):
    show_array(axes[c, 0], X[c], f"input channel X[{c}]")
    show_array(axes[c, 1], K[c], f"kernel slice K[{c}]")
    show_array(axes[c, 2], per_channel[c], f"X[{c}] ⋆ K[{c}]")
show_array(axes[0, 3], Y, "output: X[0] ⋆ K[0] + X[1] ⋆ K[1]")
axes[1, 3].remove()
fig.suptitle("Two input channels, one output channel: the per-channel maps are added")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Several output channels
#
# One kernel box of shape $(c_i, k_h, k_w)$ makes one output map. To get $c_o$ output maps, the layer
# holds $c_o$ such boxes, one per output channel, stacked into a kernel of shape $(c_o, c_i, k_h, k_w)$:
#
# $$Y[o] = \sum_{c=0}^{c_i - 1} X[c] \star K[o, c], \qquad o = 0, \dots, c_o - 1 .$$
#
# Every output channel sees **all** input channels, each with weights of its own. Different output
# channels can then respond to different patterns, for example edges of different orientations.

# %% [markdown]
# We stack $K$, $K + 1$ and $K + 2$ into a kernel with three output channels.

# %%
K_stack = np.stack([K, K + 1, K + 2])
print("K_stack:", K_stack.shape, "= (c_o, c_i, k_h, k_w)")


def corr2d_multi_in_out_scratch(X, K):
    """One multi-input cross-correlation per output channel, stacked along a new first axis."""
    return np.stack([corr2d_multi_in_scratch(X, kernels) for kernels in K])


Y_stack = corr2d_multi_in_out_scratch(X, K_stack)
print(Y_stack)
assert np.array_equal(Y_stack, [[[56, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]])
assert np.array_equal(Y_stack, cu.corr2d_multi_in_out(X, K_stack))

# %% [markdown]
# Channel 0 is the map of the previous section. Each next channel grows by the same amount, because
# adding 1 to every kernel weight adds the plain sum of each $(2, 2, 2)$ window. The top-left window
# holds $0 + 1 + 3 + 4 = 8$ in channel 0 and $1 + 2 + 4 + 5 = 12$ in channel 1, so the top-left value
# grows by $20$: $56, 76, 96$.

# %%
window_sums = cu.corr2d_multi_in(X, np.ones_like(K))
print("window sums:\n", window_sums)
assert np.array_equal(Y_stack[1] - Y_stack[0], window_sums)
assert np.array_equal(Y_stack[2] - Y_stack[1], window_sums)
assert window_sums[0, 0] == 8 + 12 == 20

# %% [markdown]
# The weight layouts of the frameworks:
#
# | library | input | weight |
# |---|---|---|
# | PyTorch `F.conv2d`, MXNet `npx.convolution` | $(N, c_i, h, w)$ | $(c_o, c_i, k_h, k_w)$ |
# | JAX `lax.conv_general_dilated` (default) | $(N, c_i, h, w)$ | $(c_o, c_i, k_h, k_w)$ |
# | Flax `nn.Conv` | $(N, h, w, c_i)$ | $(k_h, k_w, c_i, c_o)$ |
#
# For Flax we move the axes with `transpose`, and also call JAX with Flax's layout spelled out in
# `dimension_numbers`: `"NHWC"` for the input, `"HWIO"` for the kernel (H, W, In, Out).

# %%
# %%needs mxnet
Y_mxnet_multi_out = npx.convolution(data=mnp.array(X[None]), weight=mnp.array(K_stack), kernel=(2, 2), num_filter=3,
                                    no_bias=True)[0]

# %%
K_hwio = K_stack.transpose(2, 3, 1, 0)  # (c_o, c_i, k_h, k_w) -> (k_h, k_w, c_i, c_o)
X_nhwc = X.transpose(1, 2, 0)[None]     # (c_i, h, w) -> (1, h, w, c_i)
flax_conv = fnn.Conv(features=3, kernel_size=(2, 2), padding="VALID", use_bias=False)
multi_out_results = {
    "PyTorch": F.conv2d(torch.from_numpy(X[None]), torch.from_numpy(K_stack))[0],
    "MXNet": lambda: Y_mxnet_multi_out,
    "JAX (NCHW, OIHW)": jax.lax.conv_general_dilated(jnp.asarray(X[None]), jnp.asarray(K_stack), (1, 1), "VALID",
                                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))[0],
    "JAX (NHWC, HWIO)": jax.lax.conv_general_dilated(jnp.asarray(X_nhwc), jnp.asarray(K_hwio), (1, 1), "VALID",
                                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))[0].transpose(2, 0, 1),
    "Flax": flax_conv.apply({"params": {"kernel": jnp.asarray(K_hwio)}}, jnp.asarray(X_nhwc))[0].transpose(2, 0, 1),
}
cu.compare(Y_stack, multi_out_results, reference_name="corr2d_multi_in_out_scratch")

# %% [markdown]
# Row $o$ of the figure is output channel $o$: its two kernel slices $K[o, 0]$ and $K[o, 1]$, and the map
# they produce together from the two input channels.

# %% tags=["hide-input"]
fig, axes = plt.subplots(3, 3, figsize=(10, 9))
for o in range(3):
    show_array(axes[o, 0], K_stack[o, 0], f"K[{o}, 0] (for X[0])")
    show_array(axes[o, 1], K_stack[o, 1], f"K[{o}, 1] (for X[1])")
    show_array(axes[o, 2], Y_stack[o], f"output channel Y[{o}]")
fig.suptitle("Three output channels: each has its own kernel slice for every input channel")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The 1 × 1 convolution
#
# With $k_h = k_w = 1$ the kernel looks at a single pixel, and the formula becomes
#
# $$Y[o, i, j] = \sum_{c=0}^{c_i - 1} K[o, c, 0, 0]\; X[c, i, j].$$
#
# At each pixel this maps the vector of $c_i$ input values to $c_o$ output values with the
# $c_o \times c_i$ matrix $W = K[:, :, 0, 0]$: a fully connected layer, applied with the same weights at
# every pixel. It never mixes neighbouring pixels, only channels.

# %% [markdown]
# To see it, treat the $h w$ pixels as columns: reshape $X$ from $(c_i, h, w)$ to $(c_i, h w)$ and the
# kernel from $(c_o, c_i, 1, 1)$ to $(c_o, c_i)$. One matrix product gives all outputs at once. We use
# 3 input channels, 2 output channels and a $3 \times 3$ input, filled with random numbers.

# %%
X_rand = rng.standard_normal((3, 3, 3))
K_1x1 = rng.standard_normal((2, 3, 1, 1))
c_i, h, w = X_rand.shape
c_o = K_1x1.shape[0]

W = K_1x1.reshape(c_o, c_i)
Y_matmul = (W @ X_rand.reshape(c_i, h * w)).reshape(c_o, h, w)
Y_conv = cu.corr2d_multi_in_out(X_rand, K_1x1)
diff = float(np.max(np.abs(Y_matmul - Y_conv)))
print("W:", W.shape, " X as a matrix:", (c_i, h * w), " Y:", Y_matmul.shape)
print(f"matrix product vs 1x1 convolution: max |diff| = {diff:.1e}")
assert Y_matmul.shape == (2, 3, 3)
assert diff <= 1e-12

# %% [markdown]
# The frameworks' $1 \times 1$ convolutions agree with the matrix product, and so does PyTorch's fully
# connected layer `nn.Linear` with weight $W$, applied to the 9 pixel vectors as a batch.

# %%
# %%needs mxnet
Y_mxnet_1x1 = npx.convolution(data=mnp.array(X_rand[None], dtype=np.float32), weight=mnp.array(K_1x1, dtype=np.float32),
                              kernel=(1, 1), num_filter=2, no_bias=True)[0]

# %%
X32, K32 = X_rand.astype(np.float32), K_1x1.astype(np.float32)
one_by_one_results = {
    "PyTorch conv": F.conv2d(torch.from_numpy(X32[None]), torch.from_numpy(K32))[0],
    "MXNet conv": lambda: Y_mxnet_1x1,
    "JAX conv": jax.lax.conv_general_dilated(jnp.asarray(X32[None]), jnp.asarray(K32), (1, 1), "VALID")[0],
}
linear = torch_nn.Linear(c_i, c_o, bias=False)
with torch.no_grad():
    linear.weight.copy_(torch.from_numpy(K32.reshape(c_o, c_i)))
    pixels = torch.from_numpy(X32.reshape(c_i, h * w).T)  # (9 pixels, 3 channels): the pixels are the batch
    one_by_one_results["PyTorch Linear"] = linear(pixels).T.reshape(c_o, h, w)

cu.compare(Y_matmul, one_by_one_results, reference_name="the matrix product")

# %% [markdown]
# In the figure, each output pixel is a weighted sum of the three input values at the **same** pixel,
# with the weights of one row of $W$.

# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 3, figsize=(12, 7))
for c in range(3):
    show_array(axes[0, c], X_rand[c], f"input channel X[{c}]", fmt="{:.1f}")
show_array(axes[1, 0], W, "weights W = K[:, :, 0, 0]", fmt="{:.2f}")
axes[1, 0].set_xlabel("input channel c")
axes[1, 0].set_ylabel("output channel o")
for o in range(2):
    show_array(axes[1, 1 + o], Y_matmul[o], f"output Y[{o}] = Σ_c W[{o}, c] X[c]", fmt="{:.1f}")
fig.suptitle("A 1 × 1 convolution: a fully connected layer from 3 to 2 values at every pixel")
fig.tight_layout()
plt.show()

# %% [markdown]
# Why have such a layer? It changes the number of channels cheaply, for example from 256 down to 64
# before an expensive $3 \times 3$ layer, and with a nonlinearity after it, it adds per-pixel
# processing without touching the height and width. Exercise 3 comes back to this.

# %% [markdown]
# ## What a layer costs
#
# A layer with $c_i$ input channels, $c_o$ output channels and a $k_h \times k_w$ kernel learns
#
# $$\text{parameters} = \underbrace{c_o\, c_i\, k_h\, k_w}_{\text{weights}} + \underbrace{c_o}_{\text{biases}} .$$
#
# Each output value is a sum of $c_i k_h k_w$ products, and there are $c_o h_\text{out} w_\text{out}$
# output values, so one image costs
#
# $$\text{multiply-adds} = c_o\, c_i\, k_h\, k_w\, h_\text{out}\, w_\text{out} .$$
#
# The parameter count does not depend on the image size; the work grows with the output size.
# `conv_parameter_count` and `conv_multiply_adds` in `course_utils.layer_cost` compute both (the
# output size comes from `cu.conv_output_size`).

# %% [markdown]
# Three layers of the kind found in image classifiers such as VGG and ResNet:

# %%
layers = {
    # name: (in_channels, out_channels, kernel_size, input size, padding)
    "3x3 conv 3 -> 64 on 224x224": (3, 64, 3, 224, 1),
    "3x3 conv 64 -> 64 on 56x56": (64, 64, 3, 56, 1),
    "1x1 conv 256 -> 64 on 56x56": (256, 64, 1, 56, 0),
}
costs = {}
print(f"{'layer':30s} {'parameters':>11s} {'multiply-adds':>15s}")
for name, (c_in, c_out, k, size, pad) in layers.items():
    costs[name] = (conv_parameter_count(c_in, c_out, k), conv_multiply_adds(size, c_in, c_out, k, padding=pad))
    print(f"{name:30s} {costs[name][0]:11,d} {costs[name][1]:15,d}")

assert costs["3x3 conv 3 -> 64 on 224x224"] == (64 * 3 * 9 + 64, 64 * 3 * 9 * 224 * 224) == (1792, 86704128)
assert costs["3x3 conv 64 -> 64 on 56x56"] == (64 * 64 * 9 + 64, 64 * 64 * 9 * 56 * 56) == (36928, 115605504)
assert costs["1x1 conv 256 -> 64 on 56x56"] == (64 * 256 + 64, 64 * 256 * 56 * 56) == (16448, 51380224)

# %% [markdown]
# Parameters and work are not tied together. The first layer has the fewest parameters (1 792) but
# runs them over the large $224 \times 224$ image, so it costs 86.7 million multiply-adds, about 48 000
# per parameter. The $1 \times 1$ layer has 9 times more parameters yet needs fewer multiply-adds than
# the $3 \times 3$ layer on the same $56 \times 56$ grid.

# %%
first = costs["3x3 conv 3 -> 64 on 224x224"]
print(f"multiply-adds per parameter of the first layer: {first[1] / first[0]:,.0f}")
assert 48_000 < first[1] / first[0] < 48_500
assert costs["1x1 conv 256 -> 64 on 56x56"][0] > 9 * first[0]
assert costs["1x1 conv 256 -> 64 on 56x56"][1] < costs["3x3 conv 64 -> 64 on 56x56"][1]

# %% [markdown]
# ### Checking the parameter counts
#
# Each framework counts its own parameters. PyTorch knows all shapes at construction. An MXNet Gluon
# `Conv2D` is only told its output channels: after `initialize()` the input channels are still
# unknown, so one forward pass is needed before the weights exist. Flax creates the parameters in
# `init`, also from an example input. The input size does not matter, so a small $8 \times 8$ image
# is enough.

# %%
# %%needs mxnet
def gluon_count(c_in, c_out, k):
    layer = gluon_nn.Conv2D(channels=c_out, kernel_size=k)
    layer.initialize()
    layer(mnp.zeros((1, c_in, 8, 8)))  # the forward pass fixes in_channels and creates the weights
    return sum(p.data().size for p in layer.collect_params().values())


# %%
def torch_count(c_in, c_out, k):
    return sum(p.numel() for p in torch_nn.Conv2d(c_in, c_out, k).parameters())


def flax_count(c_in, c_out, k):
    params = fnn.Conv(features=c_out, kernel_size=(k, k)).init(jax.random.PRNGKey(0), jnp.zeros((1, 8, 8, c_in)))
    return sum(leaf.size for leaf in jax.tree_util.tree_leaves(params))


report = []
for name, (c_in, c_out, k, _, _) in layers.items():
    counts = cu.frameworks.available_results({"PyTorch": torch_count(c_in, c_out, k),
                                              "MXNet": lambda: gluon_count(c_in, c_out, k),
                                              "Flax": flax_count(c_in, c_out, k)})
    report.append(f"{name:30s} formula {costs[name][0]:6d} | " + "  ".join(f"{lib} {n}" for lib, n in counts.items()))
    assert set(counts.values()) == {costs[name][0]}
print("\n".join(report))

# %% [markdown]
# ### Checking the multiply-adds
#
# To count multiply-adds without the formula, we compute a small layer the slowest possible way: one
# Python line per product, with a counter. We take padding 1 and stride 2 so that the output size is
# not simply $h - k_h + 1$.

# %%
X_small = rng.integers(-2, 3, size=(2, 5, 5)).astype(float)   # c_i = 2, 5 x 5
K_small = rng.integers(-2, 3, size=(3, 2, 3, 3)).astype(float)  # c_o = 3, 3 x 3 kernel
padding, stride = 1, 2
h_out, w_out = cu.conv_output_size(X_small.shape[1:], K_small.shape[2:], padding=padding, stride=stride)

X_padded = np.pad(X_small, ((0, 0), (padding, padding), (padding, padding)))
Y_loop = np.zeros((K_small.shape[0], h_out, w_out))
products = 0
for o in range(K_small.shape[0]):
    for i in range(h_out):
        for j in range(w_out):
            for c in range(K_small.shape[1]):
                for a in range(K_small.shape[2]):
                    for b in range(K_small.shape[3]):
                        Y_loop[o, i, j] += X_padded[c, i * stride + a, j * stride + b] * K_small[o, c, a, b]
                        products += 1

formula = conv_multiply_adds(5, 2, 3, 3, padding=padding, stride=stride)
print("output shape:", Y_loop.shape, f"| products counted: {products} | formula: {formula} = 3*2*3*3*{h_out}*{w_out}")
assert np.array_equal(Y_loop, cu.corr2d_multi_in_out(X_small, K_small, padding=padding, stride=stride))
assert products == formula == 3 * 2 * 3 * 3 * 3 * 3

# %% [markdown]
# For the large layers, PyTorch's `FlopCounterMode` counts the floating-point operations of a forward
# pass. One multiply-add is two operations (a multiplication and an addition), so it should report
# exactly twice our count. Tensors on the `"meta"` device have shapes but no data, so nothing is
# actually computed.

# %%
report = []
for name, (c_in, c_out, k, size, pad) in layers.items():
    layer = torch_nn.Conv2d(c_in, c_out, k, padding=pad, device="meta")
    with FlopCounterMode(display=False) as counter:
        layer(torch.empty(1, c_in, size, size, device="meta"))
    flops = counter.get_total_flops()
    report.append(f"{name:30s} FLOPs / 2 = {flops // 2:11,d}   formula = {costs[name][1]:11,d}")
    assert flops == 2 * costs[name][1]
print("\n".join(report))

# %% [markdown]
# ## Recap
#
# * An input with $c_i$ channels needs a kernel of shape $(c_i, k_h, k_w)$; each channel is
#   cross-correlated with its own slice and the maps are **added**. Example: $19 + 37 = 56$ at the top
#   left, output $[[56, 72], [104, 120]]$.
# * $c_o$ output channels need $c_o$ such kernels: weight shape $(c_o, c_i, k_h, k_w)$ in PyTorch, MXNet
#   and JAX's default, $(k_h, k_w, c_i, c_o)$ (HWIO) with NHWC input in Flax.
# * A $1 \times 1$ convolution is a fully connected layer from $c_i$ to $c_o$ values applied at every
#   pixel: a matrix product of the $(c_o, c_i)$ weights with the $(c_i, h w)$ input.
# * A conv layer has $c_o c_i k_h k_w + c_o$ parameters and costs
#   $c_o c_i k_h k_w h_\text{out} w_\text{out}$ multiply-adds per image; the first number does not
#   depend on the image size, the second does.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("08_channels")

# %% [markdown]
# ### Exercise 1: a whole conv layer from single-channel pieces
#
# Write `corr2d_multi_in_out(X, K)` for an input `X` of shape $(c_i, h, w)$ and a kernel `K` of shape
# $(c_o, c_i, k_h, k_w)$, using only the single-channel `cu.corr2d` (no padding, stride 1). Return a
# NumPy array of shape $(c_o, h - k_h + 1, w - k_w + 1)$. The check runs it on the lesson's example
# and on hidden cases.

# %%
# SOLUTION q1

# %%
q1.check(corr2d_multi_in_out)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: count the parameters
#
# How many learnable parameters does `torch.nn.Conv2d(in_channels=64, out_channels=128, kernel_size=3)`
# have (with its default bias)? Work it out with the formula, without building the layer, and store
# the number in `answer`.

# %%
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): what is a 1 × 1 convolution good for?
#
# A $1 \times 1$ convolution never looks at neighbouring pixels. Why do so many networks (Network in
# Network, GoogLeNet, ResNet) use it anyway? Write a few sentences, then compare with the model answer.
# This one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [07 · Dilation](07_dilation.ipynb)
#
# **Next:** [09 · Pooling](09_pooling.ipynb)
