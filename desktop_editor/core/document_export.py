"""Encoding a document's own values (any depth, mode, profile) into a file, keeping what its file had.

A result composited into a 16-bit ProPhoto TIFF is saved as a 16-bit TIFF with that profile and
compression; a CMYK JPEG as a CMYK JPEG with its profile; an iPhone HEIC as HEIC. Resolution,
XMP and EXIF (orientation reset, the pixels being upright) go along. What each format cannot
hold is brought to what it can: JPEG, WebP and AVIF take 8 bits (16-bit values are rounded),
WebP, AVIF, HEIC and PNG take no CMYK (converted to sRGB, tagged so), JPEG no transparency
(flattened onto white).

Encoders: Pillow for 8-bit files; OpenCV for 16-bit RGB(A) PNG and 16-bit RGB(A), grey and CMYK
TIFF in the source's compression (Pillow has no 16-bit RGB or CMYK mode) with the profile, XMP
and EXIF added afterwards (`file_metadata`, `xmp_embed`, `tiff_tags`); tifffile for 16-bit
grey-with-alpha TIFF (ZIP compression); pillow-heif
for HEIC. Every TIFF gets its EXIF the same way (`tiff_tags`: camera tags in the first
directory, the rest in an EXIF directory), whichever encoder wrote its pixels.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, PngImagePlugin

from desktop_editor.core.colour import SRGB_BYTES, ColourSpace, to_eight_bits, to_srgb8
from desktop_editor.core.file_metadata import with_metadata, with_png_exif
from desktop_editor.core.opencv import cv2
from desktop_editor.core.source_image import SourceImage
from desktop_editor.core.cmyk_tiff import PHOTOMETRIC_SEPARATED
from desktop_editor.core.tiff_tags import (BYTE, ICC_PROFILE, INK_SET, INK_SET_CMYK, PHOTOMETRIC, SHORT, UNDEFINED, XMP,
                                           with_tags)
from desktop_editor.core.xmp_embed import embed_png

DOCUMENT_FORMATS = ("png", "jpeg", "webp", "tiff", "heif", "avif")
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp", "tiff": "tif", "heif": "heic", "avif": "avif"}
_CV_TIFF_COMPRESSION = {"raw": 1, "tiff_lzw": 5, "tiff_adobe_deflate": 8, "tiff_deflate": 8, "packbits": 32773}
_ALPHA_FREE = {"RGBA": "RGB", "LA": "L"}


def _flatten_on_white(values: np.ndarray, space: ColourSpace) -> tuple[np.ndarray, ColourSpace]:
    """Values without alpha, composited onto white (JPEG has no transparency)."""
    top = 65535.0 if space.bits == 16 else 255.0
    colour = values[..., :-1] if space.mode == "RGBA" else values[..., 0]
    alpha = values[..., -1].astype(np.float32) / top
    if space.mode == "RGBA":
        alpha = alpha[..., None]
    flat = np.rint(colour * alpha + top * (1.0 - alpha)).astype(values.dtype)
    return flat, ColourSpace(_ALPHA_FREE[space.mode], space.bits, space.profile)


def _as_srgb(values: np.ndarray, space: ColourSpace) -> tuple[np.ndarray, ColourSpace]:
    """8-bit sRGB values for a format that cannot hold the document's mode (CMYK)."""
    image = to_srgb8(values, space)
    return np.asarray(image), ColourSpace(image.mode, 8, SRGB_BYTES)


def _pillow_image(values: np.ndarray, space: ColourSpace) -> Image.Image:
    eight = to_eight_bits(values)
    return Image.fromarray(np.ascontiguousarray(eight), space.mode)


def _options(source: SourceImage, space: ColourSpace, dpi) -> dict:
    options: dict = {}
    if space.profile:
        options["icc_profile"] = space.profile
    if dpi:
        options["dpi"] = tuple(dpi)
    if source.exif:
        options["exif"] = source.exif
    return options


def _png(values, space, source, dpi) -> bytes:
    if space.bits == 16 and space.mode == "LA":  # rare: Pillow and OpenCV write no 16-bit grey+alpha PNG
        values, space = _as_srgb(values, space)
    if space.bits == 16 and space.mode != "L":
        bgr = cv2.cvtColor(values, cv2.COLOR_RGBA2BGRA if values.shape[2] == 4 else cv2.COLOR_RGB2BGR)
        ok, encoded = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 3])
        if not ok:
            raise OSError("the 16-bit PNG could not be encoded")
        data = with_metadata(encoded.tobytes(), icc_profile=space.profile, dpi=dpi)
        if source.exif:
            data = with_png_exif(data, source.exif)
        return embed_png(data, source.xmp) if source.xmp else data
    image = Image.fromarray(values) if space.bits == 16 else _pillow_image(values, space)
    options = _options(source, space, dpi)
    if source.xmp:
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", source.xmp.decode("utf-8", "replace"))
        options["pnginfo"] = info
    return _save(image, "PNG", compress_level=3, **options)


