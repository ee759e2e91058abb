"""Drawing of the canvas: the image's display levels, the mask overlay, clipping to what changed.

Drawing follows Qt's scribble example: a change repaints only the rectangle it touched, and
paintEvent draws only the region it is asked for. The image is drawn from a mip-map level
(smooth zoomed out, nearest-neighbour zoomed in so single pixels stay crisp) and the mask from
an Indexed8 view sharing the mask's memory, whose colour table turns mask values straight into
the overlay colour and opacity: no per-frame conversion, and colour changes are free.

A mixin of `CanvasView` so the paint path stays exactly the view's own paintEvent, with no
call between Qt and the drawing beyond what it had before the split. It owns the overlay
settings and the mask preview; zoom and pan come from `CanvasNavigation`, the ants and tool
feedback from `CanvasOverlays`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QAbstractScrollArea

from desktop_editor.core.opencv import cv2
from desktop_editor.ui.canvas.pyramid import DisplayPyramid, MaskLevel
from desktop_editor.ui.common.imaging import allocate_mask_buffer, overlay_color_table

if TYPE_CHECKING:
    from desktop_editor.ui.models.document import Document

    _ScrollArea = QAbstractScrollArea  # what the mixin is mixed into, for type checkers
else:
    _ScrollArea = object

DEFAULT_OVERLAY_COLOR = QColor(98, 92, 255)
DEFAULT_OVERLAY_OPACITY = 0.55
_BACKGROUND = QColor(40, 42, 46)
_SHADOW_ALPHAS = (60, 40, 26, 16, 9, 4)
_GRID_ZOOM = 12.0  # show the pixel grid from this zoom on


class CanvasDrawing(_ScrollArea):
    """Paints the canvas: image, mask overlay (or the mask alone), pixel grid, frame."""

    _document: Document | None
    _pyramids: dict[int, DisplayPyramid]
    _zoom: float
    _pan: QPointF
    _device_pixel_ratio: float

    def _init_drawing(self) -> None:
        self._overlay_color = QColor(DEFAULT_OVERLAY_COLOR)
        self._overlay_opacity = DEFAULT_OVERLAY_OPACITY
        self._color_table = overlay_color_table(self._overlay_color, self._overlay_opacity)
        self._mask_visible = True
        self._mask_only = False
        self.paint_count = 0  # paints completed; the benchmark waits on it
        self._checker = _checker_brush()
        # A mask shown instead of the document's (the live preview of grow, shrink, feather).
        self._preview: np.ndarray | None = None
        self._preview_levels: dict[int, MaskLevel] = {}

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
            self._paint_tool_overlays(painter)
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


def _preview_mask_level(pixels: np.ndarray, level: int, size: tuple[int, int], color_table: list[int]) -> MaskLevel:
    """A mask preview at a display level (area-averaged like the pyramid). Safe on any thread."""
    width, height = size
    if level:
        pixels = cv2.resize(pixels, (width, height), interpolation=cv2.INTER_AREA)
    buffer, view = allocate_mask_buffer(width, height)
    view[:] = pixels
    return MaskLevel.wrap(buffer, width, color_table)


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
