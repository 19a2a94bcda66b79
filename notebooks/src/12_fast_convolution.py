# %% [markdown]
# # 12 · Fast convolution
#
# Every lesson so far could afford the double loop of lesson 03: one Python iteration per output
# pixel. On a $512 \times 512$ image that is a quarter of a million iterations, and the loop takes
# about a second where a good implementation needs about a millisecond. This last lesson is about
# that gap: where the time goes, the four ways to close it, and how to measure the result honestly.
#
# **In this lesson you will**
#
# 1. time the double loop and see why it is slow;
# 2. remove the loop over pixels in two ways: sliding windows with `einsum`, and shift-and-add
#    over the kernel taps;
# 3. turn a multi-channel convolution into one matrix multiply (im2col + GEMM), the way most
#    deep-learning libraries do;
# 4. compute a correlation with the FFT, handling the kernel flip, and see when it wins;
# 5. check the frameworks' own kernels (PyTorch, MXNet, JAX `jit`) against the double loop;
# 6. count multiply-adds, turn times into GFLOP/s, and compare them with the machine's peak;
# 7. avoid two pitfalls that cost real time: a non-contiguous operand to `np.matmul`, and the
#    thread count that importing MXNet changes.
#
# Every method is checked against `cu.corr2d_naive`, the double loop. Timings are measured on
# *your* machine when you run the notebook, so the numbers in the text are only ranges; the course
# benchmark (`make bench`) measures the full grid of sizes.

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import os
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import scipy.fft
import torch
import torch.nn.functional as F
from numpy.lib.stride_tricks import sliding_window_view

import course_utils as cu
from course_utils import exercises
from course_utils import fast_correlation as fc
from course_utils.bench import median_seconds
from course_utils.layer_cost import conv_multiply_adds
from course_utils.ops import corr2d_batch

rng = cu.setup_lesson(seed=0)


def max_diff(a, b):
    """Largest absolute difference between two arrays of the same shape (any framework)."""
    a, b = cu.to_numpy(a), cu.to_numpy(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))


# %% tags=["setup"]
# %%needs mxnet
from mxnet import np as mnp
from mxnet import npx

# %% [markdown]
# ## The reference and where its time goes
#
# The double loop computes each output from its definition,
#
# $$Y[i, j] = \sum_{a=0}^{k_h - 1} \sum_{b=0}^{k_w - 1} X[i + a,\, j + b]\; K[a, b],$$
#
# one output at a time. It is our reference: every faster method in this lesson must agree with it.
# The test problem is deliberately lopsided (a rectangular input, a $5 \times 3$ kernel) so that a
# swapped axis cannot go unnoticed.

# %%
X = rng.standard_normal((37, 50))
K = rng.standard_normal((5, 3))
Y_ref = cu.corr2d_naive(X, K)
print("X:", X.shape, " K:", K.shape, " Y:", Y_ref.shape)
assert Y_ref.shape == (37 - 5 + 1, 50 - 3 + 1)

# %% [markdown]
# Each of the $33 \times 48$ iterations does very little arithmetic (15 multiply-adds) but pays the
# full price of the Python interpreter: slicing a window, creating a temporary array, calling
# `np.sum`. Those few microseconds of overhead per output, not the arithmetic, are the cost. On a
# $512 \times 512$ image the loop runs $510^2 = 260\,100$ times. The next cell times it once (it
# takes about a second) next to the course's `cu.corr2d`; its numbers are your machine's.

# %% tags=["nbval-ignore-output"]
X512 = rng.standard_normal((512, 512)).astype(np.float32)
K3 = rng.standard_normal((3, 3)).astype(np.float32)
start = time.perf_counter()
Y_naive512 = cu.corr2d_naive(X512, K3)
naive_seconds = time.perf_counter() - start
fast_seconds = median_seconds(lambda: cu.corr2d(X512, K3), min_repeats=5, budget_seconds=0.2)
speedup = naive_seconds / fast_seconds
print(f"double loop: {naive_seconds:.2f} s, cu.corr2d: {fast_seconds * 1e3:.2f} ms, speed-up {speedup:.0f}x")

# %% [markdown]
# The speed-up is in the hundreds on any machine we tried (over a thousand on ours), and the two
# results agree:

