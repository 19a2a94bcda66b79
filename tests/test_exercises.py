"""The exercise machinery: realistic wrong answers get specific help, and nothing a learner passes
makes the checker crash. (Reference solutions: tests/test_exercise_solutions.py; what every exercise
of a kind does: tests/test_exercise_answers.py.)"""
from __future__ import annotations

import re

import pytest
import torch

from course_utils import exercises
from course_utils.exercises import Conv2dTorchProblem, Feedback, OutputShapeProblem, ThoughtProblem, ValueProblem
from conftest import feedback_table_test, run_check


# -- catalogue of realistic wrong answers ----------------------------------------------------

def _loop_conv(image, kernel, *, rows=None, cols=None, flip=False, transpose=False, dtype=None, start=torch.zeros):
    H, W = image.shape
    kh, kw = kernel.shape
    if flip:
        kernel = torch.flip(kernel, (0, 1))
    if transpose:
        kernel = kernel.T
    out = start((H - kh + 1, W - kw + 1), dtype=dtype or image.dtype)
    for i in range(rows if rows is not None else H - kh + 1):
        for j in range(cols if cols is not None else W - kw + 1):
            out[i, j] = (image[i : i + kh, j : j + kw] * kernel).sum()
    return out


CONV2D_MISTAKES = {
    "off by one": (lambda x, k: _loop_conv(x, k)[:-1, :-1].clone(), r"did you use H - kh instead of H - kh \+ 1"),
    "same size as input": (lambda x, k: torch.nn.functional.pad(_loop_conv(x, k), (1, 1, 1, 1)),
                           r"the size of the input: without padding"),
    "flipped kernel": (lambda x, k: _loop_conv(x, k, flip=True), r"convolution with a flipped kernel: cross-correlation does not flip"),
    "transposed kernel": (lambda x, k: _loop_conv(x, k, transpose=True), r"transposed kernel"),
    "last row missing": (lambda x, k: _loop_conv(x, k, rows=x.shape[0] - 3), r"last row is still zero"),
    "last column missing": (lambda x, k: _loop_conv(x, k, cols=x.shape[1] - 3), r"last column is still zero"),
    "integer output": (lambda x, k: _loop_conv(x, k, dtype=torch.int64), r"your output is int64 but the image is float32, which drops the fractions"),
    "float64 output": (lambda x, k: _loop_conv(x, k, dtype=torch.float64), r"your output is float64 but the image is float32: create it with dtype=image\.dtype"),
    "transposed output": (lambda x, k: _loop_conv(x, k).T.contiguous(), r"your output is the transpose of the right one"),
    "numpy result": (lambda x, k: _loop_conv(x, k).numpy(), r"returned a NumPy array"),
    "list result": (lambda x, k: _loop_conv(x, k).tolist(), r"returned a Python list"),
    "forgot return": (lambda x, k: None, r"returned None: did you forget return out"),
    "unfilled empty": (lambda x, k: _loop_conv(x, k, rows=0, start=lambda s, dtype: torch.full(s, float("nan"), dtype=dtype)),
                       r"contains NaN"),
    "wrong window": (lambda x, k: _loop_conv(torch.roll(x, 1, 1), k), r"the value at \(\d+, \d+\) is .* but should be"),
}


test_conv2d_mistakes = feedback_table_test(Conv2dTorchProblem, CONV2D_MISTAKES)


def test_conv2d_hidden_case_failure_says_hidden(capsys):
    # Right on the visible cases (all at least 8x8), wrong on small hidden images.
    def wrong_on_small(image, kernel):
        out = _loop_conv(image, kernel)
        return out if image.shape[0] >= 8 else out + 1

    result, text = run_check(Conv2dTorchProblem(), wrong_on_small, capsys)
    assert result is False and "hidden case" in text


OUTPUT_SHAPE_MISTAKES = {
    "off by one": (lambda x, k: (x[0] - k[0], x[1] - k[1]), r"your output is 5x6 but should be 6x7: did you use H - kh"),
    "same as input": (lambda x, k: tuple(x), r"the size of the input"),
    "full size": (lambda x, k: (x[0] + k[0] - 1, x[1] + k[1] - 1), r"'full' convolution"),
    "kernel height twice": (lambda x, k: (x[0] - k[0] + 1, x[1] - k[0] + 1), r"kernel's height for rows and its width for columns"),
    "single number": (lambda x, k: x[0] - k[0] + 1, r"returned the single number"),
    "forgot return": (lambda x, k: None, r"returned None: did you forget return"),
    "swapped": (lambda x, k: (x[1] - k[1] + 1, x[0] - k[0] + 1), r"height and width are swapped"),
}


test_output_shape_mistakes = feedback_table_test(OutputShapeProblem, OUTPUT_SHAPE_MISTAKES)


# -- robustness: the checker never crashes ---------------------------------------------------

def raises_value_error(image, kernel):
    raise ValueError("shapes do not match")


