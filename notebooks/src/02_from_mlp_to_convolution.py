# %% [markdown]
# # 02 · From MLP to convolution
#
# You know the fully connected (dense) layer of a multilayer perceptron: every output is a weighted sum
# of every input. This lesson starts from such a layer acting on an image and shows that a convolution
# layer is the same layer with two constraints on its weights. Nothing new is invented: the
# convolution falls out of the dense layer.
#
# **In this lesson you will**
#
# 1. write a dense layer on an image with a fourth-order weight tensor, and re-index it by offsets;
# 2. impose weight sharing and locality, and watch the dense layer turn into a cross-correlation;
# 3. count parameters for a small and a 1-megapixel image, and check the counts against PyTorch,
#    MXNet Gluon and Flax layers;
# 4. build the dense matrix of a convolution and prove in four libraries that it computes the same thing;
# 5. check translation *equivariance* by code, and tell it apart from translation *invariance*.

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import flax.linen as fnn
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

import course_utils as cu
from course_utils import exercises
from course_utils.dense import conv_parameter_count, corr2d_as_matrix, dense_parameter_count
from course_utils.plotting import show_array, show_row

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
from mxnet import np as mnp
from mxnet.gluon import nn as gluon_nn

# %% [markdown]
# ## A dense layer on an image
#
# An MLP flattens an image into a vector and multiplies it by a weight matrix. Let us keep the image
# as an image instead. The input $\mathbf{X}$ and the hidden representation $\mathbf{H}$ are both
# $h \times w$ arrays, and every hidden unit $(i, j)$ has its own weight for every pixel $(k, l)$.
# The weights then need four indices, a **fourth-order tensor** $\mathsf{W}$, and with a bias array
# $\mathbf{U}$ the layer reads
#
# $$H[i, j] = U[i, j] + \sum_{k} \sum_{l} W[i, j, k, l]\; X[k, l].$$
#
# This is the ordinary dense layer, only with the indices of the matrix split in two: flatten
# $(i, j)$ into one row index and $(k, l)$ into one column index and $\mathsf{W}$ becomes the usual
# $hw \times hw$ weight matrix.

# %% [markdown]
# A $4 \times 4$ example with random weights: `np.einsum` sums over $k$ and $l$ exactly as the formula
# says, and the flattened version is a plain matrix-vector product.

# %%
h, w = 4, 4
X = rng.integers(0, 10, size=(h, w)).astype(float)
W = rng.standard_normal((h, w, h, w))  # W[i, j, k, l]
U = rng.standard_normal((h, w))

H_tensor = U + np.einsum("ijkl,kl->ij", W, X)
H_matrix = U.ravel() + W.reshape(h * w, h * w) @ X.ravel()  # the MLP view: a 16 x 16 matrix
diff = np.max(np.abs(H_tensor.ravel() - H_matrix))
print("weights:", W.size, "=", h * w, "hidden units x", h * w, "pixels")
print(f"fourth-order tensor versus flattened matrix: max |diff| = {diff:.1e}")
assert diff <= 1e-12

# %% [markdown]
# ### Re-indexing by offsets
#
# Now describe pixel $(k, l)$ by its **offset** from the hidden unit: $k = i + a$, $l = j + b$. The
# offsets $a$ and $b$ can be negative; on a $4 \times 4$ image they range over $-3, \dots, 3$. Define
#
# $$V[i, j, a, b] = W[i, j, i + a, j + b],$$
#
# so that
#
# $$H[i, j] = U[i, j] + \sum_{a} \sum_{b} V[i, j, a, b]\; X[i + a, j + b].$$
#
# Nothing has changed yet: every coefficient of $\mathsf{W}$ appears once in $\mathsf{V}$. The new form
# only says "this weight connects unit $(i, j)$ to the pixel $a$ rows down and $b$ columns right".

# %% [markdown]
# In code the offsets $-3, \dots, 3$ are stored at array positions $0, \dots, 6$ (add $h - 1 = 3$).
# Offsets that leave the image get weight zero. To read $X[i + a, j + b]$ for all offsets at once, pad
# $X$ with zeros and take the $7 \times 7$ window around each pixel.

# %%
V = np.zeros((h, w, 2 * h - 1, 2 * w - 1))  # V[i, j, a + 3, b + 3]
for i in range(h):
    for j in range(w):
        for k in range(h):
            for l in range(w):
                V[i, j, k - i + h - 1, l - j + w - 1] = W[i, j, k, l]

windows = sliding_window_view(np.pad(X, ((h - 1, h - 1), (w - 1, w - 1))), (2 * h - 1, 2 * w - 1))
print("windows:", windows.shape, "-> windows[i, j, a + 3, b + 3] = X[i + a, j + b] (0 outside the image)")
H_offsets = U + np.einsum("ijab,ijab->ij", V, windows)
diff = np.max(np.abs(H_offsets - H_tensor))
print(f"offset form versus original form: max |diff| = {diff:.1e}")
assert diff <= 1e-12
assert np.count_nonzero(V) == W.size  # one-to-one: each weight of W lands in exactly one slot of V

