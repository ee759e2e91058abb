"""Which keys and commands the window offers for what it shows now.

The page (the canvas, the compare view, or Mix inside it) decides the registry's active page
of keys and which undo stack Undo works on (the image's, or the mix's); what is open and
selected decides which commands are enabled. The main window calls these whenever either
changes; `window` is the `MainWindow` (not imported here, so the two modules do not import
each other).
"""

from __future__ import annotations

from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMainWindow

from desktop_editor.ui.compare.view import CompareMode
from desktop_editor.ui.window.actions import COMPARE, MASK, MIX


def group_actions(window: QMainWindow) -> None:
    """The exclusive groups of the window's actions: its mask tools, its two pages, and the
    Images menu's open images (filled when the menu opens). Sets `tool_group`, `page_group`
    and `image_action_group`."""
    actions = window.actions
    window.tool_group = QActionGroup(window)
    for tool_id in window.canvas.tools.tools:
        window.tool_group.addAction(actions[f"tool.{tool_id}"])
    window.page_group = QActionGroup(window)
    window.page_group.addAction(actions["view.mask_page"])
    window.page_group.addAction(actions["view.compare_page"])
    actions["view.mask_page"].setChecked(True)
    actions["view.show_mask"].setChecked(True)
    window.image_action_group = QActionGroup(window)


def _mixing(window: QMainWindow) -> bool:
    return window.is_compare_page() and window.compare_view.mode() is CompareMode.MIX


def refresh_page_actions(window: QMainWindow) -> None:
    """The page's keys, checked page action and active undo stack, then what is enabled."""
    compare = window.is_compare_page()
    mixing = _mixing(window)
    window.actions.set_page(MIX if mixing else COMPARE if compare else MASK)
    document = window.current_document()
    session = window.mixing.session if hasattr(window, "mixing") else None
    stack = session.undo_stack if mixing and session is not None else (
        document.undo_stack if document is not None else None)
    if window.undo_group.activeStack() is not stack:
        window.undo_group.setActiveStack(stack)
    window.actions["view.mask_page"].setChecked(not compare)
    window.actions["view.compare_page"].setChecked(compare)
    window.options_bar.set_painting(not compare)
    window.status.set_comparing(compare)
    refresh_enabled_actions(window)


def refresh_enabled_actions(window: QMainWindow) -> None:
    """Enable each command whose condition holds: an open image, a selected result, a last
    job's mask, something to compare, a mix shown."""
    comparable = window.compare_view.after_image() is not None
    window.actions.refresh({
        "document": window.current_document() is not None,
        "result": window.results_strip.selected_index() >= 0,
        "last_mask": window.current_document() is not None and window.mask_commands.has_last_job_mask(),
        "comparable": comparable or window.is_compare_page(),
        "mix": hasattr(window, "mixing") and window.mixing.session is not None and _mixing(window),
    })


def hand_out_actions(window: QMainWindow) -> None:
    """Give the widgets that show the window's commands as their own buttons the registry's
    actions, so their buttons, tips and menus name the keys: the results strip its Save,
    Save As, Copy and Use as input, the mix bar Save Mix, Save as Layers and Use Mix as Input."""
    actions = window.actions
    window.results_strip.use_window_actions(
        {name: actions[f"result.{name}"] for name in ("save", "save_as", "copy", "use_as_input")}, actions.set_tip)
    window.compare_view.mix_bar.add_actions([actions["mix.save"], actions["file.save_layers"], actions["mix.use_as_input"]])
    window.results_strip.layers_action = actions["file.save_layers"]  # Save as Layers in each result's menu
