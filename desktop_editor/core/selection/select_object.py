"""Select object: the mask of the object inside a box or under a scribble.

It runs on a reduced copy of the region of interest (about 0.12 MP whatever the photo's size);
the reduced result is then enlarged and its edge refined at full resolution with the guided
filter (`refine`), which restores the detail the reduction lost. A 24 MP photo takes about as
long as a small one plus the refinement of its outline.

With a box, the object's and the background's colours are first learnt as histograms
(`colour_models`: many modes, shadows counted as background), the background's from a wide
margin around the box, the object's from the box weighted towards its middle and then from
what that selected; GrabCut (Rother, Kolmogorov and Blake) then cuts along the photo's edges,
starting from those labels, sure where the histograms are sure. On the 50-case evaluation set
of tests/selection_eval.py this replaced two GrabCut passes seeded by the box alone, which got
a few cases nearly right and lost others entirely (coins on gravel: IoU 0.04-0.25). Since the
histograms' labels in turn lead GrabCut into the background on some photos where the box alone
does not, three readings are cut (from the labels on the photo and on a texture image, and from
the box alone) and `candidates` keeps the one that fits the box and best separates object from
background.

Hints are a box (everything outside it is background), scribbles over the object, and scribbles
marking background (the corrections: Alt in the canvas). Scribbles are hard constraints: the
result always covers the foreground ones and never the background ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from desktop_editor.core.opencv import cv2
from desktop_editor.core.selection.candidates import Candidate, choose, texture_image
from desktop_editor.core.selection.colour_models import ColourModels, labels_from
from desktop_editor.core.selection.common import SelectionError, StopCheck, check
from desktop_editor.core.selection.refine import refine_in_band

WORKING_PIXELS = 120_000  # the reduced copy, at most
ITERATIONS = 3  # GrabCut's, from scribbles alone
BOX_ITERATIONS = 2  # GrabCut's, from the histograms' labels (close to the answer already)
PLAIN_ITERATIONS = 3  # GrabCut's, from the box alone (5 gave the same on the development half)
MODEL_ROUNDS = 3  # learn, select, learn the object again from the selection
BOX_MARGIN = 0.25  # background context around a box, as a share of its larger side
GRABCUT_MARGIN = 0.25  # GrabCut's own context around the box, the same share or less
MIN_PART = 0.05  # separate parts smaller than this share of the largest are dropped as specks
SCRIBBLE_WEIGHT = 20.0  # a scribbled pixel teaches the colour models as much as this many others
MAX_HOLE = 0.1  # enclosed holes smaller than this share of the object are filled

Box = tuple[int, int, int, int]  # x, y, width, height in image pixels


@dataclass(frozen=True)
class Scribble:
    """A freehand stroke in image pixels: over the object, or with `foreground` False over
    background that should not be selected."""

    points: tuple[tuple[float, float], ...]
    radius: float = 8.0
    foreground: bool = True


@dataclass(frozen=True)
class ObjectHints:
    """Everything the designer said about the object: a box and/or scribbles, in order."""

    box: Box | None = None
    scribbles: tuple[Scribble, ...] = field(default_factory=tuple)

    def with_scribble(self, scribble: Scribble) -> ObjectHints:
        return replace(self, scribbles=(*self.scribbles, scribble))

    @property
    def has_foreground(self) -> bool:
        return self.box is not None or any(s.foreground for s in self.scribbles)


def select_object(
    photo: np.ndarray,
    hints: ObjectHints,
    *,
    working_pixels: int = WORKING_PIXELS,
    iterations: int = ITERATIONS,
    refine: bool = True,
    candidates: bool = True,
    stop: StopCheck = None,
) -> np.ndarray:
    """The object's mask (uint8 (H, W), 255 = object) for a photo (RGB uint8 (H, W, 3)).

    With `candidates` False, a box is cut one way only (from the histograms' labels), which
    takes about 0.45 s less on a 24 MP photo: for a box select object found itself (a click),
    which the box tightness prior of `candidates` does not describe.

    Raises:
        SelectionError: no box and no foreground scribble, or a box with no area in the image.
    """
    height, width = photo.shape[:2]
    if not hints.has_foreground:
        raise SelectionError("Drag a box around the object or scribble over it first.")
    box = _clip_box(hints.box, width, height) if hints.box is not None else None
    rx0, ry0, rx1, ry1 = _region_of_interest(box, hints.scribbles, width, height)
    roi = photo[ry0:ry1, rx0:rx1]
    scale = min(1.0, math.sqrt(working_pixels / float((rx1 - rx0) * (ry1 - ry0))))
    low_w, low_h = max(1, round((rx1 - rx0) * scale)), max(1, round((ry1 - ry0) * scale))
    low = cv2.resize(roi, (low_w, low_h), interpolation=cv2.INTER_AREA) if scale < 1 else roi.copy()
    sx, sy = low_w / (rx1 - rx0), low_h / (ry1 - ry0)
    labels = _initial_labels((low_h, low_w), box, (rx0, ry0), (sx, sy))
    _draw_scribbles(labels, hints.scribbles, (rx0, ry0), (sx, sy), cv2.GC_FGD, cv2.GC_BGD)
    check(stop)
    anchors = np.zeros(labels.shape, np.uint8)  # scribbled parts are kept, however small
    _draw_scribbles(anchors, [sc for sc in hints.scribbles if sc.foreground], (rx0, ry0), (sx, sy), 1, 0)
    if box is not None:
        object_low = _object_in_box(low, labels, hints, (rx0, ry0), (sx, sy), anchors > 0, candidates, stop)
    else:
        if np.count_nonzero(labels == cv2.GC_FGD) and np.count_nonzero(labels != cv2.GC_FGD):
            # A 5x5 median first: fine texture (fur, fabric, JPEG noise) otherwise smears both colour
            # models over each other's colours; edges survive it, and the full-resolution pass restores detail.
            _grab_cut(cv2.medianBlur(low, 5), labels, iterations)
        object_low = _tidy(_object_of(labels), anchors > 0)
    check(stop)
    soft = cv2.resize(object_low, (rx1 - rx0, ry1 - ry0), interpolation=cv2.INTER_LINEAR)
    if refine:
        check(stop)
        # The enlarged edge is off by up to a reduced pixel: let it move that far and a bit more,
        # in the band the reduced outline itself marks (one reduced pixel either side).
        outline = cv2.morphologyEx(object_low, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
        weight = cv2.resize(outline, (rx1 - rx0, ry1 - ry0), interpolation=cv2.INTER_LINEAR)
        soft = refine_in_band(roi, soft, weight, band_px=max(3.0, 1.5 / scale), stop=stop)
    mask = np.zeros((height, width), np.uint8)
    mask[ry0:ry1, rx0:rx1] = soft
    _enforce(mask, hints.scribbles, box)
    return mask


def _object_of(labels: np.ndarray) -> np.ndarray:
    return np.where((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD), np.uint8(255), np.uint8(0))


def _object_in_box(
    low, labels, hints: ObjectHints, origin, scale, anchors, several: bool, stop: StopCheck
) -> np.ndarray:
    """The object in the box on the reduced copy: GrabCut from the histograms' labels on the
    photo, and with `several` also on its texture image and from the box alone (`candidates`
    keeps one of the three). Scribbles are sure labels in all three. The cuts run one after
    the other: at once on a pool they finished sooner but, on a busy machine, kept the
    window's thread from running for up to 0.3 s."""
    scribbled = np.full(labels.shape, cv2.GC_PR_BGD, np.uint8)
    _draw_scribbles(scribbled, hints.scribbles, origin, scale, cv2.GC_FGD, cv2.GC_BGD)
    start = labels.copy()  # the box and the scribbles
    labels, models = _labels_from_box(low, labels, scribbled, stop)
    labels[scribbled == cv2.GC_FGD] = cv2.GC_FGD
    labels[scribbled == cv2.GC_BGD] = cv2.GC_BGD
    check(stop)
    seeded = bool(np.count_nonzero(labels & 1) and np.count_nonzero(~labels & 1))  # odd labels are object

    def cut(image: np.ndarray | None, reading: np.ndarray, iterations: int) -> np.ndarray:
        if image is not None:
            _grab_cut_near_box(image, reading, iterations)
        return _tidy(_object_of(reading), anchors)

    readings = [cut(low if seeded else None, labels.copy(), BOX_ITERATIONS)]
    if not several:
        return readings[0]
    check(stop)
    readings.append(cut(texture_image(low) if seeded else None, labels.copy(), BOX_ITERATIONS))
    check(stop)
    readings.append(cut(low, start.copy(), PLAIN_ITERATIONS))
    check(stop)
    x, y, w, h = cv2.boundingRect((start != cv2.GC_BGD).astype(np.uint8))
    found = [Candidate(name, mask) for name, mask in zip(("histograms", "texture", "plain"), readings)]
    return choose(found, (x, y, x + w, y + h), models.bins).mask


def _grab_cut(image: np.ndarray, labels: np.ndarray, iterations: int) -> None:
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut seeds its colour models with k-means: same hints, same mask
    cv2.grabCut(image, labels, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)


def _grab_cut_near_box(image: np.ndarray, labels: np.ndarray, iterations: int) -> None:
    """GrabCut on the box and a little background around it (`GRABCUT_MARGIN`), not the whole
    region of interest: the histograms needed the wide margin, GrabCut does not, and it costs
    time in proportion to its pixels (half of them here)."""
    x, y, w, h = cv2.boundingRect((labels != cv2.GC_BGD).astype(np.uint8))
    if w == 0 or h == 0:
        return
    m = max(4, int(GRABCUT_MARGIN * max(w, h)))
    height, width = labels.shape
    x0, y0, x1, y1 = max(0, x - m), max(0, y - m), min(width, x + w + m), min(height, y + h + m)
    part = np.ascontiguousarray(labels[y0:y1, x0:x1])
    _grab_cut(np.ascontiguousarray(image[y0:y1, x0:x1]), part, iterations)
    labels[y0:y1, x0:x1] = part


def _labels_from_box(
    low: np.ndarray, labels: np.ndarray, scribbled: np.ndarray, stop: StopCheck
) -> tuple[np.ndarray, ColourModels]:
    """GrabCut labels from the histograms' probability (`colour_models`): the background learnt
    outside the box, the object first from the box weighted towards its middle (1 at the
    centre, falling to 0.05 at the inscribed ellipse and beyond). Scribbles teach the models
    too, each pixel of one as much as `SCRIBBLE_WEIGHT` pixels of the rest: a correction over
    a cat's nose takes every pixel of that colour out of the object, not only those under it."""
    inside = labels == cv2.GC_PR_FGD
    ys, xs = np.nonzero(inside)
    models = ColourModels(low)
    if not len(ys):
        return labels, models
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    yy, xx = np.ogrid[: labels.shape[0], : labels.shape[1]]
    d = ((xx - (x0 + x1 - 1) / 2) / max(1.0, (x1 - x0) / 2)) ** 2 + ((yy - (y0 + y1 - 1) / 2) / max(1.0, (y1 - y0) / 2)) ** 2
    kept = SCRIBBLE_WEIGHT * (scribbled == cv2.GC_FGD).astype(np.float32)
    centre = inside * np.clip(1.2 - d, 0.05, 1.0) + kept
    background = ~inside + SCRIBBLE_WEIGHT * (scribbled == cv2.GC_BGD)
    probability = models.iterate(centre, background, inside, MODEL_ROUNDS, stop, object_kept=kept)
    return labels_from(probability, inside), models


def _clip_box(box: Box, width: int, height: int) -> Box:
    x, y, w, h = (int(round(v)) for v in box)
    if w < 0:
        x, w = x + w, -w
    if h < 0:
        y, h = y + h, -h
    x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + w), min(height, y + h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise SelectionError("The box has no area inside the image; drag it around the object.")
    return x0, y0, x1 - x0, y1 - y0


def _region_of_interest(box: Box | None, scribbles, width: int, height: int) -> tuple[int, int, int, int]:
    """The part of the photo GrabCut looks at: the box with some background around it (and any
    scribble outside it), or the whole photo when there is only a scribble to go by."""
    if box is None:
        return 0, 0, width, height
    x, y, w, h = box
    x0, y0, x1, y1 = x, y, x + w, y + h
    for s in scribbles:
        if s.foreground and s.points:
            xs, ys = [p[0] for p in s.points], [p[1] for p in s.points]
            x0, y0 = min(x0, int(min(xs) - s.radius)), min(y0, int(min(ys) - s.radius))
            x1, y1 = max(x1, int(max(xs) + s.radius) + 1), max(y1, int(max(ys) + s.radius) + 1)
    margin = max(8, int(BOX_MARGIN * max(x1 - x0, y1 - y0)))
    return max(0, x0 - margin), max(0, y0 - margin), min(width, x1 + margin), min(height, y1 + margin)


def _initial_labels(shape, box: Box | None, origin, scale) -> np.ndarray:
    if box is None:
        return np.full(shape, cv2.GC_PR_BGD, np.uint8)
    labels = np.full(shape, cv2.GC_BGD, np.uint8)
    x, y, w, h = box
    (ox, oy), (sx, sy) = origin, scale
    x0, y0 = int(math.floor((x - ox) * sx)), int(math.floor((y - oy) * sy))
    x1, y1 = int(math.ceil((x + w - ox) * sx)), int(math.ceil((y + h - oy) * sy))
    labels[max(0, y0) : y1, max(0, x0) : x1] = cv2.GC_PR_FGD
    return labels


def _draw_scribbles(labels: np.ndarray, scribbles, origin, scale, fg_value: int, bg_value: int) -> None:
    (ox, oy), (sx, sy) = origin, scale
    for s in scribbles:
        if not s.points:
            continue
        points = np.array([[(px - ox) * sx, (py - oy) * sy] for px, py in s.points], np.float64)
        thickness = max(1, int(round(2 * s.radius * min(sx, sy))))
        value = fg_value if s.foreground else bg_value
        pts = np.round(points).astype(np.int32).reshape(-1, 1, 2)
        if len(pts) == 1:
            cv2.circle(labels, tuple(int(v) for v in pts[0, 0]), max(1, thickness // 2), value, -1)
        else:
            cv2.polylines(labels, [pts], False, value, thickness, cv2.LINE_8)


def _tidy(mask: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """Drop specks (parts much smaller than the largest, unless scribbled over) and fill small
    enclosed holes: GrabCut leaves both where a colour of the object appears in the background."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = areas >= MIN_PART * areas.max()
    anchored = np.unique(labels[anchors & (labels > 0)])
    keep[anchored[anchored > 0] - 1] = True
    lookup = np.zeros(count, np.uint8)
    lookup[1:][keep] = 255
    tidy = lookup[labels]
    # Holes: background parts that do not reach the border of the region.
    holes = cv2.bitwise_not(tidy)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=4)
    h, w = mask.shape
    object_area = max(1, int(np.count_nonzero(tidy)))
    fill = np.zeros(count, np.uint8)
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        enclosed = x > 0 and y > 0 and x + bw < w and y + bh < h
        if enclosed and area < MAX_HOLE * object_area:
            fill[i] = 255
    return cv2.max(tidy, fill[labels])


def _enforce(mask: np.ndarray, scribbles, box: Box | None) -> None:
    """Scribbles are hard constraints; outside the box is background."""
    if box is not None:
        x, y, w, h = box
        keep = np.zeros_like(mask)
        keep[y : y + h, x : x + w] = 255
        cv2.min(mask, keep, dst=mask)
    _draw_scribbles(mask, scribbles, (0, 0), (1.0, 1.0), 255, 0)