# %% [markdown]
# ## Constraint 1: the same weights everywhere
#
# A pattern, say a vertical edge, should be detected in the same way wherever it appears. So the
# weight that connects a unit to "the pixel one row down" should not depend on where the unit sits:
# $V[i, j, a, b]$ must not depend on $(i, j)$. With $V[i, j, a, b] = V[a, b]$ and one bias $u$ for
# every unit, the layer becomes
#
# $$H[i, j] = u + \sum_{a} \sum_{b} V[a, b]\; X[i + a, j + b].$$
#
# That is exactly the **cross-correlation** of lesson 01, with $V$ as the kernel.
# Many texts call this constraint "translation invariance"; a later section shows why, for a layer,
# the precise word is **equivariance**. The usual name for the constraint itself is **weight sharing**.

# %% [markdown]
# Build the dense tensor from a single $7 \times 7$ array of offset weights,
# $W[i, j, k, l] = V[k - i, l - j]$, and compare the dense layer with `cu.corr2d`. The offsets start
# at $-3$, so the kernel must hang over the image by $3$ on every side: that is `padding=3`.

# %%
V_shared = rng.standard_normal((2 * h - 1, 2 * w - 1))  # V[a + 3, b + 3]
u = 0.5


def dense_from_offsets(V_offsets, h, w):
    """The dense tensor W[i, j, k, l] = V[k - i, l - j] of a layer whose weights depend on offsets only."""
    ch, cw = (V_offsets.shape[0] - 1) // 2, (V_offsets.shape[1] - 1) // 2  # the array position of offset 0
    W_built = np.zeros((h, w, h, w))
    for i in range(h):
        for j in range(w):
            for k in range(h):
                for l in range(w):
                    a, b = k - i, l - j
                    if abs(a) <= ch and abs(b) <= cw:
                        W_built[i, j, k, l] = V_offsets[a + ch, b + cw]
    return W_built


W_shared = dense_from_offsets(V_shared, h, w)
H_dense = u + np.einsum("ijkl,kl->ij", W_shared, X)
H_corr = u + cu.corr2d(X, V_shared, padding=h - 1)
diff = np.max(np.abs(H_dense - H_corr))
print(f"dense layer with shared weights versus corr2d: max |diff| = {diff:.1e}")
assert diff <= 1e-12

# %% [markdown]
# ## Constraint 2: locality
#
# To decide what happens at pixel $(i, j)$, distant pixels matter little. So keep only the offsets in
# a small window, $|a| \le \Delta$ and $|b| \le \Delta$, and set the others to zero:
#
# $$H[i, j] = u + \sum_{a = -\Delta}^{\Delta} \; \sum_{b = -\Delta}^{\Delta} V[a, b]\; X[i + a, j + b].$$
#
# With $\Delta = 1$ the kernel is $3 \times 3$: nine weights and one bias, however large the image.

# %%
K3 = rng.standard_normal((3, 3))  # V[a + 1, b + 1] for |a|, |b| <= 1
W_local = dense_from_offsets(K3, h, w)
H_dense = u + np.einsum("ijkl,kl->ij", W_local, X)
H_corr = u + cu.corr2d(X, K3, padding=1)
diff = np.max(np.abs(H_dense - H_corr))
print(f"dense layer with shared, local weights versus corr2d with a 3x3 kernel: max |diff| = {diff:.1e}")
assert diff <= 1e-12
print("free parameters: dense", W.size + U.size, "| shared", V_shared.size + 1, "| shared and local", K3.size + 1)

# %% [markdown]
# The libraries number the kernel taps $0, \dots, 2\Delta$ instead of $-\Delta, \dots, \Delta$, so their
# window starts at the unit's pixel rather than being centred on it. That only moves the output by
# $\Delta$ pixels, and padding by $\Delta$ (as above) moves it back; lesson 06 is about padding.
#
# What do the constraints do to the weight matrix? Flatten each tensor to its $16 \times 16$ matrix
# (row $i \cdot 4 + j$ = hidden unit $(i, j)$, column $k \cdot 4 + l$ = pixel $(k, l)$) and cut it into
# a $4 \times 4$ grid of $4 \times 4$ **blocks**: block $(i, k)$ holds the weights from image row $k$
# to hidden row $i$.
#
# With sharing, $W[i, j, k, l] = V[k - i, l - j]$ depends on two differences only. Inside one block
# ($i$ and $k$ fixed) an entry depends only on $l - j$, so every block is constant along each of its
# diagonals: a **Toeplitz** matrix. And which block it is depends only on $k - i$, so the blocks repeat
# along the block diagonals. The matrix is **block Toeplitz with Toeplitz blocks** (also called
# *doubly block Toeplitz*).
#
# It is *not* a Toeplitz $16 \times 16$ matrix: its diagonals are not constant. Step one column right
# from the main diagonal. For $j < 3$ that connects unit $(i, j)$ with pixel $(i, j + 1)$, offset
# $(0, 1)$; but for $j = 3$ the next column is pixel $(i + 1, 0)$, the first pixel of the next image
# row, offset $(1, -3)$. The cell below checks all three statements on `W_shared`.

