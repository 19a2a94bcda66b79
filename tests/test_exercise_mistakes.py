"""One catalogue of typical wrong implementations, run against every coding exercise it applies to.

Most wrong implementations are the problem's own reference solution (its ``solution_text``) with
one realistic edit, such as ``j:j + kw`` -> ``j:j + kh``; the rest wrap the reference (its result
transposed, cast to float32, made complex, ...). An edit whose text no longer occurs in the
solution fails the test, so the catalogue cannot silently stop testing a mistake.

Each wrong implementation must be refused, with the diagnosis that names its mistake (that every
reference solution passes is tests/test_exercise_solutions.py's table). The file also checks that
the hidden cases vary what each exercise statement leaves free: kernel shapes (tall, wide, 1x1, larger), non-square inputs and,
where the statement says how the dtype behaves, a second dtype.
"""
from __future__ import annotations

import re
from typing import Callable, Dict, List, Tuple

import numpy as np
import pytest
import torch

# The catalogue calls the shared helpers by short names: reference(P), edited(P, (old, new), ...).
from conftest import assert_feedback_for, edited_solution as edited, reference_function as reference, run_check
from course_utils.exercises import (LESSON_PROBLEMS, CodingProblem, Conv2dTorchProblem, ConvMatrixProblem,
                                    Convolve1dProblem, Corr2dMultiInOutProblem, DilateKernelProblem,
                                    HorizontalEdgesProblem, Im2colProblem, KernelGradientProblem,
                                    OutputShapeProblem, OutputSizeProblem, Pool2dByOffsetsProblem,
                                    ReceptiveFieldRecurrenceProblem, ShiftRightProblem)
from course_utils.exercises import DepthwiseCorr2dProblem, IsSeparableProblem
from course_utils.exercises import InputGradientProblem

CODING_PROBLEMS = [cls for classes in LESSON_PROBLEMS.values() for cls in classes if issubclass(cls, CodingProblem)]


def wrapped(problem_class, change: Callable) -> Callable:
    """The reference solution with ``change`` applied to its result."""
    right = reference(problem_class)
    return lambda *args: change(right(*args))


def with_flipped_kernel(problem_class, kernel_index: int) -> Callable:
    """The reference solution called with the kernel flipped (rotated by 180 degrees): a true convolution."""
    right = reference(problem_class)

    def flipped(*args):
        args = list(args)
        kernel = args[kernel_index]
        args[kernel_index] = torch.flip(kernel, (-2, -1)) if isinstance(kernel, torch.Tensor) else kernel[..., ::-1, ::-1]
        return right(*args)

    return flipped


# -- changes to a result, for numpy arrays and torch tensors alike ----------------------------

def transposed(result):
    return result.transpose(-2, -1).contiguous() if isinstance(result, torch.Tensor) else np.swapaxes(result, -2, -1)


def as_float32(result):
    return result.to(torch.float32) if isinstance(result, torch.Tensor) else result.astype(np.float32)


def last_row_zero(result):
    result = result.clone() if isinstance(result, torch.Tensor) else np.array(result, dtype=float)
    result[..., -1, :] = 0
    return result


def as_complex(result):
    return result.to(torch.complex64) if isinstance(result, torch.Tensor) else np.asarray(result) + 0j


def single_number(result):
    return float(np.sum(np.asarray(result, dtype=float)))


def zero_d_array(result):
    return np.asarray(np.sum(np.asarray(result, dtype=float)))


def rows_as_tensors(result):
    return [torch.as_tensor(np.asarray(row, dtype=float)) for row in np.asarray(result, dtype=float)]


def ragged_rows(result):
    result = np.asarray(result, dtype=float)
    rows = result.reshape(-1, result.shape[-1]).tolist()
    rows.append(rows[-1][:-1])  # a last row one value short
    return rows


def as_generator(result):
    return (row for row in result)


def as_booleans(result):
    return np.asarray(result, dtype=float) > 0


# -- the catalogue --------------------------------------------------------------------------------
#
# mistake -> {problem class: (make the wrong implementation, the diagnosis: a regular expression that
# must match the printed feedback)}. A mistake lists every coding problem it applies to.

