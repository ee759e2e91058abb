"""Keeping the designer's work: masks as PNG, projects, and recovery copies after a crash.

Every write goes through a temporary file and a rename (`core.atomic`), so a failed save never
leaves half a file and a saved file gets the user's normal mode; a failed save or load says why
and changes nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop_editor.core.filenames import replace_file
from desktop_editor.core.masks import (
    MaskConvention,
    MaskError,
    encode_mask_png,
    load_mask,
)
from desktop_editor.core.project import PROJECT_SUFFIX, ProjectError, save_project
from desktop_editor.core.resources import is_bundled
from desktop_editor.ui.canvas.view import CanvasView
from desktop_editor.ui.common.feedback import Feedback
from desktop_editor.ui.common.imaging import qimage_to_png_bytes
from desktop_editor.ui.flow.opening import IMAGE_FILTER, PROJECT_FILTER
from desktop_editor.ui.models.document_list import DocumentList

MASK_FILTERS = {
    "OpenAI mask: transparent = edit (*.png)": MaskConvention.OPENAI,
    "Black and white mask: white = edit (*.png)": MaskConvention.BLACK_WHITE,
}


class WorkSaver(QObject):
    """Saves and loads masks and projects of the open documents.

    `dialog_dir()` gives the folder a file dialog starts in; `project_saved(path)` is called
    after each project save (the window adds it to the recent files).
    """

    def __init__(self, documents: DocumentList, canvas: CanvasView, feedback: Feedback, widget: QWidget,
                 dialog_dir: Callable[[], str], project_saved: Callable[[Path], None]):
        super().__init__(widget)
        self.documents = documents
        self.canvas = canvas
        self.feedback = feedback
        self._widget = widget
        self._dialog_dir = dialog_dir
        self._project_saved = project_saved

    # -- masks ------------------------------------------------------------------------------------

    def save_mask(self, path: str | Path, convention: MaskConvention, document=None) -> bool:
        """Write the mask as PNG in `convention`; the mask counts as saved afterwards."""
        document = document or self.documents.current()
        if document is None:
            return False
        path = Path(path)
        mask = document.mask_pixels()
        try:
            replace_file(path, encode_mask_png(mask, convention))
        except OSError as exc:
            self.feedback.error("Cannot save mask", f"{path.name} could not be saved: {exc.strerror or exc}.")
            return False
        document.mark_saved()
        note = ""
        if MaskConvention(convention) is MaskConvention.OPENAI and bool(((mask > 0) & (mask < 255)).any()):
            note = " Soft edges were saved as fully edited: the OpenAI convention has no partial edit."
        self.feedback.status(f"Saved mask to {path.name}.{note}", 6000)
        return True

    def ask_save_mask(self) -> None:
        document = self.documents.current()
        if document is None:
            return
        stem = document.path.stem if document.path else document.name
        folder = document.path.parent if document.path and not is_bundled(document.path) else Path(self._dialog_dir())
        path, chosen = QFileDialog.getSaveFileName(
            self._widget, "Save Mask", str(folder / f"{stem}_mask.png"), ";;".join(MASK_FILTERS)
        )
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        self.save_mask(path, MASK_FILTERS.get(chosen, MaskConvention.OPENAI))

    def load_mask_file(self, path: str | Path, document=None) -> bool:
        """Replace the mask with one from a PNG in either convention (one undo step)."""
        document = document or self.documents.current()
        if document is None:
            return False
        path = Path(path)
        try:
            mask = load_mask(path)
        except MaskError as exc:
            self.feedback.error("Cannot load mask", str(exc))
            return False
        rescale = False
        if mask.shape != (document.height, document.width):
            answer = self.feedback.ask(
                "Mask size differs",
                f"The mask is {mask.shape[1]}×{mask.shape[0]} but the image is "
                f"{document.width}×{document.height}. Scale the mask to fit the image?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
            rescale = True
        try:
            document.set_mask_array(mask, f"Load mask {path.name}", rescale=rescale)
        except MaskError as exc:
            self.feedback.error("Cannot load mask", str(exc))
            return False
        self.feedback.status(f"Loaded mask from {path.name}.", 4000)
        return True

    def ask_load_mask(self) -> None:
        if self.documents.current() is None:
            return
        path, _filter = QFileDialog.getOpenFileName(self._widget, "Load Mask", self._dialog_dir(),
                                                    "PNG masks (*.png);;" + IMAGE_FILTER)
        if path:
            self.load_mask_file(path)

    # -- projects ---------------------------------------------------------------------------------

    def save_project(self, document=None, path: str | Path | None = None) -> bool:
        """Save image reference, mask, parameters and view; asks for a file the first time."""
        document = document or self.documents.current()
        if document is None:
            return False
        if path is None:
            path = document.project_path
        if path is None:
            path = self.ask_project_path(document)
            if path is None:
                return False
        path = Path(path)
        if path.suffix.lower() != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        view = self.canvas.view_state() if document is self.documents.current() else document.view_state
        frame = document.expansion_state()
        if frame is not None:  # the canvas being framed, kept with the view
            view = {**view, "expansion": frame}
        image_bytes = qimage_to_png_bytes(document.image) if document.path is None else None
        try:
            save_project(path, image_path=document.path, mask=document.mask_pixels(), params=document.params,
                         view=view, image_bytes=image_bytes, mix=document.mix_state)
        except ProjectError as exc:
            self.feedback.error("Cannot save project", str(exc))
            return False
        document.project_path = path
        document.mark_saved()
        self._project_saved(path)
        self.feedback.status(f"Saved project {path.name}.", 4000)
        return True

    def save_project_as(self) -> None:
        document = self.documents.current()
        if document is None:
            return
        path = self.ask_project_path(document)
        if path is not None:
            self.save_project(document, path)

    def ask_project_path(self, document) -> Path | None:
        base = document.project_path or (
            document.path.with_suffix(PROJECT_SUFFIX) if document.path and not is_bundled(document.path)
            else Path(self._dialog_dir()) / f"{Path(document.name).stem}{PROJECT_SUFFIX}")
        path, _filter = QFileDialog.getSaveFileName(self._widget, "Save Project", str(base), PROJECT_FILTER)
        return Path(path) if path else None

    def save_recovery_copies(self, folder: Path) -> list[Path]:
        """Save every document with unsaved mask work as a project in `folder` (after an
        unexpected error). Returns the files written; a document that cannot be saved is skipped."""
        saved: list[Path] = []
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for document in self.documents.modified():
            stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(document.name).stem) or "image"
            target = folder / f"{stem}-{stamp}{PROJECT_SUFFIX}"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                save_project(
                    target, image_path=document.path, mask=document.mask_pixels(), params=document.params,
                    view=document.view_state or None,
                    image_bytes=None if document.path is not None else qimage_to_png_bytes(document.image),
                )
            except (OSError, ProjectError):
                continue
            saved.append(target)
        return saved