# %%
def is_toeplitz(matrix):
    """Constant along every diagonal: each entry equals its upper-left neighbour."""
    return np.array_equal(matrix[1:, 1:], matrix[:-1, :-1])


M_shared = W_shared.reshape(h * w, h * w)
blocks = W_shared.transpose(0, 2, 1, 3)  # blocks[i, k] = the 4x4 block of hidden row i and image row k
assert all(is_toeplitz(blocks[i, k]) for i in range(h) for k in range(h))
assert all(np.array_equal(blocks[i, k], blocks[i + 1, k + 1]) for i in range(h - 1) for k in range(h - 1))
print(f"each of the {h * h} blocks is Toeplitz, and blocks repeat along the block diagonals")

offset = {(a, b): V_shared[a + h - 1, b + w - 1] for a in range(-(h - 1), h) for b in range(-(w - 1), w)}
above_main = np.diagonal(M_shared, 1)
print("diagonal +1 of the 16x16 matrix:", np.round(above_main, 2))
print(f"V[0, 1] = {offset[0, 1]:.2f}, V[1, -3] = {offset[1, -3]:.2f}")
new_image_row = np.arange(above_main.size) % w == w - 1  # entry (r, r + 1) with j = 3
assert np.all(above_main[~new_image_row] == offset[0, 1]) and np.all(above_main[new_image_row] == offset[1, -3])
assert not is_toeplitz(M_shared) and len(np.unique(above_main)) == 2
assert len(np.unique(np.diagonal(M_shared))) == 1  # the main diagonal alone is constant: offset (0, 0)

# %% [markdown]
# In the figure the black lines mark the blocks. Sharing makes every block Toeplitz and repeats the
# blocks along the block diagonals; locality then keeps only a band of diagonals inside each block, and
# only the blocks with $|k - i| \le 1$.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
show_array(axes[0], W.reshape(h * w, h * w), "dense: 256 free weights", signed=True, annotate=False, block_size=w)
show_array(axes[1], M_shared, "shared: 49 free weights", signed=True, annotate=False, block_size=w)
show_array(axes[2], W_local.reshape(h * w, h * w), "shared + local: 9 free weights", signed=True, annotate=False,
           block_size=w)
for ax in axes:
    ax.set_xlabel("pixel k * 4 + l")
    ax.set_ylabel("hidden unit i * 4 + j")
