"""Mixing variations by painting: which result shows where, kept in one 8-bit map.

A designer with four variations paints "result 2 here, result 4 there" over a base result.
The map is one uint8 plane the size of the original (24 MB at 24 MP, where a layer mask per
source would cost that per result). Each map value is an entry of a `MixPalette`:

- entries 0..slots-1 are pure sources: slot 0 is the base (whichever result the designer chose
  as base; changing it keeps every stroke), slots 1..n are the results;
- the other entries are blends of a pair of sources at a few fixed weights, so a soft brush
  edge fades from one source into the next. The weights of a pair are as fine as 256 values
  allow for the number of sources (4 results: 24 steps per pair); the quantisation is
  dithered with an ordered 4x4 pattern, so even the coarse steps of nine sources show no bands.

Three sources meeting in one soft edge keep the two strongest (the third's share goes to them):
the only approximation, and only where three soft edges overlap.

Sources are stacked in one array (n, H, W, channels), decoded once, already composited into the
original through their job's mask (`prepare_source`), so outside the mask every source is the
original and any mix of them is the original exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image

from desktop_editor.core.composite import composite
from desktop_editor.core.mask_ops import Bounds, segment_alpha, segment_bounds
from desktop_editor.core.pixels import strips

MAX_RESULTS = 9  # keys 1-9
BASE_SLOT = 0
TILE = 64
RENDER_ROWS = 32  # rows per step when rendering a whole image on a worker: short GIL holds
# Ordered dither thresholds in [-0.5, 0.5): a 4x4 Bayer matrix.
_BAYER = (np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32) + 0.5) / 16 - 0.5


class MixPalette:
    """The meaning of each map value for `slots` sources (base + results).

    `first`, `second`: the two slots an entry blends; `weight`: the share of `second` (0..255).
    Pure entries have first == second == their slot and weight 0.
    """

    def __init__(self, slots: int):
        if not 1 <= slots <= MAX_RESULTS + 1:
            raise ValueError(f"a mix has 1 to {MAX_RESULTS + 1} sources, not {slots}")
        self.slots = slots
        pairs = [(a, b) for a in range(slots) for b in range(a + 1, slots)]
        self.levels = (256 - slots) // len(pairs) if pairs else 0
        first = list(range(slots))
        second = list(range(slots))
        weight = [0] * slots
        self._pair_start = np.zeros((slots, slots), np.int32)
        for a, b in pairs:
            self._pair_start[a, b] = self._pair_start[b, a] = len(first)
            for step in range(1, self.levels + 1):
                first.append(a)
                second.append(b)
                weight.append(round(255 * step / (self.levels + 1)))
        pad = 256 - len(first)  # unused values read as the base
        self.first = np.array(first + [0] * pad, np.uint8)
        self.second = np.array(second + [0] * pad, np.uint8)
        self.weight = np.array(weight + [0] * pad, np.uint8)

    def share(self, entries: np.ndarray, slot: int) -> np.ndarray:
        """How much of `slot` each entry shows, 0..1 (float32)."""
        w = self.weight[entries].astype(np.float32) / 255
        return np.where(self.first[entries] == slot, 1 - w, 0) + np.where(self.second[entries] == slot, w, 0)

    def paint(self, before: np.ndarray, coverage: np.ndarray, slot: int, origin: tuple[int, int] = (0, 0)) -> np.ndarray:
        """New entries after painting `slot` with `coverage` (uint8 0..255) over `before`.

        The slot's share grows to share + coverage * (1 - share); the other sources shrink by
        (1 - coverage), and the stronger of them stays as the blend partner. `origin` is the
        image position of `before[0, 0]`, so the dither pattern is fixed to the image.
        Where coverage is 0 the entries are returned unchanged.
        """
        mine_t, kept_t, high_t, low_t, start_t = self._tables(slot)
        c = coverage.astype(np.float32)
        c *= np.float32(1 / 255)
        mine = mine_t[before]
        new_mine = mine + c * (1 - mine)
        kept = kept_t[before] * (1 - c)
        total = new_mine + kept
        t = np.divide(new_mine, total, out=np.ones_like(total), where=total > 0)  # share of `slot` in the pair
        high_is_slot = high_t[before]
        share_high = np.where(high_is_slot, t, 1 - t)
        y0, x0 = origin
        h, w_ = before.shape
        dither = np.tile(np.roll(_BAYER, (-(y0 % 4), -(x0 % 4)), axis=(0, 1)), (h // 4 + 1, w_ // 4 + 1))[:h, :w_]
        share_high *= np.float32(self.levels + 1)
        share_high += dither
        step = np.rint(share_high).astype(np.int32)
        np.clip(step, 0, self.levels + 1, out=step)
        low = low_t[before]
        high = self._tables_cache[slot][5][before]
        out = np.where(step <= 0, low, np.where(step >= self.levels + 1, high, start_t[before] + step - 1))
        out = out.astype(np.uint8)
        return np.where(coverage > 0, out, before)

    def _tables(self, slot: int) -> tuple[np.ndarray, ...]:
        """Per map value, for painting `slot`: its share, the partner's share, whether `slot` is
        the pair's higher slot, the pair's lower slot, and the pair's first blend entry."""
        cache = self.__dict__.setdefault("_tables_cache", {})
        if slot not in cache:
            first, second = self.first.astype(np.intp), self.second.astype(np.intp)
            w = self.weight.astype(np.float32) / 255
            mine = (np.where(first == slot, 1 - w, 0) + np.where(second == slot, w, 0)).astype(np.float32)
            other = np.where(first == slot, second, np.where(second == slot, first, np.where(w > 0.5, second, first)))
            kept = np.where(other == slot, 0, np.where(other == first, 1 - w, w)).astype(np.float32)
            low = np.minimum(other, slot)
            high = np.maximum(other, slot)
            high_is_slot = high == slot
            start = self._pair_start[low, high]
            cache[slot] = (mine, kept, high_is_slot, low.astype(np.int32), start.astype(np.int32), high.astype(np.int32))
        return cache[slot][:5]


