"""Whole-mask commands: select all, clear, invert, grow, shrink, feather, reuse the last job's mask.

Each is one undo step on the current document; the pixel work is `core.mask_ops`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QWidget

from desktop_editor.core import mask_ops
from desktop_editor.ui.canvas.mask_adjust import MaskAdjustDialog
from desktop_editor.ui.canvas.view import CanvasView
from desktop_editor.ui.common.feedback import Feedback
from desktop_editor.ui.models.document_list import DocumentList


class MaskCommands(QObject):
    """The Edit menu's mask commands for whichever document is current.

    Signals:
        last_mask_changed(): the mask remembered for "Reuse Last Mask" changed.
    """

    last_mask_changed = Signal()

    def __init__(self, documents: DocumentList, feedback: Feedback, widget: QWidget, canvas: CanvasView):
        super().__init__(widget)
        self.canvas = canvas
        self.adjust_dialog: MaskAdjustDialog | None = None
        self.documents = documents
        self.feedback = feedback
        self._widget = widget
        self._last_adjust = {"grow": 8, "shrink": 8, "feather": 8}
        self._last_job_mask: np.ndarray | None = None

    def apply(self, operation: str, amount: int = 0) -> bool:
        """Run a whole-mask operation (invert, clear, select_all, grow, shrink, feather) as one undo step."""
        document = self.documents.current()
        if document is None:
            return False
        mask = document.mask_pixels()
        labels = {
            "invert": ("Invert mask", lambda: mask_ops.invert(mask)),
            "clear": ("Clear mask", lambda: mask_ops.clear(mask)),
            "select_all": ("Select all", lambda: mask_ops.select_all(mask)),
            "grow": (f"Grow mask {amount} px", lambda: mask_ops.grow(mask, amount)),
            "shrink": (f"Shrink mask {amount} px", lambda: mask_ops.shrink(mask, amount)),
            "feather": (f"Feather mask {amount} px", lambda: mask_ops.feather(mask, amount)),
        }
        text, compute = labels[operation]
        if operation == "invert":  # undone by inverting again: no 100 MB region kept or restored
            document.invert_mask(text)
            return True
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            changed = document.set_mask_array(compute(), text)
        finally:
            QApplication.restoreOverrideCursor()
        if not changed:
            self.feedback.status(f"{text}: the mask did not change.", 3000)
        return changed

    def ask_adjust(self, operation: str) -> MaskAdjustDialog | None:
        """Grow, shrink or feather with a live preview on the canvas (see `MaskAdjustDialog`),
        starting from the last amount used; OK is one undo step, Cancel leaves the mask as it was."""
        document = self.documents.current()
        if document is None or self.canvas.document() is not document:
            return None
        if self.adjust_dialog is not None:
            self.adjust_dialog.reject()
        dialog = MaskAdjustDialog(operation, document, self.canvas, self._last_adjust[operation], self._widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._last_adjust.__setitem__(operation, dialog.amount()))
        dialog.finished.connect(lambda _r: setattr(self, "adjust_dialog", None))
        self.adjust_dialog = dialog
        dialog.open()
        return dialog

    def has_last_job_mask(self) -> bool:
        return self._last_job_mask is not None

    def set_last_job_mask(self, mask: np.ndarray | None) -> None:
        """Remember the mask sent with the latest job, for Edit > Reuse Last Mask: a read-only
        mask is kept as it is (a 24 MP copy costs the window 14 ms), any other is copied."""
        if mask is not None and (mask.flags.writeable or mask.dtype != np.uint8):
            mask = np.array(mask, dtype=np.uint8, copy=True)
            mask.flags.writeable = False
        self._last_job_mask = mask
        self.last_mask_changed.emit()

    def reuse_last_mask(self) -> bool:
        """Apply the previous job's mask to the current image (scaled if the sizes differ)."""
        document = self.documents.current()
        if document is None or self._last_job_mask is None:
            return False
        mask = self._last_job_mask
        rescaled = mask.shape != (document.height, document.width)
        changed = document.set_mask_array(mask, "Reuse last mask", rescale=True)
        if rescaled:
            self.feedback.status(
                f"Reused the last mask, scaled from {mask.shape[1]}×{mask.shape[0]} to {document.width}×{document.height}.",
                5000,
            )
        return changed
