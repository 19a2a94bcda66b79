# %% [markdown]
# # 06 · Padding and stride
#
# So far every cross-correlation was *valid*: the kernel stayed inside the image, and the output came
# out smaller than the input. Two settings of every convolution layer control the output size.
# **Padding** adds a border of zeros so the kernel may hang over the edge; **stride** moves the
# kernel by more than one pixel at a time. This lesson works out what each does to the size, and
# checks every claim against PyTorch, MXNet and JAX.
#
# **In this lesson you will**
#
# 1. see how quickly valid correlations shrink an image, and that border pixels are read least;
# 2. pad with zeros, and choose the padding that keeps the size ("same") or grows it ("full");
# 3. move the kernel with a stride, from scratch in NumPy and in the three frameworks;
# 4. use the general output-size formula, and understand its floor: which input sizes share an output
#    size, and which pixels no window reads;
# 5. reproduce worked examples and a table of output shapes with real layers of all three frameworks;
# 6. pad unevenly for an even kernel, and find out what PyTorch's `padding='same'` does then.

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import warnings

import flax.linen as fnn
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from scipy.signal import convolve2d as full_convolve2d  # SciPy's true 2-D convolution, 'full' by default
from scipy.signal import correlate2d
from torch import nn as torch_nn

import course_utils as cu
from course_utils import exercises
from course_utils._checks import as_pair
from course_utils.arithmetic import (
    as_padding_widths,
    full_padding,
    ignored_input_size,
    input_sizes_for_output,
    input_usage,
    same_padding,
    same_padding_split,
)
from course_utils.diagrams import correlation_step_formula
from course_utils.plotting import show_array, show_padded_array, show_window_counts
from course_utils.sliding_window import ConvGeometry, draw_sliding_window
from course_utils.widgets import explore_convolution

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
import mxnet as mx
from mxnet import np as mnp
from mxnet import npx
from mxnet.gluon import nn as gluon_nn

# %% [markdown]
# ## Why outputs shrink
#
# Along one axis of length $n$, a kernel of length $k$ fits at positions $0, 1, \dots, n - k$: that
# is $n - k + 1$ places. Each axis loses $k - 1$ entries, so an $n_h \times n_w$ input and a
# $k_h \times k_w$ kernel give
#
# $$(n_h - k_h + 1) \times (n_w - k_w + 1).$$
#
# ![A 3x3 kernel sliding over a 4x4 input without padding: it fits in 2 x 2 positions](../images/no_padding_no_strides.gif)
#
# One layer loses little, but a network stacks many. With $3 \times 3$ kernels every layer takes
# $2$ pixels off each side length, so after $L$ layers a $32 \times 32$ image is $(32 - 2L) \times (32 - 2L)$.

# %%
size = 32
sizes = [size]
for layer in range(15):
    size = cu.conv_output_size(size, 3)
    sizes.append(size)
print("layers L:", " ".join(f"{L:3d}" for L in range(16)))
print("size    :", " ".join(f"{n:3d}" for n in sizes))
assert sizes == [32 - 2 * L for L in range(16)]

# %% [markdown]
# After $15$ layers only a $2 \times 2$ map is left, and a $16$th layer has no room for its kernel at
# all. The frameworks agree. Here are $15$ stacked $3 \times 3$ layers in each of them, applied to a
# $32 \times 32$ input (only the shapes matter, so the weights keep their random initial values).

# %%
# %%needs mxnet
def gluon_stack_output_shape(layers, padding):
    """Spatial output shape of `layers` stacked 3x3 Gluon layers (1 channel) on a 32x32 input."""
    gluon_stack = gluon_nn.Sequential()
    gluon_stack.add(*[gluon_nn.Conv2D(1, 3, padding=padding, in_channels=1) for _ in range(layers)])
    gluon_stack.initialize()
    return tuple(gluon_stack(mnp.zeros((1, 1, 32, 32))).shape[2:])


# %%
def stacked_output_shapes(layers, padding):
    """Spatial output shape of `layers` stacked 3x3 layers (1 channel) in each framework present."""
    x = np.zeros((1, 1, 32, 32), dtype=np.float32)
    torch_stack = torch_nn.Sequential(*[torch_nn.Conv2d(1, 1, 3, padding=padding) for _ in range(layers)])
    flax_stack = fnn.Sequential([fnn.Conv(1, (3, 3), padding=padding) for _ in range(layers)])
    # jax.eval_shape traces the layers (NHWC input) and returns the output's shape without computing it
    flax_out, _ = jax.eval_shape(flax_stack.init_with_output, jax.random.PRNGKey(0), jnp.zeros((1, 32, 32, 1)))
    return cu.frameworks.available_results({
        "PyTorch": tuple(torch_stack(torch.from_numpy(x)).shape[2:]),
        "MXNet": lambda: gluon_stack_output_shape(layers, padding),
        "JAX": tuple(flax_out.shape[1:3]),
    })


shapes = stacked_output_shapes(15, padding=0)
print("15 layers, no padding:", shapes)
assert all(shape == (2, 2) for shape in shapes.values())

# %% [markdown]
# Size is not the only loss. A pixel in the middle of the image lies under many window positions, a
# corner pixel under just one. `input_usage(n, k)` counts, along one axis, how many windows read each
# position; the count for pixel $(i, j)$ of a square image is the product of its row and column
# counts. Here is a $6 \times 6$ input under a $3 \times 3$ kernel.

# %%
usage_valid = np.outer(input_usage(6, 3), input_usage(6, 3))
print(usage_valid)
assert usage_valid[0, 0] == 1 and usage_valid[2, 3] == 9
assert usage_valid.sum() == 9 * cu.conv_output_size(6, 3) ** 2  # every output reads 9 pixels

# %% [markdown]
# The corner feeds one output, a centre pixel feeds nine. Whatever sits at the border of the image
# has little say in the result, and after a few layers it has none. Both problems have the same
# remedy: give the kernel room beyond the edge.

# %% [markdown]
# ## Zero padding
#
# **Padding** surrounds the input with extra rows and columns, almost always filled with zeros.
# `np.pad` does it; its second argument is the number of zeros on each side. Here is the $3 \times 3$
# input of the earlier lessons with padding $1$.

