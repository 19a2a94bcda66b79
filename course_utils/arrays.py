"""Conversion of framework arrays to NumPy, shared by the reference operations and the lessons."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = ["to_numpy"]


def to_numpy(value: Any, name: str = "value") -> np.ndarray:
    """Return ``value`` as a NumPy array without copying when it already is one.

    Accepts NumPy arrays, nested lists/tuples, NumPy scalars and CPU tensors of
    PyTorch, MXNet and JAX. The frameworks are recognised by duck typing so that
    importing ``course_utils`` never imports a framework. ``name`` is the
    parameter name used in error messages.

    >>> to_numpy([[1, 2], [3, 4]])
    array([[1, 2],
           [3, 4]])
    """
    if isinstance(value, np.ndarray):
        return value
    # PyTorch: a tensor that requires grad refuses np.asarray, so detach first.
    if hasattr(value, "detach") and hasattr(value, "device") and hasattr(value, "numpy"):
        device = getattr(value.device, "type", str(value.device))
        if device != "cpu":
            raise TypeError(
                f"{name} is a PyTorch tensor on device {device!r}; move it to the CPU "
                f"first ({name}.cpu())"
            )
        try:
            return value.detach().numpy()
        except (TypeError, RuntimeError) as error:  # bfloat16, sparse, quantised tensors
            raise TypeError(
                f"{name} is a PyTorch tensor NumPy cannot hold (dtype {value.dtype}, layout {value.layout}); "
                f"convert it first, e.g. {name}.float() ({error})"
            ) from None
    # MXNet (both the legacy nd and the np interface) converts with asnumpy().
    if hasattr(value, "asnumpy"):
        return value.asnumpy()
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers; got {type(value).__name__} {value!r}")
    with warnings.catch_warnings():
        # Ragged nested lists give an object array (with a deprecation warning in
        # NumPy 1.23, an error later); the dtype check below reports them clearly.
        warnings.simplefilter("ignore")
        try:
            array = np.asarray(value)
        except (ValueError, TypeError) as error:
            raise TypeError(
                f"{name} must be an array of numbers; could not convert "
                f"{type(value).__name__} to an array ({error})"
            ) from None
    return array
