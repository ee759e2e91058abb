"""The window's parts keep their size and show their text whole, at 100% and at 150%.

Each test looks at one thing a designer saw cut or jumping: the prompt box, the Refine Edge bar,
the expand tool's fields, the brush's Opacity and Flow, message box titles and buttons, the
Parameters sections, and the Jobs and History panels' height. The run at 150% repeats them in a
fresh process (QT_SCALE_FACTOR is read only at start), as `test_docks_fit` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from editor_helpers import make_photo, open_image
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QMessageBox, QSpinBox
from test_docks_fit import cut_off
from test_options_bar_fits import themed  # noqa: F401 (fixture)

from desktop_editor.core.params import EditParams
from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.jobs.store import JobStore
from desktop_editor.ui.common.feedback import Feedback
from desktop_editor.ui.panels.job_list import confirm
from desktop_editor.ui.panels.history_panel import HistoryPanel
from desktop_editor.ui.window.main_window import MainWindow
from desktop_editor.ui.window.window_state import save_window_state

Button = QMessageBox.StandardButton
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def text_fits(spin: QAbstractSpinBox) -> bool:
    """The spin box's whole text fits in its editing field."""
    field = spin.findChild(type(spin.lineEdit()))
    return field.fontMetrics().horizontalAdvance(spin.text()) + 4 <= field.width()


def test_the_prompt_keeps_its_height_as_text_is_typed(qtbot, make_window, tmp_path):
    window = make_window[0](1400, 900)
    open_image(qtbot, window, make_photo(tmp_path / "cat.png", (160, 90)))
    prompt = window.params_panel.prompt_edit
    QApplication.processEvents()
    empty = prompt.height()
    prompt.setFocus()
    QTest.keyClicks(prompt, "make the cat eyes emerald")
    QApplication.processEvents()
    assert prompt.height() == empty
    assert prompt.height() >= 4 * prompt.fontMetrics().lineSpacing()


def test_the_refine_edge_bar_keeps_its_slider_whole_whatever_it_says(qtbot, window, tmp_path):
    document = open_image(qtbot, window, make_photo(tmp_path / "cat.png", (320, 200)))
    document.write_mask_region((60, 40, 260, 160), np.full((120, 200), 255, np.uint8))
    assert window.refine_edge.start()
    bar = window.refine_edge.bar
    qtbot.waitUntil(bar.isVisible)
    widths = set()
    for text in ("Refining…", "Preview", "No change at this band", "Applying…"):
        bar.state_label.setText(text)
        QApplication.processEvents()
        widths.add((bar.width(), bar.band_slider.width()))
        assert bar.band_slider.width() >= 120
        assert cut_off(bar) == [], text
        assert bar.state_label.fontMetrics().horizontalAdvance(text) <= bar.state_label.contentsRect().width(), text
    assert len(widths) == 1  # the bar does not change width as its state changes
    window.refine_edge.cancel()


def test_the_expand_tools_fields_show_their_text_whole(qtbot, window, tmp_path):
    open_image(qtbot, window, make_photo(tmp_path / "cat.png", (320, 200)))
    window.canvas.tools.set_current("expand")
    QApplication.processEvents()
    spins = [s for s in window.options_bar.findChildren(QSpinBox) if s.isVisibleTo(window.options_bar)]
    assert any(s.prefix() == "Overlap " for s in spins), [s.prefix() for s in spins]
    for spin in spins:
        spin.setValue(spin.maximum() if spin.prefix() == "Overlap " else spin.value())
        assert text_fits(spin), spin.text()


def test_opacity_and_flow_look_like_fields_to_change(qtbot, window):
    bar = window.options_bar
    for spin in (bar.opacity_spin, bar.flow_spin):
        assert spin.buttonSymbols() != QAbstractSpinBox.ButtonSymbols.NoButtons
        assert text_fits(spin), spin.text()


