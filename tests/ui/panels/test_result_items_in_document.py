"""A result held in memory (8-bit sRGB pixels) of a document with its own values is saved
converted into the document's profile, mode and depth, not as sRGB under the document's tag."""

from __future__ import annotations

import numpy as np
from PIL import Image

from colour_images import adobe_rgb, cmyk_profile, gradient
from desktop_editor.core.colour import ColourSpace, from_srgb8
from desktop_editor.core.images import load_image
from desktop_editor.core.source_image import SourceImage
from desktop_editor.ui.panels.result_items import ResultItem, save_item_new, save_item_to


def test_an_in_memory_result_of_a_16_bit_a98_document_is_saved_at_16_bits_in_a98(tmp_path):
    document = SourceImage(ColourSpace("RGB", 16, adobe_rgb()), "TIFF", gradient(bits=16), "tiff_adobe_deflate")
    shown = Image.fromarray(gradient())  # what the window shows: 8-bit sRGB
    item = ResultItem(image=shown, icc_profile=adobe_rgb(), dpi=(300.0, 300.0), document=document)
    png = load_image(save_item_new(item, tmp_path, "kept", "png")).source
    assert png.space.bits == 16 and png.space.profile == adobe_rgb()
    assert np.array_equal(png.pixels, from_srgb8(shown, document.space))
    tiff_path = save_item_to(item, tmp_path / "kept.tif", 95)
    tiff = load_image(tiff_path)
    assert tiff.source.kind == "TIFF" and tiff.source.space.bits == 16 and tiff.dpi == (300.0, 300.0)
    assert np.array_equal(tiff.source.pixels, png.pixels)


def test_an_in_memory_result_of_a_cmyk_jpeg_is_a_cmyk_jpeg(tmp_path):
    document = SourceImage(ColourSpace("CMYK", 8, cmyk_profile()), "JPEG", gradient(bands=4))
    item = ResultItem(image=Image.fromarray(gradient()), icc_profile=cmyk_profile(), document=document)
    with Image.open(save_item_to(item, tmp_path / "print.jpg", 95)) as back:
        assert back.mode == "CMYK" and back.info["icc_profile"] == cmyk_profile()


def test_an_in_memory_result_of_a_plain_srgb_document_is_saved_as_before(tmp_path):
    document = SourceImage(ColourSpace("RGB", 8, None), "JPEG")
    shown = Image.fromarray(gradient())
    with Image.open(save_item_new(ResultItem(image=shown, document=document), tmp_path, "kept", "png")) as back:
        assert back.mode == "RGB" and np.array_equal(np.asarray(back), np.asarray(shown))
