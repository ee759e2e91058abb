"""The whole window against the in-process emulator, driven like a designer would drive it.

Open a photo, paint a mask with the mouse, write a prompt, press Ctrl+Enter, wait for the job,
look at the comparison, press Ctrl+S and check the file; several jobs at once with the window
staying responsive; a failing run; a 429 storm; stopping; an ambiguous create and a resend on
purpose; a restart that finds the history; sending without a mask. Everything runs on
127.0.0.1 in Demo mode (no key), with every user folder in a temporary directory.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from desktop_editor.emulator import Fault
from desktop_editor.jobs.model import JobState
from desktop_editor.jobs.service import DEMO_SOURCE, ServiceConnection
from desktop_editor.jobs.settings import AppSettings
from desktop_editor.jobs.store import JobStore
from desktop_editor.ui.panels import jobs_panel as jobs_panel_module
from desktop_editor.ui.window.main_window import MainWindow

DATA = Path(__file__).resolve().parents[1] / "data"
PROMPT = "Give the astronaut a golden visor"
TIMEOUT_MS = 30000


# ----- fixtures ---------------------------------------------------------------------------------


class Messages(list):
    """The message boxes shown, as (kind, title, text); `answers` says what "the user" clicks."""

    def __init__(self):
        super().__init__()
        self.answers = {"question": QMessageBox.StandardButton.Yes}


@pytest.fixture
def messages(monkeypatch) -> Messages:
    """Every static message box the window shows is recorded and answered; none of them blocks."""
    shown = Messages()

    def fake(kind, default):
        def show(parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return shown.answers.get(kind, default)

        return show

    monkeypatch.setattr(QMessageBox, "critical", fake("critical", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "warning", fake("warning", QMessageBox.StandardButton.Discard))
    monkeypatch.setattr(QMessageBox, "question", fake("question", QMessageBox.StandardButton.Yes))

    def fake_exec(box: QMessageBox) -> int:  # boxes built by hand (a confirmation with "don't ask again")
        shown.append(("confirm", box.windowTitle(), f"{box.text()} {box.informativeText()}"))
        return shown.answers.get("confirm", QMessageBox.StandardButton.Yes)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


@pytest.fixture
def confirmations(monkeypatch) -> list[tuple[str, str, str]]:
    """The jobs panel's "are you sure" questions (stop waiting, send again), all accepted."""
    asked: list[tuple[str, str, str]] = []

    def confirm(parent, title, text, informative, accept, reject="Cancel"):
        asked.append((title, text, informative))
        return True

    monkeypatch.setattr(jobs_panel_module, "confirm", confirm)
    return asked


class Gui:
    """Opens windows on services that share one history store, and closes them all at the end."""

    def __init__(self, qtbot, tmp_path: Path):
        self.qtbot = qtbot
        self.tmp_path = tmp_path
        self.store_path = tmp_path / "history.sqlite3"
        self.out_dir = tmp_path / "out"
        self.windows: list[MainWindow] = []

    def open_window(self, *, run_duration: float = 0.2) -> MainWindow:
        service = ServiceConnection(store=JobStore(self.store_path), demo_run_duration=run_duration)
        preferences = AppSettings(output_dir=str(self.out_dir))
        service.connect(preferences, poll_interval=0.05, backoff_base=0.02, backoff_max=0.1)
        window = MainWindow(
            settings=QSettings(str(self.tmp_path / "window.ini"), QSettings.Format.IniFormat),
            service=service,
            preferences=preferences,
            settings_file=self.tmp_path / "settings.json",
        )
        self.qtbot.addWidget(window)
        window.resize(1280, 820)
        window.show()
        self.qtbot.waitExposed(window)
        window.activateWindow()
        self.windows.append(window)
        return window

    def close_all(self) -> None:
        for window in self.windows:
            if window.isVisible():
                window.close()
            window.shutdown()


@pytest.fixture
def gui(qtbot, tmp_path, messages):
    helper = Gui(qtbot, tmp_path)
    helper.messages = messages
    yield helper
    helper.close_all()  # while message boxes are still patched


