"""A stroke's tiles: the same pixels whether its pool is fresh or handed on by an earlier stroke."""

from __future__ import annotations

import gc

import numpy as np

from desktop_editor.core import stroke_tiles
from desktop_editor.core.brush import Stroke


def _paint(mask: np.ndarray, seed: int, **options) -> None:
    rng = np.random.default_rng(seed)
    stroke = Stroke(mask, **options)
    point = (float(rng.uniform(0, mask.shape[1])), float(rng.uniform(0, mask.shape[0])))
    for _ in range(30):  # wanders over the edges too, where tiles are partial
        nxt = (point[0] + float(rng.uniform(-70, 70)), point[1] + float(rng.uniform(-70, 70)))
        stroke.segment(point, nxt, float(rng.uniform(2, 40)))
        point = nxt


def test_a_pool_handed_on_gives_the_pixels_of_a_fresh_one():
    height, width = 301, 517  # not a multiple of the tile
    base = np.random.default_rng(3).integers(0, 256, (height, width), dtype=np.uint8)
    options = {"hardness": 0.6, "opacity": 0.7, "flow": 0.4}

    stroke_tiles._spares.clear()
    fresh = base.copy()
    _paint(fresh, seed=11, **options)

    earlier = np.full((height, width), 17, np.uint8)
    _paint(earlier, seed=5, hardness=1.0)  # leaves its coverage and before-image in the pool
    gc.collect()
    assert stroke_tiles._spares, "a finished stroke hands its pool on"
    handed_on = base.copy()
    _paint(handed_on, seed=11, **options)

    assert np.array_equal(handed_on, fresh)
    assert not np.array_equal(fresh, base)  # the stroke painted something


def test_erasing_over_an_earlier_stroke_restores_exactly_what_was_there():
    mask = np.zeros((200, 260), np.uint8)
    first = Stroke(mask, hardness=1.0)
    first.segment((30.0, 40.0), (220.0, 160.0), 25.0)
    painted = mask.copy()
    del first
    gc.collect()
    eraser = Stroke(mask, hardness=1.0, erase=True)
    eraser.segment((30.0, 40.0), (220.0, 160.0), 25.0)
    assert painted.any() and not mask.any()
