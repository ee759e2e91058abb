"""Mask tools: brush, eraser, rectangle and lasso selection, bucket fill.

A tool turns pointer input on the canvas into mask changes; the pixel work itself is done by
`desktop_editor.core.mask_ops`. Every change a tool makes is one undo step: a brush stroke
paints live into the mask and is recorded when the button is released, a selection or fill is
computed on release and applied through `Document.set_mask_array`.

Selections combine with the mask by the mode in the tool options, or by the modifiers held when
the drag starts: Shift adds, Alt subtracts, Shift+Alt intersects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QObject, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QCursor, QImage, QKeyEvent, QPainter, QPainterPath, QPen, QPolygonF

from desktop_editor.core import mask_ops
from desktop_editor.core.mask_ops import SelectionMode

if TYPE_CHECKING:
    from desktop_editor.ui.canvas.view import CanvasView
    from desktop_editor.ui.models.document import Document, MaskEdit

MIN_BRUSH = 1.0
MAX_BRUSH = 2000.0


@dataclass
class Pointer:
    """One pointer event in both coordinate systems, from a mouse or a tablet pen."""

    view_pos: QPointF  # viewport (logical pixels)
    image_pos: QPointF  # image pixels, continuous: pixel (i, j) spans [i, i + 1)
    button: Qt.MouseButton = Qt.MouseButton.NoButton
    buttons: Qt.MouseButton = Qt.MouseButton.NoButton
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    pressure: float | None = None  # 0..1 from a tablet, None from a mouse


def selection_mode_for(modifiers: Qt.KeyboardModifier, default: SelectionMode) -> SelectionMode:
    """Shift adds, Alt subtracts, both intersect; otherwise the tool option's mode."""
    shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
    alt = bool(modifiers & Qt.KeyboardModifier.AltModifier)
    if shift and alt:
        return SelectionMode.INTERSECT
    if shift:
        return SelectionMode.ADD
    if alt:
        return SelectionMode.SUBTRACT
    return default


class ToolSettings(QObject):
    """Options shared by the tools, which the tool options bar edits.

    Signals:
        brush_size_changed(float): brush diameter in image pixels.
        hardness_changed(float): 0 (soft) .. 1 (hard edge).
        selection_mode_changed(str): a SelectionMode value.
        pressure_changed(bool): whether pen pressure scales the brush size.
    """

    brush_size_changed = Signal(float)
    hardness_changed = Signal(float)
    selection_mode_changed = Signal(str)
    pressure_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._brush_size = 60.0
        self._hardness = 0.8
        self._selection_mode = SelectionMode.REPLACE
        self._pressure = True

    @property
    def brush_size(self) -> float:
        return self._brush_size

    @brush_size.setter
    def brush_size(self, value: float) -> None:
        value = float(max(MIN_BRUSH, min(MAX_BRUSH, round(value))))
        if value != self._brush_size:
            self._brush_size = value
            self.brush_size_changed.emit(value)

    @property
    def hardness(self) -> float:
        return self._hardness

    @hardness.setter
    def hardness(self, value: float) -> None:
        value = max(0.0, min(1.0, round(float(value), 2)))
        if value != self._hardness:
            self._hardness = value
            self.hardness_changed.emit(value)

    @property
    def selection_mode(self) -> SelectionMode:
        return self._selection_mode

    @selection_mode.setter
    def selection_mode(self, value: SelectionMode | str) -> None:
        value = SelectionMode(value)
        if value != self._selection_mode:
            self._selection_mode = value
            self.selection_mode_changed.emit(value.value)

    @property
    def pressure_scales_size(self) -> bool:
        return self._pressure

    @pressure_scales_size.setter
    def pressure_scales_size(self, value: bool) -> None:
        if bool(value) != self._pressure:
            self._pressure = bool(value)
            self.pressure_changed.emit(self._pressure)

    def step_brush_size(self, direction: int) -> None:
        """One [ or ] key press: about 10% per step, at least 1 px, like other paint programs."""
        size = self._brush_size
        step = max(1.0, round(size * 0.1)) if direction > 0 else max(1.0, round(size / 11.0))
        self.brush_size = size + step if direction > 0 else size - step

    def step_hardness(self, direction: int) -> None:
        """One Shift+[ or Shift+] press: 10% hardness."""
        self.hardness = self._hardness + (0.1 if direction > 0 else -0.1)


