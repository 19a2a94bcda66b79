"""course_utils.layer_cost: parameter counts against the frameworks, multiply-adds against counting."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from course_utils import conv_output_size
from course_utils.layer_cost import conv_multiply_adds, conv_parameter_count

# (in_channels, out_channels, kernel_size)
LAYER_GRID = list(itertools.product([1, 3, 16], [1, 4, 64], [1, 3, (5, 3), (2, 7)]))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("c_in, c_out, kernel_size", LAYER_GRID)
def test_parameter_count_matches_torch_conv2d(c_in, c_out, kernel_size, bias):
    layer = torch.nn.Conv2d(c_in, c_out, kernel_size, bias=bias)
    assert conv_parameter_count(c_in, c_out, kernel_size, bias=bias) == sum(p.numel() for p in layer.parameters())


@pytest.mark.parametrize("c_in, c_out, kernel_size", [(3, 8, (5, 3)), (16, 1, 1), (2, 3, 2)])
def test_parameter_count_matches_mxnet_gluon_and_flax(c_in, c_out, kernel_size):
    import flax.linen as fnn
    import jax
    import jax.numpy as jnp
    from mxnet import np as mnp
    from mxnet import npx
    from mxnet.gluon import nn as gluon_nn

    npx.set_np()
    expected = conv_parameter_count(c_in, c_out, kernel_size)
    gluon_layer = gluon_nn.Conv2D(channels=c_out, kernel_size=kernel_size)
    gluon_layer.initialize()
    gluon_layer(mnp.zeros((1, c_in, 8, 8)))  # deferred initialisation: the input fixes in_channels
    assert sum(p.data().size for p in gluon_layer.collect_params().values()) == expected

    flax_layer = fnn.Conv(features=c_out, kernel_size=np.broadcast_to(kernel_size, 2).tolist())
    params = flax_layer.init(jax.random.PRNGKey(0), jnp.zeros((1, 8, 8, c_in)))
    assert sum(leaf.size for leaf in jax.tree_util.tree_leaves(params)) == expected


def test_no_bias_removes_exactly_out_channels():
    for c_in, c_out, k in LAYER_GRID:
        assert conv_parameter_count(c_in, c_out, k) - conv_parameter_count(c_in, c_out, k, bias=False) == c_out


def brute_force_multiply_adds(input_hw, c_in, c_out, kernel_hw, padding, stride, dilation):
    """Count the terms of the sliding sum one by one, walking every output value of every channel."""
    (h, w), (kh, kw), (ph, pw), (sh, sw), (dh, dw) = input_hw, kernel_hw, padding, stride, dilation
    count = 0
    for _ in range(c_out):
        i = 0
        while i * sh + dh * (kh - 1) < h + 2 * ph:  # the kernel's last row still lies in the padded input
            j = 0
            while j * sw + dw * (kw - 1) < w + 2 * pw:
                for _c in range(c_in):
                    for a in range(kh):
                        for b in range(kw):
                            assert 0 <= i * sh + a * dh < h + 2 * ph and 0 <= j * sw + b * dw < w + 2 * pw
                            count += 1
                j += 1
            i += 1
    return count


SMALL_CONFIGS = [
    # input_hw, c_in, c_out, kernel, padding, stride, dilation
    ((3, 3), 2, 3, (2, 2), (0, 0), (1, 1), (1, 1)),
    ((5, 5), 3, 2, (3, 3), (1, 1), (1, 1), (1, 1)),
    ((7, 6), 1, 4, (3, 2), (0, 1), (2, 1), (1, 1)),
    ((8, 8), 2, 2, (3, 3), (2, 2), (2, 3), (2, 1)),
    ((4, 9), 5, 1, (1, 1), (0, 0), (1, 2), (1, 1)),
    ((6, 6), 2, 3, (2, 3), (1, 0), (3, 3), (2, 2)),
]


@pytest.mark.parametrize("input_hw, c_in, c_out, kernel_hw, padding, stride, dilation", SMALL_CONFIGS)
def test_multiply_adds_match_brute_force_counting(input_hw, c_in, c_out, kernel_hw, padding, stride, dilation):
    got = conv_multiply_adds(input_hw, c_in, c_out, kernel_hw, padding=padding, stride=stride, dilation=dilation)
    assert got == brute_force_multiply_adds(input_hw, c_in, c_out, kernel_hw, padding, stride, dilation)


@pytest.mark.parametrize("input_hw, c_in, c_out, kernel_hw, padding, stride, dilation", SMALL_CONFIGS)
def test_multiply_adds_are_half_of_torch_flop_counter(input_hw, c_in, c_out, kernel_hw, padding, stride, dilation):
    layer = torch.nn.Conv2d(c_in, c_out, kernel_hw, padding=padding, stride=stride, dilation=dilation)
    with FlopCounterMode(display=False) as counter:
        output = layer(torch.zeros(1, c_in, *input_hw))
    assert tuple(output.shape[2:]) == conv_output_size(input_hw, kernel_hw, padding=padding, stride=stride,
                                                       dilation=dilation)
    got = conv_multiply_adds(input_hw, c_in, c_out, kernel_hw, padding=padding, stride=stride, dilation=dilation)
    assert 2 * got == counter.get_total_flops()


def test_lesson_layers():
    assert conv_multiply_adds(56, 64, 64, 3, padding=1) == 64 * 64 * 9 * 56 * 56
    assert conv_multiply_adds(56, 256, 64, 1) == 64 * 256 * 56 * 56
    assert conv_multiply_adds(224, 3, 64, 3, padding=1) == 64 * 3 * 9 * 224 * 224
    assert conv_parameter_count(3, 64, 3) == 1792


def test_int_and_pair_arguments_agree():
    assert conv_multiply_adds(10, 2, 3, 3, padding=1, stride=2) == conv_multiply_adds(
        (10, 10), 2, 3, (3, 3), padding=(1, 1), stride=(2, 2), dilation=(1, 1))
    assert conv_parameter_count(4, 5, 3) == conv_parameter_count(4, 5, (3, 3))
    assert isinstance(conv_multiply_adds(np.int64(5), np.int64(2), 3, 3), int)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: conv_parameter_count(0, 4, 3), ValueError, r"in_channels must be a positive int .*got 0"),
        (lambda: conv_parameter_count(3, -2, 3), ValueError, r"out_channels must be a positive int .*got -2"),
        (lambda: conv_parameter_count(3.0, 4, 3), TypeError, r"in_channels must be a positive int; got float 3\.0"),
        (lambda: conv_parameter_count(True, 4, 3), TypeError, r"in_channels .* got bool True"),
        (lambda: conv_parameter_count("3", 4, 3), TypeError, r"in_channels .* got str '3'"),
        (lambda: conv_parameter_count(3, 4, 0), ValueError, r"kernel_size must be >= 1; got 0"),
        (lambda: conv_parameter_count(3, 4, (3, 3, 3)), ValueError, r"kernel_size must be an int or an \(h, w\) pair"),
        (lambda: conv_parameter_count(3, 4, 2.5), TypeError, r"kernel_size must be an int or a pair of ints; got float"),
        (lambda: conv_parameter_count(3, 4, 3, bias=1), TypeError, r"bias must be True or False; got int 1"),
        (lambda: conv_parameter_count(3, 4, 3, bias="no"), TypeError, r"bias must be True or False; got str 'no'"),
        (lambda: conv_multiply_adds(0, 1, 1, 1), ValueError, r"input_hw must be >= 1; got 0"),
        (lambda: conv_multiply_adds((5,), 1, 1, 1), ValueError, r"input_hw must be an int or an \(h, w\) pair"),
        (lambda: conv_multiply_adds(5, 0, 1, 1), ValueError, r"in_channels must be a positive int"),
        (lambda: conv_multiply_adds(5, 1, None, 1), TypeError, r"out_channels must be a positive int; got NoneType"),
        (lambda: conv_multiply_adds(5, 1, 1, 3, padding=-1), ValueError, r"padding must be non-negative; got -1"),
        (lambda: conv_multiply_adds(5, 1, 1, 3, stride=0), ValueError, r"stride must be >= 1; got 0"),
        (lambda: conv_multiply_adds(5, 1, 1, 3, dilation=0), ValueError, r"dilation must be >= 1; got 0"),
        (lambda: conv_multiply_adds(2, 1, 1, 3), ValueError,
         r"kernel_size=3 does not fit in input_hw=2 padded by padding=0 to 2x2"),
        (lambda: conv_multiply_adds((5, 5), 1, 1, 3, dilation=3), ValueError,
         r"kernel_size=3 \(dilation=3 spreads it over 7x7\) does not fit in input_hw=\(5, 5\)"),
        (lambda: conv_multiply_adds((5, 1), 1, 1, (1, 4), padding=(0, 1)), ValueError,
         r"padded by padding=\(0, 1\) to 5x3"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_parameter_and_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_kernel_that_just_fits_thanks_to_padding_is_accepted():
    assert conv_output_size((5, 1), (1, 3), padding=(0, 1)) == (5, 1)
    assert conv_multiply_adds((5, 1), 1, 1, (1, 3), padding=(0, 1)) == 5 * 1 * 3


# --- model_multiply_adds: a whole PyTorch network's multiply-adds ---------------------------------------------

from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from course_utils.layer_cost import model_multiply_adds  # noqa: E402


def _lesson_11_cnn(subsample):
    layers = [torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU()]
    if subsample:
        layers.append(torch.nn.MaxPool2d(2, 2))
    layers += [torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveMaxPool2d(1),
               torch.nn.Flatten(), torch.nn.Linear(16, 10)]
    return torch.nn.Sequential(*layers)


def test_model_multiply_adds_of_lesson_11_networks_layer_by_layer():
    pooled = model_multiply_adds(_lesson_11_cnn(True), (1, 16, 16))
    full = model_multiply_adds(_lesson_11_cnn(False), (1, 16, 16))
    assert pooled == {"0": conv_multiply_adds(16, 1, 8, 3, padding=1), "3": conv_multiply_adds(8, 8, 16, 3, padding=1),
                      "7": 16 * 10}
    assert full == {"0": conv_multiply_adds(16, 1, 8, 3, padding=1), "2": conv_multiply_adds(16, 8, 16, 3, padding=1),
                    "6": 16 * 10}
    assert full["2"] == 4 * pooled["3"]


def _flop_counter_multiply_adds(model, input_shape):
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros((1,) + tuple(input_shape)))
    return counter.get_total_flops() // 2


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.sampled_from([1, 2, 4]), st.integers(1, 3), st.integers(5, 12), st.integers(0, 2),
       st.integers(1, 2), st.integers(1, 2), st.integers(1, 7))
def test_model_multiply_adds_is_half_of_torch_flop_counter(groups, per_group_out, kernel, size, padding, stride,
                                                            dilation, n_out):
    c_in, c_out = 2 * groups, per_group_out * groups
    conv = torch.nn.Conv2d(c_in, c_out, kernel, padding=padding, stride=stride, dilation=dilation, groups=groups)
    model = torch.nn.Sequential(conv, torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(2), torch.nn.Flatten(),
                                torch.nn.Linear(4 * c_out, n_out))
    assume(dilation * (kernel - 1) + 1 <= size + 2 * padding)  # else the layer itself refuses the input
    counts = model_multiply_adds(model, (c_in, size, size))
    assert sum(counts.values()) == _flop_counter_multiply_adds(model, (c_in, size, size))
    if groups == 1:
        assert counts["0"] == conv_multiply_adds(size, c_in, c_out, kernel, padding=padding, stride=stride,
                                                 dilation=dilation)


def test_model_multiply_adds_restores_training_mode_and_sums_a_reused_layer():
    shared = torch.nn.Linear(6, 6)

    class Twice(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.shared = shared

        def forward(self, x):
            return self.shared(self.shared(x))

    model = Twice().train()
    assert model_multiply_adds(model, (6,)) == {"shared": 2 * 36}
    assert model.training
    assert model_multiply_adds(torch.nn.ReLU(), (3,)) == {}


@pytest.mark.parametrize("model, input_shape, error, words", [
    ("not a model", (1, 4, 4), TypeError, ["model", "str"]),
    (torch.nn.Conv2d(1, 1, 3), (), ValueError, ["input_shape", "()"]),
    (torch.nn.Conv2d(1, 1, 3), "1x4x4", ValueError, ["input_shape", "1x4x4"]),
    (torch.nn.Conv2d(1, 1, 3), (1, 0, 4), ValueError, ["input_shape[1]", "0"]),
    (torch.nn.Conv2d(1, 1, 3), (1, 4.0, 4), TypeError, ["input_shape[1]", "4.0"]),
    (torch.nn.Sequential(torch.nn.Conv1d(1, 1, 3)), (1, 8), ValueError, ["Conv1d", "'0'"]),
    (torch.nn.ConvTranspose2d(1, 1, 3), (1, 4, 4), ValueError, ["ConvTranspose2d"]),
])
def test_model_multiply_adds_refuses_bad_input(model, input_shape, error, words):
    with pytest.raises(error) as info:
        model_multiply_adds(model, input_shape)
    for word in words:
        assert word in str(info.value)
