# %% [markdown]
# # 03 · Cross-correlation and conv layers
#
# Lesson 02 showed that a convolution layer is a fully connected layer with most weights removed and
# the rest shared. Now we build one: first the operation itself, written four times (NumPy, MXNet,
# PyTorch, JAX), then a layer with a learnable kernel and bias that each framework can train.
#
# **In this lesson you will**
#
# 1. compute a 2-D cross-correlation by hand and by a double loop, in all four libraries;
# 2. see why the loop version cannot be trained in MXNet, and rewrite it as a sum over kernel taps
#    that every framework can differentiate;
# 3. build a conv layer (kernel + scalar bias) as an MXNet Gluon `Block`, a PyTorch `nn.Module` and
#    a Flax module, and check it against each framework's built-in layer;
# 4. read the weight shapes and memory layouts the frameworks use (NCHW, NHWC, MXNet's deferred `-1`).

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

import course_utils as cu
from course_utils import exercises
from course_utils.timing import MIN_SAMPLE_SECONDS, median_seconds
from course_utils.data import load_image
from course_utils.diagrams import correlation_step_formula, show_correlation_step

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
import mxnet as mx
from mxnet import autograd
from mxnet import np as mnp
from mxnet.gluon import nn as gluon_nn

# %% [markdown]
# ## The operation, one output at a time
#
# A 2-D cross-correlation slides a $k_h \times k_w$ kernel $K$ over the input $X$. At each position
# it multiplies the window under the kernel by the kernel, element by element, and adds the products:
#
# $$Y[i, j] = \sum_{a=0}^{k_h - 1} \sum_{b=0}^{k_w - 1} X[i + a,\, j + b]\; K[a, b].$$
#
# The kernel fits at $H - k_h + 1$ rows and $W - k_w + 1$ columns, so that is the output size. For
# the $3 \times 3$ input and $2 \times 2$ kernel of lesson 00, the top-left output is the sum of four
# products.

# %% alt="The 3x3 input 0 to 8 with its top-left 2x2 window outlined, the 2x2 kernel 0, 1, 2, 3, and the 2x2 output 19, 25, 37, 43 with the entry 19 outlined; the title spells it out as 0*0 + 1*1 + 3*2 + 4*3 = 19."
X = np.arange(9, dtype=np.float32).reshape(3, 3)
K = np.array([[0, 1], [2, 3]], dtype=np.float32)
print(correlation_step_formula(X, K, (0, 0)))
assert correlation_step_formula(X, K, (0, 0)) == "0*0 + 1*1 + 3*2 + 4*3 = 19"

fig = show_correlation_step(X, K, (0, 0))
plt.show()

# %% [markdown]
# Moving the window one column to the right, one row down, or both gives the other three outputs.

# %%
for position in [(0, 1), (1, 0), (1, 1)]:
    print(f"Y{list(position)}:", correlation_step_formula(X, K, position))

# %% [markdown]
# ## From scratch in NumPy
#
# The definition turns into two loops over the output positions. This is the version to read, not the
# version to run on large images: later in this lesson we time it against two faster ones, and lesson 12
# is about speed. `cu.corr2d` is the course's tested version. The function that creates the output,
# `zeros`, is an argument, for the next section.

# %%
def corr2d_loops(X, K, zeros=np.zeros):
    kh, kw = K.shape
    Y = zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + kh, j : j + kw] * K).sum()
    return Y


Y_numpy = corr2d_loops(X, K)
print(Y_numpy)
assert np.array_equal(Y_numpy, [[19, 25], [37, 43]])
assert np.array_equal(Y_numpy, cu.corr2d(X, K))

# %% [markdown]
# ## The same loop in MXNet, PyTorch and JAX
#
# MXNet's `mxnet.np` and PyTorch copy NumPy closely enough that only the function that creates the
# output changes: the same `corr2d_loops` runs on their arrays when we pass their `zeros`.

# %%
# %%needs mxnet
print("MXNet:  ", cu.to_numpy(corr2d_loops(mnp.array(X), mnp.array(K), zeros=mnp.zeros)).tolist())

# %%
print("PyTorch:", corr2d_loops(torch.from_numpy(X), torch.from_numpy(K), zeros=torch.zeros).tolist())

