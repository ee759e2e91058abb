"""What the results strip holds and the pixel work behind it: a result item, its thumbnail, its
clipboard copy, and the sentence a failed save becomes.

Everything here runs on worker threads or is plain data (no widgets), so it sits apart from the
strip that shows it: decoding a 24 MP result for a thumbnail or the clipboard must never be
the window's thread's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from desktop_editor.core.images import load_image
from desktop_editor.core.result_export import (
    ExportError,
    file_xmp,
    in_document_space,
    save_document_new,
    save_document_to,
    save_file_new,
    save_file_to,
    save_new,
    save_to,
    srgb_in_document,
)
from desktop_editor.core.source_image import SourceImage
from desktop_editor.ui.common.conversions import pil_from_qimage, qimage_from_pil
from desktop_editor.ui.common.job_bridge import load_thumbnail

__all__ = ["ResultItem", "clipboard_image", "make_thumbnail", "pil_of", "save_error_message", "thumbnail_key"]


@dataclass
class ResultItem:
    """One result image of a job, as the strip shows and saves it.

    `path` is the file the job already wrote (the paid result; the strip never deletes or
    rewrites it). `image` holds the pixels when they are in memory; without it they are read
    from `path` when needed. `icc_profile` and `dpi` are the original's, carried into saves.
    `document` is the original's own form (`SourceImage`): pixels in memory are 8-bit sRGB, and
    for a document whose values are not (16-bit, CMYK, another profile) they are saved
    converted into its profile, mode and depth, with its EXIF and XMP.
    """

    path: Path | None = None
    image: Image.Image | QImage | None = None
    icc_profile: bytes | None = None
    dpi: tuple[float, float] | None = None
    label: str = ""
    name: str | None = None  # file name stem for Save; default: the path's stem, else "result-N"
    saved_to: Path | None = None  # the file that keeps this result for the designer (auto-save or Save)
    group: str = ""  # results with the same group (a job) sit together under one caption
    group_label: str = ""
    document: SourceImage | None = None

    def saved_file(self) -> Path | None:
        """Where the result is saved, if that file is still there."""
        return self.saved_to if self.saved_to is not None and Path(self.saved_to).is_file() else None

    def suggested_stem(self, index: int) -> str:
        if self.name:
            return self.name
        if self.path is not None:
            return Path(self.path).stem
        return f"result-{index + 1}"


def pil_of(item: ResultItem) -> Image.Image:
    """The item's pixels as a Pillow image (worker thread)."""
    if isinstance(item.image, Image.Image):
        return item.image
    if isinstance(item.image, QImage) and not item.image.isNull():
        return pil_from_qimage(item.image)
    if item.path is None:
        raise ValueError("this result has neither pixels nor a file")
    return load_image(item.path).image


def save_item_new(item: ResultItem, folder: Path, stem: str, fmt: str) -> Path:
    """Save `item` into `folder` under a new name (worker thread). A result on disk is written
    from its file, in its own profile, mode and depth (a 16-bit ProPhoto TIFF stays one as PNG);
    pixels in memory are converted into the document's space where it has its own
    (`ResultItem.document`), else saved as the display's with the original's profile."""
    if item.image is None and item.path is not None:
        return save_file_new(item.path, folder, stem, fmt, icc_profile=item.icc_profile, dpi=item.dpi)
    if in_document_space(item.document):
        return save_document_new(srgb_in_document(pil_of(item), item.document), item.document, folder, stem, fmt,
                                 dpi=item.dpi, xmp=file_xmp(item.path))
    return save_new(pil_of(item), folder, stem, fmt, icc_profile=item.icc_profile, dpi=item.dpi, xmp=file_xmp(item.path))


def save_item_to(item: ResultItem, target: Path, quality: int) -> Path:
    """Save `item` to exactly `target` (worker thread), like `save_item_new`."""
    if item.image is None and item.path is not None:
        return save_file_to(item.path, target, quality=quality, icc_profile=item.icc_profile, dpi=item.dpi)
    if in_document_space(item.document):
        return save_document_to(srgb_in_document(pil_of(item), item.document), item.document, target,
                                dpi=item.dpi, xmp=file_xmp(item.path))
    return save_to(pil_of(item), target, icc_profile=item.icc_profile, dpi=item.dpi, quality=quality,
                   xmp=file_xmp(item.path))


def clipboard_image(item: ResultItem) -> QImage:
    """A full-size QImage that owns its pixels, for the clipboard (worker thread)."""
    return qimage_from_pil(pil_of(item))


def make_thumbnail(item: ResultItem, size: QSize) -> QImage:
    """A small display copy (worker thread), made by Pillow so the GUI thread keeps running.

    A result on disk only is read at a reduced size (a JPEG decodes at 1/8 of a 24 MP frame);
    one in memory is resized into a new small image, never copied whole first. Either way the
    tile's thumbnail costs a fraction of what the result shown beside it does.
    """
    if item.image is None and item.path is not None:
        image = load_thumbnail(item.path, max(size.width(), size.height()))
        if image.isNull():
            load_image(item.path)  # raises the reader's own words for what is wrong with the file
            raise ValueError(f"{Path(item.path).name} has no preview")
        return image
    image = pil_of(item)
    width, height = image.size
    scale = min(size.width() / width, size.height() / height, 1.0)
    small = image.resize((max(1, round(width * scale)), max(1, round(height * scale))),
                         Image.Resampling.BILINEAR, reducing_gap=2.0)
    return qimage_from_pil(small)


def thumbnail_key(item: ResultItem) -> object:
    """What identifies a result's pixels: its file (results are never rewritten), else the image."""
    return ("file", str(item.path)) if item.path is not None else ("image", id(item.image))


def save_error_message(exc: BaseException, where: str) -> str:
    """A failed save in words for the designer, saying the result is kept."""
    if isinstance(exc, ExportError):
        return str(exc)
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        return f"Could not save the result to {where}: {reason}. The result is still here; try Save As… to choose another folder."
    return f"Could not save the result to {where} ({type(exc).__name__}: {exc}). The result is still here."
