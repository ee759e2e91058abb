"""The history store and crash-safe journal: every job, every state change, in SQLite.

WAL mode with synchronous=FULL: each state change is on disk when `save` returns, so a job is
journaled before its create is sent and its run id the moment the service gives it. WAL also
lets two app instances (or the window and the command line) share the file safely.

Several processes may share one store, so every write that matters is one `BEGIN IMMEDIATE`
transaction that checks before it writes:
- a job is worked on by the process holding its lease (`jobs.leases`); a save by any other
  process while that lease is live raises `JobTaken`, before anything is sent;
- a save writes only the columns this process changed since it last wrote or read the row;
- a state never goes back: a final state (done, failed, ...) is never replaced by another
  (`StaleWrite`), and a known run id is never forgotten.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desktop_editor.core.params import EditParams
from desktop_editor.jobs.leases import COMMAND, LEASE_SECONDS, Lease, Owner
from desktop_editor.jobs.model import NEVER_SENT_STATES, EditJob, JobOptions, JobState

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    prompt TEXT NOT NULL,
    model TEXT NOT NULL,
    params TEXT NOT NULL,
    options TEXT NOT NULL,
    image_paths TEXT NOT NULL,
    mask_path TEXT,
    client_ref TEXT NOT NULL,
    run_id TEXT,
    run_status TEXT,
    cost REAL,
    error TEXT,
    failure_kind TEXT,
    advice TEXT,
    result_paths TEXT NOT NULL,
    sent_size TEXT,
    starred INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created_at);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);
CREATE TABLE IF NOT EXISTS leases (
    job_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    kind TEXT NOT NULL,
    heartbeat REAL NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS leases_owner ON leases(owner);
"""

# Columns added after the first schema, oldest first: (schema version, name, SQL type). A store
# written by an older version gains them when opened; old rows read them as NULL.
_ADDED_COLUMNS: tuple[tuple[int, str, str], ...] = (
    (2, "raw_answer", "TEXT"),  # the service's answer, kept when no image could be read from it
)

# States in which a run may exist on the service without its results on our disk.
IN_FLIGHT_STATES = (JobState.SENDING, JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING)
UNFINISHED_STATES = IN_FLIGHT_STATES + tuple(NEVER_SENT_STATES)


class JobConflict(Exception):
    """A save this process may not make: the job is another process's, or further along."""

    def __init__(self, job_id: str, message: str):
        super().__init__(message)
        self.job_id = job_id


class JobTaken(JobConflict):
    """Another live process holds the job's lease: it runs the job, this process must stop."""

    def __init__(self, job_id: str, holder: Lease):
        super().__init__(job_id, f"job {job_id} is {holder.describe()}")
        self.holder = holder


class StaleWrite(JobConflict):
    """The stored job already reached a final state; a late writer may not move it back."""

    def __init__(self, job_id: str, stored: JobState, attempted: JobState):
        super().__init__(job_id, f"job {job_id} is already {stored.value}; not changed to {attempted.value}")
        self.stored = stored


@dataclass
class Claims:
    """What `claim_unfinished` found: jobs now this process's, and jobs others are running."""

    taken: list[EditJob] = field(default_factory=list)
    elsewhere: list[EditJob] = field(default_factory=list)  # each with `elsewhere` set


def _options_to_json(options: JobOptions) -> str:
    data = {f.name: getattr(options, f.name) for f in fields(JobOptions)}
    data["out_dir"] = str(options.out_dir)
    return json.dumps(data)


def _options_from_json(text: str) -> JobOptions:
    data = json.loads(text)
    known = {f.name for f in fields(JobOptions)}
    data = {k: v for k, v in data.items() if k in known}
    if "out_dir" in data:
        data["out_dir"] = Path(data["out_dir"])
    return JobOptions(**data)


def _lease_from_row(row: sqlite3.Row) -> Lease:
    return Lease(
        job_id=row["job_id"], owner=row["owner"], pid=int(row["pid"]), host=row["host"], kind=row["kind"],
        heartbeat=float(row["heartbeat"]), expires=float(row["expires"]),
    )


