"""The jobs panel and the JobsController bridge, including a real job against the emulator."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QObject, QThread, Slot
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QSystemTrayIcon

from desktop_editor.api import ClientConfig, RunflowClient
from desktop_editor.core.params import EditParams
from desktop_editor.emulator import Behaviour, Emulator
from desktop_editor.jobs.manager import JobManager, Snapshot
from desktop_editor.jobs.model import CANCELED_ADVICE, EditJob, JobOptions, JobState
from desktop_editor.jobs.store import JobStore
from desktop_editor.ui.flow import notifications
from desktop_editor.ui.common.job_bridge import JobsController, ThumbnailCache, start_worker
from desktop_editor.ui.panels.job_list import job_short_label
from desktop_editor.ui.panels.jobs_panel import JobsPanel, format_elapsed, short_label

KEY = "rf_test_bridge"


def iso(seconds_ago: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds_ago)).isoformat(timespec="seconds")


def make_job(state: JobState = JobState.RUNNING, prompt: str = "make the sky orange", age: float = 10, **fields) -> EditJob:
    return EditJob(params=EditParams(prompt=prompt), image_paths=[Path("missing.png")], state=state,
                   created_at=iso(age), updated_at=iso(max(0.0, age - 5)), **fields)


@pytest.fixture
def panel(qtbot) -> JobsPanel:
    p = JobsPanel()
    qtbot.addWidget(p)
    p.resize(380, 600)
    return p


class Answers(list):
    """The texts of the confirmation boxes shown, and the button the next one answers with."""

    def __init__(self) -> None:
        super().__init__()
        self.reply = {"button": QMessageBox.StandardButton.Yes}


@pytest.fixture
def answers(monkeypatch) -> Answers:
    """Replace the confirmation box so no test blocks; each box's text is recorded."""
    asked = Answers()

    def fake_exec(box: QMessageBox) -> int:
        asked.append(f"{box.text()} {box.informativeText()}")
        return asked.reply["button"]

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return asked


def test_states_are_listed_newest_first_with_their_labels(panel):
    states = [JobState.PREPARING, JobState.UPLOADING, JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING,
              JobState.DONE, JobState.FAILED, JobState.OUTCOME_UNKNOWN, JobState.STOPPED]
    for age, state in enumerate(states):
        panel.update_job(make_job(state, prompt=state.value, age=100 - age))
    shown = [job.params.prompt for job in panel.jobs()]
    assert shown == [s.value for s in reversed(states)]
    labels = {short_label(s) for s in states}
    assert labels == {"Preparing", "Uploading", "Queued", "Running", "Downloading", "Done", "Failed",
                      "Outcome unknown", "Stopped waiting"}
    assert panel.summary.text() == "5 in progress, 4 finished"
    assert panel._timer.isActive()  # one timer ticks while anything is in flight
    assert panel.grab().toImage().width() == 380  # every row paints


def test_a_job_moves_through_its_states_in_one_row(panel):
    job = make_job(JobState.QUEUED)
    panel.update_job(job)
    job.state = JobState.RUNNING
    panel.update_job(job.snapshot())
    job.state, job.result_paths = JobState.DONE, [Path("out.png")]
    panel.update_job(job.snapshot())
    assert len(panel.jobs()) == 1
    assert panel.job(job.id).state is JobState.DONE
    assert not panel._timer.isActive()
    assert panel.clear_finished() == 1
    assert panel.jobs() == [] and panel.empty_label.isVisibleTo(panel)


def test_elapsed_time_ticks_for_jobs_in_flight(panel):
    running = make_job(JobState.RUNNING, age=65)
    done = make_job(JobState.DONE, age=400)
    panel.set_jobs([running, done])
    now = time.time()
    assert panel.model.elapsed(running, now) >= 65
    assert 4 <= panel.model.elapsed(done, now) <= 6  # frozen at the last change
    assert format_elapsed(65) == "1:05" and format_elapsed(3725) == "1:02:05"
    before = panel.delegate.tick
    panel._on_tick()
    assert panel.delegate.tick == before + 1


def test_failure_shows_the_service_message_and_advice(panel):
    job = make_job(JobState.FAILED, error="Your Runflow account does not have enough credit.",
                   advice="Add credit to your Runflow account, then try again.")
    panel.update_job(job)
    panel.select_job(job.id)
    assert "enough credit" in panel.details.text() and "Add credit" in panel.details.text()
    assert panel.resend_button.isEnabled() and not panel.stop_button.isEnabled()


