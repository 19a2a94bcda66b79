"""The exercise posed by the PyTorch source: ``conv2d(image, kernel)`` for torch tensors.

Images of shapes (8, 8), (12, 10), (10, 10) and (12, 8) with float32 3x3 kernels are the
visible cases, as the lesson announces. The hidden cases vary everything the statement leaves
free: kernel shapes 1x1, 2x1, 1x2, 2x3, 3x2, 5x4 and one as large as the image, non-square
images, and float64 and int64 tensors (the result keeps the image's dtype). Kernels are
asymmetric, so a flipped or transposed kernel gives a different answer and can be diagnosed.
"""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..arrays import to_numpy
from ..ops import corr2d
from .diagnosis import describe_container, describe_shape, dtype_mistake, feature_map_mistake, real_array_or_mistake
from .problems import Case, CodingProblem, lesson_exercise

VISIBLE_IMAGE_SHAPES = [(8, 8), (12, 10), (10, 10), (12, 8)]
#: (image shape, kernel shape, dtype), in the order they run. A 1x1 kernel comes first and then
#: kernels with a side of 1: a kernel size written as 3, or kh and kw mixed up, then gives a wrong
#: shape or wrong values (diagnosed by name) rather than a broadcasting error.
HIDDEN_CASES = [
    ((6, 5), (1, 1), "float32"),
    ((9, 7), (2, 1), "float64"),
    ((6, 11), (1, 2), "int64"),
    ((5, 17), (2, 3), "float32"),
    ((7, 10), (3, 2), "float64"),
    ((16, 9), (5, 4), "int64"),
    ((4, 3), (4, 3), "float32"),  # the kernel covers the image: one output
]


@lesson_exercise("03_cross_correlation_and_conv_layers", 1)
class Conv2dTorchProblem(CodingProblem):
    """``conv2d(image, kernel)``: 'valid' 2-D cross-correlation of torch tensors, as ``F.conv2d`` computes.

    Hidden cases: 1x1, 2x1, 1x2, 2x3, 3x2 and 5x4 kernels and one as large as the image, on
    non-square images, in float32, float64 and int64 (the output must keep the image's dtype).
    """

    argument_names = ("image", "kernel")
    function_name = "conv2d"
    title = "2-D cross-correlation of torch tensors, from scratch"
    hints = [
        "The output has one value per position where the kh x kw kernel fits inside the image: "
        "(H - kh + 1) x (W - kw + 1). Create it with torch.zeros(..., dtype=image.dtype).",
        "Loop over output rows i and columns j. The window under the kernel is image[i:i + kh, j:j + kw].",
        "Each output value is (window * kernel).sum(): multiply element by element, then add up. "
        "Do not flip the kernel.",
    ]
    solution_text = """
        def conv2d(image, kernel):
            H, W = image.shape
            kh, kw = kernel.shape
            out = torch.zeros((H - kh + 1, W - kw + 1), dtype=image.dtype)
            for i in range(H - kh + 1):
                for j in range(W - kw + 1):
                    out[i, j] = (image[i:i + kh, j:j + kw] * kernel).sum()
            return out
    """

    def cases(self) -> List[Case]:
        import torch  # only this exercise needs PyTorch

        rng = np.random.default_rng(2024)

        def tensor(shape, dtype):
            if dtype == "int64":  # integer data: exact arithmetic
                return torch.from_numpy(rng.integers(-5, 6, size=shape).astype(np.int64))
            return torch.from_numpy(rng.standard_normal(shape).astype(dtype))

        visible = [((H, W), (3, 3), "float32") for H, W in VISIBLE_IMAGE_SHAPES]
        return [
            Case(args=(tensor(image_shape, dtype), tensor(kernel_shape, dtype)),
                 label=(f"image {describe_shape(image_shape)}, kernel {describe_shape(kernel_shape)}"
                        + ("" if dtype == "float32" else f", {dtype}")),
                 hidden=hidden)
            for group, hidden in ((visible, False), (HIDDEN_CASES, True))
            for image_shape, kernel_shape, dtype in group
        ]

    def expected(self, case: Case) -> np.ndarray:
        image, kernel = (to_numpy(a).astype(np.float64) for a in case.args)
        return corr2d(image, kernel)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        import torch

        got, problem = real_array_or_mistake(result, expected.shape, return_line="return out")
        if problem:
            return problem
        if isinstance(result, np.ndarray):
            return ("your function returned a NumPy array; this exercise works with torch tensors. "
                    "Create the output with torch.zeros(..., dtype=image.dtype).")
        if isinstance(result, (list, tuple)):
            return (f"your function returned {describe_container(result)}; build the output as a tensor "
                    f"(out = torch.zeros(...)) and fill it in place.")
        if not isinstance(result, torch.Tensor):
            return f"your function returned a {type(result).__name__}; return a torch tensor."
        image, kernel = (to_numpy(a) for a in case.args)
        if got.shape == expected.shape:
            wrong_dtype = dtype_mistake(result.dtype, case.args[0].dtype, source="the image",
                                        fix="create it with dtype=image.dtype")
            if wrong_dtype:
                return wrong_dtype
        return feature_map_mistake(got, expected, image, kernel)