Entry = Tuple[Callable[[], Callable], str]
CATALOGUE: Dict[str, Dict[type, Entry]] = {
    "kh and kw mixed up": {
        Conv2dTorchProblem: (lambda: edited(Conv2dTorchProblem, ("j:j + kw", "j:j + kh")), re.escape(
            "Not yet: On a hidden case, image 9x7, kernel 2x1, float64: your column window is kh wide: use the "
            "kernel's width for the column window (j:j + kw), and its height for the row window (i:i + kh).\n")),
        OutputShapeProblem: (lambda: edited(OutputShapeProblem, ("kh, kw = kernel_shape", "kw, kh = kernel_shape")),
                             re.escape("On input 6x8, kernel 1x2: your output is 5x8 but should be 6x7: use the "
                                       "kernel's height for rows and its width for columns")),
        ConvMatrixProblem: (lambda: edited(ConvMatrixProblem, ("oh, ow = h - kh + 1, w - kw + 1",
                                                               "oh, ow = h - kw + 1, w - kh + 1")),
                            r"K with shape \(2, 3\), input_shape = \(4, 5\): your matrix has 8 rows, but the output "
                            r"has 3x3 = 9 positions, one row each: use the kernel's height for rows"),
        HorizontalEdgesProblem: (lambda: edited(HorizontalEdgesProblem, ("np.array([[1.0], [-1.0]])",
                                                                         "np.array([[1.0, -1.0]])")),
                                 r"\(H, W - 1\): that is the vertical-edge map of a 1x2 kernel"),
        # Swapping the dense kernel's size needs a transposed kernel to fit: the result is transposed.
        DilateKernelProblem: (lambda: edited(DilateKernelProblem,
                                             ("np.zeros((d * (kh - 1) + 1, d * (kw - 1) + 1)",
                                              "np.zeros((d * (kw - 1) + 1, d * (kh - 1) + 1)"),
                                             ("dense[::d, ::d] = kernel ", "dense[::d, ::d] = kernel.T ")),
                              r"your kernel is transposed: tap kernel\[a, b\] belongs at row d \* a"),
        Pool2dByOffsetsProblem: (lambda: edited(Pool2dByOffsetsProblem, ("p_h, p_w = pool_size", "p_w, p_h = pool_size")),
                                 r"a 2x3 window: your output has shape \(3, 5\): p_h and p_w are swapped"),
        Im2colProblem: (lambda: edited(Im2colProblem, ("cols[a * k + b]", "cols[b * k + a]")),
                        r"the taps are in the wrong order: row a \* k \+ b must hold tap \(a, b\)"),
    },
    "the row window's size taken from kw": {
        Conv2dTorchProblem: (lambda: edited(Conv2dTorchProblem, ("i:i + kh", "i:i + kw")), re.escape(
            "Not yet: On a hidden case, image 9x7, kernel 2x1, float64: your row window is kw tall: use the "
            "kernel's height for the row window (i:i + kh), and its width for the column window (j:j + kw).\n")),
    },
    "windows of kw x kh": {
        Conv2dTorchProblem: (lambda: edited(Conv2dTorchProblem, ("image[i:i + kh, j:j + kw]", "image[i:i + kw, j:j + kh]")),
                             re.escape("image 9x7, kernel 2x1, float64: your windows are kw x kh, height and width "
                                       "swapped: the window is image[i:i + kh, j:j + kw]")),
    },
    "windows written as 3x3": {
        Conv2dTorchProblem: (lambda: edited(Conv2dTorchProblem, ("image[i:i + kh, j:j + kw]", "image[i:i + 3, j:j + 3]")),
                             re.escape("image 6x5, kernel 1x1: your windows are 3x3 whatever the kernel: take the "
                                       "sizes from kernel.shape")),
    },
    "both sizes read the wrong way round": {
        Conv2dTorchProblem: (lambda: edited(Conv2dTorchProblem, ("kh, kw = kernel.shape", "kw, kh = kernel.shape")),
                             re.escape("image 9x7, kernel 2x1, float64: your output is 9x6 but should be 8x7: use "
                                       "the kernel's height for rows and its width for columns")),
    },
    "kernel size written as a number": {
        Conv2dTorchProblem: (lambda: edited(Conv2dTorchProblem, ("kh, kw = kernel.shape", "kh, kw = 3, 3")), re.escape(
            "Not yet: On a hidden case, image 6x5, kernel 1x1: your output is 4x3 but should be 6x5: your output has "
            "the size for a 3x3 kernel: take the sizes from kernel.shape (kh, kw = kernel.shape); this kernel is "
            "1x1.\n")),
        OutputShapeProblem: (lambda: edited(OutputShapeProblem, ("kh, kw = kernel_shape", "kh, kw = 3, 3")),
                             re.escape("your output is 4x6 but should be 6x7: your output has the size for a 3x3 "
                                       "kernel: take the sizes from kernel_shape")),
        Convolve1dProblem: (lambda: edited(Convolve1dProblem, ("len(x) + len(w) - 1)", "len(x) + 2)")),
                            re.escape("len(x) = 5, len(w) = 1: your output has len(x) + 2 = 7 entries, the length "
                                      "for a kernel of 3 taps, but this w has 1")),
        ConvMatrixProblem: (lambda: edited(ConvMatrixProblem, ("oh, ow = h - kh + 1, w - kw + 1", "oh, ow = h - 1, w - 1")),
                            r"K with shape \(1, 1\).*your output has the size for a 2x2 kernel: take the sizes from "
                            r"K\.shape"),
        OutputSizeProblem: (lambda: edited(OutputSizeProblem, ("- k)", "- 3)")),
                            r"n = 28, k = 5, p = 2, s = 1: your function returned 30 instead of 28: that is the size "
                            r"for a kernel of length 3 whatever k is"),
        DilateKernelProblem: (lambda: edited(DilateKernelProblem, ("d * (kh - 1) + 1, d * (kw - 1) + 1", "2 * d + 1, 2 * d + 1"),
                                             ("dense[::d, ::d] = kernel ",
                                              "dense[:d * (kh - 1) + 1:d, :d * (kw - 1) + 1:d] = kernel ")),
                              r"a 2x3 kernel with d = 3: your kernel is 7x7, the size for a 3x3 kernel, but this "
                              r"kernel is 2x3"),
        Pool2dByOffsetsProblem: (lambda: edited(Pool2dByOffsetsProblem, ("p_h, p_w = pool_size", "p_h, p_w = 2, 2")),
                                 r"your output has shape \(4, 5\), the size for a 2x2 window, but this window is 2x3"),
        ReceptiveFieldRecurrenceProblem: (lambda: edited(ReceptiveFieldRecurrenceProblem, ("(k - 1) * d * j", "(3 - 1) * d * j")),
                                          r"hidden case, layers = \[\(2, 1, 1\), \(2, 1, 1\)\]: those are the sizes for "
                                          r"kernels of size 3"),
    },
    "a fixed output dtype": {
        Conv2dTorchProblem: (lambda: edited(Conv2dTorchProblem, ("dtype=image.dtype", "dtype=torch.float32")), re.escape(
            "Not yet: On a hidden case, image 9x7, kernel 2x1, float64: your output is float32 but the image is "
            "float64: create it with dtype=image.dtype.\n")),
        ShiftRightProblem: (lambda: edited(ShiftRightProblem, ("np.zeros_like(images)", "np.zeros_like(images, dtype=np.float32)")),
                            re.escape("On images of shape (1, 3, 4), k = 1: your output is float32 but the images "
                                      "are float64: create it with np.zeros_like(images), which keeps the dtype.")),
        Convolve1dProblem: (lambda: edited(Convolve1dProblem, ("np.zeros(len(x) + len(w) - 1)",
                                                               "np.zeros(len(x) + len(w) - 1, dtype=int)")),
                            r"your output is int64 but x\[i\] \* w\[k\] is float64, which drops the fractions"),
        DilateKernelProblem: (lambda: edited(DilateKernelProblem, ("dtype=kernel.dtype", "dtype=int")),
                              r"your output is int64 but the kernel is float64, which drops the fractions: create it "
                              r"with dtype=kernel\.dtype"),
    },
    "the default dtype (float32 in torch, float64 in NumPy)": {
        Conv2dTorchProblem: (lambda: edited(Conv2dTorchProblem, (", dtype=image.dtype", "")),
                             r"image 9x7, kernel 2x1, float64: your output is float32 but the image is float64"),
        ShiftRightProblem: (lambda: edited(ShiftRightProblem, ("np.zeros_like(images)", "np.zeros(images.shape)")),
                            r"images of shape \(2, 5, 6\), float32, k = 2: your output is float64 but the images are "
                            r"float32"),
    },
    "flipped kernel": {
        Conv2dTorchProblem: (lambda: with_flipped_kernel(Conv2dTorchProblem, 1),
                             r"your result equals the convolution with a flipped kernel"),
        Convolve1dProblem: (lambda: edited(Convolve1dProblem, ("x[i] * w[k]", "x[i] * w[len(w) - 1 - k]")),
                            r"your result is the cross-correlation: w is not flipped"),
        ConvMatrixProblem: (lambda: edited(ConvMatrixProblem, ("= K[a, b]", "= K[kh - 1 - a, kw - 1 - b]")),
                            r"your matrix holds the kernel rotated by 180 degrees"),
        HorizontalEdgesProblem: (lambda: edited(HorizontalEdgesProblem, ("[[1.0], [-1.0]]", "[[-1.0], [1.0]]")),
                                 r"your map has the opposite sign"),
        KernelGradientProblem: (lambda: edited(KernelGradientProblem, ("cu.corr2d(X, residual)", "cu.convolve2d(X, residual)")),
                                r"you flipped the residual \(a true convolution\)"),
        DilateKernelProblem: (lambda: edited(DilateKernelProblem, ("dense[::d, ::d] = kernel ", "dense[::d, ::d] = kernel[::-1, ::-1] ")),
                              r"your taps are in reverse order, the kernel flipped"),
        Corr2dMultiInOutProblem: (lambda: edited(Corr2dMultiInOutProblem, ("cu.corr2d(x, k)", "cu.convolve2d(x, k)")),
                                  r"your result is a true convolution \(flipped kernels\)"),
        ShiftRightProblem: (lambda: edited(ShiftRightProblem, ("shifted[..., k:] = images[..., :images.shape[-1] - k]",
                                                               "shifted[..., :images.shape[-1] - k] = images[..., k:]")),
                            r"the images moved left"),
    },
    "off by one (H - kh)": {
        Conv2dTorchProblem: (lambda: edited(Conv2dTorchProblem, ("(H - kh + 1, W - kw + 1)", "(H - kh, W - kw)"),
                                            ("range(H - kh + 1)", "range(H - kh)"), ("range(W - kw + 1)", "range(W - kw)")),
                             re.escape("On image 8x8, kernel 3x3: your output is 5x5 but should be 6x6: did you use "
                                       "H - kh instead of H - kh + 1?")),
        OutputShapeProblem: (lambda: edited(OutputShapeProblem, ("(H - kh + 1, W - kw + 1)", "(H - kh, W - kw)")),
                             r"your output is 5x6 but should be 6x7: did you use H - kh instead of H - kh \+ 1\?"),
        ConvMatrixProblem: (lambda: edited(ConvMatrixProblem, ("oh, ow = h - kh + 1, w - kw + 1", "oh, ow = h - kh, w - kw")),
                            r"your matrix has 1 row, but the output has 2x2 = 4 positions, one row each: did you use "
                            r"H - kh"),
        HorizontalEdgesProblem: (lambda: wrapped(HorizontalEdgesProblem, lambda Y: Y[:-1]),
                                 r"H - 2 = 6 rows: either your kernel is 3 rows tall .* or your loop over rows stops "
                                 r"one early"),
        OutputSizeProblem: (lambda: edited(OutputSizeProblem, ("// s + 1", "// s")), r"the \+ 1 is missing"),
        DilateKernelProblem: (lambda: edited(DilateKernelProblem, ("d * (kh - 1) + 1, d * (kw - 1) + 1", "d * kh, d * kw")),
                              r"k \* d per axis: it has 1 extra row and column of zeros after the last tap"),
        Corr2dMultiInOutProblem: (lambda: wrapped(Corr2dMultiInOutProblem, lambda Y: Y[:, :-1, :-1]),
                                  r"in each output channel, your output is 1x1 but should be 2x2: did you use H - kh"),
        Pool2dByOffsetsProblem: (lambda: edited(Pool2dByOffsetsProblem, ("- p_h + 1, X.shape[1] - p_w + 1",
                                                                         "- p_h, X.shape[1] - p_w")),
                                 r"your output has shape \(1, 1\), one row and one column too few"),
        ReceptiveFieldRecurrenceProblem: (lambda: edited(ReceptiveFieldRecurrenceProblem, ("r, j, sizes = 1, 1, []",
                                                                                           "r, j, sizes = 0, 1, []")),
                                          r"every size is one too small: start from r = 1"),
        Im2colProblem: (lambda: edited(Im2colProblem, ("X.shape[0] - k + 1, X.shape[1] - k + 1", "X.shape[0] - k, X.shape[1] - k")),
                        r"one output position short along each axis"),
    },
    "transposed output": {
        Conv2dTorchProblem: (lambda: wrapped(Conv2dTorchProblem, transposed), r"your output is the transpose of the right one"),
        OutputShapeProblem: (lambda: edited(OutputShapeProblem, ("(H - kh + 1, W - kw + 1)", "(W - kw + 1, H - kh + 1)")),
                             r"height and width are swapped"),
        ConvMatrixProblem: (lambda: wrapped(ConvMatrixProblem, transposed), r"= \(h \* w, oh \* ow\): its transpose is right"),
        HorizontalEdgesProblem: (lambda: wrapped(HorizontalEdgesProblem, transposed), r"your map is the right one transposed"),
        KernelGradientProblem: (lambda: wrapped(KernelGradientProblem, transposed), r"the kernel's shape transposed"),
        DilateKernelProblem: (lambda: wrapped(DilateKernelProblem, transposed), r"your kernel is transposed"),
        Corr2dMultiInOutProblem: (lambda: wrapped(Corr2dMultiInOutProblem, transposed), r"every output map is transposed"),
        Pool2dByOffsetsProblem: (lambda: wrapped(Pool2dByOffsetsProblem, transposed), r"your output is the right one transposed"),
        Im2colProblem: (lambda: wrapped(Im2colProblem, transposed), r"rows and columns are swapped"),
        InputGradientProblem: (lambda: wrapped(InputGradientProblem, transposed),
                               r"your result is the right one transposed"),
    },
    "the kernel not rotated for the input's gradient": {
        InputGradientProblem: (lambda: edited(InputGradientProblem, ("K[::-1, ::-1]", "K")),
                               r"your kernel is not rotated: that correlates the padded grad_Y with K itself"),
    },
    "no padding: a valid correlation where a full one is needed": {
        InputGradientProblem: (lambda: edited(InputGradientProblem, ("np.pad(grad_Y, ((kh - 1, kh - 1), (kw - 1, kw - 1)))",
                                                                     "grad_Y")),
                               r"your result is 1x1, a 'valid' correlation that shrinks grad_Y"),
    },
    "the last row or column forgotten": {
        Conv2dTorchProblem: (lambda: edited(Conv2dTorchProblem, ("range(H - kh + 1)", "range(H - kh)")),
                             r"On image 8x8, kernel 3x3: the last row is still zero: does your row loop stop one"),
        Convolve1dProblem: (lambda: edited(Convolve1dProblem, ("range(len(x))", "range(len(x) - 1)")),
                            r"x\[-1\] is never added: the loop over i must run over range\(len\(x\)\)"),
        ConvMatrixProblem: (lambda: edited(ConvMatrixProblem, ("for j in range(ow):", "for j in range(ow - 1):")),
                            r"the rows of the last output column \(j = ow - 1 = 1\) are all zero"),
        HorizontalEdgesProblem: (lambda: wrapped(HorizontalEdgesProblem, last_row_zero),
                                 r"the last row of your map is still zero: does your loop stop one row early\?"),
        Pool2dByOffsetsProblem: (lambda: edited(Pool2dByOffsetsProblem, ("for b in range(p_w):", "for b in range(p_w - 1):")),
                                 r"the last column of every window is left out"),
        Im2colProblem: (lambda: edited(Im2colProblem, ("np.empty", "np.zeros"), ("for a in range(k):", "for a in range(k - 1):")),
                        r"the rows of the kernel's last row of taps \(a = k - 1 = 1, rows 2 to 3\) are wrong"),
    },
    "the last output row never filled": {
        ConvMatrixProblem: (lambda: edited(ConvMatrixProblem, ("for i in range(oh):", "for i in range(oh - 1):")),
                            r"the rows of the last output row \(i = oh - 1 = 1\) are all zero"),
        Pool2dByOffsetsProblem: (lambda: wrapped(Pool2dByOffsetsProblem, last_row_zero),
                                 r"the last row of your output is never filled"),
    },
}

