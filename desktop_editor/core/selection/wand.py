"""Magic wand: the region of colours similar to the clicked one, contiguous or image-wide.

Similarity is the largest per-channel difference from the clicked colour (what other editors'
"tolerance" means: 0 selects one exact colour, 255 everything). The clicked colour is the mean
of a small square around the click, so one noisy pixel of a photo does not decide it.

The edge is anti-aliased from the photo itself: a pixel just outside the region whose colour
lies between the clicked colour and its farthest neighbour's is partly selected, in proportion
(a pixel half of each colour gets about half). So the soft edge follows the photo's own
anti-aliasing instead of being a blur of a stair-stepped outline.

Each click makes one `WandClick`, which keeps the distance of every pixel's colour to the
clicked colour; changing the tolerance then costs a threshold and a flood fill, which is what
lets the tolerance slider preview live. All steps are OpenCV calls, which release the GIL.
"""

from __future__ import annotations

import numpy as np

from desktop_editor.core.opencv import cv2
from desktop_editor.core.selection.common import Bounds, StopCheck, check, nonzero_rect

DEFAULT_TOLERANCE = 32
_NEIGHBOURS = np.ones((3, 3), np.uint8)


class PhotoPlanes:
    """The photo split into R, G and B planes once, so each click only compares planes.

    Kept by the canvas for as long as the photo is open: splitting a 24 MP photo costs tens of
    milliseconds, comparing three planes with a colour a few.
    """

    def __init__(self, photo: np.ndarray):
        if photo.ndim != 3 or photo.shape[2] < 3:
            raise ValueError("the photo must be an RGB array (H, W, 3)")
        self.planes: tuple[np.ndarray, ...] = tuple(cv2.split(np.ascontiguousarray(photo[..., :3])))
        self.height, self.width = self.planes[0].shape

    def colour_at(self, x: int, y: int, sample_radius: int = 1) -> tuple[int, int, int]:
        """The mean colour of the (2r+1)^2 square around (x, y), clipped to the image."""
        x0, y0 = max(0, x - sample_radius), max(0, y - sample_radius)
        x1, y1 = min(self.width, x + sample_radius + 1), min(self.height, y + sample_radius + 1)
        return tuple(int(round(float(p[y0:y1, x0:x1].mean()))) for p in self.planes)  # type: ignore[return-value]

    def distance(self, colour: tuple[int, int, int]) -> np.ndarray:
        """Largest per-channel difference of every pixel from `colour`, uint8 (H, W)."""
        out = cv2.absdiff(self.planes[0], np.full(1, colour[0], np.uint8))
        for plane, value in zip(self.planes[1:], colour[1:]):
            cv2.max(out, cv2.absdiff(plane, np.full(1, value, np.uint8)), dst=out)
        return out


class WandClick:
    """One wand click: the clicked colour and every pixel's distance to it.

    `select(tolerance, ...)` can be called again and again with other settings (live preview)
    without recomputing the distances.
    """

    def __init__(self, photo: np.ndarray | PhotoPlanes, x: int, y: int, *, sample_radius: int = 1):
        planes = photo if isinstance(photo, PhotoPlanes) else PhotoPlanes(photo)
        if not (0 <= x < planes.width and 0 <= y < planes.height):
            raise ValueError(f"({x}, {y}) is outside the {planes.width}x{planes.height} image")
        self.x, self.y = int(x), int(y)
        self.colour = planes.colour_at(self.x, self.y, sample_radius)
        self.distance = planes.distance(self.colour)

    def select(
        self, tolerance: int = DEFAULT_TOLERANCE, *, contiguous: bool = True, antialias: bool = True,
        stop: StopCheck = None,
    ) -> tuple[Bounds, np.ndarray]:
        """The selection's bounds and its 0..255 values inside them (the clicked pixel always in).

        `contiguous` keeps only the similar pixels 4-connected to the click; without it every
        similar pixel of the image is selected (select by colour range).
        """
        tolerance = int(min(255, max(0, tolerance)))
        _, similar = cv2.threshold(self.distance, tolerance, 255, cv2.THRESH_BINARY_INV)
        similar[self.y, self.x] = 255  # the clicked pixel, even if the averaged colour is far from it
        check(stop)
        height, width = similar.shape
        if contiguous:
            flood = np.zeros((height + 2, width + 2), np.uint8)
            flags = 4 | cv2.FLOODFILL_FIXED_RANGE | cv2.FLOODFILL_MASK_ONLY | (255 << 8)
            _, _, _, (rx, ry, rw, rh) = cv2.floodFill(similar, flood, (self.x, self.y), 0, 0, 0, flags)
            region = flood[1:-1, 1:-1]
            bounds: Bounds = (rx, ry, rx + rw, ry + rh)
        else:
            region = similar
            bounds = nonzero_rect(similar) or (self.x, self.y, self.x + 1, self.y + 1)
        if antialias:
            bounds = (max(0, bounds[0] - 1), max(0, bounds[1] - 1), min(width, bounds[2] + 1), min(height, bounds[3] + 1))
        x0, y0, x1, y1 = bounds
        selection = np.ascontiguousarray(region[y0:y1, x0:x1])
        if antialias:
            check(stop)
            selection = _soft_edge(selection, self.distance, bounds)
        return bounds, selection


def magic_wand(
    photo: np.ndarray | PhotoPlanes, x: int, y: int, tolerance: int = DEFAULT_TOLERANCE, *,
    contiguous: bool = True, antialias: bool = True, sample_radius: int = 1,
) -> tuple[Bounds, np.ndarray]:
    """One click of the wand at (x, y): see `WandClick.select`."""
    return WandClick(photo, x, y, sample_radius=sample_radius).select(
        tolerance, contiguous=contiguous, antialias=antialias)


def _soft_edge(region: np.ndarray, distance: np.ndarray, bounds: Bounds) -> np.ndarray:
    """`region` (0/255, the crop `bounds` of the image) with the ring of pixels just outside it
    partly selected.

    A ring pixel's share is 1 - d / d_far, where d is its colour distance to the clicked colour
    and d_far the largest among its 3x3 neighbours (the colour on the far side of the edge).
    """
    x0, y0, x1, y1 = bounds
    height, width = distance.shape
    # The neighbours of the crop's outermost pixels lie one pixel beyond it.
    ox0, oy0, ox1, oy1 = max(0, x0 - 1), max(0, y0 - 1), min(width, x1 + 1), min(height, y1 + 1)
    far = cv2.dilate(distance[oy0:oy1, ox0:ox1], _NEIGHBOURS)[y0 - oy0 : y0 - oy0 + y1 - y0, x0 - ox0 : x0 - ox0 + x1 - x0]
    near = distance[y0:y1, x0:x1]
    ring = cv2.subtract(cv2.dilate(region, _NEIGHBOURS), region)
    share = cv2.subtract(np.full(1, 255, np.uint8), cv2.divide(near, np.ascontiguousarray(far), scale=255))
    return cv2.max(region, cv2.bitwise_and(share, ring))
