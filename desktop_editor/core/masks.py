"""Masks: one internal form, and conversion to and from the two conventions designers meet.

Internally a mask is a 2-D uint8 numpy array the size of its image, 255 where the edit goes,
0 where the image is kept, values between for soft edges. On disk and on the wire it is either
the OpenAI convention (RGBA PNG, alpha 0 = edit, alpha 255 = keep), which is what the service
gets, or black/white (white = edit), which other tools export.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import numpy as np
from PIL import Image

from desktop_editor.core.colour import to_eight_bits
from desktop_editor.core.images import ImageLoadError, load_image
from desktop_editor.core.opencv import cv2
from desktop_editor.core.pixels import band, to_array


class MaskConvention(str, Enum):
    OPENAI = "openai"  # RGBA, alpha 0 = edit
    BLACK_WHITE = "bw"  # grayscale, white = edit


class MaskError(ValueError):
    """A mask that cannot be used with its image; str() is a sentence for the designer."""


def empty_mask(size: tuple[int, int]) -> np.ndarray:
    """A mask that edits nothing, for an image of (width, height)."""
    width, height = size
    return np.zeros((height, width), dtype=np.uint8)


def mask_from_image(img: Image.Image) -> np.ndarray:
    """Read either convention: transparency marks the edit if the image has any, else whiteness does."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        alpha = band(rgba, "A")
        if alpha.min() < 255:
            return np.subtract(255, alpha, out=alpha)
        return to_array(rgba.convert("L"))
    return to_array(img.convert("L"))


def load_mask(source: str | Path | bytes) -> np.ndarray:
    """Open a mask file in either convention.

    Raises:
        MaskError: the file is not a readable image.
    """
    try:
        loaded = load_image(source)
    except ImageLoadError as exc:
        raise MaskError(str(exc)) from exc
    values = loaded.source.pixels if loaded.source is not None else None
    if values is not None and loaded.source.space.mode == "L":
        # A mask is data, not colour: a grey file's own levels, never converted through its
        # profile (Photoshop tags masks with a dot-gain grey profile).
        return np.ascontiguousarray(to_eight_bits(values))
    return mask_from_image(loaded.image)


def fit_mask(mask: np.ndarray, image_size: tuple[int, int], *, rescale: bool = False) -> np.ndarray:
    """The mask for an image of `image_size`: unchanged if it fits, rescaled only when asked.

    Raises:
        MaskError: the sizes differ and rescale is False.
    """
    width, height = image_size
    mh, mw = mask.shape
    if (mw, mh) == (width, height):
        return mask
    if not rescale:
        raise MaskError(
            f"The mask is {mw}x{mh} but the image is {width}x{height}; "
            "paint a new mask or ask for it to be rescaled."
        )
    return np.asarray(Image.fromarray(mask, "L").resize((width, height), Image.Resampling.BILINEAR))


def edit_area(mask: np.ndarray) -> np.ndarray:
    """Boolean array of the pixels the model may change: any painted pixel, soft edges included,
    so that compositing back with a feather never blends in pixels the model did not redo."""
    return mask > 0


def to_openai_image(mask: np.ndarray) -> Image.Image:
    """RGBA, black, alpha 0 where the edit goes and 255 elsewhere (the service's convention)."""
    height, width = mask.shape
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    rgba[..., 3] = np.where(edit_area(mask), 0, 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def to_black_white_image(mask: np.ndarray) -> Image.Image:
    """Grayscale, white where the edit goes, soft edges kept."""
    return Image.fromarray(mask, "L")


def to_image(mask: np.ndarray, convention: MaskConvention) -> Image.Image:
    if MaskConvention(convention) is MaskConvention.OPENAI:
        return to_openai_image(mask)
    return to_black_white_image(mask)


def encode_mask_png(mask: np.ndarray, convention: MaskConvention = MaskConvention.OPENAI) -> bytes:
    """The mask as a PNG in `convention`: RGBA with alpha for the service, 8-bit grey otherwise.

    Encoded by OpenCV with every row filtered "up" and run-length compressed, which suits a
    mask's long runs: the sent mask of a 24 MP photo (3527x2351 RGBA) takes 77 ms and 44 kB,
    where Pillow's adaptive filters took 240 ms for 161 kB. The GIL is released meanwhile.
    """
    mask = np.ascontiguousarray(mask, dtype=np.uint8)
    if MaskConvention(convention) is MaskConvention.OPENAI:
        alpha = np.where(edit_area(mask), np.uint8(0), np.uint8(255))
        black = np.zeros_like(alpha)
        pixels = cv2.merge([black, black, black, alpha])  # colour order is moot: all black
    else:
        pixels = mask
    options = [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE]
    ok, encoded = cv2.imencode(".png", pixels, options)
    if not ok:
        raise MaskError("The mask could not be encoded as PNG.")
    return encoded.tobytes()


def is_empty(mask: np.ndarray) -> bool:
    """True when no pixel is set. A contiguous 8-bit mask is read as 64-bit words: 2 ms instead
    of 8 for 45 MP, on the window's thread when Generate is pressed."""
    if mask.dtype == np.uint8 and mask.flags.c_contiguous:
        flat = mask.reshape(-1)
        words = flat.size // 8 * 8
        return not flat[:words].view(np.uint64).any() and not flat[words:].any()
    return not bool(mask.any())


def coverage(mask: np.ndarray) -> float:
    """Fraction of the image the edit touches, 0..1."""
    return float(np.count_nonzero(mask)) / mask.size if mask.size else 0.0
