# %% [markdown]
# # 04 · Edge detection
#
# Lesson 03 built a conv layer whose kernel is learned. Before any learning, it pays to see what a
# kernel chosen by hand can do. Two numbers, $+1$ and $-1$, already find the edges of an image; nine
# numbers blur, sharpen or outline a photograph; and a kernel cut out of the photograph itself can find
# where it came from.
#
# **In this lesson you will**
#
# 1. find the vertical edges of a small synthetic image with the kernel $[1, -1]$ and read the sign of
#    every output;
# 2. see that this kernel is blind to horizontal edges, and turn it on its side to find them;
# 3. check the edge maps in MXNet, PyTorch and JAX;
# 4. read each output as a dot product, a similarity score, and use it to locate a patch in a
#    photograph; plain correlation is fooled by bright regions, the normalised version is not;
# 5. apply classic hand-made kernels (Sobel, blur, sharpen, Laplacian) to real photographs and compare
#    with PyTorch, MXNet, JAX and scikit-image.

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import matplotlib.pyplot as plt
import numpy as np
import skimage.filters

import course_utils as cu
from course_utils import exercises
from course_utils.data import load_image
from course_utils.exercises.edge_detection import EDGE_VALUE_IMAGE
from course_utils.kernels import gaussian_kernel, kernel_preset
from course_utils.matching import best_match, normalized_cross_correlation
from course_utils.plotting import show_filter_rows, show_image, show_row
from course_utils.widgets import kernel_playground

rng = cu.setup_lesson(seed=0)

# %% [markdown]
# ## An image with two vertical edges
#
# Start from the simplest picture that has an edge: a $6 \times 8$ image of ones (bright) with a dark
# band of zeros in columns 2 to 5. Going from left to right, the brightness drops from 1 to 0 between
# columns 1 and 2, and comes back between columns 5 and 6: two vertical edges. We also keep a
# $6 \times 9$ version, one bright column wider on the right, which some texts use; everything below
# holds for both.

# %%
images = {}
for width in (8, 9):
    image = np.ones((6, width), dtype=np.float32)
    image[:, 2:6] = 0
    images[width] = image
X = images[8]
print(X)

# %% [markdown]
# The kernel is a single row of two numbers, $K = [\,1,\ -1\,]$. Laid over two neighbouring pixels of a
# row, it computes the left one minus the right one:
#
# $$Y[i, j] = 1 \cdot X[i, j] + (-1) \cdot X[i, j+1] = X[i, j] - X[i, j+1].$$
#
# That is a discrete derivative along the row, with a minus sign: it is zero wherever the row is flat.

# %%
K = np.array([[1, -1]], dtype=np.float32)
Y = {width: cu.corr2d(image, K) for width, image in images.items()}
print(Y[8])

expected = {}
for width in (8, 9):
    expected[width] = np.zeros((6, width - 1), dtype=np.float32)
    expected[width][:, 1] = 1
    expected[width][:, 5] = -1
    assert Y[width].shape == (6, width - 1)
    assert np.array_equal(Y[width], expected[width])
print("6x9 image -> output shape", Y[9].shape, "with +1 in column 1 and -1 in column 5")

# %% [markdown]
# Reading the signs:
#
# * **$+1$ in column 1**: $X[i, 1] - X[i, 2] = 1 - 0$. Going right, a bright pixel turns dark.
# * **$-1$ in column 5**: $X[i, 5] - X[i, 6] = 0 - 1$. Going right, a dark pixel turns bright.
# * **$0$ everywhere else**: both pixels under the kernel are equal, bright or dark alike.
#
# Output column $j$ reports the boundary between input columns $j$ and $j + 1$, and the output is one
# column narrower than the input because the two-wide kernel fits at $W - 1$ positions. The sign is a
# convention of this kernel: $[-1, 1]$ would report the same edges with the opposite signs.

# %% tags=["hide-input"] alt="Three panels: the 6x8 input in gray, white columns 0-1 and 6-7 around a black band in columns 2-5; the kernel [1, -1] in red and blue; the 6x7 output, zero everywhere except a red column of +1 at column 1 and a blue column of -1 at column 5."
fig = show_row([X, K, Y[8]], ["input X (6x8)", "kernel K (1x2)", "output X ⋆ K (6x7)"],
               "Vertical edges: +1 where bright turns dark going right, -1 where dark turns bright", gray_panels=[0])
plt.show()

