# %% [markdown]
# # 10 · Receptive field
#
# A unit of a convolution layer looks at a small window of its input, often just $3 \times 3$
# values. Yet a deep CNN recognises objects that fill half the image. The two fit together because
# the windows of stacked layers add up: a unit deep in the network depends on a large patch of the
# image. This lesson measures that patch, the **receptive field**, by a formula and by
# backpropagation.
#
# **In this lesson you will**
#
# 1. define the receptive field and find it for small stacks by poking the input, in NumPy;
# 2. derive the recurrence that gives its size after every layer;
# 3. measure it with one backward pass in PyTorch, and see why the test uses positive weights;
# 4. get the same gradient map from MXNet and JAX;
# 5. see how stride, dilation and pooling make the field grow faster, and why max pooling needs care;
# 6. look inside the field: the gradient is concentrated at its centre (the *effective* receptive field).

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

import course_utils as cu
from course_utils import exercises
from course_utils.plotting import show_array
from course_utils.receptive_field import Layer, bounding_box, receptive_field, receptive_field_by_gradient

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
from mxnet import autograd
from mxnet import np as mnp
from mxnet import npx

# %% [markdown]
# ## What an output unit can see
#
# The **receptive field** of an output unit is the set of input positions that can change its
# value. For a single layer with a $k \times k$ kernel it is the $k \times k$ window the kernel
# covers: $Y[i, j]$ reads $X[i + a, j + b]$ for $0 \le a, b < k$ and nothing else.
#
# Stack a second layer on top, and a unit of layer 2 reads a window of layer-1 units, each of
# which reads its own window of the input. The field of the layer-2 unit is the union of those
# windows.

# %% [markdown]
# ### Poking the input, in NumPy
#
# The definition suggests an experiment: change one input pixel and see whether the output unit
# moves. A stack of convolutions without nonlinearities is linear, so putting a $1$ at pixel
# $(a, b)$ of an all-zero image gives exactly the effect of that pixel on the output unit. Doing it
# for every pixel draws the whole field. `poke_map` does this for a stack of kernels applied with
# `cu.corr2d`.

# %%
def run_stack(X, kernels, strides=None, dilations=None):
    """Apply the kernels one after the other with cu.corr2d (no padding, no nonlinearity)."""
    strides = strides or [1] * len(kernels)
    dilations = dilations or [1] * len(kernels)
    for K, s, d in zip(kernels, strides, dilations):
        X = cu.corr2d(X, K, stride=s, dilation=d)
    return X


def poke_map(kernels, size, strides=None, dilations=None):
    """Value of the central output unit when the input is 1 at (a, b) and 0 elsewhere, for every (a, b)."""
    out_size = run_stack(np.zeros((size, size)), kernels, strides, dilations).shape[0]
    centre = (out_size - 1) // 2
    effect = np.zeros((size, size))
    for a in range(size):
        for b in range(size):
            impulse = np.zeros((size, size))
            impulse[a, b] = 1.0
            effect[a, b] = run_stack(impulse, kernels, strides, dilations)[centre, centre]
    return effect


# %% [markdown]
# With all-ones $2 \times 2$ kernels on a $6 \times 6$ input: one layer, then two layers.

# %%
ones2 = np.ones((2, 2))
one_layer = poke_map([ones2], size=6)
two_layers = poke_map([ones2, ones2], size=6)
print("one 2x2 layer, effect of each input pixel on the central output unit:\n", one_layer.astype(int))
print("two 2x2 layers:\n", two_layers.astype(int))
print("field boxes:", bounding_box(one_layer), bounding_box(two_layers), sep="\n")
assert bounding_box(one_layer)[2:] == (2, 2)
assert bounding_box(two_layers)[2:] == (3, 3)
assert two_layers[2, 2] == 4 and two_layers[1, 1] == two_layers[3, 3] == 1

