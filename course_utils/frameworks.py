"""Run one operation in every library this machine has, and compare the results.

The course computes each idea in NumPy, MXNet (Gluon), PyTorch and JAX. MXNet 1.9.1 has
wheels only for Linux, so on macOS and Windows it is absent and the lessons still run:

- :func:`available` says whether a library can be imported here (MXNet is imported once, to
  find out, because a broken install imports with an error, not just a missing module);
- the ``%%needs mxnet`` cell magic, the first line of every MXNet cell, runs the cell when
  MXNet is there and otherwise prints one line saying why it is skipped (it is registered when
  :mod:`course_utils` is imported inside IPython);
- :func:`compare` prints each library's largest difference from a reference and asserts it is
  within the tolerance; a result given as a zero-argument function is only computed when its
  library is present, so ``{"MXNet": lambda: Y_mxnet}`` never touches a name a skipped cell
  did not define. It names the libraries it compared; :func:`available_results` computes the
  same kind of mapping for the libraries present, for tables and plots;
- :func:`corr2d_builtin` / :func:`corr2d_builtins`: a single-channel cross-correlation by each
  library's own convolution primitive, as NumPy arrays, for the lessons' agreement checks.
"""
from __future__ import annotations

import ast
import importlib
import platform
from typing import Any, Callable, Dict, Mapping, Optional, Sequence

import numpy as np

from ._checks import IntOrPair, conv_options
from .arrays import to_numpy

#: Display name -> module name, in the order the lessons present the libraries.
LIBRARIES: Dict[str, str] = {"NumPy": "numpy", "MXNet": "mxnet", "PyTorch": "torch", "JAX": "jax"}
#: The libraries with a built-in convolution primitive (NumPy has none: course_utils is its reference).
FRAMEWORKS = ("MXNet", "PyTorch", "JAX")

_available: Dict[str, bool] = {}


def _canonical(library: str) -> str:
    if not isinstance(library, str):
        raise TypeError(f"library must be a str such as 'MXNet'; got {type(library).__name__} {library!r}")
    for name, module in LIBRARIES.items():
        if library.lower() in (name.lower(), module):
            return name
    raise ValueError(f"library must be one of {', '.join(LIBRARIES)}; got {library!r}")


def available(library: str) -> bool:
    """Whether ``library`` ("MXNet" or "mxnet", "PyTorch" or "torch", ...) imports on this machine."""
    name = _canonical(library)
    if name not in _available:
        try:
            importlib.import_module(LIBRARIES[name])
        except ImportError:
            _available[name] = False
        else:
            _available[name] = True
    return _available[name]


def present(libraries: Sequence[str] = tuple(LIBRARIES)) -> list:
    """The display names of ``libraries`` that are available here, in order."""
    return [_canonical(library) for library in libraries if available(library)]


def platform_name() -> str:
    """A short name of this operating system and processor, e.g. 'macOS arm64'."""
    system = {"Darwin": "macOS"}.get(platform.system(), platform.system())
    return f"{system} {platform.machine()}".strip()


def missing_note(library: str) -> str:
    """The one line a skipped cell prints."""
    name = _canonical(library)
    others = ", ".join(other for other in present() if other != name)
    why = (f"{name} 1.9.1 has no build for {platform_name()}" if name == "MXNet" and platform.system() != "Linux"
           else "it could not be imported")
    return f"{name} is not available here ({why}), so this cell is skipped; {others} show the same result."


# -- comparing results -----------------------------------------------------------------------

def compare(reference: Any, results: Mapping[str, Any], *, tolerance: float = 1e-5,
            label: str = "", reference_name: str = "the reference") -> None:
    """Print each result's largest absolute difference from ``reference``; assert each is within ``tolerance``.

    ``results`` maps a library's name to its result, or to a zero-argument function that computes
    it; a function is called only when the library named by the key's first word is available,
    and the libraries left out are named. With a ``label``, each line starts with it and the
    summary line is left out (for tables of several cases).

    >>> compare(np.ones(2), {"NumPy": np.ones(2)}, reference_name="ones")
    NumPy    max |diff| = 0.0e+00
    compared with ones: NumPy
    """
    if not isinstance(results, Mapping) or not results:
        raise TypeError(f"results must be a non-empty mapping of name -> result; got {results!r}")
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance >= 0:
        raise ValueError(f"tolerance must be a number >= 0; got {tolerance!r}")
    expected = to_numpy(reference, "reference").astype(np.float64)
    prefix = f"{label:15s} " if label else ""
    differences, skipped = {}, []
    for name, result in results.items():
        library = _library_of(name)
        if library is not None and not available(library):
            skipped.append(name)
            continue
        value = result() if callable(result) else result
        array = to_numpy(value, name).astype(np.float64)
        if array.shape != expected.shape:
            raise AssertionError(f"{name}: result has shape {array.shape}, the reference {expected.shape}")
        difference = float(np.max(np.abs(array - expected))) if array.size else 0.0
        print(f"{prefix}{name:8s} max |diff| = {difference:.1e}")
        if not difference <= tolerance:
            raise AssertionError(f"{name} differs from {reference_name} by {difference:.3g} > {tolerance:g}"
                                 f"{' (' + label + ')' if label else ''}")
        differences[name] = difference
    summary = f"compared with {reference_name}: {', '.join(differences)}"
    if skipped:
        summary += f" ({', '.join(skipped)}: not installed here)"
    if not label:
        print(summary)


