"""Stop in the window, with a key and a service that cannot be reached: an edit never sent is
cancelled for good (asked about without any charge, said so in the status bar, never sent when
the service comes back, not counted as in progress); the status bar never says "Sent" for it."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from desktop_editor.emulator import Behaviour, Emulator
from desktop_editor.jobs import credentials
from desktop_editor.jobs.model import JobState
from desktop_editor.jobs.service import ServiceConnection
from desktop_editor.jobs.settings import AppSettings
from desktop_editor.jobs.store import JobStore
from desktop_editor.ui.window.main_window import MainWindow
from test_gui_flow import (  # noqa: F401 - fixtures
    TIMEOUT_MS,
    generate,
    gui,
    job_in_panel,
    messages,
    open_astronaut,
    paint_stroke,
    set_prompt,
)
from test_gui_quit_and_repeats import KEY, free_port


def offline_window(qtbot, tmp_path, port: int) -> MainWindow:
    """A window with a key on 127.0.0.1:`port`, retrying fast, waiting 30 s between offline tries."""
    credentials.save_api_key(KEY)
    service = ServiceConnection(store=JobStore(tmp_path / "history.sqlite3", owner_kind="window"), offline_retry=30.0)
    preferences = AppSettings(output_dir=str(tmp_path / "out"), base_url=f"http://127.0.0.1:{port}")
    service.connect(preferences, poll_interval=0.05, backoff_base=0.01, backoff_max=0.02, max_retries=1)
    window = MainWindow(settings=QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat), service=service,
                        preferences=preferences, settings_file=tmp_path / "settings.json")
    qtbot.addWidget(window)
    window.resize(1280, 820)
    window.show()
    qtbot.waitExposed(window)
    return window


def wait_offline(qtbot, window: MainWindow, job_id: str) -> None:
    qtbot.waitUntil(lambda: (job := job_in_panel(window, job_id)) is not None and job.state is JobState.OFFLINE,
                    timeout=TIMEOUT_MS)


def confirmations(messages) -> list[tuple[str, str]]:
    return [(title, text) for kind, title, text in messages if kind == "confirm"]


def test_an_offline_edit_is_cancelled_for_good_by_click(qtbot, tmp_path, messages):
    port = free_port()
    window = offline_window(qtbot, tmp_path, port)
    open_astronaut(qtbot, window)
    paint_stroke(window, [(250, 250), (300, 300)])
    set_prompt(window)
    job_id = generate(qtbot, window)
    said = window.feedback.texts("status")
    assert said[-1].startswith("Sending astronaut.png: ≈ $") and "charged once the service takes it" in said[-1]
    wait_offline(qtbot, window, job_id)
    assert "astronaut.png not sent yet: the service cannot be reached" in window.statusBar().currentMessage()
    assert not any(text.startswith("Sent ") for text in window.feedback.texts("status"))

    panel = window.jobs_panel
    panel.select_job(job_id)
    assert panel.stop_button.text() == "Cancel edit" and panel.stop_button.isEnabled()
    assert window.flow.active_count() == 1
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    title, text = confirmations(messages)[-1]
    assert title == "Cancel edit?" and "nothing is charged" in text and "may" not in text
    qtbot.waitUntil(lambda: job_in_panel(window, job_id).state is JobState.CANCELED, timeout=5000)
    assert panel.summary.text() == "1 finished" and window.flow.active_count() == 0
    qtbot.waitUntil(lambda: "nothing is charged" in window.statusBar().currentMessage(), timeout=5000)
    assert "Cancelled before sending, not charged" in panel.details.text()
    assert not any(text.startswith("Sent ") for text in window.feedback.texts("status"))

    with Emulator(port=port, api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emulator:
        window.flow.controller.manager.send_now(job_id)  # as its offline timer would
        assert window.resume_unfinished() == 0
        qtbot.wait(300)
        assert emulator.runs_created == 0
        store = JobStore(tmp_path / "history.sqlite3")
        assert store.get(job_id).state is JobState.CANCELED
        store.close()
    window.close()


def test_a_resumed_offline_edit_is_cancelled_by_keyboard(qtbot, tmp_path, messages):
    port = free_port()
    first = offline_window(qtbot, tmp_path, port)
    open_astronaut(qtbot, first)
    paint_stroke(first, [(250, 250), (300, 300)])
    set_prompt(first)
    job_id = generate(qtbot, first)
    wait_offline(qtbot, first, job_id)
    assert first.close()  # quit: "it will be picked up next time"

    window = offline_window(qtbot, tmp_path, port)
    assert window.resume_unfinished() == 1
    wait_offline(qtbot, window, job_id)
    panel = window.jobs_panel
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Home)  # the only row: the resumed edit
    assert panel.selected_job().id == job_id and panel.stop_button.text() == "Cancel edit"
    panel.stop_button.setFocus()
    qtbot.keyClick(panel.stop_button, Qt.Key.Key_Space)
    assert confirmations(messages)[-1][0] == "Cancel edit?"
    qtbot.waitUntil(lambda: job_in_panel(window, job_id).state is JobState.CANCELED, timeout=5000)
    assert window.flow.active_count() == 0

    with Emulator(port=port, api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emulator:
        window.flow.controller.manager.send_now(job_id)
        qtbot.wait(300)
        assert emulator.runs_created == 0
    window.close()


def test_a_stop_that_finds_the_edit_sent_says_it_may_be_charged(qtbot, gui):
    """The designer confirmed a free cancel, but the create left meanwhile: the journal only lets
    the app stop waiting, and the window says the run may be charged."""
    import threading

    window = gui.open_window(run_duration=30.0)
    manager = window.flow.controller.manager
    in_create, go_on = threading.Event(), threading.Event()
    original = manager.client.create_run

    def slow_create(*args, **kw):
        in_create.set()
        go_on.wait(10)
        return original(*args, **kw)

    manager.client.create_run = slow_create
    open_astronaut(qtbot, window)
    paint_stroke(window, [(250, 250), (300, 300)])
    set_prompt(window)
    job_id = generate(qtbot, window)
    assert in_create.wait(10)
    window.flow.submitter.on_stop_requested(job_id)  # as after the panel's confirmation
    qtbot.waitUntil(lambda: "may still finish and charge" in window.statusBar().currentMessage(), timeout=5000)
    assert window.statusBar().currentMessage().startswith("Stopped waiting for astronaut.png: it had been sent")
    go_on.set()
    qtbot.waitUntil(lambda: job_in_panel(window, job_id).state is JobState.STOPPED, timeout=TIMEOUT_MS)
    assert window.flow.service.emulator.runs_created == 1


def test_a_stop_the_journal_cannot_record_is_reported(qtbot, gui, monkeypatch):
    import sqlite3

    window = gui.open_window()
    manager = window.flow.controller.manager

    def locked(*_args, **_kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(manager.store, "cancel_unsent", locked)
    window.flow.submitter.on_stop_requested("0123456789ab")
    qtbot.waitUntil(lambda: any("database is locked" in text for text in window.feedback.texts()), timeout=5000)
