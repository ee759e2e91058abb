"""The main window: open images, paint their masks, send edits, compare and keep the results.

The canvas sits in the middle under a tab bar of open images; each image (a `Document`) keeps
its own mask, undo history, view and results. Around it, dock panels whose layout is
remembered (`window.docks`). The middle switches between the "Mask" page (the canvas) and the
"Compare" page (a before/after view of the selected result).

This module builds and connects; the work lives in the rooms below it: the open documents in
`models.document_list`, opening in `flow.opening`, saving in `flow.saving`, mask commands in
`canvas.mask_commands`, edits and results in `flow.edit_flow` (which makes the parts of the
flow), every command and key in `window.actions` (what each does in `window.commands`, which are
enabled in `window.view_actions`), messages in `common.feedback`. A window made without a service works as a
mask editor; `attach_service` makes it send edits.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRect, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QUndoGroup
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget, QWidget

from desktop_editor.jobs import paths
from desktop_editor.jobs.settings import AppSettings
from desktop_editor.ui.canvas.mask_commands import MaskCommands
from desktop_editor.ui.canvas.refine_edge import RefineEdge
from desktop_editor.ui.canvas.view import CanvasView
from desktop_editor.ui.common.feedback import Feedback
from desktop_editor.ui.common.icons import redraw_icons
from desktop_editor.ui.common.job_bridge import JobsController, ThumbnailCache
from desktop_editor.ui.compare.view import CompareView
from desktop_editor.ui.flow.edit_flow import EditFlow
from desktop_editor.ui.flow.mixing import MixFlow
from desktop_editor.ui.flow.opening import DocumentOpener
from desktop_editor.ui.flow.saving import WorkSaver
from desktop_editor.ui.models.document import Document
from desktop_editor.ui.models.document_list import DocumentList
from desktop_editor.ui.models.preferences import Preferences
from desktop_editor.ui.panels.job_list import empty_state_label
from desktop_editor.ui.panels.jobs_panel import JobsPanel
from desktop_editor.ui.panels.params.panel import ParamsPanel
from desktop_editor.ui.panels.results_strip import ResultsStrip
from desktop_editor.ui.window.actions import ActionRegistry, shortcut_rows
from desktop_editor.ui.window.chrome import build_bars, central_widget, fill_panels_menu
from desktop_editor.ui.window.closing import APP_NAME, confirm_discard, running_note
from desktop_editor.ui.window.commands import command_handlers
from desktop_editor.ui.window.docks import Docks
from desktop_editor.ui.window.drops import accept_drag, open_drop
from desktop_editor.ui.window.document_tabs import DocumentTabs
from desktop_editor.ui.window.keys import HoldKeyForwarder, give_keys_to_page
from desktop_editor.ui.window.recent_files import RecentFiles, app_settings
from desktop_editor.ui.window.start_folders import StartFolders
from desktop_editor.ui.window.status_bar import EditorStatusBar
from desktop_editor.ui.window.status_widgets import DemoBanner, ViewSwitch
from desktop_editor.ui.window import view_actions
from desktop_editor.ui.window.view_actions import group_actions, refresh_enabled_actions, refresh_page_actions
from desktop_editor.ui.window.window_state import restore_window_state, save_window_state

if TYPE_CHECKING:  # made after the first paint: their imports (the jobs layer, dialogs) wait till then
    from desktop_editor.jobs.service import ServiceConnection
    from desktop_editor.ui.dialogs.settings_dialog import SettingsDialog
    from desktop_editor.ui.dialogs.shortcuts_dialog import ShortcutsDialog
    from desktop_editor.ui.panels.history_panel import HistoryPanel

MASK_PAGE, COMPARE_PAGE = 0, 1


class MainWindow(QMainWindow):
    """The editor window.

    `settings` is the QSettings for the window's own state (geometry, dock layout, brush);
    `preferences` the designer's AppSettings (service, output folder, defaults), read from
    `settings_file` (the platform's config folder by default). With a `service` the window
    sends edits; without one it is a mask editor until `attach_service` is called.

    Signals:
        document_changed(object): the document shown in the canvas changed (a Document or None).
        document_opened(object): a new Document was opened and added.
        open_failed(str, str): opening the path (or "clipboard") failed, with the message shown.
        page_changed(str): the middle now shows "mask" (the canvas) or "compare".
    """

    document_changed = Signal(object)
    document_opened = Signal(object)
    open_failed = Signal(str, str)
    page_changed = Signal(str)

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None, *,
                 service: ServiceConnection | None = None, preferences: AppSettings | None = None,
                 settings_file: Path | None = None):
        super().__init__(parent)
        self.settings = settings if settings is not None else app_settings()
        self.prefs = Preferences(preferences, settings_file, self)
        self.feedback = Feedback(self)
        self.document_list = DocumentList(self)
        self._demo = False
        self._shut_down = False
        self.last_mask_edit = 0.0  # time.monotonic() of the latest mask change

        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.setDocumentMode(True)
        self.resize(1400, 900)

        self.canvas = CanvasView()
        self.compare_view = CompareView()
        self.thumbnails = ThumbnailCache(edge=112, parent=self)
        self.params_panel = ParamsPanel(thumbnails=self.thumbnails)
        self.jobs_panel = JobsPanel(thumbnails=self.thumbnails)
        self.history_panel: HistoryPanel | None = None
        self.results_strip = ResultsStrip()
        self.undo_group = QUndoGroup(self)
        self.recent = RecentFiles(self.settings, self)
        self.start_folders = StartFolders(self.settings)
        self.opener = DocumentOpener(self.document_list, self.feedback, self)
        self.saver = WorkSaver(self.document_list, self.canvas, self.feedback, self, self.dialog_dir,
                               self._on_project_saved)
        self.mask_commands = MaskCommands(self.document_list, self.feedback, self, self.canvas)
        self.refine_edge = RefineEdge(self.canvas)
        self.actions = ActionRegistry(self, command_handlers(self), {
            "edit.undo": self.undo_group.createUndoAction(self, "&Undo"),
            "edit.redo": self.undo_group.createRedoAction(self, "&Redo"),
            **self.refine_edge.key_actions,
        })
        group_actions(self)
        self.tabs = DocumentTabs(self.document_list, self.close_document)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.canvas)
        self.stack.addWidget(self.compare_view)
        self.demo_banner = DemoBanner()
        self.demo_banner.hide()
        self.view_switch = ViewSwitch(self.actions["view.mask_page"], self.actions["view.compare_page"])
        self.setCentralWidget(central_widget(self.tabs, self.view_switch, self.demo_banner, self.stack))
        build_bars(self)
        self.docks = Docks(self, self.params_panel, self.jobs_panel, empty_state_label(
            "Every edit you send is kept here with its cost once the app is connected to the service."),
            self.results_strip)
        fill_panels_menu(self.panels_menu, self.docks.all, self.actions["view.reset_layout"])
        self.status = EditorStatusBar(self.canvas, self.actions["view.fit"], self)
        self.setStatusBar(self.status)
        self._hold_keys = HoldKeyForwarder(self, lambda: self.stack.currentWidget())
        self._hold_keys.attach()

        self._connect()
        self.flow = EditFlow(self)
        self.mixing = MixFlow(self, self.flow)
        view_actions.hand_out_actions(self)
        self.compare_view.mode_changed.connect(lambda _mode: self.update_view_actions())
        restore_window_state(self.settings, self, self.canvas)
        self.actions["view.marching_ants"].setChecked(self.canvas.marching_ants())
        self.options_bar.sync_overlay()
        self._on_current_changed(None)
        self.update_view_actions()
        if service is not None:
            self.attach_service(service)

    def _connect(self) -> None:
        docs = self.document_list
        docs.current_changed.connect(self._on_current_changed)
        docs.modified_changed.connect(lambda _d: self._update_title())
        docs.current_history_changed.connect(lambda _i: self.status.schedule_coverage())
        docs.current_history_trimmed.connect(self._on_history_trimmed)
        docs.current_mask_changed.connect(self._on_mask_edited)
        docs.document_added.connect(lambda d, _i: self.undo_group.addStack(d.undo_stack))
        self.opener.document_opened.connect(self.document_opened)
        self.opener.open_failed.connect(self.open_failed)
        self.opener.file_opened.connect(self.recent.add)
        self.opener.file_opened.connect(self.start_folders.remember)
        self.recent.open_requested.connect(self.open_path)
        self.feedback.status_shown.connect(self.status.showMessage)
        self.canvas.tools.tool_changed.connect(self._on_tool_changed)
        self.results_strip.result_selected.connect(lambda _i: self.update_view_actions())
        self.demo_banner.add_key_requested.connect(self.open_settings)
        self.status.jobs_indicator.clicked.connect(self._on_jobs_indicator_clicked)
        self.mask_commands.last_mask_changed.connect(self._update_actions)
        for source in (self.refine_edge, self.canvas.tools.tool("object"), self.canvas.tools.tool("refine")):
            source.message.connect(lambda text: self.feedback.status(text, 6000))
        self._on_tool_changed(self.canvas.tools.current.tool_id)

    # -- public interface -------------------------------------------------------------------------

    @property
    def preferences(self) -> AppSettings:
        return self.prefs.value

    @property
    def settings_file(self) -> Path | None:
        return self.prefs.settings_file

    def current_document(self) -> Document | None:
        return self.document_list.current()

    def documents(self) -> list[Document]:
        return self.document_list.documents()

    def attach_service(self, service: ServiceConnection) -> None:
        """Send edits through `service`; closing the window closes it (at once, if already closed)."""
        if self._shut_down:
            service.close()
            return
        self.flow.attach(service)

    @property
    def service(self) -> ServiceConnection | None:
        return self.flow.service

    @property
    def controller(self) -> JobsController | None:
        """The JobsController of the current connection (None without a service)."""
        return self.flow.controller

    def generate(self) -> str | None:
        """Send the current image, mask and parameters as an edit; the job id, or None if not sent."""
        return self.flow.generate()

    def resume_unfinished(self) -> int:
        """Pick up edits an earlier session left running (see `EditFlow.resume_unfinished`)."""
        return self.flow.resume_unfinished()

    def open_settings(self) -> SettingsDialog:
        """Show the Settings dialog; a changed key or address reconnects when it closes."""
        return self.flow.open_settings()

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help > Keyboard Shortcuts: the registry's keys."""
        from desktop_editor.ui.dialogs.shortcuts_dialog import ShortcutsDialog
        dialog = ShortcutsDialog(shortcut_rows(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def set_history_panel(self, panel: HistoryPanel) -> None:
        """Show `panel` in the History dock (made when a service, and so a history store, is attached)."""
        old = self.docks.history.widget()
        self.history_panel = panel
        self.docks.history.setWidget(panel)
        if old is not None:
            old.deleteLater()

    def is_demo(self) -> bool:
        return self._demo

    def set_demo(self, demo: bool) -> None:
        """Say everywhere that results are emulated (Demo mode), or stop saying it."""
        self._demo = bool(demo)
        self.demo_banner.setVisible(self._demo)
        self.status.demo_badge.setVisible(self._demo)
        self.params_panel.set_demo(self._demo)
        self.jobs_panel.set_demo(self._demo)
        self._update_title()

    # -- documents --------------------------------------------------------------------------------

    def open_path(self, path: str | Path) -> None:
        """Open an image or a project in the background (see `DocumentOpener.open_path`)."""
        self.opener.open_path(path)

    def open_paths(self, paths: list[str | Path]) -> None:
        self.opener.open_paths(paths)

    def open_project(self, path: str | Path) -> None:
        self.opener.open_project(path)

    def add_document(self, document: Document) -> None:
        """Add an opened document and show it."""
        self.opener.add(document)

    def set_current_document(self, document: Document | None) -> None:
        self.document_list.set_current(document)

    def close_document(self, document: Document | None = None, *, ask: bool = True) -> bool:
        """Close a document (asking first if its mask has unsaved changes); False if kept open."""
        document = document or self.current_document()
        if document is None:
            return False
        if ask and document.is_modified() and not self._confirm_discard([document]):
            return False
        self.undo_group.removeStack(document.undo_stack)
        self.canvas.forget_document(document)
        self.flow.forget_document(document)
        self.document_list.remove(document)
        document.deleteLater()
        return True

    def save_recovery_copies(self, folder: Path | None = None) -> list[Path]:
        """Save every document with unsaved mask work as a project in `folder` (the data
        folder's "recovery" by default); used after an unexpected error. Returns the files."""
        return self.saver.save_recovery_copies(folder or paths.data_dir() / "recovery")

    # -- pages: the mask or a result --------------------------------------------------------------

    def is_mask_page(self) -> bool:
        return self.stack.currentIndex() == MASK_PAGE

    def is_compare_page(self) -> bool:
        return self.stack.currentIndex() == COMPARE_PAGE

    @Slot()
    def show_mask_page(self) -> None:
        """Show the canvas (painting the mask)."""
        self._set_page(MASK_PAGE)

    @Slot()
    def show_compare_page(self) -> bool:
        """Show the compare view; False (and nothing changes) when no result is there to compare."""
        if self.compare_view.after_image() is None:
            self.update_view_actions()
            return False
        self._set_page(COMPARE_PAGE)
        return True

    @Slot()
    def toggle_page(self) -> None:
        if self.is_compare_page():
            self.show_mask_page()
        elif not self.show_compare_page():
            self.feedback.status("No result to compare yet: generate an edit first.", 4000)

    def _set_page(self, page: int) -> None:
        if self.stack.currentIndex() == page:
            self.update_view_actions()
            return
        if page == COMPARE_PAGE:
            self.canvas.tools.current.cancel()
        self.stack.setCurrentIndex(page)
        give_keys_to_page(self, self.compare_view if page == COMPARE_PAGE else self.canvas)
        self.update_view_actions()
        self.page_changed.emit("compare" if page == COMPARE_PAGE else "mask")

    def update_view_actions(self) -> None:
        """The page's keys, checked page action, and what is enabled for what is shown now."""
        refresh_page_actions(self)

    def _update_actions(self) -> None:
        refresh_enabled_actions(self)

    # -- slots ------------------------------------------------------------------------------------

    @Slot(object)
    def _on_current_changed(self, document: Document | None) -> None:
        self.canvas.set_document(document)
        self.undo_group.setActiveStack(document.undo_stack if document is not None else None)
        self.status.show_document(document)
        self._update_title()
        self._update_actions()
        self.document_changed.emit(document)

    def _on_project_saved(self, path: Path) -> None:
        self.recent.add(path)
        self.start_folders.remember(path)
        self._update_title()

    @Slot(int)
    def _on_history_trimmed(self, count: int) -> None:
        self.feedback.status(f"The oldest {count} undo steps were dropped to keep history within its memory budget.", 5000)

    @Slot(str)
    def _on_tool_changed(self, tool_id: str) -> None:
        action = self.actions[f"tool.{tool_id}"]
        if not action.isChecked():
            action.setChecked(True)

    @Slot(QRect)
    def _on_mask_edited(self, _rect: QRect) -> None:
        self.last_mask_edit = time.monotonic()

    def _on_jobs_indicator_clicked(self) -> None:
        self.docks.jobs.show()
        self.docks.jobs.raise_()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the desktop switched light/dark
            redraw_icons(self)
            self.options_bar.sync_overlay()

    def _update_title(self) -> None:
        # The title ends with the app's name, so the platform does not add it a second time.
        document = self.current_document()
        parts = ([f"{document.name}[*]"] if document is not None else []) + (["Demo"] if self._demo else [])
        self.setWindowTitle(" — ".join([*parts, APP_NAME]))
        self.setWindowModified(document is not None and document.is_modified())

    def dialog_dir(self) -> str:
        """Where Open, Save Project and the mask dialogs start (see `start_folders`)."""
        current = self.current_document()
        return str(self.start_folders.start(current.path if current is not None else None))

    # -- closing ----------------------------------------------------------------------------------

    def _confirm_discard(self, documents: list[Document], note: str = "") -> bool:
        return confirm_discard(self.feedback, self.saver, documents, note)

    def running_note(self) -> str:
        """What happens to edits in flight when the window closes (empty when none are)."""
        return running_note(self.flow.active_count(), demo=self._demo)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._shut_down:
            event.accept()
            return
        modified = self.document_list.modified()
        note = self.running_note()
        if modified:
            if not self._confirm_discard(modified, note):
                event.ignore()
                return
        elif note and self.feedback.ask("Edits still running", f"{note}\n\nQuit now?") != QMessageBox.StandardButton.Yes:
            event.ignore()
            return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Close down without asking: remember the layout, let background work finish, close the
        service (edits in flight stay journaled and are picked up at the next start)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._hold_keys.detach()
        self.canvas.tools.current.cancel()
        self.canvas.tools.wait_for_background_work(5000)
        self.refine_edge.work.cancel()  # a preview shown stays applied, as an undo step
        self.refine_edge.work.wait(5000)
        save_window_state(self.settings, self, self.canvas)
        self.opener.wait(5000)
        self.results_strip.wait_for_background_work(5000)
        self.compare_view.wait_for_background_work(5000)
        self.mixing.wait(5000)
        self.thumbnails.wait(3000)
        if self.history_panel is not None:
            self.history_panel.detach_store()
        self.flow.shutdown()

    # -- drag and drop ----------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        accept_drag(event)

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        open_drop(self.opener, event)