# %%
assert speedup > 100
diff = max_diff(cu.corr2d(X512, K3), Y_naive512)
print(f"speed-up above 100x: {speedup > 100}; cu.corr2d vs the double loop: max |diff| = {diff:.1e}")
assert diff <= 1e-5

# %% [markdown]
# ## Method 1: all windows at once, with `sliding_window_view` and `einsum`
#
# The loop's windows can be had without a loop. `sliding_window_view(X, K.shape)` returns an array
# of shape $(o_h, o_w, k_h, k_w)$ whose element $[i, j, a, b]$ is $X[i + a, j + b]$. It is a
# **view**: no number is copied. NumPy only chooses strides so that stepping $i$ or $a$ both move one
# row through the same memory.

# %%
windows = sliding_window_view(X, K.shape)
print("windows:", windows.shape, " strides (bytes):", windows.strides, " X strides:", X.strides)
print("shares memory with X:", np.shares_memory(windows, X))
assert windows.shape == Y_ref.shape + K.shape and np.shares_memory(windows, X)
assert np.array_equal(windows[4, 7], X[4:9, 7:10])

# %% [markdown]
# The correlation is then a contraction of the two kernel axes, which `np.einsum` writes exactly
# as the formula: sum over $a$ and $b$ of windows$[i, j, a, b] \cdot K[a, b]$.

# %%
Y_einsum = np.einsum("ijab,ab->ij", windows, K)
diff = max_diff(Y_einsum, Y_ref)
print(f"einsum over sliding windows: max |diff| = {diff:.1e}")
assert diff <= 1e-12

# %% [markdown]
# ## Method 2: shift-and-add over the kernel taps
#
# Swap the loops: instead of visiting every output and summing over the kernel, visit every
# **kernel tap** $(a, b)$ and add $K[a, b]$ times the input shifted by $(a, b)$ to *all* outputs at
# once:
#
# $$Y = \sum_{a, b} K[a, b]\; X[a : a + o_h,\; b : b + o_w].$$
#
# The Python loop now runs $k_h k_w$ times (15 here) instead of $o_h o_w$ times, and each step is one
# vectorised multiply-add over a whole image.

# %%
def corr2d_shift_add(X, K):
    kh, kw = K.shape
    oh, ow = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    Y = np.zeros((oh, ow), dtype=np.result_type(X, K))
    for a in range(kh):
        for b in range(kw):
            Y += K[a, b] * X[a : a + oh, b : b + ow]
    return Y


diff = max_diff(corr2d_shift_add(X, K), Y_ref)
print(f"shift-and-add: max |diff| = {diff:.1e}")
assert diff <= 1e-12

# %% [markdown]
# This is the method behind `cu.corr2d` for small kernels. The course version adds three
# refinements that matter on large images: it computes each output row at the input's full width,
# so that every tap reads one *contiguous* run of memory (the extra $k_w - 1$ columns are dropped at
# the end); it works through the image in horizontal strips small enough to stay in the processor's
# cache; and it shares the strips among threads. For small inputs it does all taps in three NumPy
# calls instead of two per tap. Its float64 results are exactly those of the plain tap loop above,
# which adds the taps in the same order:

# %%
Xi = rng.integers(-9, 10, size=(300, 200)).astype(np.float64)
Ki = rng.integers(-3, 4, size=(3, 3)).astype(np.float64)
assert np.array_equal(fc.corr2d_direct(Xi, Ki), corr2d_shift_add(Xi, Ki))
assert np.array_equal(cu.corr2d(Xi, Ki), cu.corr2d_naive(Xi, Ki))  # small integers: exact
print("course direct method == plain tap loop, bit for bit; exact on small integers")

# %% [markdown]
# ## Method 3: im2col + a matrix multiply (GEMM)
#
# Deep-learning layers have many input and output channels, and for them a third arrangement wins.
# Copy every window into one **column** of a matrix (*im2col*, "image to columns"): for $c_i$ input
# channels and a $k_h \times k_w$ kernel the matrix has $c_i k_h k_w$ rows and one column per output
# position. Each output channel's kernel, flattened, is then one row of a weight matrix, and the
# whole layer is one matrix product:
#
# $$\underbrace{Y}_{c_o \times o_h o_w} = \underbrace{W}_{c_o \times c_i k_h k_w}\;
#   \underbrace{\text{cols}}_{c_i k_h k_w \times o_h o_w}.$$
#
# Here it is for a small layer, built with `sliding_window_view` and one copy.

