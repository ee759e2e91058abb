"""The jobs panel: every edit of this session, where it stands, and what can be done about it.

A list model holds EditJob snapshots (newest first) and a delegate paints each row, so hundreds
of jobs stay smooth: no widget per row, uniform row heights, and one 1 s timer for the whole
panel that repaints only the rows still in flight. Actions that can cost money ask first and say
so plainly: stopping an edit that was sent does not stop the service from finishing (and
charging) it, one never sent is cancelled for free, and sending again is a new, separately
charged request.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_editor.jobs.model import EditJob, JobState, never_sent
from desktop_editor.ui.common.binding import set_tone, tone_color
from desktop_editor.ui.common.job_bridge import ThumbnailCache
from desktop_editor.ui.panels.job_list import (
    JobListModel,
    JobRole,
    JobRowDelegate,
    RowPainter,
    confirm,
    copy_actions,
    copy_text,
    current_job,
    draw_thumbnail,
    empty_state_label,
    followed_elsewhere,
    job_short_label,
    job_state_text,
    select_row,
    service_status,
    setup_job_list,
    short_label,
    state_tone,
)
from desktop_editor.ui.panels.job_questions import stop_label, stop_question, stop_tooltip

__all__ = [
    "JobRole", "JobsModel", "JobsPanel", "confirm", "draw_thumbnail", "format_elapsed", "job_details",
    "short_label", "state_tone",
]

ROW_HEIGHT = 68
THUMB = 48

# How far along a job in flight is, by stage (for the progress bar; the service gives no percentage).
_STAGE_PROGRESS = {
    "pending": 0.04,
    "offline": 0.04,
    "preparing": 0.10,
    "uploading": 0.25,
    "sending": 0.38,
    "queued": 0.45,
    "running": 0.65,
    "downloading": 0.90,
}
RESENDABLE = frozenset({JobState.FAILED, JobState.OUTCOME_UNKNOWN})


def demo_source() -> str:
    """EditJob.source of emulated jobs; read from the service module when first needed, so the
    jobs layer is not imported before the window's first paint."""
    from desktop_editor.jobs.service import DEMO_SOURCE

    return DEMO_SOURCE


