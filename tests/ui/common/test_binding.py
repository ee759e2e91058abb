"""binding: observable properties and the two-way bind between a property and a widget."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QPushButton, QSpinBox

from desktop_editor.ui.common.binding import ObservableModel, Prop, bind


class Model(ObservableModel):
    name = Prop("")
    name_changed = Signal(object)
    count = Prop(3)
    count_changed = Signal(object)
    on = Prop(False)
    on_changed = Signal(object)
    choice = Prop("b")
    choice_changed = Signal(object)


def test_a_property_emits_only_when_its_value_changes(qtbot):
    model = Model()
    seen: list[tuple[str, object]] = []
    model.count_changed.connect(lambda v: seen.append(("count", v)))
    model.changed.connect(lambda n: seen.append(("changed", n)))
    model.count = 3  # the default: no change
    model.count = 5
    model.count = 5
    assert seen == [("count", 5), ("changed", "count")]
    assert model.values() == {"name": "", "count": 5, "on": False, "choice": "b"}
    with pytest.raises(AttributeError):
        model.update(missing=1)


def test_a_property_without_its_signal_is_refused_when_the_class_is_made():
    with pytest.raises(TypeError, match="width_changed"):
        class Broken(ObservableModel):  # noqa: F841
            width = Prop(0)


def test_bind_takes_the_model_value_and_follows_both_ways(qtbot):
    model = Model()
    model.name, model.count, model.on = "start", 7, True
    line, spin, check, combo, text = QLineEdit(), QSpinBox(), QCheckBox(), QComboBox(), QPlainTextEdit()
    for value in ("a", "b", "c"):
        combo.addItem(value.upper(), value)
    bind(model, "name", line)
    bind(model, "count", spin)
    bind(model, "on", check)
    bind(model, "choice", combo)
    assert (line.text(), spin.value(), check.isChecked(), combo.currentData()) == ("start", 7, True, "b")
    line.setText("typed")
    spin.setValue(9)
    check.setChecked(False)
    combo.setCurrentIndex(2)
    assert (model.name, model.count, model.on, model.choice) == ("typed", 9, False, "c")
    model.update(name="from model", count=1)
    assert (line.text(), spin.value()) == ("from model", 1)
    binding = bind(model, "name", text, to_widget=str.upper, to_model=str.lower)
    assert text.toPlainText() == "FROM MODEL"
    text.setPlainText("SHOUT")
    assert model.name == "shout"
    binding.disconnect()
    model.name = "quiet"
    assert text.toPlainText() == "SHOUT"  # no longer bound


def test_bind_refuses_widgets_it_cannot_follow(qtbot):
    with pytest.raises(TypeError):
        bind(Model(), "on", QPushButton("not checkable"))
