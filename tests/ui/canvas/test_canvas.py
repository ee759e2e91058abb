"""The canvas driven like a designer would: synthetic mouse, wheel, key and pen events."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QPointingDevice, QTabletEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_editor.core.mask_ops import SelectionMode
from desktop_editor.ui.canvas.navigation import MAX_ZOOM, MIN_ZOOM

from editor_helpers import make_photo, open_image


@pytest.fixture
def doc(qtbot, window, tmp_path):
    document = open_image(qtbot, window, make_photo(tmp_path / "photo.png", (320, 200)))
    window.canvas.set_zoom(2.0)
    window.canvas.setFocus()
    return document


def capsule(shape, a: QPointF, b: QPointF, r: float) -> np.ndarray:
    """Reference footprint of a hard brush from a to b: pixel centres within r of the segment."""
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    ax, ay, bx, by = a.x(), a.y(), b.x(), b.y()
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = np.clip(((xs - ax) * dx + (ys - ay) * dy) / length2, 0, 1) if length2 else np.zeros_like(xs)
    d2 = (xs - ax - t * dx) ** 2 + (ys - ay - t * dy) ** 2
    return np.where(d2 <= r * r, 255, 0).astype(np.uint8)


def stroke(canvas, points: list[QPoint], modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    viewport = canvas.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, modifiers, points[0])
    for point in points[1:]:
        QTest.mouseMove(viewport, point)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifiers, points[-1])


def hard_brush(window, size: int) -> None:
    settings = window.canvas.tools.settings
    settings.brush_size = size
    settings.hardness = 1.0
    window.canvas.tools.set_current("brush")


def test_stroke_changes_exactly_the_expected_pixels(window, doc):
    canvas = window.canvas
    hard_brush(window, 21)
    a, b = QPoint(150, 120), QPoint(330, 210)
    stroke(canvas, [a, b])
    expected = capsule(
        doc.mask_pixels().shape, canvas.map_to_image(QPointF(a)), canvas.map_to_image(QPointF(b)), 10.5
    )
    assert np.array_equal(doc.mask_array(), expected)
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.text(0) == "Brush stroke"


def test_fast_strokes_are_continuous(window, doc):
    canvas = window.canvas
    hard_brush(window, 6)
    points = [QPoint(60 + 90 * i, 100 + (i % 2) * 200) for i in range(7)]  # big jumps between events
    stroke(canvas, points)
    image_points = [canvas.map_to_image(QPointF(p)) for p in points]
    expected = np.zeros_like(doc.mask_pixels())
    for p, q in zip(image_points, image_points[1:]):
        expected = np.maximum(expected, capsule(expected.shape, p, q, 3.0))
    assert np.array_equal(doc.mask_array(), expected)


def test_eraser_undo_and_redo_restore_bytes_exactly(qtbot, window, doc):
    canvas = window.canvas
    hard_brush(window, 15)
    blank = doc.mask_array()
    stroke(canvas, [QPoint(100, 100), QPoint(200, 150), QPoint(260, 120)])
    painted = doc.mask_array()
    assert painted.any()

    QTest.keyClick(canvas, Qt.Key.Key_X)  # swap to the eraser
    assert canvas.tools.current.tool_id == "eraser"
    canvas.tools.settings.brush_size = 40
    stroke(canvas, [QPoint(100, 100), QPoint(200, 150), QPoint(260, 120)])
    assert np.array_equal(doc.mask_array(), blank)
    assert doc.undo_stack.count() == 2

    QTest.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(doc.mask_array(), painted)
    QTest.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(doc.mask_array(), blank)
    QTest.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert np.array_equal(doc.mask_array(), painted)
    QTest.keyClick(canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(doc.mask_array(), blank)


def test_soft_stroke_history_stores_only_its_bounding_box(window, doc):
    canvas = window.canvas
    canvas.tools.settings.brush_size = 30
    canvas.tools.settings.hardness = 0.5
    stroke(canvas, [QPoint(120, 120), QPoint(180, 140)])
    command = doc.undo_stack.command(0)
    x0, y0, x1, y1 = command.payload.bounds
    assert (x0, y0, x1, y1) == _nonzero_bounds(doc.mask_pixels())
    assert (x1 - x0) * (y1 - y0) < 60 * 40
    assert command.nbytes < (x1 - x0) * (y1 - y0)  # compressed, not even a raw copy


def _nonzero_bounds(mask):
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def test_a_dab_repaints_only_the_stroke_area(window, doc, monkeypatch):
    canvas = window.canvas
    hard_brush(window, 10)
    updates: list[QRect] = []
    viewport = canvas.viewport()
    original = viewport.update

    def record(*args):
        if args and isinstance(args[0], QRect):
            updates.append(args[0])
        return original(*args)

    monkeypatch.setattr(viewport, "update", record)
    stroke(canvas, [QPoint(200, 200), QPoint(204, 203)])
    assert updates
    biggest = max(r.width() * r.height() for r in updates)
    assert biggest < 60 * 60  # a 10 px brush at 200% is 20 px wide on screen
    assert viewport.width() * viewport.height() > 100 * biggest


def _ctrl_wheel(canvas, pos: QPoint, steps: int) -> None:
    event = QWheelEvent(
        QPointF(pos),
        QPointF(canvas.viewport().mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas.viewport(), event)


@pytest.mark.parametrize("steps", [1, 3, -1, -2])
def test_wheel_zoom_keeps_the_point_under_the_cursor(window, doc, steps):
    canvas = window.canvas
    canvas.set_zoom(6.0)
    cursor = QPoint(230, 170)
    fixed = canvas.map_to_image(QPointF(cursor))
    before = canvas.zoom()
    _ctrl_wheel(canvas, cursor, steps)
    assert canvas.zoom() != pytest.approx(before)
    after = canvas.map_from_image(fixed)
    assert abs(after.x() - cursor.x()) <= 1 and abs(after.y() - cursor.y()) <= 1


def test_keyboard_zoom_around_cursor_fit_and_actual_pixels(window, doc):
    canvas = window.canvas
    canvas.set_zoom(4.0)  # larger than the window: the view can keep any point fixed
    viewport = canvas.viewport()
    cursor = QPoint(300, 200)
    QTest.mouseMove(viewport, cursor)
    fixed = canvas.map_to_image(QPointF(cursor))
    QTest.keyClick(canvas, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(canvas, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    after = canvas.map_from_image(fixed)
    assert abs(after.x() - cursor.x()) <= 1 and abs(after.y() - cursor.y()) <= 1

    QTest.keyClick(canvas, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert canvas.zoom() == 1.0
    QTest.keyClick(canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    rect = canvas.image_rect_in_view()
    assert canvas.is_fit_mode()
    assert canvas.viewport().rect().toRectF().contains(rect)
    assert max(rect.width() / viewport.width(), rect.height() / viewport.height()) > 0.9

    for _ in range(40):
        canvas.zoom_in()
    assert canvas.zoom() == MAX_ZOOM
    for _ in range(60):
        canvas.zoom_out()
    assert canvas.zoom() == MIN_ZOOM


def test_pan_with_space_drag_middle_drag_and_scroll_bars(window, doc):
    canvas = window.canvas
    canvas.set_zoom(4.0)
    viewport = canvas.viewport()
    start = canvas.map_to_image(QPointF(200, 200))

    QTest.keyPress(canvas, Qt.Key.Key_Space)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(200, 200))
    QTest.mouseMove(viewport, QPoint(260, 230))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(260, 230))
    QTest.keyRelease(canvas, Qt.Key.Key_Space)
    moved = canvas.map_from_image(start)
    assert (moved.x(), moved.y()) == pytest.approx((260, 230), abs=1)
    assert not doc.mask_pixels().any()  # panning never paints

    QTest.mousePress(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(260, 230))
    QTest.mouseMove(viewport, QPoint(200, 200))
    QTest.mouseRelease(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(200, 200))
    back = canvas.map_from_image(start)
    assert (back.x(), back.y()) == pytest.approx((200, 200), abs=1)

    bar = canvas.horizontalScrollBar()
    assert bar.maximum() > bar.minimum()
    bar.setValue(bar.value() + 50)
    shifted = canvas.map_from_image(start)
    assert shifted.x() == pytest.approx(150, abs=1)


def _pixel(canvas, image_point: QPointF) -> QColor:
    grab = canvas.viewport().grab().toImage()
    view = canvas.map_from_image(image_point)
    return grab.pixelColor(int(view.x()), int(view.y()))


def test_overlay_colour_opacity_hide_and_mask_only(window, doc):
    canvas = window.canvas
    canvas.set_zoom(2.0)
    mask = doc.mask_array()
    mask[50:100, 50:150] = 255
    doc.set_mask_array(mask, "test")
    inside, outside = QPointF(100.5, 75.5), QPointF(20.5, 150.5)
    image_colour = doc.image.pixelColor(100, 75)

    canvas.set_overlay_color(QColor(0, 0, 255))
    canvas.set_overlay_opacity(1.0)
    assert _pixel(canvas, inside).getRgb()[:3] == (0, 0, 255)
    canvas.set_overlay_opacity(0.5)
    blended = _pixel(canvas, inside)
    assert blended.blue() > image_colour.blue() and abs(blended.red() - image_colour.red() / 2) <= 2

    canvas.set_mask_visible(False)
    assert _pixel(canvas, inside).getRgb()[:3] == image_colour.getRgb()[:3]
    canvas.set_mask_visible(True)

    canvas.set_mask_only(True)
    assert _pixel(canvas, inside).getRgb()[:3] == (255, 255, 255)
    assert _pixel(canvas, outside).getRgb()[:3] == (0, 0, 0)
    canvas.set_mask_only(False)


def test_zoomed_in_pixels_are_crisp_and_zoomed_out_view_is_smooth(window, doc):
    canvas = window.canvas
    canvas.set_zoom(8.0)
    canvas.center_on(QPointF(160, 100))
    grab = canvas.viewport().grab().toImage()
    corner = canvas.map_from_image(QPointF(160, 100))
    x0, y0 = round(corner.x()), round(corner.y())
    block = {grab.pixel(x0 + dx, y0 + dy) for dx in range(1, 7) for dy in range(1, 7)}
    assert len(block) == 1  # one image pixel = one flat 8x8 block, no interpolation
    assert grab.pixel(x0 + 9, y0 + 1) != grab.pixel(x0 + 1, y0 + 1)
    canvas.set_zoom(0.3)
    assert canvas._pyramid().level_for_zoom(canvas.zoom()) == 1
    canvas.viewport().grab()  # draws from the half-size level without errors


def test_pen_pressure_scales_the_brush(window, doc):
    canvas = window.canvas
    hard_brush(window, 40)
    device = QPointingDevice.primaryPointingDevice()
    pos = QPointF(200, 200)

    def tablet(kind, pressure, buttons):
        event = QTabletEvent(kind, device, pos, canvas.viewport().mapToGlobal(pos), pressure, 0, 0, 0, 0, 0,
                             Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, buttons)  # fmt: skip
        QApplication.sendEvent(canvas.viewport(), event)
        return event

    assert tablet(QEvent.Type.TabletPress, 0.5, Qt.MouseButton.LeftButton).isAccepted()
    tablet(QEvent.Type.TabletRelease, 0.5, Qt.MouseButton.NoButton)
    centre = canvas.map_to_image(pos)
    expected = capsule(doc.mask_pixels().shape, centre, centre, 10.0)  # 40 px brush at half pressure
    assert np.array_equal(doc.mask_array(), expected)


def test_brush_size_keys_and_outline(window, doc):
    canvas = window.canvas
    settings = canvas.tools.settings
    settings.brush_size = 50
    QTest.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert settings.brush_size == 55
    QTest.keyClick(canvas, Qt.Key.Key_BracketLeft)
    QTest.keyClick(canvas, Qt.Key.Key_BracketLeft)
    assert settings.brush_size < 55
    assert window.options_bar.size_spin.value() == int(settings.brush_size)
    window.options_bar.hardness_spin.setValue(30)
    assert settings.hardness == pytest.approx(0.3)
    QTest.mouseMove(canvas.viewport(), QPoint(200, 200))
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.BlankCursor  # the drawn circle replaces it


def _drag(canvas, a: QPoint, b: QPoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    viewport = canvas.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, modifiers, a)
    QTest.mouseMove(viewport, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    QTest.mouseMove(viewport, b)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifiers, b)


def test_rectangle_selection_replace_add_subtract(window, doc):
    canvas = window.canvas
    canvas.tools.set_current("rect")
    to_view = lambda x, y: canvas.map_from_image(QPointF(x, y)).toPoint()  # noqa: E731
    _drag(canvas, to_view(10, 10), to_view(60, 40))
    expected = np.zeros((200, 320), np.uint8)
    expected[10:40, 10:60] = 255
    assert np.array_equal(doc.mask_array(), expected)

    _drag(canvas, to_view(100, 100), to_view(120, 150), Qt.KeyboardModifier.ShiftModifier)
    expected[100:150, 100:120] = 255
    assert np.array_equal(doc.mask_array(), expected)

    _drag(canvas, to_view(20, 0), to_view(30, 200), Qt.KeyboardModifier.AltModifier)
    expected[:, 20:30] = 0
    assert np.array_equal(doc.mask_array(), expected)

    # The default mode adds, so a careless drag never wipes the work; Replace must be chosen.
    _drag(canvas, to_view(0, 0), to_view(5, 5))
    expected[0:5, 0:5] = 255
    assert np.array_equal(doc.mask_array(), expected)
    window.options_bar.mode_actions[SelectionMode.REPLACE].trigger()
    _drag(canvas, to_view(0, 0), to_view(5, 5))
    replaced = np.zeros_like(expected)
    replaced[0:5, 0:5] = 255
    assert np.array_equal(doc.mask_array(), replaced)
    assert doc.undo_stack.count() == 5


def test_lasso_freehand_and_polygon(window, doc):
    canvas = window.canvas
    canvas.tools.set_current("lasso")
    viewport = canvas.viewport()
    to_view = lambda x, y: canvas.map_from_image(QPointF(x, y)).toPoint()  # noqa: E731
    corners = [(20, 20), (120, 20), (120, 90), (20, 90)]
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, to_view(*corners[0]))
    for x, y in corners[1:] + [corners[0]]:
        QTest.mouseMove(viewport, to_view(x, y))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, to_view(*corners[0]))
    mask = doc.mask_array()
    assert mask[25:85, 25:115].all() and not mask[95:, :].any() and not mask[:, 125:].any()

    # Polygon: click the corners of a triangle, close with Enter; Shift adds it.
    triangle = [(200, 20), (300, 20), (250, 120)]
    for i, (x, y) in enumerate(triangle):
        modifiers = Qt.KeyboardModifier.ShiftModifier if i == 0 else Qt.KeyboardModifier.NoModifier
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, modifiers, to_view(x, y))
    assert canvas.tools.current.is_drawing()
    QTest.keyClick(canvas, Qt.Key.Key_Return)
    mask = doc.mask_array()
    assert mask[25:85, 25:115].all()
    assert mask[30, 240:260].all() and mask[100, 248:252].all() and not mask[100, 220]
    assert doc.undo_stack.count() == 2

    # Esc abandons a polygon in progress.
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, to_view(10, 150))
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, to_view(60, 150))
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    assert not canvas.tools.current.is_drawing()
    assert doc.undo_stack.count() == 2


def test_bucket_fill_fills_the_enclosed_area(window, doc):
    canvas = window.canvas
    yy, xx = np.mgrid[0:200, 0:320]
    d = np.hypot(xx - 160, yy - 100)
    doc.set_mask_array(np.where((d >= 40) & (d <= 45), 255, 0).astype(np.uint8), "ring")
    canvas.tools.set_current("bucket")
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     canvas.map_from_image(QPointF(160.5, 100.5)).toPoint())  # fmt: skip
    mask = doc.mask_array()
    assert (mask[d <= 45] == 255).all() and not mask[d > 45].any()
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier,
                     canvas.map_from_image(QPointF(160.5, 100.5)).toPoint())  # fmt: skip
    assert not doc.mask_pixels().any()


def test_shortcuts_cannot_change_the_mask_during_a_stroke(window, doc):
    canvas = window.canvas
    hard_brush(window, 10)
    viewport = canvas.viewport()
    a = canvas.map_from_image(QPointF(50, 50)).toPoint()
    b = canvas.map_from_image(QPointF(90, 50)).toPoint()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.keyClick(canvas, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)  # invert, blocked
    QTest.mouseMove(viewport, b)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert doc.undo_stack.count() == 1
    assert doc.mask_pixels().mean() < 128
