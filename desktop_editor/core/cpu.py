"""One budget for heavy image work in the whole process, so the window's thread keeps a core.

Four 4K edits finishing together each composite and PNG-encode their result; meanwhile the
shown result is decoded, thumbnails are made and, in Demo mode, the emulator renders. Run all
at once on a 2-core laptop and the window's thread waits both for a core and for the GIL, which
these threads take and release thousands of times a second: measured as 50-120 ms freezes.
So every heavy image step on a worker (the jobs' prepare and finish, the ui's decode, levels,
difference and thumbnail tasks, image loading, the emulator's renders) first takes one of
cores - 1 slots. The GUI thread never takes one; it has the remaining core.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SLOTS = max(1, (os.cpu_count() or 2) - 1)
_slots = threading.BoundedSemaphore(SLOTS)
_held = threading.local()


@contextmanager
def image_work() -> Iterator[None]:
    """Hold one slot for the block. Nested use on one thread holds the same slot (no deadlock
    when a step calls another step)."""
    depth = getattr(_held, "depth", 0)
    if depth == 0:
        _slots.acquire()
    _held.depth = depth + 1
    try:
        yield
    finally:
        _held.depth = depth
        if depth == 0:
            _slots.release()