fig.suptitle("The 16x16 weight matrix of a 4x4 -> 4x4 layer, cut into 4x4 blocks: no structure, "
             "then block Toeplitz, then banded (white = 0)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Invariance or equivariance?
#
# Write $T_s$ for the operation that shifts an image by $s = (s_1, s_2)$ pixels,
# $(T_s X)[i, j] = X[i - s_1, j - s_2]$. For a map $f$ from images to images or to numbers:
#
# * $f$ is **translation equivariant** if $f(T_s X) = T_s f(X)$: shift the input, and the output shifts
#   by the same amount. A conv layer is equivariant (away from the image borders).
# * $f$ is **translation invariant** if $f(T_s X) = f(X)$: shift the input, and the output does not
#   change at all. A classifier should be invariant: a cat is a cat wherever it sits.
#
# Many texts, the d2l book among them, call the weight-sharing assumption "translation invariance".
# Read it as a statement about the *weights*: $V[i, j, a, b]$ does not change when the position $(i, j)$
# changes. What it gives the *layer* is equivariance. Invariance of a whole network comes later, from pooling over positions
# (lessons 09 and 11). We check both properties by code further down.

# %% [markdown]
# ## Counting parameters
#
# Three words first, because every library uses them. A colour image has three values per pixel
# (red, green, blue): its **channels**. The output of a conv layer is an image too, called a
# **feature map**, and a layer can compute several feature maps from the same input, one per kernel;
# those are the output channels. A kernel that reads all input channels (one $3 \times 3$ slice per
# input channel) is also called a **filter**. So a $3 \times 3$ conv layer from 3 channels to 1 has one
# filter of $3 \cdot 3 \cdot 3 = 27$ weights and one bias. Lesson 08 treats channels in full.
#
# Why bother with the constraints? Count. For a colour image of $1000 \times 1000$ pixels (one
# megapixel, three channels), every output unit of a dense layer has one weight per input value:
# $1000 \cdot 1000 \cdot 3 = 3$ million. The table is computed by `dense_parameter_count` and
# `conv_parameter_count` from `course_utils.dense`; the "locally connected" row keeps locality but not
# sharing (its own $3 \times 3 \times 3$ window of weights for every output unit).

# %%
def locally_connected_parameter_count(in_channels, kernel_size, output_hw):
    """Locality without sharing: every output unit has its own kernel and bias (one output channel)."""
    return output_hw[0] * output_hw[1] * (conv_parameter_count(in_channels, 1, kernel_size, bias=False) + 1)


rows = [
    ("28x28x1", "dense -> 1 unit", dense_parameter_count((28, 28, 1), 1)),
    ("28x28x1", "dense -> 28x28 image", dense_parameter_count((28, 28, 1), (28, 28))),
    ("28x28x1", "locally connected 3x3 -> 28x28", locally_connected_parameter_count(1, 3, (28, 28))),
    ("28x28x1", "conv 3x3, 1 -> 1 channel", conv_parameter_count(1, 1, 3)),
    ("1000x1000x3", "dense -> 1 unit", dense_parameter_count((1000, 1000, 3), 1)),
    ("1000x1000x3", "dense -> 1000x1000 image", dense_parameter_count((1000, 1000, 3), (1000, 1000))),
    ("1000x1000x3", "locally connected 3x3 -> 1000x1000", locally_connected_parameter_count(3, 3, (1000, 1000))),
    ("1000x1000x3", "conv 3x3, 3 -> 1 channel", conv_parameter_count(3, 1, 3)),
]
print(f"{'input':12s} {'layer':36s} {'parameters (incl. biases)':>26s}")
for image, layer, count in rows:
    print(f"{image:12s} {layer:36s} {count:26,d}")

# %% [markdown]
# The numbers the prose uses, checked one by one (weights without biases where the text says "weights"):

# %%
per_unit = dense_parameter_count((1000, 1000, 3), 1, bias=False)
same_size = dense_parameter_count((1000, 1000, 3), (1000, 1000), bias=False)
conv_weights = conv_parameter_count(3, 1, 3, bias=False)
print(f"dense, weights per output unit:        {per_unit:,}")
print(f"dense to a 1000x1000 image, weights:   {same_size:,} = {per_unit:,} x {1000 * 1000:,}")
print(f"conv 3x3, 3 -> 1 channel:              {conv_weights} weights + 1 bias")
print(f"dense / conv parameters:               {dense_parameter_count((1000, 1000, 3), (1000, 1000)) // conv_parameter_count(3, 1, 3):,} times more")
assert per_unit == 3_000_000  # "roughly 3 million weights per output unit"
assert same_size == 3 * 10**12
assert conv_weights == 27 and conv_parameter_count(3, 1, 3) == 28
assert dense_parameter_count((28, 28, 1), (28, 28)) == 784 * 784 + 784
print(f"the 1000x1000 dense weights in float32:  {same_size * 4 / 10**12:.0f} TB")
assert same_size * 4 == 12 * 10**12

# %% [markdown]
# Three trillion weights in 32-bit floats would take 12 TB, for one layer. The conv layer's 28
# parameters do not depend on the image size at all.
#
# We cannot build the big layers to check the formula, but we can build small ones. The cell below
# counts the parameters of real PyTorch and Flax layers, the next one those of MXNet Gluon layers.
# Gluon and Flax infer the input size from the first input (deferred shapes), so each layer sees one
# batch before it is counted. For Flax, `jax.eval_shape` runs the layer's `init` abstractly: it
# returns the same parameter tree with shapes and dtypes only, without drawing the random values.

# %%
def count_dense_layers(input_shape, n_out):
    n_in = int(np.prod(input_shape))
    torch_layer = torch.nn.Linear(n_in, n_out)
    flax_params = jax.eval_shape(fnn.Dense(n_out).init, jax.random.PRNGKey(0), jnp.zeros((1, n_in)))
    return {
        "PyTorch": sum(p.numel() for p in torch_layer.parameters()),
        "Flax": sum(leaf.size for leaf in jax.tree_util.tree_leaves(flax_params)),
    }


def count_conv_layers(c_in, c_out, k):
    torch_layer = torch.nn.Conv2d(c_in, c_out, k)
    flax_layer = fnn.Conv(features=c_out, kernel_size=(k, k))
    flax_params = jax.eval_shape(flax_layer.init, jax.random.PRNGKey(0), jnp.zeros((1, 8, 8, c_in)))  # NHWC
    return {
        "PyTorch": sum(p.numel() for p in torch_layer.parameters()),
        "Flax": sum(leaf.size for leaf in jax.tree_util.tree_leaves(flax_params)),
    }


# (name, formula, "dense" with (input shape, outputs) or "conv" with (in channels, out channels, k))
layer_cases = [
    ("dense 28x28x1 -> 1", dense_parameter_count((28, 28, 1), 1), "dense", ((28, 28, 1), 1)),
    ("dense 28x28x1 -> 28x28", dense_parameter_count((28, 28, 1), (28, 28)), "dense", ((28, 28, 1), 784)),
    ("dense 8x8x3 -> 8x8", dense_parameter_count((8, 8, 3), (8, 8)), "dense", ((8, 8, 3), 64)),
    ("conv 3x3, 1 -> 1", conv_parameter_count(1, 1, 3), "conv", (1, 1, 3)),
    ("conv 3x3, 3 -> 1", conv_parameter_count(3, 1, 3), "conv", (3, 1, 3)),
    ("conv 5x5, 3 -> 16", conv_parameter_count(3, 16, 5), "conv", (3, 16, 5)),
]
formulas = [formula for _, formula, _, _ in layer_cases]
counts = [(count_dense_layers if kind == "dense" else count_conv_layers)(*arguments)
          for _, _, kind, arguments in layer_cases]
print(f"{'layer':24s} {'formula':>8s} {'PyTorch':>8s} {'Flax':>8s}")
for (name, formula, _, _), count in zip(layer_cases, counts):
    print(f"{name:24s} {formula:8d} {count['PyTorch']:8d} {count['Flax']:8d}")

flax_tree = jax.eval_shape(fnn.Conv(features=16, kernel_size=(5, 5)).init, jax.random.PRNGKey(0), jnp.zeros((1, 8, 8, 3)))
print("\nFlax parameter tree of the last conv layer:", jax.tree_util.tree_map(lambda leaf: leaf.shape, flax_tree))

# %%
# %%needs mxnet
def count_gluon_layer(kind, arguments):
    if kind == "dense":
        input_shape, n_out = arguments
        layer, example = gluon_nn.Dense(n_out), mnp.zeros((1,) + input_shape)  # Dense flattens all axes after the batch
    else:
        c_in, c_out, k = arguments
        layer, example = gluon_nn.Conv2D(channels=c_out, kernel_size=k), mnp.zeros((1, c_in, 8, 8))  # NCHW, c_in deferred
    layer.initialize()
    layer(example)
    return sum(p.data().size for p in layer.collect_params().values())


gluon_counts = [count_gluon_layer(kind, arguments) for _, _, kind, arguments in layer_cases]
print(f"{'layer':24s} {'formula':>8s} {'Gluon':>8s}")
for (name, formula, _, _), count in zip(layer_cases, gluon_counts):
    print(f"{name:24s} {formula:8d} {count:8d}")

# %% [markdown]
# Every count must equal its formula exactly (tolerance 0), in every library installed here:

# %%
cu.compare(formulas, {"PyTorch": [count["PyTorch"] for count in counts], "MXNet": lambda: gluon_counts,
                      "Flax": [count["Flax"] for count in counts]},
           tolerance=0, reference_name="the formulas, all six layers")

# %% [markdown]
# ## A convolution is a dense layer with a special matrix
#
# Run the argument backwards. Any cross-correlation with a $k_h \times k_w$ kernel on an $h \times w$
# image is linear, so it has a matrix $M$ that acts on the flattened image:
#
# $$M\, \operatorname{vec}(X) = \operatorname{vec}(X \star K), \qquad
#   M[i\, o_w + j,\; (i + a)\, w + (j + b)] = K[a, b],$$
#
# with output size $o_h \times o_w = (h - k_h + 1) \times (w - k_w + 1)$ and all other entries zero.
# `corr2d_as_matrix(K, input_shape)` builds it. Start with the $3 \times 3$ input and the kernel
# $K = \begin{bmatrix}0 & 1\\ 2 & 3\end{bmatrix}$ of lesson 01.

# %%
X_small = np.arange(9, dtype=float).reshape(3, 3)
K_small = np.array([[0.0, 1.0], [2.0, 3.0]])
M_small = corr2d_as_matrix(K_small, X_small.shape)
print("M (4 outputs x 9 pixels):\n", M_small)
Y_small = (M_small @ X_small.ravel()).reshape(2, 2)
print("M @ vec(X), reshaped:\n", Y_small)
assert np.array_equal(Y_small, [[19, 25], [37, 43]])
assert np.array_equal(Y_small, cu.corr2d(X_small, K_small))

# %% [markdown]
# Each row is one window: row 0 picks pixels $0, 1, 3, 4$ of the flattened image, with weights
# $0, 1, 2, 3$, and $0 \cdot 0 + 1 \cdot 1 + 2 \cdot 3 + 3 \cdot 4 = 19$.
#
# A slightly larger case makes the structure visible: a $4 \times 4$ input and a $2 \times 2$ kernel
# give a $9 \times 16$ matrix.

# %%
K_demo = np.array([[1.0, -2.0], [3.0, -4.0]])
M_demo = corr2d_as_matrix(K_demo, (4, 4))
print("M shape:", M_demo.shape)

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 4]})
show_array(axes[0], K_demo, "kernel K (2x2)")
show_array(axes[1], M_demo, "its matrix M (9 outputs x 16 pixels), in 3x4 blocks", signed=True, annotate=True,
           block_size=(3, 4))
