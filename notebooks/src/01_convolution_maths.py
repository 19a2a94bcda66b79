# %% [markdown]
# # 01 · Convolution maths
#
# Deep-learning libraries are full of functions called "convolution". This lesson pins down what the
# word means in mathematics, and what the libraries actually compute, which is slightly different.
#
# **In this lesson you will**
#
# 1. define the convolution of two functions and watch two boxes turn into a triangle;
# 2. write discrete 1-D convolution from its definition and check it against NumPy;
# 3. see the difference between 2-D convolution and cross-correlation: a kernel flip;
# 4. confirm that PyTorch, MXNet and JAX all compute the cross-correlation, and understand why that
#    costs a CNN nothing;
# 5. check linearity numerically, and meet the 1-D and 3-D versions of the same operation.

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from scipy.signal import convolve2d as full_convolve2d  # SciPy's true 2-D convolution, 'full' by default

import course_utils as cu
from course_utils import exercises
from course_utils.plotting import show_array

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
from mxnet import np as mnp
from mxnet import npx

# %% [markdown]
# ## Continuous convolution
#
# Take two functions $f$ and $g$ of one real variable. Their **convolution** is a new function of the
# same variable:
#
# $$(f * g)(t) = \int_{-\infty}^{\infty} f(\tau)\, g(t - \tau)\, d\tau .$$
#
# Read it from the inside out: flip $g$ (the $-\tau$), slide it so that it sits at $t$, multiply it
# with $f$ point by point, and take the area under the product. Every $t$ gives one number.

# %% [markdown]
# A note on notation. Some texts write the result as $s(t) = (f * g)(n)$, mixing two names for the
# same variable, and a few use $\times$ for convolution, which is easily confused with ordinary
# multiplication. Here $*$ always means convolution and the variable keeps one name on both sides.

# %% [markdown]
# ### Two boxes make a triangle
#
# Let $f = g = $ the *unit box*: $1$ on $[0, 1)$ and $0$ elsewhere. When the flipped box sits at $t$,
# it covers $[t - 1, t)$, and the overlap with $[0, 1)$ has length $1 - |t - 1|$ for $0 \le t \le 2$
# and $0$ outside. So $f * g$ should be a triangle with its peak of height $1$ at $t = 1$.
#
# A computer cannot integrate exactly, but it can approximate the integral by a Riemann sum on a
# grid of spacing $\Delta t$: sample both functions, compute the discrete convolution of the samples
# (a sum, next section), and multiply by $\Delta t$.

# %%
dt = 0.001
t = (np.arange(3000) - 1000) * dt  # grid from -1 to 2 (exclusive), step dt


def unit_box(t):
    return ((t >= 0) & (t < 1)).astype(float)


f = unit_box(t)
g = unit_box(t)
fg = np.convolve(f, g) * dt  # Riemann sum of f(tau) g(t - tau) d tau, for every grid point t
t_fg = 2 * t[0] + np.arange(len(fg)) * dt  # sample n of the full result sits at t[0] + t[0] + n dt

triangle = np.clip(1 - np.abs(t_fg - 1), 0, None)
error = np.max(np.abs(fg - triangle))
print(f"largest deviation from the triangle: {error:.4f} (grid spacing dt = {dt})")
assert error <= 2 * dt

# %% [markdown]
# The numerical result differs from the exact triangle by at most about one grid step, as a
# Riemann sum should. Here are the two boxes and their convolution.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 3, figsize=(12, 3), sharey=True)
axes[0].plot(t, f, color="tab:blue")
axes[0].set_title("f: unit box")
axes[1].plot(t, g, color="tab:orange")
axes[1].set_title("g: unit box")
keep = (t_fg >= -1) & (t_fg < 3)
axes[2].plot(t_fg[keep], fg[keep], color="tab:green", label="numerical (np.convolve · dt)")
axes[2].plot(t_fg[keep], triangle[keep], "k--", linewidth=1, label="exact triangle")
axes[2].set_title("f * g: a triangle")
axes[2].legend(loc="upper left", fontsize=8)
axes[0].set_ylim(-0.05, 1.4)  # shared by all three panels; leaves room for the legend
for ax in axes:
    ax.set_xlabel("t")
fig.suptitle("Convolving two unit boxes")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Discrete 1-D convolution
#
# For sequences the integral becomes a sum. If $x$ has length $L$ and $w$ has length $M$ (both zero
# outside their indices), then
#
# $$(x * w)[n] = \sum_{k} x[k]\, w[n - k], \qquad n = 0, 1, \dots, L + M - 2 .$$
#
# Only the terms where both indices are in range contribute. The result has $L + M - 1$ entries: one
# for every shift at which $x$ and the flipped $w$ overlap. NumPy calls this the `'full'` mode.

