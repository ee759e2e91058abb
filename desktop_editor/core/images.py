"""Opening image files safely: a display copy for editing, and the document's own values.

A designer's files come from cameras, print workflows and the web: EXIF-rotated JPEGs, iPhone
HEIC in Display P3, 16-bit ProPhoto TIFF, CMYK print files, Photoshop documents, palettes with
transparency. Each opens as an 8-bit sRGB RGB or RGBA display copy (converted through its
profile, orientation applied), which is drawn, masked and sent, plus a `SourceImage` with the
values at their own depth, mode and profile, which results are composited into and saved as.
Anything unreadable raises ImageLoadError with a sentence that says what is wrong and, for
kinds we do not read, what to export instead; never a decoder's traceback.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from desktop_editor.core.colour import SRGB_BYTES, space_note, to_srgb8
from desktop_editor.core.held_pixels import HeldPixels
from desktop_editor.core.image_formats import Decoded, UnsupportedFileError, decode, looks_cut_off, sniff
from desktop_editor.core.image_limits import ImageTooLargeError, lift_pillow_bomb_limit
from desktop_editor.core.pixels import band
from desktop_editor.core.source_image import SourceImage

_SENDABLE = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
OPEN_FILTER_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".heic", ".heif", ".hif", ".avif",
                          ".psd", ".psb", ".bmp", ".gif")
READABLE = "JPEG, PNG, WebP, TIFF, HEIC/HEIF, AVIF, PSD/PSB, BMP and GIF"

_HASHING = ThreadPoolExecutor(2, thread_name_prefix="file-digest")

lift_pillow_bomb_limit()  # `image_limits.check_size` judges every file against this machine's memory


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
    """An image ready for editing plus what must survive a save (colour profile, resolution).

    `image` is mode "RGB" or "RGBA", 8-bit sRGB, orientation applied: shown, masked, sent. The
    window may let it go once its display copy holds the same values (`let_go_pixels`); `image`
    then makes it again on the thread that asks (a worker's), and `size`, `mode`, `has_alpha`
    and `holds` answer without making it.
    """

    image: Image.Image = field(repr=False, compare=False)  # a property over `_pixels`: see below
    path: Path | None = None
    source_format: str | None = None
    icc_profile: bytes | None = None  # the profile of `image`'s values (sRGB when converted)
    dpi: tuple[float, float] | None = None
    info: dict = field(default_factory=dict)
    # The file's own bytes when its pixels need no conversion (no rotation, CMYK, 16-bit or
    # palette) and it carries no metadata: sent as they are, far smaller than a re-encoded PNG.
    pristine_bytes: bytes | None = field(default=None, repr=False)
    mime_type: str | None = None
    # SHA-256 of the bytes the image was decoded from: a job's snapshot of an unchanged file is a
    # copy of those bytes (`unchanged_file_bytes`), not a slow re-encode of 24 MP of pixels.
    digest: str | None = field(default=None, repr=False)

    # The document's own values, colour space and file kind (None: a pasted image, whose display
    # copy is all there is).
    source: SourceImage | None = field(default=None, repr=False)
    # What the designer should know about how the file was read (an unusable profile set aside,
    # CMYK shown through the standard profile), or None.
    note: str | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self._pixels.size

    @property
    def mode(self) -> str:
        """The display copy's mode ("RGB" or "RGBA")."""
        return self._pixels.mode

    @property
    def has_alpha(self) -> bool:
        return self._pixels.mode == "RGBA"

    @property
    def pixels_held(self) -> bool:
        """Whether the display copy is held here (not let go to the window's copy)."""
        return self._pixels.held

    @property
    def pixels_key(self) -> object:
        """Stands for the display copy's values: the same object until `image` is set to another
        picture (letting it go and making it again keeps it), for caches of what is made from it."""
        return self._pixels

    def holds(self, image: object) -> bool:
        """Whether `image` is this image's display copy (the one held, or one made again and
        still in use), told without making one."""
        return self._pixels.holds(image)

    def let_go_pixels(self, rebuild: Callable[[], Image.Image],
                      scale: Callable[[tuple[int, int]], Image.Image] | None = None) -> Image.Image | None:
        """Stop holding the display copy: `rebuild` makes it again, value for value, when asked
        (and `scale` at a smaller size, without a full-size copy: `scaled`). Returns the image
        let go (free it off the window's thread), None if already let go."""
        return self._pixels.let_go(rebuild, scale)

    def scaled(self, size: tuple[int, int]) -> Image.Image | None:
        """The display copy scaled to `size` (LANCZOS) without making it at full size, when it is
        let go and can be; None when it is held or in use (then scale `image`)."""
        return self._pixels.scaled(size)

    def held_bytes(self) -> int:
        """The memory the display copy holds here now (0 once let go and not in use)."""
        return self._pixels.held_bytes()


def _image(loaded: LoadedImage) -> Image.Image:
    return loaded._pixels.get()


def _set_image(loaded: LoadedImage, image: Image.Image) -> None:
    loaded._pixels = HeldPixels(image)


# Set after the class is made, so the dataclass keeps `image` as its first field (`LoadedImage(
# image=...)`) and its generated __init__ stores it through the setter.
LoadedImage.image = property(_image, _set_image, doc="The display copy (made again on demand once let go).")


def load_image(source: str | Path | bytes, *, memory: int | None = None) -> LoadedImage:
    """Open, verify and normalise an image from a path or bytes.

    `image` is the 8-bit sRGB display copy; `source` keeps the document's own values, colour
    space and file kind (see `source_image`). `memory`: the machine's memory to size the limit by
    (the machine's own by default).

    Raises:
        ImageLoadError: empty, missing, not an image we read (camera RAW says what to export),
            truncated/corrupt, or too large for this machine.
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
    suffix = path.suffix if path is not None else ""
    # The file's digest is taken beside the decode (hashlib releases the GIL): ~0.2 s for a
    # 45 MP 16-bit TIFF that no longer adds to its opening.
    digest = _HASHING.submit(lambda: hashlib.sha256(data).hexdigest())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit decides
            warnings.simplefilter("ignore", UserWarning)  # a decoder's chatter about odd tags: the outcome speaks
            decoded = decode(name, suffix, data, decode_pixels=decode_pixels, memory=memory)
    except ImageTooLargeError as exc:
        raise ImageLoadError(str(exc)) from exc
    except MemoryError as exc:  # within our limit, but the machine's memory is taken by others
        raise ImageLoadError(f"{name} is too large to open with the memory available now; close other "
                             "programs or images and try again.") from exc
    except UnsupportedFileError as exc:
        text = str(exc)
        raise ImageLoadError(text if text.startswith(name) else f"{name} {text}.") from exc
    except Image.DecompressionBombError as exc:
        raise ImageLoadError(f"{name} is too large to open safely ({exc}).") from exc
    except UnidentifiedImageError as exc:
        if looks_cut_off(sniff(data), data):
            raise ImageLoadError(damaged_message(name, EOFError())) from exc
        raise ImageLoadError(_unreadable_message(name, suffix)) from exc
    except (OSError, SyntaxError, ValueError, EOFError, KeyError, IndexError, RuntimeError) as exc:
        cut = looks_cut_off(sniff(data), data)
        raise ImageLoadError(damaged_message(name, EOFError() if cut else exc)) from exc
    try:
        return _loaded(decoded, path, data, name, digest.result())
    except MemoryError as exc:
        raise ImageLoadError(f"{name} is too large to open with the memory available now; close other "
                             "programs or images and try again.") from exc


def _unreadable_message(name: str, suffix: str) -> str:
    """What to do with a file no reader recognises, naming its kind by its extension when it has one."""
    kind = f"{suffix.lstrip('.').upper()} files" if suffix.strip(".") else "this kind of file"
    return (f"{name} cannot be opened: Desktop Editor does not read {kind}. Export it from the app that made it "
            f"as a TIFF (16-bit keeps the most), PNG or JPEG and open that. Desktop Editor opens {READABLE}.")


def _loaded(decoded: Decoded, path: Path | None, data: bytes, name: str, digest: str) -> LoadedImage:
    """The display copy and the document's values of a decoded file."""
    space = decoded.space
    try:
        if decoded.plain is not None:
            display = normalise(decoded.plain)
            icc = space.profile
        else:
            display = to_srgb8(decoded.pixels, space)
            icc = SRGB_BYTES
    except (OSError, ValueError, ImageCms.PyCMSError) as exc:
        raise ImageLoadError(f"{name} uses a pixel format that cannot be converted ({exc}).") from exc
    if display.mode == "RGBA" and decoded.plain is None and band(display, "A").min() == 255:
        display = display.convert("RGB")
    source = SourceImage(space=space, kind=decoded.kind, pixels=decoded.pixels, compression=decoded.compression,
                         exif=decoded.exif, xmp=decoded.xmp)
    fmt = decoded.kind
    # Camera metadata (GPS, serial numbers) is never sent along: such files are re-encoded, and
    # so is anything whose values had to be converted to reach sRGB.
    pristine = (fmt in _SENDABLE and decoded.plain is not None and decoded.mode_before in ("RGB", "RGBA")
                and decoded.orientation in (None, 1) and not decoded.exif and not decoded.xmp)
    return LoadedImage(
        image=display,
        path=path,
        source_format=fmt,
        icc_profile=icc,
        dpi=decoded.dpi,
        pristine_bytes=data if pristine else None,
        mime_type=_SENDABLE.get(fmt or ""),
        digest=digest,
        source=source,
        note=_named(name, space_note(space)),
    )


def _named(name: str, note: str | None) -> str | None:
    """"photo.jpg: its colour profile ..." from "Its colour profile ..."."""
    return f"{name}: {note[0].lower()}{note[1:]}" if note else None


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