# %%
X = np.arange(9, dtype=np.float32).reshape(3, 3)
K = np.array([[0, 1], [2, 3]], dtype=np.float32)
X_padded = np.pad(X, 1)
print(X_padded)
assert X_padded.shape == (5, 5) and X_padded[1:-1, 1:-1].sum() == X.sum() and X_padded.sum() == X.sum()

# %% [markdown]
# With $p$ zeros on each side an axis of length $n$ becomes $n + 2p$ long, and the kernel fits
# $n + 2p - k + 1$ times. The $2 \times 2$ kernel now gives a $4 \times 4$ output instead of
# $2 \times 2$. The top-left window lies almost entirely in the padding: it covers the zeros and the
# input's $0$, so the first output is $0 \cdot 0 + 0 \cdot 1 + 0 \cdot 2 + 0 \cdot 3 = 0$.
#
# ![The 3x3 input padded to 5x5 (dashed cells are zeros) with the 2x2 kernel at the top-left position; the output is 4x4](../images/padding.png)

# %%
Y_padded = cu.corr2d(X, K, padding=1)
print(Y_padded)
assert Y_padded.shape == (4, 4) == (3 + 2 * 1 - 2 + 1,) * 2
assert np.array_equal(Y_padded, cu.corr2d(X_padded, K))  # padding = pad first, then a valid correlation
assert np.array_equal(Y_padded[1:3, 1:3], cu.corr2d(X, K))  # the old outputs sit in the middle
assert Y_padded[1:3, 1:3].ravel().tolist() == [19, 25, 37, 43]

# %% [markdown]
# In the figure the padding is hatched and the original input framed. The four outputs in the middle
# are the ones we had without padding ($19, 25, 37, 43$); the new ring around them comes from windows
# that overlap the zeros.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), gridspec_kw={"width_ratios": [5, 2, 4]})
show_padded_array(axes[0], X, 1, "input, padding 1 (hatched)")
show_array(axes[1], K, "kernel K")
show_array(axes[2], Y_padded, "output: 4x4")
fig.suptitle("Zero padding lets the kernel hang over the edge")
fig.tight_layout()
plt.show()

# %% [markdown]
# Padding also evens out how often pixels are read. With padding $1$ the $3 \times 3$ kernel reads
# the corner of our $6 \times 6$ input $4$ times instead of once.

# %%
usage_padded = np.outer(input_usage(6, 3, padding=1), input_usage(6, 3, padding=1))
print(usage_padded)
assert usage_padded[0, 0] == 4 and usage_padded.min() == 4 and usage_padded.max() == 9

# %% [markdown]
# Both maps on one colour scale, so that equal colours mean equal counts:

# %% tags=["hide-input"]
fig = show_window_counts([usage_valid, usage_padded], ["no padding: 4x4 output", "padding 1: 6x6 output"],
                         "How many 3x3 windows read each pixel of a 6x6 input")
plt.show()

# %% [markdown]
# ### "Same" padding
#
# Which padding keeps the size? Solve $n + 2p - k + 1 = n$:
#
# $$p = \frac{k - 1}{2}.$$
#
# For the odd kernels CNNs use almost everywhere this is a whole number: $1$ for $3 \times 3$,
# $2$ for $5 \times 5$, $3$ for $7 \times 7$. Keeping the size this way is called **same** padding;
# `same_padding(k)` computes it. An odd kernel also has a centre pixel, and with same padding the
# window of output $(i, j)$ is centred on input $(i, j)$: a kernel that is $1$ in the centre and $0$
# elsewhere returns the input unchanged.
#
# ![A 3x3 kernel sliding over a 5x5 input padded by 1: the output keeps the 5x5 size](../images/same_padding_no_strides.gif)

