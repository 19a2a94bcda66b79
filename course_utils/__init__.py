"""Shared helpers of the Convolutions workbook.

The notebooks import everything reusable from here, so this package is the one
tested copy of each function a lesson shows:

- :mod:`course_utils.ops`: reference NumPy operations (``corr2d``, ``convolve2d``,
  multi-channel and grouped correlation, ``pool2d``).
- :mod:`course_utils.geometry`: every size formula (``conv_output_size``, the dilated span, the
  positions a kernel tap reads); everything else calls it.
- :mod:`course_utils.backward`: the gradients of a convolution layer (``conv2d_backward``) and the
  transposed convolution that computes the input's (``conv_transpose2d``).
- :mod:`course_utils.arrays`: ``to_numpy`` for NumPy, PyTorch, MXNet and JAX arrays alike.
- :mod:`course_utils.dense`: a convolution as a dense layer (``corr2d_as_matrix``) and dense parameter counts.
- :mod:`course_utils.layer_cost`: parameters and multiply-adds of a conv layer.
- :mod:`course_utils.lesson_setup`: ``setup_lesson``, the one call that opens every lesson.
- :mod:`course_utils.environment`: the installed versions, for the environment check.
- :mod:`course_utils.frameworks`: which libraries this machine has (MXNet only on Linux), the
  ``%%needs mxnet`` cell guard, and agreement checks across NumPy, MXNet, PyTorch and JAX.
"""
from .arrays import to_numpy
from .dense import corr2d_as_matrix, dense_parameter_count
from .layer_cost import conv_multiply_adds, conv_parameter_count
from .ops import (
    conv_output_size,
    convolve2d,
    corr2d,
    corr2d_batch,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_naive,
    pool2d,
)
from .backward import conv2d_backward, conv_transpose2d
from .lesson_setup import setup_lesson
from . import frameworks
from .frameworks import compare

frameworks.register_magic()  # %%needs, for the MXNet cells of every lesson (no-op outside IPython)

__all__ = [
    "compare",
    "conv2d_backward",
    "conv_multiply_adds",
    "conv_output_size",
    "conv_parameter_count",
    "conv_transpose2d",
    "convolve2d",
    "corr2d",
    "corr2d_as_matrix",
    "corr2d_batch",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_naive",
    "dense_parameter_count",
    "pool2d",
    "setup_lesson",
    "to_numpy",
]
