"""Writing a layered file whole or not at all, with a sentence for the designer when it fails.

A layered file is written after the results are safe on disk: when it cannot be written (disk
full, read-only folder, too big for the format) the flat result and the source stay as they
were and no half-written file is left (see `core.atomic`).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

from desktop_editor.core.atomic import fsync_dir, partial_file
from desktop_editor.core.layered.stack import LayeredFileError


def write_failure(path: Path, error: OSError) -> LayeredFileError:
    """A plain sentence for an OSError while writing `path`."""
    name = path.name
    if error.errno == errno.ENOSPC or error.errno == getattr(errno, "EDQUOT", -1):
        why = "the disk is full"
    elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        why = f"the folder {path.parent} cannot be written to"
    elif error.errno == errno.ENOENT:
        why = f"the folder {path.parent} does not exist"
    else:
        why = error.strerror or str(error)
    return LayeredFileError(f"Could not save {name}: {why}. The flat result and the original are unchanged.")


def write_atomically(path: Path, write: Callable[[IO[bytes]], None], *, max_bytes: int | None = None,
                     too_big: Callable[[int], str] | None = None) -> Path:
    """Run `write` into a hidden temporary file beside `path`, then move it into place.

    `path` is replaced if it exists (the designer chose it in a Save dialog, which asked).
    Raises LayeredFileError when writing fails or the file would exceed `max_bytes`; nothing
    is left behind then.
    """
    path = Path(path)
    folder = path.absolute().parent
    try:
        if not folder.is_dir():
            raise FileNotFoundError(errno.ENOENT, "no such folder", str(folder))
        with partial_file(folder) as (handle, tmp):
            write(handle)
            size = handle.tell()
            if max_bytes is not None and size > max_bytes:
                raise LayeredFileError(too_big(size) if too_big else f"{path.name} would be too large.")
        try:
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        fsync_dir(folder)
    except OSError as error:
        raise write_failure(path, error) from error
    return path
