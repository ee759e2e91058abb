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


def keep_freed_image_memory(memory: int | None = None) -> int:
    """Let Pillow keep freed blocks up to `cached_bytes(memory)`; returns the number of blocks."""
    blocks = max(1, cached_bytes(memory) // Image.core.get_block_size())
    Image.core.set_blocks_max(blocks)
    return blocks
