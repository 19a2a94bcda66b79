"""course_utils.receptive_field: the recurrence on known stacks, against autograd, and bad input.

The central property: for any stack of convolution and average-pooling layers,
the box around the non-zero input gradient of one output unit (positive
kernels) is exactly the receptive field the recurrence predicts. Hypothesis
draws the stacks (derandomized, few examples: each one runs PyTorch).
"""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import corr2d_batch
from course_utils.receptive_field import (
    Box,
    FieldStep,
    Layer,
    as_layers,
    bounding_box,
    receptive_field,
    receptive_field_by_gradient,
)

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None)


# --------------------------------------------------------------------------- the recurrence, known cases
@pytest.mark.parametrize(
    "layers, sizes, jumps",
    [
        ([2], [2], [1]),  # one 2x2 kernel: 2x2
        ([2, 2], [2, 3], [1, 1]),  # two stacked 2x2 layers: 3x3
        ([3] * 5, [3, 5, 7, 9, 11], [1] * 5),  # L stacked 3x3 layers: 2L + 1
        ([(3, 2)] * 3, [3, 7, 15], [2, 4, 8]),
        ([(3, 1, 1), (3, 1, 2), (3, 1, 4)], [3, 7, 15], [1, 1, 1]),
        ([3, Layer(2, 2, kind="max_pool"), 3, Layer(2, 2, kind="avg_pool"), 3], [3, 4, 8, 10, 18], [1, 2, 2, 4, 4]),
        ([(7, 2), Layer(3, stride=2, padding=1, kind="max_pool")], [7, 11], [2, 4]),  # a ResNet stem
        ([(1, 2), 2], [1, 3], [2, 2]),
        ([(5, 1, 3)], [13], [1]),  # one dilated layer: d (k - 1) + 1
    ],
)
def test_recurrence_on_known_stacks(layers, sizes, jumps):
    steps = receptive_field(layers)
    assert [s.size for s in steps] == sizes
    assert [s.jump for s in steps] == jumps
    assert all(isinstance(s, FieldStep) for s in steps)


def test_padding_does_not_change_the_size():
    assert receptive_field([Layer(3, padding=1)] * 3) == receptive_field([3, 3, 3])


def test_all_layer_spellings_mean_the_same():
    spellings = [
        [3, (3, 2), (3, 1, 2)],
        [(3,), [3, 2], (3, 1, 2)],
        [Layer(3), Layer(3, stride=2), Layer(3, dilation=2)],
        [np.int64(3), (np.int64(3), 2), (3, 1, np.int32(2))],
    ]
    expected = [Layer(3), Layer(3, stride=2), Layer(3, dilation=2)]
    for layers in spellings:
        assert as_layers(layers) == expected
        assert receptive_field(layers) == [FieldStep(3, 1), FieldStep(5, 2), FieldStep(13, 2)]
    assert receptive_field(iter([3, 3])) == receptive_field([3, 3])  # any iterable
    assert Layer(5, dilation=2).span == 9


def test_module_does_not_import_torch():
    code = "import sys, course_utils.receptive_field; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --------------------------------------------------------------------------- measurement
def poke(kernels, strides, dilations, size):
    """Effect of a unit impulse at every pixel on the central output, by NumPy forward passes only:
    all size*size impulses go through the stack as one batch (lesson 10 pokes them one at a time)."""
    impulses = np.eye(size * size).reshape(size * size, 1, size, size)
    for K, s, d in zip(kernels, strides, dilations):
        impulses = corr2d_batch(impulses, K[None, None], stride=s, dilation=d)
    centre = (impulses.shape[-1] - 1) // 2
    return impulses[:, 0, centre, centre].reshape(size, size)


def test_gradient_equals_numpy_poking_with_all_ones_kernels():
    layers = [(3, 1, 1), (3, 2, 1), (2, 1, 2)]
    measured = receptive_field_by_gradient(layers, input_size=15)
    expected = poke([np.ones((k, k)) for k, _, _ in layers], [s for _, s, _ in layers],
                    [d for _, _, d in layers], 15)
    np.testing.assert_array_equal(measured.gradient, expected)
    assert measured.size == (receptive_field(layers)[-1].size,) * 2 == (9, 9)


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5])
def test_gradient_of_stacked_3x3_layers(L):
    for weights in ("ones", "positive"):
        result = receptive_field_by_gradient([3] * L, weights=weights, seed=L)
        assert result.size == (2 * L + 1, 2 * L + 1)
        assert np.count_nonzero(result.gradient) == (2 * L + 1) ** 2
        assert result.gradient.dtype == np.float64 and result.gradient.min() >= 0


