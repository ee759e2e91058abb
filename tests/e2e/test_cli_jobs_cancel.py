"""`desktop-editor jobs cancel` and `jobs list`: an edit a window holds offline is cancelled for
good from the command line (never sent when the service returns, nor by `jobs resume`); a job
that may have been sent is not; demo and cancelled jobs are listed as not charged."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from PIL import Image

from desktop_editor.api import ClientConfig, RunflowClient
from desktop_editor.cli import main
from desktop_editor.core.params import EditParams
from desktop_editor.emulator import Behaviour, Emulator
from desktop_editor.jobs import paths
from desktop_editor.jobs.manager import JobManager
from desktop_editor.jobs.model import EditJob, JobOptions, JobState
from desktop_editor.jobs.service import DEMO_SOURCE
from desktop_editor.jobs.store import JobStore

KEY = "rf_test_cancel"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_job(tmp_path: Path, **fields) -> EditJob:
    photo = tmp_path / "cat.png"
    Image.new("RGB", (64, 48), (1, 2, 3)).save(photo)
    return EditJob(params=EditParams(prompt="give the cat green eyes"), image_paths=[photo],
                   options=JobOptions(out_dir=tmp_path / "out"), **fields)


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_an_edit_a_window_holds_offline_is_cancelled_for_good(tmp_path, capsys):
    port = free_port()
    window_store = JobStore(paths.history_path(), owner_kind="window")
    client = RunflowClient(ClientConfig(api_key=KEY, base_url=f"http://127.0.0.1:{port}", backoff_base=0.01,
                                        backoff_max=0.02, max_retries=1, poll_interval=0.05))
    window = JobManager(client, window_store, offline_retry=0.3)  # the window, waiting for the service
    job = window.submit(new_job(tmp_path))
    assert wait_until(lambda: window_store.get(job.id).state is JobState.OFFLINE)

    assert main(["jobs", "list"]) == 0
    listed = capsys.readouterr().out
    assert "offline" in listed and "running in another window" in listed
    assert main(["jobs", "cancel", job.id[:6]]) == 0
    told = capsys.readouterr().err
    assert "Cancelled before sending, not charged" in told and "will not be sent" in told
    assert main(["jobs", "list"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert "canceled" in line and "not charged" in line and "offline" not in line

    with Emulator(port=port, api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emulator:
        time.sleep(1.0)  # the window's offline timer fires three times
        assert emulator.runs_created == 0
        assert main(["jobs", "resume", "--base-url", emulator.base_url, "--api-key", KEY]) == 0
        assert "Nothing to resume" in capsys.readouterr().err
        assert emulator.runs_created == 0
    assert window_store.get(job.id).state is JobState.CANCELED
    assert main(["jobs", "cancel", job.id]) == 0  # asked twice: it stays cancelled
    window.shutdown()
    window_store.close()


def test_a_job_that_may_have_been_sent_is_not_cancelled(tmp_path, capsys):
    store = JobStore(paths.history_path())
    sent = new_job(tmp_path, state=JobState.RUNNING, run_id="run_1")
    store.save(sent)
    store.release()
    assert main(["jobs", "cancel", sent.id]) == 4  # may be charged: a script must not resend it
    told = capsys.readouterr().err
    assert "cannot be cancelled" in told and "may still finish and charge" in told
    assert store.get(sent.id).state is JobState.RUNNING
    done = new_job(tmp_path, state=JobState.DONE)
    store.save(done)
    assert main(["jobs", "cancel", done.id]) == 2
    assert main(["jobs", "cancel", "nope"]) == 2
    store.close()


def test_demo_jobs_are_listed_as_not_charged(tmp_path, capsys):
    store = JobStore(paths.history_path())
    demo = new_job(tmp_path, state=JobState.DONE, source=DEMO_SOURCE, cost=0.133)
    paid = new_job(tmp_path, state=JobState.DONE, source="app", cost=0.133)
    store.save(demo)
    store.save(paid)
    store.close()
    assert main(["jobs", "list"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "not charged" in lines[demo.id] and "$0.133" not in lines[demo.id]
    assert "$0.133" in lines[paid.id]
    assert main(["jobs", "show", demo.id]) == 0
    assert "cost: not charged (emulated in Demo mode)" in capsys.readouterr().out
