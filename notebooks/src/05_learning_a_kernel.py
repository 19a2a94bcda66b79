# %% [markdown]
# # 05 · Learning a kernel
#
# In lesson 04 we wrote the edge detector $K = [1, -1]$ by hand. A convolutional network never gets its
# kernels that way: it starts from small numbers and improves them by gradient descent until its outputs
# match the data. This lesson does exactly that for one tiny kernel, and then looks closely at a run of the
# same experiment, from one of our source notebooks, whose printed loss went from 2 to ten million in eight
# gradient-descent updates.
# Every number that run printed can be explained, and the explanation is the most useful thing in the
# lesson: it says which learning rates can work.
#
# **In this lesson you will**
#
# 1. learn the kernel $[1, -1]$ from one image and its edge map, in NumPy, MXNet, PyTorch and JAX, and
#    check that the four runs agree at every step;
# 2. reproduce a run whose loss explodes, and explain its numbers with the Hessian of the loss;
# 3. compute the critical learning rate $2 / \lambda_{\max}$, sweep the learning rate across it, and fix
#    the run in two ways: a smaller step, or the mean instead of the sum of the squared errors;
# 4. learn the bias as well, and see why that lowers the critical learning rate.

# %% [markdown]
# ## Set-up

# %% tags=["setup"]
import flax.linen as fnn
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn as torch_nn

import course_utils as cu
from course_utils import exercises
from course_utils.data import band_image
from course_utils.kernel_learning import (
    critical_learning_rate,
    gradient_descent_kernel,
    loss_surface,
    patch_matrix,
    plane_coordinates,
    predicted_loss_growth,
    squared_loss,
    squared_loss_hessian,
)
from course_utils.plotting import plot_learning_rate_sweep, plot_loss_bowl, plot_loss_curves, show_row

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
import mxnet as mx
from mxnet import autograd
from mxnet import np as mnp
from mxnet.gluon import nn as gluon_nn

# %% [markdown]
# ## The task: find the kernel from an example
#
# The input is the $6 \times 8$ image of lesson 04: ones, with a band of zeros in columns 2 to 5. Its
# target is the edge map that the hand-made kernel $[1, -1]$ produces. We hand a learner only the pair
# $(X, Y)$ and ask it to find a $1 \times 2$ kernel $K$ with $X \star K = Y$.

# %% alt="Three panels: the 6x8 input in gray with a black band in columns 2-5; the kernel to find, [1, -1]; the 6x7 target, +1 in column 1, -1 in column 5 and 0 elsewhere."
K_true = np.array([[1.0, -1.0]])
X = band_image(8, dtype=np.float64)  # ones, zeros in columns 2 to 5; float64 like the NumPy reference
Y = cu.corr2d(X, K_true)
print("X:", X.shape, " Y:", Y.shape)
print("one row of Y:", Y[0])
assert Y.shape == (6, 7) and np.array_equal(Y[0], [0, 1, 0, 0, 0, -1, 0])

fig = show_row([X, K_true, Y], ["input X (6x8)", "kernel to find", "target Y = X ⋆ K (6x7)"],
               "The training example: an image and its vertical edges", gray_panels=[0])
plt.show()

# %% [markdown]
# ## The loss and its gradient
#
# For a candidate kernel $K$ the prediction is $\hat Y = X \star K$, and we measure the mismatch with the
# **sum** of squared errors, as both source notebooks do:
#
# $$L(K) = \sum_{i,j} \big(\hat Y[i,j] - Y[i,j]\big)^2 .$$
#
# Lesson 03 derived its gradient: with the residual $R = \hat Y - Y$, $\;\partial L / \partial K = 2\, X \star R$.
# Gradient descent repeats one update, with a **learning rate** $\eta$:
#
# $$K \leftarrow K - \eta\, \frac{\partial L}{\partial K}.$$
#
# `course_utils.kernel_learning.gradient_descent_kernel` runs this loop in float64 NumPy; it is the
# reference every framework is compared with. We start from a small kernel that we fix ourselves, so the
# run is repeatable, and use the JAX source's settings: $\eta = 0.03$ and 10 steps.

# %%
K_start = np.array([[0.04, -0.02]])
LEARNING_RATE, STEPS = 3e-2, 10

reference = gradient_descent_kernel(X, Y, K_start, learning_rate=LEARNING_RATE, steps=STEPS)
print("start kernel:", K_start)
for iteration in range(2, STEPS + 1, 2):
    print(f"iteration {iteration:2d}: loss {reference.losses[iteration - 1]:.6g}")
print("learned kernel:", reference.kernels[-1].round(4))
assert np.allclose(reference.kernels[-1], K_true, atol=0.05)

# %% [markdown]
# As in the sources, the loss printed at iteration $n$ is the one computed in that iteration's forward
# pass, before its update: the loss of the kernel after $n - 1$ updates. The learned kernel is the one after
# all 10 updates, and it is within $0.05$ of $[1, -1]$.

# %% [markdown]
# ## The same run in MXNet, PyTorch and JAX
#
# Each framework has a built-in convolution layer with a learnable kernel. We load our start kernel into
# it, run the same 10 updates by hand (no optimiser object, so nothing is hidden), and record the loss and
# the kernel at every step.
#
# **MXNet Gluon** first. A `Conv2D` layer does not know its number of input channels until it sees data,
# so right after `initialize()` the weight shape holds a $-1$. The source notebook printed exactly this.

# %%
# %%needs mxnet
layer = gluon_nn.Conv2D(1, kernel_size=(1, 2))  # 1 output channel, a 1x2 kernel, and a bias
layer.initialize()
print("before the first forward pass: weight", layer.weight.shape, " bias", layer.bias.shape)
assert layer.weight.shape == (1, -1, 1, 2)

layer(mnp.array(X[None, None], dtype=np.float32))  # (batch, channels, height, width) = (1, 1, 6, 8)
print("after the first forward pass:  weight", layer.weight.shape, " bias", layer.bias.shape)
assert layer.weight.shape == (1, 1, 1, 2)

# %% [markdown]
# The source kept that bias but never updated it; it starts at zero, so it stays zero. Our runs leave it
# out (`use_bias=False`) until the last section, which learns it. The training function follows the
# source's loop: `autograd.record()`, the loss, `backward()`, and an in-place update of the weight.

# %%
# %%needs mxnet
def train_gluon(X, Y, init, learning_rate, steps, *, bias=None, reduction="sum"):
    """Gradient descent on a Gluon Conv2D layer; returns the losses, kernels (and biases) at every step."""
    layer = gluon_nn.Conv2D(1, kernel_size=init.shape, use_bias=bias is not None)
    layer.initialize()
    x = mnp.array(X[None, None], dtype=np.float32)
    y = mnp.array(Y[None, None], dtype=np.float32)
    layer(x)  # completes the deferred weight shape, so that we can load our start kernel
    layer.weight.set_data(mnp.array(init[None, None], dtype=np.float32))
    if bias is not None:
        layer.bias.set_data(mnp.array([bias], dtype=np.float32))
    losses, kernels, biases = [], [], []
    for step in range(steps + 1):
        with autograd.record():
            squared_errors = (layer(x) - y) ** 2
            loss = squared_errors.mean() if reduction == "mean" else squared_errors.sum()
        loss.backward()
        losses.append(float(loss))
        kernels.append(cu.to_numpy(layer.weight.data())[0, 0].copy())
        if bias is not None:
            biases.append(float(layer.bias.data()[0]))
        if step < steps:  # the last pass only measures the final kernel
            layer.weight.data()[:] -= learning_rate * layer.weight.grad()
            if bias is not None:
                layer.bias.data()[:] -= learning_rate * layer.bias.grad()
    return np.array(losses), np.array(kernels), np.array(biases) if bias is not None else None


