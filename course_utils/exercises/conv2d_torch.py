"""The exercise posed by the PyTorch source: ``conv2d(image, kernel)`` for torch tensors.

Images of shapes (8, 8), (12, 10), (10, 10) and (12, 8) with 3x3 kernels are the
visible cases; hidden ones add the edge cases (a kernel the size of the image, a
wide image, integer-valued data). Kernels are asymmetric so that a flipped or
transposed kernel gives a different answer and can be diagnosed.
"""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..arrays import to_numpy
from ..ops import corr2d
from .diagnosis import feature_map_mistake
from .problems import Case, CodingProblem, lesson_exercise

VISIBLE_IMAGE_SHAPES = [(8, 8), (12, 10), (10, 10), (12, 8)]
HIDDEN_IMAGE_SHAPES = [(3, 3), (5, 17), (16, 9), (4, 3)]


@lesson_exercise("03_cross_correlation_and_conv_layers", 1)
class Conv2dTorchProblem(CodingProblem):
    """``conv2d(image, kernel)``: 'valid' 2-D cross-correlation of torch tensors, as ``F.conv2d`` computes."""

    def __init__(self):
        super().__init__(
            argument_names=("image", "kernel"),
            function_name="conv2d",
            title="2-D cross-correlation of torch tensors, from scratch",
            hints=[
                "The output has one value per position where the 3x3 kernel fits inside the image: "
                "(H - kh + 1) x (W - kw + 1). Create it with torch.zeros(..., dtype=image.dtype).",
                "Loop over output rows i and columns j. The window under the kernel is image[i:i + kh, j:j + kw].",
                "Each output value is (window * kernel).sum(): multiply element by element, then add up. "
                "Do not flip the kernel.",
            ],
            solution="""
                def conv2d(image, kernel):
                    H, W = image.shape
                    kh, kw = kernel.shape
                    out = torch.zeros((H - kh + 1, W - kw + 1), dtype=image.dtype)
                    for i in range(H - kh + 1):
                        for j in range(W - kw + 1):
                            out[i, j] = (image[i:i + kh, j:j + kw] * kernel).sum()
                    return out
            """,
        )

    def cases(self) -> List[Case]:
        import torch  # only this exercise needs PyTorch

        rng = np.random.default_rng(2024)
        cases = []
        for shapes, hidden in ((VISIBLE_IMAGE_SHAPES, False), (HIDDEN_IMAGE_SHAPES, True)):
            for H, W in shapes:
                if (H, W) == (16, 9):  # integer-valued data: exact arithmetic
                    image = rng.integers(-5, 6, size=(H, W)).astype(np.float32)
                    kernel = rng.integers(-3, 4, size=(3, 3)).astype(np.float32)
                else:
                    image = rng.standard_normal((H, W)).astype(np.float32)
                    kernel = rng.standard_normal((3, 3)).astype(np.float32)
                if H < 3 or W < 3:
                    continue
                cases.append(
                    Case(args=(torch.from_numpy(image), torch.from_numpy(kernel)),
                         label=f"image {H}x{W}, kernel 3x3", hidden=hidden)
                )
        return cases

    def expected(self, case: Case) -> np.ndarray:
        image, kernel = (to_numpy(a).astype(np.float64) for a in case.args)
        return corr2d(image, kernel)

    def compare(self, result: Any, expected: np.ndarray, case: Case) -> Optional[str]:
        import torch

        if result is None:
            return "your function returned None: did you forget `return out`?"
        if isinstance(result, np.ndarray):
            return ("your function returned a NumPy array; this exercise works with torch tensors. "
                    "Create the output with torch.zeros(..., dtype=image.dtype).")
        if isinstance(result, (list, tuple)):
            return ("your function returned a Python list; build the output as a tensor "
                    "(out = torch.zeros(...)) and fill it in place.")
        if not isinstance(result, torch.Tensor):
            return f"your function returned a {type(result).__name__}; return a torch tensor."
        image, kernel = (to_numpy(a) for a in case.args)
        if tuple(result.shape) == expected.shape and result.dtype != case.args[0].dtype:
            if not result.dtype.is_floating_point:
                return (f"your output has dtype {result.dtype}, which drops the fractions. "
                        f"Create it with dtype=image.dtype ({case.args[0].dtype}).")
            return (f"your output has dtype {result.dtype} but the image is {case.args[0].dtype}: "
                    f"create it with dtype=image.dtype so the result keeps the input's precision.")
        return feature_map_mistake(to_numpy(result).astype(np.float64), expected, image, kernel)
