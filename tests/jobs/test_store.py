import sqlite3
from pathlib import Path

import pytest

from desktop_editor.core.params import EditParams
from desktop_editor.jobs.model import EditJob, JobOptions, JobState
from desktop_editor.jobs.store import JobStore


def job(prompt="make it blue", **fields) -> EditJob:
    return EditJob(params=EditParams(prompt=prompt), image_paths=[Path("/x/a.png")], **fields)


@pytest.fixture
def store(tmp_path):
    s = JobStore(tmp_path / "history.sqlite3")
    yield s
    s.close()


def test_round_trip_every_field(store):
    j = job(options=JobOptions(out_dir=Path("/out"), keep_unmasked=True, feather=3.5, region_padding=32),
            mask_path=Path("/x/m.png"), run_id="r1", cost=0.133, result_paths=[Path("/out/a.png")],
            state=JobState.RUNNING, sent_size=(100, 50), error="e", failure_kind="refused", advice="a",
            raw_answer='{"output": "?"}')
    store.save(j)
    back = store.get(j.id)
    assert back == j


_FIRST_SCHEMA_ROW = (
    "j1", "2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00+00:00", "app", "done", "blue",
    "openai/gpt-image-1.5/edit", '{"prompt": "blue", "model": "openai/gpt-image-1.5/edit", "input_fidelity": "high"}',
    '{"out_dir": "/out"}', '["/x/a.png"]', None, "de-1", "r1", "succeeded", 0.133, None, None, None, "[]", None, 0,
)


def test_a_store_of_the_first_schema_is_migrated_in_place(tmp_path):
    """History written before the raw answer was kept: it gains the column and keeps its rows."""
    from desktop_editor.jobs.store import _SCHEMA, SCHEMA_VERSION

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA)
    db.execute("PRAGMA user_version=1")
    db.execute(f"INSERT INTO jobs VALUES ({', '.join('?' * len(_FIRST_SCHEMA_ROW))})", _FIRST_SCHEMA_ROW)
    db.commit()
    db.close()
    store = JobStore(path)
    old = store.get("j1")
    assert old.state is JobState.DONE and old.raw_answer is None and old.params.options == {"input_fidelity": "high"}
    old.raw_answer = "{}"
    store.save(old)
    assert store.get("j1").raw_answer == "{}"
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()
    JobStore(path).close()  # opening a migrated store again changes nothing


def test_wal_and_synchronous(store):
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_search_star_prune_total(store):
    a, b, c = job("red sky"), job("blue sea"), job("50% off_tag")
    a.cost, b.cost = 0.133, 0.034
    for j in (a, b, c):
        j.state = JobState.DONE
        j.created_at = "2020-01-01T00:00:00+00:00"
        store.save(j)
    assert [j.id for j in store.jobs(search="SKY")] == [a.id]
    assert [j.id for j in store.jobs(search="50%")] == [c.id]
    assert [j.id for j in store.jobs(search="%")] == [c.id]
    store.set_starred(a.id, True)
    assert [j.id for j in store.jobs(starred_only=True)] == [a.id]
    assert store.total_cost() == pytest.approx(0.167)
    assert store.prune(older_than_days=30) == 2
    assert [j.id for j in store.jobs()] == [a.id]


def test_prune_keeps_in_flight_jobs(store):
    j = job(state=JobState.RUNNING, run_id="r")
    j.created_at = "2020-01-01T00:00:00+00:00"
    store.save(j)
    assert store.prune(older_than_days=1) == 0


def test_unfinished(store):
    states = [JobState.SENDING, JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING, JobState.DONE, JobState.FAILED, JobState.PENDING]
    for s in states:
        store.save(job(state=s))
    assert {j.state for j in store.unfinished()} == {
        JobState.SENDING, JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING, JobState.PENDING
    }


def test_get_by_prefix(store):
    j = job()
    store.save(j)
    assert store.get(j.id[:6]).id == j.id
    assert store.get("nope") is None


def test_two_instances_share_the_file(tmp_path):
    one, two = JobStore(tmp_path / "h.sqlite3"), JobStore(tmp_path / "h.sqlite3")
    a = job("from one")
    one.save(a)
    b = job("from two")
    two.save(b)
    assert {j.id for j in one.jobs()} == {a.id, b.id} == {j.id for j in two.jobs()}
    one.close()
    two.close()


def test_reads_never_wait_for_a_write_in_progress(store, tmp_path):
    """The window lists the history while a job's synchronous save holds the writer (an fsync):
    reads go through their own connection and see the last committed state at once."""
    import threading
    import time

    first = EditJob(params=EditParams(prompt="committed"), image_paths=[Path("a.png")])
    store.save(first)
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer mid-transaction (another app instance)
    other.execute("UPDATE jobs SET prompt = 'uncommitted'")
    holding = threading.Event()
    release = threading.Event()

    def slow_save() -> None:
        with store._lock:  # what a save holds during its fsync
            holding.set()
            release.wait(5)

    writer = threading.Thread(target=slow_save)
    writer.start()
    try:
        assert holding.wait(5)
        started = time.monotonic()
        jobs = store.jobs()
        assert [j.params.prompt for j in jobs] == ["committed"]
        assert store.get(first.id).params.prompt == "committed"
        assert time.monotonic() - started < 1.0
    finally:
        release.set()
        writer.join(5)
        other.execute("ROLLBACK")
        other.close()


def test_spending_counts_charged_attempts_only_and_can_leave_a_source_out(store):
    store.save(job(cost=0.133, state=JobState.DONE))
    store.save(job(cost=0.034, state=JobState.FAILED))  # a failed attempt that was charged
    store.save(job(cost=None, state=JobState.OUTCOME_UNKNOWN))  # no cost reported: not counted
    store.save(job(cost=0.0, state=JobState.FAILED))  # reported as free: not an attempt paid for
    store.save(job(cost=0.5, source="demo"))
    assert store.spending() == (pytest.approx(0.667), 3)
    assert store.spending(exclude_source="demo") == (pytest.approx(0.167), 2)
    assert store.has_source("demo") and not store.has_source("batch-that-never-ran")
