"""Refine edge: snap a mask's soft edge to the photo's edges within a band of N pixels.

The band is every pixel within N pixels of the mask's outline (its 50% line), optionally limited
to where a refine brush went (`refine_stroke` works on the stroke's part of the photo only). Inside it the mask is replaced by the guided filter of the mask
with the photo as guide (see `guided`): the outline moves onto the nearest real edge and takes
its softness. Outside the band nothing changes, and the band's own border fades over a couple of
pixels so no seam appears where the refined part meets the rest.
"""

from __future__ import annotations

import math

import numpy as np

from desktop_editor.core.opencv import cv2
from desktop_editor.core.selection.common import Bounds, StopCheck, check, expand, nonzero_rect
from desktop_editor.core.selection.guided import guided_filter

MAX_BAND = 200
DEFAULT_BAND = 8
EPS = 1e-4  # guided filter regularisation (colours in 0..1): small follows the photo's edges closely
GAIN = 2.0  # narrows the filter's soft ramp back towards the photo's own edge width
_BAND_PIXELS = 4_000_000  # the band is found on a copy of the mask reduced to about this size


def edge_band(mask: np.ndarray, band_px: float) -> np.ndarray:
    """Weight (uint8 (H, W)) of the pixels within `band_px` of the mask's outline: 255 inside
    the band, fading to 0 over about one pixel beyond it (more on huge masks, which are
    measured on a reduced copy)."""
    height, width = mask.shape
    s = max(1, int(math.sqrt(height * width / _BAND_PIXELS)))
    low = mask if s == 1 else cv2.resize(mask, (max(1, width // s), max(1, height // s)), interpolation=cv2.INTER_AREA)
    _, inside = cv2.threshold(low, 127, 255, cv2.THRESH_BINARY)
    if not cv2.countNonZero(inside) or cv2.countNonZero(inside) == inside.size:
        return np.zeros_like(mask)
    outside = cv2.bitwise_not(inside)
    # Distance of every pixel to the other side: each transform is zero on the side it does not measure.
    distance = cv2.distanceTransform(inside, cv2.DIST_L2, 5) + cv2.distanceTransform(outside, cv2.DIST_L2, 5)
    reach = band_px / s
    weight = np.clip((reach + 1.0 - distance) * 255.0, 0, 255).astype(np.uint8)
    if s > 1:
        weight = cv2.resize(weight, (width, height), interpolation=cv2.INTER_LINEAR)
    return weight


def refine_edge(
    photo: np.ndarray,
    mask: np.ndarray,
    band_px: float = DEFAULT_BAND,
    *,
    region: np.ndarray | None = None,
    eps: float = EPS,
    gain: float = GAIN,
    stop: StopCheck = None,
) -> np.ndarray:
    """The mask with its edge snapped to the photo's edges within `band_px` pixels of its outline.

    Args:
        photo: RGB uint8 (H, W, 3), the same size as the mask.
        mask: uint8 (H, W), 255 = edit.
        band_px: how far from the outline the edge may move (1 to 200).
        region: optional uint8 (H, W) weight limiting the change (a refine brush's stroke).

    Returns:
        A new mask; unchanged (a copy) when it has no outline (empty or full) or the region
        misses it.
    """
    if photo.shape[:2] != mask.shape:
        raise ValueError(f"photo {photo.shape[1]}x{photo.shape[0]} and mask {mask.shape[1]}x{mask.shape[0]} differ")
    band_px = float(min(MAX_BAND, max(1.0, band_px)))
    weight = edge_band(mask, band_px)
    if region is not None:
        cv2.min(weight, region, dst=weight)
    check(stop)
    return refine_in_band(photo, mask, weight, band_px, eps=eps, gain=gain, stop=stop)


def refine_in_band(
    photo: np.ndarray,
    mask: np.ndarray,
    weight: np.ndarray,
    band_px: float,
    *,
    eps: float = EPS,
    gain: float = GAIN,
    stop: StopCheck = None,
) -> np.ndarray:
    """The guided-filter step of `refine_edge` for a band the caller already knows (`weight`,
    uint8 (H, W)): select object derives it from its reduced result instead of measuring it."""
    bounds = nonzero_rect(weight)
    if bounds is None:
        return mask.copy()
    radius = max(2, int(round(band_px)))
    height, width = mask.shape
    x0, y0, x1, y1 = expand(bounds, 2 * radius, width, height)
    refined = guided_filter(
        photo[y0:y1, x0:x1], mask[y0:y1, x0:x1], weight[y0:y1, x0:x1], radius, eps, gain=gain, stop=stop)
    out = mask.copy()
    out[y0:y1, x0:x1] = refined
    return out


def stroke_bounds(points, radius: float, width: int, height: int) -> Bounds | None:
    """The pixels a round brush of `radius` covers along `points` (image pixels), clipped to
    the image; None when it misses it."""
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, y0 = max(0, math.floor(min(xs) - radius)), max(0, math.floor(min(ys) - radius))
    x1, y1 = min(width, math.ceil(max(xs) + radius) + 1), min(height, math.ceil(max(ys) + radius) + 1)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def refine_stroke(
    photo: np.ndarray,
    mask: np.ndarray,
    points,
    radius: float,
    band_px: float = DEFAULT_BAND,
    *,
    stop: StopCheck = None,
) -> tuple[Bounds, np.ndarray] | None:
    """Refine edge under a brush stroke: the mask's edge snapped to the photo's edges only where
    a round brush of `radius` went along `points` (image pixels, (x, y)).

    Only the stroke's part of the photo is looked at (with the band and the filter's reach
    around it), so a stroke costs the same on a 24 MP photo as on a small one.

    Returns:
        The rectangle (x0, y0, x1, y1) the stroke may change and its new pixels (uint8), or
        None when the stroke misses the image. Outside the stroke the pixels are the mask's.
    """
    height, width = mask.shape
    band_px = float(min(MAX_BAND, max(1.0, band_px)))
    covered = stroke_bounds(points, radius, width, height)
    if covered is None:
        return None
    # Distances to the outline reach band_px beyond the stroke, the filter twice its radius more.
    x0, y0, x1, y1 = expand(covered, int(math.ceil(3 * band_px)) + 4, width, height)
    region = np.zeros((y1 - y0, x1 - x0), np.uint8)
    shift = 4  # cv2's fixed-point coordinates: a sixteenth of a pixel
    pts = np.array([[(x - x0) * (1 << shift), (y - y0) * (1 << shift)] for x, y in points], np.float64)
    pts = np.round(pts - (1 << (shift - 1))).astype(np.int32).reshape(-1, 1, 2)  # pixel centres
    r = max(1, round(radius))
    if len(pts) == 1:
        cv2.circle(region, tuple(int(v) for v in pts[0, 0]), r << shift, 255, -1, cv2.LINE_AA, shift)
    else:
        cv2.polylines(region, [pts], False, 255, 2 * r, cv2.LINE_AA, shift)
    check(stop)
    refined = refine_edge(photo[y0:y1, x0:x1], mask[y0:y1, x0:x1], band_px, region=region, stop=stop)
    return (x0, y0, x1, y1), refined
