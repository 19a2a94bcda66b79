# %% [markdown]
# # 07 · Dilation
#
# Padding and stride (lesson 06) decide *where* a kernel is placed on the input. Dilation changes the
# kernel itself: its taps are spread out, with gaps between them, so the same few weights cover a
# larger patch of the input. Dilated convolution is also called *atrous* convolution, from the French
# *à trous*, "with holes".
#
# **In this lesson you will**
#
# 1. read a dilated kernel as a larger kernel with holes, and build that dense kernel;
# 2. check that three computations agree: the dilated correlation, the dense kernel, and a NumPy loop;
# 3. compute the effective kernel size $k + (k - 1)(d - 1)$ and compare field of view with parameter count;
# 4. predict output sizes with dilation, padding and stride;
# 5. match PyTorch, MXNet and JAX, including with padding and stride;
# 6. see why stacked dilations grow the field of view exponentially, and what goes wrong when one
#    dilation is repeated (gridding).

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.signal import convolve2d as full_convolve2d  # true 2-D convolution, 'full' by default
from torch import nn as torch_nn

import course_utils as cu
from course_utils import exercises
from course_utils.dilation import dilate_kernel, effective_kernel_size
from course_utils.plotting import show_array, show_row
from course_utils.widgets import explore_convolution

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
from mxnet import np as mnp
from mxnet.gluon import nn as gluon_nn

# %% [markdown]
# ## A kernel with holes
#
# An ordinary $k_h \times k_w$ kernel reads a solid block of neighbouring pixels. With **dilation**
# $d$, neighbouring taps sit $d$ pixels apart instead of $1$:
#
# $$Y[i, j] = \sum_{a=0}^{k_h - 1} \sum_{b=0}^{k_w - 1} X[i + d\,a,\; j + d\,b]\; K[a, b].$$
#
# With $d = 1$ this is the cross-correlation of lesson 03. With $d = 2$ the kernel skips every other
# pixel, with $d = 3$ it skips two, and so on: there are $d - 1$ unread pixels between two taps.

# %% [markdown]
# Here a $3 \times 3$ kernel with $d = 2$ steps over a $7 \times 7$ input. The orange cells are the
# nine pixels it reads; the frame shows the $5 \times 5$ region they span.
#
# ![A 3x3 kernel with dilation 2 sliding over a 7x7 input: its nine taps are two pixels apart and the output is 3x3](../images/dilation.gif)

# %% [markdown]
# The same sum comes out of an ordinary correlation with a larger, **dense** kernel that holds the
# original taps $d$ cells apart and zeros in between: the zeros multiply the pixels the dilated kernel
# skips. `dilate_kernel` from `course_utils.dilation` builds it. We use a kernel with no zero entries,
# so every zero in the result is a hole.

# %%
K = np.array([[1, -2, 3], [-4, 5, -6], [7, -8, 9]], dtype=np.float32)
K_d2 = dilate_kernel(K, 2)
K_d3 = dilate_kernel(K, 3)
print("dilation 2 gives a", K_d2.shape, "kernel:\n", K_d2.astype(int))
assert K_d2.shape == (5, 5) and K_d3.shape == (7, 7)
assert np.array_equal(K_d2[::2, ::2], K) and np.array_equal(K_d3[::3, ::3], K)
assert np.count_nonzero(K_d2) == np.count_nonzero(K_d3) == 9  # still the same 9 weights

# %% [markdown]
# Side by side, with zeros in white: the nine weights stay the same, only the space between them grows.

# %% tags=["hide-input"]
fig = show_row(
    [K, K_d2, K_d3],
    ["3x3 kernel (d = 1)", "dense 5x5 equivalent (d = 2)", "dense 7x7 equivalent (d = 3)"],
    "One 3x3 kernel at three dilations: same 9 weights, holes in between",
    panel_size=3.8,
)
plt.show()

# %% [markdown]
# ## Three computations, one result
#
# Take an input whose values give their own position ($X[i, j] = 8i + j$) and dilation $2$. The
# top-left output reads the pixels at rows and columns $0, 2, 4$.

# %%
X = np.arange(56, dtype=np.float32).reshape(7, 8)
Y = cu.corr2d(X, K, dilation=2)
taps = [(2 * a, 2 * b) for a in range(3) for b in range(3)]
print("pixels read by Y[0, 0]:", taps)
print("their values:          ", [int(X[p]) for p in taps])
print("Y =\n", Y)
assert Y.shape == (3, 4)
assert Y[0, 0] == sum(K[a, b] * X[2 * a, 2 * b] for a in range(3) for b in range(3))

