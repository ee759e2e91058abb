"""The parameters panel driven like a designer would: model choice, fields shown, cost, Generate."""

from __future__ import annotations

import pytest
from params_helpers import choose, type_prompt
from PySide6.QtCore import Qt

from desktop_editor.core.params import EditParams
from desktop_editor.ui.models.params_text import cost_text
from desktop_editor.ui.panels.params.size_field import CUSTOM_SIZE


# The field each input row of the panel stands for (written here, not taken from the catalogue).
def _rows(panel) -> dict[str, object]:
    return {
        "num_images": panel.output_section.num_images_spin, "output_format": panel.output_section.format_combo, "image_size": panel.output_section.size,
        "quality": panel.output_section.quality_combo, "sync_mode": panel.output_section.sync_check,
        "input_fidelity": panel.output_section.options.combos["input_fidelity"], "background": panel.output_section.options.combos["background"],
        "aspect_ratio": panel.output_section.options.combos["aspect_ratio"], "resolution": panel.output_section.options.combos["resolution"],
    }


def test_fields_follow_the_chosen_model(panel):
    assert panel.model_combo.currentData() == "openai/gpt-image-2/edit"
    assert panel.row_visible(panel.output_section.size) and panel.row_visible(panel.output_section.quality_combo)
    assert not panel.row_visible(panel.output_section.options.combos["input_fidelity"]) and not panel.row_visible(panel.output_section.options.combos["background"])
    assert panel.output_section.size.combo.findData(CUSTOM_SIZE) >= 0

    choose(panel.model_combo, "openai/gpt-image-1.5/edit")
    assert panel.row_visible(panel.output_section.options.combos["input_fidelity"]) and panel.row_visible(panel.output_section.options.combos["background"])
    assert panel.output_section.size.combo.findData(CUSTOM_SIZE) < 0  # 1.5 takes only its three sizes
    assert panel.output_section.size.combo.findData("1536x1024") >= 0

    choose(panel.model_combo, "runflow/tag-removal")
    assert not panel.prompt_section.isVisibleTo(panel)
    for widget in (panel.output_section.num_images_spin, panel.output_section.format_combo, panel.output_section.size, panel.output_section.quality_combo, panel.output_section.options.combos["input_fidelity"]):
        assert not panel.row_visible(widget)
    assert panel.params().model == "runflow/tag-removal"
    assert panel.is_valid()  # no prompt needed


@pytest.mark.parametrize(
    "model, fields",
    [
        ("openai/gpt-image-2/edit", {"prompt", "references", "num_images", "output_format", "image_size", "quality",
                                     "sync_mode"}),
        ("openai/gpt-image-1.5/edit", {"prompt", "references", "num_images", "output_format", "image_size", "quality",
                                       "input_fidelity", "background", "sync_mode"}),
        ("runflow/tag-removal", set()),
        ("runflow/product-isolation", {"prompt", "aspect_ratio", "resolution"}),
    ],
)
def test_the_panel_shows_exactly_the_models_fields(panel, model, fields):
    choose(panel.model_combo, model)
    shown = {name for name, widget in _rows(panel).items() if panel.row_visible(widget)}
    if panel.prompt_section.isVisibleTo(panel):
        shown.add("prompt")
    if panel.images_section.add_button.isVisibleTo(panel):
        shown.add("references")
    assert shown == fields


def test_cost_estimate_for_two_high_quality_images(panel):
    panel.output_section.num_images_spin.setValue(2)
    choose(panel.output_section.quality_combo, "high")
    assert panel.cost_label.text() == "≈ $0.27 — 2 × high at $0.133"
    panel.set_prices({"low": 0.01, "medium": 0.05, "high": 0.2, "auto": 0.2})
    assert panel.cost_label.text() == "≈ $0.40 — 2 × high at $0.200"
    choose(panel.output_section.quality_combo, "low")
    assert panel.cost_label.text() == "≈ $0.020 — 2 × low at $0.010"
    assert "No listed price" in cost_text(EditParams(model="runflow/product-isolation"), {})


def test_size_that_will_be_sent(panel):
    assert panel.sent_label.text() == "Sent as 3840x2160"
    panel.set_image_size(7680, 4320)
    assert panel.sent_label.text() == "Sent as 3840x2160 (scaled down from 7680x4320)"
    choose(panel.output_section.size.combo, "landscape_4_3")
    assert panel.sent_label.text().endswith("; result 1024x768")


def test_generate_is_disabled_while_invalid_and_asks_when_valid(qtbot, panel):
    assert not panel.generate_button.isEnabled()  # no prompt yet
    assert panel.prompt_section.problem.isVisibleTo(panel)
    type_prompt(qtbot, panel, "warm sunset")
    assert panel.generate_button.isEnabled()

    with qtbot.waitSignal(panel.generate_requested, timeout=1000):
        qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.generate_requested, timeout=1000):
        qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.recent_prompts() == ["warm sunset"]
    assert panel.model.prompt == "warm sunset"  # Ctrl+Enter did not add a line

    panel.clear_image()
    assert not panel.generate_button.isEnabled()
    assert "Open an image" in panel.problems_label.text()
    with qtbot.assertNotEmitted(panel.generate_requested):
        qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_params_round_trip_and_change_signal(qtbot, panel):
    wanted = EditParams(prompt="neon sign", num_images=3, output_format="webp", image_size="1536x1008",
                        quality="medium", sync_mode=True)
    with qtbot.waitSignal(panel.params_changed, timeout=1000) as blocker:
        panel.set_params(wanted)
    assert panel.params() == wanted
    assert blocker.args[0] == panel.params()
    assert panel.output_section.size.custom.text() == "1536x1008"
    assert panel.output_section.format_combo.currentData() == "webp"

    extras = EditParams(prompt="cut out", model="openai/gpt-image-1.5/edit",
                        options={"input_fidelity": "high", "background": "transparent"})
    panel.set_params(extras)
    assert panel.params() == extras
    assert panel.output_section.options.combos["input_fidelity"].currentData() == "high"
    choose(panel.output_section.options.combos["input_fidelity"], "")
    assert panel.params().options == {"background": "transparent"}


def test_demo_mode_is_said_plainly(panel):
    panel.set_demo(True)
    assert panel.demo_label.isVisibleTo(panel)
    assert "emulated" in panel.demo_label.text()
    assert panel.generate_button.text() == "Generate (demo)"


def test_panel_renders(panel):
    panel.set_params(EditParams(prompt="sky", num_images=2))
    image = panel.grab().toImage()
    assert not image.isNull() and image.width() == 360


def test_scrolling_over_an_unfocused_choice_does_not_change_it(qtbot, panel):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    before = panel.output_section.quality_combo.currentIndex()
    event = QWheelEvent(QPointF(5, 5), QPointF(5, 5), QPoint(0, -120), QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(panel.output_section.quality_combo, event)
    assert panel.output_section.quality_combo.currentIndex() == before
