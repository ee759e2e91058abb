"""Half-size copies of a document's image and mask for drawing it zoomed out, smooth and fast.

QPainter's smooth scaling is bilinear: shrinking a 4K photo to a third of its size with it skips
pixels and shimmers. Area-averaged half, quarter, ... copies (a mip-map pyramid) drawn from the
level just above the zoom give a clean picture, and drawing a zoomed-out view reads far fewer
pixels. Image levels are built once on demand; mask levels follow the mask: a change marks the
area dirty on every level and a level is brought up to date, only in that area, when drawn.

A change of a large area (from `REBUILD_PIXELS` on: a smart tool's result, an undo of one,
invert) has its levels rebuilt on a worker instead, so the window's thread never spends tens of
milliseconds averaging 24 MP of mask: zoomed-out views show the levels as they were for those
few milliseconds, then the rebuilt ones (`levels_ready`). Level 0 is the mask itself, so a view
at 100% and closer is always current.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from desktop_editor.core.mask_ops import Bounds, nonzero_bounds
from desktop_editor.core.opencv import cv2
from desktop_editor.ui.common.conversions import half, qimage_from_pil
from desktop_editor.ui.common.imaging import allocate_mask_buffer, wrap_gray

_MIN_LEVEL_EDGE = 32
REBUILD_PIXELS = 1 << 20  # a mask change of this many pixels or more has its levels rebuilt on a worker

if TYPE_CHECKING:
    from desktop_editor.ui.common.image_tasks import TaskRunner
    from desktop_editor.ui.models.document import Document


@dataclass
class MaskLevel:
    """One level of the mask: its pixels and two QImage views sharing them."""

    buffer: np.ndarray
    pixels: np.ndarray
    overlay: QImage  # Indexed8: the colour table maps mask value to overlay colour and alpha
    gray: QImage  # Grayscale8: the "mask only" view
    dirty: Bounds | None = field(default=None)

    @classmethod
    def wrap(cls, buffer: np.ndarray, width: int, color_table: list[int]) -> MaskLevel:
        overlay = wrap_gray(buffer, width, QImage.Format.Format_Indexed8)
        overlay.setColorTable(color_table)
        return cls(buffer, buffer[:, :width], overlay, wrap_gray(buffer, width))


def level_count(width: int, height: int) -> int:
    """How many half-size levels below full size are worth keeping for an image."""
    levels = 0
    while min(width, height) > 2 * _MIN_LEVEL_EDGE:
        width, height = (width + 1) // 2, (height + 1) // 2
        levels += 1
    return levels


def level_source(img: Image.Image) -> Image.Image:
    """`img` in the mode its levels are averaged in: RGB, or premultiplied RGBa (averaging
    straight RGBA would let transparent pixels bleed their colour into the edge)."""
    if img.mode not in ("RGB", "RGBA", "RGBa"):
        img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    if img.mode == "RGBA":
        img = img.convert("RGBa")
    return img


def reduce_levels(img: Image.Image, count: int | None = None, *, first: int = 1) -> list[Image.Image]:
    """Area-averaged copies of a Pillow image, levels `first` (1 or 2) to `count` (default:
    every level worth keeping), in the mode they are drawn from (see `level_source`).

    Level 1 is the image's 2x2 box average, level 2 its 4x4 box average (one pass over the full
    image, not two: a camera photo's first paint waits for it, and `first=2` leaves level 1 for
    later), each further level the 2x2 average of the one above. Pillow's C loops release the GIL.
    """
    if count is None:
        count = level_count(*img.size)
    if not count:
        return []
    source = level_source(img)
    levels = [half(source)] if first <= 1 else []
    if count >= 2:
        level = source.reduce(4)
        levels.append(level)
        for _ in range(count - 2):
            level = half(level)
            levels.append(level)
    return levels


def build_levels_from_pil(img: Image.Image, count: int | None = None) -> list[QImage]:
    """Area-averaged half, quarter, ... size copies of a Pillow image, as display QImages.

    For worker threads: halving is Pillow's exact 2x2 box average and the QImages are packed by
    Pillow, so the GIL is released for the pixel work and the window keeps running (Qt's
    smooth `scaled` would hold it for the whole pyramid of a 4K photo).
    """
    return [qimage_from_pil(level) for level in reduce_levels(img, count)]


def build_image_levels(image: QImage, count: int | None = None) -> list[QImage]:
    """Area-averaged half, quarter, ... size copies of `image`, with Qt's smooth scaling.

    Used on the GUI thread for images that arrived without levels (a paste); workers use
    `build_levels_from_pil`, which lets the GUI thread run meanwhile.
    """
    if count is None:
        count = level_count(image.width(), image.height())
    levels: list[QImage] = []
    prev = image
    for _ in range(count):
        w, h = (prev.width() + 1) // 2, (prev.height() + 1) // 2
        prev = prev.scaled(w, h, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
        levels.append(prev)
    return levels


class DisplayPyramid:
    """Display levels for one document; level 0 is the document itself, level n is 1/2**n.

    `painted` is a rectangle that contains every non-zero mask pixel (it only grows as the mask
    changes), so drawing the overlay can skip the parts of the view where the mask is empty.
    """

    def __init__(self, document: Document, color_table: list[int], runner: TaskRunner | None = None,
                 levels_ready: Callable[[Bounds], None] | None = None):
        """`runner` rebuilds the mask levels of large changes (without one they are updated when
        drawn, like small ones); `levels_ready(bounds)` is called when rebuilt levels that
        changed inside `bounds` (level-0 pixels) replaced the old ones."""
        self.document = document
        self._color_table = color_table
        self._runner = runner
        self._levels_ready = levels_ready
        self._rebuild = 0  # the latest rebuild asked for; older answers are dropped
        self._rebuilding: Bounds | None = None  # what the rebuilds in flight changed
        self._changed_since: Bounds | None = None  # changed after the latest rebuild began
        self._images: list[QImage] | None = None  # made at the first draw (see `image_for`)
        self._masks: list[MaskLevel] = [MaskLevel.wrap(document.mask_buffer(), document.width, color_table)]
        self.max_level = level_count(document.width, document.height)
        blank = document.mask_revision == 0  # a new document's: no need to read it
        self.painted: Bounds | None = None if blank else _painted_bounds(document.mask_buffer(), document.mask_pixels())

    def level_for_zoom(self, zoom: float) -> int:
        """The level whose size is the smallest still at or above the displayed size."""
        if zoom >= 1.0:
            return 0
        return max(0, min(self.max_level, int(math.floor(math.log2(1.0 / zoom) + 1e-9))))

    def level_size(self, level: int) -> tuple[int, int]:
        w, h = self.document.width, self.document.height
        for _ in range(level):
            w, h = (w + 1) // 2, (h + 1) // 2
        return w, h

    def image(self, level: int) -> QImage:
        """The image at `level` (made on this thread when the document has no such level)."""
        return self.image_for(level, substitute=False)[1]

    def image_for(self, level: int, *, substitute: bool = True) -> tuple[int, QImage]:
        """The level to draw for `level` and its image.

        While the loader is still making a large image's finer levels (the document's display is
        pending), the nearest level it has delivered stands in: the coarsest levels come first, so
        the picture shows at once, and a finer one replaces it when it arrives
        (`display_changed`). Otherwise it is `level` itself; levels the loader did not make (a
        pasted image) are built here, on this thread, from the finest one.
        """
        document = self.document
        if substitute and document.display_pending():
            have = [n for n in range(self.max_level + 1) if document.display_image(n) is not None]
            if have and level not in have:
                coarser = [n for n in have if n > level]
                level = min(coarser) if coarser else max(have)
            found = document.display_image(level)
            if found is not None:
                return level, found
        if self._images is None:
            self._images = [document.image]
            for n in range(1, self.max_level + 1):
                made = document.display_image(n)
                if made is None:
                    break
                self._images.append(made)
        if len(self._images) <= level:  # not built by the loader (e.g. a pasted image)
            self._images.extend(build_image_levels(self._images[-1], level + 1 - len(self._images)))
        return level, self._images[level]

    def on_display_changed(self) -> None:
        """The document's finer levels arrived: draw from them from now on."""
        self._images = None

    def mask(self, level: int) -> MaskLevel:
        """The mask at `level`, brought up to date first (only where it changed)."""
        for n in range(1, min(level, len(self._masks) - 1) + 1):
            lvl = self._masks[n]
            if lvl.dirty is None:
                continue
            x0, y0, x1, y1 = lvl.dirty
            f = 1 << n
            h, w = lvl.pixels.shape
            area = (x0 // f, y0 // f, min(w, -(-x1 // f)), min(h, -(-y1 // f)))
            if area[2] > area[0] and area[3] > area[1]:
                ax0, ay0, ax1, ay1 = area
                lvl.pixels[ay0:ay1, ax0:ax1] = _half(self._masks[n - 1].pixels, area)
            lvl.dirty = None
        while len(self._masks) <= level:
            n = len(self._masks)
            prev = self._masks[-1].pixels
            h, w = (prev.shape[0] + 1) // 2, (prev.shape[1] + 1) // 2
            buffer, pixels = allocate_mask_buffer(w, h)
            if self.painted is not None:  # elsewhere the mask is empty and the new level is zero already
                x0, y0, x1, y1 = self.painted
                f = 1 << n
                area = (x0 // f, y0 // f, min(w, -(-x1 // f)), min(h, -(-y1 // f)))
                pixels[area[1] : area[3], area[0] : area[2]] = _half(prev, area)
            self._masks.append(MaskLevel.wrap(buffer, w, self._color_table))
        return self._masks[level]

    def on_mask_changed(self, rect) -> None:
        """The document's mask_changed(QRect) signal: the mask changed inside `rect`."""
        self.invalidate((rect.x(), rect.y(), rect.x() + rect.width(), rect.y() + rect.height()))

    def invalidate(self, bounds: Bounds) -> None:
        """The mask changed inside `bounds` (level-0 pixels)."""
        self.painted = _union(self.painted, bounds)
        if self._rebuilding is not None:  # the worker may have read these pixels before they changed
            self._changed_since = _union(self._changed_since, bounds)
        if self.is_large_change(bounds):
            self._start_rebuild(bounds)
            return
        for lvl in self._masks[1:]:
            lvl.dirty = _union(lvl.dirty, bounds)

    def is_large_change(self, bounds: Bounds) -> bool:
        """Whether a change inside `bounds` has the levels rebuilt on a worker."""
        x0, y0, x1, y1 = bounds
        return self._runner is not None and self.max_level > 0 and (x1 - x0) * (y1 - y0) >= REBUILD_PIXELS

    def rebuilding(self) -> bool:
        """Whether reduced mask levels are being rebuilt on a worker (zoomed-out views show the
        old ones meanwhile)."""
        return self._rebuilding is not None

    def _start_rebuild(self, bounds: Bounds) -> None:
        assert self._runner is not None
        self._rebuild += 1
        wanted = self._rebuild
        self._rebuilding = _union(self._rebuilding, bounds)
        self._changed_since = None
        pixels, count = self.document.mask_pixels(), self.max_level

        def work() -> list[np.ndarray] | None:
            if wanted != self._rebuild:
                return None  # superseded before it began
            return rebuild_mask_levels(pixels, count)

        self._runner.submit(work, lambda buffers: self._on_rebuilt(wanted, buffers),
                            lambda _exc: self._on_rebuilt(wanted, None))

    def _on_rebuilt(self, wanted: int, buffers: list[np.ndarray] | None) -> None:
        if wanted != self._rebuild:
            return
        changed, since = self._rebuilding, self._changed_since
        self._rebuilding = self._changed_since = None
        assert changed is not None
        if buffers is None:  # failed: the old levels are brought up to date when drawn
            for lvl in self._masks[1:]:
                lvl.dirty = _union(lvl.dirty, changed)
        else:
            levels = []
            for n, buffer in enumerate(buffers, start=1):
                level = MaskLevel.wrap(buffer, self.level_size(n)[0], self._color_table)
                level.dirty = since  # changed while the worker read the mask: redone when drawn
                levels.append(level)
            self._masks = [self._masks[0], *levels]
        if self._levels_ready is not None:
            self._levels_ready(changed)

    def set_color_table(self, table: list[int]) -> None:
        self._color_table = table
        for lvl in self._masks:
            lvl.overlay.setColorTable(table)

    def image_scale(self, level: int) -> tuple[float, float]:
        """Image pixels per image-level pixel along x and y (2**level, adjusted for odd sizes).

        Mask levels are exact 2x2 averages, so their scale is exactly 2**level.
        """
        if level == 0:
            return 1.0, 1.0
        w, h = self.level_size(level)
        return self.document.width / w, self.document.height / h


def rebuild_mask_levels(pixels: np.ndarray, count: int) -> list[np.ndarray]:
    """Levels 1 to `count` of a whole mask, as padded buffers (see `allocate_mask_buffer`): the
    same 2x2 averages the levels are kept up to date with, computed by OpenCV (GIL released)."""
    buffers = []
    prev = pixels
    for _ in range(count):
        h, w = (prev.shape[0] + 1) // 2, (prev.shape[1] + 1) // 2
        buffer, view = allocate_mask_buffer(w, h)
        view[:] = _half(prev, (0, 0, w, h))
        buffers.append(buffer)
        prev = view
    return buffers


def _painted_bounds(buffer: np.ndarray, pixels: np.ndarray) -> Bounds | None:
    """Where a mask is not zero; a blank mask (every new document's) is recognised quickly by
    reading its buffer as 64-bit words (2 ms instead of 10 for 45 MP on the GUI thread)."""
    flat = buffer.reshape(-1)
    words = flat.size // 8 * 8
    if not flat[:words].view(np.uint64).any() and not flat[words:].any():
        return None
    return nonzero_bounds(pixels)


def _union(a: Bounds | None, b: Bounds) -> Bounds:
    if a is None:
        return b
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _half(prev: np.ndarray, area: Bounds) -> np.ndarray:
    """2x2 box average of `prev` for the half-size pixels in `area`, repeating the last row/column
    (each half-size pixel is (a + b + c + d + 2) // 4)."""
    x0, y0, x1, y1 = area
    ph, pw = prev.shape
    block = prev[2 * y0 : min(ph, 2 * y1), 2 * x0 : min(pw, 2 * x1)]
    need_h, need_w = 2 * (y1 - y0), 2 * (x1 - x0)
    if block.shape != (need_h, need_w):
        block = np.pad(block, ((0, need_h - block.shape[0]), (0, need_w - block.shape[1])), mode="edge")
    # OpenCV's area resize by exactly one half is this 2x2 average rounded half up, computed
    # about 20x faster than numpy's (5 ms instead of 100 for a 24 MP mask): it runs on the GUI
    # thread when a large mask change is first drawn zoomed out.
    return cv2.resize(block, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
