"""The recent-files list: most recent first, no duplicates, bounded.

Kept apart from the settings store so the rules are the same wherever the list is shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

MAX_RECENT = 12


def _key(path: str) -> str:
    """Paths that name the same file compare equal (case-insensitively on Windows)."""
    return os.path.normcase(os.path.abspath(path))


def add_recent(paths: Iterable[str], path: str | Path, limit: int = MAX_RECENT) -> list[str]:
    """The list with `path` moved (or added) to the front and trimmed to `limit` entries."""
    new = str(Path(path).absolute())
    key = _key(new)
    out = [new]
    for old in paths:
        if old and _key(old) != key and len(out) < limit:
            out.append(old)
    return out


def existing_recent(paths: Iterable[str]) -> list[str]:
    """Only the entries whose file still exists, so the menu never offers a dead end."""
    return [p for p in paths if p and os.path.isfile(p)]