def test_a_question_names_its_buttons_without_a_stock_icon_and_shows_its_title_whole(qtbot):
    title = "Stop waiting for this edit?"
    seen = []

    def look_and_cancel():
        box = QApplication.activeModalWidget()
        seen.append((box.width(), [box.button(b).icon().isNull() for b in (Button.Yes, Button.Cancel)],
                     box.button(Button.Yes).text()))
        box.button(Button.Cancel).click()

    for ask in (lambda: Feedback().confirm(title, "The service may still finish it.", "It may be charged.", "Stop waiting"),
                lambda: confirm(None, title, "The service may still finish it.", "It may be charged.", "Stop waiting")):
        QTimer.singleShot(200, look_and_cancel)
        ask()
    assert [(icons, text) for _width, icons, text in seen] == [([True, True], "Stop waiting")] * 2
    from desktop_editor.ui.common.message_boxes import title_width

    assert all(width >= title_width(title) for width, _icons, _text in seen)


def test_tag_removal_shows_no_empty_output_heading(qtbot, window, tmp_path):
    open_image(qtbot, window, make_photo(tmp_path / "cat.png", (160, 90)))
    panel = window.params_panel
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("runflow/tag-removal"))
    QApplication.processEvents()
    assert not panel.output_section.isVisible()
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("openai/gpt-image-1.5/edit"))
    QApplication.processEvents()
    assert panel.output_section.isVisible()


def test_the_open_image_says_it_is_the_one_with_the_mask(qtbot, window, tmp_path):
    open_image(qtbot, window, make_photo(tmp_path / "cat.png", (160, 90)))
    role = window.params_panel.images_section.open_role
    assert role.text() == "with your mask"
    assert role.fontMetrics().horizontalAdvance(role.text()) <= role.width()


def _jobs(n: int) -> list[EditJob]:
    return [EditJob(params=EditParams(prompt=f"make the cat eyes emerald, take {i}"), image_paths=[Path("cat.png")],
                    state=JobState.DONE) for i in range(n)]


def _rows_shown(view) -> float:
    height = view.sizeHintForRow(0) if view.model().rowCount() else 1
    return view.viewport().height() / max(1, height)


