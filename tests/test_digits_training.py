"""course_utils.digits, .training and .progress: data splits, shifting, the training loop, the bar."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.digits import load_digit_splits, shift_images
from course_utils.progress import format_bar, progress
from course_utils.training import accuracy, train_classifier


def test_splits_are_disjoint_complete_and_reproducible():
    a, b = load_digit_splits(seed=3), load_digit_splits(seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert len(a.train_labels) + len(a.test_labels) == 1797
    assert a.train_images.dtype == np.float32 and 0.0 <= a.train_images.min() and a.train_images.max() <= 1.0
    assert not np.array_equal(a.test_labels, load_digit_splits(seed=4).test_labels)


@pytest.mark.parametrize("rows, cols", [(0, 0), (1, 0), (0, 2), (-1, 3), (2, -2), (5, 0), (0, -7), (9, 9)])
def test_shift_matches_a_padded_crop(rows, cols):
    images = np.random.default_rng(0).random((2, 5, 7))
    shifted = shift_images(images, rows=rows, cols=cols)
    big = np.pad(images, ((0, 0), (10, 10), (10, 10)))
    expected = big[:, 10 - rows:15 - rows, 10 - cols:17 - cols]
    assert np.array_equal(shifted, expected)
    assert shifted.shape == images.shape


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: shift_images(np.ones(3), 1), ValueError, r"images must have at least 2 dimensions .* got shape \(3,\)"),
        (lambda: shift_images(np.ones((2, 2)), 1.5), TypeError, r"rows must be an int; got float 1.5"),
        (lambda: shift_images(np.ones((2, 2)), 0, True), TypeError, r"cols must be an int; got bool True"),
        (lambda: load_digit_splits(test_fraction=1.0), ValueError, r"test_fraction must be a number strictly between 0 and 1; got 1.0"),
        (lambda: load_digit_splits(seed="0"), TypeError, r"seed must be an int; got str '0'"),
    ],
)
def test_bad_input_messages(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_format_bar_and_silent_progress_outside_ipython():
    assert format_bar(0, 4, "x", width=4) == "x |----| 0/4"
    assert format_bar(4, 4, width=4) == "|####| 4/4"
    assert list(progress(range(3))) == [0, 1, 2]
    with pytest.raises(ValueError, match=r"need 0 <= done <= total"):
        format_bar(5, 4)
    with pytest.raises(TypeError, match=r"total must be given when items has no len"):
        list(progress(iter([1])))


def test_training_learns_a_separable_problem_deterministically():
    rng = np.random.default_rng(0)
    images = rng.random((200, 4, 4)).astype(np.float32)
    labels = (images[:, :, :2].sum(axis=(1, 2)) > images[:, :, 2:].sum(axis=(1, 2))).astype(np.int64)

    def trained():
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 2))
        history = train_classifier(model, images, labels, epochs=40, learning_rate=0.05, seed=1)
        return model, history

    (model, history), (model_again, history_again) = trained(), trained()
    assert history == history_again and len(history) == 40
    assert history[-1] < history[0]
    assert accuracy(model, images, labels) > 0.9


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(model="net"), TypeError, r"model must be a torch.nn.Module; got str"),
        (dict(epochs=0), ValueError, r"epochs must be a positive int; got 0"),
        (dict(learning_rate=-1.0), ValueError, r"learning_rate must be a positive number; got -1.0"),
        (dict(labels=np.zeros(3, dtype=np.int64)), ValueError, r"labels must be integers with shape \(4,\) to match images \(4, 1, 2, 2\)"),
        (dict(images=np.zeros((2, 2))), ValueError, r"images must have shape \(n, h, w\) or \(n, c, h, w\)"),
    ],
)
def test_training_bad_input(kwargs, error, message):
    arguments = dict(model=torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2)),
                     images=np.zeros((4, 2, 2), np.float32), labels=np.zeros(4, dtype=np.int64))
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        train_classifier(arguments.pop("model"), arguments.pop("images"), arguments.pop("labels"), **arguments)
