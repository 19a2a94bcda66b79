# %% [markdown]
# # 00 · Getting started
#
# Welcome to the **Convolutions workbook**, a hands-on course on the operation at the heart of every
# convolutional neural network. Each lesson builds one idea from scratch in NumPy, then runs the same
# computation in three deep-learning frameworks (MXNet Gluon, PyTorch and JAX) and *checks* that all
# four agree.
#
# **In this notebook you will**
#
# 1. see how the workbook is organised and in which order to read it;
# 2. learn the habits every lesson follows (one set-up cell, checks instead of claims, exercises);
# 3. check that your environment has the versions the course was tested with;
# 4. run one tiny convolution in NumPy, MXNet, PyTorch and JAX and confirm they give the same numbers.
#
# You need Python and NumPy, and to have met a fully connected network. Nothing else is assumed.

# %% [markdown]
# ## Set-up
#
# Every lesson opens with the same short cell: the imports, then one call to
# `course_utils.setup_lesson()`. That call seeds every random number generator (so your numbers match
# the stored ones), sets NumPy's print options and the figure style, and returns a seeded NumPy
# generator `rng` for the lesson's random data.
#
# MXNet's imports come in a cell of their own, whose first line is `%%needs mxnet`. MXNet 1.9.1 is
# built for Linux only: on Linux that line does nothing and the cell runs; on macOS or Windows the
# cell is skipped and prints one line saying so. Every cell that uses MXNet starts the same way, so
# each lesson runs top to bottom everywhere.

# %% tags=["setup"]
import jax
import jax.numpy as jnp
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import Markdown

import course_utils as cu
from course_utils import course_map, exercises
from course_utils.environment import format_version_table, version_rows

rng = cu.setup_lesson(seed=0)

# %% tags=["setup"]
# %%needs mxnet
from mxnet import np as mnp
from mxnet import npx

# %% [markdown]
# ## How the workbook is organised
#
# The lessons live in `notebooks/` and are numbered in reading order. Each one starts with what you
# will be able to do, builds the idea from scratch, repeats it in the three frameworks, and ends with a
# recap and exercises. The list below comes from `course_utils.course_map`, the one list of lessons
# the README, the site and the slides are made from too.

# %% tags=["hide-input"]
Markdown(course_map.question_table())

# %% [markdown]
# The code shared by all lessons (the reference operations, plotting and exercise helpers) lives in
# the `course_utils` package next to this folder. A lesson may write a function out to teach it, but
# the tested copy is the one in `course_utils`, and you can read it there.

# %% [markdown]
# ## Habits of this workbook
#
# * **Run cells top to bottom.** Each cell may depend on the ones above it. If something looks wrong,
#   use *Kernel → Restart Kernel and Run All Cells*.
# * **Checks, not claims.** When a lesson says two things are equal it proves it in code, with
#   `assert np.allclose(...)` or a printed `max |diff|`. If an `assert` ever fails for you, your
#   environment differs from the tested one; the next section helps you find out how.
# * **Exercises** close each lesson. You write a small function or compute a value, then a checker
#   tells you whether you are right and, if not, what probably went wrong. You try it at the end of
#   this notebook.
# * **Tests.** From a terminal in the repository, `make test` re-runs every notebook and compares each
#   output with the stored one, together with the unit tests of `course_utils`.

# %% [markdown]
# ## Check your environment
#
# The course pins exact versions (see `requirements.txt` and `environment.yml`). Two pins matter most:
# MXNet 1.9.1 is no longer maintained and breaks on NumPy 1.24 or newer, so NumPy stays at 1.23.5,
# and JAX is held at 0.4.30, the last release that works with that NumPy. The table compares what
# is installed with those pins. MXNet is the one optional package: where it is not installed (it has
# no build for macOS or Windows) its row says `optional` rather than `MISMATCH`.

# %%
rows = version_rows()  # pins read from the repository's requirements.txt
print(format_version_table(rows))

# %% [markdown]
# The cell below turns the table into a check: it fails, naming the package, if any version differs
# from its pin.

# %%
mismatches = [f"{row.name} {row.installed} (pinned {row.pinned})" for row in rows if not row.ok]
assert not mismatches, f"installed versions differ from the pins: {mismatches}"
print(f"{len(rows)} rows checked: no installed version differs from its pin")