def test_stop_waiting_asks_and_says_it_may_still_be_charged(qtbot, panel, answers):
    job = make_job(JobState.RUNNING)
    panel.update_job(job)
    panel.select_job(job.id)
    assert panel.stop_button.isEnabled() and not panel.resend_button.isEnabled()

    answers.reply["button"] = QMessageBox.StandardButton.Cancel
    with qtbot.assertNotEmitted(panel.stop_requested):
        panel.stop_button.click()
    assert "may still finish" in answers[-1] and "charge" in answers[-1]

    answers.reply["button"] = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(panel.stop_requested, timeout=1000) as blocker:
        panel.stop_button.click()
    assert blocker.args == [job.id]


def test_stop_on_an_edit_never_sent_cancels_it_and_warns_of_no_charge(qtbot, panel, answers):
    for state in (JobState.PENDING, JobState.OFFLINE, JobState.PREPARING, JobState.UPLOADING):
        job = make_job(state)
        panel.update_job(job)
        panel.select_job(job.id)
        assert panel.stop_button.text() == "Cancel edit" and "nothing is charged" in panel.stop_button.toolTip()
        with qtbot.waitSignal(panel.stop_requested, timeout=1000) as blocker:
            panel.stop_button.click()
        assert blocker.args == [job.id]
        assert "Cancel this edit?" in answers[-1] and "nothing is charged" in answers[-1]
        assert "may still" not in answers[-1] and "charge your account" not in answers[-1]
    # Offline while waiting for the results of a run it created: that one was sent.
    sent = make_job(JobState.OFFLINE, run_id="r7")
    panel.update_job(sent)
    panel.select_job(sent.id)
    assert panel.stop_button.text() == "Stop waiting"
    panel.stop_button.click()
    assert "may still finish" in answers[-1] and "charge" in answers[-1]


def test_a_cancelled_edit_says_it_was_not_charged(panel):
    job = make_job(JobState.CANCELED, advice=CANCELED_ADVICE, sent_size=(600, 400))
    panel.update_job(job)
    panel.select_job(job.id)
    assert short_label(JobState.CANCELED) == "Cancelled before sending"
    details = panel.details.text()
    assert "Cancelled before sending, not charged" in details and "nothing was charged" in details
    assert "To be sent at 600x400" in details and "Sent at" not in details  # it never was
    assert panel.summary.text() == "1 finished" and not panel.stop_button.isEnabled()


def test_a_never_sent_edit_another_window_holds_can_still_be_cancelled(qtbot, panel, answers):
    job = make_job(JobState.OFFLINE, elsewhere="running in another window (pid 4242)")
    panel.update_job(job)
    panel.select_job(job.id)
    assert panel.stop_button.isEnabled() and panel.stop_button.text() == "Cancel edit"
    with qtbot.waitSignal(panel.stop_requested, timeout=1000):
        assert panel.request_stop(job.id)


def test_a_job_another_window_runs_is_shown_read_only(qtbot, panel, answers):
    job = make_job(JobState.RUNNING, run_id="r1", elsewhere="running in another window (pid 4242)")
    panel.update_job(job)
    panel.select_job(job.id)
    assert job_short_label(job) == "In another window"
    assert "Running, running in another window (pid 4242); followed here read-only" in panel.details.text()
    assert not panel.stop_button.isEnabled() and not panel.resend_button.isEnabled()
    with qtbot.assertNotEmitted(panel.stop_requested):
        assert not panel.request_stop(job.id)
    assert answers == []
    finished = make_job(JobState.DONE, run_id="r1", id=job.id, client_ref=job.client_ref)
    panel.update_job(finished)  # the owner finished it: an ordinary finished job now
    assert job_short_label(panel.selected_job()) == "Done" and panel.summary.text() == "1 finished"


def test_send_again_only_for_failed_or_unknown_and_mentions_the_charge(qtbot, panel, answers):
    done = make_job(JobState.DONE, age=50)
    unknown = make_job(JobState.OUTCOME_UNKNOWN, age=20, error="The connection broke.")
    panel.set_jobs([done, unknown])
    assert not panel.request_resend(done.id)
    assert answers == []

    panel.select_job(unknown.id)
    assert panel.resend_button.isEnabled()
    with qtbot.waitSignal(panel.resend_requested, timeout=1000) as blocker:
        panel.resend_button.click()
    assert blocker.args == [unknown.id]
    assert "charged again" in answers[-1]
    assert "may already have been accepted" in answers[-1]


