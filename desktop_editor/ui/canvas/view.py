"""The canvas: shows a document's image with its mask and feeds pointer input to the mask tools.

Drawing follows Qt's scribble example: a change repaints only the rectangle it touched, and
paintEvent draws only the region it is asked for. The image is drawn from a mip-map level
(smooth zoomed out, nearest-neighbour zoomed in so single pixels stay crisp) and the mask from
an Indexed8 view sharing the mask's memory, whose colour table turns mask values straight into
the overlay colour and opacity: no per-frame conversion, and colour changes are free.

Zoom is in device pixels per image pixel, so 100% shows every image pixel as one physical
pixel on high-DPI screens too. The view keeps the image point under the cursor fixed while
zooming, centres the image when it is smaller than the window and otherwise lets it be panned
until only a margin is left on screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QCursor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QTabletEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QFrame,
    QLineEdit,
    QTextEdit,
    QWidget,
)

from desktop_editor.core.opencv import cv2
from desktop_editor.ui.canvas.ants import Outline, paint_ants, trace_outline
from desktop_editor.ui.canvas.pyramid import DisplayPyramid, MaskLevel
from desktop_editor.ui.canvas.tools import LassoTool, Pointer, ToolBox
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.common.imaging import allocate_mask_buffer, overlay_color_table
from desktop_editor.ui.models.document import Document

ZOOM_STEPS = (
    0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.0625, 0.0833, 0.1, 0.125, 0.1667, 0.25, 0.3333, 0.5, 0.6667,
    1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0,
)  # fmt: skip
MIN_ZOOM = ZOOM_STEPS[0]
MAX_ZOOM = ZOOM_STEPS[-1]
DEFAULT_OVERLAY_COLOR = QColor(98, 92, 255)
DEFAULT_OVERLAY_OPACITY = 0.55
_BACKGROUND = QColor(40, 42, 46)
_SHADOW_ALPHAS = (60, 40, 26, 16, 9, 4)
_FIT_MARGIN = 16.0  # logical px around the image when fitted
_KEEP_VISIBLE = 48.0  # logical px of image that panning always leaves on screen
_GRID_ZOOM = 12.0  # show the pixel grid from this zoom on
_WHEEL_ZOOM_BASE = 1.0015  # per 1/8 degree of wheel: one notch (120) zooms about 20%
_ANTS_INTERVAL_MS = 160  # one dash step per tick
_ANTS_SETTLE_MS = 120  # the outline is traced again once the mask has not changed for this long


class CanvasView(QAbstractScrollArea):
    """Scrollable, zoomable view of one document at a time, with the mask tools.

    Signals:
        zoom_changed(float): the zoom (device pixels per image pixel) changed.
        pointer_moved(object): the image pixel under the pointer (QPoint), or None when the
            pointer left the image.
        view_changed(): zoom or pan changed.
    """

    zoom_changed = Signal(float)
    pointer_moved = Signal(object)
    view_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._document: Document | None = None
        self._pyramids: dict[int, DisplayPyramid] = {}
        self._zoom = 1.0
        self._pan = QPointF(0.0, 0.0)  # viewport position of content (0, 0), negated
        self._fit_mode = True
        self._overlay_color = QColor(DEFAULT_OVERLAY_COLOR)
        self._overlay_opacity = DEFAULT_OVERLAY_OPACITY
        self._color_table = overlay_color_table(self._overlay_color, self._overlay_opacity)
        self._mask_visible = True
        self._mask_only = False
        self._hover: QPointF | None = None
        self._hover_modifiers = Qt.KeyboardModifier.NoModifier
        self._pressed = False
        self._pan_from: QPointF | None = None
        self._pan_button = Qt.MouseButton.NoButton
        self._resize_button: Qt.MouseButton | None = None  # the button of a brush resize drag
        self._space_held = False
        self._syncing = False
        self._last_pixel: QPoint | None = None
        self.paint_count = 0  # paints completed; the benchmark waits on it
        self.ants_pieces_drawn = 0  # outline pieces drawn, to check that only visible ones are
        self._device_pixel_ratio = 1.0

        viewport = _Viewport(self)
        self.setViewport(viewport)
        viewport.setMouseTracking(True)
        viewport.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        viewport.setAttribute(Qt.WidgetAttribute.WA_TabletTracking)
        viewport.setAutoFillBackground(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(200, 150)
        self.horizontalScrollBar().valueChanged.connect(self._on_hscroll)
        self.verticalScrollBar().valueChanged.connect(self._on_vscroll)
        self._checker = _checker_brush()

        self.tools = ToolBox(self)
        self.tools.current.activate()
        self._device_pixel_ratio = viewport.devicePixelRatioF() or 1.0

        # A mask shown instead of the document's (the live preview of grow, shrink, feather).
        self._preview: np.ndarray | None = None
        self._preview_levels: dict[int, MaskLevel] = {}
        # Marching ants.
        self._ants = False
        self._ants_phase = 0
        self._outline = Outline.empty()
        self._outline_runner = TaskRunner(self, max_threads=1)
        self._levels_runner = TaskRunner(self, max_threads=1)  # mask levels of large changes
        self._outline_wanted = 0  # the latest trace asked for; older answers are dropped
        self._ants_timer = QTimer(self)
        self._ants_timer.setInterval(_ANTS_INTERVAL_MS)
        self._ants_timer.timeout.connect(self._on_ants_tick)
        self._outline_timer = QTimer(self)
        self._outline_timer.setSingleShot(True)
        self._outline_timer.setInterval(_ANTS_SETTLE_MS)
        self._outline_timer.timeout.connect(self._trace_outline)

    # -- document -----------------------------------------------------------------------------

    def document(self) -> Document | None:
        return self._document

    def set_document(self, document: Document | None) -> None:
        """Show `document` (None: nothing), keeping each document's own zoom and position."""
        if document is self._document:
            return
        old = self._document
        self.tools.current.cancel()
        if old is not None:
            old.view_state = self.view_state()
            old.mask_changed.disconnect(self._on_mask_changed)
            old.expansion_changed.disconnect(self._on_expansion_changed)
            old.display_changed.disconnect(self._on_display_changed)
        self._document = document
        self.set_mask_preview(None)
        self._set_outline(Outline.empty())
        if document is not None:
            if id(document) not in self._pyramids:
                pyramid = DisplayPyramid(document, self._color_table, self._levels_runner,
                                         lambda bounds, d=document: self._on_levels_ready(d, bounds))
                self._pyramids[id(document)] = pyramid
                # The pyramid follows its document's mask even while another one is shown (an
                # undo in the background, a mask given to an image before it is shown), or it
                # would show stale levels and skip areas painted meanwhile.
                document.mask_changed.connect(pyramid.on_mask_changed)
                document.display_changed.connect(pyramid.on_display_changed)
                document.destroyed.connect(lambda *_a, key=id(document): self._pyramids.pop(key, None))
            document.mask_changed.connect(self._on_mask_changed)
            document.expansion_changed.connect(self._on_expansion_changed)
            document.display_changed.connect(self._on_display_changed)
            self._schedule_outline(at_once=True)
            if document.view_state:
                self.restore_view_state(document.view_state)
            else:
                self.fit_to_window()
        else:
            self._sync_scrollbars()
        self.viewport().update()
        self.zoom_changed.emit(self._zoom)
        self.view_changed.emit()

    def forget_document(self, document: Document) -> None:
        """Drop the display cache of a closed document."""
        if document is self._document:
            self.set_document(None)
        pyramid = self._pyramids.pop(id(document), None)
        if pyramid is not None:
            document.mask_changed.disconnect(pyramid.on_mask_changed)
            document.display_changed.disconnect(pyramid.on_display_changed)

    def _pyramid(self) -> DisplayPyramid | None:
        return self._pyramids.get(id(self._document)) if self._document is not None else None

    # -- overlay --------------------------------------------------------------------------------

    def overlay_color(self) -> QColor:
        return QColor(self._overlay_color)

    def overlay_opacity(self) -> float:
        return self._overlay_opacity

    def set_overlay_color(self, color: QColor) -> None:
        self._overlay_color = QColor(color)
        self._apply_color_table()

    def set_overlay_opacity(self, opacity: float) -> None:
        self._overlay_opacity = max(0.0, min(1.0, float(opacity)))
        self._apply_color_table()

    def _apply_color_table(self) -> None:
        self._color_table = overlay_color_table(self._overlay_color, self._overlay_opacity)
        for pyramid in self._pyramids.values():
            pyramid.set_color_table(self._color_table)
        for level in self._preview_levels.values():
            level.overlay.setColorTable(self._color_table)
        self.viewport().update()

    def is_mask_visible(self) -> bool:
        return self._mask_visible

    def set_mask_visible(self, visible: bool) -> None:
        self._mask_visible = bool(visible)
        self.viewport().update()

    def is_mask_only(self) -> bool:
        return self._mask_only

    def set_mask_only(self, mask_only: bool) -> None:
        """Show the mask alone, white = edit, exactly as black/white masks are saved."""
        self._mask_only = bool(mask_only)
        self.viewport().update()

    # -- preview of a whole-mask change -----------------------------------------------------------

    def set_mask_preview(self, pixels: np.ndarray | None, levels: dict[int, MaskLevel] | None = None) -> None:
        """Show `pixels` (H, W uint8, the document's size) as the mask until called with None.

        The document's mask is not touched: grow, shrink and feather show their result here
        while the designer picks the amount. `levels`: display levels of `pixels` made already
        on a worker (see `preview_level_maker`); others are made when first drawn.
        """
        document = self._document
        if pixels is not None and (document is None or pixels.shape != (document.height, document.width)):
            raise ValueError("a mask preview must have the document's size")
        if pixels is None and self._preview is None:
            return
        self._preview = pixels
        pyramid = self._pyramid()
        self._preview_levels = {level: made for level, made in (levels or {}).items()
                                if pixels is not None and pyramid is not None
                                and (made.pixels.shape[1], made.pixels.shape[0]) == pyramid.level_size(level)}
        self.viewport().update()

    def preview_level_maker(self) -> Callable[[np.ndarray], dict[int, MaskLevel]]:
        """For a worker: makes the display level this view now draws a mask preview at, from the
        preview's pixels. Made on the window's thread at first draw it cost 20-60 ms at 24 MP
        (a shrink by area, or the full-size copy at 100%)."""
        pyramid = self._pyramid()
        if pyramid is None:
            return lambda pixels: {}
        level = self._draw_level(pyramid)
        size, table = pyramid.level_size(level), self._color_table
        return lambda pixels: {level: _preview_mask_level(pixels, level, size, table)}

    def mask_preview(self) -> np.ndarray | None:
        return self._preview

    def _preview_level(self, level: int) -> MaskLevel:
        """The preview at a display level (area-averaged like the pyramid), made when first drawn."""
        cached = self._preview_levels.get(level)
        if cached is None:
            pixels = self._preview
            assert pixels is not None
            pyramid = self._pyramid()
            assert pyramid is not None
            cached = _preview_mask_level(pixels, level, pyramid.level_size(level), self._color_table)
            self._preview_levels[level] = cached
        return cached

    # -- marching ants ------------------------------------------------------------------------------

    def marching_ants(self) -> bool:
        return self._ants

    def set_marching_ants(self, on: bool) -> None:
        """Show the mask's edge as an animated outline (a view option)."""
        on = bool(on)
        if on == self._ants:
            return
        self._ants = on
        if on:
            self._schedule_outline(at_once=True)
            self._ants_timer.start()
        else:
            self._ants_timer.stop()
            self._update_outline_area(self._outline)
            self._outline = Outline.empty()

    def outline(self) -> Outline:
        """The traced mask edge the ants follow (empty while they are off)."""
        return self._outline

    def wait_for_outline(self, msecs: int = 5000) -> bool:
        """Block until a trace in progress has finished and been shown (for tests)."""
        if self._outline_timer.isActive():
            self._outline_timer.stop()
            self._trace_outline()
        done = self._outline_runner.wait(msecs)
        QApplication.sendPostedEvents()
        return done

    def wait_for_mask_levels(self, msecs: int = 5000) -> bool:
        """Block until reduced mask levels being rebuilt are done and shown (for tests and
        benchmarks)."""
        done = self._levels_runner.wait(msecs)
        QApplication.sendPostedEvents()
        return done

    def _schedule_outline(self, *, at_once: bool = False) -> None:
        if not self._ants or self._document is None:
            return
        if at_once:
            self._outline_timer.stop()
            self._trace_outline()
        else:
            self._outline_timer.start()  # restarts: traced once the changes pause

    @Slot()
    def _trace_outline(self) -> None:
        document = self._document
        if document is None or not self._ants:
            return
        self._outline_wanted += 1
        wanted = self._outline_wanted
        mask = document.mask_array()  # the worker traces a copy; painting goes on

        def done(outline: Outline) -> None:
            if wanted == self._outline_wanted and self._document is document and self._ants:
                self._set_outline(outline)

        self._outline_runner.submit(lambda: trace_outline(mask), done)

    def _set_outline(self, outline: Outline) -> None:
        """Show a new outline: repaint where the old one was and where the new one is."""
        old, self._outline = self._outline, outline
        self._update_outline_area(old)
        self._update_outline_area(outline)

    def _update_outline_area(self, outline: Outline) -> None:
        if outline.bounds.isNull():
            return
        a = self.map_from_image(outline.bounds.topLeft())
        b = self.map_from_image(outline.bounds.bottomRight())
        rect = QRectF(a, b).normalized().adjusted(-2, -2, 2, 2).intersected(QRectF(self.viewport().rect()))
        if not rect.isEmpty():
            self.viewport().update(rect.toAlignedRect())

    @Slot()
    def _on_ants_tick(self) -> None:
        if self._document is None or not self.isVisible() or not self._outline.pieces:
            return
        self._ants_phase += 1
        visible = self._visible_image_area()
        pieces_rect = QRectF()
        for index in np.flatnonzero(self._outline_hits(visible)):
            x0, y0, x1, y1 = self._outline.boxes[index]
            pieces_rect = pieces_rect.united(QRectF(QPointF(x0, y0), QPointF(x1, y1)))
        if not pieces_rect.isNull():
            a, b = self.map_from_image(pieces_rect.topLeft()), self.map_from_image(pieces_rect.bottomRight())
            rect = QRectF(a, b).normalized().adjusted(-2, -2, 2, 2).intersected(QRectF(self.viewport().rect()))
            if not rect.isEmpty():
                self.viewport().update(rect.toAlignedRect())

    def _visible_image_area(self, rect: QRectF | None = None) -> QRectF:
        """A viewport rectangle (default: all of it) in image coordinates."""
        rect = QRectF(self.viewport().rect()) if rect is None else rect
        return QRectF(self.map_to_image(rect.topLeft()), self.map_to_image(rect.bottomRight()))

    def _outline_hits(self, area: QRectF) -> np.ndarray:
        b = self._outline.boxes
        if not len(b):
            return np.zeros(0, dtype=bool)
        return (b[:, 2] >= area.left() - 1) & (b[:, 0] <= area.right() + 1) & (b[:, 3] >= area.top() - 1) & (
            b[:, 1] <= area.bottom() + 1)

    def _paint_ants(self, painter: QPainter, dirty: QRectF) -> int:
        """Draw the ants crossing the repainted area; returns how many pieces were drawn."""
        if not self._ants or not self._outline.pieces:
            return 0
        pieces = self._outline.visible(self._visible_image_area(dirty).adjusted(-1, -1, 1, 1))
        if not pieces:
            return 0
        s = self.scale()
        painter.save()
        painter.setClipRect(dirty)
        painter.translate(-self._pan.x(), -self._pan.y())
        painter.scale(s, s)
        paint_ants(painter, pieces, -self._ants_phase)
        painter.restore()
        self.ants_pieces_drawn += len(pieces)
        return len(pieces)

    # -- coordinates ------------------------------------------------------------------------------

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

    def hover_pointer(self) -> Pointer | None:
        """The pointer as the tools see it, if it is over the canvas."""
        if self._hover is None or self._document is None:
            return None
        return Pointer(self._hover, self.map_to_image(self._hover), modifiers=self._hover_modifiers)

    def update_view_rect(self, rect: QRectF) -> None:
        """Repaint a part of the viewport (tools call this for their on-canvas feedback)."""
        if rect.isValid():
            self.viewport().update(rect.toAlignedRect().adjusted(-1, -1, 1, 1))

    # -- zoom and pan -------------------------------------------------------------------------------

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

    # -- mask updates -----------------------------------------------------------------------------

    @Slot(QRect)
    def _on_mask_changed(self, rect: QRect) -> None:
        pyramid = self._pyramid()
        if pyramid is None:
            return
        self._schedule_outline()
        bounds = (rect.x(), rect.y(), rect.x() + rect.width(), rect.y() + rect.height())
        if pyramid.is_large_change(bounds) and self._draw_level(pyramid) > 0 and self._preview is None:
            return  # drawn from the rebuilt levels when they arrive (`_on_levels_ready`)
        self._update_image_area(pyramid, bounds)

    def _on_levels_ready(self, document: Document, bounds: tuple[int, int, int, int]) -> None:
        """A document's reduced mask levels were rebuilt after a change inside `bounds`."""
        pyramid = self._pyramid()
        if document is self._document and pyramid is not None and self._draw_level(pyramid) > 0:
            self._update_image_area(pyramid, bounds)

    def _draw_level(self, pyramid: DisplayPyramid) -> int:
        """The level the view draws from at its zoom (see `_paint_rect`)."""
        zoom = self._zoom
        smooth = zoom < 1.0 or (zoom < 2.0 and not math.isclose(zoom, 1.0))
        return pyramid.level_for_zoom(zoom) if smooth else 0

    def _update_image_area(self, pyramid: DisplayPyramid, bounds: tuple[int, int, int, int]) -> None:
        """Repaint the view over image pixels `bounds`, with a margin for filtering."""
        x0, y0, x1, y1 = bounds
        s = self.scale()
        pad = 2.0 + (1 << pyramid.level_for_zoom(self._zoom)) * s
        view = QRectF(x0 * s - self._pan.x() - pad, y0 * s - self._pan.y() - pad,
                      (x1 - x0) * s + 2 * pad, (y1 - y0) * s + 2 * pad)  # fmt: skip
        rect = view.intersected(QRectF(self.viewport().rect()))  # only what is on screen
        if not rect.isEmpty():
            self.viewport().update(rect.toAlignedRect())

    @Slot()
    def _on_display_changed(self) -> None:
        """The finer levels of a large image arrived: draw from them."""
        self.viewport().update()

    # -- painting -----------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.viewport().devicePixelRatioF() != self._device_pixel_ratio:
            self._refresh_dpr()
        painter = QPainter(self.viewport())
        document = self._document
        if document is None:
            painter.fillRect(event.rect(), _BACKGROUND)
            self._paint_empty_hint(painter)
        else:
            image_rect = self.image_rect_in_view()
            for rect in _paint_rects(event):
                self._paint_rect(painter, QRectF(rect), image_rect)
            self._paint_ants(painter, QRectF(event.rect()))
            self._paint_frame(painter, image_rect, event.rect())
            framing = self.tools.tool("expand")
            if framing is not self.tools.current:
                framing.paint_overlay(painter)  # a pending expansion stays visible with every tool
            self.tools.current.paint_overlay(painter)
        painter.end()
        self.paint_count += 1
        if document is not None:
            document.display_shown()

    def _paint_rect(self, painter: QPainter, rect: QRectF, image_rect: QRectF) -> None:
        painter.fillRect(rect, _BACKGROUND)
        visible = rect.intersected(image_rect)
        if visible.isEmpty():
            return
        document = self._document
        pyramid = self._pyramid()
        assert document is not None and pyramid is not None
        s = self.scale()
        zoom = self._zoom
        smooth = zoom < 1.0 or (zoom < 2.0 and not math.isclose(zoom, 1.0))
        # Image pixels under the dirty rectangle, plus a margin so bilinear filtering at the
        # edge of a partial repaint reads the same neighbours as a full repaint would.
        margin = 2 if smooth else 0
        ix0 = max(0, math.floor((visible.left() + self._pan.x()) / s) - margin)
        iy0 = max(0, math.floor((visible.top() + self._pan.y()) / s) - margin)
        ix1 = min(document.width, math.ceil((visible.right() + self._pan.x()) / s) + margin)
        iy1 = min(document.height, math.ceil((visible.bottom() + self._pan.y()) / s) + margin)
        if ix1 <= ix0 or iy1 <= iy0:
            return
        target = QRectF(ix0 * s - self._pan.x(), iy0 * s - self._pan.y(), (ix1 - ix0) * s, (iy1 - iy0) * s)
        level = self._draw_level(pyramid)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        painter.setClipRect(visible)
        if self._mask_only:
            painter.fillRect(visible, Qt.GlobalColor.black)
            self._draw_mask(painter, pyramid, level, (ix0, iy0, ix1, iy1), gray=True)
        else:
            if document.has_alpha:
                painter.setBrushOrigin(image_rect.topLeft())
                painter.fillRect(visible, self._checker)
            drawn, image = pyramid.image_for(level)
            if drawn != level:  # a coarser level stands in while the loader makes this one
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            fx, fy = pyramid.image_scale(drawn)
            painter.drawImage(target, image, QRectF(ix0 / fx, iy0 / fy, (ix1 - ix0) / fx, (iy1 - iy0) / fy))
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
            if self._mask_visible and self._overlay_opacity > 0:
                self._draw_mask(painter, pyramid, level, (ix0, iy0, ix1, iy1), gray=False)
        if zoom >= _GRID_ZOOM:
            self._paint_grid(painter, ix0, iy0, ix1, iy1)
        painter.setClipping(False)

    def _draw_mask(self, painter: QPainter, pyramid: DisplayPyramid, level: int, area: tuple[int, int, int, int], *, gray: bool) -> None:
        """Draw the mask over `area` (image pixels), only where it may be non-zero.

        Most masks cover a small part of the picture; skipping the empty rest keeps full
        repaints (pan, zoom) cheap. A margin of two level pixels of zeros around the painted
        part makes the filtered edge identical to drawing everything.
        """
        painted = pyramid.painted
        if self._preview is not None:  # a preview may paint anywhere
            painted = (0, 0, pyramid.document.width, pyramid.document.height)
        if painted is None:
            return
        f = 1 << level
        pad = 2 * f
        x0, y0 = max(area[0], painted[0] - pad), max(area[1], painted[1] - pad)
        x1, y1 = min(area[2], painted[2] + pad), min(area[3], painted[3] + pad)
        if x1 <= x0 or y1 <= y0:
            return
        x0, y0 = (x0 // f) * f, (y0 // f) * f  # whole level pixels
        mask = pyramid.mask(level) if self._preview is None else self._preview_level(level)
        s = self.scale()
        target = QRectF(x0 * s - self._pan.x(), y0 * s - self._pan.y(), (x1 - x0) * s, (y1 - y0) * s)
        source = QRectF(x0 / f, y0 / f, (x1 - x0) / f, (y1 - y0) / f)
        painter.drawImage(target, mask.gray if gray else mask.overlay, source)

    def _paint_grid(self, painter: QPainter, ix0: int, iy0: int, ix1: int, iy1: int) -> None:
        """Faint pixel boundaries when zoomed far in, so single pixels can be aimed at."""
        pen = QPen(QColor(128, 128, 128, 70), 0)
        painter.setPen(pen)
        s = self.scale()
        top, bottom = iy0 * s - self._pan.y(), iy1 * s - self._pan.y()
        left, right = ix0 * s - self._pan.x(), ix1 * s - self._pan.x()
        for x in range(ix0, ix1 + 1):
            vx = x * s - self._pan.x()
            painter.drawLine(QPointF(vx, top), QPointF(vx, bottom))
        for y in range(iy0, iy1 + 1):
            vy = y * s - self._pan.y()
            painter.drawLine(QPointF(left, vy), QPointF(right, vy))

    def _paint_frame(self, painter: QPainter, image_rect: QRectF, dirty: QRect) -> None:
        """A hairline and a soft shadow around the image, so it sits on the background like paper."""
        frame = image_rect.adjusted(-0.5, -0.5, 0.5, 0.5)
        area = QRectF(dirty)
        reach = len(_SHADOW_ALPHAS) + 1
        if not area.intersects(frame.adjusted(-reach, -reach, reach, reach)) or frame.adjusted(1, 1, -1, -1).contains(area):
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for i, alpha in enumerate(_SHADOW_ALPHAS, start=1):
            painter.setPen(QPen(QColor(0, 0, 0, alpha), 0))
            painter.drawRect(frame.adjusted(-i, -i + 1, i, i + 1))
        painter.setPen(QPen(QColor(0, 0, 0, 150), 0))
        painter.drawRect(frame)

    def _paint_empty_hint(self, painter: QPainter) -> None:
        rect = QRectF(self.viewport().rect())
        painter.setPen(QColor(150, 155, 162))
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        painter.setFont(font)
        painter.drawText(
            rect,
            Qt.AlignmentFlag.AlignCenter,
            "Open an image to start painting its mask\n\nCtrl+O to open  ·  drop a file here  ·  Ctrl+V to paste",
        )

    # -- input --------------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DevicePixelRatioChange, QEvent.Type.ScreenChangeInternal, QEvent.Type.Show):
            self._refresh_dpr()
        if kind == QEvent.Type.ShortcutOverride:
            tool = self.tools.current
            key = event.key()  # type: ignore[attr-defined]
            lasso_key = (
                isinstance(tool, LassoTool)
                and tool.is_drawing()
                and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Backspace)
            )
            if tool.is_busy() or lasso_key or self._pan_from is not None or self._resize_button is not None:
                event.accept()  # no shortcut may change the mask under a stroke in progress
                return True
        return super().event(event)

    def _pointer(self, pos: QPointF, button, buttons, modifiers, pressure: float | None = None) -> Pointer:
        return Pointer(QPointF(pos), self.map_to_image(pos), button, buttons, modifiers, pressure)

    def _press(self, pos: QPointF, button, buttons, modifiers, pressure: float | None) -> None:
        tool = self.tools.current
        if self._document is not None and _is_resize_gesture(button, modifiers) and hasattr(tool, "begin_resize"):
            self._resize_button = button
            tool.begin_resize(self._pointer(pos, button, buttons, modifiers, pressure))
            return
        if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space_held):
            self._pan_from = QPointF(pos)
            self._pan_button = button
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if button != Qt.MouseButton.LeftButton or self._document is None:
            return
        self._pressed = True
        self.tools.current.press(self._pointer(pos, button, buttons, modifiers, pressure))

    def _move(self, pos: QPointF, buttons, modifiers, pressure: float | None) -> None:
        if self._resize_button is not None:
            self.tools.current.resize_to(self._pointer(pos, Qt.MouseButton.NoButton, buttons, modifiers, pressure))
            return
        if self._pan_from is not None:
            delta = pos - self._pan_from
            self._pan_from = QPointF(pos)
            self.pan_by(delta.x(), delta.y())
            return
        self._hover = QPointF(pos)
        self._hover_modifiers = modifiers
        self._emit_pointer_pixel()
        if self._document is None:
            return
        pointer = self._pointer(pos, Qt.MouseButton.NoButton, buttons, modifiers, pressure)
        if self._pressed:
            self.tools.current.move(pointer)
        else:
            self.tools.current.hover(pointer)

    def _release(self, pos: QPointF, button, buttons, modifiers, pressure: float | None) -> None:
        if self._resize_button is not None:
            if button == self._resize_button:
                self._resize_button = None
                self.tools.current.end_resize()
                self._hover = QPointF(pos)
                self._refresh_tool_hover()
            return
        if self._pan_from is not None and button == self._pan_button:
            self._pan_from = None
            self._refresh_cursor()
            return
        if button == Qt.MouseButton.LeftButton and self._pressed:
            self._pressed = False
            self.tools.current.release(self._pointer(pos, button, buttons, modifiers, pressure))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press(event.position(), event.button(), event.buttons(), event.modifiers(), None)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._move(event.position(), event.buttons(), event.modifiers(), None)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._release(event.position(), event.button(), event.buttons(), event.modifiers(), None)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._document is not None and not self._space_held:
            self._pressed = True
            self.tools.current.double_click(
                self._pointer(event.position(), event.button(), event.buttons(), event.modifiers())
            )
        else:
            self._press(event.position(), event.button(), event.buttons(), event.modifiers(), None)
        event.accept()

    def _tablet_event(self, event: QTabletEvent) -> None:
        """Pen input: like the mouse, plus pressure, which scales the brush size."""
        pos = event.position()
        pressure = float(event.pressure())
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._press(pos, event.button(), event.buttons(), event.modifiers(), pressure)
        elif kind == QEvent.Type.TabletMove:
            self._move(pos, event.buttons(), event.modifiers(), pressure)
        else:
            self._release(pos, event.button(), event.buttons(), event.modifiers(), pressure)
        event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Ctrl+wheel zooms around the pointer; the wheel alone scrolls (Shift: sideways)."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y() or event.angleDelta().x() or event.pixelDelta().y()
            if delta:
                self.set_zoom(self._zoom * _WHEEL_ZOOM_BASE**delta, event.position())
            event.accept()
            return
        pixel = event.pixelDelta()
        if not pixel.isNull():
            dx, dy = float(pixel.x()), float(pixel.y())
        else:
            angle = event.angleDelta()
            dx, dy = angle.x() / 120.0 * 60.0, angle.y() / 120.0 * 60.0
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and dx == 0:
            dx, dy = dy, 0.0
        self.pan_by(dx, dy)
        event.accept()

    def _modifiers_changed(self, event: QKeyEvent) -> None:
        """Shift, Alt or Ctrl went down or up: tools show what a click would now do (the
        selection mode on the cursor, the brush's straight-line preview) without a mouse move."""
        flag = _MODIFIER_KEYS.get(Qt.Key(event.key()))
        if flag is not None:
            # The event's own modifiers may or may not include the key itself (platforms differ):
            # the key going down sets its flag, going up clears it.
            pressed = event.type() == QEvent.Type.KeyPress
            modifiers = event.modifiers()
            self._hover_modifiers = (modifiers | flag) if pressed else (modifiers & ~flag)
            if not self._pressed:
                self._refresh_tool_hover()
                self._refresh_cursor()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self._modifiers_changed(event)
        if event.key() == Qt.Key.Key_Space:
            if not event.isAutoRepeat() and not self._pressed:
                self._space_held = True
                self._refresh_cursor()
            event.accept()
            return
        if self.tools.current.key_press(event):
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.tools.current.cancel()
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        self._modifiers_changed(event)
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self._refresh_cursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:
        self._space_held = False
        self._refresh_cursor()
        super().focusOutEvent(event)

    def _on_enter(self) -> None:
        # Like other paint programs: the canvas takes the keyboard when the pointer comes over it,
        # so Space, [ and ] work at once, unless the designer is typing in a field.
        focus = QApplication.focusWidget()
        typing = isinstance(focus, (QLineEdit, QAbstractSpinBox, QTextEdit))
        if self.window().isActiveWindow() and not typing:
            self.setFocus(Qt.FocusReason.MouseFocusReason)

    def _on_leave(self) -> None:
        self._hover = None
        if self._last_pixel is not None:
            self._last_pixel = None
            self.pointer_moved.emit(None)
        if not self._pressed:
            self.tools.current.hover(None)

    def _emit_pointer_pixel(self) -> None:
        pixel: QPoint | None = None
        if self._document is not None and self._hover is not None:
            p = self.map_to_image(self._hover)
            x, y = math.floor(p.x()), math.floor(p.y())
            if 0 <= x < self._document.width and 0 <= y < self._document.height:
                pixel = QPoint(x, y)
        if pixel != self._last_pixel:
            self._last_pixel = pixel
            self.pointer_moved.emit(pixel)

    def _refresh_cursor(self) -> None:
        if self._resize_button is not None:
            return
        if self._pan_from is not None:
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        elif self._space_held:
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            self.viewport().setCursor(self.tools.current.cursor())

    def _refresh_tool_hover(self) -> None:
        if self._hover is not None and not self._pressed:
            self.tools.current.hover(self.hover_pointer())


