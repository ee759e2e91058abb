"""Refine edge on the whole mask: snap its soft edge to the photo's edges within a band of N px.

Edit > Refine Edge opens a small bar over the canvas. The refined mask is worked out on a worker
(`core.selection.refine`, the guided filter) and shown at once as the latest undo step; changing
the band works it out again from the mask as it was before and replaces that step. Apply (Enter)
keeps it, Cancel (Esc) takes it back. Anything else that changes the mask, or showing another
image, keeps the preview as it is and closes the bar, like applying it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from desktop_editor.core.mask_ops import Bounds
from desktop_editor.core.selection.common import check, has_edge
from desktop_editor.core.selection.refine import MAX_BAND, refine_edge
from desktop_editor.ui.canvas.tools.smart import (
    LatestWork,
    PreparedChange,
    photos,
    prepare_change,
)
from desktop_editor.ui.models.smart_settings import smart_settings

if TYPE_CHECKING:
    from desktop_editor.ui.models.document import Document
    from desktop_editor.ui.models.mask_history import MaskEditCommand

STATES = ("Refining…", "Preview", "No change at this band", "Applying…")  # what the bar says
SLIDER_MAX = 64  # the slider's reach; the box beside it goes to MAX_BAND


@dataclass
class _Preview:
    document: Document
    base: np.ndarray  # the mask before refining
    token: tuple  # the document's history when `base` was taken
    command: MaskEditCommand | None = None
    bounds: Bounds | None = None


class RefineEdgeBar(QFrame):
    """The band, the state and Apply / Cancel, floating at the top of the canvas."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("refine_edge_bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#refine_edge_bar { background: rgba(28, 30, 34, 235); border: 1px solid rgba(255,255,255,40);"
            " border-radius: 6px; } #refine_edge_bar QLabel { color: #e8eaed; }"
            # The whole groove shows on the dark bar (the theme's groove vanished on it, leaving only
            # the filled part: a slider that looked 25 px long).
            " #refine_edge_bar QSlider::groove:horizontal { height: 4px; border-radius: 2px;"
            " background: rgba(255, 255, 255, 70); }"
            " #refine_edge_bar QSlider::sub-page:horizontal { height: 4px; border-radius: 2px; background: #4c8dff; }"
            " #refine_edge_bar QSlider::handle:horizontal { width: 14px; margin: -5px 0; border-radius: 7px;"
            " background: #e8eaed; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.setSpacing(8)
        title = QLabel("Refine edge")
        title.setStyleSheet("font-weight: 600;")
        self.band_slider = QSlider(Qt.Orientation.Horizontal)
        self.band_slider.setRange(1, SLIDER_MAX)
        self.band_slider.setFixedWidth(140)
        self.band_spin = QSpinBox()
        self.band_spin.setRange(1, MAX_BAND)
        self.band_spin.setSuffix(" px")
        tip = "How far from the mask's edge it may move to meet the photo's edges"
        for widget in (self.band_slider, self.band_spin):
            widget.setToolTip(tip)
        self.band_spin.setFixedWidth(76)
        self.state_label = QLabel()
        # As wide as its longest state, so the bar keeps one width as the state changes.
        self.state_label.setFixedWidth(max(self.state_label.fontMetrics().horizontalAdvance(text) for text in STATES) + 4)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Keep the refined edge (Enter)")
        self.apply_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Put the mask back as it was (Esc)")
        for widget in (title, QLabel("Band"), self.band_slider, self.band_spin, self.state_label,
                       self.apply_button, self.cancel_button):
            layout.addWidget(widget)
        self.hide()

    def show_band(self, band: int) -> None:
        for widget, value in ((self.band_slider, min(SLIDER_MAX, band)), (self.band_spin, band)):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)


