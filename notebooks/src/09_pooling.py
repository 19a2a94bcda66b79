# %% [markdown]
# # 09 · Pooling
#
# A convolution layer reports *where* it found a pattern, pixel by pixel. Often the exact pixel does
# not matter: an edge one pixel to the left is still the same edge. A **pooling** layer summarises
# each small window of a feature map by a single number, its maximum or its mean. It has no weights
# to learn, it makes the map less sensitive to where exactly a feature sits, and with a stride larger
# than 1 it makes the map smaller.
#
# **In this lesson you will**
#
# 1. write max and average pooling from scratch and check them against `cu.pool2d`, PyTorch, MXNet
#    and JAX (Flax);
# 2. add padding and stride, and find out which default stride each library uses;
# 3. see how average pooling counts (or ignores) padded cells at the border;
# 4. pool an input with several channels, each channel on its own;
# 5. measure how much max pooling reduces the effect of a small shift, and find where that stops.

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import flax.linen as fnn
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn as torch_nn

import course_utils as cu
from course_utils import exercises
from course_utils.data import band_image
from course_utils.plotting import plot_measured_and_predicted, show_array_grid, show_row
from course_utils.shift_robustness import (count_changed, max_pool_unchanged_probability, shift_change_fractions,
                                           shifted_crop)

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
from mxnet import np as mnp
from mxnet.gluon import nn as gluon_nn

# %% [markdown]
# ## Max pooling and average pooling
#
# A pooling window of size $p_h \times p_w$ slides over the input like a kernel, but instead of a
# weighted sum it computes a fixed summary of the values under it. At output position $(i, j)$:
#
# $$Y_{\max}[i, j] = \max_{0 \le a < p_h,\; 0 \le b < p_w} X[i + a,\, j + b], \qquad
#   Y_{\mathrm{avg}}[i, j] = \frac{1}{p_h p_w} \sum_{a=0}^{p_h - 1} \sum_{b=0}^{p_w - 1} X[i + a,\, j + b].$$
#
# With the window moved one pixel at a time (stride 1) and no padding, the output has
# $(n_h - p_h + 1) \times (n_w - p_w + 1)$ positions, the same count as a cross-correlation with a
# $p_h \times p_w$ kernel.
#
# ![A 2x2 window on the 3x3 input [[0, 1, 2], [3, 4, 5], [6, 7, 8]]: its values 0, 1, 3, 4 give 4 under max pooling and 2 under average pooling](../images/pooling.png)

# %% [markdown]
# The from-scratch version visits every output position, cuts out its window and reduces it.

# %%
def pool2d_loops(X, pool_size, mode="max"):
    """Max or average pooling with stride 1 and no padding, one output position at a time."""
    p_h, p_w = pool_size
    Y = np.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i : i + p_h, j : j + p_w]
            Y[i, j] = window.max() if mode == "max" else window.mean()
    return Y


X = np.arange(9, dtype=np.float32).reshape(3, 3)
Y_max = pool2d_loops(X, (2, 2), "max")
Y_avg = pool2d_loops(X, (2, 2), "avg")
print("X =\n", X)
print("max pooling, 2x2 window:\n", Y_max)
print("average pooling, 2x2 window:\n", Y_avg)
assert np.array_equal(Y_max, [[4, 5], [7, 8]])
assert np.array_equal(Y_avg, [[2, 3], [5, 6]])
assert np.array_equal(Y_max, cu.pool2d(X, (2, 2), "max"))
assert np.array_equal(Y_avg, cu.pool2d(X, (2, 2), "avg"))

# %% [markdown]
# By hand, the top-left window is $\begin{bmatrix}0&1\\3&4\end{bmatrix}$: its maximum is $4$
# and its mean is $(0 + 1 + 3 + 4) / 4 = 2$. Every window of this input is its top-left value plus
# $\begin{bmatrix}0&1\\3&4\end{bmatrix}$, so both results climb by $1$ per column and $3$ per
# row, like $X$ itself. The course's tested copy `cu.pool2d` gives the same arrays.

