"""course_utils.data (bundled photographs) and course_utils.kernels (named kernels)."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import corr2d
from course_utils.data import IMAGE_NAMES, band_image, downscale_mean, load_image
from course_utils.kernels import KERNEL_NAMES, gaussian_kernel, kernel_preset

# --------------------------------------------------------------------------- #
# load_image


@pytest.mark.parametrize(
    "name, shape",
    [("cat", (300, 451)), ("camera", (512, 512)), ("astronaut", (512, 512)), ("coins", (303, 384))],
)
def test_load_image_shape_dtype_and_range(name, shape):
    image = load_image(name)
    assert image.shape == shape
    assert image.dtype == np.float32
    assert 0.0 <= image.min() < image.max() <= 1.0


def test_image_names_are_the_four_bundled_photographs():
    assert IMAGE_NAMES == ("astronaut", "camera", "cat", "coins")


def test_cat_is_chelsea_in_grayscale():
    from skimage import data
    from skimage.color import rgb2gray

    expected = rgb2gray(data.chelsea())
    np.testing.assert_allclose(load_image("cat", dtype=np.float64), expected, atol=1e-12)


def test_camera_is_scaled_to_unit_range():
    from skimage import data

    np.testing.assert_allclose(load_image("camera", dtype=np.float64), data.camera() / 255.0, atol=1e-12)


def test_downscale_averages_blocks_and_drops_the_remainder():
    full = load_image("cat", dtype=np.float64)
    small = load_image("cat", downscale=2, dtype=np.float64)
    assert small.shape == (150, 225)
    assert small[3, 4] == pytest.approx(full[6:8, 8:10].mean())
    assert load_image("camera", downscale=4).shape == (128, 128)
    assert load_image("coins", downscale=5).shape == (60, 76)


def test_each_call_returns_a_new_array():
    first = load_image("coins", downscale=4)
    first[:] = -1
    assert load_image("coins", downscale=4).min() >= 0


@pytest.mark.parametrize("bad", ["dog", "Cat", "chelsea", "", None, 3])
def test_unknown_name_lists_the_names(bad):
    with pytest.raises(ValueError, match=r"name must be one of 'astronaut', 'camera', 'cat', 'coins'; got"):
        load_image(bad)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"downscale": 0}, ValueError, r"downscale must be a positive int .*got 0"),
        ({"downscale": 2.0}, TypeError, r"downscale must be a positive int; got float 2\.0"),
        ({"downscale": True}, TypeError, r"downscale must be a positive int; got bool"),
        ({"downscale": 1000}, ValueError, r"factor=1000 is larger than the image with shape \(512, 512\)"),
        ({"dtype": np.int32}, TypeError, r"dtype must be np.float32 or np.float64"),
        ({"dtype": "banana"}, TypeError, r"dtype must be np.float32 or np.float64"),
    ],
)
def test_load_image_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_image("camera", **kwargs)


def test_downscale_mean_bad_input():
    with pytest.raises(ValueError, match=r"image must be 2-D; got a 3-D array with shape \(2, 2, 3\)"):
        downscale_mean(np.zeros((2, 2, 3)), 2)
    with pytest.raises(ValueError, match=r"factor must be a positive int"):
        downscale_mean(np.zeros((4, 4)), -1)


# --------------------------------------------------------------------------- #
# band_image


def test_band_image_is_the_6x8_edge_example_with_two_edges():
    image = band_image()
    assert image.shape == (6, 8) and image.dtype == np.float32
    assert np.array_equal(image, np.tile([1, 1, 0, 0, 0, 0, 1, 1], (6, 1)))
    edges = corr2d(image, np.array([[1.0, -1.0]]))
    assert np.array_equal(edges[3], [0, 1, 0, 0, 0, -1, 0])


def test_band_image_width_start_band_width_height_and_dtype():
    image = band_image(9, band_start=3, band_width=2, height=4, dtype=np.float64)
    assert image.shape == (4, 9) and image.dtype == np.float64
    assert np.array_equal(image[2], [1, 1, 1, 0, 0, 1, 1, 1, 1])
    assert not np.shares_memory(band_image(), band_image())


def test_band_image_cuts_a_band_at_the_right_border():
    assert np.array_equal(band_image(8, band_start=5)[0], [1, 1, 1, 1, 1, 0, 0, 0])
    assert np.array_equal(band_image(8, band_start=7, band_width=10)[0], [1] * 7 + [0])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"width": 0}, ValueError, r"^width must be a positive int; got 0$"),
        ({"height": -2}, ValueError, r"^height must be a positive int; got -2$"),
        ({"band_width": 0}, ValueError, r"^band_width must be a positive int; got 0$"),
        ({"width": 8.0}, TypeError, r"^width must be a positive int; got float 8\.0$"),
        ({"band_start": 8}, ValueError, r"^band_start must be a column of the image, 0 to 7 for width=8; got 8$"),
        ({"band_start": -1}, ValueError, r"^band_start must be a column of the image, 0 to 7 for width=8; got -1$"),
        ({"band_start": True}, TypeError, r"^band_start must be an int; got bool True$"),
        ({"dtype": np.int64}, TypeError, r"dtype must be np.float32 or np.float64"),
    ],
)
def test_band_image_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        band_image(**kwargs)


# --------------------------------------------------------------------------- #
# kernel presets

SUMS = {"identity": 1, "box_blur": 1, "gaussian_blur": 1, "sharpen": 1, "emboss": 1,
        "sobel_x": 0, "sobel_y": 0, "laplacian": 0}


def test_the_names_are_the_documented_eight():
    assert set(KERNEL_NAMES) == set(SUMS)


@pytest.mark.parametrize("name", sorted(SUMS))
def test_presets_are_3x3_float_with_the_documented_sum(name):
    kernel = kernel_preset(name)
    assert kernel.shape == (3, 3) and kernel.dtype == np.float64
    assert kernel.sum() == pytest.approx(SUMS[name], abs=1e-12)


def test_blur_kernels_are_non_negative_and_symmetric():
    for name in ["box_blur", "gaussian_blur"]:
        kernel = kernel_preset(name)
        assert kernel.min() > 0
        np.testing.assert_array_equal(kernel, kernel.T)
        np.testing.assert_array_equal(kernel, kernel[::-1, ::-1])


def test_sobel_y_is_sobel_x_transposed_and_sharpen_is_identity_minus_laplacian():
    np.testing.assert_array_equal(kernel_preset("sobel_y"), kernel_preset("sobel_x").T)
    np.testing.assert_array_equal(kernel_preset("sharpen"), kernel_preset("identity") - kernel_preset("laplacian"))


def test_sobel_signs_follow_the_documented_convention():
    rising_right = np.tile(np.arange(6.0), (5, 1))
    rising_down = rising_right.T
    assert np.all(corr2d(rising_right, kernel_preset("sobel_x")) == 8)  # (1 + 2 + 1) * 2
    assert np.all(corr2d(rising_right, kernel_preset("sobel_y")) == 0)
    assert np.all(corr2d(rising_down, kernel_preset("sobel_y")) == 8)
    assert np.all(corr2d(rising_down, kernel_preset("sobel_x")) == 0)


def test_sobel_matches_scipy_and_scikit_image_up_to_their_conventions():
    import scipy.ndimage as ndi
    import skimage.filters

    image = np.random.default_rng(4).random((9, 12))
    inner = (slice(1, -1), slice(1, -1))
    gx = corr2d(image, kernel_preset("sobel_x"))
    gy = corr2d(image, kernel_preset("sobel_y"))
    np.testing.assert_allclose(ndi.sobel(image, axis=1)[inner], gx, atol=1e-12)
    np.testing.assert_allclose(ndi.sobel(image, axis=0)[inner], gy, atol=1e-12)
    np.testing.assert_allclose(skimage.filters.sobel_v(image)[inner], gx / 4, atol=1e-12)
    np.testing.assert_allclose(skimage.filters.sobel_h(image)[inner], gy / 4, atol=1e-12)
    np.testing.assert_allclose(ndi.laplace(image)[inner], corr2d(image, kernel_preset("laplacian")), atol=1e-12)


def test_laplacian_is_negative_on_a_bright_dot_and_zero_on_a_ramp():
    dot = np.zeros((3, 3))
    dot[1, 1] = 1.0
    assert corr2d(dot, kernel_preset("laplacian"))[0, 0] == -4
    ramp = np.add.outer(np.arange(5.0), 2 * np.arange(5.0))
    assert np.all(corr2d(ramp, kernel_preset("laplacian")) == 0)


def test_identity_returns_the_interior():
    image = np.random.default_rng(5).random((6, 7))
    np.testing.assert_array_equal(corr2d(image, kernel_preset("identity")), image[1:-1, 1:-1])


def test_kernel_preset_returns_a_fresh_copy():
    kernel = kernel_preset("sobel_x")
    kernel[:] = 0
    assert kernel_preset("sobel_x")[1, 2] == 2


@pytest.mark.parametrize("bad", ["sobel", "Sobel_x", "", None, 1])
def test_unknown_kernel_lists_the_names(bad):
    with pytest.raises(ValueError, match=r"name must be one of 'identity', 'box_blur', .*'emboss'; got"):
        kernel_preset(bad)


# --------------------------------------------------------------------------- #
# gaussian_kernel


@pytest.mark.parametrize("size, sigma", [(1, 1.0), (3, 0.5), (5, 1.0), (7, 2.0), (11, 3)])
def test_gaussian_kernel_sums_to_one_and_is_symmetric_with_its_peak_in_the_centre(size, sigma):
    kernel = gaussian_kernel(size, sigma)
    assert kernel.shape == (size, size)
    assert kernel.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(kernel, kernel.T, atol=0)
    np.testing.assert_allclose(kernel, kernel[::-1, ::-1], atol=0)
    centre = size // 2
    assert kernel[centre, centre] == kernel.max()


def test_gaussian_kernel_ratio_follows_the_formula():
    kernel = gaussian_kernel(5, 1.5)
    assert kernel[2, 3] / kernel[2, 2] == pytest.approx(np.exp(-1 / (2 * 1.5**2)))
    assert kernel[3, 3] / kernel[2, 2] == pytest.approx(np.exp(-2 / (2 * 1.5**2)))


def test_gaussian_blur_preset_is_close_to_a_sampled_gaussian():
    assert np.max(np.abs(kernel_preset("gaussian_blur") - gaussian_kernel(3, 0.85))) < 1e-3


@pytest.mark.parametrize(
    "size, sigma, error, message",
    [
        (4, 1.0, ValueError, r"size must be an odd positive int .*got 4"),
        (0, 1.0, ValueError, r"size must be an odd positive int .*got 0"),
        (3.0, 1.0, TypeError, r"size must be an odd positive int; got float 3\.0"),
        (True, 1.0, TypeError, r"size must be an odd positive int; got bool"),
        (3, 0.0, ValueError, r"sigma must be a positive, finite number \(pixels\); got 0\.0"),
        (3, -1, ValueError, r"sigma must be a positive, finite number"),
        (3, float("inf"), ValueError, r"sigma must be a positive, finite number"),
        (3, "1", TypeError, r"sigma must be a positive number \(pixels\); got str '1'"),
    ],
)
def test_gaussian_kernel_bad_input(size, sigma, error, message):
    with pytest.raises(error, match=message):
        gaussian_kernel(size, sigma)