axes[1].set_xlabel("input pixel k * 4 + l")
axes[1].set_ylabel("output i * 3 + j")
fig.suptitle("A 2x2 cross-correlation on a 4x4 image, as a dense layer")
fig.tight_layout()
plt.show()

# %% [markdown]
# Every row holds the same four values, moved one place to the right from one row to the next, and by
# one extra place when the window wraps to the next image row (rows $2 \to 3$ and $5 \to 6$). Cut
# into $3 \times 4$ blocks (output row $i$, input row $k$), each block is Toeplitz and the blocks repeat
# along the block diagonals: again a **doubly block Toeplitz** matrix, not a Toeplitz one (checked
# below). Reshape a row to $4 \times 4$ and you see the kernel sitting on its window.

# %% tags=["hide-input"]
fig = show_row([M_demo[r].reshape(4, 4) for r in (0, 1, 4, 8)],
               [f"row {r} = output ({r // 3}, {r % 3})" for r in (0, 1, 4, 8)],
               "Rows of M reshaped to the input: the kernel placed on each window", signed=True)
plt.show()

# %% [markdown]
# Count what the matrix really contains: $144$ entries, as many as the weights of a dense
# $16 \to 9$ layer, but only $9 \cdot 4 = 36$ are non-zero (**sparsity**, from locality) and they take
# only $4$ distinct values (**weight sharing**).