def slot_table(palette: MixPalette, base: int) -> tuple[np.ndarray, np.ndarray]:
    """Per map value, the result index (into the source stack) of its first and second source."""
    results = np.array([base, *range(palette.slots - 1)], np.intp)
    return results[palette.first.astype(np.intp) % palette.slots], results[palette.second.astype(np.intp) % palette.slots]


def render(labels: np.ndarray, stack: np.ndarray, palette: MixPalette, base: int, origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The mixed pixels of a region: `labels` is the map's region at `origin` (y, x) of the image,
    `stack` all sources (n, H, W, channels). Returns (h, w, channels) uint8."""
    first, second = slot_table(palette, base)
    y0, x0 = origin
    h, w = labels.shape
    n, height, width, channels = stack.shape
    flat = stack.reshape(n * height * width, channels)
    pixel = (np.arange(y0, y0 + h, dtype=np.intp)[:, None] * width + np.arange(x0, x0 + w, dtype=np.intp)[None, :])
    plane = height * width
    a = np.take(flat, first[labels] * plane + pixel, axis=0)
    weight = palette.weight[labels]
    if not weight.any():
        return a
    b = np.take(flat, second[labels] * plane + pixel, axis=0)
    mixed = a.astype(np.float32)
    mixed += (b.astype(np.float32) - mixed) * (weight.astype(np.float32)[..., None] / 255)
    return np.rint(mixed, out=mixed).astype(np.uint8)


def render_all(labels: np.ndarray, stack: np.ndarray, palette: MixPalette, base: int,
               out: np.ndarray | None = None) -> np.ndarray:
    """The whole mix, in strips of rows (for workers: no step holds the GIL for long).
    `out` may be a larger-channel array (e.g. a 32-bit display buffer); its first channels are written."""
    height, width = labels.shape
    channels = stack.shape[-1]
    if out is None:
        out = np.empty((height, width, channels), np.uint8)
    for top, bottom in strips(height, RENDER_ROWS):
        out[top:bottom, :, :channels] = render(labels[top:bottom], stack, palette, base, (top, 0))
    return out


@dataclass
class MixStroke:
    """One stroke of the source brush over `labels`, painted in place and undoable as one step.

    Pre-stroke entries and the stroke's coverage are kept per 64x64 tile as the stroke reaches
    them; each segment re-paints from the pre-stroke entries with the stroke's largest coverage
    so far, so overlapping segments never build up (like the mask brush).
    """

    labels: np.ndarray
    palette: MixPalette
    slot: int
    radius: float
    hardness: float = 1.0

    def __post_init__(self) -> None:
        self._before: dict[tuple[int, int], np.ndarray] = {}
        self._coverage: dict[tuple[int, int], np.ndarray] = {}
        self.bounds: Bounds | None = None

    def segment(self, a: tuple[float, float], b: tuple[float, float]) -> Bounds | None:
        """Paint from a to b (image coordinates); the bounds that may have changed, or None."""
        bounds = segment_bounds(self.labels.shape, a, b, self.radius)
        if bounds is None:
            return None
        alpha = segment_alpha(bounds, a, b, self.radius, self.radius, self.hardness)
        x0, y0, x1, y1 = bounds
        before = np.empty_like(alpha)
        cover = np.empty_like(alpha)
        for ty, tx in _tiles(bounds):
            key = (ty, tx)
            tile_y, tile_x = ty * TILE, tx * TILE
            if key not in self._before:
                region = self.labels[tile_y:tile_y + TILE, tile_x:tile_x + TILE]
                self._before[key] = region.copy()
                self._coverage[key] = np.zeros(region.shape, np.uint8)
            tile_before, tile_cover = self._before[key], self._coverage[key]
            sy0, sy1 = max(y0, tile_y) - tile_y, min(y1, tile_y + tile_before.shape[0]) - tile_y
            sx0, sx1 = max(x0, tile_x) - tile_x, min(x1, tile_x + tile_before.shape[1]) - tile_x
            oy0, oy1, ox0, ox1 = tile_y + sy0 - y0, tile_y + sy1 - y0, tile_x + sx0 - x0, tile_x + sx1 - x0
            part = tile_cover[sy0:sy1, sx0:sx1]
            np.maximum(part, alpha[oy0:oy1, ox0:ox1], out=part)
            cover[oy0:oy1, ox0:ox1] = part
            before[oy0:oy1, ox0:ox1] = tile_before[sy0:sy1, sx0:sx1]
        self.labels[y0:y1, x0:x1] = self.palette.paint(before, cover, self.slot, (y0, x0))
        self.bounds = bounds if self.bounds is None else _union(self.bounds, bounds)
        return bounds

    def before(self) -> np.ndarray | None:
        """The entries of `bounds` as they were before the stroke."""
        if self.bounds is None:
            return None
        x0, y0, x1, y1 = self.bounds
        out = self.labels[y0:y1, x0:x1].copy()
        for (ty, tx), tile in self._before.items():
            ty0, tx0 = ty * TILE - y0, tx * TILE - x0
            sy0, sx0 = max(0, -ty0), max(0, -tx0)
            sy1 = min(tile.shape[0], out.shape[0] - ty0)
            sx1 = min(tile.shape[1], out.shape[1] - tx0)
            if sy1 > sy0 and sx1 > sx0:
                out[ty0 + sy0:ty0 + sy1, tx0 + sx0:tx0 + sx1] = tile[sy0:sy1, sx0:sx1]
        return out

    def restore(self) -> Bounds | None:
        """Put the pre-stroke entries back (a cancelled stroke)."""
        for (ty, tx), tile in self._before.items():
            self.labels[ty * TILE:ty * TILE + tile.shape[0], tx * TILE:tx * TILE + tile.shape[1]] = tile
        bounds, self.bounds = self.bounds, None
        self._before.clear()
        self._coverage.clear()
        return bounds


def _tiles(bounds: Bounds) -> Iterator[tuple[int, int]]:
    x0, y0, x1, y1 = bounds
    for ty in range(y0 // TILE, (y1 - 1) // TILE + 1):
        for tx in range(x0 // TILE, (x1 - 1) // TILE + 1):
            yield ty, tx


def _union(a: Bounds, b: Bounds) -> Bounds:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def prepare_source(original: Image.Image, result: Image.Image, mask: np.ndarray | None, *,
                   keep_inside_mask: bool, feather: float = 0.0, already_composited: bool = False) -> Image.Image:
    """A result as the mix uses it: the original's size and mode, and with `keep_inside_mask`
    the original's pixels wherever the job's mask is 0 (bit for bit).

    A result the job already composited through the same mask is used as it is: compositing
    it again would soften its feathered edge twice.
    """
    mode = "RGBA" if original.mode == "RGBA" else "RGB"
    if keep_inside_mask and mask is not None and not already_composited:
        return composite(original, result, mask, feather=feather)
    if result.size != original.size:
        result = result.resize(original.size, Image.Resampling.LANCZOS)
    return result.convert(mode)


def stack_sources(images: list[Image.Image], *, order: str = "BGR") -> np.ndarray:
    """One (n, H, W, channels) array of the sources, in the byte order the display draws
    (BGR, or premultiplied BGRa for images with alpha), filled strip by strip (short GIL holds)."""
    if not images:
        raise ValueError("a mix needs at least one result")
    width, height = images[0].size
    alpha = any(img.mode == "RGBA" for img in images)
    channels = 4 if alpha else 3
    stack = np.empty((len(images), height, width, channels), np.uint8)
    for index, img in enumerate(images):
        if img.size != (width, height):
            raise ValueError(f"result {index + 1} is {img.size[0]}x{img.size[1]}, not {width}x{height}")
        fill_source(stack[index], img, order=order)
    return stack


def fill_source(target: np.ndarray, img: Image.Image, *, order: str = "BGR") -> None:
    """Write `img` into one slice of a source stack (see `stack_sources`)."""
    width, height = img.size
    channels = target.shape[-1]
    if channels == 4:
        img = img.convert("RGBA")
        rawmode = "BGRa" if order == "BGR" else "RGBa"
    else:
        img = img.convert("RGB")
        rawmode = "BGR" if order == "BGR" else "RGB"
    img.load()
    for top, bottom in strips(height):
        packed = img.crop((0, top, width, bottom)).tobytes("raw", rawmode)
        target[top:bottom] = np.frombuffer(packed, np.uint8).reshape(bottom - top, width, channels)


def mix_to_image(mixed: np.ndarray, *, order: str = "BGR") -> Image.Image:
    """A Pillow image of rendered mix pixels (BGR or premultiplied BGRa), for saving."""
    height, width, channels = mixed.shape
    data = np.ascontiguousarray(mixed)
    if channels == 4:
        return Image.frombuffer("RGBA", (width, height), data, "raw", "BGRa" if order == "BGR" else "RGBa", 0, 1).copy()
    return Image.frombuffer("RGB", (width, height), data, "raw", "BGR" if order == "BGR" else "RGB", 0, 1).copy()


def used_results(labels: np.ndarray, palette: MixPalette, base: int) -> list[int]:
    """The result indices that show anywhere in the mix (for the history)."""
    present = np.flatnonzero(np.bincount(labels.ravel(), minlength=256))
    first, second = slot_table(palette, base)
    used = set(first[present].tolist())
    used.update(int(second[v]) for v in present if palette.weight[v])
    return sorted(int(u) for u in used)


@dataclass
class MixState:
    """A mix as a project keeps it: the results it mixes (by file), the base and the map.

    `sources` are dicts with "path" (the result file), "label" and "job_id"; the palette follows
    from their number, so the map reads the same when the project is reopened.
    """

    sources: list[dict]
    base: int
    labels: np.ndarray
    keep_inside_mask: bool = True

    @property
    def palette(self) -> MixPalette:
        return MixPalette(len(self.sources) + 1)

    def manifest(self) -> dict:
        """The JSON-able part (the map is stored as an image beside it)."""
        return {"sources": [dict(s) for s in self.sources], "base": int(self.base),
                "keep_inside_mask": bool(self.keep_inside_mask), "slots": len(self.sources) + 1}

    @classmethod
    def from_manifest(cls, data: dict, labels: np.ndarray) -> MixState:
        """Raises ValueError when the manifest does not describe this map."""
        sources = data.get("sources")
        if not isinstance(sources, list) or not 1 <= len(sources) <= MAX_RESULTS:
            raise ValueError("the mix does not list its results")
        if any(not isinstance(s, dict) or not s.get("path") for s in sources):
            raise ValueError("a result of the mix has no file")
        if data.get("slots", len(sources) + 1) != len(sources) + 1:
            raise ValueError("the mix map was made for another number of results")
        base = int(data.get("base", 0))
        if not 0 <= base < len(sources):
            raise ValueError("the base of the mix is not one of its results")
        if labels.dtype != np.uint8 or labels.ndim != 2:
            raise ValueError("the mix map is not an 8-bit plane")
        return cls([dict(s) for s in sources], base, labels, bool(data.get("keep_inside_mask", True)))


def remap(labels: np.ndarray, old: MixPalette, new: MixPalette) -> np.ndarray:
    """The map re-expressed for a palette with more (or as many) sources, keeping every slot:
    results added to a mix reopened from a project leave what was painted as it was."""
    if new.slots < old.slots:
        raise ValueError("a mix cannot lose results")
    table = np.zeros(256, np.uint8)
    for value in range(256):
        a, b, w = int(old.first[value]), int(old.second[value]), int(old.weight[value])
        if a == b or w == 0:
            table[value] = a
            continue
        step = min(new.levels, max(1, round(w / 255 * (new.levels + 1))))
        table[value] = new._pair_start[a, b] + step - 1
    return table[labels]
