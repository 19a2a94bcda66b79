# %% [markdown]
# # 12 · Fast convolution
#
# Every lesson so far could afford the double loop of lesson 03: one Python iteration per output
# pixel. On a $256 \times 256$ image that is already $254^2 = 64\,516$ iterations, and a good
# implementation is orders of magnitude faster; the first timing below measures by how much on your
# machine. This last lesson is about that gap: where the time goes, the ways to close it, what the
# deep-learning libraries really run, and how to measure the result honestly.
#
# **In this lesson you will**
#
# 1. time the double loop and see why it is slow;
# 2. remove the loop over pixels in two ways: sliding windows with `einsum`, and shift-and-add
#    over the kernel taps;
# 3. turn a multi-channel convolution into one matrix multiply (im2col + GEMM), the textbook bridge
#    from convolution to linear algebra, and then look at what PyTorch actually runs on your CPU;
# 4. compute a correlation with the FFT, handling the kernel flip, and see when it wins;
# 5. check the frameworks' own kernels (PyTorch, MXNet, JAX `jit`) against the double loop;
# 6. count multiply-adds, turn times into GFLOP/s, and compare them with the machine's peak;
# 7. avoid two pitfalls that cost real time: a non-contiguous operand to `np.matmul`, and the
#    thread count that importing MXNet changes;
# 8. derive Winograd's minimal filtering algorithm F(2x2, 3x3), implement it for a whole layer, and
#    measure what its savings in multiplications cost in accuracy;
# 9. count the FFT's work in a multi-channel layer, and end with a table of which algorithm wins where.
#
# Every method is checked against `cu.corr2d_naive`, the double loop, or against `corr2d_batch`.
# Timings are measured on *your* machine when you run the notebook: every number and every "faster"
# in the text below is printed by a cell from those measurements. The course benchmark
# (`make bench`) measures the full grid of sizes.

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import os
import re
import subprocess
import sys
import time
import warnings
from fractions import Fraction

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import scipy.fft
import torch
import torch.nn.functional as F
from numpy.lib.stride_tricks import sliding_window_view
from threadpoolctl import threadpool_info, threadpool_limits

import course_utils as cu
from course_utils import exercises
from course_utils import fast_correlation as fc
from course_utils.cpu_share import cpu_share
from course_utils.timing import median_seconds
from course_utils.layer_cost import conv_multiply_adds
from course_utils.ops import corr2d_batch
from course_utils.winograd import (direct_multiplications, winograd_conv2d, winograd_matrices,
                                   winograd_multiplications)

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
# `np.sum`. Those few microseconds of overhead per output, not the arithmetic, are the cost. The
# next cell times the loop once on a $256 \times 256$ image next to the course's `cu.corr2d`; its
# numbers are your machine's.

# %% tags=["nbval-ignore-output"]
X_timing = rng.standard_normal((256, 256)).astype(np.float32)
K3 = rng.standard_normal((3, 3)).astype(np.float32)
start = time.perf_counter()
Y_naive_timing = cu.corr2d_naive(X_timing, K3)
naive_seconds = time.perf_counter() - start
fast_seconds = median_seconds(lambda: cu.corr2d(X_timing, K3), min_repeats=5, budget_seconds=0.1)
speedup = naive_seconds / fast_seconds
print(f"double loop: {naive_seconds:.2f} s for {Y_naive_timing.size:,} outputs "
      f"({naive_seconds / Y_naive_timing.size * 1e6:.1f} µs each); cu.corr2d: {fast_seconds * 1e3:.2f} ms; "
      f"speed-up {speedup:.0f}x")

# %% [markdown]
# The lesson's claim is that the gap is more than a hundredfold, and the cell below checks it on your
# machine, together with the agreement of the two results:

# %%
assert speedup > 100
diff = max_diff(cu.corr2d(X_timing, K3), Y_naive_timing)
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
# Deep-learning layers have many input and output channels, and for them there is a classic
# arrangement that turns the whole layer into linear algebra. Copy every window into one **column**
# of a matrix (*im2col*, "image to columns"): for $c_i$ input channels and a $k_h \times k_w$ kernel
# the matrix has $c_i k_h k_w$ rows and one column per output position. Each output channel's
# kernel, flattened, is then one row of a weight matrix, and the whole layer is one matrix product:
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
# Why learn this arrangement? The product has $c_o$ rows, $c_i k_h k_w$ as its inner dimension and
# $o_h o_w$ columns, and every number loaded from memory can be reused many times: each weight for
# every position, each column for every output channel. A matrix multiply (GEMM, in the BLAS library
# underneath NumPy) is among the most carefully tuned routines in numerical computing, so im2col
# hands the hard part to it. The price is the copy: the im2col matrix holds each input value
# $k_h k_w$ times. Multi-channel convolution is, in this sense, a matrix multiply in disguise; a
# $1 \times 1$ convolution (lesson 08) is one without any disguise at all.
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
# ## What PyTorch actually runs on a CPU
#
# im2col is the bridge from convolution to matrix multiplication, and it is how the idea is usually
# taught. It is not, however, what PyTorch runs for such a layer on an x86 CPU. PyTorch hands CPU
# convolutions to **oneDNN**, Intel's open-source library of deep-learning kernels, which can report
# every kernel it runs: set the environment variable `ONEDNN_VERBOSE=1` and it prints one line per
# call, naming the *implementation* (which compiled kernel), the *algorithm*, and the *memory format*
# of every tensor.
#
# The next cell runs a layer of the size timed later in this lesson (a batch of 4 images,
# $64 \to 64$ channels, $28 \times 28$, $3 \times 3$) in a fresh Python process with that variable
# set, and keeps the lines that describe the convolution.

# %%
ONEDNN_PROBE = """
import torch, torch.nn.functional as F
x, w = torch.randn(4, 64, 28, 28), torch.randn(64, 64, 3, 3)
with torch.no_grad():
    F.conv2d(x, w)
before = torch.get_num_threads()
try:  # for the thread-count pitfall further down (nothing to show where MXNet has no build)
    import mxnet
    print("torch threads before and after importing mxnet", before, torch.get_num_threads())
except ImportError:
    pass
"""
probe_run = subprocess.run([sys.executable, "-c", ONEDNN_PROBE], capture_output=True, text=True, check=True,
                           env={**os.environ, "ONEDNN_VERBOSE": "1"})
