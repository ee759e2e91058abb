"""The history panel over a real JobStore: search, favourites, delete, prune, reopen, spending."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from desktop_editor.core.params import EditParams
from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.jobs.service import DEMO_SOURCE
from desktop_editor.jobs.store import JobStore
from desktop_editor.ui.panels.history_model import cost_line
from desktop_editor.ui.panels.history_panel import HistoryPanel


def ago(days: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")


@pytest.fixture
def store(tmp_path):
    s = JobStore(tmp_path / "history.sqlite3")
    yield s
    s.close()


@pytest.fixture
def photo(tmp_path) -> Path:
    path = tmp_path / "results" / "street-edit-1.png"
    path.parent.mkdir()
    Image.new("RGB", (320, 200), (30, 120, 200)).save(path)
    return path


def add(store: JobStore, prompt: str, state: JobState, *, cost=None, days: float = 0, starred=False,
        source="app", results=(), failure_kind=None, raw_answer=None) -> EditJob:
    job = EditJob(params=EditParams(prompt=prompt), image_paths=[Path("input.png")], state=state, cost=cost,
                  created_at=ago(days), updated_at=ago(days), source=source, result_paths=list(results),
                  failure_kind=failure_kind, raw_answer=raw_answer, run_id="run-x" if raw_answer else None)
    store.save(job)
    if starred:
        store.set_starred(job.id, True)
    return job


@pytest.fixture
def filled(store, photo) -> dict[str, EditJob]:
    return {
        "sky": add(store, "Replace the sky with a sunset", JobState.DONE, cost=0.266, results=[photo]),
        "dog": add(store, "Add a dog on the bench", JobState.FAILED, cost=0.133, days=1),
        "input": add(store, "x", JobState.FAILED, days=1.5, failure_kind="input"),
        "neon": add(store, "Neon shop sign", JobState.OUTCOME_UNKNOWN, days=2),
        "old": add(store, "Old sky edit", JobState.DONE, cost=0.133, days=40),
        "old_star": add(store, "Old favourite sky", JobState.DONE, cost=0.034, days=45, starred=True),
        "demo": add(store, "Demo sky", JobState.DONE, cost=0.133, days=3, source=DEMO_SOURCE),
    }


def settle(qtbot, panel: HistoryPanel) -> None:
    """Wait for the list, which loads on a worker."""
    qtbot.waitUntil(lambda: not panel.is_loading(), timeout=5000)


@pytest.fixture
def panel(qtbot, store, filled) -> HistoryPanel:
    p = HistoryPanel(store)
    qtbot.addWidget(p)
    p.resize(400, 640)
    settle(qtbot, p)
    return p


@pytest.fixture
def yes(monkeypatch):
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Yes)


def prompts(panel: HistoryPanel) -> list[str]:
    return [job.params.prompt for job in panel.jobs()]


def test_lists_every_attempt_newest_first_with_its_cost(panel, filled):
    assert prompts(panel)[0] == "Replace the sky with a sunset"
    assert len(panel.jobs()) == len(filled)
    assert cost_line(filled["dog"]) == ("$0.133", "warning")  # a failed attempt that was charged
    assert cost_line(filled["neon"])[0] == "may have been charged"
    assert cost_line(filled["input"])[0] == "nothing sent, not charged"
    assert cost_line(filled["demo"])[0] == "emulated, not charged"


def test_running_total_counts_failed_attempts_and_not_demo_edits(panel):
    # 0.266 + 0.133 (failed, charged) + 0.133 + 0.034; the demo edit is not money spent.
    assert panel.total_label.text() == "Spent: $0.57 on 4 edits"


def test_search_by_prompt(qtbot, panel):
    qtbot.keyClicks(panel.search_edit, "sky")
    qtbot.waitUntil(lambda: len(panel.jobs()) == 4, timeout=2000)
    assert all("sky" in p.lower() for p in prompts(panel))
    panel.set_search("no such thing")
    settle(qtbot, panel)
    assert panel.jobs() == [] and panel.empty_label.isVisibleTo(panel)
    assert "No edits match" in panel.empty_label.text()
    panel.set_search("")
    settle(qtbot, panel)
    assert len(panel.jobs()) == 7


def test_star_and_show_favourites_only(qtbot, panel, store, filled):
    panel.select_job(filled["dog"].id)
    assert panel.star_button.text() == "Star"
    panel.star_button.click()
    assert store.get(filled["dog"].id).starred
    assert panel.star_button.text() == "Unstar"
    panel.favourites_button.setChecked(True)
    settle(qtbot, panel)
    assert set(prompts(panel)) == {"Add a dog on the bench", "Old favourite sky"}
    panel.toggle_star(filled["dog"].id)
    settle(qtbot, panel)
    assert prompts(panel) == ["Old favourite sky"]


def test_prune_keeps_favourites_and_recent_edits(qtbot, panel, store, filled, yes):
    panel.prune_days.setValue(30)
    with qtbot.waitSignal(panel.history_changed, timeout=1000):
        panel.prune_button.click()
    assert store.get(filled["old"].id) is None
    assert store.get(filled["old_star"].id) is not None
    assert store.get(filled["sky"].id) is not None
    assert "Removed 1 entry older than 30 days" in panel.status_label.text()
    assert panel.total_label.text() == "Spent: $0.43 on 3 edits"  # forgetting an entry forgets its cost


def test_prune_asks_first(panel, store, filled, monkeypatch):
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Cancel)
    assert panel.prune(30) == 0
    assert store.get(filled["old"].id) is not None


def test_delete_removes_the_entry(qtbot, panel, store, filled, yes):
    panel.select_job(filled["neon"].id)
    panel.delete_button.click()
    settle(qtbot, panel)
    assert store.get(filled["neon"].id) is None
    assert "Neon shop sign" not in prompts(panel)


def test_reopen_hands_the_job_to_the_window(qtbot, panel, filled):
    panel.select_job(filled["sky"].id)
    with qtbot.waitSignal(panel.reopen_requested, timeout=1000) as blocker:
        panel.reopen_button.click()
    job = blocker.args[0]
    assert isinstance(job, EditJob) and job.id == filled["sky"].id
    assert job.params.prompt == "Replace the sky with a sunset"


def test_reveal_opens_the_results_folder(panel, filled, photo, monkeypatch):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    panel.select_job(filled["sky"].id)
    panel.reveal_button.click()
    assert opened and Path(opened[0].toLocalFile()) == photo.parent
    panel.select_job(filled["dog"].id)  # its files are gone
    panel.reveal_button.click()
    assert len(opened) == 1 and "no longer on disk" in panel.status_label.text()


def test_thumbnails_load_lazily_from_the_first_result(qtbot, panel, photo):
    panel.grab()  # painting visible rows asks for their thumbnails
    qtbot.waitUntil(lambda: panel._thumbs.get(photo) is not None, timeout=5000)
    assert not panel._thumbs.get(photo).isNull()
    assert not panel.grab().toImage().isNull()


def test_finished_jobs_appear_after_a_short_delay(qtbot, panel, store):
    job = add(store, "Fresh edit", JobState.DONE, cost=0.009)
    panel.update_job(job)
    qtbot.waitUntil(lambda: "Fresh edit" in prompts(panel), timeout=2000)


def test_the_list_is_read_off_the_gui_thread_and_the_newest_request_wins(qtbot, panel, store, monkeypatch):
    import threading
    import time

    threads: list[threading.Thread] = []
    original = store.jobs

    def slow_jobs(*, search=None, **kw):
        threads.append(threading.current_thread())
        if search is None:
            time.sleep(0.3)  # a long history: the unfiltered list arrives after the search's
        return original(search=search, **kw)

    monkeypatch.setattr(store, "jobs", slow_jobs)
    panel.refresh()
    panel.set_search("sky")
    settle(qtbot, panel)
    qtbot.wait(400)  # the slow, older answer has arrived by now and must have been dropped
    assert threads and threading.main_thread() not in threads
    assert len(panel.jobs()) == 4 and all("sky" in p.lower() for p in prompts(panel))


def test_an_unreadable_answer_can_be_copied_from_the_history(qtbot, store):
    from PySide6.QtWidgets import QApplication

    answer = '{"status": "succeeded", "output": {"message": "done"}}'
    job = add(store, "Cut out the bottle", JobState.UNREADABLE, cost=0.133, raw_answer=answer)
    panel = HistoryPanel(store)
    qtbot.addWidget(panel)
    settle(qtbot, panel)
    panel.select_job(job.id)
    assert panel.copy_answer_button.isVisibleTo(panel)
    assert cost_line(panel.selected_job()) == ("$0.133", "warning")
    panel.copy_answer_button.click()
    assert QApplication.clipboard().text() == answer


def test_without_a_file_manager_show_files_says_so_and_can_copy_the_path(panel, filled, photo, monkeypatch):
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QMessageBox

    from desktop_editor.ui.common.desktop import feedback_for

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    feedback = feedback_for(panel)
    feedback.answer_with(lambda message: QMessageBox.StandardButton.Yes)
    panel.select_job(filled["sky"].id)
    assert not panel.reveal(filled["sky"])
    assert "no file manager" in feedback.messages[-2].text.lower()
    assert QGuiApplication.clipboard().text() == str(photo.parent)
    assert str(photo.parent) in panel.status_label.text()
