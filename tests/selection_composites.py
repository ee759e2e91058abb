"""Composites with a known mask, made from real photos, for the selection tests and benchmark.

An object region of one real photo is cut out with an irregular shape (a blob whose radius
varies with several harmonics, anti-aliased by 4x4 supersampling) and pasted onto another real
photo. The cut's alpha is the ground truth; the composite is what a designer would open.
The photos are scikit-image's bundled samples, copied into tests/data (public domain).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@dataclass(frozen=True)
class Composite:
    name: str
    photo: np.ndarray  # RGB uint8 (H, W, 3)
    truth: np.ndarray  # uint8 (H, W), 255 = the pasted object
    box: tuple[int, int, int, int]  # x, y, w, h: the object's bounds with a small margin


# name: (object photo, centre of the cut in it, background photo, where it lands, radius, seed)
PAIRS = {
    "cat on astronaut": ("chelsea.png", (150, 150), "astronaut.png", (330, 300), 95, 1),
    "astronaut on rocket": ("astronaut.png", (220, 150), "rocket.jpg", (420, 250), 105, 2),
    "coffee on cat": ("sample.jpg", (300, 160), "chelsea.png", (250, 150), 90, 3),
}


def load_photo(name: str) -> np.ndarray:
    path = DATA / name if (DATA / name).exists() else ROOT / "desktop_editor" / "resources" / name
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB")).copy()


def blob_outline(centre: tuple[float, float], radius: float, seed: int, points: int = 360) -> list[tuple[float, float]]:
    """An irregular closed outline: radius * (1 + sum of a few random harmonics)."""
    rng = np.random.default_rng(seed)
    harmonics = [(k, rng.uniform(0.04, 0.12), rng.uniform(0, 2 * math.pi)) for k in range(2, 8)]
    outline = []
    for i in range(points):
        t = 2 * math.pi * i / points
        r = radius * (1 + sum(a * math.cos(k * t + phase) for k, a, phase in harmonics))
        outline.append((centre[0] + r * math.cos(t), centre[1] + r * math.sin(t)))
    return outline


def shape_alpha(size: tuple[int, int], outline: list[tuple[float, float]], factor: int = 4) -> np.ndarray:
    """Anti-aliased coverage (uint8) of a polygon on a (width, height) canvas."""
    width, height = size
    canvas = Image.new("L", (width * factor, height * factor), 0)
    ImageDraw.Draw(canvas).polygon([(x * factor, y * factor) for x, y in outline], fill=255)
    big = np.asarray(canvas, dtype=np.uint32).reshape(height, factor, width, factor)
    return (big.sum(axis=(1, 3)) / (factor * factor) + 0.5).astype(np.uint8)


def make_composite(name: str, scale: float = 1.0) -> Composite:
    """One of PAIRS, optionally enlarged (both photos and the shape) by `scale`."""
    source_name, (sx, sy), background_name, (bx, by), radius, seed = PAIRS[name]
    source, background = load_photo(source_name), load_photo(background_name)
    if scale != 1.0:
        source = _resize(source, scale)
        background = _resize(background, scale)
        sx, sy, bx, by, radius = sx * scale, sy * scale, bx * scale, by * scale, radius * scale
    height, width = background.shape[:2]
    outline = blob_outline((bx, by), radius, seed)
    alpha = shape_alpha((width, height), outline)
    # The object's pixels: the source photo shifted so its cut centre lands on (bx, by).
    shifted = np.zeros_like(background)
    dx, dy = int(round(bx - sx)), int(round(by - sy))
    sh, sw = source.shape[:2]
    ys0, xs0 = max(0, -dy), max(0, -dx)
    ys1, xs1 = min(sh, height - dy), min(sw, width - dx)
    shifted[ys0 + dy : ys1 + dy, xs0 + dx : xs1 + dx] = source[ys0:ys1, xs0:xs1]
    a = alpha.astype(np.float32)[..., None] / 255
    photo = (background * (1 - a) + shifted * a + 0.5).astype(np.uint8)
    rows, cols = np.nonzero(alpha)
    margin = int(round(6 * scale))
    x0, y0 = max(0, cols.min() - margin), max(0, rows.min() - margin)
    x1, y1 = min(width, cols.max() + 1 + margin), min(height, rows.max() + 1 + margin)
    return Composite(name, photo, alpha, (int(x0), int(y0), int(x1 - x0), int(y1 - y0)))


def _resize(photo: np.ndarray, scale: float) -> np.ndarray:
    height, width = photo.shape[:2]
    size = (int(round(width * scale)), int(round(height * scale)))
    return np.asarray(Image.fromarray(photo).resize(size, Image.Resampling.BICUBIC))


def iou(mask: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of the two masks' halves (>= 128)."""
    a, b = mask >= 128, truth >= 128
    union = np.count_nonzero(a | b)
    return float(np.count_nonzero(a & b)) / union if union else 1.0


def band_error(mask: np.ndarray, truth: np.ndarray, band_px: int) -> float:
    """Mean absolute alpha difference (0..1) within `band_px` of the true outline."""
    import cv2

    inside = (truth >= 128).astype(np.uint8) * 255
    distance = cv2.distanceTransform(inside, cv2.DIST_L2, 5) + cv2.distanceTransform(255 - inside, cv2.DIST_L2, 5)
    band = distance <= band_px
    return float(np.abs(mask[band].astype(np.float32) - truth[band].astype(np.float32)).mean() / 255)


def wobbled_mask(name: str, scale: float = 1.0) -> tuple[Composite, np.ndarray]:
    """The composite and a rough mask of its object: the true outline wobbled by up to 5 px
    (times `scale`), like a quick brush stroke or a box tool's result."""
    comp = make_composite(name, scale)
    _, _, _, (bx, by), radius, seed = PAIRS[name]
    cx, cy = bx * scale, by * scale
    outline = []
    points = blob_outline((cx, cy), radius * scale, seed)
    for i, (x, y) in enumerate(points):
        t = 2 * math.pi * i / len(points)
        r = math.hypot(x - cx, y - cy)
        d = (3 * math.sin(11 * t) + 2 * math.cos(5 * t + 1)) * scale
        outline.append((cx + (x - cx) * (r + d) / r, cy + (y - cy) * (r + d) / r))
    return comp, shape_alpha((comp.photo.shape[1], comp.photo.shape[0]), outline)


def correction_scribble(mask: np.ndarray, truth: np.ndarray, radius: float = 4.0):
    """The background scribble a designer would draw (Alt) over the largest wrongly selected
    part: a short stroke through its middle; None when nothing sizeable is wrong."""
    import cv2

    from desktop_editor.core.selection.select_object import Scribble

    wrong = ((mask >= 128) & (truth < 128)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(wrong, connectivity=8)
    if count <= 1:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if stats[biggest, cv2.CC_STAT_AREA] < 50:
        return None
    # Its most interior point (farthest from its edge), and a stroke across it.
    inner = cv2.distanceTransform((labels == biggest).astype(np.uint8) * 255, cv2.DIST_L2, 5)
    cy, cx = np.unravel_index(int(np.argmax(inner)), inner.shape)
    reach = max(1.0, float(inner[cy, cx]) - radius)
    return Scribble(((cx - reach, cy), (cx + reach, cy)), radius=radius, foreground=False)
