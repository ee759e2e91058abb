"""Save as Layers: hand the edit back to Photoshop, Krita or GIMP as a layered file.

The current image's results go on layers over the original, each limited to its edit's mask
(`jobs.layered_results`); in Mix mode the mix goes as one layer per source, its painted share
as the mask (`core.layered.from_results.stack_from_mix`). The file kind follows the name the
designer picks: .psd or .ora. Everything is read, composed and written on a worker; the window
only asks and reports. A PSD original saved as PSD keeps the designer's own layers; if psd-tools
could not keep some of them exactly, the designer is asked before they would be flattened.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_editor.core.filenames import free_path
from desktop_editor.core.images import load_image
from desktop_editor.core.layered.from_results import stack_from_mix, write_layered
from desktop_editor.core.layered.psd_copy import layers_not_kept
from desktop_editor.core.layered.stack import LayeredFileError
from desktop_editor.core.masks import MaskError, load_mask
from desktop_editor.core.mix import prepare_source
from desktop_editor.core.result_export import mix_xmp
from desktop_editor.jobs.layered_results import build_layered_file
from desktop_editor.ui.common.image_tasks import TaskRunner

if TYPE_CHECKING:
    from desktop_editor.jobs.model import EditJob
    from desktop_editor.ui.flow.edit_flow import EditFlow
    from desktop_editor.ui.flow.host import EditHost
    from desktop_editor.ui.flow.mixing import MixFlow

LAYER_FILTERS = "Photoshop document (*.psd);;OpenRaster (*.ora)"
MESSAGE_MS = 8000


class LayeredSaving(QObject):
    """Writes layered files of the current image's results or of its mix, on a worker."""

    def __init__(self, window: EditHost, flow: EditFlow, mixing: MixFlow):
        super().__init__(window)
        self.window, self.flow, self.mixing = window, flow, mixing
        self._tasks = TaskRunner(self, max_threads=1)

    # -- asking ----------------------------------------------------------------------------------

    def ask_save(self) -> None:
        """File > Save as Layers: the mix in Mix mode, else the current image's results."""
        if self.mixing.active and self.mixing.session is not None:
            self.ask_save_mix()
        else:
            self.ask_save_results()

    def _original_path(self) -> Path | None:
        document = self.window.current_document()
        if document is None or document.path is None or not Path(document.path).is_file():
            self.window.feedback.status("Save the image as a file first: the layered file starts from it.", MESSAGE_MS)
            return None
        return Path(document.path)

    def _ask_target(self, original: Path, suffix: str) -> Path | None:
        suggested = free_path(original.parent, f"{original.stem}-{suffix}.psd")
        path, chosen = QFileDialog.getSaveFileName(self.window, "Save as Layers", str(suggested), LAYER_FILTERS)
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() not in (".psd", ".ora"):
            target = target.with_name(target.name + (".ora" if "ora" in chosen else ".psd"))
        return target

    def ask_save_results(self) -> None:
        document = self.window.current_document()
        sets = self.flow.results_for(document) if document is not None else []
        paths = [Path(p) for result_set in sets for p in result_set.paths if Path(p).is_file()]
        if not paths:
            self.window.feedback.status("No results of this image to save as layers yet.", MESSAGE_MS)
            return
        original = self._original_path()
        if original is None:
            return
        target = self._ask_target(original, "layers")
        if target is None:
            return
        self.save_results(paths, original, target, [result_set.job for result_set in sets])

    def ask_save_mix(self) -> None:
        original = self._original_path()
        session = self.mixing.session
        if original is None or session is None:
            return
        target = self._ask_target(original, "mix-layers")
        if target is not None:
            self.save_mix(original, target)

    # -- writing on a worker ---------------------------------------------------------------------

    def save_results(self, paths: list[Path], original: Path, target: Path, jobs: list[EditJob]) -> None:
        """Write the results at `paths` over `original` into `target`, asking first when a PSD
        original has layers that would be flattened."""
        settings = self.window.preferences
        keep_psd = original.suffix.lower() in (".psd", ".psb") and target.suffix.lower() in (".psd", ".psb")

        def write(allow_flattened: bool) -> None:
            def work() -> tuple[Path, list[str]]:
                return build_layered_file(paths, original, target, jobs, provenance=settings.provenance,
                                          include_prompt=settings.prompt_in_provenance, allow_flattened=allow_flattened)

            self._tasks.submit(work, self._on_written, self._on_failed)

        if not keep_psd:
            write(False)
            return

        def asked(changed: list[str]) -> None:
            if changed and not self._confirm_flatten(changed):
                self.window.feedback.status("Nothing saved: the PSD's layers stay as they are.", MESSAGE_MS)
                return
            write(bool(changed))

        self._tasks.submit(lambda: layers_not_kept(original), asked, self._on_failed)

    def _confirm_flatten(self, names: list[str]) -> bool:
        answer = QMessageBox.question(
            self.window, "Some layers would be flattened",
            "These layers of the PSD could not be written back exactly and would be kept only as "
            f"pixels: {', '.join(names)}. Save the copy anyway? (The original PSD is never changed.)")
        return answer == QMessageBox.StandardButton.Yes

    def save_mix(self, original: Path, target: Path) -> None:
        """Write the mix as one layer per source over the original, on a worker."""
        session = self.mixing.session
        state = session.state()
        sources = list(session.sources)
        labels, base = state.labels.copy(), state.base
        keep_inside = state.keep_inside_mask
        settings = self.window.preferences

        def work() -> tuple[Path, list[str]]:
            loaded = load_image(original)
            size = loaded.size
            prepared = []
            for source in sources:
                mask = source.mask
                if mask is None and source.mask_path is not None and Path(source.mask_path).is_file():
                    try:
                        mask = load_mask(source.mask_path)
                    except MaskError:
                        mask = None
                mask = mask if mask is not None and mask.shape == (size[1], size[0]) else None
                prepared.append(prepare_source(loaded.image, load_image(source.path).image, mask,
                                               keep_inside_mask=keep_inside, feather=source.feather,
                                               already_composited=source.composited))
            stack = stack_from_mix(loaded.image, loaded.icc_profile, prepared, [s.label for s in sources], labels, base)
            xmp = mix_xmp([s.path for s in sources], loaded.info.get("xmp")) if settings.provenance else None
            return write_layered(stack, target, xmp=xmp), []

        self._tasks.submit(work, self._on_written, self._on_failed)

    def _on_written(self, value: tuple[Path, list[str]]) -> None:
        written, notes = value
        extra = f" {' '.join(notes)}" if notes else ""
        self.window.feedback.status(f"Saved the layers to {written}.{extra}", MESSAGE_MS)

    def _on_failed(self, exc: BaseException) -> None:
        reason = str(exc) if isinstance(exc, LayeredFileError) else f"{type(exc).__name__}: {exc}"
        self.window.feedback.error("Cannot save as layers", f"{reason} The results themselves are unchanged.")

    def wait(self, msecs: int = -1) -> bool:
        """Wait for a write in progress (tests, quitting)."""
        return self._tasks.wait(msecs)
