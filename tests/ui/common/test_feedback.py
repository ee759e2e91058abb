"""feedback: the one place messages go, kept for tests and answerable without a dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from desktop_editor.ui.common.feedback import Feedback, Message

Button = QMessageBox.StandardButton


def test_status_and_answers_are_recorded_and_no_box_opens(qtbot, monkeypatch):
    def no_box(*_a, **_k):
        raise AssertionError("a message box opened")

    for name in ("critical", "warning", "question"):
        monkeypatch.setattr(QMessageBox, name, no_box)
    feedback = Feedback()
    asked: list[Message] = []
    feedback.answer_with(lambda m: asked.append(m) or Button.Cancel)
    with qtbot.waitSignal(feedback.status_shown) as shown:
        feedback.status("Saved mask to a.png.", 3000)
    assert shown.args == ["Saved mask to a.png.", 3000]
    feedback.error("Cannot open image", "The file is incomplete (cut off).")
    assert feedback.ask("Quit?", "Two edits are running.") == Button.Cancel
    assert feedback.confirm("Send again?", "Same edit.", "It is charged again.", "Send") == (False, False)
    assert [m.kind for m in feedback.messages] == ["status", "error", "question", "question"]
    assert feedback.texts("error") == ["The file is incomplete (cut off)."]
    assert [m.title for m in asked] == ["Cannot open image", "Quit?", "Send again?"]


def test_without_an_answerer_the_platform_box_is_shown(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, buttons, default: shown.append(
        (title, default)) or Button.Yes)
    assert Feedback().ask("Scale the mask?", "Sizes differ.", default=Button.Cancel) == Button.Yes
    assert shown == [("Scale the mask?", Button.Cancel)]