# %% [markdown]
# ## The kernel only sees vertical edges
#
# Transpose the image: the band of zeros now runs across rows 2 to 5, so the edges are horizontal.
# Along any row nothing changes, and the kernel, which only compares left and right neighbours,
# returns zeros everywhere.

# %%
for width, image in images.items():
    Y_transposed = cu.corr2d(image.T, K)
    print(f"X.T has shape {image.T.shape}; X.T ⋆ K has shape {Y_transposed.shape}, "
          f"largest |value| {np.abs(Y_transposed).max():g}")
    assert Y_transposed.shape == (width, 5)
    assert np.array_equal(Y_transposed, np.zeros((width, 5)))

# %% [markdown]
# To see horizontal edges, turn the kernel on its side too. The transposed kernel
# $K^\top = \begin{bmatrix}1\\-1\end{bmatrix}$ computes $X[i, j] - X[i+1, j]$, top minus bottom:
# $+1$ where a bright row sits above a dark one, $-1$ where a dark row sits above a bright one. On the
# transposed image it gives the transposed edge map.

# %% alt="Three panels: the transposed 8x6 input in gray with a black band in rows 2-5; the vertical kernel [1, -1]; the 7x6 output with a red row of +1 at row 1 and a blue row of -1 at row 5."
X_T = X.T  # 8x6, edges between rows 1 and 2 and between rows 5 and 6
Y_horizontal = cu.corr2d(X_T, K.T)
print(Y_horizontal)
assert Y_horizontal.shape == (7, 6)
assert np.array_equal(Y_horizontal, Y[8].T)

fig = show_row([X_T, K.T, Y_horizontal], ["input X.T (8x6)", "kernel K.T (2x1)",
                                          "output X.T ⋆ K.T (7x6)"],
               "Turning the kernel finds the horizontal edges", gray_panels=[0])
plt.show()

# %% [markdown]
# A kernel responds to one kind of pattern and ignores others. A conv layer therefore holds many
# kernels side by side (lesson 08 on channels), so that edges of every direction are covered.

# %% [markdown]
# ## The same edge maps in MXNet, PyTorch and JAX
#
# The frameworks expect a batch of images with channels, $(N, C, H, W)$, and a kernel per output and
# input channel, $(C_\text{out}, C_\text{in}, k_h, k_w)$; here every one of those extra axes has length 1.
# `cu.frameworks.corr2d_builtins(X, K)` adds those axes, runs the built-in convolution of each
# framework installed here (the calls of lesson 00) and takes them off again.

# %% [markdown]
# On these images every product is $0$ or $\pm 1$, so the frameworks must reproduce the NumPy maps
# exactly, zeros of the transposed images included: `cu.compare` is given a tolerance of zero.

# %%
cases = {
    "6x8 image, K": (images[8], K),
    "6x9 image, K": (images[9], K),
    "8x6 image, K": (images[8].T, K),
    "9x6 image, K": (images[9].T, K),
    "8x6 image, K.T": (images[8].T, K.T),
}
for case, (image, kernel) in cases.items():
    cu.compare(cu.corr2d(image, kernel), cu.frameworks.corr2d_builtins(image, kernel), tolerance=0, label=case)
print("compared with cu.corr2d:", ", ".join(cu.frameworks.present(cu.frameworks.FRAMEWORKS)))

# %% [markdown]
# ## Cross-correlation as similarity
#
# Each output is a sum of products, which is the **dot product** of the window under the kernel with
# the kernel, both read as long vectors:
#
# $$Y[i, j] = \sum_{a, b} X[i + a, j + b]\, K[a, b] = \langle W_{ij}, K \rangle .$$
#
# A dot product is large when the two vectors point the same way, so a cross-correlation scores how
# much each window looks like the kernel. The $[1, -1]$ kernel looks like a step down, and it scored
# the step downs highest. Any pattern can play the kernel's part, even a piece of a photograph.

# %% [markdown]
# Here is Chelsea the cat, one of the photographs bundled with scikit-image
# (`skimage.data.chelsea()`), in grayscale with values in $[0, 1]$ and shrunk to half size by
# averaging $2 \times 2$ blocks. We cut out a $24 \times 24$ patch around the eye on the left of the
# picture and use it as the kernel.

