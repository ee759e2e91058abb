"""The document as its file holds it: values at their own depth and colour mode, and what a save keeps.

An opened image has two forms. The display copy (`LoadedImage.image`) is 8-bit sRGB RGB or
RGBA: it is drawn, masked and sent. The document's own values live here, in a `SourceImage`:
16-bit TIFF stays 16-bit, CMYK stays CMYK, an Adobe RGB photo keeps its Adobe RGB numbers. A
result is composited into these values (outside the mask they are kept bit for bit) and saved
in the same file kind, profile, depth and compression, with the file's resolution, XMP and EXIF.

For the common case, an 8-bit RGB(A) file in sRGB or untagged, the display copy already holds
the document's values: `pixels` is None and nothing is stored twice (a 100 MP JPEG would cost
300 MB more).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps

from desktop_editor.core.colour import ColourSpace
from desktop_editor.core.pixels import to_array
from desktop_editor.core.tiff_tags import exif_tags

# What a file of each kind is saved as when the result follows the source ("source" setting):
# formats we can write with the same profile, colour mode and depth. PSD has no writer yet: its
# composite goes to TIFF, which holds the same mode, depth and profile.
SAVE_KIND = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "TIFF": "tiff", "HEIF": "heif", "AVIF": "avif", "PSD": "tiff"}


@dataclass
class SourceImage:
    """The document's own values and what its file said about them.

    `pixels`: (H, W) or (H, W, bands) uint8/uint16 in `space.mode` band order (RGB, RGBA, L, LA,
    CMYK), orientation applied; None when the display copy holds them (8-bit sRGB RGB/RGBA).
    `kind`: the file's format ("JPEG", "TIFF", "HEIF", "PSD", ...); `compression` the TIFF
    compression as Pillow names it ("raw", "tiff_lzw", "tiff_adobe_deflate", "jpeg");
    `exif` the file's EXIF with the orientation reset (the pixels are already turned upright).
    """

    space: ColourSpace
    kind: str | None = None
    pixels: np.ndarray | None = field(default=None, repr=False)
    compression: str | None = None
    exif: bytes | None = field(default=None, repr=False)
    xmp: bytes | None = field(default=None, repr=False)

    @property
    def converted(self) -> bool:
        """Whether the display copy is a conversion (so results must be converted back)."""
        return self.pixels is not None

    @property
    def save_kind(self) -> str:
        """The format a result is saved in when it follows the source ('png' for kinds we do not write)."""
        return SAVE_KIND.get(self.kind or "", "png")

    def values(self, display: Image.Image) -> np.ndarray:
        """The document's values as an array, from `display` when it holds them."""
        return self.pixels if self.pixels is not None else to_array(display)


def upright_exif(img: Image.Image) -> bytes | None:
    """The image's EXIF with its orientation reset to 1, or None when it has none.

    A TIFF holds its EXIF as tags of its own first directory plus an EXIF directory, not as a
    block: its picture tags (camera, date, author) and those directories are read into one.
    """
    if img.info.get("exif"):
        exif = Image.Exif()  # a copy: the image's own (getexif) still tells `upright` how to turn
        exif.load(img.info["exif"])
    elif img.format == "TIFF":
        tags = exif_tags(img.getexif())
        if not set(tags) - {0x0112}:  # an orientation alone says nothing once the pixels are upright
            return None
        exif = Image.Exif()
        for tag, value in tags.items():
            if isinstance(value, dict):
                exif.get_ifd(tag).update(value)
            else:
                exif[tag] = value
    else:
        return None
    if exif.get(0x0112, 1) != 1:
        exif[0x0112] = 1
    return exif.tobytes()


def file_xmp(img: Image.Image) -> bytes | None:
    """The raw XMP packet a file carries (JPEG, PNG, TIFF, WebP, HEIF), or None."""
    for key in ("xmp", "XML:com.adobe.xmp"):
        value = img.info.get(key)
        if value:
            return value.encode("utf-8") if isinstance(value, str) else bytes(value)
    tags = getattr(img, "tag_v2", None)
    value = tags.get(700) if tags is not None else None
    return bytes(value) if value else None


_ORIENT = {2: (False, True, 0), 3: (False, False, 2), 4: (True, False, 0), 5: (True, False, 1),
           6: (False, False, 3), 7: (True, False, 3), 8: (False, False, 1)}


def apply_orientation(pixels: np.ndarray, orientation: int | None) -> np.ndarray:
    """`pixels` turned upright for an EXIF orientation (as `ImageOps.exif_transpose` does)."""
    if orientation not in _ORIENT:
        return pixels
    flip_rows, flip_cols, turns = _ORIENT[orientation]
    if orientation == 5:  # transpose
        return np.ascontiguousarray(np.swapaxes(pixels, 0, 1))
    if orientation == 7:  # transverse
        return np.ascontiguousarray(np.rot90(np.swapaxes(pixels, 0, 1), 2))
    out = pixels[::-1] if flip_rows else pixels
    out = out[:, ::-1] if flip_cols else out
    return np.ascontiguousarray(np.rot90(out, turns) if turns else out)


def upright(img: Image.Image) -> Image.Image:
    """`img` turned by its EXIF orientation (itself when there is nothing to turn)."""
    if img.getexif().get(0x0112, 1) in (None, 1):
        return img
    return ImageOps.exif_transpose(img) or img
