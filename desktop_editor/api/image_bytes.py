"""Image bytes on the wire: data: URIs (inline inputs and results) and the image type bytes
begin with (how a result found by searching an answer is judged)."""

from __future__ import annotations

import base64
import binascii

from desktop_editor.api.errors import DownloadError

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def sniff_image_type(data: bytes) -> str | None:
    """The image type the bytes begin with, or None: how a link found by searching is judged."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _SIGNATURES if data.startswith(magic)), None)


def to_data_uri(data: bytes, mime_type: str) -> str:
    """`data` as a base64 data: URI of `mime_type` (an input sent inline)."""
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"


def from_data_uri(uri: str) -> tuple[bytes, str | None]:
    """Bytes and media type of a data: URI."""
    header, sep, payload = uri.partition(",")
    if not sep:
        raise DownloadError("A result data URI had no data.")
    meta = header[5:].split(";")
    mime = meta[0] or None
    try:
        data = base64.b64decode(payload, validate=True) if "base64" in meta[1:] else payload.encode("latin-1")
    except (binascii.Error, ValueError) as exc:
        raise DownloadError("A result data URI was not valid base64.") from exc
    if not data:
        raise DownloadError("A result data URI was empty.")
    return data, mime

