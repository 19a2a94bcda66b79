"""images/ holds exactly what tools/make_figures.py draws, pixel for pixel."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

ROOT = Path(__file__).resolve().parents[1]
import make_figures  # noqa: E402

IMAGES = ROOT / "images"


def frames(path: Path) -> list:
    with Image.open(path) as image:
        return [np.asarray(frame.convert("RGBA")) for frame in ImageSequence.Iterator(image)]


@pytest.fixture(scope="module")
def redrawn(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("figures")
    make_figures.build_figures(out)
    return out


def test_every_committed_image_is_generated_and_back():
    committed = {p.name for p in IMAGES.iterdir() if p.suffix in {".png", ".gif"}}
    assert committed == set(make_figures.FIGURES), "run `make figures` (and delete images no code draws)"


@pytest.mark.parametrize("name", sorted(make_figures.FIGURES))
def test_committed_image_matches_the_code(name, redrawn):
    committed, fresh = frames(IMAGES / name), frames(redrawn / name)
    assert len(committed) == len(fresh), f"{name}: {len(committed)} frames committed, code draws {len(fresh)}"
    for index, (old, new) in enumerate(zip(committed, fresh)):
        assert old.shape == new.shape, f"{name} frame {index}: size {old.shape} vs {new.shape}; run `make figures`"
        assert np.array_equal(old, new), f"{name} frame {index} differs from what the code draws; run `make figures`"


def test_animations_have_one_frame_per_output_position():
    for name, geometry in make_figures.ANIMATIONS.items():
        rows, cols = geometry.output_size
        assert len(frames(IMAGES / name)) == rows * cols, name