# %% [markdown]
# JAX arrays are **immutable**: `Y[i, j] = value` raises an error. Instead, `Y.at[i, j].set(value)`
# returns a new array with that one entry replaced, so the loop rebinds `Y` at every step. Run eagerly,
# as here, each step copies the whole array. Inside a function compiled with `jax.jit`, XLA may write the
# entry in place instead, when nothing uses the old array afterwards; JAX's documentation of `.at`
# promises this optimisation. The timing after the next cell shows it happening.

# %%
def corr2d_loops_jax(X, K):
    kh, kw = K.shape
    Y = jnp.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y = Y.at[i, j].set((X[i : i + kh, j : j + kw] * K).sum())
    return Y


print("JAX:    ", np.asarray(corr2d_loops_jax(jnp.asarray(X), jnp.asarray(K))).tolist())

# %% [markdown]
# The timing: $50$ single-entry updates of an array of a million float32 numbers (4 MB), eagerly and
# inside `jax.jit` (with `jax.lax.fori_loop`, so the compiled loop is not unrolled), compared with the
# time of one full copy of the array. If every update copied the array, a loop would take at least the
# time of $50$ copies.

# %% tags=["nbval-ignore-output"]
UPDATES = 50
big = jnp.zeros(1_000_000, dtype=jnp.float32)


def set_entries(Y):
    for i in range(UPDATES):
        Y = Y.at[i].set(1.0)
    return Y


@jax.jit
def set_entries_jitted(Y):
    return jax.lax.fori_loop(0, UPDATES, lambda i, Y: Y.at[i].set(1.0), Y)


assert np.array_equal(set_entries(big), set_entries_jitted(big))
one_copy = median_seconds(lambda: (big + 0).block_until_ready(), budget_seconds=0.3,
                          min_sample_seconds=MIN_SAMPLE_SECONDS)
eager = median_seconds(lambda: set_entries(big).block_until_ready(), budget_seconds=0.5)
jitted = median_seconds(lambda: set_entries_jitted(big).block_until_ready(), budget_seconds=0.3,
                        min_sample_seconds=MIN_SAMPLE_SECONDS)
print(f"one copy of the array:        {one_copy * 1e3:7.3f} ms")
print(f"{UPDATES} updates, eager:          {eager * 1e3:7.3f} ms = {eager / one_copy:6.1f} copies")
print(f"{UPDATES} updates, inside jax.jit: {jitted * 1e3:7.3f} ms = {jitted / one_copy:6.1f} copies")
assert jitted < UPDATES / 5 * one_copy < eager  # jitted: far fewer than one copy per update; eager: at least that

# %% [markdown]
# The frameworks print the worked example exactly. Small integers are exact in floating point, so we
# also compare the four versions on a random $6 \times 7$ input with a random $3 \times 3$ kernel,
# where the frameworks may round the last digit differently. `cu.compare` prints each version's
# largest difference from `cu.corr2d` in float64, asserts it is within $10^{-5}$, and names the
# libraries it compared. MXNet's entry is a `lambda`, which `cu.compare` calls only where MXNet is
# installed (elsewhere the set-up cell skipped MXNet's import and `mnp` does not exist).

# %%
X_random = rng.standard_normal((6, 7)).astype(np.float32)
K_random = rng.standard_normal((3, 3)).astype(np.float32)
reference = cu.corr2d(X_random.astype(np.float64), K_random.astype(np.float64))

cu.compare(reference, {
    "NumPy": corr2d_loops(X_random, K_random),
    "MXNet": lambda: corr2d_loops(mnp.array(X_random), mnp.array(K_random), zeros=mnp.zeros),
    "PyTorch": corr2d_loops(torch.from_numpy(X_random), torch.from_numpy(K_random), zeros=torch.zeros),
    "JAX": corr2d_loops_jax(jnp.asarray(X_random), jnp.asarray(K_random)),
}, tolerance=1e-5, reference_name="cu.corr2d")

# %% [markdown]
# ## A version every framework can differentiate
#
# A layer is only useful if we can train it, which needs the gradient of a loss with respect to the
# kernel. Automatic differentiation records the operations on the way forward, and MXNet does not
# allow **in-place writes** such as `Y[i, j] = ...` while it records. The loop version fails:

