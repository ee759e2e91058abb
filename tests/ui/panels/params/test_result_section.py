"""The result section: what the mask does with each model, how results are kept, what is sent."""

from __future__ import annotations

from params_helpers import choose


def test_a_model_without_a_mask_says_what_the_mask_does(panel):
    choose(panel.model_combo, "runflow/tag-removal")
    assert panel.result_section.mask_note.isVisibleTo(panel) and panel.row_visible(panel.result_section.keep_check)
    assert "puts the original back outside the painted area" in panel.result_section.mask_note.text()
    assert not panel.row_visible(panel.result_section.send_combo)  # only a model with a mask field gets a region
    assert panel.options()["keep_unmasked"] is True
    panel.result_section.keep_check.setChecked(False)
    assert "may change every pixel" in panel.result_section.mask_note.text()

    panel.result_section.keep_check.setChecked(True)
    choose(panel.model_combo, "runflow/product-isolation")
    assert "recomposes the whole frame" in panel.result_section.mask_note.text() and "is off" in panel.result_section.mask_note.text()
    assert not panel.row_visible(panel.result_section.keep_check)
    assert panel.options()["keep_unmasked"] is False  # nothing to restrict: the frame is new

    choose(panel.model_combo, "openai/gpt-image-2/edit")
    assert not panel.result_section.mask_note.isVisibleTo(panel) and panel.options()["keep_unmasked"] is True


def test_options_for_the_job(qtbot, panel):
    assert panel.options() == {"keep_unmasked": True, "feather": 4, "colour_match": False, "region_padding": None}
    assert not panel.result_section.padding_spin.isEnabled()
    with qtbot.waitSignal(panel.options_changed, timeout=1000):
        choose(panel.result_section.send_combo, True)
    assert panel.result_section.padding_spin.isEnabled()
    panel.result_section.padding_spin.setValue(96)
    panel.result_section.feather_spin.setValue(0)
    panel.result_section.keep_check.setChecked(False)
    assert panel.options() == {"keep_unmasked": False, "feather": 0, "colour_match": False, "region_padding": 96}
    assert not panel.result_section.feather_spin.isEnabled()
    assert "region around the mask" in panel.sent_label.text()
    panel.set_options(keep_unmasked=True, feather=8, region_padding=None)
    assert panel.options() == {"keep_unmasked": True, "feather": 8, "colour_match": False, "region_padding": None}