onednn_lines = [line.split(",") for line in probe_run.stdout.splitlines()
                if line.startswith("onednn_verbose") and ",exec," in line]
conv_calls = [fields for fields in onednn_lines if "convolution" in fields]
reorders = [fields for fields in onednn_lines if "reorder" in fields]


def descriptor_format(fields, tensor):
    """Memory format of one tensor ('src', 'wei' or 'dst') in a oneDNN verbose line, e.g. 'aBcd8b'."""
    descriptors = next(field for field in fields if field.startswith("src:"))
    for descriptor in descriptors.split():
        name, _dtype, *rest = descriptor.split(":")
        if name == tensor and "blocked" in rest:  # e.g. src:f32:a:blocked:aBcd8b::f0
            return rest[rest.index("blocked") + 1] or "undef"
    return "undef"


if conv_calls:
    conv = conv_calls[0]
    implementation = conv[conv.index("convolution") + 1]
    algorithm = next(field for field in conv if field.startswith("alg:")).removeprefix("alg:")
    source_format = descriptor_format(conv, "src")
    channel_block = re.fullmatch(r"aBcd(\d+)b", source_format)
    print(f"oneDNN ran {len(conv_calls)} convolution call; algorithm: {algorithm}; "
          f"im2col + GEMM implementation (oneDNN names those 'gemm:...'): {implementation.startswith('gemm')}")
    print(f"input converted before the call (a 'reorder') from the plain (N, C, H, W) layout 'abcd': "
          f"{any(descriptor_format(r, 'src') == 'abcd' for r in reorders)}; input layout seen by the "
          f"kernel: {'channel-blocked (aBcd + a block size + b)' if channel_block else source_format}")
    assert algorithm == "convolution_direct" and not implementation.startswith("gemm")
else:
    print("this PyTorch build did not run the layer through oneDNN (no verbose line): nothing to show here")

# %% [markdown]
# The exact kernel depends on your processor, so the next cell prints what this one chose. (On an AVX2
# machine the log reads `jit:avx2` with format `aBcd8b`; on AVX-512 machines `jit:avx512_core` with
# `aBcd16b` is reported.)

# %% tags=["nbval-ignore-output"]
if conv_calls:
    print("convolution line:", ",".join(conv[3:-1]))
    print(f"implementation: {implementation}; input format: {source_format}; weights: "
          f"{descriptor_format(conv, 'wei')}; output: {descriptor_format(conv, 'dst')}")
    if channel_block:
        block = int(channel_block.group(1))
        print(f"channels are stored in blocks of {block}: {block} float32 x 32 bits = {block * 32} bits, "
              f"the width of one vector register of this CPU's instruction set")

# %% [markdown]
# Read the log with the vocabulary of this lesson:
#
# * **Direct, not im2col.** The algorithm is `convolution_direct`: a compiled (`jit`, "just in
#   time") kernel loops over the kernel taps itself and never builds the im2col matrix, so it pays
#   for no copy that holds each input value nine times.
# * **A blocked layout.** Before the call, a `reorder` rewrites the $(N, C, H, W)$ input
#   (`abcd`) into `aBcd8b` or `aBcd16b`: the channel axis `B` is split into blocks of 8 or 16
#   channels, and the channels of one block sit next to each other in memory (the lower-case `b` at
#   the end). The output uses the same layout, so the 8 (or 16) output channels of one pixel fill
#   exactly one vector register.
# * **Register tiling.** This part we read in oneDNN's source rather than measure (its AVX2 kernel,
#   `jit_avx2_conv_kernel_f32.cpp`): the kernel keeps a tile of outputs, several neighbouring pixels
#   times one or more blocks of output channels, in vector registers for the whole sum over input
#   channels and taps. Each step broadcasts one input value to all lanes of a register and adds its
#   product with 8 weights (one per output channel) to an accumulator in a single fused multiply-add
#   instruction. Every loaded number is reused across the tile without a trip to memory: the same
#   reuse that makes GEMM fast, without building the im2col matrix.
#
# Other hardware uses other algorithms. From the literature (we cannot measure a GPU here): GPU
# libraries such as NVIDIA's cuDNN compute convolutions as **implicit GEMM**, a matrix multiply whose
# im2col tiles are formed on the fly in fast on-chip memory and never written out (Chetlur et al.,
# 2014, *cuDNN: Efficient Primitives for Deep Learning*); they also offer **Winograd** (Lavin & Gray,
# 2016, *Fast Algorithms for Convolutional Neural Networks*) and **FFT** kernels (Mathieu, Henaff &
# LeCun, 2014; Vasilache et al., 2015). oneDNN has a Winograd algorithm too. The FFT is next in
# this lesson, Winograd comes at its end.

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
# One more detail costs memory and time, and it depends on the NumPy version. In the NumPy this
# course pins (1.23), `numpy.fft` computes every transform in float64 (complex128), even for float32
# input, while `scipy.fft` keeps float32 in float32 (complex64) and so moves half the memory. NumPy
# 2.0 changed this: its release notes list "support for `float32` and `longdouble` in all
# `numpy.fft` functions", so from 2.0 on `numpy.fft` also returns complex64 for float32 input.
# `cu.corr2d` uses SciPy's transforms, which keep the precision in every version. The cell checks the
# behaviour of the NumPy you have:

# %%
X32 = X.astype(np.float32)
numpy_version = tuple(int(part) for part in np.__version__.split(".")[:2])
numpy_fft_dtype = np.fft.rfft2(X32).dtype
print(f"NumPy {np.__version__}: numpy.fft.rfft2(float32) -> {numpy_fft_dtype}; "
      f"scipy.fft.rfft2(float32) -> {scipy.fft.rfft2(X32).dtype}")
assert numpy_fft_dtype == (np.complex128 if numpy_version < (2, 0) else np.complex64)
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
# run after all imports, and the course benchmark gives each library a fresh process and sets its thread
# count after importing it. The fresh Python process of the oneDNN section recorded the effect: after its
# convolution it imported MXNet, where MXNet is installed (there is no effect to show elsewhere), and
# printed PyTorch's thread count before and after.

