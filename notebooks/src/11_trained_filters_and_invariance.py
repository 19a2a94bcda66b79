# %% [markdown]
# # 11 · Trained filters and invariance
#
# The earlier lessons built a convolution layer piece by piece. This one trains a small CNN and asks
# two questions the sources answer with confident one-liners: do trained filters "look like" edge
# detectors (or like neurons in the visual cortex), and does a CNN recognise an object wherever it
# appears? We measure instead of asserting.
#
# **In this lesson you will**
#
# 1. train a small CNN and a fully connected network (MLP) of about the same size on scikit-learn's
#    bundled $8 \times 8$ digits, on the CPU, in seconds;
# 2. look at the CNN's learned $3 \times 3$ filters next to hand-made edge kernels, and measure how alike
#    they are;
# 3. check the trained layer against NumPy, MXNet and JAX;
# 4. shift the test digits by 0 to 3 pixels and watch both models' accuracy, find out why the CNN
#    stumbles on odd shifts, and fix it twice: without subsampling, and with anti-aliased pooling
#    (BlurPool), each with its computed cost in multiply-adds.

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import course_utils as cu
from course_utils import exercises
from course_utils.anti_aliasing import binomial_kernel, blur_pool2d, blur_pool_layer
from course_utils.digits import load_digit_splits, shift_images
from course_utils.kernels import kernel_preset
from course_utils.layer_cost import model_multiply_adds
from course_utils.plotting import show_array
from course_utils.training import accuracy, train_classifier

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
from mxnet import np as mnp
from mxnet import npx

# %% [markdown]
# Training runs on the CPU. We fix PyTorch to one thread: with several threads the order in which
# partial sums are added can change from run to run, and with it the last digits of every weight.
# (MXNet, imported above where it is installed, also changes PyTorch's thread count on import, so we
# set it after all imports.)

# %%
torch.set_num_threads(1)
print("PyTorch threads:", torch.get_num_threads())

# %% [markdown]
# ## The data: digits on a larger canvas
#
# `sklearn.datasets.load_digits` ships 1,797 handwritten digits as $8 \times 8$ images with 17 grey
# levels, so nothing is downloaded. The digits fill their $8 \times 8$ frame, so shifting one by a
# pixel would push ink out of the picture. To study shifts fairly we first place every digit in the
# middle of a $16 \times 16$ canvas of zeros: then a shift of up to 4 pixels moves the digit without
# cutting it.

# %%
splits = load_digit_splits(test_fraction=0.25, seed=0)
MARGIN = 4
train_images = np.pad(splits.train_images, ((0, 0), (MARGIN, MARGIN), (MARGIN, MARGIN)))
test_images = np.pad(splits.test_images, ((0, 0), (MARGIN, MARGIN), (MARGIN, MARGIN)))
train_labels, test_labels = splits.train_labels, splits.test_labels
print("train:", train_images.shape, " test:", test_images.shape)
assert train_images.shape == (1348, 16, 16) and test_images.shape == (449, 16, 16)
assert np.array_equal(np.bincount(train_labels, minlength=10) > 120, np.ones(10, bool))  # every digit well represented

# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 6, figsize=(11, 4))
for column in range(6):
    axes[0, column].imshow(test_images[column], cmap="gray_r", vmin=0, vmax=1)
    axes[0, column].set_title(f"label {test_labels[column]}")
    axes[1, column].imshow(shift_images(test_images[column], cols=3), cmap="gray_r", vmin=0, vmax=1)
    axes[1, column].set_title("shifted right by 3")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Test digits on a 16x16 canvas (top) and the same digits moved 3 pixels right (bottom)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Two models of about the same size
#
# The **CNN**: a $3 \times 3$ convolution to 8 channels, ReLU, $2 \times 2$ max pooling with stride 2,
# a $3 \times 3$ convolution to 16 channels, ReLU, then the maximum of each channel over the whole
# image ("global max pooling") and a linear layer to the 10 classes. Because of the global pooling it
# accepts images of any size.
#
# The **MLP**: the 256 pixels, a hidden layer of 6 units with ReLU, and the 10 classes. Six hidden
# units is small, but it makes the parameter counts comparable: the comparison is about *how* the
# parameters are used, not how many there are.

