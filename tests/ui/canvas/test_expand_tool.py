"""The Crop/Expand tool in the real window: dragging edges and corners with the mouse, typed
pixels per side, aspect presets with anchors, the plan line, and undo over all of it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from desktop_editor.core.expand import Expansion
from desktop_editor.ui.canvas.tools.expand import dragged
from editor_helpers import make_photo, open_image

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def framing(qtbot, window, tmp_path):
    document = open_image(qtbot, window, make_photo(tmp_path / "shot.png", (401, 301)))
    window.show_mask_page()
    window.actions["tool.expand"].trigger()
    assert window.canvas.tools.current.tool_id == "expand"
    return window, document


def _drag(window, start: QPointF, end: QPointF, steps: int = 4) -> None:
    """A mouse drag between two image points on the canvas."""
    canvas = window.canvas
    viewport = canvas.viewport()
    a = canvas.map_from_image(start)
    b = canvas.map_from_image(end)
    QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, a.toPoint())
    for i in range(1, steps + 1):
        p = a + (b - a) * (i / steps)
        QTest.mouseMove(viewport, p.toPoint())
    QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, b.toPoint())


def test_the_key_picks_the_tool_and_its_options_show(qtbot, framing):
    window, _document = framing
    window.resize(1440, 800)
    assert window.actions["tool.expand"].shortcut().toString() == "O"
    options = window.options_bar.expand_options
    # The bar lays its widgets out (and shows them) on its next layout pass.
    qtbot.waitUntil(lambda: options.aspect_combo.isVisible() and options.sides["b"].isVisible()
                    and options.reset_button.isVisible(), timeout=3000)
    window.actions["tool.brush"].trigger()
    qtbot.waitUntil(lambda: not options.aspect_combo.isVisible(), timeout=3000)


def test_dragging_the_right_edge_out_expands_and_undo_takes_it_back(qtbot, framing):
    window, document = framing
    scale = window.canvas.scale()
    _drag(window, QPointF(401, 150), QPointF(401 + 120 / scale * scale, 150))
    exp = document.expansion
    assert exp is not None and exp.left == exp.top == exp.bottom == 0
    assert abs(exp.right - 120) <= 2 / scale + 1
    assert document.undo_stack.count() == 1 and document.undo_stack.undoText() == "Expand Canvas"
    options = window.options_bar.expand_options
    assert options.sides["r"].value() == exp.right
    note = window.params_panel.sent_label.text()
    assert note.startswith(f"Canvas {401 + exp.right}x301: sent as "), note
    window.actions["edit.undo"].trigger()
    assert document.pending_expansion() is None and options.sides["r"].value() == 0
    window.actions["edit.redo"].trigger()
    assert document.expansion == exp


def test_a_corner_drag_moves_two_edges_and_inward_crops(framing):
    window, document = framing
    _drag(window, QPointF(0, 0), QPointF(-60, -40))
    exp = document.expansion
    assert exp.left > 0 and exp.top > 0 and exp.right == exp.bottom == 0
    _drag(window, QPointF(401, 301), QPointF(351, 271))
    exp2 = document.expansion
    assert exp2.right < 0 and exp2.bottom < 0 and (exp2.left, exp2.top) == (exp.left, exp.top)
    assert document.undo_stack.count() == 2 and document.undo_stack.undoText() == "Crop Canvas"


def test_drag_limits_keep_some_of_the_original():
    exp = dragged(Expansion(), frozenset("r"), -10_000, 0, 401, 301)
    assert exp.right == -(401 - 16)
    exp = dragged(Expansion(), frozenset("lt"), -30.4, -20.6, 401, 301)
    assert exp == Expansion(30, 21, 0, 0)


def test_alt_drags_around_the_centre_and_shift_keeps_the_shape():
    assert dragged(Expansion(), frozenset("r"), 50, 0, 400, 300, symmetric=True) == Expansion(50, 0, 50, 0)
    exp = dragged(Expansion(), frozenset("rb"), 100, 7, 400, 300, keep_ratio=True)
    assert exp == Expansion(0, 0, 100, 75), "400x300 stays 4:3 at 500x375"
    exp = dragged(Expansion(), frozenset("lt"), -40, 0, 400, 300, keep_ratio=True, symmetric=True)
    assert exp == Expansion(40, 30, 40, 30)
    assert exp.canvas_size(400, 300) == (480, 360)


def test_typed_pixels_per_side(qtbot, framing):
    window, document = framing
    options = window.options_bar.expand_options
    for side, value in zip("ltrb", (10, 0, 250, 33)):
        spin = options.sides[side]
        spin.selectAll()
        spin.setValue(value)
    assert document.expansion == Expansion(10, 0, 250, 33)
    assert document.undo_stack.count() == 3  # three sides changed, three steps
    assert window.params_panel.sent_label.text() == "Canvas 661x334: sent as 1168x592, result scaled to 661x334."


@pytest.mark.parametrize("preset,anchor,expected", [
    ("9:16", "center", Expansion(0, 206, 0, 206)),
    ("1:1", "top", Expansion(0, 0, 0, 100)),
    ("1:1", "left", Expansion(0, 50, 0, 50)),  # the anchor's side that does not grow: centred
    ("16:9", "right", Expansion(134, 0, 0, 0)),
    ("4:5", "bottom", Expansion(0, 200, 0, 0)),
])
def test_a_preset_with_an_anchor_frames_the_canvas(framing, preset, anchor, expected):
    window, document = framing
    options = window.options_bar.expand_options
    options.anchor_combo.setCurrentIndex(options.anchor_combo.findData(anchor))
    options.aspect_combo.setCurrentText(preset)
    exp = document.expansion
    cw, ch = exp.canvas_size(401, 301)
    pw, ph = (int(v) for v in preset.split(":"))
    assert abs(cw / ch - pw / ph) < 0.01
    assert exp == expected
    assert document.undo_stack.undoText() == f"Expand to {preset}"
    assert "sent as" in window.params_panel.sent_label.text()


def test_custom_aspect_outside_the_rules_is_refused_with_the_nearest(framing):
    window, document = framing
    options = window.options_bar.expand_options
    options.aspect_combo.setCurrentText("Custom")
    assert all(action.isVisible() for action in options.custom_actions)
    options.custom_w.setValue(4)
    options.custom_h.setValue(1)
    assert "nearest allowed is 3:1" in options.problem_label.text()
    assert document.pending_expansion() is None or document.expansion.canvas_size(401, 301)[0] / 301 <= 3


def test_overlap_reset_and_the_frame_stays_visible_with_other_tools(qtbot, framing):
    window, document = framing
    options = window.options_bar.expand_options
    options.aspect_combo.setCurrentText("1:1")
    options.overlap_spin.setValue(48)
    assert document.expand_overlap == 48
    window.actions["tool.brush"].trigger()
    before = window.canvas.paint_count
    window.canvas.viewport().repaint()
    assert window.canvas.paint_count > before
    grab = window.canvas.viewport().grab().toImage()
    top = window.canvas.map_from_image(QPointF(200, -40)).toPoint()
    # The new area above the photo is drawn as the checkerboard, not the plain background.
    assert grab.pixelColor(top).lightness() > 90
    window.actions["tool.expand"].trigger()
    options.reset_button.click()
    assert document.pending_expansion() is None
    window.actions["edit.undo"].trigger()
    assert document.pending_expansion() is not None


def test_a_project_keeps_the_frame(qtbot, framing, tmp_path):
    window, document = framing
    options = window.options_bar.expand_options
    options.overlap_spin.setValue(40)
    options.aspect_combo.setCurrentText("4:5")
    frame = document.expansion
    project = tmp_path / "framed.deproj"
    assert window.saver.save_project(document, project)
    assert window.close_document(document)
    with qtbot.waitSignal(window.document_opened, timeout=10000) as opened:
        window.open_path(project)
    restored = opened.args[0]
    assert restored.expansion == frame and restored.expand_overlap == 40
    assert restored.undo_stack.count() == 0 and not restored.is_modified()
    assert "sent as" in window.params_panel.sent_label.text()


def test_an_aspect_shows_only_on_the_image_framed_to_it(qtbot, framing, tmp_path):
    window, document = framing
    options = window.options_bar.expand_options
    options.aspect_combo.setCurrentText("9:16")
    assert document.pending_expansion() is not None
    other = open_image(qtbot, window, make_photo(tmp_path / "other.png", (300, 200)))
    assert window.canvas.document() is other and other.pending_expansion() is None
    assert options.aspect_combo.currentText() == "Free"  # its frame is untouched
    window.document_list.set_current(document)
    assert options.aspect_combo.currentText() == "9:16"  # back on the framed image
    document.undo_stack.undo()  # the frame taken back: no aspect any more
    assert options.aspect_combo.currentText() == "Free"
    document.undo_stack.redo()
    assert options.aspect_combo.currentText() == "9:16"
    options.sides["l"].setValue(options.sides["l"].value() + 10)  # typed: no longer that aspect
    assert options.aspect_combo.currentText() == "Free"


def test_an_expanded_canvas_is_never_said_to_have_an_empty_mask(qtbot, framing):
    window, document = framing
    assert window.status.coverage_label.text() == "Mask empty"
    document.set_expansion(Expansion(0, 0, 99, 0))  # 401x301 -> 500x301: the new fifth is masked
    window.status.update_coverage()
    assert window.status.coverage_label.text() == "Mask 19.8% with the new area"
    document.set_expansion(None)
    window.status.update_coverage()
    assert window.status.coverage_label.text() == "Mask empty"


def test_the_frame_badge_stays_in_view_however_long_its_plan_line(qapp):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFont, QFontMetrics

    from desktop_editor.ui.canvas.tools.base import badge_geometry

    metrics = QFontMetrics(QFont())
    text = "600 x 1067   (+0 +333 +0 +334)   Canvas 600x1067: sent as 624x1104, result scaled to 600x1067."
    view = QRectF(0, 0, 420, 300)
    free, _same = badge_geometry(metrics, QPointF(350, 10), text)
    assert free.right() > view.right()  # as drawn before: cut off at the canvas's edge
    rect, shown = badge_geometry(metrics, QPointF(350, 10), text, view)
    assert view.contains(rect) and shown.endswith("…") and len(shown) < len(text)
    short, kept = badge_geometry(metrics, QPointF(390, 10), "600 x 1067", view)
    assert kept == "600 x 1067" and view.contains(short) and short.left() < 390
    where, _text = badge_geometry(metrics, QPointF(40, 10), "600 x 1067", view)
    assert where.left() == 40  # a badge that fits stays where it was put
