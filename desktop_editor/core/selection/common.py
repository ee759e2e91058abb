"""What the selection algorithms share: the photo's array form, cancellation, bounds."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from desktop_editor.core.opencv import cv2
from desktop_editor.core.pixels import to_array

Bounds = tuple[int, int, int, int]  # half-open (x0, y0, x1, y1), as in core.mask_ops
StopCheck = Callable[[], bool] | None


class SelectionError(ValueError):
    """A selection that cannot be made (a box outside the image, ...); str() is for the designer."""


class Cancelled(Exception):
    """Raised between steps when the caller's stop check says the result is no longer wanted."""


def check(stop: StopCheck) -> None:
    """Raise Cancelled when `stop` says so: called between the heavy steps of an algorithm."""
    if stop is not None and stop():
        raise Cancelled()


def photo_array(img: Image.Image) -> np.ndarray:
    """The photo as the algorithms take it: RGB uint8 (H, W, 3), converted in strips (GIL)."""
    if img.mode != "RGB":
        img = img.convert("RGB")
    return to_array(img)


def nonzero_rect(mask: np.ndarray) -> Bounds | None:
    """Bounds of the non-zero pixels of a uint8 mask, or None; OpenCV's scan, GIL released."""
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0 or h == 0:
        return None
    return x, y, x + w, y + h


def has_edge(mask: np.ndarray) -> bool:
    """Whether a uint8 mask has an outline to refine (neither empty nor full): one pass of
    OpenCV's min/max, GIL released, instead of numpy's temporary arrays on a 24 MP mask."""
    low, high, _, _ = cv2.minMaxLoc(mask)
    return high > 0 and low < 255


def expand(bounds: Bounds, by: int, width: int, height: int) -> Bounds:
    """`bounds` grown by `by` pixels on every side, clipped to the image."""
    x0, y0, x1, y1 = bounds
    return max(0, x0 - by), max(0, y0 - by), min(width, x1 + by), min(height, y1 + by)


def disc(radius: int) -> np.ndarray:
    """A round structuring element of the given radius for OpenCV's morphology."""
    size = 2 * max(0, int(radius)) + 1
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
