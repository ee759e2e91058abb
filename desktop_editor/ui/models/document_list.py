"""The open documents in tab order, which one is current, and the current one's signals.

Widgets that follow "whatever image is current" (the status bar, the title, the actions)
connect once to the `current_*` signals here instead of reconnecting to each document as the
designer switches tabs (after qutebrowser's TabbedBrowser, which re-emits the current tab's
signals as `cur_*`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRect, Signal

from desktop_editor.ui.models.document import Document
from desktop_editor.ui.models.mask_copies import spare_masks


class DocumentList(QObject):
    """Open documents, in the order their tabs show.

    Signals:
        document_added(object, int): a Document and its index.
        document_removed(object, int): a Document and the index it had.
        document_moved(int, int): from index, to index.
        current_changed(object): the current Document (or None).
        modified_changed(object): this Document's unsaved state changed (any document).
        current_mask_changed(QRect): the current document's mask changed in this image rectangle.
        current_history_changed(int): the current document's undo index moved.
        current_history_trimmed(int): the current document dropped this many old undo steps.
    """

    document_added = Signal(object, int)
    document_removed = Signal(object, int)
    document_moved = Signal(int, int)
    current_changed = Signal(object)
    modified_changed = Signal(object)
    current_mask_changed = Signal(QRect)
    current_history_changed = Signal(int)
    current_history_trimmed = Signal(int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._documents: list[Document] = []
        self._current: Document | None = None

    def __len__(self) -> int:
        return len(self._documents)

    def __iter__(self):
        return iter(list(self._documents))

    def __contains__(self, document: object) -> bool:
        return document in self._documents

    def documents(self) -> list[Document]:
        return list(self._documents)

    def current(self) -> Document | None:
        return self._current

    def index(self, document: Document) -> int:
        return self._documents.index(document)

    def at(self, index: int) -> Document | None:
        return self._documents[index] if 0 <= index < len(self._documents) else None

    def modified(self) -> list[Document]:
        return [d for d in self._documents if d.is_modified()]

    def add(self, document: Document) -> None:
        """Add a document at the end and make it current."""
        self._documents.append(document)
        document.modified_changed.connect(self._on_modified_changed)
        document.mask_changed.connect(self._on_mask_changed)
        document.undo_stack.indexChanged.connect(self._on_history_changed)
        document.history_trimmed.connect(self._on_history_trimmed)
        self.document_added.emit(document, len(self._documents) - 1)
        self.set_current(document)

    def remove(self, document: Document) -> None:
        """Take a document out; the one after it (or before, at the end) becomes current."""
        index = self._documents.index(document)
        self._documents.remove(document)
        for signal, slot in ((document.modified_changed, self._on_modified_changed),
                             (document.mask_changed, self._on_mask_changed),
                             (document.undo_stack.indexChanged, self._on_history_changed),
                             (document.history_trimmed, self._on_history_trimmed)):
            signal.disconnect(slot)
        self.document_removed.emit(document, index)
        if document is self._current:
            self._current = None
            following = self._documents[min(index, len(self._documents) - 1)] if self._documents else None
            self._current = following
            self.current_changed.emit(following)

    def move(self, source: int, target: int) -> None:
        """The tab at `source` was dragged to `target`."""
        self._documents.insert(target, self._documents.pop(source))
        self.document_moved.emit(source, target)

    def set_current(self, document: Document | None) -> None:
        if document is self._current:
            return
        if document is not None and document not in self._documents:
            raise ValueError(f"{document!r} is not open")
        self._current = document
        if document is not None:
            spare_masks.prepare((document.height, document.width))  # its Generate copies the mask
        self.current_changed.emit(document)

    def cycle(self, step: int) -> None:
        """Ctrl+Tab and friends: the next (or previous) document, wrapping around."""
        if len(self._documents) > 1 and self._current is not None:
            index = (self._documents.index(self._current) + step) % len(self._documents)
            self.set_current(self._documents[index])

    # -- re-emitting ------------------------------------------------------------------------------

    def _on_modified_changed(self, _modified: bool) -> None:
        document = self.sender()
        if isinstance(document, Document):
            self.modified_changed.emit(document)

    def _on_mask_changed(self, rect: QRect) -> None:
        if self.sender() is self._current:
            self.current_mask_changed.emit(rect)

    def _on_history_changed(self, index: int) -> None:
        current = self._current
        if current is not None and self.sender() is current.undo_stack:
            self.current_history_changed.emit(index)

    def _on_history_trimmed(self, count: int) -> None:
        if self.sender() is self._current:
            self.current_history_trimmed.emit(count)