# %% tags=["nbval-ignore-output"]
# %%needs mxnet
before, after = map(int, next(line for line in probe_run.stdout.splitlines()
                              if line.startswith("torch threads")).split()[-2:])
print(f"PyTorch threads before importing MXNet: {before}, after: {after}; in this notebook now: "
      f"{torch.get_num_threads()}")

# %%
# %%needs mxnet
assert after == 1 and torch.get_num_threads() == cpu_share()
print(f"importing MXNet drops PyTorch to one thread; setup_lesson restored the {cpu_share()} CPU(s) this "
      "process may use")

# %% [markdown]
# ## Pitfall: a non-contiguous operand can make `np.matmul` skip BLAS
#
# In the NumPy this course pins (1.23), and in every release up to 2.2, `np.matmul` hands a matrix
# product to BLAS only when each operand is laid out as a matrix BLAS can read (one of its strides
# equal to the item size). A slice such as `W[:, :, a, b]` of a weight tensor, or its transpose, is
# not: NumPy then falls back to its own, far slower loop, without a warning. NumPy 2.3 changed this:
# its `matmul` copies such an operand into a contiguous temporary and calls BLAS. (The change, pull
# request 23752 "speed up matmul for non-contiguous operands", is not in the 2.3.0 release notes; we
# found it in NumPy's history, where it is first contained in the v2.3.0 tag.) On every version one
# `np.ascontiguousarray` fixes it, and for an operand used many times it also saves repeating the copy.
# The next two cells show the behaviour of the NumPy you have.

# %% tags=["nbval-ignore-output"]
W_big = rng.standard_normal((256, 256, 3, 3)).astype(np.float32)
B_big = rng.standard_normal((256, 512)).astype(np.float32)
tap = W_big[:, :, 1, 1].T  # strides (36, 9216) bytes: no unit stride
print("tap slice contiguous?", tap.flags.c_contiguous or tap.flags.f_contiguous, " strides:", tap.strides)
slow = median_seconds(lambda: tap @ B_big, min_repeats=3, budget_seconds=0.1)
fast = median_seconds(lambda: np.ascontiguousarray(tap) @ B_big, min_repeats=3, budget_seconds=0.1)
print(f"NumPy {np.__version__}: strided operand {slow * 1e3:.1f} ms; after np.ascontiguousarray "
      f"{fast * 1e3:.2f} ms ({slow / fast:.0f}x faster, the copy included)")

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    strided_product = tap @ B_big
assert not caught and np.allclose(strided_product, np.ascontiguousarray(tap) @ B_big, rtol=1e-4, atol=1e-3)
if numpy_version < (2, 3):
    assert slow > 3 * fast
print(f"same product, no warning; NumPy before 2.3 (this one: {numpy_version < (2, 3)}): "
      f"the contiguous copy is more than 3x faster")

# %% [markdown]
# This is why `corr2d_batch` stores its weight matrix with `np.ascontiguousarray` before multiplying.

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
# The machine's **practical peak** here is what a large float32 matrix multiply in NumPy reaches,
# measured here and now. It is NumPy's BLAS peak, not the processor's: a library with other kernels
# (PyTorch's oneDNN, for instance) is not bound by it.

# %%
print("multiply-adds, 256x256 image, 3x3 kernel:", conv_multiply_adds(256, 1, 1, 3))
print("multiply-adds, batch of 8, 64 -> 64 channels, 56x56, 3x3:", 8 * conv_multiply_adds(56, 64, 64, 3))
assert conv_multiply_adds(256, 1, 1, 3) == 9 * 254 * 254

# %% tags=["nbval-ignore-output"]
A_peak = rng.standard_normal((1536, 1536), dtype=np.float32)
peak_gflops = 2 * 1536**3 / median_seconds(lambda: A_peak @ A_peak, min_repeats=2, budget_seconds=0.1) / 1e9
print(f"float32 matrix multiply (1536 x 1536): {peak_gflops:.0f} GFLOP/s on {os.cpu_count()} logical CPUs")

# %% [markdown]
# ## Timing the methods
#
# Now the methods side by side on the $256 \times 256$ float32 image, for a small, a medium and a
# large kernel. Each time is the median of several calls after a warm-up call (which also lets
# `jax.jit` compile). The table gives each method's time as a **ratio to the fastest** for that
# kernel, and its GFLOP/s as a percentage of the peak just measured. A dash marks a method left out
# at that size because it would take too long or need too much memory. MXNet's row is timed in a
# cell of its own, which runs where MXNet is installed.

# %%
X256 = X_timing


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
# The next cell reads three things off the table (the words "faster" and "slower" are chosen by the
# code from your measurements). For the FFT, the percentages are *equivalent* rates: the direct
# method's multiply-adds divided by the FFT's time. A value above 100% would not mean the FFT beat
# the processor; it would mean it found a way to do less arithmetic.

# %% tags=["nbval-ignore-output"]
def faster_or_slower(ratio):
    """'x times faster' or 'x times slower' for a time ratio (other / this), from a measurement."""
    return f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"


def percent_of_peak(multiply_adds, seconds):
    return 100 * 2 * multiply_adds / seconds / 1e9 / peak_gflops


small_k, large_k = table_kernels[0], table_kernels[-1]
direct_growth = timings[large_k]["shift-and-add (ours)"] / timings[small_k]["shift-and-add (ours)"]
fft_growth = timings[large_k]["FFT (ours)"] / timings[small_k]["FFT (ours)"]
work_growth = conv_multiply_adds(256, 1, 1, large_k) / conv_multiply_adds(256, 1, 1, small_k)
print(f"1. From k = {small_k} to k = {large_k} the direct work grows {work_growth:.0f}-fold; shift-and-add's time "
      f"grew {direct_growth:.0f}-fold, the FFT's {fft_growth:.1f}-fold. Against shift-and-add the FFT was "
      + ", ".join(f"{faster_or_slower(timings[k]['shift-and-add (ours)'] / timings[k]['FFT (ours)'])} at k = {k}"
                  for k in table_kernels) + ".")