# %%
nonzero = np.count_nonzero(M_demo)
distinct = np.unique(M_demo[M_demo != 0])
print("entries:", M_demo.size, "| non-zero:", nonzero, "| distinct non-zero values:", distinct)
assert M_demo.size == dense_parameter_count((4, 4), (3, 3), bias=False) == 144
assert nonzero == 36 and len(distinct) == K_demo.size == 4
first_columns = [int(np.flatnonzero(row)[0]) for row in M_demo]
print("first non-zero column of each row:", first_columns)
assert first_columns == [0, 1, 2, 4, 5, 6, 8, 9, 10]  # one step per output, an extra step at each new image row
demo_blocks = M_demo.reshape(3, 3, 4, 4).transpose(0, 2, 1, 3)  # [output row i, input row k] -> a 3x4 block
assert all(is_toeplitz(demo_blocks[i, k]) for i in range(3) for k in range(4))
assert all(np.array_equal(demo_blocks[i, k], demo_blocks[i + 1, k + 1]) for i in range(2) for k in range(3))
assert not is_toeplitz(M_demo)
print("3x4 blocks: each Toeplitz, repeated along the block diagonals; M itself is not Toeplitz")

# %% [markdown]
# The matrix *is* the dense tensor of the first section: reshaped to $(o_h, o_w, h, w)$ it is
# $W[i, j, k, l]$, and the einsum of the dense layer gives the cross-correlation.

# %%
W_demo = M_demo.reshape(3, 3, 4, 4)
X_demo = rng.integers(0, 10, size=(4, 4)).astype(float)
assert all(W_demo[i, j, i + a, j + b] == K_demo[a, b] for i in range(3) for j in range(3) for a in range(2) for b in range(2))
diff = np.max(np.abs(np.einsum("ijkl,kl->ij", W_demo, X_demo) - cu.corr2d(X_demo, K_demo)))
print(f"dense einsum with W = M.reshape(3, 3, 4, 4) versus corr2d: max |diff| = {diff:.1e}")
assert diff <= 1e-12

# %% [markdown]
# ### The same proof in MXNet, PyTorch and JAX
#
# On a random $6 \times 7$ image with a $3 \times 2$ kernel, each framework multiplies the matrix with
# the flattened image and also runs its own convolution (`cu.frameworks.corr2d_builtins`); the two
# must agree with each other and with `cu.corr2d`. Both are held to within $5 \times 10^{-6}$ of
# `cu.corr2d`, so a library's matrix product and its convolution are within $10^{-5}$ of each other.

# %%
X_rand = rng.standard_normal((6, 7)).astype(np.float32)
K_rand = rng.standard_normal((3, 2)).astype(np.float32)
M_rand = corr2d_as_matrix(K_rand, X_rand.shape)  # (4 * 6, 6 * 7) = (24, 42)
reference = cu.corr2d(X_rand, K_rand)
print("matrix:", M_rand.shape, " output:", reference.shape)

# %%
# %%needs mxnet
matrix_product_mxnet = mnp.matmul(mnp.array(M_rand), mnp.array(X_rand.ravel())).reshape(reference.shape)

# %%
print("the matrix product M @ vec(X), reshaped to the output:")
cu.compare(reference, {
    "NumPy": (M_rand @ X_rand.ravel()).reshape(reference.shape),
    "MXNet": lambda: matrix_product_mxnet,
    "PyTorch": torch.matmul(torch.from_numpy(M_rand), torch.from_numpy(X_rand.ravel())).reshape(reference.shape),
    "JAX": jnp.matmul(jnp.asarray(M_rand), jnp.asarray(X_rand.ravel())).reshape(reference.shape),
}, tolerance=5e-6, reference_name="cu.corr2d")
print("each framework's own convolution:")
cu.compare(reference, cu.frameworks.corr2d_builtins(X_rand, K_rand), tolerance=5e-6, reference_name="cu.corr2d")

