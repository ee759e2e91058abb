"""The tab bar of open images, following a DocumentList (and telling it what the designer did)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtWidgets import QTabBar, QToolButton, QWidget

from desktop_editor.ui.common.icons import icon
from desktop_editor.ui.models.document import Document
from desktop_editor.ui.models.document_list import DocumentList

MIN_TAB_CHARS = 16


class DocumentTabs(QTabBar):
    """One tab per open document, a close button on each, a dot on unsaved ones."""

    def __init__(self, documents: DocumentList, close: Callable[[Document], object], parent: QWidget | None = None):
        super().__init__(parent)
        self.documents = documents
        self._close = close
        self.setDocumentMode(True)
        self.setMovable(True)
        self.setExpanding(False)
        self.setElideMode(Qt.TextElideMode.ElideMiddle)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setUsesScrollButtons(True)  # many images scroll the bar; names never shrink to "co…ng"
        self.hide()
        documents.document_added.connect(self._on_added)
        documents.document_removed.connect(self._on_removed)
        documents.current_changed.connect(self._on_current_changed)
        documents.modified_changed.connect(self._on_modified)
        self.currentChanged.connect(self._on_tab_clicked)
        self.tabMoved.connect(self._on_tab_moved)

    def minimumTabSizeHint(self, index: int) -> QSize:  # noqa: N802 (Qt override)
        """Room for about 16 characters of the name (elided in the middle), plus the close button."""
        hint = super().minimumTabSizeHint(index)
        name = self.tabText(index)
        wanted = self.fontMetrics().horizontalAdvance(name[:MIN_TAB_CHARS]) + 48
        return QSize(max(hint.width(), min(wanted, super().tabSizeHint(index).width())), hint.height())

    @Slot(object, int)
    def _on_added(self, document: Document, index: int) -> None:
        self.blockSignals(True)
        self.insertTab(index, document.name)
        self.blockSignals(False)
        self.setTabToolTip(index, str(document.path) if document.path else document.name)
        close = QToolButton(self)
        close.setIcon(icon("close"))
        close.setProperty("icon_name", "close")
        close.setIconSize(QSize(14, 14))
        close.setAutoRaise(True)
        close.setToolTip("Close image (Ctrl+W)")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(lambda _c=False, d=document: self._close(d))
        self.setTabButton(index, QTabBar.ButtonPosition.RightSide, close)
        self.show()

    @Slot(object, int)
    def _on_removed(self, _document: Document, index: int) -> None:
        self.blockSignals(True)
        self.removeTab(index)
        self.blockSignals(False)
        self.setVisible(self.count() > 0)

    @Slot(object)
    def _on_current_changed(self, document: Document | None) -> None:
        if document is None:
            return
        index = self.documents.index(document)
        if self.currentIndex() != index:
            self.blockSignals(True)
            self.setCurrentIndex(index)
            self.blockSignals(False)

    @Slot(object)
    def _on_modified(self, document: Document) -> None:
        if document in self.documents:
            self.setTabText(self.documents.index(document), document.name + (" •" if document.is_modified() else ""))

    @Slot(int)
    def _on_tab_clicked(self, index: int) -> None:
        document = self.documents.at(index)
        if document is not None:
            self.documents.set_current(document)

    @Slot(int, int)
    def _on_tab_moved(self, source: int, target: int) -> None:
        self.documents.move(source, target)
