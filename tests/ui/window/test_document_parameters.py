"""Each image owns what it is sent with: prompt, parameters, result options and references."""

from __future__ import annotations

from editor_helpers import make_photo, open_image
from PySide6.QtTest import QTest


def test_a_prompt_typed_for_one_image_never_travels_to_another(qtbot, window, tmp_path):
    cup = open_image(qtbot, window, make_photo(tmp_path / "cup.png", (120, 90)))
    panel = window.params_panel
    panel.prompt_edit.setFocus()
    QTest.keyClicks(panel.prompt_edit, "replace the coffee cup with a teapot")
    panel.model.feather = 17
    reference = make_photo(tmp_path / "teapot.png", (64, 64))
    panel.add_reference_paths([reference])

    bike = open_image(qtbot, window, make_photo(tmp_path / "motorcycle.png", (140, 80)))
    assert window.current_document() is bike
    assert panel.params().prompt == window.preferences.default_params.prompt
    assert "coffee" not in panel.prompt_edit.toPlainText()
    assert panel.options()["feather"] == round(window.preferences.feather)
    assert panel.reference_paths() == []
    panel.prompt_edit.setPlainText("paint the motorcycle red")

    window.set_current_document(cup)
    assert panel.params().prompt == "replace the coffee cup with a teapot"
    assert panel.options()["feather"] == 17
    assert [p.name for p in panel.reference_paths()] == ["teapot.png"]
    window.set_current_document(bike)
    assert panel.params().prompt == "paint the motorcycle red"
    assert cup.params["prompt"] == "replace the coffee cup with a teapot"
