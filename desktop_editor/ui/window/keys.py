"""Keys held down (Space, \\) reach the page's view wherever the focus is in the window.

Commands are window-wide QActions (see `window.actions`); a held key is not a command but a
state the view keeps while the key is down (panning the canvas, showing the original in the
comparison). A view only hears keys while it has focus, so after a click in a panel Space did
nothing: this filter hands held keys to the current page's view unless a text field or spin
box has the focus (there Space is typing). Esc in a text field of the window hands the keyboard
back to the page's view, as in other paint programs, so the tool keys that follow work again.

The filter sits on the focused widget only, moved as the focus moves, never on the whole
application: an application-wide Python filter makes every event of every object (timers,
paints, layouts) take the GIL, and with a worker busy each of those waits for it: that alone
added tens of milliseconds to the window's longest pauses while results arrived.
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
    """Forwards held keys to `target()` when the focus is elsewhere in `window`; `attach` starts
    following the focus, `detach` stops."""

    def __init__(self, window: QWidget, target: Callable[[], QWidget]):
        super().__init__(window)
        self._window = window
        self._target = target
        self._forwarding = False
        self._watched: QWidget | None = None

    def attach(self) -> None:
        QApplication.instance().focusChanged.connect(self._on_focus_changed)
        self._on_focus_changed(None, QApplication.focusWidget())

    def detach(self) -> None:
        try:
            QApplication.instance().focusChanged.disconnect(self._on_focus_changed)
        except (RuntimeError, TypeError):  # never attached
            pass
        self._watch(None)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Watch the newly focused widget (or the window itself when nothing in it has focus)."""
        if new is None and self._window.isActiveWindow():
            new = self._window
        if new is not None and new.window() is not self._window:
            new = None
        self._watch(new)

    def _watch(self, widget: QWidget | None) -> None:
        if widget is self._watched:
            return
        if self._watched is not None:
            try:
                self._watched.removeEventFilter(self)
            except RuntimeError:  # already deleted
                pass
            self._watched.destroyed.disconnect(self._on_watched_destroyed)
        self._watched = widget
        if widget is not None:
            widget.installEventFilter(self)
            widget.destroyed.connect(self._on_watched_destroyed)

    def _on_watched_destroyed(self) -> None:
        self._watched = None

    def _leave_text_field(self, watched: QObject) -> bool:
        """Esc reached a text field (no window command took it): the page's view takes the keys."""
        focus = QApplication.focusWidget()
        if watched is not focus or not isinstance(focus, _TYPING) or focus.window() is not self._window:
            return False
        if isinstance(focus, QComboBox) and focus.view().isVisible():
            return False  # Esc closes the open list first
        self._target().setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if self._forwarding or kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() == Qt.Key.Key_Escape and not event.modifiers() and kind == QEvent.Type.KeyPress:
            return self._leave_text_field(watched)
        if event.key() not in HOLD_KEYS or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        focus = QApplication.focusWidget() or self._window
        target = self._target()
        if (focus is target or target.isAncestorOf(focus) or isinstance(focus, _TYPING)
                or focus.window() is not self._window or watched is not focus):
            return False
        copy = QKeyEvent(event.type(), event.key(), event.modifiers(), event.text(), event.isAutoRepeat(), event.count())
        self._forwarding = True
        try:
            QCoreApplication.sendEvent(target, copy)
        finally:
            self._forwarding = False
        return True


def give_keys_to_page(window: QWidget, view: QWidget) -> None:
    """The page just shown (`view`) takes the keyboard, unless the designer is typing in a field
    of the window: a result arriving while they write the next prompt must not send the rest of
    their words to the tool keys."""
    focus = QApplication.focusWidget()
    if isinstance(focus, _TYPING) and focus.window() is window and not view.isAncestorOf(focus):
        return
    view.setFocus(Qt.FocusReason.OtherFocusReason)
