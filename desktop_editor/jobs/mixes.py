"""Saved mixes in the history: which results of which edits went into which image.

A table of its own in the history database (next to `jobs`, never changing it), written through
a connection of its own: the WAL database takes it beside the store's connections.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mixes (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    image_path TEXT,
    output_path TEXT NOT NULL,
    base_path TEXT NOT NULL,
    sources TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mixes_created ON mixes(created_at);
"""


@dataclass
class MixRecord:
    """One saved mix. `sources` are dicts with "path", "label" and "job_id" of the results shown in it."""

    output_path: Path
    base_path: Path
    sources: list[dict]
    image_path: Path | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    @property
    def job_ids(self) -> list[str]:
        return sorted({s["job_id"] for s in self.sources if s.get("job_id")})


def _connect(db_path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(db_path, timeout=10.0, isolation_level=None)
    db.execute("PRAGMA busy_timeout=10000")
    db.executescript(_SCHEMA)
    return db


def record_mix(db_path: str | Path, record: MixRecord) -> None:
    """Write `record` into the history database at `db_path` (on disk when this returns)."""
    db = _connect(Path(db_path))
    try:
        db.execute("PRAGMA synchronous=FULL")
        db.execute(
            "INSERT INTO mixes (id, created_at, image_path, output_path, base_path, sources) VALUES (?, ?, ?, ?, ?, ?)",
            (record.id, record.created_at, str(record.image_path) if record.image_path else None,
             str(record.output_path), str(record.base_path), json.dumps(record.sources)),
        )
    finally:
        db.close()


def mixes(db_path: str | Path, *, job_id: str | None = None) -> list[MixRecord]:
    """Saved mixes, newest first; with `job_id`, only those that show a result of that edit."""
    db = _connect(Path(db_path))
    try:
        rows = db.execute("SELECT * FROM mixes ORDER BY created_at DESC, rowid DESC").fetchall()
    finally:
        db.close()
    out = []
    for row in rows:
        record = MixRecord(output_path=Path(row[3]), base_path=Path(row[4]), sources=json.loads(row[5]),
                           image_path=Path(row[2]) if row[2] else None, id=row[0], created_at=row[1])
        if job_id is None or job_id in record.job_ids:
            out.append(record)
    return out