def _tiff(values, space, source, dpi) -> bytes:
    compression = source.compression if source.kind == "TIFF" and source.compression else "tiff_adobe_deflate"
    tags = {ICC_PROFILE: (UNDEFINED, space.profile or b""), XMP: (BYTE, source.xmp or b"")}
    if space.bits == 8:  # EXIF goes in as a TIFF wants it (see `tiff_tags`), as for 16 bits
        resolution = {"dpi": tuple(dpi)} if dpi else {}
        data = _save(_pillow_image(values, space), "TIFF", compression=compression, **resolution)
        return with_tags(data, tags, exif=source.exif)
    if space.mode in ("RGB", "RGBA", "L", "CMYK"):
        # CMYK goes through OpenCV as four channels it takes for RGBA, then the file says
        # "separated" (see `cmyk_tiff`): the source's own compression, LZW included, is kept.
        bgr = values if values.ndim == 2 else cv2.cvtColor(
            values, cv2.COLOR_RGBA2BGRA if values.shape[2] == 4 else cv2.COLOR_RGB2BGR)
        if space.mode == "CMYK":
            tags[PHOTOMETRIC] = (SHORT, PHOTOMETRIC_SEPARATED)
            tags[INK_SET] = (SHORT, INK_SET_CMYK)
        params = [cv2.IMWRITE_TIFF_COMPRESSION, _CV_TIFF_COMPRESSION.get(compression, 8)]
        if dpi:
            params += [cv2.IMWRITE_TIFF_RESUNIT, 2, cv2.IMWRITE_TIFF_XDPI, round(dpi[0]),
                       cv2.IMWRITE_TIFF_YDPI, round(dpi[1])]
        ok, encoded = cv2.imencode(".tiff", bgr, params)
        if not ok:
            raise OSError("the 16-bit TIFF could not be encoded")
        return with_tags(encoded.tobytes(), tags, exif=source.exif)
    import tifffile

    buf = io.BytesIO()
    tifffile.imwrite(buf, values, photometric="minisblack", extrasamples=[2] if space.mode == "LA" else None,
                     compression="zlib",
                     resolution=(dpi[0], dpi[1]) if dpi else None, resolutionunit=2 if dpi else None)
    return with_tags(buf.getvalue(), tags, exif=source.exif)


def _save(image: Image.Image, pil_format: str, **options) -> bytes:
    buf = io.BytesIO()
    image.save(buf, pil_format, **options)
    return buf.getvalue()


def encode_document(values: np.ndarray, source: SourceImage, fmt: str, *,
                    dpi: tuple[float, float] | None = None, space: ColourSpace | None = None) -> bytes:
    """File bytes of the document values `values` (in `space`, the source's own by default) as `fmt`.

    Raises:
        ValueError: an unknown format.
        OSError: the encoder failed.
    """
    space = space or source.space
    if fmt not in DOCUMENT_FORMATS:
        raise ValueError(f"Unknown image format '{fmt}': use {', '.join(DOCUMENT_FORMATS)}.")
    if fmt in ("png", "webp", "heif", "avif") and space.colour_mode == "CMYK":
        values, space = _as_srgb(values, space)
    if fmt == "jpeg" and space.has_alpha:
        values, space = _flatten_on_white(values, space)
    if fmt == "png":
        return _png(values, space, source, dpi)
    if fmt == "tiff":
        return _tiff(values, space, source, dpi)
    if fmt in ("webp", "avif", "heif") and space.colour_mode == "L":
        values, space = _as_srgb(values, space)
    image = _pillow_image(values, space)
    options = _options(source, space, dpi)
    if source.xmp:
        options["xmp"] = source.xmp
    if fmt == "jpeg":
        return _save(image, "JPEG", quality=95, subsampling=0, **options)
    if fmt == "webp":
        return _save(image, "WEBP", quality=95, **options)
    if fmt == "avif":
        return _save(image, "AVIF", quality=90, **options)
    import pillow_heif

    if space.bits == 16 and space.mode in ("RGB", "RGBA"):  # HEIC holds 10 bits: more than 8 kept
        heif = pillow_heif.from_bytes(mode=f"{space.mode};16", size=(values.shape[1], values.shape[0]),
                                      data=np.ascontiguousarray(values).tobytes())
        heif.info.update({k: v for k, v in options.items() if k in ("icc_profile", "exif")}, xmp=source.xmp)
        buf = io.BytesIO()
        heif.save(buf, quality=90)
        return buf.getvalue()
    pillow_heif.register_heif_opener()
    return _save(image, "HEIF", quality=90, **options)
