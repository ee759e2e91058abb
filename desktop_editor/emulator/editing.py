"""The deterministic fake edit that stands in for the model.

It must be visible (a strong, prompt-coloured change inside the mask), reproducible (same
input and prompt give the same bytes, so tests can compare), and as untidy as the real model
outside the mask (a sparse pattern of changed "kept" pixels), so that clients which composite
the result back into the original can be tested.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from desktop_editor.core.cpu import image_work
from desktop_editor.core.pixels import band, to_array
from desktop_editor.emulator.outpaint import is_outpaint, outpaint

BLEND = 0.7  # how far edited pixels move toward the prompt colour
STRAY_STEP = 97  # every STRAY_STEP-th pixel is also changed, mask or not
STRAY_SHIFT = 12

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp"}


@dataclass(frozen=True)
class EditSpec:
    """Everything the fake edit needs, already checked by validation."""

    image: Image.Image  # the first input image
    mask: Image.Image | None  # RGBA-capable mask, same size as `image`; alpha 0 = edit here
    prompt: str
    num_images: int
    output_format: str
    size: tuple[int, int] | None  # None: keep the input size ("auto")
    frame: tuple[int, int] | None = None  # a new frame of this size, the input fitted inside (product isolation)


@dataclass(frozen=True)
class RenderedImage:
    """One encoded output image."""

    data: bytes
    output_format: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.output_format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.output_format]


def decode_image(data: bytes) -> Image.Image:
    """Open and fully load image bytes; ValueError if they are not a readable image."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The warning arrives as an exception where warnings are errors (as under pytest).
        raise ValueError(f"not a readable image ({exc})") from exc
    return image


def has_alpha(image: Image.Image) -> bool:
    """True when the image carries transparency, which is what marks the edit area."""
    return "A" in image.getbands() or "transparency" in image.info


def seed_for(prompt: str) -> int:
    """A stable seed to report, derived from the prompt."""
    return int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:4], "big")


def render(spec: EditSpec, count: int) -> list[RenderedImage]:
    """Produce `count` edited images; each index gets its own colour so outputs differ.

    A render takes one of the process's image-work slots: in Demo mode the emulator shares the
    process (and its cores) with the app's window (see core.cpu).
    """
    with image_work():
        return _render(spec, count)


def _render(spec: EditSpec, count: int) -> list[RenderedImage]:
    image, edit_area = _prepare(spec)
    results = []
    outpainting = edit_area is not None and is_outpaint(to_array(edit_area) > 127)
    for index in range(count):
        colour = _colour(spec.prompt, index)
        # An edge-long mask is an outpainting: the new area continues the photo (see outpaint).
        source = outpaint(image, edit_area, colour, f"{spec.prompt}\0{index}") if outpainting else image
        edited = _edit(source, edit_area, colour, strength=0.0 if outpainting else BLEND)
        results.append(RenderedImage(_encode(edited, spec.output_format), spec.output_format, *edited.size))
    return results


def _prepare(spec: EditSpec) -> tuple[Image.Image, Image.Image | None]:
    """The input at the output size, and an "L" edit-area mask (255 = edit fully) or None
    when the whole image is to be edited."""
    image = spec.image.convert("RGB")
    mask = spec.mask
    if spec.frame is not None:
        return _reframe(image, spec.frame), None
    if spec.size is not None and spec.size != image.size:
        image = image.resize(spec.size, Image.Resampling.BILINEAR)
        if mask is not None:
            mask = mask.resize(spec.size, Image.Resampling.NEAREST)
    if mask is None:
        return image, None
    alpha = band(mask.convert("RGBA"), "A")  # in strips: getchannel holds the GIL for a whole pass
    return image, Image.fromarray(np.subtract(255, alpha, out=alpha), "L")


def _reframe(image: Image.Image, frame: tuple[int, int]) -> Image.Image:
    """The input scaled to fit a new frame and centred on a plain backdrop: like a product
    isolation, nothing of the original frame survives where it was."""
    canvas = Image.new("RGB", frame, (250, 250, 250))
    fitted = image.copy()
    fitted.thumbnail((frame[0] * 4 // 5, frame[1] * 4 // 5), Image.Resampling.BILINEAR)
    canvas.paste(fitted, ((frame[0] - fitted.width) // 2, (frame[1] - fitted.height) // 2))
    return canvas


def _colour(prompt: str, index: int) -> tuple[int, int, int]:
    """A saturated colour from the prompt and output index: each channel near 0 or near 255,
    so the blend is strong whatever the input looks like."""
    digest = hashlib.sha256(f"{prompt}\0{index}".encode()).digest()
    red, green, blue = ((byte & 63) + (192 if byte & 128 else 0) for byte in digest[:3])
    return red, green, blue


def _edit(
    image: Image.Image, edit_area: Image.Image | None, colour: tuple[int, int, int], strength: float = BLEND
) -> Image.Image:
    # Pillow's composite keeps a 3840x2160 edit well under a second and releases the GIL (its
    # blend does not, and in Demo mode this shares the process with the window); numpy only
    # touches the sparse stray pixels.
    weight = Image.new("L", image.size, round(255 * strength))
    edited = Image.composite(Image.new("RGB", image.size, colour), image, weight)
    if edit_area is not None:
        edited = Image.composite(edited, image, edit_area)
    pixels = to_array(edited)
    flat = pixels.reshape(-1, 3)
    stray = flat[::STRAY_STEP]
    # Move away from the nearer bound so every stray pixel really changes by STRAY_SHIFT.
    flat[::STRAY_STEP] = np.where(stray < 128, stray + STRAY_SHIFT, stray - STRAY_SHIFT)
    return Image.fromarray(pixels, "RGB")


def _encode(image: Image.Image, output_format: str) -> bytes:
    buffer = io.BytesIO()
    if output_format == "png":
        image.save(buffer, "PNG", compress_level=1)  # speed over size: 4K outputs stay fast
    elif output_format == "jpeg":
        image.save(buffer, "JPEG", quality=90)
    else:
        image.save(buffer, "WEBP", quality=80, method=0)
    return buffer.getvalue()
