"""Adding tags (ICC profile, XMP) to a TIFF another encoder wrote, without touching its pixels.

OpenCV writes 16-bit RGB TIFF with LZW, ZIP or no compression, fast and with the GIL released,
but it has no way to embed an ICC profile or XMP; tifffile embeds them but compresses LZW only
with imagecodecs (30 MB more in the package). So OpenCV writes the pixels and this module adds
the tags: a new first directory (the old entries plus the new ones, in tag order) and the tag
data are appended at the end of the file, and the header points to the new directory. The old
directory stays in the file, unreferenced: a few hundred bytes.

Only classic TIFF (not BigTIFF, which files under 4 GB do not need) is handled.
"""

from __future__ import annotations

import struct

UNDEFINED = 7  # TIFF field type for opaque bytes (ICC profile)
BYTE = 1  # XMP is stored as BYTE
ICC_PROFILE = 34675
XMP = 700


class TiffTagError(ValueError):
    """The data is not a classic TIFF this module can extend."""


def with_tags(data: bytes, tags: dict[int, tuple[int, bytes]]) -> bytes:
    """`data` (a classic TIFF) whose first image also carries `tags`: {tag: (field type, bytes)}.

    Tags the file already has are replaced. Only byte-sized field types are supported.

    Raises:
        TiffTagError: not a classic TIFF.
    """
    tags = {tag: value for tag, value in tags.items() if value[1]}
    if not tags:
        return data
    if data[:4] == b"II*\x00":
        order = "<"
    elif data[:4] == b"MM\x00*":
        order = ">"
    else:
        raise TiffTagError("not a classic TIFF")
    first = struct.unpack(order + "I", data[4:8])[0]
    count = struct.unpack(order + "H", data[first:first + 2])[0]
    entries: dict[int, bytes] = {}
    for index in range(count):
        start = first + 2 + 12 * index
        raw = data[start:start + 12]
        entries[struct.unpack(order + "H", raw[:2])[0]] = raw
    next_ifd = data[first + 2 + 12 * count:first + 6 + 12 * count]
    out = bytearray(data)
    for tag, (field_type, payload) in tags.items():
        if len(payload) <= 4:  # small values live in the entry itself
            entries[tag] = struct.pack(order + "HHI", tag, field_type, len(payload)) + payload.ljust(4, b"\x00")
            continue
        if len(out) % 2:
            out += b"\x00"  # values start on a word boundary
        offset = len(out)
        out += payload
        entries[tag] = struct.pack(order + "HHII", tag, field_type, len(payload), offset)
    if len(out) % 2:
        out += b"\x00"
    directory = len(out)
    out += struct.pack(order + "H", len(entries))
    for tag in sorted(entries):
        out += entries[tag]
    out += next_ifd
    out[4:8] = struct.pack(order + "I", directory)
    return bytes(out)