# %%
# %%needs mxnet
K_trainable = mnp.array(K)
K_trainable.attach_grad()
try:
    with autograd.record():
        corr2d_loops(mnp.array(X), K_trainable, zeros=mnp.zeros)
    mxnet_refused = False
except mx.base.MXNetError as error:
    message = str(error)
    print("MXNet:", message[message.index("Inplace operations") :].splitlines()[0])
    mxnet_refused = True
assert mxnet_refused

# %% [markdown]
# (The source this lesson follows defines a Gluon layer on top of exactly this loop and never trains
# it; trying would hit this error.)
#
# The cure is to build the output without writing into it. Swap the roles of the loops: instead of
# visiting every *output position* and summing over the kernel, visit every *kernel entry*
# $K[a, b]$ and add the whole input, shifted by $(a, b)$ and scaled by $K[a, b]$:
#
# $$Y = \sum_{a, b} K[a, b]\; X[a : a + H_{out},\; b : b + W_{out}].$$
#
# That is $k_h k_w$ steps instead of $H_{out} W_{out}$ (9 instead of 20 here, 9 instead of about a
# million for a megapixel image), and it uses only slicing, multiplication and addition, which NumPy,
# MXNet, PyTorch and JAX spell the same way. So **one** function serves all four.

# %%
def corr2d_taps(X, K):
    kh, kw = K.shape
    out_h, out_w = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    Y = 0
    for a in range(kh):
        for b in range(kw):
            Y = Y + K[a, b] * X[a : a + out_h, b : b + out_w]
    return Y


cu.compare(reference, {
    "NumPy": corr2d_taps(X_random, K_random),
    "MXNet": lambda: corr2d_taps(mnp.array(X_random), mnp.array(K_random)),
    "PyTorch": corr2d_taps(torch.from_numpy(X_random), torch.from_numpy(K_random)),
    "JAX": corr2d_taps(jnp.asarray(X_random), jnp.asarray(K_random)),
}, tolerance=1e-5, reference_name="cu.corr2d")

# %% [markdown]
# ## How much faster, and what `cu.corr2d` does
#
# Each of the tap version's $k_h k_w$ steps is one NumPy operation on a whole array, while the loop
# version runs the Python loop body once per output. We time both, and `cu.corr2d`, on a $128 \times 128$
# float32 image with a $3 \times 3$ kernel (the median of several runs each).

# %% tags=["nbval-ignore-output"]
X_timing = rng.standard_normal((128, 128)).astype(np.float32)
K_timing = rng.standard_normal((3, 3)).astype(np.float32)
seconds = {
    "loops over outputs": median_seconds(lambda: corr2d_loops(X_timing, K_timing), min_repeats=2, budget_seconds=0.5),
    "sum over taps": median_seconds(lambda: corr2d_taps(X_timing, K_timing), budget_seconds=0.3,
                                    min_sample_seconds=MIN_SAMPLE_SECONDS),
    "cu.corr2d": median_seconds(lambda: cu.corr2d(X_timing, K_timing), budget_seconds=0.3,
                                min_sample_seconds=MIN_SAMPLE_SECONDS),
}
for name, time_taken in seconds.items():
    speed_up = seconds["loops over outputs"] / time_taken
    print(f"{name:20s} {time_taken * 1e3:9.3f} ms   {speed_up:8.0f}x the loops' speed")
assert seconds["sum over taps"] < seconds["loops over outputs"] / 10

# %% [markdown]
# On this machine the sum over taps was more than ten times faster than the loops (the assert checks it;
# the printed factors are this run's). `cu.corr2d` does more than `corr2d_taps`: it checks its input,
# takes padding, stride and dilation (lessons 06 and 07), and picks one of two algorithms with
# `cu.fast_correlation.choose_method`:
#
# * **direct**, the sum over taps of this lesson, for kernels of up to $5 \times 5$ taps, and for larger
#   ones while the work per pixel stays below a crossover measured on the course's machine. It is
#   arranged for speed: with stride 1 each tap reads one contiguous run of the flattened input (the
#   output rows are computed at the input's full width and the extra columns dropped), the output is
#   built in strips that fit in the processor's cache, and large images are shared between threads;
# * **FFT**, through the Fourier transform (lesson 12), for larger kernels, whose cost hardly grows with
#   the kernel size. Lesson 04's search for a $24 \times 24$ patch of a photograph takes this path.
#
# The choice for the two cases, and the time of each path on lesson 04's search:

