"""QImage <-> Pillow conversions and halving that let the GUI thread run while a worker does them.

Measured with PySide6 on CPython 3.11: `QImage.scaled` and `QImage.convertToFormat` keep the
GIL for their whole run, so on a worker thread a 4K conversion still freezes the GUI thread for
40 to 80 ms. Pillow releases the GIL inside its C loops. So worker-side image work here is done
by Pillow only: QImage pixels are read through their buffer (no Qt call), halving is
`Image.reduce(2)` (an exact 2x2 box average), and QImages are filled with strips Pillow packed
in Qt's own byte order (no conversion).

Byte orders assume a little-endian machine (x86, ARM): Format_RGB32 / ARGB32 are B, G, R, A
in memory there.

QImages made here own their pixels: Qt allocates them and numpy copies the packed strips in
(numpy releases the GIL for the copy, where `QImage.copy()` or `convertToFormat` would hold it).
"""

from __future__ import annotations

import sys

import numpy as np
from PIL import Image
from PySide6.QtGui import QImage

from desktop_editor.core.cpu import wait_while_painting
from desktop_editor.core.pixels import strips

RGB32 = QImage.Format.Format_RGB32
ARGB32 = QImage.Format.Format_ARGB32
PREMULTIPLIED = QImage.Format.Format_ARGB32_Premultiplied
_LITTLE_ENDIAN = sys.byteorder == "little"


def _readable(image: QImage) -> QImage:
    """`image` if its bytes can be read directly, else a converted copy (a Qt call: the rare path)."""
    if _LITTLE_ENDIAN and image.format() in (RGB32, ARGB32, PREMULTIPLIED):
        return image
    return image.convertToFormat(PREMULTIPLIED if image.hasAlphaChannel() else RGB32)


def pil_from_qimage(image: QImage, *, premultiplied: bool = False) -> Image.Image:
    """An independent Pillow copy of a QImage: "RGB" for opaque formats, else "RGBA".

    With `premultiplied`, an image with alpha comes back as "RGBa" (premultiplied), which is
    what averaging pixels (halving) needs to be correct at transparent edges.
    """
    image = _readable(image)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    fmt = image.format()
    if fmt == RGB32:
        mode, rawmode = "RGB", "BGRX"
    elif fmt == ARGB32:
        mode, rawmode = "RGBA", "BGRA"
    elif premultiplied:
        mode, rawmode = "RGBa", "BGRa"  # kept premultiplied
    else:
        mode, rawmode = "RGBA", "BGRa"  # un-premultiplied by the unpacker
    # A raw mode other than the mode makes Pillow decode into its own memory: a real copy.
    return Image.frombuffer(mode, (width, height), buffer, "raw", rawmode, stride, 1)