# %% [markdown]
# Now three ways to compute a dilated correlation:
#
# 1. from scratch: four loops that read $X[i + d\,a,\; j + d\,b]$, exactly as in the formula;
# 2. `cu.corr2d(X, K, dilation=d)`, the course's tested reference;
# 3. an ordinary correlation with the dense kernel, `cu.corr2d(X, dilate_kernel(K, d))`.
#
# The kernel spans $d(k - 1) + 1$ pixels along each axis, so it fits at $n - d(k - 1)$ positions.

# %%
def corr2d_dilated_loops(X, K, d):
    kh, kw = K.shape
    out_h, out_w = X.shape[0] - d * (kh - 1), X.shape[1] - d * (kw - 1)
    Y = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                for b in range(kw):
                    Y[i, j] += X[i + d * a, j + d * b] * K[a, b]
    return Y


# %% [markdown]
# Integer-valued data keeps every sum exact, so the three results must be *equal*, not just close. A
# non-square kernel catches any mix-up of rows and columns.

# %%
X_int = rng.integers(-5, 6, size=(11, 12)).astype(np.float64)
for K_test in [K.astype(np.float64), rng.integers(-3, 4, size=(2, 4)).astype(np.float64)]:
    for d in (1, 2, 3):
        by_loops = corr2d_dilated_loops(X_int, K_test, d)
        by_dilation = cu.corr2d(X_int, K_test, dilation=d)
        by_dense_kernel = cu.corr2d(X_int, dilate_kernel(K_test, d))
        print(f"kernel {K_test.shape}, d = {d}: output {by_loops.shape}, all three equal:",
              np.array_equal(by_loops, by_dilation) and np.array_equal(by_loops, by_dense_kernel))
        assert np.array_equal(by_loops, by_dilation)
        assert np.array_equal(by_loops, by_dense_kernel)

# %% [markdown]
# The dense kernel is a way to *think* about dilation, not a way to compute it: a $3 \times 3$ kernel
# with $d = 3$ becomes $7 \times 7$, and $40$ of its $49$ multiplications are by zero. The libraries
# (and `cu.corr2d`) read the spaced-out pixels directly and do only the $9$ useful ones.

# %% [markdown]
# ## Field of view versus parameters
#
# Along one axis a kernel of size $k$ has $k$ taps and $k - 1$ gaps; dilation puts $d - 1$ holes in
# each gap. The **effective kernel size**, the width of input it spans, is
#
# $$k_{\text{eff}} = k + (k - 1)(d - 1) = d\,(k - 1) + 1 .$$
#
# The number of weights stays $k^2$. A dense kernel with the same field of view needs
# $k_{\text{eff}}^2$ weights.

# %%
print(" d | effective size | weights (dilated 3x3) | weights (dense, same view)")
for d in (1, 2, 3, 4):
    size = effective_kernel_size(3, d)
    dense = dilate_kernel(np.ones((3, 3)), d)
    print(f" {d} | {f'{size}x{size}':^14} | {np.count_nonzero(dense):^21d} | {size * size:^26d}".rstrip())
    assert size == 3 + 2 * (d - 1) and dense.shape == (size, size)

assert [effective_kernel_size(3, d) for d in (1, 2, 3, 4)] == [3, 5, 7, 9]
assert [effective_kernel_size(3, d) ** 2 for d in (1, 2, 3, 4)] == [9, 25, 49, 81]

# %% [markdown]
# At $d = 4$ the nine weights cover a $9 \times 9$ window that a dense kernel would need $81$ weights
# for. The price: inside that window only $9$ of the $81$ pixels are read.
#
# A PyTorch tutorial puts it this way: a $3 \times 3$ kernel with dilation $2$ has the field of
# view of a $5 \times 5$ kernel but still only $9$ parameters. We check both halves on real layers:
# the parameter count, and the input pixels that one output depends on (the non-zero entries of the
# gradient of that output with respect to the input).

# %%
dilated_layer = torch_nn.Conv2d(1, 1, kernel_size=3, dilation=2, bias=False)
dense_layer = torch_nn.Conv2d(1, 1, kernel_size=5, bias=False)
print("parameters: dilated 3x3 =", dilated_layer.weight.numel(), "| dense 5x5 =", dense_layer.weight.numel())
assert dilated_layer.weight.numel() == 9 and dense_layer.weight.numel() == 25