# %% tags=["hide-input"]
fig = show_row([X, Y_max, Y_avg], ["input X (3x3)", "max pooling, 2x2", "average pooling, 2x2"],
               "Each output cell summarises one 2x2 window of X")
plt.show()

# %% [markdown]
# ### The same in the frameworks
#
# Each library has a pooling layer. They differ in two ways that matter here: the layout (PyTorch and
# MXNet put the channels before height and width, $(N, C, H, W)$; Flax puts them last,
# $(N, H, W, C)$), and the default stride, which the next section examines. The helpers below run one
# pooling setting in all three, always passing the stride explicitly, and return the results in the
# $(N, C, H, W)$ layout, ready for `cu.compare`.

# %%
# %%needs mxnet
def gluon_pool(X4, mode, window, stride, padding=(0, 0), count_include_pad=True):
    """Pool an (N, C, H, W) float32 array with an MXNet Gluon layer; the result as NumPy (N, C, H, W)."""
    if mode == "max":
        mxnet_layer = gluon_nn.MaxPool2D(pool_size=window, strides=stride, padding=padding)
    else:
        mxnet_layer = gluon_nn.AvgPool2D(pool_size=window, strides=stride, padding=padding,
                                         count_include_pad=count_include_pad)
    return cu.to_numpy(mxnet_layer(mnp.array(X4)), "MXNet")


# %%
def pool_in_frameworks(X4, mode, window, stride, padding=(0, 0), count_include_pad=True):
    """Pool an (N, C, H, W) float32 array with PyTorch, MXNet Gluon and Flax; results as NumPy (N, C, H, W).

    MXNet's entry is a function, computed by cu.compare only where MXNet is installed.
    """
    (p_h, p_w), (s_h, s_w), (pad_h, pad_w) = window, stride, padding
    if mode == "max":
        torch_layer = torch_nn.MaxPool2d(window, stride=stride, padding=padding)
    else:
        torch_layer = torch_nn.AvgPool2d(window, stride=stride, padding=padding, count_include_pad=count_include_pad)
    x_nhwc = jnp.asarray(X4.transpose(0, 2, 3, 1))  # Flax wants the channels last
    flax_padding = ((pad_h, pad_h), (pad_w, pad_w))
    if mode == "max":
        flax_result = fnn.max_pool(x_nhwc, (p_h, p_w), strides=(s_h, s_w), padding=flax_padding)
    else:
        flax_result = fnn.avg_pool(x_nhwc, (p_h, p_w), strides=(s_h, s_w), padding=flax_padding,
                                   count_include_pad=count_include_pad)
    return {
        "PyTorch": torch_layer(torch.from_numpy(X4)).numpy(),
        "MXNet": lambda: gluon_pool(X4, mode, window, stride, padding, count_include_pad),
        "JAX (Flax)": cu.to_numpy(flax_result, "Flax").transpose(0, 3, 1, 2),
    }


X4 = X[None, None]  # (N, C, H, W) = (1, 1, 3, 3)
for mode, reference in [("max", Y_max), ("avg", Y_avg)]:
    assert reference.shape == (2, 2)
    cu.compare(reference[None, None], pool_in_frameworks(X4, mode, window=(2, 2), stride=(1, 1)), tolerance=1e-6,
               reference_name=f"pool2d_loops ({mode} pooling)")

# %% [markdown]
# ## Padding and stride
#
# Pooling takes the same two options as a convolution (lesson 06), with the same output size per axis:
#
# $$n_{\text{out}} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1 .$$
#
# Padding needs care. Max pooling pads with $-\infty$, so that a padded cell never wins (a padded $0$
# would beat an all-negative window). Average pooling pads with zeros, and then has to decide what to
# divide by; that is the subsection after next.
#
# The example is the $4 \times 4$ input $0, 1, \dots, 15$ with a batch and a channel axis.

# %%
X16 = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
print(X16[0, 0])

# %% [markdown]
# Here is the from-scratch function again, now with padding and stride: pad, then move the window by
# $s_h$ rows and $s_w$ columns between output positions. The last lines pool an input of $-1$s: with
# $-\infty$ padding every window still reports $-1$; zero padding would have reported $0$.

