"""The main window as a whole: docks and their remembered layout, the Mask and Compare pages,
shortcuts that never clash, Demo mode everywhere, Settings that reconnect, the theme, and the
crash handler. Edits end to end are in tests/e2e/test_gui_flow.py."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import numpy as np
import pytest
from editor_helpers import make_photo, open_image
from PIL import Image
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox

from desktop_editor.jobs import credentials
from desktop_editor.jobs.service import ServiceConnection
from desktop_editor.jobs.settings import AppSettings, load_settings
from desktop_editor.jobs.store import JobStore
from desktop_editor.ui.crash import CrashHandler, redact
from desktop_editor.ui.common.conversions import qimage_from_pil
from desktop_editor.ui.window.main_window import MainWindow
from desktop_editor.ui.panels.results_strip import ResultItem
from desktop_editor.ui.common.theme import apply_theme, is_dark

WINDOW_CONTEXTS = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)


def live_shortcuts(window: MainWindow) -> dict[str, list[str]]:
    """Key sequence -> texts of the enabled window-wide actions that answer to it."""
    keys: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        if not action.isEnabled() or action.shortcutContext() not in WINDOW_CONTEXTS:
            continue
        if not any(getattr(o, "window", lambda: None)() is window for o in action.associatedObjects()):
            continue
        for sequence in action.shortcuts():
            if not sequence.isEmpty():
                keys.setdefault(sequence.toString(), []).append(action.text())
    return keys


def show_a_result(window: MainWindow) -> None:
    """Put a made-up result in the strip and the compare view (no service needed)."""
    before = Image.new("RGB", (64, 48), (90, 120, 150))
    after = Image.new("RGB", (64, 48), (200, 120, 150))
    window.results_strip.set_results([ResultItem(image=after, label="Result 1")])
    window.compare_view.set_images(qimage_from_pil(before), qimage_from_pil(after), None)
    assert window.show_compare_page()


def test_docks_are_named_movable_and_listed_in_the_view_menu(window):
    docks = window.findChildren(QDockWidget)
    assert {d.objectName() for d in docks} == {"params_dock", "jobs_dock", "history_dock", "results_dock"}
    for dock in docks:
        assert dock.features() & QDockWidget.DockWidgetFeature.DockWidgetMovable
    assert window.dockWidgetArea(window.docks.params) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.dockWidgetArea(window.docks.results) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert window.docks.history in window.tabifiedDockWidgets(window.docks.jobs)
    panel_actions = window.panels_menu.actions()
    for dock in docks:
        assert dock.toggleViewAction() in panel_actions


def test_dock_layout_and_geometry_are_restored(qtbot, tmp_path, messages):
    settings_path = tmp_path / "window.ini"
    first = MainWindow(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, first.docks.jobs)
    first.docks.results.hide()
    first.resize(730, 650)  # the offscreen screen is 800x800: stay inside it
    first.close()

    second = MainWindow(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.dockWidgetArea(second.docks.jobs) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert second.docks.results.isHidden()
    assert second.height() == 650
    assert second.width() == max(730, second.minimumSizeHint().width())  # a left dock makes it wider
    second.actions["view.reset_layout"].trigger()
    assert second.dockWidgetArea(second.docks.jobs) == Qt.DockWidgetArea.RightDockWidgetArea
    assert not second.docks.results.isHidden()
    second.close()


def test_no_two_live_actions_share_a_shortcut_on_either_page(qtbot, window, tmp_path):
    open_image(qtbot, window, make_photo(tmp_path / "photo.png"))
    clashes = {k: v for k, v in live_shortcuts(window).items() if len(v) > 1}
    assert clashes == {}
    assert live_shortcuts(window)["Ctrl+S"] == ["&Save Project"]

    show_a_result(window)
    clashes = {k: v for k, v in live_shortcuts(window).items() if len(v) > 1}
    assert clashes == {}
    assert live_shortcuts(window)["Ctrl+S"] == ["Save &Result"]
    assert live_shortcuts(window)["Ctrl+Shift+S"] == ["Save Result &As…"]
    assert "Save &Project" not in sum(live_shortcuts(window).values(), [])  # still in the File menu, without keys
    assert window.actions["file.save_project"].isEnabled()


def test_pages_switch_with_one_key_and_the_painting_options_follow(qtbot, window, tmp_path):
    open_image(qtbot, window, make_photo(tmp_path / "photo.png"))
    assert window.is_mask_page() and not window.actions["view.compare_page"].isEnabled()
    window.actions["view.toggle_page"].trigger()
    assert window.is_mask_page()  # nothing to compare yet
    assert "No result" in window.statusBar().currentMessage()
    show_a_result(window)
    assert window.is_compare_page() and window.actions["view.compare_page"].isChecked()
    qtbot.waitUntil(lambda: not window.options_bar.opacity_slider.isVisible())  # the toolbar lays out on the next pass
    window.actions["view.toggle_page"].trigger()
    assert window.is_mask_page() and window.actions["view.mask_page"].isChecked()
    qtbot.waitUntil(window.options_bar.opacity_slider.isVisible)
    window.actions["view.toggle_page"].trigger()
    window.actions["tool." + "eraser"].trigger()  # picking a tool goes back to the mask
    assert window.is_mask_page() and window.canvas.tools.current.tool_id == "eraser"


def test_zoom_actions_act_on_the_picture_that_is_shown(qtbot, window, tmp_path):
    open_image(qtbot, window, make_photo(tmp_path / "photo.png"))
    show_a_result(window)
    window.actions["view.fit"].trigger()
    assert window.compare_view.zoom() != pytest.approx(1.0)
    window.actions["view.actual_size"].trigger()  # Ctrl+1 on the Compare page: the comparison at 100%
    assert window.compare_view.zoom() == pytest.approx(1.0)
    canvas_zoom = window.canvas.zoom()
    window.actions["view.zoom_in"].trigger()
    assert window.canvas.zoom() == canvas_zoom


def test_without_a_service_generate_explains_and_nothing_breaks(qtbot, window, messages, tmp_path):
    document = open_image(qtbot, window, make_photo(tmp_path / "photo.png"))
    document.set_mask_array(np.full((document.height, document.width), 255, np.uint8), "all")
    window.params_panel.prompt_edit.setPlainText("make it snow")
    assert window.generate() is None
    assert messages[-1][:2] == ("critical", "Cannot send the edit")
    assert not window.is_demo() and window.windowTitle() == "photo.png[*] — Desktop Editor"
    assert not window.status.demo_badge.isVisible()


def test_demo_mode_is_said_everywhere_and_settings_with_a_key_leave_it(qtbot, tmp_path, messages):
    service = ServiceConnection(store=JobStore(tmp_path / "history.sqlite3"))
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    preferences = AppSettings(output_dir=str(tmp_path / "out"), base_url=f"http://127.0.0.1:{port}")
    window = MainWindow(settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat), service=service,
                        preferences=preferences, settings_file=tmp_path / "settings.json")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert window.is_demo()
        assert window.windowTitle() == "Demo — Desktop Editor"
        assert window.status.demo_badge.isVisible() and "emulated" in window.status.demo_badge.accessibleName()
        assert window.demo_banner.isVisible()
        assert window.params_panel.demo_label.isVisible()
        assert window.jobs_panel.demo_note.isVisible()
        assert window.history_panel is not None and window.history_panel.store is service.store

        credentials.save_api_key("rf_live_testkey123")
        window.flow.apply_settings(preferences, key_changed=True)
        assert not window.is_demo()
        assert service.emulator is None and window.flow.connection.base_url == f"http://127.0.0.1:{port}"
        assert not window.status.demo_badge.isVisible() and not window.demo_banner.isVisible()
        assert window.windowTitle() == "Desktop Editor"
        # Nothing answers there: "Checking", then "Not connected", never "Connected".
        assert window.statusBar().currentMessage().startswith(f"Checking the key with http://127.0.0.1:{port}")
        qtbot.waitUntil(lambda: "Not connected" in window.statusBar().currentMessage(), timeout=15000)
        assert "Could not reach" in window.statusBar().currentMessage()
        assert not any(text.startswith("Connected") for text in window.feedback.texts("status"))
    finally:
        credentials.save_api_key(None)
        window.close()


def test_connected_is_said_once_the_service_accepted_the_key(qtbot, tmp_path, messages):
    from desktop_editor.emulator import Emulator

    with Emulator(api_keys={"rf_live_testkey123"}) as emulator:
        service = ServiceConnection(store=JobStore(tmp_path / "history.sqlite3"))
        preferences = AppSettings(output_dir=str(tmp_path / "out"), base_url=emulator.base_url)
        window = MainWindow(settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat), service=service,
                            preferences=preferences, settings_file=tmp_path / "settings.json")
        qtbot.addWidget(window)
        try:
            credentials.save_api_key("rf_live_testkey123")
            window.flow.apply_settings(preferences, key_changed=True)
            qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith(f"Connected to {emulator.base_url}."),
                            timeout=10000)
            assert "Key accepted" in window.statusBar().currentMessage()
        finally:
            credentials.save_api_key(None)
            window.close()


def test_settings_dialog_opens_without_blocking_and_applies_on_save(qtbot, window, tmp_path):
    window.prefs.settings_file = tmp_path / "settings.json"
    dialog = window.open_settings()
    assert dialog.isVisible()
    dialog.output_edit.setText(str(tmp_path / "elsewhere"))
    dialog.price_spins["high"].setValue(0.2)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: window.preferences.output_dir == str(tmp_path / "elsewhere"))
    assert load_settings(window.settings_file).prices["high"] == pytest.approx(0.2)
    assert window.results_strip.output_dir() == tmp_path / "elsewhere"


def test_the_theme_follows_light_and_dark(qapp, window):
    try:
        assert apply_theme(qapp, "light") == "light"
        assert not is_dark(qapp.palette())
        assert window.palette().color(QPalette.ColorRole.Window).lightness() > 200
    finally:
        apply_theme(qapp, "dark")
    assert is_dark(qapp.palette())


def test_redact_removes_keys():
    credentials.save_api_key("rf_live_stored999")
    try:
        text = redact("key rf_live_stored999 and rf_svc_other_1 and Authorization: Bearer abc.def")
    finally:
        credentials.save_api_key(None)
    assert "stored999" not in text and "rf_svc_other_1" not in text and "abc.def" not in text


def test_crash_handler_logs_without_the_key_shows_a_dialog_and_saves_masks(qtbot, window, tmp_path):
    document = open_image(qtbot, window, make_photo(tmp_path / "photo.png"))
    document.set_mask_array(np.full((document.height, document.width), 255, np.uint8), "all")
    handler = CrashHandler(window, log_dir=tmp_path / "crashes",
                           save_work=lambda: window.save_recovery_copies(tmp_path / "recovery"))
    credentials.save_api_key("rf_live_secret42")
    try:
        try:
            raise RuntimeError("boom with rf_live_secret42 inside")
        except RuntimeError:
            with qtbot.waitSignal(handler.crashed, timeout=5000) as crashed:
                handler.handle(*sys.exc_info())
    finally:
        credentials.save_api_key(None)
    report = crashed.args[0]
    text = Path(report).read_text(encoding="utf-8")
    assert "RuntimeError: boom" in text and "secret42" not in text
    box = handler.dialog()
    assert box is not None and box.isVisible() and "keep working" in box.text()
    assert "secret42" not in box.informativeText() + box.detailedText()
    recovered = list((tmp_path / "recovery").glob("photo-*.deproj"))
    assert len(recovered) == 1 and str(recovered[0].parent) in box.informativeText()
    # A second error while the dialog is up is logged, not stacked.
    try:
        raise ValueError("again")
    except ValueError:
        handler.handle(*sys.exc_info())
    qtbot.waitUntil(lambda: handler.suppressed == 1)
    box.done(QMessageBox.StandardButton.Ok)
    qtbot.waitUntil(lambda: handler.dialog() is None)
    assert window.documents() == [document] and document.mask_pixels().all()  # the work is intact
    QApplication.processEvents()


def test_a_window_saved_larger_than_the_screen_is_fitted_to_it(qtbot, tmp_path, messages):
    settings_path = tmp_path / "window.ini"
    first = MainWindow(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.setGeometry(300, 300, 3000, 2400)  # as if saved on a much larger monitor
    first.close()

    second = MainWindow(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    available = second.screen().availableGeometry()
    assert second.frameGeometry().width() <= available.width()
    assert second.frameGeometry().height() <= available.height()
    assert available.contains(second.frameGeometry())
    second.close()


def test_many_tabs_keep_readable_names(qtbot, window, tmp_path):
    from editor_helpers import make_photo, open_image

    for n in range(7):
        open_image(qtbot, window, make_photo(tmp_path / f"coffee-cup-on-a-table-{n}.png", (40, 30)))
    tabs = window.tabs
    wide = tabs.fontMetrics().horizontalAdvance("coffee-cup-on-a-table-0.png"[:16])
    assert all(tabs.tabRect(i).width() >= wide for i in range(tabs.count()))
    assert tabs.tabToolTip(0).endswith("coffee-cup-on-a-table-0.png")
    assert window.windowTitle() == "coffee-cup-on-a-table-6.png[*] — Desktop Editor"