def _timestamp(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return None


def format_elapsed(seconds: float) -> str:
    """'0:07', '2:05', '1:02:03': compact, steady width while it ticks."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def is_in_flight(job: EditJob) -> bool:
    return not job.state.is_final


def can_stop(job: EditJob) -> bool:
    """Whether Stop applies: a job in flight here, or one another process runs that was never
    sent (the journal cancels it there too)."""
    return not job.state.is_final and (not followed_elsewhere(job) or never_sent(job))


class JobsModel(JobListModel):
    """EditJob snapshots, newest first, keyed by id; `JobRole` gives the job."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._keys: list[tuple[float, str]] = []  # (-created, id), sorted, parallel to _jobs
        self._rows: dict[str, int] = {}
        self._started: dict[str, float] = {}

    def role_data(self, job: EditJob, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return job.params.prompt or job.params.spec.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return job_details(job)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{job_state_text(job)}: {job.params.prompt}"
        return None

    def update_job(self, job: EditJob) -> QModelIndex:
        """Insert or replace a job; returns its index."""
        row = self._rows.get(job.id)
        if row is not None:
            self._jobs[row] = job
            index = self.index(row)
            self.dataChanged.emit(index, index)
            return index
        start = _timestamp(job.created_at) or time.time()
        self._started[job.id] = start
        key = (-start, job.id)
        row = bisect_left(self._keys, key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._keys.insert(row, key)
        self._jobs.insert(row, job)
        self._reindex(row)
        self.endInsertRows()
        return self.index(row)

    def remove_rows_where(self, predicate: Callable[[EditJob], bool]) -> int:
        """Remove every job the predicate accepts; returns how many."""
        removed = 0
        for row in range(len(self._jobs) - 1, -1, -1):
            if predicate(self._jobs[row]):
                self.beginRemoveRows(QModelIndex(), row, row)
                job = self._jobs.pop(row)
                self._keys.pop(row)
                self._started.pop(job.id, None)
                self.endRemoveRows()
                removed += 1
        self._reindex(0)
        return removed

    def _reindex(self, start: int = 0) -> None:
        if start == 0:
            self._rows = {}
        for i in range(start, len(self._jobs)):
            self._rows[self._jobs[i].id] = i

    def row_of(self, job_id: str) -> int | None:
        return self._rows.get(job_id)

    def elapsed(self, job: EditJob, now: float) -> float:
        """Seconds from creation to now (in flight) or to the last change (finished)."""
        start = self._started.get(job.id) or _timestamp(job.created_at) or now
        end = now if is_in_flight(job) else (_timestamp(job.updated_at) or now)
        return max(0.0, end - start)

    def in_flight_rows(self) -> list[int]:
        return [i for i, job in enumerate(self._jobs) if is_in_flight(job)]

    def refresh_rows(self, rows: list[int]) -> None:
        """Repaint these rows (elapsed time and progress), as contiguous ranges."""
        if not rows:
            return
        first = prev = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            self.dataChanged.emit(self.index(first), self.index(prev), [Qt.ItemDataRole.DisplayRole])
            if row is not None:
                first = prev = row


def job_details(job: EditJob) -> str:
    """Everything worth knowing about a job, in plain sentences (tooltip and details pane)."""
    lines = [job_state_text(job) + "."]
    if job.error:
        lines.append(job.error)
    if job.advice:
        lines.append(job.advice)
    if job.result_paths:
        n = len(job.result_paths)
        lines.append(f"{n} result{'s' if n != 1 else ''} saved in {Path(job.result_paths[0]).parent}")
    if job.source == demo_source():
        lines.append("Emulated in Demo mode: nothing was sent or charged.")
    elif job.cost is not None:
        lines.append(f"Cost reported by the service: ${job.cost:.3f}")
    if job.sent_size:
        unsent = never_sent(job) or job.state is JobState.CANCELED
        lines.append(f"{'To be sent' if unsent else 'Sent'} at {job.sent_size[0]}x{job.sent_size[1]}")
    if service_status(job):
        lines.append(f"The service says “{service_status(job)}”; still waiting.")
    if job.raw_answer:
        lines.append("The service's answer is kept: Copy answer.")
    refs = [f"Run {job.run_id}" if job.run_id else None, f"Reference {job.client_ref}"]
    lines.append(" · ".join(r for r in refs if r))
    return "\n".join(lines)


class JobDelegate(JobRowDelegate):
    """Paints a job row: thumbnail, state, elapsed time, prompt, and progress or outcome."""

    row_height = ROW_HEIGHT
    thumb = THUMB

    def __init__(self, model: JobsModel, thumbnails: ThumbnailCache, parent: Any = None):
        super().__init__(thumbnails, parent)
        self._model = model
        self.tick = 0  # advanced once a second by the panel: animates the busy segment
        self.now = time.time()

    def paint_text(self, row: RowPainter, job: EditJob) -> None:
        # Line 1: state, and elapsed time on the right
        elapsed = format_elapsed(self._model.elapsed(job, self.now))
        elapsed_width = QFontMetrics(row.base).horizontalAdvance("0:00:00")
        row.text_at(row.line_y(0), elapsed, left=row.right - elapsed_width, color=row.muted, align=Qt.AlignmentFlag.AlignRight)
        label = job_short_label(job)
        if service_status(job) and not followed_elsewhere(job):  # a status no source names: shown as the service says it
            label = f"{label} · {service_status(job)}"
        row.text_at(row.line_y(0), label, right=row.right - elapsed_width - 8,
                    color=row.tone(state_tone(job.state)), bold=True)
        # Line 2: the prompt
        row.text_at(row.line_y(1), job.params.prompt or job.params.spec.label)
        # Line 3: progress while in flight, else the outcome
        y3 = row.line_y(2)
        if is_in_flight(job):
            bar = QRectF(row.x, y3 + row.line / 2 - 2, row.right - row.x, 4)
            self._draw_progress(row.painter, bar, job, row.palette, row.selected)
        else:
            outcome, outcome_tone = _outcome_text(job)
            row.text_at(y3, outcome, color=row.tone(outcome_tone, row.muted) if outcome_tone else row.muted)

    def _draw_progress(self, painter: QPainter, bar: QRectF, job: EditJob, palette: QPalette, selected: bool) -> None:
        track = QColor(palette.color(QPalette.ColorRole.Text))
        track.setAlphaF(0.15)
        fill = QColor(palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRoundedRect(bar, 2, 2)
        done = _STAGE_PROGRESS.get(job.state.value, 0.5)
        filled = QRectF(bar.left(), bar.top(), bar.width() * done, bar.height())
        painter.setBrush(fill)
        painter.drawRoundedRect(filled, 2, 2)
        # The busy part: a short segment sweeping ahead of the fill, one step per tick.
        span = bar.width() * 0.12
        room = max(1.0, bar.width() - filled.width() - span)
        step = (self.tick % 6) / 5
        pulse = QColor(fill)
        pulse.setAlphaF(0.55)
        painter.setBrush(pulse)
        painter.drawRoundedRect(QRectF(filled.right() + room * step, bar.top(), span, bar.height()), 2, 2)


def _outcome_text(job: EditJob) -> tuple[str, str | None]:
    """The third line of a finished row, and its tone."""
    if job.state is JobState.DONE:
        n = len(job.result_paths)
        text = f"{n} result{'s' if n != 1 else ''} saved"
        if job.source == demo_source():
            text += " · emulated, not charged"
        elif job.cost is not None:
            text += f" · ${job.cost:.3f}"
        return text, "muted"
    message = job.error or job.state.label
    if job.state is JobState.OUTCOME_UNKNOWN and "charged" not in message:
        message = f"May have been charged. {message}"
    if job.advice:
        message = f"{message.rstrip()}{'' if message.rstrip().endswith(('.', '!', '?')) else '.'} {job.advice}"
    return " ".join(message.split()), state_tone(job.state)


class JobsPanel(QWidget):
    """This session's jobs with their state, elapsed time, progress, prompt and input thumbnail.

    Signals:
        stop_requested(str): the designer confirmed Stop ("Cancel edit" or "Stop waiting") for this job id.
        resend_requested(str): the designer confirmed "Send again" for this job id.
        job_selected(object): the EditJob now selected (None when the selection is cleared).
    """

    stop_requested = Signal(str)
    resend_requested = Signal(str)
    job_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, thumbnails: ThumbnailCache | None = None):
        super().__init__(parent)
        self._thumbs = thumbnails or ThumbnailCache(edge=2 * THUMB, parent=self)
        self._demo = False
        self._prices: dict[str, float] | None = None
        self.model = JobsModel(self)
        self.view = QListView(self)
        self.delegate = JobDelegate(self.model, self._thumbs, self.view)
        setup_job_list(self.view, self.model, self.delegate, "Jobs")
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self._thumbs.thumbnail_ready.connect(self._on_thumbnail_ready)

        self.summary = QLabel()
        set_tone(self.summary, "muted")
        self.demo_note = QLabel("Demo mode: results are emulated.")
        set_tone(self.demo_note, "accent")
        self.demo_note.hide()
        self.clear_button = QPushButton("Clear finished")
        self.clear_button.setToolTip("Remove finished edits from this list (they stay in History)")
        self.clear_button.clicked.connect(self.clear_finished)

        self.empty_label = empty_state_label("No edits yet.\nPaint a mask, write a prompt and press Generate.")

        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stop_button = QPushButton(stop_label(None))
        self.stop_button.setToolTip(stop_tooltip(None))
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.resend_button = QPushButton("Send again…")
        self.resend_button.setToolTip("Send the selected edit again as a new, separately charged request")
        self.resend_button.clicked.connect(self._on_resend_clicked)
        self.copy_answer_button = QPushButton("Copy answer")
        self.copy_answer_button.setToolTip(
            "Copy the service's answer, kept because no image could be read from it (for you or Runflow's support)"
        )
        self.copy_answer_button.clicked.connect(self._on_copy_answer_clicked)

        top = QHBoxLayout()
        top.setContentsMargins(10, 8, 10, 4)
        top.addWidget(self.summary, 1)
        top.addWidget(self.clear_button)
        actions = QHBoxLayout()
        actions.setContentsMargins(10, 4, 10, 10)
        actions.addWidget(self.copy_answer_button)
        actions.addStretch(1)
        actions.addWidget(self.stop_button)
        actions.addWidget(self.resend_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        demo_row = QHBoxLayout()
        demo_row.setContentsMargins(10, 0, 10, 4)
        demo_row.addWidget(self.demo_note)
        layout.addLayout(demo_row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_label, 1)
        details_row = QHBoxLayout()
        details_row.setContentsMargins(10, 8, 10, 0)
        details_row.addWidget(self.details)
        layout.addLayout(details_row)
        layout.addLayout(actions)

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._on_tick)
        self._update_chrome()

    # ----- public API --------------------------------------------------------------------------

    @Slot(object)
    def update_job(self, job: EditJob) -> None:
        """Show a job's latest snapshot (connect `JobsController.job_changed` here)."""
        self.model.update_job(job)
        self._update_chrome()

    def set_jobs(self, jobs: list[EditJob]) -> None:
        for job in jobs:
            self.model.update_job(job)
        self._update_chrome()

    def job(self, job_id: str) -> EditJob | None:
        return self.model.job(job_id)

    def jobs(self) -> list[EditJob]:
        """Newest first."""
        return self.model.jobs()

    def selected_job(self) -> EditJob | None:
        return current_job(self.view)

    def select_job(self, job_id: str) -> None:
        select_row(self.view, self.model, job_id)

    @Slot()
    def clear_finished(self) -> int:
        """Remove finished jobs from the list (the history keeps them); returns how many."""
        removed = self.model.remove_rows_where(lambda job: job.state.is_final)
        self._update_chrome()
        return removed

    def set_demo(self, demo: bool) -> None:
        self._demo = bool(demo)
        self.demo_note.setVisible(self._demo)

    def set_prices(self, prices: dict[str, float]) -> None:
        """Prices per image by quality, for the estimate in the "Send again" question."""
        self._prices = dict(prices)

    def in_flight_count(self) -> int:
        return len(self.model.in_flight_rows())

    def request_stop(self, job_id: str) -> bool:
        """Ask, then emit `stop_requested`; True when the designer confirmed.

        A never-sent job is asked about as a free cancellation, any other as "stop waiting",
        which may still be charged (`job_questions`). A job another process runs can be
        cancelled from here only while it was never sent; otherwise it is theirs to stop."""
        job = self.model.job(job_id)
        if job is None or not can_stop(job):
            return False
        if not confirm(self, *stop_question(job).parts()):
            return False
        self.stop_requested.emit(job_id)
        return True

    def request_resend(self, job_id: str) -> bool:
        """Ask, then emit `resend_requested`; True when the designer confirmed."""
        job = self.model.job(job_id)
        if job is None or job.state not in RESENDABLE:
            return False
        estimate = job.params.estimated_cost(self._prices) if job.params.model else None
        price = f" (about ${estimate:.2f} at listed prices)" if estimate else ""
        informative = f"This sends a new request, which will be charged again{price}."
        if job.state is JobState.OUTCOME_UNKNOWN:
            informative = (
                "The first attempt may already have been accepted and charged; check your Runflow account "
                f"before sending it again. {informative} If the first attempt did go through, you pay for both."
            )
        if not confirm(self, "Send again?", "Send this edit again?", informative, "Send again"):
            return False
        self.resend_requested.emit(job_id)
        return True

    # ----- internals ---------------------------------------------------------------------------

    def _update_chrome(self) -> None:
        jobs = self.model.jobs()
        flying = sum(1 for job in jobs if is_in_flight(job))
        finished = len(jobs) - flying
        parts = []
        if flying:
            parts.append(f"{flying} in progress")
        if finished:
            parts.append(f"{finished} finished")
        self.summary.setText(", ".join(parts) if parts else "No edits in this session")
        self.clear_button.setEnabled(finished > 0)
        self.view.setVisible(bool(jobs))
        self.empty_label.setVisible(not jobs)
        if flying and not self._timer.isActive():
            self._timer.start()
        elif not flying and self._timer.isActive():
            self._timer.stop()
        self._update_actions()

    def _update_actions(self) -> None:
        job = self.selected_job()
        self.stop_button.setEnabled(job is not None and can_stop(job))
        self.stop_button.setText(stop_label(job))
        self.stop_button.setToolTip(stop_tooltip(job))
        self.resend_button.setEnabled(job is not None and job.state in RESENDABLE)
        self.details.setText(self._details_html(job) if job is not None else "")
        self.details.setVisible(job is not None)
        has_jobs = self.model.rowCount() > 0
        self.stop_button.setVisible(has_jobs)
        self.resend_button.setVisible(has_jobs)
        self.copy_answer_button.setVisible(job is not None and bool(job.raw_answer))

    def _details_html(self, job: EditJob) -> str:
        """The selected job's full story: state, the service's message, what to do, references."""
        def color(tone: str) -> str:
            return tone_color(self, tone)

        parts = [f'<b style="color:{color(state_tone(job.state))}">{escape(job_state_text(job))}</b>']
        if job.error:
            tone = "error" if job.state is JobState.FAILED else "warning"
            parts.append(f'<span style="color:{color(tone)}">{escape(job.error)}</span>')
        if job.advice:
            parts.append(escape(job.advice))
        meta = job_details(job).split("\n")[1:]
        meta = [line for line in meta if line not in (job.error, job.advice)]
        if meta:
            parts.append(f'<span style="color:{color("muted")}">{"<br>".join(escape(m) for m in meta)}</span>')
        return "<br>".join(parts)

    @Slot()
    def _on_tick(self) -> None:
        self.delegate.tick += 1
        self.delegate.now = time.time()
        self.model.refresh_rows(self.model.in_flight_rows())

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()
        self.job_selected.emit(current.data(JobRole) if current.isValid() else None)

    @Slot(str)
    def _on_thumbnail_ready(self, path: str) -> None:
        self.view.viewport().update()

    @Slot()
    def _on_stop_clicked(self) -> None:
        job = self.selected_job()
        if job is not None:
            self.request_stop(job.id)

    @Slot()
    def _on_copy_answer_clicked(self) -> None:
        job = self.selected_job()
        if job is not None and job.raw_answer:
            copy_text(job.raw_answer)

    @Slot()
    def _on_resend_clicked(self) -> None:
        job = self.selected_job()
        if job is not None:
            self.request_resend(job.id)

    @Slot(QPoint)
    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        job: EditJob | None = index.data(JobRole) if index.isValid() else None
        if job is None:
            return
        menu = QMenu(self)
        stop = menu.addAction(f"{stop_label(job)}…")
        stop.setEnabled(can_stop(job))
        resend = menu.addAction("Send again…")
        resend.setEnabled(job.state in RESENDABLE)
        menu.addSeparator()
        copies = copy_actions(menu, job)
        chosen = menu.exec(self.view.viewport().mapToGlobal(pos))
        if chosen is stop:
            self.request_stop(job.id)
        elif chosen is resend:
            self.request_resend(job.id)
        elif chosen in copies:
            copy_text(copies[chosen])