def available_results(results: Mapping[str, Any]) -> Dict[str, Any]:
    """The entries of ``results`` whose library is available here, in order, each computed.

    The keys and values are those :func:`compare` takes: a value given as a zero-argument
    function is called only when the library its key names ("MXNet Gluon" -> MXNet) imports
    here; a key that names no library is always kept. For tables and plots of the libraries
    present, where :func:`compare`'s tolerance check does not apply (shapes, loss curves).

    >>> available_results({"NumPy": lambda: 2 + 2, "NumPy sum": sum([1, 2])})
    {'NumPy': 4, 'NumPy sum': 3}
    """
    if not isinstance(results, Mapping) or not results:
        raise TypeError(f"results must be a non-empty mapping of name -> result; got {results!r}")
    computed = {}
    for name, result in results.items():
        library = _library_of(name)
        if library is None or available(library):
            computed[name] = result() if callable(result) else result
    return computed


def _library_of(name: str) -> Optional[str]:
    """The library a result's name refers to ("MXNet Gluon" -> "MXNet"), if it names one."""
    words = name.replace("(", " ").replace(",", " ").split()
    for word in words:
        try:
            return _canonical(word)
        except ValueError:
            continue
    return None


# -- one operation in every library ----------------------------------------------------------

def corr2d_builtin(library: str, X: Any, K: Any, *, padding: IntOrPair = 0, stride: IntOrPair = 1,
                   dilation: IntOrPair = 1) -> np.ndarray:
    """Single-channel cross-correlation of 2-D ``X`` with 2-D ``K`` by ``library``'s own convolution, in float32.

    ``padding`` is zeros on each side: an int, an ``(h, w)`` pair; ``stride`` and ``dilation``
    an int or a pair. The result comes back as a NumPy array.
    """
    name = _canonical(library)
    if name not in FRAMEWORKS:
        raise ValueError(f"library must be one of {', '.join(FRAMEWORKS)} (NumPy's reference is "
                         f"course_utils.corr2d); got {library!r}")
    image, kernel = to_numpy(X, "X"), to_numpy(K, "K")
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"X and K must be 2-D; got X of shape {image.shape} and K of shape {kernel.shape}")
    pad, step, gap = conv_options(padding, stride, dilation)
    image4 = np.ascontiguousarray(image, dtype=np.float32)[None, None]   # (N, C, H, W)
    kernel4 = np.ascontiguousarray(kernel, dtype=np.float32)[None, None]  # (C_out, C_in, kh, kw)
    return _BUILTINS[name](image4, kernel4, pad, step, gap)[0, 0]


def corr2d_builtins(X: Any, K: Any, **options) -> Dict[str, Callable[[], np.ndarray]]:
    """``{library: result}`` of :func:`corr2d_builtin` for MXNet, PyTorch and JAX, ready for :func:`compare`.

    Each entry is a zero-argument function, so a library that is absent is never called.
    """
    return {name: (lambda name=name: corr2d_builtin(name, X, K, **options)) for name in FRAMEWORKS}


def _mxnet(image4, kernel4, pad, stride, dilation):
    from mxnet import np as mnp
    from mxnet import npx

    return to_numpy(npx.convolution(data=mnp.array(image4), weight=mnp.array(kernel4), kernel=kernel4.shape[2:],
                                    pad=pad, stride=stride, dilate=dilation, num_filter=1, no_bias=True))


def _torch(image4, kernel4, pad, stride, dilation):
    import torch
    import torch.nn.functional as F

    return F.conv2d(torch.from_numpy(image4), torch.from_numpy(kernel4), padding=pad, stride=stride,
                    dilation=dilation).numpy()


def _jax(image4, kernel4, pad, stride, dilation):
    import jax.numpy as jnp
    from jax import lax

    return np.asarray(lax.conv_general_dilated(jnp.asarray(image4), jnp.asarray(kernel4), window_strides=stride,
                                               padding=[(pad[0], pad[0]), (pad[1], pad[1])],
                                               rhs_dilation=dilation))


_BUILTINS = {"MXNet": _mxnet, "PyTorch": _torch, "JAX": _jax}


# -- the %%needs cell magic ------------------------------------------------------------------

def run_cell_if_available(line: str, cell: str) -> Any:
    """Body of ``%%needs LIBRARY``: run the cell if LIBRARY imports here, else print why it is skipped.

    The cell runs in the notebook's namespace like any other, and the value of its last
    expression is returned, so the notebook shows it as the cell's output.
    """
    library = line.strip()
    if not available(library):
        print(missing_note(library))
        return None
    from IPython import get_ipython

    shell = get_ipython()
    source = shell.transform_cell(cell) if shell is not None else cell
    namespace = shell.user_ns if shell is not None else globals()
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is None or cell.rstrip().endswith(";"):
        if last is not None:
            eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
        return None
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)


def register_magic() -> None:
    """Make ``%%needs`` available in the running IPython shell (a no-op elsewhere)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.register_magic_function(run_cell_if_available, magic_kind="cell", magic_name="needs")
