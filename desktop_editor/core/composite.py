"""Putting a result back into the original through the mask.

The models treat the mask as guidance and change pixels outside it. Designers want what they
did not paint to stay exactly as it was, so the result is sized back to the original and blended
in through the mask: weight 0 outside the mask (original pixels, bit for bit), 1 deep inside,
and a feathered ramp that lies inside the painted area so the seam never leaks outward.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from desktop_editor.core.masks import edit_area


def blend_weights(mask: np.ndarray, feather: float) -> np.ndarray:
    """Per-pixel weight of the result, float32 in 0..1; exactly 0 wherever the mask is 0."""
    soft = mask.astype(np.float32) / 255.0
    if feather <= 0:
        return np.where(edit_area(mask), 1.0, 0.0).astype(np.float32)
    blurred = Image.fromarray(np.where(edit_area(mask), 255, 0).astype(np.uint8), "L").filter(
        ImageFilter.GaussianBlur(radius=feather / 2.0)
    )
    ramp = np.clip(2.0 * np.asarray(blurred, dtype=np.float32) / 255.0 - 1.0, 0.0, 1.0)
    # A soft brush edge is honoured too: never more weight than the painted value itself.
    return np.minimum(ramp, soft).astype(np.float32)


def match_colours(original: np.ndarray, result: np.ndarray, mask: np.ndarray, band: int = 8) -> np.ndarray:
    """Shift the result's colours so they agree with the original in a thin ring just outside the mask."""
    inside = edit_area(mask)
    grown = Image.fromarray(np.where(inside, 255, 0).astype(np.uint8), "L").filter(ImageFilter.MaxFilter(2 * band + 1))
    ring = (np.asarray(grown) > 0) & ~inside
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
    if result.size != base.size:
        result = result.resize(base.size, Image.Resampling.LANCZOS)
    top = np.asarray(result.convert(mode))
    bottom = np.asarray(base)
    if mask.shape != bottom.shape[:2]:
        raise ValueError(f"mask {mask.shape[::-1]} does not match image {base.size}")
    if colour_match:
        top = match_colours(bottom, top, mask)
    weight = blend_weights(mask, feather)[..., None]
    mixed = bottom.astype(np.float32) * (1.0 - weight) + top.astype(np.float32) * weight
    out = np.where(weight > 0, np.clip(np.rint(mixed), 0, 255), bottom).astype(np.uint8)
    return Image.fromarray(out, mode)
