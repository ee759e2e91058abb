"""Two job managers on one journal, each with its own store connection (as two processes have):
the second never runs what the first holds, follows it read-only, and takes it over only when
the first goes away. And quitting mid-retry is instant and leaves the job resumable."""

import socket
import time

import pytest

from desktop_editor.api import ClientConfig, RunflowClient
from desktop_editor.emulator import Behaviour, Emulator
from desktop_editor.jobs.manager import JobManager
from desktop_editor.jobs.model import JobState
from desktop_editor.jobs.store import JobStore

from test_manager import KEY, new_job, wait_until


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.2)) as emu:
        yield emu


@pytest.fixture
def two_stores(tmp_path):
    first = JobStore(tmp_path / "history.sqlite3", owner_kind="command")
    second = JobStore(tmp_path / "history.sqlite3", owner_kind="window")
    yield first, second
    first.close()
    second.close()


def manager_for(base_url, store, **kw):
    config = {"poll_interval": 0.03, "backoff_base": 0.01, "backoff_max": 0.05, "wait_timeout": 20, **kw.pop("client", {})}
    client = RunflowClient(ClientConfig(api_key=KEY, base_url=base_url, **config))
    return JobManager(client, store, follow_interval=0.05, **kw)


def test_resume_follows_jobs_another_process_runs_and_sends_nothing(emulator, two_stores, tmp_path):
    emulator.behaviour.run_duration = 1.0
    first_store, second_store = two_stores
    batch = manager_for(emulator.base_url, first_store)
    jobs = [batch.submit(new_job(tmp_path)) for _ in range(3)]
    assert wait_until(lambda: all(first_store.get(j.id).run_id for j in jobs), timeout=10)
    window = manager_for(emulator.base_url, second_store)
    seen = []
    window.add_listener(seen.append)
    touched = window.resume_unfinished()
    assert sorted(j.id for j in touched) == sorted(j.id for j in jobs)
    assert all(j.elsewhere and j.elsewhere.startswith("running in another command") for j in touched)
    assert window.running() == [] and sorted(window.followed()) == sorted(j.id for j in jobs)
    assert batch.wait_all(20)
    assert wait_until(lambda: not window.followed(), timeout=5)
    done = {j.id for j in seen if j.state is JobState.DONE}
    assert done == {j.id for j in jobs}, "the follower reported the owner's results as they were written"
    assert emulator.runs_created == 3
    batch.shutdown()
    window.shutdown()


def test_a_followed_job_is_taken_over_when_its_owner_goes(emulator, two_stores, tmp_path):
    emulator.behaviour.run_duration = 1.0
    first_store, second_store = two_stores
    batch = manager_for(emulator.base_url, first_store)
    jobs = [batch.submit(new_job(tmp_path)) for _ in range(2)]
    assert wait_until(lambda: all(first_store.get(j.id).run_id for j in jobs), timeout=10)
    window = manager_for(emulator.base_url, second_store)
    window.resume_unfinished()
    batch.shutdown(stop_waiting=True, wait=True)  # the owner quits: its leases are released
    assert wait_until(lambda: all(second_store.get(j.id).state is JobState.DONE for j in jobs), timeout=20)
    assert emulator.runs_created == 2
    for j in jobs:
        assert len(emulator.run_by_client_ref(j.client_ref)) == 1
        assert [p.name for p in second_store.get(j.id).result_paths] == [f"{j.image_paths[0].stem}-edit-1.png"]
    assert len(list((tmp_path / "out").iterdir())) == 2, "every result on disk once"
    window.shutdown()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("moment", ["between retries", "waiting to try again"])
def test_quit_while_offline_is_instant_and_the_next_start_sends_it(moment, tmp_path):
    """The service is unreachable. Quitting while the create is between retries (the client's
    real backoff: 5 retries, about 8 s in all) or while the job waits to be tried again must not
    wait for any of it, and must leave the job to the next start, never failed."""
    port = free_port()
    path = tmp_path / "history.sqlite3"
    store = JobStore(path, owner_kind="window")
    retries = {"backoff_base": 0.5, "backoff_max": 30.0, "max_retries": 5} if moment == "between retries" else {"max_retries": 0}
    manager = manager_for(f"http://127.0.0.1:{port}", store, offline_retry=30.0, client=retries)
    job = manager.submit(new_job(tmp_path))
    if moment == "between retries":
        assert wait_until(lambda: store.get(job.id).state is JobState.SENDING, timeout=10)
        time.sleep(0.4)  # the first attempt was refused; the client sleeps before the next
    else:
        assert wait_until(lambda: store.get(job.id).state is JobState.OFFLINE, timeout=10)
    started = time.monotonic()
    ended = manager.shutdown(stop_waiting=True, wait=True, timeout=2.0)
    took = time.monotonic() - started
    assert ended and took < 0.5, f"quit took {took:.2f} s"
    left = store.get(job.id)
    assert not left.state.is_final and left.run_id is None, left
    store.close()

    with Emulator(port=port, api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emu:
        next_start = JobStore(path, owner_kind="window")
        later = manager_for(emu.base_url, next_start)
        touched = later.resume_unfinished()
        assert [(j.id, j.elsewhere) for j in touched] == [(job.id, None)]
        assert later.wait_all(20)
        assert next_start.get(job.id).state is JobState.DONE and emu.runs_created == 1
        later.shutdown()
        next_start.close()