# %%
X32 = rng.standard_normal((32, 32))
for k in (1, 3, 5, 7):
    p = same_padding(k)
    assert p == (k - 1) // 2
    out = cu.conv_output_size(32, k, padding=p)
    torch_out = torch_nn.Conv2d(1, 1, k, padding=p)(torch.zeros(1, 1, 32, 32)).shape[2:]
    print(f"k = {k}: same padding p = {p}, 32x32 -> {out}x{out} (PyTorch: {tuple(torch_out)})")
    assert out == 32 and tuple(torch_out) == (32, 32)
    centre_only = np.zeros((k, k))
    centre_only[k // 2, k // 2] = 1.0
    assert np.array_equal(cu.corr2d(X32, centre_only, padding=p), X32)

# %% [markdown]
# Stacking layers with same padding no longer shrinks anything: after $15$ layers the map is still
# $32 \times 32$, in all three frameworks. Depth and size are now independent choices.

# %%
shapes = stacked_output_shapes(15, padding=same_padding(3))
print("15 layers, padding 1:", shapes)
assert all(shape == (32, 32) for shape in shapes.values())

# %% [markdown]
# For an even kernel, $k - 1$ is odd and cannot be split equally between the two sides.
# `same_padding` refuses, and its message says what to do instead; we come back to this at the end of
# the lesson.

# %%
try:
    same_padding(4)
except ValueError as error:
    print("ValueError:", error)
else:
    raise AssertionError("an even kernel has no symmetric same padding")

# %% [markdown]
# ### Full padding
#
# The largest padding that still makes sense is $p = k - 1$: the first window then holds exactly one
# input pixel, in its bottom-right corner, and every placement that overlaps the input at all is
# computed. The output has $n + 2(k - 1) - k + 1 = n + k - 1$ entries per axis. That is the
# **full** convolution of lesson 01, where two sequences of lengths $L$ and $M$ gave $L + M - 1$
# values. `full_padding(k)` returns $k - 1$.

# %%
x1, w1 = rng.standard_normal(10), rng.standard_normal(4)
x1_padded = np.pad(x1, full_padding(len(w1)))
full_by_padding = np.array([x1_padded[i : i + 4] @ w1[::-1] for i in range(len(x1_padded) - 4 + 1)])
diff = np.max(np.abs(full_by_padding - np.convolve(x1, w1)))
print(f"1-D: padded length {len(x1_padded)}, output length {len(full_by_padding)} = 10 + 4 - 1")
print(f"valid convolution of the padded signal vs np.convolve 'full': max |diff| = {diff:.1e}")
assert len(full_by_padding) == 10 + 4 - 1 and diff < 1e-12

# %% [markdown]
# In 2-D the same holds for both operations: padding by $k - 1$ turns `cu.corr2d` into SciPy's full
# cross-correlation and `cu.convolve2d` into its full convolution. Our padded example above was one
# already: with a $2 \times 2$ kernel, padding $1$ *is* full padding.

# %%
X_random, K_random = rng.standard_normal((6, 7)), rng.standard_normal((3, 2))
p_full = full_padding(K_random.shape)
print("full padding for a 3x2 kernel:", p_full)
diff_corr = np.max(np.abs(cu.corr2d(X_random, K_random, padding=p_full) - correlate2d(X_random, K_random, mode="full")))
diff_conv = np.max(np.abs(cu.convolve2d(X_random, K_random, padding=p_full) - full_convolve2d(X_random, K_random)))
print(f"corr2d with full padding vs correlate2d 'full':   max |diff| = {diff_corr:.1e}")
print(f"convolve2d with full padding vs convolve2d 'full': max |diff| = {diff_conv:.1e}")
assert cu.corr2d(X_random, K_random, padding=p_full).shape == (6 + 3 - 1, 7 + 2 - 1)
assert diff_corr < 1e-12 and diff_conv < 1e-12
assert full_padding(2) == 1 and np.array_equal(Y_padded, correlate2d(X, K, mode="full"))

# %% [markdown]
# ## Stride
#
# The **stride** $s$ is the step between two window positions. So far it was $1$. With stride $s$
# the windows start at rows $0, s, 2s, \dots$ and columns $0, s, 2s, \dots$ of the padded input
# $X_p$:
#
# $$Y[i, j] = \sum_{a, b} X_p[s_h i + a,\; s_w j + b]\; K[a, b].$$
#
# A stride of $2$ keeps about one output in four (a $32 \times 32$ input with a $3 \times 3$ kernel and
# padding $1$ gives $16 \times 16$ instead of $32 \times 32$): the layer downsamples. The figure shows three window
# positions of a $3 \times 3$ kernel on an $8 \times 8$ input with padding $1$ and stride $2$. Moving
# one step right in the output moves the window two cells right in the input.

# %%
assert cu.conv_output_size(32, 3, padding=1, stride=2) == 16
geometry = ConvGeometry(input_size=8, kernel_size=3, padding=1, stride=2)
print(geometry.describe())
assert geometry.output_size == (4, 4) and geometry.taps((0, 1))[0] == (0, 2)  # one output step = two input cells

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 6, figsize=(15, 3.4), gridspec_kw={"width_ratios": [10, 4] * 3})
for pair_index, position in enumerate([(0, 0), (0, 1), (1, 0)]):
    draw_sliding_window(axes[2 * pair_index : 2 * pair_index + 2], geometry, position)
fig.suptitle(geometry.describe())
fig.tight_layout()
plt.show()

# %% [markdown]
# The same movement as an animation, on a $5 \times 5$ input:
#
# ![A 3x3 kernel with padding 1 and stride 2 on a 5x5 input: it visits 3 x 3 positions](../images/padding_strides.gif)
#
# Strides can differ per axis. With the $3 \times 3$ input, the $2 \times 2$ kernel, padding $1$
# and stride $3$ down, $2$ across, the kernel fits $2 \times 2$ times. The two off-diagonal outputs
# are $0 \cdot 0 + 0 \cdot 1 + 1 \cdot 2 + 2 \cdot 3 = 8$ (top right) and
# $0 \cdot 0 + 6 \cdot 1 + 0 \cdot 2 + 0 \cdot 3 = 6$ (bottom left); the picture shows the
# bottom-right window, which covers $7, 8$ and two padding zeros: $7 \cdot 0 + 8 \cdot 1 = 8$.
#
# ![The 3x3 input 0 to 8 padded by one ring of zeros, the kernel [[0, 1], [2, 3]] and the 2x2 output [[0, 8], [6, 8]]; the window of output (1, 1) covers 7, 8 and two zeros, and the title reads output[1, 1] = 7*0 + 8*1 + 0*2 + 0*3 = 8](../images/stride.png)
#
# The next cell computes the output and writes out the sum of each window (in the padded input, the
# window of output $(i, j)$ starts at row $3i$ and column $2j$).

# %%
Y_strided = cu.corr2d(X, K, padding=1, stride=(3, 2))
print(Y_strided)
assert np.array_equal(Y_strided, [[0, 8], [6, 8]])
sums = {(i, j): correlation_step_formula(X_padded, K, (3 * i, 2 * j)) for i in range(2) for j in range(2)}
for (i, j), formula in sums.items():
    print(f"output[{i}, {j}] = {formula}")
assert sums[(0, 1)] == "0*0 + 0*1 + 1*2 + 2*3 = 8" and sums[(1, 0)] == "0*0 + 6*1 + 0*2 + 0*3 = 6"
assert sums[(1, 1)] == "7*0 + 8*1 + 0*2 + 0*3 = 8"
assert Y_strided.shape == cu.conv_output_size((3, 3), 2, padding=1, stride=(3, 2)) == (2, 2)

# %% [markdown]
# ### Padding and stride from scratch
#
# The definition turns into a short NumPy function: pad with `np.pad`, then visit every $s$-th window.
# `as_padding_widths` turns the padding into `((top, bottom), (left, right))`, the format `np.pad`
# expects, so the same function also accepts uneven padding (we need that later).

# %%
def corr2d_padded_strided(X, K, padding=0, stride=1):
    X_p = np.pad(X, as_padding_widths(padding))
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    k_h, k_w = K.shape
    out_h = (X_p.shape[0] - k_h) // s_h + 1
    out_w = (X_p.shape[1] - k_w) // s_w + 1
    Y = np.zeros((out_h, out_w), dtype=np.result_type(X, K))
    for i in range(out_h):
        for j in range(out_w):
            Y[i, j] = np.sum(X_p[i * s_h : i * s_h + k_h, j * s_w : j * s_w + k_w] * K)
    return Y