def test_selection_is_announced(qtbot, panel):
    job = make_job(JobState.DONE)
    panel.update_job(job)
    with qtbot.waitSignal(panel.job_selected, timeout=1000) as blocker:
        panel.select_job(job.id)
    assert blocker.args[0].id == job.id


def test_two_hundred_jobs_stay_quick(panel):
    started = time.perf_counter()
    for i in range(200):
        panel.update_job(make_job(JobState.RUNNING if i % 3 else JobState.DONE, prompt=f"edit {i}", age=1000 - i))
    for i in range(0, 200, 2):  # updates to existing rows
        job = panel.jobs()[i]
        job.state = JobState.DOWNLOADING
        panel.update_job(job)
    panel._on_tick()
    panel.grab()
    assert time.perf_counter() - started < 3.0
    assert len(panel.jobs()) == 200
    assert panel.jobs()[0].params.prompt == "edit 199"


def test_thumbnail_cache_loads_off_the_gui_thread(qtbot, tmp_path):
    path = tmp_path / "big.png"
    Image.new("RGB", (900, 600), (200, 100, 50)).save(path)
    cache = ThumbnailCache(edge=64)
    with qtbot.waitSignal(cache.thumbnail_ready, timeout=5000):
        assert cache.get(path) is None  # not cached yet: loading starts
    image = cache.get(path)
    assert image is not None and max(image.width(), image.height()) == 64
    assert cache.get(tmp_path / "missing.png") is None
    qtbot.waitUntil(lambda: cache.get(tmp_path / "missing.png") is not None, timeout=5000)
    assert cache.get(tmp_path / "missing.png").isNull()


def test_worker_reports_on_the_gui_thread(qtbot):
    seen: dict[str, object] = {}

    def work() -> str:
        seen["worker"] = threading.current_thread()
        return "ok"

    class Receiver(QObject):
        @Slot(object)
        def on_returned(self, value: object) -> None:
            seen["slot"] = threading.current_thread()
            seen["value"] = value

    receiver = Receiver()
    start_worker(work, on_returned=receiver.on_returned, owner=receiver)
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen["value"] == "ok"
    assert seen["worker"] is not threading.main_thread()
    assert seen["slot"] is threading.main_thread()


class _ThreadProbe(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.on_gui_thread: list[bool] = []
        self.states: list[JobState] = []

    @Slot(object)
    def on_job_changed(self, job: EditJob) -> None:
        self.on_gui_thread.append(QThread.currentThread() is QApplication.instance().thread())
        self.states.append(job.state)


def test_controller_runs_a_real_job_and_reports_on_the_gui_thread(qtbot, tmp_path):
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.2)) as emulator:
        client = RunflowClient(ClientConfig(api_key=KEY, base_url=emulator.base_url, poll_interval=0.05, wait_timeout=20))
        store = JobStore(tmp_path / "history.sqlite3")
        manager = JobManager(client, store, max_workers=2)
        controller = JobsController(manager)
        panel = JobsPanel()
        qtbot.addWidget(panel)
        controller.job_changed.connect(panel.update_job)
        probe = _ThreadProbe()
        controller.job_changed.connect(probe.on_job_changed)
        try:
            snapshot = Snapshot(image=Image.new("RGB", (256, 192), (40, 90, 160)), mask=None, name="photo")
            with qtbot.waitSignal(controller.job_finished, timeout=15000) as blocker:
                job_id = controller.generate(snapshot, EditParams(prompt="make it dusk"), JobOptions(out_dir=tmp_path / "out"))
            job = blocker.args[0]
            assert job.id == job_id
            assert job.state is JobState.DONE, job.error
            assert job.result_paths and all(Path(p).is_file() for p in job.result_paths)
            qtbot.waitUntil(lambda: panel.job(job_id) is not None and panel.job(job_id).state is JobState.DONE)
            assert probe.on_gui_thread and all(probe.on_gui_thread)
            assert JobState.RUNNING in probe.states or JobState.QUEUED in probe.states
            assert controller.active_count() == 0
            assert store.get(job_id).state is JobState.DONE
        finally:
            controller.close()
            manager.shutdown()
            client.close()
            store.close()


