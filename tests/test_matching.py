"""course_utils.matching: normalised cross-correlation and best_match."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import corr2d
from course_utils.matching import FLAT_WINDOW_RELATIVE_STD, best_match, normalized_cross_correlation


def ncc_by_loops(image, template):
    """The definition, one window at a time (flat windows -> 0)."""
    image, template = np.asarray(image, float), np.asarray(template, float)
    h, w = template.shape
    t = template - template.mean()
    out = np.zeros((image.shape[0] - h + 1, image.shape[1] - w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            window = image[i : i + h, j : j + w]
            c = window - window.mean()
            norm = np.sqrt((c**2).sum() * (t**2).sum())
            out[i, j] = 0.0 if np.sqrt((c**2).mean()) < 1e-9 else (c * t).sum() / norm
    return out


@pytest.mark.parametrize("seed", range(8))
def test_random_template_is_found_where_it_was_cut(seed):
    rng = np.random.default_rng(seed)
    height, width = rng.integers(12, 40, size=2)
    image = rng.random((height, width))
    h, w = rng.integers(2, 9, size=2)
    r, c = rng.integers(0, height - h + 1), rng.integers(0, width - w + 1)
    template = image[r : r + h, c : c + w].copy()
    ncc = normalized_cross_correlation(image, template)
    assert ncc.shape == (height - h + 1, width - w + 1)
    assert best_match(image, template) == (r, c)
    assert ncc[r, c] == pytest.approx(1.0, abs=1e-9)
    assert np.all(ncc >= -1.0) and np.all(ncc <= 1.0)


@pytest.mark.parametrize("seed", range(4))
def test_matches_the_definition(seed):
    rng = np.random.default_rng(100 + seed)
    image = rng.standard_normal((15, 18)) * 3 + 2
    template = rng.standard_normal((4, 5))
    np.testing.assert_allclose(normalized_cross_correlation(image, template), ncc_by_loops(image, template),
                               atol=1e-10)


def test_invariant_to_gain_and_offset_of_image_and_template():
    rng = np.random.default_rng(7)
    image = rng.random((20, 25))
    template = rng.random((5, 6))
    reference = normalized_cross_correlation(image, template)
    np.testing.assert_allclose(normalized_cross_correlation(3.5 * image - 2.0, template), reference, atol=1e-10)
    np.testing.assert_allclose(normalized_cross_correlation(image, 0.1 * template + 7.0), reference, atol=1e-10)
    np.testing.assert_allclose(normalized_cross_correlation(image, -template), -reference, atol=1e-10)


def test_brighter_copy_is_still_found_where_plain_correlation_is_fooled():
    rng = np.random.default_rng(11)
    image = rng.random((30, 30)) * 0.2
    image[:10, 20:] += 0.8  # a bright corner
    template = image[15:21, 5:11].copy()
    plain = corr2d(image, template)
    assert np.unravel_index(np.argmax(plain), plain.shape) != (15, 5)
    assert best_match(image, template) == (15, 5)


def test_flat_windows_give_zero():
    image = np.zeros((8, 10))
    image[:, 5:] = np.random.default_rng(3).random((8, 5))
    template = np.array([[0.0, 1.0], [2.0, 3.0]])
    ncc = normalized_cross_correlation(image, template)
    assert np.all(ncc[:, :4] == 0.0)  # windows wholly in the flat left part
    assert np.all(np.isfinite(ncc))
    assert np.any(ncc[:, 5:] != 0.0)


def test_constant_image_gives_all_zeros():
    ncc = normalized_cross_correlation(np.full((5, 6), 0.7), [[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(ncc, np.zeros((5, 4)))


def test_nearly_flat_window_below_the_threshold_counts_as_flat():
    image = np.zeros((4, 8))
    image[:, 4:] = np.arange(16.0).reshape(4, 4)  # image std about 5
    image[0, 1] = 1e-9  # a window std far below 1e-6 of the image std
    ncc = normalized_cross_correlation(image, [[1.0, 0.0]])
    assert ncc[0, 0] == 0.0 and ncc[0, 1] == 0.0
    assert FLAT_WINDOW_RELATIVE_STD == 1e-6


def test_integer_and_list_input_work_and_result_is_float64():
    ncc = normalized_cross_correlation([[0, 1, 0], [1, 0, 1], [0, 1, 0]], [[0, 1], [1, 0]])
    assert ncc.dtype == np.float64
    np.testing.assert_allclose(ncc, [[1.0, -1.0], [-1.0, 1.0]])


def test_template_as_large_as_the_image_gives_one_value():
    image = np.random.default_rng(2).random((4, 5))
    ncc = normalized_cross_correlation(image, image)
    assert ncc.shape == (1, 1) and ncc[0, 0] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "image, template, error, message",
    [
        (np.zeros((5, 5)), np.ones((6, 2)),
         ValueError, r"template with shape \(6, 2\) is larger than image with shape \(5, 5\)"),
        (np.zeros((5, 5)), np.ones((2, 7)),
         ValueError, r"template with shape \(2, 7\) is larger than image with shape \(5, 5\)"),
        (np.zeros((5, 5, 3)), np.ones((2, 2)), ValueError, r"image must be 2-D; got a 3-D array with shape \(5, 5, 3\)"),
        (np.zeros(5), np.ones((2, 2)), ValueError, r"image must be 2-D; got a 1-D array with shape \(5,\)"),
        (np.zeros((5, 5)), np.ones(3), ValueError, r"template must be 2-D; got a 1-D array with shape \(3,\)"),
        (np.zeros((5, 5)), np.full((2, 3), 4.0),
         ValueError, r"template with shape \(2, 3\) is constant \(every value 4\)"),
        (np.zeros((5, 5)), [[1.0]], ValueError, r"template with shape \(1, 1\) is constant"),
        (np.full((5, 5), np.nan), np.eye(2), ValueError, r"image must hold only finite values .*shape \(5, 5\)"),
        (np.zeros((5, 5)), [[1.0, np.inf]], ValueError, r"template must hold only finite values"),
        ("image", np.eye(2), TypeError, r"image must be an array of numbers"),
        (np.zeros((5, 5)), np.array([["a", "b"]]), TypeError, r"template must hold real numbers"),
    ],
)
def test_bad_input_names_the_parameter_and_shapes(image, template, error, message):
    with pytest.raises(error, match=message):
        normalized_cross_correlation(image, template)
    with pytest.raises(error, match=message):
        best_match(image, template)


def test_best_match_returns_python_ints_and_first_of_ties():
    image = np.zeros((6, 6))
    image[1, 1] = image[4, 4] = 1.0
    image[1, 2] = image[4, 5] = -1.0
    row, col = best_match(image, [[1.0, -1.0]])
    assert (row, col) == (1, 1)
    assert type(row) is int and type(col) is int