mxnet_run = train_gluon(X, Y, K_start, LEARNING_RATE, STEPS)
print("MXNet learned kernel:", mxnet_run[1][-1].round(4))

# %% [markdown]
# **PyTorch.** `nn.Conv2d` needs the number of input channels up front. We copy the start kernel into its
# weight under `torch.no_grad()` and update the weight there too: an update must not become part of the
# graph that the next `backward()` differentiates.

# %%
def train_torch(X, Y, init, learning_rate, steps, *, bias=None, reduction="sum"):
    """Gradient descent on a PyTorch Conv2d layer; returns the losses, kernels (and biases) at every step."""
    layer = torch_nn.Conv2d(1, 1, kernel_size=init.shape, bias=bias is not None)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(init[None, None]))
        if bias is not None:
            layer.bias.fill_(bias)
    x = torch.tensor(X[None, None], dtype=torch.float32)
    y = torch.tensor(Y[None, None], dtype=torch.float32)
    losses, kernels, biases = [], [], []
    for step in range(steps + 1):
        squared_errors = (layer(x) - y) ** 2
        loss = squared_errors.mean() if reduction == "mean" else squared_errors.sum()
        layer.zero_grad()
        loss.backward()
        losses.append(loss.item())
        kernels.append(layer.weight.detach().numpy()[0, 0].copy())
        if bias is not None:
            biases.append(layer.bias.item())
        if step < steps:
            with torch.no_grad():
                for parameter in layer.parameters():
                    parameter -= learning_rate * parameter.grad
    return np.array(losses), np.array(kernels), np.array(biases) if bias is not None else None


torch_run = train_torch(X, Y, K_start, LEARNING_RATE, STEPS)
print("PyTorch learned kernel:", torch_run[1][-1].round(4))

# %% [markdown]
# **JAX with Flax.** `nn.Conv` works on NHWC arrays (batch, height, width, channels) and stores its
# kernel as (height, width, in, out). Parameters are a plain dictionary: `jax.value_and_grad` returns the
# loss and a dictionary of gradients of the same shape, and the update builds a new dictionary.

# %%
def train_flax(X, Y, init, learning_rate, steps, *, bias=None, reduction="sum"):
    """Gradient descent on a Flax Conv layer; returns the losses, kernels (and biases) at every step."""
    layer = fnn.Conv(features=1, kernel_size=init.shape, padding="VALID", use_bias=bias is not None)
    x = jnp.asarray(X[None, :, :, None], dtype=jnp.float32)
    y = jnp.asarray(Y[None, :, :, None], dtype=jnp.float32)
    params = {"kernel": jnp.asarray(init[:, :, None, None], dtype=jnp.float32)}
    if bias is not None:
        params["bias"] = jnp.array([bias], dtype=jnp.float32)

    def loss_of(params):
        squared_errors = (layer.apply({"params": params}, x) - y) ** 2
        return squared_errors.mean() if reduction == "mean" else squared_errors.sum()

    losses, kernels, biases = [], [], []
    for step in range(steps + 1):
        loss, grads = jax.value_and_grad(loss_of)(params)
        losses.append(float(loss))
        kernels.append(np.asarray(params["kernel"])[:, :, 0, 0])
        if bias is not None:
            biases.append(float(params["bias"][0]))
        params = jax.tree_util.tree_map(lambda p, g: p - learning_rate * g, params, grads)
    return np.array(losses), np.array(kernels), np.array(biases) if bias is not None else None


jax_run = train_flax(X, Y, K_start, LEARNING_RATE, STEPS)
print("JAX learned kernel:", jax_run[1][-1].round(4))

# %% [markdown]
# ### Do the four runs agree?
#
# Each run is a list of losses and a list of kernels, one per step. The frameworks compute in float32 and
# the reference in float64, so we compare every loss and every kernel entry, each difference divided by
# $1 + |\text{reference value}|$. That keeps the comparison fair later, when losses reach $10^7$. If every
# framework is within the tolerance of the reference, any two frameworks are within twice the tolerance
# of each other. `relative_to_reference` does the division, and `cu.compare` prints and checks each
# framework's largest difference.

# %%
def relative_to_reference(run, reference):
    """Every loss, kernel entry (and bias) of `run`, each divided by 1 + |the reference's value|, in one array."""
    return np.concatenate([np.ravel(got) / (1 + np.abs(np.ravel(want)))
                           for got, want in zip(run, reference) if want is not None])


RELATIVE_TO_NUMPY = "NumPy (losses and kernels at every step, each difference / (1 + |NumPy value|))"
ITERATION_AXIS = "iteration n (loss before its update, as in the tables)"


def print_loss_table(runs, every=2):
    """The loss at every other iteration, one column per run (iteration n = before the n-th update)."""
    print("iteration " + "".join(f"{name:>12s}" for name in runs))
    for iteration in range(every, len(next(iter(runs.values()))[0]), every):
        print(f"{iteration:9d} " + "".join(f"{run[0][iteration - 1]:12.4g}" for run in runs.values()))


framework_runs = cu.frameworks.available_results({"MXNet": lambda: mxnet_run, "PyTorch": torch_run, "JAX": jax_run})
print_loss_table({"NumPy": reference, **framework_runs})
cu.compare(relative_to_reference(reference, reference),
           {name: relative_to_reference(run, reference) for name, run in framework_runs.items()},
           tolerance=1e-5, reference_name=RELATIVE_TO_NUMPY)

# %% [markdown]
# On a logarithmic axis a loss that shrinks by the same factor every step is a straight line. The four
# curves lie on top of each other. The x axis counts iterations as the table does: the loss at iteration
# $n$ is computed before that iteration's update, and the last point is the learned kernel's loss.

# %% tags=["hide-input"] alt="Loss against iteration on a log axis for NumPy, MXNet, PyTorch and JAX at learning rate 0.03 on the 6x8 image: four coinciding straight lines falling steadily."
fig, ax = plt.subplots(figsize=(7, 4))
plot_loss_curves(ax, {"NumPy (float64)": reference.losses, **{name: run[0] for name, run in framework_runs.items()}},
                 f"Learning [1, -1] on the 6x8 image, learning rate {LEARNING_RATE}", first_step=1,
                 xlabel=ITERATION_AXIS)
plt.show()

# %% [markdown]
# ## When the loss explodes
#
# The MXNet source ran the same experiment with two small differences: its image was $6 \times 9$ (the
# wider version from lesson 04, one more column of ones, so $Y$ is $6 \times 8$), and its learning rate was
# $0.05$. Here is what it printed,
# typed in as data:

# %%
# Printed by the MXNet source notebook (seed 000, "Learning a Kernel"): loss at iterations 2, 4, ..., 10
# and the kernel after 10 updates. Its start kernel came from Gluon's random initialiser and was not printed.
SOURCE_LOSSES = np.array([2.016, 8.918, 929.946, 97511.852, 10224868.000])
SOURCE_FINAL_KERNEL = np.array([1117.4498, 1115.4502])
for iteration, loss in zip(range(2, 11, 2), SOURCE_LOSSES):
    print(f"source, iteration {iteration:2d}: loss {loss:.3f}")
print("source, final kernel:", SOURCE_FINAL_KERNEL)
print(f"iterations 2 to 10 are {10 - 2} updates apart; "
      f"the printed loss grew {SOURCE_LOSSES[-1] / SOURCE_LOSSES[0]:.3g} times")
assert SOURCE_LOSSES[0] < 2.5 and SOURCE_LOSSES[-1] > 1e7

# %% [markdown]
# We cannot rerun it exactly, because its start kernel is unknown. We run our MXNet function on the same
# data and learning rate from our own start kernel, printed above: $[0.04, -0.02]$.

# %%
X9 = band_image(9, dtype=np.float64)
Y9 = cu.corr2d(X9, K_true)
FAST_RATE = 5e-2
print("X9:", X9.shape, " Y9:", Y9.shape)

# %%
# %%needs mxnet
exploding_mxnet = train_gluon(X9, Y9, K_start, FAST_RATE, STEPS)
for iteration in range(2, STEPS + 1, 2):
    print(f"MXNet, iteration {iteration:2d}: loss {exploding_mxnet[0][iteration - 1]:.4g}")
print("MXNet, final kernel:", exploding_mxnet[1][-1].round(2))
assert exploding_mxnet[0][-1] > 1e6 * exploding_mxnet[0][0]

# %% [markdown]
# The same explosion, by a factor of about ten per step at the end. The learned kernel is useless, and
# oddly shaped: its two entries are huge and almost equal, although the target is $[1, -1]$. The rest of
# this part explains both observations.

# %% [markdown]
# ## Why: the loss is a quadratic bowl
#
# Write $k = (k_0, k_1)$ for the kernel and $p_{ij}$ for the $1 \times 2$ window of $X$ under output
# $(i, j)$. Then $\hat Y[i, j] = p_{ij} \cdot k$, and
#
# $$L(k) = \sum_{i,j} \big(p_{ij} \cdot k - y_{ij}\big)^2$$
#
# is a quadratic function of $k$: a bowl. Its curvature is the Hessian, the matrix of second derivatives,
#
# $$H = \frac{\partial^2 L}{\partial k\, \partial k^\top} = 2 \sum_{i,j} p_{ij}\, p_{ij}^\top ,$$
#
# the same at every $k$, and independent of the target $Y$. It depends only on which windows the image
# contains. Each row of the $6 \times 9$ image holds the windows $(1,1), (1,0), (0,0) \times 3, (0,1),
# (1,1), (1,1)$; the $6 \times 8$ image has one $(1, 1)$ fewer.

# %%
for name, image in [("6x9", X9), ("6x8", X)]:
    windows, counts = np.unique(patch_matrix(image, (1, 2)), axis=0, return_counts=True)
    listing = ", ".join(f"{tuple(int(v) for v in w)} x {c}" for w, c in zip(windows, counts))
    print(f"{name} image, windows over all 6 rows: {listing}")

H9 = squared_loss_hessian(X9, (1, 2))
H8 = squared_loss_hessian(X, (1, 2))
print("H for the 6x9 image:\n", H9)
print("H for the 6x8 image:\n", H8)
assert np.array_equal(H9, 2 * 6 * np.array([[4, 3], [3, 4]]))
assert np.array_equal(H8, 2 * 6 * np.array([[3, 2], [2, 3]]))

# %% [markdown]
# The diagonal entry $48 = 2 \cdot 24$ counts the windows whose first pixel is 1 (four per row), the
# off-diagonal $36$ those where both pixels are 1 (three per row).
#
# The formula deserves a check that does not rely on it. PyTorch and JAX can differentiate the loss twice
# with their own machinery; for MXNet we use the fact that the gradient of a quadratic is linear in $k$, so
# the gradient at $k + e_m$ minus the gradient at $k$ is exactly column $m$ of $H$.

# %%
# %%needs mxnet
def gluon_loss_gradient(x32, y32, k):
    """The gradient of the sum of squared errors with respect to a 1x2 kernel `k`, by Gluon's autograd."""
    layer = gluon_nn.Conv2D(1, kernel_size=(1, 2), use_bias=False, in_channels=1)
    layer.initialize()
    layer.weight.set_data(mnp.array(k.reshape(1, 1, 1, 2), dtype=np.float32))
    with autograd.record():
        loss = ((layer(mnp.array(x32[None, None])) - mnp.array(y32[None, None])) ** 2).sum()
    loss.backward()
    return cu.to_numpy(layer.weight.grad()).ravel()


# %%
def hessian_by_frameworks(image, target, kernel):
    x32, y32 = image.astype(np.float32), target.astype(np.float32)

    def torch_loss(k):
        prediction = torch.nn.functional.conv2d(torch.tensor(x32)[None, None], k.reshape(1, 1, 1, 2))
        return ((prediction[0, 0] - torch.tensor(y32)) ** 2).sum()

    def jax_loss(k):
        prediction = jax.lax.conv_general_dilated(jnp.asarray(x32)[None, None], k.reshape(1, 1, 1, 2), (1, 1), "VALID")
        return ((prediction[0, 0] - y32) ** 2).sum()

    def gluon_columns(k):  # gradient at k + e_m minus gradient at k: column m of H
        return np.stack([gluon_loss_gradient(x32, y32, k + e) - gluon_loss_gradient(x32, y32, k)
                         for e in np.eye(2, dtype=np.float32)], axis=1)

    k = kernel.ravel().astype(np.float32)
    return {
        "MXNet": lambda: gluon_columns(k),
        "PyTorch": torch.autograd.functional.hessian(torch_loss, torch.tensor(k)).numpy(),
        "JAX": np.asarray(jax.hessian(jax_loss)(jnp.asarray(k))),
    }


for name, image, target, H in [("6x9", X9, Y9, H9), ("6x8", X, Y, H8)]:
    cu.compare(H, hessian_by_frameworks(image, target, K_start), tolerance=1e-4,
               reference_name=f"the formula's H for the {name} image")

# %% [markdown]
# ### The eigenvectors of the bowl
#
# A symmetric matrix has orthogonal eigenvectors. Both Hessians here have the form
#
# $$\begin{bmatrix}a & b\\ b & a\end{bmatrix}, \qquad \text{with eigenvectors } \tfrac{1}{\sqrt 2}(1, 1)
# \text{ for the eigenvalue } a + b \text{ and } \tfrac{1}{\sqrt 2}(1, -1) \text{ for } a - b.$$
#
# For the $6 \times 9$ image the eigenvalues are $48 + 36 = 84$ and $48 - 36 = 12$. For the $6 \times 8$
# image they are $36 + 24 = 60$ and $36 - 24 = 12$.
#
# The bowl is steep along $(1, 1)$ (changing both entries together shifts every output in the bright parts
# of the image) and shallow along $(1, -1)$.