print(corr2d_padded_strided(X, K, padding=1, stride=2))
assert np.array_equal(corr2d_padded_strided(X, K, padding=1, stride=2), Y_padded[::2, ::2])

# %% [markdown]
# The last line shows another way to see a stride: compute the stride-1 output and keep every $s$-th
# row and column. Libraries do not compute the skipped values, which is the point of a stride, but the
# values that remain are the same.
#
# Next, the framework versions. PyTorch's `F.conv2d` and MXNet's `npx.convolution` take `padding`/`pad`
# and `stride` as ints or $(h, w)$ pairs; JAX's `lax.conv_general_dilated` wants the padding as explicit
# `(low, high)` pairs per axis. `cu.frameworks.corr2d_builtins(X, K, padding=p, stride=s)` makes these
# three calls on a single-channel input (lesson 00 wrote them out), and `cu.compare` prints each one's
# largest difference from our function.
#
# We compare all of them on a random $8 \times 8$ input, with the settings of the worked examples
# below: a square kernel with padding $1$ at stride $1$ and $2$, a $5 \times 3$ kernel with padding
# $(2, 1)$, and a $3 \times 5$ kernel with padding $(0, 1)$ and stride $(3, 4)$.

# %%
X8 = rng.standard_normal((8, 8)).astype(np.float32)
settings = [((3, 3), 1, 1), ((3, 3), 1, 2), ((5, 3), (2, 1), 1), ((3, 5), (0, 1), (3, 4))]
for kernel_shape, padding, stride in settings:
    K_test = rng.standard_normal(kernel_shape).astype(np.float32)
    reference = corr2d_padded_strided(X8, K_test, padding, stride)
    print(f"kernel {kernel_shape}, padding {padding}, stride {stride} -> output {reference.shape}")
    cu.compare(reference, {"cu.corr2d": cu.corr2d(X8, K_test, padding=padding, stride=stride),
                           **cu.frameworks.corr2d_builtins(X8, K_test, padding=padding, stride=stride)},
               tolerance=1e-5, reference_name="corr2d_padded_strided")

# %% [markdown]
# ## The general output-size formula
#
# Put padding and stride together. The padded axis has $n + 2p$ cells and a window covers $k$ of
# them, so the last window may start at $n + 2p - k$ at the latest. Starting at $0$ and stepping by
# $s$, the kernel makes $\lfloor (n + 2p - k)/s \rfloor$ full steps; with the first position that
# gives
#
# $$o = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1 .$$
#
# Lesson 07 adds dilation $d$, which makes a kernel span $d(k - 1) + 1$ cells instead of $k$. The
# formula then reads $\left\lfloor \frac{n + 2p - d(k - 1) - 1}{s} \right\rfloor + 1$, and that is
# what `cu.conv_output_size(n, k, padding=p, stride=s, dilation=d)` computes. With $d = 1$ it is the
# formula above.

