"""The tool options bar fits a 1400 px window with every tool's options: Generate stays on the
bar, never in its overflow menu. Measured with the app's theme, whose padding the widths include."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from desktop_editor.ui.canvas.expand_options import CUSTOM
from desktop_editor.ui.canvas.tools import TOOL_CLASSES
from desktop_editor.ui.common.theme import apply_theme

WIDTH = 1400


@pytest.fixture
def themed(qapp):
    """The dark theme, as the app applies it at start; the application's look put back after."""
    sheet, palette, style = qapp.styleSheet(), qapp.palette(), qapp.style().name()
    apply_theme(qapp, "dark")
    yield
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    if qapp.style().name() != style:
        qapp.setStyle(style)


def _settle(qtbot, window) -> None:
    QApplication.processEvents()
    qtbot.wait(20)  # the toolbar lays its items out on the next pass
    QApplication.processEvents()


def _on_the_bar(window, action_id: str) -> bool:
    widget = window.options_bar.widgetForAction(window.actions[action_id])
    return widget is not None and widget.isVisible() and widget.geometry().right() < window.options_bar.width()


@pytest.mark.parametrize("tool_id", [cls.tool_id for cls in TOOL_CLASSES])
def test_generate_stays_on_the_bar_at_1400_px_with_each_tools_options(qtbot, themed, window, tool_id):
    window.resize(WIDTH, 900)
    window.actions[f"tool.{tool_id}"].trigger()
    if tool_id == "expand":  # its widest state: a custom aspect adds two boxes
        window.options_bar.expand_options.aspect_combo.setCurrentText(CUSTOM)
    _settle(qtbot, window)
    bar = window.options_bar
    assert bar.width() <= WIDTH
    assert bar.sizeHint().width() <= bar.width(), f"{tool_id}: the options need {bar.sizeHint().width()} px"
    assert _on_the_bar(window, "edit.generate")
    assert _on_the_bar(window, "edit.settings")


def test_the_selection_modes_are_icons_with_their_names_in_tooltips(qtbot, themed, window):
    window.resize(WIDTH, 900)
    window.actions["tool.wand"].trigger()
    _settle(qtbot, window)
    for action in window.options_bar.mode_actions.values():
        assert not action.icon().isNull() and action.isVisible()
        assert action.text() in action.toolTip()
        assert window.options_bar.widgetForAction(action).width() <= 40  # an icon, not a word
    assert window.options_bar.tool_badge.toolTip() == "Magic Wand"


@pytest.mark.parametrize("tool_id", [cls.tool_id for cls in TOOL_CLASSES if cls.tool_id != "expand"])
def test_generate_stays_on_the_bar_at_1280_px_with_each_painting_tools_options(qtbot, themed, window, tool_id):
    """1280 px: a 1920x1080 screen at 150% (the expand tool's many fields overflow there)."""
    window.resize(1280, 720)
    window.actions[f"tool.{tool_id}"].trigger()
    _settle(qtbot, window)
    assert window.options_bar.sizeHint().width() <= window.options_bar.width(), tool_id
    assert _on_the_bar(window, "edit.generate")
