"""Mix mode in the window: which results of the image are mixed, saving the mix, continuing from it.

The results of every edit of the current image whose pictures have the original's size (or its
shape, scaled like the compare view does) become the mix's sources, numbered in the results
strip; the keys 1-9 pick the one the brush paints. The mix is prepared on a worker (each result
decoded once), kept on the document (so its project keeps the map), and dropped when another
image is shown. Saving renders the whole mix on a worker, writes it with the original's colour
profile and resolution (in the document's own profile, mode and depth where its values are not
8-bit sRGB: `core.mix_document`), and records in the history which results it shows.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog

from desktop_editor.core.image_formats import displayed_size
from desktop_editor.core.images import LoadedImage
from desktop_editor.core.mix import (
    MAX_RESULTS,
    MixPalette,
    MixState,
    mix_to_image,
    remap,
    render_all,
    used_results,
)
from desktop_editor.core.mix_document import DocumentSource, mix_values
from desktop_editor.core.result_export import (
    ExportError,
    document_format,
    file_name,
    format_for_path,
    in_document_space,
    mix_xmp,
    save_document_new,
    save_document_to,
    save_new,
    save_to,
)
from desktop_editor.jobs.mixes import MixRecord, record_mix
from desktop_editor.ui.common.conversions import pil_from_qimage
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.compare.mix_bar import SOURCE_COLOURS
from desktop_editor.ui.flow.result_sets import number_results, result_label
from desktop_editor.ui.compare.mix_session import (
    MixBuild,
    MixSession,
    MixSource,
    build_mix,
)
from desktop_editor.ui.compare.view import CompareMode
from desktop_editor.ui.models.document import Document
from desktop_editor.ui.panels.results_strip import ResultItem

if TYPE_CHECKING:
    from desktop_editor.ui.flow.edit_flow import EditFlow
    from desktop_editor.ui.flow.host import EditHost

log = logging.getLogger(__name__)
MESSAGE_MS = 8000
_SAVE_FILTERS = "PNG image (*.png);;JPEG image (*.jpg *.jpeg);;WebP image (*.webp)"
_DOCUMENT_SAVE_FILTERS = ("TIFF image (*.tif *.tiff);;PNG image (*.png);;JPEG image (*.jpg *.jpeg);;"
                          "WebP image (*.webp);;HEIC image (*.heic);;AVIF image (*.avif)")


def _fits(path: Path, size: tuple[int, int]) -> bool:
    """Whether a result can be mixed into an original of `size`: same size, or same shape."""
    try:
        w, h = displayed_size(path)  # from the header, any kind the loader reads (HEIC, PSD, ...)
    except (OSError, ValueError, SyntaxError):
        return False
    return (w, h) == size or abs(w / h - size[0] / size[1]) < 0.01


class MixFlow(QObject):
    """Enters and leaves Mix mode with the compare view, and saves the mix.

    Signals:
        mix_ready(object): a MixSession is shown.
        mix_saved(str): the mix was written to this path.
    """

    mix_ready = Signal(object)
    mix_saved = Signal(str)

    def __init__(self, window: EditHost, flow: EditFlow):
        super().__init__(window)
        self.window, self.flow = window, flow
        self.session: MixSession | None = None
        self._document: Document | None = None
        self._generation = 0
        self._tasks = TaskRunner(self, max_threads=1)
        window.compare_view.mode_changed.connect(self._on_mode_changed)
        window.results_strip.result_selected.connect(self._on_strip_selected)
        window.document_changed.connect(self._on_document_changed)
        window.document_opened.connect(self._on_document_opened)

    @property
    def active(self) -> bool:
        return self.window.compare_view.mode() is CompareMode.MIX

    # -- entering and leaving ------------------------------------------------------------------

    @Slot(str)
    def _on_mode_changed(self, mode: str) -> None:
        if CompareMode(mode) is CompareMode.MIX:
            self.enter()
        else:
            self.leave()

    def enter(self) -> None:
        """Show the mix of the current image's results (prepared on a worker the first time)."""
        window = self.window
        document = window.current_document()
        self.flow.mixing_active = True
        if self.session is not None and self._document is document:
            self._show(self.session)
            return
        self._drop()
        original, sources = self._gather(document)
        if original is None or len(sources) < 2:
            window.compare_view.set_mix(None, "Mix needs two or more results of this image: generate variations first")
            window.update_view_actions()
            return
        window.compare_view.set_mix(None, "Preparing the mix…")
        self._generation += 1
        generation = self._generation
        state = document.mix_state if document is not None else None
        size = original.size

        def work() -> tuple[list[MixSource], MixBuild, MixState | None, Image.Image]:
            # An open photo's Pillow copy may have to be made again from the window's: here, on
            # the worker, never on the window's thread.
            picture = original.image if isinstance(original, LoadedImage) else original
            usable = [s for s in sources if s.path.is_file() and _fits(s.path, size)][:MAX_RESULTS]
            kept = state
            if state is not None:
                paths = [str(s.path) for s in usable]
                if paths[: len(state.sources)] == [s["path"] for s in state.sources]:
                    labels = remap(state.labels, state.palette, MixPalette(len(usable) + 1))
                    kept = MixState(state.sources, state.base, labels, state.keep_inside_mask)
                else:
                    kept = None  # the results it was painted with are gone: start afresh
            keep = state.keep_inside_mask if kept is not None else True
            return usable, build_mix(picture, usable, kept, keep), kept, picture

        def done(value: tuple[list[MixSource], MixBuild, MixState | None, Image.Image]) -> None:
            if generation != self._generation or window.current_document() is not document:
                return
            usable, build, kept, picture = value
            if len(usable) < 2:
                window.compare_view.set_mix(None, "Mix needs two or more results of this image's size")
                return
            session = MixSession(picture, usable, build, base=kept.base if kept else 0,
                                 keep_inside=kept.keep_inside_mask if kept else True,
                                 settings=window.canvas.tools.settings, parent=self)
            self.session, self._document = session, document
            window.undo_group.addStack(session.undo_stack)
            session.undo_stack.indexChanged.connect(self._on_mix_edited)
            session.base_changed.connect(self._on_mix_edited)
            session.keep_inside_changed.connect(self._on_mix_edited)
            session.source_changed.connect(self._on_source_changed)
            session.rebuild_failed.connect(lambda text: window.feedback.error("Cannot prepare the mix", text))
            if document is not None:
                document.mix_state = session.state()
            if self.active:
                self._show(session)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                window.compare_view.set_mix(None, f"The mix could not be prepared: {exc}")

        self._tasks.submit(work, done, failed)

    def _show(self, session: MixSession) -> None:
        window = self.window
        window.compare_view.set_mix(session)
        strip = window.results_strip
        strip.set_results([ResultItem(path=s.path, label=s.label) for s in session.sources], select=None)
        strip.set_numbers(list(SOURCE_COLOURS[1:]))
        self._select_tile(session.source())
        window.undo_group.setActiveStack(session.undo_stack)
        window.update_view_actions()
        self.mix_ready.emit(session)

    def leave(self) -> None:
        """Back to comparing one result; the mix stays prepared while this image is shown."""
        if not self.flow.mixing_active:
            return
        self.flow.mixing_active = False
        window = self.window
        if self.session is None:
            self._generation += 1  # a mix still being prepared is not shown
        window.results_strip.set_numbers(None)
        document = window.current_document()
        window.undo_group.setActiveStack(document.undo_stack if document is not None else None)
        shown = self.flow.shown_results()
        if shown is not None:
            self.flow.show_results(shown)
        window.update_view_actions()

    def _drop(self) -> None:
        if self.session is not None:
            self.session.cancel()
            self.session.wait(5000)
            self.window.undo_group.removeStack(self.session.undo_stack)
            self.window.compare_view.set_mix(None)
            self.session.deleteLater()
        self.session, self._document = None, None

    def _gather(self, document: Document | None) -> tuple[LoadedImage | Image.Image | None, list[MixSource]]:
        """The original (a document's as opened: its pixels are taken on the worker) and the
        results that may be mixed (files checked on the worker)."""
        flow = self.flow
        shown = flow.shown_results()
        sets = flow.results_for(document) if document is not None else []
        if shown is not None and shown not in sets and (document is None or shown.document is document):
            sets.append(shown)
        if document is not None:
            original = document.loaded
        elif shown is not None and shown.before is not None:
            original = pil_from_qimage(shown.before)
        else:
            return None, []
        sources: list[MixSource] = []
        known: set[str] = set()
        store = flow.connection.store if flow.connection is not None else None
        for record in (document.mix_state.sources if document is not None and document.mix_state else []):
            job = store.get(record.get("job_id", "")) if store is not None and record.get("job_id") else None
            sources.append(self._source(Path(record["path"]), record.get("label") or Path(record["path"]).stem, job))
            known.add(record["path"])
        # Numbered as the strip numbers them (Result 1 is the image's first), oldest first, so the
        # keys 1-9 pick the results by their numbers; with more than fit, the newest and the one
        # shown are kept.
        ordered = number_results(sets)
        fresh = [(result_set, i, path) for result_set in ordered for i, path in enumerate(result_set.paths)
                 if str(path) not in known]
        room = max(0, MAX_RESULTS - len(sources))
        if len(fresh) > room:
            positions = [p for p, entry in enumerate(fresh) if entry[0] is shown][:room]
            others = [p for p, entry in enumerate(fresh) if entry[0] is not shown]
            positions += others[len(others) - (room - len(positions)):] if room > len(positions) else []
            fresh = [fresh[p] for p in sorted(positions)]
        for result_set, i, path in fresh:
            sources.append(self._source(path, result_label(result_set.first_number + i), result_set.job, result_set.mask))
            known.add(str(path))
        return original, sources

    @staticmethod
    def _source(path: Path, label: str, job, mask: np.ndarray | None = None) -> MixSource:  # noqa: ANN001
        if job is None:
            return MixSource(path, label)
        return MixSource(path, label, job.id, mask, float(job.options.feather), bool(job.options.keep_unmasked),
                         Path(job.mask_path) if job.mask_path else None)

    # -- picking -------------------------------------------------------------------------------

    def pick_source(self, slot: int) -> None:
        """Keys 0-9: the brush paints the base (0) or that result."""
        session = self.session
        if session is None or not self.active:
            return
        if not session.set_source(slot):
            self.window.feedback.status(f"There is no result {slot} in this mix.", MESSAGE_MS)

    @Slot(int)
    def _on_strip_selected(self, index: int) -> None:
        if self.active and self.session is not None:
            self.session.set_source(index + 1)

    @Slot(int)
    def _on_source_changed(self, slot: int) -> None:
        self._select_tile(slot)

    def _select_tile(self, slot: int) -> None:
        strip = self.window.results_strip
        if 1 <= slot <= strip.count() and strip.selected_index() != slot - 1:
            strip.select(slot - 1)

    @Slot()
    def _on_mix_edited(self, *_args) -> None:  # noqa: ANN002
        document = self._document
        if document is not None and self.session is not None:
            document.mix_state = self.session.state()
            document.mark_modified()

    # -- documents -----------------------------------------------------------------------------

    @Slot(object)
    def _on_document_changed(self, document: Document | None) -> None:
        if self._document is not None and document is not self._document:
            self._drop()
        if self.active and document is not None and self.window.is_compare_page():
            self.enter()

    @Slot(object)
    def _on_document_opened(self, document: Document) -> None:
        """A project with a mix: straight to painting it."""
        if document.mix_state is None or self.flow.results_for(document):
            return
        window = self.window
        window.compare_view.set_images(document.image, document.image, None)
        window.show_compare_page()
        if self.active:
            self.enter()
        else:
            window.compare_view.set_mode(CompareMode.MIX)

    # -- saving --------------------------------------------------------------------------------

    def save(self, path: str | Path | None = None, then: Callable[[Path, list[MixSource]], None] | None = None) -> bool:
        """Write the mix (into the output folder, or to exactly `path`) on a worker; record it.

        A document whose values are not 8-bit sRGB (or whose kind only the document writer
        holds) gets its mix in its own profile, mode and depth, in the kind the "Save results"
        setting gives (like the original by default), with the original's EXIF and XMP.
        """
        session, document = self.session, self._document
        if session is None or session.is_busy():
            self.window.feedback.status("No mix to save yet.", MESSAGE_MS)
            return False
        strip = self.window.results_strip
        labels, stack, palette, base = session.labels.copy(), session.stack, session.palette, session.base()
        sources = list(session.sources)
        keep_inside = session.keep_inside()
        icc = document.loaded.icc_profile if document is not None else None
        dpi = document.loaded.dpi if document is not None else None
        image_path = document.path if document is not None else None
        source_xmp = document.loaded.info.get("xmp") if document is not None else None
        source_image = document.loaded.source if document is not None else None
        own_space = in_document_space(source_image)
        stem = f"{(image_path.stem if image_path else 'image')}-mix"
        folder = strip.output_dir(0)
        fmt = document_format(self.window.preferences.save_format, source_image) if own_space else strip.save_format()
        target = Path(path) if path is not None else None
        if target is not None:
            format_for_path(target, document=own_space)
        store = self.flow.connection.store.path if self.flow.connection is not None else None
        in_document = [DocumentSource(s.path, s.mask, s.feather, s.composited) for s in sources]

        def work() -> tuple[Path, list[MixSource]]:
            used = [sources[i] for i in used_results(labels, palette, base)]
            xmp = mix_xmp([source.path for source in used], source_xmp)
            if own_space:
                values = mix_values(labels, stack, palette, base, source_image, in_document,
                                    keep_inside_mask=keep_inside)
                written = save_document_to(values, source_image, target, dpi=dpi, xmp=xmp) if target is not None else \
                    save_document_new(values, source_image, folder, stem, fmt, dpi=dpi, xmp=xmp)
            else:
                image = mix_to_image(render_all(labels, stack, palette, base))
                written = save_to(image, target, icc_profile=icc, dpi=dpi, xmp=xmp) if target is not None else \
                    save_new(image, folder, stem, fmt, icc_profile=icc, dpi=dpi, xmp=xmp)
            if store is not None:
                record_mix(store, MixRecord(written, sources[base].path, [s.record() for s in used], image_path))
            return written, used

        def done(value: tuple[Path, list[MixSource]]) -> None:
            written, used = value
            names = ", ".join(s.label for s in used)
            self.window.feedback.status(f"Saved the mix of {names} to {written}.", MESSAGE_MS)
            self.mix_saved.emit(str(written))
            if then is not None:
                then(written, used)

        def failed(exc: BaseException) -> None:
            self.window.feedback.error("Cannot save the mix", f"The mix could not be saved: {exc}. It is still here.")

        self._tasks.submit(work, done, failed)
        return True

    def save_as(self) -> None:
        if self.session is None:
            return
        document = self._document
        source_image = document.loaded.source if document is not None else None
        own_space = in_document_space(source_image)
        fmt = document_format(self.window.preferences.save_format, source_image) if own_space else "png"
        stem = f"{document.path.stem}-mix" if document is not None and document.path is not None else "mix"
        suggested = self.window.results_strip.output_dir(0) / file_name(stem, fmt)
        filters = _DOCUMENT_SAVE_FILTERS if own_space else _SAVE_FILTERS
        path, _filter = QFileDialog.getSaveFileName(self.window, "Save mix as", str(suggested), filters)
        if path:
            try:
                format_for_path(path, document=own_space)
            except ExportError:
                path += Path(file_name("mix", fmt)).suffix
            self.save(path)

    def use_as_input(self) -> bool:
        """Save the mix, then open it as the next image to edit with the mask of the mixed edits."""
        window = self.window

        def continue_from(path: Path, used: list[MixSource]) -> None:
            masks = [s.mask for s in used if s.mask is not None]
            mask = np.maximum.reduce(masks) if masks else None

            def apply(_document: Document) -> None:
                if mask is not None and mask.any():
                    window.mask_commands.set_last_job_mask(mask)
                    window.mask_commands.reuse_last_mask()
                window.show_mask_page()
                window.feedback.status(f"Continuing from the mix {path.name}; the mask of the edits is kept.", MESSAGE_MS)

            self.flow.open_then(path, apply)

        return self.save(then=continue_from)

    def wait(self, msecs: int = -1) -> bool:
        """Block until background work is done (closing, tests)."""
        done = self._tasks.wait(msecs)
        if self.session is not None:
            done = self.session.wait(msecs) and done
        return done