# %% [markdown]
# ### Which libraries this machine has
#
# The course compares four libraries: NumPy, MXNet, PyTorch and JAX. NumPy, PyTorch and JAX install
# on Linux, macOS (Apple silicon) and Windows; MXNet only on Linux. The cell below asks
# `course_utils.frameworks` which of the four import here, and says what that means for the lessons.

# %%
libraries_here = cu.frameworks.present()
libraries_missing = [name for name in cu.frameworks.LIBRARIES if name not in libraries_here]
print("libraries on this machine:", ", ".join(libraries_here))
if not libraries_missing:
    print("every cell of every lesson runs here, and each agreement check compares all four libraries")
else:
    print("missing here:", ", ".join(libraries_missing))
    print(f"  each {' or '.join(libraries_missing)} cell prints one line saying it is skipped;")
    print(f"  each agreement check compares {', '.join(libraries_here)} and names them")
assert {"NumPy", "PyTorch", "JAX"} <= set(libraries_here), "the course needs NumPy, PyTorch and JAX everywhere"

# %% [markdown]
# Wherever a lesson checks that the libraries agree, it uses `cu.compare`, which prints the largest
# difference of each library present from the reference and then the names of the libraries it
# compared. On a machine without MXNet you see "MXNet: not installed here" at the end of that line
# instead of an MXNet row: the other three libraries still show the same result.

# %% [markdown]
# ## One tiny convolution, four ways
#
# Here is a first taste of the operation the course is about. Slide a $2 \times 2$ kernel $K$ over a
# $3 \times 3$ input $X$; at each position multiply the overlapping numbers and add them up:
#
# $$Y[i, j] = \sum_{a=0}^{1} \sum_{b=0}^{1} X[i + a,\, j + b]\; K[a, b].$$
#
# The top-left output, for example, is $0 \cdot 0 + 1 \cdot 1 + 3 \cdot 2 + 4 \cdot 3 = 19$.
# Lesson 01 explains why deep-learning libraries call this *convolution* although mathematicians
# call it *cross-correlation*. `course_utils.corr2d` is the course's NumPy reference for it.

# %%
X = np.arange(9, dtype=np.float32).reshape(3, 3)
K = np.array([[0, 1], [2, 3]], dtype=np.float32)
Y_numpy = cu.corr2d(X, K)
print(Y_numpy)

# %% [markdown]
# The frameworks work on *batches* of *multi-channel* images, so they expect 4-D arrays laid out as
# (batch, channels, height, width), and a kernel laid out as (out channels, in channels, height,
# width). A single grey image is a batch of one image with one channel: we add two leading axes of
# length 1 and take them off the result.

# %%
# PyTorch: F.conv2d cross-correlates; input (N, C, H, W), weight (C_out, C_in, kh, kw).
Y_torch = F.conv2d(torch.from_numpy(X)[None, None], torch.from_numpy(K)[None, None])[0, 0]

# JAX: lax.conv_general_dilated is the primitive behind every JAX/Flax convolution.
Y_jax = jax.lax.conv_general_dilated(
    jnp.asarray(X)[None, None], jnp.asarray(K)[None, None], window_strides=(1, 1), padding="VALID"
)[0, 0]

# Each framework converts back to NumPy its own way; cu.to_numpy knows them all.
print("torch .numpy()  :", Y_torch.numpy().tolist())
print("jax np.asarray():", np.asarray(Y_jax).tolist())

# %% [markdown]
# MXNet's call gets its own cell, guarded by `%%needs mxnet` like every MXNet cell of the course.

# %%
# %%needs mxnet
# MXNet: npx.convolution with the same layout; the kernel size and number of filters are explicit.
Y_mxnet = npx.convolution(
    data=mnp.array(X).reshape(1, 1, 3, 3),
    weight=mnp.array(K).reshape(1, 1, 2, 2),
    kernel=(2, 2),
    num_filter=1,
    no_bias=True,
)[0, 0]
print("mxnet .asnumpy():", Y_mxnet.asnumpy().tolist())

# %% [markdown]
# The frameworks print the same $2 \times 2$ result as NumPy. The check below makes that precise:
# `cu.compare` prints, for each framework, the largest absolute difference from `course_utils.corr2d`,
# asserts that all of them are (numerically) zero, and names the frameworks it compared. MXNet's
# result is passed as `lambda: Y_mxnet`, a function that `cu.compare` calls only where MXNet is
# installed, because elsewhere the cell above never defined `Y_mxnet`.

