"""A result that arrives does not take the view away: the Compare page shows it at the zoom and
place the designer was looking at, with the edit on the After side of the wipe divider."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from desktop_editor.jobs.model import JobState
from desktop_editor.ui.compare.modes import CompareMode
from test_gui_flow import TIMEOUT_MS, generate, gui, messages, open_astronaut, paint_stroke, set_prompt, wait_final  # noqa: F401


def _edit_and_wait(qtbot, window, points, size=30):
    paint_stroke(window, points, size=size)
    set_prompt(window, "a small star on the suit")
    with qtbot.waitSignal(window.flow.result_shown, timeout=TIMEOUT_MS):
        job = wait_final(qtbot, window, generate(qtbot, window))
    assert job.state is JobState.DONE, job.error
    qtbot.waitUntil(window.is_compare_page, timeout=TIMEOUT_MS)
    return job


def test_a_result_keeps_the_designers_zoom_and_place(qtbot, gui):
    window = gui.open_window()
    open_astronaut(qtbot, window)
    window.canvas.restore_view_state({"zoom": 2.0, "center": [400, 300], "fit": False})
    _edit_and_wait(qtbot, window, [(410, 290), (440, 300)])
    center = QPointF(*window.canvas.view_state()["center"])
    view = window.compare_view
    assert view.mode() is CompareMode.WIPE
    assert not view.viewport.fitted and abs(view.zoom() - 2.0) < 1e-6
    pane = view.panes()[0]
    middle = pane.image_to_widget(center)
    assert abs(middle.x() - pane.width() / 2) <= 2 and abs(middle.y() - pane.height() / 2) <= 2
    assert pane.image_to_widget(QPointF(395, 275)).x() >= pane.divider_x()  # the edit is on the After side


def test_a_fitted_view_stays_fitted_and_an_edit_on_the_left_shows_after(qtbot, gui):
    window = gui.open_window()
    open_astronaut(qtbot, window)
    window.canvas.fit_to_window()
    _edit_and_wait(qtbot, window, [(70, 300), (110, 320)])
    view = window.compare_view
    assert view.viewport.fitted
    pane = view.panes()[0]
    assert pane.image_to_widget(QPointF(55, 285)).x() >= pane.divider_x() > 0