# %%
cat = load_image("cat", downscale=2)
patch_row, patch_col, size = 48, 72, 24
template = cat[patch_row : patch_row + size, patch_col : patch_col + size]
print("cat:", cat.shape, cat.dtype, f"values in [{cat.min():.3f}, {cat.max():.3f}]")
print("template:", template.shape, "cut at (row, col) =", (patch_row, patch_col))

# %% [markdown]
# Correlating the photo with its own patch gives a score for every position of the patch. Does the
# highest score sit where the patch came from?

# %%
plain = cu.corr2d(cat, template)
plain_peak = tuple(int(v) for v in np.unravel_index(np.argmax(plain), plain.shape))
peak_window = cat[plain_peak[0] : plain_peak[0] + size, plain_peak[1] : plain_peak[1] + size]
print("plain correlation map:", plain.shape)
print(f"score where the patch was cut {(patch_row, patch_col)}: {plain[patch_row, patch_col]:.1f}")
print(f"highest score, at {plain_peak}: {plain.max():.1f}")
print(f"mean brightness: template {template.mean():.2f}, window at the highest score {peak_window.mean():.2f}")
assert plain_peak != (patch_row, patch_col) and plain_peak[1] == 0  # on the left border
assert 1.5 < plain.max() / plain[patch_row, patch_col] < 1.7
assert 1.8 < peak_window.mean() / template.mean() < 2.1

# %% [markdown]
# It does not. The best score, about 1.6 times the score at the patch's own position, goes to a window
# at the left border of the photo that is about twice as bright as the patch on average. A dot
# product grows with the length of the vectors: by the Cauchy–Schwarz inequality
# $\langle W, T \rangle \le \lVert W \rVert\, \lVert T \rVert$, and a bright window has a long vector
# whatever its pattern. The raw score mixes "looks alike" with "is bright".
#
# The same map comes out of PyTorch's convolution, so the frameworks are not to blame. Both maps are
# divided by the largest score, so the difference is relative to it.

# %%
largest_score = np.abs(plain).max()
cu.compare(plain / largest_score,
           {"PyTorch": cu.frameworks.corr2d_builtin("PyTorch", cat, template) / largest_score},
           tolerance=1e-5, reference_name="corr2d's plain correlation (relative to the largest score)")

# %% [markdown]
# ### Normalised cross-correlation
#
# To compare patterns only, remove what brightness and contrast contribute: subtract each window's
# mean and the template's mean, then divide by their lengths. What remains is the cosine of the angle
# between the two zero-mean patches,
#
# $$\mathrm{NCC}[i, j] = \frac{\langle W_{ij} - \bar W_{ij},\; T - \bar T\rangle}
#                              {\lVert W_{ij} - \bar W_{ij}\rVert\, \lVert T - \bar T\rVert} \in [-1, 1],$$
#
# which is $1$ exactly when the window is the template up to a positive gain and an offset,
# $W = \alpha T + \beta$ with $\alpha > 0$. `cu.matching.normalized_cross_correlation` computes it with
# three whole-image cross-correlations: the numerator is `corr2d(image, T - T.mean())`, and the window
# sums of $x$ and $x^2$, which give every window's mean and spread, are box sums `corr2d(image, ones)`.
# A flat window (spread 0) gets the value 0 instead of a division by zero.

# %%
ncc = normalized_cross_correlation(cat, template)
found = best_match(cat, template)
print("NCC map:", ncc.shape, f"values in [{ncc.min():.3f}, {ncc.max():.3f}]")
print("best match at", found, f"with NCC {ncc[found]:.6f}; NCC at the plain peak {plain_peak}: {ncc[plain_peak]:.2f}")
assert found == (patch_row, patch_col)
assert abs(ncc[found] - 1.0) < 1e-9
assert -1.0 <= ncc.min() and ncc.max() <= 1.0
assert 0.3 < ncc[plain_peak] < 0.45

# %% [markdown]
# The normalised score peaks at exactly the position where the patch was cut, with the value 1 (up to
# round-off): there the window *is* the template. The bright window that won the plain contest scores
# only about $0.38$. Which other window looks most like the eye? We search again, leaving out every
# window that overlaps the patch.

# %%
rows_, cols_ = np.indices(ncc.shape)
overlaps = (np.abs(rows_ - patch_row) < size) & (np.abs(cols_ - patch_col) < size)
runner_up = tuple(int(v) for v in np.unravel_index(np.argmax(np.where(overlaps, -np.inf, ncc)), ncc.shape))
print(f"best window not overlapping the patch: {runner_up}, NCC {ncc[runner_up]:.2f}")
assert runner_up == (57, 141)
assert 0.75 < ncc[runner_up] < 0.85

