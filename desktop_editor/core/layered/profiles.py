"""The ICC profiles a layered file needs when the document carries none (untagged means sRGB).

Krita stops to ask which profile a 16-bit PNG layer is in when the PNG says nothing, so an
untagged document's layers are tagged with what untagged means: sRGB for RGB, and for grey a
grey profile with the sRGB tone curve. LittleCMS through Pillow builds RGB and Lab profiles
only, so the small grey one is assembled here from the ICC format's tags.
"""

from __future__ import annotations

import struct
from functools import cache

from PIL import ImageCms

_D50 = (0.9642, 1.0, 0.8249)


@cache
def srgb_profile() -> bytes:
    """LittleCMS's sRGB profile."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _fixed(*values: float) -> bytes:
    return b"".join(struct.pack(">i", round(v * 65536)) for v in values)


@cache
def grey_srgb_profile() -> bytes:
    """An ICC grey display profile: D50 white, the sRGB tone curve (parametric curve type 3),
    so grey values mean what they would in an untagged (sRGB) image."""
    description = b"Grey, sRGB tone curve"
    tags = [
        (b"desc", b"desc\0\0\0\0" + struct.pack(">I", len(description) + 1) + description + b"\0" + b"\0" * 78),
        (b"wtpt", b"XYZ \0\0\0\0" + _fixed(*_D50)),
        (b"kTRC", b"para\0\0\0\0" + struct.pack(">HH", 3, 0)
         + _fixed(2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)),
        (b"cprt", b"text\0\0\0\0" + b"No copyright, use freely\0"),
    ]
    table_size = 4 + 12 * len(tags)
    table, body = struct.pack(">I", len(tags)), b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", 128 + table_size + len(body), len(data))
        body += data
    size = 128 + table_size + len(body)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrGRAYXYZ "
              + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 24 + struct.pack(">I", 0)
              + _fixed(*_D50) + b"\0" * 48)
    return header + table + body


def default_profile(mode: str) -> bytes:
    """The profile an untagged document of `mode` ("RGB" or "L") is read in."""
    return srgb_profile() if mode == "RGB" else grey_srgb_profile()
