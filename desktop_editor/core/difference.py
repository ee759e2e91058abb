"""How much a result differs from the original, as a picture and as numbers, inside and outside the mask.

The models treat the mask as guidance and touch pixels the designer did not paint. Before a
result is saved the designer needs to see where it changed and how much: a heat image (the
original, darkened and greyed, with changed pixels lit by a colour ramp) and, separately for the
masked area and the rest, the share of pixels that changed noticeably and the mean change.

Everything runs in Pillow's C code (difference, per-pixel maximum, lookup tables, histograms
with a mask), so a 4K pair takes well under 300 ms and the numbers are exact counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from desktop_editor.core.masks import edit_area
from desktop_editor.core.pixels import strips

# A pixel "changed noticeably" when some channel moved by more than this (0..255). Below it are
# rounding, dithering and re-encoding noise that nobody can see.
DEFAULT_THRESHOLD = 8

# The heat ramp: change magnitude (0..255) to colour. Cool and dim for small changes, hot and
# bright for large ones, all clearly visible against the darkened grey original.
_RAMP_STOPS: tuple[tuple[int, tuple[int, int, int]], ...] = (
    (0, (70, 60, 200)),
    (16, (120, 70, 255)),
    (48, (235, 50, 140)),
    (110, (255, 120, 20)),
    (190, (255, 215, 40)),
    (255, (255, 255, 210)),
)
# The original shows through at this brightness where nothing changed.
_BASE_BRIGHTNESS = 0.38
# Magnitude at which the heat colour fully covers the original; tiny changes only tint it.
_FULL_COVER = 24
_MASK_EDGE_COLOUR = (235, 235, 235)


@dataclass(frozen=True)
class RegionStats:
    """Change statistics for one region of the image.

    `mean` is the mean per-pixel change over every pixel of the region (0..255, where a pixel's
    change is its largest channel difference); `changed` counts pixels whose change exceeds
    the threshold.
    """

    pixels: int
    changed: int
    mean: float

    @property
    def fraction(self) -> float:
        """Share of the region's pixels that changed noticeably, 0..1 (0 for an empty region)."""
        return self.changed / self.pixels if self.pixels else 0.0

    def describe(self, name: str) -> str:
        """One line for the designer, e.g. 'Outside mask: 3.1% of pixels changed (mean 2.4)'."""
        if not self.pixels:
            return f"{name}: no pixels"
        return f"{name}: {_percent(self.fraction)} of pixels changed (mean {self.mean:.1f})"


@dataclass(frozen=True)
class DifferenceResult:
    """The heat image and the statistics of one before/after comparison.

    `inside` is None when there was no mask (or an empty one); then `outside` covers the whole
    image, since nothing was asked to change.
    """

    heat: Image.Image  # RGB, the size of `before`
    inside: RegionStats | None
    outside: RegionStats
    whole: RegionStats
    threshold: int
    resized: bool  # `after` had another size and was resized to `before` first

    def summary(self) -> list[str]:
        """The lines to show, the outside-the-mask line first because that is the surprise."""
        if self.inside is None:
            return [self.whole.describe("Whole image")]
        return [self.outside.describe("Outside mask"), self.inside.describe("Inside mask")]


def change_magnitude(before: Image.Image, after: Image.Image) -> Image.Image:
    """Per-pixel largest channel difference as an "L" image; `after` is resized to `before` if needed.

    RGBA pairs compare alpha too, so a result that made an area transparent counts as changed.
    """
    mode = "RGBA" if "A" in before.getbands() or "A" in after.getbands() else "RGB"
    a = before.convert(mode) if before.mode != mode else before
    b = after.convert(mode) if after.mode != mode else after
    if b.size != a.size:
        b = b.resize(a.size, Image.Resampling.LANCZOS)
    # numpy in strips of rows rather than ImageChops.difference + split + lighter: those hold the
    # GIL for their whole pass (60+ ms on 4K), and this runs on a worker beside the window.
    width, height = a.size
    magnitude = np.empty((height, width), dtype=np.uint8)
    for top, bottom in strips(height):
        x = np.asarray(a.crop((0, top, width, bottom)))
        y = np.asarray(b.crop((0, top, width, bottom)))
        diff = np.maximum(x, y)
        diff -= np.minimum(x, y)
        out = magnitude[top:bottom]
        np.copyto(out, diff[..., 0])
        for channel in range(1, diff.shape[2]):
            np.maximum(out, diff[..., channel], out=out)
    return Image.fromarray(magnitude, "L")


