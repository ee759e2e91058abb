"""The drawing surface of the compare view: a shared viewport and the panes that paint through it.

A `Viewport` holds the zoom and the image point at the centre of the view, and both panes of the
side-by-side mode read the same one, so zooming or panning either moves both identically (the
sync is by construction, not by copying numbers back and forth). `ImageLevels` keeps half-size
copies of an image so a 4K photo shown at a third of its size is drawn from an area-averaged
level (smooth, no shimmer, few pixels read) and above 100% from the full image without
interpolation, so single pixels stay crisp. Panes draw only what is visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from PIL import Image
from PySide6.QtCore import (
    QLineF,
    QObject,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from desktop_editor.ui.common.conversions import half, pil_from_qimage, pil_region, qimage_from_pil, qimage_with_patch

MIN_ZOOM = 0.02
MAX_ZOOM = 32.0
_MIN_LEVEL_EDGE = 128
_BACKGROUND = QColor(24, 25, 28)
_ACCENT = QColor(214, 128, 28, 235)  # "you are looking at the original", where the result is expected
_DISPLAY_FORMATS = (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32_Premultiplied)


# ----- image levels ---------------------------------------------------------------------------


class ImageLevels:
    """An image and its half, quarter, ... copies, for drawing at any zoom.

    Building the copies of a 4K image takes tens of milliseconds, so `build()` is meant for a
    worker thread; until it is done a view uses `ImageLevels(image)` (the full image only) and
    draws zoomed-out views with the fast transformation.
    """

    def __init__(self, image: QImage, smaller: list[QImage] | None = None):
        self.levels: list[QImage] = [image, *(smaller or [])]
        # The picture scaled to exactly the shown zoom (below 100%), made on a worker: drawing
        # it is a plain copy, where scaling a level on every paint costs the GUI thread 10-20 ms.
        self._exact: tuple[float, QImage] | None = None
        self.requested_zoom: float | None = None
        self.version = 0  # moves on whenever the pixels change (a mix being painted)

    def invalidate(self) -> None:
        """The pixels changed in place: the copy scaled to the zoom is stale and is made again
        once the painting rests; until then the levels are drawn directly."""
        self.version += 1
        self._exact = None
        self.requested_zoom = None

    @classmethod
    def build(cls, image: QImage, size: QSize | None = None) -> ImageLevels:
        """All levels of `image` (first scaled to `size` if given), in a display format.

        For worker threads: the pixel work is Pillow's, which lets the GUI thread run
        (see compare_imaging); Qt's own scaling would hold the GIL throughout.
        """
        pil = pil_from_qimage(image, premultiplied=True)
        base: QImage | None = image if image.format() in _DISPLAY_FORMATS else None
        if size is not None and (pil.width, pil.height) != (size.width(), size.height()):
            pil = pil.resize((size.width(), size.height()), Image.Resampling.BICUBIC)
            base = None
        return cls.from_pil(pil, base)

    @classmethod
    def from_pil(cls, pil: Image.Image, base: QImage | None = None) -> ImageLevels:
        """Levels of a Pillow image; `base` is its QImage if one exists already."""
        levels = [base if base is not None else qimage_from_pil(pil)]
        while min(pil.width, pil.height) >= 2 * _MIN_LEVEL_EDGE:
            pil = half(pil)
            levels.append(qimage_from_pil(pil))
        return cls(levels[0], levels[1:])

    @classmethod
    def patched(cls, levels: ImageLevels, image: QImage, rect: tuple[int, int, int, int]) -> ImageLevels | None:
        """The levels of `image`, an opaque picture equal to `levels.image` outside `rect`.

        Each smaller level is the old one with only the part under `rect` halved again from the
        new level above: the same 2x2 averages `from_pil` makes, over a patch instead of the
        frame (a result whose mask covers a tenth of a 24 MP photo: tens of milliseconds, not a
        full rebuild). None when `levels` are incomplete, not opaque or not of `image`'s size.
        For worker threads.
        """
        base = levels.levels[0]
        if not levels.complete or image.size() != base.size() or image.format() != QImage.Format.Format_RGB32 \
                or base.format() != QImage.Format.Format_RGB32:
            return None
        out = [image]
        x0, y0, x1, y1 = rect
        for old in levels.levels[1:]:
            above = out[-1]
            # The blocks of the level above that hold the change, aligned to the 2x2 grid.
            x0, y0 = x0 - x0 % 2, y0 - y0 % 2
            x1, y1 = min(above.width(), x1 + x1 % 2), min(above.height(), y1 + y1 % 2)
            region = pil_region(above, (x0, y0, x1, y1)) if x1 > x0 and y1 > y0 else None
            if region is None:
                return None
            patch = half(region)
            x0, y0 = x0 // 2, y0 // 2
            x1, y1 = x0 + patch.width, y0 + patch.height
            level = qimage_with_patch(old, patch, (x0, y0))
            if level is None:
                return None
            out.append(level)
        return cls(out[0], out[1:])

    def exact_for(self, zoom: float) -> QImage | None:
        """The copy scaled to exactly `zoom`, if it has been made."""
        if self._exact is not None and abs(self._exact[0] - zoom) < 1e-9:
            return self._exact[1]
        return None

    def set_exact(self, zoom: float, image: QImage) -> None:
        self._exact = (zoom, image)

    def make_exact(self, zoom: float, dpr: float = 1.0) -> QImage:
        """The whole picture at `zoom` (device pixels per image pixel), high quality (Lanczos
        from the nearest larger level). For worker threads."""
        level, _sx, _sy = self.pick(zoom)
        base = self.levels[0]
        size = (max(1, round(base.width() * zoom)), max(1, round(base.height() * zoom)))
        pil = pil_from_qimage(level, premultiplied=True).resize(size, Image.Resampling.LANCZOS)
        image = qimage_from_pil(pil)
        image.setDevicePixelRatio(dpr)
        return image

    @property
    def complete(self) -> bool:
        """Whether the smaller levels exist (or none are needed)."""
        base = self.levels[0]
        return len(self.levels) > 1 or min(base.width(), base.height()) < 2 * _MIN_LEVEL_EDGE

    @property
    def image(self) -> QImage:
        return self.levels[0]

    def size(self) -> QSize:
        return self.levels[0].size()

    def pick(self, zoom: float) -> tuple[QImage, float, float]:
        """The level to draw at `zoom` (device pixels per image pixel) and its x/y scale.

        The smallest level still at least as large as the displayed size, so drawing only ever
        shrinks by less than 2x (bilinear stays clean) or enlarges the full image.
        """
        index = 0
        if zoom < 1.0:
            index = min(len(self.levels) - 1, int(math.floor(math.log2(1.0 / zoom) + 1e-9)))
        level = self.levels[index]
        base = self.levels[0]
        return level, level.width() / base.width(), level.height() / base.height()


# ----- viewport -------------------------------------------------------------------------------


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


# ----- panes ----------------------------------------------------------------------------------


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


@lru_cache(maxsize=16)
def _brush_sprite(radius: float, dpr: float) -> QImage | None:
    if radius > 600:
        return None
    size = int(math.ceil(2 * (max(radius, 6.0) + 4) * dpr))
    size += size % 2
    sprite = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    sprite.setDevicePixelRatio(dpr)
    sprite.fill(Qt.GlobalColor.transparent)
    painter = QPainter(sprite)
    half = size / dpr / 2
    _paint_brush(painter, QPointF(half, half), radius)
    painter.end()
    return sprite


def _paint_brush(painter: QPainter, c: QPointF, r: float) -> None:
    """The real brush size: a dark and a light circle (visible on any picture) and a centre cross."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for colour, width in ((QColor(0, 0, 0, 150), 3.0), (QColor(255, 255, 255, 230), 1.2)):
        painter.setPen(QPen(colour, width))
        if r >= 3:
            painter.drawEllipse(c, r, r)
        painter.drawLine(QLineF(c.x() - 4, c.y(), c.x() + 4, c.y()))
        painter.drawLine(QLineF(c.x(), c.y() - 4, c.x(), c.y() + 4))
    painter.restore()


