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


class _WholeArrays:
    """The plainest storage of a stroke's coverage and before-image: two full-size arrays."""

    def __init__(self, mask: np.ndarray):
        self.cover = np.zeros_like(mask)
        self.before = mask.copy()

    def window(self, bounds):
        return (0, 0), self.cover, self.before


def test_tiles_held_across_segments_paint_what_whole_arrays_paint(monkeypatch):
    """The tiles around the brush stay gathered while a stroke moves within them and go back
    when it leaves: long strokes, slow and fast, soft and hard, with flow and erasing, give the
    pixels of a stroke kept in whole arrays."""
    height, width = 700, 900
    base = np.random.default_rng(8).integers(0, 256, (height, width), dtype=np.uint8)
    for seed, options in enumerate([{"hardness": 0.8}, {"hardness": 1.0, "opacity": 0.6},
                                    {"hardness": 0.5, "flow": 0.3}, {"hardness": 0.7, "erase": True}]):
        rng = np.random.default_rng(seed)
        steps = rng.uniform(-40, 40, (120, 2)) * rng.choice([0.1, 1.0], (120, 1))  # 4 px and 40 px moves
        points = np.cumsum(steps, axis=0) + (width / 2, height / 2)
        radii = rng.uniform(3, 45, len(points))
        results = []
        for storage in (None, _WholeArrays):
            mask = base.copy()
            if storage is not None:
                monkeypatch.setattr("desktop_editor.core.brush.StrokeTiles", storage)
            stroke = Stroke(mask, **options)
            for a, b, ra, rb in zip(points, points[1:], radii, radii[1:]):
                stroke.segment((float(a[0]), float(a[1])), (float(b[0]), float(b[1])), float(ra), float(rb))
            results.append(mask)
            monkeypatch.undo()
        assert not np.array_equal(results[0], base)
        assert np.array_equal(results[0], results[1]), options
