"""Bringing past work back into an open image: a History edit, a job's results, a result used
as a new input.

Each of them needs an image open first: the tab it is already open in comes forward, else the
file is opened in the background and the action runs once it is (`open_then`). A reopened
edit's mask is read on a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Slot

from desktop_editor.core.masks import MaskError, load_mask
from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.ui.common.job_bridge import start_worker
from desktop_editor.ui.flow.notifications import MESSAGE_MS
from desktop_editor.ui.flow.result_sets import ResultSet, document_of_job, image_to_open, same_file
from desktop_editor.ui.models.document import Document

if TYPE_CHECKING:
    from desktop_editor.ui.flow.host import EditHost
    from desktop_editor.ui.flow.result_presenter import ResultPresenter


class JobReopener(QObject):
    """Reopens History edits, shows a job's results in its image's tab, and uses a result as
    input (no signals)."""

    def __init__(self, window: EditHost, results: ResultPresenter, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.results = results
        self._after_open: list[tuple[Path, Callable[[Document], None]]] = []

    # ----- opening first -------------------------------------------------------------------------

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

    def on_document_opened(self, document: Document) -> None:
        """Run what waited for this image to open."""
        if document.path is None:
            return
        for entry in list(self._after_open):
            path, action = entry
            if same_file(path, document.path):
                self._after_open.remove(entry)
                action(document)

    @Slot(str, str)
    def on_open_failed(self, key: str, _message: str) -> None:
        self._after_open = [(p, a) for p, a in self._after_open if str(p) != key]

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
                self.results.show_results(self.results.results_of_job(document, job), switch=False)
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

    # ----- a job's results -----------------------------------------------------------------------

    @Slot(object)
    def on_job_selected(self, job: EditJob | None) -> None:
        """A job selected in Jobs or History: its results in its image's tab (opening the image
        if needed); for a job without results, its image's tab when that image is open."""
        if job is None:
            return
        if job.state is not JobState.DONE or not job.result_paths:
            document = self.results.document_showing(job) or document_of_job(self.window.documents(), job)
            if document is not None and document is not self.window.current_document():
                self.window.set_current_document(document)
            return
        self.show_job_results(job)

    def show_job_results(self, job: EditJob, *, switch: bool = True) -> None:
        """Show a finished job's results in the tab of the image they belong to, opening that
        image when it is not open (never inside another image's tab)."""
        window, results = self.window, self.results
        document = results.document_showing(job) or document_of_job(window.documents(), job)
        if document is not None:
            result_set = results.results_of_job(document, job)
            window.set_current_document(document)
            results.show_results(result_set, switch=switch)
            return
        image = image_to_open(job)
        if image is None:  # nothing to open: shown alone, and the status bar says whose it is
            result_set = ResultSet(job=job, document=None)
            results.show_results(result_set, switch=switch)
            window.feedback.status("The image of this edit is no longer on disk: its results are shown alone.", MESSAGE_MS)
            return

        def apply(opened: Document) -> None:
            results.show_results(results.results_of_job(opened, job), switch=switch)

        self.open_then(image, apply)

    @Slot(int)
    def on_use_as_input_requested(self, index: int) -> None:
        self.use_as_input(index)

    def use_as_input(self, strip_index: int | None = None) -> bool:
        """Open the strip's result `strip_index` (default: the one shown) as a new image, keeping
        its job's mask."""
        if strip_index is None:
            result_set = self.results.shown_results()
            index = result_set.selected if result_set is not None else -1
        else:
            result_set, index = self.results.entry(strip_index) or (None, -1)
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
