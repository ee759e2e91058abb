"""Mask editing as a designer builds a mask: fill with soft edges, selections that add, brush
opacity, straight lines and on-canvas resizing, live previews, marching ants, and a screen that
always shows the mask as it is."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from desktop_editor.core import cpu, mask_ops
from desktop_editor.core.images import LoadedImage
from desktop_editor.core.mask_ops import SelectionMode
from desktop_editor.ui.canvas.tools.selection import mode_cursor
from desktop_editor.ui.canvas.view import CanvasView
from desktop_editor.ui.models.document import Document

from editor_helpers import make_photo, open_image

NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton


@pytest.fixture
def doc(qtbot, window, tmp_path):
    document = open_image(qtbot, window, make_photo(tmp_path / "photo.png", (320, 200)))
    window.canvas.set_zoom(2.0)
    window.canvas.setFocus()
    return document


def view_point(canvas, x: float, y: float) -> QPoint:
    return canvas.map_from_image(QPointF(x, y)).toPoint()


def drag(canvas, points, modifiers=NO, button=LEFT) -> None:
    viewport = canvas.viewport()
    QTest.mousePress(viewport, button, modifiers, points[0])
    for p in points[1:]:
        QTest.mouseMove(viewport, p)
    QTest.mouseRelease(viewport, button, modifiers, points[-1])


def render(canvas) -> np.ndarray:
    """What the canvas shows, as an RGB array."""
    canvas.viewport().repaint()
    image = canvas.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    return np.array(Image.fromqimage(image)) if hasattr(Image, "fromqimage") else _qimage_array(image)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Two renders agree (over their common top-left part: the status bar may take a row or two)."""
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    return np.array_equal(a[:h, :w], b[:h, :w])


def _qimage_array(image: QImage) -> np.ndarray:
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * h).reshape(h, image.bytesPerLine())
    return data[:, : w * 3].reshape(h, w, 3).copy()


def soft_ring(doc) -> np.ndarray:
    mask = np.zeros((doc.height, doc.width), np.uint8)
    for t in np.linspace(0, 2 * np.pi, 300):
        p = (160 + 60 * np.cos(t), 100 + 60 * np.sin(t))
        mask_ops.paint_segment(mask, p, p, 12, hardness=0.2)
    return mask


# -- fill ---------------------------------------------------------------------------------------


def test_fill_inside_a_soft_ring_leaves_no_halo_and_the_options_bar_sets_the_tolerance(window, doc):
    canvas = window.canvas
    ring = soft_ring(doc)
    doc.set_mask_array(ring, "ring")
    window.actions["tool.bucket"].trigger()
    bar = window.options_bar
    assert all(action.isVisible() for action in bar._fill_options) and bar.soft_edge_check.isChecked()
    assert not any(action.isVisible() for action in bar._brush_options)
    QTest.mouseClick(canvas.viewport(), LEFT, NO, view_point(canvas, 160.5, 100.5))
    yy, xx = np.mgrid[0:200, 0:320]
    d = np.hypot(xx + 0.5 - 160, yy + 0.5 - 100)
    mask = doc.mask_array()
    assert mask[d <= 60].min() == 255 and np.array_equal(mask[d > 61], ring[d > 61])
    assert doc.undo_stack.count() == 2

    doc.undo_stack.undo()
    bar.soft_edge_check.setChecked(False)
    assert canvas.tools.settings.fill_soft_edge is False
    bar.tolerance_spin.setValue(20)
    assert canvas.tools.settings.fill_tolerance == 51
    QTest.mouseClick(canvas.viewport(), LEFT, NO, view_point(canvas, 160.5, 100.5))
    assert 0 < doc.mask_array()[d <= 60].min() < 255  # the old behaviour, now a choice


def test_fill_of_a_large_mask_runs_on_a_worker(qtbot, window, tmp_path):
    document = open_image(qtbot, window, make_photo(tmp_path / "big.png", (2600, 1700)))
    mask = np.zeros((1700, 2600), np.uint8)
    mask[100:1600, 100] = mask[100:1600, 2500] = mask[100, 100:2501] = mask[1600, 100:2501] = 255
    document.set_mask_array(mask, "frame")
    canvas = window.canvas
    canvas.fit_to_window()
    window.actions["tool.bucket"].trigger()
    QTest.mouseClick(canvas.viewport(), LEFT, NO, view_point(canvas, 1300, 800))
    tool = canvas.tools.current
    assert tool.is_busy() and document.undo_stack.count() == 1  # the window goes on meanwhile
    qtbot.waitUntil(lambda: document.undo_stack.count() == 2, timeout=10000)
    assert not tool.is_busy()
    assert document.mask_pixels()[101:1600, 101:2500].min() == 255 and not document.mask_pixels()[50, 50]


