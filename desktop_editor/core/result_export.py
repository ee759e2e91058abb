"""Saving a chosen result where the designer asks, in the format they ask, with the original's metadata.

A result is the expensive part of the work (a paid call), so saving never replaces a file
unless the designer picked that exact path in a Save As dialog (which asked them), and the
original's colour profile and resolution go into every saved file, so a print workflow sees
the same colours and size as in the original. An image made from a document whose values are
not 8-bit sRGB (a mix, a result held in memory) is saved in the document's own profile, mode
and depth (`in_document_space`), like the results its jobs save.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from desktop_editor.core.colour import from_srgb8, to_sixteen_bits
from desktop_editor.core.document_export import DOCUMENT_FORMATS, encode_document
from desktop_editor.core.document_export import EXTENSIONS as DOCUMENT_EXTENSIONS
from desktop_editor.core.export import EXTENSIONS, FORMAT_NAMES, encode_image, save_format
from desktop_editor.core.filenames import replace_file, safe_filename, write_new_file
from desktop_editor.core.images import LoadedImage, load_image
from desktop_editor.core.provenance import combined, xmp_packet
from desktop_editor.core.source_image import SourceImage
from desktop_editor.core.xmp_embed import embed

SAVE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")
DOCUMENT_SUFFIXES = {"tif": "tiff", "tiff": "tiff", "heic": "heif", "heif": "heif", "avif": "avif"}


class ExportError(ValueError):
    """A save request that cannot be carried out as asked; str() is a sentence for the designer."""


def format_for_path(path: str | Path, *, document: bool = False) -> str:
    """'png', 'jpeg' or 'webp' from a file name's extension; with `document` (an image saved in
    its document's own space, `encode_document`) also 'tiff', 'heif' and 'avif'.

    Raises:
        ExportError: no extension, or one we do not write.
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if document and suffix in DOCUMENT_SUFFIXES:
        return DOCUMENT_SUFFIXES[suffix]
    if suffix not in FORMAT_NAMES:
        shown = f".{suffix}" if suffix else "no extension"
        kinds = ".png, .jpg, .webp, .tif, .heic or .avif" if document else ".png, .jpg or .webp"
        raise ExportError(f"{Path(path).name} has {shown}; save as {kinds}.")
    return "jpeg" if suffix in ("jpg", "jpeg") else suffix


def file_name(stem: str, fmt: str) -> str:
    """A safe file name for `stem` in format `fmt` (e.g. 'photo-edit-1.png', 'scan-mix.tif')."""
    key = fmt.lower()
    return f"{safe_filename(stem, default='result')}.{EXTENSIONS.get(key) or DOCUMENT_EXTENSIONS[key]}"


def in_document_space(source: SourceImage | None) -> bool:
    """Whether an image made from `source`'s document (a mix, a result in memory) is saved in
    the document's own values: they are not 8-bit sRGB, or its kind (TIFF, HEIC, ...) is one
    only `encode_document` writes. Plain 8-bit sRGB PNG, JPEG and WebP are saved as before."""
    return source is not None and (source.converted or source.save_kind not in EXTENSIONS)


def document_format(choice: str, source: SourceImage) -> str:
    """The format such an image is saved in for the "Save results" choice: like the original
    (a 16-bit TIFF a 16-bit TIFF, a CMYK JPEG a CMYK JPEG; also for "service", as a mix or a
    result in memory has no format of the model's), or always PNG / JPEG."""
    return save_format("source" if choice == "service" else choice, source_format=source.kind,
                       has_alpha=source.space.has_alpha, source_kind=source.save_kind)


def encode_in_document(values: np.ndarray, source: SourceImage, fmt: str, *,
                       dpi: tuple[float, float] | None = None, xmp: bytes | None = None) -> bytes:
    """`encode_document` of values in `source`'s space, carrying `xmp` (a provenance packet
    merged into the original's) or else the original's own XMP, and the original's EXIF."""
    if fmt not in DOCUMENT_FORMATS:
        raise ExportError(f"Unknown image format '{fmt}'.")
    return encode_document(values, replace(source, xmp=xmp or source.xmp), fmt, dpi=dpi)


def save_new(
    image: Image.Image,
    folder: str | Path,
    stem: str,
    fmt: str = "png",
    *,
    icc_profile: bytes | None = None,
    dpi: tuple[float, float] | None = None,
    xmp: bytes | None = None,
) -> Path:
    """Write `image` into `folder` under a name that does not exist yet ('x.png', 'x-2.png', ...).

    `xmp` (a provenance packet, `core.provenance`) goes into the file when given.

    Raises:
        OSError: the folder cannot be created or written.
        ValueError: unknown format.
    """
    data = with_xmp(encode_image(image, fmt, icc_profile=icc_profile, dpi=dpi), xmp)
    return write_new_file(Path(folder), file_name(stem, fmt), data)