# ----- helpers ----------------------------------------------------------------------------------


def open_astronaut(qtbot, window: MainWindow):
    with qtbot.waitSignal(window.document_opened, timeout=TIMEOUT_MS) as opened:
        window.open_path(DATA / "astronaut.png")
    return opened.args[0]


def paint_stroke(window: MainWindow, points: list[tuple[float, float]], size: int = 70) -> None:
    """A brush stroke through image points, as mouse events on the canvas."""
    canvas = window.canvas
    window.show_mask_page()
    canvas.tools.set_current("brush")
    canvas.tools.settings.brush_size = size
    canvas.tools.settings.hardness = 1.0
    viewport = canvas.viewport()
    view_points = [canvas.map_from_image(QPointF(x, y)).toPoint() for x, y in points]
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view_points[0])
    for point in view_points[1:]:
        QTest.mouseMove(viewport, point)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view_points[-1])


def set_prompt(window: MainWindow, text: str = PROMPT) -> None:
    window.params_panel.prompt_edit.setPlainText(text)


def job_in_panel(window: MainWindow, job_id: str):
    return window.jobs_panel.job(job_id)


def has_run(window: MainWindow, job_id: str) -> bool:
    """The job's run exists on the service (its create was answered)."""
    job = job_in_panel(window, job_id)
    return job is not None and job.run_id is not None


def wait_final(qtbot, window: MainWindow, job_id: str, timeout: int = TIMEOUT_MS):
    qtbot.waitUntil(lambda: (job := job_in_panel(window, job_id)) is not None and job.state.is_final, timeout=timeout)
    return job_in_panel(window, job_id)


def generate(qtbot, window: MainWindow) -> str:
    with qtbot.waitSignal(window.flow.job_submitted, timeout=5000) as submitted:
        window.actions["edit.generate"].trigger()
    return submitted.args[0]


def grown(mask: np.ndarray, radius: int) -> np.ndarray:
    out = mask.copy()
    padded = np.pad(mask, radius)
    h, w = mask.shape
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            out |= padded[radius + dy: radius + dy + h, radius + dx: radius + dx + w]
    return out


# ----- the tests --------------------------------------------------------------------------------


