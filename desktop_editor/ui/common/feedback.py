"""The one place where the window's messages go: status lines, errors, questions and notices.

Logic never builds a message box or writes to the status bar itself: it tells a `Feedback`,
and the window decides how to show it (after qutebrowser's `utils/message.py`). Every message
is also kept in `messages`, so tests read what the designer was told, and `answer_with` lets a
test answer questions without a dialog ever opening.

A Feedback made without a parent widget shows its boxes without one (a dialog of its own).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_editor.ui.common.message_boxes import fit_title, question_box

Button = QMessageBox.StandardButton
MAX_KEPT = 200


@dataclass(frozen=True)
class Message:
    """One thing the designer was told or asked: `kind` is status, error, warning, question or notice."""

    kind: str
    title: str
    text: str


Answerer = Callable[[Message], Button]


class Feedback(QObject):
    """Tells the designer what happened, asks what to do, and remembers both.

    Signals:
        status_shown(str, int): a status line and how long to show it (ms; 0 until replaced).
        message_shown(object): a Message (error, warning, question or notice) as it is shown.
    """

    status_shown = Signal(str, int)
    message_shown = Signal(object)

    def __init__(self, widget: QWidget | None = None):
        super().__init__(widget)
        self._widget = widget
        self.messages: deque[Message] = deque(maxlen=MAX_KEPT)
        self._answerer: Answerer | None = None

    def answer_with(self, answerer: Answerer | None) -> None:
        """Answer every box with `answerer(message)` instead of showing it (tests, scripting)."""
        self._answerer = answerer

    def texts(self, kind: str | None = None) -> list[str]:
        """The texts told so far, oldest first (of one kind, or all)."""
        return [m.text for m in self.messages if kind is None or m.kind == kind]

    # -- telling ----------------------------------------------------------------------------------

    def status(self, text: str, ms: int = 4000) -> None:
        """A passing line in the status bar: what just happened, nothing to answer."""
        self.messages.append(Message("status", "", text))
        self.status_shown.emit(text, ms)

    def error(self, title: str, text: str) -> None:
        """Something the designer asked for did not happen; say why in their words."""
        self._show(Message("error", title, text), QMessageBox.critical, Button.Ok, Button.Ok)

    def notice(self, title: str, text: str) -> QMessageBox | None:
        """A notice that does not stop the designer (a window-modal box they close when they like).

        Returns the box (None when answered by `answer_with`), so its owner can close it.
        """
        message = Message("notice", title, text)
        self.messages.append(message)
        self.message_shown.emit(message)
        if self._answerer is not None:
            self._answerer(message)
            return None
        box = QMessageBox(QMessageBox.Icon.Information, title, text, Button.Ok, self._widget)
        fit_title(box)
        box.setModal(False)
        box.show()
        return box

    # -- asking -----------------------------------------------------------------------------------

    def ask(self, title: str, text: str, buttons: Button = Button.Yes | Button.Cancel,
            default: Button = Button.Yes) -> Button:
        """A question with standard buttons; the button chosen."""
        return self._show(Message("question", title, text), QMessageBox.question, buttons, default)

    def warn(self, title: str, text: str, buttons: Button, default: Button) -> Button:
        """A question about losing something (unsaved work, a charge); the button chosen."""
        return self._show(Message("warning", title, text), QMessageBox.warning, buttons, default)

    def confirm(self, title: str, text: str, informative: str, accept: str, reject: str = "Cancel",
                *, dont_ask_again: str = "") -> tuple[bool, bool]:
        """Yes/Cancel with buttons named for what they do; Cancel is the default.

        Returns (accepted, don't ask again): the second is the state of a "don't ask again" box,
        shown only when `dont_ask_again` gives its text.
        """
        message = Message("question", title, f"{text}\n\n{informative}".strip())
        self.messages.append(message)
        self.message_shown.emit(message)
        if self._answerer is not None:  # it may answer (button, don't ask again) too
            answer = self._answerer(message)
            if isinstance(answer, tuple):
                return answer[0] == Button.Yes, bool(answer[1])
            return answer == Button.Yes, False
        box = question_box(self._widget, title, text, informative, accept, reject)
        check = None
        if dont_ask_again:
            from PySide6.QtWidgets import QCheckBox

            check = QCheckBox(dont_ask_again)
            box.setCheckBox(check)
        accepted = box.exec() == Button.Yes
        return accepted, bool(check is not None and check.isChecked())

    def _show(self, message: Message, show: Callable[..., Button], buttons: Button, default: Button) -> Button:
        self.messages.append(message)
        self.message_shown.emit(message)
        if self._answerer is not None:
            return self._answerer(message)
        return show(self._widget, message.title, message.text, buttons, default)
