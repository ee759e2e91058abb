"""Zeroed arrays that the window's thread fills a little at a time, in small pages.

numpy asks the system for transparent huge pages (2 MiB) on every allocation from 4 MiB on. The
first write into each 2 MiB then has the kernel find, and often compact, a free 2 MiB of memory
and zero it, on the thread that writes: 10-40 ms at a time on a busy machine. That suits an
array filled at once on a worker; it does not suit the masks the brush writes into piece by
piece on the window's thread (the document's mask, its reduced levels, a stroke's coverage),
where each dab reaching a new 2 MiB stalled the window. Measured on a 45 MP photo fitted in the
window: a stroke's p99 thread time 10-11 ms with numpy's huge pages, 3.7-4.7 ms without.

`paged_zeros` maps fresh anonymous memory instead (zero pages the system provides 4 KiB at a
time as they are written) and advises the system against huge pages for it. Only Linux has
transparent huge pages; elsewhere it is `np.zeros`.
"""

from __future__ import annotations

import mmap
import sys

import numpy as np

# Below this numpy does not ask for huge pages, and small arrays come from the C heap anyway.
_HUGE_PAGE_ADVICE_FROM = 4 * 1024 * 1024


def paged_zeros(shape: tuple[int, ...], dtype: np.dtype | type = np.uint8) -> np.ndarray:
    """A zeroed, writeable, C-ordered array whose memory is provided in small pages as written."""
    dtype = np.dtype(dtype)
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if size < _HUGE_PAGE_ADVICE_FROM or not sys.platform.startswith("linux"):
        return np.zeros(shape, dtype)
    try:
        memory = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    except OSError as exc:  # what np.zeros would say: callers report a lack of memory
        raise MemoryError(f"no memory for {size} bytes") from exc
    no_huge = getattr(mmap, "MADV_NOHUGEPAGE", None)
    if no_huge is not None:  # where the system makes huge pages unasked (THP "always")
        try:
            memory.madvise(no_huge)
        except OSError:
            pass
    return np.frombuffer(memory, dtype=dtype).reshape(shape)
