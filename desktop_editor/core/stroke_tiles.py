"""A brush stroke's own pixels (its coverage and the mask before it), kept as 64x64 tiles.

A stroke needs, for every pixel it touches, its coverage so far and the mask as it was when the
stroke began. Kept as two full-size arrays, each dab's rectangle spans one memory page per row
(a row of a 45 MP mask is 8 KiB), so a 100 px dab on fresh memory faulted in some 200 pages per
array, on the window's thread, per mouse move. Kept as tiles, a 64x64 tile is one 4 KiB block of
a small pool that strokes hand on to each other: a dab touches a few blocks already in memory.

`StrokeTiles.window` gathers the tiles under a rectangle into one small array pair (allocating
missing tiles: coverage 0, before = the mask's pixels), the brush works on them, and
`StrokeTiles.store` puts the coverage back.
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

TILE = 64
_FIRST_CAPACITY = 256  # tiles: 1 MiB per pool, a typical stroke at fit on a 45 MP photo
_SPARE_LIMIT_TILES = 16384  # 64 MiB per pool: larger pools go back to the system
_spares: list[tuple[np.ndarray, np.ndarray]] = []
_spares_lock = threading.Lock()


def _new_pools(capacity: int) -> tuple[np.ndarray, np.ndarray]:
    """Two pools of `capacity` tiles, written once so their pages are in memory before a dab."""
    cover = np.zeros((capacity, TILE, TILE), np.uint8)
    before = np.zeros((capacity, TILE, TILE), np.uint8)
    cover.fill(0)
    before.fill(0)
    return cover, before


def _take_pools() -> tuple[np.ndarray, np.ndarray]:
    with _spares_lock:
        if _spares:
            return _spares.pop()
    return _new_pools(_FIRST_CAPACITY)


def _give_back(holder: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """A finished stroke's pools go to the next stroke (one spare kept; its pages stay in memory)."""
    pools = holder[0]
    if len(pools[0]) > _SPARE_LIMIT_TILES:
        return
    with _spares_lock:
        if not _spares or len(_spares[0][0]) < len(pools[0]):
            _spares[:] = [pools]


class StrokeTiles:
    """The coverage (starting at 0) and before-image (the mask when first touched) of one stroke."""

    def __init__(self, mask: np.ndarray):
        self.mask = mask
        height, width = mask.shape
        self._index = np.full(((height + TILE - 1) // TILE, (width + TILE - 1) // TILE), -1, np.int32)
        self._used = 0
        self._holder = [_take_pools()]  # a list, so the finalizer sees the pools after growth
        weakref.finalize(self, _give_back, self._holder)

    def window(self, bounds: tuple[int, int, int, int]) -> tuple[tuple[int, int], np.ndarray, np.ndarray]:
        """Origin (x, y) and copies of coverage and before over the tiles under `bounds`.

        The arrays are tile-aligned (whole tiles, so they may reach past the mask's edge; what lies
        beyond it is never shown); coverage changes go back with `store`.
        """
        x0, y0, x1, y1 = bounds
        ty0, ty1, tx0, tx1 = y0 // TILE, (y1 - 1) // TILE + 1, x0 // TILE, (x1 - 1) // TILE + 1
        index = self._index[ty0:ty1, tx0:tx1]
        if (index < 0).any():
            self._allocate(index, ty0, tx0)
        cover_pool, before_pool = self._holder[0]
        rows, cols = index.shape
        cover = cover_pool[index].transpose(0, 2, 1, 3).reshape(rows * TILE, cols * TILE)
        before = before_pool[index].transpose(0, 2, 1, 3).reshape(rows * TILE, cols * TILE)
        return (tx0 * TILE, ty0 * TILE), cover, before

    def store(self, origin: tuple[int, int], cover: np.ndarray) -> None:
        """Put the coverage of a `window` (changed in place) back into the tiles."""
        ty0, tx0 = origin[1] // TILE, origin[0] // TILE
        rows, cols = cover.shape[0] // TILE, cover.shape[1] // TILE
        index = self._index[ty0:ty0 + rows, tx0:tx0 + cols]
        self._holder[0][0][index] = cover.reshape(rows, TILE, cols, TILE).transpose(0, 2, 1, 3)

    def _allocate(self, index: np.ndarray, ty0: int, tx0: int) -> None:
        """New tiles for the unset entries of `index` (a view of the grid): coverage 0, before = mask."""
        missing = np.argwhere(index < 0)
        self._reserve(self._used + len(missing))
        cover_pool, before_pool = self._holder[0]
        height, width = self.mask.shape
        for row, col in missing:
            slot = self._used
            self._used += 1
            index[row, col] = slot
            y, x = (ty0 + row) * TILE, (tx0 + col) * TILE
            h, w = min(TILE, height - y), min(TILE, width - x)
            cover_pool[slot] = 0
            before_pool[slot, :h, :w] = self.mask[y:y + h, x:x + w]

    def _reserve(self, count: int) -> None:
        cover_pool, before_pool = self._holder[0]
        if count <= len(cover_pool):
            return
        capacity = max(count, 2 * len(cover_pool))
        cover, before = np.empty((capacity, TILE, TILE), np.uint8), np.empty((capacity, TILE, TILE), np.uint8)
        cover[:self._used] = cover_pool[:self._used]
        before[:self._used] = before_pool[:self._used]
        self._holder[0] = (cover, before)