# %%
v_steep = np.array([1.0, 1.0]) / np.sqrt(2)
v_shallow = np.array([1.0, -1.0]) / np.sqrt(2)
for name, H, expected in [("6x9", H9, (12, 84)), ("6x8", H8, (12, 60))]:
    eigenvalues, eigenvectors = np.linalg.eigh(H)  # ascending order
    print(f"{name} image: eigenvalues {eigenvalues}, eigenvectors (columns)\n{eigenvectors.round(4)}")
    assert np.allclose(eigenvalues, expected)
    assert np.allclose(abs(eigenvectors[:, 1] @ v_steep), 1)
    assert np.allclose(abs(eigenvectors[:, 0] @ v_shallow), 1)

# %% [markdown]
# ## Gradient descent, one eigenvector at a time
#
# Let $e = k - k^\star$ be the error of the kernel, where $k^\star = (1, -1)$ fits the data exactly, so
# $L(k^\star) = 0$. The gradient of the quadratic is $H e$, so one step maps
#
# $$e \;\leftarrow\; e - \eta H e = (I - \eta H)\, e .$$
#
# Along an eigenvector $v$ with eigenvalue $\lambda$, $(I - \eta H)\, v = (1 - \eta \lambda)\, v$: the
# component of the error along $v$ is multiplied by $1 - \eta\lambda$ at every step, independently of the
# other components. The loss is $L = \tfrac12 e^\top H e = \sum_v \tfrac{\lambda}{2} c_v^2$ (with $c_v$ the
# component along $v$), so its part along $v$ is multiplied by
#
# $$g(\eta, \lambda) = (1 - \eta\lambda)^2 \quad\text{per step.}$$
#
# That part shrinks only if $|1 - \eta\lambda| < 1$, that is $0 < \eta < 2/\lambda$. All parts shrink only
# if this holds for the largest eigenvalue: the **critical learning rate** is $\eta_c = 2 / \lambda_{\max}$.

# %%
# The quadratic form is the loss itself: compare it with the squared errors summed directly.
start_error = K_start.ravel() - K_true.ravel()  # e = k - k* for our start kernel, on the 6x9 image
direct_loss = squared_loss(X9, Y9, K_start)
print(f"sum of squared errors: {direct_loss:.6g};  e^T H e / 2: {start_error @ H9 @ start_error / 2:.6g}")
assert np.isclose(direct_loss, start_error @ H9 @ start_error / 2)

# %%
print(" image   lambda_max   critical rate   rate used   growth per step (1 - rate * lambda_max)^2")
for name, image, rate in [("6x9", X9, FAST_RATE), ("6x8", X, LEARNING_RATE)]:
    lam = float(np.linalg.eigvalsh(squared_loss_hessian(image, (1, 2)))[-1])
    critical = critical_learning_rate(image, (1, 2))
    growth = predicted_loss_growth(rate, lam)
    print(f" {name}   {lam:10.0f}   {critical:13.4f}   {rate:9.2f}   {growth:.4f}")
assert np.isclose(critical_learning_rate(X9, (1, 2)), 2 / 84) and 2 / 84 < FAST_RATE
assert np.isclose(critical_learning_rate(X, (1, 2)), 2 / 60) and LEARNING_RATE < 2 / 60
assert np.isclose(predicted_loss_growth(FAST_RATE, 84), 10.24)

# %% [markdown]
# On the $6 \times 9$ image, $\eta = 0.05$ is more than twice the critical $2/84 \approx 0.0238$. Along
# $(1, 1)$ each step multiplies the error by $1 - 0.05 \cdot 84 = -3.2$: it overshoots the bottom of the bowl
# and lands 3.2 times further up the other side, so the loss grows by $3.2^2 = 10.24$ per step, and by
# $10.24^2 \approx 104.86$ per two steps. Along $(1, -1)$ the factor is $1 - 0.05 \cdot 12 = 0.4$: that part
# converges. On the $6 \times 8$ image the JAX source's $\eta = 0.03$ is just below the critical $2/60$, so
# that run converged.
#
# ### The bowl, seen from above
#
# A two-entry kernel has exactly two free directions, so the whole loss can be drawn. The figure below
# measures the kernel from $k^\star = (1, -1)$ along the two eigenvectors, shallow $(1, -1)/\sqrt 2$ across
# and steep $(1, 1)/\sqrt 2$ up, with the same scale on both axes: each contour line joins kernels of equal
# loss on the $6 \times 9$ image, and the lines crowd together along the steep direction. On it are the
# first updates of gradient descent from our start kernel, at the safe rate $\eta = 0.02$ and at the
# source's $\eta = 0.05$; the numbers count the updates.

# %%
eigenvalues_9, eigenvectors_9 = np.linalg.eigh(H9)  # ascending: shallow first, then steep
directions = eigenvectors_9.T * np.sign(eigenvectors_9[0])[:, None]  # first entries positive: (1,-1), (1,1)
assert np.allclose(directions, [v_shallow, v_steep])
k_star = K_true.ravel()
bowl = loss_surface(X9, Y9, k_star, directions, a_range=(-1.6, 0.6), b_range=(-1.6, 1.6))
bowl_paths = {}
for rate in (0.02, FAST_RATE):
    run = gradient_descent_kernel(X9, Y9, K_start, learning_rate=rate, steps=6)
    bowl_paths[f"η = {rate}"] = plane_coordinates(run.kernels, k_star, directions)
    shallow, steep = bowl_paths[f"η = {rate}"].T
    print(f"η = {rate}: per update, shallow part x {shallow[1] / shallow[0]:+.2f}, "
          f"steep part x {steep[1] / steep[0]:+.2f}"
          f"; after 6 updates (shallow, steep) = ({shallow[-1]:+.3f}, {steep[-1]:+.3f})")
    assert np.allclose(shallow[1:] / shallow[:-1], 1 - rate * eigenvalues_9[0])
    assert np.allclose(steep[1:] / steep[:-1], 1 - rate * eigenvalues_9[1])

# %% tags=["hide-input"] alt="Contour ellipses of the loss around the minimum k* = (1, -1), drawn in the shallow (1, -1) direction across and the steep (1, 1) direction up, packed tightly along the steep one. The eta = 0.02 path starts at the left and steps along the shallow axis towards the minimum; the eta = 0.05 path reaches the middle in a few steps, then jumps up and down across the steep axis, further each time, and leaves the plot."
fig, ax = plt.subplots(figsize=(7, 6.5))
plot_loss_bowl(ax, bowl, bowl_paths, "The loss bowl of the 6x9 image around k* = (1, -1)",
               axis_labels=[f"shallow direction (1, -1)/√2, λ = {eigenvalues_9[0]:.0f}",
                            f"steep direction (1, 1)/√2, λ = {eigenvalues_9[1]:.0f}"])
plt.show()

# %% [markdown]
# At $\eta = 0.02$ the path walks along the shallow direction, almost straight down the valley towards
# $k^\star$, a fixed fraction of the remaining way per update (its steep part is tiny and shrinks). At
# $\eta = 0.05$ the shallow part shrinks faster, by the factor printed above, but the tiny steep part flips
# sign and grows at every update: the path bounces
# from one wall of the valley to the other, higher each time, and leaves the picture. That is the
# explosion, and it is also why the exploded kernel will turn out to lie along $(1, 1)$.
#
# The theory predicts the ratio of successive losses once the exploding part dominates. Our MXNet run:

# %%
# %%needs mxnet
step_ratios = exploding_mxnet[0][1:] / exploding_mxnet[0][:-1]
print("MXNet run, loss ratio per step:", np.array2string(step_ratios, precision=3, floatmode="fixed"))
late = step_ratios[-4:]
print(f"last four ratios: {late.min():.4f} to {late.max():.4f}, predicted {predicted_loss_growth(FAST_RATE, 84):.4f}")
assert np.all(np.abs(late / 10.24 - 1) < 0.01)

# %% [markdown]
# The first ratios are below 1: at the start the error lies almost entirely along $(1, -1)$ (the start
# kernel is small and $k^\star = (1, -1)$), and that part shrinks. The error along $(1, 1)$ starts tiny,
# $0.02 / \sqrt 2$ for our start kernel, but its share of the loss grows tenfold every step and takes over
# after a few steps.
#
# The source printed every second loss, so its ratios should be $10.24^2 = 104.8576$:

# %%
source_ratios = SOURCE_LOSSES[1:] / SOURCE_LOSSES[:-1]  # the source's numbers, two steps apart
print("source, ratio of successive printed losses:", np.array2string(source_ratios, precision=4, floatmode="fixed"))
print(f"predicted: {predicted_loss_growth(FAST_RATE, 84) ** 2:.4f}")
assert np.all(np.abs(source_ratios[1:] / 104.8576 - 1) < 0.01)
assert abs(source_ratios[-1] / 104.8576 - 1) < 1e-4

# %% [markdown]
# The last two ratios match to four digits. The first ($8.918 / 2.016$) is far off for the same reason as
# in our run: at iteration 2 the shrinking part still dominated; from iteration 4 on the exploding part did
# ($929.946 / 8.918 = 104.28$ is within 1%).
#
# The JAX source's convergent run shows the same law. Its start kernel was tiny (standard deviation
# $0.01$), so its error lay along $(1, -1)$, with $\lambda = 12$: the loss should shrink by
# $(1 - 0.03 \cdot 12)^2 = 0.4096$ per step, $0.1678$ per two steps. Our own $6 \times 8$ run, whose start
# kernel is small too, shows the same factor per step.

# %%
# Printed by the JAX source notebook (seed 001, "Learning the kernel"), iterations 2, 4, ..., 10:
SOURCE_JAX_LOSSES = np.array([5.003, 0.842, 0.142, 0.024, 0.004])
jax_source_ratios = SOURCE_JAX_LOSSES[1:] / SOURCE_JAX_LOSSES[:-1]
print("JAX source, ratio of successive printed losses:",
      np.array2string(jax_source_ratios, precision=4, floatmode="fixed"))
print(f"predicted: {predicted_loss_growth(LEARNING_RATE, 12) ** 2:.4f}")
assert np.all(np.abs(jax_source_ratios[:3] / predicted_loss_growth(LEARNING_RATE, 12) ** 2 - 1) < 0.01)

our_ratios = reference.losses[1:6] / reference.losses[:5]
print("our 6x8 run, first five ratios per step:", np.array2string(our_ratios, precision=4, floatmode="fixed"))
assert np.all(np.abs(our_ratios / 0.4096 - 1) < 0.01)

# %% [markdown]
# (The last JAX ratio, $0.004 / 0.024$, has only one significant digit to work with, so we leave it out of
# the check.)
#
# ### The shape of the exploded kernel
#
# After 10 steps the error along $(1, -1)$ has shrunk by $0.4^{10}$, while the error along $(1, 1)$ has
# grown by $3.2^{10}$ in size:

# %%
print(f"0.4^10 = {0.4 ** 10:.1e}, 3.2^10 = {3.2 ** 10:.1e}")
assert 0.4 ** 10 < 2e-4 and 3.2 ** 10 > 1e5

# %% [markdown]
# So the kernel is $k^\star$ plus a large multiple of $(1, 1)$: $k \approx (1, -1) + c\,(1, 1)$. Both entries
# minus $k^\star$ should give the same $c$:

# %%
final_kernels = cu.frameworks.available_results({"our MXNet run": lambda: exploding_mxnet[1][-1].ravel(),
                                                 "the source (its numbers)": SOURCE_FINAL_KERNEL})
for name, final in final_kernels.items():
    c0, c1 = final - np.array([1.0, -1.0])
    print(f"{name:25s}: k0 - 1 = {c0:.2f}, k1 + 1 = {c1:.2f}")
    assert abs(c0 - c1) < 1e-3 * abs(c0)

# %% [markdown]
# For the source, $1117.4498 - 1 = 1116.4498$ and $1115.4502 + 1 = 1116.4502$: the same $c$ to within
# float32 round-off. The run did find $[1, -1]$ in the shallow direction; the steep direction ruined it.
#
# ### Recovering the source's start kernel
#
# The theory is precise enough to work backwards. Two of the source's numbers fix the two unknown
# components of its start error, and then the other four numbers become predictions:
#
# * the final kernel gives the steep component after 10 steps, $a_{10} = v_{\text{steep}} \cdot (k_{10} - k^\star)$,
#   so $a_0 = a_{10} / (-3.2)^{10}$;
# * the loss at iteration 2 (after one update) is $\tfrac{84}{2} a_1^2 + \tfrac{12}{2} b_1^2$, which gives the
#   size of the shallow component $b_1$, and $b_0 = b_1 / 0.4$. Its sign is negative because a small start
#   kernel minus $(1, -1)$ points along $-(1, -1)$.

# %%
k_star = K_true.ravel()
lam_steep, lam_shallow = 84.0, 12.0
f_steep, f_shallow = 1 - FAST_RATE * lam_steep, 1 - FAST_RATE * lam_shallow
a0 = v_steep @ (SOURCE_FINAL_KERNEL - k_star) / f_steep**10
b1 = -np.sqrt((SOURCE_LOSSES[0] - lam_steep / 2 * (a0 * f_steep) ** 2) / (lam_shallow / 2))
b0 = b1 / f_shallow
source_start = k_star + a0 * v_steep + b0 * v_shallow
print("estimated start kernel of the source:", source_start.round(4))
assert np.allclose(source_start, [0.007, 0.013], atol=1e-3) and np.all(np.abs(source_start) < 0.07)

steps_after = np.array([1, 3, 5, 7, 9])  # iterations 2, 4, ..., 10
predicted = lam_steep / 2 * (a0 * f_steep**steps_after) ** 2 + lam_shallow / 2 * (b0 * f_shallow**steps_after) ** 2
print("iteration         source      predicted")
for iteration, printed, formula in zip(range(2, 11, 2), SOURCE_LOSSES, predicted):
    print(f"{iteration:9d} {printed:14.3f} {formula:14.3f}")
assert np.all(np.abs(predicted / SOURCE_LOSSES - 1) < 1e-4)

# %% [markdown]
# A fresh MXNet run from the estimated start should print the source's numbers again:

