"""The base of every mask tool, and the pens and badges they draw their feedback with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QCursor,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPen,
)

from desktop_editor.ui.canvas.tools.host import Pointer, ToolHost
from desktop_editor.ui.models.tool_settings import ToolSettings

if TYPE_CHECKING:
    from desktop_editor.ui.models.document import Document


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


def badge_geometry(metrics: QFontMetrics, top_left: QPointF, text: str,
                   within: QRectF | None = None) -> tuple[QRectF, str]:
    """Where a badge with `text` goes and what it says: at `top_left`, or, given `within` (the
    visible area), moved left and its text cut with an ellipsis so that all of it stays in view."""
    x = top_left.x()
    if within is not None:
        room = max(24, int(within.width()) - 8 - 12)
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
    width = metrics.horizontalAdvance(text) + 12
    if within is not None:
        x = max(within.left() + 4.0, min(x, within.right() - 4.0 - width))
    return QRectF(x, top_left.y(), width, metrics.height() + 6), text


def _draw_badge(painter: QPainter, top_left: QPointF, text: str, within: QRectF | None = None) -> None:
    """A small dark label for live measurements next to the pointer (kept inside `within` when
    given: see `badge_geometry`; its caller then repaints all of `within`)."""
    rect, text = badge_geometry(painter.fontMetrics(), top_left, text, within)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(20, 22, 26, 215))
    painter.drawRoundedRect(rect, 4, 4)
    painter.setPen(QColor(235, 237, 240))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


class Tool(QObject):
    """Base class: receives pointer input from the canvas and draws its own on-canvas feedback."""

    tool_id = ""
    label = ""
    icon_name = ""
    tip = ""

    def __init__(self, canvas: ToolHost, settings: ToolSettings):
        super().__init__(canvas)
        self.canvas = canvas
        self.settings = settings
        self.active = False  # the toolbox's current tool

    def document(self) -> Document | None:
        return self.canvas.document()

    def activate(self) -> None:
        self.active = True
        self.canvas.viewport().setCursor(self.cursor())

    def deactivate(self) -> None:
        self.active = False
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