# %%
print("8x8, k=3, p=1, s=2:", cu.conv_output_size(8, 3, padding=1, stride=2))
print("8x8, k=(3, 5), p=(0, 1), s=(3, 4):", cu.conv_output_size(8, (3, 5), padding=(0, 1), stride=(3, 4)))
assert cu.conv_output_size(8, 3, padding=1, stride=2) == (8 + 2 - 3) // 2 + 1 == 4
assert cu.conv_output_size(8, (3, 5), padding=(0, 1), stride=(3, 4)) == ((8 - 3) // 3 + 1, (8 + 2 - 5) // 4 + 1)

# %% [markdown]
# ### What the floor means
#
# At stride $1$ every input size gives a different output size. At stride $s$ the floor lumps $s$
# consecutive input sizes together. With $k = 3$, $s = 2$ and no padding, both $n = 7$ and $n = 8$
# give $3$ outputs: $\lfloor 4/2 \rfloor + 1 = \lfloor 5/2 \rfloor + 1 = 3$.
# `input_sizes_for_output(o, k, padding=p, stride=s)` lists every input size that gives $o$ outputs.

# %%
assert cu.conv_output_size(7, 3, stride=2) == cu.conv_output_size(8, 3, stride=2) == 3
for k, p, s, o in [(3, 0, 2, 3), (3, 1, 2, 4), (3, 0, 3, 3), (5, 2, 1, 28), (7, 3, 2, 112)]:
    sizes = input_sizes_for_output(o, k, padding=p, stride=s)
    print(f"k = {k}, p = {p}, s = {s}: output {o:3d} <- input sizes {list(sizes)}")
    assert [cu.conv_output_size(n, k, padding=p, stride=s) for n in sizes] == [o] * len(sizes)
    assert len(sizes) == s
    assert cu.conv_output_size(sizes[0] - 1, k, padding=p, stride=s) == o - 1
    assert cu.conv_output_size(sizes[-1] + 1, k, padding=p, stride=s) == o + 1

# %% [markdown]
# So what happens to the extra row of the $8 \times 8$ input? Its windows start at $0, 2, 4$ and end
# at $2, 4, 6$: **row 7 and column 7 are read by no window**. `input_usage` shows it as a count of
# $0$, and `ignored_input_size` counts such rows at the far end. For $n = 7$ nothing is wasted.

# %%
print("n = 8:", input_usage(8, 3, stride=2), " ignored:", ignored_input_size(8, 3, stride=2))
print("n = 7:", input_usage(7, 3, stride=2), " ignored:", ignored_input_size(7, 3, stride=2))
assert input_usage(8, 3, stride=2)[-1] == 0 and ignored_input_size(8, 3, stride=2) == 1
assert input_usage(7, 3, stride=2).min() == 1 and ignored_input_size(7, 3, stride=2) == 0

# %% [markdown]
# With padding, what the floor drops may be padding rather than image. The padded input has
# $n + 2p$ rows, and the last $(n + 2p - k) \bmod s$ of them are read by no window; the last $p$ rows
# of the padded input are zeros, so the real rows lost are
#
# $$\max\big(0,\; (n + 2p - k) \bmod s - p\big).$$
#
# With $p = 1$ the same $8 \times 8$ input loses nothing, although 7 and 8 still share an output size:
# the row the floor drops is the padding row.

# %%
for n, p in [(8, 0), (8, 1), (7, 1)]:
    lost = max(0, (n + 2 * p - 3) % 2 - p)
    print(f"n = {n}, p = {p}: output {cu.conv_output_size(n, 3, padding=p, stride=2)}, "
          f"reads per row {input_usage(n, 3, padding=p, stride=2)}, real rows lost {lost}")
    assert ignored_input_size(n, 3, padding=p, stride=2) == lost
assert cu.conv_output_size(7, 3, padding=1, stride=2) == cu.conv_output_size(8, 3, padding=1, stride=2)
assert input_usage(8, 3, padding=1, stride=2).min() >= 1  # every real row of the 8x8 input is read

# %% [markdown]
# Three examples are not a proof. The next cell counts, by brute force with `input_usage`, the rows that
# no window reads, for every $n \le 24$, $k \le 6$, $p < k$ and $s \le k$, and compares the count with the
# formula. The two conditions matter. With $s > k$ the windows leave gaps *between* them as well (a
# $1 \times 1$ kernel at stride $2$ skips every other row), and the formula counts only the rows after
# the last window. With $p \ge k$ a window can lie entirely in the padding, and the formula may even
# exceed $n$.

# %%
cases = [(n, k, p, s) for n in range(1, 25) for k in range(1, 7) for p in range(k) for s in range(1, k + 1)
         if k <= n + 2 * p]
mismatches = [case for case in cases
              if int(np.sum(input_usage(case[0], case[1], padding=case[2], stride=case[3]) == 0))
              != max(0, (case[0] + 2 * case[2] - case[1]) % case[3] - case[2])]
print(f"formula = rows never read in {len(cases) - len(mismatches)} of {len(cases)} cases")
assert not mismatches
gaps = input_usage(8, 1, stride=2)
print("k = 1, s = 2, n = 8:", gaps, f"-> {int(np.sum(gaps == 0))} rows never read, formula gives "
      f"{max(0, (8 - 1) % 2)}")
assert np.sum(gaps == 0) == 4 and ignored_input_size(8, 1, stride=2) == max(0, (8 - 1) % 2) == 1

# %% [markdown]
# Ignored really means ignored: changing the last row and column of the $8 \times 8$ input leaves the
# output untouched, in NumPy and in every framework.

# %%
K3 = rng.standard_normal((3, 3)).astype(np.float32)
X8_changed = X8.copy()
X8_changed[7, :] = 100.0
X8_changed[:, 7] = -100.0
before = corr2d_padded_strided(X8, K3, 0, 2)
after = corr2d_padded_strided(X8_changed, K3, 0, 2)
print("output shape:", before.shape, "| unchanged by the last row and column:", np.array_equal(before, after))
assert before.shape == (3, 3) and np.array_equal(before, after)
outputs_before = cu.frameworks.available_results(cu.frameworks.corr2d_builtins(X8, K3, stride=2))
outputs_after = cu.frameworks.available_results(cu.frameworks.corr2d_builtins(X8_changed, K3, stride=2))
for name, output in outputs_before.items():
    change = float(np.max(np.abs(outputs_after[name] - output)))
    print(f"{name:8s} output change: {change}")
    assert change == 0.0

# %% [markdown]
# The left panel draws the last window of the $8 \times 8$ case: the blue cells below and right of it
# are never covered. The other panels count the windows that read each pixel, for $n = 8$, for $n = 7$,
# and for $n = 8$ with padding $1$, all on one colour scale; grey cross-hatched cells are read by no
# window.

# %%
usage_by_case = {
    "8x8, padding 0: 3x3 output": np.outer(input_usage(8, 3, stride=2), input_usage(8, 3, stride=2)),
    "7x7, padding 0: 3x3 output": np.outer(input_usage(7, 3, stride=2), input_usage(7, 3, stride=2)),
    "8x8, padding 1: 4x4 output": np.outer(input_usage(8, 3, padding=1, stride=2),
                                           input_usage(8, 3, padding=1, stride=2)),
}
never_read = {case: int(np.sum(usage == 0)) for case, usage in usage_by_case.items()}
print("pixels read by no window:", never_read)
assert list(never_read.values()) == [8 + 8 - 1, 0, 0]  # row 7 and column 7 share one pixel

# %% tags=["hide-input"]
fig = show_window_counts(list(usage_by_case.values()), list(usage_by_case), "3x3 kernel, stride 2: which pixels "
                         "the windows read", window=(ConvGeometry(input_size=8, kernel_size=3, stride=2), (2, 2)))
plt.show()

# %% [markdown]
# ## Worked examples in three frameworks
#
# Now the sources' worked shapes, each computed three ways: by the formula, and by a real layer of
# PyTorch (`nn.Conv2d`), MXNet Gluon (`nn.Conv2D`) and Flax (`nn.Conv`). The layers start from random
# weights; only the shapes matter here. Flax works channels-last (NHWC), the others NCHW, and
# `jax.eval_shape` runs the Flax layer on shapes alone: it traces the layer and returns the shape and
# dtype of its output (a `jax.ShapeDtypeStruct`) without computing a single value.

# %%
# %%needs mxnet
def gluon_layer_output_shape(n, k, padding, stride):
    """Spatial output shape of one Gluon Conv2D layer on an n x n input."""
    gluon_layer = gluon_nn.Conv2D(1, kernel_size=k, padding=padding, strides=stride, in_channels=1)
    gluon_layer.initialize()
    return tuple(gluon_layer(mnp.zeros((1, 1, n, n))).shape[2:])


# %%
def layer_output_shapes(n, k, padding, stride):
    """Spatial output shape of one conv layer of each framework present on an n x n input."""
    torch_layer = torch_nn.Conv2d(1, 1, kernel_size=k, padding=padding, stride=stride)
    # an int kernel_size would make Flax convolve along one axis only
    flax_layer = fnn.Conv(1, kernel_size=as_pair(k, "k", minimum=1), padding=padding, strides=stride)
    flax_out, _ = jax.eval_shape(flax_layer.init_with_output, jax.random.PRNGKey(0), jnp.zeros((1, n, n, 1)))
    assert isinstance(flax_out, jax.ShapeDtypeStruct)  # a shape and a dtype, no values
    return cu.frameworks.available_results({
        "PyTorch": tuple(torch_layer(torch.zeros(1, 1, n, n)).shape[2:]),
        "MXNet": lambda: gluon_layer_output_shape(n, k, padding, stride),
        "JAX": tuple(flax_out.shape[1:3]),
    })


worked = [  # (input, kernel, padding, stride, expected output)
    (8, 3, 1, 1, (8, 8)),
    (8, (5, 3), (2, 1), 1, (8, 8)),
    (8, 3, 1, 2, (4, 4)),
    (8, (3, 5), (0, 1), (3, 4), (2, 2)),
]
for n, k, padding, stride, expected in worked:
    formula = cu.conv_output_size((n, n), k, padding=padding, stride=stride)
    shapes = layer_output_shapes(n, k, padding, stride)
    print(f"input {n}x{n}, kernel {k}, padding {padding}, stride {stride}: formula {formula}, layers {shapes}")
    assert formula == expected and all(shape == expected for shape in shapes.values())

# %% [markdown]
# The first two rows are same padding ($p = (k - 1)/2$ per axis, also for the $5 \times 3$ kernel);
# the third halves the size; in the last one the height gives $\lfloor (8 - 3)/3 \rfloor + 1 = 2$ and
# the width $\lfloor (8 + 2 - 5)/4 \rfloor + 1 = 2$.
#
# The PyTorch tutorial's layer `nn.Conv2d(in_channels=1, out_channels=32, kernel_size=3, stride=1,
# padding=1)` maps a batch of one $28 \times 28$ grey-scale image to $32$ feature maps of the same
# size. Its twins in MXNet and Flax do the same (Flax puts the channels last).

# %%
# %%needs mxnet
def gluon_twin_output_shape(images):
    """Output shape of the tutorial layer's Gluon twin on an (N, 1, H, W) NumPy batch."""
    gluon_conv = gluon_nn.Conv2D(channels=32, kernel_size=3, strides=1, padding=1, in_channels=1)
    gluon_conv.initialize()
    return tuple(gluon_conv(mnp.array(images)).shape)

# %%
image = torch.randn(1, 1, 28, 28)
torch_conv = torch_nn.Conv2d(in_channels=1, out_channels=32, kernel_size=3, stride=1, padding=1)
flax_conv = fnn.Conv(features=32, kernel_size=(3, 3), strides=1, padding=1)
image_nhwc = jnp.asarray(image.numpy()).transpose(0, 2, 3, 1)
flax_feature_maps, _ = flax_conv.init_with_output(jax.random.PRNGKey(0), image_nhwc)
results = cu.frameworks.available_results({
    "PyTorch": tuple(torch_conv(image).shape),
    "MXNet": lambda: gluon_twin_output_shape(image.numpy()),
    "JAX (NHWC)": tuple(flax_feature_maps.shape),
})
print(results)
assert results.pop("JAX (NHWC)") == (1, 28, 28, 32)
assert all(shape == (1, 32, 28, 28) for shape in results.values())

# %% [markdown]
# ### A table of output shapes
#
# A wider sweep: square inputs, kernels, paddings and strides, including the cases where the floor
# matters, a kernel as large as the input, and a $1 \times 1$ kernel with stride $2$ (it reads only
# every other pixel). Every row is computed by the formula and by a layer of each framework.

# %%
grid = [(8, 3, 0, 1), (8, 3, 1, 1), (8, 3, 2, 1), (8, 5, 2, 1), (8, 2, 0, 1), (8, 3, 1, 2), (7, 3, 0, 2),
        (8, 3, 0, 2), (9, 3, 0, 2), (8, 1, 0, 2), (8, 2, 0, 2), (5, 5, 0, 1), (6, 4, 1, 3), (28, 5, 0, 1),
        (28, 5, 2, 1), (28, 3, 1, 2), (32, 3, 1, 3), (224, 7, 3, 2)]
assert len(grid) == 18  # the count the text below names
columns = cu.frameworks.present(["PyTorch", "MXNet", "JAX"])
print("|   n |  k |  p |  s | formula | " + " | ".join(columns) + " |")
print("|----:|---:|---:|---:|--------:|" + "|".join("-" * (len(name) + 1) + ":" for name in columns) + "|")
for n, k, p, s in grid:
    o = cu.conv_output_size(n, k, padding=p, stride=s)
    shapes = layer_output_shapes(n, k, p, s)
    print(f"| {n:3d} | {k:2d} | {p:2d} | {s:2d} | {o:7d} | "
          + " | ".join(f"{shapes[name][0]:{len(name)}d}" for name in columns) + " |")
    assert all(shape == (o, o) for shape in shapes.values()), (n, k, p, s, shapes)

# %% [markdown]
# Eighteen rows are a sample. The next cell checks the formula on **every** combination of
# $n \le 8$, $k \le 4$, $p \le 2$ and $s \le 3$ for which the kernel fits, using the functional forms
# of the three frameworks (`jax.eval_shape` works out JAX's shape without computing anything).

# %%
checked = 0
for n in range(1, 9):
    for k in range(1, 5):
        for p in range(3):
            for s in range(1, 4):
                if k > n + 2 * p:
                    continue
                o = cu.conv_output_size(n, k, padding=p, stride=s)
                x, w = np.zeros((1, 1, n, n), np.float32), np.zeros((1, 1, k, k), np.float32)
                shapes = cu.frameworks.available_results({
                    "PyTorch": F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=p, stride=s).shape[2:],
                    "MXNet": lambda: cu.frameworks.corr2d_builtin("MXNet", x[0, 0], w[0, 0], padding=p,
                                                                  stride=s).shape,
                    "JAX": jax.eval_shape(
                        lambda a, b: jax.lax.conv_general_dilated(a, b, (s, s), [(p, p), (p, p)]), x, w).shape[2:],
                })
                assert all(tuple(shape) == (o, o) for shape in shapes.values()), (n, k, p, s, shapes)
                checked += 1