# %% [markdown]
# One $2 \times 2$ layer sees $2 \times 2$ pixels; two stacked $2 \times 2$ layers see
# $3 \times 3$, not $4 \times 4$: the windows of neighbouring layer-1 units overlap by one pixel.
# `bounding_box` (from `course_utils.receptive_field`) returns the smallest box around the non-zero
# cells as `(top, left, height, width)`. The middle pixel counts $4$: it reaches the output through
# all four layer-1 units, the corners through one.

# %% [markdown]
# ## Counting: the recurrence
#
# Poking costs one forward pass per input pixel. A formula is cheaper. Follow two numbers up the
# stack, both measured in input pixels:
#
# * $r_L$, the side of the receptive field of a unit in layer $L$;
# * $j_L$, the **jump**: how far apart two neighbouring units of layer $L$ sit in the input.
#
# The input itself has $r_0 = 1$ and $j_0 = 1$. A unit of layer $L$ with kernel size $k_L$ and
# dilation $d_L$ combines $k_L$ units of layer $L - 1$ along each axis, $d_L$ units apart. Its first
# and last tap are $(k_L - 1)\, d_L$ units, that is $(k_L - 1)\, d_L\, j_{L-1}$ input pixels, apart,
# and each brings a field of $r_{L-1}$ pixels. Its stride $s_L$ spaces out its own units. Hence
#
# $$r_L = r_{L-1} + (k_L - 1)\, d_L\, j_{L-1}, \qquad j_L = j_{L-1}\, s_L .$$
#
# With stride $1$ and no dilation the jump stays $1$ and every $k \times k$ layer adds $k - 1$:
# $r_L = 1 + L (k - 1)$, so $L + 1$ for $2 \times 2$ kernels and $2L + 1$ for $3 \times 3$ kernels.

# %% [markdown]
# `receptive_field(layers)` evaluates the recurrence. A layer is an int kernel size, a tuple
# `(k, s, d)` (shorter tuples default `s` and `d` to 1) or a `Layer`; the function returns a
# `FieldStep(size, jump)` after every layer.

# %%
print("2x2:        ", receptive_field([2]))
print("2x2 and 2x2:", receptive_field([2, 2]))
assert receptive_field([2])[-1].size == 2 and receptive_field([2, 2])[-1].size == 3
for L in range(1, 6):
    size = receptive_field([3] * L)[-1].size
    print(f"{L} stacked 3x3 layers: {size}x{size}")
    assert size == 2 * L + 1

# %% [markdown]
# Some texts write $(2L + 1) \times (2L + 1)$ for $L$ stacked $3 \times 3$ layers with an
# "approximately". For stride $1$, no dilation and an output unit away from the border, it is exact.

# %% [markdown]
# ## Measuring by backpropagation
#
# Poking gives, for each pixel, how much the output unit changes per unit change of that pixel:
# that is the partial derivative $\partial y / \partial X[a, b]$. Backpropagation computes all of
# them in one backward pass. So: run the stack forward, pick one output unit $y$ near the centre,
# backpropagate $1$ from it, and read the input gradient. Where it is non-zero, the pixel is in the
# field.

# %% [markdown]
# Here it is by hand in PyTorch, for the two $2 \times 2$ layers above; it matches the poking map
# exactly.

# %%
x = torch.zeros((1, 1, 6, 6), dtype=torch.float64, requires_grad=True)
kernel = torch.ones((1, 1, 2, 2), dtype=torch.float64)
y = F.conv2d(F.conv2d(x, kernel), kernel)  # 6x6 -> 5x5 -> 4x4
centre = (y.shape[-1] - 1) // 2
y[0, 0, centre, centre].backward()
gradient = x.grad[0, 0].numpy()
print("output shape:", tuple(y.shape), "| unit:", (centre, centre))
print("input gradient:\n", gradient.astype(int))
assert np.array_equal(gradient, two_layers)

# %% [markdown]
# `receptive_field_by_gradient(layers)` packs those steps: it builds the stack as single-channel
# layers without bias, picks the central output unit of an input large enough that the whole field
# fits with a margin, backpropagates, and returns the box. Here is the table for $L = 1, \dots, 5$
# stacked $3 \times 3$ layers with random positive kernels.

