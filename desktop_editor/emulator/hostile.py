"""Result downloads that misbehave, played on purpose (`Behaviour.result_body`).

Each is something a result URL on the real road can send: a proxy's HTML error page labelled as
the image, a decompression bomb, a body that drips, bytes of another kind than their label, a
body that never ends or is far too big. The client must never take any of them for a result,
never hang on them, and never hold them whole in memory.
"""

from __future__ import annotations

import io
import struct
import time
import zlib
from collections.abc import Iterator

from PIL import Image

from .responses import Response

HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
             b"<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>\n")
BOMB_SIDE = 60000
HUGE_BYTES = 300 * 1000 * 1000
_CHUNK = 64 * 1024


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int = BOMB_SIDE) -> bytes:
    """A valid-looking PNG of a few hundred bytes whose header claims `side` x `side` RGB pixels."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side * 3 + 1) * 4, 9)  # the first rows; the rest would inflate from nothing
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")


def as_webp(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as img:
        out = io.BytesIO()
        img.save(out, "WEBP", lossless=True)
        return out.getvalue()


def _drip(data: bytes, interval: float) -> Iterator[bytes]:
    for index in range(len(data)):
        if index:
            time.sleep(interval)
        yield data[index:index + 1]


def _endless() -> Iterator[bytes]:
    chunk = b"\x00" * _CHUNK
    while True:
        yield chunk


def _sized(total: int) -> Iterator[bytes]:
    chunk = b"\x00" * _CHUNK
    sent = 0
    while sent < total:
        piece = chunk[: min(_CHUNK, total - sent)]
        sent += len(piece)
        yield piece


def result_response(kind: str, data: bytes, content_type: str, *, drip_interval: float) -> Response:
    """What a result URL answers when told to misbehave as `kind` (see behaviour.RESULT_BODIES)."""
    if kind == "html":
        return Response(200, HTML_PAGE, "image/png")
    if kind == "bomb":
        return Response(200, bomb_png(), "image/png")
    if kind == "mislabelled":
        return Response(200, as_webp(data), "image/png")
    if kind == "drip":
        return Response(200, b"", content_type, {"Content-Length": str(len(data))}, stream=_drip(data, drip_interval))
    if kind == "endless":
        return Response(200, b"", content_type, stream=_endless())
    if kind == "huge":
        return Response(200, b"", content_type, {"Content-Length": str(HUGE_BYTES)}, stream=_sized(HUGE_BYTES))
    return Response(200, data, content_type)
