"""Diagnoses shared by the coding exercises: what a learner's function returned, and why it is wrong.

Three layers, each used by every problem it applies to:

- :func:`real_array_or_mistake` turns a returned value into a real NumPy array, or names what was
  returned instead (None, a generator, text, a single number, a list of tensors, a ragged list,
  a complex or boolean array), so no problem compares such a value as if it were an array;
- :func:`shape_result_mistake` does the same for a returned shape (a tuple of ints);
- :func:`dtype_mistake`, :func:`shape_mistake` and :func:`feature_map_mistake` explain a wrong
  dtype, a wrong output shape and a wrong 'valid' cross-correlation by their likely cause.

For a feature map the checks run from the most to the least specific: a transposed output, a
wrong shape (each classic shape mistake has its own message: H - kh, kh and kw mixed up, a
kernel size written as a number), NaN, a flipped or transposed kernel, windows of the wrong
size, an unfilled last row or column, and finally the first differing value.
"""
from __future__ import annotations

import inspect
import numbers
import warnings
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from ..arrays import to_numpy
from ..ops import convolve2d, corr2d
from .problems import _short_repr


def describe_shape(shape: Tuple[int, ...]) -> str:
    """``(6, 4)`` -> ``"6x4"``; ``()`` -> ``"0-d"`` (a single number), so no message shows an empty size."""
    return "x".join(str(n) for n in shape) if len(shape) else "0-d"


def _wanted_text(expected_shape: Tuple[int, ...]) -> str:
    if len(expected_shape) == 1:
        return f"a 1-D array of {expected_shape[0]} values"
    return f"a {describe_shape(expected_shape)} array"


def _dtype_name(dtype: Any) -> str:
    """``float32`` for NumPy's and torch's float32 alike."""
    return str(dtype).replace("torch.", "")


def _is_framework_array(value: Any) -> bool:
    """A PyTorch, MXNet or JAX array (duck-typed, so no framework is imported here)."""
    if isinstance(value, np.ndarray):
        return False
    return (hasattr(value, "detach") and hasattr(value, "device")) or hasattr(value, "asnumpy") or (
        type(value).__module__.startswith("jax") and hasattr(value, "shape"))


