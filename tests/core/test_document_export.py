"""Saving a document's own values: same kind, profile, depth and compression; DPI, XMP, EXIF kept."""

import io

import numpy as np
import pytest
import tifffile
from PIL import Image

from colour_images import adobe_rgb, cmyk_profile, gradient, prophoto
from desktop_editor.core.colour import ColourSpace
from desktop_editor.core.document_export import encode_document
from desktop_editor.core.images import load_image
from desktop_editor.core.source_image import SourceImage
from desktop_editor.core.tiff_tags import ICC_PROFILE, UNDEFINED, XMP, BYTE, with_tags

XMP_PACKET = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'


def _exif(orientation=1, maker="Camera Co"):
    exif = Image.Exif()
    exif[0x010F] = maker
    exif[0x0112] = orientation
    return exif.tobytes()


@pytest.mark.parametrize("compression", ["raw", "tiff_lzw", "tiff_adobe_deflate"])
def test_a_16_bit_rgb_tiff_keeps_depth_profile_compression_dpi_and_xmp(compression):
    values = gradient(bits=16)
    source = SourceImage(ColourSpace("RGB", 16, prophoto()), "TIFF", values, compression, xmp=XMP_PACKET)
    data = encode_document(values, source, "tiff", dpi=(240.0, 240.0))
    back = load_image(data)
    assert np.array_equal(back.source.pixels, values) and back.source.compression == compression
    assert back.source.space.profile == prophoto() and back.dpi == pytest.approx((240, 240))
    assert back.source.xmp == XMP_PACKET


def test_16_bit_grey_and_cmyk_tiff():
    grey = gradient(bits=16)[..., 0].copy()
    source = SourceImage(ColourSpace("L", 16, None), "TIFF", grey, "tiff_adobe_deflate")
    assert np.array_equal(load_image(encode_document(grey, source, "tiff")).source.pixels, grey)
    cmyk = gradient(bits=16, bands=4)
    source = SourceImage(ColourSpace("CMYK", 16, cmyk_profile()), "TIFF", cmyk, "tiff_adobe_deflate")
    data = encode_document(cmyk, source, "tiff", dpi=(300.0, 300.0))
    with tifffile.TiffFile(io.BytesIO(data)) as tif:
        page = tif.pages[0]
        assert page.photometric == tifffile.PHOTOMETRIC.SEPARATED
        assert bytes(page.tags[ICC_PROFILE].value) == cmyk_profile()
        assert np.array_equal(page.asarray(), cmyk)


def test_a_jpeg_keeps_exif_with_the_orientation_reset_and_xmp():
    values = gradient()
    source = SourceImage(ColourSpace("RGB", 8, adobe_rgb()), "JPEG", values, exif=_exif(1), xmp=XMP_PACKET)
    back = Image.open(io.BytesIO(encode_document(values, source, "jpeg", dpi=(300.0, 300.0))))
    assert back.info["icc_profile"] == adobe_rgb() and back.getexif()[0x010F] == "Camera Co"
    assert back.getexif().get(0x0112, 1) == 1 and XMP_PACKET in back.info.get("xmp", b"")
    assert back.info["dpi"] == pytest.approx((300, 300))


def test_an_opened_rotated_photo_carries_orientation_one(tmp_path):
    path = tmp_path / "turned.jpg"
    Image.fromarray(gradient()).save(path, exif=_exif(6), icc_profile=adobe_rgb())
    loaded = load_image(path)
    assert loaded.size == (64, 96)
    exif = Image.Exif()
    exif.load(loaded.source.exif)
    assert exif[0x0112] == 1 and exif[0x010F] == "Camera Co"


def test_a_png_keeps_its_xmp_and_exif():
    values = gradient()
    source = SourceImage(ColourSpace("RGB", 8, adobe_rgb()), "PNG", values, exif=_exif(), xmp=XMP_PACKET)
    back = load_image(encode_document(values, source, "png", dpi=(150.0, 150.0)))
    assert back.source.xmp == XMP_PACKET and back.source.space.profile == adobe_rgb()
    assert back.dpi == pytest.approx((150, 150), abs=0.1)


def test_jpeg_has_no_alpha_so_it_is_flattened_onto_white():
    values = np.zeros((4, 4, 4), np.uint16)
    values[..., 3] = 0  # fully transparent
    source = SourceImage(ColourSpace("RGBA", 16, None), "PNG", values)
    back = np.asarray(Image.open(io.BytesIO(encode_document(values, source, "jpeg"))))
    assert back.min() >= 250


def test_cmyk_into_a_format_without_cmyk_is_converted_to_srgb_and_tagged():
    cmyk = gradient(bands=4)
    source = SourceImage(ColourSpace("CMYK", 8, cmyk_profile()), "JPEG", cmyk)
    back = load_image(encode_document(cmyk, source, "png"))
    assert back.source.space.mode == "RGB" and not back.source.converted


def test_tags_added_to_a_tiff_are_read_by_pillow_and_tifffile():
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buf, "TIFF")
    data = with_tags(buf.getvalue(), {ICC_PROFILE: (UNDEFINED, adobe_rgb()), XMP: (BYTE, XMP_PACKET)})
    img = Image.open(io.BytesIO(data))
    assert img.info["icc_profile"] == adobe_rgb() and np.asarray(img)[0, 0].tolist() == [1, 2, 3]
    with tifffile.TiffFile(io.BytesIO(data)) as tif:
        assert bytes(tif.pages[0].tags[XMP].value) == XMP_PACKET


def test_an_unknown_format_is_refused():
    values = gradient()
    with pytest.raises(ValueError, match="Unknown image format"):
        encode_document(values, SourceImage(ColourSpace("RGB"), "PNG", values), "bmp")


def test_a_10_bit_heic_opens_at_16_bits_and_a_16_bit_document_saves_a_10_bit_heic():
    values = np.full((32, 48, 3), 40000, np.uint16)
    values[:, :24] = 12000
    source = SourceImage(ColourSpace("RGB", 16, prophoto()), "HEIF", values)
    data = encode_document(values, source, "heif")
    back = load_image(data)
    assert back.source.kind == "HEIF" and back.source.space.bits == 16
    assert back.source.space.profile == prophoto()
    assert np.abs(back.source.pixels.astype(int) - values).max() < 200  # 10 bits, lossy codec
