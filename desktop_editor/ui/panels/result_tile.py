"""One result's thumbnail button in the strip, and the captioned box that groups a job's tiles.

Drawn by hand for a compact, even look; the painting lives here so the strip itself is about
which results it shows and what its commands do.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QAbstractButton, QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from desktop_editor.ui.common.binding import set_tone

__all__ = ["THUMB_SIZE", "GroupCaption", "ResultTile", "caption_height", "group_box"]

THUMB_SIZE = QSize(120, 90)


def caption_height(widget: QWidget) -> int:
    """The height of a group's caption line in `widget`'s font."""
    return widget.fontMetrics().height() + 4


class GroupCaption(QLabel):
    """A job's caption above its tiles, elided to the width of the tiles (full text in the tooltip)."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = caption
        self.setToolTip(caption)
        self.setMinimumWidth(1)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)  # never widens the group

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 - QResizeEvent
        super().resizeEvent(event)
        self.setText(self.fontMetrics().elidedText(self.caption, Qt.TextElideMode.ElideRight, max(10, self.width() - 8)))


# ----- one thumbnail --------------------------------------------------------------------------


class ResultTile(QAbstractButton):
    """A checkable thumbnail with its label; drawn by hand for a compact, even look."""

    def __init__(self, index: int, label: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.index = index
        self.label = label
        self.thumbnail: QImage | None = None
        self.saved = False
        self.busy = False
        self.error = ""
        self.number_colour = ""  # set while mixing: the tile shows its number (its key) in this colour
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the strip keeps the focus (its arrow keys)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFixedSize(THUMB_SIZE.width() + 12, THUMB_SIZE.height() + 32)
        self.setToolTip(label)

    def sizeHint(self) -> QSize:
        return self.size()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        box = QRectF(6, 6, THUMB_SIZE.width(), THUMB_SIZE.height())
        frame = QPainterPath()
        frame.addRoundedRect(box, 5, 5)
        painter.fillPath(frame, QColor(18, 19, 22))
        if self.thumbnail is not None and not self.thumbnail.isNull():
            dpr = self.devicePixelRatioF()
            t = self.thumbnail
            scale = min(box.width() / t.width(), box.height() / t.height())
            w, h = t.width() * scale, t.height() * scale
            target = QRectF(box.center().x() - w / 2, box.center().y() - h / 2, w, h)
            painter.save()
            painter.setClipPath(frame)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, scale * dpr < 1.0)
            painter.drawImage(target, t)
            painter.restore()
        else:
            painter.setPen(QColor(140, 142, 148))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.error or "Loading…")
        if self.isChecked():
            painter.setPen(QPen(palette.highlight().color(), 2.5))
        elif self.underMouse():
            painter.setPen(QPen(QColor(255, 255, 255, 90), 1.5))
        else:
            painter.setPen(QPen(QColor(255, 255, 255, 28), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box.adjusted(-1.5, -1.5, 1.5, 1.5), 6, 6)
        if self.saved or self.busy:
            self._draw_badge(painter, box, "Saving…" if self.busy else "✓ Saved")
        if self.number_colour:
            self._draw_number(painter, box)
        text_rect = QRectF(0, box.bottom() + 4, self.width(), self.height() - box.bottom() - 4)
        font = QFont(self.font())
        if self.isChecked():
            font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        text_color = palette.windowText().color()
        if not self.isChecked():
            text_color.setAlpha(180)
        painter.setPen(text_color)
        elided = painter.fontMetrics().elidedText(self.label, Qt.TextElideMode.ElideMiddle, int(text_rect.width()) - 4)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, elided)
        painter.end()

    def _draw_badge(self, painter: QPainter, box: QRectF, text: str) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        fm = painter.fontMetrics()
        w, h = fm.horizontalAdvance(text) + 10, fm.height() + 2
        pill = QRectF(box.right() - w - 4, box.top() + 4, w, h)
        path = QPainterPath()
        path.addRoundedRect(pill, h / 2, h / 2)
        painter.fillPath(path, QColor(30, 120, 70, 225) if not self.busy else QColor(16, 17, 20, 210))
        painter.setPen(QColor(245, 245, 245))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    def _draw_number(self, painter: QPainter, box: QRectF) -> None:
        """The result's number (the key that picks it while mixing) in a round badge."""
        font = QFont(self.font())
        font.setWeight(QFont.Weight.Bold)
        painter.setFont(font)
        size = painter.fontMetrics().height() + 4
        disc = QRectF(box.left() + 4, box.top() + 4, size, size)
        painter.setPen(QPen(QColor(255, 255, 255, 200), 1.5))
        painter.setBrush(QColor(self.number_colour))
        painter.drawEllipse(disc)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(disc, Qt.AlignmentFlag.AlignCenter, str(self.index + 1))

    def enterEvent(self, event) -> None:  # noqa: ANN001 - QEnterEvent
        super().enterEvent(event)
        self.update()

    def leaveEvent(self, event) -> None:  # noqa: ANN001 - QEvent
        super().leaveEvent(event)
        self.update()


def group_box(caption: str, caption_height: int) -> tuple[QWidget, QHBoxLayout]:
    """A column for one job's tiles under its caption (prompt and time): the box, and the row
    the tiles go in. Built without a parent; the strip shows it once it is complete."""
    box = QFrame()
    box.setObjectName("result_group")
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 6, 0)
    column.setSpacing(0)
    label = GroupCaption(caption, box)
    label.setObjectName("result_group_caption")
    label.setFixedHeight(caption_height)
    set_tone(label, "muted")
    column.addWidget(label)
    tiles = QWidget(box)
    row = QHBoxLayout(tiles)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(4)
    column.addWidget(tiles)
    return box, row
