"""Safe file names and writes that never clobber or half-write.

Names can come from the service (`file_name` of a result) or from project files; none of them
may choose a folder, overwrite an existing file, or leave a truncated file behind after a crash
(the temporary files and their sweeping are in `core.atomic`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from desktop_editor.core.atomic import PARTIAL_PREFIX, fsync_dir, sweep_partials, write_partial

__all__ = ["inside", "next_number", "replace_file", "safe_filename", "sweep_partials", "write_new_file",
           "write_numbered_file"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_STEM = 80


def safe_filename(name: str | None, default: str = "result") -> str:
    """A plain file name with no folder part, no control or shell-special characters, never empty."""
    base = (name or "").replace("\\", "/").split("/")[-1]
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem[:MAX_STEM].strip(" .") or default
    if stem.upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    ext = ext[:10]
    return f"{stem}.{ext}" if ext else stem


def inside(folder: Path, candidate: Path) -> bool:
    """Whether `candidate` resolves to a path inside `folder` (no '..' or symlink escapes)."""
    try:
        candidate.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _numbered(folder: Path, stem: str, ext: str, n: int) -> Path:
    return folder / (f"{stem}{'' if n == 1 else f'-{n}'}{'.' + ext if ext else ''}")


def free_path(folder: Path, name: str) -> Path:
    """The first of 'x.png', 'x-2.png', ... in `folder` that does not exist yet: what a Save As
    dialog proposes, numbered the way `write_new_file` numbers, so the proposal is never a
    file the designer would overwrite by pressing Enter."""
    folder = Path(folder)
    stem, dot, ext = safe_filename(name).rpartition(".")
    if not dot:
        stem, ext = safe_filename(name), ""
    for n in range(1, 100_000):
        candidate = _numbered(folder, stem, ext, n)
        if not candidate.exists():
            return candidate
    raise FileExistsError(f"no free file name for {name} in {folder}")


def write_new_file(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` atomically under a name that does not exist yet ('x.png', 'x-2.png', ...).

    The file appears complete or not at all; an existing file is never replaced.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = safe_filename(name)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    tmp = write_partial(folder, data)
    try:
        for n in range(1, 100_000):
            candidate = _numbered(folder, stem, ext, n)
            if not inside(folder, candidate):
                raise ValueError(f"refusing to write outside {folder}")
            try:
                os.link(tmp, candidate)  # fails if the name exists: no race with another writer
            except FileExistsError:
                continue
            except OSError:  # file systems without hard links
                if candidate.exists():
                    continue
                os.replace(tmp, candidate)
            fsync_dir(folder)
            return candidate
        raise FileExistsError(f"no free file name for {name} in {folder}")
    finally:
        tmp.unlink(missing_ok=True)


def next_number(folder: Path, stem: str) -> int:
    """One more than the highest N of the files 'stem-N.*' in `folder`, whatever their format
    (1 when there are none). Copies named 'stem-N-2.*' by older versions count as N."""
    pattern = re.compile(rf"{re.escape(stem)}-(\d+)(?:-\d+)?\.[^.]+", re.IGNORECASE)
    try:
        names = os.listdir(folder)
    except OSError:
        return 1
    numbers = [int(m.group(1)) for name in names if (m := pattern.fullmatch(name))]
    return max(numbers, default=0) + 1


def _taken(folder: Path, stem: str, n: int) -> bool:
    pattern = re.compile(rf"{re.escape(stem)}-{n}(?:-\d+)?\.[^.]+", re.IGNORECASE)
    return any(pattern.fullmatch(name) for name in os.listdir(folder))


def write_numbered_file(folder: Path, stem: str, ext: str, data: bytes) -> Path:
    """Write `data` atomically as 'stem-N.ext', N the next number of `stem` in `folder` in any
    format: the edits of one image are numbered 1, 2, 3 in the order they were made, and
    'x-1.jpg' and 'x-1.png' are never two different edits.

    Safe against other processes writing the same stem at once: a writer first claims N with
    a hidden file created exclusively ('.partial-claim-<stem>-N'), then checks that no
    'stem-N.*' exists, links its file and only then drops the claim, so at every moment N is
    either claimed or visibly taken. A claim left by a killed writer only makes later writers
    skip N; it is swept with the other stale partial files.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem, ext = safe_filename(stem), safe_filename(ext, default="").lstrip(".")
    tmp = write_partial(folder, data)
    try:
        n = next_number(folder, stem)
        for _attempt in range(100_000):
            claim = folder / f"{PARTIAL_PREFIX}claim-{stem}-{n}"
            try:
                os.close(os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                n += 1
                continue
            try:
                candidate = _numbered(folder, f"{stem}-{n}", ext, 1)
                if not inside(folder, candidate):
                    raise ValueError(f"refusing to write outside {folder}")
                if _taken(folder, stem, n):
                    n = max(n + 1, next_number(folder, stem))
                    continue
                try:
                    os.link(tmp, candidate)
                except FileExistsError:
                    n += 1
                    continue
                except OSError:  # file systems without hard links
                    if candidate.exists():
                        n += 1
                        continue
                    os.replace(tmp, candidate)
                fsync_dir(folder)
                return candidate
            finally:
                claim.unlink(missing_ok=True)
        raise FileExistsError(f"no free number for {stem} in {folder}")
    finally:
        tmp.unlink(missing_ok=True)


def replace_file(path: Path, data: bytes) -> Path:
    """Atomically replace (or create) `path`: for files the user chose to overwrite, like a project."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = write_partial(path.parent, data)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return path