def save_to(
    image: Image.Image,
    path: str | Path,
    *,
    icc_profile: bytes | None = None,
    dpi: tuple[float, float] | None = None,
    quality: int = 95,
    xmp: bytes | None = None,
) -> Path:
    """Write `image` to exactly `path` (the designer chose it and confirmed any overwrite), atomically.

    `quality` is for JPEG and WebP (100 = lossless WebP); PNG is always lossless.

    Raises:
        ExportError: the extension is not png/jpg/jpeg/webp.
        OSError: the folder cannot be written.
    """
    fmt = format_for_path(path)
    data = encode_image(image, fmt, icc_profile=icc_profile, dpi=dpi, quality=quality)
    return replace_file(Path(path), with_xmp(data, xmp))


def srgb_in_document(image: Image.Image, source: SourceImage) -> np.ndarray:
    """An 8-bit sRGB picture (a result held in memory) as values of `source`'s document: its
    profile, colour mode and depth; its own alpha where the document has alpha (else opaque)."""
    values = from_srgb8(image, source.space)
    if not source.space.has_alpha:
        return values
    alpha = np.asarray(image.getchannel("A")) if image.mode == "RGBA" else np.full(image.size[::-1], 255, np.uint8)
    alpha = to_sixteen_bits(alpha) if source.space.bits == 16 else alpha
    return np.concatenate([values if values.ndim == 3 else values[..., None], alpha[..., None]], axis=-1)


def save_document_new(values: np.ndarray, source: SourceImage, folder: str | Path, stem: str, fmt: str, *,
                      dpi: tuple[float, float] | None = None, xmp: bytes | None = None) -> Path:
    """`save_new` for values in `source`'s document space (`encode_in_document`)."""
    data = encode_in_document(values, source, fmt, dpi=dpi, xmp=xmp)
    return write_new_file(Path(folder), file_name(stem, fmt), data)


def save_document_to(values: np.ndarray, source: SourceImage, path: str | Path, *,
                     dpi: tuple[float, float] | None = None, xmp: bytes | None = None) -> Path:
    """`save_to` for values in `source`'s document space, in the format of `path`'s extension.

    Raises:
        ExportError: an extension that is not written.
        OSError: the folder cannot be written.
    """
    fmt = format_for_path(path, document=True)
    return replace_file(Path(path), encode_in_document(values, source, fmt, dpi=dpi, xmp=xmp))


def encode_loaded(loaded: LoadedImage, fmt: str, *, quality: int = 95, icc_profile: bytes | None = None,
                  dpi: tuple[float, float] | None = None) -> bytes:
    """A result file opened with `load_image`, as `fmt`, in its own colour space and depth.

    A result saved by a job is already in the document's profile, mode and depth; saving it
    again (Save As from the results strip) keeps them, rather than writing the sRGB display
    copy under the document's profile. An image whose values are the display's is encoded as
    before, with its own profile and resolution, or `icc_profile` and `dpi` where the file has
    none (the original's, which its display values are in).
    """
    source = loaded.source
    if source is not None and source.converted:
        return encode_document(source.pixels, source, fmt, dpi=loaded.dpi or dpi)
    return encode_image(loaded.image, fmt, icc_profile=loaded.icc_profile or icc_profile, dpi=loaded.dpi or dpi,
                        quality=quality)


def save_file_new(path: str | Path, folder: str | Path, stem: str, fmt: str = "png", *,
                  icc_profile: bytes | None = None, dpi: tuple[float, float] | None = None) -> Path:
    """`save_new` for a result on disk: read from `path` and written in its own colour space
    (`encode_loaded`; `icc_profile` and `dpi` where the file has none), keeping the provenance
    packet the file carries."""
    data = encode_loaded(load_image(path), fmt, icc_profile=icc_profile, dpi=dpi)
    return write_new_file(Path(folder), file_name(stem, fmt), with_xmp(data, file_xmp(path)))


def save_file_to(path: str | Path, target: str | Path, *, quality: int = 95, icc_profile: bytes | None = None,
                 dpi: tuple[float, float] | None = None) -> Path:
    """`save_to` for a result on disk: read from `path` and written to `target` in its own space.

    Raises:
        ExportError: the extension is not png/jpg/jpeg/webp.
        ImageLoadError: the result file cannot be read any more.
        OSError: the folder cannot be written.
    """
    fmt = format_for_path(target)
    data = encode_loaded(load_image(path), fmt, quality=quality, icc_profile=icc_profile, dpi=dpi)
    return replace_file(Path(target), with_xmp(data, file_xmp(path)))


def with_xmp(data: bytes, xmp: bytes | None) -> bytes:
    """`data` carrying `xmp` when given (PNG, JPEG and WebP all take it)."""
    return embed(data, xmp) if xmp else data


def file_xmp(path: str | Path | None) -> bytes | None:
    """The XMP packet a saved file carries (a result's provenance, to keep it in a copy), or None."""
    if path is None:
        return None
    try:
        with Image.open(path) as img:
            packet = img.info.get("xmp")
    except (OSError, ValueError):
        return None
    return packet.encode("utf-8") if isinstance(packet, str) else packet


def mix_xmp(paths: list[Path], source_xmp: bytes | str | None = None) -> bytes | None:
    """The provenance packet of an image mixed from the saved results at `paths` (their own
    packets combined, merged into the original's XMP); None when none of them carried one."""
    provenance = combined([file_xmp(path) for path in paths])
    return xmp_packet(provenance, existing=source_xmp) if provenance is not None else None
