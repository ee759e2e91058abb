"""The Crop/Expand tool: frame the canvas by dragging its edges and corners.

Outward adds new area to be generated (shown as a checkerboard, with the overlap band that will
be redone and blended drawn over the original's edge); inward crops. Pressing outside the frame
grabs the nearest edges, so a big expansion starts anywhere around the image. Alt moves the
opposite edge too (around the centre), Shift on a corner keeps the frame's shape. Each drag is
one undo step on the document; typed values, presets and anchors are in the options bar.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QCursor, QKeyEvent, QPainter, QPainterPath, QPen

from desktop_editor.core.expand import MIN_CANVAS_EDGE, Expansion, clamp_overlap
from desktop_editor.jobs.expansion import describe_frame
from desktop_editor.ui.canvas.tools.base import Tool, _dashed_pens, _draw_badge
from desktop_editor.ui.canvas.tools.host import Pointer, ToolHost
from desktop_editor.ui.models.tool_settings import ToolSettings

GRAB_PX = 10.0  # how near an edge (logical px) a press grabs it
HANDLE_PX = 7.0
_CROPPED = QColor(10, 11, 13, 165)
_BAND = QColor(255, 196, 64, 70)
_CURSORS = {
    frozenset("l"): Qt.CursorShape.SizeHorCursor, frozenset("r"): Qt.CursorShape.SizeHorCursor,
    frozenset("t"): Qt.CursorShape.SizeVerCursor, frozenset("b"): Qt.CursorShape.SizeVerCursor,
    frozenset("lt"): Qt.CursorShape.SizeFDiagCursor, frozenset("rb"): Qt.CursorShape.SizeFDiagCursor,
    frozenset("rt"): Qt.CursorShape.SizeBDiagCursor, frozenset("lb"): Qt.CursorShape.SizeBDiagCursor,
}


def frame_rect(expansion: Expansion, width: int, height: int) -> QRectF:
    """The canvas's frame in image pixels (the original spans 0..width, 0..height)."""
    return QRectF(-expansion.left, -expansion.top, width + expansion.left + expansion.right,
                  height + expansion.top + expansion.bottom)


def dragged(start: Expansion, edges: frozenset[str], dx: float, dy: float, width: int, height: int, *,
            symmetric: bool = False, keep_ratio: bool = False) -> Expansion:
    """`start` with the grabbed edges moved by (dx, dy) image pixels, kept to a canvas of at
    least MIN_CANVAS_EDGE a side that still holds some of the original.

    `symmetric` (Alt) moves the opposite edges the same amount, around the centre; `keep_ratio`
    (Shift, on a corner) keeps the frame's shape, the horizontal drag deciding its size.
    """
    left, top, right, bottom = start.sides
    if "l" in edges:
        left = start.left - round(dx)
    if "r" in edges:
        right = start.right + round(dx)
    if "t" in edges:
        top = start.top - round(dy)
    if "b" in edges:
        bottom = start.bottom + round(dy)
    if keep_ratio and len(edges) == 2:
        fw, fh = start.canvas_size(width, height)
        grow_w = (left - start.left) + (right - start.right)
        grow_h = round((fw + grow_w * (2 if symmetric else 1)) * fh / fw) - fh
        if symmetric:
            grow_h = grow_h // 2
        if "t" in edges:
            top = start.top + grow_h
        else:
            bottom = start.bottom + grow_h
    if symmetric:
        if "l" in edges:
            right = start.right + (left - start.left)
        if "r" in edges:
            left = start.left + (right - start.right)
        if "t" in edges:
            bottom = start.bottom + (top - start.top)
        if "b" in edges:
            top = start.top + (bottom - start.bottom)
    # The frame must keep at least MIN_CANVAS_EDGE px of the original on each axis.
    left = max(left, -(width - MIN_CANVAS_EDGE - max(0, -right)))
    right = max(right, -(width - MIN_CANVAS_EDGE - max(0, -left)))
    top = max(top, -(height - MIN_CANVAS_EDGE - max(0, -bottom)))
    bottom = max(bottom, -(height - MIN_CANVAS_EDGE - max(0, -top)))
    return Expansion(left, top, right, bottom)


