"""What closing asks: unsaved masks (save, discard, cancel), and what happens to running edits."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from desktop_editor.ui.common.feedback import Feedback
from desktop_editor.ui.flow.saving import WorkSaver
from desktop_editor.ui.models.document import Document

APP_NAME = "Desktop Editor"


def confirm_discard(feedback: Feedback, saver: WorkSaver, documents: list[Document], note: str = "") -> bool:
    """Ask Save / Discard / Cancel for documents with unsaved mask work; True to go ahead."""
    if len(documents) == 1:
        text = f"The mask of {documents[0].name} has unsaved changes."
    else:
        text = f"{len(documents)} images have unsaved mask changes:\n" + "\n".join(f"  • {d.name}" for d in documents)
    buttons = QMessageBox.StandardButton
    answer = feedback.warn(
        "Unsaved mask changes", text + "\n\nSave them as a project before closing?" + (f"\n\n{note}" if note else ""),
        buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
    if answer == buttons.Save:
        return all(saver.save_project(document) for document in documents)
    return answer == buttons.Discard


def running_note(count: int, *, demo: bool) -> str:
    """What happens to `count` edits in flight when the window closes (empty when none are)."""
    if not count:
        return ""
    edits, verb, they = ("edits", "are", "they") if count != 1 else ("edit", "is", "it")
    if demo:
        return (f"{count} emulated {edits} {verb} still running; in Demo mode {they} stop when you quit "
                "(nothing is charged).")
    return f"{count} {edits} {verb} still running; {they} will be picked up next time you start {APP_NAME}."
