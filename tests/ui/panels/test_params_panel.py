"""The parameters panel driven like a designer would: model choice, prompt, size, cost, Generate."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QModelIndex, Qt

from desktop_editor.core.params import MAX_INPUT_IMAGES, EditParams, nearest_valid_size
from desktop_editor.ui.panels.params_panel import CUSTOM_SIZE, ParamsPanel, cost_text, size_label


@pytest.fixture
def panel(qtbot) -> ParamsPanel:
    p = ParamsPanel()
    qtbot.addWidget(p)
    p.resize(360, 900)
    p.set_open_image("photo.png")
    p.set_image_size(3840, 2160)
    return p


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} not offered"
    combo.setCurrentIndex(index)


def type_prompt(qtbot, panel: ParamsPanel, text: str) -> None:
    panel.prompt_edit.setFocus()
    qtbot.keyClicks(panel.prompt_edit, text)


def test_fields_follow_the_chosen_model(panel):
    assert panel.model_combo.currentData() == "openai/gpt-image-2/edit"
    assert panel.row_visible(panel.size_row) and panel.row_visible(panel.quality_combo)
    assert not panel.row_visible(panel.fidelity_combo) and not panel.row_visible(panel.background_combo)
    assert panel.size_combo.findData(CUSTOM_SIZE) >= 0

    choose(panel.model_combo, "openai/gpt-image-1.5/edit")
    assert panel.row_visible(panel.fidelity_combo) and panel.row_visible(panel.background_combo)
    assert panel.size_combo.findData(CUSTOM_SIZE) < 0  # 1.5 takes only its three sizes
    assert panel.size_combo.findData("1536x1024") >= 0

    choose(panel.model_combo, "runflow/tag-removal")
    assert not panel.prompt_section.isVisibleTo(panel)
    for widget in (panel.num_images_spin, panel.format_combo, panel.size_row, panel.quality_combo, panel.fidelity_combo):
        assert not panel.row_visible(widget)
    assert panel.params().model == "runflow/tag-removal"
    assert panel.is_valid()  # no prompt needed


# The field each input row of the panel stands for (written here, not taken from the catalogue).
def _rows(panel) -> dict[str, object]:
    return {
        "num_images": panel.num_images_spin, "output_format": panel.format_combo, "image_size": panel.size_row,
        "quality": panel.quality_combo, "sync_mode": panel.sync_check,
        "input_fidelity": panel.option_combos["input_fidelity"], "background": panel.option_combos["background"],
        "aspect_ratio": panel.option_combos["aspect_ratio"], "resolution": panel.option_combos["resolution"],
    }


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
    if panel.add_refs_button.isVisibleTo(panel):
        shown.add("references")
    assert shown == fields


def test_product_isolation_choices_reach_the_parameters(panel):
    choose(panel.model_combo, "runflow/product-isolation")
    assert panel.option_combos["aspect_ratio"].currentData() == "1:1"  # what Runflow's own code sends
    assert panel.option_combos["resolution"].currentData() == "1K"
    assert "OPTIONAL" in panel.prompt_header.text() and panel.is_valid()
    choose(panel.option_combos["aspect_ratio"], "4:5")
    panel.model.prompt = "the bottle only"
    params = panel.params()
    assert params.options == {"aspect_ratio": "4:5"} and params.prompt == "the bottle only"
    assert params.model_input(["u"], None) == {
        "image_url": "u", "aspect_ratio": "4:5", "resolution": "1K", "prompt": "the bottle only",
    }


def test_a_model_without_a_mask_says_what_the_mask_does(panel):
    choose(panel.model_combo, "runflow/tag-removal")
    assert panel.mask_note.isVisibleTo(panel) and panel.row_visible(panel.keep_check)
    assert "puts the original back outside the painted area" in panel.mask_note.text()
    assert not panel.row_visible(panel.send_combo)  # only a model with a mask field gets a region
    assert panel.options()["keep_unmasked"] is True
    panel.keep_check.setChecked(False)
    assert "may change every pixel" in panel.mask_note.text()

    panel.keep_check.setChecked(True)
    choose(panel.model_combo, "runflow/product-isolation")
    assert "recomposes the whole frame" in panel.mask_note.text() and "is off" in panel.mask_note.text()
    assert not panel.row_visible(panel.keep_check)
    assert panel.options()["keep_unmasked"] is False  # nothing to restrict: the frame is new

    choose(panel.model_combo, "openai/gpt-image-2/edit")
    assert not panel.mask_note.isVisibleTo(panel) and panel.options()["keep_unmasked"] is True


def test_switching_model_drops_a_size_it_does_not_take(panel):
    panel.set_params(EditParams(prompt="sky", image_size="1536x1008"))
    assert panel.custom_size.isVisibleTo(panel)
    choose(panel.model_combo, "openai/gpt-image-1.5/edit")
    assert panel.params().image_size == "auto"


def test_custom_size_is_validated_live_and_nearest_size_applies(qtbot, panel):
    type_prompt(qtbot, panel, "warm sunset")
    choose(panel.size_combo, CUSTOM_SIZE)
    assert panel.custom_size.isVisibleTo(panel)
    panel.custom_size.clear()
    qtbot.keyClicks(panel.custom_size, "1000x1000")

    assert "not a multiple of 16" in panel.size_problem.text()
    assert panel.size_problem.isVisibleTo(panel)
    assert not panel.generate_button.isEnabled()
    w, h = nearest_valid_size(1000, 1000)
    assert panel.nearest_button.text() == f"Use {w}x{h}"
    assert panel.nearest_button.isVisibleTo(panel)

    qtbot.mouseClick(panel.nearest_button, Qt.MouseButton.LeftButton)
    assert panel.custom_size.text() == f"{w}x{h}"
    assert panel.params().image_size == f"{w}x{h}"
    assert panel.problems() == []
    assert not panel.size_problem.isVisibleTo(panel)
    assert panel.generate_button.isEnabled()


def test_unreadable_size_explains_the_format(qtbot, panel):
    choose(panel.size_combo, CUSTOM_SIZE)
    panel.custom_size.clear()
    qtbot.keyClicks(panel.custom_size, "big")
    assert "not understood" in panel.size_problem.text()
    assert not panel.nearest_button.isVisibleTo(panel)
    panel.custom_size.clear()
    assert "WIDTHxHEIGHT" in panel.size_problem.text()


def test_presets_are_named_for_people():
    assert size_label("portrait_4_3", (768, 1024)) == "Portrait 4:3 · 768x1024"
    assert size_label("square_hd", (1024, 1024)) == "Square HD · 1024x1024"
    assert size_label("1536x1024", (1536, 1024)) == "1536x1024 · landscape"


def test_character_count_follows_the_prompt(qtbot, panel):
    assert panel.char_count.text() == "0 / 32,000"
    type_prompt(qtbot, panel, "Replace the sky")
    assert panel.char_count.text() == "15 / 32,000"
    panel.set_params(panel.params().with_changes(prompt="x" * 32_001))
    assert panel.char_count.text() == "32,001 / 32,000"
    assert "limit is 32,000" in panel.prompt_problem.text()
    assert not panel.generate_button.isEnabled()


def test_cost_estimate_for_two_high_quality_images(panel):
    panel.num_images_spin.setValue(2)
    choose(panel.quality_combo, "high")
    assert panel.cost_label.text() == "≈ $0.27 — 2 × high at $0.133"
    panel.set_prices({"low": 0.01, "medium": 0.05, "high": 0.2, "auto": 0.2})
    assert panel.cost_label.text() == "≈ $0.40 — 2 × high at $0.200"
    choose(panel.quality_combo, "low")
    assert panel.cost_label.text() == "≈ $0.020 — 2 × low at $0.010"
    assert "No listed price" in cost_text(EditParams(model="runflow/product-isolation"), {})


def test_size_that_will_be_sent(panel):
    assert panel.sent_label.text() == "Sent as 3840x2160"
    panel.set_image_size(7680, 4320)
    assert panel.sent_label.text() == "Sent as 3840x2160 (scaled down from 7680x4320)"
    choose(panel.size_combo, "landscape_4_3")
    assert panel.sent_label.text().endswith("; result 1024x768")


def test_generate_is_disabled_while_invalid_and_asks_when_valid(qtbot, panel):
    assert not panel.generate_button.isEnabled()  # no prompt yet
    assert panel.prompt_problem.isVisibleTo(panel)
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


def test_recent_prompts_menu_fills_the_prompt(qtbot, panel):
    assert not panel.recent_button.isEnabled()
    panel.set_recent_prompts(["make it night", "add snow"])
    assert panel.recent_button.isEnabled()
    panel.recent_menu.aboutToShow.emit()
    actions = panel.recent_menu.actions()
    assert [a.text() for a in actions] == ["make it night", "add snow"]
    actions[1].trigger()
    assert panel.params().prompt == "add snow"


def test_params_round_trip_and_change_signal(qtbot, panel):
    wanted = EditParams(prompt="neon sign", num_images=3, output_format="webp", image_size="1536x1008",
                        quality="medium", sync_mode=True)
    with qtbot.waitSignal(panel.params_changed, timeout=1000) as blocker:
        panel.set_params(wanted)
    assert panel.params() == wanted
    assert blocker.args[0] == panel.params()
    assert panel.custom_size.text() == "1536x1008"
    assert panel.format_combo.currentData() == "webp"

    extras = EditParams(prompt="cut out", model="openai/gpt-image-1.5/edit",
                        options={"input_fidelity": "high", "background": "transparent"})
    panel.set_params(extras)
    assert panel.params() == extras
    assert panel.fidelity_combo.currentData() == "high"
    choose(panel.fidelity_combo, "")
    assert panel.params().options == {"background": "transparent"}


def test_options_for_the_job(qtbot, panel):
    assert panel.options() == {"keep_unmasked": True, "feather": 4, "colour_match": False, "region_padding": None}
    assert not panel.padding_spin.isEnabled()
    with qtbot.waitSignal(panel.options_changed, timeout=1000):
        choose(panel.send_combo, True)
    assert panel.padding_spin.isEnabled()
    panel.padding_spin.setValue(96)
    panel.feather_spin.setValue(0)
    panel.keep_check.setChecked(False)
    assert panel.options() == {"keep_unmasked": False, "feather": 0, "colour_match": False, "region_padding": 96}
    assert not panel.feather_spin.isEnabled()
    assert "region around the mask" in panel.sent_label.text()
    panel.set_options(keep_unmasked=True, feather=8, region_padding=None)
    assert panel.options() == {"keep_unmasked": True, "feather": 8, "colour_match": False, "region_padding": None}


def _pngs(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = folder / f"ref{i:02d}.png"
        Image.new("RGB", (40, 30), (i * 10, 100, 200)).save(path)
        paths.append(path)
    return paths


def test_reference_images_add_reorder_remove_and_limit(qtbot, panel, tmp_path):
    paths = _pngs(tmp_path, 20)
    with qtbot.waitSignal(panel.references_changed, timeout=1000):
        added = panel.add_reference_paths(paths[:3])
    assert added == 3
    assert panel.reference_paths() == paths[:3]
    assert panel.refs_count.text() == "4 of 16"
    assert panel.open_row.isVisibleTo(panel) and panel.open_name.text() == "photo.png"

    # Drag-reorder moves rows in the list's model; the panel follows.
    assert panel.refs_list.model().moveRow(QModelIndex(), 0, QModelIndex(), 3)
    assert panel.reference_paths() == [paths[1], paths[2], paths[0]]

    panel.refs_list.item(1).setSelected(True)
    assert panel.remove_refs_button.isEnabled()
    qtbot.mouseClick(panel.remove_refs_button, Qt.MouseButton.LeftButton)
    assert panel.reference_paths() == [paths[1], paths[0]]

    added = panel.add_reference_paths(paths[3:])
    assert added == MAX_INPUT_IMAGES - 1 - 2
    assert len(panel.reference_paths()) == MAX_INPUT_IMAGES - 1
    assert "not added" in panel.refs_problem.text()
    assert not panel.add_refs_button.isEnabled()
    assert panel.is_valid() or panel.problems()[0].field == "prompt"

    # Thumbnails load off the GUI thread and land in the list.
    panel._thumbs.wait()
    qtbot.waitUntil(lambda: not panel.refs_list.item(0).icon().isNull(), timeout=3000)


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

    before = panel.quality_combo.currentIndex()
    event = QWheelEvent(QPointF(5, 5), QPointF(5, 5), QPoint(0, -120), QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(panel.quality_combo, event)
    assert panel.quality_combo.currentIndex() == before
