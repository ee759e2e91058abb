"""Half, quarter, ... copies of a picture, so the compare view draws any zoom smooth and cheap.

A 4K photo shown at a third of its size is drawn from an area-averaged level (smooth, no
shimmer, few pixels read) and above 100% from the full image without interpolation, so single
pixels stay crisp. The copies are built on workers with Pillow (which lets the window's thread
run); this module holds the pixels and knows nothing of widgets.
"""

from __future__ import annotations

import math

from PIL import Image
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from desktop_editor.ui.common.conversions import (
    copy_of,
    half,
    pil_from_qimage,
    pil_region,
    qimage_from_pil,
    qimage_with_patch,
)

__all__ = ["ImageLevels"]

_MIN_LEVEL_EDGE = 128
_DISPLAY_FORMATS = (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32_Premultiplied)


class ImageLevels:
    """An image and its half, quarter, ... copies, for drawing at any zoom.

    Building the copies of a 4K image takes tens of milliseconds, so `build()` is meant for a
    worker thread; until it is done a view uses `ImageLevels(image)` (the full image only) and
    draws zoomed-out views with the fast transformation.
    """

    def __init__(self, image: QImage, smaller: list[QImage] | None = None):
        self.levels: list[QImage] = [image, *(smaller or [])]
        # The picture scaled to exactly the shown zoom (below 100%), made on a worker: drawing
        # it is a plain copy, where scaling a level on every paint costs the GUI thread 10-20 ms.
        self._exact: tuple[float, QImage] | None = None
        self.requested_zoom: float | None = None
        self.version = 0  # moves on whenever the pixels change (a mix being painted)

    def invalidate(self) -> None:
        """The pixels changed in place: the copy scaled to the zoom is stale and is made again
        once the painting rests; until then the levels are drawn directly."""
        self.version += 1
        self._exact = None
        self.requested_zoom = None

    @classmethod
    def build(cls, image: QImage, size: QSize | None = None) -> ImageLevels:
        """All levels of `image` (first scaled to `size` if given), in a display format.

        For worker threads: the pixel work is Pillow's, which lets the GUI thread run
        (see compare_imaging); Qt's own scaling would hold the GIL throughout.
        """
        pil = pil_from_qimage(image, premultiplied=True)
        base: QImage | None = image if image.format() in _DISPLAY_FORMATS else None
        if size is not None and (pil.width, pil.height) != (size.width(), size.height()):
            pil = pil.resize((size.width(), size.height()), Image.Resampling.BICUBIC)
            base = None
        return cls.from_pil(pil, base)

    @classmethod
    def from_pil(cls, pil: Image.Image, base: QImage | None = None) -> ImageLevels:
        """Levels of a Pillow image; `base` is its QImage if one exists already."""
        levels = [base if base is not None else qimage_from_pil(pil)]
        while min(pil.width, pil.height) >= 2 * _MIN_LEVEL_EDGE:
            pil = half(pil)
            levels.append(qimage_from_pil(pil))
        return cls(levels[0], levels[1:])

    @classmethod
    def patched(cls, levels: ImageLevels, image: QImage, rect: tuple[int, int, int, int], *,
                into: list[QImage] | None = None) -> ImageLevels | None:
        """The levels of `image`, an opaque picture equal to `levels.image` outside `rect`.

        Each smaller level is the old one with only the part under `rect` halved again from the
        new level above: the same 2x2 averages `from_pil` makes, over a patch instead of the
        frame (a result whose mask covers a tenth of a 24 MP photo: tens of milliseconds, not a
        full rebuild). None when `levels` are incomplete, not opaque or not of `image`'s size.
        `into`: copies of the smaller levels made earlier (`copies`), patched instead of copied.
        For worker threads.
        """
        base = levels.levels[0]
        if not levels.complete or image.size() != base.size() or image.format() != QImage.Format.Format_RGB32 \
                or base.format() != QImage.Format.Format_RGB32:
            return None
        out = [image]
        x0, y0, x1, y1 = rect
        spares = list(into or [])
        for old in levels.levels[1:]:
            above = out[-1]
            # The blocks of the level above that hold the change, aligned to the 2x2 grid.
            x0, y0 = x0 - x0 % 2, y0 - y0 % 2
            x1, y1 = min(above.width(), x1 + x1 % 2), min(above.height(), y1 + y1 % 2)
            region = pil_region(above, (x0, y0, x1, y1)) if x1 > x0 and y1 > y0 else None
            if region is None:
                return None
            patch = half(region)
            x0, y0 = x0 // 2, y0 // 2
            x1, y1 = x0 + patch.width, y0 + patch.height
            level = qimage_with_patch(old, patch, (x0, y0), into=spares.pop(0) if spares else None)
            if level is None:
                return None
            out.append(level)
        return cls(out[0], out[1:])

    def copies(self) -> list[QImage] | None:
        """New copies of the smaller levels (for `patched(into=...)`); None if one cannot be made."""
        made = [copy_of(level) for level in self.levels[1:]]
        return None if any(level is None for level in made) else made  # type: ignore[return-value]

    def exact_for(self, zoom: float) -> QImage | None:
        """The copy scaled to exactly `zoom`, if it has been made."""
        if self._exact is not None and abs(self._exact[0] - zoom) < 1e-9:
            return self._exact[1]
        return None

    def set_exact(self, zoom: float, image: QImage) -> None:
        self._exact = (zoom, image)

    def make_exact(self, zoom: float, dpr: float = 1.0) -> QImage:
        """The whole picture at `zoom` (device pixels per image pixel), high quality (Lanczos
        from the nearest larger level). For worker threads."""
        level, _sx, _sy = self.pick(zoom)
        base = self.levels[0]
        size = (max(1, round(base.width() * zoom)), max(1, round(base.height() * zoom)))
        pil = pil_from_qimage(level, premultiplied=True).resize(size, Image.Resampling.LANCZOS)
        image = qimage_from_pil(pil)
        image.setDevicePixelRatio(dpr)
        return image

    @property
    def complete(self) -> bool:
        """Whether the smaller levels exist (or none are needed)."""
        base = self.levels[0]
        return len(self.levels) > 1 or min(base.width(), base.height()) < 2 * _MIN_LEVEL_EDGE

    @property
    def image(self) -> QImage:
        return self.levels[0]

    def size(self) -> QSize:
        return self.levels[0].size()

    def pick(self, zoom: float) -> tuple[QImage, float, float]:
        """The level to draw at `zoom` (device pixels per image pixel) and its x/y scale.

        The smallest level still at least as large as the displayed size, so drawing only ever
        shrinks by less than 2x (bilinear stays clean) or enlarges the full image.
        """
        index = 0
        if zoom < 1.0:
            index = min(len(self.levels) - 1, int(math.floor(math.log2(1.0 / zoom) + 1e-9)))
        level = self.levels[index]
        base = self.levels[0]
        return level, level.width() / base.width(), level.height() / base.height()
