"""Putting a result back into the original through the mask.

The models treat the mask as guidance and change pixels outside it. Designers want what they
did not paint to stay exactly as it was, so the result is sized back to the original and blended
in through the mask: weight 0 outside the mask (original pixels, bit for bit), 1 deep inside,
and a feathered ramp that lies inside the painted area so the seam never leaks outward.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageChops, ImageFilter

from desktop_editor.core.mask_ops import grow
from desktop_editor.core.masks import edit_area
from desktop_editor.core.pixels import to_array


_AREA_LUT = [0] + [255] * 255  # any painted value counts as edit area
_RAMP_LUT = [max(0, 2 * v - 255) for v in range(256)]  # blurred edge -> ramp that is 0 at the edge


def weight_image(mask: np.ndarray, feather: float) -> Image.Image:
    """Per-pixel weight of the result as an "L" image (255 = result, 0 = original), exactly 0
    wherever the mask is 0. Built from Pillow operations, which release the GIL: compositing 4K
    images on a worker must not freeze the window's thread."""
    area = Image.fromarray(mask, "L").point(_AREA_LUT)
    if feather <= 0:
        return area
    ramp = area.filter(ImageFilter.GaussianBlur(radius=feather / 2.0)).point(_RAMP_LUT)
    # A soft brush edge is honoured too: never more weight than the painted value itself.
    return ImageChops.darker(ramp, Image.fromarray(mask, "L"))


def blend_weights(mask: np.ndarray, feather: float) -> np.ndarray:
    """The weights of `weight_image` as float32 in 0..1."""
    return np.asarray(weight_image(mask, feather), dtype=np.float32) / 255.0


def match_colours(original: np.ndarray, result: np.ndarray, mask: np.ndarray, band: int = 8) -> np.ndarray:
    """Shift the result's colours so they agree with the original in a thin ring just outside the mask.

    The ring comes from numpy's disc dilation: Pillow's MaxFilter holds the GIL for seconds on a 4K
    mask, which would freeze the window while a job finishes on a worker.
    """
    inside = edit_area(mask)
    ring = (grow(inside.view(np.uint8), band) > 0) & ~inside
    if not ring.any():
        return result
    delta = original[ring].astype(np.float32).mean(axis=0) - result[ring].astype(np.float32).mean(axis=0)
    return np.clip(result.astype(np.float32) + delta, 0, 255).astype(np.uint8)


def composite(
    original: Image.Image,
    result: Image.Image,
    mask: np.ndarray,
    *,
    feather: float = 0.0,
    colour_match: bool = False,
) -> Image.Image:
    """The original with the result showing through the mask, in the original's size and mode."""
    mode = "RGBA" if original.mode == "RGBA" else "RGB"
    base = original.convert(mode)
    if mask.shape != (base.height, base.width):
        raise ValueError(f"mask {mask.shape[::-1]} does not match image {base.size}")
    if result.size != base.size:
        result = result.resize(base.size, Image.Resampling.LANCZOS)
    top = result.convert(mode)
    if colour_match:
        top = Image.fromarray(match_colours(to_array(base), to_array(top), mask), mode)
    return Image.composite(top, base, weight_image(mask, feather))
