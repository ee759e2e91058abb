"""Colour management: what a document's numbers mean, and converting them to and from sRGB.

A document's pixels are numbers in its own colour space: the ICC profile its file embeds (Adobe
RGB, ProPhoto, Display P3, a print CMYK), at its own bit depth. Three conversions are needed:

- to the service: the model reads every image as 8-bit sRGB, so what is sent is converted from
  the document's profile to sRGB (relative colorimetric with black-point compensation, the
  print world's default) and tagged sRGB (`to_srgb8`);
- to the screen: the display copy is the same sRGB conversion, since a screen whose profile is
  unknown is taken to be sRGB (`display_profile`); every view draws that copy;
- back to the document: a result, sRGB from the service, is converted into the document's
  profile, colour mode and bit depth before it is composited and saved (`from_srgb8`).

Untagged RGB and grey mean sRGB. Untagged CMYK uses a standard CMYK profile when the system has
one (`standard_cmyk_profile`), and the note says which. A profile that cannot be read, or that
describes another colour model than the pixels, is ignored with a note: the image opens as sRGB.

Conversions go through Pillow's ImageCms (LittleCMS), which works on 8-bit images: 16-bit
pixels are rounded to 8 bits on the way to sRGB (the service and the screen take 8 bits), and an
8-bit conversion back is widened to 16 bits (x257) for a 16-bit document. Transforms are cached:
building one costs a few milliseconds, applying one releases the GIL.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from desktop_editor.core.opencv import cv2

INTENT = ImageCms.Intent.RELATIVE_COLORIMETRIC
FLAGS = ImageCms.Flags.BLACKPOINTCOMPENSATION

SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
SRGB_BYTES: bytes = SRGB_PROFILE.tobytes()

# Where Linux systems keep a standard CMYK profile (ghostscript's default is SWOP-like coated).
STANDARD_CMYK_PATHS = (
    "/usr/share/color/icc/ghostscript/default_cmyk.icc",
    "/usr/share/color/icc/colord/FOGRA39L_coated.icc",
    "/usr/share/color/icc/ghostscript/ps_cmyk.icc",
)

_COLOUR_MODELS = {"RGB": "RGB ", "RGBA": "RGB ", "L": "GRAY", "LA": "GRAY", "CMYK": "CMYK"}
_COLOUR_BANDS = {"RGB": "RGB", "RGBA": "RGB", "L": "L", "LA": "L", "CMYK": "CMYK"}


@dataclass(frozen=True)
class ColourSpace:
    """What a document's pixel values mean.

    `mode` is the document's own ("RGB", "RGBA", "L", "LA" or "CMYK"), `bits` 8 or 16, `profile`
    the ICC bytes the values are in (None: sRGB for RGB and grey, the standard CMYK for CMYK;
    also when the file's profile was unusable), and `note` a sentence for the designer when
    something was assumed.
    """

    mode: str
    bits: int = 8
    profile: bytes | None = None
    note: str | None = None

    @property
    def colour_mode(self) -> str:
        """The mode without alpha: what ImageCms converts."""
        return _COLOUR_BANDS[self.mode]

    @property
    def has_alpha(self) -> bool:
        return self.mode in ("RGBA", "LA")

    @property
    def is_display_ready(self) -> bool:
        """Whether 8-bit sRGB RGB/RGBA values are the document's own: no conversion either way."""
        return self.bits == 8 and self.mode in ("RGB", "RGBA") and (self.profile is None or is_srgb(self.profile))


def _open_profile(data: bytes) -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(io.BytesIO(data))


def checked_profile(data: bytes | None, mode: str) -> tuple[bytes | None, str | None]:
    """The profile to use for pixels of `mode`, and a note when the file's one was set aside.

    A profile that LittleCMS cannot read, or one for another colour model (an RGB profile on a
    CMYK image), would give wrong colours or fail later; the image then opens as if untagged.
    """
    if not data:
        return None, None
    try:
        profile = _open_profile(data)
        space = profile.profile.xcolor_space
    except (OSError, ValueError, TypeError, ImageCms.PyCMSError):
        return None, "Its colour profile is damaged or unsupported, so it was opened as sRGB."
    if space != _COLOUR_MODELS[mode]:
        return None, (f"Its colour profile is for {space.strip()} but the pixels are {_COLOUR_BANDS[mode]}, "
                      "so it was opened as sRGB.")
    return data, None


def profile_name(data: bytes | None) -> str:
    """The profile's own description ("Adobe RGB (1998)"), or "sRGB" for none."""
    if not data:
        return "sRGB"
    try:
        return ImageCms.getProfileDescription(_open_profile(data)).strip() or "an unnamed profile"
    except (OSError, ValueError, ImageCms.PyCMSError):
        return "an unreadable profile"


_lock = threading.Lock()
_srgb_checks: dict[str, bool] = {}
_transforms: dict[tuple, ImageCms.ImageCmsTransform] = {}
_standard_cmyk: list[bytes | None] = []


def _key(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def is_srgb(data: bytes | None) -> bool:
    """Whether an RGB profile maps colours as sRGB does (within one level on a test grid).

    Decided by converting, not by name: cameras and browsers embed many differently named sRGB
    profiles, and a file tagged with any of them can be sent and shown unconverted.
    """
    if not data:
        return True
    key = _key(data)
    with _lock:
        known = _srgb_checks.get(key)
    if known is not None:
        return known
    levels = np.array([0, 16, 64, 128, 192, 240, 255], dtype=np.uint8)
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(1, -1, 3)
    try:
        converted = _apply(_transform(data, "RGB", None, "RGB"), Image.fromarray(grid, "RGB"))
        same = bool(np.abs(np.asarray(converted).astype(int) - grid).max() <= 1)
    except (OSError, ValueError, ImageCms.PyCMSError):
        same = False
    with _lock:
        _srgb_checks[key] = same
    return same


def standard_cmyk_profile() -> bytes | None:
    """A standard CMYK profile from the system, for CMYK files that carry none (None: no such file)."""
    with _lock:
        if _standard_cmyk:
            return _standard_cmyk[0]
    found = None
    for candidate in STANDARD_CMYK_PATHS:
        try:
            data = Path(candidate).read_bytes()
        except OSError:
            continue
        if checked_profile(data, "CMYK")[0] is not None:
            found = data
            break
    with _lock:
        _standard_cmyk[:] = [found]
    return found


def display_profile() -> bytes | None:
    """The screen's profile, None for sRGB (what a screen whose profile is unknown is taken to be).

    Qt does not report a screen's ICC profile on the platforms we ship for, so every view shows
    the sRGB conversion; this is the single place to change when it can be read.
    """
    return None


def _transform(source: bytes | None, in_mode: str, target: bytes | None, out_mode: str) -> ImageCms.ImageCmsTransform:
    """A cached transform between two profiles (None: sRGB)."""
    key = (_key(source) if source else "srgb", in_mode, _key(target) if target else "srgb", out_mode)
    with _lock:
        cached = _transforms.get(key)
    if cached is not None:
        return cached
    made = ImageCms.buildTransform(
        _open_profile(source) if source else SRGB_PROFILE, _open_profile(target) if target else SRGB_PROFILE,
        in_mode, out_mode, renderingIntent=INTENT, flags=FLAGS,
    )
    with _lock:
        _transforms[key] = made
    return made


def _apply(transform: ImageCms.ImageCmsTransform, image: Image.Image) -> Image.Image:
    """`image` through `transform`, into a new image of the transform's output mode.

    Not `ImageCms.applyTransform`: that serialises the output profile into the new image's info
    on every call, which some valid profiles (ghostscript's PS CMYK) cannot be, and which costs
    a copy of the profile each time.
    """
    image.load()
    out = Image.new(transform.output_mode, image.size)
    transform.transform.apply(image.getim(), out.getim())  # LittleCMS, the GIL released
    return out


PARALLEL_FROM = 4_000_000  # pixels; below this one thread converts faster than several start


def _convert(transform: ImageCms.ImageCmsTransform, values: np.ndarray, in_mode: str) -> Image.Image:
    """`values` (contiguous, 8-bit, in `in_mode`) through `transform`, in horizontal strips on
    several threads for a large image: LittleCMS converts ~16 MP/s on one core, and releases the
    GIL, so a 45 MP photo takes half the time on two."""
    height, width = values.shape[:2]
    workers = min(4, os.cpu_count() or 1)
    if height * width < PARALLEL_FROM or workers == 1:
        return _apply(transform, Image.fromarray(values, in_mode))
    out = np.empty((height, width, len(transform.output_mode)), np.uint8)
    step = -(-height // (workers * 2))

    def convert_strip(top: int) -> None:
        bottom = min(height, top + step)
        out[top:bottom] = np.asarray(_apply(transform, Image.fromarray(values[top:bottom], in_mode)))

    with ThreadPoolExecutor(workers, thread_name_prefix="colour") as pool:
        list(pool.map(convert_strip, range(0, height, step)))
    return Image.fromarray(out if out.shape[2] > 1 else out[..., 0], transform.output_mode)


def to_eight_bits(pixels: np.ndarray) -> np.ndarray:
    """uint16 values rounded to uint8 (v / 257, GIL released); uint8 comes back as it is."""
    if pixels.dtype == np.uint8:
        return pixels
    return cv2.convertScaleAbs(pixels, alpha=1.0 / 257.0)


def to_sixteen_bits(pixels: np.ndarray) -> np.ndarray:
    """uint8 values widened to uint16 (v * 257: 255 becomes 65535)."""
    return pixels.astype(np.uint16) * np.uint16(257)


def _split_alpha(pixels: np.ndarray, space: ColourSpace) -> tuple[np.ndarray, np.ndarray | None]:
    if space.has_alpha:
        return pixels[..., :-1] if space.mode == "RGBA" else pixels[..., 0], pixels[..., -1]
    return pixels, None


def source_profile(space: ColourSpace) -> bytes | None:
    """The profile a space's values are converted from (None: sRGB)."""
    if space.profile is not None:
        return space.profile
    return standard_cmyk_profile() if space.colour_mode == "CMYK" else None


def to_srgb8(pixels: np.ndarray, space: ColourSpace, target: bytes | None = None) -> Image.Image:
    """The document's pixels as an 8-bit sRGB "RGB" or "RGBA" image (or in `target`, an RGB profile).

    This is both what is sent (tagged sRGB) and, on an sRGB screen, what is shown.
    """
    mode = space.colour_mode
    profile = source_profile(space)
    if mode == "CMYK" and profile is None:  # no CMYK profile on this system: Pillow's formula
        rgb = Image.fromarray(np.ascontiguousarray(_split_alpha(to_eight_bits(pixels), space)[0]), mode).convert("RGB")
    elif (profile is None and target is None) or (mode == "RGB" and target is None and is_srgb(profile)):
        colour = np.ascontiguousarray(_split_alpha(to_eight_bits(pixels), space)[0])
        rgb = Image.fromarray(colour, mode)
        rgb = rgb if mode == "RGB" else rgb.convert("RGB")
    else:
        rgb = _converted_in_strips(_transform(profile, _STRIP_MODES[mode], target, "RGB"), pixels, space)
    if not space.has_alpha:
        return rgb
    alpha = to_eight_bits(_split_alpha(pixels, space)[1])
    rgb.putalpha(Image.fromarray(np.ascontiguousarray(alpha), "L"))
    return rgb


# What a strip of each colour mode is handed to LittleCMS as: RGB as Pillow's own 4-byte "RGBX"
# layout, so the strip's memory is used as it is instead of being unpacked into a new image.
_STRIP_MODES = {"RGB": "RGBX", "L": "L", "CMYK": "CMYK"}
STRIP_PIXELS = 2_000_000  # a strip's size: small enough to stay in the caches' reach, large for few calls


def _strip_input(strip: np.ndarray, space: ColourSpace) -> np.ndarray:
    """A strip of the document's values as contiguous 8-bit memory in its `_STRIP_MODES` layout."""
    eight = to_eight_bits(strip)
    if space.mode == "RGB":
        return cv2.cvtColor(eight, cv2.COLOR_RGB2RGBA)  # the fourth byte is ignored ("X")
    if space.mode == "LA":
        return np.ascontiguousarray(eight[..., 0])
    return np.ascontiguousarray(eight)  # RGBA (its alpha in the ignored fourth byte), L, CMYK


def _converted_in_strips(transform: ImageCms.ImageCmsTransform, pixels: np.ndarray, space: ColourSpace) -> Image.Image:
    """The colour of `pixels` (8 or 16-bit, in `space`) through `transform`, as an "RGB" image.

    Done in horizontal strips, several at once on a large image: each strip is rounded to 8 bits,
    laid out as LittleCMS reads it and converted while it is still in the caches, and the
    converted strip is pasted into the result. Every step releases the GIL (OpenCV, LittleCMS,
    Pillow's paste); a whole-image pipeline made four more full-size copies (unpacking and packing
    Pillow's RGB layout) and cost 40% more CPU on a 45 MP 16-bit photo, with the same pixels.
    LittleCMS converts ~35 MP/s on one core, so a 45 MP photo takes half the time on two.
    """
    height, width = pixels.shape[:2]
    out = Image.new("RGB", (width, height))
    rows = height if height * width < PARALLEL_FROM else max(1, STRIP_PIXELS // width)
    in_mode = transform.input_mode

    def convert_strip(top: int) -> None:
        bottom = min(height, top + rows)
        strip = _strip_input(pixels[top:bottom], space)
        source = Image.frombuffer(in_mode, (width, bottom - top), strip, "raw", in_mode, 0, 1)  # no copy
        converted = Image.new("RGB", source.size)
        transform.transform.apply(source.getim(), converted.getim())  # LittleCMS, the GIL released
        out.paste(converted, (0, top))

    tops = range(0, height, rows)
    workers = min(4, os.cpu_count() or 1, len(tops))
    if workers == 1:
        for top in tops:
            convert_strip(top)
        return out
    with ThreadPoolExecutor(workers, thread_name_prefix="colour") as pool:
        list(pool.map(convert_strip, tops))
    return out


def from_srgb8(image: Image.Image, space: ColourSpace) -> np.ndarray:
    """An 8-bit sRGB image (a result) as colour values of `space`, without alpha, at its depth.

    The shape is (H, W) for grey, else (H, W, bands of the colour mode).
    """
    rgb = image.convert("RGB") if image.mode != "RGB" else image
    mode = space.colour_mode
    profile = source_profile(space)
    if mode == "CMYK" and profile is None:
        converted = rgb.convert("CMYK")
    elif profile is None or (mode == "RGB" and is_srgb(profile)):
        converted = rgb if mode == "RGB" else rgb.convert(mode)
    else:
        converted = _convert(_transform(None, "RGB", profile, mode), np.asarray(rgb), "RGB")
    values = np.asarray(converted)
    return to_sixteen_bits(values) if space.bits == 16 else np.array(values)


def space_note(space: ColourSpace) -> str | None:
    """What the designer should know about how the image's colours were read, if anything."""
    if space.note:
        return space.note
    if space.colour_mode == "CMYK" and space.profile is None:
        if standard_cmyk_profile() is None:
            return "It is CMYK without a colour profile; its colours are shown with a simple CMYK formula."
        return (f"It is CMYK without a colour profile; its colours are shown through the standard CMYK "
                f"profile ({profile_name(standard_cmyk_profile())}).")
    return None


def space_summary(space: ColourSpace) -> str | None:
    """"16-bit RGB, ProPhoto" for a document whose values are not plain 8-bit sRGB, else None:
    what the window says on opening, so the designer knows the file's own form is kept."""
    if space.is_display_ready:
        return None
    mode = {"RGBA": "RGB", "LA": "grey", "L": "grey"}.get(space.mode, space.mode)
    return f"{space.bits}-bit {mode}, {profile_name(source_profile(space))}"
