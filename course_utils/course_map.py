"""The course map: every lesson in reading order, with what it teaches. The one list of lessons.

The README's lesson table, lesson 00's table, the site's landing page and table of contents and the
slide index are all made from :data:`LESSONS` (tests/test_course_map.py fails when one of them
differs). A new lesson is one more entry here, plus its notebook.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

__all__ = ["LESSONS", "Lesson", "lesson", "question_table", "readme_table"]


@dataclass(frozen=True)
class Lesson:
    stem: str  #: the notebook's name without ``.ipynb``: ``06_padding_and_stride``
    title: str  #: the heading the notebook opens with, after ``NN · ``
    learn: str  #: what a learner takes away (README table, site landing page)
    question: str  #: the question it answers (lesson 00's table)

    @property
    def number(self) -> str:
        return self.stem[:2]

    @property
    def heading(self) -> str:
        """The notebook's first heading: ``06 · Padding and stride``."""
        return f"{self.number} · {self.title}"


LESSONS: Tuple[Lesson, ...] = (
    Lesson("00_getting_started", "Getting started",
           "how the workbook works; checks your set-up; one convolution in four libraries",
           "is my set-up right?"),
    Lesson("01_convolution_maths", "Convolution maths",
           "continuous and discrete convolution, the kernel flip, cross-correlation, linearity, 1-D and 3-D",
           "what is a convolution, and why do libraries compute a cross-correlation?"),
    Lesson("02_from_mlp_to_convolution", "From MLP to convolution",
           "locality and translation invariance turn a dense layer into a convolution; the block-Toeplitz "
           "matrix; parameter counts",
           "how do locality and translation invariance turn a dense layer into a convolution?"),
    Lesson("03_cross_correlation_and_conv_layers", "Cross-correlation and conv layers",
           "`corr2d` from scratch in four libraries; a conv layer as `corr2d` + bias in Gluon, PyTorch and Flax; "
           "layouts and gradients",
           "how is `corr2d` written, and how does a layer wrap it?"),
    Lesson("04_edge_detection", "Edge detection",
           "edge kernels, cross-correlation as similarity (finding a patch), Sobel, blur, sharpen and Laplacian "
           "on real photos; the kernel playground",
           "what can a hand-made kernel find in an image?"),
    Lesson("05_learning_a_kernel", "Learning a kernel",
           "recovering a kernel by gradient descent in three frameworks, and exactly why a too-large step diverges",
           "can gradient descent find that kernel for us?"),
    Lesson("06_padding_and_stride", "Padding and stride",
           "padding, stride and the output-size formula; the convolution explorer",
           "how big is the output, and how do we control it?"),
    Lesson("07_dilation", "Dilation",
           "kernels with holes, field of view versus parameters, gridding",
           "how does a kernel see further without more weights?"),
    Lesson("08_channels", "Channels",
           "multiple input and output channels, 1x1 convolutions, parameter and multiply-add counts",
           "how do colour images and many filters fit in?"),
    Lesson("09_pooling", "Pooling",
           "max and average pooling, framework defaults, robustness to small shifts",
           "how do we summarise a neighbourhood?"),
    Lesson("10_receptive_field", "Receptive field",
           "how far one output sees, by formula and by backpropagation",
           "how much of the input does one output see?"),
    Lesson("11_trained_filters_and_invariance", "Trained filters and invariance",
           "what a small CNN learns on digits; shift invariance measured, where stride-2 pooling breaks it, "
           "and anti-aliased pooling",
           "what does a small trained network actually learn?"),
    Lesson("12_fast_convolution", "Fast convolution",
           "how convolutions are computed fast: tap sums, im2col + GEMM, FFT, Winograd, and what the "
           "libraries really run",
           "how do libraries compute convolutions quickly?"),
    Lesson("13_backward_and_transposed", "The backward pass and transposed convolution",
           "the gradients of a convolution are convolutions; transposed convolution, its output size and "
           "its checkerboard",
           "how do gradients flow back through a convolution?"),
    Lesson("14_efficient_layers", "Efficient convolution layers",
           "grouped, depthwise and separable convolutions, bottlenecks and inverted residuals: what they "
           "save and what they cost in time",
           "how do efficient networks get by with fewer multiply-adds?"),
)


def lesson(stem: str) -> Lesson:
    """The entry of lesson ``stem`` (``"06_padding_and_stride"``)."""
    for entry in LESSONS:
        if entry.stem == stem:
            return entry
    raise ValueError(f"stem must be one of {[entry.stem for entry in LESSONS]}; got {stem!r}")


def readme_table() -> str:
    """The README's lesson table (markdown), each lesson linked to its notebook."""
    rows = ["| # | notebook | what you learn |", "|---|----------|----------------|"]
    rows += [f"| {entry.number} | [`{entry.stem}`](notebooks/{entry.stem}.ipynb) | {entry.learn} |"
             for entry in LESSONS]
    return "\n".join(rows)


def question_table() -> str:
    """Lesson 00's table: each lesson and the question it answers (markdown)."""
    rows = ["| # | lesson | the question it answers |", "|---|--------|-------------------------|"]
    rows += [f"| {entry.number} | {entry.title} | {entry.question} |" for entry in LESSONS]
    return "\n".join(rows)