def pixels_seen(layer, size=9):
    """Which input pixels the centre output of ``layer`` depends on (non-zero input gradient)."""
    x = torch.zeros((1, 1, size, size), requires_grad=True)
    y = layer(x)
    centre = y.shape[-1] // 2
    y[0, 0, centre, centre].backward()
    return (x.grad[0, 0] != 0).numpy()


def span(mask):
    """Height and width of the smallest box around the True cells of ``mask``."""
    rows, cols = np.nonzero(mask)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


seen_dilated, seen_dense = pixels_seen(dilated_layer), pixels_seen(dense_layer)
print("input pixels read by one output of the dilated 3x3 layer:\n", seen_dilated.astype(int))
print("field of view: dilated 3x3", span(seen_dilated), "| dense 5x5", span(seen_dense))
assert span(seen_dilated) == span(seen_dense) == (5, 5)
assert seen_dilated.sum() == 9 and seen_dense.sum() == 25

# %% [markdown]
# ## Output size
#
# A dilated kernel behaves, for shapes, like a dense kernel of size $k_{\text{eff}}$. Putting
# $k_{\text{eff}} = d(k - 1) + 1$ into the output-size formula of lesson 06 gives
#
# $$n_{\text{out}} = \left\lfloor \frac{n + 2p - d\,(k - 1) - 1}{s} \right\rfloor + 1 ,$$
#
# which is what `cu.conv_output_size(n, k, padding=p, stride=s, dilation=d)` computes. We compare it
# with the shapes the three frameworks produce, on a few settings.
# `cu.frameworks.corr2d_builtins(X, K, dilation=d, padding=p, stride=s)` runs each framework's own
# convolution function on a single-channel input; the next section lists their names.

# %%
columns = cu.frameworks.present(["PyTorch", "MXNet", "JAX"])
print("  n  k  p  s  d | formula | " + "  ".join(columns))
for n, k, p, s, d in [(7, 3, 0, 1, 2), (10, 3, 1, 2, 2), (12, 3, 2, 1, 2), (16, 5, 0, 2, 3), (9, 3, 3, 3, 3)]:
    formula = cu.conv_output_size(n, k, padding=p, stride=s, dilation=d)
    assert formula == (n + 2 * p - effective_kernel_size(k, d)) // s + 1
    x, w = np.ones((n, n), dtype=np.float32), np.ones((k, k), dtype=np.float32)
    outputs = cu.frameworks.available_results(cu.frameworks.corr2d_builtins(x, w, dilation=d, padding=p, stride=s))
    print(f"{n:3d} {k:2d} {p:2d} {s:2d} {d:2d} | {formula:4d}    | "
          + "  ".join(f"{outputs[name].shape[0]:{len(name)}d}" for name in columns))
    assert all(output.shape == (formula, formula) for output in outputs.values())

# %% [markdown]
# With stride $1$ the output has $n + 2p - d(k - 1)$ entries, so padding $p = d(k - 1)/2$ on each side
# keeps the size: for a $3 \times 3$ kernel, **pad by the dilation**, $p = d$. That is the setting of
# the third row above ($n = 12$, $p = d = 2$).

# %%
for d in (1, 2, 3, 4):
    assert cu.conv_output_size(20, 3, padding=d, dilation=d) == 20
print("3x3 kernel, padding = dilation = 1, 2, 3, 4: the output keeps size 20 every time")

# %% [markdown]
# ## The frameworks
#
# Each library has the argument, under different names:
#
# | Library | Function | Layer |
# |---|---|---|
# | course (NumPy) | `cu.corr2d(X, K, dilation=d)` | |
# | PyTorch | `F.conv2d(x, w, dilation=d)` | `nn.Conv2d(..., dilation=d)` |
# | MXNet | `npx.convolution(..., dilate=(d, d))` | Gluon `nn.Conv2D(..., dilation=d)` |
# | JAX / Flax | `lax.conv_general_dilated(..., rhs_dilation=(d, d))` | Flax `nn.Conv(..., kernel_dilation=d)` |
#
# In JAX the kernel is the right-hand side (`rhs`) of the operation, hence `rhs_dilation`.
#
# We run the functional versions on random float32 data, for dilations with padding, with stride, and
# with different dilations along height and width. Each result is compared with `cu.corr2d`, which in
# turn is compared with the dense kernel.

