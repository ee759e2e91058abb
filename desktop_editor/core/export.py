"""Encoding images for saving, keeping what a print workflow needs (ICC profile, resolution)."""

from __future__ import annotations

import io
import tempfile

from PIL import Image

FORMAT_NAMES = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "webp": "WEBP"}
EXTENSIONS = {"png": "png", "jpeg": "jpg", "jpg": "jpg", "webp": "webp"}

# How a composited result is saved into the output folder: like its source (default), in the
# format asked of the service, or always PNG / JPEG.
SAVE_FORMATS = ("source", "service", "png", "jpeg")
SAVE_FORMAT_LABELS = {
    "source": "Like the original (JPEG stays JPEG)",
    "service": "The format asked of the model",
    "png": "Always PNG",
    "jpeg": "Always JPEG",
}


def save_format(choice: str, *, source_format: str | None, has_alpha: bool, service_format: str = "png",
                source_kind: str | None = None) -> str:
    """'png', 'jpeg' or 'webp' (or the source's own kind) for a result that is re-encoded.

    `source_kind`, when given, is the format a file of the source's kind is saved as
    (`SourceImage.save_kind`: 'tiff' for a TIFF or a PSD, 'heif', 'avif', ...), which "source"
    then follows; JPEG still gives way to PNG for an image with transparency.

    "source" follows the original: a JPEG photo stays a JPEG (quality 95, full-resolution
    colour, so a 24 MP photo is about 10 MB rather than a 30 MB PNG); anything with
    transparency, a PNG or another format is written as PNG, which loses nothing. JPEG cannot
    hold transparency, so an image with alpha is PNG whatever the choice, except "service"
    (the model's own output format, the app's behaviour before this setting).
    """
    if choice == "source" and source_kind and source_kind != "jpeg":
        return source_kind
    if choice == "service":
        return service_format.lower() if service_format.lower() in FORMAT_NAMES else "png"
    if has_alpha:
        return "png"
    if choice == "jpeg":
        return "jpeg"
    if choice == "png":
        return "png"
    return "jpeg" if (source_format or "").upper() in ("JPEG", "MPO") else "png"


def encode_image(
    img: Image.Image,
    fmt: str = "png",
    *,
    icc_profile: bytes | None = None,
    dpi: tuple[float, float] | None = None,
    quality: int = 95,
) -> bytes:
    """Bytes of `img` in png/jpeg/webp; the colour profile and DPI of the original are carried over.

    JPEG has no alpha: a transparent image is flattened onto white rather than onto black.
    """
    key = fmt.lower()
    if key not in FORMAT_NAMES:
        raise ValueError(f"Unknown image format '{fmt}': use png, jpeg or webp.")
    pil_format = FORMAT_NAMES[key]
    if pil_format == "JPEG" and img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba)  # its alpha is the mask (getchannel would hold the GIL)
        img = flat
    options: dict = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if dpi:
        options["dpi"] = tuple(dpi)
    if pil_format == "JPEG":
        options.update(quality=quality, subsampling=0 if quality >= 90 else 2)
    elif pil_format == "WEBP":
        options.update(lossless=True) if quality >= 100 else options.update(quality=quality)
    elif pil_format == "PNG":
        options.update(compress_level=3)  # within a few % of 6's size, about twice as fast
    # Through an unnamed temporary file, not a BytesIO: with a real file descriptor Pillow's
    # encoder writes in one C loop that lets other threads run (a 24 MP JPEG holds the GIL at most
    # ~2.5 ms at a stretch instead of ~8.5 ms), so the window is not kept waiting while a result
    # is encoded on a worker.
    try:
        with tempfile.TemporaryFile() as file:
            img.save(file, pil_format, **options)
            file.seek(0)
            return file.read()
    except OSError:  # no room for a temporary file: encode in memory, as before
        buf = io.BytesIO()
        img.save(buf, pil_format, **options)
        return buf.getvalue()
