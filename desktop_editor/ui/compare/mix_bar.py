"""The bar of Mix mode: which result the brush paints, which is the base, the brush, and saving.

Every choice is one click: a numbered chip per result picks the source (the keys 1-9 do the
same, 0 the base), a chip in the Base row makes that result the base. Brush size and softness
are the mask brush's, so [ ] and Shift+[ ] change them here too.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QToolButton,
    QWidget,
)

from desktop_editor.ui.common.binding import set_tone
from desktop_editor.ui.compare.mix_session import MixSession

# One colour per result, shared by the chips and the strip's number badges.
SOURCE_COLOURS = ("#8a8f98", "#e0533d", "#3d8be0", "#e0b23d", "#49b86b", "#b25ee0", "#e07a3d", "#3dc6c6",
                  "#e05fa4", "#9bbf3a")
_CHIP_STYLE = (
    "QToolButton {{ border: 1px solid rgba(255,255,255,40); border-radius: 11px; padding: 2px 9px; "
    "}} QToolButton:checked {{ background: {c}; color: white; border-color: {c}; font-weight: 600; }}"
)


def source_colour(slot: int) -> str:
    """The colour of a brush slot (0 the base, 1.. the results)."""
    return SOURCE_COLOURS[slot % len(SOURCE_COLOURS)]


class MixBar(QWidget):
    """Chips for the source and the base, brush size and softness, "only inside the mask".

    Signals:
        source_picked(int): a source chip was clicked (slot: 0 base, 1.. results).
    """

    source_picked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._session: MixSession | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 1, 10, 1)
        layout.setSpacing(4)
        self._source_group = QButtonGroup(self)
        self._source_group.setExclusive(True)
        self._source_group.idClicked.connect(self._on_source_clicked)
        self._base_group = QButtonGroup(self)
        self._base_group.setExclusive(True)
        self._base_group.idClicked.connect(self._on_base_clicked)
        self._source_row = QHBoxLayout()
        self._source_row.setSpacing(3)
        self._base_row = QHBoxLayout()
        self._base_row.setSpacing(3)
        paint = QLabel("Paint")
        paint.setToolTip("The result the brush paints in (keys 1-9; 0 paints the base back)")
        base = QLabel("Base")
        base.setToolTip("The result shown wherever nothing is painted; changing it keeps your strokes")
        layout.addWidget(paint)
        layout.addLayout(self._source_row)
        layout.addSpacing(14)
        layout.addWidget(base)
        layout.addLayout(self._base_row)
        layout.addSpacing(14)
        layout.addWidget(self._separator())
        self.size_label = QLabel()
        self.size_slider = self._slider(1, 1000, "Brush size in image pixels ([ and ])")
        self.softness_slider = self._slider(0, 100, "Soft edge: how far the brush fades (Shift+[ and Shift+])")
        layout.addWidget(QLabel("Size"))
        layout.addWidget(self.size_slider)
        layout.addWidget(self.size_label)
        layout.addSpacing(8)
        layout.addWidget(QLabel("Soft"))
        layout.addWidget(self.softness_slider)
        layout.addSpacing(8)
        self.keep_inside_box = QCheckBox("Inside mask")
        self.keep_inside_box.setToolTip(
            "Every result shows only inside its edit's mask; outside it every pixel is the original's.\n"
            "Off: results show whole (those the edit already kept inside the mask stay so).")
        self.keep_inside_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keep_inside_box.toggled.connect(self._on_keep_inside_toggled)
        layout.addWidget(self.keep_inside_box)
        layout.addStretch(1)
        self._action_row = QHBoxLayout()
        self._action_row.setSpacing(2)
        layout.addLayout(self._action_row)
        self.size_slider.valueChanged.connect(self._on_size_slider)
        self.softness_slider.valueChanged.connect(self._on_softness_slider)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _separator(self) -> QFrame:
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.VLine)
        set_tone(line, "muted")
        return line

    def _slider(self, low: int, high: int, tip: str) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal, self)
        slider.setRange(low, high)
        slider.setFixedWidth(90)
        slider.setToolTip(tip)
        slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return slider

    def add_actions(self, actions: list[QAction]) -> None:
        """Buttons for the window's commands (Save Mix, Use as Input)."""
        for action in actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)  # the row is narrow; tips name them
            button.setIconSize(QSize(18, 18))
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setFixedHeight(24)  # the bar lives in the compare view's fixed-height status row
            self._action_row.addWidget(button)

    # -- the session ---------------------------------------------------------------------------

    def set_session(self, session: MixSession | None) -> None:
        if self._session is not None:
            for signal in (self._session.source_changed, self._session.base_changed,
                           self._session.keep_inside_changed, self._session.settings.brush_size_changed,
                           self._session.settings.hardness_changed):
                signal.disconnect(self._sync)
        self._session = session
        self._fill()
        if session is not None:
            for signal in (session.source_changed, session.base_changed, session.keep_inside_changed,
                           session.settings.brush_size_changed, session.settings.hardness_changed):
                signal.connect(self._sync)
        self._sync()

    def source_chips(self) -> list[QToolButton]:
        return [b for b in self._source_group.buttons()]  # type: ignore[misc]

    def base_chips(self) -> list[QToolButton]:
        return [b for b in self._base_group.buttons()]  # type: ignore[misc]

    def _fill(self) -> None:
        for group, row in ((self._source_group, self._source_row), (self._base_group, self._base_row)):
            for button in group.buttons():
                group.removeButton(button)
                row.removeWidget(button)
                button.deleteLater()
        session = self._session
        if session is None:
            return
        self._add_chip(self._source_group, self._source_row, 0, "0", "Paint the base back (0)")
        for index, source in enumerate(session.sources):
            slot = index + 1
            key = f" ({slot})" if slot <= 9 else ""
            self._add_chip(self._source_group, self._source_row, slot, str(slot), f"Paint {source.label}{key}")
            self._add_chip(self._base_group, self._base_row, index, str(slot), f"Make {source.label} the base")

    def _add_chip(self, group: QButtonGroup, row: QHBoxLayout, key: int, text: str, tip: str) -> None:
        chip = QToolButton(self)
        chip.setText(text)
        chip.setCheckable(True)
        chip.setToolTip(tip)
        chip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        chip.setFixedHeight(24)
        slot = key if group is self._source_group else key + 1
        chip.setStyleSheet(_CHIP_STYLE.format(c=source_colour(slot)))
        group.addButton(chip, key)
        row.addWidget(chip)

    @Slot()
    def _sync(self, *_args) -> None:  # noqa: ANN002 - any signal's arguments
        session = self._session
        self.setEnabled(session is not None)
        if session is None:
            return
        chip = self._source_group.button(session.source())
        if chip is not None:
            chip.setChecked(True)
        chip = self._base_group.button(session.base())
        if chip is not None:
            chip.setChecked(True)
        settings = session.settings
        for widget, value in ((self.size_slider, int(settings.brush_size)),
                              (self.softness_slider, int(round((1 - settings.hardness) * 100)))):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        self.size_label.setText(f"{int(settings.brush_size)} px")
        self.keep_inside_box.blockSignals(True)
        self.keep_inside_box.setChecked(session.keep_inside())
        self.keep_inside_box.blockSignals(False)

    @Slot(int)
    def _on_source_clicked(self, slot: int) -> None:
        if self._session is not None:
            self._session.set_source(slot)
            self.source_picked.emit(slot)

    @Slot(int)
    def _on_base_clicked(self, index: int) -> None:
        if self._session is not None:
            self._session.set_base(index)
            self._sync()

    @Slot(int)
    def _on_size_slider(self, value: int) -> None:
        if self._session is not None:
            self._session.settings.brush_size = value

    @Slot(int)
    def _on_softness_slider(self, value: int) -> None:
        if self._session is not None:
            self._session.settings.hardness = 1 - value / 100

    @Slot(bool)
    def _on_keep_inside_toggled(self, checked: bool) -> None:
        if self._session is not None:
            self._session.set_keep_inside(checked)