print(f"formula = {' = '.join(shapes)} on all {checked} combinations")
assert checked == 267  # 8 * 4 * 3 * 3 = 288 combinations, minus the 21 where the kernel does not fit

# %% [markdown]
# ## Uneven padding for even kernels
#
# A $2 \times 2$ (or $4 \times 4$) kernel needs $k - 1$ zeros per axis to keep the size: an odd
# number. The only way is to pad unevenly, for example $0$ zeros before and $1$ after.
# `same_padding_split(k)` gives such a split as `(before, after)` pairs; with a pair of kernel sizes
# the result is `((top, bottom), (left, right))`, the format of `np.pad` and of JAX.

# %%
print("same_padding_split(2) =", same_padding_split(2), "| same_padding_split((2, 2)) =", same_padding_split((2, 2)))
print("same_padding_split((4, 3)) =", same_padding_split((4, 3)))
assert same_padding_split((2, 2)) == ((0, 1), (0, 1)) and same_padding_split(3) == (1, 1)

# %%
X5 = np.arange(25, dtype=np.float32).reshape(5, 5)
widths = same_padding_split((2, 2))
Y5 = corr2d_padded_strided(X5, K, widths)
print("padded:", np.pad(X5, widths).shape, "-> output:", Y5.shape)
assert Y5.shape == X5.shape

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), gridspec_kw={"width_ratios": [6, 2, 5]})
show_padded_array(axes[0], X5, widths, "padding ((0, 1), (0, 1))")
show_array(axes[1], K, "kernel K")
show_array(axes[2], Y5, "output: 5x5, as the input")
fig.suptitle("A 2x2 kernel keeps the size with one extra row and column of zeros, at the bottom and right")
fig.tight_layout()
plt.show()