# %% [markdown]
# It is the cat's other eye, with a score near $0.8$: similar, not identical. The figure shows where
# each search landed, both maps, and the template.

# %% tags=["hide-input"] alt="The cat photograph with three boxes: where the 24x24 eye patch was cut, the window with the highest plain correlation at the bright left border, and the NCC runner-up on the other eye; the template; the plain correlation map, largest at the bright left border; the NCC map, whose maximum sits on the cut position."
fig, axes = plt.subplots(1, 4, figsize=(17, 3.6), gridspec_kw={"width_ratios": [1.5, 0.55, 1.5, 1.5]},
                         layout="constrained")
show_image(axes[0], cat, "the cat: where the searches land", rectangles={
    "patch (cut here)": (patch_row, patch_col, size, size),
    "plain correlation max": (*plain_peak, size, size),
    "NCC runner-up": (*runner_up, size, size),
})
show_image(axes[1], template, "template (24x24)")
show_image(axes[2], plain, "plain correlation", kind="magnitude")
axes[2].plot(plain_peak[1], plain_peak[0], "r+", markersize=14, markeredgewidth=2)
show_image(axes[3], ncc, "normalised cross-correlation", kind="signed")
axes[3].plot(found[1], found[0], "k+", markersize=14, markeredgewidth=2)
fig.suptitle("Finding a patch: plain correlation prefers bright windows, NCC finds the pattern (+ = maximum)")
plt.show()

# %% [markdown]
# Two lessons for later. A conv layer's output is this kind of similarity score between every window
# and each kernel, so a trained kernel acts as a template for whatever pattern helps the task. And raw
# scores depend on brightness and contrast.
#
# A CNN does not normalise every window the way NCC does. What it commonly does is **standardise whole
# images** before the first layer (subtract a mean brightness, divide by a standard deviation), and many
# networks add **normalisation layers**, such as batch normalisation (Ioffe and Szegedy, 2015), which
# standardise each channel of a layer's output over a batch of images; that layer was introduced to make
# training faster and more stable, not to make scores blind to brightness. A whole-image standardisation
# subtracts one constant from every pixel and divides by one constant. Here is what it does to this search:

# %%
standardised = (cat - cat.mean()) / cat.std()
standardised_template = standardised[patch_row : patch_row + size, patch_col : patch_col + size]
standardised_scores = cu.corr2d(standardised, standardised_template)
standardised_peak = tuple(int(v) for v in np.unravel_index(np.argmax(standardised_scores), standardised_scores.shape))
print(f"template entries below zero after standardising: {np.mean(standardised_template < 0):.0%}")
print(f"plain correlation of the standardised photo: highest score at {standardised_peak}")
assert standardised_peak == (patch_row, patch_col) and np.mean(standardised_template < 0) > 0.5

# %% [markdown]
# On this photograph it is enough: after subtracting the mean, most of the dark template is negative, so a
# bright window scores low, and the highest score is back at the patch. That is a property of this image
# and template, not a guarantee. The standardisation removes one brightness and one contrast for the whole
# image, and a window's score still changes with its own: adding $c$ to every pixel of a window adds
# $c \sum_{a,b} T[a, b]$ to its score, and doubling the window's contrast about its mean doubles the part of
# its score that depends on the pattern. NCC's per-window normalisation removes both.

# %% [markdown]
# ## Hand-made kernels on photographs
#
# Image processing used hand-designed $3 \times 3$ kernels long before CNNs. `course_utils.kernels`
# holds the classic ones; `kernel_preset(name)` returns a fresh copy. All are written for
# cross-correlation, like everything in this course.

# %%
for name in ["sobel_x", "sobel_y", "laplacian", "sharpen", "box_blur", "gaussian_blur"]:
    kernel = kernel_preset(name)
    print(f"{name:14s} sum {kernel.sum():g}   rows {kernel.round(4).tolist()}")
assert np.array_equal(kernel_preset("sobel_y"), kernel_preset("sobel_x").T)
assert np.array_equal(kernel_preset("sharpen"), kernel_preset("identity") - kernel_preset("laplacian"))

# %% [markdown]
# The sums sort them into two families. Kernels that sum to $1$ (the blurs, sharpen) leave a flat
# region unchanged: a constant image $c$ gives $c$ times the sum. Kernels that sum to $0$ (Sobel,
# Laplacian) send flat regions to $0$ and respond only to change. Each filter below is also run through
# PyTorch's convolution, `cu.frameworks.corr2d_builtin("PyTorch", image, kernel)`, as a check.

