"""Ownership in the store: leases taken and checked in one write transaction, updates that touch
only what changed, and states that never go back. Each `JobStore` here is one process's view."""

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_editor.core.params import EditParams
from desktop_editor.jobs.leases import Lease, this_host
from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.jobs.store import JobStore, JobTaken, StaleWrite


def job(**fields) -> EditJob:
    return EditJob(params=EditParams(prompt="make it blue"), image_paths=[Path("/x/a.png")], **fields)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "history.sqlite3"


@pytest.fixture
def stores(path):
    opened = []

    def open_store(**kw):
        opened.append(JobStore(path, **kw))
        return opened[-1]

    yield open_store
    for s in opened:
        s.close()


def dead_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True).stdout)


def test_the_saver_holds_the_lease_and_others_only_follow(stores):
    batch, window = stores(owner_kind="command"), stores(owner_kind="window")
    j = job(state=JobState.RUNNING, run_id="r1")
    batch.save(j)
    stored, mine = window.claim(j.id)
    assert not mine and stored.state is JobState.RUNNING
    assert stored.elsewhere.startswith("running in another command (pid ")
    claims = window.claim_unfinished()
    assert claims.taken == [] and [x.id for x in claims.elsewhere] == [j.id]
    with pytest.raises(JobTaken):
        window.save(job(id=j.id, client_ref=j.client_ref, state=JobState.OUTCOME_UNKNOWN))
    assert window.get(j.id).state is JobState.RUNNING, "the refused write changed nothing"
    assert batch.claim(j.id)[1], "the holder may claim its own job again"


def test_an_expired_lease_is_free_and_its_old_holder_is_stopped(stores):
    frozen, other = stores(lease_seconds=0.2), stores()
    j = job(state=JobState.QUEUED, run_id="r1")
    frozen.save(j)
    assert not other.claim(j.id)[1]
    time.sleep(0.3)
    assert other.claim(j.id)[1]
    j.state = JobState.RUNNING
    with pytest.raises(JobTaken):
        frozen.save(j)  # woke up after its lease ran out: the job is no longer its to write


def test_heartbeat_keeps_a_lease(stores):
    holder, other = stores(lease_seconds=0.3), stores()
    j = job(state=JobState.QUEUED, run_id="r1")
    holder.save(j)
    for _ in range(4):
        time.sleep(0.1)
        assert holder.renew_leases() == 1
    assert not other.claim(j.id)[1]


def test_a_dead_owner_on_this_host_frees_its_jobs_at_once(stores, path):
    store = stores()
    j = job(state=JobState.RUNNING, run_id="r1")
    store.save(j)
    store.release()
    db = sqlite3.connect(path)
    with db:
        db.execute("INSERT INTO leases VALUES (?, 'gone', ?, ?, 'window', ?, ?)",
                   (j.id, dead_pid(), this_host(), time.time(), time.time() + 3600))
    db.close()
    assert not store.lease_of(j.id).is_live()
    assert store.claim(j.id)[1]


def test_a_lease_on_another_host_is_trusted_until_it_expires():
    now = time.time()
    lease = Lease("j", "o", pid=dead_pid(), host=this_host() + "-elsewhere", kind="window", heartbeat=now, expires=now + 5)
    assert lease.is_live(now) and not lease.is_live(now + 6)
    assert "on " + this_host() + "-elsewhere" in lease.describe()


def test_release_frees_jobs_for_another_process(stores):
    quitting, other = stores(), stores()
    j = job(state=JobState.OFFLINE)
    quitting.save(j)
    quitting.release()
    assert other.claim(j.id)[1]


def test_done_stays_done(stores):
    a, b = stores(), stores()
    j = job(state=JobState.DOWNLOADING, run_id="r1")
    a.save(j)
    j.state = JobState.DONE
    a.save(j)
    assert a.lease_of(j.id) is None, "a final job holds no lease"
    late = job(id=j.id, client_ref=j.client_ref, state=JobState.OUTCOME_UNKNOWN)
    with pytest.raises(StaleWrite):
        b.save(late)
    with pytest.raises(StaleWrite):
        a.save(job(id=j.id, client_ref=j.client_ref, state=JobState.PENDING))
    assert a.get(j.id).state is JobState.DONE
    assert b.claim(j.id) == (a.get(j.id), False), "a final job is never claimed"


def test_a_save_touches_only_the_columns_this_process_changed(stores, path):
    store = stores()
    j = job(state=JobState.QUEUED, run_id="r1")
    store.save(j)
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE jobs SET starred = 1, advice = 'written by someone else' WHERE id = ?", (j.id,))
    j.state, j.run_status = JobState.RUNNING, "running"
    store.save(j)
    back = store.get(j.id)
    assert back.state is JobState.RUNNING and back.run_status == "running"
    assert back.advice == "written by someone else" and back.starred
    traced = []
    store._db.set_trace_callback(traced.append)
    try:
        j.cost = 0.133
        store.save(j)
    finally:
        store._db.set_trace_callback(None)
    updates = [sql for sql in traced if sql.startswith("UPDATE jobs")]
    assert len(updates) == 1 and "cost" in updates[0] and "state" not in updates[0] and "prompt" not in updates[0]


def test_a_known_run_id_is_never_forgotten(stores):
    store = stores()
    j = job(state=JobState.QUEUED, run_id="r1")
    store.save(j)
    stale = job(id=j.id, client_ref=j.client_ref, state=JobState.RUNNING, run_id=None)
    store.forget_written(j.id)
    store.save(stale)
    assert store.get(j.id).run_id == "r1"
    assert not store.note_run_id(j.id, "other") and store.get(j.id).run_id == "r1"


_CLAIM = """
import sys, time
from desktop_editor.jobs.store import JobStore
store = JobStore(sys.argv[1])
start = float(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
print("mine" if store.claim(sys.argv[2])[1] else "theirs", flush=True)
time.sleep(1.5)  # stay alive (and so hold the lease) until every racer has tried
"""


def test_racing_processes_claim_a_job_exactly_once(stores, path):
    """The check and the take are one BEGIN IMMEDIATE transaction: of several processes claiming
    the same free job at the same moment, exactly one gets it."""
    store = stores()
    j = job(state=JobState.RUNNING, run_id="r1")
    store.save(j)
    store.release()
    start = time.time() + 1.5
    racers = [subprocess.Popen([sys.executable, "-c", _CLAIM, str(path), j.id, str(start)],
                               stdout=subprocess.PIPE, text=True) for _ in range(4)]
    answers = sorted(p.communicate(timeout=30)[0].strip() for p in racers)
    assert answers == ["mine", "theirs", "theirs", "theirs"]