def _outline_pens() -> tuple[QPen, QPen]:
    dark = QPen(QColor(0, 0, 0, 170), 3.0)
    light = QPen(QColor(255, 255, 255, 235), 1.2)
    for pen in (dark, light):
        pen.setCosmetic(True)
    return dark, light


def _dashed_pens() -> tuple[QPen, QPen]:
    dark = QPen(QColor(0, 0, 0, 220), 1.0)
    light = QPen(QColor(255, 255, 255, 240), 1.0, Qt.PenStyle.CustomDashLine)
    light.setDashPattern([4.0, 4.0])
    for pen in (dark, light):
        pen.setCosmetic(True)
    return dark, light


class Tool(QObject):
    """Base class: receives pointer input from the canvas and draws its own on-canvas feedback."""

    tool_id = ""
    label = ""
    shortcut = ""
    icon_name = ""
    tip = ""

    def __init__(self, canvas: CanvasView, settings: ToolSettings):
        super().__init__(canvas)
        self.canvas = canvas
        self.settings = settings

    def document(self) -> Document | None:
        return self.canvas.document()

    def activate(self) -> None:
        self.canvas.viewport().setCursor(self.cursor())

    def deactivate(self) -> None:
        self.cancel()

    def cursor(self) -> QCursor:
        return QCursor(Qt.CursorShape.CrossCursor)

    def is_busy(self) -> bool:
        """A drag is in progress: shortcuts must not change the mask underneath it."""
        return False

    def press(self, pointer: Pointer) -> None:
        pass

    def move(self, pointer: Pointer) -> None:
        pass

    def release(self, pointer: Pointer) -> None:
        pass

    def double_click(self, pointer: Pointer) -> None:
        self.press(pointer)

    def hover(self, pointer: Pointer | None) -> None:
        """The pointer moved over the canvas with no button held (None: it left)."""

    def key_press(self, event: QKeyEvent) -> bool:
        return False

    def cancel(self) -> None:
        pass

    def paint_overlay(self, painter: QPainter) -> None:
        pass