# %% [markdown]
# Each framework can do it, with a different spelling of the same widths:
#
# * **NumPy**: `np.pad(X, ((top, bottom), (left, right)))`, as in `corr2d_padded_strided`.
# * **PyTorch**: `F.pad(x, (left, right, top, bottom))`: note the order, the **last** axis comes first.
# * **JAX**: `padding=((top, bottom), (left, right))` in `lax.conv_general_dilated`.
# * **MXNet**: its convolution pads symmetrically only, so we pad the array first with `mnp.pad`.

# %%
K2 = rng.standard_normal((2, 2)).astype(np.float32)
(top, bottom), (left, right) = widths
reference = corr2d_padded_strided(X8, K2, widths)
print("output shape:", reference.shape)
assert reference.shape == X8.shape

# %%
# %%needs mxnet
x8_padded = mnp.pad(mnp.array(X8)[None, None], ((0, 0), (0, 0), (top, bottom), (left, right)))
Y_mxnet_uneven = npx.convolution(data=x8_padded, weight=mnp.array(K2)[None, None], kernel=(2, 2), num_filter=1,
                                 no_bias=True)[0, 0]

# %%
cu.compare(reference, {
    "PyTorch": F.conv2d(F.pad(torch.from_numpy(X8)[None, None], (left, right, top, bottom)),
                        torch.from_numpy(K2)[None, None])[0, 0],
    "MXNet": lambda: Y_mxnet_uneven,
    "JAX": jax.lax.conv_general_dilated(jnp.asarray(X8)[None, None], jnp.asarray(K2)[None, None],
                                        window_strides=(1, 1), padding=widths)[0, 0],
}, tolerance=1e-5, reference_name="corr2d_padded_strided with padding ((0, 1), (0, 1))")

# %% [markdown]
# Putting the extra zero before instead (top and left) is just as valid and keeps the size too, but
# the values differ: each output moves one pixel down and right, so the two choices are shifted copies
# of each other.

# %%
other_side = corr2d_padded_strided(X8, K2, ((1, 0), (1, 0)))
diff_shift = float(np.max(np.abs(other_side[1:, 1:] - reference[:-1, :-1])))
print("same shape:", other_side.shape == reference.shape, "| equal:", np.allclose(other_side, reference))
print(f"shifted by one pixel: max |diff| = {diff_shift:.1e}")
assert other_side.shape == (8, 8) and not np.allclose(other_side, reference) and diff_shift <= 1e-6

# %% [markdown]
# ### PyTorch's `padding='same'`
#
# PyTorch layers accept `padding='same'` and work out the padding themselves. For odd kernels it is
# $(k - 1)/2$ on each side. For even kernels PyTorch must pick a side, and warns that it has to make a
# padded copy of the input (we catch that warning rather than print it). Which side gets the extra
# zero? We compare with both uneven paddings.

# %%
x8, k2 = torch.from_numpy(X8)[None, None], torch.from_numpy(K2)[None, None]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    torch_same = F.conv2d(x8, k2, padding="same")[0, 0].numpy()
print("PyTorch warned:", [w.category.__name__ for w in caught])
assert any(issubclass(w.category, UserWarning) for w in caught)
diff_after = float(np.max(np.abs(torch_same - reference)))
diff_before = float(np.max(np.abs(torch_same - other_side)))
print(f"padding='same' vs extra zero after (bottom/right): max |diff| = {diff_after:.1e}")
print(f"padding='same' vs extra zero before (top/left):     max |diff| = {diff_before:.1e}")
assert diff_after <= 1e-5 and diff_before > 1.0

# %% [markdown]
# PyTorch puts the extra zero **after**: at the bottom and on the right. JAX's `padding='SAME'`
# makes the same choice, as its padding rule shows, and so does Flax's `nn.Conv(padding='SAME')`
# (we load our kernel into it, in Flax's (height, width, in, out) layout). For odd kernels `'same'`
# is symmetric and equals `same_padding(k)`.