def _remove_inputs(job_id: str) -> None:
    """The snapshot folder of a forgotten job (results are never touched)."""
    from desktop_editor.jobs.paths import data_dir

    folder = data_dir() / "jobs" / job_id
    if folder.is_dir() and folder.parent.name == "jobs":
        shutil.rmtree(folder, ignore_errors=True)


class JobStore:
    """Jobs on disk. Thread-safe: writes go through one connection guarded by a lock; each
    thread reads through a connection of its own, which in WAL mode never waits for a writer.
    So the window's thread listing the history never waits behind a job's synchronous save
    (an fsync, tens of milliseconds on a slow disk)."""

    def __init__(self, path: Path, *, owner_kind: str = COMMAND, lease_seconds: float = LEASE_SECONDS):
        """`owner_kind` ("window" or "command") names this process to others holding the store;
        `lease_seconds` is how long a lease lasts without a heartbeat."""
        self.path = Path(path)
        self.owner = Owner.for_this_process(owner_kind)
        self.lease_seconds = lease_seconds
        self._written: dict[str, dict] = {}  # the row as this process last wrote or read it
        self.closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.executescript(_SCHEMA)
            self._migrate()
        self._local = threading.local()
        self._readers_lock = threading.Lock()  # never the writer's lock: reads must not wait for it
        self._readers: dict[threading.Thread, sqlite3.Connection] = {}

    def _migrate(self) -> None:
        """Bring an older store up to SCHEMA_VERSION, in one transaction: another process may be
        opening the same file at the same moment."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            have = {row[1] for row in self._db.execute("PRAGMA table_info(jobs)")}
            for _version, name, sql_type in _ADDED_COLUMNS:
                if name not in have:
                    self._db.execute(f"ALTER TABLE jobs ADD COLUMN {name} {sql_type}")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            self._db.execute(f"PRAGMA user_version={max(version, SCHEMA_VERSION)}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the connections. A closed store holds no jobs: its leases are released first,
        so another process may go on with them at once."""
        if self.closed:
            return
        try:
            self.release()
        except sqlite3.Error:
            pass
        self.closed = True
        with self._readers_lock:
            for reader in self._readers.values():
                reader.close()
            self._readers.clear()
        with self._lock:
            self._db.close()

    def _reader(self) -> sqlite3.Connection:
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False, isolation_level=None)
            reader.row_factory = sqlite3.Row
            reader.execute("PRAGMA busy_timeout=10000")
            with self._readers_lock:
                for thread in [t for t in self._readers if not t.is_alive()]:  # pool threads come and go
                    self._readers.pop(thread).close()
                self._readers[threading.current_thread()] = reader
            self._local.reader = reader
        return reader

    @contextlib.contextmanager
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        """One write transaction that holds the database's write lock from its first statement,
        so what it reads cannot change before it writes (another process waits for it)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @staticmethod
    def _row(job: EditJob) -> dict:
        return {
            "id": job.id,
            "created_at": job.created_at,
            "updated_at": job.updated_at,
            "source": job.source,
            "state": job.state.value,
            "prompt": job.params.prompt,
            "model": job.params.model,
            "params": json.dumps(job.params.to_dict()),
            "options": _options_to_json(job.options),
            "image_paths": json.dumps([str(p) for p in job.image_paths]),
            "mask_path": str(job.mask_path) if job.mask_path else None,
            "client_ref": job.client_ref,
            "run_id": job.run_id,
            "run_status": job.run_status,
            "cost": job.cost,
            "error": job.error,
            "failure_kind": job.failure_kind,
            "advice": job.advice,
            "result_paths": json.dumps([str(p) for p in job.result_paths]),
            "sent_size": json.dumps(job.sent_size) if job.sent_size else None,
            "raw_answer": job.raw_answer,
        }

    def save(self, job: EditJob) -> None:
        """Insert or update the job; on disk when this returns.

        Raises:
            JobTaken: another live process holds the job's lease (nothing was written).
            StaleWrite: the stored job is final in another state (nothing was written).
        """
        row = self._row(job)
        with self._immediate() as db:
            current = db.execute("SELECT * FROM jobs WHERE id = ?", (job.id,)).fetchone()
            if current is None:
                columns = ", ".join(row)
                marks = ", ".join(f":{k}" for k in row)
                db.execute(f"INSERT INTO jobs ({columns}) VALUES ({marks})", row)
            else:
                holder = self._lease(db, job.id)
                if holder is not None and holder.owner != self.owner.id and holder.is_live():
                    raise JobTaken(job.id, holder)
                stored = JobState(current["state"])
                if stored.is_final and stored is not job.state:
                    raise StaleWrite(job.id, stored, job.state)
                base = self._written.get(job.id) or dict(current)
                changed = {k: v for k, v in row.items() if k != "id" and base.get(k) != v}
                if changed.get("run_id", "") is None and current["run_id"]:
                    del changed["run_id"]  # a run id once known is never forgotten
                if changed:
                    assignments = ", ".join(f"{k} = :{k}" for k in changed)
                    db.execute(f"UPDATE jobs SET {assignments} WHERE id = :id", {**changed, "id": job.id})
            if job.state.is_final:
                db.execute("DELETE FROM leases WHERE job_id = ?", (job.id,))
            else:
                self._take(db, job.id)
        if job.state.is_final:
            self._written.pop(job.id, None)
        else:
            self._written[job.id] = row

    def cancel_unsent(self, job_id: str, *, error: str | None, advice: str) -> tuple[EditJob | None, bool]:
        """Call a job off for good if none of its creates can have left: the job as stored now,
        and whether this call cancelled it.

        One write transaction decides it against the runner's own journaling of SENDING, which
        comes before every create: if this commits first, that save raises `StaleWrite` and the
        create never goes out (in this process or any other, now or at a later start); if the
        SENDING save committed first, the job is left as it is and the caller can only stop
        waiting for it. Works whoever holds the job's lease; the lease is dropped with it.
        """
        with self._immediate() as db:
            current = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if current is None:
                return None, False
            job = self._job(current)
            if job.state not in NEVER_SENT_STATES or job.run_id:
                return job, False
            job.state, job.error, job.advice, job.failure_kind = JobState.CANCELED, error, advice, None
            job.touch()
            db.execute(
                "UPDATE jobs SET state = ?, error = ?, advice = ?, failure_kind = NULL, updated_at = ? WHERE id = ?",
                (job.state.value, error, advice, job.updated_at, job_id),
            )
            db.execute("DELETE FROM leases WHERE job_id = ?", (job_id,))
        self._written.pop(job_id, None)
        return job, True

    # ----- leases --------------------------------------------------------------------------

    @staticmethod
    def _lease(db: sqlite3.Connection, job_id: str) -> Lease | None:
        found = db.execute("SELECT * FROM leases WHERE job_id = ?", (job_id,)).fetchone()
        return _lease_from_row(found) if found is not None else None

    def _take(self, db: sqlite3.Connection, job_id: str) -> None:
        now, me = time.time(), self.owner
        db.execute(
            "INSERT INTO leases (job_id, owner, pid, host, kind, heartbeat, expires) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(job_id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, "
            "kind = excluded.kind, heartbeat = excluded.heartbeat, expires = excluded.expires",
            (job_id, me.id, me.pid, me.host, me.kind, now, now + self.lease_seconds),
        )

    def _claim_row(self, db: sqlite3.Connection, current: sqlite3.Row) -> tuple[EditJob, bool]:
        """Inside a write transaction: the stored job, and whether it is now this process's."""
        job = self._job(current)
        if job.state.is_final:
            return job, False
        holder = self._lease(db, job.id)
        if holder is not None and holder.owner != self.owner.id and holder.is_live():
            job.elsewhere = holder.describe()
            return job, False
        self._take(db, job.id)
        self._written[job.id] = dict(current)
        return job, True

    def claim(self, job_id: str) -> tuple[EditJob | None, bool]:
        """Take the job's lease if it is free, expired, ours, or its holder is gone.

        Returns the job as stored now (with `elsewhere` set when another process holds it) and
        whether this process may work on it. A final job is never claimed.
        """
        with self._immediate() as db:
            current = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if current is None:
                return None, False
            return self._claim_row(db, current)

    def claim_unfinished(self, sources: set[str] | None = None) -> Claims:
        """Claim every unfinished job (of `sources`, when given) in one transaction, oldest first."""
        marks = ", ".join("?" for _ in UNFINISHED_STATES)
        claims = Claims()
        with self._immediate() as db:
            rows = db.execute(
                f"SELECT * FROM jobs WHERE state IN ({marks}) ORDER BY created_at",
                tuple(s.value for s in UNFINISHED_STATES),
            ).fetchall()
            for current in rows:
                if sources is not None and current["source"] not in sources:
                    continue
                job, taken = self._claim_row(db, current)
                (claims.taken if taken else claims.elsewhere).append(job)
        return claims

    def release(self, job_ids: list[str] | None = None) -> None:
        """Give up this process's leases (all of them, or those jobs'): others may take them at once."""
        with self._lock:
            if job_ids is None:
                self._db.execute("DELETE FROM leases WHERE owner = ?", (self.owner.id,))
            else:
                for job_id in job_ids:
                    self._db.execute("DELETE FROM leases WHERE owner = ? AND job_id = ?", (self.owner.id, job_id))
                    self._written.pop(job_id, None)
        if job_ids is None:
            self._written.clear()

    def renew_leases(self) -> int:
        """The heartbeat: push the expiry of every lease this process holds; how many it holds."""
        now = time.time()
        with self._lock:
            if self.closed:
                return 0
            cursor = self._db.execute(
                "UPDATE leases SET heartbeat = ?, expires = ? WHERE owner = ?",
                (now, now + self.lease_seconds, self.owner.id),
            )
            return cursor.rowcount

    def lease_of(self, job_id: str) -> Lease | None:
        """The job's lease as stored (live or not), read without waiting for writers."""
        rows = self._query("SELECT * FROM leases WHERE job_id = ?", (job_id,))
        return _lease_from_row(rows[0]) if rows else None

    def held_elsewhere(self, job_id: str) -> Lease | None:
        """The live lease of another process on this job, if any."""
        lease = self.lease_of(job_id)
        return lease if lease is not None and lease.owner != self.owner.id and lease.is_live() else None

    def note_run_id(self, job_id: str, run_id: str) -> bool:
        """Record a run id learnt too late to journal the job's state (another process took the
        job over meanwhile): it is the only way to find that paid run again. Never overwrites."""
        with self._lock:
            cursor = self._db.execute("UPDATE jobs SET run_id = ? WHERE id = ? AND run_id IS NULL", (run_id, job_id))
            return cursor.rowcount == 1

    @staticmethod
    def _job(row: sqlite3.Row) -> EditJob:
        job = EditJob(
            params=EditParams.from_dict(json.loads(row["params"])),
            image_paths=[Path(p) for p in json.loads(row["image_paths"])],
            mask_path=Path(row["mask_path"]) if row["mask_path"] else None,
            options=_options_from_json(row["options"]),
            id=row["id"],
            client_ref=row["client_ref"],
            source=row["source"],
            state=JobState(row["state"]),
            run_id=row["run_id"],
            run_status=row["run_status"],
            cost=row["cost"],
            error=row["error"],
            failure_kind=row["failure_kind"],
            advice=row["advice"],
            result_paths=[Path(p) for p in json.loads(row["result_paths"])],
            sent_size=tuple(json.loads(row["sent_size"])) if row["sent_size"] else None,
            raw_answer=row["raw_answer"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            starred=bool(row["starred"]),
        )
        return job

    def _query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        return self._reader().execute(sql, args).fetchall()

    def get(self, job_id: str) -> EditJob | None:
        rows = self._query("SELECT * FROM jobs WHERE id = ? OR id LIKE ? ORDER BY created_at LIMIT 2", (job_id, f"{job_id}%"))
        if len(rows) == 1 or (rows and rows[0]["id"] == job_id):
            return self._job(rows[0])
        return None

    def jobs(self, *, search: str | None = None, starred_only: bool = False, limit: int = 500) -> list[EditJob]:
        """Newest first; `search` matches the prompt, case-insensitively."""
        clauses, args = [], []
        if search:
            clauses.append("prompt LIKE ? ESCAPE '\\'")
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            args.append(f"%{escaped}%")
        if starred_only:
            clauses.append("starred = 1")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._query(f"SELECT * FROM jobs {where} ORDER BY created_at DESC, rowid DESC LIMIT ?", (*args, limit))
        return [self._job(r) for r in rows]

    def unfinished(self) -> list[EditJob]:
        """Jobs a crash or a closed app left unfinished: in flight, or not sent yet (oldest first)."""
        marks = ", ".join("?" for _ in UNFINISHED_STATES)
        rows = self._query(
            f"SELECT * FROM jobs WHERE state IN ({marks}) ORDER BY created_at", tuple(s.value for s in UNFINISHED_STATES)
        )
        return [self._job(r) for r in rows]

    def forget_written(self, job_id: str) -> None:
        """Stop diffing against this process's last write of the job (it is no longer ours)."""
        with self._lock:
            self._written.pop(job_id, None)

    def set_starred(self, job_id: str, starred: bool) -> None:
        with self._lock:
            self._db.execute("UPDATE jobs SET starred = ? WHERE id = ?", (int(starred), job_id))

    def delete(self, job_id: str) -> None:
        """Forget a job and its saved inputs; its results stay where the designer saved them."""
        with self._lock:
            self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            self._db.execute("DELETE FROM leases WHERE job_id = ?", (job_id,))
            self._written.pop(job_id, None)
        _remove_inputs(job_id)

    def prune(self, older_than_days: float, *, keep_starred: bool = True) -> int:
        """Forget finished jobs older than the given age (favourites kept); returns how many."""
        cutoff = (datetime.now(timezone.utc) - timedelta(days=older_than_days)).isoformat(timespec="seconds")
        finished = tuple(s.value for s in (JobState.DONE, JobState.FAILED, JobState.STOPPED, JobState.CANCELED))
        marks = ", ".join("?" for _ in finished)
        sql = f"DELETE FROM jobs WHERE created_at < ? AND state IN ({marks})"
        if keep_starred:
            sql += " AND starred = 0"
        with self._lock:
            gone = [r[0] for r in self._db.execute(sql.replace("DELETE FROM", "SELECT id FROM"), (cutoff, *finished))]
            self._db.execute(sql, (cutoff, *finished))
        for job_id in gone:
            _remove_inputs(job_id)
        return len(gone)

    def total_cost(self) -> float:
        return self.spending()[0]

    def spending(self, *, exclude_source: str | None = None) -> tuple[float, int]:
        """Money the service reported and the number of charged attempts (failed ones included).

        Summed by SQLite: the history panel shows it after every finished edit, and building
        every stored job in Python to add their costs grows with the history.
        """
        sql = "SELECT COALESCE(SUM(cost), 0) AS total, COUNT(*) AS n FROM jobs WHERE cost IS NOT NULL AND cost != 0"
        args: tuple = ()
        if exclude_source is not None:
            sql += " AND source != ?"
            args = (exclude_source,)
        row = self._query(sql, args)[0]
        return float(row["total"]), int(row["n"])

    def has_source(self, source: str) -> bool:
        """Whether any stored job came from `source` (e.g. Demo mode)."""
        return bool(self._query("SELECT EXISTS(SELECT 1 FROM jobs WHERE source = ?) AS found", (source,))[0]["found"])
