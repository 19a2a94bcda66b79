"""The one set-up call every lesson starts with, so all lessons look and behave alike."""
from __future__ import annotations

import random
import sys
import warnings

import numpy as np

from . import frameworks, thread_pool
from .cpu_share import cpu_share

#: Figure defaults shared by every lesson: PNG output of a fixed size (nbval
#: compares the ``<Figure size ...>`` text), magnitudes in viridis (perceptually
#: uniform and readable with colour-blindness), no interpolation between pixels.
FIGURE_STYLE = {
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 100,
    "image.cmap": "viridis",
    "image.interpolation": "nearest",
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "font.size": 10,
}


def setup_lesson(seed: int = 0) -> np.random.Generator:
    """Seed every random source, set print options and figure style; return a NumPy generator.

    Call it once, right after the imports of a lesson: it seeds only the
    frameworks that are already imported, so importing first matters.

    - Python's ``random``, NumPy's global state, PyTorch and MXNet get ``seed``;
      JAX has no global state, so lessons make keys with ``jax.random.PRNGKey(seed)``.
    - MXNet, where this machine has it, is imported, seeded and switched to its
      NumPy interface (``npx.set_np()``), which every lesson uses.
    - JAX is pinned to the CPU before its first computation, which also keeps
      its "no GPU found" notice out of stored outputs.
    - PyTorch and course_utils use as many threads as the process has CPUs
      (:func:`course_utils.cpu_share.cpu_share`; importing MXNet drops PyTorch to one thread,
      and this puts the count back).

    >>> rng = setup_lesson(seed=0)
    >>> rng.integers(0, 10, size=3)
    array([8, 6, 5])
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"seed must be a non-negative int; got {seed!r}")
    seed = int(seed)
    # Known, harmless noise from the retired MXNet on a current Python (set before it is imported below).
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"mxnet(\.|$)")
    warnings.filterwarnings("ignore", message=r".*np\.bool.*", category=DeprecationWarning)
    random.seed(seed)
    np.random.seed(seed)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)

    # Threads follow the CPUs this kernel may really use (affinity, cgroup quota, CPU_LIMIT), not
    # the machine's core count: on a shared class server extra threads only slow each other down.
    threads = cpu_share()
    thread_pool.set_num_threads(threads)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
        torch.set_num_threads(threads)
    # MXNet is imported here when this machine has it (Linux only), so that it is seeded whether
    # or not the lesson's MXNet cells, guarded by %%needs mxnet, come before or after this call.
    if frameworks.available("mxnet"):
        from mxnet import npx
        import mxnet

        mxnet.random.seed(seed)
        npx.set_np()
        if torch is not None:  # importing MXNet drops PyTorch to one thread
            torch.set_num_threads(threads)
    jax = sys.modules.get("jax")
    if jax is not None:
        try:
            jax.config.update("jax_platforms", "cpu")
        except RuntimeError:  # backend already initialised: nothing left to choose
            pass


    _apply_figure_style()
    return np.random.default_rng(seed)


def _apply_figure_style() -> None:
    try:
        import matplotlib
    except ImportError:  # plotting is optional for the reference operations
        return
    matplotlib.rcParams.update(FIGURE_STYLE)
    try:
        from IPython import get_ipython

        if get_ipython() is not None:
            from matplotlib_inline.backend_inline import set_matplotlib_formats

            # PNG, not SVG: SVG embeds a date and would differ on every run.
            set_matplotlib_formats("png")
    except ImportError:
        pass