# %%
c_in, c_out = 3, 4
X_ch = rng.standard_normal((c_in, 20, 24))
W_ch = rng.standard_normal((c_out, c_in, 3, 3))
oh, ow = 20 - 3 + 1, 24 - 3 + 1

win = sliding_window_view(X_ch, (3, 3), axis=(1, 2))  # (c_in, oh, ow, 3, 3), a view
cols = np.ascontiguousarray(win.transpose(0, 3, 4, 1, 2)).reshape(c_in * 9, oh * ow)  # the copy
Y_gemm = (W_ch.reshape(c_out, -1) @ cols).reshape(c_out, oh, ow)
print("cols:", cols.shape, " W as a matrix:", W_ch.reshape(c_out, -1).shape, " Y:", Y_gemm.shape)

Y_loops = np.stack([sum(cu.corr2d_naive(X_ch[c], W_ch[o, c]) for c in range(c_in)) for o in range(c_out)])
diff = max_diff(Y_gemm, Y_loops)
print(f"im2col + GEMM vs double loops: max |diff| = {diff:.1e}")
assert diff <= 1e-12
assert np.array_equal(cols, fc.im2col(X_ch, 3))  # the course's im2col: same layout

# %% [markdown]
# Why is this the method libraries use? The product has $c_o$ rows, $c_i k_h k_w$ as its inner
# dimension and $o_h o_w$ columns, and every number loaded from memory is reused dozens of times:
# each weight for every position, each column for every output channel. A matrix multiply (GEMM, in
# the BLAS library underneath NumPy) is the most optimised routine in numerical computing and runs
# near the processor's peak. The price is the copy: im2col holds each input value $k_h k_w$ times.
# Multi-channel convolution is, in this sense, a matrix multiply in disguise; a $1 \times 1$
# convolution (lesson 08) is one without any disguise at all.
#
# `cu.corr2d_multi_in_out` and the batched `corr2d_batch` work this way, one image at a time with
# one reused buffer, and agree with PyTorch:

# %%
X_batch = rng.standard_normal((2, c_in, 20, 24)).astype(np.float32)
with torch.no_grad():
    Y_torch = F.conv2d(torch.from_numpy(X_batch), torch.from_numpy(W_ch.astype(np.float32)))
Y_batch = corr2d_batch(X_batch, W_ch.astype(np.float32))
print(f"corr2d_batch {Y_batch.shape} {Y_batch.dtype}")
assert Y_batch.dtype == np.float32
cu.compare(Y_batch, {"PyTorch": Y_torch}, tolerance=1e-4, reference_name="corr2d_batch")

# %% [markdown]
# ## Method 4: the FFT
#
# The **convolution theorem** says that the discrete Fourier transform turns a (circular)
# convolution into an element-wise product: $\mathcal{F}(x * k) = \mathcal{F}x \cdot \mathcal{F}k$.
# With fast Fourier transforms, a whole 2-D convolution costs three transforms, of order
# $HW \log(HW)$ each, **whatever the kernel size**.
#
# We need a cross-correlation, which is a convolution with the kernel flipped (lesson 01). For a
# real kernel, flipping it conjugates its transform, so
#
# $$X \star K = \mathcal{F}^{-1}\big(\mathcal{F}X \cdot \overline{\mathcal{F}K}\big),$$
#
# with the kernel zero-padded to the input's size. The product is a *circular* correlation, whose
# outputs near the end wrap around; the valid outputs $[0, o_h) \times [0, o_w)$ are untouched by it.

# %%
def corr2d_fft(X, K):
    H, W = X.shape
    kh, kw = K.shape
    spectrum = scipy.fft.rfft2(X) * np.conj(scipy.fft.rfft2(K, s=(H, W)))  # K zero-padded to H x W
    circular = scipy.fft.irfft2(spectrum, s=(H, W))
    return circular[: H - kh + 1, : W - kw + 1]


diff = max_diff(corr2d_fft(X, K), Y_ref)
print(f"FFT with the conjugated kernel spectrum: max |diff| = {diff:.1e}")
assert diff <= 1e-12