def modifies_input(image, kernel):
    image[0, 0] = 100.0
    return _loop_conv(image, kernel)


def not_implemented(image, kernel):
    # your code here
    raise NotImplementedError("replace this line with your code")


@pytest.mark.parametrize(
    "answer, kind, message",
    [
        (raises_value_error, "Not yet", r"conv2d raised ValueError on image 8x8, kernel 3x3 at line \d+: raise ValueError"),
        (modifies_input, "Not yet", r"changed its input image"),
        (not_implemented, "Not attempted yet", r"^Not attempted yet: write your answer where it says # your code here, "
                                                r"run that cell, then run q1\.check\(\.\.\.\) again\.\nNeed a start\? q1\.hint\(\)\n$"),
        (..., "Not attempted yet", r"Not attempted yet"),
        (None, "Not attempted yet", r"Not attempted yet"),
        (42, "Not yet", r"expects your function itself, as in q1.check\(conv2d\); got int 42"),
        ("conv2d", "Not yet", r"got str 'conv2d'"),
        (lambda image: image, "Not yet", r"raised TypeError"),
        (lambda image, kernel: "hello", "Not yet", r"returned the text 'hello', not a 6x6 array"),
        (lambda image, kernel: torch.zeros(2, 2, 2), "Not yet", r"return a 2-D result"),
    ],
    ids=["exception", "in-place", "not-implemented", "ellipsis", "none", "int", "str", "wrong-arity", "str-result", "3-d"],
)
def test_checker_reports_instead_of_crashing(answer, kind, message, capsys):
    problem = exercises.bind("03_cross_correlation_and_conv_layers")[0]
    result, text = run_check(problem, answer, capsys)
    assert result is False
    assert text.startswith(kind), text
    assert re.search(message, text), text


def test_check_without_answer_explains_how(capsys):
    [q1] = exercises.bind("00_getting_started")
    result, text = run_check(q1, exercises.problems._MISSING, capsys)
    assert result is False and "q1.check(valid_output_shape)" in text


# -- hints, solutions, binding, other problem kinds ------------------------------------------

def test_hints_are_tiered_and_never_raise(capsys):
    [q1] = exercises.bind("00_getting_started")
    q1.hint()
    assert "(1 of 3)" in capsys.readouterr().out
    q1.hint(3)
    assert "Still stuck? q1.solution()" in capsys.readouterr().out
    q1.hint(9)
    assert "there are only 3" in capsys.readouterr().out
    for bad in (0, -1, "2", 1.5, True):
        q1.hint(bad)
        assert "hints are numbered 1 to 3" in capsys.readouterr().out


def test_solution_shows_code(capsys):
    q1 = exercises.bind("03_cross_correlation_and_conv_layers")[0]
    q1.solution()
    text = capsys.readouterr().out
    assert text.startswith("Solution") and "def conv2d(image, kernel):" in text


def test_bind_numbers_fresh_problems_and_rejects_unknown_lessons():
    lesson = "03_cross_correlation_and_conv_layers"
    first, second = exercises.bind(lesson), exercises.bind(lesson)
    assert [p.number for p in first] == [1, 2, 3]
    assert first[0] is not second[0]
    with pytest.raises(ValueError, match=r"lesson must be one of: .*00_getting_started.*; got '99_nothing'"):
        exercises.bind("99_nothing")


def test_value_problem(capsys):
    problem = ValueProblem(
        expected=(7, 7),
        answer=exercises.Shape(),
        known_mistakes=[((6, 6), "did you use H - kh instead of H - kh + 1?")],
        title="shape",
        hints=["count positions"],
        solution_text="answer = (7, 7)",
    )
    problem.number = 3
    assert run_check(problem, [7, 7], capsys) == (True, "Correct: (7, 7) is right.\n")
    assert run_check(problem, (6, 6), capsys) == (
        False, "Not yet: (6, 6) is not right: did you use H - kh instead of H - kh + 1?\n")
    assert run_check(problem, (5, 5), capsys) == (False, "Not yet: (5, 5) is not right.\nTry q3.hint() for a nudge.\n")
    assert run_check(problem, 7, capsys) == (
        False, "Not yet: you passed int 7; pass a shape such as (2, 3, 4, 5), a tuple of ints.\n")
    result, text = run_check(problem, ..., capsys)
    assert result is False and text.startswith("Not attempted yet: write your answer")


def test_thought_problem(capsys):
    problem = ThoughtProblem(title="why", hints=["think"], solution_text="Because.")
    problem.number = 4
    result, text = run_check(problem, "my answer", capsys)
    assert result is False and "q4.solution()" in text
    problem.solution()
    assert "Because." in capsys.readouterr().out


