"""The prompt section: character count against the limit, recent prompts."""

from __future__ import annotations

from params_helpers import type_prompt


def test_character_count_follows_the_prompt(qtbot, panel):
    assert panel.prompt_section.char_count.text() == "0 / 32,000"
    type_prompt(qtbot, panel, "Replace the sky")
    assert panel.prompt_section.char_count.text() == "15 / 32,000"
    panel.set_params(panel.params().with_changes(prompt="x" * 32_001))
    assert panel.prompt_section.char_count.text() == "32,001 / 32,000"
    assert "limit is 32,000" in panel.prompt_section.problem.text()
    assert not panel.generate_button.isEnabled()


def test_recent_prompts_menu_fills_the_prompt(qtbot, panel):
    assert not panel.prompt_section.recent_button.isEnabled()
    panel.set_recent_prompts(["make it night", "add snow"])
    assert panel.prompt_section.recent_button.isEnabled()
    panel.prompt_section.recent_menu.aboutToShow.emit()
    actions = panel.prompt_section.recent_menu.actions()
    assert [a.text() for a in actions] == ["make it night", "add snow"]
    actions[1].trigger()
    assert panel.params().prompt == "add snow"
