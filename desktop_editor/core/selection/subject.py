"""Select subject and click-to-select: an object's mask without a box.

Both find a box first and then hand it to select object (`select_object`), so the edge is made
the same way in all three:

- Select subject: the photo's border is taken as background (a subject is rarely cut by the
  frame, a backdrop nearly always is), with whatever runs on smoothly from it (a gradient
  backdrop, a wall: a flood fill over small steps), and a prior centred in the frame as the
  object;
  `colour_models` learns both as histograms and iterates. Of the parts it selects, the one with
  the most weight (area times closeness to the centre, parts that touch the border counted
  at a tenth) is the subject, with any part weighing nearly a third as much; their bounds
  with a margin are the box.
- Click: the same, with the prior centred on the click, and the part under the click (or the
  nearest) is the object; the click itself is kept as a scribble over the object.

A photo with no part that stands out (a plain wall, a texture filling the frame) has nothing to
select: `NoSubject` says so with a sentence for the designer, rather than a mask of noise.
"""

from __future__ import annotations

import math

import numpy as np

from desktop_editor.core.opencv import cv2
from desktop_editor.core.selection.colour_models import ColourModels
from desktop_editor.core.selection.common import SelectionError, StopCheck, check
from desktop_editor.core.selection.select_object import ObjectHints, Scribble, select_object

WORKING_PIXELS = 120_000  # the reduced copy the subject is looked for on
BORDER = 0.08  # the background band, as a share of the smaller side
CENTRE_SIGMA = 0.3  # the subject prior's spread, as a share of each side
CLICK_SIGMA = 0.1  # the click prior's spread, as a share of the smaller side
ROUNDS = 3
OBJECT_SHARE = 0.15  # the prior's samples hold much background: the object's prior probability
TOUCHING = 0.1  # weight of a part that touches the border
MIN_AREA = 0.002  # a subject smaller than this share of the photo is not one
MAX_AREA = 0.9  # nor one larger
BOX_MARGIN = 0.04  # around the part found, as a share of its size
FLOOD_STEP = 2  # grey levels a backdrop may change by between neighbouring reduced pixels
UNION = 0.3  # parts weighing this share of the heaviest are part of the subject


class NoSubject(SelectionError):
    """Nothing in the photo stands out from its border; str() is for the designer."""


def select_subject(photo: np.ndarray, *, stop: StopCheck = None) -> np.ndarray:
    """The main subject's mask (uint8 (H, W), 255 = subject) of a photo (RGB uint8 (H, W, 3)).

    Raises:
        NoSubject: nothing stands out from the photo's border.
    """
    box = find_subject_box(photo, stop=stop)
    return select_object(photo, ObjectHints(box=box), stop=stop)


def select_at(photo: np.ndarray, x: int, y: int, *, radius: float = 4.0, stop: StopCheck = None) -> np.ndarray:
    """The mask of the object under a click at (x, y), with no box.

    Raises:
        SelectionError: the click is outside the photo.
        NoSubject: nothing under the click stands out from the photo's border.
    """
    height, width = photo.shape[:2]
    if not (0 <= x < width and 0 <= y < height):
        raise SelectionError(f"The click at {x},{y} is outside the {width}x{height} photo.")
    box = find_subject_box(photo, click=(x, y), stop=stop)
    click = Scribble(((float(x), float(y)),), radius=radius)
    # The box here is the found part's bounds, not one a designer drew tight around the object,
    # and click-to-select has 1 s: one cut, not select object's three candidates.
    return select_object(photo, ObjectHints(box=box, scribbles=(click,)), candidates=False, stop=stop)


