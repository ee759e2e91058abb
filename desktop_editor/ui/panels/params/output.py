"""The output section: how many results, their format and size, quality and the model's own options."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QSpinBox, QVBoxLayout, QWidget

from desktop_editor.core.params import (
    MAX_NUM_IMAGES,
    OUTPUT_FORMATS,
    QUALITIES,
    ModelSpec,
)
from desktop_editor.ui.common.binding import bind
from desktop_editor.ui.models.params_model import ParamsModel
from desktop_editor.ui.panels.params.form import (
    RowForm,
    label_width,
    section_header,
    shrinkable,
)
from desktop_editor.ui.panels.params.model_options import ModelOptionRows
from desktop_editor.ui.panels.params.size_field import SizeField


class OutputSection(QWidget):
    """Rows for the output fields of `ParamsModel`, each shown only for models that take it."""

    def __init__(self, model: ParamsModel, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.header = section_header("Output")
        lay.addWidget(self.header)

        self.num_images_spin = QSpinBox()
        self.num_images_spin.setRange(1, MAX_NUM_IMAGES)
        self.num_images_spin.setToolTip("How many results to make; each one is charged")
        self.format_combo = shrinkable(QComboBox())
        for fmt in OUTPUT_FORMATS:
            self.format_combo.addItem(fmt.upper(), fmt)
        self.size = SizeField(model)
        self.form = RowForm(self)
        self.form.add_row("Results", self.num_images_spin)
        self.form.add_row("Format", self.format_combo)
        self.form.add_row("Size", self.size)
        lay.addLayout(self.form)
        # The size's problem under its row, indented to the fields (a wrapped label in a form row gets clipped).
        self.size.help.layout().setContentsMargins(label_width(self) + self.form.horizontalSpacing(), 0, 0, 2)
        lay.addWidget(self.size.help)

        self.quality_combo = shrinkable(QComboBox())
        for quality in QUALITIES:
            self.quality_combo.addItem(quality.capitalize(), quality)
        self.sync_check = QCheckBox("Return images inline")
        self.sync_check.setToolTip(
            "Sync mode: the service sends the images in its answer instead of links and does not keep them in its history"
        )
        self.more_form = RowForm(self)
        self.more_form.add_row("Quality", self.quality_combo)
        self.options = ModelOptionRows(model, self.more_form, self)
        self.more_form.add_row("Sync mode", self.sync_check)
        lay.addLayout(self.more_form)

        self._bindings = [
            bind(model, "num_images", self.num_images_spin),
            bind(model, "output_format", self.format_combo),
            bind(model, "quality", self.quality_combo),
            bind(model, "sync_mode", self.sync_check),
        ]

    @property
    def forms(self) -> tuple[RowForm, ...]:
        return self.form, self.more_form

    def show_spec(self, spec: ModelSpec) -> None:
        """Offer `spec`'s sizes and show only the rows of the fields it takes."""
        self.size.show_spec(spec)
        self.form.set_row_visible(self.num_images_spin, spec.has_num_images)
        self.form.set_row_visible(self.format_combo, spec.has_output_format)
        self.form.set_row_visible(self.size, spec.has_size)
        self.more_form.set_row_visible(self.quality_combo, spec.has_quality)
        self.options.show_spec(spec)
        self.more_form.set_row_visible(self.sync_check, spec.has_sync_mode)
        # A model that takes none of these (tag removal) gets no empty "OUTPUT" heading.
        self.setVisible(spec.has_num_images or spec.has_output_format or spec.has_size or spec.has_quality
                        or spec.has_sync_mode or bool(spec.options))


__all__ = ["OutputSection"]