#: The problems whose function returns an array; each gets every result-kind mistake below.
ARRAY_PROBLEMS = [Conv2dTorchProblem, Convolve1dProblem, ConvMatrixProblem, HorizontalEdgesProblem,
                  KernelGradientProblem, DilateKernelProblem, Corr2dMultiInOutProblem, Pool2dByOffsetsProblem,
                  ShiftRightProblem, Im2colProblem, InputGradientProblem]

#: result kind -> (change to the right result, the diagnosis); every array problem must name what was returned.
RESULT_KINDS = {
    "complex": (as_complex, r"your output is complex \(complex(64|128)\), but the result of real inputs is real"),
    "single number": (single_number, r"your function returned a single number -?[\d.e+-]+, not a"),
    "0-d array": (zero_d_array, r"your function returned a single number -?[\d.e+-]+, not a"),
    "None": (lambda result: None, r"your function returned None: did you forget return"),
    "generator": (as_generator, r"your function returned a generator \(or iterator\), not a"),
    "list of tensors": (rows_as_tensors, r"your function returned a Python list of \d+ torch tensors?, not one array"),
    "ragged rows": (ragged_rows, r"your function returned a Python list of \d+ lists of different lengths"),
    "booleans": (as_booleans, r"your output holds True/False values \(dtype bool\)"),
    "text": (lambda result: "result", r"your function returned the text 'result', not a"),
}
# Lesson 14: depthwise correlation from corr2d, and the separability test.
ARRAY_PROBLEMS.append(DepthwiseCorr2dProblem)
CATALOGUE["flipped kernel"][DepthwiseCorr2dProblem] = (
    lambda: edited(DepthwiseCorr2dProblem, ("cu.corr2d(x, k)", "cu.convolve2d(x, k)")),
    r"your result is a true convolution \(each kernel flipped\)")