direct_names = ("shift-and-add (ours)", "cu.corr2d", "einsum windows")
best_single_percent = max(percent_of_peak(conv_multiply_adds(256, 1, 1, small_k), timings[small_k][name])
                          for name in direct_names)
print(f"2. The best direct single-channel method at k = {small_k} ran at {best_single_percent:.1f}% of the "
      f"matmul peak.")
numpy_names = ("shift-and-add (ours)", "FFT (ours)", "cu.corr2d", "einsum windows")
for framework in ("PyTorch", "JAX jit"):
    comparisons = [f"{faster_or_slower(min(timings[k][n] for n in numpy_names if n in timings[k]) / timings[k][framework])}"
                   f" at k = {k}" for k in table_kernels]
    print(f"3. {framework:7s} against the fastest NumPy method: " + ", ".join(comparisons) + ".")

# %% [markdown]
# Single-channel convolution does little arithmetic per number it reads (one multiply-add per pixel
# and tap), so memory, not arithmetic, sets its pace; the percentages above show how far that keeps it
# from the peak. The frameworks' kernels are built for many channels, where a block of 8 or 16
# channels fills a vector register; line 3 shows how they fare on a single channel here.

# %% [markdown]
# ## Where the FFT overtakes the direct method
#
# Let us find the crossover kernel size on this machine: time the course's direct method and its FFT
# method for a range of odd kernel sizes and plot both, with a logarithmic time axis. Each point is a
# median of at least five calls, so that one disturbed call cannot move the crossover.

# %% tags=["nbval-ignore-output"]
sweep = (3, 5, 7, 9, 11, 13, 15, 19, 23, 31)
direct_times, fft_times = [], []
for k in sweep:
    Kk = rng.standard_normal((k, k)).astype(np.float32)
    direct_times.append(median_seconds(lambda: fc.corr2d_direct(X256, Kk), min_repeats=5, budget_seconds=0.03))
    fft_times.append(median_seconds(lambda: fc.corr2d_fft(X256, Kk), min_repeats=5, budget_seconds=0.03))
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
print(f"measured crossover on this machine: k = {crossover}")
print(f"from k = {sweep[0]} to k = {sweep[-1]}: direct time x{direct_times[-1] / direct_times[0]:.0f} "
      f"(work x{conv_multiply_adds(256, 1, 1, sweep[-1]) / conv_multiply_adds(256, 1, 1, sweep[0]):.0f}); "
      f"FFT time between {min(fft_times) * 1e3:.2f} and {max(fft_times) * 1e3:.2f} ms "
      f"(x{max(fft_times) / min(fft_times):.1f} from its fastest to its slowest)")

# %% [markdown]
# The direct method's time follows its work, which grows with $k^2$; the FFT's depends on the image
# size, not on the kernel, apart from noise and the cost of padding the kernel. The FFT also has a
# fixed cost per call, which makes it lose on small images whatever the kernel: in the table below,
# at 16 pixels a side it never won.
#
# `cu.corr2d` uses exactly this comparison. The crossovers were measured on the course's machine
# for square images from $16$ to $2048$ pixels a side and stored in `fc.FFT_CROSSOVER`, in units of
# the direct method's multiply-adds per input pixel ($\approx k^2$ on a large image). The FFT must be
# `fc.CROSSOVER_MARGIN` times faster to be chosen, and kernels of at most `fc.DIRECT_MAX_TAPS` taps
# always go direct, which keeps small-integer results exact. `fc.choose_method` tells which path a
# problem takes:

# %%
print("stored crossover at the smallest measured side (side, multiply-adds per pixel):",
      fc.FFT_CROSSOVER["float32"][0], "; margin:", fc.CROSSOVER_MARGIN, "; direct up to", fc.DIRECT_MAX_TAPS, "taps")
assert fc.FFT_CROSSOVER["float32"][0][1] == float("inf")
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
# ## Multi-channel: a real layer
#
# Finally, a real layer: a batch of 4 images, $64 \to 64$ channels, $28 \times 28$, a $3 \times 3$
# kernel, the layer whose oneDNN log we read above. Here im2col + GEMM turns the work into large
# matrix products.

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
        "corr2d_batch (im2col + GEMM)": median_seconds(lambda: corr2d_batch(X_layer, W_layer), budget_seconds=0.15),
        "PyTorch": median_seconds(lambda: F.conv2d(torch.from_numpy(X_layer), torch.from_numpy(W_layer)),
                                  budget_seconds=0.15),
        # one image and 8 of the 64 output channels, scaled up: the loop is too slow to run whole
        "per-channel shift-and-add": median_seconds(
            lambda: [[sum(fc.corr2d_direct(x[c], W_layer[o, c]) for c in range(64)) for o in range(8)]
                     for x in X_layer[:1]], min_repeats=1, max_repeats=1, budget_seconds=0) * 4 * 8,
    }
for name, seconds in layer_times.items():
    gflops = 2 * layer_work / seconds / 1e9
    print(f"{name:30s} {seconds * 1e3:8.2f} ms  {gflops:6.1f} GFLOP/s  ({100 * gflops / peak_gflops:.0f}% of peak)")

# %% [markdown]
# How much of `corr2d_batch`'s time is the im2col copy? The next cell does its two steps separately
# for the whole batch, each in one thread as `corr2d_batch` runs them on a batch this size: copy
# every image's windows into one reused buffer (the layout of `fc.im2col`), then multiply.

# %% tags=["nbval-ignore-output"]
layer_oh, layer_ow = 26, 26
cols_buffer = np.empty((64, 3, 3, layer_oh, layer_ow), dtype=np.float32)
W_matrix = np.ascontiguousarray(W_layer.reshape(64, -1))
Y_buffer = np.empty((64, layer_oh * layer_ow), dtype=np.float32)


def im2col_copies():
    for x in X_layer:
        np.copyto(cols_buffer, sliding_window_view(x, (3, 3), axis=(1, 2)).transpose(0, 3, 4, 1, 2))


def gemms():
    for _ in X_layer:
        np.matmul(W_matrix, cols_buffer.reshape(64 * 9, -1), out=Y_buffer)


