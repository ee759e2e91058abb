"""Putting the original's colour profile and resolution into image bytes without re-encoding them.

A result the service returns is kept byte for byte when nothing has to be composited (a JPEG
re-encoded loses quality, a large PNG takes seconds), yet a print workflow needs the original's
ICC profile and DPI on every copy, the auto-saved one too. PNG and JPEG carry both in small
chunks or segments that can be added in front of the pixel data; WebP carries a profile (in an
ICCP chunk announced by its VP8X header) and has no resolution field at all.

Nothing here decodes pixels: only headers are read, so this is cheap at any image size.
"""

from __future__ import annotations

import struct
import zlib

from desktop_editor.core.container_chunks import VP8X_ICC, png_chunk, webp_bytes, webp_chunks, with_vp8x_flag

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ICC_MARKER = b"ICC_PROFILE\x00"
_JPEG_ICC_CHUNK = 65519 - len(_ICC_MARKER) - 2  # payload per APP2 segment


def with_metadata(data: bytes, *, icc_profile: bytes | None = None,
                  dpi: tuple[float, float] | None = None) -> bytes:
    """`data` (PNG, JPEG or WebP bytes) with `icc_profile` and `dpi` added where the file has none.

    What the file already says is kept (a service that tags its own profile is not overridden);
    unknown formats and damaged files come back unchanged, so a result is never lost to this.
    """
    if not icc_profile and not dpi:
        return data
    try:
        if data.startswith(_PNG_SIGNATURE):
            return _png(data, icc_profile, dpi)
        if data.startswith(b"\xff\xd8"):
            return _jpeg(data, icc_profile, dpi)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data, icc_profile)
    except (ValueError, IndexError, struct.error):
        return data
    return data


# ----- PNG ----------------------------------------------------------------------------------------


def _png(data: bytes, icc: bytes | None, dpi: tuple[float, float] | None) -> bytes:
    kinds: set[bytes] = set()
    pos = len(_PNG_SIGNATURE)
    ihdr_end = None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            ihdr_end = pos + 12 + length
        if kind in (b"IDAT", b"IEND"):
            break
        kinds.add(kind)
        pos += 12 + length
    if ihdr_end is None:
        raise ValueError("no IHDR")
    extra = b""
    # sRGB and iCCP exclude each other; a file that states its colour space keeps it.
    if icc and not kinds & {b"iCCP", b"sRGB"}:
        extra += png_chunk(b"iCCP", b"icc\x00\x00" + zlib.compress(icc))
    if dpi and b"pHYs" not in kinds:
        ppm = [max(1, round(float(v) / 0.0254)) for v in dpi]
        extra += png_chunk(b"pHYs", struct.pack(">IIB", ppm[0], ppm[1], 1))
    return data[:ihdr_end] + extra + data[ihdr_end:] if extra else data


def with_png_exif(data: bytes, exif: bytes) -> bytes:
    """PNG `data` with an eXIf chunk holding `exif` (with or without the JPEG-style "Exif" header)
    after its IHDR, where it has none: the encoders of 16-bit PNG (OpenCV) write no EXIF."""
    payload = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
    if not data.startswith(_PNG_SIGNATURE) or payload[:4] not in (b"II*\x00", b"MM\x00*"):
        return data
    pos = len(_PNG_SIGNATURE)
    ihdr_end = pos + 12 + struct.unpack(">I", data[pos:pos + 4])[0]
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"eXIf":
            return data
        if kind in (b"IDAT", b"IEND"):
            break
        pos += 12 + length
    return data[:ihdr_end] + png_chunk(b"eXIf", payload) + data[ihdr_end:]


# ----- JPEG ---------------------------------------------------------------------------------------


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, int, int]], int]:
    """(marker, start, end) of each segment before the scan, and where the scan's header starts."""
    segments = []
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError("not a JPEG segment")
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the pixels follow
            return segments, pos
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        segments.append((marker, pos, pos + 2 + length))
        pos += 2 + length
    raise ValueError("no scan")


def _jpeg(data: bytes, icc: bytes | None, dpi: tuple[float, float] | None) -> bytes:
    segments, _scan = _jpeg_segments(data)
    has_icc = any(m == 0xE2 and data[s + 4:s + 4 + len(_ICC_MARKER)] == _ICC_MARKER for m, s, _ in segments)
    jfif = next(((s, e) for m, s, e in segments if m == 0xE0 and data[s + 4:s + 9] == b"JFIF\x00"), None)
    out = bytearray(data)
    insert_at = 2
    if dpi:
        x, y = (max(1, min(65535, round(float(v)))) for v in dpi)
        if jfif is not None:
            start, _end = jfif
            units_at = start + 4 + 7  # after "JFIF\0" and the version
            if out[units_at] == 0:  # only an aspect ratio: no resolution stated, so give it
                out[units_at] = 1
                out[units_at + 1:units_at + 5] = struct.pack(">HH", x, y)
            insert_at = jfif[1]
        else:
            payload = b"JFIF\x00\x01\x01" + struct.pack(">BHHBB", 1, x, y, 0, 0)
            out[2:2] = b"\xff\xe0" + struct.pack(">H", len(payload) + 2) + payload
            insert_at = 2 + 4 + len(payload)
    elif jfif is not None:
        insert_at = jfif[1]
    if icc and not has_icc:
        chunks = [icc[i:i + _JPEG_ICC_CHUNK] for i in range(0, len(icc), _JPEG_ICC_CHUNK)]
        if len(chunks) > 255:
            raise ValueError("profile too large")
        app2 = b"".join(
            b"\xff\xe2" + struct.pack(">H", 2 + len(_ICC_MARKER) + 2 + len(chunk)) + _ICC_MARKER
            + bytes((number, len(chunks))) + chunk
            for number, chunk in enumerate(chunks, start=1)
        )
        out[insert_at:insert_at] = app2
    return bytes(out)


# ----- WebP ---------------------------------------------------------------------------------------


def _webp(data: bytes, icc: bytes | None) -> bytes:
    if not icc:
        return data
    chunks = webp_chunks(data)
    kinds = [k for k, _ in chunks]
    if b"ICCP" in kinds or b"ANIM" in kinds:
        return data
    chunks = with_vp8x_flag(data, chunks, VP8X_ICC)
    chunks.insert(1, (b"ICCP", icc))
    return webp_bytes(chunks)