# -- selections -----------------------------------------------------------------------------------


def test_a_lasso_adds_to_brush_work_by_default_and_the_cursor_shows_the_mode(qtbot, window, doc):
    canvas = window.canvas
    window.actions["tool.brush"].trigger()
    canvas.tools.settings.brush_size, canvas.tools.settings.hardness = 20, 1.0
    drag(canvas, [view_point(canvas, 20, 20), view_point(canvas, 80, 20)])
    painted = doc.mask_array()
    window.actions["tool.lasso"].trigger()
    bar = window.options_bar
    assert bar.mode_actions[SelectionMode.ADD].isChecked() and bar.mode_actions[SelectionMode.ADD].isVisible()
    outline = [(150, 100), (250, 100), (250, 180), (150, 180), (150, 100)]
    drag(canvas, [view_point(canvas, x, y) for x, y in outline])
    mask = doc.mask_array()
    assert np.array_equal(mask[:60], painted[:60])  # the brush work is still there
    assert mask[110:170, 160:240].min() == 255

    viewport = canvas.viewport()
    QTest.mouseMove(viewport, view_point(canvas, 100, 150))
    add = mode_cursor(SelectionMode.ADD).pixmap().toImage()
    assert viewport.cursor().pixmap().toImage() == add
    QTest.keyPress(canvas, Qt.Key.Key_Alt, ALT)  # Alt held: a click would subtract, and the cursor says so
    assert viewport.cursor().pixmap().toImage() == mode_cursor(SelectionMode.SUBTRACT).pixmap().toImage()
    QTest.keyRelease(canvas, Qt.Key.Key_Alt, NO)
    assert viewport.cursor().pixmap().toImage() == add
    bar.mode_actions[SelectionMode.REPLACE].trigger()  # the chosen mode is shown and remembered
    assert viewport.cursor().pixmap().toImage() == mode_cursor(SelectionMode.REPLACE).pixmap().toImage()
    assert window.settings is not None
    window.close()
    assert window.settings.value("selection/mode") == "replace"


# -- brush --------------------------------------------------------------------------------------


def test_shift_click_draws_a_straight_line_from_the_last_stroke(window, doc):
    canvas = window.canvas
    window.actions["tool.brush"].trigger()
    canvas.tools.settings.brush_size, canvas.tools.settings.hardness = 6, 1.0
    QTest.mouseClick(canvas.viewport(), LEFT, NO, view_point(canvas, 20.5, 30.5))
    QTest.mouseMove(canvas.viewport(), view_point(canvas, 200.5, 130.5))
    QTest.keyPress(canvas, Qt.Key.Key_Shift, SHIFT)
    assert canvas.tools.current._line_preview  # a dashed line shows where the click would draw
    QTest.mouseClick(canvas.viewport(), LEFT, SHIFT, view_point(canvas, 200.5, 130.5))
    QTest.keyRelease(canvas, Qt.Key.Key_Shift, NO)
    mask = doc.mask_array()
    for t in np.linspace(0, 1, 25):
        x, y = 20.5 + 180 * t, 30.5 + 100 * t
        assert mask[int(y), int(x)] == 255
    assert not mask[130, 20] and not mask[30, 200]
    assert doc.undo_stack.count() == 2  # the click, then the line


def test_brush_opacity_and_flow_from_the_options_bar(window, doc):
    canvas = window.canvas
    window.actions["tool.brush"].trigger()
    settings = canvas.tools.settings
    settings.brush_size, settings.hardness = 20, 1.0
    window.options_bar.opacity_spin.setValue(50)
    assert settings.opacity == 0.5
    drag(canvas, [view_point(canvas, 20, 50), view_point(canvas, 150, 50), view_point(canvas, 30, 50)])
    assert doc.mask_array()[50, 25:145].max() == 128  # going back over it does not build up
    drag(canvas, [view_point(canvas, 20, 50), view_point(canvas, 150, 50)])
    assert doc.mask_array()[50, 80] == 192  # a second stroke does
    window.options_bar.flow_spin.setValue(25)
    assert settings.flow == 0.25


