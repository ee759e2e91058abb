"""The size field: presets named for people, a custom size checked as it is typed, the nearest valid size."""

from __future__ import annotations

from params_helpers import choose, type_prompt
from PySide6.QtCore import Qt

from desktop_editor.core.params import EditParams, nearest_valid_size
from desktop_editor.ui.models.params_text import size_label
from desktop_editor.ui.panels.params.size_field import CUSTOM_SIZE


def test_switching_model_drops_a_size_it_does_not_take(panel):
    panel.set_params(EditParams(prompt="sky", image_size="1536x1008"))
    assert panel.output_section.size.custom.isVisibleTo(panel)
    choose(panel.model_combo, "openai/gpt-image-1.5/edit")
    assert panel.params().image_size == "auto"


def test_custom_size_is_validated_live_and_nearest_size_applies(qtbot, panel):
    type_prompt(qtbot, panel, "warm sunset")
    choose(panel.output_section.size.combo, CUSTOM_SIZE)
    assert panel.output_section.size.custom.isVisibleTo(panel)
    panel.output_section.size.custom.clear()
    qtbot.keyClicks(panel.output_section.size.custom, "1000x1000")

    assert "not a multiple of 16" in panel.output_section.size.problem.text()
    assert panel.output_section.size.problem.isVisibleTo(panel)
    assert not panel.generate_button.isEnabled()
    w, h = nearest_valid_size(1000, 1000)
    assert panel.output_section.size.nearest_button.text() == f"Use {w}x{h}"
    assert panel.output_section.size.nearest_button.isVisibleTo(panel)

    qtbot.mouseClick(panel.output_section.size.nearest_button, Qt.MouseButton.LeftButton)
    assert panel.output_section.size.custom.text() == f"{w}x{h}"
    assert panel.params().image_size == f"{w}x{h}"
    assert panel.problems() == []
    assert not panel.output_section.size.problem.isVisibleTo(panel)
    assert panel.generate_button.isEnabled()


def test_unreadable_size_explains_the_format(qtbot, panel):
    choose(panel.output_section.size.combo, CUSTOM_SIZE)
    panel.output_section.size.custom.clear()
    qtbot.keyClicks(panel.output_section.size.custom, "big")
    assert "not understood" in panel.output_section.size.problem.text()
    assert not panel.output_section.size.nearest_button.isVisibleTo(panel)
    panel.output_section.size.custom.clear()
    assert "WIDTHxHEIGHT" in panel.output_section.size.problem.text()


def test_presets_are_named_for_people():
    assert size_label("portrait_4_3", (768, 1024)) == "Portrait 4:3 · 768x1024"
    assert size_label("square_hd", (1024, 1024)) == "Square HD · 1024x1024"
    assert size_label("1536x1024", (1536, 1024)) == "1536x1024 · landscape"
