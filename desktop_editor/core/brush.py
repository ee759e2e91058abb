"""The brush: round, soft-edged dabs swept along the pointer's path into a mask.

`paint_segment` paints in place because it runs once per mouse event while the designer draws
and must not copy a 33-megapixel mask each time; `Stroke` keeps one stroke's coverage so
segments meeting at a point do not build up. Masks are the core form (uint8 (H, W), 255 = edit);
bounds are half-open ``(x0, y0, x1, y1)`` rectangles, as in mask_ops.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from desktop_editor.core.stroke_tiles import TILE, StrokeTiles

Bounds = tuple[int, int, int, int]  # half-open (x0, y0, x1, y1), as in core.mask_ops


def segment_bounds(
    shape: tuple[int, int], a: tuple[float, float], b: tuple[float, float], radius: float
) -> Bounds | None:
    """The pixels a brush segment from a to b with `radius` can touch, clipped to the mask."""
    height, width = shape
    x0 = max(0, int(math.floor(min(a[0], b[0]) - radius)))
    y0 = max(0, int(math.floor(min(a[1], b[1]) - radius)))
    x1 = min(width, int(math.ceil(max(a[0], b[0]) + radius)) + 1)
    y1 = min(height, int(math.ceil(max(a[1], b[1]) + radius)) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def segment_alpha(
    bounds: Bounds,
    a: tuple[float, float],
    b: tuple[float, float],
    r0: float,
    r1: float | None = None,
    hardness: float = 1.0,
) -> np.ndarray:
    """Brush coverage 0..255 over `bounds` for a round brush swept from a to b.

    The footprint is the exact swept disc (a capsule), not a row of stamped dabs, so a stroke is
    continuous at any mouse speed and has no scalloped edges. The radius goes from r0 at a to
    r1 at b (tablet pressure). A pixel is covered by how far its centre lies from the segment:
    hardness 1 is a hard edge (centre within the radius = 255, else 0, the footprint the service
    gets anyway); lower hardness fades out over the outer (1 - hardness) of the radius with a
    smoothstep, never over less than one pixel so small soft brushes stay anti-aliased.
    """
    r1 = r0 if r1 is None else r1
    x0, y0, x1, y1 = bounds
    ax, ay = a
    px = np.arange(x0, x1, dtype=np.float32)
    px += np.float32(0.5 - ax)
    py = np.arange(y0, y1, dtype=np.float32)[:, None]
    py += np.float32(0.5 - ay)
    dx, dy = b[0] - ax, b[1] - ay
    length2 = dx * dx + dy * dy
    if length2 > 1e-12:
        # In float32, each step rounded as in `px - t * dx` (a - b is a + -b exactly), but into
        # as few fresh arrays as possible: this runs on every mouse move of a stroke.
        t = np.add(px * np.float32(dx / length2), py * np.float32(dy / length2))
        np.maximum(t, np.float32(0.0), out=t)
        np.minimum(t, np.float32(1.0), out=t)
        ex = np.multiply(t, np.float32(-dx))
        ex += px
        ey = np.multiply(t, np.float32(-dy))
        ey += py
        ex *= ex
        ey *= ey
        dist2 = ex
        dist2 += ey
        radius = np.float32(r0) + t * np.float32(r1 - r0) if r1 != r0 else None
    else:
        dist2 = px * px + py * py
        radius = None
        r0 = r1 = max(r0, r1)
    if radius is None:  # constant radius: the common case, via a lookup table of the falloff
        if hardness >= 1.0:
            return np.where(dist2 <= np.float32(r0 * r0), np.uint8(255), np.uint8(0))
        table, scale = _falloff_table(float(r0), float(hardness))
        index = dist2  # dist2 is this call's own array: scaled in place
        index *= np.float32(scale)
        np.minimum(index, np.float32(len(table) - 1), out=index)
        return table.take(index.astype(np.int32))
    if hardness >= 1.0:
        return np.where(dist2 <= radius * radius, np.uint8(255), np.uint8(0))
    ramp = np.maximum(radius * np.float32(1.0 - max(0.0, hardness)), np.float32(1.0))
    v = ((radius - np.sqrt(dist2)) / ramp).clip(0.0, 1.0)
    v = v * v * (3.0 - 2.0 * v)
    return (v * 255.0 + 0.5).astype(np.uint8)


_FALLOFF_STEPS = 4096


@lru_cache(maxsize=64)
def _falloff_table(radius: float, hardness: float) -> tuple[np.ndarray, float]:
    """Coverage by squared distance for a soft brush: the same smoothstep, computed once.

    Indexed by dist^2 * scale; 4096 steps over the disc keep every value within one of the
    exact formula (checked by the tests), and the stroke avoids a square root per pixel.
    """
    steps = _FALLOFF_STEPS
    scale = (steps - 1) / (radius * radius) if radius > 0 else 0.0
    d = np.sqrt((np.arange(steps, dtype=np.float64) + 0.5) / scale) if scale else np.zeros(steps)
    ramp = max(radius * (1.0 - max(0.0, hardness)), 1.0)
    v = np.clip((radius - d) / ramp, 0.0, 1.0)
    v = v * v * (3.0 - 2.0 * v)
    table = (v * 255.0 + 0.5).astype(np.uint8)
    table = np.append(table, np.uint8(0))  # beyond the radius
    return table, scale


def paint_segment(
    mask: np.ndarray,
    a: tuple[float, float],
    b: tuple[float, float],
    r0: float,
    r1: float | None = None,
    *,
    hardness: float = 1.0,
    erase: bool = False,
) -> Bounds | None:
    """Paint (or erase) one brush segment into `mask` IN PLACE; returns the bounds it may have changed.

    Painting keeps the larger of the mask and the brush coverage, erasing caps the mask at
    255 - coverage. Both are idempotent and order-independent within a stroke, so overlapping
    segments never build up darker joints and a hard eraser restores exactly 0.
    """
    r1 = r0 if r1 is None else r1
    bounds = segment_bounds(mask.shape, a, b, max(r0, r1))
    if bounds is None:
        return None
    alpha = segment_alpha(bounds, a, b, r0, r1, hardness)
    x0, y0, x1, y1 = bounds
    region = mask[y0:y1, x0:x1]
    if erase:
        np.minimum(region, 255 - alpha, out=region)
    else:
        np.maximum(region, alpha, out=region)
    return bounds


class Stroke:
    """One brush stroke with opacity and flow, composited over the mask as it was when it began.

    Like a paint program's brush: the stroke keeps its own coverage (0..255). With full flow the
    coverage is the swept brush footprint (`segment_alpha`, no build-up where segments meet);
    with less flow the brush lays dabs at a fixed spacing along the path (a tenth of its
    diameter, independent of how often the mouse reports) and each dab adds `flow` of what is
    left, so going over an area again within the stroke builds it up smoothly. Opacity caps the
    coverage. The stroke is then laid over the mask as it was before the stroke ("normal"
    blending: before + (255 - before) * coverage), so strokes build up on each other while a
    stroke never builds up on itself; the eraser takes coverage away the same way.

    Works IN PLACE on `mask`, touching only the area painted; the before-image and coverage are
    kept as 64x64 tiles (`StrokeTiles`) so a dab touches a few small blocks already in memory
    rather than a page per row of two fresh full-size arrays; the tiles around the brush stay
    gathered in one small pair of arrays while the stroke moves within them.
    """

    TILE = TILE

    def __init__(self, mask: np.ndarray, *, hardness: float = 1.0, opacity: float = 1.0, flow: float = 1.0,
                 erase: bool = False, spacing: float = 0.1):
        self.mask = mask
        self.hardness = float(hardness)
        self.opacity = max(0.0, min(1.0, float(opacity)))
        self.flow = max(0.0, min(1.0, float(flow)))
        self.erase = bool(erase)
        self.spacing = float(spacing)
        self._tiles = StrokeTiles(mask)
        self._to_next_dab = 0.0  # path length left before the next dab (flow below 1)

    def segment(self, a: tuple[float, float], b: tuple[float, float], ra: float, rb: float | None = None) -> Bounds | None:
        """Paint the brush from a to b (radius ra to rb); returns the bounds that may have changed."""
        rb = ra if rb is None else rb
        bounds = segment_bounds(self.mask.shape, a, b, max(ra, rb))
        if bounds is None:
            return None
        origin, cover, before = self._tiles.window(bounds)
        x0, y0, x1, y1 = bounds
        ox, oy = origin
        if self.flow >= 1.0:
            here = cover[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
            np.maximum(here, segment_alpha(bounds, a, b, ra, rb, self.hardness), out=here)
        else:
            self._dabs(a, b, ra, rb, origin, cover)
        self._composite(bounds, origin, cover, before)
        return bounds

    def _dabs(self, a: tuple[float, float], b: tuple[float, float], ra: float, rb: float,
              origin: tuple[int, int], cover_window: np.ndarray) -> None:
        length = math.hypot(b[0] - a[0], b[1] - a[1])
        distance = self._to_next_dab
        ox, oy = origin
        while distance <= length:
            t = distance / length if length > 0 else 0.0
            p = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
            r = ra + (rb - ra) * t
            dab = segment_bounds(self.mask.shape, p, p, r)
            if dab is not None:
                x0, y0, x1, y1 = dab
                alpha = segment_alpha(dab, p, p, r, r, self.hardness).astype(np.uint32)
                cover = cover_window[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
                add = ((255 - cover.astype(np.uint32)) * alpha * round(self.flow * 255) + 32512) // 65025
                cover += add.astype(np.uint8)
            distance += max(0.5, self.spacing * 2 * r)
            if length == 0:
                break
        self._to_next_dab = distance - length

    def _composite(self, bounds: Bounds, origin: tuple[int, int], cover_window: np.ndarray,
                   before_window: np.ndarray) -> None:
        x0, y0, x1, y1 = bounds
        ox, oy = origin
        before = before_window[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
        cover = cover_window[y0 - oy:y1 - oy, x0 - ox:x1 - ox].astype(np.uint16)  # byte products fit in 16 bits
        if self.opacity < 1.0:
            cover *= round(self.opacity * 255)
            cover += 127
            cover //= 255
        if self.erase:
            cover *= before  # before * coverage
        else:
            cover *= 255 - before  # (255 - before) * coverage
        cover += 127
        cover //= 255
        out = self.mask[y0:y1, x0:x1]
        if self.erase:
            np.subtract(before, cover, out=out, casting="unsafe")
        else:
            np.add(before, cover, out=out, casting="unsafe")


# ---------------------------------------------------------------------------------------------
# Regions
