"""Bad input: every public operation refuses it with a clear, typed error.

One test per kind of mistake, run over every function where the mistake can be
made. Each asserts the exception type and that the message names the
parameter (and the shapes, where shapes are the problem), because the message
is what a learner reads.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Callable, FrozenSet, Optional, Tuple

import numpy as np
import pytest
import torch

from course_utils import conv_output_size, convolve2d, corr2d, corr2d_multi_in, corr2d_multi_in_out, corr2d_naive
from course_utils import pool2d

DEFAULT = object()


@dataclass(frozen=True)
class Op:
    name: str
    fn: Callable
    x_shape: Tuple[int, ...]
    # None for pool2d, whose second argument is pool_size rather than an array.
    k_shape: Optional[Tuple[int, ...]]
    options: FrozenSet[str] = field(default_factory=frozenset)

    def __call__(self, X=DEFAULT, K=DEFAULT, **kwargs):
        X = np.ones(self.x_shape) if X is DEFAULT else X
        if self.k_shape is None:
            return self.fn(X, 2 if K is DEFAULT else K, **kwargs)
        K = np.ones(self.k_shape) if K is DEFAULT else K
        return self.fn(X, K, **kwargs)

    def __repr__(self):
        return self.name


CONV_OPTIONS = frozenset({"padding", "stride", "dilation"})
OPS = [
    Op("corr2d", corr2d, (3, 3), (2, 2), CONV_OPTIONS),
    Op("corr2d_naive", corr2d_naive, (3, 3), (2, 2)),
    Op("convolve2d", convolve2d, (3, 3), (2, 2), CONV_OPTIONS),
    Op("corr2d_multi_in", corr2d_multi_in, (2, 3, 3), (2, 2, 2), CONV_OPTIONS),
    Op("corr2d_multi_in_out", corr2d_multi_in_out, (2, 3, 3), (4, 2, 2, 2), CONV_OPTIONS),
    Op("pool2d", pool2d, (3, 3), None, frozenset({"padding", "stride"})),
    Op("pool2d_3d", pool2d, (2, 3, 3), None, frozenset({"padding", "stride"})),
]
OPS_WITH_K = [op for op in OPS if op.k_shape is not None]
MULTI_CHANNEL = [op for op in OPS if op.name.startswith("corr2d_multi")]


def ops_with(option):
    return [op for op in OPS if option in op.options]


def conv_output_size_call(**kwargs):
    args = {"n": 5, "k": 3}
    args.update(kwargs)
    n, k = args.pop("n"), args.pop("k")
    return conv_output_size(n, k, **args)


# Everything that takes padding/stride/dilation, as callables taking the options.
def _option_targets(option):
    targets = [pytest.param(op, id=op.name) for op in ops_with(option)]
    targets.append(pytest.param(conv_output_size_call, id="conv_output_size"))
    return targets


def names(message: str, name: str) -> bool:
    """Whether ``message`` mentions ``name`` as a word."""
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", message) is not None


def error_of(exc_type, call, *args, **kwargs) -> str:
    with pytest.raises(exc_type) as info:
        call(*args, **kwargs)
    assert type(info.value) is exc_type, f"expected exactly {exc_type.__name__}, got {type(info.value).__name__}"
    return str(info.value)


def shape_str(shape) -> str:
    return str(tuple(shape))


# --------------------------------------------------------------------------
# Dimensions
# --------------------------------------------------------------------------


def _wrong_ndims(ndims_ok, base_shape):
    """Shapes with one dimension fewer and one more than allowed, plus a 0-D scalar."""
    low, high = min(ndims_ok), max(ndims_ok)
    fewer = base_shape[-(low - 1):] if low > 1 else ()
    more = (1,) * (high + 1 - len(base_shape)) + base_shape
    return [fewer, more, ()]


X_NDIMS = {"corr2d": (2,), "corr2d_naive": (2,), "convolve2d": (2,), "corr2d_multi_in": (3,), "corr2d_multi_in_out": (3,), "pool2d": (2, 3), "pool2d_3d": (2, 3)}
K_NDIMS = {"corr2d": 2, "corr2d_naive": 2, "convolve2d": 2, "corr2d_multi_in": 3, "corr2d_multi_in_out": 4}


@pytest.mark.parametrize("op, argument", [(op, "X") for op in OPS] + [(op, "K") for op in OPS_WITH_K],
                         ids=lambda value: value if isinstance(value, str) else repr(value))
def test_wrong_number_of_dimensions(op, argument):
    allowed = X_NDIMS[op.name] if argument == "X" else (K_NDIMS[op.name],)
    for shape in _wrong_ndims(allowed, op.x_shape if argument == "X" else op.k_shape):
        message = error_of(ValueError, op, **{argument: np.ones(shape)})
        assert names(message, argument), message
        assert shape_str(shape) in message, message
        assert f"{len(shape)}-D" in message and f"{allowed[0]}-D" in message, message


@pytest.mark.parametrize("op", OPS, ids=repr)
def test_wrong_dimensions_given_as_nested_lists(op):
    message = error_of(ValueError, op, X=[1.0, 2.0, 3.0])
    assert names(message, "X") and "(3,)" in message, message


# --------------------------------------------------------------------------
# Kernel larger than the (padded, dilated) input
# --------------------------------------------------------------------------


@pytest.mark.parametrize("op", OPS, ids=repr)
def test_kernel_larger_than_input(op):
    x_shape = op.x_shape
    if op.k_shape is None:
        cases = [(4, {}, (4, 4)), ((2, 4), {}, (2, 4)), (6, {"padding": 1}, (6, 6))]
        for pool_size, kwargs, shown in cases:
            message = error_of(ValueError, op, K=pool_size, **kwargs)
            assert shape_str(x_shape) in message and shape_str(shown) in message, message
            assert names(message, "X") and "pool_size" in message, message
        return
    too_big = [op.k_shape[:-2] + (4, 4), op.k_shape[:-2] + (1, 4), op.k_shape[:-2] + (4, 1)]
    for k_shape in too_big:
        message = error_of(ValueError, op, K=np.ones(k_shape))
        assert shape_str(x_shape) in message and shape_str(k_shape) in message, message
        assert names(message, "X") and names(message, "K"), message
    if "padding" in op.options:
        k_shape = op.k_shape[:-2] + (6, 2)  # padded input is 5x5
        message = error_of(ValueError, op, K=np.ones(k_shape), padding=1)
        assert shape_str(x_shape) in message and shape_str(k_shape) in message and "5x5" in message, message


@pytest.mark.parametrize("op", ops_with("dilation"), ids=repr)
@pytest.mark.parametrize("dilation, padding", [(3, 0), ((1, 3), 0), ((3, 1), 0), (5, 1), ((2, 5), (0, 1))])
def test_kernel_too_large_only_because_of_dilation(op, dilation, padding):
    op(padding=padding)  # fits without dilation
    message = error_of(ValueError, op, dilation=dilation, padding=padding)
    assert shape_str(op.x_shape) in message and shape_str(op.k_shape) in message, message
    assert "dilation" in message, message


def test_conv_output_size_kernel_does_not_fit():
    for kwargs in [{"n": 2, "k": 3}, {"n": 5, "k": 3, "dilation": 3}, {"n": (5, 5), "k": (3, 6)}, {"n": 1, "k": 4, "padding": 1}]:
        message = error_of(ValueError, conv_output_size_call, **kwargs)
        assert names(message, "n") and names(message, "k"), message


# --------------------------------------------------------------------------
# padding / stride / dilation values
# --------------------------------------------------------------------------


@pytest.mark.parametrize("target", _option_targets("stride"))
@pytest.mark.parametrize("stride", [0, -1, (1, 0), (0, 2), [2, -3]])
def test_stride_below_one(target, stride):
    message = error_of(ValueError, target, stride=stride)
    assert names(message, "stride") and ">= 1" in message, message


@pytest.mark.parametrize("target", _option_targets("dilation"))
@pytest.mark.parametrize("dilation", [0, -2, (1, 0), (0, 1)])
def test_dilation_below_one(target, dilation):
    message = error_of(ValueError, target, dilation=dilation)
    assert names(message, "dilation") and ">= 1" in message, message


@pytest.mark.parametrize("target", _option_targets("padding"))
@pytest.mark.parametrize("padding", [-1, (0, -1), (-2, 0)])
def test_negative_padding(target, padding):
    message = error_of(ValueError, target, padding=padding)
    assert names(message, "padding") and "non-negative" in message, message


def _pair_length_cases():
    cases = []
    for option in ("padding", "stride", "dilation"):
        for target in _option_targets(option):
            cases.append(pytest.param(target.values[0], option, id=f"{target.id}-{option}"))
    cases.append(pytest.param(OPS[-2], "pool_size", id="pool2d-pool_size"))
    cases.append(pytest.param(conv_output_size_call, "n", id="conv_output_size-n"))
    cases.append(pytest.param(conv_output_size_call, "k", id="conv_output_size-k"))
    return cases


def option_error(exc_type, target, option, value) -> str:
    """The message ``target`` raises when ``option`` is ``value`` (pool2d takes its pool_size as K)."""
    return error_of(exc_type, target, **{"K" if option == "pool_size" else option: value})


@pytest.mark.parametrize("target, option", _pair_length_cases())
@pytest.mark.parametrize("value", [(1, 1, 1), [1, 1, 1], (), (1,), np.array([1, 1, 1])], ids=["tuple3", "list3", "empty", "tuple1", "array3"])
def test_pair_with_wrong_number_of_entries(target, option, value):
    message = option_error(ValueError, target, option, value)
    assert names(message, option) and "entries" in message, message


@pytest.mark.parametrize("target, option", _pair_length_cases())
@pytest.mark.parametrize(
    "value", [1.5, 2.0, True, False, "2", None, (1, 1.5), (True, 1), np.float64(1.0)], ids=repr
)
def test_non_int_option(target, option, value):
    message = option_error(TypeError, target, option, value)
    assert names(message, option) and "int" in message, message


@pytest.mark.parametrize("op", [OPS[-2], OPS[-1]], ids=repr)
def test_numpy_ints_are_accepted_as_options(op):
    # The non-int refusal must not catch NumPy integers: they give what the same plain ints give.
    np.testing.assert_array_equal(op(K=np.int64(2), padding=np.int32(1), stride=(np.int64(1), 2)),
                                  op(K=2, padding=1, stride=(1, 2)))
    X, K = np.arange(9.0).reshape(3, 3), np.array([[1.0, -1.0], [2.0, 0.5]])
    np.testing.assert_array_equal(corr2d(X, K, padding=np.array([1, 1]), stride=np.int8(2), dilation=np.uint8(1)),
                                  corr2d(X, K, padding=(1, 1), stride=2, dilation=1))


# --------------------------------------------------------------------------
# Channels
# --------------------------------------------------------------------------


@pytest.mark.parametrize("op", MULTI_CHANNEL, ids=repr)
@pytest.mark.parametrize("x_channels, k_channels", [(2, 3), (3, 2), (1, 4), (4, 1)])
def test_channel_mismatch(op, x_channels, k_channels):
    x_shape = (x_channels, 4, 4)
    k_shape = (k_channels, 2, 2) if op.name == "corr2d_multi_in" else (5, k_channels, 2, 2)
    message = error_of(ValueError, op, X=np.ones(x_shape), K=np.ones(k_shape))
    assert "channel" in message, message
    assert shape_str(x_shape) in message and shape_str(k_shape) in message, message
    assert names(message, "X") and names(message, "K"), message


def test_channel_count_is_read_from_the_right_axis_of_K():
    # (C_out, C_in, kh, kw): 4 output channels, 2 input channels, matching X.
    corr2d_multi_in_out(np.ones((2, 3, 3)), np.ones((4, 2, 2, 2)))
    with pytest.raises(ValueError, match="channel"):
        corr2d_multi_in_out(np.ones((2, 3, 3)), np.ones((2, 4, 2, 2)))


# --------------------------------------------------------------------------
# Empty arrays
# --------------------------------------------------------------------------


def _empty_shapes(shape):
    """The shape with each axis in turn set to 0."""
    return [shape[:i] + (0,) + shape[i + 1 :] for i in range(len(shape))]


@pytest.mark.parametrize("op", OPS, ids=repr)
def test_empty_X(op):
    for shape in _empty_shapes(op.x_shape):
        message = error_of(ValueError, op, X=np.ones(shape))
        assert names(message, "X") and "empty" in message and shape_str(shape) in message, message
    message = error_of(ValueError, op, X=torch.ones(op.x_shape[:-1] + (0,)))
    assert names(message, "X") and "empty" in message, message


@pytest.mark.parametrize("op", OPS_WITH_K, ids=repr)
def test_empty_K(op):
    for shape in _empty_shapes(op.k_shape):
        message = error_of(ValueError, op, K=np.ones(shape))
        assert names(message, "K") and "empty" in message and shape_str(shape) in message, message


# --------------------------------------------------------------------------
# Non-numeric input
# --------------------------------------------------------------------------


def _non_numeric(shape):
    ones = np.ones(shape)
    objects = ones.astype(object)
    objects.flat[0] = None
    return {
        "str": "abc",
        "bytes": b"abc",
        "None": None,
        "str_array": np.full(shape, "a"),
        "str_nested_list": np.full(shape, "a").tolist(),
        "mixed_nested_list": [["1", 2.0], [3.0, 4.0]] if len(shape) == 2 else [[["1", 2.0], [3.0, 4.0]]] * shape[0],
        "object_array": objects,
        "ragged_list": [[1.0, 2.0], [3.0]],
        "complex_array": ones.astype(complex),
        "complex_list": (ones + 1j).tolist(),
        "torch_complex": torch.ones(shape, dtype=torch.complex64),
        "torch_meta_device": torch.empty(shape, device="meta"),
        "datetime_array": np.zeros(shape, dtype="datetime64[s]"),
        "structured_array": np.zeros(shape, dtype=[("a", float)]),
        "dict": {"a": 1},
        "set": {1, 2},
    }


NON_NUMERIC_KINDS = sorted(_non_numeric((2, 2)))


@pytest.mark.parametrize("op", OPS, ids=repr)
@pytest.mark.parametrize("kind", NON_NUMERIC_KINDS)
def test_non_numeric_X(op, kind):
    message = error_of(TypeError, op, X=_non_numeric(op.x_shape)[kind])
    assert re.match(r"X\b", message), message


@pytest.mark.parametrize("op", OPS_WITH_K, ids=repr)
@pytest.mark.parametrize("kind", NON_NUMERIC_KINDS)
def test_non_numeric_K(op, kind):
    message = error_of(TypeError, op, K=_non_numeric(op.k_shape)[kind])
    assert re.match(r"K\b", message), message


# --------------------------------------------------------------------------
# Pooling options
# --------------------------------------------------------------------------


@pytest.mark.parametrize("X_shape", [(3, 3), (2, 3, 3)])
@pytest.mark.parametrize("mode", ["mean", "MAX", "Max", "average", "avg ", "", None, 1, max, ("max",)], ids=repr)
def test_pool_mode_other_than_max_or_avg(X_shape, mode):
    message = error_of(ValueError, pool2d, np.ones(X_shape), 2, mode)
    assert names(message, "mode") and "'max'" in message and "'avg'" in message, message
    message = error_of(ValueError, pool2d, np.ones(X_shape), 2, mode=mode)
    assert names(message, "mode"), message


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(
    "pool_size, padding",
    [(1, 1), (2, 2), (3, 2), (4, 3), ((3, 2), (1, 2)), ((2, 3), (2, 0)), (5, (3, 0))],
)
def test_pool_padding_more_than_half_the_window(mode, pool_size, padding):
    message = error_of(ValueError, pool2d, np.ones((8, 8)), pool_size, mode, padding=padding)
    assert names(message, "padding") and "pool_size" in message, message


@pytest.mark.parametrize("pool_size", [0, -1, (2, 0)])
def test_pool_size_below_one(pool_size):
    message = error_of(ValueError, pool2d, np.ones((3, 3)), pool_size)
    assert names(message, "pool_size"), message


@pytest.mark.parametrize("value", [1, 0, "yes", None, 1.0])
def test_pool_count_include_pad_must_be_bool(value):
    message = error_of(TypeError, pool2d, np.ones((3, 3)), 2, "avg", count_include_pad=value)
    assert names(message, "count_include_pad"), message
    pool2d(np.ones((3, 3)), 2, "avg", count_include_pad=np.bool_(False))


# --------------------------------------------------------------------------
# conv_output_size
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n": 0}, "n"),
        ({"n": -3}, "n"),
        ({"n": (5, 0)}, "n"),
        ({"k": 0}, "k"),
        ({"k": -1}, "k"),
        ({"k": (0, 3)}, "k"),
    ],
)
def test_conv_output_size_sizes_below_one(kwargs, name):
    message = error_of(ValueError, conv_output_size_call, **kwargs)
    assert names(message, name) and ">= 1" in message, message


# --------------------------------------------------------------------------
# Odd but valid input never fails with an IndexError (or anything unexpected)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("op", OPS, ids=repr)
def test_one_by_one_input_and_kernel(op):
    X = np.full(op.x_shape[:-2] + (1, 1), 2.0)
    if op.k_shape is None:
        result = op(X=X, K=1)
        np.testing.assert_array_equal(result, X)
        result = op(X=X, K=1, mode="avg")
        np.testing.assert_array_equal(result, X)
        return
    K = np.full(op.k_shape[:-2] + (1, 1), 3.0)
    result = op(X=X, K=K)
    assert result.shape[-2:] == (1, 1)
    assert np.all(result == 6.0 * (X.shape[0] if X.ndim == 3 else 1))


@pytest.mark.parametrize(
    "op, padding",
    [
        pytest.param(op, padding, id=f"{op.name}-{padding}")
        for op in OPS
        for padding in ([0, 1, (0, 2), (1, 0)] if "padding" in op.options else [0])
    ],
)
def test_kernel_exactly_the_padded_input_size(op, padding):
    p = (padding, padding) if isinstance(padding, int) else padding
    x_hw = op.x_shape[-2:]
    k_hw = (x_hw[0] + 2 * p[0], x_hw[1] + 2 * p[1])
    kwargs = {"padding": padding} if "padding" in op.options else {}
    if op.k_shape is None:
        result = op(K=k_hw, **kwargs)
    else:
        result = op(K=np.ones(op.k_shape[:-2] + k_hw), **kwargs)
    assert result.shape[-2:] == (1, 1)
    assert result.shape[-2:] == conv_output_size(x_hw, k_hw, padding=padding)


def _sweep_options(op):
    paddings = [0, 1, 2, (0, 2)] if "padding" in op.options else [0]
    strides = [1, 2, 4, (3, 1)] if "stride" in op.options else [1]
    dilations = [1, 2, (1, 3)] if "dilation" in op.options else [1]
    for padding, stride, dilation in itertools.product(paddings, strides, dilations):
        kwargs = {}
        if "padding" in op.options:
            kwargs["padding"] = padding
        if "stride" in op.options:
            kwargs["stride"] = stride
        if "dilation" in op.options:
            kwargs["dilation"] = dilation
        yield kwargs, padding, stride, dilation


@pytest.mark.parametrize("op", OPS, ids=repr)
def test_sweep_of_odd_shapes_raises_only_value_errors(op):
    """Small and lopsided shapes: each call works or raises ValueError, never IndexError.

    A call fails exactly when conv_output_size says the kernel does not fit (or,
    for pooling, when padding is more than half the window).
    """
    sizes = [(1, 1), (1, 2), (2, 1), (1, 5), (5, 1), (2, 3), (4, 4)]
    rng = np.random.default_rng(7)
    checked = failed = 0
    for x_hw, k_hw in itertools.product(sizes, sizes):
        X = rng.standard_normal(op.x_shape[:-2] + x_hw)
        K = k_hw if op.k_shape is None else rng.standard_normal(op.k_shape[:-2] + k_hw)
        for kwargs, padding, stride, dilation in _sweep_options(op):
            try:
                expected_hw = conv_output_size(x_hw, k_hw, padding=padding, stride=stride, dilation=dilation)
            except ValueError:
                expected_hw = None
            if op.k_shape is None:
                p = (padding, padding) if isinstance(padding, int) else padding
                if p[0] > k_hw[0] // 2 or p[1] > k_hw[1] // 2:
                    expected_hw = None
            try:
                result = op(X=X, K=K, **kwargs)
            except ValueError:
                assert expected_hw is None, (op.name, x_hw, k_hw, kwargs)
                failed += 1
                continue
            assert expected_hw is not None, (op.name, x_hw, k_hw, kwargs)
            assert result.shape[-2:] == expected_hw, (op.name, x_hw, k_hw, kwargs)
            assert np.isfinite(result).all(), (op.name, x_hw, k_hw, kwargs)
            checked += 1
    assert checked > 0 and failed > 0


@pytest.mark.parametrize("n, k", [(1, 1), (1, (1, 1)), ((1, 1), 1), (2, 2), ((1, 7), (1, 7))])
def test_conv_output_size_smallest_cases(n, k):
    result = conv_output_size(n, k)
    assert result == (1 if isinstance(result, int) else (1, 1))


def test_unsupported_torch_dtype_names_parameter():
    import torch

    from course_utils import corr2d

    with pytest.raises(TypeError, match=r"^X is a PyTorch tensor .*bfloat16"):
        corr2d(torch.ones(3, 3, dtype=torch.bfloat16), [[1.0]])


def test_zero_dimensional_array_option_means_int():
    from course_utils import corr2d

    assert corr2d(np.ones((3, 3)), np.ones((2, 2)), padding=np.array(1)).shape == (4, 4)
