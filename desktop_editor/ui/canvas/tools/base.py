"""The base of every mask tool, and the pens and badges they draw their feedback with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QCursor,
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