# %% [markdown]
# Here is the definition turned straight into code: for each output index $n$, collect every $k$ for
# which both $x[k]$ and $w[n - k]$ exist.

# %%
def convolve_by_definition(x, w):
    L, M = len(x), len(w)
    y = np.zeros(L + M - 1)
    for n in range(L + M - 1):
        y[n] = sum(x[k] * w[n - k] for k in range(L) if 0 <= n - k < M)
    return y


x = np.array([1.0, 2.0, 3.0, 4.0])
w = np.array([1.0, 0.0, -1.0])
print("by definition:", convolve_by_definition(x, w))
print("np.convolve  :", np.convolve(x, w, mode="full"))
assert np.allclose(convolve_by_definition(x, w), np.convolve(x, w, mode="full"))

# %% [markdown]
# The same check on random sequences of different lengths, to be sure the small example is not a
# lucky case.

# %%
for L, M in [(10, 3), (5, 5), (3, 7)]:
    x_random, w_random = rng.standard_normal(L), rng.standard_normal(M)
    diff = np.max(np.abs(convolve_by_definition(x_random, w_random) - np.convolve(x_random, w_random)))
    print(f"L = {L:2d}, M = {M}: max |diff| = {diff:.1e}")
    assert diff < 1e-12

# %% [markdown]
# Substituting $j = n - k$ in the sum gives $\sum_j w[j]\, x[n - j]$: the two sequences can swap roles.
# Convolution is **commutative**, $x * w = w * x$.

# %%
x_random, w_random = rng.standard_normal(9), rng.standard_normal(4)
diff = np.max(np.abs(convolve_by_definition(x_random, w_random) - convolve_by_definition(w_random, x_random)))
print(f"x * w versus w * x: max |diff| = {diff:.1e}")
assert diff < 1e-12

# %% [markdown]
# ## Two dimensions: convolution versus cross-correlation
#
# For an image $X$ and a kernel $K$ the definition gains a second index. Convolution flips the kernel
# in both directions:
#
# $$(X * K)[i, j] = \sum_{a, b} X[i - a,\, j - b]\; K[a, b].$$
#
# **Cross-correlation**, written $X \star K$, slides the kernel *without* flipping it:
#
# $$(X \star K)[i, j] = \sum_{a, b} X[i + a,\, j + b]\; K[a, b].$$
#
# Keeping only the positions where the kernel lies wholly inside the image (the 'valid' part), a
# convolution is a cross-correlation with the kernel rotated by $180°$:
# $X * K = X \star \mathrm{rot}_{180}(K)$.

# %% [markdown]
# Take the $3 \times 3$ input and $2 \times 2$ kernel of lesson 00. `cu.corr2d` cross-correlates,
# `cu.convolve2d` convolves.

# %%
X = np.arange(9, dtype=np.float32).reshape(3, 3)
K = np.array([[0, 1], [2, 3]], dtype=np.float32)
Y_corr = cu.corr2d(X, K)
Y_conv = cu.convolve2d(X, K)
print("cross-correlation:\n", Y_corr)
print("convolution:\n", Y_conv)
assert np.array_equal(Y_corr, [[19, 25], [37, 43]])
assert np.array_equal(Y_conv, [[5, 11], [23, 29]])
assert np.array_equal(Y_conv, cu.corr2d(X, np.rot90(K, 2)))
print("rot90(K, 2) =\n", np.rot90(K, 2))

# %% [markdown]
# Top-left values by hand: cross-correlation pairs the window $\begin{smallmatrix}0&1\\3&4\end{smallmatrix}$
# with $K$ as written, $0\cdot0 + 1\cdot1 + 3\cdot2 + 4\cdot3 = 19$; convolution pairs it with the
# rotated kernel $\begin{smallmatrix}3&2\\1&0\end{smallmatrix}$, $0\cdot3 + 1\cdot2 + 3\cdot1 + 4\cdot0 = 5$.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 5, figsize=(15, 3))
show_array(axes[0], X, "input X")
show_array(axes[1], K, "kernel K")
show_array(axes[2], np.rot90(K, 2), "rot180(K)")
show_array(axes[3], Y_corr, "cross-correlation X ⋆ K")
show_array(axes[4], Y_conv, "convolution X * K")
fig.suptitle("Same input and kernel, two operations: they differ by a kernel flip")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### What the libraries compute
#
# Every deep-learning library names its layer "convolution" but computes the cross-correlation. The
# reason: in a CNN the kernel is **learned**. If the task is best served by a convolution with $K$,
# training simply finds $\mathrm{rot}_{180}(K)$ instead; the set of functions a layer can represent is
# the same, so the flip would be wasted work. The check below compares each framework with both
# references. `cu.frameworks.corr2d_builtins` runs the frameworks' own convolutions, the calls you saw
# in lesson 00 (`F.conv2d`, `npx.convolution`, `lax.conv_general_dilated`), on each one installed here.