# %%
cu.compare(Y_numpy, {"PyTorch": Y_torch, "MXNet": lambda: Y_mxnet, "JAX": Y_jax},
           tolerance=1e-5, reference_name="course_utils.corr2d")
assert np.array_equal(Y_numpy, [[19, 25], [37, 43]])

# %% [markdown]
# The worked example uses small integers, which every framework represents exactly, so the
# differences are exactly zero. Random numbers
# are a sterner test: the frameworks add the products in different orders, and in 32-bit floating
# point the order changes the last digits (by about $10^{-7}$ relative to the values, and by an
# amount that depends on your processor). So we compare a random $6 \times 7$ image and $3 \times 3$
# kernel with a tolerance, and this time also pad by one pixel and move the kernel two pixels at a
# time (padding and stride get their own lesson, 06).
#
# Having seen each framework's call once, from here on we let `cu.frameworks.corr2d_builtins` make
# them: it runs the same single-channel cross-correlation through the built-in convolution of MXNet,
# PyTorch and JAX (the calls above, with the padding and stride passed on), each only where that
# library is installed. Later lessons compare with it the same way.

# %%
X_random = rng.standard_normal((6, 7)).astype(np.float32)
K_random = rng.standard_normal((3, 3)).astype(np.float32)
Y_reference = cu.corr2d(X_random, K_random, padding=1, stride=2)
print("output shape:", Y_reference.shape)
cu.compare(Y_reference, cu.frameworks.corr2d_builtins(X_random, K_random, padding=1, stride=2),
           tolerance=1e-5, reference_name="course_utils.corr2d")

# %% [markdown]
# ## Exercises
#
# Every lesson ends like this. One call gives you the lesson's exercises as objects `q1`, `q2`, ...:
#
# * `q1.check(answer)` runs your answer (on the visible examples *and* on hidden ones) and tells you
#   whether it is right; if not, it names the case that failed and the most likely cause;
# * `q1.hint()`, then `q1.hint(2)`, ... give stronger and stronger hints;
# * `q1.solution()` shows a reference solution, for when you are done or truly stuck.
#
# In the student copy of a notebook (`notebooks/student/`), solutions are replaced by
# `# your code here`, and checking an untouched exercise just says it is not attempted yet.

# %% tags=["exercise-bind"]
[q1] = exercises.bind("00_getting_started")

# %% [markdown]
# To see what feedback looks like, here is a separate copy of exercise 1 checked against a common
# mistake: counting $H - k_h$ positions instead of $H - k_h + 1$.

# %%
example = exercises.OutputShapeProblem()
example.check(lambda input_shape, kernel_shape: (input_shape[0] - kernel_shape[0], input_shape[1] - kernel_shape[1]))

# %% [markdown]
# ### Exercise 1 (warm-up): the output shape
#
# Without padding, a $k_h \times k_w$ kernel can only sit where it fits entirely inside an
# $H \times W$ input. Write `valid_output_shape(input_shape, kernel_shape)` that returns the
# `(height, width)` of the result. For the $3 \times 3$ input and $2 \times 2$ kernel above it must
# return `(2, 2)`.

# %%
# SOLUTION q1

# %%
q1.check(valid_output_shape)

# %% [markdown] tags=["exercise-help"]
# Stuck? Uncomment a line below and run the cell.

# %% tags=["exercise-help"]
# q1.hint()
# q1.solution()

# %% [markdown]
# Lesson 03 has the next exercise of this kind: writing the cross-correlation itself, for PyTorch
# tensors, checked on four images of different sizes.

# %% [markdown]
# ## Recap
#
# * Lessons are numbered; read them in order, running each top to bottom.
# * Every lesson opens with the same set-up cell and backs every numerical statement with a check.
# * Your environment matches the pinned versions, and NumPy, MXNet, PyTorch and JAX agree on a
#   convolution to within floating-point rounding. Where MXNet has no build (macOS, Windows), its
#   cells, marked `%%needs mxnet`, print one line instead, and the agreement checks compare the
#   other three.
# * Exercises check themselves: `check()` for feedback, `hint()` and `solution()` when stuck.
#
# **Next:** [01 · Convolution maths](01_convolution_maths.ipynb), where we define convolution properly
# and meet the kernel flip that deep-learning libraries leave out.
