"""The history panel: every past edit with its inputs, parameters, outcome and cost.

The list is read from the job store on a worker and the running total is summed by SQLite, so
a long history costs the window's thread nothing per finished edit; thumbnails load lazily on a
worker, for visible rows only, so browsing hundreds of entries never waits on image decoding.
Every attempt shows what it cost, failed ones included, and the running total is what the
designer actually spent (emulated Demo-mode edits are shown but never counted).

The panel keeps layout, loading and commands; the rows are `history_model`'s data and
`history_delegate`'s painting.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QPoint,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_editor.jobs.model import EditJob
from desktop_editor.jobs.service import DEMO_SOURCE
from desktop_editor.jobs.store import JobStore
from desktop_editor.ui.common.binding import set_tone
from desktop_editor.ui.common.desktop import feedback_for, show_folder
from desktop_editor.ui.common.job_bridge import ThumbnailCache, start_worker
from desktop_editor.ui.panels.history_delegate import THUMB, HistoryDelegate
from desktop_editor.ui.panels.history_model import HistoryModel
from desktop_editor.ui.panels.job_list import (
    JobRole,
    confirm,
    copy_actions,
    copy_text,
    current_job,
    empty_state_label,
    select_row,
    setup_job_list,
)

__all__ = ["HistoryPanel"]

LIST_LIMIT = 500
SEARCH_DELAY_MS = 200


class HistoryPanel(QWidget):
    """Past edits from the job store: search, favourites, delete, prune, reopen, reveal, spending.

    The list is read from the store on a worker (up to 500 entries take ~20 ms to build, after
    every finished edit); the running total is summed by SQLite on the GUI thread.

    Signals:
        reopen_requested(object): restore this EditJob's inputs and parameters in the window.
        job_selected(object): the designer selected this EditJob (not a reload keeping the selection).
        history_changed(): entries were starred, deleted or pruned.
        list_loaded(): the list shows the store as it was when last asked.
    """

    reopen_requested = Signal(object)
    job_selected = Signal(object)
    history_changed = Signal()
    list_loaded = Signal()

    def __init__(self, store: JobStore, parent: QWidget | None = None, *, thumbnails: ThumbnailCache | None = None):
        super().__init__(parent)
        self.store = store
        self._closed = False
        self._reloading = False
        self._loads = QThreadPool(self)
        self._loads.setMaxThreadCount(1)
        self._list_generation = 0
        self._pending_load = False
        self._thumbs = thumbnails or ThumbnailCache(edge=2 * THUMB, parent=self)
        self._thumbs.thumbnail_ready.connect(self._on_thumbnail_ready)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search prompts")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search prompts")
        self.favourites_button = QToolButton()
        self.favourites_button.setText("★ Favourites")
        self.favourites_button.setCheckable(True)
        self.favourites_button.setToolTip("Show only starred edits")

        self.model = HistoryModel(self)
        self.view = QListView()
        self.delegate = HistoryDelegate(self._thumbs, self.view)
        setup_job_list(self.view, self.model, self.delegate, "History")
        self.view.setMouseTracking(True)
        self.empty_label = empty_state_label()

        self.reopen_button = QPushButton("Reopen")
        self.reopen_button.setToolTip("Open this edit's image, mask and parameters again")
        self.reveal_button = QPushButton("Show files")
        self.reveal_button.setToolTip("Open the folder holding this edit's results")
        self.star_button = QPushButton("Star")
        self.copy_answer_button = QPushButton("Copy answer")
        self.copy_answer_button.setToolTip(
            "Copy the service's answer, kept because no image could be read from it (for you or Runflow's support)"
        )
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Remove this entry from history (files on disk are kept)")

        self.prune_days = QSpinBox()
        self.prune_days.setRange(1, 3650)
        self.prune_days.setValue(30)
        self.prune_days.setSuffix(" days")
        self.prune_button = QPushButton("Prune…")
        self.prune_button.setToolTip("Forget finished edits older than this; favourites are kept, files stay on disk")
        self.total_label = QLabel()
        bold = QFont(self.total_label.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self.total_label.setFont(bold)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        set_tone(self.status_label, "muted")

        top = QHBoxLayout()
        top.setContentsMargins(10, 8, 10, 6)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.favourites_button)
        actions = QHBoxLayout()
        actions.setContentsMargins(10, 6, 10, 0)
        for button in (self.reopen_button, self.reveal_button, self.star_button, self.copy_answer_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.delete_button)
        prune = QHBoxLayout()
        prune.setContentsMargins(10, 6, 10, 0)
        prune_label = QLabel("Older than")
        prune.addWidget(prune_label)
        prune.addWidget(self.prune_days)
        prune.addWidget(self.prune_button)
        keep_note = QLabel("(keeps favourites)")
        set_tone(keep_note, "muted")
        prune.addWidget(keep_note)
        prune.addStretch(1)
        footer = QVBoxLayout()
        footer.setContentsMargins(10, 6, 10, 10)
        footer.setSpacing(2)
        footer.addWidget(self.total_label)
        footer.addWidget(self.status_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addLayout(actions)
        layout.addLayout(prune)
        layout.addLayout(footer)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._reload_list)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(300)
        self._refresh_timer.timeout.connect(self.refresh)

        self.search_edit.textChanged.connect(self._on_search_text_changed)
        self.favourites_button.toggled.connect(self._on_favourites_toggled)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.doubleClicked.connect(self._on_double_clicked)
        self.delegate.star_clicked.connect(self.toggle_star)
        self.reopen_button.clicked.connect(self._on_reopen_clicked)
        self.reveal_button.clicked.connect(self._on_reveal_clicked)
        self.star_button.clicked.connect(self._on_star_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.copy_answer_button.clicked.connect(self._on_copy_answer_clicked)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        self.prune_button.clicked.connect(self._on_prune_clicked)
        self.refresh()

    # ----- public API --------------------------------------------------------------------------

    def detach_store(self) -> None:
        """Stop reading the store (it is about to be closed); the list stays as it is."""
        self._closed = True
        self._refresh_timer.stop()
        self._search_timer.stop()
        self._list_generation += 1
        self._loads.waitForDone(5000)  # a load in flight must not meet a closed store

    def is_loading(self) -> bool:
        """Whether a list load is under way."""
        return self._loads.activeThreadCount() > 0 or self._pending_load

    @Slot()
    def refresh(self) -> None:
        """Reload the list and the running total from the store, keeping the selection."""
        self._refresh_timer.stop()
        if self._closed:
            return
        self._update_total()
        self._reload_list()

    @Slot()
    def _reload_list(self) -> None:
        """Reload the list only (search and filter changes do not change what was spent)."""
        self._search_timer.stop()
        if self._closed:
            return
        search = self.search_edit.text().strip() or None
        self._list_generation += 1
        generation = self._list_generation
        self._pending_load = True
        start_worker(
            self.store.jobs, search=search, starred_only=self.favourites_button.isChecked(), limit=LIST_LIMIT,
            owner=self, pool=self._loads,
            on_returned=lambda jobs: self._show_list(generation, search, jobs),
            on_errored=lambda exc: self._list_failed(generation, exc),
        )

    def _show_list(self, generation: int, search: str | None, jobs: list[EditJob]) -> None:
        if generation != self._list_generation:
            return  # a newer search or refresh is on its way
        self._pending_load = False
        selected = self.selected_job()
        self._reloading = True  # the selection kept across a reload is not a new choice
        try:
            self.model.set_jobs(jobs)
            if selected is not None:
                row = self.model.row_of(selected.id)
                if row is not None:
                    self.view.setCurrentIndex(self.model.index(row))
        finally:
            self._reloading = False
        self._update_empty(search)
        self._update_actions()
        self.list_loaded.emit()

    def _list_failed(self, generation: int, exc: Exception) -> None:
        if generation != self._list_generation:
            return
        self._pending_load = False
        self.status_label.setText(f"The history could not be read ({exc}).")
        self.list_loaded.emit()

    @Slot(object)
    def update_job(self, job: EditJob) -> None:
        """A job changed (connect `JobsController.job_changed`): show it soon, in one reload."""
        if self.model.row_of(job.id) is not None and not job.state.is_final:
            self.model.replace(job)
        else:
            self._refresh_timer.start()

    def selected_job(self) -> EditJob | None:
        return current_job(self.view)

    def select_job(self, job_id: str) -> None:
        select_row(self.view, self.model, job_id)

    def jobs(self) -> list[EditJob]:
        """The entries shown now, newest first."""
        return self.model.jobs()

    def set_search(self, text: str) -> None:
        """Search now (without the typing delay)."""
        self.search_edit.setText(text)
        self._reload_list()

    @Slot(str)
    def toggle_star(self, job_id: str) -> None:
        job = self.store.get(job_id)
        if job is None:
            return
        self.store.set_starred(job_id, not job.starred)
        self.history_changed.emit()
        if self.favourites_button.isChecked():
            self._reload_list()
        else:
            job.starred = not job.starred
            self.model.replace(job)
            self._update_actions()

    def delete_job(self, job_id: str, *, ask: bool = True) -> bool:
        """Remove an entry (files on disk stay); asks first unless `ask` is False."""
        job = self.store.get(job_id)
        if job is None:
            return False
        if ask and not confirm(
            self, "Delete from history?", "Remove this edit from history?",
            "Its result files stay where they are; only the entry is forgotten.", "Delete",
        ):
            return False
        self.store.delete(job_id)
        self.status_label.setText("Entry removed from history.")
        self.history_changed.emit()
        self.refresh()
        return True

    def prune(self, days: int | None = None, *, ask: bool = True) -> int:
        """Forget finished edits older than `days` (favourites kept); returns how many."""
        days = int(days if days is not None else self.prune_days.value())
        if ask and not confirm(
            self, "Prune history?", f"Forget finished edits older than {days} day{'s' if days != 1 else ''}?",
            "Starred favourites are kept, and result files stay on disk.", "Prune",
        ):
            return 0
        removed = self.store.prune(days, keep_starred=True)
        self.status_label.setText(
            f"Removed {removed} entr{'ies' if removed != 1 else 'y'} older than {days} day{'s' if days != 1 else ''}."
        )
        if removed:
            self.history_changed.emit()
        self.refresh()
        return removed

    def reveal(self, job: EditJob) -> bool:
        """Open the folder with the job's results (or its input) in the file manager."""
        candidates = [Path(p) for p in job.result_paths] + [Path(p) for p in job.image_paths]
        folder = next((p.parent for p in candidates if p.exists()), None)
        if folder is None:
            self.status_label.setText("The files of this edit are no longer on disk.")
            return False
        feedback = feedback_for(self)
        shown = show_folder(folder, feedback)
        if not shown:
            self.status_label.setText(feedback.texts("status")[-1] if feedback.texts("status")
                                      else f"No file manager could open {folder}.")
        return shown

    # ----- internals ---------------------------------------------------------------------------

    def _update_total(self) -> None:
        total, count = self.store.spending(exclude_source=DEMO_SOURCE)
        demo = self.store.has_source(DEMO_SOURCE)
        text = f"Spent: ${total:.2f} on {count} edit{'s' if count != 1 else ''}"
        self.total_label.setText(text)
        self.total_label.setToolTip(
            "Costs reported by the service for every attempt, failed ones included"
            + ("; emulated Demo-mode edits are not counted" if demo else "")
        )

    def _update_empty(self, search: str | None) -> None:
        empty = self.model.rowCount() == 0
        if search:
            self.empty_label.setText(f"No edits match “{search}”.")
        elif self.favourites_button.isChecked():
            self.empty_label.setText("No favourites yet. Star an edit to keep it here.")
        else:
            self.empty_label.setText("No edits yet. Every edit you send is kept here with its cost.")
        self.view.setVisible(not empty)
        self.empty_label.setVisible(empty)

    def _update_actions(self) -> None:
        job = self.selected_job()
        for button in (self.reopen_button, self.reveal_button, self.star_button, self.delete_button):
            button.setEnabled(job is not None)
        self.star_button.setText("Unstar" if job is not None and job.starred else "Star")
        self.copy_answer_button.setVisible(job is not None and bool(job.raw_answer))

    @Slot(str)
    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot(bool)
    def _on_favourites_toggled(self, _on: bool) -> None:
        self._reload_list()

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()
        job = current.data(JobRole) if current.isValid() else None
        if job is not None and not self._reloading:
            self.job_selected.emit(job)

    @Slot(QModelIndex)
    def _on_double_clicked(self, index: QModelIndex) -> None:
        job = index.data(JobRole)
        if job is not None:
            self.reopen_requested.emit(job)

    @Slot()
    def _on_reopen_clicked(self) -> None:
        job = self.selected_job()
        if job is not None:
            self.reopen_requested.emit(job)

    @Slot()
    def _on_reveal_clicked(self) -> None:
        job = self.selected_job()
        if job is not None:
            self.reveal(job)

    @Slot()
    def _on_star_clicked(self) -> None:
        job = self.selected_job()
        if job is not None:
            self.toggle_star(job.id)

    @Slot()
    def _on_copy_answer_clicked(self) -> None:
        job = self.selected_job()
        if job is not None and job.raw_answer:
            copy_text(job.raw_answer)

    @Slot(QPoint)
    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        job: EditJob | None = index.data(JobRole) if index.isValid() else None
        if job is None:
            return
        menu = QMenu(self)
        copies = copy_actions(menu, job)
        chosen = menu.exec(self.view.viewport().mapToGlobal(pos))
        if chosen in copies:
            copy_text(copies[chosen])

    @Slot()
    def _on_delete_clicked(self) -> None:
        job = self.selected_job()
        if job is not None:
            self.delete_job(job.id)

    @Slot()
    def _on_prune_clicked(self) -> None:
        self.prune()

    @Slot(str)
    def _on_thumbnail_ready(self, _path: str) -> None:
        self.view.viewport().update()
