"""A brush stroke's undo step kept as the 64x64 tiles it touched, not as its bounding box.

A stroke drawn with the whole photo fitted in the window crosses much of the picture: at 100 MP
its bounding box held about 40 MP, and committing it (copying, comparing and compressing that
box twice) stalled the window 0.8-1.4 s when the stroke ended. Only the tiles the brush reached
can have changed, and `RegionSnapshot` already kept their "before"; the step keeps those tiles,
before and after. They are compared all at once and compressed on a background thread (zlib
releases the GIL), so the window's thread only copies the touched tiles: until the compressed
bytes are there the step holds them raw, and `nbytes` says so.
"""

from __future__ import annotations

import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import numpy as np

from desktop_editor.core.mask_ops import Bounds

_ZLIB_LEVEL = 1
_compressor: ThreadPoolExecutor | None = None


class TileTarget(Protocol):
    def write_mask_tiles(self, bounds: Bounds, tiles: list[tuple[int, int, np.ndarray]]) -> None: ...


def _compress_in_background(payload: TilePayload) -> None:
    global _compressor
    if _compressor is None:
        _compressor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-compress")
    _compressor.submit(payload._compress)


class TilePayload:
    """Changed tiles of the mask, before and after; `bounds` contains them all."""

    def __init__(self, bounds: Bounds, places: list[tuple[int, int, int, int]], before: bytes, after: bytes):
        self.bounds = bounds
        self._places = places  # (top, left, height, width) of each tile, in mask pixels
        # (bytes, compressed), each pair replaced whole so a reader never sees a mixed state
        self._before: tuple[bytes, bool] = (before, False)
        self._after: tuple[bytes, bool] = (after, False)

    @classmethod
    def from_tiles(cls, mask: np.ndarray, saved: dict[tuple[int, int], np.ndarray], tile: int) -> TilePayload | None:
        """The tiles of `mask` whose pixels differ from their `saved` copies (keyed by tile row and
        column), compressed soon after on a background thread; None when none differs."""
        height, width = mask.shape
        rows, cols = height // tile, width // tile  # whole tiles; the rest are the edges' partial ones
        full = [key for key in saved if key[0] < rows and key[1] < cols]
        edge = [(key, saved[key]) for key in saved if key[0] >= rows or key[1] >= cols]
        places, befores, afters = [], [], []
        if full:  # on the window's thread at the end of a stroke: one copy of each side, compared 8 bytes at a time
            before_all = np.stack([saved[key] for key in full])  # (n, tile, tile)
            grid = mask[: rows * tile, : cols * tile].reshape(rows, tile, cols, tile)  # a view
            after_all = grid[[key[0] for key in full], :, [key[1] for key in full], :]  # (n, tile, tile)
            words = tile * tile // 8
            differs = before_all.reshape(-1, words * 8).view(np.uint64) != after_all.reshape(-1, words * 8).view(np.uint64)
            changed = np.flatnonzero(differs.any(axis=1))
            places += [(full[i][0] * tile, full[i][1] * tile, tile, tile) for i in changed]
            if len(changed) == len(full):  # the usual case: every tile a stroke touched changed
                befores.append(before_all.tobytes())
                afters.append(after_all.tobytes())
            else:
                befores.append(before_all[changed].tobytes())
                afters.append(after_all[changed].tobytes())
        for (ty, tx), before in edge:  # the partial tiles along the right and bottom edges
            top, left = ty * tile, tx * tile
            after = mask[top : top + before.shape[0], left : left + before.shape[1]]
            if not np.array_equal(before, after):
                places.append((top, left, *before.shape))
                befores.append(before.tobytes())
                afters.append(after.tobytes())
        if not places:
            return None
        x0 = min(left for _, left, _, _ in places)
        y0 = min(top for top, _, _, _ in places)
        x1 = max(left + width for _, left, _, width in places)
        y1 = max(top + height for top, _, height, _ in places)
        payload = cls((x0, y0, x1, y1), places, b"".join(befores), b"".join(afters))
        _compress_in_background(payload)
        return payload

    def _compress(self) -> None:
        for name in ("_before", "_after"):
            data, compressed = getattr(self, name)
            if not compressed:
                setattr(self, name, (zlib.compress(data, _ZLIB_LEVEL), True))

    @property
    def nbytes(self) -> int:
        return len(self._before[0]) + len(self._after[0])

    def tiles(self, *, after: bool) -> list[tuple[int, int, np.ndarray]]:
        """(top, left, pixels) of every tile, as it was before the change or after it."""
        data, compressed = self._after if after else self._before
        pixels = np.frombuffer(zlib.decompress(data) if compressed else data, dtype=np.uint8)
        out, offset = [], 0
        for top, left, height, width in self._places:
            size = height * width
            out.append((top, left, pixels[offset : offset + size].reshape(height, width)))
            offset += size
        return out

    def write_to(self, target: TileTarget, *, after: bool) -> None:
        target.write_mask_tiles(self.bounds, self.tiles(after=after))