CATALOGUE["transposed output"][DepthwiseCorr2dProblem] = (
    lambda: wrapped(DepthwiseCorr2dProblem, transposed), r"every channel's map is transposed")
CATALOGUE["off by one (H - kh)"][DepthwiseCorr2dProblem] = (
    lambda: wrapped(DepthwiseCorr2dProblem, lambda Y: Y[:, :-1, :-1]),
    r"in each channel, your output is 1x1 but should be 2x2: did you use H - kh")
CATALOGUE["depthwise: the channel maps added"] = {DepthwiseCorr2dProblem: (
    lambda: edited(DepthwiseCorr2dProblem, ("return np.stack(maps)", "return sum(maps)")),
    r"you added the 2 channel maps into one: that is the ordinary multi-channel correlation")}
CATALOGUE["depthwise: one kernel for every channel"] = {DepthwiseCorr2dProblem: (
    lambda: edited(DepthwiseCorr2dProblem, ("zip(X, K)", "zip(X, [K[0]] * len(X))")), r"every channel used K\[0\]")}
CATALOGUE["separable: s[1] tested for exactly 0"] = {IsSeparableProblem: (
    lambda: edited(IsSeparableProblem, ("s[1] <= 1e-8 * s[0]", "s[1] == 0")),
    r"On the Sobel kernel: .* rounding leaves s\[1\] = 3\.5e-16, not exactly 0")}
