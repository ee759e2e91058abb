"""The guided filter (He, Sun and Tang), guided by a colour photo, evaluated only where needed.

Filtering a mask with the photo as guide fits, in every small window, the mask as a linear
function of the photo's colours; where the photo has an edge the filtered mask gets the same
edge, so a rough mask edge moves onto the object's real outline and takes its softness (hair,
fur, anti-aliased product edges). It is what "refine edge" and select object's full-resolution
pass rest on.

Two things keep it fast on camera-size photos:
- the coefficients are computed on a reduced copy and interpolated back (the "fast guided
  filter" of He and Sun, 2015): their maps are smooth, so little is lost;
- the full-resolution output is computed only in tiles that touch `weight` (the band where the
  mask may change), which for an outline is a small part of the photo.
Every step is an OpenCV call or a numpy ufunc on a tile, so no step holds the GIL for long.
"""

from __future__ import annotations

import math

import numpy as np

from desktop_editor.core.opencv import cv2
from desktop_editor.core.selection.common import StopCheck, check

TILE = 256
MAX_COEFFICIENT_PIXELS = 1_500_000  # the reduced copy the coefficients are fitted on, at most


def subsample_for(width: int, height: int, radius: int) -> int:
    """How much to reduce a (width x height) region before fitting: keeps the fit under about
    1.5 MP but never shrinks the window below a radius of about 2 pixels."""
    by_size = math.ceil(math.sqrt(width * height / MAX_COEFFICIENT_PIXELS))
    by_radius = max(1, radius // 2)
    return max(1, min(by_size, by_radius)) if by_size > 1 else 1


def guided_filter(
    guide: np.ndarray,
    mask: np.ndarray,
    weight: np.ndarray,
    radius: int,
    eps: float,
    *,
    gain: float = 1.0,
    subsample: int | None = None,
    stop: StopCheck = None,
) -> np.ndarray:
    """`mask` filtered with `guide` as the guide, blended in by `weight`.

    Args:
        guide: the photo, RGB uint8 (H, W, 3).
        mask: uint8 (H, W), 255 = selected.
        weight: uint8 (H, W): 255 takes the filtered value, 0 keeps the mask, values between blend.
        radius: window radius in full-resolution pixels.
        eps: regularisation (colours in 0..1): smaller follows the photo's edges more closely.
        gain: contrast around 0.5 applied to the filtered value; above 1 narrows a soft edge
            back towards the photo's own edge width.
        subsample: reduction for the coefficient fit (default: `subsample_for`).

    Returns:
        A new uint8 (H, W) mask; pixels where `weight` is 0 are exactly the input's.
    """
    height, width = mask.shape
    s = subsample or subsample_for(width, height, radius)
    low_w, low_h = max(1, round(width / s)), max(1, round(height / s))
    low_radius = max(1, round(radius / s))
    guide_low = cv2.resize(guide, (low_w, low_h), interpolation=cv2.INTER_AREA).astype(np.float32)
    guide_low *= np.float32(1 / 255)
    mask_low = cv2.resize(mask, (low_w, low_h), interpolation=cv2.INTER_AREA).astype(np.float32)
    mask_low *= np.float32(1 / 255)
    check(stop)
    coefficients = _coefficients(guide_low, mask_low, low_radius, eps)
    check(stop)
    return _apply(guide, mask, weight, coefficients, (width / low_w, height / low_h), gain, stop)


def _box(a: np.ndarray, radius: int) -> np.ndarray:
    return cv2.boxFilter(a, -1, (2 * radius + 1, 2 * radius + 1), borderType=cv2.BORDER_REFLECT)


def _coefficients(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """Per-pixel (a_r, a_g, a_b, b), window-averaged, so that q = a . I + b (float32, 4 channels).

    Every product and sum is an OpenCV call, which releases the GIL: numpy's operators on these
    arrays (a megapixel each) held it for 30-45 ms at a time, long enough to stall the window.
    """
    mul, sub, add = cv2.multiply, cv2.subtract, cv2.add

    def cov(x: np.ndarray, y: np.ndarray, mean_x: np.ndarray, mean_y: np.ndarray) -> np.ndarray:
        return sub(_box(mul(x, y), radius), mul(mean_x, mean_y))

    def cross(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
        return sub(mul(a, b), mul(c, d))

    def dot3(a, b, c, x, y, z) -> np.ndarray:
        return add(add(mul(a, x), mul(b, y)), mul(c, z))

    r, g, b = cv2.split(guide)
    mean_r, mean_g, mean_b, mean_p = (_box(x, radius) for x in (r, g, b, src))
    cov_rp, cov_gp, cov_bp = cov(r, src, mean_r, mean_p), cov(g, src, mean_g, mean_p), cov(b, src, mean_b, mean_p)
    regular = np.full(r.shape, eps, np.float32)
    var_rr = add(cov(r, r, mean_r, mean_r), regular)
    var_rg = cov(r, g, mean_r, mean_g)
    var_rb = cov(r, b, mean_r, mean_b)
    var_gg = add(cov(g, g, mean_g, mean_g), regular)
    var_gb = cov(g, b, mean_g, mean_b)
    var_bb = add(cov(b, b, mean_b, mean_b), regular)
    # The inverse of the symmetric 3x3 covariance, by cofactors.
    inv_rr = cross(var_gg, var_bb, var_gb, var_gb)
    inv_rg = cross(var_gb, var_rb, var_rg, var_bb)
    inv_rb = cross(var_rg, var_gb, var_gg, var_rb)
    inv_gg = cross(var_rr, var_bb, var_rb, var_rb)
    inv_gb = cross(var_rb, var_rg, var_rr, var_gb)
    inv_bb = cross(var_rr, var_gg, var_rg, var_rg)
    det = dot3(inv_rr, inv_rg, inv_rb, var_rr, var_rg, var_rb)
    a_r = cv2.divide(dot3(inv_rr, inv_rg, inv_rb, cov_rp, cov_gp, cov_bp), det)
    a_g = cv2.divide(dot3(inv_rg, inv_gg, inv_gb, cov_rp, cov_gp, cov_bp), det)
    a_b = cv2.divide(dot3(inv_rb, inv_gb, inv_bb, cov_rp, cov_gp, cov_bp), det)
    offset = sub(mean_p, dot3(a_r, a_g, a_b, mean_r, mean_g, mean_b))
    return cv2.merge([_box(x, radius) for x in (a_r, a_g, a_b, offset)])


def _apply(
    guide: np.ndarray, mask: np.ndarray, weight: np.ndarray, coefficients: np.ndarray,
    scale: tuple[float, float], gain: float, stop: StopCheck,
) -> np.ndarray:
    """q = a . I + b at full resolution, tile by tile, only in tiles that `weight` touches."""
    height, width = mask.shape
    out = mask.copy()
    sx, sy = scale
    low_h, low_w = coefficients.shape[:2]
    # q scaled to 0..255 with the gain about the middle: 255 * (gain * (q - 0.5) + 0.5)
    to_byte = np.array([[255 * gain] * 3 + [255 * gain]], np.float32)
    shift = np.float32(127.5 * (1 - gain))
    for ty in range(0, height, TILE):
        check(stop)
        for tx in range(0, width, TILE):
            w_tile = weight[ty : ty + TILE, tx : tx + TILE]
            if not cv2.countNonZero(w_tile):
                continue
            th, tw = w_tile.shape
            # cv2.resize's INTER_LINEAR sampling of the coefficients, for this tile only.
            warp = np.array([[1 / sx, 0, (tx + 0.5) / sx - 0.5], [0, 1 / sy, (ty + 0.5) / sy - 0.5]], np.float64)
            coef = cv2.warpAffine(coefficients, warp, (tw, th), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                  borderMode=cv2.BORDER_REPLICATE)
            pixels = guide[ty : ty + th, tx : tx + tw].astype(np.float32)
            pixels *= np.float32(1 / 255)
            products = cv2.multiply(coef, cv2.merge([*cv2.split(pixels), np.ones((th, tw), np.float32)]))
            q = cv2.transform(products, to_byte)
            q = q[..., 0] if q.ndim == 3 else q
            q += shift
            np.clip(q, 0, 255, out=q)
            filtered = (q + 0.5).astype(np.uint8)
            region = out[ty : ty + th, tx : tx + tw]
            w = w_tile.astype(np.float32) * np.float32(1 / 255)
            blended = region.astype(np.float32) * (1 - w) + filtered.astype(np.float32) * w
            region[...] = (blended + 0.5).astype(np.uint8)
    return out