def _checkerboard() -> QBrush:
    tile = QPixmap(16, 16)
    tile.fill(QColor(70, 70, 74))
    painter = QPainter(tile)
    painter.fillRect(0, 0, 8, 8, QColor(100, 100, 105))
    painter.fillRect(8, 8, 8, 8, QColor(100, 100, 105))
    painter.end()
    return QBrush(tile)


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
            self._draw_centered_text(painter, content.empty_text, muted=True)
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
            self._draw_centered_text(painter, content.busy_text)
        if content.crosshair:
            self._draw_crosshair(painter)
        # Labels sit in the corners of the picture (not of the pane), clipped to their side.
        visible = self.image_rect().intersected(QRectF(self.rect()))
        if content.painter is not None and not clip.intersects(QRectF(visible.left(), visible.top(), visible.width(), 64)):
            content = PaneContent(left=content.left, painter=content.painter)  # a brush dab far from the label
        if content.right is not None:
            x = self.divider_x()
            self._draw_divider(painter, visible)
            self._draw_label(painter, content.left_label, visible.intersected(QRectF(0, 0, x, self.height())), left=True)
            self._draw_label(
                painter, content.right_label, visible.intersected(QRectF(x, 0, self.width() - x, self.height())), left=False
            )
        elif content.left_label:
            self._draw_label(painter, content.left_label, visible, left=True, accent=content.accent_label)
        if content.painter is not None and self._brush_at is not None and not content.busy_text:
            self._draw_brush(painter, self._brush_at)
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

    def _draw_brush(self, painter: QPainter, c: QPointF) -> None:
        """The brush outline, drawn once per size into a sprite: stroking anti-aliased circles on
        every mouse move would cost the GUI thread a fraction of a millisecond each time."""
        dpr = self.dpr()
        sprite = _brush_sprite(round(self.brush_radius(), 1), dpr)
        if sprite is None:
            _paint_brush(painter, c, self.brush_radius())
            return
        half = sprite.width() / dpr / 2
        painter.drawImage(QPointF(c.x() - half, c.y() - half), sprite)

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
                self._checker = _checkerboard()
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
                self._checker = _checkerboard()
            painter.fillRect(target, self._checker)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(target, exact, source)
        painter.restore()
        return True

    def _draw_divider(self, painter: QPainter, visible: QRectF) -> None:
        """The wipe line over the picture's height, with a round grip in the middle of what is visible."""
        x = self.divider_x()
        top, bottom = (visible.top(), visible.bottom()) if not visible.isEmpty() else (0.0, float(self.height()))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(QRectF(x - 2, top, 4, bottom - top), QColor(0, 0, 0, 90))  # keeps the line visible on white
        painter.fillRect(QRectF(x - 1, top, 2, bottom - top), QColor(250, 250, 250))
        radius = 17.0
        center = QPointF(x, (top + bottom) / 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 70))
        painter.drawEllipse(center + QPointF(0, 1.5), radius + 2, radius + 2)
        painter.setBrush(QColor(250, 250, 250))
        painter.drawEllipse(center, radius, radius)
        painter.setBrush(QColor(45, 47, 52))
        for direction in (-1, 1):
            tip = center.x() + direction * 10.5
            base = center.x() + direction * 3.5
            painter.drawPolygon(
                QPolygonF([QPointF(tip, center.y()), QPointF(base, center.y() - 5.5), QPointF(base, center.y() + 5.5)])
            )
        painter.restore()

    def _draw_label(self, painter: QPainter, text: str, area: QRectF, *, left: bool, accent: bool = False) -> None:
        """A small dark pill in the top corner of `area`, clipped to it (the wipe can cover it)."""
        if not text or area.width() <= 0:
            return
        painter.save()
        painter.setClipRect(area)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPointSizeF(max(8.0, font.pointSizeF() * 0.95))
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        pad_x, pad_y, margin = 9.0, 4.0, 12.0
        w = metrics.horizontalAdvance(text) + 2 * pad_x
        h = metrics.height() + 2 * pad_y
        x = area.left() + margin if left else area.right() - margin - w
        pill = QRectF(x, area.top() + margin, w, h)
        path = QPainterPath()
        path.addRoundedRect(pill, h / 2, h / 2)
        painter.fillPath(path, _ACCENT if accent else QColor(16, 17, 20, 185))
        painter.setPen(QColor(245, 245, 247))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def _draw_centered_text(self, painter: QPainter, text: str, *, muted: bool = False) -> None:
        if not text:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetricsF(self.font())
        w = metrics.horizontalAdvance(text) + 28
        h = metrics.height() + 14
        box = QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)
        if not muted:
            path = QPainterPath()
            path.addRoundedRect(box, 8, 8)
            painter.fillPath(path, QColor(16, 17, 20, 210))
        painter.setPen(QColor(150, 152, 158) if muted else QColor(240, 240, 242))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def _crosshair_point(self) -> QPointF | None:
        vp = self.viewport
        if vp.hover is None or vp.hover_source is self:
            return None
        return self.image_to_widget(vp.hover)

    def _draw_crosshair(self, painter: QPainter) -> None:
        point = self._crosshair_point()
        if point is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for colour, width in ((QColor(0, 0, 0, 150), 3.0), (QColor(255, 255, 255, 230), 1.2)):
            painter.setPen(QPen(colour, width))
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                painter.drawLine(QLineF(point + QPointF(4 * dx, 4 * dy), point + QPointF(11 * dx, 11 * dy)))
        painter.restore()

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

