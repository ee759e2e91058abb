"""Atomic file writes: a file appears whole or not at all, with the mode the user expects.

Every write goes to a hidden temporary file in the target folder (`.partial-<pid>-...`), is
flushed to disk, then linked or renamed into place. A writer killed in between leaves only that
hidden file; `sweep_partials` removes those of writers that are gone, at start, on resume and
before every write into the folder.

Temporary files are created readable by the owner only (mkstemp's 0600); the finished file gets
the mode any other program would give it (0666 less the umask), like every other file the
designer saves. Results, masks and projects are the designer's files, not secrets.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

PARTIAL_PREFIX = ".partial-"
# A partial file this old is swept even if its writer's pid is alive again (pids are reused).
STALE_PARTIAL_S = 24 * 3600.0


def _read_umask() -> int:
    """The process umask, without changing it when the system can say (Linux /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    current = os.umask(0o022)  # read by setting: done once, at import, before worker threads exist
    os.umask(current)
    return current


_UMASK = _read_umask()


def file_mode() -> int:
    """The mode a new file gets from open(): 0666 less the umask read at start."""
    return 0o666 & ~_UMASK


def fsync_dir(folder: Path) -> None:
    """Make a rename or link in `folder` durable (a no-op where folders cannot be opened)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (True when it cannot be told)."""
    if pid <= 0:
        return False
    if os.name == "nt":
        return True  # no cheap check; stale partials go by age there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_partials(folder: Path) -> int:
    """Remove the temporary files killed writers left in `folder`; returns how many.

    A partial is removed when its writer's process is gone, or when it is older than a day
    (its pid may have been reused). Partials of live writers are left alone.
    """
    removed = 0
    try:
        leftovers = list(Path(folder).glob(f"{PARTIAL_PREFIX}*"))
    except OSError:
        return 0
    now = time.time()
    for leftover in leftovers:
        pid_text = leftover.name[len(PARTIAL_PREFIX) :].split("-", 1)[0]
        try:
            stale = now - leftover.stat().st_mtime > STALE_PARTIAL_S
        except OSError:
            continue
        if stale or (pid_text.isdigit() and not pid_alive(int(pid_text))):
            try:
                leftover.unlink()
                removed += 1
            except OSError:
                continue
    return removed


def sweep_folders(folders: list[Path] | set[Path]) -> int:
    """`sweep_partials` over several folders (missing or unreadable ones are skipped)."""
    return sum(sweep_partials(folder) for folder in folders if Path(folder).is_dir())


@contextlib.contextmanager
def partial_file(folder: Path) -> Iterator[tuple[BinaryIO, Path]]:
    """A hidden temporary file in `folder`, open for writing; flushed to disk and given the
    user's file mode on leaving. The caller moves it into place; on error it is removed."""
    folder = Path(folder)
    sweep_partials(folder)
    fd, name = tempfile.mkstemp(prefix=f"{PARTIAL_PREFIX}{os.getpid()}-", dir=folder)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle, tmp
            handle.flush()
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), file_mode())
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_partial(folder: Path, data: bytes) -> Path:
    """`data` in a finished hidden temporary file in `folder`, ready to be linked or renamed."""
    with partial_file(folder) as (handle, tmp):
        handle.write(data)
    return tmp


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """Write `path` through a stream: it replaces the old file only when the block ends without
    an error (a project's zip is written this way)."""
    path = Path(path)
    folder = path.absolute().parent
    folder.mkdir(parents=True, exist_ok=True)
    with partial_file(folder) as (handle, tmp):
        yield handle
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(folder)
