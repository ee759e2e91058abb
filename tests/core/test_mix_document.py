"""A mix rendered in the document's own values: the original's exactly where no source's mask
reaches, each source's own values where it shows alone, and the map's blend in between."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from colour_images import adobe_rgb, cmyk_profile, gradient
from desktop_editor.core.colour import ColourSpace, from_srgb8, to_srgb8
from desktop_editor.core.composite import blend_values, weight_image
from desktop_editor.core.document_export import encode_document
from desktop_editor.core.images import load_image
from desktop_editor.core.mix import MixPalette
from desktop_editor.core.mix_document import DocumentSource, render_document
from desktop_editor.core.result_export import document_format, in_document_space, save_document_new
from desktop_editor.core.source_image import SourceImage

WIDTH, HEIGHT = 96, 64


def box_mask(x0, y0, x1, y1) -> np.ndarray:
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    mask[y0:y1, x0:x1] = 255
    return mask


@pytest.fixture
def a98_document(tmp_path):
    """A 16-bit Adobe RGB TIFF document, a result its job saved in its space (kept outside the
    mask), and an older 8-bit sRGB result that was not composited."""
    values = gradient(WIDTH, HEIGHT, bits=16)
    document = SourceImage(ColourSpace("RGB", 16, adobe_rgb()), "TIFF", values, "tiff_adobe_deflate")
    first_mask, second_mask = box_mask(10, 10, 50, 40), box_mask(40, 20, 90, 60)
    changed = values.copy()
    changed[first_mask > 0] = 65535 - changed[first_mask > 0]
    first = tmp_path / "result-1.tif"
    first.write_bytes(encode_document(changed, document, "tiff"))
    second = tmp_path / "result-2.png"
    Image.fromarray(np.full((HEIGHT, WIDTH, 3), (30, 200, 90), np.uint8)).save(second)
    sources = [DocumentSource(first, first_mask, 0.0, composited=True), DocumentSource(second, second_mask, 4.0)]
    return document, sources, changed


def displays_of(document, sources):
    """What Mix mode shows of each source: 8-bit sRGB at the original's size."""
    shown = [to_srgb8(load_image(sources[0].path).source.pixels, document.space),
             load_image(sources[1].path).image]
    return lambda index: shown[index]


def test_a_16_bit_a98_mix_keeps_the_original_exact_outside_the_masks_and_each_source_where_it_shows(a98_document):
    document, sources, changed = a98_document
    palette = MixPalette(3)  # base (result 1) + result 1 + result 2
    labels = np.zeros((HEIGHT, WIDTH), np.uint8)
    labels[:, 48:] = 2  # result 2 painted over the right half
    blend_entry = palette._pair_start[0, 2] + palette.levels // 2
    labels[:, 46:48] = blend_entry  # a soft edge between the base and result 2
    mixed = render_document(labels, palette, 0, document, sources, displays_of(document, sources))
    assert mixed.dtype == np.uint16 and mixed.shape == document.pixels.shape

    outside = (sources[0].mask == 0) & (sources[1].mask == 0)
    assert np.array_equal(mixed[outside], document.pixels[outside])  # bit for bit, 16 bits
    left = np.zeros((HEIGHT, WIDTH), bool)
    left[:, :46] = True
    assert np.array_equal(mixed[left], changed[left])  # the saved result's own values
    second = blend_values(document.pixels, from_srgb8(Image.open(sources[1].path), document.space),
                          weight_image(sources[1].mask, 4.0))
    assert np.array_equal(mixed[:, 48:], second[:, 48:])  # converted, blended through its mask
    share = palette.weight[blend_entry] / 255
    expected = np.rint(changed[:, 46:48] + (second[:, 46:48].astype(float) - changed[:, 46:48]) * share)
    assert np.abs(mixed[:, 46:48].astype(float) - expected).max() <= 1
    assert not np.array_equal(mixed[:, 46:48], changed[:, 46:48])  # the edge is a blend, not either source


