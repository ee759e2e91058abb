"""Generate with a canvas frame pending: what is sent, and what the compare view shows.

The window's Generate keeps its usual path (snapshot, journal, worker); with a frame, the
parameters and options come from the expansion's plan, and the image is expanded on the job's
worker. In the compare view the "before" of such an edit is the expanded canvas with its new
area as a checkerboard, so the original lines up with the result pixel for pixel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject, Slot

from desktop_editor.core.expand import ExpandError
from desktop_editor.core.images import load_image
from desktop_editor.core.masks import load_mask
from desktop_editor.core.params import EditParams
from desktop_editor.jobs.expansion import (
    ExpansionPlan,
    describe_frame,
    expansion_options,
    expansion_params,
    plan_expansion,
)
from desktop_editor.jobs.model import EditJob, JobOptions
from desktop_editor.ui.models.document import Document

CHECKER = 16
_LIGHT, _DARK = 160, 112


def expansion_request(document: Document, params: EditParams, options: JobOptions
                      ) -> tuple[EditParams, JobOptions, ExpansionPlan] | str:
    """The parameters, options and plan of the document's pending frame, or why it cannot be sent."""
    exp = document.pending_expansion()
    assert exp is not None
    if not params.spec.takes_mask:
        return f"{params.spec.label} takes no mask, so it cannot fill a new area; choose GPT Image 2 to expand."
    if not exp.grows and not document.mask_pixels().any():
        return "The frame only crops: there is nothing to generate. Expand a side, or paint what to change."
    try:
        plan = plan_expansion(document.width, document.height, exp, document.expand_overlap)
    except ExpandError as exc:
        return str(exc)
    return expansion_params(params, plan), expansion_options(options, plan), plan


def is_expansion(job: EditJob) -> bool:
    return job.options.expansion is not None


def canvas_before(job: EditJob) -> Image.Image | None:
    """The expanded canvas the job sent, its new area drawn as a checkerboard (worker side)."""
    path = Path(job.image_paths[0]) if job.image_paths else None
    if path is None or not path.is_file():
        return None
    canvas = load_image(path).image.convert("RGB")
    if job.mask_path is None or not Path(job.mask_path).is_file():
        return canvas
    new_area = load_mask(job.mask_path) == 255
    if new_area.shape != (canvas.height, canvas.width):
        return canvas
    pixels = np.array(canvas)
    yy, xx = np.indices(new_area.shape, sparse=True)
    checker = np.where(((yy // CHECKER) + (xx // CHECKER)) % 2 == 0, _LIGHT, _DARK).astype(np.uint8)
    pixels[new_area] = checker[new_area][:, None]
    return Image.fromarray(pixels, "RGB")


class ExpansionNote(QObject):
    """Keeps the parameters panel saying what the current image's frame will be sent as."""

    def __init__(self, panel, parent: QObject | None = None):
        super().__init__(parent)
        self.panel = panel
        self._document: Document | None = None

    @Slot(object)
    def follow(self, document: Document | None) -> None:
        if self._document is not None:
            try:
                self._document.expansion_changed.disconnect(self.refresh)
            except (RuntimeError, TypeError):  # the document is gone
                pass
        self._document = document
        if document is not None:
            document.expansion_changed.connect(self.refresh)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        document = self._document
        if document is None:
            self.panel.set_expansion_note("")
            return
        text, _ok = describe_frame(document.width, document.height, document.pending_expansion(),
                                   document.expand_overlap)
        self.panel.set_expansion_note(text)
