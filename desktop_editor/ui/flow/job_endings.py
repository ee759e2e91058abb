"""When an edit ends: say how, and show its results unless the designer is busy painting.

A finished edit's results join its image's result sets; when that image is the current one
and the designer is not painting, the compare view turns to them. An edit that failed, was
stopped or whose outcome is unknown gets a message saying what it may have cost.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.ui.flow.notifications import MESSAGE_MS, notify_finished
from desktop_editor.ui.flow.result_presenter import user_is_painting
from desktop_editor.ui.flow.result_sets import document_of_job

if TYPE_CHECKING:
    from desktop_editor.ui.flow.host import EditHost
    from desktop_editor.ui.flow.result_presenter import ResultPresenter
    from desktop_editor.ui.flow.sent_jobs import SentJobs
    from desktop_editor.ui.flow.service_link import ServiceLink


def ending_message(job: EditJob) -> str:
    """What the status bar says of an edit that ended without results."""
    if job.state is JobState.FAILED:
        return f"Edit failed: {job.error or 'no reason given'}"
    if job.state is JobState.OUTCOME_UNKNOWN:
        return "Edit outcome unknown: it may have been accepted and charged. It was not sent again."
    if job.state is JobState.CANCELED:
        return "Edit cancelled before it was sent: nothing is charged."
    if job.state is JobState.STOPPED:
        return "Stopped waiting for the edit: the service may still finish and charge it."
    if job.state is JobState.UNREADABLE:
        return (f"{job.state.label} (run {job.run_id or job.client_ref}). It may have been charged and was "
                "not sent again; Copy answer in Jobs or History shows what the service said.")
    return f"Edit ended: {job.state.label}."


class JobEndings(QObject):
    """Handles the jobs controller's `job_finished` (no signals)."""

    def __init__(self, window: EditHost, link: ServiceLink, sent: SentJobs, results: ResultPresenter,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.link = link
        self.sent = sent
        self.results = results

    @Slot(object)
    def on_job_finished(self, job: EditJob) -> None:
        window = self.window
        self.link.job_ended(job.id)
        notify_finished(window, job)
        mask = self.sent.masks.pop(job.id, None)
        sent_at = self.sent.sent_at.pop(job.id, 0.0)
        document = self.sent.documents.get(job.id)
        if document is not None and document not in window.documents():
            document = None
        if document is None:  # a resumed job, or one whose tab was closed and opened again
            document = document_of_job(window.documents(), job)
        if job.state is not JobState.DONE:
            self.results.job_not_done(job.id)  # shown before saving, then not saved: show it no more
            window.feedback.status(ending_message(job), 2 * MESSAGE_MS)
            return
        n = len(job.result_paths)
        results = f"{n} result{'s' if n != 1 else ''}"
        if not n:
            window.feedback.status("The edit finished without results.", MESSAGE_MS)
            return
        if document is None:
            window.feedback.status(f"Edit finished: {results} saved in {Path(job.result_paths[0]).parent}.", 2 * MESSAGE_MS)
            return
        result_set = self.results.results_of_job(document, job, mask)
        if document is window.current_document():
            switch = not user_is_painting(window, since=sent_at)
            self.results.show_results(result_set, switch=switch)
            if not switch:
                window.feedback.status(f"Edit finished: {results}. Press C or click Compare to see it.", 2 * MESSAGE_MS)
        else:
            window.feedback.status(f"The edit of {document.name} finished ({results}); switch to it to compare.", 2 * MESSAGE_MS)
