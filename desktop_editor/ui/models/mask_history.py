"""Undo history for masks: one small command per change, limited by memory rather than count.

Each mask change (a brush stroke, a selection, invert, grow...) becomes one `MaskEditCommand`
holding only the rectangle that changed, before and after, zlib-compressed. Masks are mostly
runs of 0 and 255, so a typical stroke costs kilobytes instead of the megabytes a full copy of a
4K mask would (8 MiB, or 33 MiB at 8K).

QUndoStack can only limit history by command count, and only while it is empty. `trim_history`
drops the oldest commands when their bytes exceed a budget by rebuilding the stack: it clears it
and pushes fresh commands carrying the kept payloads in replay mode, where redo()/undo() do not
touch pixels, then restores the index and the clean state.
"""

from __future__ import annotations

import zlib
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop_editor.core.mask_ops import Bounds
from desktop_editor.ui.models.tile_payload import TilePayload


class MaskTarget(Protocol):
    """What a mask history needs of the mask it changes (a `Document` is one).

    `history_replaying` is true while the history rebuilds itself: commands then leave the
    pixels alone, since they already show the right state.
    """

    history_replaying: bool

    def write_mask_region(self, bounds: Bounds, pixels: np.ndarray) -> None: ...

    def write_mask_tiles(self, bounds: Bounds, tiles: list[tuple[int, int, np.ndarray]]) -> None: ...

    def replaying_history(self) -> AbstractContextManager[None]: ...

DEFAULT_HISTORY_BUDGET = 256 * 1024 * 1024
TILE = 64
# Level 1 compresses a mostly-binary mask region 50-500x at several hundred MB/s: strokes stay cheap.
_ZLIB_LEVEL = 1


@dataclass(frozen=True)
class RegionPayload:
    """A changed rectangle of the mask, before and after, compressed."""

    bounds: Bounds
    before: bytes
    after: bytes

    @classmethod
    def from_arrays(cls, bounds: Bounds, before: np.ndarray, after: np.ndarray) -> RegionPayload:
        return cls(
            bounds,
            zlib.compress(np.ascontiguousarray(before).tobytes(), _ZLIB_LEVEL),
            zlib.compress(np.ascontiguousarray(after).tobytes(), _ZLIB_LEVEL),
        )

    @property
    def nbytes(self) -> int:
        return len(self.before) + len(self.after)

    def _decode(self, data: bytes) -> np.ndarray:
        x0, y0, x1, y1 = self.bounds
        return np.frombuffer(zlib.decompress(data), dtype=np.uint8).reshape(y1 - y0, x1 - x0)

    def before_array(self) -> np.ndarray:
        return self._decode(self.before)

    def after_array(self) -> np.ndarray:
        return self._decode(self.after)

    def write_to(self, target: MaskTarget, *, after: bool) -> None:
        """Put the region back as it was after the change, or before it."""
        target.write_mask_region(self.bounds, self.after_array() if after else self.before_array())


class MaskEditCommand(QUndoCommand):
    """One undoable mask change. redo() is safe to repeat: it writes the 'after' pixels again.

    A command created for a change that is already on screen (a finished brush stroke) passes
    `applied=True`, so the redo() that QUndoStack.push() calls does not repaint it.
    """

    def __init__(self, document: MaskTarget, payload: RegionPayload | TilePayload, text: str, *, applied: bool = False):
        super().__init__(text)
        self.document = document
        self.payload = payload
        self._skip_redo = applied
        self.forget_when_undone = False  # a withdrawn preview: undone once, then gone (no Redo)

    @property
    def nbytes(self) -> int:
        return self.payload.nbytes

    def redo(self) -> None:
        if self._skip_redo or self.document.history_replaying:
            self._skip_redo = False
            return
        self.payload.write_to(self.document, after=True)

    def undo(self) -> None:
        if self.document.history_replaying:
            return
        self.payload.write_to(self.document, after=False)
        if self.forget_when_undone:
            self.setObsolete(True)  # QUndoStack deletes an obsolete command once undone


def history_bytes(stack: QUndoStack) -> int:
    """Bytes held by the mask commands on `stack` (undo and redo side)."""
    total = 0
    for i in range(stack.count()):
        total += getattr(stack.command(i), "nbytes", 0)
    return total


