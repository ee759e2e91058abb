"""Input on the canvas and hosting of the mask tools: pointer, pen, wheel and keys in, tool
calls and cursor out.

Mouse and pen events become `Pointer`s in both coordinate systems and go to the current tool;
the middle button or Space+drag pans, Ctrl+wheel zooms around the pointer, Alt+right-drag
resizes the brush. While a stroke or a drag is in progress no shortcut may change the mask.

A mixin of `CanvasView`: a stroke event reaches the tool through one method of the view, as
before the split (strokes must stay under 2 ms). It also gives the tools the `ToolHost`
methods that are about the pointer (`hover_pointer`, `update_view_rect`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QFocusEvent, QHideEvent, QKeyEvent, QMouseEvent, QTabletEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
)

from desktop_editor.core import cpu
from desktop_editor.ui.canvas.tools import LassoTool, Pointer, ToolBox

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from desktop_editor.ui.models.document import Document

    _ScrollArea = QAbstractScrollArea  # what the mixin is mixed into, for type checkers
else:
    _ScrollArea = object

_WHEEL_ZOOM_BASE = 1.0015  # per 1/8 degree of wheel: one notch (120) zooms about 20%


class CanvasInput(_ScrollArea):
    """Feeds pointer, pen, wheel and key input to the tools, the pan and the zoom."""

    _document: Document | None
    _zoom: float
    tools: ToolBox
    pointer_moved: SignalInstance

    def _init_input(self) -> None:
        self._hover: QPointF | None = None
        self._hover_modifiers = Qt.KeyboardModifier.NoModifier
        self._pressed = False
        self._pan_from: QPointF | None = None
        self._pan_button = Qt.MouseButton.NoButton
        self._resize_button: Qt.MouseButton | None = None  # the button of a brush resize drag
        self._space_held = False
        self._last_pixel: QPoint | None = None

    # -- what the tools see of the pointer ---------------------------------------------------------

    def hover_pointer(self) -> Pointer | None:
        """The pointer as the tools see it, if it is over the canvas."""
        if self._hover is None or self._document is None:
            return None
        return Pointer(self._hover, self.map_to_image(self._hover), modifiers=self._hover_modifiers)

    def update_view_rect(self, rect: QRectF) -> None:
        """Repaint a part of the viewport (tools call this for their on-canvas feedback)."""
        if rect.isValid():
            self.viewport().update(rect.toAlignedRect().adjusted(-1, -1, 1, 1))

    # -- events -------------------------------------------------------------------------------------

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

    def _pointer(self, pos: QPointF, button: Qt.MouseButton, buttons: Qt.MouseButton, modifiers: Qt.KeyboardModifier,
                 pressure: float | None = None) -> Pointer:
        return Pointer(QPointF(pos), self.map_to_image(pos), button, buttons, modifiers, pressure)

    def _press(self, pos: QPointF, button: Qt.MouseButton, buttons: Qt.MouseButton, modifiers: Qt.KeyboardModifier,
               pressure: float | None) -> None:
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
        self._set_pressed(True)
        self.tools.current.press(self._pointer(pos, button, buttons, modifiers, pressure))

    def _move(self, pos: QPointF, buttons: Qt.MouseButton, modifiers: Qt.KeyboardModifier, pressure: float | None) -> None:
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

    def _release(self, pos: QPointF, button: Qt.MouseButton, buttons: Qt.MouseButton, modifiers: Qt.KeyboardModifier,
                 pressure: float | None) -> None:
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
            self._set_pressed(False)
            self.tools.current.release(self._pointer(pos, button, buttons, modifiers, pressure))

    def _set_pressed(self, pressed: bool) -> None:
        """A stroke (or drag) with a tool begins or ends: worker image work holds back meanwhile
        so the window's thread has the GIL and a core to itself (core.cpu)."""
        self._pressed = pressed
        if pressed:
            cpu.painting_started()
        else:
            cpu.painting_ended()

    def hideEvent(self, event: QHideEvent) -> None:
        """A canvas hidden (or closed) in the middle of a stroke holds no worker back."""
        if self._pressed:
            cpu.painting_ended()
        super().hideEvent(event)

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
            self._set_pressed(True)
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

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._space_held = False
        self._refresh_cursor()
        super().focusOutEvent(event)

    def _on_enter(self) -> None:
        # Like other paint programs: the canvas takes the keyboard when the pointer comes over it,
        # so Space, [ and ] work at once, unless the designer is typing in a field.
        focus = QApplication.focusWidget()
        typing = isinstance(focus, (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit))  # the prompt is a QPlainTextEdit
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



def _is_resize_gesture(button: Qt.MouseButton, modifiers: Qt.KeyboardModifier) -> bool:
    """Alt+right-drag resizes the brush as in Photoshop and Krita; Ctrl+Alt+drag does too (the
    macOS way, Ctrl being Meta to Qt there, and for one-button mice)."""
    alt = bool(modifiers & Qt.KeyboardModifier.AltModifier)
    ctrl = bool(modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier))
    return alt and (button == Qt.MouseButton.RightButton or (button == Qt.MouseButton.LeftButton and ctrl))
