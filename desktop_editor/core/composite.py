"""Putting a result back into the original through the mask.

The models treat the mask as guidance and change pixels outside it. Designers want what they
did not paint to stay exactly as it was, so the result is sized back to the original and blended
in through the mask: weight 0 outside the mask (original pixels, bit for bit), 1 deep inside,
and a feathered ramp that lies inside the painted area so the seam never leaks outward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageFilter

from desktop_editor.core.mask_ops import grow, nonzero_bounds
from desktop_editor.core.masks import edit_area
from desktop_editor.core.parallel import WORKERS, map_pieces
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


Box = tuple[int, int, int, int]


def region_margin(feather: float, colour_match: bool = False) -> int:
    """Pixels around the mask's bounds that the weights and the colour ring can read.

    Pillow's Gaussian blur is three box passes of about `radius + 1` each, so a pixel's weight
    depends on the painted area at most `3 * (radius + 1)` away; the colour ring is 8 px wide.
    Within this margin of the mask's bounds the area is 0 on every side, so weights computed on
    the crop are the ones the whole frame would give.
    """
    margin = 3 * (int(math.ceil(max(0.0, feather) / 2.0)) + 1) + 2
    return max(margin, 8 + 2) if colour_match else margin


def result_in(result: Image.Image, place: Box, rect: Box) -> Image.Image:
    """The part of `result` that lands on `rect` when `result` is stretched over `place`.

    Only `rect` is resampled, in the two passes (rows, then columns) a whole-image resize makes,
    each its own call: the source rows around the box are read as a whole-image resize reads
    them, so a small edit of a 24 MP photo resamples a small patch and agrees with resizing the
    whole result to within 1 (rounding of the box's position). Pillow 13's one-call
    `resize(box=...)` of a box much shorter than the image takes its columns-first pass, which
    places the box's pixels wrongly (values off by up to 50 on a mask band a few hundred rows
    tall); each pass alone does not.
    """
    left, top, right, bottom = place
    sx, sy = result.width / (right - left), result.height / (bottom - top)
    x0, y0, x1, y1 = rect
    if (result.width, result.height) == (right - left, bottom - top):
        return result.crop((x0 - left, y0 - top, x1 - left, y1 - top))
    bx0, by0, bx1, by1 = (x0 - left) * sx, (y0 - top) * sy, (x1 - left) * sx, (y1 - top) * sy
    # The source rows the column pass reads: the box and the Lanczos support (3 source pixels,
    # or 3 output pixels' worth when shrinking) around it.
    reach = math.ceil(3 * max(1.0, sy)) + 2
    first, last = max(0, math.floor(by0) - reach), min(result.height, math.ceil(by1) + reach)
    rows = result.crop((0, first, result.width, last))
    wide = rows.resize((x1 - x0, rows.height), Image.Resampling.LANCZOS, box=(bx0, 0, bx1, rows.height))
    return wide.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS, box=(0, by0 - first, x1 - x0, by1 - first))


@dataclass(frozen=True)
class CompositePlan:
    """What compositing a result into an original needs that does not depend on the result.

    Made while the service works (`plan_composite`), so the moment a result arrives only the
    result's part is resampled and blended. `rect` is the only part of the frame that can
    differ from the original (the mask's bounds plus `region_margin`); `base` is the original
    there, `mask` the mask there and `weights` its blend weights (`weight_image`).
    """

    mode: str
    size: tuple[int, int]
    rect: Box
    base: Image.Image
    mask: np.ndarray
    weights: Image.Image
    colour_match: bool
    feather: float


def plan_composite(original: Image.Image, mask: np.ndarray, *, feather: float = 0.0,
                   colour_match: bool = False) -> CompositePlan | None:
    """The result-independent part of `composite_region`; None when the mask is empty (the
    composite is then the original)."""
    mode = "RGBA" if original.mode == "RGBA" else "RGB"
    width, height = original.size
    if mask.shape != (height, width):
        raise ValueError(f"mask {mask.shape[::-1]} does not match image {original.size}")
    bounds = nonzero_bounds(mask)
    if bounds is None:
        return None
    by = region_margin(feather, colour_match)
    rect = (max(0, bounds[0] - by), max(0, bounds[1] - by), min(width, bounds[2] + by), min(height, bounds[3] + by))
    base = original.crop(rect)
    if base.mode != mode:
        base = base.convert(mode)
    crop_mask = np.ascontiguousarray(mask[rect[1] : rect[3], rect[0] : rect[2]])
    return CompositePlan(mode, (width, height), rect, base, crop_mask, weight_image(crop_mask, feather), colour_match,
                         feather)


def result_layer(plan: CompositePlan, result: Image.Image, place: Box | None = None) -> Image.Image:
    """What lies on top over `plan.rect` before blending: `result` resampled onto the part of
    `place` (the whole frame by default) inside the rect, the original elsewhere, its colours
    matched to the ring around the mask when the plan asks."""
    width, height = plan.size
    rect, mode = plan.rect, plan.mode
    place = place or (0, 0, width, height)
    top = plan.base.copy()
    inner = (max(rect[0], place[0]), max(rect[1], place[1]), min(rect[2], place[2]), min(rect[3], place[3]))
    if inner[0] < inner[2] and inner[1] < inner[3]:
        top.paste(result_in(result, place, inner).convert(mode), (inner[0] - rect[0], inner[1] - rect[1]))
    if plan.colour_match:
        top = Image.fromarray(match_colours(to_array(plan.base), to_array(top), plan.mask), mode)
    return top


def composite_patch(plan: CompositePlan, result: Image.Image, place: Box | None = None) -> Image.Image:
    """The composite over `plan.rect` (everywhere else it is the original's pixels): `result`
    covers `place` of the original (the whole frame by default), outside it the original shows.

    A large patch is made in bands of rows on every core (`core.parallel`): each band resamples
    its own box of the result, which may round a value inside the mask by 1 (as any box of the
    result does, see `result_in`); weight 0 still keeps the original's values exactly. Colour
    matching needs the whole ring at once and is done in one piece."""
    bands = _bands(plan)
    if plan.colour_match or len(bands) < 2:
        return Image.composite(result_layer(plan, result, place), plan.base, plan.weights)
    patch = Image.new(plan.mode, plan.base.size, None)  # not filled first: every band is pasted over it
    for (top, _bottom), band in zip(bands, map_pieces(lambda rows: _composite_band(plan, result, place, rows), bands)):
        patch.paste(band, (0, top))
    return patch


PARALLEL_BAND_PIXELS = 1_000_000  # a patch this large or more is composited in bands on every core


def _bands(plan: CompositePlan) -> list[tuple[int, int]]:
    """Rows (top, bottom) of the patch, one band per image thread, or one band for a small patch."""
    width, height = plan.base.size
    if width * height < PARALLEL_BAND_PIXELS or height < 2 * WORKERS:
        return [(0, height)]
    step = -(-height // (2 * WORKERS))  # two bands a thread: a busy core holds one back less
    return [(top, min(height, top + step)) for top in range(0, height, step)]


def _composite_band(plan: CompositePlan, result: Image.Image, place: Box | None, rows: tuple[int, int]) -> Image.Image:
    """Rows `rows` of `composite_patch`'s answer, made alone (for one image thread)."""
    top, bottom = rows
    left, rect_top, right, _ = plan.rect
    band = CompositePlan(plan.mode, plan.size, (left, rect_top + top, right, rect_top + bottom),
                         plan.base.crop((0, top, plan.base.width, bottom)), plan.mask[top:bottom],
                         plan.weights.crop((0, top, plan.weights.width, bottom)), False, plan.feather)
    return Image.composite(result_layer(band, result, place), band.base, band.weights)


def blend_values(original: np.ndarray, top: np.ndarray, weights: Image.Image) -> np.ndarray:
    """`top` over `original` (same shape and dtype: 8 or 16 bits, any number of bands) through
    `weights` (an "L" image, 255 = top). Where a weight is 0 the original's values are kept bit
    for bit; the feathered band is blended in the values' own space and depth."""
    weight = np.asarray(weights, dtype=np.float32) / 255.0
    if original.ndim == 3:
        weight = weight[..., None]
    base = original.astype(np.float32)
    blended = np.rint(base + (top.astype(np.float32) - base) * weight).astype(original.dtype)
    return np.where(weight == 0, original, blended)


def paste_patch(original: Image.Image, patch: Image.Image, rect: Box, *, into: Image.Image | None = None) -> Image.Image:
    """A new image: `original` (in RGB or RGBA) with `patch` at `rect`'s corner. `into`: a copy
    of `original` made ahead (same mode and values), pasted into instead of copying now."""
    mode = "RGBA" if original.mode == "RGBA" else "RGB"
    if into is not None and into.mode == mode and into.size == original.size:
        out = into
    else:
        out = original.convert(mode) if original.mode != mode else original.copy()
    if patch.width and patch.height:
        out.paste(patch, rect[:2])
    return out


def composite_region(
    original: Image.Image,
    result: Image.Image,
    mask: np.ndarray,
    *,
    place: Box | None = None,
    feather: float = 0.0,
    colour_match: bool = False,
) -> Image.Image:
    """`composite`, working only on the mask's bounds plus `region_margin`.

    Every weight outside the painted pixels is 0 (see `weight_image`), so outside their bounds
    the composite is the original: that part is copied, never resampled or blended. `result`
    covers `place` of the original (the whole frame by default, or the region that was sent);
    outside `place` the original shows. Returns a new image in the original's size and mode.
    """
    plan = plan_composite(original, mask, feather=feather, colour_match=colour_match)
    if plan is None:
        mode = "RGBA" if original.mode == "RGBA" else "RGB"
        return original.convert(mode) if original.mode != mode else original.copy()
    return paste_patch(original, composite_patch(plan, result, place), plan.rect)
