"""Is a downloaded result really an image we can use? Judged from its bytes, never its label.

A result URL can answer anything: an HTML error page labelled `image/png`, WebP bytes labelled
PNG, a small PNG whose header claims 60000x60000 pixels. A file is a result only when its bytes
begin like a kind we accept (PNG, JPEG, WebP: what the models make), its header states a size
within MAX_RESULT_PIXELS, and its pixels decode to the end. The probe is bounded: the size is
read from the header before any pixel is decoded, so a decompression bomb costs nothing, and a
JPEG is decoded at 1/8 scale (its draft mode), which still reads every byte of the stream.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from desktop_editor.api.image_bytes import sniff_image_type

# The largest image any model on the service makes is gpt-image-2's 3840x2160 (8.3 MP); utility
# models at "4K" make at most 4096x4096 (16.8 MP). 64 MP leaves four times that, stays under
# Pillow's own bomb warning (89 MP), and bounds the probe's decode to 256 MB of RGBA. Measured in
# benchmarks/bench_hostile.py (noise PNGs, 2 shared cores): 8.3 MP probes in 0.19 s, 33 MP in
# 1.1 s (+126 MB resident), 64 MP in 1.8 s (+243 MB); a 60000x60000 bomb header is refused in
# under 1 ms without decoding.
MAX_RESULT_PIXELS = 64_000_000

ACCEPTED = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
_PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
_HEAD = 64


class ResultCheckError(Exception):
    """The bytes are not a usable image; str() says why in one sentence for the designer."""


@dataclass(frozen=True)
class CheckedResult:
    """What the bytes really are. `pixels`: the image the check decoded, when it is already
    what opening the bytes as an image gives (`plain_pixels`), so they need not be decoded again."""

    content_type: str
    extension: str
    width: int
    height: int
    pixels: Image.Image | None = field(default=None, repr=False, compare=False)


def plain_pixels(head: bytes, img: Image.Image) -> bool:
    """Whether a decoded result is, as Pillow decoded it, the 8-bit sRGB picture the app's
    own opening (`core.images.load_image`) makes of it: a PNG of 8-bit RGB (IHDR bit depth 8,
    colour type 2: what the models make) with no colour profile, no transparency and no
    orientation. Anything else is decoded again by the app's opening, which converts it."""
    bit_depth, colour_type = head[24:25], head[25:26]
    return (img.format == "PNG" and img.mode == "RGB" and bit_depth == b"\x08" and colour_type == b"\x02"
            and not img.info.get("icc_profile") and "transparency" not in img.info and "exif" not in img.info)


def describe_bytes(head: bytes) -> str:
    """A few words on what non-image bytes look like, for the message (never the bytes themselves)."""
    text = head.lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if text.startswith((b"<?xml", b"<error")):
        return "an XML document"
    if text.startswith((b"{", b"[")):
        return "a JSON text"
    kind = sniff_image_type(head)
    if kind is not None:
        return f"a {kind.split('/')[1].upper()} image, a kind results never are"
    return "data of an unknown kind"


def check_result_file(path: Path, *, max_pixels: int = MAX_RESULT_PIXELS) -> CheckedResult:
    """The kind and size of the image in `path`; ResultCheckError when it is not one we accept."""
    with open(path, "rb") as handle:
        head = handle.read(_HEAD)
    if not head:
        raise ResultCheckError("The result was empty.")
    kind = sniff_image_type(head)
    if kind not in ACCEPTED:
        raise ResultCheckError(f"The result is not an image: it is {describe_bytes(head)}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[_PILLOW_FORMATS[kind]]) as img:
                width, height = img.size
                if width * height > max_pixels:
                    raise ResultCheckError(_too_large(width, height, max_pixels))
                if kind == "image/jpeg":
                    img.draft(img.mode, (max(1, width // 8), max(1, height // 8)))
                img.load()
                # Kept past the file's closing, which releases the decoded image (a copy, 10 ms).
                pixels = img.copy() if plain_pixels(head, img) else None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ResultCheckError("The result's header claims more pixels than any model makes "
                               f"(over {max_pixels / 1e6:.0f} MP): it was not opened.") from None
    except UnidentifiedImageError:
        raise ResultCheckError(f"The result begins like {kind.split('/')[1].upper()} but is not one.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ResultCheckError(f"The result's image data is damaged or cut off ({exc}).") from None
    return CheckedResult(kind, ACCEPTED[kind], width, height, pixels)


def _too_large(width: int, height: int, max_pixels: int) -> str:
    return (f"The result claims {width}x{height} pixels ({width * height / 1e6:.0f} MP), more than any "
            f"model makes (at most {max_pixels / 1e6:.0f} MP accepted): it was not opened.")
