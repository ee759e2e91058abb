"""Adding tags (ICC profile, XMP, EXIF) to a TIFF another encoder wrote, without touching its pixels.

OpenCV writes 16-bit RGB TIFF with LZW, ZIP or no compression, fast and with the GIL released,
but it has no way to embed an ICC profile, XMP or EXIF; tifffile embeds the first two but
compresses LZW only with imagecodecs (30 MB more in the package) and writes no EXIF directory.
So an encoder writes the pixels and this module adds the tags: Pillow's
`ImageFileDirectory_v2` serialises them (the EXIF and GPS sub-directories included) at the end
of the file, a new first directory (the old entries plus the new ones, in tag order) follows,
and the header points to it. The old directory stays in the file, unreferenced: a few hundred
bytes.

EXIF in a TIFF is not a blob as in JPEG or PNG: its camera tags (Make, Model, DateTime, ...)
sit in the image's own first directory and the rest in an EXIF directory that tag 34665 points
to, which is where Pillow, tifffile and exiftool look.

Only classic TIFF (not BigTIFF, which files under 4 GB do not need) is handled.
"""

from __future__ import annotations

import struct

from PIL import ExifTags, Image, TiffImagePlugin, TiffTags

UNDEFINED = 7  # TIFF field type for opaque bytes (ICC profile)
BYTE = 1  # XMP is stored as BYTE
SHORT = 3
PHOTOMETRIC = 262
INK_SET = 332
INK_SET_CMYK = 1
ICC_PROFILE = 34675
XMP = 700
ORIENTATION = 0x0112

# The first-directory tags of an EXIF block that describe the picture rather than how the file
# stores it (the EXIF standard's "TIFF tags" minus the layout ones): what a TIFF output takes
# from its source's EXIF, and what a TIFF source's EXIF is read as. Size, compression, strips
# and resolution belong to the file that is written, never copied from another.
EXIF_PICTURE_TAGS = (0x010E, 0x010F, 0x0110, ORIENTATION, 0x0131, 0x0132, 0x013B, 0x013C, 0x8298)
EXIF_DIRECTORIES = (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo)


class TiffTagError(ValueError):
    """The data is not a classic TIFF this module can extend."""


def exif_tags(exif: Image.Exif) -> dict[int, object]:
    """The tags of `exif` a TIFF's first directory carries: picture tags as values, the EXIF and
    GPS directories as dicts (the EXIF one with its interoperability directory nested)."""
    tags: dict[int, object] = {tag: exif[tag] for tag in EXIF_PICTURE_TAGS if tag in exif}
    for pointer in EXIF_DIRECTORIES:
        directory = dict(exif.get_ifd(pointer))
        if pointer == ExifTags.IFD.Exif and ExifTags.IFD.Interop in directory:
            interop = exif.get_ifd(ExifTags.IFD.Interop)
            if interop:
                directory[ExifTags.IFD.Interop] = dict(interop)
            else:
                del directory[ExifTags.IFD.Interop]  # an offset into the old file: meaningless here
        if directory:
            tags[pointer] = directory
    return tags


def _byte_order(data: bytes) -> str:
    if data[:4] == b"II*\x00":
        return "<"
    if data[:4] == b"MM\x00*":
        return ">"
    raise TiffTagError("not a classic TIFF")


def _directory(header: bytes, tags: dict[int, tuple[int, object]], exif: bytes | None,
               present: set[int]) -> TiffImagePlugin.ImageFileDirectory_v2:
    """The tags to add, as Pillow serialises them; EXIF tags the file already has are left to it."""
    ifd = TiffImagePlugin.ImageFileDirectory_v2(ifh=header)
    if exif:
        loaded = Image.Exif()
        loaded.load(exif)
        for tag, value in exif_tags(loaded).items():
            if tag in present and tag != ORIENTATION:
                continue
            if isinstance(value, dict):
                ifd.tagtype[tag] = TiffTags.LONG  # a sub-directory: Pillow writes it and points to it
            ifd[tag] = 1 if tag == ORIENTATION else value  # the pixels are written upright
    for tag, (field_type, payload) in tags.items():
        ifd.tagtype[tag] = field_type
        ifd[tag] = payload
    return ifd


def with_tags(data: bytes, tags: dict[int, tuple[int, object]], *, exif: bytes | None = None) -> bytes:
    """`data` (a classic TIFF) whose first image also carries `tags`: {tag: (field type, value)},
    the value bytes for BYTE and UNDEFINED, a number or a tuple of them otherwise; and `exif`
    (EXIF bytes as Pillow's `Exif.tobytes` gives them, with or without the "Exif" header) as
    picture tags and an EXIF directory, its orientation 1.

    Tags the file already has are replaced (EXIF's picture tags only fill in what it lacks);
    `tags` win over `exif`. Empty values are left out.

    Raises:
        TiffTagError: not a classic TIFF.
    """
    tags = {tag: value for tag, value in tags.items() if value[1] not in (None, b"")}
    if not tags and not exif:
        return data
    order = _byte_order(data)
    first = struct.unpack(order + "I", data[4:8])[0]
    count = struct.unpack(order + "H", data[first:first + 2])[0]
    entries: dict[int, bytes] = {}
    for index in range(count):
        start = first + 2 + 12 * index
        raw = data[start:start + 12]
        entries[struct.unpack(order + "H", raw[:2])[0]] = raw
    next_ifd = data[first + 2 + 12 * count:first + 6 + 12 * count]
    added = _directory(data[:8], tags, exif, set(entries))
    out = bytearray(data)
    if len(out) % 2:
        out += b"\x00"  # values start on a word boundary
    block = added.tobytes(len(out))  # its entries point into its own data, placed here
    for index in range(struct.unpack(order + "H", block[:2])[0]):
        raw = block[2 + 12 * index:14 + 12 * index]
        entries[struct.unpack(order + "H", raw[:2])[0]] = raw
    out += block
    if len(out) % 2:
        out += b"\x00"
    directory = len(out)
    out += struct.pack(order + "H", len(entries))
    for tag in sorted(entries):
        out += entries[tag]
    out += next_ifd
    out[4:8] = struct.pack(order + "I", directory)
    return bytes(out)
