"""The brush and the eraser: paint the mask live, one undo step per stroke.

Like Photoshop and Krita: opacity and flow (`mask_ops.Stroke`), Shift+click draws a straight
line from where the last stroke ended, and Alt+right-drag (Ctrl+Alt+drag, for macOS and
one-button mice) resizes the brush on the canvas: left and right change the size, up and
down the hardness.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Slot
from PySide6.QtGui import (
    QColor,
    QCursor,
    QImage,
    QPainter,
    QPen,
)

from desktop_editor.core import mask_ops
from desktop_editor.ui.canvas.tools.base import (
    Tool,
    _dashed_pens,
    _draw_badge,
    _outline_pens,
)
from desktop_editor.ui.canvas.tools.host import Pointer, ToolHost
from desktop_editor.ui.models.tool_settings import ToolSettings

if TYPE_CHECKING:
    from desktop_editor.ui.models.document import Document, MaskEdit


class BrushTool(Tool):
    """Paints (or erases) a round brush along the pointer's path; one stroke = one undo step."""

    tool_id = "brush"
    label = "Brush"
    icon_name = "brush"
    tip = "Paint the area to edit"
    erase = False

    def __init__(self, canvas: ToolHost, settings: ToolSettings):
        super().__init__(canvas, settings)
        self._edit: MaskEdit | None = None
        self._stroke: mask_ops.Stroke | None = None
        self._last: tuple[float, float] | None = None
        self._line_from: tuple[Document, tuple[float, float]] | None = None  # where the last stroke ended
        self._line_preview = False
        self._resize: tuple[QPointF, float, float] | None = None  # anchor (view), size, hardness
        self._last_radius = 0.0
        self._hover: QPointF | None = None
        self._outline_rect = QRectF()
        settings.brush_size_changed.connect(self._on_brush_changed)

    def cursor(self) -> QCursor:
        return QCursor(Qt.CursorShape.BlankCursor)

    def is_busy(self) -> bool:
        return self._edit is not None or self._resize is not None

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
        self._stroke = mask_ops.Stroke(
            self._edit.pixels, hardness=self.settings.hardness, opacity=self.settings.opacity,
            flow=self.settings.flow, erase=self.erase,
        )
        point = (pointer.image_pos.x(), pointer.image_pos.y())
        radius = self.radius(pointer.pressure)
        start = self._line_start(pointer)
        self._clear_line_preview()
        self._last, self._last_radius = point, radius
        self._paint(start or point, point, radius, radius)
        self.hover(pointer)

    def _line_start(self, pointer: Pointer) -> tuple[float, float] | None:
        """Shift+click: the end of the previous stroke on this document, to draw a line from."""
        if not pointer.modifiers & Qt.KeyboardModifier.ShiftModifier or self._line_from is None:
            return None
        document, point = self._line_from
        return point if document is self.document() else None

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
        if self._last is not None:
            self._line_from = (edit.document, self._last)
        self._last = self._stroke = None
        edit.commit("Erase" if self.erase else "Brush stroke")

    def cancel(self) -> None:
        self._resize = None
        if self._edit is not None:
            edit, self._edit = self._edit, None
            self._last = self._stroke = None
            edit.cancel()
        self._update_outline()

    # -- on-canvas resizing (Alt+right-drag) -----------------------------------------------------

    def begin_resize(self, pointer: Pointer) -> None:
        """Start resizing the brush at the pointer: the outline stays there while the drag sizes it."""
        if self._edit is not None:
            return
        self._resize = (QPointF(pointer.view_pos), self.settings.brush_size, self.settings.hardness)
        self._hover = QPointF(pointer.view_pos)
        self._update_outline()

    def resize_to(self, pointer: Pointer) -> None:
        """Right and left: the radius follows the pointer; up and down: harder and softer."""
        if self._resize is None:
            return
        anchor, size, hardness = self._resize
        delta = pointer.view_pos - anchor
        self.settings.brush_size = size + 2.0 * delta.x() / max(self.canvas.scale(), 1e-6)
        self.settings.hardness = hardness - delta.y() / 200.0
        self._update_outline()

    def end_resize(self) -> None:
        self._resize = None
        self._update_outline()

    def is_resizing(self) -> bool:
        return self._resize is not None
    def _paint(self, a: tuple[float, float], b: tuple[float, float], ra: float, rb: float) -> None:
        edit = self._edit
        assert edit is not None
        pixels = edit.pixels
        stroke = self._stroke
        assert stroke is not None
        bounds = mask_ops.segment_bounds(pixels.shape, a, b, max(ra, rb))
        if bounds is None:
            return
        edit.touch(bounds)
        stroke.segment(a, b, ra, rb)
        edit.changed(bounds)

    # -- the outline that shows the real brush size -------------------------------------------

    def hover(self, pointer: Pointer | None) -> None:
        if self._resize is not None:
            return  # the outline stays where the resize began
        self._hover = pointer.view_pos if pointer is not None else None
        preview = (pointer is not None and self._edit is None and self._line_start(pointer) is not None)
        if preview or self._line_preview:
            self.canvas.update_view_rect(self._line_rect())
            self._line_preview = preview
            self.canvas.update_view_rect(self._line_rect())
        self._update_outline()

    def _line_rect(self) -> QRectF:
        if self._line_from is None or self._hover is None:
            return QRectF()
        start = self.canvas.map_from_image(QPointF(*self._line_from[1]))
        return QRectF(start, self._hover).normalized().adjusted(-3, -3, 3, 3)

    def _clear_line_preview(self) -> None:
        if self._line_preview:
            self._line_preview = False
            self.canvas.update_view_rect(self._line_rect())

    @Slot(float)
    def _on_brush_changed(self, _size: float) -> None:
        self._update_outline()

    def deactivate(self) -> None:
        super().deactivate()
        self._hover = None
        self._update_outline()

    def _update_outline(self) -> None:
        old = self._outline_rect
        if self._hover is None or not self.active:
            self._outline_rect = QRectF()
        else:
            r = self.radius() * self.canvas.scale() + 3.0
            r = max(r, 8.0)
            self._outline_rect = QRectF(self._hover.x() - r, self._hover.y() - r, 2 * r, 2 * r)
            if self._resize is not None:  # and the size badge beside it
                self._outline_rect = self._outline_rect.united(self._badge_rect())
        if old.isValid() and self._outline_rect.isValid() and old.intersects(self._outline_rect):
            self.canvas.update_view_rect(old.united(self._outline_rect))
        else:
            if old.isValid():
                self.canvas.update_view_rect(old)
            if self._outline_rect.isValid():
                self.canvas.update_view_rect(self._outline_rect)

    def _badge_rect(self) -> QRectF:
        assert self._hover is not None
        r = self.radius() * self.canvas.scale()
        return QRectF(self._hover.x() + min(r, 4000.0) * 0.72 + 8, self._hover.y() + 8, 210, 28)

    def paint_overlay(self, painter: QPainter) -> None:
        if self._hover is None:
            return
        if self._line_preview and self._line_from is not None:
            start = self.canvas.map_from_image(QPointF(*self._line_from[1]))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            for pen in _dashed_pens():
                painter.setPen(pen)
                painter.drawLine(QLineF(start, self._hover))
        if self._resize is not None:
            badge = f"{int(self.settings.brush_size)} px  ·  hardness {round(self.settings.hardness * 100)}%"
            _draw_badge(painter, self._badge_rect().topLeft(), badge)
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
    icon_name = "eraser"
    tip = "Remove area from the mask"
    erase = True