# %% [markdown]
# Forget the conjugate and the theorem hands you the true convolution instead: the flip that lesson
# 01 discussed, now hiding inside a complex number. (The convolution's valid part starts at
# $(k_h - 1, k_w - 1)$ of the circular result.)

# %%
H, W = X.shape
no_conj = scipy.fft.irfft2(scipy.fft.rfft2(X) * scipy.fft.rfft2(K, s=(H, W)), s=(H, W))[4:, 2:]
print(f"without the conjugate vs correlation: max |diff| = {max_diff(no_conj, Y_ref):.1f}")
diff = max_diff(no_conj, cu.convolve2d(X, K))
print(f"without the conjugate vs true convolution: max |diff| = {diff:.1e}")
assert diff <= 1e-12 and max_diff(no_conj, Y_ref) > 1

# %% [markdown]
# One more detail costs real time: `numpy.fft` always computes in float64, while `scipy.fft` keeps
# float32 in float32 (complex64), which moves half the memory. `cu.corr2d` uses SciPy's transforms.

# %%
X32 = X.astype(np.float32)
print("numpy.fft.rfft2(float32):", np.fft.rfft2(X32).dtype, " scipy.fft.rfft2(float32):", scipy.fft.rfft2(X32).dtype)
Y32 = fc.corr2d_fft(X32, K.astype(np.float32))
diff = max_diff(Y32, Y_ref)
print(f"course FFT method in float32: {Y32.dtype}, max |diff| = {diff:.1e}")
assert Y32.dtype == np.float32 and diff <= 1e-4

# %% [markdown]
# ## Method 5: the frameworks' own kernels
#
# PyTorch, MXNet and JAX each call a compiled convolution routine (oneDNN for PyTorch and MXNet's
# float32 path, XLA for JAX, compiled once by `jax.jit`). All three take $(N, C, H, W)$ inputs and
# $(c_o, c_i, k_h, k_w)$ weights and cross-correlate.

# %%
X4, K4 = X32[None, None], K.astype(np.float32)[None, None]
conv_jit = jax.jit(lambda x, k: jax.lax.conv_general_dilated(x, k, window_strides=(1, 1), padding="VALID"))
with torch.no_grad():
    Y_torch_method = F.conv2d(torch.from_numpy(X4), torch.from_numpy(K4))[0, 0]
Y_jax_method = conv_jit(jnp.asarray(X4), jnp.asarray(K4))[0, 0]

# %%
# %%needs mxnet
Y_mxnet_method = npx.convolution(data=mnp.array(X4), weight=mnp.array(K4), kernel=K.shape, num_filter=1,
                                 no_bias=True)[0, 0]

# %% [markdown]
# Each framework computes in float32, so it is held to $10^{-4}$ of the double loop:

# %%
cu.compare(Y_ref, {"PyTorch": Y_torch_method, "MXNet": lambda: Y_mxnet_method, "JAX jit": Y_jax_method},
           tolerance=1e-4, reference_name="the double loop (float64)")

# %% [markdown]
# ## Pitfall: the thread count after importing MXNet
#
# Timing frameworks side by side is only fair if each uses the same number of threads. Importing
# MXNet quietly sets PyTorch to **one** thread. `cu.setup_lesson` puts it back, which is why it must
# run after all imports, and the course benchmark sets every library's thread count explicitly after
# importing them all. The next cell shows the effect in a fresh Python process (where MXNet is
# installed: there is no effect to show elsewhere).

# %% tags=["nbval-ignore-output"]
# %%needs mxnet
probe = "import torch; before = torch.get_num_threads(); import mxnet; print(before, torch.get_num_threads())"
before, after = map(int, subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                        check=True).stdout.split())
print(f"PyTorch threads before importing MXNet: {before}, after: {after}; in this notebook now: "
      f"{torch.get_num_threads()}")

# %%
# %%needs mxnet
assert after == 1 and torch.get_num_threads() == (os.cpu_count() or 1)
print("importing MXNet drops PyTorch to one thread; setup_lesson restored all cores")

