"""Writing a layer stack as OpenRaster (.ora), the open layered format of Krita, GIMP and MyPaint.

An .ora file is a zip: `mimetype` first and uncompressed (so the file identifies itself),
`stack.xml` listing the layers top first, one PNG per layer, `mergedimage.png` (the flat image,
for programs that do not read layers) and `Thumbnails/thumbnail.png` (at most 256 px).

OpenRaster has no layer masks: each mask goes into its layer's alpha (the designer can still
erase, though no longer paint the edit back). Every layer PNG carries the document's ICC profile
(what untagged means when the document has none, `profiles.default_profile`): Krita stops to ask for a profile on 16-bit PNGs without
one. RGB PNGs are encoded with OpenCV (Pillow has no 16-bit RGB mode) and tagged afterwards; a
grey document's layers are grey + alpha PNGs, so a grey profile describes them.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

import cv2
import numpy as np
from PIL import Image

from desktop_editor.core.file_metadata import with_metadata
from desktop_editor.core.layered.profiles import default_profile
from desktop_editor.core.layered.stack import Layer, LayerStack, colour_of, flatten
from desktop_editor.core.layered.writing import write_atomically
from desktop_editor.core.xmp_embed import embed_png

MIMETYPE = b"image/openraster"
THUMBNAIL_SIDE = 256


def with_alpha(pixels: np.ndarray, alpha: np.ndarray | None, channels: int) -> np.ndarray:
    """(h, w, channels + 1) at the pixels' depth: grey + alpha or RGBA, `alpha` or opaque."""
    peak = np.iinfo(pixels.dtype).max
    colour = colour_of(Layer("", pixels), channels)
    if alpha is None:
        alpha = np.full(colour.shape[:2], peak, pixels.dtype)
    return np.ascontiguousarray(np.dstack([colour, alpha]))


def layer_pixels(layer: Layer, channels: int) -> np.ndarray:
    """The layer with alpha (grey + alpha or RGBA), its mask multiplied into the alpha (ORA has
    no masks)."""
    pixels = layer.pixels if layer.pixels.ndim == 3 else layer.pixels[..., None]
    peak = int(np.iinfo(pixels.dtype).max)
    alpha = pixels[..., channels] if pixels.shape[2] == channels + 1 else None
    if layer.mask is not None:
        mask = layer.mask.astype(np.uint32) * (257 if peak == 65535 else 1)
        own = np.full(mask.shape, peak, np.uint32) if alpha is None else alpha.astype(np.uint32)
        alpha = ((own * mask + peak // 2) // peak).astype(pixels.dtype)
    return with_alpha(pixels, alpha, channels)


def encode_png(pixels: np.ndarray, icc_profile: bytes | None) -> bytes:
    """PNG bytes of an (h, w, 4) RGBA or (h, w, 2) grey + alpha uint8/uint16 array, tagged with
    `icc_profile` (a grey profile belongs in a grey PNG: an RGB PNG with one is invalid)."""
    if pixels.shape[2] == 2:
        data = grey_alpha_png(pixels)
    else:
        ok, encoded = cv2.imencode(".png", cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGRA), [cv2.IMWRITE_PNG_COMPRESSION, 3])
        if not ok:
            raise ValueError("the PNG encoder refused the layer")
        data = encoded.tobytes()
    return with_metadata(data, icc_profile=icc_profile)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def grey_alpha_png(pixels: np.ndarray) -> bytes:
    """A grey + alpha PNG (colour type 4), 8 or 16 bits: neither OpenCV nor Pillow (at 16 bits)
    writes one. Rows use the "Up" filter, computed with numpy, then zlib."""
    height, width = pixels.shape[:2]
    depth = 16 if pixels.dtype == np.uint16 else 8
    rows = np.ascontiguousarray(pixels.astype(">u2") if depth == 16 else pixels).view(np.uint8).reshape(height, -1)
    up = rows.copy()
    up[1:] -= rows[:-1]  # uint8 wraps, as the filter is defined modulo 256
    raw = np.hstack([np.full((height, 1), 2, np.uint8), up])
    header = struct.pack(">IIBBBBB", width, height, depth, 4, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
            + _chunk(b"IEND", b""))


def thumbnail_png(merged: np.ndarray, icc_profile: bytes | None) -> bytes:
    """An 8-bit thumbnail (RGBA, or grey + alpha), at most THUMBNAIL_SIDE px a side."""
    eight = merged if merged.dtype == np.uint8 else (merged >> 8).astype(np.uint8)
    image = Image.fromarray(np.ascontiguousarray(eight), "RGBA" if eight.shape[2] == 4 else "LA")
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return encode_png(np.asarray(image), icc_profile)


def stack_xml(stack: LayerStack, sources: list[str]) -> bytes:
    """stack.xml: the layers top first, each with its PNG and position."""
    image = ET.Element("image", {"version": "0.0.3", "w": str(stack.width), "h": str(stack.height),
                                 "xres": "72", "yres": "72"})
    root = ET.SubElement(image, "stack")
    for layer, src in reversed(list(zip(stack.layers, sources, strict=True))):
        left, top = layer.offset
        ET.SubElement(root, "layer", {"name": layer.name, "src": src, "x": str(left), "y": str(top),
                                      "opacity": "1.0", "visibility": "visible", "composite-op": "svg:src-over"})
    return ET.tostring(image, encoding="UTF-8", xml_declaration=True)


def write_archive(stack: LayerStack, handle: IO[bytes], *, xmp: bytes | None = None,
                  merged: np.ndarray | None = None) -> None:
    """The whole .ora into an open binary file."""
    stack.validate()
    profile = stack.icc_profile or default_profile(stack.mode)
    flat = flatten(stack) if merged is None else merged
    flat = flat if flat.ndim == 3 else flat[..., None]
    alpha = flat[..., stack.channels] if flat.shape[2] == stack.channels + 1 else None
    merged_pixels = with_alpha(flat[..., : stack.channels], alpha, stack.channels)
    sources = [f"data/layer{index}.png" for index in range(len(stack.layers))]
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("stack.xml", stack_xml(stack, sources))
        for layer, src in zip(stack.layers, sources, strict=True):
            # PNG is compressed already: storing it again deflated costs time for nothing.
            archive.writestr(src, encode_png(layer_pixels(layer, stack.channels), profile), compress_type=zipfile.ZIP_STORED)
        merged_png = encode_png(merged_pixels, profile)
        archive.writestr("mergedimage.png", embed_png(merged_png, xmp) if xmp else merged_png,
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("Thumbnails/thumbnail.png", thumbnail_png(merged_pixels, profile), compress_type=zipfile.ZIP_STORED)


def write_ora(stack: LayerStack, path: str | Path, *, xmp: bytes | None = None,
              merged: np.ndarray | None = None) -> Path:
    """Write the stack to `path` as OpenRaster, atomically.

    Raises:
        LayeredFileError: the stack is not writable or the file could not be saved, with a sentence.
    """
    return write_atomically(Path(path), lambda handle: write_archive(stack, handle, xmp=xmp, merged=merged))