# %%
def make_cnn(subsample=True, anti_alias=False):
    layers = [nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU()]
    if subsample and anti_alias:  # BlurPool, introduced at the end of the lesson
        layers += [nn.MaxPool2d(kernel_size=2, stride=1), blur_pool_layer(8, size=3, stride=2)]
    elif subsample:
        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    layers += [nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(),
               nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(16, 10)]
    return nn.Sequential(*layers)


def make_mlp(hidden=6):
    return nn.Sequential(nn.Flatten(), nn.Linear(16 * 16, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


torch.manual_seed(0)
cnn, mlp = make_cnn(), make_mlp()
counts = {"CNN": parameter_count(cnn), "MLP": parameter_count(mlp)}
print(counts)
assert counts["CNN"] == (8 * 9 + 8) + (16 * 8 * 9 + 16) + (16 * 10 + 10) == 1418
assert counts["MLP"] == (256 * 6 + 6) + (6 * 10 + 10) == 1612

# %% [markdown]
# ## Training
#
# Adam, cross-entropy, 30 epochs of mini-batches of 64, on the un-shifted training digits only. The
# progress bar updates in place and leaves a one-line summary. The exact losses depend on your
# processor's floating-point details, so this cell's output is not compared when the course is tested;
# the assertions below it are.

# %% tags=["nbval-ignore-output"]
cnn_history = train_classifier(cnn, train_images, train_labels, epochs=30, learning_rate=1e-2, seed=0,
                               description="CNN")
mlp_history = train_classifier(mlp, train_images, train_labels, epochs=30, learning_rate=1e-2, seed=0,
                               description="MLP")
print(f"final training loss: CNN {cnn_history[-1]:.3f}, MLP {mlp_history[-1]:.3f}")

# %% tags=["nbval-ignore-output"]
test_accuracy = {"CNN": accuracy(cnn, test_images, test_labels), "MLP": accuracy(mlp, test_images, test_labels)}
print({name: round(value, 3) for name, value in test_accuracy.items()})
assert test_accuracy["CNN"] > 0.9 and test_accuracy["MLP"] > 0.85

# %% [markdown]
# Both models learn the un-shifted digits well: above 90% (CNN) and 85% (MLP) of the 449 test digits.

# %% [markdown]
# ## What did the first layer learn?
#
# The first convolution holds eight $3 \times 3$ kernels. Below them are hand-made kernels from lesson
# 04. Each panel has its own colour scale centred at zero (red positive, blue negative), because only
# the *pattern* matters here: a ReLU network can rescale a filter and compensate in the next layer.

# %%
learned = cnn[0].weight.detach().numpy()[:, 0]  # (8, 3, 3)
hand_made = {name: kernel_preset(name) for name in ["sobel_x", "sobel_y", "laplacian", "sharpen", "box_blur"]}

fig, axes = plt.subplots(2, 8, figsize=(19, 4.6))
for index, ax in enumerate(axes[0]):
    show_array(ax, learned[index], f"learned {index}", signed=True, annotate=False)
for ax, (name, kernel) in zip(axes[1], hand_made.items()):
    show_array(ax, kernel, name, signed=True, annotate=True, fmt="{:.2g}")
for ax in axes[1, len(hand_made):]:
    ax.axis("off")
fig.suptitle("Top: the CNN's eight learned 3x3 first-layer kernels.  Bottom: hand-made kernels (lesson 04)")
fig.tight_layout()
plt.show()

# %% [markdown]
# "Looks like" is in the eye of the beholder, so let us measure it. Compare the shapes of two kernels
# by their **cosine similarity** after removing each one's mean: $1$ for the same pattern, $-1$ for
# the same pattern with the sign flipped (equally useful after a sign change in the next layer), $0$
# for unrelated. For each learned kernel we report the best absolute cosine over the edge-type kernels
# (Sobel $x$ and $y$, the two diagonal differences and the Laplacian), and compare with what *random*
# $3 \times 3$ kernels score, as a baseline.

# %%
def centred_unit(kernel):
    flat = np.asarray(kernel, dtype=np.float64).ravel()
    flat = flat - flat.mean()
    return flat / np.linalg.norm(flat)


diagonal = np.array([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]], dtype=float)  # Sobel along a diagonal
edge_kernels = {"sobel_x": kernel_preset("sobel_x"), "sobel_y": kernel_preset("sobel_y"),
                "diagonal": diagonal, "anti-diagonal": np.fliplr(diagonal), "laplacian": kernel_preset("laplacian")}
edge_matrix = np.stack([centred_unit(k) for k in edge_kernels.values()])


def best_match(kernel):
    cosines = np.abs(edge_matrix @ centred_unit(kernel))
    return list(edge_kernels)[int(np.argmax(cosines))], float(cosines.max())


random_scores = np.array([best_match(rng.standard_normal((3, 3)))[1] for _ in range(2000)])
baseline = float(np.median(random_scores))
print(f"median best |cosine| of 2,000 random 3x3 kernels: {baseline:.2f}")
assert 0.4 < baseline < 0.6  # a random pattern already resembles one of five edge kernels somewhat

# %% tags=["nbval-ignore-output"]
learned_scores = np.array([best_match(k)[1] for k in learned])
for index, kernel in enumerate(learned):
    name, score = best_match(kernel)
    print(f"learned {index}: closest to {name:13s} |cosine| = {score:.2f}")
print(f"median for the learned kernels: {np.median(learned_scores):.2f} (random kernels: {baseline:.2f})")
assert np.all((learned_scores >= 0) & (learned_scores <= 1 + 1e-12))

# %% [markdown]
# Is "the learned median is above the random baseline" evidence? Not by itself: the median of eight
# *random* kernels lands above the median of all random kernels about half the time. The fair
# comparison is with sets of eight random kernels: draw many such sets, take each set's median, and
# see where the learned median falls among them (its **percentile**).

# %%
def best_match_scores(kernels):
    """best_match's |cosine| for a stack of kernels at once (one row of 9 numbers per kernel)."""
    flat = kernels.reshape(-1, 9)
    flat = flat - flat.mean(axis=1, keepdims=True)
    flat = flat / np.linalg.norm(flat, axis=1, keepdims=True)
    return np.abs(flat @ edge_matrix.T).max(axis=1)


assert np.allclose(best_match_scores(learned), [best_match(k)[1] for k in learned])
random_sets = rng.standard_normal((5000, len(learned), 3, 3))
set_medians = np.median(best_match_scores(random_sets).reshape(len(random_sets), len(learned)), axis=1)
above_baseline = float(np.mean(set_medians > baseline))
print(f"{len(random_sets):,} sets of {len(learned)} random kernels: the set's median beats the baseline "
      f"{baseline:.2f} in {above_baseline:.0%} of them")
assert 0.3 < above_baseline < 0.7
print(f"middle 90% of the random sets' medians: {np.quantile(set_medians, 0.05):.2f} to "
      f"{np.quantile(set_medians, 0.95):.2f}")

# %% tags=["nbval-ignore-output"]
learned_median = float(np.median(learned_scores))
percentile = 100 * float(np.mean(set_medians < learned_median))
print(f"the learned median {learned_median:.2f} is above {percentile:.1f}% of the random sets' medians")
if percentile >= 95:
    print("verdict: random sets of kernels rarely score this high (above the 95th percentile)")
else:
    print("verdict: random sets of kernels score this high too often (below the 95th percentile) "
          "to call it evidence")

# %% [markdown]
# The printed verdict says whether training pushed the kernels towards edge-like patterns more than
# chance would (the table above shows which direction each one prefers). What these numbers do and do
# not say:
#
# * A $3 \times 3$ kernel has only 9 numbers, and after removing the mean 8 directions of freedom, so
#   five edge kernels already cover a good part of that space: even random kernels reach a median
#   $|\cos|$ of about 0.5. A learned kernel that "looks like an edge detector" is therefore weak
#   evidence on its own; compare it with the random baseline, as above.
# * The claim that trained filters "look biological" comes from large networks trained on millions of
#   natural photographs with big first-layer kernels (for example $11 \times 11$ in AlexNet). Those
#   learn oriented, striped, Gabor-like patterns and colour blobs, and neurons in the primary visual
#   cortex (Hubel and Wiesel's "simple cells") respond to oriented edges too. With $3 \times 3$
#   kernels on 1,348 tiny digits there is no room for such structure, and we should not claim it.
# * Even where the resemblance is strong, it says that gradient descent and evolution found similar
#   *first steps* for images with similar statistics. It does not say the brain learns by gradient
#   descent or computes what a CNN computes.

# %% [markdown]
# ## The trained layer in four libraries
#
# The learned weights are just numbers, so NumPy, MXNet and JAX can run the trained first layer too.
# PyTorch's weight layout (out, in, $k_h$, $k_w$) is also what `cu.corr2d_multi_in_out` and MXNet use;
# JAX's `lax.conv_general_dilated` defaults to the same layout.

# %%
weight = cnn[0].weight.detach().numpy()  # (8, 1, 3, 3)
bias = cnn[0].bias.detach().numpy()  # (8,)
batch = test_images[:16, None]  # (16, 1, 16, 16)

with torch.no_grad():
    reference = cnn[0](torch.from_numpy(batch)).numpy()
assert reference.shape == (16, 8, 16, 16)

numpy_result = np.stack([cu.corr2d_multi_in_out(image, weight, padding=1) for image in batch]) + bias[:, None, None]
jax_result = jax.lax.conv_general_dilated(jnp.asarray(batch), jnp.asarray(weight), window_strides=(1, 1),
                                          padding=((1, 1), (1, 1))) + jnp.asarray(bias)[None, :, None, None]

# %%
# %%needs mxnet
mxnet_result = npx.convolution(data=mnp.array(batch), weight=mnp.array(weight), bias=mnp.array(bias),
                               kernel=(3, 3), pad=(1, 1), num_filter=8)

# %% [markdown]
# Each result must have PyTorch's shape, $(16, 8, 16, 16)$, and agree with it to within $10^{-5}$:

# %%
cu.compare(reference, {"NumPy": numpy_result, "MXNet": lambda: mxnet_result, "JAX": jax_result},
           tolerance=1e-5, reference_name="PyTorch's trained layer")

# %% [markdown]
# ## Moving the digits
#
# Now the experiment. Shift every test digit to the right by 0, 1, 2 and 3 pixels (and, separately,
# down and right together) and measure each model's accuracy. Neither model saw a shifted digit in
# training.

# %%
SHIFTS = [0, 1, 2, 3]


def accuracy_under_shifts(model, down=False):
    return [accuracy(model, shift_images(test_images, rows=s if down else 0, cols=s), test_labels) for s in SHIFTS]


curves = {
    "CNN": accuracy_under_shifts(cnn),
    "MLP": accuracy_under_shifts(mlp),
    "CNN, diagonal": accuracy_under_shifts(cnn, down=True),
    "MLP, diagonal": accuracy_under_shifts(mlp, down=True),
}

# %% tags=["nbval-ignore-output"]
for name, values in curves.items():
    print(f"{name:14s}", "  ".join(f"shift {s}: {v:.3f}" for s, v in zip(SHIFTS, values)))

# %% [markdown]
# The MLP collapses: one pixel costs it most of its accuracy, because a shifted digit lights up
# different input units, and the MLP has learned a weight per pixel. The CNN holds up far better,
# but with an odd pattern: it does well at shifts of 0 and 2 and noticeably worse at 1 and 3.

# %%
assert curves["MLP"][1] < curves["MLP"][0] - 0.2 and curves["MLP"][3] < 0.5
assert min(curves["CNN"]) > max(curves["MLP"][1:])
assert curves["CNN"][2] > curves["CNN"][1] and curves["CNN"][2] > curves["CNN"][3]

# %% [markdown]
# ## Why odd shifts hurt: stride-2 pooling
#
# A convolution with stride 1 is translation **equivariant**: shift the input by one pixel and every
# feature map shifts by one pixel (lesson 02). The global maximum at the end does not care where a
# value is, so equivariance turns into **invariance**. The weak link is the $2 \times 2$ max pooling
# with stride 2: it keeps one value per $2 \times 2$ block. A shift by 2 moves the content by exactly
# one block, and the pooled map shifts by one cell. A shift by 1 moves it *across* block boundaries,
# so different pixels are grouped together and the pooled values change.
#
# That argument predicts something exact, which we can check without any statistics: on a canvas large
# enough that the digit stays away from the border, the 16 features before the last linear layer are
# **identical** for shifts of 0 and 2, and different for a shift of 1.

# %% tags=["nbval-ignore-output"]
big_canvas = np.pad(splits.test_images[:50], ((0, 0), (8, 8), (8, 8)))  # 24x24, digit far from the borders


def feature_changes(model, shifts=(1, 2)):
    """Largest change of the 16 features (all but the final linear layer) per shift, and the features' scale."""
    features = model[:-1]
    with torch.no_grad():
        base = features(torch.from_numpy(big_canvas[:, None])).numpy()
        changes = {s: float(np.max(np.abs(features(torch.from_numpy(shift_images(big_canvas, cols=s)[:, None]))
                                          .numpy() - base))) for s in shifts}
    return changes, float(np.abs(base).max())


difference, feature_scale = feature_changes(cnn)
print(f"shift 2: features max |diff| = {difference[2]:.1e}")
print(f"shift 1: features change by up to {difference[1]:.2f} (relative to a feature scale of {feature_scale:.2f})")
assert difference[2] <= 1e-5
assert difference[1] > 0.05 * feature_scale

# %% [markdown]
# The first fix follows: keep every stage at stride 1. Without the pooling layer the CNN has the same
# 1,418 parameters, but its second convolution now runs on the full $16 \times 16$ map instead of
# $8 \times 8$. What does that cost the whole network? `model_multiply_adds` from
# `course_utils.layer_cost` runs a model once and counts the multiply-adds of each convolution and
# linear layer (ReLU and pooling do none).

# %%
def network_cost(model):
    return model_multiply_adds(model, (1, 16, 16))  # one 16x16 digit


def print_costs(costs):
    for name, layers in costs.items():
        print(f"{name:22s} " + "  ".join(f"layer {layer}: {count:7,}" for layer, count in layers.items())
              + f"  | total {sum(layers.values()):8,}")


with torch.random.fork_rng():  # building a model draws random weights; keep the training seeds untouched
    costs = {"CNN (stride-2 pool)": network_cost(cnn), "CNN, stride 1": network_cost(make_cnn(subsample=False))}
print_costs(costs)
totals = {name: sum(layers.values()) for name, layers in costs.items()}
second_conv = [list(layers.values())[1] for layers in costs.values()]
stride1_ratio = totals["CNN, stride 1"] / totals["CNN (stride-2 pool)"]
print(f"second convolution: x{second_conv[1] / second_conv[0]:.2f}; whole network: x{stride1_ratio:.2f}")
assert second_conv[1] == 4 * second_conv[0]
assert round(stride1_ratio, 1) == 3.4  # less than 4: the first convolution and the linear layer do not change

# %% [markdown]
# Only the second convolution costs four times as much; the first convolution and the final linear
# layer are unchanged, so the whole network costs about 3.4 times as much. Now train it.

# %% tags=["nbval-ignore-output"]
def train_variant(name, **cnn_options):
    """A CNN variant, seeded and trained like the first CNN; its shift curves go into `curves` under `name`."""
    torch.manual_seed(0)
    model = make_cnn(**cnn_options)
    assert parameter_count(model) == counts["CNN"]
    train_classifier(model, train_images, train_labels, epochs=30, learning_rate=1e-2, seed=0, description=name)
    curves[name] = accuracy_under_shifts(model)
    curves[name + ", diagonal"] = accuracy_under_shifts(model, down=True)
    return model


cnn_stride1 = train_variant("CNN, stride 1", subsample=False)
for name in ["CNN, stride 1", "CNN, stride 1, diagonal"]:
    print(f"{name:24s}", "  ".join(f"shift {s}: {v:.3f}" for s, v in zip(SHIFTS, curves[name])))

# %%
for name in ["CNN, stride 1", "CNN, stride 1, diagonal"]:
    assert max(curves[name]) - min(curves[name]) <= 0.02, (name, curves[name])
    assert min(curves[name]) > 0.9

# %% [markdown]
# Without subsampling the CNN's accuracy stays within two percentage points of its un-shifted value
# for every shift, in both directions: close to invariant, as the architecture promises. It need not be
# exactly flat, because the zero padding at the canvas border does *not* move with the digit: a digit
# shifted by 3 comes within reach of the border, where the second layer sees padding instead of the
# background it saw in training.

# %% [markdown]
# ## Blur before subsampling: BlurPool
#
# Can we keep the cheap subsampling and still lose little accuracy on odd shifts? Zhang's "Making
# convolutional networks shift-invariant again" (ICML 2019) splits $2 \times 2$ max pooling with
# stride 2 into its two steps: the maximum over every $2 \times 2$ window (stride 1), then keeping
# every second row and column. The second step, subsampling, is what breaks: when neighbouring values
# differ a lot, a one-pixel shift decides which of them survive (the signal-processing name is
# **aliasing**). So blur first, with a small **binomial kernel**, and subsample the blurred map:
#
# $$K_\text{blur} = \frac{1}{16}\begin{bmatrix}1 & 2 & 1\\ 2 & 4 & 2\\ 1 & 2 & 1\end{bmatrix}
#   = \frac{1}{4}\begin{bmatrix}1\\ 2\\ 1\end{bmatrix} \cdot \frac{1}{4}\begin{bmatrix}1 & 2 & 1\end{bmatrix}.$$
#
# After the blur, neighbouring positions hold similar values, so which ones are kept matters less.
# Blur and subsampling together are one depthwise cross-correlation with stride 2 (each channel with
# its own copy of $K_\text{blur}$, channels never mixed): `blur_pool2d` in NumPy and
# `blur_pool_layer` as a fixed PyTorch layer, both in `course_utils.anti_aliasing`. The layer holds the
# kernel as a buffer, not a parameter, so training leaves it alone.

# %%
print("16 x binomial kernel:\n", binomial_kernel(3) * 16)
assert np.array_equal(binomial_kernel(3) * 16, np.outer([1, 2, 1], [1, 2, 1]))
blur_layer = blur_pool_layer(8)
print(blur_layer, "| trainable parameters:", sum(p.numel() for p in blur_layer.parameters()))
with torch.no_grad():
    dense_max = nn.MaxPool2d(2, stride=1)(cnn[:2](torch.from_numpy(batch)))  # (16, 8, 15, 15)
    blurred_torch = blur_layer(dense_max).numpy()
cu.compare(blurred_torch, {"NumPy": blur_pool2d(dense_max.numpy())}, tolerance=1e-5,
           reference_name="the PyTorch blur layer on the first layer's max-pooled maps")
assert blurred_torch.shape == (16, 8, 8, 8)  # the same 8x8 maps as stride-2 max pooling

# %% [markdown]
# The CNN with BlurPool has the same layers and parameters as the original; only the pooling step
# changes. Its cost grows by the blur, one depthwise $3 \times 3$ pass over 8 channels of $8 \times 8$
# outputs (the maxima are comparisons, not multiply-adds):

# %%
with torch.random.fork_rng():
    costs["CNN, BlurPool"] = network_cost(make_cnn(anti_alias=True))
print_costs(costs)
totals = {name: sum(layers.values()) for name, layers in costs.items()}
blur_ratio = totals["CNN, BlurPool"] / totals["CNN (stride-2 pool)"]
print(f"whole network versus the stride-2 CNN: stride 1 x{stride1_ratio:.2f}, BlurPool x{blur_ratio:.3f} "
      f"(+{totals['CNN, BlurPool'] - totals['CNN (stride-2 pool)']:,} multiply-adds)")
assert totals["CNN, BlurPool"] - totals["CNN (stride-2 pool)"] == 8 * 3 * 3 * 8 * 8
assert blur_ratio < 1.1 < stride1_ratio

# %% [markdown]
# Train it exactly like the others (same seed, same 30 epochs) and run the same shift experiment.

# %% tags=["nbval-ignore-output"]
cnn_blur = train_variant("CNN, BlurPool", anti_alias=True)
for name in ["CNN", "CNN, BlurPool", "CNN, diagonal", "CNN, BlurPool, diagonal"]:
    print(f"{name:24s}", "  ".join(f"shift {s}: {v:.3f}" for s, v in zip(SHIFTS, curves[name])),
          f" | worst {min(curves[name]):.3f}")
print("worst-case gain from BlurPool: " + ", ".join(
    f"{direction} {min(curves['CNN, BlurPool' + suffix]) - min(curves['CNN' + suffix]):+.3f}"
    for direction, suffix in [("right", ""), ("diagonal", ", diagonal")]))
blur_difference, blur_scale = feature_changes(cnn_blur)
print(f"features, shift 1: largest change {difference[1] / feature_scale:.0%} of the feature scale with "
      f"stride-2 max pooling, {blur_difference[1] / blur_scale:.0%} with BlurPool")
print(f"features, shift 2: max |diff| = {blur_difference[2]:.1e} with BlurPool (still a whole stride)")

# %%
for suffix in ["", ", diagonal"]:
    assert min(curves["CNN, BlurPool" + suffix]) > min(curves["CNN" + suffix])  # a better worst case
    spread = {name: max(curves[name + suffix]) - min(curves[name + suffix]) for name in ["CNN, BlurPool", "CNN, stride 1"]}
    assert spread["CNN, BlurPool"] > spread["CNN, stride 1"]  # flatter than stride 2, not as flat as stride 1
assert blur_difference[1] / blur_scale < difference[1] / feature_scale and blur_difference[2] <= 1e-5

# %% [markdown]
# The checks above hold: BlurPool raises the CNN's worst accuracy over the shifts in both directions
# (the printed gains say by how much in each direction), and a one-pixel shift changes the features
# less, relative to their size. A two-pixel shift still leaves them exactly unchanged, because the network
# still subsamples by 2. It is not as flat as the stride-1 network: a $3 \times 3$ blur damps the
# aliasing, it does not remove it. The price is the small extra cost computed above, against about
# 3.4 times the multiply-adds for dropping the subsampling.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
styles = {"CNN": ("tab:blue", "-"), "CNN, stride 1": ("tab:green", "-"), "CNN, BlurPool": ("tab:purple", "--"),
          "MLP": ("tab:orange", "-")}
for ax, suffix, title in [(axes[0], "", "shifted right"), (axes[1], ", diagonal", "shifted down and right")]:
    for name, (colour, line) in styles.items():
        ax.plot(SHIFTS, curves[name + suffix], marker="o", color=colour, linestyle=line, label=name)
    ax.set_xticks(SHIFTS)
    ax.set_xlabel("shift (pixels)")
    ax.set_title(f"Test accuracy, digits {title}")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("accuracy")
axes[0].set_ylim(0, 1.02)
axes[0].legend(loc="lower left")
fig.suptitle("How accuracy falls when test digits move: MLP vs CNN with stride-2 pooling, without it, "
             "and with BlurPool")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Recap
#
# * On $8 \times 8$ digits placed on a $16 \times 16$ canvas, a 1,418-parameter CNN and a 1,612-parameter
#   MLP both classify un-shifted test digits well.
# * The CNN's learned $3 \times 3$ kernels can be compared with edge kernels by cosine similarity, but
#   random $3 \times 3$ kernels already score about 0.5: resemblance needs a baseline, and the fair one
#   is the spread of medians over many random sets of eight kernels (a percentile, not one comparison). The "biological"
#   look of trained filters is a finding about large networks on natural images, not about every CNN.
# * The trained layer runs identically in NumPy, MXNet and JAX: it is just a cross-correlation plus a
#   bias.
# * Shifting the digits ruins the MLP. The CNN is far more robust, but stride-2 pooling makes it
#   sensitive to odd shifts: features are exactly unchanged by a 2-pixel shift and changed by a 1-pixel
#   one. Removing the subsampling makes the network nearly shift-invariant, at about 3.4 times the
#   multiply-adds (four times in the second convolution only). Blurring before subsampling (BlurPool)
#   keeps the subsampling, improves the worst shifted accuracy, and adds only a few percent.

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("11_trained_filters_and_invariance")

# %% [markdown]
# ### Exercise 1: shifting without wrapping around
#
# Write `shift_right(images, k)` for an array of images of shape $(n, h, w)$: move every image `k`
# pixels to the right ($0 \le k$), fill the uncovered columns on the left with zeros, and drop what
# falls off the right edge. Return a new array of the same shape and dtype; leave `images` unchanged.

# %%
# SOLUTION q1

# %%
q1.check(shift_right)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: which shifts pass through?
#
# A feature map goes through $3 \times 3$ max pooling with stride 3, then through layers that are
# all translation equivariant, then a global maximum. Away from the borders, what is the **smallest
# positive** shift of the input (in pixels, along one axis) that is guaranteed to leave the final
# features exactly unchanged? Store it in `answer`.

# %%
# SOLUTION q2

# %%
q2.check(answer)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): "trained filters look biological"
#
# A blog post shows the first-layer filters of a CNN next to drawings of receptive fields of neurons
# in the visual cortex and concludes that "CNNs see like we do". What does the resemblance show, and
# what would you need to check before believing more? This one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [10 · Receptive field](10_receptive_field.ipynb)
#
# **Next:** [12 · Fast convolution](12_fast_convolution.ipynb): how libraries compute all of this quickly.