# %%
X_f = rng.standard_normal((9, 11)).astype(np.float32)
K_f = rng.standard_normal((3, 3)).astype(np.float32)
settings = [
    dict(dilation=2, padding=0, stride=1),
    dict(dilation=3, padding=3, stride=1),
    dict(dilation=2, padding=1, stride=2),
    dict(dilation=(2, 3), padding=(1, 2), stride=(2, 1)),
]
for options in settings:
    reference = cu.corr2d(X_f, K_f, **options)
    dense = cu.corr2d(X_f, dilate_kernel(K_f, options["dilation"]), padding=options["padding"],
                      stride=options["stride"])
    assert np.allclose(dense, reference, atol=1e-6)
    print(f"{options} -> output {reference.shape}")
    cu.compare(reference, cu.frameworks.corr2d_builtins(X_f, K_f, **options), tolerance=1e-5,
               reference_name="cu.corr2d")

# %% [markdown]
# The layers take the same argument. With `padding=2, dilation=2` a $3 \times 3$ layer keeps the
# input size, as the formula predicted. We load our kernel into each layer and compare.

# %%
# %%needs mxnet
gluon_layer = gluon_nn.Conv2D(channels=1, kernel_size=3, dilation=2, padding=2, use_bias=False, in_channels=1)
gluon_layer.initialize()
gluon_layer.weight.set_data(mnp.array(K_f[None, None]))
Y_gluon = gluon_layer(mnp.array(X_f[None, None]))[0, 0]

# %%
torch_layer = torch_nn.Conv2d(1, 1, kernel_size=3, dilation=2, padding=2, bias=False)
with torch.no_grad():
    torch_layer.weight.copy_(torch.from_numpy(K_f)[None, None])

reference = cu.corr2d(X_f, K_f, dilation=2, padding=2)
print("output shape:", reference.shape, "| input shape:", X_f.shape)
assert reference.shape == X_f.shape
cu.compare(reference, {"PyTorch nn.Conv2d": torch_layer(torch.from_numpy(X_f)[None, None])[0, 0],
                       "MXNet Gluon nn.Conv2D": lambda: Y_gluon},
           tolerance=1e-5, reference_name="cu.corr2d(X, K, dilation=2, padding=2)")

# %% [markdown]
# A warning about JAX: `conv_general_dilated` also has `lhs_dilation`, which puts holes into the
# **input** instead of the kernel. That is a different operation (it is how transposed convolutions
# are computed) and gives a larger output, not the same one.

# %%
input_dilated = jax.lax.conv_general_dilated(jnp.asarray(X_f[None, None]), jnp.asarray(K_f[None, None]),
                                             window_strides=(1, 1), padding=[(0, 0), (0, 0)], lhs_dilation=(2, 2))
print("rhs_dilation=(2, 2):", cu.corr2d(X_f, K_f, dilation=2).shape, "| lhs_dilation=(2, 2):",
      input_dilated.shape[2:])
assert input_dilated.shape[2:] == (15, 19)  # the input grows to 17x21 before a 3x3 kernel slides over it

# %% [markdown]
# ## Why dilate: a fast-growing field of view
#
# Each $3 \times 3$ layer with dilation $d$ widens the field of view by $2d$ pixels (its
# $k_{\text{eff}} - 1$). Stacking ordinary layers adds $2$ per layer, a linear growth. Doubling the
# dilation from layer to layer, $d = 1, 2, 4, 8, \dots$, gives
#
# $$1 + 2\,(1 + 2 + 4 + \dots + 2^{L-1}) = 2^{L+1} - 1$$
#
# after $L$ layers, an exponential growth, for the same $9L$ weights and without shrinking the
# feature map (stride or pooling would). That is why dilated stacks are used where a large context
# and full resolution are both needed: semantic segmentation (DeepLab) and audio generation (WaveNet,
# in 1-D).
#
# We measure it as before, with the gradient of one output unit of a PyTorch stack. All kernels are
# ones, so every gradient entry counts the paths from an input pixel to that output.

# %%
def input_influence(dilations, size=33, shift=0):
    """Input gradient of one output of a stack of all-ones 3x3 layers (output at the centre, + shift columns)."""
    layers = [torch_nn.Conv2d(1, 1, kernel_size=3, dilation=d, bias=False) for d in dilations]
    for layer in layers:
        torch_nn.init.ones_(layer.weight)
    x = torch.zeros((1, 1, size, size), requires_grad=True)
    y = torch_nn.Sequential(*layers)(x)
    centre = y.shape[-1] // 2
    y[0, 0, centre, centre + shift].backward()
    return x.grad[0, 0].numpy()


