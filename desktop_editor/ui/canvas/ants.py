"""Marching ants: the animated outline of the mask's edge, as other image editors show a selection.

The outline is traced once per mask change (after the changes pause, on a worker: OpenCV's
contour tracing, no GIL), cut into short pieces with their bounding boxes, and kept in image
coordinates. Each frame draws only the pieces that cross the visible part of the image, through
the view's transform with cosmetic pens, so the cost follows what is on screen, not the image
size: an 8K mask costs what a small one does when zoomed in, and a full view draws each piece
once. The animation moves the dash offset and repaints only the visible outline's rectangle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from desktop_editor.core.opencv import cv2

PIECE_POINTS = 256  # points per piece: small enough to skip what is off screen, large enough to draw fast
EDGE_LEVEL = 128  # the outline follows where the mask crosses half


@dataclass(frozen=True)
class Outline:
    """The mask's edge as polyline pieces in image coordinates (pixel corners at integers)."""

    pieces: tuple[QPolygonF, ...]
    boxes: np.ndarray  # (n, 4) float: x0, y0, x1, y1 of each piece
    bounds: QRectF  # of all pieces (empty when the mask has no edge)

    @classmethod
    def empty(cls) -> Outline:
        return cls((), np.zeros((0, 4)), QRectF())

    def visible(self, area: QRectF) -> list[QPolygonF]:
        """The pieces that cross `area` (image coordinates)."""
        if not self.pieces:
            return []
        b = self.boxes
        hit = (b[:, 2] >= area.left()) & (b[:, 0] <= area.right()) & (b[:, 3] >= area.top()) & (b[:, 1] <= area.bottom())
        return [self.pieces[i] for i in np.flatnonzero(hit)]


def trace_outline(mask: np.ndarray) -> Outline:
    """Trace the edge of `mask` (values >= 128 inside). For a worker thread: returns plain data."""
    binary = (mask >= EDGE_LEVEL).view(np.uint8)
    if not binary.any():
        return Outline.empty()
    # Pad so shapes touching the border close along it. A contour point (x, y) of the padded
    # image is pixel (x - 1, y - 1), whose centre is (x - 0.5, y - 0.5) in image coordinates:
    # the outline runs through the centres of the edge pixels (within half a pixel of the edge).
    padded = cv2.copyMakeBorder(binary, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    contours, _ = cv2.findContours(padded, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    pieces: list[QPolygonF] = []
    boxes: list[tuple[float, float, float, float]] = []
    for contour in contours:
        points = contour.reshape(-1, 2).astype(np.float64) - 0.5
        points = np.vstack([points, points[:1]])  # closed
        for start in range(0, len(points) - 1, PIECE_POINTS):
            chunk = points[start : start + PIECE_POINTS + 1]
            pieces.append(QPolygonF([QPointF(float(x), float(y)) for x, y in chunk]))
            boxes.append((chunk[:, 0].min(), chunk[:, 1].min(), chunk[:, 0].max(), chunk[:, 1].max()))
    box_array = np.asarray(boxes, dtype=np.float64)
    bounds = QRectF(
        QPointF(box_array[:, 0].min(), box_array[:, 1].min()), QPointF(box_array[:, 2].max(), box_array[:, 3].max())
    )
    return Outline(tuple(pieces), box_array, bounds)


def paint_ants(painter: QPainter, pieces: list[QPolygonF], phase: int) -> None:
    """Draw outline pieces (already under the view's transform) as marching ants: black and white
    dashes of 4 screen pixels, shifted by `phase`."""
    dark = QPen(QColor(0, 0, 0), 1.0)
    light = QPen(QColor(255, 255, 255), 1.0, Qt.PenStyle.CustomDashLine)
    light.setDashPattern([4.0, 4.0])
    light.setDashOffset(float(phase % 8))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for pen in (dark, light):
        pen.setCosmetic(True)
        painter.setPen(pen)
        for piece in pieces:
            painter.drawPolyline(piece)
