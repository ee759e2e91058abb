"""The refine edge brush: paint over an edge and the mask's soft edge snaps to the photo's edges
under the brush (`core.selection.refine.refine_stroke`), nowhere else.

The brush is the mask brush's circle, sized by the same keys ([ and ]) and Alt+right-drag; the
band is refine edge's (the tool options and Edit > Refine Edge share it). While the stroke is
painted its path shows on the canvas and the part painted so far is refined on a worker and
shown at once; each newer answer replaces the last, and the whole stroke is one undo step. A
new stroke waits for the last one's answer (the busy cursor shows meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QCursor, QPainter, QPainterPath, QPen

from desktop_editor.core import mask_ops
from desktop_editor.core.mask_ops import Bounds
from desktop_editor.core.selection.common import check, has_edge
from desktop_editor.core.selection.refine import refine_stroke
from desktop_editor.ui.canvas.tools.brush import BrushTool
from desktop_editor.ui.canvas.tools.host import Pointer, ToolHost
from desktop_editor.ui.canvas.tools.smart import LatestWork, PreparedChange, photos, prepare_change
from desktop_editor.ui.models.smart_settings import smart_settings
from desktop_editor.ui.models.tool_settings import ToolSettings

if TYPE_CHECKING:
    from desktop_editor.ui.models.document import Document
    from desktop_editor.ui.models.mask_history import MaskEditCommand

_STROKE_COLOUR = QColor(80, 170, 255, 90)


@dataclass
class _Stroke:
    """One stroke: where it went, the mask before it, and the undo step its answers make."""

    document: Document
    base: np.ndarray  # the mask before the stroke
    token: tuple  # the document's history when `base` was taken
    radius: float  # image pixels
    points: list[tuple[float, float]] = field(default_factory=list)
    released: bool = False
    sent: int = 0  # how many points the work in flight (or the last answer) covers
    command: MaskEditCommand | None = None
    bounds: Bounds | None = None  # what that step covers


class RefineBrushTool(BrushTool):
    """Paint over an edge: the mask's edge snaps to the photo's edges under the brush.

    Signals:
        message(str): for the status bar (nothing to refine, failures).
    """

    tool_id = "refine"
    label = "Refine Edge Brush"
    icon_name = "refine_brush"
    tip = "Paint over an edge to snap the mask's soft edge to the photo's edges under the brush"

    message = Signal(str)

    def __init__(self, canvas: ToolHost, settings: ToolSettings):
        super().__init__(canvas, settings)
        self.options = smart_settings(settings)
        self.work = LatestWork(self)
        self.work.busy_changed.connect(self._on_busy)
        self._refining: _Stroke | None = None

    def cursor(self) -> QCursor:
        if self.work.busy():
            return QCursor(Qt.CursorShape.BusyCursor)
        return super().cursor()

    def is_busy(self) -> bool:
        stroke = self._refining
        return (stroke is not None and not stroke.released) or self._resize is not None

    def stroke_in_progress(self) -> bool:
        """A stroke is painted or its answer is still on the way."""
        return self._refining is not None

    # -- input --------------------------------------------------------------------------------

    def press(self, pointer: Pointer) -> None:
        document = self.document()
        if document is None or self._refining is not None:
            return  # the last stroke's answer first: it is this stroke's starting mask
        if not has_edge(document.mask_pixels()):
            self.message.emit("Refine edge brush: the mask has no edge yet. Select or paint something first.")
            return
        self._refining = _Stroke(document, document.mask_array(), document.history_token(), self.radius())
        self._add(pointer)
        self._send()

    def move(self, pointer: Pointer) -> None:
        stroke = self._refining
        if stroke is not None and not stroke.released:
            last = self.canvas.map_from_image(QPointF(*stroke.points[-1]))
            if QLineF(last, pointer.view_pos).length() >= 2.0:
                self._add(pointer)
                if not self.work.busy():
                    self._send()
        self.hover(pointer)

    def release(self, pointer: Pointer) -> None:
        stroke = self._refining
        if stroke is None or stroke.released:
            return
        self.move(pointer)
        stroke.released = True
        if not self.work.busy():
            self._send()

    def cancel(self) -> None:
        """Esc, another tool or image: stop the work; what was shown of the stroke stays."""
        self.work.cancel()
        self._end_stroke()
        super().cancel()

    def _add(self, pointer: Pointer) -> None:
        stroke = self._refining
        assert stroke is not None
        old = self._path_rect()
        stroke.points.append((pointer.image_pos.x(), pointer.image_pos.y()))
        self.canvas.update_view_rect(old.united(self._path_rect()))

    # -- work ---------------------------------------------------------------------------------

    def _send(self) -> None:
        stroke = self._refining
        assert stroke is not None
        points, radius, band, cover = tuple(stroke.points), stroke.radius, self.options.refine_band, stroke.bounds
        stroke.sent = len(points)

        def work(stop) -> PreparedChange:
            photo = photos.photo(stroke.document)
            check(stop)
            result = refine_stroke(photo, stroke.base, points, radius, band, stop=stop)
            check(stop)
            if result is None:
                return prepare_change(stroke.base, stroke.base, cover)
            (x0, y0, x1, y1), pixels = result
            if cover is None and mask_ops.changed_bounds(stroke.base[y0:y1, x0:x1], pixels) is None:
                return PreparedChange(None, None)  # nothing to show yet: spare the copy below
            after = stroke.base.copy()
            after[y0:y1, x0:x1] = pixels
            return prepare_change(stroke.base, after, cover)

        self.work.submit(work, lambda change: self._apply(stroke, change), self._failed)

    def _apply(self, stroke: _Stroke, change: PreparedChange) -> None:
        if stroke is not self._refining:
            return
        document = stroke.document
        live = (document.is_latest_command(stroke.command) if stroke.command is not None
                else document.history_token() == stroke.token)
        if not live:  # the mask changed meanwhile (an undo, another image's key...): stop here
            self._end_stroke()
            return
        if change.payload is not None and change.after is not None:
            text = f"Refine edge brush {self.options.refine_band} px"
            if stroke.command is None:
                stroke.command = document.apply_mask_change(change.payload, change.after, text)
            else:
                document.amend_mask_change(stroke.command, change.payload, change.after, text)
            stroke.bounds = change.bounds
        if stroke.sent < len(stroke.points):
            self._send()  # the stroke went on meanwhile
        elif stroke.released:
            if stroke.command is None:
                self.message.emit("Refine edge brush: no edge under the stroke to refine.")
            self._end_stroke()

    def _failed(self, exc: BaseException) -> None:
        self.message.emit(f"Refine edge brush failed: {exc}")
        self._end_stroke()

    def _end_stroke(self) -> None:
        old = self._path_rect()
        self._refining = None
        self.canvas.update_view_rect(old)
        if self.active:
            self.canvas.viewport().setCursor(self.cursor())

    # -- feedback -----------------------------------------------------------------------------

    @Slot(bool)
    def _on_busy(self, _busy: bool) -> None:
        if self.active:
            self.canvas.viewport().setCursor(self.cursor())

    def _path_rect(self) -> QRectF:
        stroke = self._refining
        if stroke is None or not stroke.points:
            return QRectF()
        view = [self.canvas.map_from_image(QPointF(x, y)) for x, y in stroke.points]
        xs, ys = [p.x() for p in view], [p.y() for p in view]
        pad = stroke.radius * self.canvas.scale() + 3
        return QRectF(min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)

    def paint_overlay(self, painter: QPainter) -> None:
        stroke = self._refining
        if stroke is not None and stroke.points:
            view = [self.canvas.map_from_image(QPointF(x, y)) for x, y in stroke.points]
            path = QPainterPath(view[0])
            for p in view[1:]:
                path.lineTo(p)
            if len(view) == 1:
                path.lineTo(view[0] + QPointF(0.01, 0))
            pen = QPen(_STROKE_COLOUR, 2 * stroke.radius * self.canvas.scale(), Qt.PenStyle.SolidLine,
                       Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
            pen.setCosmetic(True)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        super().paint_overlay(painter)