print("layers | field, d = 1, 1, 1, ... | field, d = 1, 2, 4, ... | weights")
for L in (1, 2, 3, 4):
    plain = input_influence([1] * L)
    dilated = input_influence([2**l for l in range(L)])
    (plain_h, plain_w), (dilated_h, dilated_w) = span(plain != 0), span(dilated != 0)
    print(f"{L:^6d} | {f'{plain_h}x{plain_w}':^23} | {f'{dilated_h}x{dilated_w}':^23} | {9 * L:^7d}".rstrip())
    assert span(plain != 0) == (2 * L + 1,) * 2
    assert span(dilated != 0) == (2 ** (L + 1) - 1,) * 2
    assert np.count_nonzero(dilated) == (2 ** (L + 1) - 1) ** 2  # no holes: every pixel in the field is read

# %% [markdown]
# Three layers with $d = 1, 2, 4$ see $15 \times 15$ pixels where three ordinary layers see
# $7 \times 7$, and every pixel of the $15 \times 15$ square is read.
#
# The same number comes out of NumPy without autograd. Lesson 01 showed that two stacked correlations
# equal one correlation with the full convolution of their kernels; so the whole stack is one
# correlation with the full convolution of the three dense dilated kernels, and that combined kernel
# must equal the gradient window.

# %%
combined = np.ones((1, 1))
for d in (1, 2, 4):
    combined = full_convolve2d(combined, dilate_kernel(np.ones((3, 3)), d))
