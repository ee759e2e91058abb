"""Conversions between Pillow/numpy images and QImage, at the edge of the ui layer.

The canvas paints 8-bit RGB photos up to 8K many times a second, so images are converted once
into the formats QPainter blends fastest (RGB32, ARGB32 premultiplied), and masks are shown
through QImage views that share memory with the numpy mask instead of copying it per frame.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QColor, QImage

from desktop_editor.core.paged_memory import paged_zeros


def aligned_stride(width: int) -> int:
    """Bytes per row of an 8-bit image that QImage can wrap: a multiple of 4."""
    return (width + 3) & ~3


def allocate_mask_buffer(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """A zeroed 8-bit buffer with QImage-compatible row stride, and its (H, W) mask view.

    In small pages (`paged_zeros`): the brush writes masks and their levels a dab at a time on
    the window's thread, where faulting in a huge page per new area stalled strokes; all of them
    provided soon in the background, so the first stroke over an area does not fault them in."""
    buffer = paged_zeros((height, aligned_stride(width)), populate=True)
    return buffer, buffer[:, :width]


def wrap_gray(buffer: np.ndarray, width: int, fmt: QImage.Format = QImage.Format.Format_Grayscale8) -> QImage:
    """A QImage sharing the memory of an 8-bit (H, stride) buffer; keep the buffer alive with it."""
    height, stride = buffer.shape
    return QImage(buffer.data, width, height, stride, fmt)


def qimage_to_pil(image: QImage) -> Image.Image:
    """A Pillow RGB or RGBA copy of a QImage (clipboard images arrive as QImage)."""
    has_alpha = image.hasAlphaChannel()
    fmt = QImage.Format.Format_RGBA8888 if has_alpha else QImage.Format.Format_RGB888
    converted = image.convertToFormat(fmt)
    width, height = converted.width(), converted.height()
    channels = 4 if has_alpha else 3
    stride = converted.bytesPerLine()
    raw = np.frombuffer(converted.constBits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
    pixels = raw[:, : width * channels].reshape(height, width, channels)
    return Image.fromarray(np.ascontiguousarray(pixels), "RGBA" if has_alpha else "RGB")


def qimage_to_png_bytes(image: QImage) -> bytes:
    """PNG bytes of a QImage, for storing an image that has no file."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def overlay_color_table(color: QColor, opacity: float) -> list[int]:
    """Colour table that shows mask value v as `color` at alpha v * opacity (Indexed8 view)."""
    r, g, b = color.red(), color.green(), color.blue()
    scale = max(0.0, min(1.0, opacity)) / 255.0
    return [QColor(r, g, b, int(round(v * 255 * scale))).rgba() for v in range(256)]
