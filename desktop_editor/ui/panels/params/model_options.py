"""The model-specific option rows: one choice per catalogue field that only some models take.

Built from `core/catalogue.py` (every model's `options`), so a model added there gets its rows
here without touching the panel. All choices are one property of the model,
`ParamsModel.model_options` (a dict by field name, replaced whole), shown by one combo per field.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QComboBox

from desktop_editor.core.catalogue import InputField
from desktop_editor.core.params import MODELS, ModelSpec
from desktop_editor.ui.models.params_model import ParamsModel
from desktop_editor.ui.panels.params.form import RowForm, shrinkable


def catalogue_options() -> dict[str, InputField]:
    """Every model-specific field in the catalogue, by name, in the catalogue's order."""
    fields: dict[str, InputField] = {}
    for spec in MODELS.values():
        for option in spec.options:
            fields.setdefault(option.name, option)
    return fields


def option_combo(option: InputField) -> QComboBox:
    """A combo for one catalogue choice; "Model default" first when the field may be left out."""
    combo = shrinkable(QComboBox())
    combo.setAccessibleName(option.label or option.name)
    if option.default is None:
        combo.addItem("Model default", "")
    for choice in option.choices:
        combo.addItem(choice.capitalize() if choice.isalpha() else choice, choice)
    if option.help:
        combo.setToolTip(option.help)
    combo.setProperty("optionName", option.name)
    combo.setProperty("optionDefault", option.default or "")
    return combo


class ModelOptionRows(QObject):
    """The option combos, their rows in a form, and their two-way link with `model_options`."""

    def __init__(self, model: ParamsModel, form: RowForm, parent: QObject | None = None):
        super().__init__(parent)
        self._model = model
        self._form = form
        self.combos: dict[str, QComboBox] = {}
        for name, option in catalogue_options().items():
            combo = option_combo(option)
            self.combos[name] = combo
            form.add_row(option.label or name, combo)
            combo.currentIndexChanged.connect(lambda _i, n=name, c=combo: self._on_chosen(n, c))
        model.model_options_changed.connect(self._show)
        self._show(model.model_options)

    def show_spec(self, spec: ModelSpec) -> None:
        """Only the rows of the fields `spec` takes are shown."""
        taken = {f.name for f in spec.options}
        for name, combo in self.combos.items():
            self._form.set_row_visible(combo, name in taken)

    def _on_chosen(self, name: str, combo: QComboBox) -> None:
        value = combo.currentData() or None
        current = dict(self._model.model_options or {})
        if current.get(name) != value:
            current[name] = value
            self._model.model_options = {k: v for k, v in current.items() if v}

    @Slot(object)
    def _show(self, values: Any) -> None:
        """Model -> combos: each shows its chosen value, else the catalogue's default."""
        values = values or {}
        for name, combo in self.combos.items():
            wanted = values.get(name) or combo.property("optionDefault") or ""
            index = combo.findData(wanted)
            if index >= 0 and index != combo.currentIndex():
                combo.blockSignals(True)
                combo.setCurrentIndex(index)
                combo.blockSignals(False)


__all__ = ["ModelOptionRows", "catalogue_options", "option_combo"]
