"""Sending an edit: Generate snapshots the current image, mask and parameters into a job.

Before anything is sent the designer may be asked twice: whether to send an edit with nothing
masked (it may change the whole picture), and whether to send again the exact edit sent a
moment ago (`RepeatGuard`; a double press is likelier than a wish to pay twice). The job is
journaled and handed to the manager's workers (`JobsController.generate` returns at once); a
refused journal write is reported and nothing is sent. Stop and Send Again from the Jobs panel
come here too.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRect, Signal, Slot
from PySide6.QtWidgets import QMessageBox

from desktop_editor.core.masks import is_empty
from desktop_editor.core.params import EditParams
from desktop_editor.jobs.model import EditJob, JobState, StopOutcome, never_sent
from desktop_editor.jobs.settings import save_settings
from desktop_editor.ui.common.job_bridge import start_worker
from desktop_editor.ui.flow.document_parameters import thumbnail_level
from desktop_editor.ui.flow.expanding import expansion_request
from desktop_editor.ui.flow.notifications import MESSAGE_MS
from desktop_editor.ui.flow.repeat_guard import RepeatGuard, edit_fingerprint
from desktop_editor.ui.flow.sent_jobs import SentJobs
from desktop_editor.ui.models.document import Document
from desktop_editor.ui.models.params_text import cost_text

if TYPE_CHECKING:
    from desktop_editor.ui.common.job_bridge import JobsController
    from desktop_editor.ui.flow.host import EditHost
    from desktop_editor.ui.flow.service_link import ServiceLink

log = logging.getLogger(__name__)


def _stop(controller: JobsController, job_id: str) -> tuple[str, StopOutcome]:
    """On a worker: the journal decides whether the job is cancelled or only stopped waiting."""
    return job_id, controller.stop(job_id)


class EditSubmitter(QObject):
    """Generate, Stop and Send Again for one window.

    Signals:
        job_submitted(str): a job was journaled and handed to the workers (its id).
    """

    job_submitted = Signal(str)

    def __init__(self, window: EditHost, link: ServiceLink, sent: SentJobs, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.link = link
        self.sent = sent
        self._repeats = RepeatGuard()
        self._estimates: dict[str, str] = {}  # job id -> its cost estimate, until the service took it
        self._offline_told: set[str] = set()  # jobs whose "not sent yet" was said

    @Slot()
    def on_generate_requested(self) -> None:
        self.generate()

    def generate(self) -> str | None:
        """Snapshot the current image, mask and parameters into a job and send it on a worker.

        Returns the job id, or None when nothing was sent (no image, invalid parameters, no
        connection, or the designer declined to send without a mask).
        """
        window = self.window
        document = window.current_document()
        if document is None:
            window.feedback.status("Open an image to edit first.", MESSAGE_MS)
            return None
        controller = self.link.controller
        if controller is None:
            window.feedback.error("Cannot send the edit", "The app is not connected to the service. Check Settings.")
            return None
        panel = window.params_panel
        if not panel.is_valid():
            problems = panel.problems()
            window.feedback.status(problems[0].message if problems else "The parameters cannot be sent.", MESSAGE_MS)
            window.docks.params.show()
            return None
        params = panel.params()
        mask = document.mask_array()
        mask.flags.writeable = False  # shared by the job, its result and Reuse Last Mask: never copied again
        empty = is_empty(mask)
        options = replace(window.preferences.job_options(**panel.options()),
                          source_image=str(document.path) if document.path is not None else None)
        plan = None
        if document.pending_expansion() is not None:
            request = expansion_request(document, params, options)
            if isinstance(request, str):
                window.feedback.status(request, MESSAGE_MS)
                return None
            params, options, plan = request  # the frame is the mask: no need to confirm an empty one
        elif params.spec.takes_mask and empty and not self._confirm_without_mask(document, params):
            return None
        fingerprint = None
        if window.preferences.ask_before_repeating:
            revision = None if empty else document.mask_revision
            fingerprint = edit_fingerprint(document, document.loaded, revision, params, options,
                                           tuple(panel.reference_paths()))
            ago = self._repeats.seconds_since(fingerprint)
            if ago is not None and not self._confirm_repeat(document, params, ago):
                return None
        from desktop_editor.jobs.manager import Snapshot  # the jobs layer loads after the first paint

        snapshot = Snapshot(
            image=None,  # the document's own, taken (and copied) on the worker, not here
            mask=None if empty else mask,
            name=document.name,
            references=tuple(panel.reference_paths()),
            icc_profile=document.loaded.icc_profile,
            dpi=document.loaded.dpi,
            expansion=plan,
            source=document.loaded,  # an unchanged file is copied, not re-encoded
        )
        try:
            job_id = controller.generate(snapshot, params, options)
        except Exception as exc:  # the journal is closed (the app is closing) or refused the job
            log.exception("could not submit a job")
            window.feedback.error("Cannot send the edit", f"The edit could not be recorded, so it was not sent: {exc}")
            return None
        if fingerprint is not None:
            self._repeats.remember(fingerprint)
        sent = self.sent
        sent.documents[job_id] = document
        sent.masks[job_id] = None if empty or plan is not None else mask  # an expansion's is read from its job
        sent.sent_at[job_id] = time.monotonic()
        thumbnail = thumbnail_level(document) if plan is None else None  # an expansion sends another frame
        if thumbnail is not None:
            sent.input_thumbnails[job_id] = thumbnail
        window.mask_commands.set_last_job_mask(None if empty else mask)
        # Not "Sent" yet: the create has not left (the service may be unreachable). `on_job_changed`
        # says "Sent" once the service took it, or "not sent yet" when it cannot be reached.
        self._estimates[job_id] = cost_text(params, window.preferences.prices)
        estimate = self._estimates[job_id]
        if self.link.demo:
            charge = "emulated, nothing charged"
        else:
            charge = (f"{estimate}, charged once the service takes it" if estimate.startswith("≈")
                      else "nothing is charged until the service takes it")
        window.feedback.status(f"Sending {document.name}: {charge}.", MESSAGE_MS)
        if window.docks.jobs.isVisible():
            window.docks.jobs.raise_()
        self.job_submitted.emit(job_id)
        return job_id

    def _confirm_repeat(self, document: Document, params: EditParams, seconds_ago: float) -> bool:
        """The same edit was sent a moment ago: ask once (with "don't ask again") before paying twice."""
        window = self.window
        if self.link.demo:
            charge = "In Demo mode nothing is charged."
        else:
            estimate = cost_text(params, window.preferences.prices)
            charge = f"It is a new, separately charged edit ({estimate})." if estimate else "It is a new, separately charged edit."
        accepted, stop_asking = window.feedback.confirm(
            "Send the same edit again?",
            f"You sent this exact edit of {document.name} {seconds_ago:.0f} s ago. Send it again?",
            charge,
            "Send again",
            dont_ask_again="Don't ask again",
        )
        if stop_asking:
            window.prefs.set(replace(window.preferences, ask_before_repeating=False))
            try:
                save_settings(window.preferences, window.settings_file)
            except OSError as exc:  # not asked again in this session anyway
                log.warning("could not save settings: %s", exc)
        return accepted

    def _confirm_without_mask(self, document: Document, params: EditParams) -> bool:
        answer = self.window.feedback.ask(
            "Send without a mask?",
            f"Nothing is masked on {document.name}, so {params.spec.label} may change the whole picture.\n\n"
            "Paint the area to change first, or send the whole image anyway?",
            default=QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def prepare_when_masked(self, document: Document) -> None:
        """Make the image's sent-size copy ahead, once its mask is first changed."""
        document.mask_changed.connect(self._on_first_mask_change)

    @Slot(QRect)
    def _on_first_mask_change(self, _rect: QRect) -> None:
        """The designer starts a mask on an image: an edit of it is coming, so its sent-size copy
        is made now in the background (a camera photo's takes 0.5 to 1 s) instead of after
        Generate. Once per image."""
        document = self.sender()
        if not isinstance(document, Document):
            return
        document.mask_changed.disconnect(self._on_first_mask_change)
        from desktop_editor.jobs.prepare import prepare_ahead

        start_worker(prepare_ahead, document.loaded, owner=self)

    # ----- after sending -------------------------------------------------------------------------

    @Slot(object)
    def on_job_changed(self, job: EditJob) -> None:
        """A sent job's input file is written: the thumbnail made of the open image is its.
        The status bar says "Sent" when the service took an edit of this session, and once that
        an edit cannot be sent yet."""
        if job.image_paths and job.id in self.sent.input_thumbnails:
            self.window.thumbnails.put(job.image_paths[0], self.sent.input_thumbnails.pop(job.id))
        elif job.state.is_final:
            self.sent.input_thumbnails.pop(job.id, None)
        if job.state.is_final or job.elsewhere:
            self._estimates.pop(job.id, None)
            self._offline_told.discard(job.id)
            return
        name = self._name_of(job)
        if job.state in (JobState.QUEUED, JobState.RUNNING) and job.id in self._estimates:
            estimate = self._estimates.pop(job.id)
            charge = "emulated, nothing charged" if self.link.demo else (estimate or "cost reported after the edit")
            self.window.feedback.status(f"Sent {name}: {charge}.", MESSAGE_MS)
        elif job.state is JobState.OFFLINE and never_sent(job) and job.id not in self._offline_told:
            self._offline_told.add(job.id)
            self.window.feedback.status(f"{name} not sent yet: the service cannot be reached. Nothing is charged.",
                                        2 * MESSAGE_MS)

    def _name_of(self, job: EditJob) -> str:
        document = self.sent.documents.get(job.id)
        if document is not None:
            return document.name
        return Path(job.image_paths[0]).name if job.image_paths else "The edit"

    @Slot(str, str)
    def on_submit_failed(self, job_id: str, reason: str) -> None:
        """The edit just sent could not be journaled, so it was never sent: say so, forget it."""
        self.sent.forget(job_id)
        self.window.feedback.error("Cannot send the edit", f"The edit could not be recorded, so it was not sent: {reason}")

    @Slot(str)
    def on_stop_requested(self, job_id: str) -> None:
        """Stop on a worker (the journal's write may wait for another process); what it did is
        said by `_on_stopped`, and the job's ending by JobEndings."""
        controller = self.link.controller
        if controller is None:
            self.window.feedback.status("That edit is no longer running here.", MESSAGE_MS)
            return
        start_worker(_stop, controller, job_id, on_returned=self._on_stopped, on_errored=self._on_stop_failed, owner=self)

    @Slot(object)
    def _on_stop_failed(self, exc: Exception) -> None:
        """The journal could not be written (a locked or full disk): nothing changed, say so."""
        log.error("could not stop a job: %s", exc)
        self.window.feedback.error("Cannot stop the edit", f"The history could not be written, so nothing changed: {exc}")

    @Slot(object)
    def _on_stopped(self, answer: tuple[str, StopOutcome]) -> None:
        job_id, outcome = answer
        job = self.window.jobs_panel.job(job_id)
        name = self._name_of(job) if job is not None else "The edit"
        self._estimates.pop(job_id, None)
        message = {
            StopOutcome.CANCELED: f"Cancelled {name} before it was sent: nothing is charged.",
            StopOutcome.STOPPED_WAITING: f"Stopped waiting for {name}: it had been sent, so the service may "
                                         "still finish and charge it.",
            StopOutcome.FINISHED: f"{name} had already ended.",
            StopOutcome.ELSEWHERE: f"{name} is being sent by another window or command; stop it there.",
            StopOutcome.UNKNOWN: "That edit is no longer in the history.",
        }[outcome]
        self.window.feedback.status(message, 2 * MESSAGE_MS)

    @Slot(str)
    def on_resend_requested(self, job_id: str) -> None:
        controller = self.link.controller
        if controller is None:
            self.window.feedback.error("Cannot send again", "The app is not connected to the service.")
            return
        try:
            new_id = controller.resend(job_id)
        except (KeyError, RuntimeError) as exc:
            self.window.feedback.error("Cannot send again", f"This edit can no longer be found in the history ({exc}).")
            return
        document = self.sent.documents.get(job_id)
        if document is not None:
            self.sent.documents[new_id] = document
        self.sent.sent_at[new_id] = time.monotonic()
        self.window.feedback.status("Sent again as a new request.", MESSAGE_MS)
        self.job_submitted.emit(new_id)