class ExpandTool(Tool):
    tool_id = "expand"
    label = "Crop/Expand"
    icon_name = "expand_canvas"
    tip = "Drag the frame out to expand the canvas (generated), or in to crop"

    def __init__(self, canvas: ToolHost, settings: ToolSettings):
        super().__init__(canvas, settings)
        self._edges: frozenset[str] = frozenset()
        self._origin: QPointF | None = None
        self._start = Expansion()
        self.live: Expansion | None = None  # the frame while dragging, not yet a step on the document

    # -- state ------------------------------------------------------------------------------

    def frame(self) -> Expansion:
        """The frame shown: the live drag, else the document's."""
        if self.live is not None:
            return self.live
        document = self.document()
        return document.expansion if document is not None and document.expansion is not None else Expansion()

    def is_busy(self) -> bool:
        return self._origin is not None

    def activate(self) -> None:
        super().activate()
        self.canvas.viewport().update()  # the handles appear

    def deactivate(self) -> None:
        super().deactivate()
        self.canvas.viewport().update()  # the handles go; a pending frame stays drawn

    def _view_frame(self) -> QRectF | None:
        document = self.document()
        if document is None:
            return None
        rect = frame_rect(self.frame(), document.width, document.height)
        top_left = self.canvas.map_from_image(rect.topLeft())
        bottom_right = self.canvas.map_from_image(rect.bottomRight())
        return QRectF(top_left, bottom_right)

    def edges_at(self, view_pos: QPointF) -> frozenset[str]:
        """The frame edges a press at `view_pos` grabs: those within reach, or from outside the
        frame the sides it lies beyond."""
        rect = self._view_frame()
        if rect is None:
            return frozenset()
        x, y = view_pos.x(), view_pos.y()
        edges = set()
        inside_x = rect.left() - GRAB_PX <= x <= rect.right() + GRAB_PX
        inside_y = rect.top() - GRAB_PX <= y <= rect.bottom() + GRAB_PX
        if inside_y and abs(x - rect.left()) <= GRAB_PX or x < rect.left():
            edges.add("l")
        elif inside_y and abs(x - rect.right()) <= GRAB_PX or x > rect.right():
            edges.add("r")
        if inside_x and abs(y - rect.top()) <= GRAB_PX or y < rect.top():
            edges.add("t")
        elif inside_x and abs(y - rect.bottom()) <= GRAB_PX or y > rect.bottom():
            edges.add("b")
        return frozenset(edges)

    # -- pointer ----------------------------------------------------------------------------

    def cursor(self) -> QCursor:
        return QCursor(_CURSORS.get(self._edges, Qt.CursorShape.ArrowCursor))

    def hover(self, pointer: Pointer | None) -> None:
        if self._origin is not None:
            return
        edges = self.edges_at(pointer.view_pos) if pointer is not None else frozenset()
        if edges != self._edges:
            self._edges = edges
            self.canvas.viewport().setCursor(self.cursor())

    def press(self, pointer: Pointer) -> None:
        document = self.document()
        if document is None or pointer.button != Qt.MouseButton.LeftButton:
            return
        edges = self.edges_at(pointer.view_pos)
        if not edges:
            return
        self._edges = edges
        self._origin = QPointF(pointer.image_pos)
        self._start = self.frame()
        self.live = self._start
        self.canvas.viewport().setCursor(self.cursor())

    def move(self, pointer: Pointer) -> None:
        document = self.document()
        if self._origin is None or document is None:
            self.hover(pointer)
            return
        dx = pointer.image_pos.x() - self._origin.x()
        dy = pointer.image_pos.y() - self._origin.y()
        mods = pointer.modifiers
        self.live = dragged(self._start, self._edges, dx, dy, document.width, document.height,
                            symmetric=bool(mods & Qt.KeyboardModifier.AltModifier),
                            keep_ratio=bool(mods & Qt.KeyboardModifier.ShiftModifier))
        self.canvas.viewport().update()

    def release(self, pointer: Pointer) -> None:
        document = self.document()
        if self._origin is None or document is None:
            return
        self.move(pointer)
        live = self.live
        self._origin, self.live = None, None
        if live is not None:
            grows = any(v > s for v, s in zip(live.sides, self._start.sides))
            document.set_expansion(live, text="Expand Canvas" if grows else "Crop Canvas")
        self.canvas.viewport().update()

    def key_press(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_Escape and self._origin is not None:
            self.cancel()
            return True
        return False

    def cancel(self) -> None:
        if self._origin is not None:
            self._origin, self.live = None, None
            self.canvas.viewport().update()

    # -- feedback ---------------------------------------------------------------------------

    def paint_overlay(self, painter: QPainter) -> None:
        """The frame: new area as a checkerboard, cropped area darkened, the overlap band tinted.
        The canvas draws it with any tool while a frame is pending; handles only with this one."""
        document = self.document()
        if document is None:
            return
        exp = self.frame()
        if exp.is_identity and not self.active:
            return  # nothing to draw: asked on every repaint, with every tool, brush dabs too
        rect = self._view_frame()
        if rect is None:
            return
        image = QRectF(self.canvas.map_from_image(QPointF(0, 0)),
                       self.canvas.map_from_image(QPointF(document.width, document.height)))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        new_area = QPainterPath()
        new_area.addRect(rect)
        original = QPainterPath()
        original.addRect(image)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrushOrigin(image.topLeft())
        painter.fillPath(new_area.subtracted(original), _checker())
        painter.fillPath(original.subtracted(new_area), _CROPPED)
        self._paint_band(painter, exp, image, rect, document.width, document.height)
        if not exp.is_identity or self.active:
            dark, light = _dashed_pens()
            for pen in (dark, light):
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect)
            if self.active:
                self._paint_handles(painter, rect)
        if not exp.is_identity and self.active:
            cw, ch = exp.canvas_size(document.width, document.height)
            text = f"{cw} x {ch}   ({exp.left:+d} {exp.top:+d} {exp.right:+d} {exp.bottom:+d})"
            if self.live is None:  # the plan needs a search over sizes: not on every move of a drag
                line, _ok = describe_frame(document.width, document.height, exp, document.expand_overlap)
                text = f"{text}   {line}"
            above = rect.top() - 30.0
            _draw_badge(painter, QPointF(rect.left() + (0.0 if above >= 4.0 else 10.0),
                                         above if above >= 4.0 else rect.top() + 10.0), text,
                        within=QRectF(self.canvas.viewport().rect()))  # the drag repaints it all
        painter.restore()

    def _paint_band(self, painter: QPainter, exp: Expansion, image: QRectF, frame: QRectF,
                    width: int, height: int) -> None:
        """The overlap band: the strip of the original that will be redone and blended."""
        overlap = self.document().expand_overlap if self.document() is not None else 0
        n = clamp_overlap(width, height, exp, overlap) * self.canvas.scale()
        if n <= 0:
            return
        kept = image.intersected(frame)
        strips = []
        if exp.left > 0:
            strips.append(QRectF(kept.left(), kept.top(), n, kept.height()))
        if exp.right > 0:
            strips.append(QRectF(kept.right() - n, kept.top(), n, kept.height()))
        if exp.top > 0:
            strips.append(QRectF(kept.left(), kept.top(), kept.width(), n))
        if exp.bottom > 0:
            strips.append(QRectF(kept.left(), kept.bottom() - n, kept.width(), n))
        for strip in strips:
            painter.fillRect(strip, _BAND)

    def _paint_handles(self, painter: QPainter, rect: QRectF) -> None:
        h = HANDLE_PX
        painter.setPen(QPen(QColor(0, 0, 0, 200), 1.0))
        painter.setBrush(QColor(255, 255, 255))
        xs = (rect.left(), rect.center().x(), rect.right())
        ys = (rect.top(), rect.center().y(), rect.bottom())
        for i, x in enumerate(xs):
            for j, y in enumerate(ys):
                if i == 1 and j == 1:
                    continue
                painter.drawRect(QRectF(x - h / 2, y - h / 2, h, h))


_CHECKER = None


def _checker():
    """The grey checkerboard of new, not yet generated area (made once, after the app exists)."""
    global _CHECKER
    if _CHECKER is None:
        from PySide6.QtGui import QBrush, QPixmap

        size = 8
        pixmap = QPixmap(2 * size, 2 * size)
        pixmap.fill(QColor(112, 112, 112))
        p = QPainter(pixmap)
        p.fillRect(0, 0, size, size, QColor(160, 160, 160))
        p.fillRect(size, size, size, size, QColor(160, 160, 160))
        p.end()
        _CHECKER = QBrush(pixmap)
    return _CHECKER