def test_feedback_renders_html_and_text():
    feedback = Feedback("incorrect", "a < b, see `x[i]`", "explanation\n\nsecond paragraph", code="def f():\n    return 1")
    html = feedback._repr_html_()
    assert "a &lt; b" in html and "<code style=" in html and "x[i]</code>" in html and "`" not in html
    assert "<pre class='course-feedback-code'" in html
    assert repr(feedback) == "Not yet: a < b, see x[i]\nexplanation\n\nsecond paragraph\ndef f():\n    return 1"
    with pytest.raises(ValueError, match="kind must be one of"):
        Feedback("wrong-kind", "x")


def test_check_in_a_kernel_shows_feedback_and_no_out_line():
    """In a real kernel, a cell ending in q1.check(...) shows the feedback box and no Out[n]: True/False."""
    import nbclient
    import nbformat

    cells = [
        "from course_utils import exercises\n(q1,) = exercises.bind('00_getting_started')",
        "def valid_output_shape(input_shape, kernel_shape):\n    (H, W), (kh, kw) = input_shape, kernel_shape\n"
        "    return (H - kh, W - kw)",
        "q1.check(valid_output_shape)",
        "def valid_output_shape(input_shape, kernel_shape):\n    (H, W), (kh, kw) = input_shape, kernel_shape\n"
        "    return (H - kh + 1, W - kw + 1)",
        "q1.check(valid_output_shape)",
        "bool(q1.check(valid_output_shape))",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    wrong, right, as_bool = (notebook.cells[i].outputs for i in (2, 4, 5))
    for outputs, label in ((wrong, "Not yet:"), (right, "Correct:")):
        assert [o["output_type"] for o in outputs] == ["display_data"]  # the box only: no execute_result
        assert outputs[0]["data"]["text/plain"].startswith(label)
        assert "course-feedback" in outputs[0]["data"]["text/html"]
    assert "H - kh + 1" in wrong[0]["data"]["text/plain"]
    # the result still converts to the plain truth value (what tests and scripts assert on)
    assert [o["output_type"] for o in as_bool][-1] == "execute_result" and as_bool[-1]["data"]["text/plain"] == "True"


def test_feedback_prose_flows_and_bullets_become_a_list():
    body = "First line\ncontinues here.\n\n* item one\n  wraps on\n* item `two`"
    page = Feedback("solution", "t", body)._repr_html_()
    assert "First line continues here." in page
    assert "<ul" in page and "<li>item one wraps on</li>" in page and "<code" in page
    assert repr(Feedback("solution", "t", body)).endswith(body.replace("`", ""))  # plain text keeps the layout


#: What exercises.bind(lesson) hands out, in order (q1, q2, ...): one table for every lesson.
BOUND_PROBLEMS = {
    "00_getting_started": ("OutputShapeProblem",),
    "01_convolution_maths": ("Convolve1dProblem", "TopLeftConvolutionProblem", "WhyCrossCorrelationProblem"),
    "02_from_mlp_to_convolution": ("ConvMatrixProblem", "DenseParameterCountProblem", "PriceOfConvolutionProblem"),
    "03_cross_correlation_and_conv_layers": ("Conv2dTorchProblem", "WeightShapeProblem", "BiasPerChannelProblem"),
    "04_edge_detection": ("HorizontalEdgesProblem", "EdgeValueProblem", "ZeroSumKernelsProblem"),
    "05_learning_a_kernel": ("CriticalLearningRateProblem", "KernelGradientProblem", "WhyLossExplodedProblem"),
    "06_padding_and_stride": ("OutputSizeProblem", "SamePadding28Problem", "StrideLosesInformationProblem"),
    "07_dilation": ("DilateKernelProblem", "EffectiveSizeProblem", "GriddingProblem"),
    "08_channels": ("Corr2dMultiInOutProblem", "ConvParameterCountProblem", "WhyOneByOneProblem"),
    "09_pooling": ("Pool2dByOffsetsProblem", "PoolingLayerShapeProblem", "MaxOrAveragePoolingProblem"),
    "10_receptive_field": ("ReceptiveFieldRecurrenceProblem", "StackFieldProblem", "SmallKernelsProblem"),
    "11_trained_filters_and_invariance": ("ShiftRightProblem", "PoolingShiftProblem", "BiologicalFiltersProblem"),
    "12_fast_convolution": ("Im2colProblem", "LayerWorkProblem", "ArithmeticIntensityProblem"),
    "13_backward_and_transposed": ("InputGradientProblem", "TransposedSizeProblem", "CheckerboardProblem"),
    "14_efficient_layers": ("SeparableBlockParametersProblem", "DepthwiseCorr2dProblem", "IsSeparableProblem"),
}


@pytest.mark.parametrize("lesson", sorted(BOUND_PROBLEMS))
def test_bind_gives_each_lessons_problems_in_order(lesson):
    problems = exercises.bind(lesson)
    assert tuple(type(problem).__name__ for problem in problems) == BOUND_PROBLEMS[lesson]
    assert [problem.number for problem in problems] == list(range(1, len(problems) + 1))


def test_every_lesson_with_exercises_is_in_the_table():
    assert set(exercises.LESSON_PROBLEMS) == set(BOUND_PROBLEMS)