def test_alt_right_drag_resizes_the_brush_without_painting(window, doc):
    canvas = window.canvas
    window.actions["tool.brush"].trigger()
    settings = canvas.tools.settings
    settings.brush_size, settings.hardness = 40, 0.5
    start = view_point(canvas, 100, 100)
    # Right by 30 screen px at 200%: the radius grows by 15 image px, the diameter by 30.
    drag(canvas, [start, start + QPoint(10, 0), start + QPoint(30, -40)], ALT, RIGHT)
    assert settings.brush_size == 70 and settings.hardness == pytest.approx(0.7)
    assert not doc.mask_pixels().any() and doc.undo_stack.count() == 0
    # Ctrl+Alt+drag does the same with the left button (macOS, one-button mice).
    drag(canvas, [start, start + QPoint(-20, 0)], ALT | Qt.KeyboardModifier.ControlModifier, LEFT)
    assert settings.brush_size == 50 and not doc.mask_pixels().any()


def test_worker_image_work_holds_back_while_a_stroke_is_in_progress(window, doc):
    """From the press to the release the canvas tells core.cpu that the designer paints, so
    workers' long image steps wait and the window's thread has the GIL to itself."""
    canvas = window.canvas
    window.actions["tool.brush"].trigger()
    viewport = canvas.viewport()
    start = view_point(canvas, 100, 100)
    assert not cpu.is_painting()
    QTest.mousePress(viewport, LEFT, NO, start)
    QTest.mouseMove(viewport, start + QPoint(20, 5))
    assert cpu.is_painting()
    QTest.mouseRelease(viewport, LEFT, NO, start + QPoint(20, 5))
    assert not cpu.is_painting()
    assert doc.mask_pixels()[100, 100] == 255
    QTest.mousePress(viewport, LEFT, NO, start)
    assert cpu.is_painting()
    canvas.hide()  # a canvas hidden mid-stroke holds no worker back
    assert not cpu.is_painting()
    canvas.show()
    QTest.mouseRelease(viewport, LEFT, NO, start)


def test_backslash_toggles_mask_only(window, doc):
    canvas = window.canvas
    QTest.keyClick(canvas, Qt.Key.Key_Backslash)
    assert canvas.is_mask_only() and window.actions["view.mask_only"].isChecked()
    QTest.keyClick(canvas, Qt.Key.Key_Backslash)
    assert not canvas.is_mask_only()


# -- grow, shrink, feather with a live preview --------------------------------------------------


def test_grow_previews_on_the_canvas_and_cancel_leaves_the_mask_untouched(qtbot, window, doc, monkeypatch):
    from desktop_editor.ui.canvas import drawing as view_module

    made_on = []
    real = view_module._preview_mask_level
    monkeypatch.setattr(view_module, "_preview_mask_level",
                        lambda *args: made_on.append(threading.current_thread()) or real(*args))
    canvas = window.canvas
    box = np.zeros((200, 320), np.uint8)
    box[80:120, 140:180] = 255
    doc.set_mask_array(box, "box")
    before_view = render(canvas)
    dialog = window.mask_commands.ask_adjust("grow")
    assert dialog.isVisible()
    dialog.slider.setValue(12)  # the slider drives the amount
    qtbot.waitUntil(dialog.result_ready)
    preview = canvas.mask_preview()
    assert preview is not None and preview[70, 160] == 255 and preview[60, 160] == 0
    assert np.array_equal(doc.mask_array(), box)  # only shown, not applied
    assert not same(render(canvas), before_view)  # the canvas shows the grown mask
    assert made_on and not any(thread is threading.main_thread() for thread in made_on)  # on the worker
    dialog.reject()
    assert canvas.mask_preview() is None and np.array_equal(doc.mask_array(), box)
    assert doc.undo_stack.count() == 1
    assert same(render(canvas), before_view)

    dialog = window.mask_commands.ask_adjust("feather")
    dialog.set_amount(6)
    dialog.accept()  # before the preview arrived: applied as soon as it is ready
    qtbot.waitUntil(lambda: doc.undo_stack.count() == 2)
    assert doc.undo_stack.text(1) == "Feather mask 6 px" and 0 < doc.mask_array()[80, 160] < 255
    assert canvas.mask_preview() is None


# -- marching ants -------------------------------------------------------------------------------


