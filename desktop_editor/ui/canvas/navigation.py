"""Navigation of the canvas: zoom, pan, fit, the scroll bars and the image <-> view mapping.

Zoom is in device pixels per image pixel, so 100% shows every image pixel as one physical
pixel on high-DPI screens too. The view keeps the image point under the cursor fixed while
zooming (Qt's elasticnodes / imageviewer examples), centres the image when it is smaller than
the window and otherwise lets it be panned until only a margin is left on screen.

A mixin of `CanvasView` rather than an object of its own: `map_to_image`, `scale` and the pan
are read on every pointer event and every paint, and as methods of the view they cost nothing
more than before the view was split. It owns `_zoom`, `_pan`, `_fit_mode` and
`_device_pixel_ratio`; the other parts only read them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, Slot
from PySide6.QtGui import QCursor, QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from desktop_editor.ui.models.document import Document

    _ScrollArea = QAbstractScrollArea  # what the mixin is mixed into, for type checkers
else:
    _ScrollArea = object

ZOOM_STEPS = (
    0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.0625, 0.0833, 0.1, 0.125, 0.1667, 0.25, 0.3333, 0.5, 0.6667,
    1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0,
)  # fmt: skip
MIN_ZOOM = ZOOM_STEPS[0]
MAX_ZOOM = ZOOM_STEPS[-1]
_FIT_MARGIN = 16.0  # logical px around the image when fitted
_KEEP_VISIBLE = 48.0  # logical px of image that panning always leaves on screen


class CanvasNavigation(_ScrollArea):
    """Zoom, pan and fit of the canvas, and the mapping between view and image coordinates."""

    _document: Document | None
    zoom_changed: SignalInstance
    view_changed: SignalInstance

    def _init_navigation(self) -> None:
        self._zoom = 1.0
        self._pan = QPointF(0.0, 0.0)  # viewport position of content (0, 0), negated
        self._fit_mode = True
        self._syncing = False
        self._device_pixel_ratio = 1.0

    def zoom(self) -> float:
        """Device pixels per image pixel (1.0 = 100%)."""
        return self._zoom

    def scale(self) -> float:
        """Logical (widget) pixels per image pixel."""
        return self._zoom / self._dpr()

    def _dpr(self) -> float:
        return self._device_pixel_ratio

    def _refresh_dpr(self) -> None:
        """Re-read the screen scale (moved to another screen, or scale settings changed)."""
        dpr = self.viewport().devicePixelRatioF() or 1.0
        if dpr != self._device_pixel_ratio:
            center = self.map_to_image(self._viewport_center()) if self._document is not None else None
            self._device_pixel_ratio = dpr
            if self._fit_mode:
                self.fit_to_window()
            elif center is not None:
                self.center_on(center)

    def map_to_image(self, view_pos: QPointF) -> QPointF:
        """Image coordinates (continuous; pixel (i, j) spans [i, i+1)) of a viewport point."""
        s = self.scale()
        return QPointF((view_pos.x() + self._pan.x()) / s, (view_pos.y() + self._pan.y()) / s)

    def map_from_image(self, image_pos: QPointF) -> QPointF:
        s = self.scale()
        return QPointF(image_pos.x() * s - self._pan.x(), image_pos.y() * s - self._pan.y())

    def image_rect_in_view(self) -> QRectF:
        if self._document is None:
            return QRectF()
        s = self.scale()
        return QRectF(-self._pan.x(), -self._pan.y(), self._document.width * s, self._document.height * s)


    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom to `zoom`, keeping the image point under `anchor` (viewport coords; default centre) fixed."""
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, float(zoom)))
        self._fit_mode = False
        if self._document is None:
            self._zoom = zoom
            self.zoom_changed.emit(zoom)
            return
        if anchor is None:
            anchor = self._viewport_center()
        fixed = self.map_to_image(anchor)
        changed = not math.isclose(zoom, self._zoom, rel_tol=1e-9)
        self._zoom = zoom
        s = self.scale()
        self._pan = QPointF(fixed.x() * s - anchor.x(), fixed.y() * s - anchor.y())
        self._constrain()
        self._sync_scrollbars()
        self.viewport().update()
        self._refresh_tool_hover()
        if changed:
            self.zoom_changed.emit(zoom)
        self.view_changed.emit()

    def zoom_in(self, anchor: QPointF | None = None) -> None:
        """Next zoom step (Ctrl++), around the pointer when it is over the canvas."""
        bigger = [z for z in ZOOM_STEPS if z > self._zoom * 1.001]
        self.set_zoom(bigger[0] if bigger else MAX_ZOOM, anchor if anchor is not None else self._key_anchor())

    def zoom_out(self, anchor: QPointF | None = None) -> None:
        """Previous zoom step (Ctrl+-), around the pointer when it is over the canvas."""
        smaller = [z for z in ZOOM_STEPS if z < self._zoom / 1.001]
        self.set_zoom(smaller[-1] if smaller else MIN_ZOOM, anchor if anchor is not None else self._key_anchor())

    def actual_pixels(self) -> None:
        """100%: one image pixel per screen pixel (Ctrl+1)."""
        self.set_zoom(1.0, self._key_anchor())

    def fit_to_window(self) -> None:
        """Show the whole image, as large as fits (Ctrl+0); it stays fitted as the window resizes."""
        self._fit_mode = True
        if self._document is None:
            return
        vw, vh = self._viewport_size()
        avail_w = max(1.0, vw - 2 * _FIT_MARGIN)
        avail_h = max(1.0, vh - 2 * _FIT_MARGIN)
        x0, y0, x1, y1 = self._content_box()
        zoom = min(avail_w / (x1 - x0), avail_h / (y1 - y0)) * self._dpr()
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        changed = not math.isclose(zoom, self._zoom, rel_tol=1e-9)
        self._zoom = zoom
        self._constrain()
        self._sync_scrollbars()
        self.viewport().update()
        self._refresh_tool_hover()
        if changed:
            self.zoom_changed.emit(zoom)
        self.view_changed.emit()

    def is_fit_mode(self) -> bool:
        return self._fit_mode

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the view content by (dx, dy) logical pixels (drag direction)."""
        self._pan = QPointF(self._pan.x() - dx, self._pan.y() - dy)
        self._constrain()
        self._sync_scrollbars()
        self.viewport().update()
        self.view_changed.emit()

    def center_on(self, image_pos: QPointF) -> None:
        s = self.scale()
        c = self._viewport_center()
        self._pan = QPointF(image_pos.x() * s - c.x(), image_pos.y() * s - c.y())
        self._constrain()
        self._sync_scrollbars()
        self.viewport().update()
        self.view_changed.emit()

    def view_state(self) -> dict[str, Any]:
        """Zoom and position, to restore a document's view or save it in a project."""
        if self._document is None:
            return {}
        center = self.map_to_image(self._viewport_center())
        return {"zoom": self._zoom, "center": [center.x(), center.y()], "fit": self._fit_mode}

    def restore_view_state(self, state: dict[str, Any]) -> None:
        if self._document is None:
            return
        try:
            fit = bool(state.get("fit", False))
            zoom = float(state["zoom"])
            cx, cy = (float(v) for v in state["center"])
        except (KeyError, TypeError, ValueError):
            fit = True
        if fit:
            self.fit_to_window()
            return
        self._fit_mode = False
        self._zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self.center_on(QPointF(cx, cy))
        self.zoom_changed.emit(self._zoom)

    def _viewport_size(self) -> tuple[float, float]:
        size = self.viewport().size()
        return float(size.width()), float(size.height())

    def _viewport_center(self) -> QPointF:
        vw, vh = self._viewport_size()
        return QPointF(vw / 2.0, vh / 2.0)

    def _key_anchor(self) -> QPointF:
        if self._hover is not None:
            return QPointF(self._hover)
        pos = self.viewport().mapFromGlobal(QCursor.pos())
        if self.viewport().rect().contains(pos):
            return QPointF(pos)
        return self._viewport_center()

    def _content_box(self) -> tuple[int, int, int, int]:
        """What the view fits and centres, in image pixels: the image, grown by the canvas
        expansion pending on it (the new area lies at negative or beyond-size coordinates)."""
        document = self._document
        assert document is not None
        exp = document.pending_expansion()
        if exp is None:
            return 0, 0, document.width, document.height
        return (-max(0, exp.left), -max(0, exp.top), document.width + max(0, exp.right),
                document.height + max(0, exp.bottom))

    @Slot()
    def _on_expansion_changed(self) -> None:
        if self._fit_mode:
            self.fit_to_window()
        else:
            self._constrain()
            self._sync_scrollbars()
        self.viewport().update()

    def _constrain(self) -> None:
        """Centre the image along an axis where it fits; elsewhere keep some of it on screen."""
        if self._document is None:
            self._pan = QPointF(0.0, 0.0)
            return
        vw, vh = self._viewport_size()
        s = self.scale()
        x0, y0, x1, y1 = self._content_box()
        ox, oy = x0 * s, y0 * s
        self._pan = QPointF(_constrain_axis(self._pan.x() - ox, (x1 - x0) * s, vw) + ox,
                            _constrain_axis(self._pan.y() - oy, (y1 - y0) * s, vh) + oy)

    def _sync_scrollbars(self) -> None:
        self._syncing = True
        try:
            vw, vh = self._viewport_size()
            if self._document is None:
                cw = ch = ox = oy = 0.0
            else:
                s = self.scale()
                x0, y0, x1, y1 = self._content_box()
                cw, ch, ox, oy = (x1 - x0) * s, (y1 - y0) * s, x0 * s, y0 * s
            for bar, pan, content, view, offset in (
                (self.horizontalScrollBar(), self._pan.x(), cw, vw, ox),
                (self.verticalScrollBar(), self._pan.y(), ch, vh, oy),
            ):
                if content <= view + 0.5:
                    bar.setRange(0, 0)
                    continue
                bar.setRange(math.floor(min(offset, pan)), math.ceil(max(offset + content - view, pan)))
                bar.setPageStep(max(1, int(view)))
                bar.setSingleStep(24)
                bar.setValue(round(pan))
        finally:
            self._syncing = False

    @Slot(int)
    def _on_hscroll(self, value: int) -> None:
        if not self._syncing:
            self._pan = QPointF(float(value), self._pan.y())
            self.viewport().update()
            self.view_changed.emit()

    @Slot(int)
    def _on_vscroll(self, value: int) -> None:
        if not self._syncing:
            self._pan = QPointF(self._pan.x(), float(value))
            self.viewport().update()
            self.view_changed.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Refit in fit mode; otherwise keep the top-left where it is (like QGraphicsView's
        NoAnchor), so scroll bars appearing during a zoom do not shift the point under the cursor."""
        if self._document is None:
            return
        if self._fit_mode:
            self.fit_to_window()
            return
        self._constrain()
        self._sync_scrollbars()
        self.viewport().update()


def _constrain_axis(pan: float, content: float, view: float) -> float:
    if content <= view:
        return -(view - content) / 2.0
    keep = min(_KEEP_VISIBLE, content, view)
    return max(-(view - keep), min(content - keep, pan))
