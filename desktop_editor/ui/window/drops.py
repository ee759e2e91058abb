"""Files and images dragged onto the window: which drags it accepts, and opening what is dropped.

Kept apart from the window so that it only routes Qt's drag events here."""

from __future__ import annotations

from PySide6.QtGui import QDragEnterEvent, QDropEvent

from desktop_editor.ui.flow.opening import DocumentOpener, openable_paths


def accept_drag(event: QDragEnterEvent) -> None:
    """Accept a drag that carries files the app opens, or an image; refuse anything else."""
    mime = event.mimeData()
    if openable_paths(mime) or mime.hasImage():
        event.acceptProposedAction()
    else:
        event.ignore()


def open_drop(opener: DocumentOpener, event: QDropEvent) -> None:
    """Open what was dropped (files or a pasted image), accepting the drop when anything opened."""
    if opener.open_mime(event.mimeData(), "drop"):
        event.acceptProposedAction()