# %% [markdown]
# ### Sobel: derivatives that smooth along the edge
#
# `sobel_x` $= \begin{bmatrix}-1&0&1\\-2&0&2\\-1&0&1\end{bmatrix}$ subtracts the left column of
# the window from the right column, so it measures how fast the brightness **rises to the right**: it is
# the $[1, -1]$ idea with the opposite sign, spread over three rows with weights $1, 2, 1$ that average
# out noise along the edge. It lights up at vertical edges. `sobel_y` is its transpose, bottom minus
# top, and lights up at horizontal edges. The **gradient magnitude** $\sqrt{g_x^2 + g_y^2}$ combines
# them into an edge strength that ignores direction.

# %%
sobel_x = kernel_preset("sobel_x").astype(np.float32)
sobel_y = kernel_preset("sobel_y").astype(np.float32)
gx = cu.corr2d(cat, sobel_x)
gy = cu.corr2d(cat, sobel_y)
magnitude = np.sqrt(gx**2 + gy**2)
print("cat", cat.shape, "-> gx, gy, magnitude", gx.shape)

for name, kernel, reference in [("sobel_x", sobel_x, gx), ("sobel_y", sobel_y, gy)]:
    cu.compare(reference, {"PyTorch": cu.frameworks.corr2d_builtin("PyTorch", cat, kernel)}, tolerance=1e-5,
               label=f"{name} vs corr2d")

# %% [markdown]
# The Sobel $x$ map of the photo goes through MXNet and JAX as well.

# %%
cu.compare(gx, cu.frameworks.corr2d_builtins(cat, sobel_x), tolerance=1e-5, reference_name="corr2d's sobel_x map")

# %% tags=["hide-input"] alt="Sobel x and Sobel y on the cat: each row shows the photo, the 3x3 kernel with its numbers and the signed edge map in red and blue, vertical outlines for x and horizontal ones for y; below, the photo beside its gradient magnitude, bright along the outlines of eyes, nose and fur."
fig = show_filter_rows([("sobel_x", cat, sobel_x, gx, "signed"), ("sobel_y", cat, sobel_y, gy, "signed")],
                       "Sobel on the cat: red = brighter to the right (x) or downwards (y), blue = darker",
                       percentile=99.5)
plt.show()

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
show_image(axes[0], cat, "original")
show_image(axes[1], magnitude, "gradient magnitude sqrt(gx² + gy²)", kind="magnitude")
fig.suptitle("Edge strength in every direction")
plt.show()

# %% [markdown]
# In the Sobel $x$ map every dark outline of an eye becomes a blue and red pair: blue where the
# brightness falls on entering the dark line (going right), red where it rises on leaving it. The
# kernel reports the direction of each crossing, as $[1, -1]$ did (with the opposite sign). The
# Sobel $x$ map picks up the left and right sides of the eyes, the Sobel $y$ map their upper and lower
# rims. The magnitude outlines eyes, nose and fur without caring about direction. (The signed maps saturate at the 99.5th percentile of $|g|$, marked by the arrow
# ends of the colour bars, so that a few very strong edges do not wash out the rest.)

# %% [markdown]
# ### Comparing with scikit-image
#
# `skimage.filters.sobel` seems to compute the same thing, but three conventions differ, and the
# numbers only agree once all three are accounted for:
#
# 1. it applies a **true convolution** (with `scipy.ndimage.convolve`) of the kernel it stores,
#    $\begin{bmatrix}1&0&-1\end{bmatrix}$ across the edge; the flip turns that into our
#    $\begin{bmatrix}-1&0&1\end{bmatrix}$, so the **signs agree** with ours;
# 2. its weights are **divided by 4** (smoothing weights $\frac14, \frac12, \frac14$), so its
#    derivatives are a quarter of ours;
# 3. its magnitude is the root mean square over the two axes, $\sqrt{(g_x^2 + g_y^2)/2}$, and it
#    returns an image **of the same size**, filling the border by reflecting the image; we compare the
#    interior only, `[1:-1, 1:-1]`.
#
# Its names count the other way, too: `sobel_h` finds **h**orizontal edges, so it matches our `sobel_y`,
# and `sobel_v` matches our `sobel_x`.

