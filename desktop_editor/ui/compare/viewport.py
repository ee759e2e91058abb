"""The zoom and position one comparison is seen at, shared by every pane that shows it.

Both panes of the side-by-side mode read the same `Viewport`, so zooming or panning either
moves both identically: the sync is by construction, not by copying numbers back and forth.
Navigation lives here, apart from drawing (`pane_drawing`) and input (`panes.ComparePane`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QSize, QSizeF, Signal

__all__ = ["MAX_ZOOM", "MIN_ZOOM", "Viewport"]

MIN_ZOOM = 0.02
MAX_ZOOM = 32.0


class Viewport(QObject):
    """Zoom and position shared by every pane showing the same comparison.

    Zoom is in device pixels per image pixel, so "100%" shows one image pixel on one screen
    pixel on high-DPI screens too. While `fitted`, the zoom follows the pane size and the image
    stays centred; any zoom or pan by the user ends fitting.

    Signals:
        changed(): zoom or position changed; panes repaint.
        hover_moved(): the image point under the pointer changed (for the cross-hair in the
            other pane of the side-by-side mode).
    """

    changed = Signal()
    hover_moved = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.image_size = QSize()
        self.fitted = True
        self._zoom = 1.0
        self._center = QPointF()
        self.hover: QPointF | None = None
        self.hover_source: QObject | None = None

    # -- geometry --------------------------------------------------------------------------

    def set_image_size(self, size: QSize) -> None:
        """A new image: fit it, unless it has the size of the previous one (same original,
        another result), in which case the designer keeps the zoom and place they chose."""
        if size == self.image_size:
            return
        self.image_size = QSize(size)
        self.fitted = True
        self._center = QPointF(size.width() / 2, size.height() / 2)
        self.changed.emit()

    def fit_zoom(self, pane: QSizeF, dpr: float) -> float:
        if self.image_size.isEmpty() or pane.isEmpty():
            return 1.0
        return min(pane.width() * dpr / self.image_size.width(), pane.height() * dpr / self.image_size.height())

    def zoom(self, pane: QSizeF, dpr: float) -> float:
        return self.fit_zoom(pane, dpr) if self.fitted else self._zoom

    def center(self) -> QPointF:
        if self.fitted:
            return QPointF(self.image_size.width() / 2, self.image_size.height() / 2)
        return QPointF(self._center)

    def _offset(self, pane: QSizeF, dpr: float) -> QPointF:
        """Where image point (0, 0) lands in the pane, snapped to whole device pixels so that
        at 100% and above every image pixel covers whole screen pixels (no half-pixel shimmer)."""
        scale = self.zoom(pane, dpr) / dpr
        c = self.center()
        x = pane.width() / 2 - c.x() * scale
        y = pane.height() / 2 - c.y() * scale
        return QPointF(round(x * dpr) / dpr, round(y * dpr) / dpr)

    def to_widget(self, point: QPointF, pane: QSizeF, dpr: float) -> QPointF:
        scale = self.zoom(pane, dpr) / dpr
        offset = self._offset(pane, dpr)
        return QPointF(point.x() * scale + offset.x(), point.y() * scale + offset.y())

    def to_image(self, point: QPointF, pane: QSizeF, dpr: float) -> QPointF:
        scale = self.zoom(pane, dpr) / dpr
        offset = self._offset(pane, dpr)
        return QPointF((point.x() - offset.x()) / scale, (point.y() - offset.y()) / scale)

    # -- changes ---------------------------------------------------------------------------

    def fit(self) -> None:
        if not self.fitted:
            self.fitted = True
            self.changed.emit()

    def show_at(self, zoom: float, center: QPointF) -> None:
        """Show image point `center` in the middle at `zoom` (ends fitting): how the designer
        was looking at the image on the canvas when a result arrived."""
        self._zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self.fitted = False
        self._center = QPointF(center)
        self._clamp()
        self.changed.emit()

    def zoom_at(self, zoom: float, anchor: QPointF, pane: QSizeF, dpr: float) -> None:
        """Zoom so the image point under `anchor` (pane coordinates) stays under it."""
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        fixed = self.to_image(anchor, pane, dpr)
        self._zoom = zoom
        self.fitted = False
        scale = zoom / dpr
        self._center = QPointF(
            fixed.x() - (anchor.x() - pane.width() / 2) / scale, fixed.y() - (anchor.y() - pane.height() / 2) / scale
        )
        self._clamp()
        self.changed.emit()

    def pan_by(self, delta: QPointF, pane: QSizeF, dpr: float) -> None:
        """Move the image by `delta` pane pixels."""
        scale = self.zoom(pane, dpr) / dpr
        center = self.center()
        self._zoom = self.zoom(pane, dpr)
        self.fitted = False
        self._center = QPointF(center.x() - delta.x() / scale, center.y() - delta.y() / scale)
        self._clamp()
        self.changed.emit()

    def set_hover(self, point: QPointF | None, source: QObject | None) -> None:
        self.hover, self.hover_source = point, source
        self.hover_moved.emit()

    def _clamp(self) -> None:
        """Keep the view centre on the image, so the image can never be lost off-screen."""
        w, h = self.image_size.width(), self.image_size.height()
        self._center = QPointF(min(max(self._center.x(), 0.0), float(w)), min(max(self._center.y(), 0.0), float(h)))
