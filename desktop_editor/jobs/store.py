"""The history store and crash-safe journal: every job, every state change, in SQLite.

WAL mode with synchronous=FULL: each state change is on disk when `save` returns, so a job is
journaled before its create is sent and its run id the moment the service gives it. WAL also
lets two app instances (or the window and the command line) share the file safely.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from dataclasses import fields
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desktop_editor.core.params import EditParams
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
"""

# Columns added after the first schema, oldest first: (schema version, name, SQL type). A store
# written by an older version gains them when opened; old rows read them as NULL.
_ADDED_COLUMNS: tuple[tuple[int, str, str], ...] = (
    (2, "raw_answer", "TEXT"),  # the service's answer, kept when no image could be read from it
)

# States in which a run may exist on the service without its results on our disk.
IN_FLIGHT_STATES = (JobState.SENDING, JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING)
UNFINISHED_STATES = IN_FLIGHT_STATES + tuple(NEVER_SENT_STATES)


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

    def __init__(self, path: Path):
        self.path = Path(path)
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

    def save(self, job: EditJob) -> None:
        """Insert or update the job; on disk when this returns."""
        row = {
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
        columns = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        updates = ", ".join(f"{k}=excluded.{k}" for k in row if k != "id")
        with self._lock:
            self._db.execute(f"INSERT INTO jobs ({columns}) VALUES ({marks}) ON CONFLICT(id) DO UPDATE SET {updates}", row)

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

    def set_starred(self, job_id: str, starred: bool) -> None:
        with self._lock:
            self._db.execute("UPDATE jobs SET starred = ? WHERE id = ?", (int(starred), job_id))

    def delete(self, job_id: str) -> None:
        """Forget a job and its saved inputs; its results stay where the designer saved them."""
        with self._lock:
            self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
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