# %% tags=["nbval-ignore-output"]
photo = load_image("cat", downscale=2)
patch = photo[48:72, 72:96]
print("128x128 image, 3x3 kernel:", cu.fast_correlation.choose_method(X_timing.shape, K_timing.shape, np.float32))
print(f"{photo.shape[0]}x{photo.shape[1]} photo, 24x24 patch:",
      cu.fast_correlation.choose_method(photo.shape, patch.shape, photo.dtype))
assert cu.fast_correlation.choose_method(X_timing.shape, K_timing.shape, np.float32) == "direct"
assert cu.fast_correlation.choose_method(photo.shape, patch.shape, photo.dtype) == "fft"
direct_time = median_seconds(lambda: cu.fast_correlation.corr2d_direct(photo, patch), budget_seconds=0.3)
fft_time = median_seconds(lambda: cu.fast_correlation.corr2d_fft(photo, patch), budget_seconds=0.3,
                          min_sample_seconds=MIN_SAMPLE_SECONDS)
faster = "faster" if fft_time < direct_time else "slower"
print(f"direct {direct_time * 1e3:.2f} ms, FFT {fft_time * 1e3:.2f} ms: the FFT was {faster}, "
      f"{max(fft_time, direct_time) / min(fft_time, direct_time):.1f}x")

# %% [markdown]
# ## A conv layer: kernel plus bias
#
# A convolution layer cross-correlates its input with a learnable kernel and adds a learnable scalar
# bias $b$ to every output:
#
# $$Y = X \star K + b .$$
#
# Those two are its only parameters: a $k_h \times k_w$ layer has $k_h k_w + 1$ of them, whatever the
# size of the image. Here is the layer in each framework's own way of declaring parameters.

# %% [markdown]
# **MXNet Gluon.** A `Block` declares its parameters with `self.params.get`; `initialize()` fills them
# and `.data()` reads them.

