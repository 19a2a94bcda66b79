"""Worked values of the reference operations, checked exactly.

Every number here is one a lesson (or the source text it follows) prints, so a
change to ``course_utils.ops`` that alters a value a learner sees fails here
first. The dtype and input-type rules that every lesson relies on are checked
at the end (the MXNet inputs only where MXNet has a build: not on macOS or Windows).
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
import scipy.signal
import torch

from conftest import mxnet_numpy, needs_mxnet
from course_utils import conv_output_size, convolve2d, corr2d, corr2d_multi_in, corr2d_multi_in_out, corr2d_naive
from course_utils import frameworks, pool2d

X3 = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
K2 = [[0, 1], [2, 3]]
X_MULTI = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
K_MULTI = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]


# --------------------------------------------------------------------------
# Single-channel cross-correlation and convolution
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [corr2d, corr2d_naive], ids=["corr2d", "corr2d_naive"])
def test_corr2d_3x3_with_2x2_kernel(fn):
    np.testing.assert_array_equal(fn(X3, K2), np.array([[19.0, 25.0], [37.0, 43.0]]))


def test_corr2d_padding_and_stride_docstring_example():
    # Padded to 6x6, windows start at rows/cols 0 and 2: they cover 2 and 3 real rows/cols.
    np.testing.assert_array_equal(
        corr2d(np.ones((4, 4)), np.ones((3, 3)), padding=1, stride=2), [[4.0, 6.0], [6.0, 9.0]]
    )


def _edge_image(width):
    X = np.ones((6, width))
    X[:, 2:6] = 0
    return X


@pytest.mark.parametrize("fn", [corr2d, corr2d_naive], ids=["corr2d", "corr2d_naive"])
@pytest.mark.parametrize(
    "width, row",
    [
        (8, [0, 1, 0, 0, 0, -1, 0]),
        (9, [0, 1, 0, 0, 0, -1, 0, 0]),
    ],
)
def test_vertical_edge_detection(fn, width, row):
    X = _edge_image(width)
    Y = fn(X, [[1, -1]])
    assert Y.shape == (6, width - 1)
    np.testing.assert_array_equal(Y, np.tile(np.array(row, dtype=float), (6, 1)))


@pytest.mark.parametrize("fn", [corr2d, corr2d_naive], ids=["corr2d", "corr2d_naive"])
@pytest.mark.parametrize("width", [8, 9])
def test_horizontal_kernel_misses_edges_of_transposed_image(fn, width):
    # X.T has shape (width, 6), so the (1, 2) kernel gives (width, 5) zeros.
    Y = fn(_edge_image(width).T, [[1, -1]])
    np.testing.assert_array_equal(Y, np.zeros((width, 5)))


def test_convolve2d_docstring_value():
    np.testing.assert_array_equal(convolve2d(X3, K2), [[5.0, 11.0], [23.0, 29.0]])


def test_convolve2d_is_corr2d_with_kernel_rotated_180_degrees():
    X = np.arange(30, dtype=float).reshape(5, 6) ** 1.5
    K = np.array([[1.0, 2.0, -1.0], [0.5, -3.0, 4.0]])
    rotated = np.rot90(K, 2)
    np.testing.assert_array_equal(convolve2d(X, K), corr2d(X, rotated))
    for options in ({"padding": 1}, {"stride": 2}, {"dilation": (2, 1)}, {"padding": (2, 1), "stride": (1, 2)}):
        np.testing.assert_array_equal(convolve2d(X, K, **options), corr2d(X, rotated, **options))
    # And on the worked example: rot180([[0, 1], [2, 3]]) = [[3, 2], [1, 0]].
    np.testing.assert_array_equal(convolve2d(X3, K2), corr2d(X3, [[3, 2], [1, 0]]))


def test_against_scipy_valid_mode():
    rng = np.random.default_rng(20240601)
    for shape, kshape in [((3, 3), (2, 2)), ((7, 5), (3, 2)), ((6, 8), (1, 2)), ((4, 4), (4, 4)), ((9, 7), (5, 1))]:
        X = rng.standard_normal(shape)
        K = rng.standard_normal(kshape)
        np.testing.assert_allclose(convolve2d(X, K), scipy.signal.convolve2d(X, K, mode="valid"), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(corr2d(X, K), scipy.signal.correlate2d(X, K, mode="valid"), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(corr2d_naive(X, K), scipy.signal.correlate2d(X, K, mode="valid"), rtol=1e-12, atol=1e-12)
    # Integer data: exact.
    np.testing.assert_array_equal(convolve2d(X3, K2), scipy.signal.convolve2d(X3, K2, mode="valid"))
    np.testing.assert_array_equal(corr2d(X3, K2), scipy.signal.correlate2d(X3, K2, mode="valid"))


# --------------------------------------------------------------------------
# Multiple channels
# --------------------------------------------------------------------------


def test_corr2d_multi_in_worked_value():
    np.testing.assert_array_equal(corr2d_multi_in(X_MULTI, K_MULTI), [[56.0, 72.0], [104.0, 120.0]])


def test_corr2d_multi_in_out_worked_value():
    K = np.array(K_MULTI)
    K_out = np.stack((K, K + 1, K + 2))
    assert K_out.shape == (3, 2, 2, 2)
    Y = corr2d_multi_in_out(X_MULTI, K_out)
    expected = [
        [[56.0, 72.0], [104.0, 120.0]],
        [[76.0, 100.0], [148.0, 172.0]],
        [[96.0, 128.0], [192.0, 224.0]],
    ]
    np.testing.assert_array_equal(Y, expected)
    assert Y.shape == (3, 2, 2)


# --------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------


def test_pool2d_max_and_avg_worked_values():
    X = np.arange(9).reshape(3, 3)
    np.testing.assert_array_equal(pool2d(X, (2, 2)), [[4.0, 5.0], [7.0, 8.0]])
    np.testing.assert_array_equal(pool2d(X, (2, 2), "max"), [[4.0, 5.0], [7.0, 8.0]])
    np.testing.assert_array_equal(pool2d(X, (2, 2), "avg"), [[2.0, 3.0], [5.0, 6.0]])
    np.testing.assert_array_equal(pool2d(X, 2, mode="avg"), [[2.0, 3.0], [5.0, 6.0]])


def test_pool2d_channels_are_pooled_separately():
    X = np.stack([np.arange(9).reshape(3, 3), np.arange(9).reshape(3, 3) + 1])
    np.testing.assert_array_equal(pool2d(X, 2), [[[4.0, 5.0], [7.0, 8.0]], [[5.0, 6.0], [8.0, 9.0]]])
    np.testing.assert_array_equal(pool2d(X, 2, "avg"), [[[2.0, 3.0], [5.0, 6.0]], [[3.0, 4.0], [6.0, 7.0]]])


def test_pool2d_padding_and_stride_hand_checked():
    X = np.arange(16, dtype=float).reshape(4, 4)
    # 3x3 windows, padding 1, stride 2: windows centred on (0,0), (0,2), (2,0), (2,2).
    np.testing.assert_array_equal(pool2d(X, 3, padding=1, stride=2), [[5.0, 7.0], [13.0, 15.0]])
    # Max pooling pads with -inf: padding never wins, even for negative input.
    np.testing.assert_array_equal(pool2d(-X - 1, 3, padding=1, stride=2), [[-1.0, -2.0], [-5.0, -6.0]])
    # Average: the corner window holds 0+1+4+5 = 10 over 4 real cells of 9.
    np.testing.assert_array_equal(pool2d(X, 3, "avg", padding=1, stride=2)[0, 0], 10.0 / 9.0)
    np.testing.assert_array_equal(pool2d(X, 3, "avg", padding=1, stride=2, count_include_pad=False)[0, 0], 10.0 / 4.0)


# --------------------------------------------------------------------------
# Output size
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, expected",
    [
        ((3, 2), {}, 2),
        ((8, 3), {"padding": 1, "stride": 2}, 4),
        ((5, 3), {"dilation": 2}, 1),
        (((28, 28), 5), {"padding": (2, 0)}, (28, 24)),
        ((7, 3), {"stride": 2}, 3),  # (7 - 3) / 2 + 1 = 3
        ((8, 3), {"stride": 2}, 3),  # floor((8 - 3) / 2) + 1 = 3
        ((224, 11), {"padding": 2, "stride": 4}, 55),  # AlexNet's first layer
        ((224, 7), {"padding": 3, "stride": 2}, 112),  # ResNet's stem
        ((32, 5), {}, 28),  # LeNet's first layer without padding
        ((28, 5), {"padding": 2}, 28),  # "same" padding for an odd kernel
        ((1, 1), {}, 1),
        ((4, 4), {}, 1),
        ((3, 5), {"padding": 1}, 1),
        ((10, 3), {"dilation": 4, "padding": 1}, 4),  # effective kernel 9 in 12
        (((6, 8), (3, 2)), {"stride": (1, 3)}, (4, 3)),
        ((6, 3), {"stride": [2, 1]}, (2, 4)),  # one pair argument makes the result a pair
        (((5, 9), 3), {"dilation": (1, 3), "padding": (0, 1)}, (3, 5)),
    ],
)
def test_conv_output_size_hand_checked(args, kwargs, expected):
    result = conv_output_size(*args, **kwargs)
    assert result == expected
    assert type(result) is type(expected)


def test_conv_output_size_agrees_with_worked_examples():
    assert corr2d(X3, K2).shape == (conv_output_size(3, 2),) * 2
    assert corr2d(np.ones((4, 4)), np.ones((3, 3)), padding=1, stride=2).shape == conv_output_size((4, 4), 3, padding=1, stride=2)
    assert _edge_image(8).shape[1] - 1 == conv_output_size(8, 2)


# --------------------------------------------------------------------------
# Dtypes and input types
# --------------------------------------------------------------------------

# Every public array function with arguments of the right dimensions.
CALLS = {
    "corr2d": (corr2d, X3, K2, {"padding": 1}),
    "corr2d_naive": (corr2d_naive, X3, K2, {}),
    "convolve2d": (convolve2d, X3, K2, {"stride": 2, "padding": 1}),
    "corr2d_multi_in": (corr2d_multi_in, X_MULTI, K_MULTI, {"dilation": 2, "padding": 1}),
    "corr2d_multi_in_out": (corr2d_multi_in_out, X_MULTI, [K_MULTI, K_MULTI], {"padding": (1, 0)}),
    "pool2d_max": (pool2d, X3, None, {"pool_size": 2}),
    "pool2d_avg": (pool2d, X_MULTI, None, {"pool_size": 3, "mode": "avg", "padding": 1}),
    "pool2d_avg_no_pad_count": (
        pool2d,
        X_MULTI,
        None,
        {"pool_size": 3, "mode": "avg", "padding": 1, "count_include_pad": False},
    ),
}


def _call(name, convert=lambda a: a):
    fn, X, K, kwargs = CALLS[name]
    if K is None:
        return fn(convert(X), **kwargs)
    return fn(convert(X), convert(K), **kwargs)


def _reference(name):
    return _call(name, lambda a: np.asarray(a, dtype=np.float64))


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize(
    "in_dtype, out_dtype",
    [
        (np.float64, np.float64),
        (np.float32, np.float32),
        (np.float16, np.float32),
        (np.int64, np.float64),
        (np.int32, np.float64),
        (np.uint8, np.float64),
        (np.int8, np.float64),
        (np.longdouble, np.float64),
    ],
    ids=lambda d: np.dtype(d).name,
)
def test_dtype_rules(name, in_dtype, out_dtype):
    result = _call(name, lambda a: np.asarray(a).astype(in_dtype))
    assert isinstance(result, np.ndarray)
    assert result.dtype == out_dtype
    np.testing.assert_allclose(result, _reference(name), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_bool_input_gives_float64(name):
    result = _call(name, lambda a: np.asarray(a) % 2 == 1)
    assert result.dtype == np.float64
    expected = _call(name, lambda a: (np.asarray(a) % 2).astype(np.float64))
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("name", ["corr2d", "corr2d_naive", "convolve2d", "corr2d_multi_in", "corr2d_multi_in_out"])
def test_mixed_float32_and_float64_gives_float64(name):
    fn, X, K, kwargs = CALLS[name]
    X32 = np.asarray(X, dtype=np.float32)
    K32 = np.asarray(K, dtype=np.float32)
    assert fn(X32, K32, **kwargs).dtype == np.float32
    assert fn(X32, np.asarray(K, dtype=np.float64), **kwargs).dtype == np.float64
    assert fn(np.asarray(X, dtype=np.float64), K32, **kwargs).dtype == np.float64
    # A nested list of ints counts as float64.
    assert fn(X32, K, **kwargs).dtype == np.float64


def _torch_tensor(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def _torch_float32(a):
    return torch.tensor(np.asarray(a, dtype=np.float32))


def _torch_requires_grad(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def _torch_int(a):
    return torch.tensor(np.asarray(a, dtype=np.int64))


def _torch_non_contiguous(a):
    # A transposed-twice view: same values, non-contiguous strides.
    t = torch.tensor(np.asarray(a, dtype=np.float64)).transpose(-1, -2).contiguous().transpose(-1, -2)
    assert not t.is_contiguous()
    return t


def _mxnet(a):
    mnp, _ = mxnet_numpy()
    return mnp.array(np.asarray(a, dtype=np.float64), dtype="float64")


def _mxnet_float32(a):
    mnp, _ = mxnet_numpy()
    return mnp.array(np.asarray(a, dtype=np.float32))


def _jax(a):
    return jnp.asarray(np.asarray(a, dtype=np.float32))


def _jax_int(a):
    return jnp.asarray(np.asarray(a, dtype=np.int32))


def _nested_list(a):
    return np.asarray(a).tolist()


def _nested_tuple(a):
    def to_tuple(x):
        return tuple(to_tuple(v) for v in x) if isinstance(x, list) else x

    return to_tuple(np.asarray(a).tolist())


CONVERTERS = {
    "list": (_nested_list, np.float64),
    "tuple": (_nested_tuple, np.float64),
    "torch_float64": (_torch_tensor, np.float64),
    "torch_float32": (_torch_float32, np.float32),
    "torch_requires_grad": (_torch_requires_grad, np.float64),
    "torch_int64": (_torch_int, np.float64),
    "torch_non_contiguous": (_torch_non_contiguous, np.float64),
    "mxnet_float64": (_mxnet, np.float64),
    "mxnet_float32": (_mxnet_float32, np.float32),
    "jax_float32": (_jax, np.float32),
    "jax_int32": (_jax_int, np.float64),
}


def _needs_mxnet(converter: str) -> bool:
    return converter.startswith("mxnet_")


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("converter", [pytest.param(converter, marks=needs_mxnet) if _needs_mxnet(converter)
                                       else converter for converter in sorted(CONVERTERS)])
def test_framework_inputs_give_the_same_numbers(name, converter):
    convert, out_dtype = CONVERTERS[converter]
    result = _call(name, convert)
    assert isinstance(result, np.ndarray)
    assert result.dtype == out_dtype
    np.testing.assert_allclose(result, _reference(name), rtol=1e-6)


def test_worked_value_from_every_input_type():
    for converter in sorted(CONVERTERS):
        if _needs_mxnet(converter) and not frameworks.available("mxnet"):
            continue  # the other input types are still checked where MXNet has no build
        convert, _ = CONVERTERS[converter]
        np.testing.assert_array_equal(corr2d(convert(X3), convert(K2)), [[19.0, 25.0], [37.0, 43.0]], err_msg=converter)


def test_requires_grad_tensor_is_untouched():
    X = torch.tensor(np.asarray(X3, dtype=np.float64), requires_grad=True)
    K = torch.tensor(np.asarray(K2, dtype=np.float64), requires_grad=True)
    np.testing.assert_array_equal(corr2d(X, K), [[19.0, 25.0], [37.0, 43.0]])
    assert X.requires_grad and K.requires_grad and X.grad is None


# --------------------------------------------------------------------------
# Inputs are never modified
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_inputs_are_not_modified(name, dtype):
    fn, X, K, kwargs = CALLS[name]
    X = np.asarray(X).astype(dtype) - 3
    X_copy = X.copy()
    if K is None:
        fn(X, **kwargs)
    else:
        K = np.asarray(K).astype(dtype) - 1
        K_copy = K.copy()
        fn(X, K, **kwargs)
        np.testing.assert_array_equal(K, K_copy)
        assert K.dtype == K_copy.dtype
    np.testing.assert_array_equal(X, X_copy)
    assert X.dtype == X_copy.dtype


@pytest.mark.parametrize("name", sorted(CALLS))
def test_torch_inputs_are_not_modified(name):
    fn, X, K, kwargs = CALLS[name]
    Xt = torch.tensor(np.asarray(X, dtype=np.float32)) - 3
    X_copy = Xt.clone()
    if K is None:
        fn(Xt, **kwargs)
    else:
        Kt = torch.tensor(np.asarray(K, dtype=np.float32)) - 1
        K_copy = Kt.clone()
        fn(Xt, Kt, **kwargs)
        assert torch.equal(Kt, K_copy)
    assert torch.equal(Xt, X_copy)


def test_result_does_not_alias_input():
    # With no padding and a 1x1 kernel of one, writing to the result must not write to X.
    X = np.arange(9, dtype=np.float64).reshape(3, 3)
    for result in (corr2d(X, [[1.0]]), convolve2d(X, [[1.0]]), corr2d_naive(X, [[1.0]]), pool2d(X, 1), pool2d(X, 1, "avg")):
        np.testing.assert_array_equal(result, X)
        result[...] = -1
        np.testing.assert_array_equal(X, np.arange(9).reshape(3, 3))
