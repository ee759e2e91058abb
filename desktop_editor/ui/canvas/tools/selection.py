"""Rectangle and lasso selections, combined with the mask by the mode or the modifiers held.

Shift adds, Alt subtracts, Shift+Alt intersects; otherwise the tool options' mode applies
(Add unless the designer chose another). The cursor shows the mode a click would use, as in
Photoshop: a cross with +, - or x beside it (nothing for Replace). `ModeCursorTool` gives the
magic wand and select object the same cursor.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QCursor,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
)

from desktop_editor.core import mask_ops
from desktop_editor.core.mask_ops import SelectionMode
from desktop_editor.ui.canvas.tools.base import Tool, _dashed_pens, _draw_badge
from desktop_editor.ui.canvas.tools.host import Pointer, ToolHost, selection_mode_for
from desktop_editor.ui.models.tool_settings import ToolSettings

_MODE_SIGNS = {SelectionMode.REPLACE: "", SelectionMode.ADD: "+", SelectionMode.SUBTRACT: "−",
               SelectionMode.INTERSECT: "×"}


@lru_cache(maxsize=8)
def mode_cursor(mode: SelectionMode) -> QCursor:
    """A precise cross with the selection mode's sign at its lower right (+ add, - subtract,
    x intersect), dark-edged so it reads on any picture."""
    size = 32
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    c = 11.5
    for color, width in ((QColor(0, 0, 0, 200), 3.0), (QColor(255, 255, 255), 1.0)):
        painter.setPen(QPen(color, width))
        painter.drawLine(QLineF(c, 1, c, c - 3))
        painter.drawLine(QLineF(c, c + 3, c, 22))
        painter.drawLine(QLineF(1, c, c - 3, c))
        painter.drawLine(QLineF(c + 3, c, 22, c))
    sign = _MODE_SIGNS[SelectionMode(mode)]
    if sign:
        badge = QRectF(17, 17, 14, 14)
        painter.setPen(QPen(QColor(0, 0, 0, 200), 1.0))
        painter.setBrush(QColor(255, 255, 255))
        painter.drawEllipse(badge)
        font = painter.font()
        font.setPixelSize(13)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(0, 0, 0))
        painter.drawText(badge.adjusted(0, -1, 0, 0), Qt.AlignmentFlag.AlignCenter, sign)
    painter.end()
    return QCursor(pixmap, 11, 11)


class ModeCursorTool(Tool):
    """A tool whose click combines with the mask by a mode: the cursor shows the mode a click
    would use, following Shift and Alt as they are pressed (rectangle, lasso, magic wand,
    select object)."""

    def __init__(self, canvas: ToolHost, settings: ToolSettings):
        super().__init__(canvas, settings)
        self._held_modifiers = Qt.KeyboardModifier.NoModifier
        settings.selection_mode_changed.connect(lambda _m: self._refresh_cursor())

    def pending_mode(self) -> SelectionMode:
        """The mode a click now would use (the option, or the modifiers held)."""
        return selection_mode_for(self._held_modifiers, self.settings.selection_mode)

    def cursor(self) -> QCursor:
        return mode_cursor(self.pending_mode())

    def hover(self, pointer: Pointer | None) -> None:
        modifiers = pointer.modifiers if pointer is not None else Qt.KeyboardModifier.NoModifier
        if modifiers != self._held_modifiers:
            self._held_modifiers = modifiers
            self._refresh_cursor()

    def shows_busy(self) -> bool:
        """The busy cursor is up (work on a worker): a modifier must not replace it."""
        return False

    def _refresh_cursor(self) -> None:
        if self.active and not self.shows_busy():
            self.canvas.viewport().setCursor(self.cursor())


class RectSelectTool(ModeCursorTool):
    """Drag a rectangle; on release it replaces, adds to, subtracts from or intersects the mask."""

    tool_id = "rect"
    label = "Rectangle"
    icon_name = "rect_select"
    tip = "Select a rectangle (Shift adds, Alt subtracts)"

    def __init__(self, canvas: ToolHost, settings: ToolSettings):
        super().__init__(canvas, settings)
        self._start: QPointF | None = None
        self._end: QPointF | None = None
        self._mode = SelectionMode.REPLACE

    def is_busy(self) -> bool:
        return self._start is not None

    def _snap(self, p: QPointF) -> QPointF:
        doc = self.document()
        w, h = (doc.width, doc.height) if doc else (0, 0)
        return QPointF(min(max(round(p.x()), 0), w), min(max(round(p.y()), 0), h))

    def press(self, pointer: Pointer) -> None:
        if self.document() is None:
            return
        self._mode = selection_mode_for(pointer.modifiers, self.settings.selection_mode)
        self._start = self._end = self._snap(pointer.image_pos)
        self._update()

    def move(self, pointer: Pointer) -> None:
        if self._start is None:
            return
        old = self._view_rect()
        self._end = self._snap(pointer.image_pos)
        self.canvas.update_view_rect(old.united(self._view_rect()))

    def release(self, pointer: Pointer) -> None:
        if self._start is None:
            return
        self.move(pointer)
        start, end = self._start, self._end
        self._update()
        self._start = self._end = None
        document = self.document()
        if document is None or end is None:
            return
        picked = mask_ops.rect_selection(
            document.mask_pixels().shape, int(start.x()), int(start.y()), int(end.x()), int(end.y())
        )
        if picked is None:
            return
        bounds, selection = picked
        new = mask_ops.apply_selection(document.mask_pixels(), bounds, selection, self._mode)
        document.set_mask_array(new, f"Rectangle ({self._mode.value})")

    def cancel(self) -> None:
        if self._start is not None:
            self._update()
            self._start = self._end = None

    def _view_rect(self) -> QRectF:
        if self._start is None or self._end is None:
            return QRectF()
        a = self.canvas.map_from_image(self._start)
        b = self.canvas.map_from_image(self._end)
        return QRectF(a, b).normalized().adjusted(-2, -2, 2, 2).united(self._label_rect(b))

    def _label_rect(self, at: QPointF) -> QRectF:
        return QRectF(at.x() + 10, at.y() + 10, 220, 28)

    def _update(self) -> None:
        rect = self._view_rect()
        if rect.isValid():
            self.canvas.update_view_rect(rect)

    def paint_overlay(self, painter: QPainter) -> None:
        if self._start is None or self._end is None:
            return
        a = self.canvas.map_from_image(self._start)
        b = self.canvas.map_from_image(self._end)
        rect = QRectF(a, b).normalized()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(QColor(255, 255, 255, 28))
        for pen in _dashed_pens():
            painter.setPen(pen)
            painter.drawRect(rect)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        w = abs(int(self._end.x() - self._start.x()))
        h = abs(int(self._end.y() - self._start.y()))
        _draw_badge(painter, self._label_rect(b).topLeft(), f"{w} × {h}  {self._mode.value}")


class LassoTool(ModeCursorTool):
    """Freehand lasso by dragging; polygon lasso by clicking corners.

    Close a polygon by double-clicking, pressing Enter or clicking its first corner; Backspace
    removes the last corner and Esc abandons it.
    """

    tool_id = "lasso"
    label = "Lasso"
    icon_name = "lasso"
    tip = "Drag a freehand outline, or click corners for a polygon (double-click or Enter closes)"
    _DRAG_THRESHOLD = 4.0  # view pixels before a press becomes a freehand drag
    _CLOSE_DISTANCE = 8.0  # view pixels from the first corner that close the polygon

    def __init__(self, canvas: ToolHost, settings: ToolSettings):
        super().__init__(canvas, settings)
        self._points: list[QPointF] = []  # image coordinates
        self._press_view: QPointF | None = None
        self._freehand = False
        self._polygon = False
        self._hover: QPointF | None = None
        self._mode = SelectionMode.REPLACE

    def is_busy(self) -> bool:
        return self._press_view is not None

    def is_drawing(self) -> bool:
        return bool(self._points)

    def press(self, pointer: Pointer) -> None:
        if self.document() is None:
            return
        self._press_view = QPointF(pointer.view_pos)
        if self._polygon:
            first = self.canvas.map_from_image(self._points[0])
            if len(self._points) >= 3 and QLineF(first, pointer.view_pos).length() <= self._CLOSE_DISTANCE:
                self._press_view = None
                self.finish()
                return
            self._add_point(pointer.image_pos)
            return
        self._mode = selection_mode_for(pointer.modifiers, self.settings.selection_mode)
        self._points = [QPointF(pointer.image_pos)]
        self._freehand = False
        self._update()

    def move(self, pointer: Pointer) -> None:
        if self._press_view is not None and not self._polygon:
            if not self._freehand and QLineF(self._press_view, pointer.view_pos).length() >= self._DRAG_THRESHOLD:
                self._freehand = True
            if self._freehand:
                last = self.canvas.map_from_image(self._points[-1])
                if QLineF(last, pointer.view_pos).length() >= 1.0:
                    self._add_point(pointer.image_pos)
        self.hover(pointer)

    def release(self, pointer: Pointer) -> None:
        if self._press_view is None:
            return
        self._press_view = None
        if self._freehand:
            self._add_point(pointer.image_pos)
            self.finish()
        elif not self._polygon:
            self._polygon = True  # a click without a drag starts a polygon
            self._update()

    def double_click(self, pointer: Pointer) -> None:
        if self._polygon:
            self._press_view = None
            self.finish()
        else:
            self.press(pointer)

    def hover(self, pointer: Pointer | None) -> None:
        super().hover(pointer)
        if not self._polygon:
            self._hover = None
            return
        old = self._rubber_band_rect()
        self._hover = pointer.view_pos if pointer is not None else None
        self.canvas.update_view_rect(old.united(self._rubber_band_rect()))

    def key_press(self, event: QKeyEvent) -> bool:
        if not self._points:
            return False
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish()
            return True
        if key == Qt.Key.Key_Escape:
            self.cancel()
            return True
        if key == Qt.Key.Key_Backspace and self._polygon:
            self._update()
            self._points.pop()
            if not self._points:
                self.cancel()
            self._update()
            return True
        return False

    def finish(self) -> None:
        """Close the outline and apply it to the mask."""
        points = [(p.x(), p.y()) for p in self._points]
        mode = self._mode
        self.cancel()
        document = self.document()
        if document is None:
            return
        picked = mask_ops.polygon_selection(document.mask_pixels().shape, points)
        if picked is None:
            return
        bounds, selection = picked
        new = mask_ops.apply_selection(document.mask_pixels(), bounds, selection, mode)
        document.set_mask_array(new, f"Lasso ({mode.value})")

    def cancel(self) -> None:
        if self._points or self._polygon:
            self._update()
        self._points = []
        self._polygon = False
        self._freehand = False
        self._press_view = None
        self._hover = None

    def _add_point(self, image_pos: QPointF) -> None:
        self._points.append(QPointF(image_pos))
        n = len(self._points)
        seg = [self.canvas.map_from_image(p) for p in self._points[max(0, n - 2) :]]
        self.canvas.update_view_rect(QPolygonF(seg).boundingRect().adjusted(-3, -3, 3, 3).united(self._rubber_band_rect()))

    def _rubber_band_rect(self) -> QRectF:
        if not self._points or self._hover is None:
            return QRectF()
        last = self.canvas.map_from_image(self._points[-1])
        first = self.canvas.map_from_image(self._points[0])
        return QPolygonF([last, first, self._hover]).boundingRect().adjusted(-3, -3, 3, 3)

    def _update(self) -> None:
        if self._points:
            poly = QPolygonF([self.canvas.map_from_image(p) for p in self._points])
            self.canvas.update_view_rect(poly.boundingRect().adjusted(-12, -12, 12, 12).united(self._rubber_band_rect()))

    def paint_overlay(self, painter: QPainter) -> None:
        if not self._points:
            return
        view = [self.canvas.map_from_image(p) for p in self._points]
        path = QPainterPath(view[0])
        for p in view[1:]:
            path.lineTo(p)
        if self._hover is not None and self._polygon:
            path.lineTo(self._hover)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for pen in _dashed_pens():
            painter.setPen(pen)
            painter.drawPath(path)
        if self._polygon:
            painter.setPen(QPen(QColor(0, 0, 0, 200), 1.0))
            painter.setBrush(QColor(255, 255, 255))
            for p in view:
                painter.drawRect(QRectF(p.x() - 2.5, p.y() - 2.5, 5, 5))
            painter.setBrush(QColor(255, 200, 0))
            painter.drawEllipse(view[0], 4.0, 4.0)
