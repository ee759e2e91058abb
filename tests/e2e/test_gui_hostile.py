"""The window against result downloads that misbehave (the in-process emulator, real HTTP):
what the job ends as, what the jobs panel shows, and a quit during a dripping download."""

from __future__ import annotations

import time

import pytest

from desktop_editor.jobs.model import JobState
from desktop_editor.jobs.paths import data_dir
from desktop_editor.jobs.store import JobStore
from test_gui_flow import (  # noqa: F401 - the fixtures are used by name
    TIMEOUT_MS,
    generate,
    gui,
    has_run,
    messages,
    open_astronaut,
    paint_stroke,
    set_prompt,
    wait_final,
)


def send_one(qtbot, window) -> str:
    open_astronaut(qtbot, window)
    paint_stroke(window, [(200, 200), (260, 260)])
    set_prompt(window)
    return generate(qtbot, window)


@pytest.mark.parametrize("body", ["html", "bomb", "huge"])
def test_a_broken_result_ends_with_no_readable_image_shown_with_copy_answer_and_run_id(qtbot, gui, body):
    window = gui.open_window()
    emulator = window.flow.service.emulator
    emulator.behaviour.result_body = body
    job = wait_final(qtbot, window, send_one(qtbot, window))
    assert job.state is JobState.UNREADABLE, job.error
    assert job.raw_answer and job.run_id in job.raw_answer  # the answer is kept with the job
    window.jobs_panel.select_job(job.id)
    details = window.jobs_panel.details.text()
    assert "No readable image" in details or "not a usable image" in details
    assert f"Run {job.run_id}" in details and "Copy answer" in details
    assert "Nothing was sent" not in details and "Offline" not in details
    assert window.jobs_panel.copy_answer_button.isVisibleTo(window.jobs_panel)
    assert not window.jobs_panel.resend_button.isEnabled()  # never sent again as if it had not been
    kept = list((data_dir() / "jobs" / job.id).glob("unreadable-result-*"))
    assert len(kept) == (0 if body == "huge" else 1)
    assert not gui.out_dir.exists() or not any(gui.out_dir.iterdir())
    time.sleep(0.3)  # nothing retries behind the scenes
    assert emulator.runs_created == 1
    assert len([r for r in emulator.requests if r.path.startswith("/_results/")]) == 1


def test_webp_labelled_png_is_a_result(qtbot, gui):
    window = gui.open_window()
    window.flow.service.emulator.behaviour.result_body = "mislabelled"
    job = wait_final(qtbot, window, send_one(qtbot, window))
    assert job.state is JobState.DONE, job.error
    assert len(job.result_paths) == 1


def test_quitting_during_a_dripping_download_ends_it_within_a_second(qtbot, gui):
    window = gui.open_window()
    emulator = window.flow.service.emulator
    emulator.behaviour.result_body = "drip"
    emulator.behaviour.drip_interval = 1.0
    job_id = send_one(qtbot, window)
    qtbot.waitUntil(lambda: has_run(window, job_id), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: any(r.path.startswith("/_results/") for r in emulator.requests), timeout=TIMEOUT_MS)
    time.sleep(1.2)  # inside the drip
    manager = window.flow.service.connection.manager
    started = time.monotonic()
    assert window.close()  # "Quit now?" is answered Yes by the recorded message boxes
    qtbot.waitUntil(lambda: not manager.running(), timeout=1000)
    assert time.monotonic() - started < 1.5  # close itself included
    store = JobStore(gui.store_path)
    try:
        job = store.get(job_id)
    finally:
        store.close()
    assert job.run_id and job.state is JobState.DOWNLOADING  # journaled in flight: resumable