# %%
jax_pads = jax.lax.padtype_to_pads((8, 8), (2, 2), (1, 1), "SAME")
print("JAX 'SAME' pads a 2x2 kernel with", jax_pads)
assert [tuple(p) for p in jax_pads] == list(widths)
flax_same = fnn.Conv(features=1, kernel_size=(2, 2), padding="SAME", use_bias=False)
same_results = {
    "JAX lax 'SAME'": jax.lax.conv_general_dilated(jnp.asarray(X8)[None, None], jnp.asarray(K2)[None, None],
                                                   (1, 1), "SAME")[0, 0],
    "Flax 'SAME'": flax_same.apply({"params": {"kernel": jnp.asarray(K2)[:, :, None, None]}},
                                   jnp.asarray(X8)[None, :, :, None])[0, :, :, 0],
}
for name, result in same_results.items():
    diff = float(np.max(np.abs(cu.to_numpy(result, name) - reference)))
    print(f"{name:14s} vs extra zero after: max |diff| = {diff:.1e}")
    assert diff <= 1e-5

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    diff_odd = float(torch.max(torch.abs(F.conv2d(x8, torch.from_numpy(K3)[None, None], padding="same")
                                         - F.conv2d(x8, torch.from_numpy(K3)[None, None], padding=same_padding(3)))))
print(f"3x3 kernel: padding='same' vs padding={same_padding(3)}: max |diff| = {diff_odd:.1e}")
assert diff_odd <= 1e-6

# %% [markdown]
# MXNet's convolution has no `'same'` option at all: its `pad` must be numbers, which you work out
# yourself (with `same_padding`, or by padding the array as above).

# %%
# %%needs mxnet
try:
    gluon_same = gluon_nn.Conv2D(channels=1, kernel_size=2, padding="same", in_channels=1)
    gluon_same.initialize()
    gluon_same(mnp.array(X8)[None, None])
except mx.base.MXNetError as error:
    print("MXNet Gluon refuses padding='same':", type(error).__name__)
    assert "Invalid Parameter format for pad" in str(error)
else:
    raise AssertionError("MXNet should refuse padding='same'")

# %% [markdown]
# One more restriction: PyTorch allows `padding='same'` only at stride $1$. With a stride the output
# cannot keep the input's size anyway; it is about $n / s$.

# %%
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        F.conv2d(x8, k2, padding="same", stride=2)
except RuntimeError as error:
    print("RuntimeError:", error)
else:
    raise AssertionError("PyTorch should refuse padding='same' with a stride")

# %% [markdown]
# ## Try it: the convolution explorer
#
# Every setting of this lesson on one screen. Move the sliders (input size, kernel size, padding, stride,
# dilation); press ▶ to step through the output cells, or drag "output cell" to pick one. Under the
# picture you see the output-size formula with your numbers substituted, the products summed for the
# current cell, and the PyTorch layer with the same arguments. Switch the mode to "transposed" to see
# what `nn.ConvTranspose2d` computes: a convolution over the input with zeros inserted between its
# pixels, which makes the output larger instead of smaller. (A static copy of this notebook shows
# the first frame only.)

# %% tags=["nbval-ignore-output"]
explorer = explore_convolution(height=5, width=5, kernel_size=3, padding=1, stride=2)
explorer

# %% [markdown]
# The first frame, checked in a plain cell against the formula and `cu.corr2d`:

# %%
state = explorer.model.state
print(state.summary(0))
assert state.output_shape == cu.conv_output_size((5, 5), 3, padding=1, stride=2) == (3, 3)
assert np.array_equal(state.output, cu.corr2d(state.input, state.kernel, padding=1, stride=2))

# %% [markdown]
# ## Recap
#
# * Without padding each axis shrinks by $k - 1$: $n - k + 1$. Fifteen $3 \times 3$ layers take a
#   $32 \times 32$ image down to $2 \times 2$, and border pixels are read far less than central ones.
# * Zero padding $p$ adds $p$ zeros on each side: $n + 2p - k + 1$ outputs. Same padding
#   $p = (k - 1)/2$ keeps the size for odd kernels; full padding $p = k - 1$ gives $n + k - 1$, the
#   full convolution of lesson 01.
# * Stride $s$ places windows at $0, s, 2s, \dots$, which equals keeping every $s$-th stride-1 output.
# * In general $o = \left\lfloor \frac{n + 2p - d(k - 1) - 1}{s} \right\rfloor + 1$
#   (`cu.conv_output_size`). Because of the floor, $s$ input sizes share an output size (7 and 8
#   with $k = 3, s = 2$). The floor drops the last $(n + 2p - k) \bmod s$ rows of the padded input;
#   of those, $\max(0, (n + 2p - k) \bmod s - p)$ are real rows (for $p < k$), so with $p = 1$ the
#   $8 \times 8$ input loses none. With $s > k$ the windows also skip rows between them.
# * The worked shapes: $8 \times 8$ stays $8 \times 8$ with $3 \times 3$ and $p = 1$, or $5 \times 3$
#   and $p = (2, 1)$; stride $2$ makes it $4 \times 4$; kernel $(3, 5)$, padding $(0, 1)$, stride
#   $(3, 4)$ give $2 \times 2$. PyTorch, MXNet and JAX agree with the formula everywhere we looked.
# * Even kernels need uneven padding for "same" output; `F.pad` takes `(left, right, top, bottom)`,
#   and PyTorch's and JAX's `'same'` put the extra zero at the bottom and right.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("06_padding_and_stride")

# %% [markdown]
# ### Exercise 1: the output size
#
# Write `output_size(n, k, p, s)`: the number of outputs along one axis of length `n`, for a kernel of
# length `k`, padding `p` on each side and stride `s` (no dilation). All arguments are positive ints
# (`p` may be 0). Use only arithmetic, not `cu.conv_output_size`.

# %%
# SOLUTION q1

# %%
q1.check(output_size)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: keeping 28x28
#
# A layer with a $5 \times 5$ kernel and stride $1$ should map a $28 \times 28$ image to
# $28 \times 28$. How many zeros of padding does it need on each side? Store the number in `answer`.

# %%
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): what can a stride lose?
#
# A layer with a $3 \times 3$ kernel, no padding and stride $2$ reads an $8 \times 8$ input. Which
# pixels does no window read, and why? More generally, when does a stride $s > 1$ lose information:
# when does it drop pixels altogether, and what does it cost even when every pixel is read? What
# could you change to avoid it? This one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [05 · Learning a kernel](05_learning_a_kernel.ipynb)
#
# **Next:** [07 · Dilation](07_dilation.ipynb)
