"""paged_zeros: zeroed, writeable arrays; large ones in memory mapped without huge pages."""

from __future__ import annotations

import mmap
import sys

import numpy as np
import pytest

from desktop_editor.core.paged_memory import paged_zeros


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="transparent huge pages are Linux's")
def test_a_large_array_is_zeroed_writeable_and_mapped_apart_from_numpy():
    array = paged_zeros((3000, 2000))  # 6 MB: numpy would ask for huge pages
    assert array.shape == (3000, 2000) and array.dtype == np.uint8
    assert array.flags.writeable and array.flags.c_contiguous
    assert not array.any()
    array[1500:1510, 100:200] = 7
    assert int(array.sum()) == 7 * 10 * 100
    owner = array
    while isinstance(owner, np.ndarray):
        owner = owner.base
    owner = owner.obj if isinstance(owner, memoryview) else owner
    assert isinstance(owner, mmap.mmap)  # not numpy's allocator, which asks for huge pages


def test_a_small_array_comes_from_numpy_and_other_types_keep_their_size():
    small = paged_zeros((10, 20))
    assert small.shape == (10, 20) and not small.any()
    wide = paged_zeros((1100, 1000), np.uint32)  # 4.4 MB of 4-byte values
    assert wide.dtype == np.uint32 and wide.nbytes == 1100 * 1000 * 4 and not wide.any()


def test_memory_the_system_refuses_is_a_memory_error(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(mmap, "mmap", refuse)
    monkeypatch.setattr("sys.platform", "linux")
    with pytest.raises(MemoryError):
        paged_zeros((4000, 3000))


def _resident_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * mmap.PAGESIZE


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="MADV_POPULATE_WRITE is Linux's")
def test_populate_provides_the_pages_in_the_background_and_keeps_what_was_written():
    import time

    before = _resident_bytes()
    array = paged_zeros((4000, 4000), populate=True)  # 16 MB
    array[10, :] = 9  # the brush may write while the pages are being provided
    deadline = time.monotonic() + 10
    while _resident_bytes() - before < 0.9 * array.nbytes and time.monotonic() < deadline:
        time.sleep(0.02)  # the populating thread runs on
    grown = _resident_bytes() - before
    if grown < array.nbytes // 2:
        pytest.skip("this kernel does not populate pages on request (before Linux 5.14)")
    assert grown >= 0.9 * array.nbytes
    assert int(array[10].sum()) == 9 * 4000 and not array[11:].any() and not array[:10].any()
