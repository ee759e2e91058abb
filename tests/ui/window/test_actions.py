"""The action registry: one declaration per command, keys that never clash, the guide in step,
and keys that work wherever the focus is."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from desktop_editor.ui.common.conversions import qimage_from_pil
from desktop_editor.ui.compare.modes import CompareMode
from desktop_editor.ui.window.actions import ACTIONS, ANY, HOLD_KEYS, MENUS, PAGES, SPECS, TOOLS_TOOLBAR, markdown_table

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "guide.md"


def _normal(key: str) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)


def test_every_id_is_declared_once_and_every_layout_names_declared_ids():
    ids = [spec.id for spec in ACTIONS]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    named = [e for _title, entries in MENUS for e in entries] + list(TOOLS_TOOLBAR)
    assert [e for e in named if e != "-" and not e.startswith("@") and e not in SPECS] == []


def test_keys_are_unique_within_each_page():
    for page in PAGES:
        keys = [_normal(k) for spec in ACTIONS if spec.page in (ANY, page) for k in spec.keys]
        keys += [_normal(k) for hold in HOLD_KEYS if hold.page in (ANY, page) for k in hold.keys]
        assert [k for k, n in Counter(keys).items() if n > 1] == [], page


def test_the_guide_key_table_is_the_registry():
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(r"<!-- keys:begin[^>]*-->\n(.*?)\n<!-- keys:end -->", text, re.S)
    assert match, "docs/guide.md lost its key table markers"
    assert match.group(1).strip() == markdown_table(), "run python docs/ship_guide.py to bring it up to date"


def test_window_actions_follow_the_registry(window):
    for spec in ACTIONS:
        action = window.actions[spec.id]
        assert action.isCheckable() == spec.checkable
        if spec.page in (ANY, "mask"):
            assert [s.toString() for s in action.shortcuts()] == [_normal(k) for k in spec.keys], spec.id


def test_ctrl_s_saves_the_project_while_painting_and_the_result_while_comparing(qtbot, window):
    save_project, save_result = window.actions["file.save_project"], window.actions["result.save"]
    assert save_project.shortcut().toString() == "Ctrl+S" and save_result.shortcut().isEmpty()
    _show_a_comparison(qtbot, window)
    assert save_result.shortcut().toString() == "Ctrl+S" and save_project.shortcut().isEmpty()


def _show_a_comparison(qtbot, window):
    before = qimage_from_pil(Image.fromarray(np.full((60, 80, 3), 90, np.uint8)))
    after = qimage_from_pil(Image.fromarray(np.full((60, 80, 3), 200, np.uint8)))
    window.compare_view.set_images(before, after, None)
    assert window.show_compare_page()
    qtbot.waitUntil(window.is_compare_page)


def test_compare_keys_work_when_a_panel_has_the_focus(qtbot, window):
    _show_a_comparison(qtbot, window)
    jobs_list = window.results_strip  # a panel with focus once swallowed 1-4
    jobs_list.setFocus()
    qtbot.waitUntil(jobs_list.hasFocus)
    for key, mode in ((Qt.Key.Key_2, CompareMode.SIDE_BY_SIDE), (Qt.Key.Key_4, CompareMode.DIFFERENCE),
                      (Qt.Key.Key_3, CompareMode.TOGGLE), (Qt.Key.Key_1, CompareMode.WIPE)):
        QTest.keyClick(jobs_list, key)
        assert window.compare_view.mode() is mode


def test_result_keys_come_from_the_registry_and_act_on_the_strips_selection(qtbot, window, tmp_path):
    from desktop_editor.ui.panels.results_strip import ResultItem

    strip = window.results_strip
    # One action per command: the strip shows the registry's, so no key is bound twice.
    assert (strip.save_action, strip.save_as_action, strip.copy_action) == tuple(
        window.actions[f"result.{name}"] for name in ("save", "save_as", "copy"))
    assert len([a for a in window.findChildren(QAction) if a.shortcuts() and a.shortcut().toString() == "Ctrl+C"]) == 1
    _show_a_comparison(qtbot, window)
    strip.set_output_dir(tmp_path)
    strip.set_results([ResultItem(image=Image.new("RGB", (32, 24), (5, 6, 7)), label="Result 1", name="kept")])
    strip.setFocus()
    qtbot.waitUntil(strip.hasFocus)
    with qtbot.waitSignal(strip.result_saved, timeout=10000) as saved:
        QTest.keyClick(strip, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert Path(saved.args[0]) == tmp_path / "kept.png" and (tmp_path / "kept.png").is_file()
    with qtbot.waitSignal(strip.already_saved, timeout=10000) as said:
        QTest.keyClick(strip, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert said.args == [str(tmp_path / "kept.png")]
    with qtbot.waitSignal(strip.result_copied, timeout=10000) as copied:
        QTest.keyClick(strip, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert copied.args == [0]
    strip.wait_for_background_work()


def test_space_shows_the_original_wherever_the_focus_is_but_types_in_text_fields(qtbot, window):
    _show_a_comparison(qtbot, window)
    window.compare_view.set_mode(CompareMode.TOGGLE)
    jobs_list = window.results_strip
    jobs_list.setFocus()
    qtbot.waitUntil(jobs_list.hasFocus)
    QTest.keyPress(jobs_list, Qt.Key.Key_Space)
    assert window.compare_view.is_showing_before()
    QTest.keyRelease(jobs_list, Qt.Key.Key_Space)
    assert not window.compare_view.is_showing_before()

    field = QLineEdit(window.jobs_panel)
    field.show()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    QTest.keyClick(field, Qt.Key.Key_Space)
    QTest.keyClick(field, Qt.Key.Key_2)
    assert field.text() == " 2"
    assert not window.compare_view.is_showing_before()
    assert window.compare_view.mode() is CompareMode.TOGGLE


def test_typing_a_tool_key_in_the_prompt_types_it(qtbot, window):
    prompt = window.params_panel.prompt_edit
    prompt.setFocus()
    qtbot.waitUntil(prompt.hasFocus)
    QTest.keyClicks(prompt, "bee")
    assert prompt.toPlainText().endswith("bee")
    assert window.canvas.tools.current.tool_id == "brush"


def test_help_lists_every_key(qtbot, window):
    from desktop_editor.ui.window.actions import shortcut_rows

    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    assert dialog.row_count() == len(shortcut_rows()) == sum(1 for s in ACTIONS if s.keys) + len(HOLD_KEYS)
    dialog.close()


def test_the_strip_names_the_result_keys_on_its_buttons_tips_and_menu(qtbot, window, tmp_path):
    from desktop_editor.ui.panels.results_strip import ResultItem
    from desktop_editor.ui.window.actions import native

    strip = window.results_strip
    _show_a_comparison(qtbot, window)
    strip.set_output_dir(tmp_path)
    strip.set_results([ResultItem(image=Image.new("RGB", (32, 24), (5, 6, 7)), label="Result 1", name="kept")])
    save, save_as, copy = native(["Ctrl+S"]), native(["Ctrl+Shift+S"]), native(["Ctrl+C"])
    assert strip.buttons["save"].text() == "Save" and strip.buttons["copy"].text() == "Copy"
    assert all(button.actions() == [button.defaultAction()] for button in strip.buttons.values())  # no menu arrows
    assert strip.buttons["save"].toolTip().endswith(f"({save})")
    assert strip.buttons["save_as"].toolTip().endswith(f"({save_as})")
    assert strip.buttons["copy"].toolTip().endswith(f"({copy})")
    menu = strip.context_menu(0)
    keys = {a.iconText(): a.shortcut().toString(QKeySequence.SequenceFormat.NativeText) for a in menu.actions() if a.text()}
    assert keys["Save"] == save and keys["Save As…"] == save_as and keys["Copy"] == copy
    menu.deleteLater()
    with qtbot.waitSignal(strip.result_saved, timeout=10000):
        strip.buttons["save"].click()
    assert strip.save_action.toolTip() == f"Already saved as kept.png in {tmp_path}; Save only says where it is ({save})"
    window.show_mask_page()
    assert strip.save_action.toolTip() == f"Already saved as kept.png in {tmp_path}; Save only says where it is"
    assert window.show_compare_page()
    assert strip.save_action.toolTip().startswith("Already saved as kept.png")
    strip.wait_for_background_work()
