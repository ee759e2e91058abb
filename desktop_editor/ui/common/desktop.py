"""Handing files to the desktop: show a folder in the file manager, or say it could not.

`QDesktopServices.openUrl` quietly returns False where no file manager is installed (a bare
Linux session, a remote desktop); the designer then gets nothing at all. Here they get a
sentence and the folder's path on the clipboard if they want it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop_editor.ui.common.feedback import Feedback


def show_folder(folder: Path, feedback: Feedback) -> bool:
    """Open `folder` in the file manager; when that fails, offer to copy its path. True if shown."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return True
    copy, _ = feedback.confirm(
        "No file manager", f"The folder could not be opened: no file manager answered.\n\n{folder}",
        "You can copy its path and open it yourself.", "Copy path", "Close")
    if copy:
        QGuiApplication.clipboard().setText(str(folder))
        feedback.status(f"Copied {folder} to the clipboard.", 5000)
    return False


def feedback_for(widget: QWidget) -> Feedback:
    """A Feedback for a panel that has no window's Feedback handed to it."""
    existing = widget.findChild(Feedback, "panel_feedback")
    if existing is not None:
        return existing
    feedback = Feedback(widget)
    feedback.setObjectName("panel_feedback")
    return feedback