_MODIFIER_KEYS = {
    Qt.Key.Key_Shift: Qt.KeyboardModifier.ShiftModifier,
    Qt.Key.Key_Alt: Qt.KeyboardModifier.AltModifier,
    Qt.Key.Key_Control: Qt.KeyboardModifier.ControlModifier,
    Qt.Key.Key_Meta: Qt.KeyboardModifier.MetaModifier,
}


def _preview_mask_level(pixels: np.ndarray, level: int, size: tuple[int, int], color_table: list[int]) -> MaskLevel:
    """A mask preview at a display level (area-averaged like the pyramid). Safe on any thread."""
    width, height = size
    if level:
        pixels = cv2.resize(pixels, (width, height), interpolation=cv2.INTER_AREA)
    buffer, view = allocate_mask_buffer(width, height)
    view[:] = pixels
    return MaskLevel.wrap(buffer, width, color_table)


def _is_resize_gesture(button: Qt.MouseButton, modifiers: Qt.KeyboardModifier) -> bool:
    """Alt+right-drag resizes the brush as in Photoshop and Krita; Ctrl+Alt+drag does too (the
    macOS way, Ctrl being Meta to Qt there, and for one-button mice)."""
    alt = bool(modifiers & Qt.KeyboardModifier.AltModifier)
    ctrl = bool(modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier))
    return alt and (button == Qt.MouseButton.RightButton or (button == Qt.MouseButton.LeftButton and ctrl))