@pytest.fixture
def make_window(qtbot, tmp_path, messages):
    """Makes windows sharing one settings file, opened at a size, with Jobs and History filled."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    store = JobStore(tmp_path / "history.sqlite3")
    for job in _jobs(8):
        store.save(job)
    made: list[MainWindow] = []

    def make(width: int, height: int) -> MainWindow:
        win = MainWindow(settings=settings)
        qtbot.addWidget(win)
        win.resize(width, height)
        win.show()
        qtbot.waitExposed(win)
        win.jobs_panel.set_jobs(_jobs(8))
        win.jobs_panel.view.setCurrentIndex(win.jobs_panel.view.model().index(0, 0))
        panel = HistoryPanel(store)
        win.set_history_panel(panel)
        qtbot.waitUntil(lambda: not panel.is_loading(), timeout=5000)
        QApplication.processEvents()
        made.append(win)
        return win

    yield make, settings
    for win in made:
        if win.history_panel is not None:
            win.history_panel.detach_store()
        win.close()
    store.close()


def on_a_screen(tmp_path: Path, test: str, width: int, height: int) -> None:
    """Run `test` of this module in a fresh process whose (offscreen) screen is `width` x `height`
    logical pixels at the scale of this run: how much room the window gets at first depends on it."""
    scale = float(os.environ.get("QT_SCALE_FACTOR", "1"))
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "screen", "x": 0, "y": 0, "width": round(width * scale),
                                               "height": round(height * scale), "logicalDpi": 96, "logicalBaseDpi": 96,
                                               "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", SCREEN_SET: "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", f"{__file__}::{test}", "-q", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "run")],
        cwd=Path(__file__).resolve().parents[3], env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout


SCREEN_SET = "DESKTOP_EDITOR_TEST_SCREEN_SET"


def test_jobs_and_history_show_four_rows_at_first_in_a_1400x900_window(qtbot, make_window, tmp_path):
    if not os.environ.get(SCREEN_SET):
        on_a_screen(tmp_path, "test_jobs_and_history_show_four_rows_at_first_in_a_1400x900_window", 1400, 900)
        return
    make, _settings = make_window
    window = make(1400, 900)
    assert _rows_shown(window.jobs_panel.view) >= 4
    window.docks.history.raise_()
    QApplication.processEvents()
    assert _rows_shown(window.history_panel.view) >= 4


def test_on_a_short_screen_the_parameters_keep_the_prompt_in_view(qtbot, make_window, tmp_path):
    if not os.environ.get(SCREEN_SET):
        on_a_screen(tmp_path, "test_on_a_short_screen_the_parameters_keep_the_prompt_in_view", 933, 600)
        return
    make, _settings = make_window
    window = MainWindow(settings=_settings)  # as the app opens it: at its first size, fitted to the screen
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    screen = window.screen().availableGeometry()
    assert window.height() <= screen.height() and window.width() <= screen.width()  # not 1400x900 logical
    prompt = window.params_panel.prompt_edit
    scroll = prompt.parentWidget()
    while scroll is not None and not hasattr(scroll, "viewport"):
        scroll = scroll.parentWidget()
    top_left = prompt.mapTo(scroll.viewport(), prompt.rect().topLeft())
    assert 0 <= top_left.y() and top_left.y() + prompt.height() <= scroll.viewport().height()
    window.close()


def test_the_jobs_panels_height_set_is_kept_for_the_next_start(qtbot, make_window):
    make, settings = make_window
    window = make(780, 560)  # restored whole on the offscreen screen (800x600)
    window.resizeDocks([window.docks.params, window.docks.jobs], [150, 330], Qt.Orientation.Vertical)
    QApplication.processEvents()
    chosen = window.docks.jobs.height()
    save_window_state(settings, window, window.canvas)
    window.close()
    again = make(780, 560)
    assert abs(again.docks.jobs.height() - chosen) <= 4


@pytest.mark.skipif(os.environ.get("QT_SCALE_FACTOR") == "1.5", reason="this is the run at 150%")
def test_all_of_it_at_150_percent(tmp_path):
    env = {**os.environ, "QT_SCALE_FACTOR": "1.5"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "run")],
        cwd=Path(__file__).resolve().parents[3], env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "1 skipped" in result.stdout


def test_the_demo_banner_says_all_of_it_in_a_narrow_window(qtbot, window):
    window.set_demo(True)
    window.resize(760, 600)
    QApplication.processEvents()
    label = window.demo_banner.label
    assert label.isVisible()
    if label.wordWrap():
        assert label.heightForWidth(label.width()) <= label.height()
    else:
        assert label.fontMetrics().horizontalAdvance(label.toolTip()) <= label.width()


def test_the_refine_edge_sliders_whole_groove_shows_on_its_dark_bar(qtbot, themed, window, tmp_path):
    document = open_image(qtbot, window, make_photo(tmp_path / "cat.png", (320, 200)))
    document.write_mask_region((60, 40, 260, 160), np.full((120, 200), 255, np.uint8))
    assert window.refine_edge.start()
    bar = window.refine_edge.bar
    qtbot.waitUntil(bar.isVisible)
    bar.show_band(2)  # the handle at the left: the rest is the empty groove
    picture = bar.grab().toImage()
    slider = bar.band_slider.geometry()
    dpr = picture.devicePixelRatio()
    y = round(slider.center().y() * dpr)
    groove = picture.pixelColor(round((slider.left() + slider.width() * 0.8) * dpr), y)
    background = picture.pixelColor(round((slider.left() + slider.width() * 0.8) * dpr), round((slider.top() + 1) * dpr))
    assert abs(groove.lightness() - background.lightness()) >= 25, (groove.name(), background.name())
    window.refine_edge.cancel()
