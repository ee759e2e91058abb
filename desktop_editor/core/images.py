"""Opening image files safely and normalising them for editing.

A designer's files come from cameras, print workflows and the web: EXIF-rotated JPEGs, CMYK,
16-bit PNGs, palettes with transparency. They are all brought to 8-bit RGB or RGBA with the
orientation applied to the pixels, and anything unreadable raises ImageLoadError with a
sentence that says what is wrong, never a Pillow traceback.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from desktop_editor.core.pixels import band

# Beyond this many pixels a file is refused before decoding: a decompression bomb or a scan far
# larger than anything the model takes (8K is 33 MP; this allows ~18000x10000).
MAX_LOAD_PIXELS = 180_000_000

_SENDABLE = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
OPEN_FILTER_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif")


_DECODED_INTO_NEW = ("JPEG", "PNG")  # formats whose decoders write every pixel of the image they are given


def decode_pixels(img: Image.Image) -> None:
    """`img.load()`, giving the decoder memory allocated without the GIL held.

    Pillow's loader asks for zeroed memory and zeroes it holding the GIL: 13-30 ms for a 24 MP
    photo, measured on a worker while the window's thread waited for the GIL. A new image from
    `Image.new` is filled with the GIL released, and the JPEG and PNG decoders overwrite every
    pixel of it anyway.
    """
    if img.format in _DECODED_INTO_NEW and img.tile and getattr(img, "_im", True) is None:
        img.im = Image.new(img.mode, img.size).im
    img.load()


def damaged_message(name: str, exc: BaseException) -> str:
    """A sentence for a file the decoder gave up on, without the decoder's jargon
    ("image file is truncated (7 bytes not processed)" says nothing to a designer)."""
    detail = str(exc).lower()
    if isinstance(exc, EOFError) or "truncated" in detail or "not processed" in detail or "unexpected end" in detail:
        return (f"{name} is incomplete: the file is cut off (a download or copy that did not finish?). "
                "Copy it again and open the new copy.")
    return f"{name} is damaged and cannot be opened ({exc})."


class ImageLoadError(Exception):
    """An image that cannot be used; str() is a sentence for the designer."""


@dataclass
class LoadedImage:
    """An image ready for editing plus what must survive a save (colour profile, resolution)."""

    image: Image.Image  # mode "RGB" or "RGBA", orientation applied
    path: Path | None = None
    source_format: str | None = None
    icc_profile: bytes | None = None
    dpi: tuple[float, float] | None = None
    info: dict = field(default_factory=dict)
    # The file's own bytes when its pixels need no conversion (no rotation, CMYK, 16-bit or
    # palette) and it carries no metadata: sent as they are, far smaller than a re-encoded PNG.
    pristine_bytes: bytes | None = field(default=None, repr=False)
    mime_type: str | None = None
    # SHA-256 of the bytes the image was decoded from: a job's snapshot of an unchanged file is a
    # copy of those bytes (`unchanged_file_bytes`), not a slow re-encode of 24 MP of pixels.
    digest: str | None = field(default=None, repr=False)

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    @property
    def has_alpha(self) -> bool:
        return self.image.mode == "RGBA"


def load_image(source: str | Path | bytes, *, max_pixels: int = MAX_LOAD_PIXELS) -> LoadedImage:
    """Open, verify and normalise an image from a path or bytes.

    Raises:
        ImageLoadError: empty, missing, not an image, truncated/corrupt, or too large.
    """
    path = None if isinstance(source, bytes) else Path(source)
    name = path.name if path else "The pasted data"
    if path is not None:
        if not path.exists():
            raise ImageLoadError(f"{name}: the file does not exist.")
        if path.is_dir():
            raise ImageLoadError(f"{name} is a folder, not an image.")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImageLoadError(f"{name} could not be read: {exc.strerror or exc}.") from exc
    else:
        data = source
    if not data:
        raise ImageLoadError(f"{name} is empty (0 bytes).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            width, height = img.size
            if width * height > max_pixels:
                raise ImageLoadError(
                    f"{name} is {width}x{height} ({width * height / 1e6:.0f} megapixels); "
                    f"the limit is {max_pixels / 1e6:.0f} megapixels."
                )
            fmt = img.format
            raw_mode = img.mode
            orientation = img.getexif().get(0x0112, 1)
            has_metadata = bool(img.info.get("exif") or img.info.get("xmp") or img.info.get("XML:com.adobe.xmp"))
            icc = img.info.get("icc_profile")
            dpi = img.info.get("dpi")
            if getattr(img, "n_frames", 1) > 1:
                img.seek(0)
            decode_pixels(img)
    except ImageLoadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageLoadError(f"{name} is too large to open safely ({exc}).") from exc
    except UnidentifiedImageError as exc:
        raise ImageLoadError(f"{name} is not an image Desktop Editor can read (PNG, JPEG, WebP, TIFF, BMP or GIF).") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageLoadError(damaged_message(name, exc)) from exc
    try:
        normalised = normalise(img)
    except (OSError, ValueError) as exc:
        raise ImageLoadError(f"{name} uses a pixel format that cannot be converted ({exc}).") from exc
    if fmt == "JPEG" and img.mode == "CMYK":
        icc = None  # the profile described CMYK pixels; after conversion it would be wrong
    # Camera metadata (GPS, serial numbers) is never sent along: such files are re-encoded.
    pristine = fmt in _SENDABLE and raw_mode in ("RGB", "RGBA", "L") and orientation in (None, 1) and not has_metadata
    return LoadedImage(
        image=normalised,
        path=path,
        source_format=fmt,
        icc_profile=icc,
        dpi=tuple(float(v) for v in dpi) if dpi else None,
        pristine_bytes=data if pristine else None,
        mime_type=_SENDABLE.get(fmt or ""),
        digest=hashlib.sha256(data).hexdigest(),  # hashlib releases the GIL: ~10 ms per 4 MB
    )


def unchanged_file_bytes(loaded: LoadedImage) -> bytes | None:
    """The bytes of the file `loaded` was opened from, if it still holds exactly what was decoded.

    The pixels of `loaded` are then what decoding these bytes gives, so they can stand for the
    image (a job's snapshot) without encoding the pixels again; None when the image did not come
    from a file, or the file has changed or gone since.
    """
    if loaded.path is None or loaded.digest is None:
        return None
    try:
        data = loaded.path.read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == loaded.digest else None


def normalise(img: Image.Image) -> Image.Image:
    """Orientation applied; 8-bit RGB, or RGBA when the image has any transparency.

    An image that needs no change comes back as it is, not copied: `exif_transpose` copies
    even when there is nothing to turn, which is 0.2 s and 180 MB more for a 45 MP photo.
    """
    if img.getexif().get(0x0112, 1) not in (None, 1):
        img = ImageOps.exif_transpose(img) or img
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(img, dtype=np.uint32 if mode == "I" else np.uint16)
        top = 65535 if mode != "I" or arr.max(initial=0) > 255 else 255
        img = Image.fromarray((arr.astype(np.float64) * 255.0 / top).round().astype(np.uint8), "L")
        mode = "L"
    elif mode == "F":
        arr = np.asarray(img, dtype=np.float32)
        img = Image.fromarray(np.clip(arr * (255.0 if arr.max(initial=0) <= 1 else 1), 0, 255).astype(np.uint8), "L")
        mode = "L"
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif mode in ("LA", "La", "PA", "RGBa"):
        img = img.convert("RGBA")
    elif mode == "RGBA":
        pass
    elif mode != "RGB":
        img = img.convert("RGB")
    if img.mode == "RGBA" and band(img, "A").min() == 255:
        img = img.convert("RGB")
    return img


def encode_png(img: Image.Image, *, compress_level: int = 1) -> bytes:
    """PNG bytes, fast by default: uploads favour speed over a few percent of size."""
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=compress_level)
    return buf.getvalue()


def decode_result(data: bytes) -> Image.Image:
    """A result image from the service, normalised the same way as an opened file."""
    return load_image(data).image