# %%
def pool2d_loops_padded(X, pool_size, mode="max", padding=(0, 0), stride=(1, 1)):
    """Max or average pooling with padding and stride; average pooling divides by the full window."""
    (p_h, p_w), (pad_h, pad_w), (s_h, s_w) = pool_size, padding, stride
    fill = -np.inf if mode == "max" else 0.0
    Xp = np.pad(X, ((pad_h, pad_h), (pad_w, pad_w)), constant_values=fill)
    Y = np.zeros(((Xp.shape[0] - p_h) // s_h + 1, (Xp.shape[1] - p_w) // s_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = Xp[i * s_h : i * s_h + p_h, j * s_w : j * s_w + p_w]
            Y[i, j] = window.max() if mode == "max" else window.mean()
    return Y


assert np.array_equal(pool2d_loops_padded(X, (2, 2), "avg"), Y_avg)  # no padding, stride 1: as before
negative = -np.ones((2, 2))
print("max pooling of an all -1 input, 3x3 window, padding 1:\n", pool2d_loops_padded(negative, (3, 3), "max", (1, 1)))
assert np.all(pool2d_loops_padded(negative, (3, 3), "max", (1, 1)) == -1)  # -inf padding never wins
assert np.all(cu.pool2d(negative, 3, "max", padding=1) == -1)

# %% [markdown]
# ### The default stride: the window size, or 1?
#
# Our loops and `cu.pool2d` move the window by one pixel unless told otherwise. The pooling **layers**
# of PyTorch (`nn.MaxPool2d`) and MXNet Gluon (`nn.MaxPool2D`) do not: when no stride is given, they
# use the window size, so the windows tile the input without overlapping. Flax's `nn.max_pool` and
# `nn.avg_pool` are different again: their `strides` argument defaults to 1. Rather than trust
# memory, we call each with a $3 \times 3$ window and nothing else.

# %%
# %%needs mxnet
mxnet_default_max = gluon_nn.MaxPool2D(3)(mnp.array(X16))[0, 0]
assert np.array_equal(cu.to_numpy(mxnet_default_max), [[10]])

# %%
defaults = cu.frameworks.available_results({
    "pool2d_loops": pool2d_loops(X16[0, 0], (3, 3)),
    "cu.pool2d": cu.pool2d(X16[0, 0], 3),
    "PyTorch nn.MaxPool2d(3)": torch_nn.MaxPool2d(3)(torch.from_numpy(X16))[0, 0],
    "MXNet nn.MaxPool2D(3)": lambda: mxnet_default_max,
    "Flax nn.max_pool(x, (3, 3))": fnn.max_pool(jnp.asarray(X16.transpose(0, 2, 3, 1)), (3, 3))[0, :, :, 0],
})
defaults = {name: cu.to_numpy(result, name) for name, result in defaults.items()}
for name, result in defaults.items():
    print(f"{name:28s} -> shape {result.shape}: {result.tolist()}")

stride_1 = [[10, 11], [14, 15]]
assert all(np.array_equal(defaults[name], stride_1)
           for name in ["pool2d_loops", "cu.pool2d", "Flax nn.max_pool(x, (3, 3))"])
assert np.array_equal(defaults["PyTorch nn.MaxPool2d(3)"], [[10]])
assert np.array_equal(cu.pool2d(X16[0, 0], 3, stride=3), [[10]])

# %% [markdown]
# With stride 3 only one $3 \times 3$ window fits in the $4 \times 4$ input ($\lfloor (4 - 3)/3 \rfloor + 1 = 1$),
# so PyTorch and MXNet return the single value $10$, the maximum of the top-left window. With stride 1 there
# are $2 \times 2$ windows. When you read or port code, check which convention it uses: the same call
# `max_pool(x, 3)` means different layers in different libraries. The rest of this lesson always passes
# the stride explicitly.

# %% [markdown]
# ### Setting padding and stride by hand
#
# Two settings for the same input: a $3 \times 3$ window with padding 1 and stride 2, and a
# non-square $2 \times 3$ window with padding $(0, 1)$ and stride $(2, 3)$. By the formula, both give
# $2 \times 2$ outputs: $\lfloor (4 + 2 - 3)/2 \rfloor + 1 = 2$, and per axis
# $\lfloor (4 - 2)/2 \rfloor + 1 = 2$ and $\lfloor (4 + 2 - 3)/3 \rfloor + 1 = 2$.

# %%
settings = [
    {"window": (3, 3), "padding": (1, 1), "stride": (2, 2)},
    {"window": (2, 3), "padding": (0, 1), "stride": (2, 3)},
]
for setting in settings:
    window, padding, stride = setting["window"], setting["padding"], setting["stride"]
    Y_loops = pool2d_loops_padded(X16[0, 0], window, "max", padding, stride)
    print(f"window {window}, padding {padding}, stride {stride}:\n{Y_loops}")
    assert np.array_equal(Y_loops, [[5, 7], [13, 15]])
    assert np.array_equal(Y_loops, cu.pool2d(X16[0, 0], window, "max", padding=padding, stride=stride))
    assert Y_loops.shape == cu.conv_output_size((4, 4), window, padding=padding, stride=stride)
    cu.compare(Y_loops[None, None], pool_in_frameworks(X16, "max", window, stride, padding), tolerance=1e-6,
               reference_name="pool2d_loops_padded")

# %% [markdown]
# The two settings happen to agree. In the first, the top-left window covers the padded rows and
# columns $-1, 0, 1$; its real cells are $X[0{:}2, 0{:}2] = \begin{bmatrix}0&1\\4&5\end{bmatrix}$,
# maximum $5$. In the second, the top-left window covers rows $0, 1$ and columns $-1, 0, 1$, the same
# real cells. Moving two rows down adds $8$ in both cases, giving $13$.

# %% [markdown]
# ### Average pooling at a padded border
#
# An average-pooling window at the border covers padded zeros. Divide by the whole window
# (`count_include_pad=True`) and the zeros pull the border values down; divide by the number of real
# cells (`count_include_pad=False`) and the border value is the mean of the real cells only. With a
# $3 \times 3$ window, padding 1 and stride 2, the top-left window holds the real cells $0 + 1 + 4 + 5 = 10$:
# $10/9 \approx 1.11$ against $10/4 = 2.5$. The bottom-right window has no padding, so both give $10$.

# %%
avg_including = cu.pool2d(X16[0, 0], 3, "avg", padding=1, stride=2, count_include_pad=True)
avg_excluding = cu.pool2d(X16[0, 0], 3, "avg", padding=1, stride=2, count_include_pad=False)
print("count_include_pad=True:\n", avg_including)
print("count_include_pad=False:\n", avg_excluding)
assert np.allclose(avg_including, [[10 / 9, 24 / 9], [51 / 9, 10]])
assert np.allclose(avg_excluding, [[10 / 4, 24 / 6], [51 / 6, 10]])
assert np.allclose(pool2d_loops_padded(X16[0, 0], (3, 3), "avg", (1, 1), (2, 2)), avg_including)

# %% [markdown]
# Which one does each library pick when you do not say? We run each with the argument left out and
# compare with both references; then we pass `count_include_pad=False` explicitly.

# %%
# %%needs mxnet
mxnet_default = cu.to_numpy(gluon_nn.AvgPool2D(3, strides=2, padding=1)(mnp.array(X16)))[0, 0]

# %%
torch_default = torch_nn.AvgPool2d(3, stride=2, padding=1)(torch.from_numpy(X16))
flax_default = fnn.avg_pool(jnp.asarray(X16.transpose(0, 2, 3, 1)), (3, 3), strides=(2, 2), padding=((1, 1), (1, 1)))
default_results = cu.frameworks.available_results({
    "PyTorch nn.AvgPool2d": cu.to_numpy(torch_default)[0, 0],
    "MXNet nn.AvgPool2D": lambda: mxnet_default,
    "Flax nn.avg_pool": cu.to_numpy(flax_default)[0, :, :, 0],
})
for name, result in default_results.items():
    matches_true = np.allclose(result, avg_including, atol=1e-6)
    matches_false = np.allclose(result, avg_excluding, atol=1e-6)
    behaves_like = "True" if matches_true else "False" if matches_false else "neither"
    print(f"{name:21s} default behaves like count_include_pad={behaves_like} (top-left value {result[0, 0]:.4f})")
    assert matches_true and not matches_false

cu.compare(avg_excluding[None, None], pool_in_frameworks(X16, "avg", (3, 3), (2, 2), (1, 1), count_include_pad=False),
           tolerance=1e-6, reference_name="cu.pool2d(..., count_include_pad=False)")

# %% [markdown]
# All three default to `count_include_pad=True`, dividing by the full window, and all three accept
# `count_include_pad=False`. So does `cu.pool2d`. The difference stays at the border: the bottom-right
# value is $10$ either way.

# %% tags=["hide-input"]
fig = show_row([X16[0, 0], avg_including, avg_excluding],
               ["input X (4x4)", "avg, count_include_pad=True", "avg, count_include_pad=False"],
               "3x3 average pooling, padding 1, stride 2: only windows touching the padding differ",
               fmt="{:.3g}", panel_size=3.6)
plt.show()

# %% [markdown]
# ## Several channels
#
# A convolution layer sums over its input channels (lesson 08). Pooling does not: it pools every
# channel **on its own**, so the output has as many channels as the input. We stack the $4 \times 4$
# input and the same input plus 1 into two channels.

# %%
X2 = np.concatenate([X16, X16 + 1], axis=1)  # (1, 2, 4, 4)
Y2_loops = np.stack([pool2d_loops_padded(channel, (3, 3), "max", (1, 1), (2, 2)) for channel in X2[0]])
print("input:", X2.shape, " pooled:", Y2_loops.shape)
print(Y2_loops)
assert Y2_loops.shape == (2, 2, 2)
assert np.array_equal(Y2_loops[0], [[5, 7], [13, 15]])
assert np.array_equal(Y2_loops[1], [[6, 8], [14, 16]])
assert np.array_equal(Y2_loops, cu.pool2d(X2[0], 3, "max", padding=1, stride=2))  # cu.pool2d also takes (C, H, W)

cu.compare(Y2_loops[None], pool_in_frameworks(X2, "max", (3, 3), (2, 2), (1, 1)), tolerance=1e-6,
           reference_name="the per-channel loops")

# %% [markdown]
# Adding 1 to a channel adds 1 to every maximum, so the second channel is the first plus 1: the two
# channels never mix.

# %% [markdown]
# ## Max pooling and small shifts
#
# Lesson 04 found vertical edges in a $6 \times 8$ image that is white (1) except for a black band (0)
# in columns 2 to 5. The kernel $[1, -1]$ gives $+1$ where white turns to black (column 1 of the edge
# map) and $-1$ where black turns back to white (column 5). We now move the band one pixel to the right
# and ask: which positions of each map still report the white-to-black edge (the value $1$)?

# %%
edge_kernel = np.array([[1.0, -1.0]], dtype=np.float32)
edges = {shift: cu.corr2d(band_image(8, band_start=2 + shift), edge_kernel) for shift in range(4)}
print("edge map, row 0:          ", edges[0][0])
print("band moved 1 to the right:", edges[1][0])
assert np.array_equal(edges[0][0], [0, 1, 0, 0, 0, -1, 0])
assert np.array_equal(edges[1][0], [0, 0, 1, 0, 0, 0, -1])

# %% [markdown]
# Without pooling, the edge leaves every position that saw it: column 1 drops from 1 to 0. Now pool
# the edge maps with stride 1. A $2 \times 2$ max-pooled value at column $j$ covers edge-map columns
# $j$ and $j + 1$; a $3 \times 3$ one covers $j$ to $j + 2$. A position keeps reporting the edge as
# long as the edge stays inside its window.

# %%
maps = {
    "no pooling": lambda edge_map: edge_map,
    "2x2 max pooling": lambda edge_map: cu.pool2d(edge_map, 2, "max"),
    "3x3 max pooling": lambda edge_map: cu.pool2d(edge_map, 3, "max"),
}
kept, changed = {}, {}
for name, pool in maps.items():
    before, after = pool(edges[0]), pool(edges[1])
    found = before == 1
    kept[name] = (int(found.sum()), int((found & (after == 1)).sum()))
    changed[name] = (count_changed(before, after), before.size)
    print(f"{name:16s}: output {before.shape}, edge found at {kept[name][0]:2d} positions, "
          f"{kept[name][1]:2d} still find it after the shift; "
          f"{changed[name][0]:2d} of {changed[name][1]} values change")
assert kept == {"no pooling": (6, 0), "2x2 max pooling": (10, 5), "3x3 max pooling": (8, 8)}
assert changed == {"no pooling": (24, 42), "2x2 max pooling": (10, 30), "3x3 max pooling": (4, 20)}

# %% [markdown]
# Without pooling no position keeps the edge; with $2 \times 2$ max pooling half of them do, and with
# $3 \times 3$ all of them do. The pooled maps also change in fewer places. One honest remark: the $-1$
# edge never wins a maximum against the $0$s around it, so max pooling hides it here. In a CNN, max
# pooling usually follows a ReLU, so the maps it sees are non-negative, and a second channel with the
# kernel $[-1, 1]$ would report that edge as $+1$.

# %% tags=["hide-input"]
labels = {0: "original", 1: "band moved 1 right"}
fig = show_array_grid([[pool(edges[shift]) for pool in maps.values()] for shift in labels],
                      [[f"{name} ({label})" for name in maps] for label in labels.values()],
                      "A one-pixel shift: the edge leaves its column, but stays inside the pooling windows",
                      panel_size=4.2)
plt.show()

# %% [markdown]
# ### Where the robustness ends
#
# **Larger shifts.** A window keeps the edge only while the edge stays inside it. With $3 \times 3$ max
# pooling, the 8 positions that found the edge keep it for a shift of 1, half of them for a shift of 2,
# and none for a shift of 3, the window's width.

# %%
kept_by_shift = []
for shift in range(4):
    found_before = cu.pool2d(edges[0], 3) == 1
    kept_by_shift.append(int((found_before & (cu.pool2d(edges[shift], 3) == 1)).sum()))
print("3x3 max pooling, positions that still find the edge for shifts 0, 1, 2, 3:", kept_by_shift)
assert kept_by_shift == [8, 8, 4, 0]

# %% [markdown]
# **Stride boundaries.** Framework layers pool with stride = window, so the $2 \times 2$ windows tile
# the map: columns $\{0, 1\}$, $\{2, 3\}$, $\{4, 5\}$. Whether a one-pixel shift is absorbed now
# depends on where the edge sits. From column 1 to column 2 it crosses a boundary and the report moves
# to another cell; from column 2 to column 3 it stays in the same window and nothing changes.

# %%
tiled = {shift: cu.pool2d(edges[shift], 2, "max", stride=2) for shift in range(3)}
for shift, pooled in tiled.items():
    print(f"edge at column {1 + shift}: 2x2 max pooling with stride 2, row 0 = {pooled[0]}")
assert np.array_equal(tiled[0][0], [1, 0, 0]) and np.array_equal(tiled[1][0], [0, 1, 0])
assert np.array_equal(tiled[1], tiled[2])  # shift from column 2 to 3: absorbed
assert count_changed(tiled[0], tiled[1]) == 6  # shift from column 1 to 2: both cells of all 3 rows change

# %% [markdown]
# ### Counting on a random pattern
#
# The edge has a single non-zero column. A real feature map is dense: almost every value differs from
# its neighbours. To measure the effect there, take a $36 \times 36$ window of a larger random
# "scene" and move the window (so the content moves by exactly $s$ pixels, with nothing zero-filled
# entering at the border), then count how many output values change. `shift_change_fractions` from
# `course_utils.shift_robustness` does exactly that.
#
# For stride-1 max pooling there is a prediction. A window of width $k$ moved by $s < k$ columns
# shares $k - s$ of its columns with its old place, and the two places together cover $k + s$ columns.
# With independent random values the largest value of all those cells is equally likely to be
# anywhere, and the pooled value stays the same exactly when it lies in the shared part:
#
# $$P(\text{unchanged}) = \frac{k - s}{k + s} \quad (s < k), \qquad 0 \quad (s \ge k).$$

# %%
scene = rng.standard_normal((36, 40)).astype(np.float32)
shifts = [0, 1, 2, 3, 4]
transforms = {
    "no pooling": lambda x: x,
    "2x2 max, stride 1": lambda x: cu.pool2d(x, 2, "max"),
    "3x3 max, stride 1": lambda x: cu.pool2d(x, 3, "max"),
    "3x3 avg, stride 1": lambda x: cu.pool2d(x, 3, "avg"),
}
unchanged = {name: 1 - shift_change_fractions(scene, 36, shifts, transform) for name, transform in transforms.items()}
print("fraction of output values unchanged, for shifts", shifts)
for name, fractions in unchanged.items():
    print(f"  {name:18s}", np.round(fractions, 3))
for k in (2, 3):
    predicted = np.array([max_pool_unchanged_probability(k, s) for s in shifts])
    print(f"  predicted, {k}x{k} max  ", np.round(predicted, 3))
    assert np.max(np.abs(unchanged[f"{k}x{k} max, stride 1"] - predicted)) < 0.05

# %% [markdown]
# The numbers follow the formula. Without pooling every value changes under any shift. With $2 \times 2$
# max pooling about a third survive a one-pixel shift; with $3 \times 3$ about half do, and a fifth still
# survive a two-pixel shift. A shift as wide as the window leaves nothing unchanged. Average pooling changes
# every value (each window swaps one column for another), but by much less: the new column is only
# a third of the window, and its sum is divided by 9. Below, the one-pixel shift is counted directly.

# %%
changed_counts = {}
for name in ["no pooling", "2x2 max, stride 1", "3x3 max, stride 1"]:
    transform = transforms[name]
    before, after = transform(shifted_crop(scene, 36)), transform(shifted_crop(scene, 36, 1))  # moved 1 right
    changed_counts[name] = (count_changed(before, after), before.size)
    print(f"{name:18s}: {changed_counts[name][0]:4d} of {changed_counts[name][1]} values change")
assert changed_counts["no pooling"][0] == changed_counts["no pooling"][1]
assert changed_counts["2x2 max, stride 1"][0] < 0.75 * changed_counts["2x2 max, stride 1"][1]
assert changed_counts["3x3 max, stride 1"][0] < 0.55 * changed_counts["3x3 max, stride 1"][1]
assert np.all(unchanged["3x3 avg, stride 1"][1:] == 0)

mean_change = {}
for name in ["no pooling", "3x3 avg, stride 1"]:
    transform = transforms[name]
    moved, still = transform(shifted_crop(scene, 36, 1)), transform(shifted_crop(scene, 36))
    mean_change[name] = float(np.mean(np.abs(moved - still)))
print(f"mean |change| after a 1-pixel shift: no pooling {mean_change['no pooling']:.2f}, "
      f"3x3 average pooling {mean_change['3x3 avg, stride 1']:.2f}")
assert mean_change["3x3 avg, stride 1"] < 0.3 * mean_change["no pooling"]
assert np.all(unchanged["2x2 max, stride 1"][2:] == 0) and np.all(unchanged["3x3 max, stride 1"][3:] == 0)

# %% [markdown]
# The frameworks give the same pooled maps of the random pattern, so the counts carry over to them.

# %%
scene4 = shifted_crop(scene, 36)[None, None]
cu.compare(cu.pool2d(scene4[0, 0], 3)[None, None], pool_in_frameworks(scene4, "max", (3, 3), (1, 1)), tolerance=1e-6,
           reference_name="cu.pool2d (3x3 max pooling of the scene)")

# %% tags=["hide-input"]
predicted = {f"{k}x{k} max, stride 1": [max_pool_unchanged_probability(k, s) for s in shifts] for k in (2, 3)}
fig = plot_measured_and_predicted(shifts, unchanged, predicted,
                                  "Random 36x36 pattern moved by s pixels (predicted: (k - s)/(k + s))",
                                  xlabel="shift s (pixels)", ylabel="fraction of output values unchanged",
                                  ylim=(-0.05, 1.05))
plt.show()

# %% [markdown]
# So max pooling buys robustness to shifts **smaller than its window**, and only partly: even a
# one-pixel shift changes half ($3 \times 3$) to two thirds ($2 \times 2$) of the pooled values of a
# dense map. With a stride larger
# than 1, shifts by a multiple of the stride just move the pooled map by whole cells, while other
# shifts regroup the pixels; lesson 11 measures what this does to a trained network.

# %%
tiled_before = cu.pool2d(shifted_crop(scene, 36), 2, "max", stride=2)
tiled_after_2 = cu.pool2d(shifted_crop(scene, 36, 2), 2, "max", stride=2)  # content moved 2 pixels right
print("2x2 max, stride 2, shift 2: values changed in place:", count_changed(tiled_before, tiled_after_2),
      "of", tiled_before.size, "| after moving the pooled map back by one cell:",
      count_changed(tiled_before[:, :-1], tiled_after_2[:, 1:]))
assert count_changed(tiled_before[:, :-1], tiled_after_2[:, 1:]) == 0

# %% [markdown]
# ## Recap
#
# * Pooling summarises each $p_h \times p_w$ window by its maximum or its mean; it has no parameters.
#   On $X = \begin{bmatrix}0&1&2\\3&4&5\\6&7&8\end{bmatrix}$ with a $2 \times 2$ window: max
#   $\begin{bmatrix}4&5\\7&8\end{bmatrix}$, average $\begin{bmatrix}2&3\\5&6\end{bmatrix}$.
# * Padding and stride work as for convolutions, $\lfloor (n + 2p - k)/s \rfloor + 1$. Max pooling pads
#   with $-\infty$.
# * Default stride: PyTorch `nn.MaxPool2d` and MXNet `nn.MaxPool2D` use the window size (so
#   `MaxPool2d(3)` turns the $4 \times 4$ input into $\begin{bmatrix}10\end{bmatrix}$); Flax `nn.max_pool`, `cu.pool2d` and our
#   loops use 1. Pass the stride explicitly.
# * Average pooling divides by the full window at the border by default (`count_include_pad=True` in
#   PyTorch, MXNet and Flax); `False` divides by the real cells only.
# * Each channel is pooled on its own: as many output channels as input channels.
# * Max pooling with window $k$ makes a map robust to shifts smaller than $k$: a feature stays visible
#   while it stays inside the window, and on random maps a fraction $(k - s)/(k + s)$ of values is
#   unchanged. Shifts of $k$ or more, and (with stride $> 1$) shifts across window boundaries, are not
#   absorbed.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("09_pooling")

# %% [markdown]
# ### Exercise 1: pooling, the other way round
#
# `pool2d_loops` visits every output position. Write `pool2d(X, pool_size, mode)` the other way round:
# loop over the $p_h \times p_w$ cells of the window instead. For the window cell $(a, b)$, the slice
# `X[a : a + out_h, b : b + out_w]` holds that cell of **every** window at once, so each step updates
# the whole output. Use stride 1 and no padding; `mode` is `"max"` or `"avg"`. Return a 2-D NumPy array
# equal to `cu.pool2d(X, pool_size, mode)`.

# %%
# SOLUTION q1

# %%
q1.check(pool2d)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: the shape after a framework pooling layer
#
# A batch of 8 feature maps with 16 channels of size $28 \times 28$, shape `(8, 16, 28, 28)`, goes
# through `torch.nn.MaxPool2d(kernel_size=3, padding=1)`. What is the output shape? Work it out
# without running the layer, then store it as a tuple in `answer`.

# %%
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): max or average?
#
# You build a network that flags photos of metal sheets with a small scratch. Would you use max or
# average pooling after the first convolution layers, and why? Name a task where average pooling is
# the better choice. Write a few sentences, then compare with the model answer. This one has no
# automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [08 · Channels](08_channels.ipynb)
#
# **Next:** [10 · Receptive field](10_receptive_field.ipynb)