# %%
# %%needs mxnet
rerun = train_gluon(X9, Y9, source_start[None, :], FAST_RATE, STEPS)
print("iteration         source   MXNet from the estimate")
for iteration, printed, mxnet_loss in zip(range(2, 11, 2), SOURCE_LOSSES, rerun[0][steps_after]):
    print(f"{iteration:9d} {printed:14.3f} {mxnet_loss:12.6g}")
print("final kernel: source", SOURCE_FINAL_KERNEL, " MXNet from the estimate", rerun[1][-1].ravel().round(2))
assert np.all(np.abs(rerun[0][steps_after] / SOURCE_LOSSES - 1) < 1e-4)
assert np.allclose(rerun[1][-1].ravel(), SOURCE_FINAL_KERNEL, atol=2e-3)
default_initialiser = mx.init.Uniform()
print("Gluon's default initialiser:", default_initialiser.dumps())
assert default_initialiser.scale == 0.07 and np.all(np.abs(source_start) < default_initialiser.scale)

# %% [markdown]
# The estimated start, about $(0.007, 0.013)$, is a typical draw from Gluon's default initialiser
# (uniform on $[-0.07, 0.07]$), and from it the formula and a fresh MXNet run both reproduce all five printed
# losses and the final kernel. So the explosion is fully explained: nothing was wrong with the code, only
# the learning rate was too large for this image.

# %% [markdown]
# ### It is the maths, not MXNet
#
# PyTorch and JAX, from the same start kernel as our MXNet run, explode in exactly the same way, and all
# three stay on the NumPy reference trajectory all the way up to $10^7$.

# %%
exploding_reference = gradient_descent_kernel(X9, Y9, K_start, learning_rate=FAST_RATE, steps=STEPS)
exploding_runs = cu.frameworks.available_results({
    "MXNet": lambda: exploding_mxnet,
    "PyTorch": train_torch(X9, Y9, K_start, FAST_RATE, STEPS),
    "JAX": train_flax(X9, Y9, K_start, FAST_RATE, STEPS),
})
print_loss_table({"NumPy": exploding_reference, **exploding_runs})
cu.compare(relative_to_reference(exploding_reference, exploding_reference),
           {name: relative_to_reference(run, exploding_reference) for name, run in exploding_runs.items()},
           tolerance=1e-5, reference_name=RELATIVE_TO_NUMPY)
for name, run in exploding_runs.items():
    late_ratio = run[0][-1] / run[0][-2]
    print(f"{name:8s} last loss ratio per step: {late_ratio:.4f}")
    assert abs(late_ratio / 10.24 - 1) < 0.01

# %% tags=["hide-input"] alt="Loss against iteration on a log axis at learning rate 0.05 on the 6x9 image: NumPy, MXNet, PyTorch and JAX coincide, dip for the first iterations, then rise in a straight line parallel to the guide line of the predicted factor per step."
fig, ax = plt.subplots(figsize=(7, 4))
curves = {"NumPy (float64)": exploding_reference.losses, **{name: run[0] for name, run in exploding_runs.items()}}
growth = predicted_loss_growth(FAST_RATE, np.linalg.eigvalsh(H9)[-1])
curves[f"slope {growth:.2f} per step"] = exploding_reference.losses[-1] / growth ** np.arange(STEPS, -1, -1)
plot_loss_curves(ax, curves, f"Learning rate {FAST_RATE} on the 6x9 image: the loss explodes", first_step=1,
                 xlabel=ITERATION_AXIS)
plt.show()

# %% [markdown]
# The straight guide line has the predicted slope, a factor $10.24$ per step; after the first few steps
# every run follows it.

# %% [markdown]
# ## A learning-rate sweep
#
# The critical learning rate should be a sharp boundary. We run the NumPy reference for 20 steps at 41
# learning rates between $0.001$ and $0.1$, on both images, from the same start kernel, and plot the final
# loss next to the predicted worst growth factor per step, $\max_\lambda (1 - \eta\lambda)^2$.

# %%
SWEEP_STEPS = 20
rates = np.geomspace(1e-3, 1e-1, 41)
sweep = {}
for name, image, target in [("6x9", X9, Y9), ("6x8", X, Y)]:
    runs = [gradient_descent_kernel(image, target, K_start, learning_rate=rate, steps=SWEEP_STEPS) for rate in rates]
    final_losses = np.array([run.losses[-1] for run in runs])
    eigenvalues = np.linalg.eigvalsh(squared_loss_hessian(image, (1, 2)))
    worst_growth = np.max(predicted_loss_growth(rates[:, None], eigenvalues[None, :]), axis=1)
    sweep[name] = (final_losses, worst_growth, critical_learning_rate(image, (1, 2)), runs[0].losses[0])

# %% tags=["hide-input"] alt="Left: final loss after 20 updates against the learning rate, both axes logarithmic, for the 6x9 and 6x8 images; each curve falls slowly, reaches its lowest point just below its dashed critical rate 2/lambda_max and shoots up beyond it. Right: the predicted worst factor per update, which crosses the line at 1 exactly at each critical rate."
fig = plot_learning_rate_sweep(rates, {f"{name} image": entry for name, entry in sweep.items()}, SWEEP_STEPS)
plt.show()

# %% [markdown]
# Below the critical rate every run ends lower than it started; a little above it the loss explodes. The
# transition is not a cliff in the left panel only because, just above $\eta_c$, the factor
# $(1 - \eta\lambda_{\max})^2$ is barely above 1 and 20 steps do not compound it much. The best final loss
# sits close to the critical rate, because there the shallow direction, which holds most of the error here,
# shrinks fastest. That direction has $\lambda = 12$ on both images, which is why the two curves coincide
# at small learning rates.

# %%
for name, (final_losses, worst_growth, critical, start_loss) in sweep.items():
    below, above = rates < critical, rates > 1.15 * critical
    print(f"{name}: largest final loss below the critical rate {final_losses[below].max():.3g}, "
          f"smallest above 1.15x critical {final_losses[above].min():.3g} (start: {start_loss:.4g})")
    assert np.all(final_losses[below] < start_loss)
    assert np.all(final_losses[above] > 100 * start_loss)
    assert np.all((worst_growth < 1) == (rates < critical))

# %% [markdown]
# ## The fix
#
# **A smaller learning rate, below $2/\lambda_{\max}$.** Careful: the JAX source's $0.03$, which worked on the
# $6 \times 8$ image, is still too large for the $6 \times 9$ image, because $0.03 > 2/84 \approx 0.0238$.
# The wider image has more windows of ones, hence a steeper bowl.

# %%
growth_at_003 = predicted_loss_growth(3e-2, 84)
too_fast = gradient_descent_kernel(X9, Y9, K_start, learning_rate=3e-2, steps=SWEEP_STEPS)
print(f"rate 0.03 on the 6x9 image: predicted factor (1 - 0.03 * 84)^2 = {growth_at_003:.4f} per step")
print(f"observed last ratio {too_fast.losses[-1] / too_fast.losses[-2]:.4f}; loss after {SWEEP_STEPS} steps "
      f"{too_fast.losses[-1]:.4g} (start {too_fast.losses[0]:.4g})")
assert 3e-2 > critical_learning_rate(X9, (1, 2)) and too_fast.losses[-1] > too_fast.losses[0]
assert abs(too_fast.losses[-1] / too_fast.losses[-2] / growth_at_003 - 1) < 0.01

