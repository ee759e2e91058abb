"""Pillow keeps the memory of freed images for the next ones instead of returning it each time.

Pillow stores an image in 16 MiB blocks and, by default, hands every block back to the C
library when the image is freed. For camera-size photos that is costly three ways, measured on
a worker thread at 24 MP (96 MB of pixels):
- freeing an image holds the GIL while the pages go back to the system: 5-14 ms;
- the next allocation is zeroed or page-faulted again: a copy took 100 ms, 23 ms from reused
  blocks; a conversion 130 ms, 50 ms;
- a zeroed allocation from the C library's reused memory holds the GIL throughout: up to 74 ms.
The window's thread waits out every GIL hold. With the freed blocks kept for reuse the window's
longest stall during a 24 MP edit went from 41-42 to 33-36 ms, and a result reached the screen
about 40 ms sooner.

What is kept is bounded: at most `cached_bytes()`, a sixteenth of the machine's memory and never
over 512 MiB; freed blocks beyond it go back to the system as before.
"""

from __future__ import annotations

import os
import threading
import time
import weakref

from PIL import Image

MAX_CACHED_BYTES = 512 * 1024 * 1024
FALLBACK_CACHED_BYTES = 256 * 1024 * 1024  # where the machine's memory cannot be read


def physical_memory() -> int | None:
    """The machine's memory in bytes, or None where the system does not say (Windows)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def cached_bytes(memory: int | None = None) -> int:
    """How much freed image memory to keep on a machine with `memory` bytes."""
    memory = physical_memory() if memory is None else memory
    if not memory or memory <= 0:
        return FALLBACK_CACHED_BYTES
    return min(MAX_CACHED_BYTES, memory // 16)


BLOCK_BYTES = 64 * 1024 * 1024  # Pillow's default is 16 MiB


def keep_freed_image_memory(memory: int | None = None) -> int:
    """Let Pillow keep freed blocks up to `cached_bytes(memory)`, in blocks of `BLOCK_BYTES`;
    returns the number of blocks.

    The blocks are made larger than 32 MiB so that the C library always maps each on its own,
    and a freed block (an opened photo's decoded copy, let go once the window holds it) goes back
    to the system. glibc maps an allocation by itself only above a threshold that it raises to the
    size of any mapped block freed, up to 32 MiB: once a photo's 16 MiB blocks had been handed
    back, every later one came from its heap, where freed memory stays resident (5.2 bytes a
    pixel more after opening a 24 MP photo and starting a mask, where 2.8 were expected).
    Lowering that threshold instead had every 4 MiB array the brush allocates mapped afresh, and
    painting at 100% measured slower.
    """
    Image.core.set_block_size(BLOCK_BYTES)
    blocks = max(1, cached_bytes(memory) // Image.core.get_block_size())
    Image.core.set_blocks_max(blocks)
    return blocks


_returning = threading.Lock()
RETURN_STEP_BLOCKS = 1  # a block a step: 1.5-2 ms of GIL for 16 MiB (measured at 100 MP)
RETURN_PAUSE_S = 0.005  # a real pause: after sleep(0) this thread often took the GIL straight back


def return_freed_image_memory(keep_blocks: int = 0) -> int:
    """Hand Pillow's kept freed blocks back to the system, down to `keep_blocks`, a few at a
    time (each step holds the GIL while its pages go back; between steps the window runs).
    Returns the number of blocks handed back."""
    with _returning:
        cached = before = int(Image.core.get_stats().get("blocks_cached", 0))
        while cached > keep_blocks:
            cached = max(keep_blocks, cached - RETURN_STEP_BLOCKS)
            Image.core.clear_cache(cached)
            time.sleep(RETURN_PAUSE_S)  # the window's thread takes the GIL between steps
        return before - cached


OTHERS_WAIT_S = 30.0  # how long to wait for others (a job, a sent copy being made) to let go too


def free_soon(released: list[object], delay_s: float = 0.5) -> threading.Thread:
    """Let go of the objects in `released` (the caller's last references to big images, taken
    out of the list here) on a background thread after `delay_s` (past the first paints of what
    just opened), and hand their memory back to the system: the caller's thread never frees it.

    An opened photo's decoded copy is the case: 400 MB at 100 MP that Pillow would otherwise keep
    resident in its cache of freed blocks for a job that may never come. The cache is emptied
    first, in steps, so that the freed blocks all fit in it (past its bound Pillow frees each
    block as the image goes, all under one GIL hold), then emptied again in steps, once whoever
    else still used them (a job, the sent-size copy being made from it) has let go too.
    """
    kept = list(released)
    released.clear()

    def later() -> None:
        time.sleep(delay_s)
        return_freed_image_memory()
        alive = [weakref.ref(item) for item in kept if type(item).__weakrefoffset__]
        kept.clear()
        deadline = time.monotonic() + OTHERS_WAIT_S
        while any(ref() is not None for ref in alive) and time.monotonic() < deadline:
            time.sleep(0.1)
        return_freed_image_memory()

    thread = threading.Thread(target=later, name="image-memory-return", daemon=True)
    thread.start()
    return thread