def qimage_from_pil(img: Image.Image) -> QImage:
    """A QImage that owns its pixels, in a format QPainter draws directly (RGB32, or ARGB32
    premultiplied with alpha). Safe on any thread, and safe to pass anywhere (signals, the
    clipboard, caches): Qt allocates the pixels.

    Packed strip by strip straight into the QImage: Pillow packs each strip with the GIL
    released and numpy copies it in, so no whole-image `tobytes()` join (which holds the GIL
    for its 33 MB copy on 4K) and no Qt conversion call is ever made.
    """
    width, height = img.size
    has_alpha = img.mode in ("RGBA", "RGBa", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if has_alpha:
        source = img if img.mode in ("RGBA", "RGBa") else img.convert("RGBA")
        fmt, rawmode = PREMULTIPLIED, "BGRa"
    else:
        source = img if img.mode == "RGB" else img.convert("RGB")
        fmt, rawmode = RGB32, "BGRX"
    source.load()
    image = QImage(width, height, fmt)
    if image.isNull():
        raise MemoryError(f"no memory for a {width}x{height} image")
    stride = image.bytesPerLine()  # 4 * width: 32-bit rows are always 4-byte aligned
    target = np.frombuffer(image.bits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
    for top, bottom in strips(height):
        wait_while_painting()  # Pillow's packing loop holds the GIL: not under a stroke (core.cpu)
        packed = source.crop((0, top, width, bottom)).tobytes("raw", rawmode)
        np.copyto(target[top:bottom, : 4 * width], np.frombuffer(packed, dtype=np.uint8).reshape(-1, 4 * width))
    if not has_alpha:
        target[:, 3 : 4 * width : 4] = 255  # RGB32 is 0xffRRGGBB; Pillow's BGRX pads with 0
    return image


def pil_from_rgb32(image: QImage) -> Image.Image:
    """An independent "RGB" Pillow copy of an opaque RGB32 QImage, unpacked a strip at a time.

    The same values as `pil_from_qimage`, but Pillow's unpacker holds the GIL for one strip at
    a time, not for the whole picture (at 100 MP, some 0.2 s of the window's waiting on a
    worker's single call), and the strips are pasted with the GIL released.

    Raises:
        ValueError: `image` is not RGB32 on a little-endian machine.
    """
    if image.format() != RGB32 or not _LITTLE_ENDIAN:
        raise ValueError(f"not an RGB32 image: {image.format()}")
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
    out = Image.new("RGB", (width, height))
    for top, bottom in strips(height):
        strip = Image.frombuffer("RGB", (width, bottom - top), rows[top:bottom], "raw", "BGRX", stride, 1)
        out.paste(strip, (0, top))
    return out


def scaled_from_rgb32(image: QImage, size: tuple[int, int]) -> Image.Image:
    """An "RGB" Pillow copy of an opaque RGB32 QImage scaled to `size` (LANCZOS), made without
    a full-size copy: Pillow reads the QImage's bytes in place as "RGBX" (so B, G, R, 255 land
    in R, G, B, X) and scales them, each band on its own as for "RGB", with the GIL released;
    only the small result has its bands put back in order.

    Raises:
        ValueError: `image` is not RGB32 on a little-endian machine.
    """
    if image.format() != RGB32 or not _LITTLE_ENDIAN:
        raise ValueError(f"not an RGB32 image: {image.format()}")
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    swapped = Image.frombuffer("RGBX", (width, height), buffer, "raw", "RGBX", stride, 1)  # no copy
    blue, green, red, _ = swapped.resize(size, Image.Resampling.LANCZOS).split()
    return Image.merge("RGB", (red, green, blue))


def half(img: Image.Image) -> Image.Image:
    """Half size by 2x2 box averaging (odd sizes round up); Pillow's C loop, GIL released."""
    return img.reduce(2)


def qimage_with_patch(base: QImage, patch: Image.Image, at: tuple[int, int], *,
                      into: QImage | None = None) -> QImage | None:
    """A new QImage: `base` with `patch` (RGB or RGBA) at `at`, as `qimage_from_pil` of the
    pasted Pillow image would give, but only the patch is packed: the rest of the frame is one
    numpy copy (GIL released), not a conversion. Safe on any thread. None when `base` is not in
    a format made here (RGB32 for an opaque patch, ARGB32 premultiplied for one with alpha).

    `into`: a copy of `base` made earlier (`copy_of`) that is not shown anywhere: the patch is
    packed into it and it is returned, so the frame is not copied now.
    """
    has_alpha = patch.mode == "RGBA"
    fmt, rawmode = (PREMULTIPLIED, "BGRa") if has_alpha else (RGB32, "BGRX")
    width, height = base.width(), base.height()
    left, top = at
    if (base.format() != fmt or not _LITTLE_ENDIAN or patch.mode not in ("RGB", "RGBA") or left < 0 or top < 0
            or left + patch.width > width or top + patch.height > height):
        return None
    stride = base.bytesPerLine()
    fits = into is not None and into.format() == fmt and into.size() == base.size() and into.bytesPerLine() == stride
    image = into if fits else copy_of(base)
    if image is None:
        return None
    target = np.frombuffer(image.bits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
    patch.load()
    for row0, row1 in strips(patch.height):
        packed = patch.crop((0, row0, patch.width, row1)).tobytes("raw", rawmode)
        rows = np.frombuffer(packed, dtype=np.uint8).reshape(-1, 4 * patch.width)
        np.copyto(target[top + row0 : top + row1, 4 * left : 4 * (left + patch.width)], rows)
    if not has_alpha and patch.width and patch.height:
        target[top : top + patch.height, 4 * left + 3 : 4 * (left + patch.width) : 4] = 255
    return image


def copy_of(image: QImage) -> QImage | None:
    """A new QImage with `image`'s pixels, copied with numpy (GIL released; QImage.copy holds
    it for the whole frame). Safe on any thread. None when the strides differ."""
    width, height = image.width(), image.height()
    out = QImage(width, height, image.format())
    if out.isNull():
        raise MemoryError(f"no memory for a {width}x{height} image")
    stride = out.bytesPerLine()
    if image.bytesPerLine() != stride:
        return None
    np.copyto(np.frombuffer(out.bits(), dtype=np.uint8, count=stride * height).reshape(height, stride),
              np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height).reshape(height, stride))
    return out


def pil_region(image: QImage, box: tuple[int, int, int, int]) -> Image.Image | None:
    """An "RGB" Pillow copy of the part `box` (left, top, right, bottom) of an opaque RGB32
    QImage, read through its buffer (no Qt call, no whole-image copy); None for other formats."""
    if image.format() != RGB32 or not _LITTLE_ENDIAN:
        return None
    left, top, right, bottom = box
    stride = image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * image.height()).reshape(image.height(), stride)
    part = np.ascontiguousarray(rows[top:bottom, 4 * left : 4 * right])
    return Image.frombuffer("RGB", (right - left, bottom - top), part, "raw", "BGRX", 0, 1)