CATALOGUE["separable: a fixed threshold"] = {IsSeparableProblem: (
    lambda: edited(IsSeparableProblem, ("s[1] <= 1e-8 * s[0]", "s[1] <= 1e-8")),
    r"entries are about 1e-9: .* compare s\[1\] with s\[0\], not with a fixed number")}
CATALOGUE["separable: s[1] / s[0] for an all-zero kernel"] = {IsSeparableProblem: (
    lambda: edited(IsSeparableProblem, ("s[1] <= 1e-8 * s[0]", "s[1] / s[0] <= 1e-8")),
    r"an all-zero 2x2 kernel: .* s\[1\] / s\[0\] is 0 / 0 = nan")}
for kind, (change, message) in RESULT_KINDS.items():
    CATALOGUE[f"returned {kind}"] = {
        problem_class: ((lambda problem_class=problem_class, change=change: wrapped(problem_class, change)), message)
        for problem_class in ARRAY_PROBLEMS
    }

SHAPE_RESULTS = {
    "a generator": (lambda: (lambda x, k: (a - b + 1 for a, b in zip(x, k))),
                    r"your function returned a generator: return a tuple, not a generator"),
    "a number that is not whole": (lambda: (lambda x, k: (x[0] - k[0] + 1.5, x[1] - k[1] + 1)),
                                   re.escape("your shape (6.5, 7) contains 6.5, not a whole number")),
    "a whole float": (lambda: (lambda x, k: ((x[0] - k[0]) / 1 + 1, x[1] - k[1] + 1)),
                      re.escape("your shape (6.0, 7) contains 6.0, a float: did you divide with /?")),
    "a bool": (lambda: (lambda x, k: (True, x[1] - k[1] + 1)), r"contains True, a truth value: bool is not a number"),
    "a NumPy array": (lambda: (lambda x, k: np.array(x) - np.array(k) + 1),
                      r"returned a NumPy array array\(\[6, 7\]\); return a tuple of ints"),
    "a single number": (lambda: (lambda x, k: x[0] - k[0] + 1), r"returned the single number 6; return a pair"),
    "the answer of the visible case": (lambda: (lambda x, k: (2, 2)),
                                       r"2x2 is the answer for input 3x3 and kernel 2x2, whatever the shapes"),
}
for kind, (make, message) in SHAPE_RESULTS.items():
    CATALOGUE[f"shape as {kind}"] = {OutputShapeProblem: (make, message)}