with threadpool_limits(limits=1, user_api="blas"):
    copy_seconds = median_seconds(im2col_copies, min_repeats=5, budget_seconds=0.05)
    gemm_seconds = median_seconds(gemms, min_repeats=5, budget_seconds=0.05)
assert np.array_equal(cols_buffer.reshape(64 * 9, -1), fc.im2col(X_layer[-1], 3))
copy_share = copy_seconds / (copy_seconds + gemm_seconds)
blas_libraries = sorted({f"{info['internal_api']} ({info.get('architecture', '?')})" for info in threadpool_info()
                         if info["user_api"] == "blas"})
onednn_isa = next((line.split("isa:", 1)[1] for line in probe_run.stdout.splitlines() if ",isa:" in line), "not reported")
t_batch, t_torch = layer_times["corr2d_batch (im2col + GEMM)"], layer_times["PyTorch"]
layer_percent = percent_of_peak(layer_work, t_batch)
print(f"instruction set of oneDNN's kernels: {onednn_isa}; BLAS libraries loaded (kernel family): "
      f"{', '.join(blas_libraries)}")
print(f"im2col copies {copy_seconds * 1e3:.2f} ms, GEMMs {gemm_seconds * 1e3:.2f} ms: the copy is "
      f"{copy_share:.0%} of the two steps")
print(f"corr2d_batch ran at {layer_percent:.0f}% of the matmul peak, {layer_percent / best_single_percent:.0f}x the best "
      f"single-channel direct rate; the per-channel loop was "
      f"{layer_times['per-channel shift-and-add'] / t_batch:.0f}x slower than corr2d_batch")
print(f"PyTorch (oneDNN, direct) was {faster_or_slower(t_batch / t_torch)} than corr2d_batch")
if t_torch < t_batch:
    without_copy = t_batch * (1 - copy_share)
    print(f"even a free copy would bring corr2d_batch to about {without_copy * 1e3:.2f} ms against PyTorch's "
          f"{t_torch * 1e3:.2f} ms: " + ("that alone would close the gap" if without_copy <= t_torch else
                                          f"the copy explains {(t_batch - without_copy) / (t_batch - t_torch):.0%} "
                                          f"of the gap, the rest is in the multiply"))
assert layer_percent > best_single_percent

# %% [markdown]
# The per-channel loop (timed on one image and 8 output channels, then scaled to the layer) does
# the same arithmetic through $64 \times 64$ single-channel correlations per image:
# what separates the two is the matrix multiply's reuse of loaded data, and one BLAS call per image
# instead of thousands of small NumPy calls.
#
# Where PyTorch is ahead of `corr2d_batch`, the oneDNN log names the reasons: no im2col copy (the
# cell measured how much of `corr2d_batch`'s time that copy takes), a channel-blocked layout that
# fills vector registers with one load, and register tiling inside one compiled kernel, where
# `corr2d_batch` pays for a copy and a separate BLAS call. The instruction set is not the
# explanation: the cell printed the vector instructions each library uses on your machine. (The
# course's recorded benchmark in `benchmarks/`, run on an AVX2-only machine where both libraries use
# AVX2, also found PyTorch ahead in float32 on a larger layer.)
#
# If PyTorch's time looks absurd (many times `corr2d_batch`'s), another program was probably busy on
# one of your cores. A multi-threaded library waits at every synchronisation point for its slowest
# thread, so it suffers most when a core is taken away: benchmark on an otherwise idle machine, and
# compare ratios measured in one run.

# %% [markdown]
# ## Method 6: Winograd's minimal filtering
#
# The direct method spends $k^2$ multiplications per output. For the $3 \times 3$ layers that
# dominate modern networks, Lavin & Gray (2016) showed that far fewer suffice, using an algorithm
# Winograd had published for signal processing. Start in one dimension: **F(2, 3)** computes $m = 2$
# outputs of a 3-tap correlation,
#
# $$y_0 = d_0 g_0 + d_1 g_1 + d_2 g_2, \qquad y_1 = d_1 g_0 + d_2 g_1 + d_3 g_2,$$
#
# from a tile of $n = m + 3 - 1 = 4$ inputs $d$. Directly that is 6 multiplications; Winograd needs 4.
#
# **Derivation (Cook-Toom).** First solve the sister problem, the *linear convolution* of the filter
# $g$ with a 2-vector $u$. Its $n = 4$ coefficients are those of the polynomial product
# $h(x) = g(x)\,u(x)$, with $g(x) = g_0 + g_1 x + g_2 x^2$ and $u(x) = u_0 + u_1 x$. A polynomial of
# degree 3 is fixed by its values at 3 points plus its leading coefficient $h_3 = g_2 u_1$ (its "value
# at infinity"). Take the points $0, 1, -1$ and $\infty$:
#
# * evaluate both factors there: $G g$ and $D u$, with
#   $G = \begin{bmatrix} 1 & 0 & 0 \\ 1 & 1 & 1 \\ 1 & -1 & 1 \\ 0 & 0 & 1 \end{bmatrix}$ and
#   $D = \begin{bmatrix} 1 & 0 \\ 1 & 1 \\ 1 & -1 \\ 0 & 1 \end{bmatrix}$;
# * multiply pointwise, $(G g) \odot (D u)$: **4 multiplications**, the values of $h$;
# * interpolate, with the inverse of the matrix $V$ that evaluates a cubic at the same points,
#   $V = \begin{bmatrix} 1 & 0 & 0 & 0 \\ 1 & 1 & 1 & 1 \\ 1 & -1 & 1 & -1 \\ 0 & 0 & 0 & 1 \end{bmatrix}$:
#   $h = V^{-1}\big[(G g) \odot (D u)\big]$.
#
# The correlation is the *transpose* of that convolution: the matrix that maps $u$ to $h$ has
# entries $g_{j - i}$, and its transpose maps a 4-vector $d$ to our $y$. Transposing the product
# $V^{-1}\,\mathrm{diag}(G g)\,D$ gives Winograd's form
#
# $$y = A^T \big[(G g) \odot (B^T d)\big], \qquad A^T = D^T, \quad B^T = V^{-T}.$$
#
# Finally each row of $B^T$ is scaled to small integers and the same row of $G$ divided by that
# factor (the products do not change). $G g$ is computed once per filter, so its fractions cost
# nothing per tile, while $B^T d$ needs only additions:
#
# $$B^T = \begin{bmatrix} 1 & 0 & -1 & 0 \\ 0 & 1 & 1 & 0 \\ 0 & -1 & 1 & 0 \\ 0 & -1 & 0 & 1 \end{bmatrix},
# \quad G = \begin{bmatrix} 1 & 0 & 0 \\ \tfrac12 & \tfrac12 & \tfrac12 \\ \tfrac12 & -\tfrac12 & \tfrac12 \\ 0 & 0 & 1 \end{bmatrix},
# \quad A^T = \begin{bmatrix} 1 & 1 & 1 & 0 \\ 0 & 1 & -1 & 1 \end{bmatrix}.$$
#
# (Lavin & Gray print the same matrices up to the sign of the last row of $B^T$ and the last column
# of $A^T$.) `course_utils.winograd.winograd_matrices` performs exactly this construction in exact
# rational arithmetic; the cell checks that it gives the matrices above and that the four products
# reproduce the direct sums exactly on integers.

