"""Mix mode in the compare view: painting sources with real mouse drags, undo, base, the mask."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from desktop_editor.ui.common.conversions import qimage_from_pil
from desktop_editor.ui.compare.mix_session import MixSession, MixSource, build_mix
from desktop_editor.ui.compare.modes import CompareMode
from desktop_editor.ui.compare.view import CompareView

W, H = 240, 160
ORIGINAL = (40, 40, 40)
COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]


def make_sources(tmp_path, mask=None) -> tuple[Image.Image, list[MixSource]]:
    original = Image.new("RGB", (W, H), ORIGINAL)
    sources = []
    for index, rgb in enumerate(COLOURS):
        path = tmp_path / f"result-{index + 1}.png"
        Image.new("RGB", (W, H), rgb).save(path)
        sources.append(MixSource(path, f"Result {index + 1}", job_id="job", mask=mask))
    return original, sources


def session_for(tmp_path, mask=None, **kwargs) -> MixSession:
    original, sources = make_sources(tmp_path, mask)
    return MixSession(original, sources, build_mix(original, sources, None, kwargs.get("keep_inside", True)), **kwargs)


@pytest.fixture
def view(qtbot):
    widget = CompareView()
    qtbot.addWidget(widget)
    widget.resize(700, 480)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.wait_for_background_work()


def shown(view: CompareView, image_point: tuple[float, float]) -> tuple[int, int, int]:
    pane = view.panes()[0]
    shot = pane.grab().toImage()
    p = pane.image_to_widget(QPointF(*image_point))
    c = QColor(shot.pixel(int(p.x()), int(p.y())))
    return c.red(), c.green(), c.blue()


def drag(pane, points: list[tuple[float, float]]) -> None:
    widget_points = [pane.image_to_widget(QPointF(*p)).toPoint() for p in points]
    QTest.mousePress(pane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, widget_points[0])
    for point in widget_points[1:]:
        QTest.mouseMove(pane, point)
    QTest.mouseRelease(pane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, widget_points[-1])


def show_mix(qtbot, view, session) -> None:
    original = qimage_from_pil(Image.new("RGB", (W, H), ORIGINAL))
    view.set_images(original, qimage_from_pil(Image.new("RGB", (W, H), COLOURS[0])))
    view.set_mode(CompareMode.MIX)
    view.set_mix(session)
    qtbot.waitUntil(lambda: not view._tasks.busy())


def test_painting_a_source_with_the_mouse_shows_it_there_and_undo_takes_it_back(qtbot, view, tmp_path):
    session = session_for(tmp_path)
    session.settings.brush_size = 30
    session.settings.hardness = 1.0
    show_mix(qtbot, view, session)
    assert shown(view, (120, 80)) == COLOURS[0]  # the base: result 1
    session.set_source(3)
    drag(view.panes()[0], [(60, 80), (120, 80), (180, 80)])
    assert shown(view, (120, 80)) == COLOURS[2]
    assert shown(view, (120, 20)) == COLOURS[0]
    assert session.undo_stack.count() == 1
    session.undo_stack.undo()
    assert shown(view, (120, 80)) == COLOURS[0]
    session.undo_stack.redo()
    assert shown(view, (120, 80)) == COLOURS[2]


def test_a_soft_brush_blends_and_a_new_base_keeps_the_strokes(qtbot, view, tmp_path):
    session = session_for(tmp_path)
    session.settings.brush_size = 80
    session.settings.hardness = 0.5
    show_mix(qtbot, view, session)
    session.set_source(2)
    drag(view.panes()[0], [(120, 80), (121, 80)])
    centre, edge = shown(view, (120, 70)), shown(view, (120 + 30, 80))
    assert centre == COLOURS[1]
    assert 30 < edge[1] < 200 and 30 < edge[0] < 200  # between green and red
    with qtbot.waitSignal(session.busy_changed, check_params_cb=lambda busy: not busy, timeout=10000):
        view.mix_bar.base_chips()[2].click()
    assert session.base() == 2
    assert shown(view, (120, 70)) == COLOURS[1] and shown(view, (220, 150)) == COLOURS[2]


def test_outside_the_mask_every_pixel_stays_the_original(qtbot, view, tmp_path):
    mask = np.zeros((H, W), np.uint8)
    mask[:, : W // 2] = 255
    session = session_for(tmp_path, mask=mask)
    session.settings.brush_size = 400
    session.settings.hardness = 1.0
    show_mix(qtbot, view, session)
    session.set_source(2)
    drag(view.panes()[0], [(120, 80)])
    assert shown(view, (40, 80)) == COLOURS[1]
    assert shown(view, (200, 80)) == ORIGINAL
    with qtbot.waitSignal(session.busy_changed, check_params_cb=lambda busy: not busy, timeout=10000):
        view.mix_bar.keep_inside_box.click()
    assert shown(view, (200, 80)) == COLOURS[1]


def test_the_brush_outline_follows_the_pointer_and_left_drag_does_not_pan(qtbot, view, tmp_path):
    session = session_for(tmp_path)
    show_mix(qtbot, view, session)
    pane = view.panes()[0]
    center = view.viewport.center()
    QTest.mouseMove(pane, QPoint(200, 200))
    assert pane._brush_at is not None
    drag(pane, [(20, 20), (200, 140)])
    assert view.viewport.center() == center