def test_all_ones_gradient_counts_paths():
    result = receptive_field_by_gradient([3, 3], input_size=9)
    top, left, h, w = result.box
    row = np.array([1, 2, 3, 2, 1])
    np.testing.assert_array_equal(result.gradient[top: top + h, left: left + w], np.outer(row, row))
    assert result.output_position == (2, 2)  # 9 -> 7 -> 5 outputs, centre 2
    assert result.box == Box(2, 2, 5, 5)


def test_output_position_moves_the_box_by_the_jump():
    layers = [(3, 2), (3, 2)]
    a = receptive_field_by_gradient(layers, input_size=23, output_position=(2, 2))
    b = receptive_field_by_gradient(layers, input_size=23, output_position=(3, 2))
    assert a.size == b.size == (7, 7)
    assert (b.box.top - a.box.top, b.box.left - a.box.left) == (4, 0)  # jump 4


def test_max_pool_gradient_is_sparse_but_the_union_fills_the_field():
    layers = [Layer(3), Layer(2, stride=2, kind="max_pool"), Layer(3)]
    single = receptive_field_by_gradient(layers, input_size=12, seed=0)
    assert np.count_nonzero(single.gradient) < 64
    union = sum(receptive_field_by_gradient(layers, input_size=12, seed=s).gradient != 0 for s in range(40))
    assert bounding_box(union)[2:] == (8, 8) and np.count_nonzero(union) == 64
    # the input decides the winners: a fixed input gives a fixed map
    x = np.arange(144.0).reshape(12, 12)  # the bottom-right pixel of each window wins
    fixed = receptive_field_by_gradient(layers, input_size=12, inputs=x)
    # 3 winners 2 apart per axis, each reading 3 input pixels: 7x7 pixels instead of 8x8
    assert fixed.size == (7, 7) and np.count_nonzero(fixed.gradient) == 49


def test_signed_weights_may_cancel_but_run():
    result = receptive_field_by_gradient([3, 3], weights="normal", seed=3)
    assert result.size == (5, 5)


@st.composite
def linear_stacks(draw):
    depth = draw(st.integers(1, 4))
    layers = []
    for _ in range(depth):
        kind = draw(st.sampled_from(["conv", "conv", "avg_pool"]))
        k = draw(st.integers(1, 4))
        layers.append(Layer(k, stride=draw(st.integers(1, 3)), dilation=draw(st.integers(1, 3)),
                            padding=draw(st.integers(0, 2)), kind=kind))
    return layers, draw(st.integers(0, 1000))


@SETTINGS
@given(linear_stacks())
def test_gradient_box_equals_the_recurrence_on_random_stacks(problem):
    layers, seed = problem
    expected = receptive_field(layers)[-1].size
    measured = receptive_field_by_gradient(layers, weights="positive", seed=seed)
    assert measured.size == (expected, expected)
    assert measured.gradient.min() >= 0


