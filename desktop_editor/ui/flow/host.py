"""What the edit flow needs of the window it serves.

The window (a room above) implements this; the flow never imports the window, so the two can
be read, changed and tested on their own: a test can hand the flow any object with these parts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import SignalInstance

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoGroup

    from desktop_editor.jobs.settings import AppSettings
    from desktop_editor.ui.canvas.mask_commands import MaskCommands
    from desktop_editor.ui.canvas.view import CanvasView
    from desktop_editor.ui.common.feedback import Feedback
    from desktop_editor.ui.common.job_bridge import ThumbnailCache
    from desktop_editor.ui.compare.view import CompareView
    from desktop_editor.ui.models.document import Document
    from desktop_editor.ui.models.preferences import Preferences
    from desktop_editor.ui.panels.history_panel import HistoryPanel
    from desktop_editor.ui.panels.jobs_panel import JobsPanel
    from desktop_editor.ui.panels.params.panel import ParamsPanel
    from desktop_editor.ui.panels.results_strip import ResultsStrip


class EditHost(Protocol):
    """The window as the edit flow sees it: its widgets, its documents, its messages.

    `docks` has `params`, `jobs`, `history` and `results` (QDockWidgets); `status` has the
    `jobs_indicator`; `document_changed`, `document_opened` and `open_failed` are the window's
    signals of the same names.
    """

    feedback: Feedback
    prefs: Preferences
    canvas: CanvasView
    compare_view: CompareView
    params_panel: ParamsPanel
    jobs_panel: JobsPanel
    results_strip: ResultsStrip
    history_panel: HistoryPanel | None
    thumbnails: ThumbnailCache
    mask_commands: MaskCommands
    undo_group: QUndoGroup
    docks: object
    status: object
    last_mask_edit: float
    document_changed: SignalInstance
    document_opened: SignalInstance
    open_failed: SignalInstance

    @property
    def preferences(self) -> AppSettings: ...

    @property
    def settings_file(self) -> Path | None: ...

    def current_document(self) -> Document | None: ...

    def documents(self) -> list[Document]: ...

    def set_current_document(self, document: Document | None) -> None: ...

    def open_path(self, path: str | Path) -> None: ...

    def set_history_panel(self, panel: HistoryPanel) -> None: ...

    def set_demo(self, demo: bool) -> None: ...

    def is_mask_page(self) -> bool: ...

    def is_compare_page(self) -> bool: ...

    def show_mask_page(self) -> None: ...

    def show_compare_page(self) -> bool: ...

    def update_view_actions(self) -> None: ...