# %%
AT2, G2, BT2 = winograd_matrices(2, exact=True)
as_text = lambda M: [[str(v) for v in row] for row in M]  # noqa: E731 (fractions printed as 1/2)
print("B^T =", as_text(BT2)); print("G   =", as_text(G2)); print("A^T =", as_text(AT2))
assert as_text(BT2) == [["1", "0", "-1", "0"], ["0", "1", "1", "0"], ["0", "-1", "1", "0"], ["0", "-1", "0", "1"]]
assert as_text(G2) == [["1", "0", "0"], ["1/2", "1/2", "1/2"], ["1/2", "-1/2", "1/2"], ["0", "0", "1"]]
assert as_text(AT2) == [["1", "1", "1", "0"], ["0", "1", "-1", "1"]]

d_tile = [Fraction(v) for v in (3, -1, 4, 2)]
g_taps = [Fraction(v) for v in (2, -5, 1)]
products = [sum(a * b for a, b in zip(g_row, g_taps)) * sum(a * b for a, b in zip(b_row, d_tile))
            for g_row, b_row in zip(G2, BT2)]
y_winograd = [sum(a * p for a, p in zip(row, products)) for row in AT2]
y_direct = [sum(d_tile[i + k] * g_taps[k] for k in range(3)) for i in range(2)]
print(f"{len(products)} multiplications: y = {[str(v) for v in y_winograd]}; direct, 6 multiplications: "
      f"{[str(v) for v in y_direct]}")
assert y_winograd == y_direct

# %% [markdown]
# **Two dimensions.** Nesting the 1-D algorithm along the rows and the columns of a $4 \times 4$
# input tile $d$ gives **F(2x2, 3x3)**, four outputs of a $3 \times 3$ kernel $g$:
#
# $$Y = A^T \big[(G g G^T) \odot (B^T d B)\big] A.$$
#
# The elementwise product has $4 \times 4 = 16$ multiplications, where the direct method needs
# $2 \times 2$ outputs times 9 taps. On one tile:

# %%
AT2f, G2f, BT2f = winograd_matrices(2)
d4 = rng.standard_normal((4, 4))
g3 = rng.standard_normal((3, 3))
Y_tile = AT2f @ ((G2f @ g3 @ G2f.T) * (BT2f @ d4 @ BT2f.T)) @ AT2f.T
diff = max_diff(Y_tile, cu.corr2d_naive(d4, g3))
print(f"F(2x2, 3x3) on one tile vs the double loop: max |diff| = {diff:.1e}")
assert diff <= 1e-12

# %% [markdown]
# **A whole layer.** With many channels the sum over input channels moves inside the transformed
# domain: for each output channel $o$ and each tile,
#
# $$Y_o = A^T \Big[\sum_{c} (G g_{o,c} G^T) \odot (B^T d_c B)\Big] A .$$
#
# For each of the 16 positions $(\xi, \nu)$ of the transformed tile, that sum over $c$ is a matrix
# product: the $(c_o \times c_i)$ transformed filters times the $(c_i \times \text{tiles})$ transformed
# inputs. So the layer is 16 GEMMs, framed by an input transform (one per tile and input channel,
# shared by all output channels), a filter transform (once per layer) and an output transform (one
# per tile and output channel). `winograd_conv2d(X, K, tile)` in `course_utils.winograd` does exactly
# this in NumPy, for `tile=2` and for the bigger F(4x4, 3x3) (`tile=4`, 6 x 6 input tiles, built the
# same way from the points $0, \pm 1, \pm 2, \infty$). Both agree with `corr2d_batch` and PyTorch:

# %%
for tile in (2, 4):
    cu.compare(winograd_conv2d(X_layer, W_layer, tile=tile), {"corr2d_batch": corr2d_batch(X_layer, W_layer),
                                                             "PyTorch": Y_layer_torch},
               tolerance=1e-2, reference_name=f"winograd_conv2d, F({tile}x{tile}, 3x3)")

# %% [markdown]
# **Counting multiplications.** Per output tile and per pair of input and output channels, the
# elementwise products are all the multiplications that grow with $c_i c_o$ (the transforms are
# shared across one of the two channel axes):

# %%
for tile in (2, 4):
    direct, winograd = direct_multiplications(tile), winograd_multiplications(tile)
    print(f"F({tile}x{tile}, 3x3): {winograd} multiplications per {tile}x{tile} output tile and channel pair, "
          f"direct {tile}^2 x 9 = {direct}: {direct / winograd:g}x fewer")
