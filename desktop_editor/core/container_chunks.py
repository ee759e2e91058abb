"""The chunk layers of PNG and WebP files, for writing metadata without re-encoding pixels.

Both the colour profile and DPI (file_metadata.py) and the XMP provenance packet
(xmp_embed.py) are added to files an encoder already wrote; the chunk framing and the WebP
extended header they need are the same, so they live here once.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

WebPChunks = list[tuple[bytes, bytes]]

# VP8X header flags (WebP container specification).
VP8X_ICC = 0x20
VP8X_ALPHA = 0x10
VP8X_XMP = 0x04


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk: length, kind, payload and the CRC over kind and payload."""
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def riff_chunk(kind: bytes, payload: bytes) -> bytes:
    """One RIFF chunk as WebP frames it: kind, little-endian length, payload padded to even."""
    return kind + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) % 2 else b"")


def webp_chunks(data: bytes) -> WebPChunks:
    """The (kind, payload) chunks of WebP bytes, in file order."""
    chunks: WebPChunks = []
    pos = 12
    while pos + 8 <= len(data):
        kind = data[pos:pos + 4]
        size = struct.unpack("<I", data[pos + 4:pos + 8])[0]
        chunks.append((kind, data[pos + 8:pos + 8 + size]))
        pos += 8 + size + (size % 2)
    return chunks


def with_vp8x_flag(data: bytes, chunks: WebPChunks, flag: int) -> WebPChunks:
    """`chunks` in WebP's extended form, with `flag` set in the VP8X header: the header is added
    (sized from `data`'s own header) where a simple WebP has none."""
    if chunks and chunks[0][0] == b"VP8X":
        header = bytearray(chunks[0][1])
        header[0] |= flag
        return [(b"VP8X", bytes(header)), *chunks[1:]]
    with Image.open(io.BytesIO(data)) as img:  # reads the header only
        width, height = img.size
        alpha = VP8X_ALPHA if "A" in img.mode else 0
    header = bytes((flag | alpha, 0, 0, 0)) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return [(b"VP8X", header), *chunks]


def webp_bytes(chunks: WebPChunks) -> bytes:
    """WebP file bytes made of `chunks`."""
    body = b"WEBP" + b"".join(riff_chunk(kind, payload) for kind, payload in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
