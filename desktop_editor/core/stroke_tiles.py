"""A brush stroke's own pixels (its coverage and the mask before it), kept as 64x64 tiles.

A stroke needs, for every pixel it touches, its coverage so far and the mask as it was when the
stroke began. Kept as two full-size arrays, each dab's rectangle spans one memory page per row
(a row of a 45 MP mask is 8 KiB), so a 100 px dab on fresh memory faulted in some 200 pages per
array, on the window's thread, per mouse move. Kept as tiles, a 64x64 tile is one 4 KiB block of
a pool that strokes hand on to each other: a dab touches a few blocks already in memory.

`StrokeTiles.window` gathers the tiles under a rectangle, and a tile of margin around it, into one
small array pair (allocating missing tiles: coverage 0, before = the mask's pixels), and the brush
works on them in place. The pair is kept: the next segments of a stroke mostly fall inside it and
get it back as it is, so the gathering (and putting the coverage back into the tiles, done when a
segment leaves it) happens every few mouse moves instead of twice on each.
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

from desktop_editor.core.paged_memory import paged_zeros

TILE = 64
_spares: list[tuple[np.ndarray, np.ndarray]] = []  # the last stroke's pools, for the next stroke
_spares_lock = threading.Lock()


def _take_pools(tiles: int) -> tuple[np.ndarray, np.ndarray]:
    """Room for `tiles` tiles of coverage and of before-image: a spare pair if one is big enough.

    A pool holds as many tiles as the whole mask, but its memory is mapped in small pages
    (`paged_zeros`) and handed out in order, so only the tiles a stroke touches are ever in
    memory; a spare keeps those of the last stroke, and the next stroke paints into them.
    """
    with _spares_lock:
        if _spares and len(_spares[0][0]) >= tiles:
            return _spares.pop()
    return paged_zeros((tiles, TILE, TILE)), paged_zeros((tiles, TILE, TILE))


def _give_back(pools: tuple[np.ndarray, np.ndarray]) -> None:
    """A finished stroke's pools go to the next stroke (one spare pair kept: the larger)."""
    with _spares_lock:
        if not _spares or len(_spares[0][0]) <= len(pools[0]):
            _spares[:] = [pools]


class StrokeTiles:
    """The coverage (starting at 0) and before-image (the mask when first touched) of one stroke."""

    def __init__(self, mask: np.ndarray):
        self.mask = mask
        height, width = mask.shape
        self._index = np.full(((height + TILE - 1) // TILE, (width + TILE - 1) // TILE), -1, np.int32)
        self._used = 0
        self._cover, self._before = pools = _take_pools(self._index.size)
        weakref.finalize(self, _give_back, pools)
        self._held: tuple[tuple[int, int, int, int], tuple[int, int], np.ndarray, np.ndarray] | None = None

    def window(self, bounds: tuple[int, int, int, int]) -> tuple[tuple[int, int], np.ndarray, np.ndarray]:
        """Origin (x, y) and the coverage and before-image over (at least) the tiles under `bounds`.

        The arrays are tile-aligned (whole tiles, so they may reach past the mask's edge; what lies
        beyond it is never shown). Change the coverage in place: it is the stroke's own until a
        later `window` no longer fits in it, which puts it back into the tiles first.
        """
        x0, y0, x1, y1 = bounds
        ty0, ty1, tx0, tx1 = y0 // TILE, (y1 - 1) // TILE + 1, x0 // TILE, (x1 - 1) // TILE + 1
        held = self._held
        if held is not None:
            hy0, hy1, hx0, hx1 = held[0]
            if hy0 <= ty0 and ty1 <= hy1 and hx0 <= tx0 and tx1 <= hx1:
                return held[1], held[2], held[3]
            self._put_back()
        rows_total, cols_total = self._index.shape
        ty0, tx0 = max(0, ty0 - 1), max(0, tx0 - 1)  # a tile of margin: the next segments fit
        ty1, tx1 = min(rows_total, ty1 + 1), min(cols_total, tx1 + 1)
        index = self._index[ty0:ty1, tx0:tx1]
        if (index < 0).any():
            self._allocate(index, ty0, tx0)
        rows, cols = index.shape
        cover = self._cover[index].transpose(0, 2, 1, 3).reshape(rows * TILE, cols * TILE)
        before = self._before[index].transpose(0, 2, 1, 3).reshape(rows * TILE, cols * TILE)
        origin = (tx0 * TILE, ty0 * TILE)
        self._held = ((ty0, ty1, tx0, tx1), origin, cover, before)
        return origin, cover, before

    def _put_back(self) -> None:
        """The held window's coverage back into its tiles (the before-image never changes)."""
        held, self._held = self._held, None
        if held is None:
            return
        (ty0, ty1, tx0, tx1), _origin, cover, _before = held
        rows, cols = ty1 - ty0, tx1 - tx0
        index = self._index[ty0:ty1, tx0:tx1]
        self._cover[index] = cover.reshape(rows, TILE, cols, TILE).transpose(0, 2, 1, 3)

    def _allocate(self, index: np.ndarray, ty0: int, tx0: int) -> None:
        """New tiles for the unset entries of `index` (a view of the grid): coverage 0, before = mask.

        All at once: the whole tiles through a tiled view of the mask, the partial ones along the
        right and bottom edges one by one."""
        rows, cols = np.nonzero(index < 0)
        slots = np.arange(self._used, self._used + len(rows), dtype=np.int32)
        self._used += len(rows)
        index[rows, cols] = slots
        self._cover[slots] = 0
        height, width = self.mask.shape
        grid_rows, grid_cols = height // TILE, width // TILE  # whole tiles
        tile_rows, tile_cols = rows + ty0, cols + tx0
        whole = (tile_rows < grid_rows) & (tile_cols < grid_cols)
        if whole.any():
            grid = self.mask[: grid_rows * TILE, : grid_cols * TILE].reshape(grid_rows, TILE, grid_cols, TILE)
            self._before[slots[whole]] = grid[tile_rows[whole], :, tile_cols[whole], :]
        for slot, row, col in zip(slots[~whole], tile_rows[~whole], tile_cols[~whole]):
            y, x = int(row) * TILE, int(col) * TILE
            h, w = min(TILE, height - y), min(TILE, width - x)
            self._before[slot, :h, :w] = self.mask[y:y + h, x:x + w]
