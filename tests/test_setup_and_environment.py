"""setup_lesson, to_numpy and the environment report (with MXNet where it has a build, without it elsewhere)."""
from __future__ import annotations

import random

import matplotlib
import numpy as np
import pytest
import torch

import course_utils as cu
from conftest import mxnet_numpy, needs_mxnet
from course_utils.environment import VersionRow, format_version_table, read_pins, version_rows
from course_utils.lesson_setup import FIGURE_STYLE


def mxnet_draw() -> list:
    """One draw of MXNet's generator, or nothing where MXNet has no build (setup_lesson skips it there)."""
    if not cu.frameworks.available("mxnet"):
        return []
    mnp, _ = mxnet_numpy()
    return [float(mnp.random.uniform(size=1)[0])]


def test_setup_lesson_seeds_every_generator():
    draws = []
    for _ in range(2):
        rng = cu.setup_lesson(seed=3)
        draws.append((rng.random(), np.random.rand(), random.random(), torch.rand(1).item(), *mxnet_draw()))
    assert draws[0] == draws[1]
    other = cu.setup_lesson(seed=4)
    assert other.random() != draws[0][0]


def test_setup_lesson_sets_style_and_print_options():
    cu.setup_lesson()
    assert np.get_printoptions()["precision"] == 4
    assert matplotlib.rcParams["image.cmap"] == FIGURE_STYLE["image.cmap"] == "viridis"
    assert tuple(matplotlib.rcParams["figure.figsize"]) == FIGURE_STYLE["figure.figsize"]
    assert torch.get_num_threads() >= 1


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True, None])
def test_setup_lesson_rejects_bad_seed(seed):
    with pytest.raises(TypeError, match="seed"):
        cu.setup_lesson(seed=seed)


def test_to_numpy_accepts_every_framework():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    import jax.numpy as jnp

    for value in (expected, expected.tolist(), torch.tensor(expected, requires_grad=True), jnp.asarray(expected)):
        np.testing.assert_array_equal(cu.to_numpy(value), expected)


@needs_mxnet
def test_to_numpy_accepts_mxnet():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    mnp, _ = mxnet_numpy()
    np.testing.assert_array_equal(cu.to_numpy(mnp.array(expected)), expected)


@pytest.mark.parametrize("value", [None, "abc", b"x"])
def test_to_numpy_rejects_non_arrays_naming_parameter(value):
    with pytest.raises(TypeError, match="weights"):
        cu.to_numpy(value, "weights")


def test_read_pins_and_rows(tmp_path):
    requirements = tmp_path / "req.txt"
    requirements.write_text("# comment\nNumPy==1.23.5  # why\ntyping_extensions==4.0 \nloose>=1\n")
    assert read_pins(requirements) == {"numpy": "1.23.5", "typing-extensions": "4.0"}
    rows = version_rows(requirements)
    assert rows[0].name == "Python" and rows[0].ok
    assert {row.name for row in rows} >= {"NumPy", "MXNet", "PyTorch", "JAX", "matplotlib", "ipywidgets"}


def test_read_pins_missing_file_names_parameter(tmp_path):
    with pytest.raises(ValueError, match="requirements"):
        read_pins(tmp_path / "missing.txt")


def test_version_table_flags_mismatch():
    table = format_version_table([VersionRow("PyTorch", "2.13.0+cpu", "2.13.0"), VersionRow("NumPy", "1.26.0", "1.23.5")])
    lines = table.splitlines()
    assert lines[2].endswith("ok") and lines[3].endswith("MISMATCH")


def test_absent_mxnet_is_optional_but_a_wrong_version_is_not():
    absent, wrong, absent_torch = (VersionRow("MXNet", "not installed", "1.9.1"), VersionRow("MXNet", "1.8.0", "1.9.1"),
                                   VersionRow("PyTorch", "not installed", "2.13.0"))
    assert absent.ok and not wrong.ok and not absent_torch.ok
    lines = format_version_table([absent, wrong, absent_torch]).splitlines()
    assert lines[2].split() == ["MXNet", "not", "installed", "1.9.1", "optional"]
    assert lines[3].endswith("MISMATCH") and lines[4].endswith("MISMATCH")


def test_version_rows_default_to_repository_pins():
    rows = {row.name: row for row in version_rows()}
    assert rows["PyTorch"].pinned == "2.13.0" and rows["NumPy"].pinned == "1.23.5"
