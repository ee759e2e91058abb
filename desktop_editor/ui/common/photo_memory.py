"""An open photo's pixels held once, in the window's display copy.

A decoded photo was held twice while open: Pillow's "RGB" image (what jobs send, composite and
save from: 4 bytes a pixel, Pillow pads RGB) and the full-size display QImage (RGB32, 4 more).
At 100 MP that is 800 MB for one picture, over the 8 bytes a pixel an open document may take
with its mask and smaller levels. An opaque photo's RGB32 display copy holds every value of the
Pillow image (B, G, R, 255), so once it is made the Pillow image is let go, and a job that asks
for it gets a copy unpacked from the display copy on its own thread (`pil_from_rgb32`); the
sent-size copy made while the designer paints is scaled from the display copy directly, with no
full-size copy at all (`scaled_from_rgb32`).

The display copy stays RGB32, the format QPainter draws fastest at 1:1, so painting costs the
same. An image with alpha keeps its Pillow copy: its display copy is premultiplied, which
rounds the colours of translucent pixels.
"""

from __future__ import annotations

import functools

from PySide6.QtGui import QImage

from desktop_editor.core.image_memory import free_soon
from desktop_editor.core.images import LoadedImage
from desktop_editor.ui.common.conversions import RGB32, pil_from_rgb32, scaled_from_rgb32


def can_share(loaded: LoadedImage, image: QImage | None) -> bool:
    """Whether `image` holds every value of `loaded`'s display copy (an opaque RGB image as
    RGB32, same size)."""
    return (image is not None and not image.isNull() and loaded.mode == "RGB" and image.format() == RGB32
            and (image.width(), image.height()) == loaded.size and image.bytesPerLine() == 4 * image.width())


def hold_photo_once(loaded: LoadedImage, image: QImage | None) -> bool:
    """Let `loaded`'s Pillow copy go when `image`, its full-size display copy, holds the same
    values: `loaded.image` then makes it again from `image` on the thread that asks. The copy
    let go is freed on a background thread and its memory handed back to the system.

    Returns whether the Pillow copy is (now or already) let go. Call on the thread that owns the
    document: a job that took `loaded.image` before keeps it, and it still counts as the
    document's pixels (`LoadedImage.holds`) until that job lets it go.
    """
    if not loaded.pixels_held:
        return True
    if not can_share(loaded, image):
        return False
    # A shallow copy: the pixels live as long as `loaded` may need them, even once the document
    # is closed under a running job. Nobody paints on a display copy, so it is never detached.
    shared = QImage(image)
    released = loaded.let_go_pixels(functools.partial(pil_from_rgb32, shared), functools.partial(scaled_from_rgb32, shared))
    if released is not None:
        free_soon([released])
    return True