# %%
print("L | formula | gradient box | non-zero pixels")
for L in range(1, 6):
    formula = receptive_field([3] * L)[-1].size
    measured = receptive_field_by_gradient([3] * L, weights="positive", seed=L)
    nonzero = int(np.count_nonzero(measured.gradient))
    print(f"{L} | {formula:>3d}x{formula:<3d} | {measured.size[0]:>6d}x{measured.size[1]:<5d} | {nonzero}")
    assert measured.size == (formula, formula) == (2 * L + 1, 2 * L + 1)
    assert nonzero == formula**2  # every pixel of the box is reached

# %% [markdown]
# ### Why positive weights
#
# The gradient of a linear stack at pixel $(a, b)$ is a sum over all paths from that pixel to the
# output unit, each path contributing the product of the kernel weights along it. With signed
# weights the paths can cancel, and a pixel that is connected to the unit shows a gradient of
# exactly zero. Two $2 \times 2$ layers, the first all ones and the second
# $\begin{smallmatrix}1&-1\\-1&1\end{smallmatrix}$, show it.

# %%
signed = np.array([[1.0, -1.0], [-1.0, 1.0]])
cancelled = poke_map([ones2, signed], size=6)
print("gradient with a signed second kernel:\n", cancelled.astype(int))
print("box:", bounding_box(cancelled), "| non-zero pixels:", np.count_nonzero(cancelled), "of 9")
assert bounding_box(cancelled)[2:] == (3, 3)
assert np.count_nonzero(cancelled) == 4 and np.count_nonzero(two_layers) == 9

# %% [markdown]
# Five of the nine pixels cancel. Here the box survives (its outer rows and columns are products
# of the kernels' outer rows and columns), but counting pixels, or choosing weights that zero an
# edge, would give the wrong field. The receptive field is a property of the *connections*: a pixel
# belongs to it if some choice of weights lets it change the unit. With positive weights every
# path adds a positive amount, so a gradient entry is non-zero exactly when at least one path
# exists. That is why the measurement uses all-ones or positive random kernels. (In a trained
# network with ReLUs, inactive units also block gradient paths for a given input: the field is
# what *can* influence the unit, not what does for one image.)

# %% [markdown]
# ## Three frameworks, one gradient map
#
# The gradient map does not depend on the library. We take a stack with a stride and a dilation,
# $3 \times 3$ conv, $3 \times 3$ conv with stride $2$, $3 \times 3$ conv with dilation $2$, and
# random positive kernels shared by all versions. The recurrence predicts
# $r = 3,\ 3 + 2 = 5,\ 5 + 2 \cdot 2 \cdot 2 = 13$.

# %%
config = [Layer(3), Layer(3, stride=2), Layer(3, dilation=2)]
kernels = [rng.uniform(0.5, 1.5, size=(3, 3)).astype(np.float32) for _ in config]
strides = [layer.stride for layer in config]
dilations = [layer.dilation for layer in config]
size = 21  # 21x21 -> 19x19 -> 9x9 -> 5x5; the central unit's field spans pixels 4 to 16
print("sizes:", [step.size for step in receptive_field(config)], "| jumps:", [step.jump for step in receptive_field(config)])
assert [step.size for step in receptive_field(config)] == [3, 5, 13]

numpy_map = poke_map(kernels, size, strides, dilations)
print("NumPy (poking) box:", bounding_box(numpy_map))
assert bounding_box(numpy_map) == (4, 4, 13, 13)

# %% [markdown]
# The same map by automatic differentiation in each framework. PyTorch: `backward()` on the
# selected unit.

# %%
x = torch.zeros((1, 1, size, size), requires_grad=True)
y = x
for K, layer in zip(kernels, config):
    y = F.conv2d(y, torch.from_numpy(K)[None, None], stride=layer.stride, dilation=layer.dilation)
