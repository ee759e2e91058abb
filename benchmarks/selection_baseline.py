"""The reference the shipped selection is compared with: plain OpenCV GrabCut.

One `cv2.grabCut` pass initialised with the box, on a copy of the box's region (plus 10%)
reduced to about 0.35 MP, 5 iterations, then the same guided-filter edge refinement at full
resolution as the shipped pipeline. It is what issue 29 measured at 0.96 or more on photos the
previous pipeline had never seen, so the benchmark prints it beside what ships.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from desktop_editor.core.selection.refine import refine_in_band

WORKING_PIXELS = 350_000
ITERATIONS = 5
MARGIN = 0.1


def plain_grabcut(photo: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The object's mask (uint8 (H, W)) inside `box` (x, y, w, h), by one plain GrabCut pass."""
    height, width = photo.shape[:2]
    x, y, w, h = box
    margin = max(8, int(MARGIN * max(w, h)))
    rx0, ry0 = max(0, x - margin), max(0, y - margin)
    rx1, ry1 = min(width, x + w + margin), min(height, y + h + margin)
    roi = photo[ry0:ry1, rx0:rx1]
    scale = min(1.0, math.sqrt(WORKING_PIXELS / float(roi.shape[0] * roi.shape[1])))
    low_w, low_h = max(1, round(roi.shape[1] * scale)), max(1, round(roi.shape[0] * scale))
    low = cv2.resize(roi, (low_w, low_h), interpolation=cv2.INTER_AREA) if scale < 1 else roi.copy()
    rect = (int((x - rx0) * scale), int((y - ry0) * scale), max(1, int(w * scale)), max(1, int(h * scale)))
    labels = np.zeros((low_h, low_w), np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)
    cv2.grabCut(low, labels, rect, bgd, fgd, ITERATIONS, cv2.GC_INIT_WITH_RECT)
    object_low = np.where((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    soft = cv2.resize(object_low, (rx1 - rx0, ry1 - ry0), interpolation=cv2.INTER_LINEAR)
    if scale < 1:
        outline = cv2.morphologyEx(object_low, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
        weight = cv2.resize(outline, (rx1 - rx0, ry1 - ry0), interpolation=cv2.INTER_LINEAR)
        soft = refine_in_band(roi, soft, weight, band_px=max(3.0, 1.5 / scale))
    mask = np.zeros((height, width), np.uint8)
    mask[ry0:ry1, rx0:rx1] = soft
    return mask