# %%
# %%needs mxnet
class Conv2DGluon(gluon_nn.Block):
    def __init__(self, kernel_size, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.params.get("weight", shape=kernel_size)
        self.bias = self.params.get("bias", shape=(1,))

    def forward(self, x):
        return corr2d_taps(x, self.weight.data()) + self.bias.data()


# %% [markdown]
# **PyTorch.** An `nn.Module` wraps tensors in `nn.Parameter`, which registers them for `.parameters()`
# and gradients.

# %%
class Conv2DTorch(torch_nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = torch_nn.Parameter(torch.rand(kernel_size))
        self.bias = torch_nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d_taps(x, self.weight) + self.bias


# %% [markdown]
# **Flax (JAX).** A Flax module holds no numbers itself. `self.param` declares a parameter and how to
# initialise it; `init` returns the parameters as a separate dictionary, and `apply` runs the module
# with whatever parameters it is given. That separation is what lets `jax.grad` differentiate with
# respect to them.

# %%
class Conv2DFlax(fnn.Module):
    kernel_size: tuple

    @fnn.compact
    def __call__(self, x):
        weight = self.param("weight", fnn.initializers.uniform(), self.kernel_size)
        bias = self.param("bias", fnn.initializers.zeros, (1,))
        return corr2d_taps(x, weight) + bias


# %% [markdown]
# To compare the three, give them the **same** kernel and bias instead of their random initial
# values, and run them on the same $6 \times 8$ input.

# %%
kernel = rng.standard_normal((3, 2)).astype(np.float32)
bias = np.float32(0.5)
X_layer = rng.standard_normal((6, 8)).astype(np.float32)
expected = cu.corr2d(X_layer, kernel) + bias

torch_layer = Conv2DTorch(kernel_size=(3, 2))
with torch.no_grad():
    torch_layer.weight.copy_(torch.from_numpy(kernel))
    torch_layer.bias.fill_(float(bias))

flax_layer = Conv2DFlax(kernel_size=(3, 2))
flax_params = {"params": {"weight": jnp.asarray(kernel), "bias": jnp.array([bias])}}

# %%
# %%needs mxnet
gluon_layer = Conv2DGluon(kernel_size=(3, 2))
gluon_layer.initialize()
gluon_layer.weight.set_data(mnp.array(kernel))
gluon_layer.bias.set_data(mnp.array([bias]))

# %%
print("output shape:", expected.shape)
cu.compare(expected, {
    "MXNet": lambda: gluon_layer(mnp.array(X_layer)),
    "PyTorch": torch_layer(torch.from_numpy(X_layer)).detach(),
    "JAX": flax_layer.apply(flax_params, jnp.asarray(X_layer)),
}, tolerance=1e-5, reference_name="cu.corr2d + bias")

# %% [markdown]
# ## The built-in layers and their layouts
#
# Real layers work on **batches** of images with several **channels**. A channel is one 2-D array of
# the input or output: a colour photograph has three (red, green and blue), and a layer can produce
# several outputs from one input, one channel each (lesson 08). So the inputs and kernels of built-in
# layers carry two extra axes. Where those axes go differs:
#
# | framework | layer | input layout | kernel layout |
# |---|---|---|---|
# | MXNet Gluon | `nn.Conv2D(channels, kernel_size)` | NCHW | (out, in, $k_h$, $k_w$) |
# | PyTorch | `nn.Conv2d(in, out, kernel_size)` | NCHW | (out, in, $k_h$, $k_w$) |
# | Flax | `nn.Conv(features, kernel_size)` | NHWC | ($k_h$, $k_w$, in, out) |
#
# N = batch, C = channels, H = height, W = width. A single-channel image therefore becomes
# `X[None, None]` (shape $1 \times 1 \times H \times W$) for MXNet and PyTorch, and
# `X[None, :, :, None]` ($1 \times H \times W \times 1$) for Flax.

# %% [markdown]
# MXNet Gluon does not require the number of input channels: `in_channels` is an optional argument whose
# default, 0, means "find out from the data". Left out, the layer **defers** that part of the weight
# shape, shown as $-1$. `initialize()` then only records how to fill the weight: reading it raises
# `DeferredInitializationError`, and the first batch through the layer creates it.

# %%
# %%needs mxnet
gluon_builtin = gluon_nn.Conv2D(channels=1, kernel_size=(3, 2))
gluon_builtin.initialize()
shape_before = gluon_builtin.weight.shape
try:
    gluon_builtin.weight.data()
    deferred_error = None
except mx.gluon.parameter.DeferredInitializationError as error:
    deferred_error = type(error).__name__
gluon_builtin(mnp.array(X_layer[None, None]))  # the first forward pass fixes the input channels
shape_after = gluon_builtin.weight.shape
print("MXNet weight shape before the first input:", shape_before, "; reading it raised", deferred_error)
print("MXNet weight shape after the first input: ", shape_after)
assert shape_before == (1, -1, 3, 2) and shape_after == (1, 1, 3, 2)
assert deferred_error == "DeferredInitializationError"

gluon_told = gluon_nn.Conv2D(channels=1, kernel_size=(3, 2), in_channels=1)
gluon_told.initialize()
print("with in_channels=1, right after initialize():", gluon_told.weight.data().shape)
assert gluon_told.weight.data().shape == (1, 1, 3, 2)

# %% [markdown]
# PyTorch needs `in_channels` up front, and Flax infers it when `init` sees an example input. Once
# it has seen data, MXNet's weight has PyTorch's shape, (out, in, $k_h$, $k_w$) = $(1, 1, 3, 2)$.

# %%
torch_builtin = torch_nn.Conv2d(in_channels=1, out_channels=1, kernel_size=(3, 2))
flax_builtin = fnn.Conv(features=1, kernel_size=(3, 2), padding="VALID")
flax_builtin_params = flax_builtin.init(jax.random.PRNGKey(0), jnp.zeros((1, 6, 8, 1)))

shapes = {
    "PyTorch": (tuple(torch_builtin.weight.shape), tuple(torch_builtin.bias.shape)),
    "Flax": (flax_builtin_params["params"]["kernel"].shape, flax_builtin_params["params"]["bias"].shape),
}
for name, (weight_shape, bias_shape) in shapes.items():
    print(f"{name:8s} weight {str(weight_shape):14s} bias {bias_shape}")
assert shapes["PyTorch"][0] == (1, 1, 3, 2)
assert shapes["Flax"][0] == (3, 2, 1, 1)

# %%
# %%needs mxnet
print(f"{'MXNet':8s} weight {str(gluon_builtin.weight.shape):14s} bias {gluon_builtin.bias.shape}")
assert gluon_builtin.weight.shape == shapes["PyTorch"][0] == (1, 1, 3, 2)

# %% [markdown]
# Load our kernel and bias into each built-in layer, in its own layout, and compare with the layers we
# wrote.

# %%
# %%needs mxnet
gluon_builtin.weight.set_data(mnp.array(kernel[None, None]))
gluon_builtin.bias.set_data(mnp.array([bias]))

# %%
with torch.no_grad():
    torch_builtin.weight.copy_(torch.from_numpy(kernel[None, None]))
    torch_builtin.bias.fill_(float(bias))
flax_builtin_params = {"params": {"kernel": jnp.asarray(kernel[:, :, None, None]), "bias": jnp.array([bias])}}

cu.compare(expected, {
    "MXNet": lambda: gluon_builtin(mnp.array(X_layer[None, None]))[0, 0],
    "PyTorch": torch_builtin(torch.from_numpy(X_layer[None, None]))[0, 0].detach(),
    "JAX": flax_builtin.apply(flax_builtin_params, jnp.asarray(X_layer[None, :, :, None]))[0, :, :, 0],
}, tolerance=1e-5, reference_name="cu.corr2d + bias")

# %% [markdown]
# ## Learnable means differentiable
#
# Training needs $\partial L / \partial K$ and $\partial L / \partial b$. Take the squared-error loss
# against a target $T$, $L = \sum_{i,j} (Y[i,j] - T[i,j])^2$, and write $G = 2(Y - T)$ for
# $\partial L / \partial Y$. Each $K[a, b]$ multiplies the window $X[a : a + H_{out}, b : b + W_{out}]$,
# and $b$ is added to every output, so
#
# $$\frac{\partial L}{\partial K[a, b]} = \sum_{i, j} G[i, j]\, X[i + a, j + b] = (X \star G)[a, b],
# \qquad \frac{\partial L}{\partial b} = \sum_{i, j} G[i, j].$$
#
# The gradient with respect to the kernel is itself a cross-correlation: of the input with the
# output gradient. We check that all six layers (ours and the built-ins) produce these gradients.

# %%
target = rng.standard_normal(expected.shape).astype(np.float32)
G = 2 * (expected.astype(np.float64) - target)
grad_kernel_expected = cu.corr2d(X_layer.astype(np.float64), G)
grad_bias_expected = G.sum()
print("expected dL/dK:\n", np.round(grad_kernel_expected, 3))
print(f"expected dL/db: {grad_bias_expected:.3f}")

# %%
# %%needs mxnet
def gluon_gradients(layer, x, weight_view):
    with autograd.record():
        loss = ((layer(mnp.array(x)).reshape(target.shape) - mnp.array(target)) ** 2).sum()
    loss.backward()
    return weight_view(cu.to_numpy(layer.weight.grad())), cu.to_numpy(layer.bias.grad())[0]

# %% [markdown]
# Each layer's gradients are compared with the formula as one vector, $\partial L / \partial K$
# flattened and then $\partial L / \partial b$, so that one largest difference covers both; it must be
# within $10^{-4}$.

# %%
def torch_gradients(layer, x, weight_view):
    layer.zero_grad()
    loss = ((layer(torch.from_numpy(x)).reshape(target.shape) - torch.from_numpy(target)) ** 2).sum()
    loss.backward()
    return weight_view(layer.weight.grad.numpy()), layer.bias.grad.numpy()[0]


def flax_gradients(module, params, x, weight_name, weight_view):
    def loss(params):
        return ((module.apply(params, jnp.asarray(x)).reshape(target.shape) - target) ** 2).sum()

    grads = jax.grad(loss)(params)["params"]
    return weight_view(np.asarray(grads[weight_name])), np.asarray(grads["bias"])[0]


def as_2d(w):
    return w.reshape(kernel.shape)


def kernel_and_bias(gradients):
    grad_kernel, grad_bias = gradients
    return np.append(grad_kernel.ravel(), grad_bias)


gradients_expected = kernel_and_bias((grad_kernel_expected, grad_bias_expected))
cu.compare(gradients_expected, {
    "MXNet": lambda: kernel_and_bias(gluon_gradients(gluon_layer, X_layer, as_2d)),
    "PyTorch": kernel_and_bias(torch_gradients(torch_layer, X_layer, as_2d)),
    "JAX": kernel_and_bias(flax_gradients(flax_layer, flax_params, X_layer, "weight", as_2d)),
}, tolerance=1e-4, reference_name="the formula's gradients, for our layers")
cu.compare(gradients_expected, {
    "MXNet": lambda: kernel_and_bias(gluon_gradients(gluon_builtin, X_layer[None, None], as_2d)),
    "PyTorch": kernel_and_bias(torch_gradients(torch_builtin, X_layer[None, None], as_2d)),
    "JAX": kernel_and_bias(flax_gradients(flax_builtin, flax_builtin_params, X_layer[None, :, :, None], "kernel",
                                          as_2d)),
}, tolerance=1e-4, reference_name="the formula's gradients, for the built-in layers")

# %% [markdown]
# Every framework agrees with the formula, for the layers we wrote and for its own. Lesson 05 uses
# these gradients to *learn* a kernel from examples.

# %% [markdown]
# ## Recap
#
# * The output is $Y[i,j] = \sum_{a,b} X[i+a, j+b]\,K[a,b]$; on the worked example
#   $0\cdot0 + 1\cdot1 + 3\cdot2 + 4\cdot3 = 19$, and the whole output is
#   $\begin{bmatrix}19 & 25\\ 37 & 43\end{bmatrix}$ in NumPy, MXNet, PyTorch and JAX (with `.at[].set`,
#   since JAX arrays are immutable; eagerly each such update copies the array, under `jax.jit` it was
#   done in place).
# * Writing into the output one entry at a time cannot be recorded by MXNet's autograd. Summing shifted
#   copies of the input, one per kernel entry, needs no writes, works in all four libraries, and was more
#   than ten times faster than the loops in our timing. `cu.corr2d` uses that sum for small kernels and
#   the FFT for large ones.
# * A conv layer is $Y = X \star K + b$ with a learnable kernel and one scalar bias: $k_h k_w + 1$
#   parameters for any image size.
# * Built-in layers add batch and channel axes: MXNet and PyTorch use NCHW inputs and (out, in, $k_h$,
#   $k_w$) kernels, Flax uses NHWC inputs and ($k_h$, $k_w$, in, out) kernels. Gluon's `in_channels` is
#   optional: left out, the weight shape shows $-1$ and the weight is created by the first batch.
# * The kernel's gradient is $\partial L / \partial K = X \star \partial L / \partial Y$: the gradient of a
#   cross-correlation is another cross-correlation.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("03_cross_correlation_and_conv_layers")

# %% [markdown]
# ### Exercise 1: cross-correlation of PyTorch tensors, from scratch
#
# Write `conv2d(image, kernel)` for two 2-D `torch` tensors: it returns the cross-correlation
# $Y[i, j] = \sum_{a, b} X[i + a, j + b]\, K[a, b]$ as a new tensor of the same dtype as `image`, with
# shape $(H - k_h + 1) \times (W - k_w + 1)$, exactly what `F.conv2d` computes. Any of this lesson's
# methods will do (loops over outputs or over kernel taps), as long as you write it yourself.
#
# The checker tries your function on four images of shapes $8 \times 8$, $12 \times 10$,
# $10 \times 10$ and $12 \times 8$ with $3 \times 3$ kernels (all `float32`), then on hidden ones
# with other kernel shapes ($1 \times 1$, $2 \times 1$, $2 \times 3$, ...) and with `float64` and
# integer tensors: take every size from `image.shape` and `kernel.shape`.

# %%
# SOLUTION q1

# %%
q1.check(conv2d)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: a weight shape
#
# What is the shape of the `weight` of `torch.nn.Conv2d(in_channels=3, out_channels=8, kernel_size=(5, 3))`?
# Work it out from the layout table above, without creating the layer, and store it as a tuple in
# `answer`.

# %%
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): one bias per channel
#
# Our layer adds one scalar $b$ to every output. Why not learn a separate bias for every output pixel?
# Give two reasons, then compare with the model answer. This one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [02 · From MLP to convolution](02_from_mlp_to_convolution.ipynb)
#
# **Next:** [04 · Edge detection](04_edge_detection.ipynb)