centre = (y.shape[-1] - 1) // 2
y[0, 0, centre, centre].backward()
torch_map = x.grad[0, 0].numpy()
print("PyTorch output shape:", tuple(y.shape), "| box:", bounding_box(torch_map))
assert tuple(y.shape) == (1, 1, 5, 5)

# %% [markdown]
# MXNet: mark the input with `attach_grad()`, record the forward pass under `autograd.record()`,
# then call `backward()` on the unit.

# %%
# %%needs mxnet
x_mx = mnp.zeros((1, 1, size, size))
x_mx.attach_grad()
with autograd.record():
    y_mx = x_mx
    for K, layer in zip(kernels, config):
        y_mx = npx.convolution(data=y_mx, weight=mnp.array(K).reshape(1, 1, 3, 3), kernel=(3, 3),
                               stride=(layer.stride,) * 2, dilate=(layer.dilation,) * 2, num_filter=1, no_bias=True)
    unit = y_mx[0, 0, centre, centre]
unit.backward()
mxnet_map = cu.to_numpy(x_mx.grad, "x_mx.grad")[0, 0]
print("MXNet output shape:", y_mx.shape, "| box:", bounding_box(mxnet_map))

# %% [markdown]
# JAX has no `.grad` attribute on arrays: write the unit as a function of the input and ask
# `jax.grad` for its gradient function.

# %%
def unit_jax(x):
    y = x
    for K, layer in zip(kernels, config):
        y = jax.lax.conv_general_dilated(y, jnp.asarray(K)[None, None], window_strides=(layer.stride,) * 2,
                                         padding="VALID", rhs_dilation=(layer.dilation,) * 2)
    return y[0, 0, centre, centre]


jax_map = np.asarray(jax.grad(unit_jax)(jnp.zeros((1, 1, size, size))))[0, 0]
print("JAX box:", bounding_box(jax_map))

# %% [markdown]
# All four maps agree (up to float32 round-off), and so do their boxes.

# %%
grad_maps = {"PyTorch": torch_map, "MXNet": lambda: mxnet_map, "JAX": jax_map}
cu.compare(numpy_map, grad_maps, tolerance=1e-4, reference_name="the NumPy poke map")
for name, grad_map in cu.frameworks.available_results(grad_maps).items():
    assert bounding_box(grad_map) == bounding_box(numpy_map)
    assert np.array_equal(grad_map != 0, numpy_map != 0)

# %% [markdown]
# ## Stride, dilation and pooling
#
# In the recurrence, the growth $(k_L - 1)\, d_L\, j_{L-1}$ of each layer has three factors. The
# kernel size adds linearly. A **dilation** multiplies the growth of its own layer. A **stride**
# multiplies the jump, and with it the growth of *every later layer*, so strides compound. A
# **pooling** window is a layer like any other: a $2 \times 2$ pool with stride $2$ is $k = 2$,
# $s = 2$. **Padding** shifts where a field lies but not its size.
#
# The table measures every prefix of each stack by gradient and compares it with the formula.
# Average pooling is built as a convolution with the constant kernel $\tfrac{1}{4}$; max pooling
# gets its own section below.

# %%
stacks = {
    "3x3 conv x3": [3, 3, 3],
    "3x3 conv, stride 2, x3": [(3, 2), (3, 2), (3, 2)],
    "3x3 conv, dilation 1, 2, 4": [(3, 1, 1), (3, 1, 2), (3, 1, 4)],
    "conv, avg pool, conv, avg pool, conv": [3, Layer(2, stride=2, kind="avg_pool"), 3,
                                             Layer(2, stride=2, kind="avg_pool"), 3],
    "3x3 conv, padding 1, x3": [Layer(3, padding=1)] * 3,
}
print(f"{'stack':37s} | {'r by formula (jump)':36s} | r by gradient")
for name, layers in stacks.items():
    steps = receptive_field(layers)
    measured = [receptive_field_by_gradient(layers[: n + 1], weights="positive").size[0] for n in range(len(layers))]
    by_formula = ", ".join(f"{step.size} ({step.jump})" for step in steps)
    print(f"{name:37s} | {by_formula:36s} | {', '.join(map(str, measured))}")
    assert measured == [step.size for step in steps]

