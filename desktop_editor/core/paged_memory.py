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

A mask the brush paints into (the document's and its reduced levels) still faulted in a small
page for each row of each dab the first time an area was painted: some 200 faults per mouse move
on a fresh 45 MP photo, the first stroke's p99 above the next ones'. `populate=True` has a
background thread ask the system to provide all the pages at once (MADV_POPULATE_WRITE, Linux
5.14+), which fills nothing in and so may run while the brush writes; where the system cannot,
pages keep arriving as written.
"""

from __future__ import annotations

import ctypes
import mmap
import queue
import sys
import threading

import numpy as np

# Below this numpy does not ask for huge pages, and small arrays come from the C heap anyway.
_HUGE_PAGE_ADVICE_FROM = 4 * 1024 * 1024
_MADV_POPULATE_WRITE = 23  # linux/mman.h; not among Python 3.11's mmap constants
_POPULATE_CHUNK = 1 << 20


def paged_zeros(shape: tuple[int, ...], dtype: np.dtype | type = np.uint8, *, populate: bool = False) -> np.ndarray:
    """A zeroed, writeable, C-ordered array whose memory is provided in small pages as written
    (with `populate`, provided soon by a background thread: see the module's note)."""
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
    array = np.frombuffer(memory, dtype=dtype).reshape(shape)
    if populate:
        _populate_soon(array)
    return array


_queue: queue.SimpleQueue[np.ndarray] = queue.SimpleQueue()
_worker: list[threading.Thread] = []
_worker_lock = threading.Lock()


def _populate_soon(array: np.ndarray) -> None:
    """Queue `array` for the one populating thread (started once: starting a thread waits until
    it runs, a few ms on a busy machine, which a document's open should not pay each time)."""
    _queue.put(array)
    with _worker_lock:
        if not _worker:
            thread = threading.Thread(target=_populate_queued, name="populate-pages", daemon=True)
            _worker.append(thread)
            thread.start()


def _populate_queued() -> None:
    while True:
        array = _queue.get()
        _populate(array)
        del array  # the mapping may go as soon as its owner lets it


def _populate(array: np.ndarray) -> None:
    """Have the system provide the pages of `array`'s mapping now (ctypes releases the GIL for the
    call; holding `array` keeps the mapping alive meanwhile). A refusal leaves pages on demand.

    A megabyte at a time: while it provides pages the system holds the process's memory map, and
    any thread mapping or unmapping memory (numpy's large arrays, the window's next mask level)
    waits; whole 45 MB masks at once stalled the window 50-100 ms.
    """
    libc = _libc()
    if libc is None:
        return
    start, size = array.ctypes.data, array.nbytes
    for offset in range(0, size, _POPULATE_CHUNK):
        length = min(_POPULATE_CHUNK, size - offset)
        if libc.madvise(ctypes.c_void_p(start + offset), ctypes.c_size_t(length), _MADV_POPULATE_WRITE) != 0:
            return  # not on this system (before Linux 5.14): pages keep arriving as written


_libc_handle: list[ctypes.CDLL | None] = []


def _libc() -> ctypes.CDLL | None:
    if not _libc_handle:
        try:
            libc = ctypes.CDLL(None, use_errno=True)  # the process's own symbols, libc's among them
            libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
            libc.madvise.restype = ctypes.c_int
        except (OSError, AttributeError):
            libc = None
        _libc_handle.append(libc)
    return _libc_handle[0]