class BrushTool(Tool):
    """Paints (or erases) a round brush along the pointer's path; one stroke = one undo step."""

    tool_id = "brush"
    label = "Brush"
    shortcut = "B"
    icon_name = "brush"
    tip = "Paint the area to edit"
    erase = False

    def __init__(self, canvas: CanvasView, settings: ToolSettings):
        super().__init__(canvas, settings)
        self._edit: MaskEdit | None = None
        self._last: tuple[float, float] | None = None
        self._last_radius = 0.0
        self._hover: QPointF | None = None
        self._outline_rect = QRectF()
        settings.brush_size_changed.connect(self._on_brush_changed)

    def cursor(self) -> QCursor:
        return QCursor(Qt.CursorShape.BlankCursor)

    def is_busy(self) -> bool:
        return self._edit is not None

    def radius(self, pressure: float | None = None) -> float:
        """Brush radius in image pixels, scaled by pen pressure when enabled and present."""
        radius = self.settings.brush_size / 2.0
        if pressure is not None and self.settings.pressure_scales_size:
            radius *= max(0.05, min(1.0, pressure))
        return max(0.5, radius)

    def press(self, pointer: Pointer) -> None:
        document = self.document()
        if document is None or self._edit is not None:
            return
        self._edit = document.begin_edit()
        point = (pointer.image_pos.x(), pointer.image_pos.y())
        radius = self.radius(pointer.pressure)
        self._last, self._last_radius = point, radius
        self._paint(point, point, radius, radius)
        self.hover(pointer)

    def move(self, pointer: Pointer) -> None:
        if self._edit is not None and self._last is not None:
            point = (pointer.image_pos.x(), pointer.image_pos.y())
            radius = self.radius(pointer.pressure)
            if point != self._last or radius != self._last_radius:
                self._paint(self._last, point, self._last_radius, radius)
                self._last, self._last_radius = point, radius
        self.hover(pointer)

    def release(self, pointer: Pointer) -> None:
        if self._edit is None:
            return
        self.move(pointer)
        edit, self._edit = self._edit, None
        self._last = None
        edit.commit("Erase" if self.erase else "Brush stroke")

    def cancel(self) -> None:
        if self._edit is not None:
            edit, self._edit = self._edit, None
            self._last = None
            edit.cancel()

    def _paint(self, a: tuple[float, float], b: tuple[float, float], ra: float, rb: float) -> None:
        edit = self._edit
        assert edit is not None
        pixels = edit.pixels
        bounds = mask_ops.segment_bounds(pixels.shape, a, b, max(ra, rb))
        if bounds is None:
            return
        edit.touch(bounds)
        mask_ops.paint_segment(pixels, a, b, ra, rb, hardness=self.settings.hardness, erase=self.erase)
        edit.changed(bounds)

    # -- the outline that shows the real brush size -------------------------------------------

    def hover(self, pointer: Pointer | None) -> None:
        self._hover = pointer.view_pos if pointer is not None else None
        self._update_outline()

    @Slot(float)
    def _on_brush_changed(self, _size: float) -> None:
        self._update_outline()

    def deactivate(self) -> None:
        super().deactivate()
        self._hover = None
        self._update_outline()

    def _update_outline(self) -> None:
        old = self._outline_rect
        if self._hover is None or self.canvas.tools.current is not self:
            self._outline_rect = QRectF()
        else:
            r = self.radius() * self.canvas.scale() + 3.0
            r = max(r, 8.0)
            self._outline_rect = QRectF(self._hover.x() - r, self._hover.y() - r, 2 * r, 2 * r)
        if old.isValid() and self._outline_rect.isValid() and old.intersects(self._outline_rect):
            self.canvas.update_view_rect(old.united(self._outline_rect))
        else:
            if old.isValid():
                self.canvas.update_view_rect(old)
            if self._outline_rect.isValid():
                self.canvas.update_view_rect(self._outline_rect)

    def paint_overlay(self, painter: QPainter) -> None:
        if self._hover is None:
            return
        radius = self.radius() * self.canvas.scale()
        dpr = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        sprite = _outline_sprite(round(radius, 1), round(self.settings.hardness, 2), dpr)
        c = self._hover
        if sprite is not None:
            half = sprite.width() / dpr / 2.0
            painter.drawImage(QPointF(c.x() - half, c.y() - half), sprite)
        else:  # a brush larger than the screen: draw it directly, it is rare and not per-dab critical
            _paint_outline(painter, c, radius, self.settings.hardness)


_SPRITE_LIMIT = 600.0  # logical px of radius up to which the outline is cached as an image


@lru_cache(maxsize=16)
def _outline_sprite(radius: float, hardness: float, dpr: float) -> QImage | None:
    """The brush outline pre-rendered once per size, hardness and screen scale.

    Stroking an anti-aliased circle with a wide pen costs about a third of a millisecond; the
    outline moves with every mouse event, so it is drawn once into an image and blitted.
    """
    if radius > _SPRITE_LIMIT:
        return None
    extent = max(radius, 6.0) + 4.0
    size = int(math.ceil(2 * extent * dpr))
    size += size % 2  # an even size keeps the centre on a pixel corner
    sprite = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    sprite.setDevicePixelRatio(dpr)
    sprite.fill(Qt.GlobalColor.transparent)
    painter = QPainter(sprite)
    half = size / dpr / 2.0
    _paint_outline(painter, QPointF(half, half), radius, hardness)
    painter.end()
    return sprite


def _paint_outline(painter: QPainter, c: QPointF, r: float, hardness: float) -> None:
    """Circle of the real brush size (dark halo + light line, visible on any picture), a dotted
    circle where a soft brush starts to fade, and a small cross on the exact centre."""
    dark, light = _outline_pens()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if r >= 3.0:
        for pen in (dark, light):
            painter.setPen(pen)
            painter.drawEllipse(c, r, r)
        if hardness < 0.95 and r * (1 - hardness) > 4:
            inner = QPen(QColor(255, 255, 255, 110), 1.0, Qt.PenStyle.DotLine)
            inner.setCosmetic(True)
            painter.setPen(inner)
            painter.drawEllipse(c, r * hardness, r * hardness)
    arm = 4.0 if r >= 3.0 else 6.0
    for pen in (dark, light):
        painter.setPen(pen)
        painter.drawLine(QLineF(c.x() - arm, c.y(), c.x() + arm, c.y()))
        painter.drawLine(QLineF(c.x(), c.y() - arm, c.x(), c.y() + arm))


