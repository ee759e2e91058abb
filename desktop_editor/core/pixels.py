"""Pillow <-> numpy in strips of rows, so a worker thread never holds the GIL for long.

`np.asarray(image)` goes through Pillow's `tobytes()`, which packs with the GIL released but then
joins the whole buffer in one copy with it held (5 to 10 ms for a 4K image, several times that on
a busy core); `getchannel` and `split` hold it for a whole pass. Beside the window's thread, which
needs the GIL for every paint handler and slot, those holds are visible freezes. Converting strip
by strip keeps each hold well under a millisecond and costs about the same in total.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PIL import Image

STRIP_ROWS = 256  # a 4K RGBA strip is 4 MB: short holds, few Python round trips

_EIGHT_BIT_MODES = {"L": 1, "P": 1, "LA": 2, "RGB": 3, "RGBA": 4, "RGBa": 4, "CMYK": 4, "YCbCr": 3, "LAB": 3, "HSV": 3}


def strips(height: int, rows: int = STRIP_ROWS) -> Iterator[tuple[int, int]]:
    """(top, bottom) row ranges covering `height`."""
    for top in range(0, height, rows):
        yield top, min(height, top + rows)


def to_array(img: Image.Image) -> np.ndarray:
    """A new, writable uint8 array of an 8-bit image: (H, W) for one band, else (H, W, bands).

    Other modes (16-bit, float) fall back to numpy's own conversion, in one piece.
    """
    bands = _EIGHT_BIT_MODES.get(img.mode)
    if bands is None:
        return np.array(img)
    img.load()
    width, height = img.size
    out = np.empty((height, width) if bands == 1 else (height, width, bands), dtype=np.uint8)
    for top, bottom in strips(height):
        out[top:bottom] = np.asarray(img.crop((0, top, width, bottom)))
    return out


def band(img: Image.Image, name: str) -> np.ndarray:
    """One band of an 8-bit image (e.g. "A") as a new (H, W) uint8 array."""
    index = img.getbands().index(name)
    img.load()
    width, height = img.size
    out = np.empty((height, width), dtype=np.uint8)
    for top, bottom in strips(height):
        out[top:bottom] = np.asarray(img.crop((0, top, width, bottom)))[..., index]
    return out
