"""Real processes on one journal for the fault matrix: the command line and the window, started
as a user would, watched through the journal they share, and killed without warning."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from desktop_editor.jobs.paths import history_path


def cli(*args: str, stderr_to: Path | None = None, **popen) -> subprocess.Popen:
    """`desktop-editor ARGS` as a child process (stderr to a file when given, to read it while
    the process runs)."""
    if stderr_to is None:
        return subprocess.Popen([sys.executable, "-m", "desktop_editor.cli", *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, **popen)
    with open(stderr_to, "w") as err:  # the child has its own copy of the file
        return subprocess.Popen([sys.executable, "-m", "desktop_editor.cli", *args], stdout=subprocess.PIPE,
                                stderr=err, text=True, **popen)


def window(base_url: str, key: str) -> subprocess.Popen:
    """The desktop app, offscreen, connected to `base_url` with `key` (it resumes at start)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", RUNFLOW_BASE_URL=base_url, RUNFLOW_API_KEY=key)
    return subprocess.Popen([sys.executable, "-m", "desktop_editor.cli"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def journal(sql: str, args: tuple = ()) -> list[tuple]:
    """Read the shared journal the way another process would (WAL: never waits for writers)."""
    path = history_path()
    if not path.exists():
        return []
    db = sqlite3.connect(path, timeout=10)
    try:
        return db.execute(sql, args).fetchall()
    except sqlite3.OperationalError:  # the tables are being created
        return []
    finally:
        db.close()


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def has_journal_open(pid: int) -> bool:
    """Whether process `pid` has opened the history store (Linux: its open files in /proc)."""
    target = str(history_path())
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == target for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def lease_pids() -> set[int]:
    return {row[0] for row in journal("SELECT pid FROM leases")}


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL: no chance to clean up, as when the machine or the user pulls the plug."""
    proc.kill()
    proc.communicate(timeout=10)  # reaps it and closes its pipes