def _rebuilt(document: MaskTarget, command: QUndoCommand) -> QUndoCommand:
    """A fresh copy of a kept step (the stack deletes the old one when cleared)."""
    if isinstance(command, MaskEditCommand):
        return MaskEditCommand(document, command.payload, command.text(), applied=True)
    return command.rebuilt()  # other steps (a canvas expansion) know how to copy themselves


def trim_history(document: MaskTarget, stack: QUndoStack, budget: int) -> int:
    """Drop the oldest commands until the history fits in 3/4 of `budget`; returns how many.

    Trimming to 3/4 rather than just under the budget means the (cheap, but O(n)) rebuild runs
    once per many strokes, not on every push. The newest command is always kept, so the last
    change can be undone even if it alone is larger than the budget.
    """
    count = stack.count()
    sizes = [getattr(stack.command(i), "nbytes", 0) for i in range(count)]
    total = sum(sizes)
    if total <= budget or count <= 1:
        return 0
    target = budget * 3 // 4
    drop = 0
    while drop < count - 1 and total > target:
        total -= sizes[drop]
        drop += 1
    kept = [_rebuilt(document, stack.command(i)) for i in range(drop, count)]
    index, clean = stack.index(), stack.cleanIndex()
    with document.replaying_history():
        stack.clear()
        for command in kept:
            stack.push(command)
        if clean >= drop:
            stack.setIndex(clean - drop)
            stack.setClean()
        stack.setIndex(max(0, index - drop))
        if clean < drop:
            stack.resetClean()
    return drop


class RegionSnapshot:
    """Remembers mask pixels before an in-place edit, 64x64 tile by tile as the edit reaches them.

    A brush stroke's final extent is unknown when it starts; copying the whole mask up front
    would cost 33 MiB at 8K per stroke. Instead each tile is copied the first time the stroke
    touches it, so memory and time follow the area actually painted.
    """

    def __init__(self, mask: np.ndarray):
        self._mask = mask
        self._tiles: dict[tuple[int, int], np.ndarray] = {}
        self._bounds: Bounds | None = None

    @property
    def bounds(self) -> Bounds | None:
        """Bounds of all tiles saved so far (the most the edit can have changed)."""
        return self._bounds

    def touch(self, bounds: Bounds) -> None:
        """Call before modifying `bounds` of the mask."""
        x0, y0, x1, y1 = bounds
        height, width = self._mask.shape
        ty0, ty1 = y0 // TILE, (y1 - 1) // TILE
        tx0, tx1 = x0 // TILE, (x1 - 1) // TILE
        tiles = self._tiles
        for ty in range(ty0, ty1 + 1):
            for tx in range(tx0, tx1 + 1):
                if (ty, tx) not in tiles:
                    tiles[(ty, tx)] = self._mask[ty * TILE : (ty + 1) * TILE, tx * TILE : (tx + 1) * TILE].copy()
        bx0, by0 = tx0 * TILE, ty0 * TILE
        bx1, by1 = min(width, (tx1 + 1) * TILE), min(height, (ty1 + 1) * TILE)
        if self._bounds is None:
            self._bounds = (bx0, by0, bx1, by1)
        else:
            ox0, oy0, ox1, oy1 = self._bounds
            self._bounds = (min(ox0, bx0), min(oy0, by0), max(ox1, bx1), max(oy1, by1))

    def tiles(self) -> dict[tuple[int, int], np.ndarray]:
        """The saved tiles, by tile row and column, as they were before the edit."""
        return self._tiles

    def before(self) -> np.ndarray | None:
        """The pixels of `bounds` as they were before the edit."""
        if self._bounds is None:
            return None
        x0, y0, x1, y1 = self._bounds
        out = self._mask[y0:y1, x0:x1].copy()  # untouched tiles inside bounds never changed
        for (ty, tx), tile in self._tiles.items():
            ty0, tx0 = ty * TILE - y0, tx * TILE - x0
            out[ty0 : ty0 + tile.shape[0], tx0 : tx0 + tile.shape[1]] = tile
        return out

    def restore(self) -> Bounds | None:
        """Put the saved pixels back (a cancelled edit); returns the bounds restored."""
        for (ty, tx), tile in self._tiles.items():
            self._mask[ty * TILE : ty * TILE + tile.shape[0], tx * TILE : tx * TILE + tile.shape[1]] = tile
        bounds, self._bounds = self._bounds, None
        self._tiles.clear()
        return bounds
