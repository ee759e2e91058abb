"""Expanding the canvas (outpainting) and cropping: the geometry, the automatic mask and the
composite back.

A designer asks for "this 4:3 shot as a 9:16 story" or "200 px more on the left"; the size rules
of the model (multiples of 16, longest edge 3840, aspect 1:3 to 3:1, a pixel range) are ours to
meet, not theirs. So this module turns a request into an `Expansion` (pixels per side, negative
to crop), builds the expanded canvas with its mask (the new area plus a ramped overlap band of N
px into the original, so the seam is blended), picks the size sent and says it in words, and
puts the answer back keeping every original pixel outside the band exactly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from desktop_editor.core.params import (
    MAX_ASPECT,
    MAX_EDGE,
    MAX_PIXELS,
    MIN_PIXELS,
    SIZE_MULTIPLE,
)

PRESETS: dict[str, tuple[int, int]] = {
    "1:1": (1, 1),
    "4:5": (4, 5),
    "3:4": (3, 4),
    "2:3": (2, 3),
    "9:16": (9, 16),
    "16:9": (16, 9),
    "3:2": (3, 2),
    "4:3": (4, 3),
    "21:9": (21, 9),
}

# Where the original sits in the expanded canvas: (horizontal, vertical) with 0 = start,
# 0.5 = centre, 1 = end. "left" keeps the original at the left edge, so all new area goes right.
ANCHORS: dict[str, tuple[float, float]] = {
    "center": (0.5, 0.5),
    "top-left": (0.0, 0.0),
    "top": (0.5, 0.0),
    "top-right": (1.0, 0.0),
    "left": (0.0, 0.5),
    "right": (1.0, 0.5),
    "bottom-left": (0.0, 1.0),
    "bottom": (0.5, 1.0),
    "bottom-right": (1.0, 1.0),
}
ANCHOR_ALIASES = {"centre": "center", "middle": "center"}

DEFAULT_OVERLAP = 32
MIN_CANVAS_EDGE = 16
MAX_CANVAS_PIXELS = 400_000_000  # what the app can hold; beyond this a request is a typo


class ExpandError(ValueError):
    """A request that cannot be met; str() is a sentence for the designer, with what would work."""


@dataclass(frozen=True)
class Expansion:
    """Pixels added on each side of the original (negative: cropped away on that side)."""

    left: int = 0
    top: int = 0
    right: int = 0
    bottom: int = 0

    @property
    def sides(self) -> tuple[int, int, int, int]:
        return self.left, self.top, self.right, self.bottom

    @property
    def is_identity(self) -> bool:
        return not any(self.sides)

    @property
    def grows(self) -> bool:
        """True when some side adds new area (there is something to outpaint)."""
        return any(v > 0 for v in self.sides)

    def canvas_size(self, width: int, height: int) -> tuple[int, int]:
        return width + self.left + self.right, height + self.top + self.bottom

    def check(self, width: int, height: int) -> None:
        """Raise ExpandError when the canvas would be empty or absurdly large."""
        cw, ch = self.canvas_size(width, height)
        if cw < MIN_CANVAS_EDGE or ch < MIN_CANVAS_EDGE:
            raise ExpandError(f"The canvas would be {cw}x{ch}; crop less (at least {MIN_CANVAS_EDGE} px a side).")
        if -self.left - self.right >= width or -self.top - self.bottom >= height:
            raise ExpandError("The crop removes the whole original.")
        if cw * ch > MAX_CANVAS_PIXELS:
            raise ExpandError(f"The canvas would be {cw}x{ch} ({cw * ch:,} pixels); at most {MAX_CANVAS_PIXELS:,}.")

    def original_box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The part of the original kept, in the canvas's pixels: (left, top, right, bottom)."""
        cw, ch = self.canvas_size(width, height)
        return max(0, self.left), max(0, self.top), min(cw, self.left + width), min(ch, self.top + height)


def parse_sides(text: str) -> Expansion:
    """"LEFT,TOP,RIGHT,BOTTOM" in pixels (negative crops); ExpandError when malformed."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4 or not all(re.fullmatch(r"[+-]?\d+", p) for p in parts):
        raise ExpandError(f"'{text}' is not LEFT,TOP,RIGHT,BOTTOM in whole pixels (e.g. 0,200,0,200).")
    return Expansion(*(int(p) for p in parts))


def parse_aspect(text: str) -> tuple[int, int]:
    """"9:16" (also "9x16", "9/16") as (9, 16); ExpandError when malformed."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[:x/]\s*(\d+(?:\.\d+)?)\s*", text)
    if not match or float(match.group(1)) <= 0 or float(match.group(2)) <= 0:
        raise ExpandError(f"'{text}' is not an aspect ratio like 9:16 (presets: {', '.join(PRESETS)}).")
    a, b = float(match.group(1)), float(match.group(2))
    scale = 1
    while (a * scale != int(a * scale) or b * scale != int(b * scale)) and scale < 1000:
        scale *= 10
    a_i, b_i = int(round(a * scale)), int(round(b * scale))
    g = math.gcd(a_i, b_i)
    return a_i // g, b_i // g


