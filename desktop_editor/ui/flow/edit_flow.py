"""The path of an edit through the window: Generate, follow the job, show and keep the results.

The main window owns the widgets (canvas, panels, results strip, compare view); this object
owns what connects them to the jobs layer: the service connection and its `JobsController`,
which job belongs to which open image, each image's results, the Settings dialog and the
reconnection it may need, reopening past edits from the history, and an orderly shutdown.

Nothing here blocks the GUI thread: a job is journaled and handed to the manager's workers
(`JobsController.generate` returns at once); results are decoded on a `TaskRunner` worker and
reach the compare view through its callbacks; saving and copying run on the strip's workers.
The ui layer never talks HTTP: it only uses `desktop_editor.jobs`.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QRect, Qt, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_editor.core.images import load_image
from desktop_editor.core.masks import MaskError, is_empty, load_mask
from desktop_editor.core.params import EditParams
from desktop_editor.jobs.manager import Snapshot
from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.jobs.prepare import ResultPreview, prepare_ahead
from desktop_editor.jobs.service import DEMO_SOURCE, Connection, ServiceConnection
from desktop_editor.jobs.settings import AppSettings, save_settings
from desktop_editor.ui.common.conversions import qimage_from_pil
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.common.job_bridge import JobsController, start_worker
from desktop_editor.ui.compare.panes import ImageLevels
from desktop_editor.ui.dialogs.settings_dialog import SettingsDialog
from desktop_editor.ui.flow.expanding import (
    ExpansionNote,
    canvas_before,
    expansion_request,
    is_expansion,
)
from desktop_editor.ui.flow.notifications import notify_finished
from desktop_editor.ui.flow.repeat_guard import RepeatGuard, edit_fingerprint
from desktop_editor.ui.flow.result_sets import (
    ResultSet,
    build_items,
    document_of_job,
    image_to_open,
    preview_image,
    same_file,
    strip_entries,
)
from desktop_editor.ui.models.document import Document
from desktop_editor.ui.models.params_text import cost_text
from desktop_editor.ui.panels.history_panel import HistoryPanel

if TYPE_CHECKING:
    from desktop_editor.ui.flow.host import EditHost

log = logging.getLogger(__name__)

# A mask edit this recent, made after the edit was sent, means the designer is painting again:
# a finished result does not take the picture away from them (the Compare page is one key
# away, and the status bar says so).
PAINTING_GRACE_S = 3.0
MAX_RESULT_SETS_PER_IMAGE = 20
MAX_PREVIEWS = 4  # results kept in memory from their composite to their display (a patch each)
MAX_PREVIEW_IMAGES = 2  # and the full-frame QImages made of lossless ones (180 MB each at 45 MP)
MESSAGE_MS = 8000
# How long quitting waits for job workers to notice they are stopped (they stop between two
# steps at once; only one blocked in a network request takes longer, and is left behind).
QUIT_WAIT_S = 0.3


def _frozen(mask: np.ndarray | None) -> np.ndarray | None:
    """A read-only view of a job's mask (this flow never changes them): the compare view keeps
    it instead of copying it on the GUI thread."""
    if mask is None:
        return None
    view = mask.view()
    view.flags.writeable = False
    return view


def _epoch(iso: str | None) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp() if iso else time.time()
    except ValueError:
        return time.time()


class EditFlow(QObject):
    """Generate, jobs, results and history for one main window.

    Signals:
        connection_changed(object): a new Connection is in use (None when disconnected).
        job_submitted(str): a job was journaled and handed to the workers (its id).
        result_shown(object): the compare view shows a result of this ResultSet.
    """

    connection_changed = Signal(object)
    job_submitted = Signal(str)
    result_shown = Signal(object)

    def __init__(self, window: EditHost):
        super().__init__(window)
        self.window = window
        self.service: ServiceConnection | None = None
        self.connection: Connection | None = None
        self.controller: JobsController | None = None
        self._job_documents: dict[str, Document] = {}
        self._sent_at: dict[str, float] = {}  # time.monotonic() when this session sent the job
        self._job_masks: dict[str, np.ndarray | None] = {}
        self._input_thumbnails: dict[str, QImage] = {}  # a sent job's input, until its file is known
        self._results: dict[Document, list[ResultSet]] = {}
        self._shown: ResultSet | None = None
        self._entries: list[tuple[ResultSet, int]] = []  # what each tile of the strip shows
        self._last_shown: dict[Document, ResultSet] = {}  # the job whose result each image showed last
        self._running: dict[str, float] = {}
        self._decode_generation = 0
        self._switch_when_shown = False
        # Results composited in memory before their files were written ((job id, index) -> the
        # preview, and the QImage made of it): shown at once, and not decoded again from a
        # lossless file once it is saved.
        self._previews: OrderedDict[tuple[str, int], ResultPreview] = OrderedDict()
        self._preview_images: OrderedDict[tuple[str, int], QImage] = OrderedDict()
        self._previewing: str | None = None  # the job whose unsaved result the compare view shows
        self._after_open: list[tuple[Path, Callable[[Document], None]]] = []
        self._pending_settings: AppSettings | None = None
        self._pending_key_change = False
        self._showing_params_of: Document | None = None
        self._shut_down = False
        self.mixing_active = False  # the strip shows the mix's sources: selecting one picks the brush
        # One worker: a result decoded from its file is delivered after the preview submitted
        # before it (see _on_result_previewed), never before.
        self._tasks = TaskRunner(self, max_threads=1)
        self._repeats = RepeatGuard()
        self.resume_notice: QMessageBox | None = None

        strip = window.results_strip
        strip.set_output_dir(window.preferences.output_dir)
        strip.result_selected.connect(self._on_result_selected)
        strip.use_as_input_requested.connect(self._on_use_as_input_requested)
        strip.result_saved.connect(self._on_result_saved)
        strip.already_saved.connect(self._on_already_saved)
        strip.save_failed.connect(self._on_save_failed)
        strip.result_copied.connect(self._on_result_copied)
        panel = window.params_panel
        panel.generate_requested.connect(self._on_generate_requested)
        panel.params_changed.connect(self._on_params_changed)
        panel.options_changed.connect(self._on_options_changed)
        panel.references_changed.connect(self._on_references_changed)
        panel.recent_prompts_changed.connect(self._on_recent_prompts_changed)
        jobs = window.jobs_panel
        jobs.stop_requested.connect(self._on_stop_requested)
        jobs.resend_requested.connect(self._on_resend_requested)
        jobs.job_selected.connect(self._on_job_selected)
        window.document_changed.connect(self._on_document_changed)
        self.expansion_note = ExpansionNote(window.params_panel, self)
        window.document_changed.connect(self.expansion_note.follow)
        window.document_opened.connect(self._on_document_opened)
        window.open_failed.connect(self._on_open_failed)
        self._apply_preferences_to_panels(window.preferences, defaults=True)

    # ----- the service ---------------------------------------------------------------------------

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
        mode = "Demo mode: results are emulated" if connection.demo else f"Connected to {connection.base_url}"
        self.window.feedback.status(mode + ".", MESSAGE_MS)
        return connection

    def _use_connection(self, connection: Connection) -> None:
        window = self.window
        self.connection = connection
        controller = JobsController(connection.manager, source=connection.job_source, parent=self)
        controller.job_changed.connect(self._on_job_changed)
        controller.job_finished.connect(self._on_job_finished)
        controller.active_count_changed.connect(self._on_active_count_changed)
        controller.result_previewed.connect(self._on_result_previewed)
        controller.submit_failed.connect(self._on_submit_failed)
        old, self.controller = self.controller, controller
        if old is not None:
            old.deleteLater()
        if window.history_panel is None or window.history_panel.store is not connection.store:
            window.set_history_panel(HistoryPanel(connection.store, thumbnails=window.thumbnails))
            window.history_panel.reopen_requested.connect(self.reopen_job)
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

    # ----- generate ------------------------------------------------------------------------------

    @Slot()
    def _on_generate_requested(self) -> None:
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
        if self.controller is None:
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
        snapshot = Snapshot(
            image=document.loaded.image,  # copied on the worker, not here
            mask=None if empty else mask,
            name=document.name,
            references=tuple(panel.reference_paths()),
            icc_profile=document.loaded.icc_profile,
            dpi=document.loaded.dpi,
            expansion=plan,
            source=document.loaded,  # an unchanged file is copied, not re-encoded
        )
        try:
            job_id = self.controller.generate(snapshot, params, options)
        except Exception as exc:  # the journal is closed (the app is closing) or refused the job
            log.exception("could not submit a job")
            window.feedback.error("Cannot send the edit", f"The edit could not be recorded, so it was not sent: {exc}")
            return None
        if fingerprint is not None:
            self._repeats.remember(fingerprint)
        self._job_documents[job_id] = document
        self._job_masks[job_id] = None if empty or plan is not None else mask  # an expansion's is read from its job
        self._sent_at[job_id] = time.monotonic()
        thumbnail = _thumbnail_level(document) if plan is None else None  # an expansion sends another frame
        if thumbnail is not None:
            self._input_thumbnails[job_id] = thumbnail
        window.mask_commands.set_last_job_mask(None if empty else mask)
        estimate = cost_text(params, window.preferences.prices)
        sent = "emulated, nothing charged" if self.demo else (estimate or "cost reported after the edit")
        window.feedback.status(f"Sent {document.name}: {sent}.", MESSAGE_MS)
        if window.docks.jobs.isVisible():
            window.docks.jobs.raise_()
        self.job_submitted.emit(job_id)
        return job_id

    def _confirm_repeat(self, document: Document, params: EditParams, seconds_ago: float) -> bool:
        """The same edit was sent a moment ago: ask once (with "don't ask again") before paying twice."""
        window = self.window
        if self.demo:
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

    # ----- following jobs ------------------------------------------------------------------------

    @Slot(object)
    def _on_job_changed(self, job: EditJob) -> None:
        if job.image_paths and job.id in self._input_thumbnails:  # its input file is now written
            self.window.thumbnails.put(job.image_paths[0], self._input_thumbnails.pop(job.id))
        elif job.state.is_final:
            self._input_thumbnails.pop(job.id, None)
        if job.state.is_final or job.elsewhere:
            self._running.pop(job.id, None)
        else:
            self._running.setdefault(job.id, _epoch(job.created_at))
        self._update_indicator()

    @Slot(int)
    def _on_active_count_changed(self, _count: int) -> None:
        self._update_indicator()

    def _update_indicator(self) -> None:
        oldest = min(self._running.values()) if self._running else None
        self.window.status.jobs_indicator.set_running(len(self._running), oldest)

    @Slot(str, str)
    def _on_submit_failed(self, job_id: str, reason: str) -> None:
        """The edit just sent could not be journaled, so it was never sent: say so, forget it."""
        for kept in (self._job_documents, self._job_masks, self._sent_at, self._input_thumbnails):
            kept.pop(job_id, None)
        self.window.feedback.error("Cannot send the edit", f"The edit could not be recorded, so it was not sent: {reason}")

    @Slot(object)
    def _on_job_finished(self, job: EditJob) -> None:
        window = self.window
        self._running.pop(job.id, None)
        self._update_indicator()
        notify_finished(window, job)
        mask = self._job_masks.pop(job.id, None)
        sent_at = self._sent_at.pop(job.id, 0.0)
        document = self._job_documents.get(job.id)
        if document is not None and document not in window.documents():
            document = None
        if document is None:  # a resumed job, or one whose tab was closed and opened again
            document = document_of_job(window.documents(), job)
        if job.state is not JobState.DONE:
            if self._previewing == job.id:  # shown before saving, then not saved: show it no more
                self._previewing = None
                self._decode_generation += 1
                window.compare_view.clear()
            window.feedback.status(self._ending_message(job), 2 * MESSAGE_MS)
            return
        n = len(job.result_paths)
        results = f"{n} result{'s' if n != 1 else ''}"
        if not n:
            window.feedback.status("The edit finished without results.", MESSAGE_MS)
            return
        if document is None:
            window.feedback.status(f"Edit finished: {results} saved in {Path(job.result_paths[0]).parent}.", 2 * MESSAGE_MS)
            return
        result_set = self.results_of_job(document, job, mask)
        if document is window.current_document():
            switch = not self.user_is_painting(since=sent_at)
            self.show_results(result_set, switch=switch)
            if not switch:
                window.feedback.status(f"Edit finished: {results}. Press C or click Compare to see it.", 2 * MESSAGE_MS)
        else:
            window.feedback.status(f"The edit of {document.name} finished ({results}); switch to it to compare.", 2 * MESSAGE_MS)

    @Slot(object, int, object)
    def _on_result_previewed(self, job: EditJob, index: int, preview: ResultPreview) -> None:
        """A result is composited and its file is being written: when the designer is waiting
        for it (its image is the current one, no painting since), show it in the compare view
        now. The strip gets its tile once the file is saved; a lossy file's own pixels then
        replace what is shown, a lossless file's are these very pixels."""
        key = (job.id, index)
        self._previews[key] = preview
        while len(self._previews) > MAX_PREVIEWS:
            self._previews.popitem(last=False)
        window = self.window
        document = self._job_documents.get(job.id)
        if (index != 0 or document is None or document is not window.current_document() or self.mixing_active
                or is_expansion(job) or self.user_is_painting(since=self._sent_at.get(job.id, 0.0))):
            return  # an expansion is compared with its canvas, which the strip's path brings
        self._decode_generation += 1
        generation = self._decode_generation
        shown = document.image if document.loaded.image is preview.original else None
        mask = self._job_masks.get(job.id)
        levels = (window.compare_view.levels_of(document.image) or display_levels(document)) if shown is not None else None

        def work() -> tuple[QImage, ImageLevels | None]:
            after = preview_image(preview, shown)
            # The original's levels with the patch made again: the view draws the result smoothly
            # at once, instead of shrinking the whole frame on the GUI thread until it has them.
            return after, ImageLevels.patched(levels, after, preview.rect) if levels is not None else None

        def done(value: tuple[QImage, ImageLevels | None]) -> None:
            after, after_levels = value
            if preview.exact:  # a lossy file's own pixels are shown once saved: nothing to keep
                self._remember_preview_image(key, after)
            # The job may have saved its file meanwhile and the strip selected it, which starts
            # decoding that file: still show this now if that result is the one selected (the
            # decode runs after this on the same single worker and replaces it for a lossy file).
            shown_set = self._shown
            still_wanted = generation == self._decode_generation or (
                shown_set is not None and shown_set.job.id == job.id and shown_set.selected == index)
            if not still_wanted or self.mixing_active or document not in window.documents():
                return
            before = document.image
            fits = mask is not None and mask.shape == (before.height(), before.width())
            self._previewing = job.id
            window.compare_view.set_images(before, after, _frozen(mask) if fits else None, after_levels=after_levels,
                                           before_levels=display_levels(document))
            window.show_compare_page()
            window.update_view_actions()

        self._tasks.submit(work, done)

    def _remember_preview_image(self, key: tuple[str, int], image: QImage) -> None:
        self._preview_images[key] = image
        while len(self._preview_images) > MAX_PREVIEW_IMAGES:
            self._preview_images.popitem(last=False)

    def _ending_message(self, job: EditJob) -> str:
        if job.state is JobState.FAILED:
            return f"Edit failed: {job.error or 'no reason given'}"
        if job.state is JobState.OUTCOME_UNKNOWN:
            return "Edit outcome unknown: it may have been accepted and charged. It was not sent again."
        if job.state is JobState.STOPPED:
            return "Stopped waiting for the edit: the service may still finish and charge it."
        if job.state is JobState.UNREADABLE:
            return (f"{job.state.label} (run {job.run_id or job.client_ref}). It may have been charged and was "
                    "not sent again; Copy answer in Jobs or History shows what the service said.")
        return f"Edit ended: {job.state.label}."

    def user_is_painting(self, since: float = 0.0) -> bool:
        """Whether the designer is in the middle of mask work: a stroke now, or a mask edit in
        the last moments made after `since` (when the edit was sent; edits before it are the
        mask that was sent, not new work)."""
        window = self.window
        if not window.is_mask_page():
            return False
        if window.canvas.tools.current.is_busy():
            return True
        last = window.last_mask_edit
        return last > since and time.monotonic() - last < PAINTING_GRACE_S

    @Slot(str)
    def _on_stop_requested(self, job_id: str) -> None:
        if self.controller is None or not self.controller.stop_waiting(job_id):
            self.window.feedback.status("That edit is no longer running here.", MESSAGE_MS)

    @Slot(str)
    def _on_resend_requested(self, job_id: str) -> None:
        if self.controller is None:
            self.window.feedback.error("Cannot send again", "The app is not connected to the service.")
            return
        try:
            new_id = self.controller.resend(job_id)
        except (KeyError, RuntimeError) as exc:
            self.window.feedback.error("Cannot send again", f"This edit can no longer be found in the history ({exc}).")
            return
        document = self._job_documents.get(job_id)
        if document is not None:
            self._job_documents[new_id] = document
        self._sent_at[new_id] = time.monotonic()
        self.window.feedback.status("Sent again as a new request.", MESSAGE_MS)
        self.job_submitted.emit(new_id)

    @Slot(object)
    def _on_job_selected(self, job: EditJob | None) -> None:
        if job is None or job.state is not JobState.DONE or not job.result_paths:
            return
        self.show_job_results(job)

    def show_job_results(self, job: EditJob, *, switch: bool = True) -> None:
        """Show a finished job's results in the tab of the image they belong to, opening that
        image when it is not open (never inside another image's tab)."""
        window = self.window
        document = next((s.document for sets in self._results.values() for s in sets
                         if s.job.id == job.id and s.document in window.documents()), None)
        document = document or document_of_job(window.documents(), job)
        if document is not None:
            result_set = self.results_of_job(document, job)
            window.set_current_document(document)
            self.show_results(result_set, switch=switch)
            return
        image = image_to_open(job)
        if image is None:  # nothing to open: shown alone, and the status bar says whose it is
            result_set = ResultSet(job=job, document=None)
            self.show_results(result_set, switch=switch)
            window.feedback.status("The image of this edit is no longer on disk: its results are shown alone.", MESSAGE_MS)
            return

        def apply(opened: Document) -> None:
            self.show_results(self.results_of_job(opened, job), switch=switch)

        self.open_then(image, apply)

    def results_of_job(self, document: Document, job: EditJob, mask: np.ndarray | None = None) -> ResultSet:
        """The ResultSet of `job` among `document`'s results, added if it is not there yet."""
        sets = self._results.setdefault(document, [])
        for result_set in sets:
            if result_set.job.id == job.id:
                return result_set
        result_set = ResultSet(job=job, document=document, mask=mask)
        sets.append(result_set)
        sets.sort(key=lambda s: s.job.created_at)
        del sets[:-MAX_RESULT_SETS_PER_IMAGE]
        return result_set

    # ----- showing results -----------------------------------------------------------------------

    def results_for(self, document: Document) -> list[ResultSet]:
        """The result sets of an open image, oldest first."""
        return list(self._results.get(document, []))

    def shown_results(self) -> ResultSet | None:
        return self._shown

    def show_results(self, result_set: ResultSet, index: int | None = None, *, switch: bool = False) -> None:
        """Put the image's results in the strip (every job's, newest first) and the selected
        one of `result_set` (its `index`, else the one last selected) in the compare view.

        With `switch`, the window turns to the Compare page once the result is decoded.
        """
        window = self.window
        self._shown = result_set
        document = result_set.document
        if document is not None:
            self._last_shown[document] = result_set
        sets = self._results.get(document, []) if document is not None else []
        if result_set not in sets:
            sets = [*sets, result_set]
        self._entries = strip_entries(sets)
        self._switch_when_shown = switch
        jobs = len(sets)
        name = document.name if document is not None else (result_set.paths[0].name if result_set.paths else "")
        title = f"Results — {name}" if name else "Results"
        window.docks.results.setWindowTitle(f"{title} ({jobs} edits)" if jobs > 1 else title)
        items = build_items(result_set)
        if not items:
            window.results_strip.set_results([s.items[i] for s, i in self._entries], select=None)
            window.update_view_actions()
            return
        selected = min(max(0, result_set.selected if index is None else index), len(items) - 1)
        position = self._entries.index((result_set, selected))
        window.results_strip.set_results([s.items[i] for s, i in self._entries], select=position)
        window.update_view_actions()

    def clear_results(self) -> None:
        self._shown = None
        self._entries = []
        self._decode_generation += 1
        self.window.results_strip.clear()
        self.window.compare_view.clear()
        self.window.docks.results.setWindowTitle("Results")
        self.window.update_view_actions()

    def entry(self, strip_index: int) -> tuple[ResultSet, int] | None:
        """The job and the index within it of the strip's tile `strip_index`."""
        return self._entries[strip_index] if 0 <= strip_index < len(self._entries) else None

    @Slot(int)
    def _on_result_selected(self, strip_index: int) -> None:
        entry = self.entry(strip_index)
        if self.mixing_active or entry is None:
            return
        result_set, index = entry
        if not 0 <= index < len(result_set.paths):
            return
        self._shown = result_set
        if result_set.document is not None:
            self._last_shown[result_set.document] = result_set
        result_set.selected = index
        self._decode_generation += 1
        generation = self._decode_generation
        path = result_set.paths[index]
        job = result_set.job
        expanded = is_expansion(job)
        need_before = (result_set.document is None or expanded) and result_set.before is None
        mask_file = Path(job.mask_path) if job.mask_path and result_set.mask is None else None
        # Composited in memory before it was saved losslessly: the file holds these very pixels.
        preview = self._previews.get((job.id, index))
        preview = preview if preview is not None and preview.exact else None
        ready = self._preview_images.get((job.id, index)) if preview is not None else None
        document = result_set.document
        shown = document.image if document is not None and preview is not None and \
            document.loaded.image is preview.original else None

        def work() -> tuple[QImage, QImage | None, np.ndarray | None]:
            if ready is not None:
                after = ready
            elif preview is not None:
                after = preview_image(preview, shown)
            else:
                after = qimage_from_pil(load_image(path).image)
            before = None
            if need_before and expanded:
                canvas = canvas_before(job)
                before = qimage_from_pil(canvas) if canvas is not None else None
            elif need_before and job.image_paths and Path(job.image_paths[0]).is_file():
                before = qimage_from_pil(load_image(job.image_paths[0]).image)
            mask = None
            if mask_file is not None and mask_file.is_file():
                try:
                    mask = load_mask(mask_file)
                except MaskError:
                    mask = None
            return after, before, mask

        def done(value: tuple[QImage, QImage | None, np.ndarray | None]) -> None:
            if generation != self._decode_generation:
                return
            after, before, mask = value
            if mask is not None:
                result_set.mask = mask
            if before is not None:
                result_set.before = before
            self._show_decoded(result_set, after)

        def failed(exc: BaseException) -> None:
            if generation == self._decode_generation:
                self.window.feedback.status(f"{path.name} could not be shown: {exc}", MESSAGE_MS)

        self._tasks.submit(work, done, failed)
        self.window.update_view_actions()

    def _show_decoded(self, result_set: ResultSet, after: QImage) -> None:
        window = self.window
        if result_set.document is not None and not is_expansion(result_set.job):
            before = result_set.document.image
        else:
            before = result_set.before if result_set.before is not None else after
            if result_set.before is None:
                window.feedback.status("The original of this edit is no longer on disk: showing the result alone.", MESSAGE_MS)
        mask = result_set.mask
        if mask is not None and mask.shape != (before.height(), before.width()):
            mask = None
        self._previewing = None
        view = window.compare_view
        showing = view.before_image(), view.after_image()
        if not (showing[0] is not None and showing[1] is not None and showing[0].cacheKey() == before.cacheKey()
                and showing[1].cacheKey() == after.cacheKey()):  # shown already from memory
            original = result_set.document
            view.set_images(before, after, _frozen(mask),
                            before_levels=display_levels(original) if original is not None and before is original.image else None)
        if self._switch_when_shown:
            self._switch_when_shown = False
            window.show_compare_page()
        window.update_view_actions()
        self.result_shown.emit(result_set)

    @Slot(int)
    def _on_use_as_input_requested(self, index: int) -> None:
        self.use_as_input(index)

    def use_as_input(self, strip_index: int | None = None) -> bool:
        """Open the strip's result `strip_index` (default: the one shown) as a new image, keeping
        its job's mask."""
        if strip_index is None:
            result_set = self._shown
            index = result_set.selected if result_set is not None else -1
        else:
            result_set, index = self.entry(strip_index) or (None, -1)
        if result_set is None:
            return False
        if not 0 <= index < len(result_set.paths):
            return False
        path = result_set.paths[index]
        if not path.is_file():
            self.window.feedback.error("Cannot use this result", f"{path} is no longer on disk.")
            return False
        mask = result_set.mask

        def apply(document: Document) -> None:
            window = self.window
            if mask is not None and mask.any():
                window.mask_commands.set_last_job_mask(mask)
                window.mask_commands.reuse_last_mask()
            window.show_mask_page()
            window.feedback.status(f"Continuing from {path.name}; the mask of the edit is kept.", MESSAGE_MS)

        self.open_then(path, apply)
        return True

    @Slot(str)
    def _on_result_saved(self, path: str) -> None:
        self.window.feedback.status(f"Saved the result to {path}.", MESSAGE_MS)

    @Slot(str)
    def _on_already_saved(self, path: str) -> None:
        where = Path(path)
        self.window.feedback.status(
            f"Already saved as {where.name} in {where.parent}; nothing new was written (Show in folder opens it).",
            MESSAGE_MS)

    @Slot(str)
    def _on_save_failed(self, message: str) -> None:
        self.window.feedback.error("Cannot save the result", message)

    @Slot(int)
    def _on_result_copied(self, index: int) -> None:
        self.window.feedback.status(f"Result {index + 1} copied to the clipboard.", MESSAGE_MS)

    # ----- documents -----------------------------------------------------------------------------

    @Slot(object)
    def _on_document_changed(self, document: Document | None) -> None:
        window = self.window
        panel = window.params_panel
        if document is None:
            panel.clear_image()
            self.clear_results()
            window.show_mask_page()
            return
        self._show_document_parameters(document)
        sets = self._results.get(document)
        if sets:
            last = self._last_shown.get(document)
            current = last if last in sets else sets[-1]
            self.show_results(current, switch=False)
        else:
            self.clear_results()
            window.show_mask_page()

    def forget_document(self, document: Document) -> None:
        """A document closed: its results leave the strip; its running jobs finish unattached."""
        self._results.pop(document, None)
        self._last_shown.pop(document, None)
        for job_id in [j for j, d in self._job_documents.items() if d is document]:
            del self._job_documents[job_id]
        if self._shown is not None and self._shown.document is document:
            self.clear_results()

    def open_then(self, path: str | Path, action: Callable[[Document], None]) -> None:
        """Open an image (or bring it forward if open) and call `action(document)` once it is."""
        path = Path(path)
        for document in self.window.documents():
            if document.path is not None and same_file(document.path, path):
                self.window.set_current_document(document)
                action(document)
                return
        self._after_open.append((path, action))
        self.window.open_path(path)

    @Slot(object)
    def _on_document_opened(self, document: Document) -> None:
        document.mask_changed.connect(self._on_first_mask_change)
        if document.path is None:
            return
        for entry in list(self._after_open):
            path, action = entry
            if same_file(path, document.path):
                self._after_open.remove(entry)
                action(document)

    @Slot(QRect)
    def _on_first_mask_change(self, _rect: QRect) -> None:
        """The designer starts a mask on an image: an edit of it is coming, so its sent-size copy
        is made now in the background (a camera photo's takes 0.5 to 1 s) instead of after
        Generate. Once per image."""
        document = self.sender()
        if not isinstance(document, Document):
            return
        document.mask_changed.disconnect(self._on_first_mask_change)
        start_worker(prepare_ahead, document.loaded, owner=self)

    @Slot(str, str)
    def _on_open_failed(self, key: str, _message: str) -> None:
        self._after_open = [(p, a) for p, a in self._after_open if str(p) != key]

    def _show_document_parameters(self, document: Document) -> None:
        """Show the image and what it is to be sent with: its own parameters, options and
        references, or the designer's defaults for an image that has none yet (never the
        previous image's)."""
        panel, prefs = self.window.params_panel, self.window.preferences
        params = prefs.default_params
        if document.params:
            try:
                params = EditParams.from_dict(document.params)
            except (TypeError, ValueError, KeyError) as exc:
                log.warning("ignoring unreadable parameters of %s: %s", document.name, exc)
        options = {"keep_unmasked": prefs.keep_unmasked, "feather": prefs.feather, "colour_match": prefs.colour_match,
                   "region_padding": False}
        options.update(document.edit_options)
        self._showing_params_of = document  # what the panel is about to show is the document's already
        try:
            with panel.batched():  # validated and announced once, not five times (12 ms on each switch)
                panel.set_open_image(document.name, document.path, _thumbnail_level(document))
                panel.set_image_size(document.width, document.height)
                panel.set_params(params)
                panel.set_options(**options)
                panel.set_reference_paths(list(document.references))
        finally:
            self._showing_params_of = None

    def _owner_of_panel(self) -> Document | None:
        document = self.window.current_document()
        return None if document is None or document is self._showing_params_of else document

    @Slot(object)
    def _on_params_changed(self, params: EditParams) -> None:
        """Each image keeps the parameters last chosen for it (saved with its project)."""
        document = self._owner_of_panel()
        if document is not None:
            document.params = params.to_dict()

    @Slot(object)
    def _on_options_changed(self, options: dict) -> None:
        document = self._owner_of_panel()
        if document is not None:
            document.edit_options = dict(options)

    @Slot(object)
    def _on_references_changed(self, paths: list) -> None:
        document = self._owner_of_panel()
        if document is not None:
            document.references = [str(p) for p in paths]

    # ----- history -------------------------------------------------------------------------------

    @Slot(object)
    def reopen_job(self, job: EditJob) -> bool:
        """Bring a past edit back: its image (the tab it is open in, else the file it was made
        from, else the job's own copy of it) with its mask, parameters, references and results."""
        window = self.window
        open_document = document_of_job(window.documents(), job)
        image = open_document.path if open_document is not None else image_to_open(job)
        if image is None:
            image = Path(job.image_paths[0]) if job.image_paths else None
            where = f" ({image})" if image is not None else ""
            results = f" Its results are still in {Path(job.result_paths[0]).parent}." if job.result_paths else ""
            window.feedback.error(
                "Cannot reopen this edit",
                f"The image this edit was made from is no longer on disk{where}; the history may have been pruned.{results}",
            )
            return False
        mask_path = Path(job.mask_path) if job.mask_path else None
        mask_missing = mask_path is not None and not mask_path.is_file()
        references = [Path(p) for p in job.image_paths[1:]]
        missing_refs = [p for p in references if not p.is_file()]

        def apply(document: Document) -> None:
            panel = window.params_panel
            panel.set_params(job.params)
            options = job.options
            panel.set_options(keep_unmasked=options.keep_unmasked, feather=options.feather,
                              colour_match=options.colour_match, region_padding=options.region_padding)
            panel.set_reference_paths([p for p in references if p.is_file()])
            notes = []
            if mask_missing:
                notes.append("its mask file is gone")
            if missing_refs:
                notes.append(f"{len(missing_refs)} reference image{'s are' if len(missing_refs) != 1 else ' is'} gone")
            message = f"Reopened “{job.params.prompt or job.params.spec.label}”"
            if job.state is JobState.DONE and job.result_paths:
                gone = sum(not Path(p).is_file() for p in job.result_paths)
                if gone:
                    notes.append(f"{gone} of its results {'are' if gone != 1 else 'is'} no longer on disk")
                self.show_results(self.results_of_job(document, job), switch=False)
                n = len(job.result_paths)
                message += f" with its {n} result{'s' if n != 1 else ''} in the Results strip"
            window.feedback.status(message + (f" ({'; '.join(notes)})." if notes else "."), MESSAGE_MS)
            window.show_mask_page()
            if mask_path is not None and not mask_missing:
                start_worker(
                    load_mask, mask_path, owner=document,
                    on_returned=lambda mask, d=document: self._apply_reopened_mask(d, mask),
                    on_errored=lambda exc: window.feedback.error("Cannot load the mask", str(exc)),
                )

        if open_document is not None:  # its tab comes forward: no second tab of the same image
            window.set_current_document(open_document)
            apply(open_document)
        else:
            self.open_then(image, apply)
        return True

    def _apply_reopened_mask(self, document: Document, mask: np.ndarray) -> None:
        if document not in self.window.documents():
            return
        try:
            document.set_mask_array(mask, "Mask of reopened edit", rescale=True)
        except MaskError as exc:
            self.window.feedback.error("Cannot load the mask", str(exc))

    # ----- settings ------------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        """Show the Settings dialog (window-modal, not blocking); changes apply when it closes."""
        window = self.window
        dialog = SettingsDialog(window.preferences, window, settings_file=window.settings_file)
        self._pending_settings, self._pending_key_change = None, False
        dialog.settings_saved.connect(self._on_settings_saved)
        dialog.api_key_changed.connect(self._on_api_key_changed)
        dialog.finished.connect(self._on_settings_finished)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot(object)
    def _on_settings_saved(self, settings: AppSettings) -> None:
        self._pending_settings = settings

    @Slot()
    def _on_api_key_changed(self) -> None:
        self._pending_key_change = True

    @Slot(int)
    def _on_settings_finished(self, _result: int) -> None:
        settings, key_changed = self._pending_settings, self._pending_key_change
        self._pending_settings, self._pending_key_change = None, False
        if settings is not None or key_changed:
            self.apply_settings(settings or self.window.preferences, key_changed=key_changed)

    def apply_settings(self, settings: AppSettings, *, key_changed: bool = False) -> None:
        """Use new settings; reconnect when what the connection depends on changed."""
        window = self.window
        old = window.preferences
        window.prefs.set(settings)
        self._apply_preferences_to_panels(settings, defaults=False)
        window.results_strip.set_output_dir(settings.output_dir)
        address_changed = (old.base_url, old.organization_id) != (settings.base_url, settings.organization_id)
        if key_changed or old.max_concurrent != settings.max_concurrent or (address_changed and not self.demo):
            self.reconnect()

    def _apply_preferences_to_panels(self, settings: AppSettings, *, defaults: bool) -> None:
        window = self.window
        window.params_panel.set_prices(settings.prices)
        window.jobs_panel.set_prices(settings.prices)
        window.params_panel.set_recent_prompts(settings.recent_prompts)
        if defaults:
            window.params_panel.set_params(settings.default_params)
            window.params_panel.set_options(keep_unmasked=settings.keep_unmasked, feather=settings.feather,
                                            colour_match=settings.colour_match)

    @Slot(object)
    def _on_recent_prompts_changed(self, prompts: list[str]) -> None:
        window = self.window
        window.prefs.set(replace(window.preferences, recent_prompts=list(prompts)))
        try:
            save_settings(window.preferences, window.settings_file)
        except OSError as exc:  # the prompt is still used; only the list is not kept
            log.warning("could not save recent prompts: %s", exc)

    # ----- shutting down -------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop listening, let background work finish, and close the service (running edits stay
        journaled and are picked up at the next start). Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        if self.controller is not None:
            self.controller.close()
        self._tasks.wait(5000)
        if self.service is not None:
            # Never waits on a retry or a socket: workers stop at once; one blocked in a request
            # is left behind (its job is journaled and resumed at the next start).
            self.service.close(timeout=QUIT_WAIT_S)


def display_levels(document: Document) -> ImageLevels | None:
    """The open image's levels as the loader made them for the canvas, for the compare view's
    original: drawn and patched as they are, where building them again converted the whole
    frame on a worker (350 ms at 45 MP, during the first edit's result). None while the
    loader is still making them, or for an image with alpha (its levels are made anew)."""
    if document.display_pending():
        return None
    rgb32 = QImage.Format.Format_RGB32
    image, levels = document.image, document.image_levels
    if image.format() != rgb32 or any(level.format() != rgb32 for level in levels):
        return None
    return ImageLevels(image, levels)


def _thumbnail_level(document: Document) -> QImage | None:
    """The smallest display level still at least 72 px, for the parameters panel's thumbnail."""
    chosen = None
    for level in document.image_levels:
        if min(level.width(), level.height()) >= 72:
            chosen = level
    return chosen
