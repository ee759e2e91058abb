"""Pillow keeps freed image blocks up to a bound that follows the machine's memory."""

from PIL import Image

from desktop_editor.core.image_memory import (
    FALLBACK_CACHED_BYTES,
    MAX_CACHED_BYTES,
    cached_bytes,
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