def test_marching_ants_follow_the_mask_and_draw_only_what_is_visible(qtbot, window, doc):
    canvas = window.canvas
    mask = np.zeros((200, 320), np.uint8)
    mask[20:60, 20:60] = 255  # top left
    mask[140:190, 250:310] = 255  # bottom right
    doc.set_mask_array(mask, "two boxes")
    window.actions["view.mask_only"].trigger()  # ants on white and black: easy to see
    window.actions["view.marching_ants"].trigger()
    assert canvas.marching_ants()
    canvas.wait_for_outline()
    qtbot.waitUntil(lambda: len(canvas.outline().pieces) >= 2)
    total = len(canvas.outline().pieces)
    canvas.set_zoom(8.0)
    canvas.center_on(QPointF(40, 40))  # only the first box is on screen
    canvas.ants_pieces_drawn = 0
    canvas.viewport().repaint()  # one full paint
    assert canvas.ants_pieces_drawn == 1 < total
    shot = render(canvas)
    edge = canvas.map_from_image(QPointF(40.0, 20.5)).toPoint()  # on the top edge, inside the white box
    rows = shot[edge.y() - 1 : edge.y() + 2, edge.x() - 12 : edge.x() + 12].max(axis=2)
    assert any((row < 60).any() and (row > 200).any() for row in rows)  # black and white dashes
    # The outline follows a change of the mask, once the changes pause.
    doc.set_mask_array(np.zeros_like(mask), "clear")
    canvas.wait_for_outline()
    qtbot.waitUntil(lambda: not canvas.outline().pieces)
    window.actions["view.marching_ants"].trigger()
    assert not canvas.marching_ants()


# -- the screen always shows the mask as it is --------------------------------------------------


def no_scroll_bars(view: CanvasView) -> None:
    """The same viewport size whatever the zoom, so two views can be compared."""
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


def fresh_render(qtbot, canvas: CanvasView, document: Document) -> np.ndarray:
    """The same view drawn by a new canvas that never saw the old mask."""
    other = CanvasView()
    qtbot.addWidget(other)
    no_scroll_bars(other)
    other.resize(canvas.size())
    other.set_overlay_color(canvas.overlay_color())
    other.set_overlay_opacity(canvas.overlay_opacity())
    other.show()
    qtbot.waitExposed(other)
    other.set_document(document)
    other.restore_view_state(canvas.view_state())
    return render(other)


@pytest.mark.parametrize("zoom", [2.0, 0.6, 0.3])
def test_every_mask_change_repaints_its_old_and_new_areas(qtbot, window, doc, zoom):
    canvas = window.canvas
    no_scroll_bars(canvas)
    canvas.set_zoom(zoom)
    canvas.center_on(QPointF(160, 100))
    window.actions["tool.brush"].trigger()
    canvas.tools.settings.brush_size, canvas.tools.settings.hardness = 16, 0.6
    render(canvas)  # every level the view uses is built and up to date
    drag(canvas, [view_point(canvas, 20, 20), view_point(canvas, 300, 180), view_point(canvas, 30, 170)])
    window.actions["tool.rect"].trigger()
    window.options_bar.mode_actions[SelectionMode.REPLACE].trigger()

    def check(what: str) -> None:
        QTest.qWait(1)
        assert same(render(canvas), fresh_render(qtbot, canvas, doc)), what

    check("the stroke")
    drag(canvas, [view_point(canvas, 100, 60), view_point(canvas, 140, 90)])  # replaced by a rectangle
    assert doc.mask_pixels()[20, 20] == 0
    check("a rectangle replacing the strokes")
    doc.undo_stack.undo()
    check("undo")
    doc.undo_stack.redo()
    check("redo")
    window.actions["mask.invert"].trigger()
    check("invert")
    window.actions["tool.bucket"].trigger()
    QTest.mouseClick(canvas.viewport(), LEFT, ALT, view_point(canvas, 10, 10))
    check("clear with the fill")


def test_a_mask_changed_while_another_image_is_shown_is_drawn_as_it_is(qtbot, window, doc, tmp_path):
    canvas = window.canvas
    no_scroll_bars(canvas)
    canvas.set_zoom(0.6)
    render(canvas)  # builds the half-size level of the first image's mask
    first = doc
    second = open_image(qtbot, window, make_photo(tmp_path / "second.png", (300, 180)))
    assert window.current_document() is second
    box = np.zeros((200, 320), np.uint8)
    box[30:150, 40:280] = 255
    first.set_mask_array(box, "set in the background")  # e.g. the previous job's mask reused
    window.document_list.set_current(first)
    assert canvas.document() is first
    assert same(render(canvas), fresh_render(qtbot, canvas, first))


def test_tools_on_a_document_without_a_window(qtbot):
    document = Document(LoadedImage(image=Image.new("RGB", (64, 48))))
    canvas = CanvasView()
    qtbot.addWidget(canvas)
    canvas.set_document(document)
    canvas.set_marching_ants(True)
    canvas.wait_for_outline()
    assert canvas.outline().pieces == ()  # an empty mask has no edge
