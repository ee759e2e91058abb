"""The panes of the compare view: what a pane shows, how it paints the picture through the
shared viewport, and how the mouse pans, zooms, wipes and paints in it.

A pane draws only what is visible: below 100% from the nearest level of `ImageLevels` (or a copy
scaled to exactly the zoom, made on a worker), from 100% up from the full image without
interpolation so single pixels stay crisp. Navigation is the shared `Viewport`'s, the overlays
(divider, labels, cross-hair, brush outline) are `pane_drawing`'s; this module keeps the
picture's paint path and the input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QPointF, QRect, QRectF, QSizeF, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from desktop_editor.ui.compare.image_levels import ImageLevels
from desktop_editor.ui.compare.pane_drawing import (
    checkerboard,
    draw_brush,
    draw_centered_text,
    draw_crosshair,
    draw_divider,
    draw_label,
)
from desktop_editor.ui.compare.viewport import Viewport

# ImageLevels and Viewport are part of what a pane is built from; importing them from here
# keeps working for callers outside the compare room.
__all__ = ["BrushTarget", "ComparePane", "ImageLevels", "PaneContent", "Viewport"]

_BACKGROUND = QColor(24, 25, 28)


@dataclass
class PaneContent:
    """What one pane shows. `right` is set only for the wipe: `left` before the divider,
    `right` after it."""

    left: ImageLevels | None = None
    right: ImageLevels | None = None
    left_label: str = ""
    right_label: str = ""
    busy_text: str = ""  # over a dimmed picture while something is computed
    empty_text: str = "No result to compare yet"
    crosshair: bool = False  # show where the pointer is in the other pane
    accent_label: bool = False  # the single picture is the original, in a mode that normally shows the result
    painter: BrushTarget | None = None  # left-drag paints into this (Mix mode) instead of panning


class BrushTarget(Protocol):
    """What a pane paints into with the left button (a mix session): image coordinates."""

    def press(self, point: QPointF) -> None: ...

    def move(self, point: QPointF) -> None: ...

    def release(self) -> None: ...

    def cancel(self) -> None: ...

    def radius(self) -> float: ...


class ComparePane(QWidget):
    """Paints a `PaneContent` through a shared `Viewport`, and turns mouse input into view changes.

    Left-drag moves the wipe divider when there is one, else pans; middle-drag always pans;
    Ctrl+wheel zooms around the pointer, the plain wheel scrolls; double-click switches between
    fit and 100% at the pointer.

    Signals:
        divider_moved(float): the designer dragged the wipe divider to this fraction of the width.
        clicked(): a left click that did not drag (the toggle mode switches on it).
        resized(): the pane changed size (a fitted zoom changes with it).
        stroke_finished(): a brush stroke into the content's painter ended (Mix mode).
        exact_wanted(object, float, float): these ImageLevels are shown below 100% at this zoom
            and device pixel ratio; a copy scaled to exactly that would draw faster and better.
    """

    divider_moved = Signal(float)
    clicked = Signal()
    resized = Signal()
    exact_wanted = Signal(object, float, float)
    stroke_finished = Signal()

    def __init__(self, viewport: Viewport, parent: QWidget | None = None):
        super().__init__(parent)
        self.viewport = viewport
        self.content = PaneContent()
        self.divider = 0.5  # fraction of the width; used when content.right is set
        self._drag: str | None = None  # "pan", "divider" or "click" (pressed, not yet moved)
        self._press_pos = QPointF()
        self._last_pos = QPointF()
        self._checker: QBrush | None = None
        self._last_crosshair: QPointF | None = None
        self._brush_at: QPointF | None = None  # pane position of the brush outline (Mix mode)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the CompareView keeps the focus and the keys
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(80, 60)
        viewport.changed.connect(self._on_viewport_changed)
        viewport.hover_moved.connect(self._on_hover_moved)

    # -- geometry helpers ------------------------------------------------------------------

    def pane_size(self) -> QSizeF:
        return QSizeF(self.width(), self.height())

    def dpr(self) -> float:
        return self.devicePixelRatioF()

    def zoom(self) -> float:
        """Device pixels per image pixel as currently shown."""
        return self.viewport.zoom(self.pane_size(), self.dpr())

    def image_to_widget(self, point: QPointF) -> QPointF:
        return self.viewport.to_widget(point, self.pane_size(), self.dpr())

    def widget_to_image(self, point: QPointF) -> QPointF:
        return self.viewport.to_image(point, self.pane_size(), self.dpr())

    def divider_x(self) -> int:
        return int(round(self.divider * self.width()))

    def set_content(self, content: PaneContent) -> None:
        if self._drag == "paint" and content.painter is not self.content.painter and self.content.painter is not None:
            self.content.painter.cancel()
            self._drag = None
        self.content = content
        self.setCursor(self._idle_cursor())
        self.update()

    # -- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        clip = QRectF(event.rect())
        painter.fillRect(event.rect(), _BACKGROUND)
        content = self.content
        if content.left is None:
            draw_centered_text(painter, self.font(), self.width(), self.height(), content.empty_text, muted=True)
            painter.end()
            return
        if content.right is None:
            self._draw_levels(painter, content.left, clip)
        else:
            x = self.divider_x()
            left_clip = clip.intersected(QRectF(0, 0, x, self.height()))
            right_clip = clip.intersected(QRectF(x, 0, self.width() - x, self.height()))
            if not left_clip.isEmpty():
                self._draw_levels(painter, content.left, left_clip)
            if not right_clip.isEmpty():
                self._draw_levels(painter, content.right, right_clip)
        if content.busy_text:
            painter.fillRect(event.rect(), QColor(0, 0, 0, 110))
            draw_centered_text(painter, self.font(), self.width(), self.height(), content.busy_text)
        if content.crosshair:
            point = self._crosshair_point()
            if point is not None:
                draw_crosshair(painter, point)
        # Labels sit in the corners of the picture (not of the pane), clipped to their side.
        visible = self.image_rect().intersected(QRectF(self.rect()))
        if content.painter is not None and not clip.intersects(QRectF(visible.left(), visible.top(), visible.width(), 64)):
            content = PaneContent(left=content.left, painter=content.painter)  # a brush dab far from the label
        if content.right is not None:
            x = self.divider_x()
            draw_divider(painter, x, visible, self.height())
            font = self.font()
            draw_label(painter, font, content.left_label, visible.intersected(QRectF(0, 0, x, self.height())), left=True)
            draw_label(painter, font, content.right_label, visible.intersected(QRectF(x, 0, self.width() - x, self.height())),
                       left=False)
        elif content.left_label:
            draw_label(painter, self.font(), content.left_label, visible, left=True, accent=content.accent_label)
        if content.painter is not None and self._brush_at is not None and not content.busy_text:
            draw_brush(painter, self._brush_at, self.brush_radius(), self.dpr())
        painter.end()

    def brush_radius(self) -> float:
        """The brush outline's radius in pane pixels."""
        painter = self.content.painter
        return painter.radius() * self.zoom() / self.dpr() if painter is not None else 0.0

    def _brush_rect(self, point: QPointF | None) -> QRect:
        if point is None:
            return QRect()
        r = max(self.brush_radius(), 6.0) + 4
        return QRectF(point.x() - r, point.y() - r, 2 * r, 2 * r).toAlignedRect()

    def _move_brush(self, point: QPointF | None) -> None:
        old, self._brush_at = self._brush_at, point
        self.update(self._brush_rect(old))
        self.update(self._brush_rect(point))

    def image_rect(self) -> QRectF:
        """Where the whole image lies, in pane coordinates."""
        size = self.viewport.image_size
        return QRectF(self.image_to_widget(QPointF(0, 0)), self.image_to_widget(QPointF(size.width(), size.height())))

    def _draw_levels(self, painter: QPainter, levels: ImageLevels, clip: QRectF) -> None:
        zoom = self.zoom()
        if zoom < 1.0 and levels.complete:
            exact = levels.exact_for(zoom)
            if exact is not None and self._draw_exact(painter, exact, clip):
                return
            if levels.requested_zoom != zoom:
                levels.requested_zoom = zoom
                self.exact_wanted.emit(levels, zoom, self.dpr())
        image, sx, sy = levels.pick(zoom)
        if not levels.complete and zoom < 1.0:
            image, sx, sy = levels.levels[0], 1.0, 1.0
        top_left = self.widget_to_image(clip.topLeft())
        bottom_right = self.widget_to_image(clip.bottomRight())
        x0 = max(0, math.floor(top_left.x() * sx))
        y0 = max(0, math.floor(top_left.y() * sy))
        x1 = min(image.width(), math.ceil(bottom_right.x() * sx))
        y1 = min(image.height(), math.ceil(bottom_right.y() * sy))
        if x1 <= x0 or y1 <= y0:
            return
        target = QRectF(
            self.image_to_widget(QPointF(x0 / sx, y0 / sy)), self.image_to_widget(QPointF(x1 / sx, y1 / sy))
        )
        painter.save()
        painter.setClipRect(clip)
        if image.hasAlphaChannel():
            if self._checker is None:
                self._checker = checkerboard()
            painter.fillRect(target, self._checker)
        # Crisp pixels from 100% up; smooth below, but only once the levels exist: shrinking a
        # 4K image bilinearly in one step is both slow and shimmery.
        smooth = zoom < 1.0 and levels.complete
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        painter.drawImage(target, image, QRectF(x0, y0, x1 - x0, y1 - y0))
        painter.restore()

    def _draw_exact(self, painter: QPainter, exact: QImage, clip: QRectF) -> bool:
        """Copy the visible part of a picture already scaled to the zoom; False if it does not fit."""
        dpr = self.dpr()
        if abs(exact.devicePixelRatio() - dpr) > 1e-6:
            return False
        origin = self.image_to_widget(QPointF(0, 0))
        source = QRectF((clip.x() - origin.x()) * dpr, (clip.y() - origin.y()) * dpr, clip.width() * dpr, clip.height() * dpr)
        source = source.intersected(QRectF(0, 0, exact.width(), exact.height()))
        if source.isEmpty():
            return True
        target = QRectF(origin.x() + source.x() / dpr, origin.y() + source.y() / dpr, source.width() / dpr, source.height() / dpr)
        painter.save()
        painter.setClipRect(clip)
        if exact.hasAlphaChannel():
            if self._checker is None:
                self._checker = checkerboard()
            painter.fillRect(target, self._checker)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(target, exact, source)
        painter.restore()
        return True

    def _crosshair_point(self) -> QPointF | None:
        vp = self.viewport
        if vp.hover is None or vp.hover_source is self:
            return None
        return self.image_to_widget(vp.hover)

    def _crosshair_rect(self, point: QPointF | None) -> QRect:
        if point is None:
            return QRect()
        return QRectF(point.x() - 14, point.y() - 14, 28, 28).toAlignedRect()

    # -- input -----------------------------------------------------------------------------

    def _idle_cursor(self) -> Qt.CursorShape:
        if self.content.painter is not None:
            return Qt.CursorShape.BlankCursor
        if self.content.right is not None:
            return Qt.CursorShape.SplitHCursor
        return Qt.CursorShape.OpenHandCursor if self.content.left is not None else Qt.CursorShape.ArrowCursor

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        self._press_pos = self._last_pos = pos
        if event.button() == Qt.MouseButton.MiddleButton:
            self._drag = "pan"
        elif event.button() == Qt.MouseButton.LeftButton:
            if self.content.painter is not None:
                self._drag = "paint"
                self.content.painter.press(self.widget_to_image(pos))
                self._move_brush(pos)
            elif self.content.right is not None:
                self._drag = "divider"
                self._move_divider(pos.x())
            else:
                self._drag = "click"
        else:
            super().mousePressEvent(event)
            return
        if self._drag == "pan":
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._drag == "click" and (pos - self._press_pos).manhattanLength() >= QApplication.startDragDistance():
            self._drag = "pan"
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        if self._drag == "pan":
            self.viewport.pan_by(pos - self._last_pos, self.pane_size(), self.dpr())
        elif self._drag == "divider":
            self._move_divider(pos.x())
        elif self._drag == "paint" and self.content.painter is not None:
            self.content.painter.move(self.widget_to_image(pos))
        if self.content.painter is not None:
            self._move_brush(pos)
        if self.content.crosshair or self.viewport.hover_source is not None:
            self.viewport.set_hover(self.widget_to_image(pos), self)
        self._last_pos = pos
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag == "click" and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        if self._drag == "paint" and self.content.painter is not None:
            self.content.painter.move(self.widget_to_image(event.position()))
            self.content.painter.release()
            self.stroke_finished.emit()
        self._drag = None
        self.setCursor(self._idle_cursor())
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.content.painter is not None and event.button() == Qt.MouseButton.LeftButton:
            self.mousePressEvent(event)  # a quick second dab, not a zoom
            return
        if event.button() != Qt.MouseButton.LeftButton or self.content.right is not None:
            super().mouseDoubleClickEvent(event)
            return
        if self.viewport.fitted:
            self.viewport.zoom_at(1.0, event.position(), self.pane_size(), self.dpr())
        else:
            self.viewport.fit()
        self._drag = None
        event.accept()

    def leaveEvent(self, event) -> None:  # noqa: ANN001 - QEvent
        if self._brush_at is not None:
            self._move_brush(None)
        if self.viewport.hover_source is self:
            self.viewport.set_hover(None, None)
        super().leaveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.content.left is None:
            event.ignore()
            return
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120.0
            if steps:
                self.viewport.zoom_at(self.zoom() * 1.25**steps, event.position(), self.pane_size(), self.dpr())
        else:
            delta = QPointF(event.pixelDelta()) if not event.pixelDelta().isNull() else QPointF(event.angleDelta()) / 2
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and delta.x() == 0:
                delta = QPointF(delta.y(), 0)
            self.viewport.pan_by(delta, self.pane_size(), self.dpr())
        event.accept()

    def _move_divider(self, x: float) -> None:
        width = max(1, self.width())
        fraction = min(1.0, max(0.0, x / width))
        if fraction != self.divider:
            old = self.divider_x()
            self.divider = fraction
            new = self.divider_x()
            # The labels may be uncovered or covered too: repaint the band plus the label row.
            left, right = min(old, new) - 24, max(old, new) + 24
            self.update(QRect(left, 0, right - left, self.height()))
            self.update(QRect(0, 0, self.width(), 48))
            self.divider_moved.emit(fraction)

    # -- slots -----------------------------------------------------------------------------

    @Slot()
    def _on_viewport_changed(self) -> None:
        self.update()

    @Slot()
    def _on_hover_moved(self) -> None:
        if not self.content.crosshair:
            return
        point = self._crosshair_point()
        self.update(self._crosshair_rect(self._last_crosshair))
        self.update(self._crosshair_rect(point))
        self._last_crosshair = point

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.update()
        self.resized.emit()