assert [s.size for s in receptive_field(stacks["3x3 conv x3"])] == [3, 5, 7]
assert [s.size for s in receptive_field(stacks["3x3 conv, stride 2, x3"])] == [3, 7, 15]
assert [s.size for s in receptive_field(stacks["3x3 conv, dilation 1, 2, 4"])] == [3, 7, 15]
assert [s.size for s in receptive_field(stacks["conv, avg pool, conv, avg pool, conv"])] == [3, 4, 8, 10, 18]
assert receptive_field(stacks["3x3 conv, padding 1, x3"]) == receptive_field(stacks["3x3 conv x3"])

# %% [markdown]
# Three $3 \times 3$ layers see $7 \times 7$ pixels with stride $1$, but $15 \times 15$ with
# stride $2$ in each layer or with dilations $1, 2, 4$: the growth per layer doubles each time
# instead of staying at $2$. The pooled stack reaches $18 \times 18$ with only three $3 \times 3$
# kernels. Strides shrink the feature maps as a side effect; dilations keep their size.

# %% [markdown]
# ### Max pooling: the gradient depends on the input
#
# A max pool passes gradient back only to the input that won its window, so one backward pass
# shows the pixels that *did* influence the unit for this particular image, not all that *can*.
# Take $3 \times 3$ conv, $2 \times 2$ max pool with stride $2$, $3 \times 3$ conv, whose field is
# $8 \times 8$ by the formula, and measure it on one random input, then on $40$ random inputs,
# keeping every pixel that received gradient at least once.

# %%
pooled = [Layer(3), Layer(2, stride=2, kind="max_pool"), Layer(3)]
r_pooled = receptive_field(pooled)[-1].size
n_pooled = 12  # 12x12 -> 10x10 -> 5x5 -> 3x3; the central unit's field spans pixels 2 to 9
one_input = receptive_field_by_gradient(pooled, input_size=n_pooled, seed=0)
reached = np.zeros((n_pooled, n_pooled))
for seed in range(40):
    reached += receptive_field_by_gradient(pooled, input_size=n_pooled, seed=seed).gradient != 0
averaged = receptive_field_by_gradient([Layer(3), Layer(2, stride=2, kind="avg_pool"), Layer(3)],
                                       input_size=n_pooled)
print(f"formula: {r_pooled}x{r_pooled}")
print(f"max pool, one input:  box {one_input.size}, {np.count_nonzero(one_input.gradient)} pixels")
print(f"max pool, 40 inputs:  box {bounding_box(reached)[2:]}, {np.count_nonzero(reached)} pixels")
print(f"average pool:         box {averaged.size}, {np.count_nonzero(averaged.gradient)} pixels")
assert r_pooled == 8 and one_input.output_position == (1, 1)
assert np.count_nonzero(one_input.gradient) < 64 and one_input.size != (8, 8)
assert bounding_box(reached)[2:] == (8, 8) and np.count_nonzero(reached) == 64
assert averaged.size == (8, 8) and np.count_nonzero(averaged.gradient) == 64

