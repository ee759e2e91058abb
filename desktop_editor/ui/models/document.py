"""One open image with its mask, its undo history and its unsaved-changes state.

The mask lives in a numpy buffer (the core form: uint8, 255 = edit) whose rows are padded to a
QImage-compatible stride, so the canvas can show it through QImage views that share the memory:
a brush stroke writes into the array and the next paint shows it, with no conversion per frame.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QRect, QSize, Signal, Slot
from PySide6.QtGui import QImage, QUndoStack

from desktop_editor.core import mask_ops
from desktop_editor.core.expand import DEFAULT_OVERLAP, Expansion
from desktop_editor.core.images import LoadedImage
from desktop_editor.core.mask_ops import Bounds
from desktop_editor.core.masks import MaskError, fit_mask
from desktop_editor.core.mix import MixState
from desktop_editor.core.params import fit_within_limits
from desktop_editor.ui.common.conversions import qimage_from_pil
from desktop_editor.ui.common.imaging import allocate_mask_buffer, wrap_gray
from desktop_editor.ui.common.photo_memory import hold_photo_once
from desktop_editor.ui.models.expansion_command import ExpansionCommand
from desktop_editor.ui.models.invert_command import InvertMaskCommand
from desktop_editor.ui.models.mask_copies import spare_masks
from desktop_editor.ui.models.mask_history import (
    DEFAULT_HISTORY_BUDGET,
    MaskEditCommand,
    RegionPayload,
    TILE,
    RegionSnapshot,
    history_bytes,
    trim_history,
)
from desktop_editor.ui.models.tile_payload import TilePayload

_untitled_numbers = itertools.count(1)


# An in-place edit whose touched tiles span this many pixels or more is kept as its tiles.
TILED_STEP_PIXELS = 1 << 20


def bounds_to_rect(bounds: Bounds) -> QRect:
    x0, y0, x1, y1 = bounds
    return QRect(x0, y0, x1 - x0, y1 - y0)


class Document(QObject):
    """An image being worked on: pixels for display, the mask, and the mask's undo stack.

    Signals:
        mask_changed(QRect): pixels of the mask changed inside this image rectangle.
        modified_changed(bool): the mask now differs (True) or no longer differs (False) from
            what was last saved.
        history_trimmed(int): this many of the oldest undo steps were dropped to stay
            within the history memory budget.
        expansion_changed(): the canvas frame to expand (or crop) to, or its overlap, changed.
        display_changed(): the full-size display image and the finer levels the loader was
            still making (see `display_pending`) have arrived.
    """

    mask_changed = Signal(QRect)
    modified_changed = Signal(bool)
    history_trimmed = Signal(int)
    expansion_changed = Signal()
    display_changed = Signal()

    def __init__(
        self,
        loaded: LoadedImage,
        image: QImage | None = None,
        *,
        levels: list[QImage | None] | None = None,
        name: str | None = None,
        display_pending: bool = False,
        parent: QObject | None = None,
    ):
        """`image` is the display QImage and `levels` its half-size copies (level n at index
        n - 1), when they were already made off the GUI thread (see `ui.flow.loader`).

        With `display_pending`, the loader is still making `image` and the levels given as None:
        the canvas draws from the levels it has meanwhile, and `finish_display` brings the rest.
        """
        super().__init__(parent)
        self.loaded = loaded
        self.path: Path | None = loaded.path
        self.project_path: Path | None = None
        self.name = name or (loaded.path.name if loaded.path else f"Pasted image {next(_untitled_numbers)}")
        self._image = image
        self._levels: list[QImage | None] = list(levels or [])
        self._display_pending = display_pending
        self._shown_callbacks: list[Callable[[], None]] = []
        self.width, self.height = loaded.size
        self._mask_buffer, self._mask = allocate_mask_buffer(self.width, self.height)
        self._mask_revision = 0
        # What this image is to be sent with, owned by the image (never another image's prompt):
        # EditParams as a dict (saved in its project), result options, reference image paths.
        # Empty until the designer sets them; the panel then shows the designer's defaults.
        self.params: dict[str, Any] = {}
        self.edit_options: dict[str, Any] = {}
        self.references: list[str] = []
        self.view_state: dict[str, Any] = {}
        # The mix of this image's results being painted (core.mix.MixState: result files, base,
        # map), kept with its project; None until the designer mixes.
        self.mix_state: MixState | None = None
        self.history_budget = DEFAULT_HISTORY_BUDGET
        self._history_bytes = 0
        self.history_replaying = False
        # The canvas being framed with the Crop/Expand tool: pixels per side (None: the image as
        # it is) and the band of the original redone at the seam. Sent by Generate.
        self.expansion: Expansion | None = None
        self.expand_overlap = DEFAULT_OVERLAP
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._modified = False
        self._extra_modified = False
        if image is not None:
            hold_photo_once(loaded, image)

    # -- display images ---------------------------------------------------------------------

    @property
    def image(self) -> QImage:
        """The full-size display QImage. Made here, on the calling thread, when no worker made it
        (a pasted image) or when asked for before the loader delivered it."""
        if self._image is None:
            self._image = qimage_from_pil(self.loaded.image)
            hold_photo_once(self.loaded, self._image)
        return self._image

    @property
    def image_levels(self) -> list[QImage]:
        """The half, quarter, ... size display copies made so far, largest first."""
        return [level for level in self._levels if level is not None]

    def display_image(self, level: int) -> QImage | None:
        """The display image of `level` (0: full size) if it has been made, else None."""
        if level == 0:
            return self._image
        return self._levels[level - 1] if 0 < level <= len(self._levels) else None

    def display_pending(self) -> bool:
        """Whether the loader is still making the full-size image or some finer levels."""
        return self._display_pending

    def on_display_shown(self, callback: Callable[[], None]) -> None:
        """Call `callback` once the canvas has first drawn this document (`display_shown`)."""
        self._shown_callbacks.append(callback)

    def display_shown(self) -> None:
        """The canvas has drawn this document (it calls this after each paint)."""
        callbacks, self._shown_callbacks = self._shown_callbacks, []
        for callback in callbacks:
            callback()

    def finish_display(self, image: QImage | None, levels: dict[int, QImage]) -> None:
        """The loader's remaining display images (`levels` by level number); None for `image`
        when it could not make it (then `image` makes it when first asked)."""
        if self._image is None and image is not None:
            self._image = image
            hold_photo_once(self.loaded, image)
        for level, made in levels.items():
            while len(self._levels) < level:
                self._levels.append(None)
            if self._levels[level - 1] is None:
                self._levels[level - 1] = made
        self._display_pending = False
        self.display_changed.emit()

    # -- image facts ------------------------------------------------------------------------

    @property
    def size(self) -> QSize:
        return QSize(self.width, self.height)

    @property
    def has_alpha(self) -> bool:
        return self.loaded.has_alpha

    def send_size(self) -> tuple[int, int]:
        """The size this image will be uploaded at (scaled down when over the model's limits)."""
        return fit_within_limits(self.width, self.height)

    def exceeds_limits(self) -> bool:
        return self.send_size() != (self.width, self.height)

    def held_bytes(self) -> dict[str, int]:
        """What this document holds in memory, in bytes, by part: the full-size display copy,
        its smaller levels, the Pillow copy of the photo (0 once let go to the display copy),
        the document's own values when they are not the display's (16-bit, CMYK), the file's
        bytes kept for sending, and the mask."""
        source = self.loaded.source
        return {
            "display": self._image.sizeInBytes() if self._image is not None else 0,
            "levels": sum(level.sizeInBytes() for level in self.image_levels),
            "photo": self.loaded.held_bytes(),
            "source": source.pixels.nbytes if source is not None and source.pixels is not None else 0,
            "file": len(self.loaded.pristine_bytes or b""),
            "mask": self._mask_buffer.nbytes,
        }

    # -- canvas expansion -------------------------------------------------------------------

    def pending_expansion(self) -> Expansion | None:
        """The frame Generate will expand to, None when there is none (or it changes nothing)."""
        exp = self.expansion
        return None if exp is None or exp.is_identity else exp

    def set_expansion(self, expansion: Expansion | None, overlap: int | None = None,
                      text: str = "Expand Canvas") -> bool:
        """Frame the canvas as one undo step; False when nothing changed."""
        if expansion is not None and expansion.is_identity:
            expansion = None
        after = (expansion, self.expand_overlap if overlap is None else max(0, int(overlap)))
        before = (self.expansion, self.expand_overlap)
        if after == before:
            return False
        self._push(ExpansionCommand(self, before, after, text))
        return True

    def expansion_state(self) -> dict[str, Any] | None:
        """The frame as plain data for a project file (None: nothing framed)."""
        exp = self.pending_expansion()
        return None if exp is None else {"sides": list(exp.sides), "overlap": self.expand_overlap}

    def restore_expansion_state(self, state: Any) -> None:
        """Put back a frame saved with a project (not an undo step: it is how the project was
        left); anything malformed is ignored."""
        try:
            sides = [int(v) for v in state["sides"]]
            overlap = max(0, int(state.get("overlap", DEFAULT_OVERLAP)))
            exp = Expansion(*sides)
            exp.check(self.width, self.height)
        except (TypeError, KeyError, ValueError, AttributeError):
            return
        self.apply_expansion(exp, overlap)

    def apply_expansion(self, expansion: Expansion | None, overlap: int) -> None:
        """Set the frame and announce it (used by undo and redo)."""
        self.expansion, self.expand_overlap = expansion, overlap
        self.expansion_changed.emit()

    # -- mask access ------------------------------------------------------------------------

    def mask_buffer(self) -> np.ndarray:
        """The padded (H, stride) buffer behind the mask, for QImage views. Read-only by convention."""
        return self._mask_buffer

    def mask_pixels(self) -> np.ndarray:
        """The live (H, W) mask array. Write to it only inside `begin_edit()` so undo sees it."""
        return self._mask

    def mask_array(self) -> np.ndarray:
        """An independent copy of the mask (H, W) uint8, 255 = edit (see `mask_copies`)."""
        return spare_masks.copy(self._mask)

    def mask_image(self) -> QImage:
        """The mask as a Grayscale8 QImage copy (white = edit)."""
        return wrap_gray(self._mask_buffer, self.width).copy()

    def set_mask_array(self, mask: np.ndarray, text: str = "Change mask", *, rescale: bool = False) -> bool:
        """Replace the mask with `mask` as one undo step; returns False when nothing changed.

        The command stores only the bounding box of the pixels that differ, before and after.

        Raises:
            MaskError: the mask does not fit the image and `rescale` is False.
        """
        mask = fit_mask(np.asarray(mask), (self.width, self.height), rescale=rescale)
        if mask.dtype != np.uint8:
            raise MaskError(f"A mask must be 8-bit, not {mask.dtype}.")
        bounds = mask_ops.changed_bounds(self._mask, mask)
        if bounds is None:
            return False
        x0, y0, x1, y1 = bounds
        payload = RegionPayload.from_arrays(bounds, self._mask[y0:y1, x0:x1], mask[y0:y1, x0:x1])
        self._push(MaskEditCommand(self, payload, text))
        return True

    def invert_mask(self, text: str = "Invert mask") -> None:
        """Invert the whole mask as one undo step that keeps no pixels (see `InvertMaskCommand`)."""
        self._push(InvertMaskCommand(self, text))

    def invert_mask_in_place(self) -> None:
        """Invert every mask pixel where it is (255 - value, as `mask_ops.invert`) and announce it."""
        np.bitwise_not(self._mask, out=self._mask)  # 255 - value for 8-bit values
        self.notify_mask_changed((0, 0, self.width, self.height))

    def apply_mask_change(self, payload: RegionPayload, after: np.ndarray, text: str) -> MaskEditCommand:
        """Apply a change prepared off the GUI thread (`payload` compressed there, `after` the new
        pixels of `payload.bounds`) as one undo step; returns its command.

        Only a copy of the changed rectangle happens here: comparing and compressing a 24 MP
        mask would hold the GUI thread for tens of milliseconds.
        """
        self.write_mask_region(payload.bounds, after)
        command = MaskEditCommand(self, payload, text, applied=True)
        self._push(command)
        return command

    def amend_mask_change(self, command: MaskEditCommand, payload: RegionPayload, after: np.ndarray,
                          text: str) -> bool:
        """Replace what `command`, the latest undo step, did by `payload` (the same "before"
        state: a re-thresholded wand click, a refine edge with another band), still one step.

        `payload.bounds` must cover the command's own bounds, so that writing `after` there also
        puts back what the old change touched and the new one does not. Returns False (nothing
        done) when `command` is no longer the latest step.
        """
        stack = self.undo_stack
        if not self.is_latest_command(command):
            return False
        self.write_mask_region(payload.bounds, after)
        self._history_bytes += payload.nbytes - command.payload.nbytes
        command.payload = payload
        command.setText(text)
        if stack.isClean():
            self.mark_modified()  # saved right after the change: the amended mask is not saved
        return True

    def withdraw_latest(self, command: MaskEditCommand | None) -> bool:
        """Take back `command`, the latest step, and forget it: the Edit menu offers no Redo of a
        preview the designer cancelled. False (nothing done) when it is no longer the latest."""
        if not self.is_latest_command(command):
            return False
        self._history_bytes -= command.payload.nbytes
        command.forget_when_undone = True
        self.undo_stack.undo()  # the stack deletes the command: do not touch it afterwards
        return True

    def is_latest_command(self, command: MaskEditCommand | None) -> bool:
        """Whether `command` is the step undo would take back next (none redone or undone since)."""
        stack = self.undo_stack
        index = stack.index()
        return command is not None and index > 0 and index == stack.count() and stack.command(index - 1) is command

    def is_current_command(self, command: MaskEditCommand | None) -> bool:
        """Whether the mask is as `command` left it: it is the step before the undo index
        (steps after it may wait to be redone)."""
        index = self.undo_stack.index()
        return command is not None and index > 0 and self.undo_stack.command(index - 1) is command

    def history_token(self) -> tuple[int, int, object]:
        """Changes whenever the mask's history moves (a step pushed, undone or redone); work
        prepared against an older mask compares it before applying."""
        stack = self.undo_stack
        index = stack.index()
        return index, stack.count(), stack.command(index - 1) if index > 0 else None

    def fill_mask_region(self, bounds: Bounds, footprint: np.ndarray, value: int, text: str) -> bool:
        """Set the pixels of `footprint` (a boolean array over `bounds`) to `value`, as one undo step.

        The work stays inside `bounds`, so a fill of a small area of a huge mask costs little.
        Returns False when nothing changed.
        """
        x0, y0, x1, y1 = bounds
        before = self._mask[y0:y1, x0:x1]
        after = before.copy()
        after[footprint] = value
        tight = mask_ops.changed_bounds(before, after)
        if tight is None:
            return False
        tx0, ty0, tx1, ty1 = tight
        payload = RegionPayload.from_arrays(
            (x0 + tx0, y0 + ty0, x0 + tx1, y0 + ty1), before[ty0:ty1, tx0:tx1], after[ty0:ty1, tx0:tx1]
        )
        self._push(MaskEditCommand(self, payload, text))
        return True

    def begin_edit(self) -> MaskEdit:
        """Start an in-place edit (a brush stroke); finish it with `commit()` or `cancel()`."""
        return MaskEdit(self)

    def write_mask_region(self, bounds: Bounds, pixels: np.ndarray) -> None:
        """Write pixels into the mask and announce it (used by undo/redo)."""
        x0, y0, x1, y1 = bounds
        self._mask[y0:y1, x0:x1] = pixels
        self._mask_revision += 1
        self.mask_changed.emit(QRect(x0, y0, x1 - x0, y1 - y0))

    def write_mask_tiles(self, bounds: Bounds, tiles: list[tuple[int, int, np.ndarray]]) -> None:
        """Write (top, left, pixels) tiles into the mask and announce `bounds`, which holds them
        all (undo/redo of a stroke kept as tiles)."""
        for top, left, pixels in tiles:
            self._mask[top : top + pixels.shape[0], left : left + pixels.shape[1]] = pixels
        self.notify_mask_changed(bounds)

    def notify_mask_changed(self, bounds: Bounds) -> None:
        self._mask_revision += 1
        self.mask_changed.emit(bounds_to_rect(bounds))

    @property
    def mask_revision(self) -> int:
        """Counts the mask's announced changes: equal revisions of one document mean the same
        mask, told without reading 24 MP of it (an undo back to earlier pixels counts anew).
        Revision 0 is the new document's blank mask."""
        return self._mask_revision

    def load_mask(self, mask: np.ndarray) -> None:
        """Start from a saved mask (a reopened project's): not an undo step, not a modification."""
        self._mask[...] = mask
        self.notify_mask_changed((0, 0, self.width, self.height))

    # -- history ----------------------------------------------------------------------------

    def history_bytes(self) -> int:
        """Memory held by this document's undo history (kept as a running total)."""
        if self.undo_stack.count() == 0:
            self._history_bytes = 0
        return self._history_bytes

    @contextlib.contextmanager
    def replaying_history(self) -> Iterator[None]:
        """Within this block undo/redo commands do not touch pixels (history rebuilds)."""
        self.history_replaying = True
        try:
            yield
        finally:
            self.history_replaying = False
            self._update_modified()

    def _push(self, command: MaskEditCommand | ExpansionCommand | InvertMaskCommand) -> None:
        stack = self.undo_stack
        # Pushing after some undos deletes the steps that could have been redone.
        discarded = sum(getattr(stack.command(i), "nbytes", 0) for i in range(stack.index(), stack.count()))
        stack.push(command)
        self._history_bytes = self.history_bytes() + command.nbytes - discarded
        if self._history_bytes > self.history_budget:
            dropped = trim_history(self, stack, self.history_budget)
            self._history_bytes = history_bytes(stack)
            if dropped:
                self.history_trimmed.emit(dropped)

    # -- saved state ------------------------------------------------------------------------

    def is_modified(self) -> bool:
        return self._modified

    def mark_saved(self) -> None:
        """The mask as it is now has been saved (mask file or project)."""
        self._extra_modified = False
        self.undo_stack.setClean()
        self._update_modified()

    def mark_modified(self) -> None:
        """Something outside the undo history changed (e.g. parameters) and needs saving."""
        self._extra_modified = True
        self._update_modified()

    @Slot(bool)
    def _on_clean_changed(self, _clean: bool) -> None:
        if not self.history_replaying:
            self._update_modified()

    def _update_modified(self) -> None:
        modified = self._extra_modified or not self.undo_stack.isClean()
        if modified != self._modified:
            self._modified = modified
            self.modified_changed.emit(modified)

    def __repr__(self) -> str:
        return f"<Document {self.name!r} {self.width}x{self.height}>"


class MaskEdit:
    """An in-place edit of a document's mask that becomes one undo command when committed.

    The brush paints straight into `pixels` (fast, no copies); `touch(bounds)` must be called
    before each write so the pixels underneath can be restored, and `changed(bounds)` after it
    so the canvas repaints that area.
    """

    def __init__(self, document: Document):
        self.document = document
        self.pixels = document.mask_pixels()
        self._snapshot = RegionSnapshot(self.pixels)
        self._open = True

    def touch(self, bounds: Bounds) -> None:
        self._snapshot.touch(bounds)

    def changed(self, bounds: Bounds) -> None:
        self.document.notify_mask_changed(bounds)

    def commit(self, text: str) -> bool:
        """Record the edit as one undo step holding only what changed; False if nothing did.

        An edit whose tiles span `TILED_STEP_PIXELS` or more (a stroke across a fitted photo)
        keeps just the tiles it touched (`TilePayload`), not their bounding box."""
        if not self._open:
            return False
        self._open = False
        bounds = self._snapshot.bounds
        if bounds is not None and (bounds[2] - bounds[0]) * (bounds[3] - bounds[1]) >= TILED_STEP_PIXELS:
            tiled = TilePayload.from_tiles(self.pixels, self._snapshot.tiles(), TILE)
            if tiled is None:
                return False
            self.document._push(MaskEditCommand(self.document, tiled, text, applied=True))
            return True
        before = self._snapshot.before()
        if before is None or bounds is None:
            return False
        x0, y0, x1, y1 = bounds
        after = self.pixels[y0:y1, x0:x1]
        tight = mask_ops.changed_bounds(before, after)
        if tight is None:
            return False
        tx0, ty0, tx1, ty1 = tight
        payload = RegionPayload.from_arrays(
            (x0 + tx0, y0 + ty0, x0 + tx1, y0 + ty1),
            before[ty0:ty1, tx0:tx1],
            after[ty0:ty1, tx0:tx1],
        )
        self.document._push(MaskEditCommand(self.document, payload, text, applied=True))
        return True

    def cancel(self) -> None:
        """Undo the edit's pixels without leaving a trace in the history."""
        if not self._open:
            return
        self._open = False
        bounds = self._snapshot.restore()
        if bounds is not None:
            self.document.notify_mask_changed(bounds)
