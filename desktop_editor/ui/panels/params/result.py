"""The result section: what a painted mask does with this model, how results are kept, what is sent."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_editor.core.catalogue import MaskUse, mask_note
from desktop_editor.core.params import ModelSpec
from desktop_editor.ui.common.binding import bind, set_tone
from desktop_editor.ui.models.params_model import ParamsModel
from desktop_editor.ui.panels.params.form import RowForm, section_header, shrinkable


class ResultSection(QWidget):
    """Keep the original outside the mask (feathered, colour-matched), and send the whole image or a region."""

    def __init__(self, model: ParamsModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(section_header("Result"))
        self.mask_note = QLabel()
        self.mask_note.setWordWrap(True)
        self.mask_note.setAccessibleName("What the mask does")
        set_tone(self.mask_note, "warning")
        lay.addWidget(self.mask_note)

        self.keep_check = QCheckBox("Keep original outside mask")
        self.keep_check.setToolTip("The model may change pixels outside the mask; this puts the original back there")
        self.feather_spin = QSpinBox()
        self.feather_spin.setRange(0, 256)
        self.feather_spin.setSuffix(" px")
        self.feather_spin.setSpecialValueText("0 px (hard edge)")
        self.feather_spin.setToolTip("Soft blend at the mask's edge; 0 for a hard edge")
        self.colour_check = QCheckBox("Match colours to the original")
        self.send_combo = shrinkable(QComboBox())
        self.send_combo.addItem("Whole image", False)
        self.send_combo.addItem("Region around mask", True)
        self.send_combo.setToolTip("Sending only the masked region keeps small edits sharp on big photos")
        self.padding_spin = QSpinBox()
        self.padding_spin.setRange(0, 2048)
        self.padding_spin.setSingleStep(16)
        self.padding_spin.setSuffix(" px")
        self.padding_spin.setToolTip("Context around the mask sent with the region")
        self.form = RowForm(self)
        self.form.add_wide_row(self.keep_check)
        self.form.add_row("Feather", self.feather_spin)
        self.form.add_wide_row(self.colour_check)
        self.form.add_row("Send", self.send_combo)
        self.form.add_row("Padding", self.padding_spin)
        lay.addLayout(self.form)

        self._bindings = [
            bind(model, "keep_unmasked", self.keep_check),
            bind(model, "feather", self.feather_spin),
            bind(model, "colour_match", self.colour_check),
            bind(model, "send_region", self.send_combo),
            bind(model, "region_padding", self.padding_spin),
        ]

    def show_spec(self, spec: ModelSpec) -> None:
        """Compositing rows for models whose result keeps the frame; region rows for models that take a mask."""
        composites = spec.mask_use is not MaskUse.WHOLE_FRAME
        for widget in (self.keep_check, self.feather_spin, self.colour_check):
            self.form.set_row_visible(widget, composites)
        for widget in (self.send_combo, self.padding_spin):
            self.form.set_row_visible(widget, spec.takes_mask)

    def show_state(self) -> None:
        """Enable what the current choices allow, and say what the mask will do."""
        keep = bool(self._model.keep_unmasked)
        self.feather_spin.setEnabled(keep)
        self.colour_check.setEnabled(keep)
        self.padding_spin.setEnabled(bool(self._model.send_region))
        note = mask_note(self._model.spec, keep)
        self.mask_note.setText(note)
        self.mask_note.setVisible(bool(note))


__all__ = ["ResultSection"]