# %% [markdown]
# A safe choice is $\eta = 0.02$: the factors are $|1 - 0.02 \cdot 84| = 0.68$ and $1 - 0.02 \cdot 12 = 0.76$.
# The shallow direction now limits the speed ($0.76$ per step), so we give the run 20 steps. The best
# single rate balances the two directions, $|1 - \eta\lambda_{\max}| = 1 - \eta\lambda_{\min}$, which gives
# $\eta = 2 / (\lambda_{\max} + \lambda_{\min}) = 2/96 \approx 0.0208$ and factor $0.75$ in both.

# %%
SAFE_RATE = 2e-2
safe_reference = gradient_descent_kernel(X9, Y9, K_start, learning_rate=SAFE_RATE, steps=SWEEP_STEPS)
for iteration in range(4, SWEEP_STEPS + 1, 4):
    print(f"NumPy, rate {SAFE_RATE}, iteration {iteration:2d}: loss {safe_reference.losses[iteration - 1]:.4g}")
print("NumPy learned kernel:", safe_reference.kernels[-1].round(4))
assert SAFE_RATE < critical_learning_rate(X9, (1, 2))
assert np.allclose(safe_reference.kernels[-1], K_true, atol=0.05)
lam_min_9, lam_max_9 = np.linalg.eigvalsh(H9)
balanced_rate = 2 / (lam_max_9 + lam_min_9)
print(f"factors at rate {SAFE_RATE}: |1 - rate * {lam_max_9:.0f}| = {abs(1 - SAFE_RATE * lam_max_9):.2f}, "
      f"1 - rate * {lam_min_9:.0f} = {1 - SAFE_RATE * lam_min_9:.2f}")
print(f"balanced rate 2 / ({lam_max_9:.0f} + {lam_min_9:.0f}) = {balanced_rate:.4f}, "
      f"factor {1 - balanced_rate * lam_min_9:.2f} "
      f"in both directions")
assert np.isclose(abs(1 - balanced_rate * lam_max_9), 1 - balanced_rate * lam_min_9)

# %% [markdown]
# MXNet at this rate follows the same trajectory:

# %%
# %%needs mxnet
fixed_mxnet = train_gluon(X9, Y9, K_start, SAFE_RATE, SWEEP_STEPS)
print("MXNet learned kernel:", fixed_mxnet[1][-1].round(4))
assert np.allclose(fixed_mxnet[1][-1], K_true, atol=0.05)
cu.compare(relative_to_reference(safe_reference, safe_reference),
           {"MXNet": relative_to_reference(fixed_mxnet, safe_reference)}, tolerance=1e-5,
           reference_name=RELATIVE_TO_NUMPY)

# %% [markdown]
# **The mean instead of the sum.** With $L_{\text{mean}} = \frac1n \sum (\hat Y - Y)^2$ over the $n$ outputs,
# the gradient and the Hessian are divided by $n$, so every eigenvalue is divided by $n$ and the critical
# learning rate is multiplied by $n$. This is why the choice of reduction changes which learning rates work:
# with a sum, a larger image (or a larger batch) makes the bowl steeper and can push a learning rate that
# used to work over the edge; with a mean, the curvature stays about the same as the data grows. Here
# $n = 48$, so $\lambda_{\max}$ becomes $84/48 = 1.75$ and $\eta_c = 2/1.75 \approx 1.14$. The rate $\eta = 1$
# with the mean is the same step as $\eta = 1/48$ with the sum, the balanced rate of the previous cell.

# %%
n_outputs = Y9.size
critical_mean = critical_learning_rate(X9, (1, 2), reduction="mean")
print(f"outputs n = {n_outputs}; critical rate: sum {critical_learning_rate(X9, (1, 2)):.4f}, mean {critical_mean:.4f}")
assert n_outputs == 48 and np.isclose(critical_mean, 48 * 2 / 84)

mean_reference = gradient_descent_kernel(X9, Y9, K_start, learning_rate=1.0, steps=SWEEP_STEPS, reduction="mean")
mean_ratios = mean_reference.losses[1:] / mean_reference.losses[:-1]
print(f"NumPy, mean loss, rate 1.0: loss ratio per step between {mean_ratios.min():.4f} and {mean_ratios.max():.4f}"
      f" (predicted 0.75^2 = {0.75 ** 2})")
print("NumPy learned kernel:", mean_reference.kernels[-1].round(4))
assert np.allclose(mean_ratios, 0.5625, rtol=1e-3)
assert np.allclose(mean_reference.kernels[-1], K_true, atol=0.05)

# %%
# %%needs mxnet
mean_mxnet = train_gluon(X9, Y9, K_start, 1.0, SWEEP_STEPS, reduction="mean")
mean_ratios_mxnet = mean_mxnet[0][1:] / mean_mxnet[0][:-1]
print(f"MXNet, mean loss, rate 1.0: loss ratio per step between {mean_ratios_mxnet.min():.4f} and "
      f"{mean_ratios_mxnet.max():.4f}")
print("MXNet learned kernel:", mean_mxnet[1][-1].round(4))
assert np.allclose(mean_ratios_mxnet, 0.5625, rtol=1e-3)
assert np.allclose(mean_mxnet[1][-1], K_true, atol=0.05)
cu.compare(relative_to_reference(mean_reference, mean_reference),
           {"MXNet": relative_to_reference(mean_mxnet, mean_reference)}, tolerance=1e-5,
           reference_name=RELATIVE_TO_NUMPY)

# %% [markdown]
# Both fixed runs converge to $[1, -1]$, and the mean-loss run shrinks by exactly $0.5625$ every step,
# because at the balanced rate both directions have the same factor.

# %% [markdown]
# ## Learning the bias too
#
# Both sources ignored the layer's bias. With a bias $b$ the prediction is $p_{ij} \cdot k + b$: the
# parameter vector is $w = (k_0, k_1, b)$ and each output sees the extended window $(p_{ij}, 1)$. The loss
# is still quadratic, and its Hessian is $3 \times 3$:
#
# $$H = 2 \begin{bmatrix} \sum p_{ij} p_{ij}^\top & \sum p_{ij} \\ \sum p_{ij}^\top & n \end{bmatrix}.$$
#
# The new row and column hold the sum of the windows and the number of outputs $n$. A bigger matrix that
# contains the old one as a block cannot have a smaller top eigenvalue, so the critical learning rate can
# only drop.

# %%
H8_bias = squared_loss_hessian(X, (1, 2), bias=True)
windows = patch_matrix(X, (1, 2))
assert np.array_equal(H8_bias, 2 * np.block([[windows.T @ windows, windows.sum(axis=0)[:, None]],
                                             [windows.sum(axis=0)[None, :], np.array([[Y.size]])]]))
eigenvalues_bias = np.linalg.eigvalsh(H8_bias)
critical_bias = critical_learning_rate(X, (1, 2), bias=True)
print("H with bias (6x8 image):\n", H8_bias)
print("eigenvalues:", eigenvalues_bias.round(4))
print(f"critical rate: without bias {critical_learning_rate(X, (1, 2)):.4f}, with bias {critical_bias:.4f}")
assert np.isclose(eigenvalues_bias[-1], 124.3068, atol=1e-4) and np.isclose(critical_bias, 2 / eigenvalues_bias[-1])
assert round(critical_bias, 4) == 0.0161
assert critical_bias < LEARNING_RATE < critical_learning_rate(X, (1, 2))