def find_subject_box(
    photo: np.ndarray, *, click: tuple[int, int] | None = None, stop: StopCheck = None
) -> tuple[int, int, int, int]:
    """The box (x, y, w, h in photo pixels) around the subject, or the object under `click`."""
    height, width = photo.shape[:2]
    scale = min(1.0, math.sqrt(WORKING_PIXELS / float(width * height)))
    low_w, low_h = max(8, round(width * scale)), max(8, round(height * scale))
    # Every k-th row and column first (k: half the reduction), then averaged down: reading the
    # whole of a 24 MP photo to average it took 100-250 ms; its colours need no more than this.
    k = max(1, int(1 / scale / 2))
    low = cv2.resize(photo[::k, ::k], (low_w, low_h), interpolation=cv2.INTER_AREA)
    sx, sy = low_w / width, low_h / height
    band = max(2, round(BORDER * min(low_w, low_h)))
    border = np.ones((low_h, low_w), bool)
    border[band:-band, band:-band] = False
    yy, xx = np.mgrid[:low_h, :low_w].astype(np.float32)
    if click is None:
        cx, cy = (low_w - 1) / 2, (low_h - 1) / 2
        prior = np.exp(-0.5 * (((xx - cx) / (CENTRE_SIGMA * low_w)) ** 2 + ((yy - cy) / (CENTRE_SIGMA * low_h)) ** 2))
    else:
        cx, cy = click[0] * sx, click[1] * sy
        sigma = CLICK_SIGMA * min(low_w, low_h)
        prior = np.exp(-0.5 * (((xx - cx) ** 2 + (yy - cy) ** 2) / sigma**2))
    backdrop = border | _smooth_from_border(low, band)
    prior[backdrop] = 0
    models = ColourModels(low)
    check(stop)
    probability = models.iterate(prior, backdrop, ~border, ROUNDS, stop, OBJECT_SHARE)
    chosen = (probability > 0.5).astype(np.uint8)
    part = _main_part(chosen, prior, (cx, cy), click is not None, band)
    if part is None:
        raise NoSubject("No clear subject: nothing in the photo stands out from its background. "
                        "Drag a box around the object instead." if click is None else
                        "Nothing under the click stands out from the background; drag a box around the object.")
    x0, y0, x1, y1 = part
    mx, my = BOX_MARGIN * (x1 - x0), BOX_MARGIN * (y1 - y0)
    bx0, by0 = max(0, math.floor((x0 - mx) / sx)), max(0, math.floor((y0 - my) / sy))
    bx1, by1 = min(width, math.ceil((x1 + mx) / sx)), min(height, math.ceil((y1 + my) / sy))
    return bx0, by0, bx1 - bx0, by1 - by0




def _smooth_from_border(low: np.ndarray, band: int) -> np.ndarray:
    """Where the photo runs smoothly on from its border (a backdrop's gradient, a wall): a flood
    fill from the border that crosses only small steps of a lightly blurred copy."""
    blurred = cv2.GaussianBlur(low, (0, 0), 1.5)
    h, w = low.shape[:2]
    filled = np.zeros((h + 2, w + 2), np.uint8)
    step = (FLOOD_STEP,) * 3  # per channel, between neighbours
    flags = 8 | cv2.FLOODFILL_MASK_ONLY | (255 << 8)
    for x in range(0, w, max(1, band)):
        for y in (0, h - 1):
            if not filled[y + 1, x + 1]:
                cv2.floodFill(blurred, filled, (x, y), 0, step, step, flags)
    for y in range(0, h, max(1, band)):
        for x in (0, w - 1):
            if not filled[y + 1, x + 1]:
                cv2.floodFill(blurred, filled, (x, y), 0, step, step, flags)
    return filled[1:-1, 1:-1] > 0


def _part_under(labels: np.ndarray, stats: np.ndarray, centre, total: int):
    """Bounds of the part under the click, or of the part nearest to it, or None."""
    big = np.zeros(len(stats), bool)
    big[1:] = (stats[1:, cv2.CC_STAT_AREA] >= MIN_AREA * total) & (stats[1:, cv2.CC_STAT_AREA] <= MAX_AREA * total)
    if not big.any():
        return None
    cx, cy = centre
    ix, iy = min(labels.shape[1] - 1, max(0, int(cx))), min(labels.shape[0] - 1, max(0, int(cy)))
    part = labels[iy, ix]
    if not big[part]:
        ys, xs = np.nonzero(big[labels])
        nearest = int(np.argmin((xs - cx) ** 2 + (ys - cy) ** 2))
        part = labels[ys[nearest], xs[nearest]]
    x, y, w, h = (int(v) for v in stats[part, :4])
    return x, y, x + w, y + h


def _main_part(chosen: np.ndarray, prior: np.ndarray, centre, under_click: bool, band: int):
    """Bounds (x0, y0, x1, y1, reduced pixels) of the subject, or None: the part under the
    click (or the nearest), or the bounds of the parts weighing at least `UNION` of the
    heaviest and clear of the border (a dark suit and a pale face are two parts of one person;
    a band of a gradient backdrop reaching the frame is no part of anyone)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(chosen, connectivity=8)
    total = chosen.size
    if under_click:
        return _part_under(labels, stats, centre, total)
    weights = np.bincount(labels.ravel(), weights=prior.ravel(), minlength=count)  # each part's prior, one pass
    best, best_score = None, 0.0
    found = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        if not (MIN_AREA * total <= area <= MAX_AREA * total):
            continue
        score = float(weights[i])
        touches = x <= band or y <= band or x + w >= chosen.shape[1] - band or y + h >= chosen.shape[0] - band
        if touches:
            score *= TOUCHING
        else:
            found.append((score, (x, y, x + w, y + h)))
        if score > best_score:
            best, best_score = (x, y, x + w, y + h), score
    if best is None:
        return None
    strong = [best] + [b for sc, b in found if sc >= UNION * best_score]
    return (min(b[0] for b in strong), min(b[1] for b in strong), max(b[2] for b in strong), max(b[3] for b in strong))