def _library_word(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return "NumPy array"
    module = type(value).__module__.split(".")[0]
    return {"torch": "torch tensor", "mxnet": "MXNet array", "jax": "JAX array",
            "jaxlib": "JAX array"}.get(module, type(value).__name__)


def describe_container(value: Sequence) -> str:
    """``"a Python list of 6 torch tensors"``: what a returned list or tuple holds, in words."""
    kind = "list" if isinstance(value, list) else type(value).__name__
    count = len(value)
    item_words = {_library_word(item) if (_is_framework_array(item) or isinstance(item, np.ndarray))
                  else type(item).__name__ for item in value}
    if len(item_words) == 1:
        word = item_words.pop()
        return f"a Python {kind} of {count} {word}{'' if count == 1 else 's'}"
    return f"a Python {kind} of {count} items ({', '.join(sorted(item_words))})"


def _number_text(value: Any) -> str:
    """A returned single number as the learner would print it: ``6.0``, ``6``, ``(1+2j)``."""
    if hasattr(value, "item") and not isinstance(value, numbers.Number):
        value = value.item()
    if isinstance(value, numbers.Integral):
        return repr(int(value))
    if isinstance(value, numbers.Real):
        text = repr(float(value))
        return text if len(text) <= 10 else f"{float(value):.6g}"
    return repr(complex(value))


def _is_single_value(value: Any) -> bool:
    if isinstance(value, numbers.Number) or isinstance(value, np.generic):
        return True
    shape = getattr(value, "shape", None)
    return shape is not None and tuple(shape) == () and hasattr(value, "item")


def real_array_or_mistake(result: Any, expected_shape: Tuple[int, ...], *, return_line: str = "return out",
                          wanted: Optional[str] = None) -> Tuple[Optional[np.ndarray], Optional[str]]:
    """``(result as a float64 array, None)``, or ``(None, a message naming what was returned)``.

    Lists of numbers and framework tensors are arrays; everything else gets a message that names
    it: None (``return_line`` is the line that is probably missing), a generator, text, a single
    number or truth value (``wanted`` describes the expected result, by default from
    ``expected_shape``: "a 6x6 array"), a list of tensors, a ragged list, an array of objects,
    complex or boolean values.
    """
    wanted = wanted or _wanted_text(tuple(expected_shape))
    if result is None:
        return None, f"your function returned None: did you forget `{return_line}`?"
    if inspect.isgenerator(result) or (hasattr(result, "__next__") and not hasattr(result, "shape")):
        return None, (f"your function returned a generator (or iterator), not {wanted}: a generator expression "
                      f"(... for ...) in round brackets makes its values one at a time and keeps none. Build "
                      f"the array from a list in square brackets, or fill an array created with zeros.")
    if isinstance(result, (str, bytes, np.str_)):
        shown = result if len(result) <= 30 else result[:27] + "..."
        return None, f"your function returned the text {shown!r}, not {wanted}."
    if isinstance(result, (bool, np.bool_)) or (_is_single_value(result) and
                                                 "bool" in _dtype_name(getattr(result, "dtype", ""))):
        truth = bool(result.item() if hasattr(result, "item") else result)
        return None, f"your function returned {truth}, a truth value, not {wanted}."
    if _is_single_value(result):
        if ((isinstance(result, numbers.Complex) and not isinstance(result, numbers.Real))
                or "complex" in _dtype_name(getattr(result, "dtype", ""))):
            return None, f"your function returned a single complex number {_number_text(result)}, not {wanted}."
        return None, f"your function returned a single number {_number_text(result)}, not {wanted}."
    if isinstance(result, (list, tuple)) and any(_is_framework_array(item) for item in result):
        return None, (f"your function returned {describe_container(result)}, not one array: join them into "
                      f"{wanted} (torch.stack or np.stack), or write every value into one array created up front.")
    if isinstance(result, dict):
        return None, f"your function returned a dict with {len(result)} keys, not {wanted}."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a ragged list warns in NumPy 1.23; it is reported below
            array = to_numpy(result, "result")
    except (TypeError, ValueError):
        return None, f"your function returned {type(result).__name__} {_short_repr(result)}, not {wanted}."
    if array.dtype == object:
        return None, _object_array_message(result, array, wanted)
    if array.ndim == 0:  # e.g. a set or a custom object NumPy wraps as one item
        return None, f"your function returned {type(result).__name__} {_short_repr(result)}, not {wanted}."
    kind = array.dtype.kind
    if kind == "c":
        return None, (f"your output is complex ({_dtype_name(getattr(result, 'dtype', array.dtype))}), but the "
                      f"result of real inputs is real: did an FFT or a complex number such as 1j slip in? Keep "
                      f"the real part (.real) only once you know the imaginary part is rounding noise.")
    if kind == "b":
        return None, ("your output holds True/False values (dtype bool), not numbers: did you return a "
                      "comparison such as a == b instead of the values themselves?")
    if kind not in "iuf":
        return None, f"your output holds {array.dtype} values, not numbers; return {wanted} of numbers."
    return array.astype(np.float64), None


def _object_array_message(result: Any, array: np.ndarray, wanted: str) -> str:
    if isinstance(result, (list, tuple)):
        lengths = [len(item) if hasattr(item, "__len__") else 1 for item in result]
        if len(set(lengths)) > 1:
            shown = ", ".join(str(n) for n in lengths[:8]) + (", ..." if len(lengths) > 8 else "")
            return (f"your function returned {describe_container(result)} of different lengths ({shown}), "
                    f"not {wanted}: every row must have the same number of values.")
        return f"your function returned {describe_container(result)} that NumPy cannot turn into {wanted} of numbers."
    return (f"your function returned an array of Python objects (dtype object), not {wanted} of numbers: "
            f"create it with np.zeros(...) and write numbers into it.")


def shape_result_mistake(result: Any) -> Tuple[Optional[Tuple[int, ...]], Optional[str]]:
    """``(the returned shape as a tuple of ints, None)``, or ``(None, a message naming what was returned)``.

    A shape is a tuple or list of ints: NumPy ints are fine; floats (even whole ones), bools, text
    and generators are named in the message.
    """
    if result is None:
        return None, "your function returned None: did you forget `return`?"
    if isinstance(result, (str, bytes, np.str_)):
        return None, f"your function returned the text {str(result)!r}; return a tuple of ints (height, width)."
    if isinstance(result, (bool, np.bool_)):
        return None, f"your function returned {result!r}, a truth value; return a tuple of ints (height, width)."
    if _is_single_value(result):
        return None, f"your function returned the single number {_number_text(result)}; return a pair (height, width)."
    if inspect.isgenerator(result) or (hasattr(result, "__next__") and not hasattr(result, "shape")):
        return None, ("your function returned a generator: return a tuple, not a generator. (a for ...) in round "
                      "brackets is a generator expression; write tuple(...) around it, or return (height, width).")
    if not isinstance(result, (tuple, list)):
        kind = _library_word(result) if hasattr(result, "shape") else type(result).__name__
        return None, (f"your function returned a {kind} {_short_repr(result)}; return a tuple of ints "
                      f"(height, width), e.g. tuple(int(n) for n in ...).")
    shape = []
    for item in result:
        if isinstance(item, (bool, np.bool_)):
            return None, (f"your shape {_short_repr(tuple(result))} contains {item!r}, a truth value: "
                          f"bool is not a number. Each size is an int.")
        if isinstance(item, numbers.Integral):
            shape.append(int(item))
            continue
        if isinstance(item, numbers.Real):
            value = float(item)
            why = ("a float: did you divide with /? Sizes are ints (use // or int(...))" if value.is_integer()
                   else "not a whole number: a size counts kernel positions, so it is an int")
            return None, f"your shape {_short_repr(tuple(result))} contains {item!r}, {why}."
        return None, (f"your shape {_short_repr(tuple(result))} contains {_short_repr(item)} "
                      f"({type(item).__name__}); each size is an int.")
    return tuple(shape), None


def dtype_mistake(got: Any, wanted: Any, *, source: str, fix: str, verb: str = "is") -> Optional[str]:
    """``None`` when the dtypes agree, else e.g. "your output is float32 but the image is float64: ``fix``."

    ``source`` names what the dtype should come from ("the image"; ``verb="are"`` for "the
    images"); an integer output of a float input is said to drop the fractions.
    """
    got_name, wanted_name = _dtype_name(got), _dtype_name(wanted)
    if got_name == wanted_name:
        return None
    whole = ("int", "uint", "bool")
    drops = got_name.startswith(whole) and not wanted_name.startswith(whole)
    return (f"your output is {got_name} but {source} {verb} {wanted_name}{', which drops the fractions' if drops else ''}: "
            f"{fix}.")


def mistaken_output_shapes(image_shape, kernel_shape, *, kernel_name: str = "kernel.shape",
                           literal_sizes: Sequence[int] = (3,)) -> List[Tuple[Tuple[int, int], str]]:
    """``(shape, why)`` for each classic mistake in the output shape of a 'valid' cross-correlation.

    ``why`` completes "your output is AxB but should be CxD: ...". ``literal_sizes`` are the square
    kernel sizes a learner may have written as a number (those of the visible cases).
    """
    (H, W), (kh, kw) = image_shape, kernel_shape
    mistakes = [((H - kh, W - kw), "did you use H - kh instead of H - kh + 1? The kernel fits H - kh + 1 times.")]
    if kh != kw:
        mixed = (f"use the kernel's height for rows and its width for columns "
                 f"(kh, kw = {kernel_name}; H - kh + 1 rows, W - kw + 1 columns).")
        mistakes += [((H - kh + 1, W - kh + 1), mixed), ((H - kw + 1, W - kw + 1), mixed),
                     ((H - kw + 1, W - kh + 1), mixed)]
    mistakes.append(((H, W), "that is the size of the input: without padding the kernel cannot hang over the "
                             "edge, so the output is (H - kh + 1) x (W - kw + 1)."))
    mistakes += [((H - size + 1, W - size + 1),
                  f"your output has the size for a {size}x{size} kernel: take the sizes from {kernel_name} "
                  f"(kh, kw = {kernel_name}); this kernel is {describe_shape((kh, kw))}.")
                 for size in literal_sizes if (size, size) != (kh, kw)]
    mistakes.append(((H + kh - 1, W + kw - 1),
                     "that is the size of a 'full' convolution (padding kh - 1 and kw - 1 on each side); without "
                     "padding the kernel stays inside the image."))
    return mistakes


def shape_mistake(got: Tuple[int, ...], expected: Tuple[int, ...], image_shape, kernel_shape,
                  *, kernel_name: str = "kernel.shape", literal_sizes: Sequence[int] = (3,),
                  other_answers: Sequence[Tuple[tuple, str]] = ()) -> str:
    """Name the usual cause of a wrong output shape of a 'valid' cross-correlation.

    ``kernel_name`` is where the kernel's size comes from in the learner's code ("kernel.shape",
    "kernel_shape"); ``literal_sizes``: see :func:`mistaken_output_shapes`. When two mistakes give
    the same shape (H - kh for a 1x1 kernel is also the size for a 2x2 one), both are named.
    ``other_answers`` pairs the right shape of another (visible) case with words for that case: a
    function that returns it here was probably written for that case alone.
    """
    prefix = f"your output is {describe_shape(got)} but should be {describe_shape(expected)}"
    if len(got) != 2:
        return f"{prefix}: return a 2-D result (height, width), one value per kernel position."
    reasons = []
    for shape, why in mistaken_output_shapes(image_shape, kernel_shape, kernel_name=kernel_name,
                                             literal_sizes=literal_sizes):
        if got == shape and why not in reasons:
            reasons.append(why)
    if reasons:
        return f"{prefix}: " + " Or: ".join(reasons)
    if got == expected[::-1]:
        return f"{prefix}: height and width are swapped. Rows come first: (H - kh + 1, W - kw + 1)."
    for answer, words in other_answers:
        if got == tuple(answer):
            return (f"{prefix}: {describe_shape(got)} is the answer for {words}, whatever the shapes: compute "
                    f"it from the input's and the kernel's shape.")
    return f"{prefix}: the output has (H - kh + 1) rows and (W - kw + 1) columns."


def _window_sums(image: np.ndarray, kernel: np.ndarray, out_shape, rows: int, cols: int) -> Optional[np.ndarray]:
    """``out[i, j] = (image[i:i + rows, j:j + cols] * kernel).sum()`` with broadcasting, as a loop with
    the wrong window size computes it (NumPy and torch broadcast alike); None where that loop would fail."""
    out = np.zeros(out_shape)
    for i in range(out_shape[0]):
        for j in range(out_shape[1]):
            window = image[i:i + rows, j:j + cols]
            try:
                out[i, j] = np.sum(window * kernel)
            except ValueError:
                return None
    return out


def window_size_mistake(result: np.ndarray, image: np.ndarray, kernel: np.ndarray, close,
                        literal_sizes: Sequence[int] = (3,)) -> Optional[str]:
    """The message for windows that are not kh x kw (the kernel's height and width mixed up, or a
    size written as a number), when ``result`` matches what such a loop computes; else None.

    ``close(a, b)`` says whether two arrays agree within the problem's tolerance."""
    kh, kw = kernel.shape
    candidates = []
    if kh != kw:
        candidates += [
            ((kh, kh), "your column window is kh wide: use the kernel's width for the column window "
                       "(j:j + kw), and its height for the row window (i:i + kh)."),
            ((kw, kw), "your row window is kw tall: use the kernel's height for the row window "
                       "(i:i + kh), and its width for the column window (j:j + kw)."),
            ((kw, kh), "your windows are kw x kh, height and width swapped: the window is "
                       "image[i:i + kh, j:j + kw], with kh, kw = kernel.shape."),
        ]
    candidates += [((size, size), f"your windows are {size}x{size} whatever the kernel: take the sizes from "
                                  f"kernel.shape (kh, kw = kernel.shape) and use image[i:i + kh, j:j + kw].")
                   for size in literal_sizes if (size, size) != (kh, kw)]
    for (rows, cols), message in candidates:
        simulated = _window_sums(image, kernel, result.shape, rows, cols)
        if simulated is not None and close(result, simulated):
            return message
    return None


def feature_map_mistake(result: np.ndarray, expected: np.ndarray, image: np.ndarray, kernel: np.ndarray,
                        *, rtol: float = 1e-4, atol: float = 1e-4, literal_sizes: Sequence[int] = (3,)) -> Optional[str]:
    """``None`` if ``result`` matches ``expected`` (a valid cross-correlation), else the likely cause.

    ``literal_sizes``: the square kernel sizes of the visible cases, which a learner may have
    written as a number (see :func:`mistaken_output_shapes`)."""
    def close(a, b):
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))

    if close(result, expected):
        return None
    if close(result, expected.T):
        return ("your output is the transpose of the right one: out[i, j] should hold the window whose "
                "top-left corner is at row i, column j of the image.")
    if result.shape != expected.shape:
        return shape_mistake(tuple(result.shape), tuple(expected.shape), image.shape, kernel.shape,
                             literal_sizes=literal_sizes)
    if np.isnan(result).any():
        return ("your output contains NaN: is every cell filled? (torch.empty / np.empty leave garbage; "
                "start from zeros, or make sure the loops reach every position)")
    if close(result, convolve2d(image, kernel)):
        return ("your result equals the convolution with a flipped kernel: cross-correlation does not flip. "
                "Multiply X[i + a, j + b] by K[a, b].")
    if kernel.shape[0] == kernel.shape[1] and close(result, corr2d(image, kernel.T)):
        return "your result uses the transposed kernel: pair X[i + a, j + b] with K[a, b], not K[b, a]."
    window = window_size_mistake(result, image, kernel, close, literal_sizes)
    if window is not None:
        return window
    wrong = ~np.isclose(result, expected, rtol=rtol, atol=atol)
    if wrong[-1, :].all() and not wrong[:-1, :].any() and np.all(result[-1, :] == 0):
        return "the last row is still zero: does your row loop stop one position early?"
    if wrong[:, -1].all() and not wrong[:, :-1].any() and np.all(result[:, -1] == 0):
        return "the last column is still zero: does your column loop stop one position early?"
    i, j = np.argwhere(wrong)[0]
    return (f"the value at ({i}, {j}) is {result[i, j]:.6g} but should be {expected[i, j]:.6g} "
            f"(max |diff| = {np.max(np.abs(result - expected)):.3g}). Check which window of X you multiply "
            f"with K: it should be X[i:i + kh, j:j + kw].")