# %% [markdown]
# ## Pitfall: a non-contiguous operand makes `np.matmul` skip BLAS
#
# NumPy hands a matrix product to BLAS only when each operand is laid out as a matrix BLAS can read
# (one of its strides equal to the item size). A slice such as `W[:, :, a, b]` of a weight tensor,
# or its transpose, is not: NumPy then falls back to its own, far slower loop, without a warning.
# One `np.ascontiguousarray` fixes it.

# %% tags=["nbval-ignore-output"]
W_big = rng.standard_normal((256, 256, 3, 3)).astype(np.float32)
B_big = rng.standard_normal((256, 512)).astype(np.float32)
tap = W_big[:, :, 1, 1].T  # strides (36, 9216) bytes: no unit stride
print("tap slice contiguous?", tap.flags.c_contiguous or tap.flags.f_contiguous, " strides:", tap.strides)
slow = median_seconds(lambda: tap @ B_big, min_repeats=3, budget_seconds=0.2)
fast = median_seconds(lambda: np.ascontiguousarray(tap) @ B_big, min_repeats=3, budget_seconds=0.2)
print(f"strided operand: {slow * 1e3:.1f} ms; after np.ascontiguousarray: {fast * 1e3:.2f} ms "
      f"({slow / fast:.0f}x faster, the copy included)")

# %%
assert slow > 3 * fast
assert np.allclose(tap @ B_big, np.ascontiguousarray(tap) @ B_big, rtol=1e-4, atol=1e-3)
print("same product; the contiguous copy is more than 3x faster")

# %% [markdown]
# On our machine the difference was between 20x and 200x, depending on the shapes. This is why
# `corr2d_batch` stores its weight matrix with `np.ascontiguousarray` before multiplying.

# %% [markdown]
# ## Counting work
#
# To judge a time, compare it with the work done. A valid correlation of one $H \times W$ image with
# a $k \times k$ kernel does $k^2 (H - k + 1)(W - k + 1)$ multiply-adds; a layer multiplies that by
# $c_i$, $c_o$ and the batch size (`conv_multiply_adds` of lesson 08). A multiply-add is two
# floating-point operations, so
#
# $$\text{GFLOP/s} = \frac{2 \cdot \text{multiply-adds}}{10^9 \cdot \text{seconds}}.$$
#
# The machine's **practical peak** is what a large float32 matrix multiply in NumPy reaches, measured
# here and now. (It is NumPy's BLAS peak: a library with better vector code, such as PyTorch's oneDNN
# with AVX-512 instructions, can go beyond it.)

# %%
print("multiply-adds, 512x512 image, 3x3 kernel:", conv_multiply_adds(512, 1, 1, 3))
print("multiply-adds, batch of 8, 64 -> 64 channels, 56x56, 3x3:", 8 * conv_multiply_adds(56, 64, 64, 3))
assert conv_multiply_adds(512, 1, 1, 3) == 9 * 510 * 510

# %% tags=["nbval-ignore-output"]
A_peak = rng.standard_normal((2048, 2048), dtype=np.float32)
peak_gflops = 2 * 2048**3 / median_seconds(lambda: A_peak @ A_peak, min_repeats=3, budget_seconds=0.3) / 1e9
print(f"float32 matrix multiply (2048 x 2048): {peak_gflops:.0f} GFLOP/s on {os.cpu_count()} logical CPUs")

# %% [markdown]
# ## Timing the methods
#
# Now the methods side by side on a $256 \times 256$ float32 image, for a small, a medium and a large
# kernel. Each time is the median of several calls after a warm-up call (which also lets `jax.jit`
# compile). The table gives each method's time as a **ratio to the fastest** for that kernel, and its
# GFLOP/s as a percentage of the peak just measured. A dash marks a method left out at that size
# because it would take too long or need too much memory. MXNet's row is timed in a cell of its own,
# which runs where MXNet is installed.

# %%
X256 = rng.standard_normal((256, 256)).astype(np.float32)


