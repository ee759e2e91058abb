"""Putting an XMP packet into encoded image bytes without re-encoding the pixels.

Each format has its standard place for XMP: PNG an iTXt chunk keyed "XML:com.adobe.xmp", JPEG
an APP1 segment after the Adobe namespace, WebP an "XMP " chunk flagged in VP8X, TIFF tag 700
(XMLPacket) in the first IFD. An earlier packet in that place is replaced (merge first with
`provenance.xmp_packet(..., existing=...)`). HEIC/AVIF carry XMP as an item written with the
picture: pass `heif_options(xmp)` to pillow-heif's save. PSD and OpenRaster get it from their
writers (`core.layered`).

Only headers are parsed, so this is cheap at any image size.
"""

from __future__ import annotations

import struct

from desktop_editor.core.container_chunks import VP8X_XMP, png_chunk, webp_bytes, webp_chunks, with_vp8x_flag

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_XMP_KEYWORD = b"XML:com.adobe.xmp"
JPEG_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
JPEG_SEGMENT_MAX = 65533
TIFF_XMP_TAG = 700


class XmpError(ValueError):
    """The packet cannot be put into these bytes; str() says why."""


def embed(data: bytes, xmp: bytes) -> bytes:
    """`data` (PNG, JPEG, WebP or TIFF bytes) carrying `xmp`, replacing any packet it had.

    Raises:
        XmpError: another format (HEIC/AVIF take XMP when encoded: `heif_options`), or damaged bytes.
    """
    try:
        if data.startswith(PNG_SIGNATURE):
            return embed_png(data, xmp)
        if data.startswith(b"\xff\xd8"):
            return embed_jpeg(data, xmp)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return embed_webp(data, xmp)
        if data[:4] in (b"II*\x00", b"MM\x00*"):
            return embed_tiff(data, xmp)
    except (IndexError, struct.error) as error:
        raise XmpError(f"the file's structure could not be read ({error})") from error
    raise XmpError("XMP is written into PNG, JPEG, WebP and TIFF here; HEIC and AVIF take it when encoded")


def heif_options(xmp: bytes | None) -> dict:
    """Keyword arguments for pillow-heif's save that carry `xmp`."""
    return {"xmp": xmp} if xmp else {}


# ----- PNG ----------------------------------------------------------------------------------------


def embed_png(data: bytes, xmp: bytes) -> bytes:
    """PNG bytes with one uncompressed iTXt XMP chunk before the image data."""
    out = bytearray(data[: len(PNG_SIGNATURE)])
    pos = len(PNG_SIGNATURE)
    inserted = False
    chunk = png_chunk(b"iTXt", PNG_XMP_KEYWORD + b"\x00\x00\x00\x00\x00" + xmp)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise XmpError("the PNG is cut off")
        if kind == b"iTXt" and data[pos + 8:pos + 8 + len(PNG_XMP_KEYWORD) + 1] == PNG_XMP_KEYWORD + b"\x00":
            pos = end  # an older packet: dropped
            continue
        if kind in (b"IDAT", b"IEND") and not inserted:
            out += chunk
            inserted = True
        out += data[pos:end]
        pos = end
    if not inserted:
        raise XmpError("the PNG has no image data")
    return bytes(out)


# ----- JPEG ---------------------------------------------------------------------------------------


def embed_jpeg(data: bytes, xmp: bytes) -> bytes:
    """JPEG bytes with one XMP APP1 segment after the JFIF and Exif headers."""
    payload = JPEG_XMP_HEADER + xmp
    if len(payload) + 2 > JPEG_SEGMENT_MAX + 2:
        raise XmpError(f"the XMP packet is {len(xmp) // 1024} KB; a JPEG segment holds 64 KB")
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    out = bytearray(b"\xff\xd8")
    pos = 2
    inserted = False
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise XmpError("the JPEG's headers are damaged")
        marker = data[pos + 1]
        if marker == 0xDA:
            break
        end = pos + 2 + struct.unpack(">H", data[pos + 2:pos + 4])[0]
        is_xmp = marker == 0xE1 and data[pos + 4:pos + 4 + len(JPEG_XMP_HEADER)] == JPEG_XMP_HEADER
        leading = marker == 0xE0 or (marker == 0xE1 and data[pos + 4:pos + 10] == b"Exif\x00\x00")
        if not inserted and not leading and not is_xmp:
            out += segment
            inserted = True
        if not is_xmp:
            out += data[pos:end]
        pos = end
    else:
        raise XmpError("the JPEG has no image data")
    if not inserted:
        out += segment
    return b"".join((out, memoryview(data)[pos:]))  # one copy of the image data (26 MB at 100 MP), not two


# ----- WebP ---------------------------------------------------------------------------------------


def embed_webp(data: bytes, xmp: bytes) -> bytes:
    """WebP bytes in the extended format with an "XMP " chunk last and the VP8X XMP flag set."""
    chunks = [(kind, payload) for kind, payload in webp_chunks(data) if kind != b"XMP "]
    chunks = with_vp8x_flag(data, chunks, VP8X_XMP)
    chunks.append((b"XMP ", xmp))
    return webp_bytes(chunks)


# ----- TIFF ---------------------------------------------------------------------------------------


def embed_tiff(data: bytes, xmp: bytes) -> bytes:
    """Classic TIFF bytes whose first IFD carries tag 700 (XMLPacket).

    The first IFD is copied to the end of the file with the tag added (entries stay sorted) and
    the header points at the copy; every strip, tile and other IFD stays where it was, so
    nothing is re-encoded. BigTIFF is not handled (XmpError).
    """
    order = "<" if data[:2] == b"II" else ">"
    if struct.unpack(order + "H", data[2:4])[0] != 42:
        raise XmpError("BigTIFF files are not supported for XMP here")
    first = struct.unpack(order + "I", data[4:8])[0]
    count = struct.unpack(order + "H", data[first:first + 2])[0]
    entries = [data[first + 2 + 12 * i:first + 14 + 12 * i] for i in range(count)]
    next_ifd = data[first + 2 + 12 * count:first + 6 + 12 * count]
    earlier = [entry for entry in entries if struct.unpack(order + "H", entry[:2])[0] == TIFF_XMP_TAG]
    entries = [entry for entry in entries if struct.unpack(order + "H", entry[:2])[0] != TIFF_XMP_TAG]
    out = bytearray(data)
    if earlier:  # a packet and IFD this function appended before: cut them off rather than orphan them
        _tag, _kind, length, at = struct.unpack(order + "HHII", earlier[0])
        if first + 6 + 12 * count == len(data) and at + length + (length % 2) == first:
            del out[at:]
    if len(out) % 2:
        out += b"\x00"
    packet_at = len(out)
    out += xmp
    if len(out) % 2:
        out += b"\x00"
    entries.append(struct.pack(order + "HHII", TIFF_XMP_TAG, 1, len(xmp), packet_at))  # type 1: BYTE
    entries.sort(key=lambda entry: struct.unpack(order + "H", entry[:2])[0])
    ifd_at = len(out)
    out += struct.pack(order + "H", len(entries)) + b"".join(entries) + next_ifd
    out[4:8] = struct.pack(order + "I", ifd_at)
    return bytes(out)
