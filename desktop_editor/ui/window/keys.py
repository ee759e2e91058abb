"""Keys held down (Space, \\) reach the page's view wherever the focus is in the window.

Commands are window-wide QActions (see `window.actions`); a held key is not a command but a
state the view keeps while the key is down (panning the canvas, showing the original in the
comparison). A view only hears keys while it has focus, so after a click in a panel Space did
nothing: this filter hands held keys to the current page's view unless a text field or spin
box has the focus (there Space is typing).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

HOLD_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Backslash)
_TYPING = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox)


class HoldKeyForwarder(QObject):
    """Installed on the application; forwards held keys to `target()` when focus is elsewhere in `window`."""

    def __init__(self, window: QWidget, target: Callable[[], QWidget]):
        super().__init__(window)
        self._window = window
        self._target = target
        self._forwarding = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if self._forwarding or kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() not in HOLD_KEYS or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        focus = QApplication.focusWidget()
        target = self._target()
        if (focus is None or focus is target or target.isAncestorOf(focus) or isinstance(focus, _TYPING)
                or focus.window() is not self._window or watched is not focus):
            return False
        copy = QKeyEvent(event.type(), event.key(), event.modifiers(), event.text(), event.isAutoRepeat(), event.count())
        self._forwarding = True
        try:
            QCoreApplication.sendEvent(target, copy)
        finally:
            self._forwarding = False
        return True