def parse_anchor(text: str) -> str:
    name = ANCHOR_ALIASES.get(text.strip().lower(), text.strip().lower())
    if name not in ANCHORS:
        raise ExpandError(f"'{text}' is not an anchor; choose one of {', '.join(ANCHORS)}.")
    return name


def aspect_problem(ratio: tuple[float, float]) -> str | None:
    """None when the model accepts the ratio, else a sentence naming the nearest allowed one."""
    w, h = ratio
    if w <= 0 or h <= 0:
        return "An aspect ratio needs two positive numbers."
    value = w / h
    if 1 / MAX_ASPECT - 1e-9 <= value <= MAX_ASPECT + 1e-9:
        return None
    nearest = "3:1" if value > 1 else "1:3"
    return f"{_ratio_text(ratio)} is outside what the model accepts (1:3 to 3:1); the nearest allowed is {nearest}."


def _ratio_text(ratio: tuple[float, float]) -> str:
    return ":".join(f"{v:g}" for v in ratio)


def _split(extra: int, where: float) -> tuple[int, int]:
    """Share `extra` pixels between the start and end side; where=0 (original at the start): all at the end."""
    start = extra // 2 if where == 0.5 else int(round(extra * where))
    return start, extra - start


def for_aspect(width: int, height: int, ratio: tuple[float, float], anchor: str = "center") -> Expansion:
    """The smallest expansion that gives the canvas the aspect `ratio`, the original placed at
    `anchor`. Nothing is cropped. Raises ExpandError for a ratio the model refuses."""
    problem = aspect_problem(ratio)
    if problem:
        raise ExpandError(problem)
    rw, rh = ratio
    ax, ay = ANCHORS[parse_anchor(anchor)]
    if width * rh < height * rw:  # too narrow: add width
        new_w = max(width, int(round(height * rw / rh)))
        left, right = _split(new_w - width, ax)
        return Expansion(left, 0, right, 0)
    new_h = max(height, int(round(width * rh / rw)))
    top, bottom = _split(new_h - height, ay)
    return Expansion(0, top, 0, bottom)


def canvas_problem(width: int, height: int, expansion: Expansion) -> str | None:
    """None when the expanded canvas can be sent (after scaling), else why not with the nearest fix."""
    try:
        expansion.check(width, height)
    except ExpandError as exc:
        return str(exc)
    cw, ch = expansion.canvas_size(width, height)
    if aspect_problem((cw, ch)) is None:
        return None
    nearest = "3:1" if cw > ch else "1:3"
    return f"The canvas would be {cw}x{ch}, outside what the model accepts (1:3 to 3:1); the nearest allowed is {nearest}."


def _valid(w: int, h: int) -> bool:
    return (
        w % SIZE_MULTIPLE == 0
        and h % SIZE_MULTIPLE == 0
        and max(w, h) <= MAX_EDGE
        and max(w, h) <= min(w, h) * MAX_ASPECT
        and MIN_PIXELS <= w * h <= MAX_PIXELS
    )


def sent_size(width: int, height: int) -> tuple[int, int]:
    """The size a canvas of width x height is sent at: obeys every rule of the model, keeps the
    canvas's shape as closely as multiples of 16 allow, and is never larger than needed (a canvas
    already valid is sent as it is; a small one is scaled up to the minimum pixel count).

    Raises:
        ExpandError: the canvas's aspect is outside 1:3 to 3:1.
    """
    problem = aspect_problem((width, height))
    if problem:
        raise ExpandError(problem)
    if _valid(width, height):
        return width, height
    area = width * height
    scale = min(MAX_EDGE / max(width, height), math.sqrt(MAX_PIXELS / area))
    scale = max(min(scale, 1.0), math.sqrt(MIN_PIXELS / area))
    ratio = width / height
    target = area * scale * scale
    best, best_err = None, float("inf")
    base = int(width * scale) // SIZE_MULTIPLE
    for k in range(base + 2, max(0, base - 40), -1):
        w = k * SIZE_MULTIPLE
        for h in {int(math.floor(w / ratio / SIZE_MULTIPLE)) * SIZE_MULTIPLE,
                  int(math.ceil(w / ratio / SIZE_MULTIPLE)) * SIZE_MULTIPLE}:
            if h <= 0 or not _valid(w, h):
                continue
            # Closest shape first; among equal shapes, the pixel count closest to the scaled canvas's.
            err = abs(w / h / ratio - 1.0) + 1e-3 * abs(w * h / target - 1.0)
            if err < best_err - 1e-9:
                best, best_err = (w, h), err
    if best is None:  # cannot happen for an allowed aspect; kept so a caller never gets None
        raise ExpandError(f"No size the model accepts fits a {width}x{height} canvas.")
    return best


def plan_text(canvas: tuple[int, int], sent: tuple[int, int]) -> str:
    """What the panel and the command line say: "sent as 2880x2880, result scaled to 4000x4000"."""
    if canvas == sent:
        return f"sent as {sent[0]}x{sent[1]} (the canvas's own size)"
    return f"sent as {sent[0]}x{sent[1]}, result scaled to {canvas[0]}x{canvas[1]}"