# %% [markdown]
# The top eigenvalue grows from $60$ to about $124.3$, and the critical rate falls from $0.0333$ to about
# $0.0161$: the JAX source's $\eta = 0.03$ would have exploded had it also updated the bias.

# %%
with_bias_too_fast = gradient_descent_kernel(X, Y, K_start, learning_rate=LEARNING_RATE, steps=STEPS, bias=0.5)
print(f"rate 0.03 with the bias: loss {with_bias_too_fast.losses[0]:.4g} -> {with_bias_too_fast.losses[-1]:.4g}")
assert with_bias_too_fast.losses[-1] > 100 * with_bias_too_fast.losses[0]

# %% [markdown]
# So we use the balanced rate $2 / (\lambda_{\max} + \lambda_{\min})$ for the $3 \times 3$ Hessian. Its worst
# factor is about $0.82$ per step, slower than before, so the run gets 40 steps. The bias starts at $0.5$; the
# data has no offset, so it should go to $0$.

# %%
BIAS_RATE = 2 / (eigenvalues_bias[-1] + eigenvalues_bias[0])
BIAS_STEPS, BIAS_START = 40, 0.5
worst_factor = np.max(np.abs(1 - BIAS_RATE * eigenvalues_bias))
print(f"rate {BIAS_RATE:.5f}, worst factor per step {worst_factor:.4f}")
assert abs(worst_factor - 0.824) < 1e-3

bias_reference = gradient_descent_kernel(X, Y, K_start, learning_rate=BIAS_RATE, steps=BIAS_STEPS, bias=BIAS_START)
bias_runs = cu.frameworks.available_results({
    "MXNet": lambda: train_gluon(X, Y, K_start, BIAS_RATE, BIAS_STEPS, bias=BIAS_START),
    "PyTorch": train_torch(X, Y, K_start, BIAS_RATE, BIAS_STEPS, bias=BIAS_START),
    "JAX": train_flax(X, Y, K_start, BIAS_RATE, BIAS_STEPS, bias=BIAS_START),
})
cu.compare(relative_to_reference(bias_reference, bias_reference),
           {name: relative_to_reference(run, bias_reference) for name, run in bias_runs.items()},
           tolerance=1e-5, reference_name="NumPy (losses, kernels and biases at every step, each difference / "
                                           "(1 + |NumPy value|))")
for name, (losses, kernels, biases) in {"NumPy": bias_reference, **bias_runs}.items():
    print(f"{name:8s} learned kernel {kernels[-1].ravel().round(4)}, bias {biases[-1]:+.4f}, "
          f"final loss {losses[-1]:.2g}")
    assert np.allclose(kernels[-1], K_true, atol=0.01) and abs(biases[-1]) < 0.01

# %% tags=["hide-input"] alt="Loss against iteration on a log axis when the kernel and the bias are learned on the 6x8 image: NumPy, MXNet, PyTorch and JAX coincide, falling steadily over 40 updates."
fig, ax = plt.subplots(figsize=(7, 4))
plot_loss_curves(ax, {"NumPy (float64)": bias_reference.losses, **{name: run[0] for name, run in bias_runs.items()}},
                 f"Kernel and bias on the 6x8 image, learning rate {BIAS_RATE:.4f}", first_step=1,
                 xlabel=ITERATION_AXIS)
plt.show()

# %% [markdown]
# All four frameworks learn $[1, -1]$ and a bias of $0$, and follow the reference step by step.

# %% [markdown]
# ## Recap
#
# * Gradient descent on $L(K) = \sum (X \star K - Y)^2$ recovers the edge kernel $[1, -1]$ from one example;
#   MXNet, PyTorch and JAX follow the NumPy reference step by step.
# * The loss is quadratic in the kernel, with Hessian $H = 2 \sum p_{ij} p_{ij}^\top$, fixed by the input
#   windows alone. Each step multiplies the error along an eigenvector by $1 - \eta\lambda$ and that part of
#   the loss by $(1 - \eta\lambda)^2$.
# * Critical learning rate: $\eta_c = 2 / \lambda_{\max}$. On the $6 \times 9$ image $\lambda = 84, 12$ and
#   $\eta_c \approx 0.0238$; the source's $\eta = 0.05$ multiplies the loss by $10.24$ per step, exactly the
#   ratio of its printed losses, and leaves the kernel at $(1, -1) + c\,(1, 1)$. On the $6 \times 8$ image
#   $\lambda = 60, 12$ and $\eta = 0.03$ converges.
# * Fixes: a rate below $2/\lambda_{\max}$ (balanced: $2/(\lambda_{\max} + \lambda_{\min})$), or the mean
#   loss, which divides $H$ by the number of outputs and multiplies the usable rate by it.
# * A bias adds a row and column ($\sum p$ and $n$) to $H$, raises $\lambda_{\max}$ (60 to 124.3 here) and
#   lowers $\eta_c$ (0.033 to 0.016).

# %% [markdown]
# ## Exercises

# %% tags=["exercise-bind"]
q1, q2, q3 = exercises.bind("05_learning_a_kernel")

# %% [markdown]
# ### Exercise 1: a critical learning rate by hand
#
# Take the $2 \times 3$ image $X = \begin{bmatrix}1&1&0\\0&1&1\end{bmatrix}$, a $1 \times 2$ kernel,
# no bias, and the **sum** of squared errors. What is the critical learning rate $\eta^*$: gradient descent
# converges from any start for every $\eta < \eta^*$ and diverges from almost every start for $\eta > \eta^*$?
# (At $\eta = \eta^*$ itself the error along the steepest direction flips sign forever without shrinking,
# so there is no largest converging rate, only this boundary.) Work out the windows, $H$ and its
# eigenvalues on paper (the $a, b$ rule above helps), then store the number in `answer`.

# %%
# SOLUTION q1

# %%
q1.check(answer)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# ### Exercise 2: the gradient with respect to the kernel
#
# Write `kernel_gradient(X, Y, K)` that returns $\partial L / \partial K$ for
# $L(K) = \sum_{i,j} \big((X \star K)[i,j] - Y[i,j]\big)^2$, as an array with the shape of `K`. Use
# `cu.corr2d`; any kernel shape must work, not only $1 \times 2$.

# %%
# SOLUTION q2

# %%
q2.check(kernel_gradient)

# %% tags=["exercise-help"]
# q2.hint()
# q2.solution()

# %% [markdown]
# ### Exercise 3 (to think about): why did the loss explode?
#
# In your own words: why did the MXNet source's loss grow from 2 to about $10^7$ in eight updates, why did its
# kernel end up with two huge, nearly equal entries, and what are two different ways to fix the run? This
# one has no automatic check.

# %% tags=["exercise-help"]
# q3.hint()
# q3.solution()

# %% [markdown]
# ---
#
# **Previous:** [04 · Edge detection](04_edge_detection.ipynb)
#
# **Next:** [06 · Padding and stride](06_padding_and_stride.ipynb)
