"""Small, colour-managed copies of image files, for thumbnails and tiles.

A thumbnail is read at a reduced size where the codec allows (JPEG decodes at 1/2, 1/4 or 1/8
through `draft`), then converted from the file's profile to the screen (sRGB) like the full
image: a ProPhoto TIFF or an Adobe RGB JPEG must not look dull in the results strip and vivid on
the canvas. Files Pillow cannot read by itself at a reduced size (a layered PSD, a 16-bit RGB
TIFF, HEIC before its opener is registered) go through the full loader, on the worker that asks.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from desktop_editor.core.colour import ColourSpace, checked_profile, is_srgb, to_srgb8
from desktop_editor.core.image_formats import sniff
from desktop_editor.core.images import load_image

_PLAIN_MODES = ("RGB", "RGBA", "L", "LA", "P", "CMYK")


def _fast(path: Path, edge: int) -> Image.Image | None:
    """A reduced decode with Pillow, or None when the file needs the full loader."""
    with open(path, "rb") as file:
        head = file.read(64)
    if sniff(head) in ("PSD", "HEIF", "AVIF", "CR3", "RAF", "RAW"):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(path) as img:
            if img.mode not in _PLAIN_MODES or (img.format == "TIFF" and (img.tag_v2.get(258) or (8,))[0] != 8):
                return None
            img.draft("RGB" if img.mode != "CMYK" else "CMYK", (edge, edge))
            icc = img.info.get("icc_profile")
            img = ImageOps.exif_transpose(img) or img
            img.thumbnail((edge, edge), Image.Resampling.BILINEAR, reducing_gap=2.0)
    mode = img.mode
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        mode = img.mode
    profile, _note = checked_profile(icc, mode)
    if mode in ("RGB", "RGBA") and (profile is None or is_srgb(profile)):
        return img
    return to_srgb8(np.asarray(img), ColourSpace(mode, 8, profile))


def thumbnail(path: str | Path, edge: int) -> Image.Image:
    """An 8-bit sRGB RGB or RGBA copy of the file at `path` fitting `edge` px, upright.

    Raises:
        ImageLoadError: the file cannot be read (the sentence says why).
    """
    path = Path(path)
    try:
        small = _fast(path, edge)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        small = None
    if small is not None:
        return small
    image = load_image(path).image.copy()
    image.thumbnail((edge, edge), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return image