@settings(max_examples=10, deadline=None, derandomize=True, database=None)
@given(linear_stacks())
def test_max_pool_never_widens_the_field(problem):
    layers, seed = problem
    layers = [Layer(l.kernel_size, l.stride, l.dilation, min(l.padding, l.kernel_size // 2), "max_pool")
              if l.kind == "avg_pool" else l for l in layers]
    expected = receptive_field(layers)[-1].size
    height, width = receptive_field_by_gradient(layers, seed=seed).size
    assert height <= expected and width <= expected


def test_bounding_box():
    assert bounding_box([[0, 0, 0], [0, 5, 0]]) == Box(1, 1, 1, 1)
    assert bounding_box(np.array([[True, False], [False, True]])) == Box(0, 0, 2, 2)
    assert bounding_box([[0.0, -1e-12]]) == Box(0, 1, 1, 1)  # any non-zero counts


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "layers, error, message",
    [
        ([], ValueError, r"layers must hold at least one layer; got an empty sequence"),
        (3, TypeError, r"layers must be a list of layers.*got int 3"),
        ("33", TypeError, r"layers must be a list of layers.*got str '33'"),
        (Layer(3), TypeError, r"layers must be a list of layers"),
        ({"kernel_size": 3}, TypeError, r"layers must be a list of layers"),
        ([3, 0], ValueError, r"layers\[1\]: kernel_size must be >= 1; got 0"),
        ([3, (3, 0)], ValueError, r"layers\[1\]: stride must be >= 1; got 0 \(in Layer\(kernel_size=3, stride=0"),
        ([(3, 1, 0)], ValueError, r"layers\[0\]: dilation must be >= 1; got 0"),
        ([2.5], TypeError, r"layers\[0\]: each layer must be .*got float 2\.5"),
        ([(2.5, 1)], TypeError, r"layers\[0\]: kernel_size must be an int; got float 2\.5"),
        ([(3, True)], TypeError, r"layers\[0\]: stride must be an int; got bool True"),
        (["3x3"], TypeError, r"layers\[0\]: each layer must be a Layer.*got str '3x3'"),
        ([None], TypeError, r"layers\[0\]: each layer must be .*got NoneType None"),
        ([(3, 1, 1, 1)], ValueError, r"layers\[0\]: a tuple must be \(k,\), \(k, s\) or \(k, s, d\); got \(3, 1, 1, 1\) "
                                     r"with 4 entries"),
        ([()], ValueError, r"layers\[0\]: a tuple must be .* with 0 entries"),
        ([{"kernel_size": 3}], TypeError, r"layers\[0\]: each layer must be a Layer, an int kernel size or a \(k, s, d\) tuple; got dict"),
    ],
)
def test_bad_layers(layers, error, message):
    with pytest.raises(error, match=message):
        receptive_field(layers)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(kernel_size=3, padding=-1), ValueError, r"padding must be non-negative; got -1"),
        (dict(kernel_size=2, padding=2, kind="max_pool"), ValueError,
         r"padding must be at most kernel_size // 2 = 1 for max pooling; got padding=2 with kernel_size=2"),
        (dict(kernel_size="3"), TypeError, r"kernel_size must be an int; got str '3'"),
        (dict(kernel_size=3, kind="MaxPool"), ValueError, r"kind must be one of"),
    ],
)
def test_bad_layer_objects(kwargs, error, message):
    with pytest.raises(error, match=message):
        Layer(**kwargs)


@pytest.mark.parametrize(
    "values, error, message",
    [
        (np.zeros((3, 4)), ValueError, r"values must have at least one non-zero cell.*all zeros with shape \(3, 4\)"),
        (np.ones(4), ValueError, r"values must be a 2-D array; got a 1-D array with shape \(4,\)"),
        (np.ones((2, 2, 2)), ValueError, r"got a 3-D array with shape \(2, 2, 2\)"),
        (np.array([["a", "b"]]), TypeError, r"values must hold real numbers; got dtype <U1 with shape \(1, 2\)"),
        (None, TypeError, r"values must be an array of numbers; got NoneType None"),
    ],
)
def test_bad_bounding_box_input(values, error, message):
    with pytest.raises(error, match=message):
        bounding_box(values)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(weights="random"), ValueError, r"weights must be one of 'ones', 'positive', 'normal'; got 'random'"),
        (dict(input_size=4), ValueError, r"input_size=4 is too small for these layers: they leave no output "
                                         r"\(the receptive field alone is 5x5\); use input_size >= 5"),
        (dict(input_size=0), ValueError, r"input_size must be >= 1; got 0"),
        (dict(input_size=9.0), TypeError, r"input_size must be an int; got float 9\.0"),
        (dict(input_size=9, output_position=(0, 2)), None, None),
        (dict(input_size=9, output_position=(5, 2)), ValueError,
         r"output_position=\(5, 2\) is outside the 5x5 output of these layers on a 9x9 input"),
        (dict(input_size=9, output_position=2), TypeError, r"output_position must be a \(row, column\) pair; got 2"),
        (dict(input_size=9, output_position=(-1, 2)), ValueError, r"output_position must be non-negative; got -1"),
        (dict(inputs=np.zeros((3, 3))), ValueError, r"inputs must have shape \(9, 9\) to match input_size=9 "
                                                    r"\(the default for these layers\); got shape \(3, 3\)"),
        (dict(seed=-1), ValueError, r"seed must be non-negative; got -1"),
    ],
)
def test_bad_measurement_arguments(kwargs, error, message):
    if error is None:
        assert receptive_field_by_gradient([3, 3], **kwargs).size == (5, 5)
        return
    with pytest.raises(error, match=message):
        receptive_field_by_gradient([3, 3], **kwargs)


def test_a_field_cut_by_the_border_is_refused():
    with pytest.raises(ValueError, match=re.escape(
            "the receptive field of output unit (0, 0) spans input rows -2 to 2, outside the 7x7 input "
            "(rows and columns 0 to 6)")):
        receptive_field_by_gradient([Layer(3, padding=1)] * 2, input_size=7, output_position=(0, 0))
    with pytest.raises(ValueError, match=r"spans input columns -2 to 2.*use a larger input_size"):
        receptive_field_by_gradient([Layer(3, padding=1)] * 2, input_size=7, output_position=(3, 0))