CATALOGUE_CASES = [(mistake, problem_class) for mistake, entries in CATALOGUE.items() for problem_class in entries]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # a learner's 0 / 0 warns; the diagnosis is what counts
@pytest.mark.parametrize("mistake, problem_class", CATALOGUE_CASES,
                         ids=[f"{mistake}-{cls.__name__}" for mistake, cls in CATALOGUE_CASES])
def test_wrong_implementation_is_refused_with_its_diagnosis(mistake, problem_class, capsys):
    make_wrong, diagnosis = CATALOGUE[mistake][problem_class]
    assert_feedback_for(problem_class(), make_wrong(), diagnosis, capsys)


def test_the_catalogue_covers_every_coding_problem():
    covered = {cls for entries in CATALOGUE.values() for cls in entries}
    assert covered == set(CODING_PROBLEMS)


SHAPE_ENTRIES = ("kh and kw mixed up", "kernel size written as a number", "off by one (H - kh)", "transposed output")


@pytest.mark.parametrize("mistake", SHAPE_ENTRIES)
def test_the_kernel_shape_mistakes_reach_the_kernel_problems(mistake):
    # conv2d, the shape warm-up, the conv matrix and pooling each read a kernel's (or window's) height and width
    for problem_class in (Conv2dTorchProblem, OutputShapeProblem, ConvMatrixProblem, Pool2dByOffsetsProblem):
        assert problem_class in CATALOGUE[mistake], (mistake, problem_class.__name__)