class RefineEdge(QObject):
    """The whole-mask refine edge command and its preview on one canvas.

    `canvas` is the CanvasView (document(), viewport(), tools.settings, view_changed).
    `key_actions`: Apply and Cancel as QActions by their action registry ids; the window adopts
    them and gives them their keys (Enter, Esc), so no key of the app is declared outside the
    registry.

    Signals:
        message(str): for the status bar (no edge to refine, failures).
        active_changed(bool): the preview bar opened or closed.
    """

    message = Signal(str)
    active_changed = Signal(bool)

    def __init__(self, canvas: QAbstractScrollArea):
        super().__init__(canvas)
        self.canvas = canvas
        self.options = smart_settings(canvas.tools.settings)  # type: ignore[attr-defined]
        self.work = LatestWork(self)
        self.work.busy_changed.connect(self._show_state)
        self.bar = RefineEdgeBar(canvas)
        self.bar.show_band(self.options.refine_band)
        self.bar.band_slider.valueChanged.connect(self._on_band_edited)
        self.bar.band_spin.valueChanged.connect(self._on_band_edited)
        self.bar.apply_button.clicked.connect(self.apply)
        self.bar.cancel_button.clicked.connect(self.cancel)
        self.options.refine_band_changed.connect(self._on_band_changed)
        # Apply and Cancel as commands; their keys (Enter, Esc) are the window's action
        # registry's, which adopts these actions. Enabled only while the bar is open, so the
        # keys reach the canvas's tools the rest of the time.
        self.key_actions: dict[str, QAction] = {}
        for action_id, text, slot in (("refine_edge.apply", "Apply Refine Edge", self.apply),
                                      ("refine_edge.cancel", "Cancel Refine Edge", self.cancel)):
            action = QAction(text, self)
            action.setEnabled(False)
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            self.key_actions[action_id] = action
        self._preview: _Preview | None = None
        self._applying = False
        self._apply_when_done = False
        canvas.view_changed.connect(self._on_view_changed)  # type: ignore[attr-defined]
        canvas.installEventFilter(self)

    def is_active(self) -> bool:
        return self._preview is not None

    def start(self) -> bool:
        """Open the preview for the current image's mask; False (and a message) when the mask
        has no edge to refine."""
        document = self.canvas.document()  # type: ignore[attr-defined]
        if document is None:
            return False
        if self._preview is not None:
            self._close()
        if not has_edge(document.mask_pixels()):
            self.message.emit("Refine edge: the mask has no edge yet. Select or paint something first.")
            return False
        self._preview = _Preview(document, document.mask_array(), document.history_token())
        document.undo_stack.indexChanged.connect(self._on_history_moved)
        self._set_open(True)
        self._run()
        return True

    @Slot()
    def apply(self) -> None:
        """Keep the refined mask (waiting for it if it is still being worked out)."""
        preview = self._preview
        if preview is None:
            return
        if self.work.busy():
            self._apply_when_done = True  # the last band's answer is kept when it arrives
            self.bar.state_label.setText("Applying…")
            self.bar.apply_button.setEnabled(False)
            return
        self._close()

    @Slot()
    def cancel(self) -> None:
        """Put the mask back as it was before refining."""
        preview = self._preview
        if preview is None:
            return
        self.work.cancel()
        self._close()
        preview.document.withdraw_latest(preview.command)  # no "Redo Refine edge" left behind

    # -- work ---------------------------------------------------------------------------------

    def _run(self) -> None:
        preview = self._preview
        assert preview is not None
        band, cover = self.options.refine_band, preview.bounds

        def work(stop) -> PreparedChange:
            photo = photos.photo(preview.document)
            check(stop)
            refined = refine_edge(photo, preview.base, band, stop=stop)
            check(stop)
            return prepare_change(preview.base, refined, cover)

        self.work.submit(work, lambda change: self._apply_preview(preview, change, band), self._failed)

    def _apply_preview(self, preview: _Preview, change: PreparedChange, band: int) -> None:
        if preview is not self._preview:
            return
        document = preview.document
        if change.payload is None or change.after is None:
            self.bar.state_label.setText("No change at this band")
            if self._apply_when_done:
                self._close()
            return
        text = f"Refine edge {band} px"
        self._applying = True
        try:
            if preview.command is None:
                if document.history_token() != preview.token:
                    self._close()
                    return
                preview.command = document.apply_mask_change(change.payload, change.after, text)
            elif not document.amend_mask_change(preview.command, change.payload, change.after, text):
                self._close()
                return
        finally:
            self._applying = False
        preview.bounds = change.bounds
        self._show_state(False)
        if self._apply_when_done:
            self._close()

    def _failed(self, exc: BaseException) -> None:
        self.message.emit(f"Refine edge failed: {exc}")
        if self._apply_when_done:
            self._close()
        else:
            self._show_state(False)

    # -- state --------------------------------------------------------------------------------

    def _close(self) -> None:
        preview, self._preview = self._preview, None
        self._apply_when_done = False
        self.work.cancel()
        if preview is not None:
            preview.document.undo_stack.indexChanged.disconnect(self._on_history_moved)
        self._set_open(False)

    def _set_open(self, shown: bool) -> None:
        for action in self.key_actions.values():
            action.setEnabled(shown)
        if shown:
            self.bar.show_band(self.options.refine_band)
            self._show_state(True)
            self.bar.adjustSize()
            self._place()
            self.bar.show()
            self.bar.raise_()
        else:
            self.bar.hide()
        self.active_changed.emit(shown)

    @Slot(bool)
    def _show_state(self, busy: bool) -> None:
        preview = self._preview
        if preview is None:
            return
        if busy:
            self.bar.state_label.setText("Refining…")
        elif preview.command is not None:
            self.bar.state_label.setText("Preview")
        self.bar.apply_button.setEnabled(not self._apply_when_done)

    def _place(self) -> None:
        viewport = self.canvas.viewport()
        top_left = viewport.mapTo(self.canvas, viewport.rect().topLeft())
        x = top_left.x() + max(0, (viewport.width() - self.bar.width()) // 2)
        self.bar.move(x, top_left.y() + 10)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.canvas and event.type() == QEvent.Type.Resize and self.bar.isVisible():
            self._place()
        return False

    @Slot(int)
    def _on_band_edited(self, value: int) -> None:
        self.options.refine_band = value

    @Slot(int)
    def _on_band_changed(self, band: int) -> None:
        self.bar.show_band(band)
        if self._preview is not None:
            self._run()

    @Slot(int)
    def _on_history_moved(self, _index: int) -> None:
        preview = self._preview
        if preview is None or self._applying:
            return
        if preview.command is None or not preview.document.is_latest_command(preview.command):
            self._close()  # undone, or another change came after it: the preview is over

    @Slot()
    def _on_view_changed(self) -> None:
        if self._preview is not None and self.canvas.document() is not self._preview.document:  # type: ignore[attr-defined]
            self._close()


