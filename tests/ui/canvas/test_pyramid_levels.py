"""The display levels of a photo: area averages, and the same pixels however they are made."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from desktop_editor.ui.canvas.pyramid import level_count, reduce_levels


def _photo(width: int, height: int) -> Image.Image:
    rng = np.random.default_rng(width * height)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB")


@pytest.mark.parametrize("size", [(640, 480), (641, 483), (1203, 517)])
def test_levels_halve_with_odd_sizes_rounding_up(size):
    image = _photo(*size)
    levels = reduce_levels(image)
    assert len(levels) == level_count(*size)
    width, height = size
    for level in levels:
        width, height = (width + 1) // 2, (height + 1) // 2
        assert level.size == (width, height)


def test_level_two_is_the_4x4_average_of_the_photo():
    image = _photo(640, 480)
    quarter = np.asarray(reduce_levels(image, 2)[1], dtype=np.float64)
    blocks = np.asarray(image, dtype=np.float64).reshape(120, 4, 160, 4, 3).mean(axis=(1, 3))
    assert np.abs(quarter - blocks).max() <= 0.5 + 1e-9  # rounded once, not twice


@pytest.mark.parametrize("size", [(641, 483), (2000, 1333)])
def test_leaving_out_the_half_size_level_gives_the_same_smaller_levels(size):
    """A camera photo's first part (levels 2 and smaller) matches what a whole build makes, so
    the canvas settles to the same pixels however the document was opened."""
    image = _photo(*size)
    whole = reduce_levels(image)
    later = reduce_levels(image, first=2)
    assert len(later) == len(whole) - 1
    for a, b in zip(whole[1:], later):
        assert a.size == b.size and a.tobytes() == b.tobytes()
    assert reduce_levels(image, 1)[0].tobytes() == whole[0].tobytes()
