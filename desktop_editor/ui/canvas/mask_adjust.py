"""The Grow, Shrink and Feather dialog: pick the amount while the canvas shows the result.

A small window-modal dialog with a slider and a spin box. Each new amount is computed on a
worker (a grow of a 24 MP mask takes a while; the window keeps running and the slider keeps
moving) and shown on the canvas as a preview instead of the mask; only the newest answer is
shown. OK applies the amount as one undo step; Cancel (or Esc, or closing) removes the preview
and leaves the mask untouched.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_editor.core import mask_ops
from desktop_editor.ui.canvas.view import CanvasView
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.models.document import Document

OPERATIONS: dict[str, tuple[str, str, Callable[[np.ndarray, int], np.ndarray]]] = {
    "grow": ("Grow Mask", "Grow the edit area by", mask_ops.grow),
    "shrink": ("Shrink Mask", "Shrink the edit area by", mask_ops.shrink),
    "feather": ("Feather Mask", "Soften the edge over", mask_ops.feather),
}
MAX_AMOUNT = 500
_SETTLE_MS = 40  # a burst of slider moves asks for one computation


class MaskAdjustDialog(QDialog):
    """Pick how many pixels to grow, shrink or feather the mask by, with a live preview.

    Signals:
        preview_shown(int): the canvas now shows the result for this amount.
    """

    preview_shown = Signal(int)

    def __init__(self, operation: str, document: Document, canvas: CanvasView, amount: int,
                 parent: QWidget | None = None):
        super().__init__(parent)
        title, label, self._compute = OPERATIONS[operation]
        self.operation = operation
        self.document = document
        self.canvas = canvas
        self._mask = document.mask_array()  # what the amounts apply to; the mask is not touched until OK
        self._runner = TaskRunner(self, max_threads=1)
        self._asked = 0  # the amount of the newest computation asked for
        self._result: tuple[int, np.ndarray] | None = None  # the newest answer (amount, mask)
        self._apply_when_ready = False
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(1, 100)  # the slider covers the usual amounts; the spin box goes further
        self.slider.setMinimumWidth(220)
        self.spin = QSpinBox()
        self.spin.setRange(1, MAX_AMOUNT)
        self.spin.setSuffix(" px")
        self.status = QLabel(" ")
        self.status.setObjectName("option_label")
        row = QHBoxLayout()
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{label}:"))
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(_SETTLE_MS)
        self._settle.timeout.connect(self._ask)
        self.slider.valueChanged.connect(self.spin.setValue)
        self.spin.valueChanged.connect(self._on_value)
        self.spin.setValue(max(1, min(MAX_AMOUNT, int(amount))))
        self._on_value(self.spin.value())

    def amount(self) -> int:
        return self.spin.value()

    def set_amount(self, amount: int) -> None:
        self.spin.setValue(amount)

    def result_ready(self) -> bool:
        """Whether the canvas shows the result for the amount now chosen."""
        return self._result is not None and self._result[0] == self.amount()

    @Slot(int)
    def _on_value(self, value: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(min(value, self.slider.maximum()))
        self.slider.blockSignals(False)
        self.status.setText("Computing the preview…")
        self._settle.start()

    @Slot()
    def _ask(self) -> None:
        amount = self.amount()
        if self._asked == amount and self._runner.busy():
            return
        self._asked = amount
        mask, compute, make_levels = self._mask, self._compute, self.canvas.preview_level_maker()

        def work() -> tuple[int, np.ndarray, dict]:
            pixels = compute(mask, amount)
            return amount, pixels, make_levels(pixels)  # the level drawn now, not on the window's thread

        self._runner.submit(work, self._on_result)

    def _on_result(self, answer: tuple[int, np.ndarray, dict]) -> None:
        amount, pixels, levels = answer
        if amount != self._asked or self.canvas.document() is not self.document:
            return  # an older amount, or the image changed under the dialog
        self._result = (amount, pixels)
        if self.isVisible() or self._apply_when_ready:
            self.canvas.set_mask_preview(pixels, levels)
            self.status.setText("Preview on the image. OK applies it.")
            self.preview_shown.emit(amount)
        if self._apply_when_ready and amount == self.amount():
            self._apply_when_ready = False
            self._finish(apply=True)

    def wait(self, msecs: int = 5000) -> bool:
        """Block until the computations asked for have finished (for closing and tests)."""
        return self._runner.wait(msecs)

    def accept(self) -> None:
        if self.result_ready():
            self._finish(apply=True)
        else:  # the newest amount is still being computed: apply it as soon as it is ready
            self._apply_when_ready = True
            self._settle.stop()
            self._ask()
            self.status.setText("Applying…")

    def reject(self) -> None:
        self._apply_when_ready = False
        self._finish(apply=False)

    def _finish(self, *, apply: bool) -> None:
        self._settle.stop()
        if self.canvas.document() is self.document:
            self.canvas.set_mask_preview(None)
        if apply and self._result is not None:
            amount, pixels = self._result
            verb = {"grow": "Grow", "shrink": "Shrink", "feather": "Feather"}[self.operation]
            self.document.set_mask_array(pixels, f"{verb} mask {amount} px")
            super().accept()
        else:
            super().reject()
