"""An opened image's display copy as Pillow holds it, or made again on demand from another copy.

A camera photo was held twice while open: Pillow's decoded "RGB" image (what jobs send,
composite and save from; 4 bytes a pixel, Pillow pads RGB to four bytes) and the window's full-
size display QImage (4 more), 8 bytes a pixel of picture before the mask and the smaller levels:
800 MB at 100 MP. Once the window holds the display copy, and that copy keeps every value (an
opaque image drawn as RGB32 does), the Pillow copy is let go (`let_go`) and `image` makes it
again, value for value, when a job first asks; the job then shares it with every other user
until all let it go.

The copy is made on whichever thread asks, so only workers should ask (a job, a mix being
prepared): the window asks `holds`, `size` and `mode`, which never make one.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

from PIL import Image

# Bytes a pixel in Pillow's memory: three-band images are padded to four.
_PILLOW_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "LA": 4, "PA": 4, "RGB": 4, "RGBA": 4, "RGBX": 4, "RGBa": 4,
                       "CMYK": 4, "I": 4, "F": 4, "I;16": 2}


def pillow_bytes(img: Image.Image) -> int:
    """The memory Pillow holds for `img`'s pixels."""
    return img.width * img.height * _PILLOW_PIXEL_BYTES.get(img.mode, len(img.getbands()))


class HeldPixels:
    """One image's pixels: held (`held`), or let go with a way to make them again.

    `rebuild` must return an image of the same size and mode with the same values; `info` (the
    decoder's profile, resolution and metadata) is given to each image it makes.
    """

    def __init__(self, image: Image.Image):
        self._image: Image.Image | None = image
        self._given: weakref.ref[Image.Image] | None = None  # the last image handed out since letting go
        self._rebuild: Callable[[], Image.Image] | None = None
        self._scale: Callable[[tuple[int, int]], Image.Image] | None = None
        self._lock = threading.Lock()
        self.size: tuple[int, int] = image.size
        self.mode: str = image.mode
        self._info = dict(image.info)

    @property
    def held(self) -> bool:
        """Whether the pixels are held here (not let go)."""
        return self._image is not None

    def get(self) -> Image.Image:
        """The image: the one held, else the copy someone still uses, else a new one (made here,
        on the calling thread: a worker's)."""
        image = self._image
        if image is not None:
            return image
        with self._lock:
            if self._image is not None:
                return self._image
            image = self._given() if self._given is not None else None
            if image is None:
                assert self._rebuild is not None  # for the type checker: `let_go` sets it as it clears `_image`
                image = self._rebuild()
                if image.size != self.size or image.mode != self.mode:
                    raise ValueError(f"the display copy is {image.mode} {image.size}, not {self.mode} {self.size}")
                image.info = dict(self._info)
                self._given = weakref.ref(image)
            return image

    def let_go(self, rebuild: Callable[[], Image.Image],
               scale: Callable[[tuple[int, int]], Image.Image] | None = None) -> Image.Image | None:
        """Stop holding the image, which `rebuild` can make again (and `scale`, when given, make
        at another size without a full-size copy); returns it (the caller's last reference, to
        be freed where it costs the window nothing), or None when already let go.

        Anyone still holding the old image keeps it, and it counts as these pixels (`holds`;
        `get` hands it out too) until they let it go.
        """
        with self._lock:
            image, self._image = self._image, None
            self._rebuild, self._scale = rebuild, scale
            if image is not None:
                self._given = weakref.ref(image)
            return image

    def scaled(self, size: tuple[int, int]) -> Image.Image | None:
        """The image scaled to `size` (LANCZOS) without making it at full size, when it is let go
        and no full-size copy is in use; None otherwise (scale `get()` then)."""
        scale = self._scale
        if scale is None or self._image is not None or (self._given is not None and self._given() is not None):
            return None
        scaled = scale(size)
        scaled.info = dict(self._info)
        return scaled

    def holds(self, image: object) -> bool:
        """Whether `image` is these pixels (the image held, or one handed out and still in use),
        told without making a copy."""
        if image is None:
            return False
        if image is self._image:
            return True
        given = self._given() if self._given is not None else None
        return given is image

    def held_bytes(self) -> int:
        """The memory these pixels hold now (0 once let go and no copy is in use)."""
        image = self._image
        if image is None and self._given is not None:
            image = self._given()
        return pillow_bytes(image) if image is not None else 0