def _paint_rects(event: QPaintEvent) -> list[QRect]:
    """The rectangles to draw for a paint event: its region's, or just their bounding box when
    they mostly overlap it (a stroke segment and the brush outline around the same spot), since
    each separate draw has a fixed cost and the painter clips to the region anyway."""
    rects = list(event.region())
    if len(rects) <= 1:
        return rects
    bound = event.rect()
    covered = sum(r.width() * r.height() for r in rects)
    if bound.width() * bound.height() <= 1.5 * covered + 4096:
        return [bound]
    return rects


class _Viewport(QWidget):
    """The canvas's viewport: passes pen and enter/leave events on to the view.

    QAbstractScrollArea forwards mouse, wheel and paint events of its viewport to the view's
    handlers but not tablet or enter/leave events; a viewport subclass receives exactly those,
    without a Python filter on every event the canvas gets.
    """

    def __init__(self, view: CanvasView):
        super().__init__()
        self._view = view

    def tabletEvent(self, event: QTabletEvent) -> None:
        self._view._tablet_event(event)

    def enterEvent(self, event) -> None:
        self._view._on_enter()
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        self._view._on_leave()
        super().leaveEvent(event)


def _constrain_axis(pan: float, content: float, view: float) -> float:
    if content <= view:
        return -(view - content) / 2.0
    keep = min(_KEEP_VISIBLE, content, view)
    return max(-(view - keep), min(content - keep, pan))


def _checker_brush() -> QBrush:
    """The grey checkerboard shown under transparent pixels."""
    size = 8
    pixmap = QPixmap(2 * size, 2 * size)
    pixmap.fill(QColor(102, 102, 102))
    painter = QPainter(pixmap)
    painter.fillRect(0, 0, size, size, QColor(153, 153, 153))
    painter.fillRect(size, size, size, size, QColor(153, 153, 153))
    painter.end()
    return QBrush(pixmap)


