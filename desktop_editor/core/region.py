"""Sending only the region around the mask, and putting the answer back.

A designer who fixes a small part of a 6000x4000 photo gets far more detail when only the region
around the mask goes to the model (the service scales large inputs down); the result is then
pasted back into the full image.
"""

from __future__ import annotations

import numpy as np

from desktop_editor.core.mask_ops import Bounds as Box
from desktop_editor.core.mask_ops import nonzero_bounds
from desktop_editor.core.params import MAX_ASPECT

MIN_REGION_EDGE = 256


def _widen(lo: int, hi: int, want: int, limit: int) -> tuple[int, int]:
    """Grow [lo, hi) to `want` long around its centre, shifted to stay within [0, limit)."""
    want = min(want, limit)
    extra = want - (hi - lo)
    if extra <= 0:
        return lo, hi
    lo -= extra // 2
    hi = lo + want
    if lo < 0:
        lo, hi = 0, want
    if hi > limit:
        lo, hi = limit - want, limit
    return lo, hi


def region_box(mask: np.ndarray, padding: int) -> Box | None:
    """The box to send: the mask's bounds plus `padding`, at least 256 px a side, aspect within 3:1."""
    bounds = nonzero_bounds(mask)
    if bounds is None:
        return None
    height, width = mask.shape
    left, top, right, bottom = bounds
    left, top = max(0, left - padding), max(0, top - padding)
    right, bottom = min(width, right + padding), min(height, bottom + padding)
    left, right = _widen(left, right, MIN_REGION_EDGE, width)
    top, bottom = _widen(top, bottom, MIN_REGION_EDGE, height)
    w, h = right - left, bottom - top
    if w > h * MAX_ASPECT:
        top, bottom = _widen(top, bottom, int(np.ceil(w / MAX_ASPECT)), height)
    elif h > w * MAX_ASPECT:
        left, right = _widen(left, right, int(np.ceil(h / MAX_ASPECT)), width)
    return left, top, right, bottom
