"""Putting a result back into the document's own values: its profile, colour mode and bit depth.

The service answers in 8-bit sRGB. For a document whose values are not that (a 16-bit TIFF, a
CMYK print file, an Adobe RGB photo), the result is resampled onto the same patch as the 8-bit
composite (`composite.result_layer`, planned on the display copy), converted into the document's
space (`colour.from_srgb8`), and blended there with the same weights: outside the mask the
document's values are kept bit for bit, 16-bit and CMYK included, and the feathered band is
blended in the document's own space. The document's alpha is kept as it was: the service's
result has none of its own.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from desktop_editor.core.colour import from_srgb8, to_srgb8
from desktop_editor.core.composite import Box, CompositePlan, blend_values, result_layer
from desktop_editor.core.source_image import SourceImage


def _with_alpha(colour: np.ndarray, original: np.ndarray, source: SourceImage) -> np.ndarray:
    """Document values of `colour` (no alpha) with `original`'s alpha band where the space has one."""
    if not source.space.has_alpha:
        return colour
    if colour.ndim == 2:
        colour = colour[..., None]
    return np.concatenate([colour, original[..., -1:]], axis=-1)


def composite_document(source: SourceImage, plan: CompositePlan, result: Image.Image,
                       place: Box | None = None) -> np.ndarray:
    """The document's values over `plan.rect` with `result` (sRGB, covering `place`) blended in
    through the plan's weights."""
    x0, y0, x1, y1 = plan.rect
    original = source.pixels[y0:y1, x0:x1]
    top = _with_alpha(from_srgb8(result_layer(plan, result, place), source.space), original, source)
    return blend_values(original, top, plan.weights)


def region_document(source: SourceImage, result: Image.Image, rect: Box) -> np.ndarray:
    """The document's values over `rect` replaced by `result` (sRGB) stretched onto it."""
    x0, y0, x1, y1 = rect
    patch = result.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)
    return _with_alpha(from_srgb8(patch, source.space), source.pixels[y0:y1, x0:x1], source)


def pasted(source: SourceImage, patch: np.ndarray, rect: Box) -> np.ndarray:
    """A new full-frame array: the document's values with `patch` at `rect`."""
    out = source.pixels.copy()
    x0, y0, x1, y1 = rect
    if x1 > x0 and y1 > y0:
        out[y0:y1, x0:x1] = patch
    return out


def patch_for_display(source: SourceImage, patch: np.ndarray) -> Image.Image:
    """A document patch as the display copy shows it (8-bit sRGB), for the in-memory preview."""
    if patch.size == 0:
        return Image.new("RGBA" if source.space.has_alpha else "RGB", (0, 0))
    return to_srgb8(patch, source.space)
