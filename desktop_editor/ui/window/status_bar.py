"""The window's status bar: messages, and the current image's size, pointer, mask coverage and zoom.

The pointer moves hundreds of times a second while painting and counting an 8K mask's painted
pixels takes milliseconds, so both readouts are refreshed on short timers that keep up with the
eye, never once per event.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QTimer, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QStatusBar, QToolButton, QWidget

from desktop_editor.core.colour import space_summary
from desktop_editor.core.expand import Expansion
from desktop_editor.core.masks import coverage
from desktop_editor.ui.canvas.view import CanvasView
from desktop_editor.ui.models.document import Document
from desktop_editor.ui.window.status_widgets import JobsIndicator, demo_badge


def expanded_share(width: int, height: int, expansion: Expansion, painted_percent: float) -> float:
    """Percent of the expanded canvas that is masked: its new area, and the painted share of the
    original's part kept on it."""
    canvas_w, canvas_h = expansion.canvas_size(width, height)
    left, top, right, bottom = expansion.original_box(width, height)
    kept = (right - left) * (bottom - top)
    new = canvas_w * canvas_h - kept
    return min(100.0, 100.0 * (new + kept * painted_percent / 100) / (canvas_w * canvas_h))


class EditorStatusBar(QStatusBar):
    """What the designer sees at the bottom edge of the window."""

    def __init__(self, canvas: CanvasView, fit_action: QAction, parent: QWidget | None = None):
        super().__init__(parent)
        self._canvas = canvas
        self._document: Document | None = None
        self._comparing = False
        self.setSizeGripEnabled(True)
        self.send_size_label = QLabel()
        self.send_size_label.setObjectName("send_size_label")
        self.image_size_label = QLabel()
        self.position_label = QLabel()
        self.position_label.setFixedWidth(self.position_label.fontMetrics().horizontalAdvance("x 88888   y 88888") + 20)
        self._pending_pixel: QPoint | None = None
        self._position_timer = QTimer(self)
        self._position_timer.setSingleShot(True)
        self._position_timer.setInterval(40)
        self._position_timer.timeout.connect(self._show_pointer_position)
        self._coverage_timer = QTimer(self)
        self._coverage_timer.setSingleShot(True)
        self._coverage_timer.setInterval(30)
        self._coverage_timer.timeout.connect(self.update_coverage)
        self.coverage_label = QLabel()
        self.coverage_label.setMinimumWidth(96)
        self.zoom_button = QToolButton()
        self.zoom_button.setAutoRaise(True)
        self.zoom_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.zoom_button.setMinimumWidth(64)
        zoom_menu = QMenu(self.zoom_button)
        zoom_menu.addAction(fit_action)
        zoom_menu.addSeparator()
        for percent in (25, 50, 100, 200, 400, 800):
            zoom_menu.addAction(f"{percent}%", lambda p=percent: canvas.set_zoom(p / 100.0))
        self.zoom_button.setMenu(zoom_menu)
        self.demo_badge = demo_badge()
        self.demo_badge.hide()
        self.jobs_indicator = JobsIndicator()
        for widget in (self.demo_badge, self.jobs_indicator, self.send_size_label, self.image_size_label,
                       self.position_label, self.coverage_label, self.zoom_button):
            self.addPermanentWidget(widget)
        canvas.zoom_changed.connect(self.show_zoom)
        canvas.pointer_moved.connect(self._on_pointer_moved)

    def show_document(self, document: Document | None) -> None:
        """Describe this image (or nothing)."""
        self._document = document
        if document is None:
            self.image_size_label.setText("")
            self.send_size_label.setVisible(False)
            self.position_label.setText("")
            self.coverage_label.setText("")
            self.zoom_button.setVisible(False)
            return
        self.zoom_button.setVisible(not self._comparing)
        # A file's own depth and profile stay in view while it is open (not only in the opening
        # message), so the designer knows a 16-bit ProPhoto or CMYK file is kept as it is.
        source = document.loaded.source
        summary = space_summary(source.space) if source is not None else None
        self.image_size_label.setText(f"{document.width} × {document.height} px{', ' + summary if summary else ''}")
        if document.exceeds_limits():
            w, h = document.send_size()
            self.send_size_label.setText(f"will be sent as {w}×{h}")
            self.send_size_label.setToolTip(
                f"The model accepts at most 3840 px per side and 8.3 megapixels; this image will be scaled to {w}×{h} when sent."
            )
            self.send_size_label.setVisible(True)
        else:
            self.send_size_label.setVisible(False)
        self.show_zoom(self._canvas.zoom())
        self.update_coverage()

    def set_comparing(self, comparing: bool) -> None:
        """The canvas's zoom and pointer position mean nothing while the comparison is shown."""
        self._comparing = comparing
        self.zoom_button.setVisible(self._document is not None and not comparing)
        self.position_label.setVisible(not comparing)

    def schedule_coverage(self) -> None:
        """Count the mask soon: many undo steps in a row (or a history trim) count once."""
        if not self._coverage_timer.isActive():
            self._coverage_timer.start()

    @Slot()
    def update_coverage(self) -> None:
        document = self._document
        if document is None:
            self.coverage_label.setText("")
            return
        share = 0 if document.mask_revision == 0 else coverage(document.mask_pixels()) * 100  # 0: never painted
        expansion = document.pending_expansion()
        if expansion is not None and expansion.grows:
            # The expanded canvas's new area is masked too (Generate fills it): never "empty".
            self.coverage_label.setText(f"Mask {expanded_share(document.width, document.height, expansion, share):.1f}%"
                                        " with the new area")
            self.coverage_label.setToolTip("Of the expanded canvas: its new area, and what is painted on the image.")
            return
        text = "Mask empty" if share == 0 else f"Mask {share:.1f}%" if share >= 0.1 else "Mask <0.1%"
        self.coverage_label.setText(text)
        self.coverage_label.setToolTip("Of the image: what Generate edits.")

    @Slot(float)
    def show_zoom(self, zoom: float) -> None:
        percent = zoom * 100
        self.zoom_button.setText(f"{percent:.0f}%" if percent >= 10 else f"{percent:.1f}%")

    @Slot(object)
    def _on_pointer_moved(self, pixel: QPoint | None) -> None:
        self._pending_pixel = pixel
        if not self._position_timer.isActive():
            self._position_timer.start()

    @Slot()
    def _show_pointer_position(self) -> None:
        pixel = self._pending_pixel
        self.position_label.setText("" if pixel is None else f"x {pixel.x()}   y {pixel.y()}")
