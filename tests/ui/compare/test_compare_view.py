"""CompareView: every mode draws the right pixels, and zoom, pan, keys and stats behave."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication

from desktop_editor.ui.compare.modes import CompareMode
from desktop_editor.ui.compare.view import CompareView
from desktop_editor.ui.common.conversions import qimage_from_pil

RED = (220, 30, 30)
BLUE = (30, 60, 220)


def solid(size: tuple[int, int], rgb: tuple[int, int, int]) -> QImage:
    return qimage_from_pil(Image.new("RGB", size, rgb))


def noise(size: tuple[int, int], seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)


def rgb_at(image: QImage, x: float, y: float) -> tuple[int, int, int]:
    c = QColor(image.pixel(int(x), int(y)))
    return c.red(), c.green(), c.blue()


@pytest.fixture
def view(qtbot):
    widget = CompareView()
    qtbot.addWidget(widget)
    widget.resize(640, 440)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.wait_for_background_work()


def settle(qtbot, view: CompareView) -> None:
    """Let the background work (display levels, difference) finish and deliver."""
    qtbot.waitUntil(lambda: not view._tasks.busy())


def grab_pane(view: CompareView, index: int = 0) -> QImage:
    return view.panes()[index].grab().toImage()


def test_wipe_left_of_divider_is_before_right_is_after(qtbot, view):
    view.set_images(solid((300, 200), RED), solid((300, 200), BLUE))
    settle(qtbot, view)
    assert view.mode() is CompareMode.WIPE
    pane = view.panes()[0]
    shot = grab_pane(view)
    x, y = pane.divider_x(), int(pane.height() * 0.75)
    assert rgb_at(shot, x - 25, y) == RED
    assert rgb_at(shot, x + 25, y) == BLUE


def test_wipe_pixels_match_images_exactly_at_100_percent(qtbot, view):
    before_px, after_px = noise((300, 200), 1), noise((300, 200), 2)
    view.set_images(qimage_from_pil(Image.fromarray(before_px)), qimage_from_pil(Image.fromarray(after_px)))
    settle(qtbot, view)
    view.zoom_to_actual()
    assert view.zoom() == pytest.approx(1.0)
    pane = view.panes()[0]
    shot = grab_pane(view)
    divider = pane.divider_x()
    for wx in (divider - 60, divider - 7, divider + 7, divider + 60):
        for wy in (pane.height() // 2 + 40, pane.height() // 2 + 70):
            p = pane.widget_to_image(QPointF(wx + 0.5, wy + 0.5))
            expected = (before_px if wx < divider else after_px)[int(p.y()), int(p.x())]
            assert rgb_at(shot, wx, wy) == tuple(int(v) for v in expected)


def test_dragging_moves_the_divider(qtbot, view):
    view.set_images(solid((300, 200), RED), solid((300, 200), BLUE))
    settle(qtbot, view)
    pane = view.panes()[0]
    y = int(pane.height() * 0.75)
    start = pane.divider_x()
    with qtbot.waitSignal(view.divider_moved):
        qtbot.mousePress(pane, Qt.MouseButton.LeftButton, pos=QPoint(start, y))
        qtbot.mouseMove(pane, QPoint(start - 120, y))
        qtbot.mouseRelease(pane, Qt.MouseButton.LeftButton, pos=QPoint(start - 120, y))
    assert pane.divider_x() == start - 120
    assert view.divider_position() == pytest.approx((start - 120) / pane.width())
    shot = grab_pane(view)
    assert rgb_at(shot, start - 60, y) == BLUE  # what was left of the divider is now "after"
    assert rgb_at(shot, start - 160, y) == RED


def test_toggle_hold_key_shows_before_release_shows_after(qtbot, view):
    view.set_images(solid((300, 200), RED), solid((300, 200), BLUE))
    settle(qtbot, view)
    view.set_mode(CompareMode.TOGGLE)
    view.setFocus()
    center = view.panes()[0].rect().center()
    assert rgb_at(grab_pane(view), center.x(), center.y()) == BLUE
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Backslash):
        with qtbot.waitSignal(view.showing_before_changed) as blocker:
            qtbot.keyPress(view, key)
        assert blocker.args == [True]
        assert rgb_at(grab_pane(view), center.x(), center.y()) == RED
        qtbot.keyPress(view, key, Qt.KeyboardModifier.NoModifier)  # auto-repeat-free second press is harmless
        with qtbot.waitSignal(view.showing_before_changed) as blocker:
            qtbot.keyRelease(view, key)
        assert blocker.args == [False]
        assert rgb_at(grab_pane(view), center.x(), center.y()) == BLUE


def test_toggle_click_switches(qtbot, view):
    view.set_images(solid((300, 200), RED), solid((300, 200), BLUE))
    settle(qtbot, view)
    view.set_mode("toggle")
    pane = view.panes()[0]
    center = pane.rect().center()
    qtbot.mouseClick(pane, Qt.MouseButton.LeftButton, pos=center)
    assert view.is_showing_before()
    assert rgb_at(grab_pane(view), center.x(), center.y()) == RED
    qtbot.mouseClick(pane, Qt.MouseButton.LeftButton, pos=center)
    assert not view.is_showing_before()
    assert rgb_at(grab_pane(view), center.x(), center.y()) == BLUE


def _ctrl_wheel(widget, pos: QPoint, steps: int) -> None:
    event = QWheelEvent(
        QPointF(pos), QPointF(widget.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(widget, event)


def test_side_by_side_zoom_and_pan_in_one_pane_move_the_other(qtbot, view):
    before_px = noise((300, 200), 3)
    after_px = 255 - before_px  # every pixel of "after" is the inverse of the same pixel of "before"
    view.set_images(qimage_from_pil(Image.fromarray(before_px)), qimage_from_pil(Image.fromarray(after_px)))
    settle(qtbot, view)
    with qtbot.waitSignal(view.mode_changed) as blocker:
        view.set_mode(CompareMode.SIDE_BY_SIDE)
    assert blocker.args == ["side_by_side"]
    left, right = view.panes()
    qtbot.waitUntil(lambda: right.isVisible() and right.width() > 100)
    fitted = left.zoom()
    anchor = QPoint(left.width() // 3, left.height() // 3)
    image_point = left.widget_to_image(QPointF(anchor))
    with qtbot.waitSignal(view.zoom_changed):
        _ctrl_wheel(right, anchor, 3)  # zoom in the right pane
    assert left.zoom() == pytest.approx(right.zoom()) == pytest.approx(fitted * 1.25**3)
    # zoomed around the pointer: the image point under it stayed there, in both panes
    for pane in (left, right):
        assert pane.image_to_widget(image_point).x() == pytest.approx(anchor.x(), abs=1)
    # pan the left pane by dragging; the right one follows
    qtbot.mousePress(left, Qt.MouseButton.LeftButton, pos=QPoint(200, 150))
    qtbot.mouseMove(left, QPoint(230, 170))
    qtbot.mouseMove(left, QPoint(170, 120))
    qtbot.mouseRelease(left, Qt.MouseButton.LeftButton, pos=QPoint(170, 120))
    probe = QPointF(150, 100)
    assert left.widget_to_image(probe) == right.widget_to_image(probe)
    assert left.widget_to_image(probe) != image_point
    # and the pixels agree: the same screen position shows the same image pixel on both sides
    lshot, rshot = grab_pane(view, 0), grab_pane(view, 1)
    for x, y in ((60, 150), (150, 200), (230, 260)):
        lr, lg, lb = rgb_at(lshot, x, y)
        assert rgb_at(rshot, x, y) == (255 - lr, 255 - lg, 255 - lb)


def test_difference_mode_shows_heat_and_stats(qtbot, view):
    before = np.full((100, 100, 3), 100, np.uint8)
    after = before.copy()
    mask = np.zeros((100, 100), np.uint8)
    mask[:, :50] = 255
    after[:, :50] += 40  # everything inside changed by 40
    after[0:5, 60:70] += 100  # 50 pixels outside changed by 100
    view.set_images(qimage_from_pil(Image.fromarray(before)), qimage_from_pil(Image.fromarray(after)), mask)
    settle(qtbot, view)
    assert view.difference() is None  # computed lazily, only when asked for
    with qtbot.waitSignal(view.difference_ready, timeout=10000):
        view.set_mode(CompareMode.DIFFERENCE)
    assert view.mode() is CompareMode.DIFFERENCE
    assert view.stats_label.text() == "Outside mask: 1.0% of pixels changed (mean 1.0)"
    assert view.inside_stats_label.text() == "Inside mask: 100.0% of pixels changed (mean 40.0)"
    assert "Outside mask: 1.0%" in view.stats_text()
    qtbot.waitUntil(lambda: not view._tasks.busy())
    pane = view.panes()[0]
    shot = grab_pane(view)
    unchanged = pane.image_to_widget(QPointF(80, 80))
    r, g, b = rgb_at(shot, unchanged.x(), unchanged.y())
    assert r == g == b and r < 60  # darkened grey original


def test_difference_without_mask_and_new_images_recompute(qtbot, view):
    view.set_mode("difference")
    view.set_images(solid((120, 80), RED), solid((60, 40), RED))  # other size: scaled to the original
    with qtbot.waitSignal(view.difference_ready, timeout=10000):
        pass
    assert view.stats_label.text() == "Whole image: 0.0% of pixels changed (mean 0.0)"
    with qtbot.waitSignal(view.difference_ready, timeout=10000):
        view.set_images(solid((120, 80), RED), solid((120, 80), BLUE))
    assert view.stats_label.text() == "Whole image: 100.0% of pixels changed (mean 190.0)"


def test_modes_and_toolbar_buttons(qtbot, view):
    # The keys 1-4 are the window's commands (tests/ui/window/test_actions.py).
    view.set_images(solid((300, 200), RED), solid((300, 200), BLUE))
    for mode in (CompareMode.SIDE_BY_SIDE, CompareMode.TOGGLE, CompareMode.WIPE):
        view.set_mode(mode)
        assert view.mode() is mode
        assert view.toolbar.buttons[mode].isChecked()
    with qtbot.waitSignal(view.mode_changed) as blocker:
        qtbot.mouseClick(view.toolbar.buttons[CompareMode.TOGGLE], Qt.MouseButton.LeftButton)
    assert blocker.args == ["toggle"]
    settle(qtbot, view)


def test_fit_and_actual_size(qtbot, view):
    view.set_images(solid((1200, 800), RED), solid((1200, 800), BLUE))
    settle(qtbot, view)
    fitted = view.zoom()
    assert fitted < 1
    view.zoom_to_actual()
    assert view.zoom() == pytest.approx(1.0)
    assert view.toolbar.zoom_label.text() == "100%"
    view.fit()
    assert view.zoom() == pytest.approx(fitted)
    _ctrl_wheel(view.panes()[0], QPoint(50, 50), -50)
    assert view.zoom() >= 0.02


def test_same_original_keeps_zoom_when_switching_results(qtbot, view):
    before = solid((400, 300), RED)
    view.set_images(before, solid((400, 300), BLUE))
    view.set_zoom(2.0)
    view.set_images(before, solid((400, 300), RED))
    assert view.zoom() == pytest.approx(2.0)
    view.set_images(solid((500, 300), RED), solid((500, 300), BLUE))
    assert view.viewport.fitted
    settle(qtbot, view)


def test_empty_view_paints(qtbot, view):
    shot = grab_pane(view)
    assert not shot.isNull()
    with pytest.raises(ValueError):
        view.set_images(QImage(), QImage())


def test_zoomed_out_picture_is_rescaled_exactly_once_the_zoom_rests(qtbot, view):
    view.set_images(solid((1600, 1200), RED), solid((1600, 1200), BLUE))
    settle(qtbot, view)
    zoom = view.zoom()
    assert zoom < 1
    pane = view.panes()[0]
    pane.repaint()  # asks for the exact copies
    levels = view._before_levels
    qtbot.waitUntil(lambda: levels.exact_for(zoom) is not None and view._after_levels.exact_for(zoom) is not None)
    exact = levels.exact_for(zoom)
    assert (exact.width(), exact.height()) == (round(1600 * zoom), round(1200 * zoom))
    shot = grab_pane(view)
    x, y = pane.divider_x(), int(pane.height() * 0.75)
    assert rgb_at(shot, x - 25, y) == RED
    assert rgb_at(shot, x + 25, y) == BLUE


# ----- a result shown from memory brings levels made from the original's -------------------------


def test_levels_patched_from_the_originals_are_the_levels_built_whole():
    from desktop_editor.ui.common.conversions import qimage_with_patch
    from desktop_editor.ui.compare.image_levels import ImageLevels

    rng = np.random.default_rng(4)
    original = Image.fromarray(rng.integers(0, 256, (613, 1001, 3), dtype=np.uint8), "RGB")
    patch = Image.fromarray(rng.integers(0, 256, (201, 333, 3), dtype=np.uint8), "RGB")
    rect = (477, 123, 477 + 333, 123 + 201)  # odd corners: the 2x2 grid is not aligned with it
    before = ImageLevels.build(qimage_from_pil(original))
    after = qimage_with_patch(before.image, patch, rect[:2])
    patched = ImageLevels.patched(before, after, rect)
    pasted = original.copy()
    pasted.paste(patch, rect[:2])
    whole = ImageLevels.build(qimage_from_pil(pasted))
    assert patched is not None and patched.image is after and len(patched.levels) == len(whole.levels) > 2
    for mine, built in zip(patched.levels, whole.levels):
        assert mine.size() == built.size()
        assert mine.constBits().tobytes() == built.constBits().tobytes()
    # Into copies of the levels made ahead: those very copies, with the same pixels.
    spares = before.copies()
    assert spares is not None and len(spares) == len(before.levels) - 1
    into = ImageLevels.patched(before, after, rect, into=list(spares))
    assert into is not None and all(mine is spare for mine, spare in zip(into.levels[1:], spares))
    for mine, built in zip(into.levels, whole.levels):
        assert mine.constBits().tobytes() == built.constBits().tobytes()


def test_a_read_only_mask_is_kept_and_a_writable_one_copied(view):
    image = qimage_from_pil(Image.new("RGB", (64, 48), (10, 20, 30)))
    mask = np.zeros((48, 64), np.uint8)
    mask[10:20, 10:30] = 255
    view.set_images(image, image, mask)
    mask[:] = 0  # the caller paints on: the view still compares with the mask it was given
    assert view._mask is not mask and view._mask.any()
    frozen = mask.view()
    frozen.flags.writeable = False
    view.set_images(image, image, frozen)
    assert view._mask is frozen