assert direct_multiplications(2) / winograd_multiplications(2) == 2.25
layer_tiles = {tile: 4 * (-(-26 // tile)) ** 2 for tile in (2, 4)}  # tiles per channel in the batch
for tile in (2, 4):
    products = layer_tiles[tile] * 64 * 64 * winograd_multiplications(tile)
    print(f"the lesson's layer, tile {tile}: {products:,} elementwise products vs {layer_work:,} direct multiply-adds "
          f"({layer_work / products:.2f}x fewer" + ("; the 4x4 tiles overhang the 26x26 output)" if 26 % tile else ")"))

# %% [markdown]
# **The price: rounding.** The transforms add and subtract values of different sizes, and bigger
# tiles use bigger interpolation points ($\pm 2$ gives entries up to $2^5 = 32$ in the $6 \times 6$
# matrix $V$ of F(4, 3)), so more cancellation. Measure the float32 error of each method against a float64 reference of the same
# layer (the digits depend on your processor's summation order):

# %% tags=["nbval-ignore-output"]
Y_layer_64 = corr2d_batch(X_layer.astype(np.float64), W_layer.astype(np.float64))
scale = np.abs(Y_layer_64).max()
float32_errors = {"im2col + GEMM (corr2d_batch)": corr2d_batch(X_layer, W_layer),
                  "Winograd F(2x2, 3x3)": winograd_conv2d(X_layer, W_layer, tile=2),
                  "Winograd F(4x4, 3x3)": winograd_conv2d(X_layer, W_layer, tile=4)}
float32_errors = {name: max_diff(Y, Y_layer_64) / scale for name, Y in float32_errors.items()}
for name, error in float32_errors.items():
    print(f"{name:30s} largest error {error:.1e} of the largest output")
growth = float32_errors["Winograd F(4x4, 3x3)"] / float32_errors["Winograd F(2x2, 3x3)"]
print(f"F(4x4) vs F(2x2): {growth:.0f}x the error")
assert float32_errors["Winograd F(4x4, 3x3)"] > float32_errors["Winograd F(2x2, 3x3)"]

# %% [markdown]
# The error grows with the tile, which is why libraries stop at small tiles for float32 ). What do the saved multiplications buy in NumPy?

# %% tags=["nbval-ignore-output"]
winograd_times = {f"Winograd F({tile}x{tile}, 3x3)": median_seconds(lambda: winograd_conv2d(X_layer, W_layer, tile=tile),
                                                                    min_repeats=3, budget_seconds=0.1)
                  for tile in (2, 4)}
layer_times.update(winograd_times)
for name, seconds in winograd_times.items():
    print(f"{name:24s} {seconds * 1e3:7.2f} ms: {faster_or_slower(t_batch / seconds)} than corr2d_batch")

# %% [markdown]
# Whatever the printed ratio on your machine, the multiplication count is not the whole cost: in
# NumPy the transforms are separate passes over memory, each reading and writing every tile, and the
# 16 GEMMs are small. Production Winograd kernels (oneDNN's, cuDNN's) fuse the transforms with the
# multiplications and keep the tiles in registers or on-chip memory, which is where the factor of
# 2.25 can show up as time. Lavin & Gray reported their GPU implementation faster than the cuDNN version of
# the time on the layers of the VGG network (from the literature; there is no GPU here).

# %% [markdown]
# ## The FFT in a layer
#
# On one channel the FFT won only for large kernels. In a layer its cost splits into parts that scale
# differently:
#
# * **transforms**: one forward transform per input image and channel ($N c_i$), one per kernel
#   ($c_o c_i$, each zero-padded to $H \times W$, once per layer), one inverse per output image and
#   channel ($N c_o$). None of them grows with $c_i c_o$ per image: they are *amortised* over the
#   channels. We count a real $H \times W$ transform as $1.25\, HW \log_2(HW)$ multiply-adds, half the
#   usual textbook estimate of $5 n \log_2 n$ floating-point operations for a complex FFT of $n$ points;
# * **products**: for every image, output channel, input channel and frequency, one complex
#   multiply-add (4 real ones) on the $H (W/2 + 1)$ frequencies of a real transform. This part grows
#   with $N c_i c_o$, like the direct method, but **not with $k$**.
#
# The cell counts both for the lesson's layer and several kernel sizes:

# %%
def fft_layer_work(N, c_in, c_out, size, k):
    """(direct multiply-adds, FFT transform multiply-adds, FFT product multiply-adds) of one layer."""
    pixels = size * size
    transform = 1.25 * pixels * np.log2(pixels)
    transforms = (N * c_in + c_out * c_in + N * c_out) * transform
    products = N * c_out * c_in * size * (size // 2 + 1) * 4
    return N * conv_multiply_adds(size, c_in, c_out, k), transforms, products


work_ratios = []
print(f"{'k':>3s} {'direct':>15s} {'FFT transforms':>15s} {'FFT products':>15s} {'direct / FFT':>13s}")
for k in (3, 5, 7, 9, 11):
    direct, transforms, products = fft_layer_work(4, 64, 64, 28, k)
    work_ratios.append(direct / (transforms + products))
    print(f"{k:3d} {direct:15,.0f} {transforms:15,.0f} {products:15,.0f} {work_ratios[-1]:13.2f}")
assert work_ratios[0] > 1 and all(later > earlier for earlier, later in zip(work_ratios, work_ratios[1:]))
transforms_per_pair = (4 * 64 + 64 * 64 + 4 * 64) / (4 * 64 * 64)
print(f"transforms per (image, input channel, output channel) triple: {transforms_per_pair:.3f}")

# %% [markdown]
# By this count the FFT does less arithmetic than the direct method even for $3 \times 3$ once there
# are many channels, and the advantage grows as $k^2$. Counting is not timing, though: the spectra
# are $H (W/2 + 1)$ complex numbers per channel whatever $k$ is (a $3 \times 3$ kernel becomes a
# $28 \times 15$ complex array), and the products form one small matrix product per frequency, with
# the batch size as one of its dimensions. Here is a float32 FFT layer in a few lines (`scipy.fft`,
# the transforms shared among threads), checked against `corr2d_batch`, then timed for $k = 3$ and
# $k = 9$:

# %%
def corr2d_layer_fft(X, K):
    """Valid multi-channel cross-correlation (N, C, H, W) x (O, C, kh, kw) through real 2-D FFTs."""
    N, C, H, W = X.shape
    O, _, kh, kw = K.shape
    X_spectra = scipy.fft.rfft2(X, workers=-1).reshape(N, C, -1)
    K_spectra = np.conj(scipy.fft.rfft2(K, s=(H, W), workers=-1)).reshape(O, C, -1)  # conjugate: correlation
    # For each frequency f: (O x C) times (C x N), the sum over input channels.
    Y_spectra = np.matmul(np.ascontiguousarray(K_spectra.transpose(2, 0, 1)),
                          np.ascontiguousarray(X_spectra.transpose(2, 1, 0)))
    Y_spectra = Y_spectra.transpose(2, 1, 0).reshape(N, O, H, W // 2 + 1)
    return scipy.fft.irfft2(Y_spectra, s=(H, W), workers=-1)[:, :, : H - kh + 1, : W - kw + 1]


W_layer9 = rng.standard_normal((64, 64, 9, 9)).astype(np.float32)
cu.compare(corr2d_layer_fft(X_layer, W_layer9), {"corr2d_batch": corr2d_batch(X_layer, W_layer9)}, tolerance=1e-2,
           reference_name="the FFT layer, 9x9 kernels")

# %% tags=["nbval-ignore-output"]
fft_layer_times = {k: {"im2col + GEMM": median_seconds(lambda: corr2d_batch(X_layer, weights), min_repeats=2,
                                                       budget_seconds=0.05),
                       "FFT": median_seconds(lambda: corr2d_layer_fft(X_layer, weights), min_repeats=2,
                                             budget_seconds=0.05)}
                   for k, weights in ((3, W_layer), (9, W_layer9))}
for k, times in fft_layer_times.items():
    direct, transforms, products = fft_layer_work(4, 64, 64, 28, k)
    print(f"k = {k}: im2col + GEMM {times['im2col + GEMM'] * 1e3:.1f} ms, FFT {times['FFT'] * 1e3:.1f} ms "
          f"(FFT {faster_or_slower(times['im2col + GEMM'] / times['FFT'])}; it counted "
          f"{direct / (transforms + products):.1f}x less work)")

# %% [markdown]
# Compare the two ratios in each line: the operation count is an upper bound on what the FFT can
# save, and the time tells how much of it survives the memory traffic and the small matrix products.

# %% [markdown]
# ## Which algorithm wins where
#
# The table collects this lesson's measurements on your machine (the winner of each row is picked
# by the code) and, where this machine cannot measure, what the literature reports.

# %% tags=["nbval-ignore-output"]
def winner(times):
    """'name (x.x ms)' of the fastest entry, and the runner-up's ratio to it."""
    ranked = sorted(times.items(), key=lambda item: item[1])
    (best, best_time), (second, second_time) = ranked[0], ranked[1]
    return f"{best} ({best_time * 1e3:.2f} ms), {second_time / best_time:.1f}x ahead of {second}"


layer_3x3 = {name: layer_times[name] for name in ("corr2d_batch (im2col + GEMM)", "PyTorch",
                                                   "Winograd F(2x2, 3x3)", "Winograd F(4x4, 3x3)")}
layer_3x3["FFT layer"] = fft_layer_times[3]["FFT"]
rows = [
    ("one channel, 256x256, k = 3", "this CPU, measured", winner(timings[3])),
    (f"one channel, 256x256, k = {large_k}", "this CPU, measured", winner(timings[large_k])),
    ("layer 4x64->64, 28x28, k = 3", "this CPU, measured", winner(layer_3x3)),
    ("layer 4x64->64, 28x28, k = 9", "this CPU, measured",
     winner({f"{name} (NumPy)": t for name, t in fft_layer_times[9].items()})),
    ("3x3 layers", "GPU, from the literature",
     "Winograd F(2x2, 3x3) ahead of cuDNN's kernels of the time (Lavin & Gray, 2016); cuDNN: implicit GEMM"),
    ("large kernels", "GPU, from the literature",
     "FFT (Mathieu, Henaff & LeCun, 2014; Vasilache et al., 2015)"),
]
width = max(len(row[0]) for row in rows)
for setting, source, result in rows:
    print(f"{setting:{width}s} | {source:24s} | {result}")

# %% [markdown]
# ## Recap
#
# * The double loop pays Python's overhead once per output pixel; any method that loops over
#   something smaller, or not at all, is faster by the factor measured at the start.
# * `sliding_window_view` gives every window without copying; `einsum` contracts them with the kernel.
# * Shift-and-add loops over the $k_h k_w$ taps with whole-image operations; `cu.corr2d` runs it in
#   cache-sized strips for small kernels.
# * im2col + GEMM makes a multi-channel layer one matrix product,
#   $c_o \times c_i k_h k_w$ times $c_i k_h k_w \times o_h o_w$: the bridge from convolution to
#   linear algebra. Production CPU libraries skip the copy: oneDNN runs a direct, JIT-compiled
#   kernel on a channel-blocked layout with register tiling (its verbose log shows which); GPU
#   libraries use implicit GEMM, Winograd and FFT kernels.
# * The FFT computes $\mathcal{F}^{-1}(\mathcal{F}X \cdot \overline{\mathcal{F}K})$; the conjugate is
#   the kernel flip. Its cost does not grow with $k$, so on one channel it wins above a crossover
#   kernel size, which `cu.corr2d` looks up in a measured table; in a layer its transforms are
#   amortised over the channels.
# * Winograd's F(2x2, 3x3), derived from polynomial evaluation and interpolation, needs 16
#   multiplications per output tile and channel pair instead of 36; bigger tiles save more and round
#   more.
# * Measure work as multiply-adds, rates as GFLOP/s against a measured matmul peak, and time as
#   ratios within one run; set thread counts after all imports, and give `np.matmul` contiguous
#   operands (before NumPy 2.3 it skips BLAS otherwise).

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
# SOLUTION q1

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
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): why the layer runs closer to the peak
#
# In the timings above, the multi-channel layer (im2col + GEMM) ran at a larger fraction of the
# machine's peak than any single-channel direct method (the lesson printed both percentages and
# checked the order), although both do nothing but multiply-adds. Explain the difference in a few
# sentences, then compare with the model answer. This one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [11 · Trained filters and invariance](11_trained_filters_and_invariance.ipynb)
#
# **Next:** [13 · The backward pass and transposed convolution](13_backward_and_transposed.ipynb)