def method_table(k):
    """name -> callable computing the valid correlation of X256 with a k x k float32 kernel."""
    Kk = rng.standard_normal((k, k)).astype(np.float32)
    x4, k4 = torch.from_numpy(X256[None, None]), torch.from_numpy(Kk[None, None])
    xj, kj = jnp.asarray(X256[None, None]), jnp.asarray(Kk[None, None])
    methods = {
        "shift-and-add (ours)": lambda: corr2d_shift_add(X256, Kk),
        "FFT (ours)": lambda: corr2d_fft(X256, Kk),
        "cu.corr2d": lambda: cu.corr2d(X256, Kk),
        "PyTorch": lambda: F.conv2d(x4, k4),
        "JAX jit": lambda: conv_jit(xj, kj).block_until_ready(),
    }
    if k <= 7:  # the windows' einsum slows down a lot for large kernels
        methods["einsum windows"] = lambda: np.einsum("ijab,ab->ij", sliding_window_view(X256, (k, k)), Kk)
    return methods


def time_methods(k, budget=0.1):
    with torch.no_grad():
        return {name: median_seconds(fn, min_repeats=3, budget_seconds=budget) for name, fn in method_table(k).items()}


# %% tags=["nbval-ignore-output"]
table_kernels = (3, 7, 31)
timings = {k: time_methods(k) for k in table_kernels}
names = list(method_table(3))

# %% tags=["nbval-ignore-output"]
# %%needs mxnet
def mxnet_method(k):
    """MXNet's convolution of X256 with a k x k float32 kernel, inputs converted once, as a call to time."""
    # A kernel of ones: the time does not depend on the values, and drawing them from rng here would
    # change every random number of the cells below on machines that have MXNet.
    xm, km = mnp.array(X256[None, None]), mnp.ones((1, 1, k, k), dtype=np.float32)
    return lambda: npx.convolution(data=xm, weight=km, kernel=(k, k), num_filter=1, no_bias=True).wait_to_read()


for k in table_kernels:
    if k <= 7:  # MXNet's float32 path slows down a lot for large kernels
        timings[k]["MXNet"] = median_seconds(mxnet_method(k), min_repeats=3, budget_seconds=0.1)
names.append("MXNet")

# %% tags=["nbval-ignore-output"]
print(f"{'method':22s}" + "".join(f"{f'k = {k}':>24s}" for k in table_kernels))
for name in names:
    cells = []
    for k in table_kernels:
        if name not in timings[k]:
            cells.append(f"{'—':>24s}")
            continue
        seconds = timings[k][name]
        gflops = 2 * conv_multiply_adds(256, 1, 1, k) / seconds / 1e9
        cells.append(f"{seconds / min(timings[k].values()):8.1f}x {100 * gflops / peak_gflops:6.1f}% peak")
    print(f"{name:22s}" + "".join(f"{c:>24s}" for c in cells))

# %% [markdown]
# Three things stand out on every machine we tried, though the exact ratios are yours:
#
# * the direct methods slow down with the kernel (their work grows as $k^2$), while the FFT's time
#   hardly changes: it wins for large kernels and loses for small ones;
# * single-channel convolution runs at a few percent of the machine's peak at best: each multiply-add
#   needs fresh data from memory, so memory, not arithmetic, sets the pace;
# * the frameworks' kernels are built for many channels and small kernels; on one channel they are
#   often slower than a good NumPy method.
#
# For the FFT, the percentages are *equivalent* rates: the direct method's multiply-adds divided by
# the FFT's time. A value above 100% does not mean the FFT beat the processor; it means it found a way
# to do far less arithmetic.

# %% [markdown]
# ## Where the FFT overtakes the direct method
#
# Let us find the crossover kernel size on this machine: time the course's direct method and its FFT
# method for a range of odd kernel sizes and plot both, with a logarithmic time axis.

# %% tags=["nbval-ignore-output"]
sweep = (3, 5, 7, 9, 11, 13, 15, 19, 23, 31)
direct_times, fft_times = [], []
for k in sweep:
    Kk = rng.standard_normal((k, k)).astype(np.float32)
    direct_times.append(median_seconds(lambda: fc.corr2d_direct(X256, Kk), min_repeats=3, budget_seconds=0.05))
    fft_times.append(median_seconds(lambda: fc.corr2d_fft(X256, Kk), min_repeats=3, budget_seconds=0.05))
crossover = next((k for k, d, f in zip(sweep, direct_times, fft_times) if f < d), None)

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(sweep, np.array(direct_times) * 1e3, "o-", label="direct (shift-and-add)")
ax.plot(sweep, np.array(fft_times) * 1e3, "s-", label="FFT")
if crossover is not None:
    ax.axvline(crossover, color="grey", linestyle=":", label=f"FFT faster from k = {crossover}")
