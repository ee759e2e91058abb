"""Select object: drag a box around an object, click on it, or scribble over it, and its mask
appears; Select Subject (`select_subject`) does the same for the photo's main subject with no
hint at all.

The object is found on a worker (`core.selection`: colour models and GrabCut on a reduced
copy, the edge refined at full resolution; a click or Select Subject first find the object's
box, `subject`) and combined with the mask as one undo step: Shift adds
the new object to the mask, otherwise the selection mode applies. While that object is the
latest change, scribbles correct it: with Alt over background that should not be selected,
in Scribble mode over parts of the object that were missed. Each correction runs again with
every hint so far and is one more undo step; undoing one goes back to the hints before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QCursor, QKeyEvent, QPainter, QPainterPath, QPen

from desktop_editor.core import mask_ops
from desktop_editor.core.mask_ops import SelectionMode
from desktop_editor.core.selection.common import SelectionError, StopCheck, check
from desktop_editor.core.selection.select_object import (
    ObjectHints,
    Scribble,
    select_object,
)
from desktop_editor.core.selection.subject import find_subject_box
from desktop_editor.ui.canvas.tools.base import _dashed_pens, _draw_badge
from desktop_editor.ui.canvas.tools.host import Pointer, ToolHost
from desktop_editor.ui.canvas.tools.selection import ModeCursorTool
from desktop_editor.ui.canvas.tools.smart import (
    LatestWork,
    PreparedChange,
    photos,
    prepare_change,
)
from desktop_editor.ui.models.smart_settings import OBJECT_BOX, smart_settings
from desktop_editor.ui.models.tool_settings import ToolSettings

if TYPE_CHECKING:
    from desktop_editor.ui.models.document import Document
    from desktop_editor.ui.models.mask_history import MaskEditCommand

DRAG_START = 4.0  # view pixels before a press becomes a box or a scribble
SCRIBBLE_VIEW_RADIUS = 6.0  # a scribble is 12 screen pixels wide, whatever the zoom
_OBJECT_COLOUR = QColor(60, 220, 120)
_BACKGROUND_COLOUR = QColor(255, 80, 80)


@dataclass
class _Session:
    """One object being selected: how it combines with the mask before it, and its steps."""

    document: Document
    mode: SelectionMode
    base: np.ndarray  # the mask before the object
    steps: list[tuple[MaskEditCommand, ObjectHints]] = field(default_factory=list)
    pending: ObjectHints | None = None  # hints of the work in flight


class ObjectSelectTool(ModeCursorTool):
    """Box or scribble an object; Alt+scribble marks background to correct it.

    Signals:
        message(str): something for the status bar (a gesture that needs an object first...).
    """

    tool_id = "object"
    label = "Select Object"
    icon_name = "object_select"
    tip = "Drag a box around an object, click on it, or scribble over it (Alt+scribble: not the object)"

    message = Signal(str)

    def __init__(self, canvas: ToolHost, settings: ToolSettings):
        super().__init__(canvas, settings)
        self.options = smart_settings(settings)
        self.work = LatestWork(self)
        self.work.busy_changed.connect(self._on_busy)
        self._session: _Session | None = None
        self._press_view: QPointF | None = None
        self._modifiers = Qt.KeyboardModifier.NoModifier
        self._gesture = ""  # "box", "object" or "background" scribble, once the drag has started
        self._points: list[QPointF] = []  # image coordinates
        self._dragged = False
        self._shown: list[tuple[str, list[QPointF], float]] = []  # hints drawn while the work runs

    def is_busy(self) -> bool:
        return self._press_view is not None

    # -- input ----------------------------------------------------------------------------------

    def press(self, pointer: Pointer) -> None:
        if self.document() is None:
            return
        self._press_view = QPointF(pointer.view_pos)
        self._modifiers = pointer.modifiers
        alt = bool(pointer.modifiers & Qt.KeyboardModifier.AltModifier)
        if alt:
            self._gesture = "background"
        elif self.options.object_draw == OBJECT_BOX:
            self._gesture = "box"
        else:
            self._gesture = "object"
        self._points = [QPointF(pointer.image_pos)]
        self._dragged = False

    def move(self, pointer: Pointer) -> None:
        if self._press_view is None:
            return
        if not self._dragged and QLineF(self._press_view, pointer.view_pos).length() >= DRAG_START:
            self._dragged = True
        old = self._gesture_rect()
        if self._gesture == "box":
            self._points = [self._points[0], QPointF(pointer.image_pos)]
        else:
            last = self.canvas.map_from_image(self._points[-1])
            if QLineF(last, pointer.view_pos).length() >= 1.5:
                self._points.append(QPointF(pointer.image_pos))
        self.canvas.update_view_rect(old.united(self._gesture_rect()))

    def release(self, pointer: Pointer) -> None:
        if self._press_view is None:
            return
        self.move(pointer)
        old = self._gesture_rect()
        gesture, points, dragged = self._gesture, self._points, self._dragged
        shift = bool(self._modifiers & Qt.KeyboardModifier.ShiftModifier)
        self._press_view, self._gesture, self._points = None, "", []
        self.canvas.update_view_rect(old)
        document = self.document()
        if document is None:
            return
        if gesture == "box":
            if not dragged:  # a click: the object under it
                self._start_click(document, points[0], shift)
                return
            a, b = points[0], points[-1]
            box = (min(a.x(), b.x()), min(a.y(), b.y()), abs(b.x() - a.x()), abs(b.y() - a.y()))
            box = tuple(int(round(v)) for v in box)
            self._start(document, ObjectHints(box=box), shift)  # type: ignore[arg-type]
            self._show("box", [a, b])
            return
        radius = max(1.0, SCRIBBLE_VIEW_RADIUS / max(1e-6, self.canvas.scale()))
        scribble = Scribble(tuple((p.x(), p.y()) for p in points), radius, foreground=gesture == "object")
        hints = None if shift else self._live_hints(document)
        if hints is not None:
            self._correct(hints.with_scribble(scribble))
        elif scribble.foreground:
            self._start(document, ObjectHints(scribbles=(scribble,)), shift)
        else:
            self.message.emit("Select an object first (drag a box or scribble over it), "
                              "then Alt+scribble over what should not be selected.")
            return
        self._show(gesture, points, radius)

    def key_press(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_Escape and (self.work.busy() or self._press_view is not None):
            self.cancel()
            return True
        return False

    def cancel(self) -> None:
        """Stop the work in flight and forget the gesture (what is applied stays)."""
        self.work.cancel()
        if self._session is not None:
            self._session.pending = None
        self._press_view, self._gesture, self._points = None, "", []
        self._show(None)

    # -- sessions ---------------------------------------------------------------------------

    def _live_hints(self, document: Document) -> ObjectHints | None:
        """The hints of the object that corrections apply to: the one in flight, or the one
        whose step is the latest change (after an undo, the step before the undone one)."""
        session = self._session
        if session is None or session.document is not document:
            return None
        if session.pending is not None and self.work.busy():
            return session.pending
        for i in range(len(session.steps) - 1, -1, -1):
            command, hints = session.steps[i]
            if document.is_current_command(command):
                del session.steps[i + 1 :]
                return hints
        self._session = None
        return None

    def live_hints(self) -> ObjectHints | None:
        """What the next correction builds on (None: the next gesture starts a new object)."""
        document = self.document()
        return self._live_hints(document) if document is not None else None

    def select_subject(self) -> bool:
        """Select the photo's main subject, replacing the mask, as one undo step; Alt+scribbles
        then correct it like any object. False when there is no photo."""
        document = self.document()
        if document is None:
            return False
        self._session = _Session(document, SelectionMode.REPLACE, document.mask_array())

        def find(photo, stop: StopCheck) -> ObjectHints:
            return ObjectHints(box=find_subject_box(photo, stop=stop))

        self._correct(ObjectHints(), find, "Select subject")
        self.message.emit("Selecting the subject…")
        return True

    def _start_click(self, document: Document, point: QPointF, shift: bool) -> None:
        """The object under a click: its box found on the worker, the click kept as a scribble."""
        x, y = int(point.x()), int(point.y())
        width, height = document.size.width(), document.size.height()
        if not (0 <= x < width and 0 <= y < height):
            self.message.emit("Click on the object, inside the photo (or drag a box around it).")
            return
        radius = max(1.0, SCRIBBLE_VIEW_RADIUS / max(1e-6, self.canvas.scale()))
        click = Scribble(((float(x), float(y)),), radius)

        def find(photo, stop: StopCheck) -> ObjectHints:
            return ObjectHints(box=find_subject_box(photo, click=(x, y), stop=stop), scribbles=(click,))

        self._session = _Session(document, SelectionMode.ADD if shift else self.settings.selection_mode,
                                 document.mask_array())
        self._correct(ObjectHints(scribbles=(click,)), find)
        self._show("object", [point], radius)

    def _start(self, document: Document, hints: ObjectHints, shift: bool) -> None:
        mode = SelectionMode.ADD if shift else self.settings.selection_mode
        self._session = _Session(document, mode, document.mask_array())
        self._correct(hints)

    def _correct(self, hints: ObjectHints, find: Callable[[np.ndarray, StopCheck], ObjectHints] | None = None,
                 first_text: str = "Select object") -> None:
        """Find the object for `hints` on the worker (or for the hints `find` makes there from
        the photo) and apply it; the hints it was found with are kept for corrections."""
        session = self._session
        assert session is not None
        session.pending = hints
        document = session.document
        before, token = document.mask_array(), document.history_token()

        def work(stop) -> tuple[ObjectHints, PreparedChange]:
            photo = photos.photo(document)
            check(stop)
            found = find(photo, stop) if find is not None else hints
            selected = select_object(photo, found, stop=stop)
            check(stop)
            height, width = selected.shape
            new = mask_ops.apply_selection(session.base, (0, 0, width, height), selected, session.mode)
            return found, prepare_change(before, new)

        first = not session.steps
        text = (first_text if first else "Correct object") + f" ({session.mode.value})"
        self.work.submit(work, lambda done: self._apply(session, done[0], token, done[1], text), self._failed)

    def _apply(self, session: _Session, hints: ObjectHints, token: tuple, change: PreparedChange, text: str) -> None:
        self._show(None)
        session.pending = None
        document = session.document
        if session is not self._session or document.history_token() != token:
            return  # the mask changed while the object was being found: drop it
        if change.payload is None or change.after is None:
            self.message.emit("Select object: the mask did not change.")
            if session.steps:  # the hint still counts for the next correction
                command, _old = session.steps[-1]
                session.steps[-1] = (command, hints)
            return
        command = document.apply_mask_change(change.payload, change.after, text)
        session.steps.append((command, hints))

    def _failed(self, exc: BaseException) -> None:
        self._show(None)
        if self._session is not None:
            self._session.pending = None
        if isinstance(exc, SelectionError):  # NoSubject too: "No clear subject: ..."
            self.message.emit(str(exc))
        else:
            self.message.emit(f"Select object failed: {exc}")

    # -- feedback -----------------------------------------------------------------------------

    def pending_mode(self) -> SelectionMode:
        """What a gesture now would do: Alt marks background (removes), Shift adds a new object,
        otherwise the selection mode applies."""
        if self._held_modifiers & Qt.KeyboardModifier.AltModifier:
            return SelectionMode.SUBTRACT
        if self._held_modifiers & Qt.KeyboardModifier.ShiftModifier:
            return SelectionMode.ADD
        return self.settings.selection_mode

    def shows_busy(self) -> bool:
        return self.work.busy()

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        if self.active:
            self.canvas.viewport().setCursor(QCursor(Qt.CursorShape.BusyCursor) if busy else self.cursor())

    def _show(self, gesture: str | None, points: list[QPointF] | None = None, radius: float = 0.0) -> None:
        """Keep drawing the hint just given while its object is found (None: stop)."""
        old = self._shown_rect()
        self._shown = [] if gesture is None else [(gesture, list(points or []), radius)]
        self.canvas.update_view_rect(old.united(self._shown_rect()))

    def _path_rect(self, gesture: str, points: list[QPointF]) -> QRectF:
        if not points:
            return QRectF()
        view = [self.canvas.map_from_image(p) for p in points]
        xs, ys = [p.x() for p in view], [p.y() for p in view]
        pad = 2 * SCRIBBLE_VIEW_RADIUS + 4 if gesture != "box" else 6
        rect = QRectF(min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)
        return rect.united(QRectF(view[-1].x(), view[-1].y(), 150, 40))  # the badge

    def _gesture_rect(self) -> QRectF:
        return self._path_rect(self._gesture, self._points) if self._press_view is not None else QRectF()

    def _shown_rect(self) -> QRectF:
        rect = QRectF()
        for gesture, points, _radius in self._shown:
            rect = rect.united(self._path_rect(gesture, points))
        return rect

    def paint_overlay(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self._press_view is not None and self._dragged:
            self._paint_hint(painter, self._gesture, self._points)
        for gesture, points, _radius in self._shown:
            self._paint_hint(painter, gesture, points)
            if points:
                end = self.canvas.map_from_image(points[-1])
                _draw_badge(painter, QPointF(end.x() + 10, end.y() + 10), "Selecting object…")

    def _paint_hint(self, painter: QPainter, gesture: str, points: list[QPointF]) -> None:
        if not points:
            return
        view = [self.canvas.map_from_image(p) for p in points]
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if gesture == "box":
            rect = QRectF(view[0], view[-1]).normalized()
            for pen in _dashed_pens():
                painter.setPen(pen)
                painter.drawRect(rect)
            return
        colour = _OBJECT_COLOUR if gesture == "object" else _BACKGROUND_COLOUR
        path = QPainterPath(view[0])
        for p in view[1:]:
            path.lineTo(p)
        if len(view) == 1:
            path.lineTo(view[0] + QPointF(0.01, 0))
        halo = QPen(QColor(0, 0, 0, 120), 2 * SCRIBBLE_VIEW_RADIUS + 2, Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        stroke = QPen(QColor(colour.red(), colour.green(), colour.blue(), 170), 2 * SCRIBBLE_VIEW_RADIUS,
                      Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        for pen in (halo, stroke):
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.drawPath(path)
