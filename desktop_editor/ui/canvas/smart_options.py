"""The smart selection tools' part of the tool options bar: the magic wand's tolerance,
contiguity and anti-aliasing, whether select object draws a box or a scribble, and the refine
edge brush's band.

The widgets edit `SmartSelectionSettings` and follow it back (a tolerance changed by dragging
sideways with the wand shows here at once).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QCheckBox, QLabel, QSlider, QSpinBox, QToolBar

from desktop_editor.core.selection.refine import MAX_BAND
from desktop_editor.ui.models.smart_settings import (
    OBJECT_BOX,
    OBJECT_SCRIBBLE,
    SmartSelectionSettings,
)


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("option_label")
    return label


class SmartOptions:
    """The widgets, added to `bar` where it is called; `actions[tool_id]` are shown with that tool."""

    def __init__(self, bar: QToolBar, options: SmartSelectionSettings):
        self.options = options
        self.tolerance_slider = QSlider(Qt.Orientation.Horizontal)
        self.tolerance_slider.setRange(0, 255)
        self.tolerance_slider.setFixedWidth(80)
        self.tolerance_spin = QSpinBox()
        self.tolerance_spin.setRange(0, 255)
        tip = ("How different a colour may be and still be selected (0: the exact colour). "
               "Changing it re-selects the last click; or drag sideways while clicking.")
        for widget in (self.tolerance_slider, self.tolerance_spin):
            widget.setToolTip(tip)
        self.contiguous_box = QCheckBox("Contiguous")
        self.contiguous_box.setToolTip("Only the region connected to the click; off: every similar pixel of the image")
        self.antialias_box = QCheckBox("Anti-alias")
        self.antialias_box.setToolTip("A soft edge that follows the photo's own anti-aliasing")
        wand = [bar.addWidget(w) for w in (_label("Tolerance"), self.tolerance_slider, self.tolerance_spin,
                                            self.contiguous_box, self.antialias_box)]

        self.draw_group = QActionGroup(bar)
        self.draw_actions: dict[str, QAction] = {}
        objects = []
        for value, text, tip in ((OBJECT_BOX, "Box", "Drag a box around the object"),
                                 (OBJECT_SCRIBBLE, "Scribble", "Paint over the object; again to add missed parts")):
            action = QAction(text, bar)
            action.setCheckable(True)
            action.setToolTip(tip)
            action.triggered.connect(lambda _c=False, v=value: setattr(options, "object_draw", v))
            self.draw_group.addAction(action)
            self.draw_actions[value] = action
            bar.addAction(action)
            objects.append(action)
            widget = bar.widgetForAction(action)
            if widget is not None:
                widget.setProperty("segment", True)
        hint = QLabel("Alt+scribble: not the object")
        hint.setToolTip("After an object is selected, scribble with Alt over what should not be in it, or in "
                        "Scribble mode over parts it missed: each correction is one undo step. "
                        "Shift+drag adds another object to the mask.")
        hint.setObjectName("option_hint")
        hint.setStyleSheet("color: palette(placeholder-text); padding-left: 6px;")
        objects.append(bar.addWidget(hint))

        self.band_spin = QSpinBox()
        self.band_spin.setRange(1, MAX_BAND)
        self.band_spin.setSuffix(" px")
        self.band_spin.setToolTip("How far from the mask's edge it may move to meet the photo's edges "
                                  "(the same band as Edit > Refine Edge)")
        refine = [bar.addWidget(w) for w in (_label("Band"), self.band_spin)]
        self.actions: dict[str, list[QAction]] = {"wand": wand, "object": objects, "refine": refine}

        self.tolerance_slider.valueChanged.connect(lambda v: setattr(options, "tolerance", v))
        self.tolerance_spin.valueChanged.connect(lambda v: setattr(options, "tolerance", v))
        self.contiguous_box.toggled.connect(lambda v: setattr(options, "contiguous", v))
        self.antialias_box.toggled.connect(lambda v: setattr(options, "antialias", v))
        self.band_spin.valueChanged.connect(lambda v: setattr(options, "refine_band", v))
        options.refine_band_changed.connect(self._show_band)
        options.tolerance_changed.connect(self._show_tolerance)
        options.contiguous_changed.connect(self._show_checks)
        options.antialias_changed.connect(self._show_checks)
        options.object_draw_changed.connect(self._show_draw)
        self._show_tolerance(options.tolerance)
        self._show_checks()
        self._show_draw(options.object_draw)
        self._show_band(options.refine_band)

    def show_tool(self, tool_id: str, painting: bool) -> None:
        for key, actions in self.actions.items():
            for action in actions:
                action.setVisible(painting and key == tool_id)

    def _show_tolerance(self, value: int) -> None:
        for widget in (self.tolerance_slider, self.tolerance_spin):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)

    def _show_checks(self, *_args) -> None:
        for box, value in ((self.contiguous_box, self.options.contiguous), (self.antialias_box, self.options.antialias)):
            box.blockSignals(True)
            box.setChecked(value)
            box.blockSignals(False)

    def _show_band(self, value: int) -> None:
        self.band_spin.blockSignals(True)
        self.band_spin.setValue(value)
        self.band_spin.blockSignals(False)

    def _show_draw(self, value: str) -> None:
        self.draw_actions[value].setChecked(True)
