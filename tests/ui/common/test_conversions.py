"""QImages made from Pillow images strip by strip: exact pixels in Qt's byte order, any height."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage

from desktop_editor.core.pixels import STRIP_ROWS
from desktop_editor.ui.common.conversions import pil_from_qimage, qimage_from_pil

HEIGHT = 2 * STRIP_ROWS + 7  # several strips and a short last one


def _noise(bands: int, width: int = 19) -> np.ndarray:
    return np.random.default_rng(3).integers(0, 256, (HEIGHT, width, bands), dtype=np.uint8)


def _pixels(image: QImage) -> np.ndarray:
    stride = image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * image.height())
    return raw.reshape(image.height(), stride)[:, : 4 * image.width()].reshape(image.height(), image.width(), 4)


def test_rgb_becomes_rgb32_with_opaque_padding():
    rgb = _noise(3)
    image = qimage_from_pil(Image.fromarray(rgb, "RGB"))
    assert image.format() == QImage.Format.Format_RGB32 and (image.width(), image.height()) == (19, HEIGHT)
    bgra = _pixels(image)
    assert np.array_equal(bgra[..., 2::-1], rgb)  # B, G, R in memory
    assert (bgra[..., 3] == 255).all()  # 0xffRRGGBB, as Qt requires


def test_rgba_becomes_premultiplied_argb():
    rgba = _noise(4)
    image = qimage_from_pil(Image.fromarray(rgba, "RGBA"))
    assert image.format() == QImage.Format.Format_ARGB32_Premultiplied
    back = np.asarray(pil_from_qimage(image))  # un-premultiplied again
    opaque = rgba[..., 3] == 255
    assert np.array_equal(back[opaque], rgba[opaque])
    assert np.array_equal(back[..., 3], rgba[..., 3])


@pytest.mark.parametrize("mode", ["L", "P"])
def test_opaque_modes_are_converted_to_rgb(mode):
    img = Image.fromarray(_noise(3), "RGB").convert(mode)
    image = qimage_from_pil(img)
    assert not image.hasAlphaChannel()
    assert np.array_equal(_pixels(image)[..., 2::-1], np.asarray(img.convert("RGB")))


def test_grey_with_alpha_keeps_its_alpha():
    img = Image.fromarray(_noise(4), "RGBA").convert("LA")
    image = qimage_from_pil(img)
    assert image.hasAlphaChannel()
    assert np.array_equal(np.asarray(pil_from_qimage(image))[..., 3], np.asarray(img)[..., 1])


# ----- a copy with a patch: only the patch is converted -------------------------------------------

from desktop_editor.ui.common.conversions import pil_region, qimage_with_patch  # noqa: E402


def test_a_copy_with_a_patch_is_the_pasted_image_converted_whole():
    base = Image.fromarray(_noise(3, width=41), "RGB")
    patch = Image.fromarray(np.random.default_rng(9).integers(0, 256, (STRIP_ROWS + 3, 17, 3), dtype=np.uint8), "RGB")
    shown = qimage_from_pil(base)
    patched = qimage_with_patch(shown, patch, (20, 5))
    pasted = base.copy()
    pasted.paste(patch, (20, 5))
    assert np.array_equal(_pixels(patched), _pixels(qimage_from_pil(pasted)))
    assert np.array_equal(_pixels(shown), _pixels(qimage_from_pil(base)))  # the original is untouched
    assert qimage_with_patch(shown, patch, (30, 5)) is None  # it would not fit
    assert np.array_equal(np.asarray(pil_region(patched, (20, 5, 37, 5 + patch.height))), np.asarray(patch))


def test_a_patch_packed_into_a_copy_made_ahead_is_the_same_picture_without_a_new_frame():
    from desktop_editor.ui.common.conversions import copy_of

    base = Image.fromarray(_noise(3, width=41), "RGB")
    patch = Image.fromarray(np.random.default_rng(9).integers(0, 256, (STRIP_ROWS + 3, 17, 3), dtype=np.uint8), "RGB")
    shown = qimage_from_pil(base)
    spare = copy_of(shown)
    assert spare is not None and spare.cacheKey() != shown.cacheKey()
    assert np.array_equal(_pixels(spare), _pixels(shown))
    into = qimage_with_patch(shown, patch, (20, 5), into=spare)
    assert into is spare
    assert np.array_equal(_pixels(into), _pixels(qimage_with_patch(shown, patch, (20, 5))))
    assert np.array_equal(_pixels(shown), _pixels(qimage_from_pil(base)))  # the original is untouched
    other = copy_of(qimage_from_pil(Image.new("RGB", (40, 41))))  # another size: a new frame is made
    assert qimage_with_patch(shown, patch, (20, 5), into=other) is not other
