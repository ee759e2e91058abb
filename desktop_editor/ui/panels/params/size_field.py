"""The size field: the model's size presets, a custom WIDTHxHEIGHT, and the nearest valid size.

The size is one property of the model (`ParamsModel.image_size`) shown by two widgets: a
choice of presets (with "Custom…" for models that take any size) and, under it, the custom
text. A custom size the service would refuse is explained under the row, with a button that
puts the nearest valid size in its place.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop_editor.core.params import ModelSpec, nearest_valid_size, parse_size
from desktop_editor.ui.models.params_model import ParamsModel, size_allowed
from desktop_editor.ui.models.params_text import size_label
from desktop_editor.ui.panels.params.form import problem_label, show_problem, shrinkable

CUSTOM_SIZE = "custom"
DEFAULT_CUSTOM = (1536, 1024)


class SizeField(QWidget):
    """The size choice, with the custom size under it while "Custom…" is chosen.

    `help` is a separate widget (the problem and the "Use WxH" button) for the section to place
    under its form, where a wrapped message gets the whole width.

    Signals:
        choice_changed(): the designer chose another entry (the model may keep its value, as when
            "Custom…" shows the size already chosen, so the panel validates again).
    """

    choice_changed = Signal()

    def __init__(self, model: ParamsModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self.fallback_size: tuple[int, int] | None = None  # what a new custom size starts from

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        self.combo = shrinkable(QComboBox())
        self.combo.setAccessibleName("Size")
        self.custom = QLineEdit()
        self.custom.setPlaceholderText("1536x1024")
        self.custom.setAccessibleName("Custom size")
        self.custom.setMaximumWidth(self.custom.fontMetrics().horizontalAdvance("88888x88888") + 16)
        self.custom.hide()
        lay.addWidget(self.combo)
        lay.addWidget(self.custom, 0, Qt.AlignmentFlag.AlignLeft)

        self.help = QWidget()
        hl = QVBoxLayout(self.help)
        hl.setContentsMargins(0, 0, 0, 2)
        hl.setSpacing(4)
        self.problem = problem_label()
        self.nearest_button = QPushButton()
        self.nearest_button.setToolTip("Put the nearest size the model takes in the custom size")
        self.nearest_button.clicked.connect(self._on_nearest_clicked)
        self.nearest_button.hide()
        hl.addWidget(self.problem)
        hl.addWidget(self.nearest_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.combo.currentIndexChanged.connect(self._on_choice_changed)
        self.custom.textChanged.connect(self._on_custom_edited)
        model.image_size_changed.connect(self._show_size)

    def custom_selected(self) -> bool:
        return self.combo.currentData() == CUSTOM_SIZE

    def show_spec(self, spec: ModelSpec) -> None:
        """Offer `spec`'s sizes; a size it does not take goes back to auto."""
        if not size_allowed(spec, self._model.image_size):
            self._model.image_size = "auto"
        combo = self.combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Auto · follows the image", "auto")
        for name, dims in spec.size_presets.items():
            combo.addItem(size_label(name, dims), name)
        if spec.explicit_sizes:
            combo.addItem("Custom…", CUSTOM_SIZE)
        for i in range(combo.count()):
            combo.setItemData(i, combo.itemText(i), Qt.ItemDataRole.ToolTipRole)  # whole, when elided
        combo.blockSignals(False)
        self._show_size(self._model.image_size)

    def show_problems(self, messages: list[str]) -> None:
        """What is wrong with the size; for a custom size, the nearest one the model takes."""
        show_problem(self.problem, messages)
        dims = parse_size(self._model.image_size) if self.custom_selected() else None
        if dims and messages:
            w, h = nearest_valid_size(*dims)
            self.nearest_button.setText(f"Use {w}x{h}")
            self.nearest_button.show()
        else:
            self.nearest_button.hide()
        self.help.setVisible(bool(messages))

    @Slot(object)
    def _show_size(self, value: Any) -> None:
        """Model -> widgets: a known choice, or Custom with the WxH text."""
        size = (value or "").strip()
        if self.custom_selected() and size == self.custom.text().strip():
            index = self.combo.currentIndex()  # the designer is typing a custom size
        else:
            index = self.combo.findData(size or "auto")
            if index < 0:
                index = self.combo.findData(CUSTOM_SIZE)
                if self.custom.text().strip() != size:
                    self.custom.blockSignals(True)
                    self.custom.setText(size)
                    self.custom.blockSignals(False)
        if index >= 0 and index != self.combo.currentIndex():
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(index)
            self.combo.blockSignals(False)
        self.custom.setVisible(self.custom_selected())

    @Slot(int)
    def _on_choice_changed(self, _index: int) -> None:
        if self.custom_selected():
            if not self.custom.text().strip():
                w, h = nearest_valid_size(*(self.fallback_size or DEFAULT_CUSTOM))
                self.custom.blockSignals(True)
                self.custom.setText(f"{w}x{h}")
                self.custom.blockSignals(False)
            self.custom.setVisible(True)
            self._model.image_size = self.custom.text().strip()
            self.custom.setFocus()
        else:
            self.custom.setVisible(False)
            self._model.image_size = self.combo.currentData() or "auto"
        self.choice_changed.emit()

    @Slot(str)
    def _on_custom_edited(self, text: str) -> None:
        if self.custom_selected():
            self._model.image_size = text.strip()
            self.choice_changed.emit()

    @Slot()
    def _on_nearest_clicked(self) -> None:
        dims = parse_size(self.custom.text())
        if dims:
            w, h = nearest_valid_size(*dims)
            self.custom.setText(f"{w}x{h}")


__all__ = ["CUSTOM_SIZE", "SizeField"]