class EraserTool(BrushTool):
    tool_id = "eraser"
    label = "Eraser"
    shortcut = "E"
    icon_name = "eraser"
    tip = "Remove area from the mask"
    erase = True


class RectSelectTool(Tool):
    """Drag a rectangle; on release it replaces, adds to, subtracts from or intersects the mask."""

    tool_id = "rect"
    label = "Rectangle"
    shortcut = "M"
    icon_name = "rect_select"
    tip = "Select a rectangle (Shift adds, Alt subtracts)"

    def __init__(self, canvas: CanvasView, settings: ToolSettings):
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


class LassoTool(Tool):
    """Freehand lasso by dragging; polygon lasso by clicking corners.

    Close a polygon by double-clicking, pressing Enter or clicking its first corner; Backspace
    removes the last corner and Esc abandons it.
    """

    tool_id = "lasso"
    label = "Lasso"
    shortcut = "L"
    icon_name = "lasso"
    tip = "Drag a freehand outline, or click corners for a polygon (double-click or Enter closes)"
    _DRAG_THRESHOLD = 4.0  # view pixels before a press becomes a freehand drag
    _CLOSE_DISTANCE = 8.0  # view pixels from the first corner that close the polygon

    def __init__(self, canvas: CanvasView, settings: ToolSettings):
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


class BucketTool(Tool):
    """Click inside an outline to fill it (Alt-click clears the region instead)."""

    tool_id = "bucket"
    label = "Fill"
    shortcut = "G"
    icon_name = "bucket"
    tip = "Fill an enclosed area of the mask (Alt clears it)"

    def press(self, pointer: Pointer) -> None:
        document = self.document()
        if document is None:
            return
        x, y = int(math.floor(pointer.image_pos.x())), int(math.floor(pointer.image_pos.y()))
        if not (0 <= x < document.width and 0 <= y < document.height):
            return
        erase = bool(pointer.modifiers & Qt.KeyboardModifier.AltModifier)
        new = mask_ops.flood_fill(document.mask_pixels(), x, y, 0 if erase else 255)
        document.set_mask_array(new, "Clear region" if erase else "Fill region")


def _draw_badge(painter: QPainter, top_left: QPointF, text: str) -> None:
    """A small dark label for live measurements next to the pointer."""
    metrics = painter.fontMetrics()
    width = metrics.horizontalAdvance(text) + 12
    rect = QRectF(top_left.x(), top_left.y(), width, metrics.height() + 6)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(20, 22, 26, 215))
    painter.drawRoundedRect(rect, 4, 4)
    painter.setPen(QColor(235, 237, 240))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


TOOL_CLASSES: tuple[type[Tool], ...] = (BrushTool, EraserTool, RectSelectTool, LassoTool, BucketTool)


class ToolBox(QObject):
    """The canvas's tools and which one is active.

    Signals:
        tool_changed(str): the active tool's id.
    """

    tool_changed = Signal(str)

    def __init__(self, canvas: CanvasView):
        super().__init__(canvas)
        self.canvas = canvas
        self.settings = ToolSettings(self)
        self.tools: dict[str, Tool] = {cls.tool_id: cls(canvas, self.settings) for cls in TOOL_CLASSES}
        self.current: Tool = self.tools["brush"]

    def tool(self, tool_id: str) -> Tool:
        return self.tools[tool_id]

    def set_current(self, tool_id: str) -> None:
        tool = self.tools[tool_id]
        if tool is self.current:
            return
        self.current.deactivate()
        self.current = tool
        tool.activate()
        hover = self.canvas.hover_pointer()
        tool.hover(hover)
        self.tool_changed.emit(tool_id)

    def swap_brush_eraser(self) -> None:
        """X: brush becomes eraser and back (from any other tool, go to the brush)."""
        self.set_current("eraser" if self.current.tool_id == "brush" else "brush")