# %%
framework_results = cu.frameworks.corr2d_builtins(X, K)
cu.compare(Y_corr, framework_results, tolerance=1e-5, reference_name="cu.corr2d (cross-correlation)")
for name in cu.frameworks.present(framework_results):
    diff_conv = float(np.max(np.abs(framework_results[name]() - Y_conv)))
    print(f"{name:8s} vs convolve2d: max |diff| = {diff_conv:.1e}")
    assert diff_conv > 1.0, f"{name} should differ from the true convolution"
assert np.array_equal(Y_corr - Y_conv, np.full((2, 2), 14.0))

# %% [markdown]
# The frameworks agree with `cu.corr2d` and differ from `cu.convolve2d` by $14$ in every cell. From now on
# the course follows the libraries: "convolution" in a CNN means cross-correlation, and we say
# "true convolution" when we mean the flipped version.

# %% [markdown]
# ## Linearity
#
# Both operations are sums of products with the kernel, so they are **linear** in the input. For any
# images $X_1, X_2$ and numbers $\alpha, \beta$:
#
# $$(\alpha X_1 + \beta X_2) \star K = \alpha\,(X_1 \star K) + \beta\,(X_2 \star K).$$
#
# The same holds in the kernel for a fixed input. We check both on random arrays.

# %%
X1, X2 = rng.standard_normal((6, 7)), rng.standard_normal((6, 7))
K1, K2 = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
alpha, beta = 2.5, -0.75

lhs = cu.corr2d(alpha * X1 + beta * X2, K1)
rhs = alpha * cu.corr2d(X1, K1) + beta * cu.corr2d(X2, K1)
diff_input = np.max(np.abs(lhs - rhs))
print(f"linear in the input:  max |diff| = {diff_input:.1e}")
assert np.allclose(lhs, rhs, atol=1e-12)

lhs = cu.corr2d(X1, alpha * K1 + beta * K2)
rhs = alpha * cu.corr2d(X1, K1) + beta * cu.corr2d(X1, K2)
diff_kernel = np.max(np.abs(lhs - rhs))
print(f"linear in the kernel: max |diff| = {diff_kernel:.1e}")
assert np.allclose(lhs, rhs, atol=1e-12)

# %% [markdown]
# Linearity is why a convolution layer needs a nonlinearity after it. Two stacked cross-correlations,
# first with $K_1$ and then with $K_2$, are a single cross-correlation with the larger kernel
# $K_1 * K_2$ (the full 2-D convolution of the two kernels, here $5 \times 5$), so without a
# nonlinearity in between the second layer adds nothing a single layer could not do.

# %%
K_combined = full_convolve2d(K1, K2)  # (3 + 3 - 1) x (3 + 3 - 1) = 5 x 5
two_layers = cu.corr2d(cu.corr2d(X1, K1), K2)
one_layer = cu.corr2d(X1, K_combined)
diff_stack = np.max(np.abs(two_layers - one_layer))
print("combined kernel:", K_combined.shape, " output:", one_layer.shape)
print(f"two layers versus one: max |diff| = {diff_stack:.1e}")
assert np.allclose(two_layers, one_layer, atol=1e-12)

# %% [markdown]
# ## One and three dimensions
#
# The same sliding sum works along any number of axes. The frameworks keep the (batch, channels)
# axes in front and then the spatial ones: $(N, C, L)$ for a 1-D signal such as audio, and
# $(N, C, D, H, W)$ for a 3-D volume such as a medical scan or a short video clip.

# %%
signal = rng.standard_normal(12).astype(np.float32)
taps = rng.standard_normal(3).astype(np.float32)
reference_1d = np.correlate(signal, taps, mode="valid")  # NumPy's cross-correlation, valid part

Y_torch_1d = F.conv1d(torch.from_numpy(signal)[None, None], torch.from_numpy(taps)[None, None])
Y_jax_1d = jax.lax.conv_general_dilated(jnp.asarray(signal)[None, None], jnp.asarray(taps)[None, None],
                                        window_strides=(1,), padding="VALID")
print("input shape (N, C, L):", (1, 1, 12), " reference shape:", reference_1d.shape)

# %%
# %%needs mxnet
Y_mxnet_1d = npx.convolution(data=mnp.array(signal).reshape(1, 1, 12), weight=mnp.array(taps).reshape(1, 1, 3),
                             kernel=(3,), num_filter=1, no_bias=True)