# %% [markdown]
# On one input the max-pool gradient covers only part of the field; over many inputs it fills
# the whole $8 \times 8$ box, which an average pool (every input of the window gets a share of
# the gradient) shows in a single pass. So: measure receptive fields with average pooling in place
# of max pooling, or take the union over many inputs. The figure shows the three maps.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
show_array(axes[0], one_input.gradient, "max pool, one input: gradient", signed=False, annotate=False)
show_array(axes[1], reached, "max pool: inputs (of 40) giving gradient", signed=False, annotate=False)
show_array(axes[2], averaged.gradient, "average pool: gradient", signed=False, annotate=False)
fig.suptitle("conv 3x3, 2x2 pool with stride 2, conv 3x3: which pixels reach the central unit (field 8x8)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Inside the field: the gradient map
#
# The gradient tells more than the box. With all-ones kernels, the entry at a pixel counts the
# paths from that pixel to the output unit. Here are the maps for $1$, $2$ and $3$ stacked
# $3 \times 3$ layers, on the same $9 \times 9$ input.

# %%
fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
maps = {}
for ax, L in zip(axes, (1, 2, 3)):
    maps[L] = receptive_field_by_gradient([3] * L, input_size=9).gradient
    r = receptive_field([3] * L)[-1].size
    show_array(ax, maps[L], f"{L} layer{'s' if L > 1 else ''} of 3x3: field {r}x{r}", signed=False,
               annotate=True, fmt="{:.0f}")
fig.suptitle("Input gradient of the central output unit (all-ones kernels): number of paths to each pixel")
fig.tight_layout()
plt.show()

# %% [markdown]
# The counts form a pyramid. Along one axis a $3 \times 3$ all-ones layer spreads $1$ into
# $(1, 1, 1)$; each further layer convolves with $(1, 1, 1)$ again, giving $(1, 2, 3, 2, 1)$, then
# $(1, 3, 6, 7, 6, 3, 1)$, the coefficients of $(1 + x + x^2)^L$, and the 2-D map is the outer
# product of that row with itself. NumPy's `np.convolve` reproduces the maps.

# %%
def path_counts(L):
    row = np.array([1.0])
    for _ in range(L):
        row = np.convolve(row, np.ones(3))
    return row


for L in (1, 2, 3):
    row = path_counts(L)
    r = len(row)
    top, left = bounding_box(maps[L])[:2]
    print(f"L = {L}: row {row.astype(int)}")
    assert np.array_equal(maps[L][top : top + r, left : left + r], np.outer(row, row))
assert maps[3].max() == 49 and maps[3][bounding_box(maps[3])[:2]] == 1

# %% [markdown]
# ### The effective receptive field
#
# The centre pixel of the $7 \times 7$ field reaches the unit along $49$ paths, a corner along
# one. As layers are added the contrast grows: the row of counts is the distribution of a sum of
# $L$ independent steps $-1, 0, +1$, which by the central limit theorem approaches a Gaussian with
# variance $2L/3$. Its width grows like $\sqrt{L}$ while the field grows like $2L + 1$. Luo et al.
# (2016) call the region that holds most of the gradient the **effective receptive field**. The
# table gives, for each depth, the smallest central square that holds $90\%$ of the gradient sum,
# from the NumPy counts (checked against PyTorch's gradient).

# %%
print(" L | field | 90% square | share of field side")
effective = {}
for L in (1, 2, 3, 5, 10, 20, 40):
    row = path_counts(L)
    counts = np.outer(row, row)
    if L <= 10:
        measured = receptive_field_by_gradient([3] * L)
        top, left = measured.box[:2]
        assert np.array_equal(measured.gradient[top : top + 2 * L + 1, left : left + 2 * L + 1], counts)
    h = next(h for h in range(L + 1) if counts[L - h : L + h + 1, L - h : L + h + 1].sum() >= 0.9 * counts.sum())
    effective[L] = 2 * h + 1
    print(f"{L:2d} | {2 * L + 1:5d} | {effective[L]:10d} | {effective[L] / (2 * L + 1):.2f}")
assert [effective[L] for L in (5, 10, 20, 40)] == [7, 11, 15, 21]

# %% [markdown]
# At $40$ layers the field is $81 \times 81$ but $90\%$ of the gradient comes from the central
# $21 \times 21$. The profiles below, normalised to sum to $1$, are plotted against the Gaussian
# of variance $2L/3$.

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
for L in (2, 5, 10, 20):
    row = path_counts(L)
    offsets = np.arange(-L, L + 1)
    axes[0].plot(offsets, row / row.sum(), marker="o", markersize=3, label=f"L = {L} (field {2 * L + 1})")
axes[0].set_title("Gradient along the central row, normalised")
axes[0].set_xlabel("offset from the centre of the field (pixels)")
axes[0].set_ylabel("share of the row's gradient")
axes[0].legend()

L = 20
row = path_counts(L) / path_counts(L).sum()
offsets = np.arange(-L, L + 1)
gaussian = np.exp(-(offsets**2) / (2 * (2 * L / 3))) / np.sqrt(2 * np.pi * 2 * L / 3)
axes[1].bar(offsets, row, color="tab:blue", alpha=0.6, label="path counts (L = 20)")
axes[1].plot(offsets, gaussian, "k-", label="Gaussian, variance 2L/3")
axes[1].set_title("L = 20: the counts are nearly Gaussian")
axes[1].set_xlabel("offset from the centre of the field (pixels)")
axes[1].legend()
fig.tight_layout()
plt.show()

gap = float(np.max(np.abs(row - gaussian)))
print(f"L = 20, largest gap to the Gaussian: {gap:.4f} (peak {row.max():.4f})")
assert gap < 0.002

# %% [markdown]
# So the nominal receptive field is an upper bound: a deep stack of small kernels can see a large
# patch, but it listens mostly to the middle of it. Training reshapes the weights and can widen
# the effective field somewhat, and strides, dilation and pooling push both sizes up.

# %% [markdown]
# ## Recap
#
# * The receptive field of a unit is the set of input positions that can change it. One $2 \times 2$
#   layer: $2 \times 2$; two: $3 \times 3$; $L$ stacked $3 \times 3$ layers: exactly
#   $(2L + 1) \times (2L + 1)$.
# * Recurrence: $r_L = r_{L-1} + (k_L - 1)\, d_L\, j_{L-1}$ and $j_L = j_{L-1}\, s_L$ from
#   $r_0 = j_0 = 1$ (`receptive_field`).
# * Measure it by backpropagating $1$ from one output unit and boxing the non-zero input gradient
#   (`receptive_field_by_gradient`). Use positive weights: signed ones can cancel entries. PyTorch,
#   MXNet, JAX and NumPy poking gave the same map.
# * Strides compound through the jump, dilations scale their own layer: three $3 \times 3$ layers
#   see $7$, or $15$ with stride $2$ or dilations $1, 2, 4$. A pool is a layer with $k = s = 2$;
#   padding does not change the size.
# * Max pooling sends gradient to the winners only: use average pooling or many inputs to measure.
# * All-ones stacks weight the field like $(1 + x + x^2)^L$, close to a Gaussian of width
#   $\propto \sqrt{L}$: the effective receptive field is much smaller than the nominal one.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("10_receptive_field")

# %% [markdown]
# ### Exercise 1: the recurrence in code
#
# Write `receptive_field_sizes(layers)`. `layers` is a list of `(k, s, d)` tuples (kernel size,
# stride, dilation) from input to output; return a list with the receptive-field size after each
# layer, e.g. `[3, 5, 7]` for `[(3, 1, 1)] * 3`. Use plain Python, not `receptive_field`.

# %%
# SOLUTION q1

# %%
q1.check(receptive_field_sizes)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: one stack by hand
#
# A network starts with a $3 \times 3$ conv, then a $3 \times 3$ conv with stride $2$, then a
# $2 \times 2$ max pool with stride $2$, then a $3 \times 3$ conv with dilation $2$ (no other
# strides or dilations). What is the side of the receptive field of a unit after the last layer?
# Work it out on paper with the recurrence, then store the number in `answer`.

# %%
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): two $3 \times 3$ layers or one $5 \times 5$?
#
# Two stacked $3 \times 3$ layers and one $5 \times 5$ layer have the same $5 \times 5$ receptive
# field. Why do modern CNNs mostly stack small kernels? Think about the number of weights, what can
# go between the layers, and what the stack gives up. This one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [09 · Pooling](09_pooling.ipynb)
#
# **Next:** [11 · Trained filters and invariance](11_trained_filters_and_invariance.ipynb)
