"""The main window: open images, paint their masks, send edits, compare and keep the results.

The canvas sits in the middle under a tab bar of open images; each image (a `Document`) keeps
its own mask, undo history, view and results. Around it, dock panels that can be moved and
whose layout is remembered: Parameters (right), Jobs and History (tabbed, right), Results
(bottom). The middle switches between the "Mask" page (the canvas) and the "Compare" page
(a before/after view of the selected result).

The window owns the widgets; `ui.edit_flow.EditFlow` connects them to the jobs layer (the
service connection, job to image bookkeeping, results, history, settings). A window made
without a service works as a mask editor; `attach_service` makes it send edits.

Errors are reported through `show_error` in a message box, and the current document is never
touched by a failed open, load or save.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QMimeData,
    QPoint,
    QRect,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QUndoGroup,
)
from PySide6.QtWidgets import (
    QApplication,
    QColorDialog,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QTabBar,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_editor.core import mask_ops
from desktop_editor.core.images import (
    OPEN_FILTER_EXTENSIONS,
    ImageLoadError,
    LoadedImage,
    normalise,
)
from desktop_editor.core.mask_ops import SelectionMode
from desktop_editor.core.masks import (
    MaskConvention,
    MaskError,
    coverage,
    encode_mask_png,
    load_mask,
)
from desktop_editor.core.project import (
    PROJECT_SUFFIX,
    ProjectError,
    load_project,
    save_project,
)
from desktop_editor.jobs import paths
from desktop_editor.jobs.service import ServiceConnection
from desktop_editor.jobs.settings import AppSettings, load_settings
from desktop_editor.ui.canvas.view import CanvasView
from desktop_editor.ui.common.icons import color_swatch_icon, icon
from desktop_editor.ui.common.imaging import qimage_to_pil, qimage_to_png_bytes
from desktop_editor.ui.common.job_bridge import JobsController, ThumbnailCache
from desktop_editor.ui.compare.view import CompareView
from desktop_editor.ui.dialogs.settings_dialog import SettingsDialog
from desktop_editor.ui.flow.edit_flow import EditFlow
from desktop_editor.ui.flow.loader import ImageLoader, LoadResult
from desktop_editor.ui.models.document import Document
from desktop_editor.ui.panels.history_panel import HistoryPanel
from desktop_editor.ui.panels.job_list import empty_state_label
from desktop_editor.ui.panels.jobs_panel import JobsPanel
from desktop_editor.ui.panels.params_panel import ParamsPanel
from desktop_editor.ui.panels.results_strip import ResultsStrip
from desktop_editor.ui.window.recent_files import RecentFiles, app_settings
from desktop_editor.ui.window.status_widgets import (
    DemoBanner,
    JobsIndicator,
    ViewSwitch,
    demo_badge,
)

APP_NAME = "Desktop Editor"
IMAGE_FILTER = "Images ({})".format(" ".join(f"*{ext}" for ext in OPEN_FILTER_EXTENSIONS))
PROJECT_FILTER = f"Desktop Editor projects (*{PROJECT_SUFFIX})"
MASK_FILTERS = {
    "OpenAI mask: transparent = edit (*.png)": MaskConvention.OPENAI,
    "Black and white mask: white = edit (*.png)": MaskConvention.BLACK_WHITE,
}
_OPENABLE = {*OPEN_FILTER_EXTENSIONS, PROJECT_SUFFIX}
# Bump when the docks change, so a layout saved by an older version is not restored half-way.
WINDOW_STATE_VERSION = 2
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

    def __init__(
        self,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        *,
        service: ServiceConnection | None = None,
        preferences: AppSettings | None = None,
        settings_file: Path | None = None,
    ):
        super().__init__(parent)
        self.settings = settings if settings is not None else app_settings()
        self.settings_file = settings_file
        self.preferences = preferences if preferences is not None else load_settings(settings_file)
        self._documents: list[Document] = []
        self._current: Document | None = None
        self._pending: dict[int, tuple[str, dict]] = {}
        self._last_job_mask: np.ndarray | None = None
        self._last_adjust = {"grow": 8, "shrink": 8, "feather": 8}
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
        self.tabs = QTabBar()
        self.tabs.setDocumentMode(True)
        self.tabs.setMovable(True)
        self.tabs.setExpanding(False)
        self.tabs.setElideMode(Qt.TextElideMode.ElideMiddle)
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabs.hide()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.canvas)
        self.stack.addWidget(self.compare_view)
        self.demo_banner = DemoBanner()
        self.demo_banner.hide()

        self.undo_group = QUndoGroup(self)
        self.loader = ImageLoader(self)
        self.recent = RecentFiles(self.settings, self)
        self.menus: dict[str, QMenu] = {}

        self._create_actions()
        self.view_switch = ViewSwitch(self.mask_page_action, self.compare_page_action)
        top = QWidget()
        top.setObjectName("document_bar")
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 6, 0)
        top_layout.setSpacing(6)
        top_layout.addWidget(self.tabs, 0, Qt.AlignmentFlag.AlignBottom)
        top_layout.addStretch(1)
        top_layout.addWidget(self.view_switch, 0, Qt.AlignmentFlag.AlignVCenter)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(top)
        layout.addWidget(self.demo_banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._create_menus()
        self._create_toolbars()
        self._create_docks()
        self._create_status_bar()
        self._connect()
        self.flow = EditFlow(self)
        self._restore_settings()
        self._update_for_document()
        self.update_view_actions()
        if service is not None:
            self.attach_service(service)

    # -- public interface -----------------------------------------------------------------------

    def current_document(self) -> Document | None:
        return self._current

    def documents(self) -> list[Document]:
        return list(self._documents)

    # -- edits ----------------------------------------------------------------------------------

    def attach_service(self, service: ServiceConnection) -> None:
        """Send edits through `service` (connected with `preferences` if it is not yet).

        The window takes the service over: closing the window closes it (and a window that is
        already closed closes it at once).
        """
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

    def set_history_panel(self, panel: HistoryPanel) -> None:
        """Show `panel` in the History dock (made when a service, and so a history store, is attached)."""
        old = self.history_dock.widget()
        self.history_panel = panel
        self.history_dock.setWidget(panel)
        if old is not None:
            old.deleteLater()

    def is_demo(self) -> bool:
        return self._demo

    def set_demo(self, demo: bool) -> None:
        """Say everywhere that results are emulated (Demo mode), or stop saying it."""
        self._demo = bool(demo)
        self.demo_banner.setVisible(self._demo)
        self.demo_badge.setVisible(self._demo)
        self.params_panel.set_demo(self._demo)
        self.jobs_panel.set_demo(self._demo)
        self._update_title()

    # -- pages: the mask or a result ------------------------------------------------------------

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
            self.statusBar().showMessage("No result to compare yet: generate an edit first.", 4000)

    def _set_page(self, page: int) -> None:
        if self.stack.currentIndex() == page:
            self.update_view_actions()
            return
        if page == COMPARE_PAGE:
            self.canvas.tools.current.cancel()
        self.stack.setCurrentIndex(page)
        (self.compare_view if page == COMPARE_PAGE else self.canvas).setFocus(Qt.FocusReason.OtherFocusReason)
        self.update_view_actions()
        self.page_changed.emit("compare" if page == COMPARE_PAGE else "mask")

    def update_view_actions(self) -> None:
        """Page actions, the result actions and the Save shortcuts for what is shown now."""
        compare = self.is_compare_page()
        can_compare = self.compare_view.after_image() is not None
        self.mask_page_action.setChecked(not compare)
        self.compare_page_action.setChecked(compare)
        self.compare_page_action.setEnabled(can_compare or compare)
        has_result = self.results_strip.selected_index() >= 0
        for action in (self.save_result_action, self.save_result_as_action, self.copy_result_action,
                       self.use_result_action):
            action.setEnabled(has_result)
        for action in self._mask_only_actions:
            action.setVisible(not compare)
        # The canvas's zoom and pointer position mean nothing while the comparison is shown.
        self.zoom_button.setVisible(self._current is not None and not compare)
        self.position_label.setVisible(not compare)
        self._on_tool_changed(self.canvas.tools.current.tool_id)
        # One Ctrl+S, never ambiguous: it saves the result while a result is being compared,
        # the project otherwise; the menus show which.
        result_keys = compare and has_result
        save, save_as = QKeySequence(QKeySequence.StandardKey.Save), QKeySequence("Ctrl+Shift+S")
        _set_shortcut(self.save_result_action, save if result_keys else QKeySequence())
        _set_shortcut(self.save_result_as_action, save_as if result_keys else QKeySequence())
        _set_shortcut(self.save_project_action, QKeySequence() if result_keys else save)
        _set_shortcut(self.save_project_as_action, QKeySequence() if result_keys else save_as)

    def open_path(self, path: str | Path) -> None:
        """Open an image or a project. Images load in the background: watch `document_opened`
        / `document_changed` or `open_failed`. An image that is already open is brought forward."""
        path = Path(path)
        if path.suffix.lower() == PROJECT_SUFFIX:
            self.open_project(path)
            return
        for document in self._documents:
            if document.path is not None and _same_file(document.path, path):
                self.set_current_document(document)
                return
        if any(key == str(path) for key, _extra in self._pending.values()):
            return  # already on its way
        self._start_load(str(path), path, {})

    def open_paths(self, paths: list[str | Path]) -> None:
        for path in paths:
            self.open_path(path)

    def open_project(self, path: str | Path) -> None:
        """Open a project: its image (in the background), then its mask, parameters and view."""
        path = Path(path)
        for document in self._documents:
            if document.project_path is not None and _same_file(document.project_path, path):
                self.set_current_document(document)
                return
        try:
            project = load_project(path)
        except ProjectError as exc:
            self._report_open_failure(str(path), "Cannot open project", str(exc))
            return
        source: Path | bytes = project.image_bytes if project.image_bytes is not None else project.image_path  # type: ignore[assignment]
        self._start_load(str(path), source, {"project": project})

    def add_document(self, document: Document) -> None:
        """Add an opened document and show it."""
        self._documents.append(document)
        self.undo_group.addStack(document.undo_stack)
        document.modified_changed.connect(self._on_document_modified)
        document.undo_stack.indexChanged.connect(self._on_history_index_changed)
        document.history_trimmed.connect(self._on_history_trimmed)
        document.mask_changed.connect(self._on_mask_edited)
        index = self.tabs.addTab(document.name)
        self.tabs.setTabToolTip(index, str(document.path) if document.path else document.name)
        close = QToolButton(self.tabs)
        close.setIcon(icon("close"))
        close.setProperty("icon_name", "close")
        close.setIconSize(QSize(14, 14))
        close.setAutoRaise(True)
        close.setToolTip("Close image (Ctrl+W)")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(lambda _c=False, d=document: self.close_document(d))
        self.tabs.setTabButton(index, QTabBar.ButtonPosition.RightSide, close)
        self.tabs.setVisible(True)
        self.set_current_document(document)
        self.document_opened.emit(document)

    def set_current_document(self, document: Document | None) -> None:
        if document is self._current:
            return
        self._current = document
        self.canvas.set_document(document)
        self.undo_group.setActiveStack(document.undo_stack if document is not None else None)
        if document is not None:
            index = self._documents.index(document)
            if self.tabs.currentIndex() != index:
                self.tabs.blockSignals(True)
                self.tabs.setCurrentIndex(index)
                self.tabs.blockSignals(False)
        self._update_for_document()
        self.document_changed.emit(document)

    def close_document(self, document: Document | None = None, *, ask: bool = True) -> bool:
        """Close a document (asking first if its mask has unsaved changes); False if kept open."""
        document = document or self._current
        if document is None:
            return False
        if ask and document.is_modified() and not self._confirm_discard([document]):
            return False
        index = self._documents.index(document)
        self._documents.remove(document)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.blockSignals(False)
        self.undo_group.removeStack(document.undo_stack)
        self.canvas.forget_document(document)
        self.flow.forget_document(document)
        if document is self._current:
            self._current = None
            following = self._documents[min(index, len(self._documents) - 1)] if self._documents else None
            self.set_current_document(following)
            if following is None:
                self._update_for_document()
                self.document_changed.emit(None)
        self.tabs.setVisible(bool(self._documents))
        document.deleteLater()
        return True

    def set_last_job_mask(self, mask: np.ndarray | None) -> None:
        """Remember the mask sent with the latest job, for Edit > Reuse Last Mask.

        The jobs layer calls this when it submits a job; a copy is kept.
        """
        self._last_job_mask = None if mask is None else np.array(mask, dtype=np.uint8, copy=True)
        self._update_actions()

    def reuse_last_mask(self) -> bool:
        """Apply the previous job's mask to the current image (scaled if the sizes differ)."""
        document = self._current
        if document is None or self._last_job_mask is None:
            return False
        mask = self._last_job_mask
        rescaled = mask.shape != (document.height, document.width)
        changed = document.set_mask_array(mask, "Reuse last mask", rescale=True)
        if rescaled:
            self.statusBar().showMessage(
                f"Reused the last mask, scaled from {mask.shape[1]}×{mask.shape[0]} to {document.width}×{document.height}.", 5000
            )
        return changed

    def show_error(self, title: str, message: str) -> None:
        """Tell the designer what went wrong, in their words; nothing else changes."""
        QMessageBox.critical(self, title, message)

    # -- masks and projects ---------------------------------------------------------------------

    def save_mask(self, path: str | Path, convention: MaskConvention, document: Document | None = None) -> bool:
        """Write the mask as PNG in `convention`; the mask counts as saved afterwards."""
        document = document or self._current
        if document is None:
            return False
        path = Path(path)
        mask = document.mask_pixels()
        try:
            _write_atomically(path, encode_mask_png(mask, convention))
        except OSError as exc:
            self.show_error("Cannot save mask", f"{path.name} could not be saved: {exc.strerror or exc}.")
            return False
        document.mark_saved()
        note = ""
        if MaskConvention(convention) is MaskConvention.OPENAI and bool(((mask > 0) & (mask < 255)).any()):
            note = " Soft edges were saved as fully edited: the OpenAI convention has no partial edit."
        self.statusBar().showMessage(f"Saved mask to {path.name}.{note}", 6000)
        return True

    def load_mask_file(self, path: str | Path, document: Document | None = None) -> bool:
        """Replace the mask with one from a PNG in either convention (one undo step)."""
        document = document or self._current
        if document is None:
            return False
        path = Path(path)
        try:
            mask = load_mask(path)
        except MaskError as exc:
            self.show_error("Cannot load mask", str(exc))
            return False
        rescale = False
        if mask.shape != (document.height, document.width):
            answer = QMessageBox.question(
                self,
                "Mask size differs",
                f"The mask is {mask.shape[1]}×{mask.shape[0]} but the image is "
                f"{document.width}×{document.height}. Scale the mask to fit the image?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Yes,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
            rescale = True
        try:
            document.set_mask_array(mask, f"Load mask {path.name}", rescale=rescale)
        except MaskError as exc:
            self.show_error("Cannot load mask", str(exc))
            return False
        self.statusBar().showMessage(f"Loaded mask from {path.name}.", 4000)
        return True

    def save_project(self, document: Document | None = None, path: str | Path | None = None) -> bool:
        """Save image reference, mask, parameters and view; asks for a file the first time."""
        document = document or self._current
        if document is None:
            return False
        if path is None:
            path = document.project_path
        if path is None:
            path = self._ask_project_path(document)
            if path is None:
                return False
        path = Path(path)
        if path.suffix.lower() != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        view = self.canvas.view_state() if document is self._current else document.view_state
        image_bytes = None
        if document.path is None:
            image_bytes = qimage_to_png_bytes(document.image)
        try:
            save_project(
                path,
                image_path=document.path,
                mask=document.mask_pixels(),
                params=document.params,
                view=view,
                image_bytes=image_bytes,
            )
        except ProjectError as exc:
            self.show_error("Cannot save project", str(exc))
            return False
        document.project_path = path
        document.mark_saved()
        self.recent.add(path)
        self.statusBar().showMessage(f"Saved project {path.name}.", 4000)
        self._update_title()
        return True

    def apply_mask_operation(self, operation: str, amount: int = 0) -> bool:
        """Run a whole-mask operation (invert, clear, select_all, grow, shrink, feather) as one undo step."""
        document = self._current
        if document is None:
            return False
        mask = document.mask_pixels()
        labels = {
            "invert": ("Invert mask", lambda: mask_ops.invert(mask)),
            "clear": ("Clear mask", lambda: mask_ops.clear(mask)),
            "select_all": ("Select all", lambda: mask_ops.select_all(mask)),
            "grow": (f"Grow mask {amount} px", lambda: mask_ops.grow(mask, amount)),
            "shrink": (f"Shrink mask {amount} px", lambda: mask_ops.shrink(mask, amount)),
            "feather": (f"Feather mask {amount} px", lambda: mask_ops.feather(mask, amount)),
        }
        text, compute = labels[operation]
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            changed = document.set_mask_array(compute(), text)
        finally:
            QApplication.restoreOverrideCursor()
        if not changed:
            self.statusBar().showMessage(f"{text}: the mask did not change.", 3000)
        return changed

    # -- opening --------------------------------------------------------------------------------

    def _start_load(self, key: str, source: Path | bytes, extra: dict) -> None:
        request = self.loader.load(source)
        self._pending[request] = (key, extra)
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self.statusBar().showMessage(f"Opening {Path(key).name}…")

    @Slot(int, object)
    def _on_image_loaded(self, request: int, result: LoadResult) -> None:
        key, extra = self._pending.pop(request, ("", {}))
        QApplication.restoreOverrideCursor()
        project = extra.get("project")
        loaded = result.loaded
        name = None
        if project is not None and loaded.path is None:
            name = project.path.stem if project.path else None
        document = Document(loaded, result.image, levels=result.levels, name=name, parent=self)
        if project is not None:
            if not self._apply_project(document, project):
                document.deleteLater()
                return
        self.add_document(document)
        if project is not None and project.view:
            self.canvas.restore_view_state(project.view)
        self.recent.add(key)
        message = f"Opened {document.name} ({document.width}×{document.height})."
        self.statusBar().showMessage(message, 4000)

    def _apply_project(self, document: Document, project) -> bool:
        if project.mask is not None:
            if project.mask.shape != (document.height, document.width):
                self._report_open_failure(
                    str(project.path),
                    "Cannot open project",
                    f"The mask in {project.path.name} is {project.mask.shape[1]}×{project.mask.shape[0]} but its image "
                    f"is now {document.width}×{document.height}; the image has changed since the project was saved.",
                )
                return False
            document.mask_pixels()[:] = project.mask
        document.params = dict(project.params)
        document.project_path = project.path
        if project.view:
            document.view_state = dict(project.view)
        return True

    @Slot(int, str)
    def _on_image_failed(self, request: int, message: str) -> None:
        key, extra = self._pending.pop(request, ("", {}))
        QApplication.restoreOverrideCursor()
        title = "Cannot open project" if extra.get("project") is not None else "Cannot open image"
        self._report_open_failure(key, title, message)

    def _report_open_failure(self, key: str, title: str, message: str) -> None:
        self.statusBar().showMessage(message, 6000)
        self.show_error(title, message)
        self.open_failed.emit(key, message)

    def paste_image(self) -> bool:
        """Open the image on the clipboard (image data, or copied image files) as a new document."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return False
        return self._open_mime(mime, "clipboard")

    def _open_mime(self, mime: QMimeData, origin: str) -> bool:
        paths = _openable_paths(mime)
        if paths:
            self.open_paths(paths)
            return True
        if mime.hasImage():
            image = QImage(mime.imageData())
            if image.isNull():
                self._report_open_failure(origin, "Cannot paste image", "The clipboard image could not be read.")
                return False
            try:
                loaded = LoadedImage(image=normalise(qimage_to_pil(image)), source_format="clipboard")
            except (ImageLoadError, OSError, ValueError) as exc:
                self._report_open_failure(origin, "Cannot paste image", f"The pasted image cannot be used ({exc}).")
                return False
            self.add_document(Document(loaded, parent=self))
            return True
        if origin == "clipboard":
            self.statusBar().showMessage("The clipboard holds no image.", 4000)
        return False

    # -- actions --------------------------------------------------------------------------------

    def _action(self, text: str, slot=None, shortcut=None, icon_name: str | None = None, tip: str = "", checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
            action.setProperty("icon_name", icon_name)  # re-drawn when the palette changes
        if tip:
            action.setStatusTip(tip)
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setCheckable(checkable)
        if slot is not None:
            action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _create_actions(self) -> None:
        a = self._action
        self.open_action = a("&Open…", self._on_open, QKeySequence.StandardKey.Open, "open", "Open images")
        self.open_project_action = a("Open &Project…", self._on_open_project, "Ctrl+Shift+O", tip="Open a saved project")
        self.paste_action = a("&Paste Image", self.paste_image, QKeySequence.StandardKey.Paste, "paste", "Open the image on the clipboard")
        self.save_project_action = a("&Save Project", self._on_save_project, QKeySequence.StandardKey.Save, "save", "Save image, mask and settings as a project")
        self.save_project_as_action = a("Save Project &As…", self._on_save_project_as, "Ctrl+Shift+S")
        self.save_mask_action = a("Save &Mask As…", self._on_save_mask, "Ctrl+Shift+E", tip="Save the mask as PNG (OpenAI or black and white)")
        self.load_mask_action = a("&Load Mask…", self._on_load_mask, "Ctrl+Shift+L", tip="Replace the mask with a PNG mask")
        self.close_action = a("&Close Image", lambda: self.close_document(), QKeySequence.StandardKey.Close)
        self.quit_action = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.save_result_action = a("Save &Result", lambda: self.results_strip.save_selected(), None, "save",
                                    "Save the selected result in the output folder (never overwrites)")
        self.save_result_as_action = a("Save Result &As…", lambda: self.results_strip.save_selected_as(), None, None,
                                       "Save the selected result under a name and format you choose")
        self.copy_result_action = a("&Copy Result", lambda: self.results_strip.copy_selected(), QKeySequence.StandardKey.Copy,
                                    "paste", "Copy the selected result to the clipboard")
        self.use_result_action = a("&Use Result as Input", lambda: self.flow.use_as_input(), None, "reuse",
                                   "Open the selected result as the image to edit next, with the same mask")
        self.generate_action = a("&Generate", self._on_generate_action, ["Ctrl+Return", "Ctrl+Enter"], "generate",
                                 "Send the edit: the image, its mask and the parameters")
        self.settings_action = a("&Settings…", lambda: self.open_settings(), "Ctrl+,", "settings",
                                 "API key, service address, output folder and defaults")
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)

        self.undo_action = self.undo_group.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setIcon(icon("undo"))
        self.undo_action.setProperty("icon_name", "undo")
        self.redo_action = self.undo_group.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setIcon(icon("redo"))
        self.redo_action.setProperty("icon_name", "redo")
        self.addAction(self.undo_action)
        self.addAction(self.redo_action)

        op = self.apply_mask_operation
        self.select_all_action = a("Select &All", lambda: op("select_all"), QKeySequence.StandardKey.SelectAll, "select_all", "Edit the whole image")
        self.clear_action = a("&Clear Mask", lambda: op("clear"), "Ctrl+D", "clear", "Clear the mask")
        self.invert_action = a("&Invert Mask", lambda: op("invert"), "Ctrl+I", "invert", "Invert the mask")
        self.grow_action = a("&Grow…", lambda: self._ask_adjust("grow"), icon_name="grow", tip="Grow the mask by some pixels")
        self.shrink_action = a("S&hrink…", lambda: self._ask_adjust("shrink"), icon_name="shrink", tip="Shrink the mask by some pixels")
        self.feather_action = a("&Feather…", lambda: self._ask_adjust("feather"), icon_name="feather", tip="Soften the mask edge")
        self.reuse_mask_action = a("&Reuse Last Mask", self.reuse_last_mask, "Ctrl+Shift+R", "reuse", "Apply the mask of the previous job")

        c = self.canvas
        self.zoom_in_action = a("Zoom &In", lambda: self._zoom("in"), [QKeySequence.StandardKey.ZoomIn, "Ctrl+="], "zoom_in", "Zoom in")
        self.zoom_out_action = a("Zoom &Out", lambda: self._zoom("out"), QKeySequence.StandardKey.ZoomOut, "zoom_out", "Zoom out")
        self.fit_action = a("&Fit to Window", lambda: self._zoom("fit"), "Ctrl+0", "zoom_fit", "Fit the image in the window")
        self.actual_size_action = a("&Actual Pixels (100%)", lambda: self._zoom("actual"), "Ctrl+1", "zoom_actual", "One image pixel per screen pixel")
        self.show_mask_action = a("Show &Mask", c.set_mask_visible, "Ctrl+H", "eye", "Show or hide the mask overlay", checkable=True)
        self.show_mask_action.setChecked(True)
        self.mask_only_action = a("Mask &Only", c.set_mask_only, "Ctrl+Shift+H", "mask_only", "Show the mask alone, white = edit", checkable=True)
        self.overlay_color_action = a("Overlay &Colour…", self._on_choose_overlay_color, tip="Colour of the mask overlay")

        self.page_group = QActionGroup(self)
        self.mask_page_action = a("&Mask", self.show_mask_page, None, "brush", "Paint the mask on the image", checkable=True)
        self.compare_page_action = a("&Compare", self.show_compare_page, None, "compare",
                                     "Compare the selected result with the original", checkable=True)
        self.page_group.addAction(self.mask_page_action)
        self.page_group.addAction(self.compare_page_action)
        self.mask_page_action.setChecked(True)
        self.toggle_page_action = a("S&witch Mask / Compare", self.toggle_page, "C", tip="Switch between the mask and the comparison")
        self.reset_layout_action = a("&Reset Panel Layout", self.reset_layout, tip="Put every panel back where it started")

        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[str, QAction] = {}
        for tool in self.canvas.tools.tools.values():
            action = a(tool.label, None, tool.shortcut, tool.icon_name, tool.tip, checkable=True)
            action.setData(tool.tool_id)
            action.triggered.connect(lambda _c=False, t=tool.tool_id: self._on_tool_action(t))
            self.tool_group.addAction(action)
            self.tool_actions[tool.tool_id] = action
        self.tool_actions[self.canvas.tools.current.tool_id].setChecked(True)
        settings = self.canvas.tools.settings
        self.swap_tool_action = a("S&wap Brush and Eraser", self.canvas.tools.swap_brush_eraser, "X")
        self.smaller_brush_action = a("&Smaller Brush", lambda: settings.step_brush_size(-1), "[")
        self.larger_brush_action = a("&Larger Brush", lambda: settings.step_brush_size(+1), "]")
        self.softer_brush_action = a("So&fter Brush", lambda: settings.step_hardness(-1), ["Shift+[", "{"])
        self.harder_brush_action = a("&Harder Brush", lambda: settings.step_hardness(+1), ["Shift+]", "}"])

        self.next_image_action = a("&Next Image", lambda: self._cycle_document(+1), ["Ctrl+Tab", "Ctrl+PgDown"])
        self.previous_image_action = a("&Previous Image", lambda: self._cycle_document(-1), ["Ctrl+Shift+Tab", "Ctrl+PgUp"])
        self.image_action_group = QActionGroup(self)

    def _create_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = self.recent.build_menu(self)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.open_project_action)
        file_menu.addAction(self.paste_action)
        file_menu.addSeparator()
        file_menu.addAction(self.save_project_action)
        file_menu.addAction(self.save_project_as_action)
        file_menu.addSeparator()
        file_menu.addAction(self.save_result_action)
        file_menu.addAction(self.save_result_as_action)
        file_menu.addSeparator()
        file_menu.addAction(self.load_mask_action)
        file_menu.addAction(self.save_mask_action)
        file_menu.addSeparator()
        file_menu.addAction(self.close_action)
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        for action in (self.select_all_action, self.clear_action, self.invert_action):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        for action in (self.grow_action, self.shrink_action, self.feather_action):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.reuse_mask_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.generate_action)
        edit_menu.addAction(self.copy_result_action)
        edit_menu.addAction(self.use_result_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.settings_action)

        view_menu = bar.addMenu("&View")
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action, self.actual_size_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        for action in (self.show_mask_action, self.mask_only_action, self.overlay_color_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        for action in (self.mask_page_action, self.compare_page_action, self.toggle_page_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.panels_menu = view_menu.addMenu("&Panels")
        self.toolbars_menu = view_menu.addMenu("&Toolbars")

        tools_menu = bar.addMenu("&Tools")
        for action in self.tool_actions.values():
            tools_menu.addAction(action)
        tools_menu.addSeparator()
        for action in (self.swap_tool_action, self.smaller_brush_action, self.larger_brush_action,
                       self.softer_brush_action, self.harder_brush_action):  # fmt: skip
            tools_menu.addAction(action)

        images_menu = bar.addMenu("&Images")
        images_menu.aboutToShow.connect(self._fill_images_menu)
        self._fill_images_menu(images_menu)

        self.menus = {"file": file_menu, "edit": edit_menu, "view": view_menu, "tools": tools_menu, "images": images_menu}

    def _create_toolbars(self) -> None:
        tools_bar = QToolBar("Tools", self)
        tools_bar.setObjectName("tools_toolbar")
        tools_bar.setOrientation(Qt.Orientation.Vertical)
        tools_bar.setMovable(False)
        tools_bar.setIconSize(QSize(22, 22))
        for action in self.tool_actions.values():
            tools_bar.addAction(action)
        tools_bar.addSeparator()
        for action in (self.select_all_action, self.invert_action, self.clear_action):
            tools_bar.addAction(action)
        tools_bar.addSeparator()
        for action in (self.grow_action, self.shrink_action, self.feather_action):
            tools_bar.addAction(action)
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, tools_bar)
        self.tools_toolbar = tools_bar

        options = QToolBar("Tool Options", self)
        options.setObjectName("options_toolbar")
        options.setMovable(False)
        options.setIconSize(QSize(18, 18))
        for action in (self.open_action, self.save_project_action):
            options.addAction(action)
        options.addSeparator()
        options.addAction(self.undo_action)
        options.addAction(self.redo_action)
        options.addSeparator()

        settings = self.canvas.tools.settings
        self.tool_name_label = QLabel()
        self.tool_name_label.setMinimumWidth(72)
        self.tool_name_label.setStyleSheet("font-weight: 600; padding: 0 6px;")
        tool_name_action = options.addWidget(self.tool_name_label)

        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(1, 500)
        self.size_slider.setFixedWidth(140)
        self.size_slider.setToolTip("Brush size in image pixels ([ and ])")
        self.size_spin = QSpinBox()
        self.size_spin.setRange(1, 2000)
        self.size_spin.setSuffix(" px")
        self.size_spin.setToolTip(self.size_slider.toolTip())
        self.hardness_slider = QSlider(Qt.Orientation.Horizontal)
        self.hardness_slider.setRange(0, 100)
        self.hardness_slider.setFixedWidth(100)
        self.hardness_slider.setToolTip("Hardness: 100% is a hard edge ({ and })")
        self.hardness_spin = QSpinBox()
        self.hardness_spin.setRange(0, 100)
        self.hardness_spin.setSuffix(" %")
        self.hardness_spin.setToolTip(self.hardness_slider.toolTip())
        self._brush_option_actions = [
            options.addWidget(_option_label("Size")),
            options.addWidget(self.size_slider),
            options.addWidget(self.size_spin),
            options.addWidget(_option_label("Hardness")),
            options.addWidget(self.hardness_slider),
            options.addWidget(self.hardness_spin),
        ]

        self.mode_group = QActionGroup(self)
        self.mode_actions: dict[SelectionMode, QAction] = {}
        mode_label = options.addWidget(_option_label("Mode"))
        self._selection_option_actions = [mode_label]
        for mode, text, tip in (
            (SelectionMode.REPLACE, "Replace", "New selection replaces the mask"),
            (SelectionMode.ADD, "Add", "Add to the mask (or hold Shift)"),
            (SelectionMode.SUBTRACT, "Subtract", "Subtract from the mask (or hold Alt)"),
            (SelectionMode.INTERSECT, "Intersect", "Keep only the overlap (or hold Shift+Alt)"),
        ):
            action = QAction(text, self)
            action.setCheckable(True)
            action.setToolTip(tip)
            action.triggered.connect(lambda _c=False, m=mode: setattr(settings, "selection_mode", m))
            self.mode_group.addAction(action)
            self.mode_actions[mode] = action
            options.addAction(action)
            self._selection_option_actions.append(action)
        self.mode_actions[settings.selection_mode].setChecked(True)

        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        options.addWidget(spacer)

        overlay_label = options.addWidget(_option_label("Overlay"))
        self.color_button = QToolButton()
        self.color_button.setToolTip("Overlay colour")
        self.color_button.setAutoRaise(True)
        self.color_button.clicked.connect(self._on_choose_overlay_color)
        color_button_action = options.addWidget(self.color_button)
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setFixedWidth(90)
        self.opacity_slider.setToolTip("Overlay opacity")
        opacity_slider_action = options.addWidget(self.opacity_slider)
        self.opacity_label = QLabel()
        self.opacity_label.setMinimumWidth(38)
        opacity_label_action = options.addWidget(self.opacity_label)
        options.addAction(self.show_mask_action)
        options.addAction(self.mask_only_action)
        overlay_separator = options.addSeparator()
        # What only makes sense while painting is hidden on the Compare page (it has its own bar).
        self._mask_only_actions = [
            tool_name_action, overlay_label, color_button_action, opacity_slider_action, opacity_label_action,
            self.show_mask_action, self.mask_only_action, overlay_separator,
        ]
        options.addAction(self.fit_action)
        options.addAction(self.actual_size_action)
        options.addSeparator()
        options.addAction(self.settings_action)
        options.addAction(self.generate_action)
        generate_button = options.widgetForAction(self.generate_action)
        if isinstance(generate_button, QToolButton):
            generate_button.setObjectName("generate_tool")
            generate_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, options)
        self.options_toolbar = options
        for button_action in self.mode_actions.values():
            widget = options.widgetForAction(button_action)
            if widget is not None:
                widget.setProperty("segment", True)
        self.toolbars_menu.addAction(tools_bar.toggleViewAction())
        self.toolbars_menu.addAction(options.toggleViewAction())

    def _create_docks(self) -> None:
        """Parameters over Jobs|History on the right, Results at the bottom; all movable."""
        self.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.params_dock = self._dock("Parameters", "params_dock", self.params_panel)
        self.jobs_dock = self._dock("Jobs", "jobs_dock", self.jobs_panel)
        self.history_dock = self._dock(
            "History", "history_dock",
            empty_state_label("Every edit you send is kept here with its cost once the app is connected to the service."),
        )
        self.results_dock = self._dock("Results", "results_dock", self.results_strip)
        self.docks = [self.params_dock, self.jobs_dock, self.history_dock, self.results_dock]
        self._place_docks()
        for dock in self.docks:
            self.panels_menu.addAction(dock.toggleViewAction())
        self.panels_menu.addSeparator()
        self.panels_menu.addAction(self.reset_layout_action)

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState/restoreState find docks by name
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        return dock

    def _place_docks(self) -> None:
        right, bottom = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        for dock in self.docks:
            dock.setFloating(False)
        self.addDockWidget(right, self.params_dock)
        self.addDockWidget(right, self.jobs_dock)
        self.splitDockWidget(self.params_dock, self.jobs_dock, Qt.Orientation.Vertical)
        self.tabifyDockWidget(self.jobs_dock, self.history_dock)
        self.addDockWidget(bottom, self.results_dock)
        for dock in self.docks:
            dock.show()
        self.jobs_dock.raise_()
        self.resizeDocks([self.params_dock], [370], Qt.Orientation.Horizontal)
        self.resizeDocks([self.params_dock, self.jobs_dock], [560, 330], Qt.Orientation.Vertical)

    @Slot()
    def reset_layout(self) -> None:
        """Every panel back in its first place (View > Panels > Reset Panel Layout)."""
        self._place_docks()

    def _create_status_bar(self) -> None:
        status = self.statusBar()
        status.setSizeGripEnabled(True)
        self.send_size_label = QLabel()
        self.send_size_label.setObjectName("send_size_label")
        self.image_size_label = QLabel()
        self.position_label = QLabel()
        self.position_label.setFixedWidth(self.position_label.fontMetrics().horizontalAdvance("x 88888   y 88888") + 20)
        # The pointer moves hundreds of times a second while painting; the readout only needs to
        # keep up with the eye, so it is refreshed at most every 40 ms instead of per event.
        self._pending_pixel: QPoint | None = None
        self._position_timer = QTimer(self)
        self._position_timer.setSingleShot(True)
        self._position_timer.setInterval(40)
        self._position_timer.timeout.connect(self._show_pointer_position)
        self._coverage_timer = QTimer(self)
        self._coverage_timer.setSingleShot(True)
        self._coverage_timer.setInterval(30)
        self._coverage_timer.timeout.connect(self._update_coverage)
        self.coverage_label = QLabel()
        self.coverage_label.setMinimumWidth(96)
        self.zoom_button = QToolButton()
        self.zoom_button.setAutoRaise(True)
        self.zoom_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.zoom_button.setMinimumWidth(64)
        zoom_menu = QMenu(self.zoom_button)
        zoom_menu.addAction(self.fit_action)
        zoom_menu.addSeparator()
        for percent in (25, 50, 100, 200, 400, 800):
            zoom_menu.addAction(f"{percent}%", lambda p=percent: self.canvas.set_zoom(p / 100.0))
        self.zoom_button.setMenu(zoom_menu)
        self.demo_badge = demo_badge()
        self.demo_badge.hide()
        self.jobs_indicator = JobsIndicator()
        for widget in (self.demo_badge, self.jobs_indicator, self.send_size_label, self.image_size_label,
                       self.position_label, self.coverage_label, self.zoom_button):
            status.addPermanentWidget(widget)

    def _connect(self) -> None:
        self.loader.loaded.connect(self._on_image_loaded)
        self.loader.failed.connect(self._on_image_failed)
        self.recent.open_requested.connect(self.open_path)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.tabs.tabMoved.connect(self._on_tab_moved)
        self.canvas.zoom_changed.connect(self._on_zoom_changed)
        self.canvas.pointer_moved.connect(self._on_pointer_moved)
        self.canvas.tools.tool_changed.connect(self._on_tool_changed)
        settings = self.canvas.tools.settings
        settings.brush_size_changed.connect(self._on_brush_size_changed)
        settings.hardness_changed.connect(self._on_hardness_changed)
        settings.selection_mode_changed.connect(self._on_selection_mode_changed)
        self.size_slider.valueChanged.connect(lambda v: setattr(settings, "brush_size", v))
        self.size_spin.valueChanged.connect(lambda v: setattr(settings, "brush_size", v))
        self.hardness_slider.valueChanged.connect(lambda v: setattr(settings, "hardness", v / 100.0))
        self.hardness_spin.valueChanged.connect(lambda v: setattr(settings, "hardness", v / 100.0))
        self.opacity_slider.valueChanged.connect(self._on_opacity_slider)
        self.mask_only_action.toggled.connect(self._on_mask_only_toggled)
        self.results_strip.result_selected.connect(self._on_result_selected)
        self.demo_banner.add_key_requested.connect(self.open_settings)
        self.jobs_indicator.clicked.connect(self._on_jobs_indicator_clicked)
        self._on_brush_size_changed(settings.brush_size)
        self._on_hardness_changed(settings.hardness)
        self._on_tool_changed(self.canvas.tools.current.tool_id)

    # -- settings ---------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        color = QColor(str(s.value("overlay/color", self.canvas.overlay_color().name())))
        if color.isValid():
            self.canvas.set_overlay_color(color)
        try:
            self.canvas.set_overlay_opacity(float(s.value("overlay/opacity", self.canvas.overlay_opacity())))
            tool_settings = self.canvas.tools.settings
            tool_settings.brush_size = float(s.value("brush/size", tool_settings.brush_size))
            tool_settings.hardness = float(s.value("brush/hardness", tool_settings.hardness))
        except (TypeError, ValueError):
            pass
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = s.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state, WINDOW_STATE_VERSION)
        self._sync_overlay_widgets()

    def _save_settings(self) -> None:
        s = self.settings
        s.setValue("overlay/color", self.canvas.overlay_color().name())
        s.setValue("overlay/opacity", self.canvas.overlay_opacity())
        s.setValue("brush/size", self.canvas.tools.settings.brush_size)
        s.setValue("brush/hardness", self.canvas.tools.settings.hardness)
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState(WINDOW_STATE_VERSION))

    # -- slots ------------------------------------------------------------------------------------

    @Slot()
    def _on_open(self) -> None:
        start = self._dialog_dir()
        paths, _filter = QFileDialog.getOpenFileNames(
            self, "Open Images", start, f"{IMAGE_FILTER};;{PROJECT_FILTER};;All files (*)"
        )
        self.open_paths(paths)

    @Slot()
    def _on_open_project(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Open Project", self._dialog_dir(), PROJECT_FILTER)
        if path:
            self.open_project(path)

    @Slot()
    def _on_save_project(self) -> None:
        self.save_project()

    @Slot()
    def _on_save_project_as(self) -> None:
        document = self._current
        if document is None:
            return
        path = self._ask_project_path(document)
        if path is not None:
            self.save_project(document, path)

    def _ask_project_path(self, document: Document) -> Path | None:
        base = document.project_path or (document.path.with_suffix(PROJECT_SUFFIX) if document.path else Path(self._dialog_dir()) / f"{document.name}{PROJECT_SUFFIX}")
        path, _filter = QFileDialog.getSaveFileName(self, "Save Project", str(base), PROJECT_FILTER)
        return Path(path) if path else None

    @Slot()
    def _on_save_mask(self) -> None:
        document = self._current
        if document is None:
            return
        stem = document.path.stem if document.path else document.name
        folder = document.path.parent if document.path else Path(self._dialog_dir())
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save Mask", str(folder / f"{stem}_mask.png"), ";;".join(MASK_FILTERS)
        )
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        self.save_mask(path, MASK_FILTERS.get(chosen, MaskConvention.OPENAI))

    @Slot()
    def _on_load_mask(self) -> None:
        if self._current is None:
            return
        path, _filter = QFileDialog.getOpenFileName(self, "Load Mask", self._dialog_dir(), "PNG masks (*.png);;" + IMAGE_FILTER)
        if path:
            self.load_mask_file(path)

    def _ask_adjust(self, operation: str) -> None:
        if self._current is None:
            return
        titles = {
            "grow": ("Grow Mask", "Grow the edit area by:"),
            "shrink": ("Shrink Mask", "Shrink the edit area by:"),
            "feather": ("Feather Mask", "Soften the edge over:"),
        }
        title, label = titles[operation]
        value, ok = QInputDialog.getInt(self, title, f"{label} (pixels)", self._last_adjust[operation], 1, 500, 1)
        if ok:
            self._last_adjust[operation] = value
            self.apply_mask_operation(operation, value)

    @Slot()
    def _on_choose_overlay_color(self) -> None:
        color = QColorDialog.getColor(self.canvas.overlay_color(), self, "Mask Overlay Colour")
        if color.isValid():
            self.canvas.set_overlay_color(color)
            self._sync_overlay_widgets()

    @Slot(int)
    def _on_opacity_slider(self, value: int) -> None:
        self.canvas.set_overlay_opacity(value / 100.0)
        self.opacity_label.setText(f"{value}%")

    @Slot(bool)
    def _on_mask_only_toggled(self, checked: bool) -> None:
        self.show_mask_action.setEnabled(not checked)

    def _sync_overlay_widgets(self) -> None:
        self.color_button.setIcon(color_swatch_icon(self.canvas.overlay_color()))
        value = round(self.canvas.overlay_opacity() * 100)
        self.opacity_slider.blockSignals(True)
        self.opacity_slider.setValue(value)
        self.opacity_slider.blockSignals(False)
        self.opacity_label.setText(f"{value}%")

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if 0 <= index < len(self._documents):
            self.set_current_document(self._documents[index])

    @Slot(int, int)
    def _on_tab_moved(self, source: int, target: int) -> None:
        self._documents.insert(target, self._documents.pop(source))

    def _cycle_document(self, step: int) -> None:
        if len(self._documents) > 1 and self._current is not None:
            index = (self._documents.index(self._current) + step) % len(self._documents)
            self.set_current_document(self._documents[index])

    def _fill_images_menu(self, menu: QMenu | None = None) -> None:
        menu = menu or self.menus.get("images")
        if menu is None:
            return
        menu.clear()
        menu.addAction(self.next_image_action)
        menu.addAction(self.previous_image_action)
        menu.addSeparator()
        for action in self.image_action_group.actions():
            self.image_action_group.removeAction(action)
        for number, document in enumerate(self._documents, start=1):
            marker = " *" if document.is_modified() else ""
            action = menu.addAction(f"&{number}  {document.name}{marker}" if number < 10 else document.name + marker)
            action.setCheckable(True)
            action.setChecked(document is self._current)
            action.triggered.connect(lambda _c=False, d=document: self.set_current_document(d))
            self.image_action_group.addAction(action)

    @Slot(bool)
    def _on_document_modified(self, _modified: bool) -> None:
        sender = self.sender()
        for index, document in enumerate(self._documents):
            if document is sender or sender is None:
                self.tabs.setTabText(index, document.name + (" •" if document.is_modified() else ""))
        self._update_title()

    @Slot(int)
    def _on_history_index_changed(self, _index: int) -> None:
        # Counting painted pixels of an 8K mask takes milliseconds; undoing or redoing many
        # steps in a row (or a history trim) should count once, not once per step.
        if not self._coverage_timer.isActive():
            self._coverage_timer.start()

    @Slot(int)
    def _on_history_trimmed(self, count: int) -> None:
        self.statusBar().showMessage(f"The oldest {count} undo steps were dropped to keep history within its memory budget.", 5000)

    @Slot(float)
    def _on_zoom_changed(self, zoom: float) -> None:
        percent = zoom * 100
        text = f"{percent:.0f}%" if percent >= 10 else f"{percent:.1f}%"
        self.zoom_button.setText(text)

    @Slot(object)
    def _on_pointer_moved(self, pixel: QPoint | None) -> None:
        self._pending_pixel = pixel
        if not self._position_timer.isActive():
            self._position_timer.start()

    @Slot()
    def _show_pointer_position(self) -> None:
        pixel = self._pending_pixel
        self.position_label.setText("" if pixel is None else f"x {pixel.x()}   y {pixel.y()}")

    @Slot(str)
    def _on_tool_changed(self, tool_id: str) -> None:
        action = self.tool_actions.get(tool_id)
        if action is not None and not action.isChecked():
            action.setChecked(True)
        tool = self.canvas.tools.tool(tool_id)
        self.tool_name_label.setText(tool.label)
        painting = not self.is_compare_page()
        brush = painting and tool_id in ("brush", "eraser")
        selection = painting and tool_id in ("rect", "lasso")
        for action in self._brush_option_actions:
            action.setVisible(brush)
        for action in self._selection_option_actions:
            action.setVisible(selection)

    @Slot(float)
    def _on_brush_size_changed(self, size: float) -> None:
        for widget, value in ((self.size_slider, min(500, int(size))), (self.size_spin, int(size))):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)

    @Slot(float)
    def _on_hardness_changed(self, hardness: float) -> None:
        for widget in (self.hardness_slider, self.hardness_spin):
            widget.blockSignals(True)
            widget.setValue(round(hardness * 100))
            widget.blockSignals(False)

    @Slot(str)
    def _on_selection_mode_changed(self, mode: str) -> None:
        self.mode_actions[SelectionMode(mode)].setChecked(True)

    @Slot()
    def _on_generate_action(self) -> None:
        # Through the panel, so Ctrl+Enter, the toolbar and the panel's button behave the same
        # (validation shown by the fields, the prompt remembered).
        if not self.params_panel.request_generate():
            self.params_dock.show()
            problems = self.params_panel.problems()
            if problems:
                self.statusBar().showMessage(problems[0].message, 5000)

    def _on_tool_action(self, tool_id: str) -> None:
        self.canvas.tools.set_current(tool_id)
        self.show_mask_page()

    def _zoom(self, how: str) -> None:
        """Zoom the picture that is shown: the canvas, or the comparison."""
        if self.is_compare_page():
            view = self.compare_view
            steps = {"in": lambda: view.set_zoom(view.zoom() * 1.25), "out": lambda: view.set_zoom(view.zoom() / 1.25),
                     "fit": view.fit, "actual": view.zoom_to_actual}
        else:
            c = self.canvas
            steps = {"in": c.zoom_in, "out": c.zoom_out, "fit": c.fit_to_window, "actual": c.actual_pixels}
        steps[how]()

    @Slot(QRect)
    def _on_mask_edited(self, _rect: QRect) -> None:
        self.last_mask_edit = time.monotonic()

    @Slot(int)
    def _on_result_selected(self, _index: int) -> None:
        self.update_view_actions()

    @Slot()
    def _on_jobs_indicator_clicked(self) -> None:
        self.jobs_dock.show()
        self.jobs_dock.raise_()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._refresh_icons()

    def _refresh_icons(self) -> None:
        """Draw the action icons again in the palette's colours (the desktop switched light/dark)."""
        for item in [*self.findChildren(QAction), *self.findChildren(QToolButton)]:
            name = item.property("icon_name")
            if name and not (isinstance(item, QToolButton) and item.defaultAction() is not None):
                item.setIcon(icon(str(name)))
        self._sync_overlay_widgets()

    # -- state display --------------------------------------------------------------------------------

    def _update_for_document(self) -> None:
        document = self._current
        if document is None:
            self.image_size_label.setText("")
            self.send_size_label.setVisible(False)
            self.position_label.setText("")
            self.coverage_label.setText("")
            self.zoom_button.setVisible(False)
        else:
            self.zoom_button.setVisible(not self.is_compare_page())
            self.image_size_label.setText(f"{document.width} × {document.height} px")
            if document.exceeds_limits():
                w, h = document.send_size()
                self.send_size_label.setText(f"will be sent as {w}×{h}")
                self.send_size_label.setToolTip(
                    f"The model accepts at most 3840 px per side and 8.3 megapixels; this image will be scaled to {w}×{h} when sent."
                )
                self.send_size_label.setVisible(True)
            else:
                self.send_size_label.setVisible(False)
            self._on_zoom_changed(self.canvas.zoom())
            self._update_coverage()
        self._update_title()
        self._update_actions()

    def _update_coverage(self) -> None:
        document = self._current
        if document is None:
            self.coverage_label.setText("")
            return
        share = coverage(document.mask_pixels()) * 100
        text = "Mask empty" if share == 0 else f"Mask {share:.1f}%" if share >= 0.1 else "Mask <0.1%"
        self.coverage_label.setText(text)

    def _update_title(self) -> None:
        document = self._current
        app = f"{APP_NAME} (Demo)" if self._demo else APP_NAME
        if document is None:
            self.setWindowTitle(app)
            self.setWindowModified(False)
            return
        self.setWindowTitle(f"{document.name}[*] — {app}")
        self.setWindowModified(document.is_modified())

    def _update_actions(self) -> None:
        has_document = self._current is not None
        for action in (
            self.save_project_action, self.save_project_as_action, self.save_mask_action, self.load_mask_action,
            self.close_action, self.select_all_action, self.clear_action, self.invert_action, self.grow_action,
            self.shrink_action, self.feather_action, self.zoom_in_action, self.zoom_out_action, self.fit_action,
            self.actual_size_action,
        ):  # fmt: skip
            action.setEnabled(has_document)
        self.reuse_mask_action.setEnabled(has_document and self._last_job_mask is not None)

    def _dialog_dir(self) -> str:
        if self._current is not None and self._current.path is not None:
            return str(self._current.path.parent)
        recent = self.recent.paths()
        if recent:
            return str(Path(recent[0]).parent)
        return str(Path.home())

    # -- closing ------------------------------------------------------------------------------------

    def _confirm_discard(self, documents: list[Document], note: str = "") -> bool:
        """Ask Save / Discard / Cancel for documents with unsaved mask work; True to go ahead."""
        if len(documents) == 1:
            text = f"The mask of {documents[0].name} has unsaved changes."
        else:
            text = f"{len(documents)} images have unsaved mask changes:\n" + "\n".join(f"  • {d.name}" for d in documents)
        answer = QMessageBox.warning(
            self,
            "Unsaved mask changes",
            text + "\n\nSave them as a project before closing?" + (f"\n\n{note}" if note else ""),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return all(self.save_project(document) for document in documents)
        return answer == QMessageBox.StandardButton.Discard

    def running_note(self) -> str:
        """What happens to edits in flight when the window closes (empty when none are)."""
        count = self.flow.active_count()
        if not count:
            return ""
        plural = count != 1
        edits, verb, they = ("edits", "are", "they") if plural else ("edit", "is", "it")
        if self._demo:
            return (f"{count} emulated {edits} {verb} still running; in Demo mode {they} stop when you quit "
                    "(nothing is charged).")
        return f"{count} {edits} {verb} still running; {they} will be picked up next time you start {APP_NAME}."

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._shut_down:
            event.accept()
            return
        modified = [d for d in self._documents if d.is_modified()]
        note = self.running_note()
        if modified:
            if not self._confirm_discard(modified, note):
                event.ignore()
                return
        elif note:
            answer = QMessageBox.question(
                self, "Edits still running", f"{note}\n\nQuit now?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes,
            )
            if answer != QMessageBox.StandardButton.Yes:
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
        self.canvas.tools.current.cancel()
        self._save_settings()
        self.loader.wait(5000)
        self.results_strip.wait_for_background_work(5000)
        self.compare_view.wait_for_background_work(5000)
        self.thumbnails.wait(3000)
        if self.history_panel is not None:
            self.history_panel.detach_store()
        self.flow.shutdown()

    def save_recovery_copies(self, folder: Path | None = None) -> list[Path]:
        """Save every document with unsaved mask work as a project in `folder` (the data
        folder's "recovery" by default); used after an unexpected error. Returns the files."""
        folder = folder or paths.data_dir() / "recovery"
        saved: list[Path] = []
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for document in self._documents:
            if not document.is_modified():
                continue
            stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(document.name).stem) or "image"
            target = folder / f"{stem}-{stamp}{PROJECT_SUFFIX}"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                save_project(
                    target, image_path=document.path, mask=document.mask_pixels(), params=document.params,
                    view=document.view_state or None,
                    image_bytes=None if document.path is not None else qimage_to_png_bytes(document.image),
                )
            except (OSError, ProjectError):
                continue
            saved.append(target)
        return saved

    # -- drag and drop ------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if _openable_paths(mime) or mime.hasImage():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self._open_mime(event.mimeData(), "drop"):
            event.acceptProposedAction()


def _set_shortcut(action: QAction, keys: QKeySequence) -> None:
    """Give `action` these keys (or none) and keep its tooltip's key hint in step."""
    if action.shortcut() == keys:
        return
    action.setShortcut(keys)
    tip = action.statusTip()
    if tip:
        text = keys.toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({text})" if text else tip)


def _option_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("option_label")
    return label


def _openable_paths(mime: QMimeData) -> list[str]:
    if not mime.hasUrls():
        return []
    paths = []
    for url in mime.urls():
        if url.isLocalFile():
            local = url.toLocalFile()
            if Path(local).suffix.lower() in _OPENABLE:
                paths.append(local)
    return paths


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a failed save never leaves half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.absolute().parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
