"""How large an image may be: set by this machine's memory, not by a fixed pixel count.

A camera makes 100 MP (11648x8736) and a stitched panorama more; Pillow's default bomb guard
(89 MP warns, 179 MP refuses) turned them away with a message about attacks. What matters is
whether the pixels fit: an open image costs about `bytes_per_pixel` bytes per pixel (the 8-bit
display copy, the mask, a working copy while a result is composited, and the document's own
values when they differ from the display's), and at most half the machine's memory is given to
one image. A file whose header claims far more pixels than its data could hold
(`MAX_PIXELS_PER_BYTE`) is a decompression bomb, refused whatever the memory.
"""

from __future__ import annotations

from PIL import Image

from desktop_editor.core.image_memory import physical_memory

DISPLAY_BYTES = 4  # the 8-bit RGBA display copy
MASK_BYTES = 1
WORKING_BYTES = 4  # one 8-bit copy while compositing or scaling
MEMORY_SHARE = 0.5  # of the machine's memory, for one image
FALLBACK_MEMORY = 8 * 1024**3  # where the machine's memory cannot be read
# No codec we read packs more pixels into a byte than deflate does for a 1-bit image (8 pixels
# a byte, compressed at most ~1032:1); real photos and drawings stay far below.
MAX_PIXELS_PER_BYTE = 10_000
BOMB_CHECK_FROM = 16_000_000  # smaller images cannot exhaust memory, whatever they claim


class ImageTooLargeError(ValueError):
    """An image that cannot be opened for its size; str() is a sentence for the designer."""


def bytes_per_pixel(bits: int = 8, bands: int = 3, converted: bool = False) -> int:
    """What one pixel of an open image costs in memory, with the document's own values kept
    separately (`converted`) when they are not the display's."""
    own = bands * bits // 8 if converted else 0
    return DISPLAY_BYTES + MASK_BYTES + WORKING_BYTES + own


def memory_budget(memory: int | None = None) -> int:
    """Bytes one image may take on a machine with `memory` bytes (the machine's own by default)."""
    memory = physical_memory() if memory is None else memory
    return int((memory or FALLBACK_MEMORY) * MEMORY_SHARE)


def max_pixels(per_pixel: int = bytes_per_pixel(), memory: int | None = None) -> int:
    """The largest image, in pixels, that fits this machine at `per_pixel` bytes a pixel."""
    return memory_budget(memory) // per_pixel


def _gb(value: float) -> str:
    return f"{value / 1024**3:.1f} GB"


def check_size(name: str, width: int, height: int, data_size: int, *, per_pixel: int = bytes_per_pixel(),
               memory: int | None = None) -> None:
    """Refuse an image its header says is `width` x `height` when it cannot be held or is a bomb.

    Raises:
        ImageTooLargeError: with the size, and the memory it needs against what the machine has.
    """
    pixels = width * height
    if pixels >= BOMB_CHECK_FROM and pixels > data_size * MAX_PIXELS_PER_BYTE:
        raise ImageTooLargeError(
            f"{name} claims to be {width}x{height} ({pixels / 1e6:,.0f} megapixels) but holds only "
            f"{data_size / 1024:,.0f} KB of data: the file is damaged or made to exhaust memory, so it was not opened."
        )
    needed = pixels * per_pixel
    budget = memory_budget(memory)
    if needed > budget:
        have = physical_memory() if memory is None else memory
        raise ImageTooLargeError(
            f"{name} is {width}x{height} ({pixels / 1e6:,.0f} megapixels): editing it needs about "
            f"{_gb(needed)} of memory and this computer has {_gb(have or FALLBACK_MEMORY)} "
            f"(images up to about {max_pixels(per_pixel, memory) / 1e6:,.0f} megapixels fit). "
            "Export a smaller copy and open that."
        )


def lift_pillow_bomb_limit() -> None:
    """Let Pillow decode what `check_size` allows: its fixed 89/179 MP guard would refuse a
    100 MP camera photo before we could judge it. Every file is checked here first."""
    Image.MAX_IMAGE_PIXELS = max(max_pixels(), Image.MAX_IMAGE_PIXELS or 0)