def test_controller_resends_on_purpose_and_counts_resumed_jobs(qtbot, tmp_path):
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emulator:
        client = RunflowClient(ClientConfig(api_key=KEY, base_url=emulator.base_url, poll_interval=0.05, wait_timeout=20))
        store = JobStore(tmp_path / "history.sqlite3")
        image = tmp_path / "photo.png"
        Image.new("RGB", (200, 150), (90, 90, 90)).save(image)
        # A job a previous session left running (run id known) and one that died while sending.
        old = EditJob(params=EditParams(prompt="earlier"), image_paths=[image], state=JobState.SENDING,
                      options=JobOptions(out_dir=tmp_path / "out"))
        store.save(old)
        manager = JobManager(client, store, max_workers=2)
        controller = JobsController(manager)
        try:
            with qtbot.waitSignal(controller.job_changed, timeout=5000) as blocker:
                assert controller.resume_unfinished() == (0, 0)  # nothing had a run id: marked, never resent
            assert blocker.args[0].state is JobState.OUTCOME_UNKNOWN
            assert emulator.runs_created == 0
            with qtbot.waitSignal(controller.job_finished, timeout=15000,
                                  check_params_cb=lambda j: j.state is JobState.DONE) as done:
                new_id = controller.resend(old.id)
            assert new_id != old.id and done.args[0].id == new_id
            assert emulator.runs_created == 1
        finally:
            controller.close()
            manager.shutdown()
            client.close()
            store.close()


def test_notification_only_when_the_window_is_not_active(qtbot, monkeypatch):
    window = QMainWindow()
    qtbot.addWidget(window)
    job = make_job(JobState.DONE, prompt="make it dusk")
    job.result_paths = [Path("a.png"), Path("b.png")]
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: False))

    monkeypatch.setattr(window, "isActiveWindow", lambda: True)
    assert notifications.notify_finished(window, job) is None
    assert window.statusBar().currentMessage() == ""

    monkeypatch.setattr(window, "isActiveWindow", lambda: False)
    assert notifications.notify_finished(window, job) == "status"
    assert "Edit finished" in window.statusBar().currentMessage()
    assert "2 results saved" in window.statusBar().currentMessage()

    failed = make_job(JobState.FAILED, error="Your Runflow account does not have enough credit.")
    assert notifications.notification_text(failed) == ("Edit failed", failed.error)


ANSWER = '{\n  "id": "run-7",\n  "status": "succeeded",\n  "output": {"message": "Your image is ready."}\n}'


def test_an_unreadable_answer_is_shown_with_copy_answer_and_run_id(qtbot, panel):
    job = make_job(JobState.UNREADABLE, run_id="run-7", raw_answer=ANSWER, cost=0.133,
                   error="The run finished, but its answer held no image we could read (run run-7).")
    panel.update_job(job)
    assert short_label(JobState.UNREADABLE) == "No readable image"
    assert not panel.copy_answer_button.isVisibleTo(panel)
    panel.select_job(job.id)
    details = panel.details.text()
    assert "held no image we could read" in details and "Run run-7" in details and "Copy answer" in details
    assert panel.copy_answer_button.isVisibleTo(panel)
    assert not panel.resend_button.isEnabled()  # never sent again as if it had not been
    panel.copy_answer_button.click()
    assert QApplication.clipboard().text() == ANSWER
    done = make_job(JobState.DONE)
    panel.update_job(done)
    panel.select_job(done.id)
    assert not panel.copy_answer_button.isVisibleTo(panel)


def test_a_status_no_source_names_is_shown_as_it_is(panel):
    job = make_job(JobState.RUNNING, run_id="run-8", run_status="warming_up")
    panel.update_job(job)
    panel.select_job(job.id)
    assert "“warming_up”; still waiting" in panel.details.text()
    assert panel.grab().toImage().width() == 380


def test_copy_actions_offer_what_the_job_has(qtbot):
    from PySide6.QtWidgets import QMenu

    from desktop_editor.ui.panels.job_list import copy_actions

    menu = QMenu()
    job = make_job(JobState.UNREADABLE, run_id="run-7", raw_answer=ANSWER)
    full = {action.text(): text for action, text in copy_actions(menu, job).items()}
    assert full == {"Copy answer": ANSWER, "Copy run id": "run-7", "Copy reference": job.client_ref}
    other = QMenu()
    bare = {action.text() for action in copy_actions(other, make_job(JobState.FAILED))}
    assert bare == {"Copy reference"}