ax.set_yscale("log")
ax.set_xlabel("kernel size k (k x k kernel)")
ax.set_ylabel("median time per call (ms, log scale)")
ax.set_title("256 x 256 float32 image: direct vs FFT")
ax.legend()
plt.show()
print("measured crossover on this machine: k =", crossover)

# %% [markdown]
# The direct curve rises steadily (four times the work when $k$ doubles); the FFT curve is flat. On
# our machine the curves crossed between $k = 7$ and $k = 11$, depending on the image size; the FFT
# also has a fixed cost that makes it lose on small images whatever the kernel.
#
# `cu.corr2d` uses exactly this comparison. The crossovers were measured on the course's machine
# for square images from $16$ to $2048$ pixels a side and stored in `fc.FFT_CROSSOVER`, in units of
# the direct method's multiply-adds per input pixel ($\approx k^2$ on a large image). The FFT must be
# 1.25 times faster to be chosen, and kernels up to $5 \times 5$ always go direct, which keeps
# small-integer results exact. `fc.choose_method` tells which path a problem takes:

# %%
for side in (64, 512, 2048):
    row = {k: fc.choose_method((side, side), (k, k), np.float32) for k in (3, 5, 7, 9, 11, 15, 31)}
    print(f"{side:4d} x {side:<4d} float32:", ", ".join(f"k={k} {m}" for k, m in row.items()))
print("a 3x3 output from a 26x26 kernel on 28x28:", fc.choose_method((28, 28), (26, 26)))
assert fc.choose_method((512, 512), (3, 3), np.float32) == "direct"
assert fc.choose_method((512, 512), (31, 31), np.float32) == "fft"

# %% [markdown]
# The measurement can be repeated on any machine with `python -m course_utils.bench --crossover`.
# Both paths keep float32 in float32 and agree with the double loop:

# %%
for k in (3, 31):
    Kk = rng.standard_normal((k, k)).astype(np.float32)
    Y = cu.corr2d(X256, Kk)
    diff = max_diff(Y[:20, :20], cu.corr2d_naive(X256[: 19 + k, : 19 + k].astype(np.float64), Kk))
    print(f"k = {k:2d}: {fc.choose_method(X256.shape, Kk.shape, np.float32):6s} {Y.dtype}, "
          f"vs the double loop: max |diff| = {diff:.1e}")
    assert Y.dtype == np.float32 and diff <= 1e-3

# %% [markdown]
# ## Multi-channel: near the peak
#
# Finally, a real layer: a batch of 4 images, $64 \to 64$ channels, $28 \times 28$, a $3 \times 3$
# kernel. Here im2col + GEMM turns the work into large matrix products, which reach a large share of
# the peak: several times the single-channel rates above, on a machine with nothing else running.

# %%
X_layer = rng.standard_normal((4, 64, 28, 28)).astype(np.float32)
W_layer = rng.standard_normal((64, 64, 3, 3)).astype(np.float32)
with torch.no_grad():
    Y_layer_torch = F.conv2d(torch.from_numpy(X_layer), torch.from_numpy(W_layer))
cu.compare(corr2d_batch(X_layer, W_layer), {"PyTorch": Y_layer_torch}, tolerance=1e-3,
           reference_name=f"corr2d_batch, output {tuple(Y_layer_torch.shape)}")

# %% tags=["nbval-ignore-output"]
layer_work = 4 * conv_multiply_adds(28, 64, 64, 3)
with torch.no_grad():
    layer_times = {
        "corr2d_batch (im2col + GEMM)": median_seconds(lambda: corr2d_batch(X_layer, W_layer), budget_seconds=0.2),
        "PyTorch": median_seconds(lambda: F.conv2d(torch.from_numpy(X_layer), torch.from_numpy(W_layer)),
                                  budget_seconds=0.2),
        "per-channel shift-and-add": median_seconds(
            lambda: [[sum(fc.corr2d_direct(x[c], W_layer[o, c]) for c in range(64)) for o in range(64)]
                     for x in X_layer[:1]], min_repeats=1, max_repeats=1, budget_seconds=0) * 4,
    }
