"""Driving the parameters panel's widgets as a designer would."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_editor.ui.panels.params.panel import ParamsPanel


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} not offered"
    combo.setCurrentIndex(index)


def type_prompt(qtbot, panel: ParamsPanel, text: str) -> None:
    panel.prompt_edit.setFocus()
    qtbot.keyClicks(panel.prompt_edit, text)