def clamp_overlap(width: int, height: int, expansion: Expansion, overlap: int) -> int:
    """The overlap band cannot be deeper than half the kept original (or it would eat it)."""
    left, top, right, bottom = expansion.original_box(width, height)
    return max(0, min(int(overlap), (right - left) // 2, (bottom - top) // 2))


def expansion_mask(width: int, height: int, expansion: Expansion, overlap: int = DEFAULT_OVERLAP) -> np.ndarray:
    """The canvas's mask (255 = edit): the new area fully, plus a band of `overlap` px into the
    original along each grown side whose value ramps down linearly to the inside. Every pixel of
    the original beyond the band is 0, so it is kept exactly."""
    cw, ch = expansion.canvas_size(width, height)
    mask = np.full((ch, cw), 255, dtype=np.uint8)
    ol, ot, orr, ob = expansion.original_box(width, height)
    mask[ot:ob, ol:orr] = 0
    n = clamp_overlap(width, height, expansion, overlap)
    if n <= 0:
        return mask
    ramp = np.round(255.0 * (n - np.arange(n)) / (n + 1)).astype(np.uint8)  # first band pixel ~255, last ~0
    inner = mask[ot:ob, ol:orr]
    if expansion.left > 0:
        np.maximum(inner[:, :n], ramp[None, :], out=inner[:, :n])
    if expansion.right > 0:
        np.maximum(inner[:, -n:], ramp[None, ::-1], out=inner[:, -n:])
    if expansion.top > 0:
        np.maximum(inner[:n, :], ramp[:, None], out=inner[:n, :])
    if expansion.bottom > 0:
        np.maximum(inner[-n:, :], ramp[::-1, None], out=inner[-n:, :])
    return mask


def expand_canvas(image: Image.Image, expansion: Expansion) -> Image.Image:
    """The original placed on the expanded canvas (cropped where a side is negative). The new
    area holds the original's edge pixels stretched outward and blurred: a neutral start for the
    model that keeps its colours, replaced entirely by the result."""
    expansion.check(*image.size)
    width, height = image.size
    mode = "RGBA" if image.mode == "RGBA" else "RGB"
    src = np.asarray(image.convert(mode))
    crop_l, crop_t = max(0, -expansion.left), max(0, -expansion.top)
    crop_r, crop_b = width - max(0, -expansion.right), height - max(0, -expansion.bottom)
    kept = src[crop_t:crop_b, crop_l:crop_r]
    pads = ((max(0, expansion.top), max(0, expansion.bottom)), (max(0, expansion.left), max(0, expansion.right)), (0, 0))
    if not expansion.grows:
        return Image.fromarray(np.ascontiguousarray(kept), mode)
    canvas = np.pad(kept, pads, mode="edge")
    blurred = np.asarray(
        Image.fromarray(canvas, mode).filter(ImageFilter.BoxBlur(max(2, min(canvas.shape[:2]) // 64)))
    ).copy()
    top, left = pads[0][0], pads[1][0]
    blurred[top : top + kept.shape[0], left : left + kept.shape[1]] = kept  # original pixels, exactly
    if mode == "RGBA":
        outside = np.ones(blurred.shape[:2], dtype=bool)
        outside[top : top + kept.shape[0], left : left + kept.shape[1]] = False
        blurred[..., 3][outside] = 255
    return Image.fromarray(blurred, mode)


def composite_expansion(canvas: Image.Image, result: Image.Image, mask: np.ndarray) -> Image.Image:
    """The result over the canvas through the expansion mask used as the blend weight: the new
    area is the result's, the band a linear blend, everything else the canvas's own pixels."""
    if mask.shape != (canvas.height, canvas.width):
        raise ValueError(f"mask {mask.shape[::-1]} does not match canvas {canvas.size}")
    mode = canvas.mode if canvas.mode in ("RGB", "RGBA") else "RGB"
    if result.size != canvas.size:
        result = result.resize(canvas.size, Image.Resampling.LANCZOS)
    return Image.composite(result.convert(mode), canvas.convert(mode), Image.fromarray(mask, "L"))


def band_box(width: int, height: int, expansion: Expansion, overlap: int, context: int) -> tuple[int, int, int, int] | None:
    """For a canvas too large to send whole: the box to send (new area, band and `context` px of
    the original), when it is clearly smaller than the canvas; None: send the whole canvas."""
    from desktop_editor.core.region import region_box

    cw, ch = expansion.canvas_size(width, height)
    if cw * ch <= MAX_PIXELS and max(cw, ch) <= MAX_EDGE:
        return None
    box = region_box(expansion_mask(width, height, expansion, overlap), context)
    if box is None:
        return None
    bw, bh = box[2] - box[0], box[3] - box[1]
    if bw * bh > 0.6 * cw * ch or aspect_problem((bw, bh)):
        return None
    return box