# %%
interior = (slice(1, -1), slice(1, -1))
comparisons = {
    "skimage sobel_v  vs gx / 4": (skimage.filters.sobel_v(cat)[interior], gx / 4),
    "skimage sobel_h  vs gy / 4": (skimage.filters.sobel_h(cat)[interior], gy / 4),
    "skimage sobel    vs magnitude / (4 sqrt 2)": (skimage.filters.sobel(cat)[interior], magnitude / (4 * np.sqrt(2))),
}
for label, (theirs, ours) in comparisons.items():
    diff = float(np.max(np.abs(theirs - ours)))
    print(f"{label:42s} max |diff| = {diff:.1e}")
    assert theirs.shape == ours.shape and diff <= 1e-5
naive_diff = float(np.max(np.abs(skimage.filters.sobel(cat)[interior] - magnitude)))
print(f"without the rescaling the maps differ by up to {naive_diff:.2f}")
assert naive_diff > 0.5

# %% [markdown]
# Without the factors the two "Sobel magnitudes" differ by more than $0.5$ somewhere, on images whose
# values lie in $[0, 1]$. Neither is wrong; when you compare edge maps from two libraries, check the
# flip, the scale and the border handling first.

# %% [markdown]
# ### Blur, sharpen and the Laplacian
#
# For these we switch to the other classic test photograph, `skimage.data.camera()`, shrunk to
# $128 \times 128$.
#
# * `box_blur` replaces each pixel by the mean of its $3 \times 3$ window.
# * `gaussian_blur`, $\frac{1}{16}\begin{bmatrix}1&2&1\\2&4&2\\1&2&1\end{bmatrix}$, weights
#   the centre most, a gentler blur. `gaussian_kernel(size, sigma)` builds Gaussian kernels of any odd
#   size; a $7 \times 7$ one with $\sigma = 1.5$ blurs much more.
# * `laplacian`, $\begin{bmatrix}0&1&0\\1&-4&1\\0&1&0\end{bmatrix}$, adds the second differences
#   along $x$ and $y$: negative on the bright side of an edge, positive on the dark side, zero on flat
#   regions and on steady ramps.
# * `sharpen` is identity minus Laplacian: it pushes each pixel away from its neighbours' mean, so
#   edges get steeper. Its output can leave $[0, 1]$; the figure clips it for display.

# %%
camera = load_image("camera", downscale=4)
gaussian_7 = gaussian_kernel(7, 1.5).astype(np.float32)
filters = {
    "box_blur": kernel_preset("box_blur").astype(np.float32),
    "gaussian_blur": kernel_preset("gaussian_blur").astype(np.float32),
    "gaussian 7x7, sigma 1.5": gaussian_7,
    "sharpen": kernel_preset("sharpen").astype(np.float32),
    "laplacian": kernel_preset("laplacian").astype(np.float32),
}
results = {}
for name, kernel in filters.items():
    results[name] = cu.corr2d(camera, kernel)
    cu.compare(results[name], {"PyTorch": cu.frameworks.corr2d_builtin("PyTorch", camera, kernel)}, tolerance=1e-5,
               label=f"{name:24s} output {results[name].shape}, vs corr2d:")

# %% [markdown]
# The blurs keep the overall brightness, as kernels summing to 1 should, and the Laplacian averages
# out near zero. The $3 \times 3$ Gaussian preset is close to a sampled Gaussian with $\sigma = 0.85$.

# %%
for name in ["box_blur", "gaussian_blur", "gaussian 7x7, sigma 1.5"]:
    print(f"{name:24s} mean {results[name].mean():.3f} (camera: {camera.mean():.3f})")
    assert abs(results[name].mean() - camera.mean()) < 0.01
print(f"laplacian mean {round(float(results['laplacian'].mean()), 4) + 0.0:.4f}")  # + 0.0 turns -0.0 into 0.0
assert abs(results["laplacian"].mean()) < 0.01
preset_vs_sampled = float(np.max(np.abs(kernel_preset("gaussian_blur") - gaussian_kernel(3, 0.85))))
print(f"gaussian_blur preset vs gaussian_kernel(3, 0.85): max |diff| = {preset_vs_sampled:.1e}")
assert preset_vs_sampled < 1e-3

