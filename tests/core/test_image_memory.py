"""Pillow keeps freed image blocks up to a bound that follows the machine's memory; what an
opening lets go is handed back to the system."""

import threading
import weakref

from PIL import Image

from desktop_editor.core.image_memory import (
    FALLBACK_CACHED_BYTES,
    MAX_CACHED_BYTES,
    cached_bytes,
    free_soon,
    keep_freed_image_memory,
)

GIB = 1024**3


def test_a_sixteenth_of_the_memory_never_over_the_ceiling():
    assert cached_bytes(4 * GIB) == 256 * 1024**2
    assert cached_bytes(8 * GIB) == MAX_CACHED_BYTES
    assert cached_bytes(64 * GIB) == MAX_CACHED_BYTES
    assert cached_bytes(0) == FALLBACK_CACHED_BYTES


def test_freed_blocks_are_reused_by_the_next_image():
    before = Image.core.get_blocks_max()
    try:
        blocks = keep_freed_image_memory(4 * GIB)
        assert blocks == 256 * 1024**2 // Image.core.get_block_size() == Image.core.get_blocks_max()
        Image.core.reset_stats()
        Image.new("RGB", (3000, 2000)).close()
        Image.new("RGB", (3000, 2000)).close()
        stats = Image.core.get_stats()
        assert stats["reused_blocks"] > 0 and stats["blocks_cached"] > 0
    finally:
        Image.core.set_blocks_max(before)


def test_what_an_opening_lets_go_is_freed_off_the_callers_thread_and_handed_back():
    before = Image.core.get_blocks_max()
    try:
        keep_freed_image_memory(8 * GIB)
        decoded = Image.new("RGB", (6000, 4000))  # 96 MB: two blocks
        ref = weakref.ref(decoded)
        taken = decoded  # a job still using it when the window lets it go
        released = [decoded]
        del decoded
        thread = free_soon(released, delay_s=0.05)
        assert released == []  # the caller's reference is the thread's now
        thread.join(0.5)
        assert ref() is taken and thread.is_alive()  # waits for the job to let go too
        freed_on: list[int] = []
        weakref.finalize(taken, lambda: freed_on.append(threading.get_ident()))
        del taken
        thread.join(10)
        assert not thread.is_alive() and ref() is None
        assert freed_on == [threading.get_ident()]  # the last user freed it: here, the "job"
        assert Image.core.get_stats()["blocks_cached"] == 0  # and its blocks went back to the system
    finally:
        Image.core.set_blocks_max(before)


def test_blocks_are_large_enough_to_be_handed_back_to_the_system():
    before = Image.core.get_block_size(), Image.core.get_blocks_max()
    try:
        keep_freed_image_memory(8 * GIB)
        assert Image.core.get_block_size() > 32 * 1024**2  # above glibc's largest own-mapping threshold
        assert Image.core.get_blocks_max() * Image.core.get_block_size() == MAX_CACHED_BYTES
    finally:
        Image.core.set_block_size(before[0])
        Image.core.set_blocks_max(before[1])
