"""Stop: a job never sent is called off for good (nothing charged, never sent later, by any
process); a job that may have been sent is only no longer waited for."""

from __future__ import annotations

import socket
import threading
import time

from desktop_editor.api import ClientConfig, RunflowClient
from desktop_editor.emulator import Behaviour, Emulator, Fault
from desktop_editor.jobs.manager import JobManager
from desktop_editor.jobs.model import JobState, StopOutcome
from desktop_editor.jobs.store import JobStore, StaleWrite
from test_manager import KEY, emulator, make_manager, new_job, store, wait_until  # noqa: F401 - fixtures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unreachable_manager(store: JobStore, port: int, retry: float = 0.3) -> JobManager:
    client = RunflowClient(ClientConfig(api_key=KEY, base_url=f"http://127.0.0.1:{port}", poll_interval=0.03,
                                        backoff_base=0.01, backoff_max=0.02, max_retries=1))
    return JobManager(client, store, offline_retry=retry)


def test_an_offline_job_is_cancelled_for_good_and_never_sent_when_the_service_returns(store, tmp_path):
    port = free_port()
    manager = unreachable_manager(store, port)
    heard = []
    manager.add_listener(heard.append)
    job = manager.submit(new_job(tmp_path))
    assert wait_until(lambda: store.get(job.id).state is JobState.OFFLINE, timeout=10)

    assert manager.stop(job.id) is StopOutcome.CANCELED
    stored = store.get(job.id)
    assert stored.state is JobState.CANCELED and stored.state.label == "Cancelled before sending, not charged"
    assert "nothing was charged" in stored.advice
    assert heard[-1].state is JobState.CANCELED  # the window hears of it at once
    assert store.unfinished() == [] and store.lease_of(job.id) is None

    with Emulator(port=port, api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emu:
        time.sleep(1.0)  # three offline retry periods
        assert emu.runs_created == 0 and store.get(job.id).state is JobState.CANCELED
        later = unreachable_manager(store, port)  # the next start, now that the service is back
        assert later.resume_unfinished() == []
        later.wait_all(2)
        assert emu.runs_created == 0
        later.shutdown()
    manager.shutdown()


def test_a_stop_journaled_before_the_create_keeps_the_create_from_leaving(emulator, store, tmp_path):
    manager = make_manager(emulator, store)
    gate = threading.Event()
    original = manager.client.media_url

    def slow_upload(*args, **kw):
        gate.wait(5)
        return original(*args, **kw)

    manager.client.media_url = slow_upload
    job = manager.submit(new_job(tmp_path))
    assert wait_until(lambda: store.get(job.id).state is JobState.UPLOADING)
    assert manager.stop(job.id) is StopOutcome.CANCELED
    gate.set()  # the worker goes on from its upload: its SENDING is refused by the journal
    manager.wait_all(10)
    assert store.get(job.id).state is JobState.CANCELED and emulator.runs_created == 0
    manager.shutdown()


def test_a_stop_after_the_create_may_have_left_only_stops_waiting(emulator, store, tmp_path):
    emulator.behaviour.run_duration = 30
    manager = make_manager(emulator, store)
    in_create, go_on = threading.Event(), threading.Event()
    original = manager.client.create_run

    def slow_create(*args, **kw):
        in_create.set()
        go_on.wait(5)
        return original(*args, **kw)

    manager.client.create_run = slow_create
    job = manager.submit(new_job(tmp_path))
    assert in_create.wait(5) and store.get(job.id).state is JobState.SENDING
    assert manager.stop(job.id) is StopOutcome.STOPPED_WAITING
    assert store.get(job.id).state is JobState.SENDING  # not cancelled: the create is on the wire
    go_on.set()
    manager.wait_all(10)
    stored = store.get(job.id)
    assert stored.state is JobState.STOPPED and "may still finish and charge" in stored.advice
    assert emulator.runs_created == 1
    manager.shutdown()


def test_the_journal_decides_atomically_between_a_stop_and_a_sending(tmp_path):
    """Two processes race: one journals SENDING (its create goes out only if that succeeds),
    the other cancels. Exactly one of them wins, every time."""
    path = tmp_path / "history.sqlite3"
    for _ in range(40):
        runner_store, stopper_store = JobStore(path), JobStore(path)
        job = new_job(tmp_path)
        job.state = JobState.UPLOADING
        runner_store.save(job)
        outcome: dict[str, bool] = {}
        start = threading.Barrier(2)

        def send():
            start.wait()
            sending = job.snapshot()
            sending.state = JobState.SENDING
            try:
                runner_store.save(sending)
                outcome["sent"] = True
            except StaleWrite:
                outcome["sent"] = False

        def cancel():
            start.wait()
            outcome["canceled"] = stopper_store.cancel_unsent(job.id, error="x", advice="y")[1]

        threads = [threading.Thread(target=send), threading.Thread(target=cancel)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert outcome["sent"] != outcome["canceled"], outcome
        final = stopper_store.get(job.id).state
        assert final is (JobState.SENDING if outcome["sent"] else JobState.CANCELED)
        runner_store.close()
        stopper_store.close()


def test_a_job_offline_in_another_process_is_cancelled_there_too(store, tmp_path):
    port = free_port()
    owner = unreachable_manager(store, port, retry=0.3)
    heard = []
    owner.add_listener(heard.append)
    job = owner.submit(new_job(tmp_path))
    assert wait_until(lambda: store.get(job.id).state is JobState.OFFLINE, timeout=10)
    other = JobStore(store.path)  # `jobs cancel`, or another window
    assert store.held_elsewhere(job.id) is None and other.held_elsewhere(job.id) is not None
    cancelled, done = other.cancel_unsent(job.id, error="Cancelled before it was sent.", advice="Nothing charged.")
    assert done and cancelled.state is JobState.CANCELED
    with Emulator(port=port, api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emu:
        # The owner's offline timer fires, finds it called off and says so; nothing is sent.
        assert wait_until(lambda: heard and heard[-1].state is JobState.CANCELED, timeout=5)
        time.sleep(0.5)
        assert emu.runs_created == 0
    other.close()
    owner.shutdown()


def test_a_sent_job_waiting_offline_for_its_results_is_only_stopped(emulator, store, tmp_path):
    from desktop_editor.api.client import RENEWALS

    emulator.inject(Fault(route="download", kind="expired", count=RENEWALS + 1))
    client = RunflowClient(ClientConfig(api_key=KEY, base_url=emulator.base_url, poll_interval=0.03,
                                        backoff_base=0.01, backoff_max=0.05))
    manager = JobManager(client, store, offline_retry=30.0)
    job = manager.submit(new_job(tmp_path))
    assert wait_until(lambda: store.get(job.id).state is JobState.OFFLINE, timeout=20)
    assert wait_until(lambda: job.id not in manager.running())
    assert manager.stop(job.id) is StopOutcome.STOPPED_WAITING
    stored = store.get(job.id)
    assert stored.state is JobState.STOPPED and stored.run_id and "charge" in stored.advice
    assert manager.stop(job.id) is StopOutcome.FINISHED
    manager.shutdown()