def difference_map(
    before: Image.Image,
    after: Image.Image,
    mask: np.ndarray | None = None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    outline_mask: bool = True,
) -> DifferenceResult:
    """Compare `after` with `before` (the original), separately inside and outside `mask`.

    The mask is the core form (uint8 HxW the size of `before`, 255 = edit); any painted value
    counts as inside, which matches what compositing keeps: outside is exactly the pixels
    a "keep original outside mask" composite leaves untouched.

    Raises:
        ValueError: the mask does not have `before`'s size, or the threshold is out of range.
    """
    if not 0 <= threshold < 255:
        raise ValueError(f"threshold {threshold} must be from 0 to 254")
    resized = after.size != before.size
    magnitude = change_magnitude(before, after)
    width, height = before.size
    total = width * height

    whole_hist = magnitude.histogram()
    whole = _stats(whole_hist, threshold)
    inside: RegionStats | None = None
    outside = whole
    painted: np.ndarray | None = None
    if mask is not None:
        if mask.shape != (height, width):
            raise ValueError(f"mask {mask.shape[1]}x{mask.shape[0]} does not match image {width}x{height}")
        painted = edit_area(mask)
        if not painted.any():
            painted = None
        else:
            region = Image.fromarray(painted.view(np.uint8) * np.uint8(255), "L")
            inside_hist = magnitude.histogram(region)
            outside_hist = [w - i for w, i in zip(whole_hist, inside_hist)]
            inside = _stats(inside_hist, threshold)
            outside = _stats(outside_hist, threshold)
    assert whole.pixels == total

    heat = _heat_image(before, magnitude, threshold)
    if outline_mask and painted is not None:
        heat = _draw_mask_edge(heat, painted)
    return DifferenceResult(heat, inside, outside, whole, threshold, resized)


def _stats(histogram: list[int], threshold: int) -> RegionStats:
    pixels = sum(histogram)
    if not pixels:
        return RegionStats(0, 0, 0.0)
    changed = sum(histogram[threshold + 1 :])
    weighted = sum(value * count for value, count in enumerate(histogram))
    return RegionStats(pixels, changed, weighted / pixels)


def _ramp_lut() -> tuple[list[int], list[int], list[int]]:
    """Three 256-entry lookup tables (R, G, B) interpolating the ramp's stops."""
    xs = [stop for stop, _ in _RAMP_STOPS]
    channels = []
    for c in range(3):
        ys = [colour[c] for _, colour in _RAMP_STOPS]
        channels.append([int(round(v)) for v in np.interp(np.arange(256), xs, ys)])
    return channels[0], channels[1], channels[2]


_LUT_R, _LUT_G, _LUT_B = _ramp_lut()


def _cover_lut(threshold: int) -> list[int]:
    """How strongly the heat colour covers the original, by magnitude: faint below the threshold,
    opaque from `_FULL_COVER` (or the threshold, if higher) upward."""
    full = max(_FULL_COVER, threshold + 1)
    lut = []
    for v in range(256):
        if v == 0:
            lut.append(0)
        elif v <= threshold:
            lut.append(int(round(90 * v / max(threshold, 1))))  # visible but clearly "below noticeable"
        else:
            lut.append(min(255, int(round(140 + 115 * (v - threshold) / max(full - threshold, 1)))))
    return lut


def ramp_colour(value: int) -> tuple[int, int, int]:
    """The heat colour for a change of `value` (0..255), for legends drawn by the ui."""
    v = max(0, min(255, int(value)))
    return _LUT_R[v], _LUT_G[v], _LUT_B[v]


_BASE_LUT = [int(v * _BASE_BRIGHTNESS) for v in range(256)]
_RAMP_PALETTE = [c for v in range(256) for c in (_LUT_R[v], _LUT_G[v], _LUT_B[v])]


def _heat_image(before: Image.Image, magnitude: Image.Image, threshold: int) -> Image.Image:
    """Darkened grey original, covered by the ramp colour of each pixel's change.

    The ramp is applied as a palette (one C pass) rather than three lookups and a merge.
    """
    base = before.convert("L").point(_BASE_LUT).convert("RGB")
    cover = magnitude.point(_cover_lut(threshold))
    indexed = magnitude.point(list(range(256)))  # a private copy to turn into a palette image
    indexed.putpalette(_RAMP_PALETTE)
    base.paste(indexed.convert("RGB"), (0, 0), cover)  # in place: `base` is ours
    return base


def _draw_mask_edge(heat: Image.Image, painted: np.ndarray) -> Image.Image:
    """A thin light line just inside the painted area, so inside and outside are told apart.

    Computed with numpy inside the mask's bounding box only: Pillow's MinFilter costs
    hundreds of milliseconds on 4K.
    """
    rows = np.flatnonzero(painted.any(axis=1))
    cols = np.flatnonzero(painted.any(axis=0))
    height, width = painted.shape
    # One pixel of margin, so a painted pixel next to the box's side sees its unpainted neighbour.
    top, bottom = max(0, rows[0] - 1), min(height, rows[-1] + 2)
    left, right = max(0, cols[0] - 1), min(width, cols[-1] + 2)
    box = painted[top:bottom, left:right]
    inner = box.copy()
    inner[1:, :] &= box[:-1, :]
    inner[:-1, :] &= box[1:, :]
    inner[:, 1:] &= box[:, :-1]
    inner[:, :-1] &= box[:, 1:]
    edge = box & ~inner
    patch = heat.crop((left, top, right, bottom))
    line = Image.new("RGB", patch.size, _MASK_EDGE_COLOUR)
    patch = Image.composite(line, patch, Image.fromarray(edge.view(np.uint8) * np.uint8(200), "L"))
    heat.paste(patch, (left, top))
    return heat


def _percent(fraction: float) -> str:
    """A percentage that never rounds a real change to "0.0%" or a near-total one to "100%"."""
    pct = 100.0 * fraction
    if 0 < pct < 0.1:
        return "<0.1%"
    if 99.9 < pct < 100:
        return ">99.9%"
    return f"{pct:.1f}%"
