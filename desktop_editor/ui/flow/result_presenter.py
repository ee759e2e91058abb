"""Showing results: each image's result sets, the Results strip, and the compare view.

Every open image keeps the results of its edits (`ResultSet`s, newest jobs last); the strip
shows all of the current image's, and the selected one is decoded on a worker and shown in the
compare view against the image. A result composited in memory before its file was written is
shown at once (`on_result_previewed`) and, when its file is lossless, not decoded again.
Nothing here blocks the GUI thread: decoding runs on one `TaskRunner` worker, so a result
decoded from its file is delivered after the preview submitted before it, never before.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QRect, Signal, Slot
from PySide6.QtGui import QImage

from desktop_editor.core.images import load_image
from desktop_editor.core.masks import MaskError, load_mask
from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.jobs.prepare import ResultPreview
from desktop_editor.ui.common.conversions import qimage_from_pil
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.compare.panes import ImageLevels
from desktop_editor.ui.flow.expanding import canvas_before, is_expansion
from desktop_editor.ui.flow.notifications import MESSAGE_MS
from desktop_editor.ui.flow.result_framing import edit_rect, turn_to_result
from desktop_editor.ui.flow.result_sets import ResultSet, build_items, preview_image, strip_entries
from desktop_editor.ui.flow.sent_jobs import SentJobs
from desktop_editor.ui.flow.spare_frames import SpareFrames, spare_frame
from desktop_editor.ui.models.document import Document

if TYPE_CHECKING:
    from desktop_editor.ui.flow.host import EditHost

# A mask edit this recent, made after the edit was sent, means the designer is painting again:
# a finished result does not take the picture away from them (the Compare page is one key
# away, and the status bar says so).
PAINTING_GRACE_S = 3.0
MAX_RESULT_SETS_PER_IMAGE = 20
MAX_PREVIEWS = 4  # results kept in memory from their composite to their display (a patch each)
MAX_PREVIEW_IMAGES = 2  # and the full-frame QImages made of lossless ones (180 MB each at 45 MP)


def _frozen(mask: np.ndarray | None) -> np.ndarray | None:
    """A read-only view of a job's mask (this flow never changes them): the compare view keeps
    it instead of copying it on the GUI thread."""
    if mask is None:
        return None
    view = mask.view()
    view.flags.writeable = False
    return view


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


def user_is_painting(window: EditHost, since: float = 0.0) -> bool:
    """Whether the designer is in the middle of mask work: a stroke now, or a mask edit in
    the last moments made after `since` (when the edit was sent; edits before it are the
    mask that was sent, not new work)."""
    if not window.is_mask_page():
        return False
    if window.canvas.tools.current.is_busy():
        return True
    last = window.last_mask_edit
    return last > since and time.monotonic() - last < PAINTING_GRACE_S


class ResultPresenter(QObject):
    """The results of the open images, in the strip and the compare view.

    Signals:
        result_shown(object): the compare view shows a result of this ResultSet.
    """

    result_shown = Signal(object)

    def __init__(self, window: EditHost, sent: SentJobs, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.sent = sent
        self._results: dict[Document, list[ResultSet]] = {}
        self._shown: ResultSet | None = None
        self._entries: list[tuple[ResultSet, int]] = []  # what each tile of the strip shows
        self._last_shown: dict[Document, ResultSet] = {}  # the job whose result each image showed last
        self._decode_generation = 0
        self._switch_when_shown = False
        # Results composited in memory before their files were written ((job id, index) -> the
        # preview, and the QImage made of it): shown at once, and not decoded again from a
        # lossless file once it is saved.
        self._previews: OrderedDict[tuple[str, int], ResultPreview] = OrderedDict()
        self._preview_images: OrderedDict[tuple[str, int], QImage] = OrderedDict()
        self._previewing: str | None = None  # the job whose unsaved result the compare view shows
        self._spares = SpareFrames()  # copies of a large image's display pixels a result is packed into
        self.mixing_active = False  # the strip shows the mix's sources: selecting one picks the brush
        # One worker: a result decoded from its file is delivered after the preview submitted
        # before it (see on_result_previewed), never before.
        self._tasks = TaskRunner(self, max_threads=1)

    # ----- result sets ---------------------------------------------------------------------------

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

    def results_for(self, document: Document) -> list[ResultSet]:
        """The result sets of an open image, oldest first."""
        return list(self._results.get(document, []))

    def document_showing(self, job: EditJob) -> Document | None:
        """The open image whose results include `job`'s, if any."""
        documents = self.window.documents()
        return next((s.document for sets in self._results.values() for s in sets
                     if s.job.id == job.id and s.document in documents), None)

    def shown_results(self) -> ResultSet | None:
        return self._shown

    def show_document(self, document: Document) -> None:
        """The image came forward: its results (the set it showed last), or none."""
        sets = self._results.get(document)
        if sets:
            last = self._last_shown.get(document)
            current = last if last in sets else sets[-1]
            self.show_results(current, switch=False)
        else:
            self.clear_results()
            self.window.show_mask_page()

    def forget_document(self, document: Document) -> None:
        """A document closed: its results leave the strip."""
        self._results.pop(document, None)
        self._last_shown.pop(document, None)
        if self._shown is not None and self._shown.document is document:
            self.clear_results()

    @Slot(object)
    def on_job_changed(self, job: EditJob) -> None:
        """A sent edit's run ended and its result is on its way: when it will be composited into
        the open image it was made of, the copy of that image's display pixels it is shown in
        is started now (`spare_frames`), beside the download and the composite. A job that
        ended drops its copy."""
        if job.state.is_final:
            self._spares.drop(job.id)
            return
        document = self.sent.documents.get(job.id)
        if job.state is not JobState.DOWNLOADING or document is None or not job.options.keep_unmasked \
                or is_expansion(job) or document not in self.window.documents():
            return
        self._spares.start(job.id, document.image, display_levels(document))

    def job_not_done(self, job_id: str) -> None:
        """A job ended without results: its unsaved result, if shown, is shown no more."""
        if self._previewing == job_id:
            self._previewing = None
            self._decode_generation += 1
            self.window.compare_view.clear()

    # ----- the strip -----------------------------------------------------------------------------

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

    @Slot(str)
    def on_result_saved(self, path: str) -> None:
        self.window.feedback.status(f"Saved the result to {path}.", MESSAGE_MS)

    @Slot(str)
    def on_already_saved(self, path: str) -> None:
        where = Path(path)
        self.window.feedback.status(
            f"Already saved as {where.name} in {where.parent}; nothing new was written (Show in folder opens it).",
            MESSAGE_MS)

    @Slot(str)
    def on_save_failed(self, message: str) -> None:
        self.window.feedback.error("Cannot save the result", message)

    @Slot(int)
    def on_result_copied(self, index: int) -> None:
        items = self.window.results_strip.results()
        label = items[index].label if 0 <= index < len(items) and items[index].label else f"Result {index + 1}"
        self.window.feedback.status(f"{label} copied to the clipboard.", MESSAGE_MS)

    # ----- the compare view ----------------------------------------------------------------------

    @Slot(object, int, object)
    def on_result_previewed(self, job: EditJob, index: int, preview: ResultPreview) -> None:
        """A result is composited and its file is being written: when the designer is waiting
        for it (its image is the current one, no painting since), show it in the compare view
        now. The strip gets its tile once the file is saved; a lossy file's own pixels then
        replace what is shown, a lossless file's are these very pixels."""
        key = (job.id, index)
        self._previews[key] = preview
        while len(self._previews) > MAX_PREVIEWS:
            self._previews.popitem(last=False)
        window = self.window
        document = self.sent.documents.get(job.id)
        if (index != 0 or document is None or document is not window.current_document() or self.mixing_active
                or is_expansion(job) or user_is_painting(window, since=self.sent.sent_at.get(job.id, 0.0))):
            self._spares.drop(job.id)
            return  # an expansion is compared with its canvas, which the strip's path brings
        self._decode_generation += 1
        generation = self._decode_generation
        shown = document.image if document.loaded.holds(preview.original) else None
        mask = self.sent.masks.get(job.id)
        levels = (window.compare_view.levels_of(document.image) or display_levels(document)) if shown is not None else None
        spare = self._spares.claim(job.id, shown)

        def work() -> tuple[QImage, ImageLevels | None, QRect | None]:
            frame, level_copies = spare_frame(spare) or (None, None)
            after = preview_image(preview, shown, into=frame)
            # The original's levels with the patch made again: the view draws the result smoothly
            # at once, instead of shrinking the whole frame on the GUI thread until it has them.
            patched = ImageLevels.patched(levels, after, preview.rect, into=level_copies) if levels is not None else None
            return after, patched, edit_rect(mask)

        def done(value: tuple[QImage, ImageLevels | None, QRect | None]) -> None:
            after, after_levels, edit = value
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
            turn_to_result(window, document, edit if fits else None)
            window.update_view_actions()

        self._tasks.submit(work, done)

    def _remember_preview_image(self, key: tuple[str, int], image: QImage) -> None:
        self._preview_images[key] = image
        while len(self._preview_images) > MAX_PREVIEW_IMAGES:
            self._preview_images.popitem(last=False)

    @Slot(int)
    def on_result_selected(self, strip_index: int) -> None:
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
            document.loaded.holds(preview.original) else None

        # Where the edit is matters only when the result arrives (see result_framing).
        known_edit, need_edit, sent_mask = result_set.edit, result_set.edit is None and self._switch_when_shown, result_set.mask

        def work() -> tuple[QImage, QImage | None, np.ndarray | None, QRect | None]:
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
            edit = edit_rect(sent_mask if mask is None else mask) if need_edit else known_edit
            return after, before, mask, edit

        def done(value: tuple[QImage, QImage | None, np.ndarray | None, QRect | None]) -> None:
            if generation != self._decode_generation:
                return
            after, before, mask, edit = value
            if edit is not None:
                result_set.edit = edit
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
            turn_to_result(window, result_set.document, result_set.edit if mask is not None else None)
        window.update_view_actions()
        self.result_shown.emit(result_set)

    def busy(self) -> bool:
        """Whether a result is being decoded or composited."""
        return self._tasks.busy()

    def wait(self, msecs: int) -> None:
        """Let a decode in progress finish (on quitting)."""
        self._tasks.wait(msecs)