def test_paint_generate_compare_and_save(qtbot, gui):
    window = gui.open_window()
    assert window.is_demo() and window.windowTitle() == "Demo — Desktop Editor"
    assert window.status.demo_badge.isVisible() and window.demo_banner.isVisible()
    document = open_astronaut(qtbot, window)
    original = Image.open(DATA / "astronaut.png")
    original_rgb = np.asarray(original.convert("RGB"), dtype=np.int16)

    paint_stroke(window, [(200, 120), (260, 110), (320, 140), (330, 200)])
    mask = document.mask_array()
    assert mask.any() and not mask.all()
    set_prompt(window)
    window.params_panel.prompt_edit.setFocus()
    with qtbot.waitSignal(window.flow.job_submitted, timeout=5000) as submitted:
        QTest.keyClick(window.params_panel.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    job_id = submitted.args[0]
    assert PROMPT in window.params_panel.recent_prompts()

    job = wait_final(qtbot, window, job_id)
    assert job.state is JobState.DONE, job.error
    assert job.source == DEMO_SOURCE
    qtbot.waitUntil(lambda: window.is_compare_page() and window.compare_view.after_image() is not None, timeout=TIMEOUT_MS)
    assert window.results_strip.count() == 1 and window.results_strip.selected_index() == 0
    assert window.flow.results_for(document)[-1].job.id == job_id
    # Ctrl+S saves the result while comparing (and the project otherwise: never both).
    assert window.actions["result.save"].shortcut().toString() == "Ctrl+S"
    assert window.actions["file.save_project"].shortcut().isEmpty()

    # The result was saved as it arrived: the tile says so, and Ctrl+S only says where it is.
    assert window.results_strip.tiles()[0].saved
    files_before = sorted(gui.out_dir.iterdir())
    window.compare_view.setFocus()
    with qtbot.waitSignal(window.results_strip.already_saved, timeout=TIMEOUT_MS) as saved:
        QTest.keyClick(window.compare_view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    path = Path(saved.args[0])
    assert path == job.result_paths[0] and path.parent == gui.out_dir
    assert sorted(gui.out_dir.iterdir()) == files_before
    assert "Already saved as" in window.statusBar().currentMessage()

    with Image.open(path) as result:
        assert result.size == original.size
        assert result.info.get("icc_profile") == original.info.get("icc_profile")
        after = np.asarray(result.convert("RGB"), dtype=np.int16)
    changed = np.abs(after - original_rgb).max(axis=2) > 0
    inside = mask > 0
    feather = int(window.preferences.feather)
    outside = ~grown(inside, feather + 2)
    assert not changed[outside].any(), "pixels outside the mask changed"
    core = ~grown(~inside, feather + 2)
    assert changed[core].mean() > 0.9, "the inside of the mask did not change"

    # Back to the mask in one key, and Ctrl+S is the project's again.
    window.activateWindow()
    window.actions["view.toggle_page"].trigger()
    assert window.is_mask_page()
    assert window.actions["file.save_project"].shortcut().toString() == "Ctrl+S"
    assert window.actions["result.save"].shortcut().isEmpty()


def test_three_jobs_at_once_and_the_window_stays_responsive(qtbot, gui):
    window = gui.open_window(run_duration=0.6)
    open_astronaut(qtbot, window)
    paint_stroke(window, [(150, 300), (350, 320)])
    set_prompt(window)
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start()
    ids = [generate(qtbot, window) for _ in range(3)]  # the same edit: "Send again" each time it asks
    assert [title for kind, title, _text in gui.messages if kind == "confirm"] == ["Send the same edit again?"] * 2
    qtbot.waitUntil(lambda: window.status.jobs_indicator.count() >= 2, timeout=TIMEOUT_MS)
    assert "running" in window.status.jobs_indicator.text()
    jobs = [wait_final(qtbot, window, job_id) for job_id in ids]
    qtbot.waitUntil(lambda: window.compare_view.after_image() is not None, timeout=TIMEOUT_MS)
    heartbeat.stop()
    assert [job.state for job in jobs] == [JobState.DONE] * 3
    assert window.flow.service.emulator.runs_created == 3
    assert window.status.jobs_indicator.count() == 0 and not window.status.jobs_indicator.isVisible()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert gaps and max(gaps) < 0.25, f"the GUI thread stalled for {max(gaps) * 1000:.0f} ms"


def test_a_failing_run_shows_the_service_message(qtbot, gui):
    window = gui.open_window()
    emulator = window.flow.service.emulator
    emulator.behaviour.outcome = "failed"
    open_astronaut(qtbot, window)
    paint_stroke(window, [(100, 100), (200, 200)])
    set_prompt(window)
    job = wait_final(qtbot, window, generate(qtbot, window))
    assert job.state is JobState.FAILED
    assert emulator.behaviour.failure_message in (job.error or "")
    window.jobs_panel.select_job(job.id)
    details = window.jobs_panel.details.text()
    assert "Failed" in details and emulator.behaviour.failure_message in details
    assert window.jobs_panel.resend_button.isEnabled()
    assert window.is_mask_page()  # nothing to compare
    assert "failed" in window.statusBar().currentMessage().lower()


def test_a_429_storm_on_create_still_makes_exactly_one_run(qtbot, gui):
    window = gui.open_window()
    emulator = window.flow.service.emulator
    emulator.inject(Fault("create", "429", count=3))
    open_astronaut(qtbot, window)
    paint_stroke(window, [(100, 400), (300, 420)])
    set_prompt(window)
    job = wait_final(qtbot, window, generate(qtbot, window))
    assert job.state is JobState.DONE, job.error
    assert emulator.runs_created == 1
    creates = [r for r in emulator.requests if r.route == "create"]
    assert len(creates) == 4  # three refused, one taken


def test_stop_waiting_says_the_service_may_still_charge(qtbot, gui, confirmations):
    window = gui.open_window(run_duration=30.0)
    open_astronaut(qtbot, window)
    paint_stroke(window, [(250, 250), (260, 260)])
    set_prompt(window)
    job_id = generate(qtbot, window)
    qtbot.waitUntil(lambda: has_run(window, job_id), timeout=TIMEOUT_MS)
    assert window.jobs_panel.request_stop(job_id)
    title, _text, informative = confirmations[-1]
    assert title == "Stop waiting?" and "charge" in informative
    job = wait_final(qtbot, window, job_id)
    assert job.state is JobState.STOPPED
    assert job.state.label == "Stopped waiting" and "charge" in (job.advice or "")  # said once, in the advice
    window.jobs_panel.select_job(job_id)
    assert "charge" in window.jobs_panel.details.text()
    assert window.flow.service.emulator.runs_created == 1


def test_an_ambiguous_create_is_never_resent_but_can_be_on_purpose(qtbot, gui, confirmations):
    window = gui.open_window()
    emulator = window.flow.service.emulator
    emulator.inject(Fault("create", "drop_after_read"))
    open_astronaut(qtbot, window)
    paint_stroke(window, [(300, 300), (360, 330)])
    set_prompt(window)
    job_id = generate(qtbot, window)
    job = wait_final(qtbot, window, job_id)
    assert job.state is JobState.OUTCOME_UNKNOWN
    assert "charged" in job.state.label
    assert emulator.runs_created == 1  # the service took it; the app did not send it again
    assert window.resume_unfinished() == 0  # and it is not picked up as unfinished either
    assert emulator.runs_created == 1

    with qtbot.waitSignal(window.flow.job_submitted, timeout=5000) as resent:
        assert window.jobs_panel.request_resend(job_id)
    assert "may already have been accepted and charged" in confirmations[-1][2]
    again = wait_final(qtbot, window, resent.args[0])
    assert again.state is JobState.DONE, again.error
    assert emulator.runs_created == 2
    assert window.jobs_panel.job(job_id).state is JobState.OUTCOME_UNKNOWN


def test_the_history_survives_a_restart_and_reopens_image_mask_and_params(qtbot, gui):
    window = gui.open_window()
    document = open_astronaut(qtbot, window)
    paint_stroke(window, [(120, 180), (220, 260)], size=50)
    sent_mask = document.mask_array()
    set_prompt(window, "Paint the suit matte orange")
    window.params_panel.model.quality = "medium"
    window.params_panel.set_options(feather=9)
    job_id = generate(qtbot, window)
    assert wait_final(qtbot, window, job_id).state is JobState.DONE
    window.close()
    assert not window.isVisible()

    again = gui.open_window()
    history = again.history_panel
    assert history is not None
    qtbot.waitUntil(lambda: any(job.id == job_id for job in history.jobs()), timeout=5000)
    assert not again.documents()
    history.select_job(job_id)
    with qtbot.waitSignal(again.document_opened, timeout=TIMEOUT_MS) as opened:
        history.reopen_button.click()
    reopened = opened.args[0]
    assert reopened.width == 512 and reopened.height == 512
    qtbot.waitUntil(lambda: reopened.mask_array().any(), timeout=TIMEOUT_MS)
    assert np.array_equal(reopened.mask_array() > 0, sent_mask > 0)
    params = again.params_panel.params()
    assert params.prompt == "Paint the suit matte orange" and params.quality == "medium"
    assert again.params_panel.options()["feather"] == 9
    assert "Demo" in history.total_label.toolTip() or "$0.00" in history.total_label.text()


def test_reopening_an_edit_whose_files_are_gone_says_so(qtbot, gui, messages):
    window = gui.open_window()
    photo = gui.tmp_path / "photo.png"
    photo.write_bytes((DATA / "astronaut.png").read_bytes())
    with qtbot.waitSignal(window.document_opened, timeout=TIMEOUT_MS) as opened:
        window.open_path(photo)
    document = opened.args[0]
    other = open_astronaut(qtbot, window)
    window.set_current_document(document)
    paint_stroke(window, [(100, 100), (150, 150)])
    set_prompt(window)
    job = wait_final(qtbot, window, generate(qtbot, window))
    assert window.close_document(document, ask=False)
    Path(job.image_paths[0]).unlink()
    photo.unlink()
    assert not window.flow.reopen_job(window.flow.service.store.get(job.id))
    kind, title, text = messages[-1]
    assert kind == "critical" and title == "Cannot reopen this edit" and "no longer on disk" in text
    assert window.documents() == [other]


def test_sending_without_a_mask_asks_first(qtbot, gui, messages):
    window = gui.open_window()
    open_astronaut(qtbot, window)
    set_prompt(window)
    messages.answers["question"] = QMessageBox.StandardButton.Cancel
    window.actions["edit.generate"].trigger()
    kind, title, text = messages[-1]
    assert kind == "question" and "mask" in title.lower() and "whole picture" in text
    assert window.jobs_panel.jobs() == []
    assert window.flow.service.emulator.runs_created == 0

    messages.answers["question"] = QMessageBox.StandardButton.Yes
    job = wait_final(qtbot, window, generate(qtbot, window))
    assert job.state is JobState.DONE
    assert job.mask_path is None


def test_use_as_input_continues_from_a_result_with_the_same_mask(qtbot, gui):
    window = gui.open_window()
    document = open_astronaut(qtbot, window)
    paint_stroke(window, [(200, 200), (300, 260)])
    mask = document.mask_array()
    set_prompt(window)
    wait_final(qtbot, window, generate(qtbot, window))
    qtbot.waitUntil(lambda: window.compare_view.after_image() is not None, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(window.document_opened, timeout=TIMEOUT_MS) as opened:
        window.actions["result.use_as_input"].trigger()
    follow_up = opened.args[0]
    assert follow_up is window.current_document() and follow_up is not document
    assert follow_up.path.parent == gui.out_dir
    assert np.array_equal(follow_up.mask_array(), mask)
    assert window.is_mask_page()


def test_closing_with_edits_in_flight_says_they_stop_in_demo_mode(qtbot, gui, messages):
    window = gui.open_window(run_duration=30.0)
    document = open_astronaut(qtbot, window)
    paint_stroke(window, [(250, 250), (300, 300)])
    set_prompt(window)
    job_id = generate(qtbot, window)
    qtbot.waitUntil(lambda: has_run(window, job_id), timeout=TIMEOUT_MS)
    document.mark_saved()
    messages.answers["question"] = QMessageBox.StandardButton.Cancel
    assert not window.close()
    kind, title, text = messages[-1]
    assert kind == "question" and "1 emulated edit is still running" in text
    messages.answers["question"] = QMessageBox.StandardButton.Yes
    assert window.close()


def test_an_emulated_edit_left_running_is_closed_at_the_next_start_never_resent(qtbot, gui):
    window = gui.open_window(run_duration=30.0)
    document = open_astronaut(qtbot, window)
    paint_stroke(window, [(250, 250), (300, 300)])
    set_prompt(window)
    job_id = generate(qtbot, window)
    qtbot.waitUntil(lambda: has_run(window, job_id), timeout=TIMEOUT_MS)
    document.mark_saved()
    assert window.close()  # "1 emulated edit is still running": answered Quit

    again = gui.open_window()
    stored = again.flow.service.store.get(job_id)
    assert stored.state is JobState.FAILED and "emulated" in stored.error and "Nothing was charged" in stored.advice
    assert again.resume_unfinished() == 0
    assert again.flow.service.emulator.runs_created == 0


def test_in_demo_mode_edits_sent_to_runflow_wait_for_the_key(qtbot, gui, tmp_path):
    from desktop_editor.core.params import EditParams
    from desktop_editor.jobs.model import EditJob

    store = JobStore(gui.store_path)
    real = EditJob(params=EditParams(prompt="a real edit"), image_paths=[DATA / "astronaut.png"], source="app",
                   state=JobState.RUNNING, run_id="run-on-the-real-service")
    store.save(real)
    store.close()
    window = gui.open_window()
    assert window.is_demo()
    assert window.resume_unfinished() == 0
    assert "waiting for your API key" in window.statusBar().currentMessage()
    assert window.flow.service.store.get(real.id).state is JobState.RUNNING  # untouched, still resumable
    assert window.flow.service.emulator.runs_created == 0
    assert not [r for r in window.flow.service.emulator.requests if r.route == "get_run"]


@pytest.mark.parametrize("spare", [False, True], ids=["copied-then", "copied-while-it-came"])
def test_a_result_is_shown_from_memory_before_its_file_and_with_its_pixels(qtbot, gui, monkeypatch, spare):
    from desktop_editor.ui.common.conversions import pil_from_qimage
    from desktop_editor.ui.flow import result_presenter, spare_frames

    claimed: list[bool] = []
    if spare:  # the photo counts as large: its display copy is made while the result downloads
        monkeypatch.setattr(spare_frames, "SPARE_FRAME_PIXELS", 1)
        real_claim = spare_frames.SpareFrames.claim
        monkeypatch.setattr(spare_frames.SpareFrames, "claim",
                            lambda self, *a: (lambda f: claimed.append(f is not None) or f)(real_claim(self, *a)))
    window = gui.open_window()
    open_astronaut(qtbot, window)
    opened = np.asarray(pil_from_qimage(window.current_document().image)).copy()
    decoded: list[Path] = []
    real_load = result_presenter.load_image
    monkeypatch.setattr(result_presenter, "load_image", lambda path, *a, **k: decoded.append(Path(path)) or real_load(path, *a, **k))
    previewed = []
    window.flow.controller.result_previewed.connect(lambda job, index, preview: previewed.append((job, index, preview)))
    paint_stroke(window, [(200, 120), (260, 110), (320, 140)])
    set_prompt(window)
    job = wait_final(qtbot, window, generate(qtbot, window))
    assert job.state is JobState.DONE, job.error
    qtbot.waitUntil(lambda: window.is_compare_page() and window.results_strip.count() == 1
                    and not window.flow.results.busy(), timeout=TIMEOUT_MS)
    assert len(previewed) == 1
    early, index, preview = previewed[0]
    assert index == 0 and not early.result_paths and early.state is not JobState.DONE  # before the file
    path = Path(job.result_paths[0])
    assert path.suffix == ".png" and preview.exact
    assert path not in decoded  # a lossless file holds the pixels shown: not decoded again
    shown = np.asarray(pil_from_qimage(window.compare_view.after_image()))
    with Image.open(path) as saved:
        assert np.array_equal(shown, np.asarray(saved.convert("RGB")))
    assert np.array_equal(np.asarray(pil_from_qimage(window.current_document().image)), opened)  # untouched
    assert claimed == ([True] if spare else [])


def test_a_result_previewed_is_shown_even_when_its_file_is_saved_and_selected_first(qtbot, gui, monkeypatch):
    """The job writes its file while the window turns the preview into an image; the strip then
    selects the saved result, which used to drop the preview and wait for the file's decode."""
    import time as time_module

    from desktop_editor.ui.flow import result_presenter

    window = gui.open_window()
    open_astronaut(qtbot, window)
    made: list = []
    real_preview = result_presenter.preview_image

    def slow_preview(preview, shown, **kwargs):
        image = real_preview(preview, shown, **kwargs)
        if not made:
            time_module.sleep(1.0)  # the first one finishes after the file is saved and selected
        made.append(image)
        return image

    monkeypatch.setattr(result_presenter, "preview_image", slow_preview)
    selected_while_previewing: list[bool] = []
    window.results_strip.result_selected.connect(lambda _i: selected_while_previewing.append(not made))
    shown_keys: list[int] = []
    real_set_images = window.compare_view.set_images

    def recording_set_images(before, after, *args, **kwargs):
        shown_keys.append(after.cacheKey())
        return real_set_images(before, after, *args, **kwargs)

    monkeypatch.setattr(window.compare_view, "set_images", recording_set_images)
    paint_stroke(window, [(200, 120), (260, 110), (320, 140)])
    set_prompt(window)
    job = wait_final(qtbot, window, generate(qtbot, window))
    assert job.state is JobState.DONE, job.error
    qtbot.waitUntil(lambda: window.is_compare_page() and len(made) >= 1 and not window.flow.results.busy(),
                    timeout=TIMEOUT_MS)
    assert selected_while_previewing and selected_while_previewing[0]  # the race this is about happened
    assert shown_keys and shown_keys[0] == made[0].cacheKey()  # the preview was shown, first


def test_a_sent_jobs_input_thumbnail_comes_from_the_open_image_not_its_file(qtbot, gui, monkeypatch):
    from desktop_editor.ui.common import job_bridge

    window = gui.open_window()
    open_astronaut(qtbot, window)
    decoded: list[str] = []
    real = job_bridge._thumbnail_as_image_work
    monkeypatch.setattr(job_bridge, "_thumbnail_as_image_work", lambda path, edge: decoded.append(path) or real(path, edge))
    paint_stroke(window, [(200, 120), (260, 110)])
    set_prompt(window)
    job = wait_final(qtbot, window, generate(qtbot, window))
    assert job.state is JobState.DONE, job.error
    window.jobs_panel.view.viewport().repaint()
    source = str(job.image_paths[0])
    thumbnail = window.thumbnails.get(source)
    assert thumbnail is not None and not thumbnail.isNull()
    assert max(thumbnail.width(), thumbnail.height()) <= window.thumbnails.edge
    assert source not in decoded
    with Image.open(source) as img:  # the same picture: its proportions
        assert abs(thumbnail.width() / thumbnail.height() - img.width / img.height) < 0.03


def test_an_edit_the_journal_cannot_record_is_reported_and_never_sent(qtbot, gui, messages):
    window = gui.open_window()
    open_astronaut(qtbot, window)
    paint_stroke(window, [(200, 120), (260, 110)])
    set_prompt(window)

    def full_disk(job):
        raise OSError(28, "No space left on device")

    window.flow.controller.manager.store.save = full_disk
    with qtbot.waitSignal(window.flow.controller.submit_failed, timeout=5000):
        generate(qtbot, window)
    qtbot.waitUntil(lambda: any(kind == "critical" for kind, *_ in messages), timeout=5000)
    kind, title, text = [m for m in messages if m[0] == "critical"][-1]
    assert title == "Cannot send the edit" and "could not be recorded, so it was not sent" in text
    assert "No space left" in text
    assert window.flow.service.emulator.runs_created == 0
    assert window.flow.sent.documents == {}


def test_the_compare_view_draws_the_original_from_the_open_images_own_levels(qtbot, gui):
    window = gui.open_window()
    open_astronaut(qtbot, window)
    document = window.current_document()
    qtbot.waitUntil(lambda: not document.display_pending(), timeout=TIMEOUT_MS)
    paint_stroke(window, [(200, 120), (260, 110)])
    set_prompt(window)
    job = wait_final(qtbot, window, generate(qtbot, window))
    assert job.state is JobState.DONE, job.error
    qtbot.waitUntil(lambda: window.is_compare_page() and not window.flow.results.busy(), timeout=TIMEOUT_MS)
    levels = window.compare_view.levels_of(document.image)
    assert levels is not None and levels.complete
    shown = [level.cacheKey() for level in levels.levels[1:]]
    assert shown and shown == [level.cacheKey() for level in document.image_levels]  # not made again