# -- a shape of numpy ints ------------------------------------------------------------------------------

def test_a_shape_of_numpy_ints_or_a_list_is_right(capsys):
    for answer in (lambda x, k: (np.int64(x[0] - k[0] + 1), np.int32(x[1] - k[1] + 1)),
                   lambda x, k: [x[0] - k[0] + 1, x[1] - k[1] + 1]):
        result, text = run_check(OutputShapeProblem(), answer, capsys)
        assert result is True, text


# -- what the hidden cases vary ----------------------------------------------------------------------

def _shape(value) -> Tuple[int, ...]:
    return tuple(getattr(value, "shape", value))


#: problem -> (the kernel's (height, width) in a case, the input's (height, width) in a case)
GEOMETRY: Dict[type, Tuple[Callable, Callable]] = {
    Conv2dTorchProblem: (lambda args: _shape(args[1]), lambda args: _shape(args[0])),
    OutputShapeProblem: (lambda args: tuple(args[1]), lambda args: tuple(args[0])),
    ConvMatrixProblem: (lambda args: _shape(args[0]), lambda args: tuple(args[1])),
    KernelGradientProblem: (lambda args: _shape(args[2]), lambda args: _shape(args[0])),
    DilateKernelProblem: (lambda args: _shape(args[0]), None),
    Corr2dMultiInOutProblem: (lambda args: _shape(args[1])[2:], lambda args: _shape(args[0])[1:]),
    Pool2dByOffsetsProblem: (lambda args: tuple(args[1]), lambda args: _shape(args[0])),
    HorizontalEdgesProblem: (None, lambda args: _shape(args[0])),  # the kernel is part of the task: 2x1
    Im2colProblem: (lambda args: (args[1], args[1]), lambda args: _shape(args[0])),  # a k x k kernel, by statement
    ShiftRightProblem: (None, lambda args: _shape(args[0])[1:]),
    InputGradientProblem: (lambda args: _shape(args[1]), lambda args: _shape(args[0])),
}
SQUARE_KERNEL_BY_STATEMENT = {Im2colProblem}
GEOMETRY[DepthwiseCorr2dProblem] = (lambda args: _shape(args[1])[1:], lambda args: _shape(args[0])[1:])