for name, seconds in layer_times.items():
    gflops = 2 * layer_work / seconds / 1e9
    print(f"{name:30s} {seconds * 1e3:8.2f} ms  {gflops:6.1f} GFLOP/s  ({100 * gflops / peak_gflops:.0f}% of peak)")

# %% [markdown]
# The per-channel loop does the same arithmetic through $64 \times 64$ single-channel correlations
# and is many times slower: the matrix multiply's reuse of loaded data is the whole difference.
#
# If PyTorch's time here looks absurd (tens of milliseconds), another program was probably busy on
# one of your cores. A multi-threaded library waits at every synchronisation point for its slowest
# thread, so it suffers most when a core is taken away: benchmark on an otherwise idle machine, and
# compare ratios measured in one run.
# (The course benchmark's larger layer, $8$ images, $64 \to 64$ channels, $56 \times 56$, gives
# PyTorch an edge in float32: its oneDNN kernels use AVX-512 instructions, NumPy's OpenBLAS the
# older AVX2 ones. In float64 `corr2d_batch` was faster than PyTorch.)

# %% [markdown]
# ## Recap
#
# * The double loop pays Python's overhead once per output pixel; any method that loops over
#   something smaller, or not at all, is hundreds of times faster.
# * `sliding_window_view` gives every window without copying; `einsum` contracts them with the kernel.
# * Shift-and-add loops over the $k_h k_w$ taps with whole-image operations; in cache-sized strips it
#   is the fastest method here for small kernels.
# * im2col + GEMM makes a multi-channel layer one matrix product,
#   $c_o \times c_i k_h k_w$ times $c_i k_h k_w \times o_h o_w$, which runs near the machine's peak.
# * The FFT computes $\mathcal{F}^{-1}(\mathcal{F}X \cdot \overline{\mathcal{F}K})$; the conjugate is
#   the kernel flip. Its cost does not grow with $k$, so it wins above a crossover kernel size
#   (around $7$ to $11$), which `cu.corr2d` looks up in a measured table.
# * Measure work as multiply-adds, rates as GFLOP/s against a measured matmul peak, and time as
#   ratios within one run; set thread counts after all imports, and give `np.matmul` contiguous
#   operands.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("12_fast_convolution")

# %% [markdown]
# ### Exercise 1: im2col by hand
#
# Write `im2col(X, k)` for a 2-D input `X` and a $k \times k$ kernel (no padding, stride 1). Return a
# NumPy array of shape $(k^2, o_h o_w)$ whose row $a k + b$ holds, for every output position in
# row-major order, the input value under kernel tap $(a, b)$. Then `K.ravel() @ im2col(X, k)`,
# reshaped to $(o_h, o_w)$, is the cross-correlation. Use slices, not `sliding_window_view`.

# %%
def im2col(X, k):
    # BEGIN SOLUTION
    oh, ow = X.shape[0] - k + 1, X.shape[1] - k + 1
    cols = np.empty((k * k, oh * ow))
    for a in range(k):
        for b in range(k):
            cols[a * k + b] = X[a:a + oh, b:b + ow].ravel()
    return cols
    # END SOLUTION


# %%
q1.check(im2col)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: the work of one layer
#
# The course benchmark's multi-channel case is a batch of $8$ images with $64$ input channels of
# $56 \times 56$ pixels, a $3 \times 3$ convolution to $64$ output channels, no padding, stride 1.
# How many **multiply-adds** does one forward pass do? Store the number in `answer`.

# %%
# BEGIN SOLUTION
answer = 8 * 64 * 64 * 3 * 3 * 54 * 54   # = 859,963,392
# Check: course_utils.layer_cost.conv_multiply_adds(56, 64, 64, 3) * 8
# END SOLUTION

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): why GEMM runs near the peak
#
# In the timings above, the multi-channel layer ran at a large fraction of the machine's peak, while
# every single-channel method stayed at a few percent, although both do nothing but multiply-adds.
# Explain the difference in a few sentences, then compare with the model answer. This one has no
# automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [11 · Trained filters and invariance](11_trained_filters_and_invariance.ipynb)
#
# **Next:** this is the last lesson. Back to the start: [00 · Getting started](00_getting_started.ipynb)
