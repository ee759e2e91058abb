"""The window keeps its promises at the edges: a quit while the service is unreachable is
instant and the edit is picked up at the next start; the same paid edit sent twice in a row is
asked about first."""

from __future__ import annotations

import socket
import time

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from desktop_editor.emulator import Behaviour, Emulator
from desktop_editor.jobs import credentials
from desktop_editor.jobs.model import JobState
from desktop_editor.jobs.service import ServiceConnection
from desktop_editor.jobs.settings import AppSettings, load_settings
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
    wait_final,
)

KEY = "rf_test_quit"
Button = QMessageBox.StandardButton
REPEAT_TITLE = "Send the same edit again?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def window_with_key(qtbot, tmp_path, base_url: str) -> MainWindow:
    """A window connected to `base_url` with an API key, as the app connects: real retry
    timings, and edits that find the service unreachable wait as "offline"."""
    credentials.save_api_key(KEY)
    service = ServiceConnection(store=JobStore(tmp_path / "history.sqlite3", owner_kind="window"), offline_retry=30.0)
    preferences = AppSettings(output_dir=str(tmp_path / "out"), base_url=base_url)
    service.connect(preferences, poll_interval=0.05)
    window = MainWindow(settings=QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat), service=service,
                        preferences=preferences, settings_file=tmp_path / "settings.json")
    qtbot.addWidget(window)
    window.resize(1280, 820)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_quit_while_the_service_is_unreachable_is_instant_and_the_next_start_sends_it(qtbot, tmp_path, messages):
    port = free_port()
    window = window_with_key(qtbot, tmp_path, f"http://127.0.0.1:{port}")
    assert not window.is_demo()
    open_astronaut(qtbot, window)
    paint_stroke(window, [(250, 250), (300, 300)])
    set_prompt(window)
    job_id = generate(qtbot, window)
    # Its first request (an upload, or the create) is refused; the client sleeps before trying
    # again (about 8 s of retries in all).
    qtbot.waitUntil(lambda: (job := job_in_panel(window, job_id)) is not None
                    and job.state in (JobState.UPLOADING, JobState.SENDING), timeout=TIMEOUT_MS)
    qtbot.wait(400)
    started = time.monotonic()
    assert window.close()  # "1 edit is still running; it will be picked up next time": Quit
    took = time.monotonic() - started
    assert took < 0.5, f"quit took {took:.2f} s"
    assert any("will be picked up next time" in text for _kind, _title, text in messages)
    store = JobStore(tmp_path / "history.sqlite3")
    left = store.get(job_id)
    store.close()
    assert not left.state.is_final and left.run_id is None, left

    with Emulator(port=port, api_keys={KEY}, behaviour=Behaviour(run_duration=0.2)) as emulator:
        again = window_with_key(qtbot, tmp_path, f"http://127.0.0.1:{port}")
        try:
            assert again.resume_unfinished() == 1
            assert "1 edit from your last session is being picked up" in again.statusBar().currentMessage()
            job = wait_final(qtbot, again, job_id)
            assert job.state is JobState.DONE and emulator.runs_created == 1
        finally:
            again.close()


def test_the_same_edit_sent_again_at_once_is_asked_about(qtbot, gui):
    window = gui.open_window()
    open_astronaut(qtbot, window)
    paint_stroke(window, [(250, 250), (300, 300)])
    set_prompt(window)
    emulator = window.flow.service.emulator
    answers = []
    window.feedback.answer_with(lambda message: answers.pop(0) if message.title == REPEAT_TITLE else Button.Yes)

    def asked() -> list[str]:
        return [m.text for m in window.feedback.messages if m.title == REPEAT_TITLE]

    generate(qtbot, window)
    assert asked() == []
    answers.append((Button.Cancel, False))  # Ctrl+Enter again by mistake: Cancel sends nothing
    with qtbot.assertNotEmitted(window.flow.job_submitted):
        window.actions["edit.generate"].trigger()
    assert len(asked()) == 1 and "You sent this exact edit of astronaut.png" in asked()[0]
    assert "Send it again?" in asked()[0] and "nothing is charged" in asked()[0]

    set_prompt(window, "Another change entirely")
    generate(qtbot, window)  # a different edit: no question
    assert len(asked()) == 1
    paint_stroke(window, [(120, 120), (140, 160)])
    generate(qtbot, window)  # the same words with a changed mask: a different edit too
    assert len(asked()) == 1

    answers.append((Button.Yes, True))  # the same again on purpose, and "Don't ask again"
    generate(qtbot, window)
    assert len(asked()) == 2 and not window.preferences.ask_before_repeating
    assert load_settings(gui.tmp_path / "settings.json").ask_before_repeating is False
    generate(qtbot, window)  # not asked any more
    assert len(asked()) == 2
    qtbot.waitUntil(lambda: emulator.runs_created == 5, timeout=TIMEOUT_MS)
