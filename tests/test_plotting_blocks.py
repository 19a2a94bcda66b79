"""show_array(block_size=...): lines between the blocks of a block matrix, and bad block sizes refused."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.plotting import show_array



def _line_positions(ax):
    horizontal, vertical = [], []
    for line in ax.get_lines():
        xs, ys = line.get_xdata(), line.get_ydata()
        if ys[0] == ys[1] and tuple(xs) == (0, 1):  # axhline: y fixed, x spans the axes
            horizontal.append(float(ys[0]))
        elif xs[0] == xs[1] and tuple(ys) == (0, 1):
            vertical.append(float(xs[0]))
    return sorted(horizontal), sorted(vertical)


def test_square_blocks_put_lines_on_the_cell_edges_between_blocks(ax):
    show_array(ax, np.zeros((16, 16)), "4x4 blocks", block_size=4, annotate=False)
    assert _line_positions(ax) == ([3.5, 7.5, 11.5], [3.5, 7.5, 11.5])


def test_rectangular_blocks_and_no_lines_by_default(ax):
    show_array(ax, np.ones((6, 8)), "2x4 blocks", block_size=(2, 4), annotate=False)
    assert _line_positions(ax) == ([1.5, 3.5], [3.5])
    fig, plain = plt.subplots(figsize=(2, 2))
    show_array(plain, np.ones((6, 8)), "no blocks", annotate=False)
    assert plain.get_lines() == []
    plt.close(fig)


def test_one_block_covering_the_array_draws_no_line(ax):
    show_array(ax, np.ones((3, 5)), "one block", block_size=(3, 5), annotate=False)
    assert _line_positions(ax) == ([], [])


@pytest.mark.parametrize("block_size, error, words", [
    (3, ValueError, ["block_size=3", "(4, 4)"]),
    ((2, 3), ValueError, ["block_size=(2, 3)", "(4, 4)"]),
    (0, ValueError, ["block_size", "0"]),
    (2.5, TypeError, ["block_size", "2.5"]),
    ((1, 2, 3), ValueError, ["block_size", "3 entries"]),
])
def test_bad_block_sizes_are_refused_with_the_value_and_the_shape(ax, block_size, error, words):
    with pytest.raises(error) as info:
        show_array(ax, np.zeros((4, 4)), "bad", block_size=block_size)
    for word in words:
        assert word in str(info.value)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4))
def test_one_line_per_inner_block_boundary(block_rows, block_cols, blocks_down, blocks_across):
    fig, ax = plt.subplots(figsize=(2, 2))
    try:
        shape = (block_rows * blocks_down, block_cols * blocks_across)
        show_array(ax, np.arange(np.prod(shape), dtype=float).reshape(shape), "blocks",
                   block_size=(block_rows, block_cols), annotate=False, colorbar=False)
        horizontal, vertical = _line_positions(ax)
        assert horizontal == [b * block_rows - 0.5 for b in range(1, blocks_down)]
        assert vertical == [b * block_cols - 0.5 for b in range(1, blocks_across)]
    finally:
        plt.close(fig)
