"""The smart selection tools in the real window: their keys, a real click and a real drag on
the canvas, the options bar, and Edit > Refine Edge."""

from __future__ import annotations

import numpy as np
from editor_helpers import open_image
from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolBar

NO = Qt.KeyboardModifier.NoModifier
LEFT = Qt.MouseButton.LeftButton


def _photo(path):
    """Grey with a red square (60..140, 40..120) on a 200x160 picture."""
    pixels = np.full((160, 200, 3), 120, np.uint8)
    pixels[40:120, 60:140] = (220, 30, 30)
    Image.fromarray(pixels, "RGB").save(path)
    return path


def _at(canvas, x, y):
    return canvas.map_from_image(QPointF(x, y)).toPoint()


def _settle(qtbot, work):
    qtbot.waitUntil(lambda: not work.busy(), timeout=20000)


def test_w_picks_the_wand_and_a_click_on_the_canvas_selects_the_square(qtbot, window, tmp_path):
    document = open_image(qtbot, window, _photo(tmp_path / "square.png"))
    canvas = window.canvas
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_W)
    assert canvas.tools.current.tool_id == "wand" and window.actions["tool.wand"].isChecked()
    bar = window.options_bar.smart_options
    assert all(action.isVisible() for action in bar.actions["wand"])
    assert not any(action.isVisible() for action in bar.actions["object"])
    QTest.mouseClick(canvas.viewport(), LEFT, NO, _at(canvas, 100, 80))
    _settle(qtbot, canvas.tools.current.work)
    mask = document.mask_pixels()
    assert mask[80, 100] == 255 and mask[10, 10] == 0 and document.undo_stack.count() == 1
    bar.tolerance_spin.setValue(200)  # the options bar re-thresholds the click: grey comes in too
    _settle(qtbot, canvas.tools.current.work)
    assert document.mask_pixels()[10, 10] == 255 and document.undo_stack.count() == 1
    window.actions["edit.undo"].trigger()
    assert not document.mask_pixels().any()


def test_q_picks_select_object_and_a_dragged_box_selects_the_square(qtbot, window, tmp_path):
    document = open_image(qtbot, window, _photo(tmp_path / "square.png"))
    canvas = window.canvas
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_Q)
    tool = canvas.tools.current
    assert tool.tool_id == "object" and all(a.isVisible() for a in window.options_bar.smart_options.actions["object"])
    viewport = canvas.viewport()
    QTest.mousePress(viewport, LEFT, NO, _at(canvas, 45, 25))
    QTest.mouseMove(viewport, _at(canvas, 100, 80))
    QTest.mouseMove(viewport, _at(canvas, 155, 135))
    QTest.mouseRelease(viewport, LEFT, NO, _at(canvas, 155, 135))
    _settle(qtbot, tool.work)
    mask = document.mask_pixels()
    assert mask[80, 100] == 255 and mask[30, 50] == 0 and mask[10, 10] == 0
    assert (mask[40:120, 60:140] >= 128).mean() > 0.95
    assert document.undo_stack.count() == 1


def test_ctrl_alt_r_opens_refine_edge_and_escape_cancels_it(qtbot, window, tmp_path):
    document = open_image(qtbot, window, _photo(tmp_path / "square.png"))
    rough = np.zeros((160, 200), np.uint8)
    rough[36:124, 56:144] = 255  # 4 px too big all round
    document.set_mask_array(rough, "rough")
    canvas = window.canvas
    canvas.setFocus()
    assert window.actions["mask.refine_edge"].isEnabled()
    QTest.keyClick(canvas, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert window.refine_edge.is_active() and window.refine_edge.bar.isVisible()
    _settle(qtbot, window.refine_edge.work)
    assert document.undo_stack.count() == 2
    truth = np.zeros_like(rough)
    truth[40:120, 60:140] = 255
    band = (slice(30, 130), slice(50, 150))
    error = lambda m: np.abs(m[band].astype(int) - truth[band]).mean()  # noqa: E731
    assert error(document.mask_pixels()) < 0.7 * error(rough)  # moved towards the square's edge
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    assert not window.refine_edge.is_active()
    assert np.array_equal(document.mask_pixels(), rough)
    redo = window.actions["edit.redo"]
    assert not redo.isEnabled() and "Refine edge" not in redo.text()


def test_enter_applies_refine_edge_and_esc_reaches_the_tool_once_it_is_closed(qtbot, window, tmp_path, monkeypatch):
    document = open_image(qtbot, window, _photo(tmp_path / "square.png"))
    rough = np.zeros((160, 200), np.uint8)
    rough[36:124, 56:144] = 255
    document.set_mask_array(rough, "rough")
    canvas = window.canvas
    canvas.setFocus()
    apply, cancel = window.actions["refine_edge.apply"], window.actions["refine_edge.cancel"]
    assert not apply.isEnabled() and not cancel.isEnabled()
    QTest.keyClick(canvas, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert window.refine_edge.is_active() and apply.isEnabled() and cancel.isEnabled()
    _settle(qtbot, window.refine_edge.work)
    refined = document.mask_array()
    assert not np.array_equal(refined, rough)
    QTest.keyClick(canvas, Qt.Key.Key_Return)
    assert not window.refine_edge.is_active() and not window.refine_edge.bar.isVisible()
    assert np.array_equal(document.mask_pixels(), refined) and document.undo_stack.count() == 2
    assert not apply.isEnabled() and not cancel.isEnabled()

    cancelled = []
    monkeypatch.setattr(canvas.tools.current, "cancel", lambda: cancelled.append(True))
    QTest.keyClick(canvas, Qt.Key.Key_Escape)  # the closed refine edge leaves Esc to the canvas
    assert cancelled == [True]
    assert np.array_equal(document.mask_pixels(), refined)


def _edit_menu(window):
    return next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Edit")


def test_shift_q_selects_the_subject_on_a_worker_as_one_undo_step(qtbot, window, tmp_path):
    document = open_image(qtbot, window, _photo(tmp_path / "square.png"))
    canvas = window.canvas
    canvas.setFocus()
    assert window.actions["mask.select_subject"].isEnabled()
    assert window.actions["mask.select_subject"] in _edit_menu(window).actions()
    assert any(window.actions["mask.select_subject"] in bar.actions() for bar in window.findChildren(QToolBar))
    QTest.keyClick(canvas, Qt.Key.Key_Q, Qt.KeyboardModifier.ShiftModifier)
    tool = canvas.tools.current
    assert tool.tool_id == "object" and tool.work.busy()  # the window's thread is not held
    _settle(qtbot, tool.work)
    mask = document.mask_pixels()
    assert (mask[40:120, 60:140] >= 128).mean() > 0.95 and mask[10, 10] == 0
    assert document.undo_stack.count() == 1 and document.undo_stack.text(0) == "Select subject (replace)"
    window.actions["edit.undo"].trigger()
    assert not document.mask_pixels().any()


def test_select_subject_from_the_edit_menu_and_a_photo_with_no_subject(qtbot, window, tmp_path):
    path = tmp_path / "wall.png"
    Image.fromarray(np.full((160, 200, 3), 120, np.uint8), "RGB").save(path)
    document = open_image(qtbot, window, path)
    action = window.actions["mask.select_subject"]
    action.trigger()  # as the menu entry does
    tool = window.canvas.tools.current
    _settle(qtbot, tool.work)
    assert "No clear subject" in window.status.currentMessage()
    assert document.undo_stack.count() == 0 and not document.mask_pixels().any()