# %% tags=["hide-input"] alt="Five rows on the camera photograph, each with the original, the kernel and the result: box blur and 3x3 Gaussian slightly soften it, the 7x7 Gaussian blurs it strongly, sharpen makes the grass grainy, and the Laplacian draws every outline as a blue and a red line side by side."
kinds = {"sharpen": "gray", "laplacian": "signed"}
rows = [(name, camera, kernel, np.clip(results[name], 0, 1) if name == "sharpen" else results[name],
         kinds.get(name, "gray")) for name, kernel in filters.items()]
fig = show_filter_rows(rows, "Blurs, sharpen and Laplacian on the camera photograph", percentile=99)
plt.show()

# %% [markdown]
# The $3 \times 3$ blurs soften the grass texture and the thin tripod legs a little; the $7 \times 7$
# Gaussian blurs them away. Sharpen does the opposite and makes the grass look grainy, because it
# boosts noise as much as edges. The Laplacian draws each outline twice, once in blue on the bright
# side and once in red on the dark side; the edge itself sits where the two meet, at the zero crossing.

# %% [markdown]
# ## Try it: the kernel playground
#
# Pick a photo and a preset, or type your own nine weights into the grid, and change stride and
# padding. The output keeps the input's scale, so a stride of 2 visibly halves it. Things to try:
# make Sobel $x$ into Sobel $y$ by hand; flip the sign of every weight and watch red and blue swap;
# find weights that sum to zero and see that flat regions turn white. (A static copy of this notebook
# shows the first frame only.)

# %% tags=["nbval-ignore-output"]
playground = kernel_playground(image="camera", preset="sobel_x", stride=1, padding=1)
playground

# %% [markdown]
# The playground computes with `cu.corr2d`; its first frame checked against PyTorch's convolution:

# %%
model = playground.model
print(model.summary().splitlines()[0])
assert model.output.shape == (512, 512)
cu.compare(model.output, {"PyTorch": cu.frameworks.corr2d_builtin("PyTorch", load_image("camera"),
                                                                  kernel_preset("sobel_x"), padding=1)},
           tolerance=1e-5, reference_name="the playground's first frame")

# %% [markdown]
# ## Recap
#
# * $[1, -1]$ computes $X[i, j] - X[i, j+1]$: on the $6 \times 8$ image (and the $6 \times 9$ one) it
#   gives $+1$ in column 1, where bright turns dark going right, $-1$ in column 5, where dark turns
#   bright, and $0$ elsewhere. MXNet, PyTorch and JAX give the same maps exactly.
# * It is blind to horizontal edges (all zeros on the transposed image); the transposed kernel
#   $[1, -1]^\top$ finds them. One kernel, one kind of pattern.
# * Each output is the dot product of a window with the kernel: a similarity score. Raw scores favour
#   bright windows; the normalised cross-correlation finds a patch of the cat at its exact position,
#   with score 1.
# * Sobel $x$/$y$ are smoothed derivatives (sum 0), the Laplacian a second derivative (sum 0), the
#   blurs weighted means (sum 1), sharpen is identity minus Laplacian (sum 1).
# * Library conventions differ: scikit-image's Sobel convolves (the flip restores our sign), divides by
#   4, averages the magnitude over the axes and pads the border.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("04_edge_detection")

# %% [markdown]
# ### Exercise 1: a detector for horizontal edges
#
# Write `horizontal_edges(X)` that returns the map $Y[i, j] = X[i, j] - X[i + 1, j]$ of a 2-D array
# `X`: top minus bottom, $+1$ where a bright row lies above a dark one. The map has shape
# $(H - 1, W)$. Use `cu.corr2d` with a kernel of your own, or plain slicing.

# %%
# SOLUTION q1

# %%
q1.check(horizontal_edges)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: one output by hand
#
# Here is a small image `X_small`. Without running any convolution, work out the value at row 1,
# column 1 (Python indices, starting at 0) of `cu.corr2d(X_small, np.array([[1.0, -1.0]]))`, and store
# it in `answer`.

# %%
X_small = EDGE_VALUE_IMAGE.copy()
print(X_small)

# %%
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): kernels that sum to zero
#
# Make the cat photo brighter by adding $0.2$ to every pixel. What happens to its Sobel $x$ map, and
# what happens to its blurred version? And what happens to both if you double the contrast instead
# (multiply every pixel by 2)? Explain with the sums of the kernels. This one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [03 · Cross-correlation and conv layers](03_cross_correlation_and_conv_layers.ipynb)
#
# **Next:** [05 · Learning a kernel](05_learning_a_kernel.ipynb)
