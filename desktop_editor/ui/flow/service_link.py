"""The window's link to the service: its connection, the `JobsController` of it, and what the
connection left running.

Attaching a `ServiceConnection` connects it (or uses its connection), makes a `JobsController`
for the connection's job manager and a History panel for its store; reconnecting (a new key,
address or concurrency) replaces both and picks up what the previous connection left running.
The status bar's jobs indicator counts the edits in flight. Blocks the GUI thread only for
local work: stopping the old workers, and in Demo mode starting the loopback emulator.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_editor.jobs.model import EditJob
from desktop_editor.ui.common.job_bridge import JobsController, start_worker
from desktop_editor.ui.flow.notifications import MESSAGE_MS

if TYPE_CHECKING:  # the jobs layer and the history panel load when a service is attached
    from desktop_editor.jobs.account import AccountCheck
    from desktop_editor.jobs.service import Connection, ServiceConnection
    from desktop_editor.ui.flow.host import EditHost

log = logging.getLogger(__name__)


def _epoch(iso: str | None) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp() if iso else time.time()
    except ValueError:
        return time.time()


class ServiceLink(QObject):
    """The service connection of one window and its jobs controller.

    Signals:
        controller_changed(object): a new JobsController is in use; emitted before the History
            and Jobs panels are connected to it, so what listens to its jobs hears them first.
        connection_changed(object): a new Connection is in use (None when disconnected).
        reopen_requested(object): the History panel asks to reopen this EditJob.
        job_selected(object): the designer selected this EditJob in the History panel.
    """

    controller_changed = Signal(object)
    connection_changed = Signal(object)
    reopen_requested = Signal(object)
    job_selected = Signal(object)

    def __init__(self, window: EditHost, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.service: ServiceConnection | None = None
        self.connection: Connection | None = None
        self.controller: JobsController | None = None
        self._running: dict[str, float] = {}  # job id -> when it was created, for the indicator
        self.resume_notice: QMessageBox | None = None

    @property
    def demo(self) -> bool:
        return self.connection is not None and self.connection.demo

    def attach(self, service: ServiceConnection) -> Connection:
        """Send edits through `service`, connecting it with the window's settings if it is not yet."""
        self.service = service
        connection = service.connection or service.connect(self.window.preferences)
        self._use_connection(connection)
        return connection

    def reconnect(self) -> Connection | None:
        """Connect again after the key, the address or the concurrency changed, and pick up what
        the previous connection left running (it stays in the journal). Blocks only for local
        work: stopping the old workers, and in Demo mode starting the loopback emulator."""
        if self.service is None:
            return None
        if self.controller is not None:
            self.controller.close()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            connection = self.service.reconnect(self.window.preferences)
        except Exception as exc:  # a broken keyring, a port that cannot be bound...
            log.exception("reconnecting failed")
            self.connection = self.controller = None
            self.window.feedback.error("Cannot connect", f"The app could not set up its connection: {exc}")
            self.connection_changed.emit(None)
            return None
        finally:
            QApplication.restoreOverrideCursor()
        self._running.clear()
        self._use_connection(connection)
        self._refresh_stale_jobs()
        self.resume_unfinished()
        if connection.demo:
            self.window.feedback.status("Demo mode: results are emulated.", MESSAGE_MS)
        else:
            self._check_connection(connection)
        return connection

    def _check_connection(self, connection: Connection) -> None:
        """Say "connected" only once the service answered `auth/me` for the key (on a worker:
        a host that does not resolve takes seconds to say so)."""
        from desktop_editor.jobs.account import check_key

        config = connection.client.config
        self.window.feedback.status(f"Checking the key with {connection.base_url}…", MESSAGE_MS)
        start_worker(check_key, config.api_key, config.base_url, config.organization_id, timeout=10.0,
                     on_returned=lambda result, checked=connection: self._on_connection_checked(checked, result),
                     owner=self)

    def _on_connection_checked(self, connection: Connection, result: AccountCheck) -> None:
        if connection is not self.connection:
            return  # reconnected meanwhile: that connection's own check speaks for it
        if result.ok:
            self.window.feedback.status(f"Connected to {connection.base_url}. {result.message}", MESSAGE_MS)
        else:
            self.window.feedback.status(
                f"Not connected to {connection.base_url}: {result.message} Edits wait until it answers.",
                4 * MESSAGE_MS)

    def _use_connection(self, connection: Connection) -> None:
        window = self.window
        self.connection = connection
        controller = JobsController(connection.manager, source=connection.job_source, parent=self)
        self.controller_changed.emit(controller)
        controller.job_changed.connect(self._on_job_changed)
        controller.active_count_changed.connect(self._on_active_count_changed)
        old, self.controller = self.controller, controller
        if old is not None:
            old.deleteLater()
        if window.history_panel is None or window.history_panel.store is not connection.store:
            from desktop_editor.ui.panels.history_panel import HistoryPanel

            window.set_history_panel(HistoryPanel(connection.store, thumbnails=window.thumbnails))
            window.history_panel.reopen_requested.connect(self.reopen_requested)
            window.history_panel.job_selected.connect(self.job_selected)
        controller.job_changed.connect(window.history_panel.update_job)
        controller.job_changed.connect(window.jobs_panel.update_job)
        window.set_demo(connection.demo)
        self._update_indicator()
        self.connection_changed.emit(connection)

    def _refresh_stale_jobs(self) -> None:
        """Rows still shown in flight whose jobs the journal has since closed (lost demo runs)."""
        if self.connection is None:
            return
        for job in self.window.jobs_panel.jobs():
            if not job.state.is_final:
                fresh = self.connection.store.get(job.id)
                if fresh is not None and fresh.state.is_final:
                    self.window.jobs_panel.update_job(fresh)
        if self.window.history_panel is not None:
            self.window.history_panel.refresh()

    def resume_unfinished(self) -> int:
        """Pick up the edits an earlier session (or connection) left running; how many.

        In Demo mode, edits sent to the real service are left alone: the emulator cannot know
        their runs, and a never-sent one must not be sent to it and shown as a real result.
        They wait, journaled, until a key is set.
        """
        if self.controller is None or self.connection is None:
            return 0
        from desktop_editor.jobs.service import DEMO_SOURCE

        window = self.window
        store = self.connection.store
        if self.connection.demo:
            waiting = [job for job in store.unfinished() if job.source != DEMO_SOURCE and not store.held_elsewhere(job.id)]
            if waiting:
                n = len(waiting)
                window.feedback.status(
                    f"{n} edit{'s' if n != 1 else ''} sent to Runflow {'are' if n != 1 else 'is'} waiting for your "
                    "API key; add it in Settings to pick them up.", 4 * MESSAGE_MS)
                return 0
        count, elsewhere = self.controller.resume_unfinished()
        if count or elsewhere:
            lines = []
            if count:
                lines.append(f"{count} edit{'s' if count != 1 else ''} from your last session "
                             f"{'are' if count != 1 else 'is'} being picked up.")
            if elsewhere:
                lines.append(f"{elsewhere} edit{'s' if elsewhere != 1 else ''} {'are' if elsewhere != 1 else 'is'} "
                             "running in another window or command; shown here as they progress, never sent twice.")
            text = " ".join(lines)
            window.feedback.status(text, 4 * MESSAGE_MS)
            window.docks.jobs.show()
            window.docks.jobs.raise_()
            self._show_resume_notice(text)
        return count

    def _show_resume_notice(self, text: str) -> None:
        """A non-modal note: the designer sees it, and nothing waits for them to close it."""
        box = QMessageBox(QMessageBox.Icon.Information, "Edits picked up", text, QMessageBox.StandardButton.Ok, self.window)
        box.setInformativeText("They appear in the Jobs panel; their results are saved to your output folder as they arrive.")
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(self._on_resume_notice_destroyed)
        self.resume_notice = box
        box.show()

    @Slot()
    def _on_resume_notice_destroyed(self) -> None:
        self.resume_notice = None

    def active_count(self) -> int:
        """Edits in flight on the current connection."""
        return self.controller.active_count() if self.controller is not None else 0

    # ----- the jobs indicator --------------------------------------------------------------------

    @Slot(object)
    def _on_job_changed(self, job: EditJob) -> None:
        if job.state.is_final or job.elsewhere:
            self._running.pop(job.id, None)
        else:
            self._running.setdefault(job.id, _epoch(job.created_at))
        self._update_indicator()

    def job_ended(self, job_id: str) -> None:
        """A job finished: the indicator stops counting it."""
        self._running.pop(job_id, None)
        self._update_indicator()

    @Slot(int)
    def _on_active_count_changed(self, _count: int) -> None:
        self._update_indicator()

    def _update_indicator(self) -> None:
        oldest = min(self._running.values()) if self._running else None
        self.window.status.jobs_indicator.set_running(len(self._running), oldest)

    # ----- closing -------------------------------------------------------------------------------

    def close_controller(self) -> None:
        """Stop listening to the jobs (running edits stay journaled)."""
        if self.controller is not None:
            self.controller.close()

    def close_service(self, timeout: float) -> None:
        """Close the service. Never waits on a retry or a socket: workers stop at once; one
        blocked in a request is left behind (its job is journaled and resumed at the next start)."""
        if self.service is not None:
            self.service.close(timeout=timeout)
