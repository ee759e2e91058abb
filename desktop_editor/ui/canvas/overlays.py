"""Overlays on the canvas: the marching ants, and the tools' feedback (the expand frame, the
brush outline, the lasso) drawn over the image.

The ants follow the mask's edge, traced on a worker once the mask has stopped changing for a
moment; each tick repaints only the outline pieces on screen. A mixin of `CanvasView`, called
from its paint path, so drawing them costs what it did before the view was split.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QTimer, Slot
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QAbstractScrollArea, QApplication

from desktop_editor.ui.canvas.ants import Outline, paint_ants, trace_outline
from desktop_editor.ui.common.image_tasks import TaskRunner

if TYPE_CHECKING:
    from desktop_editor.ui.canvas.tools import ToolBox
    from desktop_editor.ui.models.document import Document

    _ScrollArea = QAbstractScrollArea  # what the mixin is mixed into, for type checkers
else:
    _ScrollArea = object

_ANTS_INTERVAL_MS = 160  # one dash step per tick
_ANTS_SETTLE_MS = 120  # the outline is traced again once the mask has not changed for this long


class CanvasOverlays(_ScrollArea):
    """Marching ants along the mask's edge, and the tools' on-canvas feedback."""

    _document: Document | None
    _pan: QPointF
    tools: ToolBox

    def _init_overlays(self) -> None:
        self.ants_pieces_drawn = 0  # outline pieces drawn, to check that only visible ones are
        self._ants = False
        self._ants_phase = 0
        self._outline = Outline.empty()
        self._outline_runner = TaskRunner(self, max_threads=1)
        self._outline_wanted = 0  # the latest trace asked for; older answers are dropped
        self._ants_timer = QTimer(self)
        self._ants_timer.setInterval(_ANTS_INTERVAL_MS)
        self._ants_timer.timeout.connect(self._on_ants_tick)
        self._outline_timer = QTimer(self)
        self._outline_timer.setSingleShot(True)
        self._outline_timer.setInterval(_ANTS_SETTLE_MS)
        self._outline_timer.timeout.connect(self._trace_outline)

    # -- marching ants ------------------------------------------------------------------------------

    def marching_ants(self) -> bool:
        return self._ants

    def set_marching_ants(self, on: bool) -> None:
        """Show the mask's edge as an animated outline (a view option)."""
        on = bool(on)
        if on == self._ants:
            return
        self._ants = on
        if on:
            self._schedule_outline(at_once=True)
            self._ants_timer.start()
        else:
            self._ants_timer.stop()
            self._update_outline_area(self._outline)
            self._outline = Outline.empty()

    def outline(self) -> Outline:
        """The traced mask edge the ants follow (empty while they are off)."""
        return self._outline

    def wait_for_outline(self, msecs: int = 5000) -> bool:
        """Block until a trace in progress has finished and been shown (for tests)."""
        if self._outline_timer.isActive():
            self._outline_timer.stop()
            self._trace_outline()
        done = self._outline_runner.wait(msecs)
        QApplication.sendPostedEvents()
        return done

    def _schedule_outline(self, *, at_once: bool = False) -> None:
        if not self._ants or self._document is None:
            return
        if at_once:
            self._outline_timer.stop()
            self._trace_outline()
        else:
            self._outline_timer.start()  # restarts: traced once the changes pause

    @Slot()
    def _trace_outline(self) -> None:
        document = self._document
        if document is None or not self._ants:
            return
        self._outline_wanted += 1
        wanted = self._outline_wanted
        mask = document.mask_array()  # the worker traces a copy; painting goes on

        def done(outline: Outline) -> None:
            if wanted == self._outline_wanted and self._document is document and self._ants:
                self._set_outline(outline)

        self._outline_runner.submit(lambda: trace_outline(mask), done)

    def _set_outline(self, outline: Outline) -> None:
        """Show a new outline: repaint where the old one was and where the new one is."""
        old, self._outline = self._outline, outline
        self._update_outline_area(old)
        self._update_outline_area(outline)

    def _update_outline_area(self, outline: Outline) -> None:
        if outline.bounds.isNull():
            return
        a = self.map_from_image(outline.bounds.topLeft())
        b = self.map_from_image(outline.bounds.bottomRight())
        rect = QRectF(a, b).normalized().adjusted(-2, -2, 2, 2).intersected(QRectF(self.viewport().rect()))
        if not rect.isEmpty():
            self.viewport().update(rect.toAlignedRect())

    @Slot()
    def _on_ants_tick(self) -> None:
        if self._document is None or not self.isVisible() or not self._outline.pieces:
            return
        self._ants_phase += 1
        visible = self._visible_image_area()
        pieces_rect = QRectF()
        for index in np.flatnonzero(self._outline_hits(visible)):
            x0, y0, x1, y1 = self._outline.boxes[index]
            pieces_rect = pieces_rect.united(QRectF(QPointF(x0, y0), QPointF(x1, y1)))
        if not pieces_rect.isNull():
            a, b = self.map_from_image(pieces_rect.topLeft()), self.map_from_image(pieces_rect.bottomRight())
            rect = QRectF(a, b).normalized().adjusted(-2, -2, 2, 2).intersected(QRectF(self.viewport().rect()))
            if not rect.isEmpty():
                self.viewport().update(rect.toAlignedRect())

    def _visible_image_area(self, rect: QRectF | None = None) -> QRectF:
        """A viewport rectangle (default: all of it) in image coordinates."""
        rect = QRectF(self.viewport().rect()) if rect is None else rect
        return QRectF(self.map_to_image(rect.topLeft()), self.map_to_image(rect.bottomRight()))

    def _outline_hits(self, area: QRectF) -> np.ndarray:
        b = self._outline.boxes
        if not len(b):
            return np.zeros(0, dtype=bool)
        return (b[:, 2] >= area.left() - 1) & (b[:, 0] <= area.right() + 1) & (b[:, 3] >= area.top() - 1) & (
            b[:, 1] <= area.bottom() + 1)

    def _paint_ants(self, painter: QPainter, dirty: QRectF) -> int:
        """Draw the ants crossing the repainted area; returns how many pieces were drawn."""
        if not self._ants or not self._outline.pieces:
            return 0
        pieces = self._outline.visible(self._visible_image_area(dirty).adjusted(-1, -1, 1, 1))
        if not pieces:
            return 0
        s = self.scale()
        painter.save()
        painter.setClipRect(dirty)
        painter.translate(-self._pan.x(), -self._pan.y())
        painter.scale(s, s)
        paint_ants(painter, pieces, -self._ants_phase)
        painter.restore()
        self.ants_pieces_drawn += len(pieces)
        return len(pieces)

    def _paint_tool_overlays(self, painter: QPainter) -> None:
        """The current tool's feedback (brush outline, lasso, selection box), after the expand
        frame, which stays visible with every tool while an expansion is pending."""
        framing = self.tools.tool("expand")
        if framing is not self.tools.current:
            framing.paint_overlay(painter)
        self.tools.current.paint_overlay(painter)