def _cases(problem_class, hidden: bool) -> List:
    return [case for case in problem_class().cases() if case.hidden == hidden]


@pytest.mark.parametrize("problem_class", [cls for cls, (kernel, _) in GEOMETRY.items() if kernel],
                         ids=lambda cls: cls.__name__)
def test_hidden_kernels_are_tall_wide_1x1_and_larger(problem_class):
    kernel_of = GEOMETRY[problem_class][0]
    hidden = [kernel_of(case.args) for case in _cases(problem_class, True)]
    visible = [kernel_of(case.args) for case in _cases(problem_class, False)]
    assert (1, 1) in hidden, hidden
    assert max(kh * kw for kh, kw in hidden) > max(kh * kw for kh, kw in visible), (hidden, visible)
    if problem_class not in SQUARE_KERNEL_BY_STATEMENT:
        assert any(kh > kw for kh, kw in hidden) and any(kh < kw for kh, kw in hidden), hidden


@pytest.mark.parametrize("problem_class", [cls for cls, (_, image) in GEOMETRY.items() if image],
                         ids=lambda cls: cls.__name__)
def test_hidden_inputs_include_non_square_ones(problem_class):
    image_of = GEOMETRY[problem_class][1]
    hidden = [image_of(case.args) for case in _cases(problem_class, True)]
    assert any(h != w for h, w in hidden), hidden


def test_one_dimensional_problems_vary_the_kernel_length():
    kernel_lengths = {
        Convolve1dProblem: lambda args: len(args[1]),
        OutputSizeProblem: lambda args: args[1],
        ReceptiveFieldRecurrenceProblem: lambda args: min(k for k, s, d in args[0]),
    }
    for problem_class, length_of in kernel_lengths.items():
        visible = {length_of(case.args) for case in _cases(problem_class, False)}
        hidden = {length_of(case.args) for case in _cases(problem_class, True)}
        assert hidden - visible, (problem_class.__name__, visible, hidden)


#: problem -> the dtype of a case's input, for the statements that say how the dtype behaves:
#: conv2d "returns a new tensor of the same dtype as image"; shift_right returns "the same shape and dtype".
DTYPE_OF = {
    Conv2dTorchProblem: lambda args: str(args[0].dtype).replace("torch.", ""),
    ShiftRightProblem: lambda args: str(args[0].dtype),
}


@pytest.mark.parametrize("problem_class", list(DTYPE_OF), ids=lambda cls: cls.__name__)
def test_hidden_cases_add_a_dtype_where_the_statement_fixes_it(problem_class):
    dtype_of = DTYPE_OF[problem_class]
    visible = {dtype_of(case.args) for case in _cases(problem_class, False)}
    hidden = {dtype_of(case.args) for case in _cases(problem_class, True)}
    assert hidden - visible, (visible, hidden)
    every = visible | hidden
    assert any(d.startswith("float") for d in every) and any(d.startswith("int") for d in every), every
    assert {"float32", "float64"} <= every, every


def test_conv2d_visible_cases_are_the_ones_the_lesson_announces():
    cases = _cases(Conv2dTorchProblem, False)
    assert [_shape(case.args[0]) for case in cases] == [(8, 8), (12, 10), (10, 10), (12, 8)]
    assert all(_shape(case.args[1]) == (3, 3) and case.args[0].dtype == torch.float32 for case in cases)


def test_kernels_are_asymmetric_so_flips_and_transposes_show():
    kernels = {
        Conv2dTorchProblem: lambda args: args[1].numpy(),
        ConvMatrixProblem: lambda args: args[0],
        DilateKernelProblem: lambda args: args[0],
        KernelGradientProblem: lambda args: args[2],
        InputGradientProblem: lambda args: args[1],
    }
    for problem_class, kernel_of in kernels.items():
        for case in problem_class().cases():
            kernel = np.asarray(kernel_of(case.args), dtype=float)
            if kernel.size > 1:
                assert not np.array_equal(kernel, kernel[::-1, ::-1]), (problem_class.__name__, case.label)
                if kernel.shape[0] == kernel.shape[1]:
                    assert not np.array_equal(kernel, kernel.T), (problem_class.__name__, case.label)
