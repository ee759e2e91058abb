"""The compare view's toolbar: one button per mode and the zoom controls.

Its buttons take no focus, so the keys stay with the view; it only asks (signals) and is told
(`set_mode`, `set_zoom`), so the view remains the one owner of the mode and the zoom.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal, Slot
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from desktop_editor.ui.common import icons
from desktop_editor.ui.compare.modes import MODE_TIPS, CompareMode, mode_icon

__all__ = ["CompareToolbar", "zoom_text"]


def zoom_text(zoom: float) -> str:
    """A zoom as a percentage, with a decimal below 10%."""
    pct = zoom * 100
    return f"{pct:.0f}%" if pct >= 10 else f"{pct:.1f}%"


class CompareToolbar(QWidget):
    """The mode buttons (1-4) and the zoom controls of a compare view.

    Signals:
        mode_requested(str): a mode button was pressed (CompareMode value).
        fit_requested(): "Fit" pressed.
        actual_size_requested(): "100%" pressed.
        zoom_step_requested(int): +1 to zoom in a step, -1 to zoom out.
    """

    mode_requested = Signal(str)
    fit_requested = Signal()
    actual_size_requested = Signal()
    zoom_step_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        color = self.palette().buttonText().color().name()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 5, 8, 5)
        layout.setSpacing(2)
        self.buttons: dict[CompareMode, QToolButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        for mode in CompareMode:
            button = QToolButton(self)
            button.setText(mode.label)
            button.setIcon(mode_icon(mode, color))
            button.setIconSize(QSize(18, 18))
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setToolTip(f"{MODE_TIPS[mode]} ({mode.shortcut})")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the view
            button.setProperty("compare_mode", mode.value)
            self._group.addButton(button)
            layout.addWidget(button)
            self.buttons[mode] = button
        self._group.buttonClicked.connect(self._on_mode_button_clicked)
        layout.addStretch(1)

        self.zoom_out_button = self._tool("zoom_out", "Zoom out (Ctrl+-)", color)
        self.zoom_label = QLabel("100%", self)
        self.zoom_label.setMinimumWidth(self.zoom_label.fontMetrics().horizontalAdvance("3200%") + 8)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_label.setToolTip("Zoom: Ctrl+wheel over the picture")
        self.zoom_in_button = self._tool("zoom_in", "Zoom in (Ctrl+=)", color)
        self.fit_button = self._tool("zoom_fit", "Fit the picture in the view (Ctrl+0)", color, text="Fit")
        self.actual_button = self._tool(
            "zoom_actual", "Show at 100%, one image pixel per screen pixel (Ctrl+1)", color, text="100%"
        )
        for widget in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_button, self.actual_button):
            layout.addWidget(widget)
        self.zoom_out_button.clicked.connect(lambda: self.zoom_step_requested.emit(-1))
        self.zoom_in_button.clicked.connect(lambda: self.zoom_step_requested.emit(1))
        self.fit_button.clicked.connect(self.fit_requested)
        self.actual_button.clicked.connect(self.actual_size_requested)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light/dark switch: draw the icons again
            color = self.palette().buttonText().color().name()
            for mode, button in self.buttons.items():
                button.setIcon(mode_icon(mode, color))
            for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button, self.actual_button):
                button.setIcon(icons.icon(str(button.property("icon_name")), color))

    def _tool(self, icon_name: str, tip: str, color: str, *, text: str = "") -> QToolButton:
        button = QToolButton(self)
        button.setProperty("icon_name", icon_name)
        button.setIcon(icons.icon(icon_name, color))
        button.setIconSize(QSize(18, 18))
        button.setAutoRaise(True)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if text:
            button.setText(text)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    def set_mode(self, mode: CompareMode) -> None:
        self.buttons[CompareMode(mode)].setChecked(True)

    def set_zoom(self, zoom: float) -> None:
        self.zoom_label.setText(zoom_text(zoom))

    @Slot(QToolButton)
    def _on_mode_button_clicked(self, button: QToolButton) -> None:
        self.mode_requested.emit(str(button.property("compare_mode")))
