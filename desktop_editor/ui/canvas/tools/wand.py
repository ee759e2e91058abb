"""The magic wand: click to select the region of similar colour (or every similar pixel).

The click is worked out on a worker (`core.selection.wand`) and applied as one undo step,
combined with the mask by the mode or the modifiers (Shift adds, Alt subtracts, both intersect).
Until something else changes the mask, the last click stays live: dragging sideways while the
button is held, or moving the tolerance slider, re-thresholds the same click on the worker and
replaces that step instead of adding one, so the designer sees the region grow and shrink.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Slot
from PySide6.QtGui import QCursor, QPainter

from desktop_editor.core import mask_ops
from desktop_editor.core.mask_ops import Bounds, SelectionMode
from desktop_editor.core.selection.common import check
from desktop_editor.core.selection.wand import WandClick
from desktop_editor.ui.canvas.tools.base import _draw_badge
from desktop_editor.ui.canvas.tools.host import Pointer, ToolHost, selection_mode_for
from desktop_editor.ui.canvas.tools.selection import ModeCursorTool
from desktop_editor.ui.canvas.tools.smart import (
    LatestWork,
    PreparedChange,
    photos,
    prepare_change,
)
from desktop_editor.ui.models.smart_settings import smart_settings
from desktop_editor.ui.models.tool_settings import ToolSettings

if TYPE_CHECKING:
    from desktop_editor.ui.models.document import Document
    from desktop_editor.ui.models.mask_history import MaskEditCommand

DRAG_START = 4.0  # view pixels sideways before a held click starts changing the tolerance
VIEW_PX_PER_STEP = 2.0  # view pixels of sideways drag per tolerance step


@dataclass
class _Click:
    """The live click: where, how it combines, the mask before it, and the step it made."""

    document: Document
    x: int
    y: int
    mode: SelectionMode
    base: np.ndarray  # the mask before the click
    token: tuple  # the document's history when `base` was taken
    wand: WandClick | None = None  # the photo's distances to the clicked colour, once computed
    command: MaskEditCommand | None = None  # the undo step, once applied
    bounds: Bounds | None = None  # what that step covers


class WandTool(ModeCursorTool):
    """Click: the contiguous region of similar colour (or all similar pixels) becomes the selection."""

    tool_id = "wand"
    label = "Magic Wand"
    icon_name = "wand"
    tip = "Select similar colour by clicking (Shift adds, Alt subtracts; drag sideways for tolerance)"

    def __init__(self, canvas: ToolHost, settings: ToolSettings):
        super().__init__(canvas, settings)
        self.options = smart_settings(settings)
        self.work = LatestWork(self)
        self.work.busy_changed.connect(self._on_busy)
        self._click: _Click | None = None
        self._press_view: QPointF | None = None
        self._press_tolerance = 0
        self._dragging = False
        self._badge_at: QPointF | None = None
        self.options.tolerance_changed.connect(self._on_option_changed)
        self.options.contiguous_changed.connect(self._on_option_changed)
        self.options.antialias_changed.connect(self._on_option_changed)

    def is_busy(self) -> bool:
        return self._press_view is not None

    def press(self, pointer: Pointer) -> None:
        document = self.document()
        if document is None:
            return
        x, y = math.floor(pointer.image_pos.x()), math.floor(pointer.image_pos.y())
        if not (0 <= x < document.width and 0 <= y < document.height):
            return
        mode = selection_mode_for(pointer.modifiers, self.settings.selection_mode)
        self._click = _Click(document, x, y, mode, document.mask_array(), document.history_token())
        self._press_view = QPointF(pointer.view_pos)
        self._press_tolerance = self.options.tolerance
        self._dragging = False
        self._run()

    def move(self, pointer: Pointer) -> None:
        if self._press_view is None:
            return
        dx = pointer.view_pos.x() - self._press_view.x()
        if not self._dragging and abs(dx) >= DRAG_START:
            self._dragging = True
        if self._dragging:
            self._set_badge(pointer.view_pos)
            self.options.tolerance = self._press_tolerance + round(dx / VIEW_PX_PER_STEP)

    def release(self, pointer: Pointer) -> None:
        if self._press_view is None:
            return
        self.move(pointer)
        self._press_view = None
        self._dragging = False
        self._set_badge(None)

    def cancel(self) -> None:
        """Esc, another tool or another image: stop the work in flight (what is applied stays)."""
        self.work.cancel()
        self._press_view = None
        self._dragging = False
        self._set_badge(None)
        if self._click is not None and self._click.command is None:
            self._click = None

    def live_click(self) -> tuple[int, int] | None:
        """The image pixel of the click that option changes re-threshold, if there is one."""
        return (self._click.x, self._click.y) if self._click is not None and self._is_live(self._click) else None

    # -- work ---------------------------------------------------------------------------------

    def _is_live(self, click: _Click) -> bool:
        document = click.document
        if click.command is not None:
            return document.is_latest_command(click.command)
        return document.history_token() == click.token

    @Slot()
    def _on_option_changed(self, *_args) -> None:
        click = self._click
        if click is None or not self.active:
            return
        if self._is_live(click):
            self._run()
        else:
            self._click = None

    def _run(self) -> None:
        click = self._click
        assert click is not None
        tolerance, contiguous, antialias = self.options.tolerance, self.options.contiguous, self.options.antialias
        cover = click.bounds

        def work(stop) -> tuple[WandClick, PreparedChange]:
            wand = click.wand or WandClick(photos.planes(click.document), click.x, click.y)
            check(stop)
            bounds, selection = wand.select(tolerance, contiguous=contiguous, antialias=antialias, stop=stop)
            new = mask_ops.apply_selection(click.base, bounds, selection, click.mode)
            check(stop)
            return wand, prepare_change(click.base, new, cover)

        what = "Magic wand" if contiguous else "Select colour range"
        text = f"{what} ({click.mode.value}, tolerance {tolerance})"
        self.work.submit(work, lambda result: self._apply(click, result, text))

    def _apply(self, click: _Click, result: tuple[WandClick, PreparedChange], text: str) -> None:
        if click is not self._click:
            return
        wand, change = result
        click.wand = wand
        if not self._is_live(click):
            self._click = None  # the mask changed meanwhile: this click no longer applies
            return
        if change.payload is None or change.after is None:
            return
        document = click.document
        if click.command is None:
            click.command = document.apply_mask_change(change.payload, change.after, text)
        else:
            document.amend_mask_change(click.command, change.payload, change.after, text)
        click.bounds = change.bounds

    # -- feedback -----------------------------------------------------------------------------

    def shows_busy(self) -> bool:
        return self.work.busy()

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        if self.active:
            self.canvas.viewport().setCursor(QCursor(Qt.CursorShape.BusyCursor) if busy else self.cursor())

    def _badge_rect(self) -> QRectF:
        if self._badge_at is None:
            return QRectF()
        return QRectF(self._badge_at.x() + 10, self._badge_at.y() + 12, 140, 32)

    def _set_badge(self, at: QPointF | None) -> None:
        old = self._badge_rect()
        self._badge_at = QPointF(at) if at is not None else None
        self.canvas.update_view_rect(old.united(self._badge_rect()))

    def paint_overlay(self, painter: QPainter) -> None:
        if self._badge_at is not None:
            rect = self._badge_rect()
            _draw_badge(painter, rect.topLeft(), f"Tolerance {self.options.tolerance}")