# %% [markdown]
# So a convolution layer is a fully connected layer whose matrix is forced to be sparse and to repeat
# one small kernel. Multiplying by $M$ costs one multiply-add per entry, $o_h o_w \cdot h w$; sliding
# the kernel costs one per non-zero entry, $o_h o_w \cdot k_h k_w$. The ratio is $hw / (k_h k_w)$,
# and it grows with the image:

# %%
def matrix_and_sliding_multiply_adds(input_shape, kernel_shape):
    (h_in, w_in), (kh, kw) = input_shape, kernel_shape
    outputs = (h_in - kh + 1) * (w_in - kw + 1)
    return outputs * h_in * w_in, outputs * kh * kw


for input_shape, kernel_shape in [((4, 4), (2, 2)), ((6, 7), (3, 2)), ((1000, 1000), (3, 3))]:
    by_matrix, by_sliding = matrix_and_sliding_multiply_adds(input_shape, kernel_shape)
    print(f"{input_shape[0]}x{input_shape[1]} image, {kernel_shape[0]}x{kernel_shape[1]} kernel: "
          f"M @ vec(X) {by_matrix:,} multiply-adds, sliding {by_sliding:,} (x{by_matrix / by_sliding:,.0f})")
assert matrix_and_sliding_multiply_adds((4, 4), (2, 2)) == (M_demo.size, np.count_nonzero(M_demo))
assert matrix_and_sliding_multiply_adds((6, 7), (3, 2)) == (M_rand.size, np.count_nonzero(M_rand))
by_matrix, by_sliding = matrix_and_sliding_multiply_adds((1000, 1000), (3, 3))
print(f"M of the 1000x1000 case in float32: {by_matrix * 4 / 10**12:.1f} TB")
assert by_matrix / by_sliding > 100_000 and by_matrix * 4 > 10**12

# %% [markdown]
# For a one-megapixel image and a $3 \times 3$ kernel, the dense product does over a hundred thousand
# times the work of the sliding sum, and $M$ alone would take terabytes, so libraries do not build
# $M$. Lesson 12 shows what they compute instead.

# %% [markdown]
# ## Translation equivariance, checked
#
# Put a small pattern on a zero background, shift it by $(2, 3)$ pixels with `np.roll`, and pass both
# images through the same layer. Equivariance says the output moves by $(2, 3)$ as well. Near the
# top and left border the shifted output sees pixels the original never had, so the comparison uses
# the region away from those borders: output rows from $2$, columns from $3$.

# %%
image = np.zeros((12, 12))
image[3:8, 3] = 1.0  # a small "L"
image[7, 3:7] = 1.0
image[4, 6] = 0.5  # and a dot
shift = (2, 3)
image_shifted = np.roll(image, shift, axis=(0, 1))
K_edge = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])  # a vertical-edge kernel


def equivariance_gap(layer, X, shift):
    """Largest difference between layer(shifted X) and the shifted layer(X), away from the borders."""
    dy, dx = shift
    Y, Y_shifted = layer(X), layer(np.roll(X, shift, axis=(0, 1)))
    oh, ow = Y.shape
    return float(np.max(np.abs(Y_shifted[dy:, dx:] - Y[: oh - dy, : ow - dx])))


def conv_layer(X):
    return cu.corr2d(X, K_edge)


gap = equivariance_gap(conv_layer, image, shift)
print(f"conv layer: shift then layer versus layer then shift: max |diff| = {gap:.1e}")
assert gap <= 1e-12
# on a zero background nothing wraps around, so the whole output matches a roll of the output
assert np.allclose(conv_layer(image_shifted), np.roll(conv_layer(image), shift, axis=(0, 1)))

# %% [markdown]
# A dense layer with random weights, mapping the $12 \times 12$ image to an output of the same
# $10 \times 10$ size, fails the same test: each output unit has its own weights, so moving the pattern
# changes *what* the layer computes, not only *where*.

# %%
W_random = rng.standard_normal((10 * 10, 12 * 12))


def dense_layer(X):
    return (W_random @ X.ravel()).reshape(10, 10)


gap_dense = equivariance_gap(dense_layer, image, shift)
print(f"random dense layer: gap = {gap_dense:.1f}")
assert gap_dense > 1.0, "a random dense layer should not be translation equivariant"

# the dense layer whose matrix is the convolution matrix passes, of course
M_edge = corr2d_as_matrix(K_edge, image.shape)
gap_structured = equivariance_gap(lambda X: (M_edge @ X.ravel()).reshape(10, 10), image, shift)
print(f"dense layer with the convolution matrix: max |diff| = {gap_structured:.1e}")
assert gap_structured <= 1e-12

# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 3, figsize=(13, 8))
show_array(axes[0, 0], image, "input", annotate=False)
show_array(axes[0, 1], conv_layer(image), "conv output", annotate=False)
show_array(axes[0, 2], dense_layer(image), "random dense output", annotate=False)
show_array(axes[1, 0], image_shifted, "input shifted by (2, 3)", annotate=False)
show_array(axes[1, 1], conv_layer(image_shifted), "conv output: same map, shifted", annotate=False)
show_array(axes[1, 2], dense_layer(image_shifted), "random dense output: a different map", annotate=False)
fig.suptitle("Shift the input: a conv layer's output shifts along, a dense layer's output changes")
fig.tight_layout()
plt.show()

# %% [markdown]
# The framework layers are equivariant too (float32, so up to round-off). For each framework's own
# convolution, `cu.compare` prints the equivariance gap, shift then layer versus layer then shift,
# as its difference from a gap of zero.

# %%
image32, K32 = image.astype(np.float32), K_edge.astype(np.float32)
framework_gaps = {
    name: (lambda name=name: equivariance_gap(lambda X: cu.frameworks.corr2d_builtin(name, X, K32), image32, shift))
    for name in cu.frameworks.FRAMEWORKS
}
cu.compare(0.0, framework_gaps, tolerance=1e-5, reference_name="a gap of zero")

# %% [markdown]
# Equivariance is not invariance: the conv output *moved*, so it is not equal to the unshifted output.
# Taking the maximum of the output over all positions (global max pooling) throws the position away,
# and the result is invariant; lessons 09 and 11 build on this.

# %%
Y, Y_shifted = conv_layer(image), conv_layer(image_shifted)
moved = float(np.max(np.abs(Y_shifted - Y)))
print(f"conv output, shifted versus unshifted: largest change {moved:.1f} (equivariant, not invariant)")
print(f"max over positions: {Y.max():.1f} before, {Y_shifted.max():.1f} after the shift (invariant)")
print(f"min over positions: {Y.min():.1f} before, {Y_shifted.min():.1f} after the shift (invariant)")
assert moved > 1.0
assert Y.max() == Y_shifted.max() and Y.min() == Y_shifted.min()

# %% [markdown]
# ## Recap
#
# * A dense layer on an $h \times w$ image: $H[i, j] = U[i, j] + \sum_{k,l} W[i, j, k, l]\, X[k, l]$, a
#   fourth-order weight tensor, the same as an $hw \times hw$ matrix on the flattened image.
# * Re-indexing by offsets, $V[i, j, a, b] = W[i, j, i + a, j + b]$, changes nothing. Requiring
#   $V[i, j, a, b] = V[a, b]$ (weight sharing) gives a cross-correlation; requiring $|a|, |b| \le \Delta$
#   (locality) makes the kernel small.
# * Counts: $3{,}000{,}000$ weights per output unit for a dense layer on a $1000 \times 1000 \times 3$
#   image, $3 \times 10^{12}$ for a same-size hidden image, $27 + 1$ for a $3 \times 3$ conv layer from
#   3 channels to 1. PyTorch, Gluon and Flax layers agree with the formulas.
# * Every cross-correlation is a dense layer with a sparse, doubly block Toeplitz matrix $M$
#   (`corr2d_as_matrix`): on a $4 \times 4$ image with a $2 \times 2$ kernel, 36 non-zeros of 144 and
#   4 distinct values. MXNet, PyTorch and JAX confirm $M\,\operatorname{vec}(X) = \operatorname{vec}(X \star K)$.
# * The weights are position-independent ("translation invariance" in the sources); the layer is
#   translation **equivariant**: shift in, shift out. A random dense layer is not. Pooling over all
#   positions turns equivariance into invariance.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("02_from_mlp_to_convolution")

# %% [markdown]
# ### Exercise 1: build the convolution matrix
#
# Write `conv_matrix(K, input_shape)` that returns the matrix $M$ of the cross-correlation with the
# kernel `K` on images of shape `input_shape = (h, w)`, so that
# `M @ X.ravel() == cu.corr2d(X, K).ravel()`. Use loops; do not call `corr2d_as_matrix`.

# %%
# SOLUTION q1

# %%
q1.check(conv_matrix)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: a dense layer on a small colour image
#
# A $3 \times 3$ conv layer with padding 1 maps a $32 \times 32$ RGB image ($32 \times 32 \times 3$)
# to a $32 \times 32 \times 16$ feature map with $16 \cdot 3 \cdot 3 \cdot 3 + 16 = 448$ parameters.
# How many parameters (weights and biases) does a **dense** layer with the same input and output
# shapes have? Store the number in `answer`.

# %%
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): what do the constraints cost?
#
# Locality and weight sharing cut the parameters by many orders of magnitude. What can a conv layer
# no longer represent that a dense layer can? Give two or three concrete examples of linear maps on
# images, and say when the price matters. This one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [01 · Convolution maths](01_convolution_maths.ipynb)
#
# **Next:** [03 · Cross-correlation and conv layers](03_cross_correlation_and_conv_layers.ipynb)