# %% [markdown]
# Each framework's result keeps the (batch, channels) axes, so we compare it with the reference given
# the same two leading axes; `cu.compare` asserts that the shapes match, here $(1, 1, 10)$.

# %%
cu.compare(reference_1d[None, None], {"PyTorch": Y_torch_1d, "MXNet": lambda: Y_mxnet_1d, "JAX": Y_jax_1d},
           tolerance=1e-5, reference_name=f"np.correlate, shape {reference_1d[None, None].shape}")

# %% [markdown]
# In 3-D the kernel is a small box of weights. The NumPy reference adds one shifted copy of the volume
# per kernel entry, $Y = \sum_{a,b,c} K[a,b,c]\; X[a:a+D', \; b:b+H', \; c:c+W']$, where
# $D' \times H' \times W'$ is the output size.

# %%
volume = rng.standard_normal((4, 5, 6)).astype(np.float32)
box = rng.standard_normal((2, 3, 2)).astype(np.float32)
out_shape = tuple(n - k + 1 for n, k in zip(volume.shape, box.shape))

reference_3d = np.zeros(out_shape, dtype=np.float64)
for a in range(box.shape[0]):
    for b in range(box.shape[1]):
        for c in range(box.shape[2]):
            reference_3d += box[a, b, c] * volume[a : a + out_shape[0], b : b + out_shape[1], c : c + out_shape[2]]

Y_torch_3d = F.conv3d(torch.from_numpy(volume)[None, None], torch.from_numpy(box)[None, None])
Y_jax_3d = jax.lax.conv_general_dilated(jnp.asarray(volume)[None, None], jnp.asarray(box)[None, None],
                                        window_strides=(1, 1, 1), padding="VALID")
print("input shape (N, C, D, H, W):", (1, 1) + volume.shape, " reference shape:", reference_3d.shape)

# %%
# %%needs mxnet
Y_mxnet_3d = npx.convolution(data=mnp.array(volume).reshape(1, 1, 4, 5, 6), weight=mnp.array(box).reshape(1, 1, 2, 3, 2),
                             kernel=(2, 3, 2), num_filter=1, no_bias=True)

# %%
cu.compare(reference_3d[None, None], {"PyTorch": Y_torch_3d, "MXNet": lambda: Y_mxnet_3d, "JAX": Y_jax_3d},
           tolerance=1e-5, reference_name=f"the sum of shifted copies, shape {reference_3d[None, None].shape}")

# %% [markdown]
# ## Recap
#
# * $(f * g)(t) = \int f(\tau)\, g(t - \tau)\, d\tau$: flip, slide, multiply, integrate. Two unit
#   boxes give a triangle, and a Riemann sum (`np.convolve` times $\Delta t$) reproduces it.
# * Discrete: $(x * w)[n] = \sum_k x[k]\, w[n - k]$, with $L + M - 1$ outputs in full mode; it is
#   commutative.
# * In 2-D, convolution is cross-correlation with the kernel rotated by $180°$. On our example:
#   cross-correlation $[[19, 25], [37, 43]]$, convolution $[[5, 11], [23, 29]]$.
# * PyTorch, MXNet and JAX compute the cross-correlation and call it convolution; with learned
#   kernels the flip makes no difference.
# * Both operations are linear, in the input and in the kernel.
# * 1-D and 3-D versions use the layouts $(N, C, L)$ and $(N, C, D, H, W)$.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("01_convolution_maths")

# %% [markdown]
# ### Exercise 1: full 1-D convolution, another way round
#
# `convolve_by_definition` above *gathers*: for each output $n$ it collects the terms that land
# there. Write `convolve1d(x, w)` the other way round, by *scattering*: every input value $x[i]$ adds
# a copy of $w$, scaled by $x[i]$ and starting at index $i$, into the output. Return the full result
# (length `len(x) + len(w) - 1`) as a NumPy array; it must equal `np.convolve(x, w)`.

# %%
# SOLUTION q1

# %%
q1.check(convolve1d)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: the flip by hand
#
# For the $3 \times 3$ input $X$ and the $2 \times 2$ kernel $K = \begin{smallmatrix}0&1\\2&3\end{smallmatrix}$
# above, what is the top-left value of the **true convolution** $X * K$? Work it out on paper, then
# store the number in `answer`.

# %%
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): does the flip matter for a CNN?
#
# A CNN layer computes cross-correlations although its name says convolution. Why does the network
# lose nothing by it? Write a few sentences in your own words, then compare with the model answer.
# This one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [00 · Getting started](00_getting_started.ipynb)
#
# **Next:** [02 · From MLP to convolution](02_from_mlp_to_convolution.ipynb)
