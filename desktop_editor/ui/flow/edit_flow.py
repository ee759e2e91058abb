"""The path of an edit through the window: Generate, follow the job, show and keep the results.

The main window owns the widgets (canvas, panels, results strip, compare view); this object
makes the parts that connect them to the jobs layer and wires them to the window's signals:

- `ServiceLink` (service_link.py): the service connection, its `JobsController`, resuming what
  was left running, the jobs indicator;
- `EditSubmitter` (submitting.py): Generate with the no-mask question and the repeat guard,
  Stop and Send Again;
- `ResultPresenter` (result_presenter.py): each image's result sets, the strip, previews and
  decoded files in the compare view; `JobEndings` (job_endings.py): what a finished job shows;
- `DocumentParameters` (document_parameters.py): each image's own parameters;
- `JobReopener` (reopening.py): History edits, a job's results, a result used as input;
- `SettingsApplier` (settings_applier.py): the Settings dialog and what it changes.

What this session knows of the edits it sent is shared in one `SentJobs`. The methods here are
the flow's public face for the window, the mixing flow and tests; each hands to its part.
Nothing here blocks the GUI thread, and the ui layer never talks HTTP (only `desktop_editor.jobs`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from desktop_editor.jobs.model import EditJob
from desktop_editor.jobs.settings import AppSettings
from desktop_editor.ui.common.job_bridge import JobsController
from desktop_editor.ui.flow.document_parameters import DocumentParameters
from desktop_editor.ui.flow.expanding import ExpansionNote
from desktop_editor.ui.flow.job_endings import JobEndings
from desktop_editor.ui.flow.reopening import JobReopener
from desktop_editor.ui.flow.result_presenter import ResultPresenter, user_is_painting
from desktop_editor.ui.flow.result_sets import ResultSet
from desktop_editor.ui.flow.sent_jobs import SentJobs
from desktop_editor.ui.flow.service_link import ServiceLink
from desktop_editor.ui.flow.settings_applier import SettingsApplier
from desktop_editor.ui.flow.submitting import EditSubmitter
from desktop_editor.ui.models.document import Document

if TYPE_CHECKING:  # the jobs layer and the dialogs load after the first paint
    from desktop_editor.jobs.service import Connection, ServiceConnection
    from desktop_editor.ui.dialogs.settings_dialog import SettingsDialog
    from desktop_editor.ui.flow.host import EditHost

# How long quitting waits for job workers to notice they are stopped (they stop between two
# steps at once; only one blocked in a network request takes longer, and is left behind).
QUIT_WAIT_S = 0.3


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
        self._shut_down = False
        self.sent = SentJobs()
        self.link = ServiceLink(window, self)
        self.submitter = EditSubmitter(window, self.link, self.sent, self)
        self.results = ResultPresenter(window, self.sent, self)
        self.endings = JobEndings(window, self.link, self.sent, self.results, self)
        self.parameters = DocumentParameters(window, self)
        self.reopener = JobReopener(window, self.results, self)
        self.settings = SettingsApplier(window, self.link, self)
        self.link.controller_changed.connect(self._on_controller_changed)
        self.link.connection_changed.connect(self.connection_changed)
        self.link.reopen_requested.connect(self.reopener.reopen_job)
        self.link.job_selected.connect(self.reopener.on_job_selected)
        self.submitter.job_submitted.connect(self.job_submitted)
        self.results.result_shown.connect(self.result_shown)

        strip = window.results_strip
        strip.set_output_dir(window.preferences.output_dir)
        strip.result_selected.connect(self.results.on_result_selected)
        strip.use_as_input_requested.connect(self.reopener.on_use_as_input_requested)
        strip.result_saved.connect(self.results.on_result_saved)
        strip.already_saved.connect(self.results.on_already_saved)
        strip.save_failed.connect(self.results.on_save_failed)
        strip.result_copied.connect(self.results.on_result_copied)
        panel = window.params_panel
        panel.generate_requested.connect(self.submitter.on_generate_requested)
        panel.params_changed.connect(self.parameters.on_params_changed)
        panel.options_changed.connect(self.parameters.on_options_changed)
        panel.references_changed.connect(self.parameters.on_references_changed)
        panel.recent_prompts_changed.connect(self.settings.on_recent_prompts_changed)
        jobs = window.jobs_panel
        jobs.stop_requested.connect(self.submitter.on_stop_requested)
        jobs.resend_requested.connect(self.submitter.on_resend_requested)
        jobs.job_selected.connect(self.reopener.on_job_selected)
        window.document_changed.connect(self._on_document_changed)
        self.expansion_note = ExpansionNote(window.params_panel, self)
        window.document_changed.connect(self.expansion_note.follow)
        window.document_opened.connect(self._on_document_opened)
        window.open_failed.connect(self.reopener.on_open_failed)
        self.settings.apply_to_panels(window.preferences, defaults=True)

    @Slot(object)
    def _on_controller_changed(self, controller: JobsController) -> None:
        controller.job_changed.connect(self.submitter.on_job_changed)
        controller.job_changed.connect(self.results.on_job_changed)
        controller.job_finished.connect(self.endings.on_job_finished)
        controller.result_previewed.connect(self.results.on_result_previewed)
        controller.submit_failed.connect(self.submitter.on_submit_failed)

    @Slot(object)
    def _on_document_changed(self, document: Document | None) -> None:
        if document is None:
            self.window.params_panel.clear_image()
            self.results.clear_results()
            self.window.show_mask_page()
            return
        self.parameters.show(document)
        self.results.show_document(document)

    @Slot(object)
    def _on_document_opened(self, document: Document) -> None:
        self.submitter.prepare_when_masked(document)
        self.reopener.on_document_opened(document)

    # ----- the service ---------------------------------------------------------------------------

    @property
    def service(self) -> ServiceConnection | None:
        return self.link.service

    @property
    def connection(self) -> Connection | None:
        return self.link.connection

    @property
    def controller(self) -> JobsController | None:
        return self.link.controller

    @property
    def demo(self) -> bool:
        return self.link.demo

    def attach(self, service: ServiceConnection) -> Connection:
        """Send edits through `service`, connecting it with the window's settings if it is not yet."""
        return self.link.attach(service)

    def reconnect(self) -> Connection | None:
        """Connect again, picking up what the previous connection left running (see `ServiceLink`)."""
        return self.link.reconnect()

    def resume_unfinished(self) -> int:
        """Pick up the edits an earlier session (or connection) left running; how many."""
        return self.link.resume_unfinished()

    def active_count(self) -> int:
        """Edits in flight on the current connection."""
        return self.link.active_count()

    # ----- edits and results ---------------------------------------------------------------------

    def generate(self) -> str | None:
        """Send the current image, mask and parameters; the job id, or None when nothing was sent."""
        return self.submitter.generate()

    def user_is_painting(self, since: float = 0.0) -> bool:
        """Whether the designer is in the middle of mask work (see `result_presenter.user_is_painting`)."""
        return user_is_painting(self.window, since)

    @property
    def mixing_active(self) -> bool:
        """The strip shows the mix's sources: selecting one picks the brush, not a result."""
        return self.results.mixing_active

    @mixing_active.setter
    def mixing_active(self, active: bool) -> None:
        self.results.mixing_active = active

    def results_of_job(self, document: Document, job: EditJob, mask: np.ndarray | None = None) -> ResultSet:
        """The ResultSet of `job` among `document`'s results, added if it is not there yet."""
        return self.results.results_of_job(document, job, mask)

    def results_for(self, document: Document) -> list[ResultSet]:
        """The result sets of an open image, oldest first."""
        return self.results.results_for(document)

    def shown_results(self) -> ResultSet | None:
        return self.results.shown_results()

    def show_results(self, result_set: ResultSet, index: int | None = None, *, switch: bool = False) -> None:
        """Show `result_set` in the strip and its selected result in the compare view."""
        self.results.show_results(result_set, index, switch=switch)

    def clear_results(self) -> None:
        self.results.clear_results()

    def entry(self, strip_index: int) -> tuple[ResultSet, int] | None:
        """The job and the index within it of the strip's tile `strip_index`."""
        return self.results.entry(strip_index)

    def show_job_results(self, job: EditJob, *, switch: bool = True) -> None:
        """Show a finished job's results in the tab of its image, opening it when it is not open."""
        self.reopener.show_job_results(job, switch=switch)

    def use_as_input(self, strip_index: int | None = None) -> bool:
        """Open a result of the strip as a new image, keeping its job's mask."""
        return self.reopener.use_as_input(strip_index)

    def reopen_job(self, job: EditJob) -> bool:
        """Bring a past edit back with its mask, parameters, references and results."""
        return self.reopener.reopen_job(job)

    def open_then(self, path: str | Path, action: Callable[[Document], None]) -> None:
        """Open an image (or bring it forward if open) and call `action(document)` once it is."""
        self.reopener.open_then(path, action)

    def forget_document(self, document: Document) -> None:
        """A document closed: its results leave the strip; its running jobs finish unattached."""
        self.results.forget_document(document)
        self.sent.forget_document(document)

    # ----- settings and shutting down ------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        """Show the Settings dialog (window-modal, not blocking); changes apply when it closes."""
        return self.settings.open_settings()

    def apply_settings(self, settings: AppSettings, *, key_changed: bool = False) -> None:
        """Use new settings; reconnect when what the connection depends on changed."""
        self.settings.apply_settings(settings, key_changed=key_changed)

    def shutdown(self) -> None:
        """Stop listening, let background work finish, and close the service (running edits stay
        journaled and are picked up at the next start). Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self.link.close_controller()
        self.results.wait(5000)
        self.link.close_service(QUIT_WAIT_S)