grad = input_influence([1, 2, 4])
rows, cols = np.nonzero(grad)
window = grad[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
print("combined kernel:", combined.shape, "| largest path count:", int(combined.max()))
assert combined.shape == (15, 15) and np.array_equal(window, combined)

# %% [markdown]
# ## Gridding: holes that are never filled
#
# Repeating one dilation goes wrong. A $3 \times 3$ layer with $d = 2$ moves by $0$, $2$ or $4$ pixels
# along an axis, so two of them together always move by an **even** number of pixels. An output
# therefore reads only the input pixels whose row and column offsets are both even: a regular grid
# in which about one pixel in four is read (25 of the 81 in the $9 \times 9$ field here).

# %%
gridded = input_influence([2, 2], size=19)
rows, cols = np.nonzero(gridded)
seen = gridded[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] != 0
print("two layers with d = 2: field", span(gridded != 0), "- pixels read inside it:\n", seen.astype(int))
assert seen.shape == (9, 9) and seen.sum() == 25
assert seen[::2, ::2].all() and not seen[1::2, :].any() and not seen[:, 1::2].any()

# %% [markdown]
# Worse, two neighbouring outputs read **disjoint** sets of pixels: the network splits into four
# interleaved sub-images (even/odd rows times even/odd columns) that never exchange information, and
# no output can ever compare a pixel with its immediate neighbour. Adding a $d = 1$ layer in front of
# the two, $d = 1, 2, 2$, repairs it: every pixel of the field is read, and neighbouring outputs
# share most of their fields (the cell below counts them).

# %%
left, right = input_influence([2, 2], size=19), input_influence([2, 2], size=19, shift=1)
overlap = np.count_nonzero((left != 0) & (right != 0))
print("pixels shared by two neighbouring outputs, d = 2, 2:", overlap)
assert overlap == 0
left, right = input_influence([1, 2, 2], size=19), input_influence([1, 2, 2], size=19, shift=1)
repaired = np.count_nonzero((left != 0) & (right != 0))
field = span(left != 0)
every_pixel_read = np.count_nonzero(left) == field[0] * field[1]
print(f"d = 1, 2, 2: field {field[0]}x{field[1]}, every pixel in it read: {every_pixel_read}; "
      f"pixels shared by two neighbouring outputs: {repaired}")
assert every_pixel_read and repaired == field[0] * (field[1] - 1)  # the fields overlap in all but one column

# %% [markdown]
# The cure is to mix dilations so that each layer fills the holes of the others, for example starting
# with $d = 1$ and avoiding a common factor, as in $1, 2, 4$ above or $1, 2, 3$. The picture shows,
# for three stacks, which input pixels reach one output unit (yellow) and which are never read (dark).

# %% tags=["hide-input"]
stacks = {"d = 1, 1, 1": [1, 1, 1], "d = 1, 2, 4": [1, 2, 4], "d = 2, 2": [2, 2]}
fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
for ax, (label, dilations) in zip(axes, stacks.items()):
    read = (input_influence(dilations, size=19) != 0).astype(float)
    height, width = span(read)
    show_array(ax, read, f"{label}: {height}x{width} field, {int(read.sum())} pixels read",
               signed=False, annotate=False)
    ax.set_xticks(range(0, 19, 3))
    ax.set_yticks(range(0, 19, 3))
fig.suptitle("Input pixels that reach one output unit of a stack of 3x3 layers (1 = read, 0 = never read)")
fig.tight_layout()
plt.show()

# %% [markdown]
# This is a first look at how far an output unit can see. Lesson 10 treats the **receptive field** in
# general, with pooling and strides in the stack.

# %% [markdown]
# ## Try it: the convolution explorer
#
# Move the sliders to change the input size, kernel size, padding, stride and dilation; press ▶ to step
# the kernel through the output cells, or drag "output cell". The orange cells are the taps read for
# the current output, and the sum under the picture writes out their products. Try dilation 2 and 3 with
# a 3x3 kernel on a 9x9 input, and watch the output shrink by $2d$ while the kernel keeps 9 taps. (In a
# static copy of this notebook you see the first frame only.)

# %% tags=["nbval-ignore-output"]
explorer = explore_convolution(height=9, width=9, kernel_size=3, padding=0, stride=1, dilation=2)
explorer

# %% [markdown]
# The explorer's numbers come from the same arithmetic as the rest of the course. Its first frame
# checked in code:

# %%
state = explorer.model.state
print(state.summary(0))
assert state.output_shape == cu.conv_output_size((9, 9), 3, dilation=2) == (5, 5)
assert np.array_equal(state.output, cu.corr2d(state.input, state.kernel, dilation=2))

# %% [markdown]
# ## Recap
#
# * Dilation $d$ spreads a kernel's taps $d$ pixels apart:
#   $Y[i, j] = \sum_{a, b} X[i + d\,a,\, j + d\,b]\, K[a, b]$. It equals an ordinary correlation with
#   the dense kernel that has $d - 1$ zeros between taps (`dilate_kernel`); a NumPy loop, `cu.corr2d`
#   and the dense kernel gave identical results.
# * The effective kernel size is $k + (k - 1)(d - 1)$: $3, 5, 7, 9$ for $k = 3$ and $d = 1, \dots, 4$,
#   always with $9$ weights, where a dense kernel of the same view needs $9, 25, 49, 81$.
# * Output size: $\lfloor (n + 2p - d(k - 1) - 1)/s \rfloor + 1$; a $3 \times 3$ kernel keeps the size
#   with $p = d$.
# * PyTorch (`dilation`), MXNet (`dilate`, Gluon `dilation`) and JAX (`rhs_dilation`) agree with the
#   reference, with padding and stride too. JAX's `lhs_dilation` is something else.
# * Dilations $1, 2, 4, \dots$ grow the field of view exponentially ($3, 7, 15, 31$) for $9$ weights
#   per layer. Repeating one dilation leaves a grid of pixels that are never read (gridding).

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("07_dilation")

# %% [markdown]
# ### Exercise 1: the dense kernel, by hand
#
# Write `dilate_by_hand(kernel, d)`: given a 2-D NumPy `kernel` and an integer dilation `d >= 1`,
# return the dense kernel with the taps `d` cells apart and zeros in the holes, as `dilate_kernel`
# does. For example, `[[1, 2], [3, 4]]` with `d = 2` becomes `[[1, 0, 2], [0, 0, 0], [3, 0, 4]]`.

# %%
# SOLUTION q1

# %%
q1.check(dilate_by_hand)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: how far does a dilated 5x5 kernel reach?
#
# A $5 \times 5$ kernel has dilation $3$. How many pixels does it span along one axis? Work it out on
# paper, then store the number in `answer`.

# %%
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): three layers with dilation 2
#
# A network stacks three $3 \times 3$ layers, all with dilation $2$. How large is the field of view of
# one output, which input pixels inside it can influence that output, and what does this mean for
# fine detail in the image? Which dilations would you choose instead? This one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [06 · Padding and stride](06_padding_and_stride.ipynb)
#
# **Next:** [08 · Channels](08_channels.ipynb)