def test_the_mix_is_saved_as_a_16_bit_a98_tiff_named_for_it(a98_document, tmp_path):
    document, sources, _changed = a98_document
    palette = MixPalette(3)
    labels = np.zeros((HEIGHT, WIDTH), np.uint8)
    labels[30:, :] = 2
    mixed = render_document(labels, palette, 0, document, sources, displays_of(document, sources))
    assert in_document_space(document) and document_format("source", document) == "tiff"
    written = save_document_new(mixed, document, tmp_path / "out", "photo-mix", "tiff", dpi=(300.0, 300.0),
                                xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')
    assert written.name == "photo-mix.tif"
    back = load_image(written)
    assert back.source.space.bits == 16 and back.source.space.profile == adobe_rgb()
    assert np.array_equal(back.source.pixels, mixed) and back.dpi == pytest.approx((300, 300))
    assert document_format("png", document) == "png" and document_format("service", document) == "tiff"


def test_a_cmyk_jpeg_mix_is_a_cmyk_jpeg_with_its_profile_and_the_original_exact_outside(tmp_path):
    values = gradient(WIDTH, HEIGHT, bands=4)
    document = SourceImage(ColourSpace("CMYK", 8, cmyk_profile()), "JPEG", values)
    first_mask, second_mask = box_mask(0, 0, 40, 64), box_mask(60, 0, 96, 30)
    kept = values.copy()
    kept[first_mask > 0] = 255 - kept[first_mask > 0]
    first = tmp_path / "result-1.jpg"  # the job's CMYK JPEG: outside its mask only near the original
    first.write_bytes(encode_document(kept, document, "jpeg"))
    assert not np.array_equal(load_image(first).source.pixels[first_mask == 0], values[first_mask == 0])
    second = tmp_path / "result-2.png"  # an sRGB result: converted into CMYK through the profile
    Image.fromarray(np.full((HEIGHT, WIDTH, 3), (200, 40, 40), np.uint8)).save(second)
    sources = [DocumentSource(first, first_mask, 0.0, composited=True), DocumentSource(second, second_mask, 0.0)]
    shown = [to_srgb8(load_image(first).source.pixels, document.space), Image.open(second)]
    labels = np.zeros((HEIGHT, WIDTH), np.uint8)
    labels[:, 56:] = 2
    mixed = render_document(labels, MixPalette(3), 0, document, sources, lambda index: shown[index])
    outside = (first_mask == 0) & (second_mask == 0)
    assert np.array_equal(mixed[outside], values[outside])
    assert np.array_equal(mixed[second_mask > 0], from_srgb8(shown[1], document.space)[second_mask > 0])
    assert document_format("source", document) == "jpeg"
    written = save_document_new(mixed, document, tmp_path, "print-mix", "jpeg")
    with Image.open(written) as back:
        assert back.mode == "CMYK" and back.info["icc_profile"] == cmyk_profile()
        assert np.abs(np.asarray(back).astype(int) - mixed).mean() < 3  # JPEG's rounding only


def test_plain_srgb_jpeg_and_png_documents_are_not_saved_in_a_document_space():
    jpeg = SourceImage(ColourSpace("RGB", 8, None), "JPEG")
    assert not in_document_space(jpeg) and not in_document_space(None)
    assert in_document_space(SourceImage(ColourSpace("RGB", 8, None), "TIFF"))  # only the document writer writes TIFF


def test_a_16_bit_rgba_mix_keeps_the_originals_alpha_where_a_source_is_converted(tmp_path):
    colour = gradient(WIDTH, HEIGHT, bits=16)
    alpha = np.linspace(0, 65535, WIDTH * HEIGHT).astype(np.uint16).reshape(HEIGHT, WIDTH, 1)
    values = np.concatenate([colour, alpha], axis=-1)
    document = SourceImage(ColourSpace("RGBA", 16, None), "PNG", values)
    result = tmp_path / "result-1.png"  # an 8-bit sRGB result: converted, and given the original's alpha
    Image.fromarray(np.full((HEIGHT, WIDTH, 3), (10, 20, 30), np.uint8)).save(result)
    mask = box_mask(20, 10, 70, 50)
    mixed = render_document(np.zeros((HEIGHT, WIDTH), np.uint8), MixPalette(2), 0, document,
                            [DocumentSource(result, mask)], lambda _index: Image.open(result))
    assert mixed.shape == values.shape and np.array_equal(mixed[..., 3], values[..., 3])
    assert np.array_equal(mixed[mask == 0], values[mask == 0])
    assert (mixed[mask > 0][:, :3] == np.array([10, 20, 30], np.uint16) * 257).all()
