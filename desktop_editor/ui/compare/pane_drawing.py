"""What a compare pane draws over the picture: the wipe divider, the corner labels, the busy and
empty notes, the cross-hair of the side-by-side mode and the brush outline of the Mix mode.

Plain functions of a painter and pane geometry, apart from the pane's input and navigation
(napari keeps drawing, navigation and input in different objects), so each piece of overlay
can be read, and measured, on its own. The picture itself is drawn by `ComparePane`, whose
paint path decides which level or scaled copy to use.
"""

from __future__ import annotations

import math
from functools import lru_cache

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

__all__ = [
    "checkerboard",
    "draw_brush",
    "draw_centered_text",
    "draw_crosshair",
    "draw_divider",
    "draw_label",
]

_ACCENT = QColor(214, 128, 28, 235)  # "you are looking at the original", where the result is expected


@lru_cache(maxsize=16)
def _brush_sprite(radius: float, dpr: float) -> QImage | None:
    if radius > 600:
        return None
    size = int(math.ceil(2 * (max(radius, 6.0) + 4) * dpr))
    size += size % 2
    sprite = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    sprite.setDevicePixelRatio(dpr)
    sprite.fill(Qt.GlobalColor.transparent)
    painter = QPainter(sprite)
    half = size / dpr / 2
    _paint_brush(painter, QPointF(half, half), radius)
    painter.end()
    return sprite


def _paint_brush(painter: QPainter, c: QPointF, r: float) -> None:
    """The real brush size: a dark and a light circle (visible on any picture) and a centre cross."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for colour, width in ((QColor(0, 0, 0, 150), 3.0), (QColor(255, 255, 255, 230), 1.2)):
        painter.setPen(QPen(colour, width))
        if r >= 3:
            painter.drawEllipse(c, r, r)
        painter.drawLine(QLineF(c.x() - 4, c.y(), c.x() + 4, c.y()))
        painter.drawLine(QLineF(c.x(), c.y() - 4, c.x(), c.y() + 4))
    painter.restore()


def checkerboard() -> QBrush:
    """The grey checks shown under transparent pixels (made once per pane, on first need)."""
    tile = QPixmap(16, 16)
    tile.fill(QColor(70, 70, 74))
    painter = QPainter(tile)
    painter.fillRect(0, 0, 8, 8, QColor(100, 100, 105))
    painter.fillRect(8, 8, 8, 8, QColor(100, 100, 105))
    painter.end()
    return QBrush(tile)


def draw_brush(painter: QPainter, c: QPointF, radius: float, dpr: float) -> None:
    """The brush outline of `radius` pane pixels at `c`, drawn once per size into a sprite:
    stroking anti-aliased circles on every mouse move would cost the GUI thread a fraction of a
    millisecond each time."""
    sprite = _brush_sprite(round(radius, 1), dpr)
    if sprite is None:
        _paint_brush(painter, c, radius)
        return
    half = sprite.width() / dpr / 2
    painter.drawImage(QPointF(c.x() - half, c.y() - half), sprite)


def draw_divider(painter: QPainter, x: int, visible: QRectF, height: int) -> None:
    """The wipe line at `x` over the picture's height, with a round grip in the middle of what is
    visible (the whole pane `height` when no picture is)."""
    top, bottom = (visible.top(), visible.bottom()) if not visible.isEmpty() else (0.0, float(height))
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(QRectF(x - 2, top, 4, bottom - top), QColor(0, 0, 0, 90))  # keeps the line visible on white
    painter.fillRect(QRectF(x - 1, top, 2, bottom - top), QColor(250, 250, 250))
    radius = 17.0
    center = QPointF(x, (top + bottom) / 2)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 70))
    painter.drawEllipse(center + QPointF(0, 1.5), radius + 2, radius + 2)
    painter.setBrush(QColor(250, 250, 250))
    painter.drawEllipse(center, radius, radius)
    painter.setBrush(QColor(45, 47, 52))
    for direction in (-1, 1):
        tip = center.x() + direction * 10.5
        base = center.x() + direction * 3.5
        painter.drawPolygon(
            QPolygonF([QPointF(tip, center.y()), QPointF(base, center.y() - 5.5), QPointF(base, center.y() + 5.5)])
        )
    painter.restore()


def draw_label(painter: QPainter, base_font: QFont, text: str, area: QRectF, *, left: bool,
               accent: bool = False) -> None:
    """A small dark pill in the top corner of `area`, clipped to it (the wipe can cover it)."""
    if not text or area.width() <= 0:
        return
    painter.save()
    painter.setClipRect(area)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont(base_font)
    font.setPointSizeF(max(8.0, font.pointSizeF() * 0.95))
    font.setWeight(QFont.Weight.DemiBold)
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    pad_x, pad_y, margin = 9.0, 4.0, 12.0
    w = metrics.horizontalAdvance(text) + 2 * pad_x
    h = metrics.height() + 2 * pad_y
    x = area.left() + margin if left else area.right() - margin - w
    pill = QRectF(x, area.top() + margin, w, h)
    path = QPainterPath()
    path.addRoundedRect(pill, h / 2, h / 2)
    painter.fillPath(path, _ACCENT if accent else QColor(16, 17, 20, 185))
    painter.setPen(QColor(245, 245, 247))
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


def draw_centered_text(painter: QPainter, font: QFont, width: int, height: int, text: str, *,
                       muted: bool = False) -> None:
    """A note in the middle of a `width` x `height` pane: boxed over a picture, or plain and muted
    on an empty pane."""
    if not text:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    metrics = QFontMetricsF(font)
    w = metrics.horizontalAdvance(text) + 28
    h = metrics.height() + 14
    box = QRectF((width - w) / 2, (height - h) / 2, w, h)
    if not muted:
        path = QPainterPath()
        path.addRoundedRect(box, 8, 8)
        painter.fillPath(path, QColor(16, 17, 20, 210))
    painter.setPen(QColor(150, 152, 158) if muted else QColor(240, 240, 242))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


def draw_crosshair(painter: QPainter, point: QPointF) -> None:
    """Where the pointer is in the other pane of the side-by-side mode: four short ticks."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for colour, width in ((QColor(0, 0, 0, 150), 3.0), (QColor(255, 255, 255, 230), 1.2)):
        painter.setPen(QPen(colour, width))
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            painter.drawLine(QLineF(point + QPointF(4 * dx, 4 * dy), point + QPointF(11 * dx, 11 * dy)))
    painter.restore()
