"""How a history row is drawn: thumbnail, prompt, state, date, model, cost, and a star to click.

The painting is the delegate's, apart from the panel's widgets and the model's data, so a
list of hundreds of entries paints only its visible rows and the panel stays about layout and
commands.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPolygonF
from PySide6.QtWidgets import QStyleOptionViewItem

from desktop_editor.jobs.model import EditJob
from desktop_editor.ui.common.binding import tone_color
from desktop_editor.ui.panels.history_model import cost_line, format_date, model_label, thumbnail_path
from desktop_editor.ui.panels.job_list import JobRole, JobRowDelegate, RowPainter, short_label, state_tone

__all__ = ["ROW_HEIGHT", "STAR", "THUMB", "HistoryDelegate"]

ROW_HEIGHT = 74
THUMB = 56
STAR = 18


def _star_polygon(rect: QRectF) -> QPolygonF:
    cx, cy = rect.center().x(), rect.center().y()
    outer, inner = rect.width() / 2, rect.width() / 5
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append(QPointF(cx + radius * math.cos(angle), cy + radius * math.sin(angle) + rect.height() * 0.04))
    return QPolygonF(points)


class HistoryDelegate(JobRowDelegate):
    """Paints a history row; a click on the star toggles it.

    Signals:
        star_clicked(str): the star of this job id was clicked.
    """

    star_clicked = Signal(str)
    row_height = ROW_HEIGHT
    thumb = THUMB

    @staticmethod
    def star_rect(rect: QRect) -> QRect:
        return QRect(rect.right() - 10 - STAR - 4, rect.top() + 8, STAR + 8, STAR + 8)

    def thumbnail_path(self, job: EditJob) -> Path | None:
        return thumbnail_path(job)

    def text_right(self, option: QStyleOptionViewItem, rect: QRect) -> int:
        return self.star_rect(option.rect).left() - 6

    def paint_text(self, row: RowPainter, job: EditJob) -> None:
        star = self.star_rect(row.rect.adjusted(-8, 0, 10, 0))
        self._draw_star(row.painter, QRectF(star).adjusted(4, 4, -4, -4), job.starred, row.text, row.widget)
        # Line 1: the prompt, beside the star
        row.text_at(row.line_y(0), job.params.prompt or model_label(job), bold=True)
        # Line 2: state, then date and model, full width
        full_right = row.rect.right()
        y2 = row.line_y(1)
        status_width = row.text_at(y2, short_label(job.state), right=full_right, color=row.tone(state_tone(job.state)))
        row.text_at(y2, f" · {format_date(job.created_at)} · {model_label(job)}", left=row.x + status_width,
                    right=full_right, color=row.muted)
        # Line 3: what it cost, and how many results
        cost, cost_tone = cost_line(job)
        label = f"Cost: {cost}"
        if job.result_paths:
            n = len(job.result_paths)
            label += f" · {n} result{'s' if n != 1 else ''}"
        row.text_at(row.line_y(2), label, right=full_right,
                    color=row.muted if cost_tone == "muted" else row.tone(cost_tone, row.muted))

    @staticmethod
    def _draw_star(painter: QPainter, rect: QRectF, on: bool, text: QColor, widget: Any) -> None:
        polygon = _star_polygon(rect)
        path = QPainterPath()
        path.addPolygon(polygon)
        path.closeSubpath()
        if on:
            gold = QColor(tone_color(widget, "warning")) if widget else QColor("#e3b341")
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(gold)
        else:
            outline = QColor(text)
            outline.setAlphaF(0.45)
            painter.setPen(outline)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem, index: QModelIndex) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            if self.star_rect(option.rect).contains(event.position().toPoint()):
                job = index.data(JobRole)
                if job is not None:
                    self.star_clicked.emit(job.id)
                return True
        return super().editorEvent(event, model, option, index)
